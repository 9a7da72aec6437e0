// Reduction 'none' of the pointwise losses (BCE, cross-entropy, focal): each element's loss in
// pred's shape and layout (each voxel's for cross-entropy, [B, ...spatial], as PyTorch's
// reduction='none'). Values worked out by hand for a few elements; 'sum' and 'mean' are the sum
// of the values (and that sum over the count) on every backend; the WebAssembly builds agree with
// the TypeScript backend and the float64 reference over random shapes (fast-check); `out` is
// checked before anything is written.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { pointwiseElementsReference, type PointRefOptions } from '../reference/pointwise.js';
import { spatialAxis } from '../support/arbitraries.js';
import { randomTensors, type TensorCase } from '../support/random.js';

const BACKENDS = ['simd', 'scalar', 'js'] as const;
const kernels = {} as Record<(typeof BACKENDS)[number], DiceKernel>;
beforeAll(async () => {
  for (const backend of BACKENDS) kernels[backend] = await loadDice({ backend });
});

const softplus = (x: number): number => Math.log(1 + Math.exp(x));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function expectClose(got: ArrayLike<number>, want: readonly number[], tolerance = 2e-6): void {
  expect(got.length).toBe(want.length);
  for (const [i, w] of want.entries()) {
    expect(Math.abs(got[i] - w), `[${i}]: ${got[i]} vs ${w}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(w)));
  }
}

describe.each(BACKENDS)('worked by hand, on %s', (backend) => {
  const k = () => kernels[backend];

  it('BCE from logits, posWeight and a class weight: w·(pw·y·softplus(−x) + (1 − y)·softplus(x)) each', () => {
    // Shape [1, 2, 2] (NCHW): class 0 holds x = 2, −1; class 1 holds x = 0.5, −3.
    const x = Float32Array.of(2, -1, 0.5, -3);
    const y = Float32Array.of(1, 0, 1, 1);
    const got = k().bceLoss(x, y, { shape: [1, 2, 2], posWeight: [3, 1], weight: [1, 0.5], reduction: 'none' });
    expectClose(got, [
      3 * Math.log(1 + Math.exp(-2)), // y = 1: pw·log(1 + e^−x)
      Math.log(1 + Math.exp(-1)), // y = 0: log(1 + e^x) at x = −1
      0.5 * Math.log(1 + Math.exp(-0.5)),
      0.5 * Math.log(1 + Math.exp(3)),
    ]);
  });

  it('sigmoid focal, γ = 2, α = 0.25: α_t·(1 − p_t)²·BCE per element', () => {
    const x = Float32Array.of(1, 1, -2);
    const y = Float32Array.of(1, 0, 0);
    const p = sigmoid(1);
    const q = sigmoid(-2);
    const got = k().focalLoss(x, y, { gamma: 2, alpha: 0.25, reduction: 'none' });
    expectClose(got, [
      0.25 * (1 - p) ** 2 * -Math.log(p), // positive: α, p_t = p
      0.75 * p ** 2 * -Math.log(1 - p), // negative: 1 − α, p_t = 1 − p
      0.75 * q ** 2 * -Math.log(1 - q),
    ]);
  });

  it('softmax focal, γ = 2, α = 0.25 (class 0 weighs 1 − α): −α_c·(1 − p_c)²·y_c·log p_c per element, NHWC', () => {
    // One sample of two voxels, channels last: voxel 0 has logits (2, 0) and label 0, voxel 1 (−1, 1) and label 1.
    const x = Float32Array.of(2, 0, -1, 1);
    const labels = Uint8Array.of(0, 1);
    const p0 = Math.exp(2) / (Math.exp(2) + 1);
    const p1 = Math.exp(1) / (Math.exp(1) + Math.exp(-1));
    const got = k().focalLoss(x, labels, {
      shape: [1, 2, 2],
      layout: 'NHWC',
      activation: 'softmax',
      gamma: 2,
      alpha: 0.25,
      reduction: 'none',
    });
    expectClose(got, [0.75 * (1 - p0) ** 2 * -Math.log(p0), 0, 0, 0.25 * (1 - p1) ** 2 * -Math.log(p1)]);
  });

  it('cross-entropy with class weights: one value per voxel, −w[label]·log p_label', () => {
    // Shape [1, 3, 2]: voxel 0 has logits (1, 2, 3) and label 2, voxel 1 (0, 0, 0) and label 0.
    const x = Float32Array.of(1, 0, 2, 0, 3, 0);
    const labels = Uint8Array.of(2, 0);
    const got = k().crossEntropyLoss(x, labels, { shape: [1, 3, 2], weight: [0.5, 1, 2], reduction: 'none' });
    expectClose(got, [2 * (Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 3), 0.5 * Math.log(3)]);
    // torch's weighted mean divides by Σ w[label] = 2 + 0.5.
    expect(k().crossEntropyLoss(x, labels, { shape: [1, 3, 2], weight: [0.5, 1, 2] })).toBeCloseTo(
      (got[0] + got[1]) / 2.5,
      6,
    );
  });

  it('cross-entropy with label smoothing ε = 0.3: (1 − ε)·(−log p_label) + ε/C·Σ_c(−log p_c)', () => {
    const x = Float32Array.of(1, 2, 3);
    const logZ = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
    const nll = [logZ - 1, logZ - 2, logZ - 3];
    const got = k().crossEntropyLoss(x, Int32Array.of(0), { shape: [1, 3, 1], labelSmoothing: 0.3, reduction: 'none' });
    expectClose(got, [0.7 * nll[0] + 0.1 * (nll[0] + nll[1] + nll[2])]);
  });

  it('cross-entropy with ignoreIndex: the ignored voxel is 0 (PyTorch), and left out of the mean', () => {
    // Shape [2, 2, 1]: sample 0 has logits (0, ln 3) and label 1; sample 1 is ignored.
    const x = Float32Array.of(0, Math.log(3), 5, -5);
    const labels = Uint8Array.of(1, 255);
    const got = k().crossEntropyLoss(x, labels, { shape: [2, 2, 1], ignoreIndex: 255, reduction: 'none' });
    expectClose(got, [Math.log(4 / 3), 0]);
    expect(k().crossEntropyLoss(x, labels, { shape: [2, 2, 1], ignoreIndex: 255 })).toBeCloseTo(Math.log(4 / 3), 6);
  });

  it('a soft (dense) cross-entropy target: −Σ_c y_c·log p_c per voxel', () => {
    const x = Float32Array.of(0, Math.log(3));
    const got = k().crossEntropyLoss(x, Float32Array.of(0.25, 0.75), { shape: [1, 2], reduction: 'none' });
    expectClose(got, [0.25 * Math.log(4) + 0.75 * Math.log(4 / 3)]);
  });

  it('a masked voxel is 0 in every class', () => {
    const x = Float32Array.of(1, -1, 2, 0.5);
    const got = k().bceLoss(x, Float32Array.of(1, 0, 0, 1), {
      shape: [1, 2, 2],
      mask: Uint8Array.of(1, 0),
      reduction: 'none',
    });
    expectClose(got, [softplus(-1), 0, softplus(2), 0]);
  });
});

// ---------------------------------------------------------------------------------------------
// Random cases: 'sum' and 'mean' from the values, backends against each other and the reference

interface Case extends TensorCase {
  kind: 'bce' | 'ce' | 'focal';
  softmax: boolean;
  includeBackground: boolean;
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    kind: fc.constantFrom('bce' as const, 'ce' as const, 'focal' as const),
    B: fc.integer({ min: 1, max: 3 }),
    C: fc.integer({ min: 1, max: 5 }),
    spatial: fc.array(spatialAxis, { minLength: 0, maxLength: 3 }),
    layout: fc.constantFrom('NCHW' as const, 'NHWC' as const),
    softmax: fc.boolean(),
    target: fc.constantFrom(
      'f32' as const,
      'u8' as const,
      'labels-u8' as const,
      'labels-u16' as const,
      'labels-i32' as const,
    ),
    ignore: fc.boolean(),
    mask: fc.boolean(),
    weighted: fc.boolean(),
    includeBackground: fc.boolean(),
    extreme: fc.constantFrom(0, 0.1, 0.5, 1),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .filter((c) => c.B * c.C * c.spatial.reduce((a, d) => a * d, 1) <= 40_000)
  .map((c) => {
    // Cross-entropy takes a softmax over at least two classes; BCE is the sigmoid term.
    const softmax = c.kind === 'ce' ? true : c.kind === 'bce' ? false : c.softmax;
    const C = softmax ? Math.max(2, c.C) : c.C;
    return { ...c, softmax, C, includeBackground: c.kind === 'ce' || C < 2 ? true : c.includeBackground };
  });

const METHOD = { bce: 'bceLoss', ce: 'crossEntropyLoss', focal: 'focalLoss' } as const;
type PointCall = (pred: Float32Array, target: unknown, options: Record<string, unknown>) => number | Float32Array;
const call = (k: DiceKernel, kind: Case['kind']): PointCall => (k[METHOD[kind]] as PointCall).bind(k);

function build(c: Case) {
  const { random, S, shape, pred, labels, ignoreIndex, target, mask, weight } = randomTensors(c);
  const posWeight =
    c.kind === 'bce' && random() < 0.5 ? Array.from({ length: c.C }, () => 0.5 + 2 * random()) : undefined;
  const labelSmoothing = c.kind === 'ce' && random() < 0.5 ? 0.15 : undefined;
  const focal =
    c.kind === 'focal' ? { gamma: [0, 0.5, 2, 3][c.seed % 4], alpha: random() < 0.5 ? random() : undefined } : {};
  const options: Record<string, unknown> = {
    shape,
    layout: c.layout,
    activation: c.softmax ? 'softmax' : 'sigmoid',
    target: labels ? 'labels' : 'dense',
    ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
    ...(mask ? { mask } : {}),
    ...(weight ? { weight } : {}),
    ...(posWeight ? { posWeight } : {}),
    ...(labelSmoothing !== undefined ? { labelSmoothing } : {}),
    ...focal,
    ...(c.kind !== 'ce' && c.C > 1 ? { includeBackground: c.includeBackground } : {}),
  };
  const reference: PointRefOptions = {
    kind: c.kind,
    shape,
    layout: c.layout,
    activation: c.softmax ? 'softmax' : 'sigmoid',
    targetKind: labels ? 'labels' : 'dense',
    ignoreIndex,
    mask,
    weight,
    posWeight,
    labelSmoothing,
    gamma: focal.gamma,
    alpha: focal.alpha ?? null,
    includeBackground: c.includeBackground,
  };
  return { pred, target, options, reference, S };
}

/** Σ of the values the reduction takes: every voxel (cross-entropy), or classes from `first` (pred's layout). */
function reducedSum(c: Case, values: ArrayLike<number>, S: number): number {
  const first = c.includeBackground ? 0 : 1;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const cls = c.kind === 'ce' ? 0 : c.layout === 'NCHW' ? Math.floor(i / S) % c.C : i % c.C;
    if (cls >= first) sum += values[i];
  }
  return sum;
}

/** max_i |got_i − want_i| / (tolerance·max(1, |want_i|)): at most 1 when every value is within tolerance. */
function worstError(got: ArrayLike<number>, want: ArrayLike<number>, tolerance: number): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / (tolerance * Math.max(1, Math.abs(want[i]))));
  return worst;
}

const near = (got: number, want: number, tolerance: number) => {
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(want)));
};

describe('reduction none over random shapes, layouts, targets and options (fast-check)', () => {
  it("gives the float64 reference's values on every backend, WebAssembly within float32 rounding of 'js'", () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const { pred, target, options, reference, S } = build(c);
        const want = pointwiseElementsReference(pred, target, reference).values;
        const js = call(kernels.js, c.kind)(pred, target, { ...options, reduction: 'none' }) as Float32Array;
        expect(js).toBeInstanceOf(Float32Array);
        expect(js.length).toBe(c.kind === 'ce' ? c.B * S : pred.length);
        // The TypeScript backend computes in float64 and rounds each value once.
        expect(worstError(js, want, 1e-7)).toBeLessThanOrEqual(1);
        for (const backend of ['simd', 'scalar'] as const) {
          const got = call(kernels[backend], c.kind)(pred, target, { ...options, reduction: 'none' }) as Float32Array;
          expect(got.length).toBe(js.length);
          expect(worstError(got, js, 2e-5), backend).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("'sum' is the sum of the values and 'mean' that sum over the count, on every backend", () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const { pred, target, options, reference, S } = build(c);
        // The count 'mean' divides by, from the reference's walk over the counted voxels.
        const { count } = pointwiseElementsReference(pred, target, reference);
        for (const backend of BACKENDS) {
          const loss = call(kernels[backend], c.kind);
          const values = loss(pred, target, { ...options, reduction: 'none' }) as Float32Array;
          const sum = reducedSum(c, Float64Array.from(values), S);
          near(loss(pred, target, { ...options, reduction: 'sum' }) as number, sum, 2e-5);
          near(loss(pred, target, { ...options, reduction: 'mean' }) as number, count > 0 ? sum / count : 0, 2e-5);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe.each(BACKENDS)('reduction none and out, on %s', (backend) => {
  const k = () => kernels[backend];
  const shape = [2, 3, 5];
  const logits = Float32Array.from({ length: 30 }, (_, i) => Math.sin(3 * i));
  const labels = Uint8Array.from({ length: 10 }, (_, i) => i % 3);

  it('writes into out (the same array comes back), one per voxel for cross-entropy', () => {
    const out = new Float32Array(30);
    expect(k().focalLoss(logits, labels, { shape, activation: 'softmax', reduction: 'none', out })).toBe(out);
    expect(Array.from(out)).toEqual(
      Array.from(k().focalLoss(logits, labels, { shape, activation: 'softmax', reduction: 'none' })),
    );
    const voxels = new Float32Array(10).fill(7.25);
    expect(k().crossEntropyLoss(logits, labels, { shape, reduction: 'none', out: voxels })).toBe(voxels);
    expect(voxels.every((v) => v > 0 && v !== 7.25)).toBe(true);
  });

  it('writes into an out that lives in the kernel memory (alloc) in place', () => {
    const out = k().alloc(Float32Array, 30);
    try {
      const got = k().bceLoss(
        logits,
        Float32Array.from(logits, (x) => (x > 0 ? 1 : 0)),
        { shape, reduction: 'none', out },
      );
      expect(got).toBe(out);
      expect(out.every((v) => v > 0)).toBe(true);
    } finally {
      k().free(out);
    }
  });

  it('createLoss: value gives the values, valueAndGrad refuses reduction none', () => {
    const loss = k().createLoss({ loss: 'crossEntropy', shape, reduction: 'none', labelSmoothing: 0.1 });
    expect(Array.from(loss.value(logits, labels) as Float32Array)).toEqual(
      Array.from(k().crossEntropyLoss(logits, labels, { shape, reduction: 'none', labelSmoothing: 0.1 })),
    );
    expect(() => loss.valueAndGrad(logits, labels)).toThrow(/reduction/);
  });

  it('an empty spatial axis gives an empty array', () => {
    expect(k().bceLoss(new Float32Array(0), new Float32Array(0), { shape: [2, 3, 0], reduction: 'none' }).length).toBe(
      0,
    );
    expect(
      k().crossEntropyLoss(new Float32Array(0), new Uint8Array(0), { shape: [2, 3, 0], reduction: 'none' }).length,
    ).toBe(0);
  });

  type Call = (out: Float32Array) => unknown;
  const bad: [string, typeof TypeError | typeof RangeError, string | RegExp, number, Call][] = [
    [
      'out of the wrong length',
      RangeError,
      /out.*has length 29 but pred has 30/,
      29,
      (out) => k().bceLoss(logits, labels, { shape, target: 'labels', reduction: 'none', out }),
    ],
    [
      "cross-entropy's out of pred's length",
      RangeError,
      /out.*one loss per voxel.*10/,
      30,
      (out) => k().crossEntropyLoss(logits, labels, { shape, reduction: 'none', out }),
    ],
    [
      'out of the wrong type',
      TypeError,
      /out.*Float32Array/,
      30,
      (out) =>
        k().focalLoss(logits, labels, {
          shape,
          target: 'labels',
          reduction: 'none',
          out: Float64Array.from(out) as never,
        }),
    ],
    [
      'out with reduction mean',
      RangeError,
      /out.*reduction 'none'/,
      30,
      (out) => k().focalLoss(logits, labels, { shape, target: 'labels', out }),
    ],
    [
      'a non-finite logit',
      RangeError,
      'pred',
      30,
      (out) =>
        k().bceLoss(
          Float32Array.from(logits, (v, i) => (i === 4 ? Number.NaN : v)),
          labels,
          { shape, target: 'labels', reduction: 'none', out },
        ),
    ],
    [
      'an infinite logit',
      RangeError,
      'pred',
      10,
      (out) =>
        k().crossEntropyLoss(
          Float32Array.from(logits, (v, i) => (i === 4 ? -Infinity : v)),
          labels,
          { shape, reduction: 'none', out },
        ),
    ],
    [
      'a label outside [0, C)',
      RangeError,
      /target.*label 3/,
      10,
      (out) =>
        k().crossEntropyLoss(
          logits,
          Uint8Array.from(labels, (v, i) => (i === 6 ? 3 : v)),
          { shape, reduction: 'none', out },
        ),
    ],
    [
      'a gradient of reduction none',
      RangeError,
      'reduction',
      30,
      (out) => k().focalLossWithGrad(logits, labels, { shape, target: 'labels', reduction: 'none' as never, out }),
    ],
    [
      'a combined loss with reduction none',
      RangeError,
      'reduction',
      30,
      () => k().diceFocalLoss(logits, labels, { shape, reduction: 'none' as never }),
    ],
  ];

  it.each(bad)('refuses %s with an error naming it, out untouched', (_name, error, names, length, run) => {
    const out = new Float32Array(length).fill(7.25);
    let thrown: unknown;
    try {
      run(out);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(error);
    if (typeof names === 'string') expect((thrown as Error).message).toContain(names);
    else expect((thrown as Error).message).toMatch(names);
    expect(
      out.every((v) => v === 7.25),
      'out untouched',
    ).toBe(true);
  });
});
