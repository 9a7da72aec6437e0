// The three backends (SIMD WebAssembly, scalar WebAssembly, TypeScript reference) must agree on
// every option combination, every shape (including lengths that are not multiples of 4 or 16,
// 0 and 1), logits far out (|x| of 20 to 100: float32 e^x overflows, σ and softmax saturate) and
// on views at non-zero byte offsets; and every one of them with the independent float64 reference
// (test/reference/overlap.ts): the TypeScript backend to 1e-12, the WebAssembly builds to 1e-5.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel, type LossName } from '../../src/index.js';
import { spatialAxis } from '../support/arbitraries.js';
import { overlapReference, type OverlapRefOptions, type RefLoss } from '../reference/overlap.js';
import { offsetView, randomLogit, rng } from '../support/random.js';

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

type TargetCase = 'f32' | 'u8' | 'labels-u8' | 'labels-u16' | 'labels-i32';

interface Case {
  loss: LossName;
  B: number;
  C: number;
  spatial: number[];
  layout: 'NCHW' | 'NHWC';
  activation: 'none' | 'sigmoid' | 'softmax';
  target: TargetCase;
  ignore: boolean;
  squared: boolean;
  batch: boolean;
  reduction: 'mean' | 'sum' | 'none';
  includeBackground: boolean;
  weighted: boolean;
  logLoss: boolean;
  smooth: number;
  softLabel: boolean;
  mask: 'none' | 'perSample' | 'shared' | 'float';
  empty: 'smooth' | 'zero' | 'skip';
  offset: number;
  /** The share of logits of magnitude 20 to 100 (with an activation). */
  extreme: number;
  seed: number;
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    loss: fc.constantFrom<LossName>('dice', 'jaccard', 'tversky', 'focalTversky', 'generalizedDice'),
    B: fc.integer({ min: 1, max: 3 }),
    C: fc.integer({ min: 1, max: 5 }),
    spatial: fc.array(spatialAxis, { minLength: 0, maxLength: 3 }),
    layout: fc.constantFrom('NCHW' as const, 'NHWC' as const),
    activation: fc.constantFrom('none' as const, 'sigmoid' as const, 'softmax' as const),
    target: fc.constantFrom<TargetCase>('f32', 'u8', 'labels-u8', 'labels-u16', 'labels-i32'),
    ignore: fc.boolean(),
    squared: fc.boolean(),
    batch: fc.boolean(),
    reduction: fc.constantFrom('mean' as const, 'sum' as const, 'none' as const),
    includeBackground: fc.boolean(),
    weighted: fc.boolean(),
    logLoss: fc.boolean(),
    smooth: fc.constantFrom(1, 1e-5, 0.5),
    softLabel: fc.boolean(),
    mask: fc.constantFrom('none' as const, 'perSample' as const, 'shared' as const, 'float' as const),
    empty: fc.constantFrom('smooth' as const, 'zero' as const, 'skip' as const),
    offset: fc.integer({ min: 1, max: 7 }),
    extreme: fc.constantFrom(0, 0.1, 0.5, 1),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  // Keep the product of the large axes within reach of the TypeScript reference.
  .filter((c) => c.B * c.C * c.spatial.reduce((a, d) => a * d, 1) <= 60_000)
  .map((c) => ({
    ...c,
    activation: c.C < 2 && c.activation === 'softmax' ? 'sigmoid' : c.activation,
    includeBackground: c.C < 2 ? true : c.includeBackground,
  }));

type Options = Record<string, unknown> & { mask?: Uint8Array | Float32Array };

function build(c: Case): {
  pred: Float32Array;
  target: Float32Array | Uint8Array | Uint16Array | Int32Array;
  options: Options;
} {
  const random = rng(c.seed);
  const S = c.spatial.reduce((a, d) => a * d, 1);
  const shape = c.layout === 'NCHW' ? [c.B, c.C, ...c.spatial] : [c.B, ...c.spatial, c.C];
  const n = c.B * c.C * S;
  const logits = c.activation !== 'none';
  const pred = offsetView(
    Float32Array,
    Array.from({ length: n }, () => (logits ? randomLogit(random, c.extreme) : random())),
    c.offset,
  );
  const labels = c.target.startsWith('labels');
  // With one class the only label is 0; the ignored label is then 1 (never 0 itself).
  const ignoreIndex = labels && c.ignore ? (c.C > 1 ? Math.floor(random() * c.C) : 1) : undefined;
  let target: Float32Array | Uint8Array | Uint16Array | Int32Array;
  if (labels) {
    const values = Array.from({ length: c.B * S }, () => {
      if (ignoreIndex !== undefined && random() < 0.2) return ignoreIndex;
      return Math.floor(random() * c.C);
    });
    const ctor = c.target === 'labels-u8' ? Uint8Array : c.target === 'labels-u16' ? Uint16Array : Int32Array;
    target = offsetView(ctor as typeof Uint8Array, values, c.offset + 1);
  } else if (c.target === 'u8') {
    target = offsetView(
      Uint8Array,
      Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0)),
      c.offset + 2,
    );
  } else {
    target = offsetView(
      Float32Array,
      Array.from({ length: n }, () => (random() < 0.5 ? random() : Math.round(random()))),
      c.offset + 3,
    );
  }
  const maskValues = (length: number) => Array.from({ length }, () => (random() < 0.25 ? 0 : 1));
  const mask =
    c.mask === 'none'
      ? undefined
      : c.mask === 'float'
        ? offsetView(
            Float32Array,
            maskValues(c.B * S).map((v) => v * (0.5 + random())),
            c.offset,
          )
        : offsetView(Uint8Array, maskValues(c.mask === 'shared' ? S : c.B * S), c.offset + 4);
  const family =
    c.loss === 'generalizedDice'
      ? { weightType: (['square', 'simple', 'uniform'] as const)[c.seed % 3] }
      : {
          ...(c.weighted ? { weight: Array.from({ length: c.C }, () => random() * 2) } : {}),
          ...(c.loss !== 'focalTversky' ? { logLoss: c.logLoss } : { gamma: [0.75, 1.5, 2][c.seed % 3] }),
          ...(c.loss === 'tversky' || c.loss === 'focalTversky' ? { alpha: random(), beta: random() } : {}),
          empty: c.empty,
        };
  const options: Options = {
    shape,
    layout: c.layout,
    activation: c.activation,
    target: labels ? 'labels' : 'dense',
    squared: c.squared,
    batch: c.batch,
    reduction: c.reduction,
    includeBackground: c.includeBackground,
    smooth: c.smooth,
    softLabel: c.softLabel,
    ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
    ...(mask ? { mask } : {}),
    ...family,
  };
  return { pred, target, options };
}

function expectClose(
  actual: number | Float64Array,
  expected: number | Float64Array,
  rel: number,
  abs = 1e-6,
  what = '',
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    expect(Math.abs(a[i] - e[i]), `${what} term ${i}: ${a[i]} vs ${e[i]}`).toBeLessThanOrEqual(
      rel * Math.abs(e[i]) + abs,
    );
  }
}

/** Gradients agree elementwise within `rel` of the reference gradient's largest magnitude (and `floor`). */
function expectGradClose(actual: Float32Array, expected: Float32Array, rel: number, floor = 0): void {
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
  expect(
    worst,
    `element ${at}: ${actual[at]} vs ${expected[at]} (max |grad| ${scale}, rounding floor ${floor})`,
  ).toBeLessThanOrEqual(rel * scale + floor + 1e-12);
}

describe('SIMD, scalar and TypeScript backends agree', () => {
  it('on values and gradients of every loss over random shapes, layouts, targets and options', () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const { pred, target, options } = build(c);
        const { mask, ...lossOptions } = options;
        const losses = (k: DiceKernel) => k.createLoss({ loss: c.loss, ...lossOptions } as never);
        const reference = losses(js).value(pred, target, mask);
        for (const k of [simd, scalar]) expectClose(losses(k).value(pred, target, mask), reference, 1e-5);
        // Every backend against the float64 reference (a term 'skip' leaves out lists no defined value under 'none').
        if (!(c.reduction === 'none' && c.empty === 'skip')) {
          const value = overlapReference(c.loss as RefLoss, pred, target, options as OverlapRefOptions).loss;
          const want = typeof value === 'number' ? value : Float64Array.from(value);
          for (const k of [js, simd, scalar]) {
            const [rel, abs] = k === js ? [1e-12, 1e-14] : [1e-5, 1e-6];
            expectClose(losses(k).value(pred, target, mask), want, rel, abs, `${k.backend} vs reference`);
          }
        }
        if (c.loss === 'dice') {
          const { weight: _w, logLoss: _l, empty: _e, ...scoreOptions } = options;
          const score = js.diceCoefficient(pred, target, scoreOptions);
          for (const k of [simd, scalar]) expectClose(k.diceCoefficient(pred, target, scoreOptions), score, 1e-5);
        }
        if (c.reduction === 'none') return;
        const expected = losses(js).valueAndGrad(pred, target, undefined, mask);
        for (const k of [simd, scalar]) {
          const out = offsetView(Float32Array, new Float32Array(pred.length).fill(Number.NaN), 5);
          const got = losses(k).valueAndGrad(pred, target, out, mask);
          expect(got.grad).toBe(out);
          expectClose(got.loss, expected.loss, 1e-5);
          // No floor for softmax: where a probability nears 1, kernel 2 settles the dominant class's
          // element as minus the sum of the others' (assembly/tile.ts finishSoftmax), so even a
          // wholly saturated case, whose gradient is all tiny, compares within 2e-5 of its largest.
          expectGradClose(got.grad, expected.grad, 2e-5);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('on every length 0..70 through every target type and activation (SIMD bodies and their tails)', () => {
    for (let S = 0; S <= 70; S++) {
      for (const target of ['f32', 'u8', 'labels-u8', 'labels-u16', 'labels-i32'] as const) {
        for (const activation of ['none', 'sigmoid', 'softmax'] as const) {
          for (const layout of ['NCHW', 'NHWC'] as const) {
            const c: Case = {
              loss: 'dice',
              B: 2,
              C: activation === 'softmax' ? 3 : 2,
              spatial: [S],
              layout,
              activation,
              target,
              ignore: S % 3 === 0,
              squared: S % 2 === 1,
              batch: false,
              reduction: 'mean',
              includeBackground: true,
              weighted: false,
              logLoss: false,
              smooth: 1,
              softLabel: target === 'f32' && S % 4 === 1,
              mask: (['none', 'perSample', 'shared', 'none'] as const)[S % 4],
              empty: 'smooth',
              offset: 1 + (S % 5),
              extreme: S % 7 === 0 ? 0.5 : 0,
              seed: 1000 + S,
            };
            const { pred, target: t, options } = build(c);
            const expected = js.diceLossWithGrad(pred, t, options);
            for (const k of [simd, scalar]) {
              const got = k.diceLossWithGrad(pred, t, options);
              expectClose(got.loss, expected.loss, 1e-5);
              expectGradClose(got.grad, expected.grad, 2e-5);
            }
          }
        }
      }
    }
  });

  it('on a single sample and class of length 1 and 0', () => {
    for (const k of [simd, scalar, js]) {
      expect(k.diceLoss(new Float32Array([0.25]), new Float32Array([1]))).toBeCloseTo(1 - (0.5 + 1) / (1.25 + 1), 12);
      expect(k.diceLoss(new Float32Array(0), new Float32Array(0))).toBe(0);
      expect(k.diceLossWithGrad(new Float32Array(0), new Float32Array(0)).grad.length).toBe(0);
    }
  });

  it('on channels-last and softmax inputs of several tiles per sample, with and without pointwise terms', () => {
    const random = rng(7);
    for (const C of [2, 3, 4, 7, 17]) {
      const S = 3000 + C;
      const shape = [2, 50, (S / 50) | 0];
      const spatial = shape[1] * shape[2];
      for (const layout of ['NCHW', 'NHWC'] as const) {
        const pred = Float32Array.from({ length: 2 * C * spatial }, () => 8 * random() - 4);
        const labels = Uint16Array.from({ length: 2 * spatial }, () => Math.floor(random() * C));
        const options = {
          shape: layout === 'NCHW' ? [2, C, shape[1], shape[2]] : [2, shape[1], shape[2], C],
          layout,
          activation: 'softmax' as const,
        };
        const mask = Uint8Array.from({ length: spatial }, (_, i) => (i % 7 === 3 ? 0 : 1));
        const calls: ((k: DiceKernel) => { loss: number; grad: Float32Array })[] = [
          (k) => k.diceLossWithGrad(pred, labels, options),
          (k) => k.diceCELossWithGrad(pred, labels, { ...options, labelSmoothing: 0.1, mask }),
          (k) => k.diceFocalLossWithGrad(pred, labels, { ...options, gamma: 1.5 }),
          (k) => k.focalLossWithGrad(pred, labels, { ...options, activation: 'sigmoid', alpha: 0.3 }),
          (k) => k.bceLossWithGrad(pred, labels, { ...options, activation: 'sigmoid', mask }),
        ];
        for (const call of calls) {
          const expected = call(js);
          for (const k of [simd, scalar]) {
            const got = call(k);
            expectClose(got.loss, expected.loss, 1e-5);
            expectGradClose(got.grad, expected.grad, 2e-5);
          }
        }
      }
    }
  });
});
