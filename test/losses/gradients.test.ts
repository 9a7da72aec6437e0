// Gradients against central finite differences, over every combination of the options.
//
// The JS backend computes in float64 from float32 inputs, so central differences of its own
// loss (pred[i] moved to fround(x ± h), divided by the actual distance) are accurate to far
// better than 1e-4; its gradient must match them within 1e-4 (max-abs relative), and the SIMD and
// scalar gradients (float32) likewise. The loss of every backend is checked against the
// independent float64 reference (test/reference/dice.ts) on each combination, and gradients that
// must be exactly 0 (ignored voxels; class 0 without background, when no softmax couples it) are.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type BackendName, type DiceKernel, type DiceLossOptions, type Target } from '../../src/index.js';
import { diceReference, elementIndex, shapeAxes, type RefOptions } from '../reference/dice.js';
import {
  describeWorstElement,
  elementwiseRelativeError,
  finiteDifferenceGradient,
  maxAbsRelativeError,
  relativeError,
} from '../reference/finite-differences.js';
import { rng } from '../support/random.js';

type Activation = 'none' | 'sigmoid' | 'softmax';
type TargetKind = 'f32' | 'u8' | 'labels-u8' | 'labels-u16' | 'labels-i32';
type Layout = 'NCHW' | 'NHWC';

const ACTIVATIONS: readonly Activation[] = ['none', 'sigmoid', 'softmax'];
const TARGET_KINDS: readonly TargetKind[] = ['f32', 'u8', 'labels-u8', 'labels-u16', 'labels-i32'];
const LAYOUTS: readonly Layout[] = ['NCHW', 'NHWC'];
const REDUCTIONS = ['mean', 'sum'] as const;
const BOOLS = [false, true] as const;

/** Gradient vs central differences: max |g − fd| / max |fd| (observed ≤ 4.8e-6: the O(h²) truncation). */
const GRAD_TOL = 1e-4;
/**
 * Each component against its own central difference (with a floor of 1% of the largest, see elementwiseRelativeError).
 */
const ELEMENT_TOL = 1e-4;
/** JS loss vs the reference: both float64 from the same float32 inputs (summation order differs). */
const JS_LOSS_TOL = 1e-12;
/**
 * SIMD / scalar loss vs the reference: float32 activations (exp ~1.2e-7 relative) and float32
 * products; observed ≤ 1.6e-7 over these inputs (WebAssembly float arithmetic is deterministic).
 */
const WASM_LOSS_TOL = 1e-6;

interface Combo {
  activation: Activation;
  target: TargetKind;
  squared: boolean;
  batch: boolean;
  reduction: 'mean' | 'sum';
  weighted: boolean;
  ignore: boolean;
  layout: Layout;
  logLoss: boolean;
  includeBackground: boolean;
}

const isLabels = (t: TargetKind): boolean => t.startsWith('labels');

/**
 * Small shapes (B, C, spatial), cycled through the combinations; C = 1 is skipped where softmax or
 * includeBackground false needs classes.
 */
const SHAPES: readonly { B: number; C: number; spatial: number[] }[] = [
  { B: 2, C: 3, spatial: [5] },
  { B: 2, C: 3, spatial: [2, 3] },
  { B: 2, C: 1, spatial: [5] },
  { B: 2, C: 2, spatial: [4] },
  { B: 1, C: 4, spatial: [3] },
  { B: 3, C: 2, spatial: [2, 2] },
  { B: 2, C: 1, spatial: [2, 3] },
  // Longer rows, so that the SIMD builds run their vector bodies as well as their tails.
  { B: 2, C: 3, spatial: [37] },
  { B: 1, C: 2, spatial: [5, 7] },
];

interface Built {
  name: string;
  pred: Float32Array;
  target: Target;
  options: DiceLossOptions;
  B: number;
  C: number;
  S: number;
  /** The target as the reference reads it (the library infers it from the array type). */
  refOptions: RefOptions;
  /** Voxels (b, s) whose label is ignoreIndex. */
  ignored: { b: number; s: number }[];
}

/** The label that is ignored: out of range for u8 and i32, an in-range class for u16 when there is one. */
function ignoreValue(kind: TargetKind, C: number): number {
  if (kind === 'labels-u8') return 255;
  if (kind === 'labels-u16') return C >= 2 ? 1 : 7;
  return -1;
}

function build(combo: Combo, index: number): Built {
  const needsClasses = combo.activation === 'softmax' || !combo.includeBackground;
  const shapes = SHAPES.filter((s) => !needsClasses || s.C >= 2);
  const { B, C, spatial } = shapes[index % shapes.length];
  const S = spatial.reduce((a, d) => a * d, 1);
  const shape = combo.layout === 'NCHW' ? [B, C, ...spatial] : [B, ...spatial, C];
  const random = rng(1000 + index);
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * random();

  const n = B * C * S;
  const pred = new Float32Array(n);
  for (let i = 0; i < n; i++) pred[i] = combo.activation === 'none' ? uniform(0.05, 0.95) : uniform(-3, 3);

  const options: DiceLossOptions = {
    shape,
    layout: combo.layout,
    activation: combo.activation,
    squared: combo.squared,
    batch: combo.batch,
    reduction: combo.reduction,
  };
  const smoothing = [{}, { smooth: 0.5 }, { smoothNr: 0.25, smoothDr: 0.75 }][Math.floor(random() * 3)];
  Object.assign(options, smoothing);
  if (combo.weighted) options.weight = Array.from({ length: C }, () => uniform(0.25, 2));
  if (combo.logLoss) options.logLoss = true;
  if (!combo.includeBackground) options.includeBackground = false;

  let target: Target;
  const ignored: { b: number; s: number }[] = [];
  if (isLabels(combo.target)) {
    const ignore = combo.ignore ? ignoreValue(combo.target, C) : null;
    const labels = new Array<number>(B * S);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        let label = Math.floor(random() * C);
        // The first voxel of each sample is ignored, the last one never is, the others sometimes.
        if (ignore !== null) {
          if (s === S - 1) label = label === ignore ? (label + 1) % C : label;
          else if (s === 0 || random() < 0.25) label = ignore;
        }
        if (label === ignore) ignored.push({ b, s });
        labels[b * S + s] = label;
      }
    }
    target =
      combo.target === 'labels-u8'
        ? Uint8Array.from(labels)
        : combo.target === 'labels-u16'
          ? Uint16Array.from(labels)
          : Int32Array.from(labels);
    if (ignore !== null) options.ignoreIndex = ignore;
    // A Uint8Array with one class has pred's length and would be read as dense.
    if (combo.target === 'labels-u8' && C === 1) options.target = 'labels';
  } else if (combo.target === 'f32') {
    target = Float32Array.from({ length: n }, () => random()); // soft targets in [0, 1)
  } else {
    target = Uint8Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0));
  }

  const parts = [
    `#${index}`,
    combo.activation,
    combo.target,
    `B${B} C${C} [${spatial.join('×')}]`,
    combo.layout,
    combo.reduction,
    combo.squared ? 'squared' : '',
    combo.batch ? 'batch' : '',
    combo.weighted ? 'weighted' : '',
    combo.ignore ? `ignoreIndex ${options.ignoreIndex}` : '',
    combo.logLoss ? 'logLoss' : '',
    combo.includeBackground ? '' : 'no background',
    JSON.stringify(smoothing) === '{}' ? '' : JSON.stringify(smoothing),
  ];
  const refOptions: RefOptions = { ...(options as RefOptions), target: isLabels(combo.target) ? 'labels' : 'dense' };
  return { name: parts.filter((p) => p !== '').join(' '), pred, target, options, refOptions, B, C, S, ignored };
}

// ---------------------------------------------------------------------------------------------
// The combinations

/** Every combination of the main options (ignoreIndex only with label maps). */
function mainGrid(): Combo[] {
  const combos: Combo[] = [];
  for (const activation of ACTIVATIONS) {
    for (const target of TARGET_KINDS) {
      for (const ignore of isLabels(target) ? BOOLS : [false]) {
        for (const squared of BOOLS) {
          for (const batch of BOOLS) {
            for (const reduction of REDUCTIONS) {
              for (const weighted of BOOLS) {
                for (const layout of LAYOUTS) {
                  combos.push({
                    activation,
                    target,
                    squared,
                    batch,
                    reduction,
                    weighted,
                    ignore,
                    layout,
                    logLoss: false,
                    includeBackground: true,
                  });
                }
              }
            }
          }
        }
      }
    }
  }
  return combos;
}

/** logLoss and includeBackground false over activation × target × reduction; other options vary by index. */
function subsetGrid(): Combo[] {
  const variants = [
    { logLoss: true, includeBackground: true },
    { logLoss: false, includeBackground: false },
    { logLoss: true, includeBackground: false },
  ];
  const combos: Combo[] = [];
  let i = 0;
  for (const activation of ACTIVATIONS) {
    for (const target of TARGET_KINDS) {
      for (const variant of variants) {
        for (const reduction of REDUCTIONS) {
          combos.push({
            activation,
            target,
            reduction,
            ...variant,
            squared: (i & 1) === 1,
            batch: (i & 2) === 2,
            weighted: (i & 4) === 4,
            layout: (i & 8) === 8 ? 'NHWC' : 'NCHW',
            ignore: isLabels(target) && i % 3 !== 0,
          });
          i++;
        }
      }
    }
  }
  return combos;
}

const MAIN = mainGrid();
const SUBSET = subsetGrid();

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
  const { pred, target, options, refOptions } = built;
  const js = kernels.js;
  const reference = diceReference(Array.from(pred), Array.from(target), refOptions).loss as number;
  expect(Number.isFinite(reference)).toBe(true);

  const jsLoss = js.diceLoss(pred, target, options) as number;
  expect(relativeError(jsLoss, reference), `js loss ${jsLoss} vs reference ${reference}`).toBeLessThanOrEqual(
    JS_LOSS_TOL,
  );

  const fd = finiteDifferenceGradient((x) => js.diceLoss(x, target, options) as number, pred);
  expect(
    fd.some((v) => v !== 0),
    'the loss depends on pred',
  ).toBe(true);

  for (const backend of ['js', 'simd', 'scalar'] as const) {
    const { loss, grad } = kernels[backend].diceLossWithGrad(pred, target, options);
    const lossTol = backend === 'js' ? JS_LOSS_TOL : WASM_LOSS_TOL;
    expect(relativeError(loss, reference), `${backend} loss ${loss} vs reference ${reference}`).toBeLessThanOrEqual(
      lossTol,
    );
    if (backend !== 'js') {
      const value = kernels[backend].diceLoss(pred, target, options) as number;
      expect(
        relativeError(value, reference),
        `${backend} diceLoss ${value} vs reference ${reference}`,
      ).toBeLessThanOrEqual(lossTol);
    }
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
    checkExactZeros(built, backend, grad);
  }
}

/** Gradients that are exactly 0 by construction. */
function checkExactZeros(built: Built, backend: BackendName, grad: Float32Array): void {
  const { B, C, S, options } = built;
  const layout = options.layout ?? 'NCHW';
  // Ignored voxels contribute nothing: every class of them has gradient 0.
  for (const { b, s } of built.ignored) {
    for (let c = 0; c < C; c++) {
      const v = grad[elementIndex(layout, C, S, b, c, s)];
      expect(v, `${backend}: gradient at ignored voxel (b ${b}, s ${s}, c ${c})`).toBe(0);
    }
  }
  // Without background and without softmax, class 0's predictions do not enter the loss.
  if (options.includeBackground === false && options.activation !== 'softmax') {
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        expect(grad[elementIndex(layout, C, S, b, 0, s)], `${backend}: class-0 gradient at (b ${b}, s ${s})`).toBe(0);
      }
    }
  }
}

describe('the reference helpers', () => {
  it('shapeAxes reads B, C, S in both layouts', () => {
    expect(shapeAxes([2, 3, 4, 5], 'NCHW')).toEqual({ B: 2, C: 3, S: 20 });
    expect(shapeAxes([2, 4, 5, 3], 'NHWC')).toEqual({ B: 2, C: 3, S: 20 });
    expect(shapeAxes([7], 'NCHW')).toEqual({ B: 1, C: 1, S: 7 });
  });

  it("central differences recover a known gradient (f = Σ x_i³, f' = 3x²)", () => {
    const x = Float32Array.from([0.5, -1.25, 2, 3.5]);
    const fd = finiteDifferenceGradient((v) => v.reduce((a, t) => a + t ** 3, 0), x);
    expect(
      maxAbsRelativeError(
        fd,
        Array.from(x, (t) => 3 * t * t),
      ),
    ).toBeLessThan(1e-6);
    expect(Array.from(x)).toEqual([0.5, -1.25, 2, 3.5]); // left unchanged
  });

  it('the grids cover every combination once', () => {
    expect(MAIN.length).toBe(3 * (2 + 3 * 2) * 2 ** 5);
    expect(new Set(MAIN.map((c) => JSON.stringify(c))).size).toBe(MAIN.length);
    expect(SUBSET.length).toBe(3 * 5 * 3 * 2);
  });
});

describe.each(ACTIVATIONS)('gradient, activation %s', (activation) => {
  describe.each(TARGET_KINDS)('target %s', (target) => {
    MAIN.forEach((combo, index) => {
      if (combo.activation !== activation || combo.target !== target) return;
      const built = build(combo, index);
      it(built.name, () => check(built));
    });
  });
});

describe.each(ACTIVATIONS)('gradient with logLoss / without background, activation %s', (activation) => {
  SUBSET.forEach((combo, i) => {
    if (combo.activation !== activation) return;
    const built = build(combo, MAIN.length + i);
    it(built.name, () => check(built));
  });
});
