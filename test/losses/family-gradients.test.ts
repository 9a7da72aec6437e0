// Every loss of the family (Dice, Jaccard, Tversky, focal Tversky, Generalized Dice): gradients
// against central finite differences and values against the independent float64 reference
// (test/reference/overlap.ts), on the three backends.
//
// The JS backend computes in float64 from the float32 inputs, so central differences of its own
// loss are accurate far below 1e-4 (pred[i] moved to fround(x ± h), divided by the actual
// distance); its gradient, and the float32 gradients of the SIMD and scalar builds, must match
// them within 1e-4 of max |fd|. Gradients that are exactly 0 by construction (masked and ignored
// voxels, class 0 without background, empty terms under 'zero' / 'skip', when no softmax couples
// the classes) are checked to be exactly 0. The per-term values of reduction 'none' are checked
// against the reference too.
//
// The matrix: for each loss, activation × target kind × reduction × batch × squared ×
// includeBackground in full (MAIN), then per loss and activation the options that are not in it
// (EXTRAS): softLabel with soft targets, masks (per-sample and shared, bytes and floats),
// ignoreIndex, class weights, the empty policies on targets with empty classes, weightType,
// logLoss, non-default alpha / beta / gamma. Layout and smoothing vary with the case index.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type BackendName, type DiceKernel, type LossEmptyPolicy, type Target } from '../../src/index.js';
import { elementIndex } from '../reference/dice.js';
import {
  describeWorstElement,
  elementwiseRelativeError,
  finiteDifferenceGradient,
  maxAbsRelativeError,
  relativeError,
} from '../reference/finite-differences.js';
import { activate, overlapReference, type OverlapRefOptions } from '../reference/overlap.js';
import { LOSS_NAMES, LOSSES, type LossName, type LossOptions } from '../support/losses.js';
import { rng } from '../support/random.js';

type Activation = 'none' | 'sigmoid' | 'softmax';
/** 'f32': soft values in [0, 1); 'u8': 0/1 multi-label; 'labels': a label map (u8, u16, i32 by turns). */
type TargetKind = 'f32' | 'u8' | 'labels';
type MaskKind = 'perSample-u8' | 'perSample-f32' | 'shared-u8' | 'shared-f32';
type Layout = 'NCHW' | 'NHWC';

const ACTIVATIONS: readonly Activation[] = ['none', 'sigmoid', 'softmax'];
const TARGETS: readonly TargetKind[] = ['f32', 'u8', 'labels'];
const BOOLS = [false, true] as const;

/**
 * Gradient vs central differences, max |g − fd| / max |fd| (observed ≤ 4.9e-6 on every backend: the O(h²) truncation).
 */
const GRAD_TOL = 1e-4;
/**
 * Each component against its own central difference (with a floor of 1% of the largest, see elementwiseRelativeError).
 */
const ELEMENT_TOL = 1e-4;
/** JS loss vs the reference: both float64 from the same float32 inputs; only the summation order differs (observed ≤
 * 1.7e-15). */
const JS_LOSS_TOL = 1e-12;
/**
 * SIMD / scalar loss vs the reference: float32 activations, products and lane sums folded into
 * float64 (observed ≤ 2.5e-7).
 */
const WASM_LOSS_TOL = 1e-6;

interface Case {
  loss: LossName;
  activation: Activation;
  target: TargetKind;
  reduction: 'mean' | 'sum';
  batch: boolean;
  squared: boolean;
  includeBackground: boolean;
  /**
   * Soft-label intersection; with target 'f32' the soft targets are kept at least 0.05 away from p
   * (no kink of |p − y| within the step).
   */
  softLabel?: boolean;
  mask?: MaskKind;
  ignore?: boolean;
  weighted?: boolean;
  /** A target where class C−1 is empty in every sample and class 1 in sample 0. */
  emptyClasses?: boolean;
  empty?: LossEmptyPolicy;
  weightType?: 'square' | 'simple' | 'uniform';
  logLoss?: boolean;
  params?: { alpha?: number; beta?: number; gamma?: number };
  /** Force a layout; otherwise it alternates with the case index. */
  layout?: Layout;
}

const SHAPES: readonly { B: number; C: number; spatial: number[] }[] = [
  { B: 2, C: 3, spatial: [5] },
  { B: 2, C: 3, spatial: [2, 3] },
  { B: 2, C: 1, spatial: [5] },
  { B: 2, C: 2, spatial: [4] },
  { B: 1, C: 4, spatial: [3] },
  { B: 3, C: 3, spatial: [2, 2] },
  { B: 2, C: 1, spatial: [2, 3] },
  // Longer rows, so that the SIMD builds run their vector bodies as well as their tails.
  { B: 2, C: 3, spatial: [37] },
  { B: 1, C: 2, spatial: [5, 7] },
  { B: 2, C: 4, spatial: [17] },
];

const SMOOTHINGS: readonly LossOptions[] = [{}, { smooth: 0.5 }, { smoothNr: 0.25, smoothDr: 0.75 }];

interface Built {
  name: string;
  loss: LossName;
  pred: Float32Array;
  target: Target;
  options: LossOptions;
  refOptions: OverlapRefOptions;
  B: number;
  C: number;
  S: number;
  layout: Layout;
  /** Voxels (b, s) that count nowhere (masked or ignored). */
  excluded: { b: number; s: number }[];
}

function build(c: Case, index: number): Built {
  const needsClasses = c.activation === 'softmax' || !c.includeBackground;
  const shapes = SHAPES.filter((s) => (!needsClasses || s.C >= 2) && (!c.emptyClasses || (s.C >= 3 && s.B >= 2)));
  const { B, C, spatial } = shapes[index % shapes.length];
  const S = spatial.reduce((a, d) => a * d, 1);
  const layout: Layout = c.layout ?? ((index >> 1) % 2 === 0 ? 'NCHW' : 'NHWC');
  const shape = layout === 'NCHW' ? [B, C, ...spatial] : [B, ...spatial, C];
  const random = rng(7000 + index);
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * random();
  const at = (b: number, k: number, s: number): number => elementIndex(layout, C, S, b, k, s);

  const n = B * C * S;
  const pred = Float32Array.from({ length: n }, () => (c.activation === 'none' ? uniform(0.05, 0.95) : uniform(-3, 3)));

  const smoothing = SMOOTHINGS[index % SMOOTHINGS.length];
  const options: LossOptions = {
    shape,
    layout,
    activation: c.activation,
    reduction: c.reduction,
    batch: c.batch,
    squared: c.squared,
    ...smoothing,
  };
  if (!c.includeBackground) options.includeBackground = false;
  if (c.softLabel) options.softLabel = true;
  if (c.weighted) options.weight = Array.from({ length: C }, () => uniform(0.25, 2));
  if (c.empty) options.empty = c.empty;
  if (c.weightType) options.weightType = c.weightType;
  if (c.logLoss) options.logLoss = true;
  Object.assign(options, c.params);

  // Classes that the target leaves empty: C−1 everywhere, 1 in sample 0.
  const isEmpty = (b: number, k: number): boolean => c.emptyClasses === true && (k === C - 1 || (k === 1 && b === 0));
  const excluded: { b: number; s: number }[] = [];
  let target: Target;
  if (c.target === 'labels') {
    const type = (['u8', 'u16', 'i32'] as const)[index % 3];
    const ignore = c.ignore ? (type === 'u8' ? 255 : type === 'u16' ? (C >= 2 ? 1 : 9) : -1) : null;
    const labels: number[] = [];
    for (let b = 0; b < B; b++) {
      const allowed = Array.from({ length: C }, (_, k) => k).filter((k) => !isEmpty(b, k));
      for (let s = 0; s < S; s++) {
        let label = allowed[Math.floor(random() * allowed.length)];
        // The first voxel of each sample is ignored, the last one never is, the others sometimes.
        if (ignore !== null && s < S - 1 && (s === 0 || random() < 0.25)) label = ignore;
        if (ignore !== null && s === S - 1 && label === ignore) label = allowed.find((k) => k !== ignore) ?? 0;
        if (label === ignore) excluded.push({ b, s });
        labels.push(label);
      }
    }
    target =
      type === 'u8' ? Uint8Array.from(labels) : type === 'u16' ? Uint16Array.from(labels) : Int32Array.from(labels);
    if (ignore !== null) options.ignoreIndex = ignore;
    if (type === 'u8' && C === 1) options.target = 'labels'; // pred's length: would be read as dense
  } else {
    const values = new Array<number>(n).fill(0);
    const p = c.softLabel && c.target === 'f32' ? activate(pred, shape, layout, c.activation) : null;
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < C; k++) {
        for (let s = 0; s < S; s++) {
          const i = at(b, k, s);
          if (isEmpty(b, k)) continue;
          if (c.target === 'u8') values[i] = random() < 0.5 ? 1 : 0;
          else if (p !== null) values[i] = p[i] > 0.5 ? p[i] - uniform(0.05, 0.45) : p[i] + uniform(0.05, 0.45);
          else values[i] = random();
        }
        // A class is empty only where asked (a random 0/1 row may come out all 0).
        if (
          !isEmpty(b, k) &&
          c.target === 'u8' &&
          !Array.from({ length: S }, (_, s) => values[at(b, k, s)]).includes(1)
        ) {
          values[at(b, k, (b + k) % S)] = 1;
        }
      }
    }
    target = c.target === 'u8' ? Uint8Array.from(values) : Float32Array.from(values);
  }

  if (c.mask) {
    const perSample = c.mask.startsWith('perSample');
    const length = perSample ? B * S : S;
    // About a third of the voxels masked out, never all of them.
    const bits = Array.from({ length }, (_, i) => (i % S === S - 1 ? 1 : random() < 0.35 ? 0 : 1));
    options.mask = c.mask.endsWith('u8') ? Uint8Array.from(bits) : Float32Array.from(bits);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        if (bits[perSample ? b * S + s : s] === 0 && !excluded.some((e) => e.b === b && e.s === s))
          excluded.push({ b, s });
      }
    }
  }

  const refOptions: OverlapRefOptions = {
    ...options,
    target: c.target === 'labels' ? 'labels' : 'dense',
  } as OverlapRefOptions;
  const parts = [
    `#${index}`,
    `B${B} C${C} [${spatial.join('×')}]`,
    layout,
    c.target === 'labels' ? `labels-${(['u8', 'u16', 'i32'] as const)[index % 3]}` : c.target,
    c.reduction,
    c.batch ? 'batch' : '',
    c.squared ? 'squared' : '',
    c.includeBackground ? '' : 'no background',
    c.softLabel ? 'softLabel' : '',
    c.mask ? `mask ${c.mask}` : '',
    c.ignore ? `ignoreIndex ${options.ignoreIndex}` : '',
    c.weighted ? 'weighted' : '',
    c.emptyClasses ? 'empty classes' : '',
    c.empty ? `empty '${c.empty}'` : '',
    c.weightType ? `weightType ${c.weightType}` : '',
    c.logLoss ? 'logLoss' : '',
    c.params ? JSON.stringify(c.params) : '',
    JSON.stringify(smoothing) === '{}' ? '' : JSON.stringify(smoothing),
  ];
  return {
    name: parts.filter((p) => p !== '').join(' '),
    loss: c.loss,
    pred,
    target,
    options,
    refOptions,
    B,
    C,
    S,
    layout,
    excluded,
  };
}

// ---------------------------------------------------------------------------------------------
// The matrix

function mainGrid(loss: LossName): Case[] {
  const cases: Case[] = [];
  for (const activation of ACTIVATIONS) {
    for (const target of TARGETS) {
      for (const reduction of ['mean', 'sum'] as const) {
        for (const batch of BOOLS) {
          for (const squared of BOOLS) {
            for (const includeBackground of BOOLS) {
              cases.push({ loss, activation, target, reduction, batch, squared, includeBackground });
            }
          }
        }
      }
    }
  }
  return cases;
}

/** The options MAIN does not vary, for one loss and one activation; the others vary by turns. */
function extras(loss: LossName, activation: Activation): Case[] {
  const base = { loss, activation, reduction: 'mean', batch: false, squared: false, includeBackground: true } as const;
  const cases: Case[] = [];
  // softLabel: soft targets in both layouts, with and without batch; hard targets (no effect on
  // I for 0/1 targets), label maps and squared (softLabel does not apply).
  for (const layout of ['NCHW', 'NHWC'] as const) {
    for (const batch of BOOLS) {
      cases.push({ ...base, target: 'f32', softLabel: true, layout, batch, reduction: batch ? 'sum' : 'mean' });
    }
  }
  cases.push({ ...base, target: 'f32', softLabel: true, includeBackground: false, reduction: 'sum' });
  cases.push({ ...base, target: 'u8', softLabel: true });
  cases.push({ ...base, target: 'labels', softLabel: true, batch: true });
  cases.push({ ...base, target: 'f32', softLabel: true, squared: true });
  // Masks of every kind, over every target kind; with ignoreIndex, batch and softLabel.
  (['perSample-u8', 'perSample-f32', 'shared-u8', 'shared-f32'] as const).forEach((mask, i) => {
    cases.push({
      ...base,
      target: TARGETS[i % 3],
      mask,
      layout: i % 2 === 0 ? 'NCHW' : 'NHWC',
      reduction: i < 2 ? 'mean' : 'sum',
    });
  });
  cases.push({ ...base, target: 'labels', mask: 'perSample-u8', ignore: true });
  cases.push({ ...base, target: 'u8', mask: 'shared-f32', batch: true, includeBackground: false });
  cases.push({ ...base, target: 'f32', mask: 'perSample-f32', softLabel: true, layout: 'NHWC' });
  // ignoreIndex on each label type (u8, u16, i32 go by the case index).
  for (let i = 0; i < 3; i++)
    cases.push({ ...base, target: 'labels', ignore: true, batch: i === 1, reduction: i === 2 ? 'sum' : 'mean' });
  if (loss === 'generalizedDice') {
    // weightType, and the replacement of infinite weights on targets with empty classes.
    for (const weightType of ['square', 'simple', 'uniform'] as const) {
      cases.push({ ...base, target: 'labels', weightType });
      cases.push({ ...base, target: 'f32', weightType, includeBackground: false, reduction: 'sum' });
      cases.push({ ...base, target: 'u8', weightType, emptyClasses: true });
      cases.push({ ...base, target: 'labels', weightType, emptyClasses: true, batch: true });
    }
    return cases;
  }
  // Class weights.
  cases.push({ ...base, target: 'labels', weighted: true });
  cases.push({ ...base, target: 'f32', weighted: true, reduction: 'sum', batch: true });
  // Each empty policy on targets with empty classes, per term and pooled over the batch.
  (['smooth', 'zero', 'skip'] as const).forEach((empty, i) => {
    for (const batch of BOOLS) {
      cases.push({
        ...base,
        target: TARGETS[(i + (batch ? 1 : 0)) % 3],
        emptyClasses: true,
        empty,
        batch,
        reduction: batch ? 'sum' : 'mean',
      });
    }
    cases.push({ ...base, target: 'labels', emptyClasses: true, empty, includeBackground: false, weighted: true });
  });
  if (loss !== 'focalTversky') {
    cases.push({ ...base, target: 'labels', logLoss: true });
    cases.push({ ...base, target: 'f32', logLoss: true, reduction: 'sum', includeBackground: false, weighted: true });
  }
  if (loss === 'tversky') {
    for (const params of [
      { alpha: 0.3, beta: 0.7 },
      { alpha: 0, beta: 1 },
      { alpha: 1.5, beta: 0.2 },
    ]) {
      cases.push({ ...base, target: 'labels', params });
      cases.push({ ...base, target: 'f32', params, softLabel: true, batch: true });
    }
  }
  if (loss === 'focalTversky') {
    for (const params of [
      { gamma: 2 },
      { gamma: 1 },
      { alpha: 0.3, beta: 0.7, gamma: 0.5 },
      { alpha: 0.5, beta: 0.5, gamma: 1.5 },
    ]) {
      cases.push({ ...base, target: 'labels', params });
      cases.push({ ...base, target: 'u8', params, batch: true, reduction: 'sum' });
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------

let kernels: Record<BackendName, DiceKernel>;

beforeAll(async () => {
  const [simd, scalar, js] = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
  kernels = { simd, scalar, js };
});

function check(built: Built): void {
  const { loss, pred, target, options, refOptions } = built;
  const api = LOSSES[loss];
  const reference = overlapReference(loss, Array.from(pred), Array.from(target), refOptions);
  const want = reference.loss as number;
  expect(Number.isFinite(want)).toBe(true);

  const js = kernels.js;
  const fd = finiteDifferenceGradient((x) => api.value(js, x, target, options) as number, pred);
  expect(
    fd.some((v) => v !== 0),
    'the loss depends on pred',
  ).toBe(true);

  for (const backend of ['js', 'simd', 'scalar'] as const) {
    const k = kernels[backend];
    const tol = backend === 'js' ? JS_LOSS_TOL : WASM_LOSS_TOL;
    const value = api.value(k, pred, target, options) as number;
    expect(relativeError(value, want), `${backend} ${loss}Loss ${value} vs reference ${want}`).toBeLessThanOrEqual(tol);
    const { loss: withGrad, grad } = api.grad(k, pred, target, options);
    expect(
      relativeError(withGrad, want),
      `${backend} ${loss}LossWithGrad ${withGrad} vs reference ${want}`,
    ).toBeLessThanOrEqual(tol);
    const error = maxAbsRelativeError(grad, fd);
    expect(
      error,
      `${backend} gradient vs central differences\n  grad ${Array.from(grad).join(', ')}\n  fd   ` +
        `${Array.from(fd).join(', ')}`,
    ).toBeLessThanOrEqual(GRAD_TOL);
    expect(
      elementwiseRelativeError(grad, fd).error,
      `${backend} gradient vs central differences, ${describeWorstElement(grad, fd)}`,
    ).toBeLessThanOrEqual(ELEMENT_TOL);
    checkExactZeros(built, reference.terms, backend, grad);
    // reduction 'none': every term (B·C sample-major, C with batch; B or 1 for Generalized Dice).
    // Not under 'skip', which says what the mean leaves out, not what a skipped term lists.
    if (options.empty !== 'skip') {
      const perTerm = api.value(k, pred, target, { ...options, reduction: 'none' });
      const wantTerms = overlapReference(loss, Array.from(pred), Array.from(target), {
        ...refOptions,
        reduction: 'none',
      }).loss as number[];
      expect(perTerm).toBeInstanceOf(Float64Array);
      expect(
        maxAbsRelativeError(perTerm as Float64Array, wantTerms),
        `${backend} reduction none\n  got  ${Array.from(perTerm as Float64Array).join(', ')}\n  want ` +
          `${wantTerms.join(', ')}`,
      ).toBeLessThanOrEqual(tol);
    }
  }
}

/** Gradients that are exactly 0 by construction. */
function checkExactZeros(
  built: Built,
  terms: ReturnType<typeof overlapReference>['terms'],
  backend: BackendName,
  grad: Float32Array,
): void {
  const { B, C, S, layout, options } = built;
  const row = (b: number, c: number, what: string): void => {
    for (let s = 0; s < S; s++)
      expect(grad[elementIndex(layout, C, S, b, c, s)], `${backend}: ${what} (b ${b}, c ${c}, s ${s})`).toBe(0);
  };
  // Masked and ignored voxels count nowhere: every class of them has gradient 0, softmax or not.
  for (const { b, s } of built.excluded) {
    for (let c = 0; c < C; c++)
      expect(
        grad[elementIndex(layout, C, S, b, c, s)],
        `${backend}: gradient at excluded voxel (b ${b}, s ${s}, c ${c})`,
      ).toBe(0);
  }
  if (options.activation === 'softmax') return; // softmax couples the classes
  if (options.includeBackground === false) for (let b = 0; b < B; b++) row(b, 0, 'class 0 without background');
  if (options.empty === 'zero' || options.empty === 'skip') {
    for (const t of terms) {
      if (t.G !== 0) continue;
      if (t.b >= 0) row(t.b, t.c, `empty term under '${options.empty}'`);
      else for (let b = 0; b < B; b++) row(b, t.c, `empty pooled term under '${options.empty}'`);
    }
  }
}

describe('the matrix', () => {
  it('covers every loss, activation and option', () => {
    for (const loss of LOSS_NAMES) {
      expect(mainGrid(loss).length).toBe(3 * 3 * 2 * 2 * 2 * 2);
      for (const activation of ACTIVATIONS) {
        const x = extras(loss, activation);
        expect(x.some((c) => c.softLabel && c.target === 'f32')).toBe(true);
        for (const mask of ['perSample-u8', 'perSample-f32', 'shared-u8', 'shared-f32'])
          expect(x.some((c) => c.mask === mask)).toBe(true);
        expect(x.some((c) => c.ignore)).toBe(true);
        if (loss === 'generalizedDice') {
          for (const w of ['square', 'simple', 'uniform'])
            expect(x.some((c) => c.weightType === w && c.emptyClasses)).toBe(true);
        } else {
          expect(x.some((c) => c.weighted)).toBe(true);
          for (const e of ['smooth', 'zero', 'skip']) expect(x.some((c) => c.empty === e && c.emptyClasses)).toBe(true);
        }
        if (loss !== 'generalizedDice' && loss !== 'focalTversky') expect(x.some((c) => c.logLoss)).toBe(true);
      }
    }
  });

  it('builds targets that do have empty classes where asked', () => {
    const built = build(
      {
        loss: 'dice',
        activation: 'sigmoid',
        target: 'labels',
        reduction: 'mean',
        batch: false,
        squared: false,
        includeBackground: true,
        emptyClasses: true,
        empty: 'zero',
      },
      3,
    );
    const { terms } = overlapReference('dice', Array.from(built.pred), Array.from(built.target), built.refOptions);
    expect(terms.filter((t) => t.G === 0).length).toBeGreaterThanOrEqual(built.B + 1);
  });
});

describe.each(LOSS_NAMES)('%s', (loss) => {
  const main = mainGrid(loss);
  describe.each(ACTIVATIONS)('activation %s', (activation) => {
    main.forEach((c, i) => {
      if (c.activation !== activation) return;
      const built = build(c, i);
      it(built.name, () => check(built));
    });
    extras(loss, activation).forEach((c, i) => {
      const built = build(c, main.length + ACTIVATIONS.indexOf(activation) * 100 + i);
      it(built.name, () => check(built));
    });
  });
});

describe.each(LOSS_NAMES)('createLoss %s', (loss) => {
  // Options resolved once, the mask passed per call: the same numbers as the one-shot calls.
  it.each(['js', 'simd', 'scalar'] as const)(
    'on %s: value and valueAndGrad (with out and a mask) equal the one-shot calls',
    (backend) => {
      const k = kernels[backend];
      for (const [i, mask] of (['perSample-u8', 'shared-f32'] as const).entries()) {
        const c: Case = {
          loss,
          activation: 'softmax',
          target: 'labels',
          reduction: 'mean',
          batch: i === 1,
          squared: false,
          includeBackground: loss !== 'generalizedDice',
          mask,
          weighted: loss !== 'generalizedDice',
        };
        const built = build(c, 900 + i);
        const { mask: m, ...rest } = built.options;
        const created = k.createLoss({ loss, ...rest } as Parameters<DiceKernel['createLoss']>[0]);
        const oneShot = LOSSES[loss].grad(k, built.pred, built.target, built.options);
        expect(created.value(built.pred, built.target, m ?? undefined)).toBe(
          LOSSES[loss].value(k, built.pred, built.target, built.options),
        );
        const out = new Float32Array(built.pred.length);
        const result = created.valueAndGrad(built.pred, built.target, out, m ?? undefined);
        expect(result.grad).toBe(out);
        expect(result.loss).toBe(oneShot.loss);
        expect(Array.from(out)).toEqual(Array.from(oneShot.grad));
        const want = overlapReference(loss, Array.from(built.pred), Array.from(built.target), built.refOptions)
          .loss as number;
        expect(relativeError(result.loss, want)).toBeLessThanOrEqual(backend === 'js' ? JS_LOSS_TOL : WASM_LOSS_TOL);
      }
    },
  );
});
