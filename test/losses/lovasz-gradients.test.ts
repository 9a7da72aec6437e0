// Lovász gradients against central finite differences of the TypeScript backend's loss (float64),
// over the option combinations, where the loss is differentiable: the Lovász extension is linear
// between changes of the sorted order, so inputs are drawn such that no two errors of a list lie
// within 2e-3 of each other and none lies within 2e-3 of 0 (the hinge's relu) — far more than
// the finite-difference step moves them (≤ 2.5e-3 × |∂e/∂x|, with |∂p/∂x| ≤ 1/4 under softmax).
// The hinge is then exactly linear around the point; the softmax case is smooth.
//
// Every backend's gradient must match within 1e-4 (max |g − fd| / max |fd|; observed ≤ 7.5e-8 for
// the hinge, ≤ 7.2e-7 under softmax: the O(h²) truncation) and its loss the float64 reference
// (JS 1e-12; WebAssembly 2e-6, observed ≤ 4.1e-8); gradients that are 0 by construction (ignored
// voxels, classes not taken without softmax) must be exactly 0.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadDice,
  type BackendName,
  type DiceKernel,
  type LovaszSoftmaxLossOptions,
  type Target,
} from '../../src/index.js';
import {
  describeWorstElement,
  elementwiseRelativeError,
  finiteDifferenceGradient,
  maxAbsRelativeError,
  relativeError,
} from '../reference/finite-differences.js';
import {
  lovaszHingeReference,
  lovaszSoftmaxLists,
  lovaszSoftmaxReference,
  type SoftmaxReferenceCase,
} from '../reference/lovasz.js';
import { rng } from '../support/random.js';

const GRAD_TOL = 1e-4;
/**
 * Each component against its own central difference (with a floor of 1% of the largest, see elementwiseRelativeError).
 */
const ELEMENT_TOL = 1e-4;
const JS_LOSS_TOL = 1e-12;
const WASM_LOSS_TOL = 2e-6;
const GAP = 2e-3;

let kernels: Record<BackendName, DiceKernel>;
beforeAll(async () => {
  const [simd, scalar, js] = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
  kernels = { simd, scalar, js };
});

interface Case {
  name: string;
  pred: Float32Array;
  reference: number;
  value(k: DiceKernel, x: Float32Array): number;
  withGrad(k: DiceKernel): { loss: number; grad: Float32Array };
  /** Elements whose gradient is 0 by construction. */
  zeros: number[];
}

function check(c: Case): void {
  const fd = finiteDifferenceGradient((x) => c.value(kernels.js, x), c.pred);
  expect(
    fd.some((v) => v !== 0),
    'the loss depends on pred',
  ).toBe(true);
  for (const backend of ['js', 'simd', 'scalar'] as const) {
    const { loss, grad } = c.withGrad(kernels[backend]);
    const tol = backend === 'js' ? JS_LOSS_TOL : WASM_LOSS_TOL;
    expect(relativeError(loss, c.reference), `${backend} loss ${loss} vs reference ${c.reference}`).toBeLessThanOrEqual(
      tol,
    );
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
    for (const i of c.zeros) expect(grad[i], `${backend}: gradient at element ${i}`).toBe(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Hinge: errors placed on a grid (spacing 0.1, offset 0.03 from 0), logits solved from them.

type HingeTarget = 'f32' | 'u8' | 'u16' | 'i32';
const HINGE_TARGETS: readonly HingeTarget[] = ['f32', 'u8', 'u16', 'i32'];
const CTOR = { f32: Float32Array, u8: Uint8Array, u16: Uint16Array, i32: Int32Array } as const;

function hingeCase(target: HingeTarget, perImage: boolean, ignore: boolean, index: number): Case {
  const random = rng(300 + index);
  const [B, S] = [
    [1, 9],
    [2, 7],
    [3, 5],
    [2, 11],
  ][index % 4];
  const n = B * S;
  const ignoreIndex = ignore ? (target === 'i32' || target === 'f32' ? -1 : 255) : undefined;
  const grid = Array.from({ length: n }, (_, k) => 0.1 * (k - Math.floor(n / 2)) + 0.03);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [grid[k], grid[j]] = [grid[j], grid[k]];
  }
  const values: number[] = [];
  const pred = new Float32Array(n);
  const zeros: number[] = [];
  for (let i = 0; i < n; i++) {
    const ignored = ignoreIndex !== undefined && (i % 5 === 1 || random() < 0.15);
    const y = random() < 0.4 ? 1 : 0;
    values.push(ignored ? (ignoreIndex as number) : y);
    // e = 1 − x on the foreground, 1 + x elsewhere.
    pred[i] = ignored ? 4 * random() - 2 : y === 1 ? 1 - grid[i] : grid[i] - 1;
    if (ignored) zeros.push(i);
  }
  const targetArray = CTOR[target].from(values) as Target;
  const options = { shape: [B, S], perImage, ...(ignoreIndex !== undefined ? { ignoreIndex } : {}) };
  return {
    name:
      `hinge #${index} ${target} B${B} S${S}${perImage ? ' perImage' : ''}` +
      (ignore ? ` ignoreIndex ${ignoreIndex}` : ''),
    pred,
    reference: lovaszHingeReference({ pred, target: targetArray, B, perImage, ignoreIndex }),
    value: (k, x) => k.lovaszHingeLoss(x, targetArray, options),
    withGrad: (k) => k.lovaszHingeLossWithGrad(pred, targetArray, options),
    zeros,
  };
}

// ---------------------------------------------------------------------------------------------
// Softmax: random inputs, redrawn until every list's errors are GAP apart.

type SoftmaxTarget = 'labels-u8' | 'labels-u16' | 'labels-i32' | 'dense-f32' | 'dense-u8';
const SOFTMAX_TARGETS: readonly SoftmaxTarget[] = ['labels-u8', 'labels-u16', 'labels-i32', 'dense-f32', 'dense-u8'];

interface SoftmaxCombo {
  activation: 'softmax' | 'none';
  layout: 'NCHW' | 'NHWC';
  target: SoftmaxTarget;
  classes: 'present' | 'all' | 'list';
  perImage: boolean;
}

function separated(ref: SoftmaxReferenceCase): boolean {
  return lovaszSoftmaxLists(ref)
    .flat()
    .every(({ errors }) => {
      const sorted = [...errors].sort((a, b) => a - b);
      return sorted.every((e, i) => e >= GAP && (i === 0 || e - sorted[i - 1] >= GAP));
    });
}

function softmaxCase(combo: SoftmaxCombo, index: number): Case {
  const [B, C, S] = [
    [1, 3, 5],
    [2, 2, 4],
    [2, 3, 3],
    [1, 4, 4],
    [2, 4, 2],
  ][index % 5];
  const labels = combo.target.startsWith('labels');
  const ignoreIndex =
    labels && index % 2 === 0
      ? combo.target === 'labels-i32'
        ? -1
        : combo.target === 'labels-u16'
          ? 1
          : 255
      : undefined;
  const classes = combo.classes === 'list' ? [C - 1, 0] : combo.classes;
  const at = (b: number, k: number, s: number): number =>
    combo.layout === 'NCHW' ? (b * C + k) * S + s : (b * S + s) * C + k;
  for (let attempt = 0; attempt < 500; attempt++) {
    const random = rng(7000 + 1000 * index + attempt);
    const pred = Float32Array.from({ length: B * C * S }, () =>
      combo.activation === 'softmax' ? 6 * random() - 3 : 0.05 + 0.9 * random(),
    );
    // Voxel (b, 0) is always labelled 0 (never ignored), so that no sample is empty.
    const labelValues = Array.from({ length: B * S }, (_, v) =>
      v % S !== 0 && ignoreIndex !== undefined && random() < 0.3
        ? ignoreIndex
        : v % S === 0
          ? 0
          : Math.floor(random() * C),
    );
    let target: Target;
    if (labels) {
      target = (
        combo.target === 'labels-u8' ? Uint8Array : combo.target === 'labels-u16' ? Uint16Array : Int32Array
      ).from(labelValues);
    } else {
      const onehot = new Array<number>(B * C * S).fill(0);
      labelValues.forEach((l, v) => {
        onehot[at(Math.floor(v / S), l, v % S)] = 1;
      });
      target = (combo.target === 'dense-f32' ? Float32Array : Uint8Array).from(onehot);
    }
    const ref: SoftmaxReferenceCase = {
      pred,
      target,
      B,
      C,
      S,
      layout: combo.layout,
      activation: combo.activation,
      targetKind: labels ? 'labels' : 'dense',
      classes,
      perImage: combo.perImage,
      ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
    };
    if (!separated(ref)) continue;
    const options: LovaszSoftmaxLossOptions = {
      shape: combo.layout === 'NCHW' ? [B, C, S] : [B, S, C],
      layout: combo.layout,
      activation: combo.activation,
      target: labels ? 'labels' : 'dense',
      classes,
      perImage: combo.perImage,
      ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
    };
    const zeros: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        for (let k = 0; k < C; k++) {
          const ignored = labelValues[b * S + s] === ignoreIndex;
          const notTaken = combo.activation === 'none' && Array.isArray(classes) && !classes.includes(k);
          if (ignored || notTaken) zeros.push(at(b, k, s));
        }
      }
    }
    return {
      name:
        `softmax #${index} ${Object.values(combo).join(' ')} B${B} C${C} S${S}` +
        (ignoreIndex !== undefined ? ` ignoreIndex ${ignoreIndex}` : ''),
      pred,
      reference: lovaszSoftmaxReference(ref),
      value: (k, x) => k.lovaszSoftmaxLoss(x, target, options),
      withGrad: (k) => k.lovaszSoftmaxLossWithGrad(pred, target, options),
      zeros,
    };
  }
  throw new Error(`no separated input found for combination #${index}`);
}

function softmaxGrid(): SoftmaxCombo[] {
  const combos: SoftmaxCombo[] = [];
  for (const activation of ['softmax', 'none'] as const) {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      for (const target of SOFTMAX_TARGETS) {
        for (const classes of ['present', 'all', 'list'] as const) {
          for (const perImage of [false, true]) combos.push({ activation, layout, target, classes, perImage });
        }
      }
    }
  }
  return combos;
}

// ---------------------------------------------------------------------------------------------

describe('Lovász hinge gradient vs central differences', () => {
  let index = 0;
  for (const target of HINGE_TARGETS) {
    for (const perImage of [false, true]) {
      for (const ignore of [false, true]) {
        const c = hingeCase(target, perImage, ignore, index++);
        it(c.name, () => check(c));
      }
    }
  }
});

describe('Lovász-Softmax gradient vs central differences', () => {
  softmaxGrid().forEach((combo, index) => {
    const c = softmaxCase(combo, index);
    it(c.name, () => check(c));
  });
});
