// Zero copy: arrays from `k.alloc` (views at byte offsets inside WebAssembly memory), `out` too.
// This is the path where kernel 1 leaves the activation in `out` (e^−x for sigmoid, p for
// softmax) and kernel 2 finishes in place, and where channels-last tiles are transposed in
// registers (C a multiple of 4, or 2). Both WebAssembly builds must agree with the TypeScript
// reference (float64) on every loss with an activation, every layout, target type, mask and
// ignored label, tails of every length, many classes (2 … 256) and extreme logits.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type AllocScope, type DiceKernel } from '../../src/index.js';
import { rng } from '../support/random.js';

let simd: DiceKernel;
let scalar: DiceKernel;
let js: DiceKernel;

beforeAll(async () => {
  [simd, scalar, js] = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

type TargetType = 'f32' | 'u8' | 'labels-u8' | 'labels-u16' | 'labels-i32';
type Loss = 'dice' | 'diceCE' | 'diceFocal' | 'jaccard';

interface Case {
  loss: Loss;
  B: number;
  C: number;
  S: number;
  layout: 'NCHW' | 'NHWC';
  activation: 'sigmoid' | 'softmax';
  target: TargetType;
  ignore: boolean;
  mask: 'none' | 'perSample' | 'shared';
  squared: boolean;
  /** Logits drawn from ±[extreme, extreme + 80] instead of (−6, 6). */
  extreme: number;
  offset: number;
  seed: number;
}

type Typed = Float32Array | Uint8Array | Uint16Array | Int32Array;

interface Inputs {
  pred: Float32Array;
  target: Typed;
  mask: Uint8Array | undefined;
  options: Record<string, unknown>;
}

function build(c: Case): Inputs {
  const random = rng(c.seed);
  const n = c.B * c.C * c.S;
  const logit = () => {
    if (c.extreme === 0) return 12 * random() - 6;
    const magnitude = c.extreme + 80 * random();
    return random() < 0.5 ? -magnitude : magnitude;
  };
  const pred = Float32Array.from({ length: n }, logit);
  const labels = c.target.startsWith('labels');
  const ignoreIndex = labels && c.ignore ? Math.floor(random() * c.C) : undefined;
  let target: Typed;
  if (labels) {
    const values = Array.from({ length: c.B * c.S }, () =>
      ignoreIndex !== undefined && random() < 0.2 ? ignoreIndex : Math.floor(random() * c.C),
    );
    target = (c.target === 'labels-u8' ? Uint8Array : c.target === 'labels-u16' ? Uint16Array : Int32Array).from(
      values,
    );
  } else if (c.target === 'u8') {
    target = Uint8Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0));
  } else {
    target = Float32Array.from({ length: n }, () => (random() < 0.5 ? random() : Math.round(random())));
  }
  const mask =
    c.mask === 'none'
      ? undefined
      : Uint8Array.from({ length: c.mask === 'shared' ? c.S : c.B * c.S }, () => (random() < 0.25 ? 0 : 1));
  const shape = c.layout === 'NCHW' ? [c.B, c.C, c.S] : [c.B, c.S, c.C];
  const options: Record<string, unknown> = {
    shape,
    layout: c.layout,
    activation: c.activation,
    target: labels ? 'labels' : 'dense',
    squared: c.squared,
    ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
  };
  return { pred, target, mask, options };
}

/** A copy of `values` in the kernel's memory, `offset` elements into a block of its own. */
function resident<T extends Typed>(scope: AllocScope, values: T, offset: number): T {
  const ctor = values.constructor as typeof Uint8Array;
  const block = scope.alloc(ctor, values.length + offset) as unknown as T;
  const view = block.subarray(offset) as T;
  view.set(values as never);
  return view;
}

function call(k: DiceKernel, loss: Loss, pred: Float32Array, target: Typed, options: object) {
  switch (loss) {
    case 'dice':
      return k.diceLossWithGrad(pred, target, options);
    case 'jaccard':
      return k.jaccardLossWithGrad(pred, target, options);
    case 'diceCE':
      return k.diceCELossWithGrad(pred, target, options);
    case 'diceFocal':
      return k.diceFocalLossWithGrad(pred, target, { ...options, gamma: 1.5 });
  }
}

function expectClose(actual: number, expected: number, rel: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    rel * Math.abs(expected) + 1e-6,
  );
}

function expectGradClose(actual: Float32Array, expected: Float32Array, rel: number, what: string, floor = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${what}, element ${at}: ${actual[at]} vs ${expected[at]} (max |grad| ${scale})`).toBeLessThanOrEqual(
    rel * scale + floor,
  );
}

/**
 * Runs one case zero copy on both builds (arrays from alloc, out too): against the reference
 * (float64; 5e-5 of the largest gradient allows for f32 cancellation in u_c − p_c·Σu; with
 * extreme logits, where every gradient is tiny, that cancellation leaves up to ~f32 epsilon times
 * ∂L/∂p ≤ ~0.1 here: 1e-8 absolute), and
 * against the same build on plain arrays, streamed, which computes the activation again in
 * kernel 2 (one chunk here: the same sums, so the same gradient up to the last bits).
 */
function check(c: Case): void {
  const { pred, target, mask, options } = build(c);
  const withMask = { ...options, ...(mask ? { mask } : {}) };
  const expected = call(js, c.loss, pred, target, withMask);
  for (const k of [simd, scalar]) {
    const streamed = call(k, c.loss, pred, target, withMask);
    k.scope((scope) => {
      const p = resident(scope, pred, c.offset);
      const t = resident(scope, target, c.offset + 1);
      const m = mask ? resident(scope, mask, c.offset + 2) : undefined;
      const out = resident(scope, new Float32Array(pred.length).fill(Number.NaN), c.offset + 3);
      const got = call(k, c.loss, p, t, { ...options, out, ...(m ? { mask: m } : {}) });
      const what = `${k.backend} ${JSON.stringify(c)}`;
      expect(got.grad).toBe(out);
      expectClose(got.loss, expected.loss, 1e-5, what);
      expectGradClose(got.grad, expected.grad, 5e-5, what, c.extreme > 0 ? 1e-8 : 1e-12);
      expectClose(got.loss, streamed.loss, 1e-12, `${what} (vs plain arrays)`);
      expectGradClose(got.grad, streamed.grad, 1e-6, `${what} (vs plain arrays)`);
    });
  }
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    loss: fc.constantFrom<Loss>('dice', 'diceCE', 'diceFocal', 'jaccard'),
    B: fc.integer({ min: 1, max: 3 }),
    C: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(12, 16, 21, 64)),
    S: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 75 }) }, fc.integer({ min: 900, max: 2300 })),
    layout: fc.constantFrom('NCHW' as const, 'NHWC' as const),
    activation: fc.constantFrom('sigmoid' as const, 'softmax' as const),
    target: fc.constantFrom<TargetType>('f32', 'u8', 'labels-u8', 'labels-u16', 'labels-i32'),
    ignore: fc.boolean(),
    mask: fc.constantFrom('none' as const, 'perSample' as const, 'shared' as const),
    squared: fc.boolean(),
    extreme: fc.constantFrom(0, 0, 20),
    offset: fc.integer({ min: 1, max: 7 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .filter((c) => c.B * c.C * c.S <= 60_000)
  .map((c) => ({
    ...c,
    activation: c.C < 2 ? ('sigmoid' as const) : c.activation,
    // A label map of one class has only label 0; the pointwise terms take their activation's targets.
    target: c.C < 2 && c.target.startsWith('labels') ? ('u8' as const) : c.target,
  }));

describe('zero copy (arrays from alloc, out too): both builds agree with the reference', () => {
  it('on random losses, shapes, layouts, targets, masks, ignored labels and extreme logits', () => {
    fc.assert(fc.property(caseArbitrary, check), { numRuns: 300, seed: 20261207, endOnFailure: true });
  });

  it('on every length 0..75 (SIMD bodies, 8-wide u8 loads, transposes and their tails)', () => {
    for (let S = 0; S <= 75; S++) {
      for (const target of ['f32', 'u8', 'labels-u8', 'labels-u16', 'labels-i32'] as const) {
        for (const [activation, C] of [
          ['sigmoid', 1],
          ['sigmoid', 3],
          ['softmax', 2],
          ['softmax', 4],
          ['softmax', 5],
          ['softmax', 8],
        ] as const) {
          for (const layout of ['NCHW', 'NHWC'] as const) {
            check({
              loss: S % 3 === 0 ? 'diceCE' : 'dice',
              B: 2,
              C,
              S,
              layout,
              activation,
              target: C === 1 && target.startsWith('labels') ? 'u8' : target,
              ignore: S % 4 === 1,
              mask: (['none', 'perSample', 'shared', 'none', 'none'] as const)[S % 5],
              squared: S % 7 === 3,
              extreme: S % 6 === 5 ? 20 : 0,
              offset: 1 + (S % 5),
              seed: 5000 + S,
            });
          }
        }
      }
    }
  });

  it('on many classes (2, 5, 64, 150, 256), several tiles per sample, both layouts', () => {
    for (const C of [2, 5, 64, 150, 256]) {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        for (const loss of ['dice', 'diceCE'] as const) {
          check({
            loss,
            B: 2,
            C,
            S: 300 + (C % 7),
            layout,
            activation: 'softmax',
            target: C > 255 ? 'labels-u16' : 'labels-u8',
            ignore: C === 5,
            mask: C === 64 ? 'perSample' : 'none',
            squared: false,
            extreme: C === 150 ? 20 : 0,
            offset: 3,
            seed: 77 + C,
          });
        }
      }
    }
  });

  it('on extreme logits (|x| from 20 to 100): saturated sigmoid slopes stay exact, softmax stays finite', () => {
    for (const activation of ['sigmoid', 'softmax'] as const) {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        for (const target of ['u8', 'f32', 'labels-u8'] as const) {
          check({
            loss: 'dice',
            B: 1,
            C: 4,
            S: 1031,
            layout,
            activation,
            target,
            ignore: false,
            mask: 'none',
            squared: false,
            extreme: 20,
            offset: 2,
            seed: 31,
          });
        }
      }
    }
  });
});
