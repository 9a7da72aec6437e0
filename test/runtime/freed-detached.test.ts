// Found by the runtime matrix (runtimes.matrix.ts, 'memory', in a page that is not cross-origin
// isolated, where a kernel's memory is not shared): an array from alloc that was freed and then
// detached by a growth of the memory reads as length 0, and the call reported the length check of
// the other argument ("target has length 9; a dense target needs pred's length, 0") instead of the
// freed array. Freed arrays are now refused first, by every entry point, on either build; Node
// reproduces it with loadDice({ sharedMemory: false }).
import { describe, expect, it } from 'vitest';
import { type DiceKernel, loadDice } from '../../src/index.js';

const PRED = [0.38574776, 0.08795848, 0.83927506, 0.21592768, 0.44453627, 0.10463644, 0.8793516, 0.65118235, 0.5184219];
const TARGET = [1, 0, 0, 0, 0, 0, 1, 1, 1];
const FREED = 'was freed (by free() or at the end of its scope) and may share its memory with a newer array';

/** A kernel on a memory that is not shared, with freed arrays from alloc that a growth then detached. */
async function freedThenDetached(backend: 'simd' | 'scalar') {
  const k = await loadDice({ backend, sharedMemory: false });
  const pred = k.alloc(Float32Array, 9);
  pred.set(PRED);
  const labels = k.alloc(Uint8Array, 9);
  labels.set(TARGET);
  const out = k.alloc(Float32Array, 9);
  for (const array of [pred, labels, out]) k.free(array);
  k.alloc(Float32Array, 8 << 20); // grows the memory: every earlier view is detached
  expect([pred.length, labels.length, out.length]).toEqual([0, 0, 0]);
  return { k, pred, labels, out };
}

const target = () => Float32Array.from(TARGET);
const hardTarget = () => Uint8Array.from(TARGET);

describe.each(['simd', 'scalar'] as const)('%s, memory not shared: a freed array that a growth detached', (backend) => {
  const cases: [string, (k: DiceKernel, a: Awaited<ReturnType<typeof freedThenDetached>>) => unknown, RegExp][] = [
    ['diceLoss, pred', (k, { pred }) => k.diceLoss(pred, target()), /^diceLoss: pred was freed/],
    [
      'diceLoss, mask',
      (k, { out }) => k.diceLoss(Float32Array.from(PRED), target(), { mask: out }),
      /^diceLoss: mask was freed/,
    ],
    [
      'diceLossWithGrad, out',
      (k, { out }) => k.diceLossWithGrad(Float32Array.from(PRED), target(), { out }),
      /^diceLossWithGrad: out was freed/,
    ],
    ['bceLoss, pred', (k, { pred }) => k.bceLoss(pred, target(), { reduction: 'none' }), /^bceLoss: pred was freed/],
    ['lovaszHingeLoss, pred', (k, { pred }) => k.lovaszHingeLoss(pred, target()), /^lovaszHingeLoss: pred was freed/],
    [
      'createLoss value, pred',
      (k, { pred }) => k.createLoss({ loss: 'dice' }).value(pred, target()),
      /^value: pred was freed/,
    ],
    [
      'confusion, pred',
      (k, { labels }) => k.confusion(labels, hardTarget(), { numClasses: 2 }),
      /^confusion: pred was freed/,
    ],
    [
      'metrics, target',
      (k, { labels }) => k.metrics(hardTarget(), labels, { metrics: ['dice'], numClasses: 2 }),
      /^metrics: target was freed/,
    ],
  ];

  it.each(cases)('%s: refused as freed (TypeError), not as a length mismatch', async (_, call, message) => {
    const arrays = await freedThenDetached(backend);
    let error: unknown;
    try {
      call(arrays.k, arrays);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(FREED);
    // The kernel stays usable: the worked example on fresh arrays.
    expect(arrays.k.diceLoss(Float32Array.from(PRED), target())).toBeCloseTo(0.35692084, 6);
  });
});
