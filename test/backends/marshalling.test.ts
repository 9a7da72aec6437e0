// Marshalling on the WebAssembly backends: arrays from alloc used in place (zero copy), plain
// arrays copied whole (a staging area larger than the call), plain arrays streamed in small
// chunks, and every mix of the two, must give the same loss and gradient, for every loss of the
// family (each kernel path: target kinds and types, activations, layouts, masks, pointwise terms).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DiceKernel } from '../../src/index.js';
import { loadDice } from '../../src/index.js';
import {
  build,
  caseArbitrary,
  expectClose,
  expectGradClose,
  runLoss,
  TINY_STAGING,
  type Built,
  type Placement,
} from '../support/loss-cases.js';
import { rng } from '../support/random.js';

type Backend = 'simd' | 'scalar';

interface Kernels {
  /** Shared memory, default staging: arrays from alloc are used in place. */
  zero: DiceKernel;
  /** Non-shared memory, staging larger than any call here: plain arrays are copied whole. */
  whole: DiceKernel;
  /** Shared memory, small staging areas: plain arrays are streamed in many chunks. */
  chunked: Record<(typeof TINY_STAGING)[number], DiceKernel>;
}
const kernels = {} as Record<Backend, Kernels>;

beforeAll(async () => {
  for (const backend of ['simd', 'scalar'] as const) {
    const chunked = {} as Kernels['chunked'];
    for (const stagingBytes of TINY_STAGING) chunked[stagingBytes] = await loadDice({ backend, stagingBytes });
    kernels[backend] = {
      zero: await loadDice({ backend }),
      whole: await loadDice({ backend, sharedMemory: false, stagingBytes: 1 << 30 }),
      chunked,
    };
  }
});

const ALL: Placement = [true, true, true, true];
const NONE: Placement = [false, false, false, false];

describe.each(['simd', 'scalar'] as const)('zero copy ≡ whole copy ≡ streamed chunks ≡ any mix (%s)', (backend) => {
  it('for every loss over random shapes, layouts, activations, targets, masks and staging sizes', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const b = build(c);
        const k = kernels[backend];
        const zero = await runLoss(k.zero, b, ALL);
        // One region either way: the same kernel calls on the same values, so the same bits.
        const whole = await runLoss(k.whole, b, NONE);
        expect(whole.value).toEqual(zero.value);
        expect(whole.loss).toBe(zero.loss);
        expect(whole.grad).toEqual(zero.grad);
        for (const [name, place] of [
          ['streamed', NONE],
          ['mixed', c.resident],
        ] as const) {
          const got = await runLoss(k.chunked[c.staging], b, place);
          expectClose(got.value, zero.value, `${name} value`);
          expectClose(got.loss, zero.loss, `${name} loss`);
          expectGradClose(got.grad, zero.grad, `${name} gradient`);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('streaming', () => {
  // A 2M-element softmax case: chunks of the staging area's size (L2) match zero copy.
  it('streams a channels-first volume through staging in L2-sized chunks ≡ zero copy', async () => {
    const random = rng(3);
    const C = 4,
      S = 1 << 19;
    const pred = Float32Array.from({ length: C * S }, () => 8 * random() - 4);
    const labels = Uint8Array.from({ length: S }, () => Math.floor(random() * C));
    const b: Built = { pred, target: labels, mask: undefined, options: { loss: 'diceCE', shape: [1, C, S] } };
    const zero = await runLoss(kernels.simd.zero, b, ALL);
    const streamed = await runLoss(kernels.simd.zero, b, NONE);
    const predOnly = await runLoss(kernels.simd.zero, b, [true, false, false, false]);
    for (const got of [streamed, predOnly]) {
      expectClose(got.loss, zero.loss, 'loss');
      expectGradClose(got.grad, zero.grad, 'gradient');
    }
  });
});
