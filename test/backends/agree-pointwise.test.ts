// The SIMD, scalar and TypeScript backends agree on the MCC, pointwise (BCE, cross-entropy,
// focal) and combined losses over random shapes, layouts, targets and options, values and
// gradients (fast-check), as test/backends/agree.test.ts checks for the overlap family.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel, type LossName } from '../../src/index.js';
import { spatialAxis } from '../support/arbitraries.js';
import { randomTensors } from '../support/random.js';

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

function closeEnough(actual: number, expected: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(1e-5 * Math.abs(expected) + 1e-6);
}

function gradClose(actual: Float32Array, expected: Float32Array): void {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  expect(worst, `max |Δgrad| ${worst} vs max |grad| ${scale}`).toBeLessThanOrEqual(2e-5 * scale + 1e-12);
}

describe('SIMD, scalar and TypeScript backends agree on MCC, pointwise and combined losses', () => {
  it('on values and gradients over random shapes, layouts, targets and options', () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const { pred, target, mask, options } = build(c);
        const loss = (k: DiceKernel) => k.createLoss({ loss: c.loss as LossName, ...options } as never);
        const expected = loss(js).valueAndGrad(pred, target, undefined, mask);
        for (const k of [simd, scalar]) {
          closeEnough(loss(k).value(pred, target, mask) as number, expected.loss);
          const got = loss(k).valueAndGrad(pred, target, undefined, mask);
          closeEnough(got.loss, expected.loss);
          gradClose(got.grad, expected.grad);
        }
      }),
      { numRuns: 250, seed: 20261127, endOnFailure: true },
    );
  });
});
