// Pointwise terms (BCE, cross-entropy, focal) and the combined losses (Dice + CE, Dice + focal,
// Generalized Dice + focal): values against an independent float64 reference on every backend,
// gradients against central finite differences, and the MONAI / smp vectors they serve.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { diceReference } from '../reference/dice.js';
import { overlapReferenceLoss } from '../reference/overlap.js';
import { pointwiseReference, type PointRefOptions } from '../reference/pointwise.js';
import {
  describeWorstElement,
  elementwiseRelativeError,
  finiteDifferenceGradient,
  maxAbsRelativeError,
  relativeError,
} from '../reference/finite-differences.js';
import { rng } from '../support/random.js';

type Backend = 'simd' | 'scalar' | 'js';
/**
 * Values against the float64 reference: the TypeScript backend computes in float64, the WebAssembly builds in float32.
 */
const LOSS_TOL: Record<Backend, number> = { js: 1e-12, simd: 2e-6, scalar: 2e-6 };
/** Gradients against central differences: max |Δ| / max |fd|, and each element (floor 1% of the largest). */
const GRAD_TOL = 1e-4;
const ELEMENT_TOL = 1e-4;
/** The WebAssembly gradients against the TypeScript one (max |Δ| / max |grad|). */
const WASM_GRAD_TOL = 2e-5;

/** The gradient against central differences of the js loss, as a whole and element by element. */
function expectGradient(grad: ArrayLike<number>, fd: ArrayLike<number>, what: string): void {
  expect(maxAbsRelativeError(grad, fd), what).toBeLessThanOrEqual(GRAD_TOL);
  expect(elementwiseRelativeError(grad, fd).error, `${what}: ${describeWorstElement(grad, fd)}`).toBeLessThanOrEqual(
    ELEMENT_TOL,
  );
}

const kernels: Record<'simd' | 'scalar' | 'js', DiceKernel> = {} as never;
beforeAll(async () => {
  for (const backend of ['simd', 'scalar', 'js'] as const) kernels[backend] = await loadDice({ backend });
});

interface Case {
  name: string;
  kind: PointRefOptions['kind'];
  activation: 'sigmoid' | 'softmax';
  shape: number[];
  layout: 'NCHW' | 'NHWC';
  targetKind: 'dense' | 'labels';
  soft?: boolean;
  ignoreIndex?: number;
  mask?: 'perSample' | 'shared';
  weight?: boolean;
  posWeight?: boolean;
  labelSmoothing?: number;
  gamma?: number;
  alpha?: number;
  reduction?: 'mean' | 'sum';
  includeBackground?: boolean;
}

const CASES: Case[] = [];
for (const layout of ['NCHW', 'NHWC'] as const) {
  for (const targetKind of ['dense', 'labels'] as const) {
    const shape = layout === 'NCHW' ? [2, 3, 37] : [2, 37, 3];
    CASES.push(
      { name: 'bce', kind: 'bce', activation: 'sigmoid', shape, layout, targetKind },
      {
        name: 'bce posWeight weight sum',
        kind: 'bce',
        activation: 'sigmoid',
        shape,
        layout,
        targetKind,
        posWeight: true,
        weight: true,
        reduction: 'sum',
      },
      {
        name: 'bce no background, mask',
        kind: 'bce',
        activation: 'sigmoid',
        shape,
        layout,
        targetKind,
        includeBackground: false,
        mask: 'perSample',
      },
      { name: 'ce', kind: 'ce', activation: 'softmax', shape, layout, targetKind },
      {
        name: 'ce weighted, smoothed',
        kind: 'ce',
        activation: 'softmax',
        shape,
        layout,
        targetKind,
        weight: true,
        labelSmoothing: 0.1,
      },
      {
        name: 'ce ignore + mask',
        kind: 'ce',
        activation: 'softmax',
        shape,
        layout,
        targetKind,
        mask: 'shared',
        ...(targetKind === 'labels' ? { ignoreIndex: 2 } : {}),
      },
      { name: 'focal sigmoid', kind: 'focal', activation: 'sigmoid', shape, layout, targetKind },
      {
        name: 'focal sigmoid alpha γ=1.5 no background',
        kind: 'focal',
        activation: 'sigmoid',
        shape,
        layout,
        targetKind,
        alpha: 0.25,
        gamma: 1.5,
        includeBackground: false,
      },
      { name: 'focal softmax', kind: 'focal', activation: 'softmax', shape, layout, targetKind },
      {
        name: 'focal softmax alpha weight γ=0.5',
        kind: 'focal',
        activation: 'softmax',
        shape,
        layout,
        targetKind,
        alpha: 0.75,
        gamma: 0.5,
        weight: true,
      },
    );
    if (targetKind === 'dense') {
      CASES.push(
        { name: 'bce soft targets', kind: 'bce', activation: 'sigmoid', shape, layout, targetKind, soft: true },
        {
          name: 'ce soft targets',
          kind: 'ce',
          activation: 'softmax',
          shape,
          layout,
          targetKind,
          soft: true,
          labelSmoothing: 0.2,
        },
        {
          name: 'focal sigmoid soft targets',
          kind: 'focal',
          activation: 'sigmoid',
          shape,
          layout,
          targetKind,
          soft: true,
        },
      );
    }
  }
}

function inputs(c: Case, seed: number) {
  const random = rng(seed);
  const n = c.shape.reduce((a, d) => a * d, 1);
  const C = c.layout === 'NCHW' ? c.shape[1] : c.shape[c.shape.length - 1];
  const B = c.shape[0];
  const S = n / (B * C);
  const pred = Float32Array.from({ length: n }, () => 8 * random() - 4);
  let target: Float32Array | Uint8Array;
  if (c.targetKind === 'labels') {
    target = Uint8Array.from({ length: B * S }, () =>
      c.ignoreIndex !== undefined && random() < 0.2 ? c.ignoreIndex : Math.floor(random() * C),
    );
  } else if (c.soft) {
    // A soft distribution per voxel for cross-entropy, independent soft values for sigmoid terms.
    target = Float32Array.from({ length: n }, () => random());
  } else {
    target = Float32Array.from({ length: n }, () => (random() < 0.35 ? 1 : 0));
  }
  const mask =
    c.mask === undefined
      ? undefined
      : Uint8Array.from({ length: c.mask === 'shared' ? S : B * S }, () => (random() < 0.2 ? 0 : 1));
  const weight = c.weight ? Array.from({ length: C }, () => 0.3 + random()) : undefined;
  const posWeight = c.posWeight ? Array.from({ length: C }, () => 0.5 + 2 * random()) : undefined;
  return { pred, target, mask, weight, posWeight, C };
}

function libraryOptions(c: Case, weight?: number[], posWeight?: number[], mask?: Uint8Array): Record<string, unknown> {
  return {
    shape: c.shape,
    layout: c.layout,
    activation: c.activation,
    target: c.targetKind,
    ...(c.ignoreIndex !== undefined ? { ignoreIndex: c.ignoreIndex } : {}),
    ...(mask ? { mask } : {}),
    ...(weight ? { weight } : {}),
    ...(c.kind === 'bce' && posWeight ? { posWeight } : {}),
    ...(c.kind === 'ce' && c.labelSmoothing !== undefined ? { labelSmoothing: c.labelSmoothing } : {}),
    ...(c.kind === 'focal' ? { gamma: c.gamma ?? 2, ...(c.alpha !== undefined ? { alpha: c.alpha } : {}) } : {}),
    ...(c.kind !== 'ce' && c.includeBackground !== undefined ? { includeBackground: c.includeBackground } : {}),
    ...(c.reduction ? { reduction: c.reduction } : {}),
  };
}

const METHOD = { bce: 'bceLoss', ce: 'crossEntropyLoss', focal: 'focalLoss' } as const;

type Call = (pred: Float32Array, target: unknown, options: unknown) => number;
type GradCall = (pred: Float32Array, target: unknown, options: unknown) => { loss: number; grad: Float32Array };
/** The case's loss function and its WithGrad twin, bound to a kernel. */
const lossOf = (k: DiceKernel, c: Case): Call => (k[METHOD[c.kind]] as Call).bind(k);
const gradOf = (k: DiceKernel, c: Case): GradCall => (k[`${METHOD[c.kind]}WithGrad`] as GradCall).bind(k);

describe.each(CASES.map((c, i) => [`${c.name} (${c.layout}, ${c.targetKind})`, c, i] as const))('%s', (_name, c, i) => {
  const { pred, target, mask, weight, posWeight } = inputs(c, 100 + i);
  const options = libraryOptions(c, weight, posWeight, mask);
  const expected = pointwiseReference(pred, target, {
    kind: c.kind,
    shape: c.shape,
    layout: c.layout,
    activation: c.activation,
    targetKind: c.targetKind,
    ignoreIndex: c.ignoreIndex,
    mask,
    weight,
    posWeight,
    labelSmoothing: c.labelSmoothing,
    gamma: c.gamma ?? 2,
    alpha: c.alpha ?? null,
    reduction: c.reduction ?? 'mean',
    includeBackground: c.includeBackground,
  });

  it.each(['simd', 'scalar', 'js'] as const)('matches the float64 reference on %s', (backend) => {
    const value = lossOf(kernels[backend], c)(pred, target, options);
    expect(relativeError(value, expected), `${value} vs ${expected}`).toBeLessThanOrEqual(LOSS_TOL[backend]);
    const withGrad = gradOf(kernels[backend], c)(pred, target, options).loss;
    expect(relativeError(withGrad, expected), `WithGrad ${withGrad} vs ${expected}`).toBeLessThanOrEqual(
      LOSS_TOL[backend],
    );
  });

  it('has the gradient of central finite differences (js), which the WASM builds reproduce', () => {
    const { grad } = gradOf(kernels.js, c)(pred, target, options);
    expectGradient(
      grad,
      finiteDifferenceGradient((p) => lossOf(kernels.js, c)(p, target, options), pred),
      'js vs central differences',
    );
    for (const backend of ['simd', 'scalar'] as const) {
      expect(
        maxAbsRelativeError(gradOf(kernels[backend], c)(pred, target, options).grad, grad),
        backend,
      ).toBeLessThanOrEqual(WASM_GRAD_TOL);
    }
  });
});

describe('combined losses are λ_overlap·overlap + λ_point·pointwise', () => {
  const random = rng(7);
  const shape = [2, 3, 41];
  const pred = Float32Array.from({ length: 246 }, () => 6 * random() - 3);
  const labels = Uint8Array.from({ length: 82 }, () => Math.floor(random() * 3));
  const softmax = Float64Array.from(pred);
  for (let b = 0; b < 2; b++) {
    for (let s = 0; s < 41; s++) {
      const at = (c: number) => (b * 3 + c) * 41 + s;
      const z = [0, 1, 2].reduce((a, c) => a + Math.exp(pred[at(c)]), 0);
      for (let c = 0; c < 3; c++) softmax[at(c)] = Math.exp(pred[at(c)]) / z;
    }
  }
  const sigmoid = Float64Array.from(pred, (x) => 1 / (1 + Math.exp(-x)));

  it.each(['simd', 'scalar', 'js'] as const)('on %s, with their gradients', (backend) => {
    const k = kernels[backend];
    const dice = diceReference(softmax, labels, { shape, smooth: 1e-5, includeBackground: false, weight: [1, 0.5, 2] })
      .loss as number;
    const ce = pointwiseReference(pred, labels, {
      kind: 'ce',
      shape,
      activation: 'softmax',
      targetKind: 'labels',
      weight: [1, 0.5, 2],
    });
    const diceCE = k.diceCELoss(pred, labels, {
      shape,
      smooth: 1e-5,
      includeBackground: false,
      weight: [1, 0.5, 2],
      lambdaOverlap: 0.7,
      lambdaPoint: 1.3,
    });
    const close = (got: number, want: number, what: string) =>
      expect(relativeError(got, want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(LOSS_TOL[backend]);
    close(diceCE, 0.7 * dice + 1.3 * ce, 'diceCE');

    const onehot = Float32Array.from({ length: 246 }, (_, i) =>
      labels[Math.floor(i / 123) * 41 + (i % 41)] === Math.floor(i / 41) % 3 ? 1 : 0,
    );
    const diceSig = diceReference(sigmoid, onehot, { shape }).loss as number;
    const focal = pointwiseReference(pred, onehot, {
      kind: 'focal',
      shape,
      activation: 'sigmoid',
      targetKind: 'dense',
      gamma: 2,
      alpha: 0.25,
    });
    close(k.diceFocalLoss(pred, onehot, { shape, alpha: 0.25 }), diceSig + focal, 'diceFocal');

    const gd = overlapReferenceLoss('generalizedDice', pred, onehot, { shape, activation: 'sigmoid' });
    const focalPlain = pointwiseReference(pred, onehot, {
      kind: 'focal',
      shape,
      activation: 'sigmoid',
      targetKind: 'dense',
      gamma: 3,
    });
    close(
      k.generalizedDiceFocalLoss(pred, onehot, { shape, gamma: 3, lambdaPoint: 2 }),
      gd + 2 * focalPlain,
      'generalizedDiceFocal',
    );

    // The gradient of the sum is the sum of the gradients.
    const combined = k.diceCELossWithGrad(pred, labels, { shape, lambdaPoint: 2 }).grad;
    const parts = [
      k.diceLossWithGrad(pred, labels, { shape, activation: 'softmax' }).grad,
      k.crossEntropyLossWithGrad(pred, labels, { shape }).grad,
    ];
    const sum = combined.map((_, i) => parts[0][i] + 2 * parts[1][i]);
    expect(maxAbsRelativeError(combined, sum)).toBeLessThanOrEqual(1e-5);
    expect(elementwiseRelativeError(combined, sum).error, describeWorstElement(combined, sum)).toBeLessThanOrEqual(
      backend === 'js' ? 1e-6 : 1e-4,
    );
  });

  it('have finite-difference gradients (js)', () => {
    const k = kernels.js;
    const cases: [string, (p: Float32Array) => number, Float32Array][] = [
      [
        'diceCE',
        (p) => k.diceCELoss(p, labels, { shape, labelSmoothing: 0.1 }),
        k.diceCELossWithGrad(pred, labels, { shape, labelSmoothing: 0.1 }).grad,
      ],
      [
        'diceFocal softmax',
        (p) => k.diceFocalLoss(p, labels, { shape, activation: 'softmax', gamma: 1.5 }),
        k.diceFocalLossWithGrad(pred, labels, { shape, activation: 'softmax', gamma: 1.5 }).grad,
      ],
      [
        'generalizedDiceFocal',
        (p) => k.generalizedDiceFocalLoss(p, labels, { shape, target: 'labels' }),
        k.generalizedDiceFocalLossWithGrad(pred, labels, { shape, target: 'labels' }).grad,
      ],
    ];
    for (const [name, loss, grad] of cases) expectGradient(grad, finiteDifferenceGradient(loss, pred), name);
  });
});

describe('vectors of MONAI and smp pointwise losses', () => {
  type Tensor = { shape: number[]; data: unknown };
  interface VectorRecord {
    id: string;
    params_effective: Record<string, unknown>;
    input: Tensor;
    target: Tensor;
    expected: unknown;
    tolerance: { rtol?: number; atol?: number; abs?: number; places?: number };
  }
  const read = (file: string) =>
    JSON.parse(readFileSync(new URL(`../fixtures/vectors/${file}`, import.meta.url), 'utf8')) as VectorRecord[];
  const monai = read('monai.json');
  const smp = read('smp.json');
  const flat = (t: Tensor) => (t.data as unknown[]).flat(8) as number[];
  const within = (r: VectorRecord, got: number) => {
    const e = r.expected as number;
    const t = r.tolerance;
    const allowed =
      t.places !== undefined ? 0.5 * 10 ** -t.places : (t.atol ?? t.abs ?? 0) + (t.rtol ?? 0) * Math.abs(e);
    expect(Math.abs(got - e), `${r.id}: ${got} vs ${e}`).toBeLessThanOrEqual(allowed);
  };

  it.each(['simd', 'scalar', 'js'] as const)('MONAI FocalLoss (reduction mean) on %s', (backend) => {
    const k = kernels[backend];
    const records = monai.filter(
      (r) => r.id.startsWith('monai/test_focal_loss/') && r.params_effective.reduction === 'mean',
    );
    expect(records.length).toBe(4);
    for (const r of records) {
      const p = r.params_effective;
      const target = p.to_onehot_y ? Uint8Array.from(flat(r.target)) : Float32Array.from(flat(r.target));
      within(
        r,
        k.focalLoss(Float32Array.from(flat(r.input)), target, {
          shape: r.input.shape,
          target: p.to_onehot_y ? 'labels' : 'dense',
          activation: p.use_softmax ? 'softmax' : 'sigmoid',
          includeBackground: p.include_background as boolean,
        }),
      );
    }
  });

  it.each(['simd', 'scalar', 'js'] as const)(
    "MONAI FocalLoss (reduction 'none': the elementwise (B, C, H, W) loss) on %s",
    (backend) => {
      const records = monai.filter(
        (r) => r.id.startsWith('monai/test_focal_loss/') && r.params_effective.reduction === 'none',
      );
      expect(records.map((r) => r.id)).toEqual(['monai/test_focal_loss/TEST_CASES[4]']);
      const [r] = records;
      const p = r.params_effective;
      expect([p.to_onehot_y, p.use_softmax, p.include_background]).toEqual([true, false, true]);
      const got = kernels[backend].focalLoss(Float32Array.from(flat(r.input)), Uint8Array.from(flat(r.target)), {
        shape: r.input.shape,
        target: 'labels',
        gamma: p.gamma as number,
        reduction: 'none',
      });
      const expected = flat({ shape: r.input.shape, data: r.expected });
      expect(got.length).toBe(expected.length);
      const { rtol = 0, atol = 0 } = r.tolerance;
      for (const [i, e] of expected.entries()) {
        expect(Math.abs(got[i] - e), `[${i}]: ${got[i]} vs ${e}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
      }
    },
  );

  it.each(['simd', 'scalar', 'js'] as const)(
    'MONAI DiceCELoss on %s (softmax-free cases as Dice on the input + CE from logits)',
    (backend) => {
      const k = kernels[backend];
      const records = monai.filter((r) => r.id.startsWith('monai/test_dice_ce_loss/'));
      expect(records.length).toBe(4);
      for (const r of records) {
        const p = r.params_effective;
        const pred = Float32Array.from(flat(r.input));
        const shape = r.input.shape;
        const labels = p.to_onehot_y ? Uint8Array.from(flat(r.target)) : null;
        const target = labels ?? Float32Array.from(flat(r.target));
        const smoothing = { smoothNr: p.smooth_nr as number, smoothDr: p.smooth_dr as number };
        if (p.sigmoid) {
          // One channel: MONAI's CE becomes BCE with pos_weight = weight; the Dice weight is moot.
          within(
            r,
            k.diceCELoss(pred, target, {
              shape,
              activation: 'sigmoid',
              posWeight: (p.weight as number[])[0],
              ...smoothing,
            }),
          );
          continue;
        }
        // No activation: MONAI's Dice reads the input as it is while its cross-entropy takes logits.
        const dice = k.diceLoss(pred, target, {
          shape,
          includeBackground: p.include_background as boolean,
          ...smoothing,
        }) as number;
        const ce = k.crossEntropyLoss(pred, target, { shape, ...(p.weight ? { weight: p.weight as number[] } : {}) });
        within(r, (p.lambda_dice as number) * dice + (p.lambda_ce as number) * ce);
      }
    },
  );

  it.each(['simd', 'scalar', 'js'] as const)(
    'smp SoftBCEWithLogits and SoftCrossEntropy (ignored elements still counted in the mean) on %s',
    (backend) => {
      const k = kernels[backend];
      const bce = smp.find((r) => r.id === 'smp/test_soft_bce_loss/0') as VectorRecord;
      const x = Float32Array.from(flat(bce.input));
      const t = flat(bce.target);
      const eps = bce.params_effective.smooth_factor as number;
      const smoothed = Float32Array.from(t, (v) => (v === -100 ? 0 : (1 - v) * eps + v * (1 - eps)));
      const keep = Uint8Array.from(t, (v) => (v === -100 ? 0 : 1));
      within(bce, k.bceLoss(x, smoothed, { mask: keep, reduction: 'sum' }) / t.length);

      const ce = smp.find((r) => r.id === 'smp/test_soft_ce_loss/0') as VectorRecord;
      const logits = Float32Array.from(flat(ce.input));
      const rows = Int32Array.from(flat(ce.target));
      within(
        ce,
        k.crossEntropyLoss(logits, rows, {
          shape: ce.input.shape,
          ignoreIndex: -100,
          labelSmoothing: ce.params_effective.smooth_factor as number,
          reduction: 'sum',
        }) / rows.length,
      );
    },
  );
});
