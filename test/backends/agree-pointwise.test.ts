// The MCC, pointwise (BCE, cross-entropy, focal) and combined losses over random shapes, layouts,
// targets, options and logits (a share of them of magnitude 20 to 100), on every backend, against
// the independent float64 references (test/reference/losses.ts): values at the precision each
// backend's arithmetic allows (the TypeScript backend, float64, at 1e-12), and gradients against
// five-point finite differences of the reference at sampled elements; the WebAssembly gradients
// also against the TypeScript one over the whole tensor. test/backends/agree.test.ts does the same
// for the overlap family.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel, type LossName } from '../../src/index.js';
import { fivePointDerivative, lossReference } from '../reference/losses.js';
import { spatialAxis } from '../support/arbitraries.js';
import { randomTensors, rng } from '../support/random.js';

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

const LOSSES = ['mcc', 'bce', 'crossEntropy', 'focal', 'diceCE', 'diceFocal', 'generalizedDiceFocal'] as const;
type Name = (typeof LOSSES)[number];

interface Case {
  loss: Name;
  B: number;
  C: number;
  spatial: number[];
  layout: 'NCHW' | 'NHWC';
  softmax: boolean;
  target: 'f32' | 'u8' | 'labels-u8' | 'labels-i32';
  ignore: boolean;
  mask: boolean;
  weighted: boolean;
  includeBackground: boolean;
  reduction: 'mean' | 'sum';
  /** The share of logits of magnitude 20 to 100. */
  extreme: number;
  seed: number;
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    loss: fc.constantFrom(...LOSSES),
    B: fc.integer({ min: 1, max: 3 }),
    C: fc.integer({ min: 1, max: 5 }),
    spatial: fc.array(spatialAxis, { minLength: 0, maxLength: 3 }),
    layout: fc.constantFrom('NCHW' as const, 'NHWC' as const),
    softmax: fc.boolean(),
    target: fc.constantFrom('f32' as const, 'u8' as const, 'labels-u8' as const, 'labels-i32' as const),
    ignore: fc.boolean(),
    mask: fc.boolean(),
    weighted: fc.boolean(),
    includeBackground: fc.boolean(),
    reduction: fc.constantFrom('mean' as const, 'sum' as const),
    extreme: fc.constantFrom(0, 0.1, 0.5, 1),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .filter((c) => c.B * c.C * c.spatial.reduce((a, d) => a * d, 1) <= 40_000)
  // MCC over a handful of voxels with ε = 1e-5 has partial derivatives of order 1/ε that cancel:
  // with a soft target the gradient is a convex combination of two such values, which float32
  // output cannot resolve. Real terms count many voxels; keep MCC to at least 8 per term.
  .filter((c) => c.loss !== 'mcc' || c.spatial.reduce((a, d) => a * d, 1) >= 8)
  .map((c) => {
    // Cross-entropy needs classes to take a softmax over; BCE is the sigmoid term.
    const softmax = c.loss === 'crossEntropy' ? true : c.loss === 'bce' ? false : c.softmax;
    const C = softmax ? Math.max(2, c.C) : c.C;
    return { ...c, softmax, C, includeBackground: C < 2 ? true : c.includeBackground };
  });

function build(c: Case) {
  const { random, shape, pred, labels, ignoreIndex, target, mask, weight } = randomTensors(c);
  const common: Record<string, unknown> = {
    shape,
    layout: c.layout,
    activation: c.softmax ? 'softmax' : 'sigmoid',
    target: labels ? 'labels' : 'dense',
    reduction: c.reduction,
    ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
    ...(weight ? { weight } : {}),
  };
  const lambdas = { lambdaOverlap: 0.5 + random(), lambdaPoint: 0.5 + random() };
  const focal = { gamma: [0.5, 1, 2, 3][c.seed % 4], ...(random() < 0.5 ? { alpha: random() } : {}) };
  const background = c.C > 1 ? { includeBackground: c.includeBackground } : {};
  const options: Record<string, unknown> = {
    mcc: { ...common, ...background, batch: random() < 0.5, smooth: random() < 0.5 ? 1e-5 : 0.1 },
    bce: {
      ...common,
      ...background,
      ...(random() < 0.5 ? { posWeight: Array.from({ length: c.C }, () => 0.5 + 2 * random()) } : {}),
    },
    crossEntropy: { ...common, labelSmoothing: random() < 0.5 ? 0 : 0.15 },
    focal: { ...common, ...background, ...focal },
    diceCE: {
      ...common,
      ...background,
      ...lambdas,
      smooth: 0.5,
      squared: random() < 0.3,
      ...(c.softmax ? { labelSmoothing: 0.1 } : {}),
    },
    diceFocal: { ...common, ...background, ...lambdas, ...focal, batch: random() < 0.5 },
    generalizedDiceFocal: {
      ...common,
      ...background,
      ...lambdas,
      ...focal,
      weightType: (['square', 'simple', 'uniform'] as const)[c.seed % 3],
    },
  }[c.loss] as Record<string, unknown>;
  return { pred, target, mask, options };
}

type Backend = 'simd' | 'scalar' | 'js';

/**
 * |got − want| ≤ rel·|want| + abs: the TypeScript backend computes in float64 from the same float32
 * inputs as the reference, so 1e-12 (and 1e-14 where the value is near 0, as after a cancellation
 * 1 − score); the WebAssembly builds compute in float32.
 */
function expectValue(backend: Backend, got: number, want: number, what: string): void {
  const [rel, abs] = backend === 'js' ? [1e-12, 1e-14] : [1e-5, 1e-6];
  expect(Math.abs(got - want), `${backend} ${what}: ${got} vs reference ${want}`).toBeLessThanOrEqual(
    rel * Math.abs(want) + abs,
  );
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** The whole WebAssembly gradient against the TypeScript one: max |Δ| within 2e-5 of max |grad|. */
function gradClose(backend: Backend, actual: Float32Array, expected: Float32Array): void {
  const scale = maxAbs(expected);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  expect(
    worst,
    `${backend}: element ${at}, ${actual[at]} vs js ${expected[at]} (max |grad| ${scale})`,
  ).toBeLessThanOrEqual(2e-5 * scale + 1e-12);
}

/**
 * Per element, against the finite difference fd of the float64 reference: |g − fd| ≤ rel·|fd| +
 * floor·max|grad| + the difference quotient's rounding noise. The floors cover elements whose
 * derivative is (near) 0 beside others that are not.
 */
function expectGradElement(
  backend: Backend,
  got: number,
  fd: { derivative: number; noise: number },
  scale: number,
  what: string,
): void {
  const [rel, floor] = backend === 'js' ? [1e-6, 1e-7] : [1e-4, 2e-5];
  const want = fd.derivative;
  expect(
    Math.abs(got - want),
    `${backend} ${what}: ${got} vs finite difference ${want} ± ${fd.noise} (max |grad| ${scale})`,
  ).toBeLessThanOrEqual(rel * Math.abs(want) + floor * scale + fd.noise);
}

/** Elements whose derivative the finite differences check: a few at random (fewer for large tensors). */
function sampledElements(n: number, seed: number): number[] {
  const random = rng(seed ^ 0x5eed);
  const count = Math.min(n, n <= 2000 ? 6 : 2);
  return Array.from({ length: count }, () => Math.floor(random() * n));
}

describe('the MCC, pointwise and combined losses on every backend against the float64 reference', () => {
  it('values and gradients over random shapes, layouts, targets, options and extreme logits', () => {
    const kernels: Record<Backend, DiceKernel> = { simd, scalar, js };
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const { pred, target, mask, options } = build(c);
        const reference = (x: ArrayLike<number>) => lossReference(c.loss, x, target, { ...options, mask });
        const expected = reference(pred);
        const loss = (k: DiceKernel) => k.createLoss({ loss: c.loss as LossName, ...options } as never);
        const results = {} as Record<Backend, { loss: number; grad: Float32Array }>;
        for (const backend of ['js', 'simd', 'scalar'] as const) {
          const k = kernels[backend];
          expectValue(backend, loss(k).value(pred, target, mask) as number, expected, 'value');
          results[backend] = loss(k).valueAndGrad(pred, target, undefined, mask);
          expectValue(backend, results[backend].loss, expected, 'valueAndGrad loss');
        }
        for (const backend of ['simd', 'scalar'] as const) gradClose(backend, results[backend].grad, results.js.grad);
        const scale = maxAbs(results.js.grad);
        for (const i of sampledElements(pred.length, c.seed)) {
          const fd = fivePointDerivative(reference, pred, i);
          for (const backend of ['js', 'simd', 'scalar'] as const)
            expectGradElement(backend, results[backend].grad[i], fd, scale, `∂L/∂x[${i}] (x = ${pred[i]})`);
        }
      }),
      { numRuns: 250 },
    );
  });
});
