// The Lovász losses on random inputs: every backend against the independent float64 reference
// (test/reference/lovasz.ts), and the WebAssembly gradients against the TypeScript backend's,
// over shapes (lengths 0, 1 and not multiples of 4 or 16), layouts, target types, ignoreIndex,
// perImage, classes and views at non-zero byte offsets.
//
// Tolerances. The hinge's errors 1 − x·(2y − 1) are sorted as float32 on every backend, so the
// three sort the same keys bit for bit: same order, same ties, and their gradients agree to
// float32 rounding. The Lovász-Softmax loss sorts |y − p|, and the WebAssembly softmax (float32,
// exp to ~1.2e-7) differs from the TypeScript one (float64) by ~1e-7: two errors closer than that
// may sort differently, which changes the gradient at those two voxels (the gradient of another
// linear piece) though hardly the loss. With softmax, gradients are therefore compared at every
// voxel except those whose error lies within 1e-6 of a different error of the same list; the
// test counts them and requires them to be rare.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel, type LovaszSoftmaxLossOptions, type Target } from '../../src/index.js';
import {
  lovaszHingeLists,
  lovaszHingeReference,
  lovaszSoftmaxLists,
  lovaszSoftmaxReference,
  type ErrorList,
  type SoftmaxReferenceCase,
} from '../reference/lovasz.js';
import { activate } from '../reference/overlap.js';
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

/** JS backend vs the reference: both float64; only a near-tie of float32 keys may reorder errors (~1e-8·g). */
const JS_TOL = 1e-9;
/** WebAssembly vs the reference: float32 errors (and softmax), summed in float64. */
const WASM_TOL = 2e-6;
/**
 * WebAssembly gradient vs the TypeScript one, relative to the largest component: the float32
 * softmax Jacobian p_c·(g_c − Σ p_k·g_k) loses ~1e-7/(1 − p) where a probability is near 1
 * (observed up to 2.2e-5 here); the hinge agrees to ~1e-7.
 */
const GRAD_TOL = 1e-4;

function expectLoss(got: number, want: number, tol: number, what: string): void {
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(tol * Math.abs(want) + tol * 1e-2);
}

function expectGradClose(
  got: Float32Array,
  want: Float32Array,
  skip: (i: number) => boolean,
  what: string,
  floor: (i: number) => number,
): void {
  expect(got.length).toBe(want.length);
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < got.length; i++) {
    if (skip(i)) continue;
    // The excess over the allowance of element i.
    const d = Math.abs(got[i] - want[i]) - floor(i);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(
    worst,
    `${what}: element ${at}: ${got[at]} vs ${want[at]} (max |grad| ${scale}, rounding floor ${at < 0 ? 0 : floor(at)})`,
  ).toBeLessThanOrEqual(GRAD_TOL * scale + 1e-12);
}

/** The voxels whose error is within 1e-6 of a different error of the same list. */
function nearTies(lists: readonly ErrorList[]): Set<number> {
  const voxels = new Set<number>();
  for (const { errors, voxel } of lists) {
    const order = errors.map((_, i) => i).sort((a, b) => errors[a] - errors[b]);
    for (let k = 1; k < order.length; k++) {
      const [a, b] = [order[k - 1], order[k]];
      if (errors[a] !== errors[b] && errors[b] - errors[a] < 1e-6) voxels.add(voxel[a]).add(voxel[b]);
    }
  }
  return voxels;
}

/**
 * Value, value and gradient (into a poisoned `out` view), on every backend; the gradients of the
 * WebAssembly builds against the TypeScript one, except at the elements `skip` names.
 */
function checkBackends(
  name: string,
  reference: number,
  skip: (i: number) => boolean,
  value: (k: DiceKernel) => number,
  withGrad: (k: DiceKernel, out: Float32Array) => { loss: number; grad: Float32Array },
  length: number,
  floor: (i: number) => number = () => 0,
): void {
  let jsGrad = new Float32Array(0);
  for (const k of [js, simd, scalar]) {
    const tol = k === js ? JS_TOL : WASM_TOL;
    expectLoss(value(k), reference, tol, `${name} ${k.backend} value`);
    const out = offsetView(Float32Array, new Float32Array(length).fill(Number.NaN), 3);
    const { loss, grad } = withGrad(k, out);
    expect(grad).toBe(out);
    expectLoss(loss, reference, tol, `${name} ${k.backend} valueAndGrad`);
    expect(grad.every(Number.isFinite), `${name} ${k.backend}: finite gradient`).toBe(true);
    if (k === js) jsGrad = Float32Array.from(grad);
    else expectGradClose(grad, jsGrad, skip, `${name} ${k.backend} gradient`, floor);
  }
}

// ---------------------------------------------------------------------------------------------
// Hinge

type HingeTarget = 'f32' | 'u8' | 'u16' | 'i32';

interface HingeCase {
  B: number;
  dims: number[];
  /** pred is shape [n] (B = 1) rather than [B, ...dims]. */
  flat: boolean;
  target: HingeTarget;
  ignore: boolean;
  perImage: boolean;
  /** Logits on a grid of quarters, so that errors tie often. */
  quantized: boolean;
  offset: number;
  seed: number;
}

const HINGE_IGNORE: Readonly<Record<HingeTarget, number>> = { f32: -1, u8: 255, u16: 7, i32: -1 };
const CTOR = { f32: Float32Array, u8: Uint8Array, u16: Uint16Array, i32: Int32Array } as const;

function checkHinge(c: HingeCase): void {
  const random = rng(c.seed);
  const S = c.dims.reduce((a, d) => a * d, 1);
  const n = c.B * S;
  const pred = offsetView(
    Float32Array,
    Array.from({ length: n }, () => (c.quantized ? Math.floor(random() * 17) / 4 - 2 : 6 * random() - 3)),
    c.offset,
  );
  const ignoreIndex = c.ignore ? HINGE_IGNORE[c.target] : undefined;
  const values = Array.from({ length: n }, () =>
    ignoreIndex !== undefined && random() < 0.2 ? ignoreIndex : random() < 0.4 ? 1 : 0,
  );
  const target = offsetView(CTOR[c.target] as typeof Uint8Array, values, c.offset + 1) as Target;
  const options = {
    ...(c.flat ? {} : { shape: [c.B, ...c.dims] }),
    perImage: c.perImage,
    ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
  };
  const B = c.flat ? 1 : c.B;
  const reference = lovaszHingeReference({ pred, target, B, perImage: c.perImage, ignoreIndex });
  checkBackends(
    `hinge ${JSON.stringify(c)}`,
    reference,
    () => false,
    (k) => k.lovaszHingeLoss(pred, target, options),
    (k, out) => k.lovaszHingeLossWithGrad(pred, target, { ...options, out }),
    n,
  );
}

const hingeCase: fc.Arbitrary<HingeCase> = fc
  .record({
    B: fc.integer({ min: 1, max: 3 }),
    dims: fc.array(
      fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 0, max: 19 }) },
        { weight: 1, arbitrary: fc.integer({ min: 200, max: 2000 }) },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    flat: fc.boolean(),
    target: fc.constantFrom<HingeTarget>('f32', 'u8', 'u16', 'i32'),
    ignore: fc.boolean(),
    perImage: fc.boolean(),
    quantized: fc.boolean(),
    offset: fc.integer({ min: 1, max: 7 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .filter((c) => c.B * c.dims.reduce((a, d) => a * d, 1) <= 20_000)
  .map((c) => ({ ...c, flat: c.flat && c.B === 1 }));

// ---------------------------------------------------------------------------------------------
// Softmax

type SoftmaxTarget = 'labels-u8' | 'labels-u16' | 'labels-i32' | 'dense-f32' | 'dense-u8';

interface SoftmaxCase {
  B: number;
  C: number;
  spatial: number[];
  layout: 'NCHW' | 'NHWC';
  activation: 'softmax' | 'none';
  target: SoftmaxTarget;
  ignore: boolean;
  classes: 'present' | 'all' | 'list';
  perImage: boolean;
  offset: number;
  /** The share of logits of magnitude 20 to 100 (softmax). */
  extreme: number;
  seed: number;
}

function buildSoftmax(c: SoftmaxCase): {
  pred: Float32Array;
  target: Target;
  options: LovaszSoftmaxLossOptions;
  ref: SoftmaxReferenceCase;
} {
  const random = rng(c.seed);
  const { B, C } = c;
  const S = c.spatial.reduce((a, d) => a * d, 1);
  const at = (b: number, k: number, s: number): number =>
    c.layout === 'NCHW' ? (b * C + k) * S + s : (b * S + s) * C + k;
  const pred = offsetView(
    Float32Array,
    Array.from({ length: B * C * S }, () =>
      c.activation !== 'softmax' ? random() : c.extreme > 0 ? randomLogit(random, c.extreme) : 8 * random() - 4,
    ),
    c.offset,
  );
  // Labels from a random subset of the classes, so that some are absent ('present' matters).
  const used = Array.from({ length: C }, (_, k) => k).filter(() => random() < 0.7);
  if (used.length === 0) used.push(Math.floor(random() * C));
  const labels = c.target.startsWith('labels');
  // An ignored label outside [0, C) that the type can hold, or one of the classes.
  const outside = c.target === 'labels-u8' ? 255 : c.target === 'labels-u16' ? C : -1;
  const ignoreIndex = labels && c.ignore ? (random() < 0.5 ? outside : Math.floor(random() * C)) : undefined;
  const labelValues = Array.from({ length: B * S }, () =>
    ignoreIndex !== undefined && random() < 0.2 ? ignoreIndex : used[Math.floor(random() * used.length)],
  );
  let target: Target;
  if (labels) {
    const ctor = c.target === 'labels-u8' ? Uint8Array : c.target === 'labels-u16' ? Uint16Array : Int32Array;
    target = offsetView(ctor as typeof Uint8Array, labelValues, c.offset + 2);
  } else {
    const onehot = new Array<number>(B * C * S).fill(0);
    labelValues.forEach((l, v) => {
      onehot[at(Math.floor(v / S), l, v % S)] = 1;
    });
    target = offsetView(
      (c.target === 'dense-f32' ? Float32Array : Uint8Array) as typeof Uint8Array,
      onehot,
      c.offset + 2,
    );
  }
  // A list: the classes picked (in reverse order, which must not matter), at least one.
  const picked = Array.from({ length: C }, (_, k) => C - 1 - k).filter(() => random() < 0.5);
  const classes = c.classes !== 'list' ? c.classes : picked.length > 0 ? picked : [C - 1];
  const shape = c.layout === 'NCHW' ? [B, C, ...c.spatial] : [B, ...c.spatial, C];
  const options: LovaszSoftmaxLossOptions = {
    shape,
    layout: c.layout,
    activation: c.activation,
    target: labels ? 'labels' : 'dense',
    classes,
    perImage: c.perImage,
    ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
  };
  const ref: SoftmaxReferenceCase = {
    pred,
    target,
    B,
    C,
    S,
    layout: c.layout,
    activation: c.activation,
    targetKind: labels ? 'labels' : 'dense',
    classes,
    perImage: c.perImage,
    ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
  };
  return { pred, target, options, ref };
}

/**
 * Voxels whose largest probability is within 1% of 1. There the WebAssembly builds' float32 softmax
 * Jacobian ∂L/∂x_c = u_c − p_c·Σ_k u_k (u_c = p_c·∂L/∂p_c; PyTorch's float32 softmax backward is the
 * same) knows an element only to some ulp of Σ|u_k|, while the element is about (1 − p_max)·|u|:
 * relative to it, 2^−24/(1 − p_max), more than GRAD_TOL allows below 1%. The Lovász gradient is at
 * most 1 per error, so there an element is compared within 2^−18 per class.
 */
function saturatedVoxels(pred: Float32Array, shape: readonly number[], layout: 'NCHW' | 'NHWC'): Set<number> {
  const C = layout === 'NCHW' ? shape[1] : shape[shape.length - 1];
  const p = activate(pred, shape, layout, 'softmax');
  const S = pred.length / (shape[0] * C);
  const voxels = new Set<number>();
  for (let b = 0; b < shape[0]; b++) {
    for (let s = 0; s < S; s++) {
      let largest = 0;
      for (let c = 0; c < C; c++)
        largest = Math.max(largest, p[layout === 'NCHW' ? (b * C + c) * S + s : (b * S + s) * C + c]);
      if (1 - largest < 0.01) voxels.add(b * S + s);
    }
  }
  return voxels;
}

/** Checks one case; returns the number of voxels whose gradient was not compared (near-ties). */
function checkSoftmax(c: SoftmaxCase): number {
  const { pred, target, options, ref } = buildSoftmax(c);
  const { C, S } = ref;
  // Probabilities given (activation 'none') are sorted as the same float32 keys everywhere.
  const skipped = c.activation === 'softmax' ? nearTies(lovaszSoftmaxLists(ref).flat()) : new Set<number>();
  const voxelOf = (i: number): number =>
    c.layout === 'NCHW' ? Math.floor(i / (C * S)) * S + (i % S) : Math.floor(i / C);
  const saturated =
    c.activation === 'softmax' ? saturatedVoxels(pred, options.shape as number[], c.layout) : new Set<number>();
  checkBackends(
    `softmax ${JSON.stringify(c)}`,
    lovaszSoftmaxReference(ref),
    (i) => skipped.has(voxelOf(i)),
    (k) => k.lovaszSoftmaxLoss(pred, target, options),
    (k, out) => k.lovaszSoftmaxLossWithGrad(pred, target, { ...options, out }),
    pred.length,
    (i) => (saturated.has(voxelOf(i)) ? 2 ** -18 * C : 0),
  );
  return skipped.size;
}

const softmaxCase: fc.Arbitrary<SoftmaxCase> = fc
  .record({
    B: fc.integer({ min: 1, max: 3 }),
    C: fc.integer({ min: 2, max: 5 }),
    spatial: fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0, max: 13 }) },
        { weight: 1, arbitrary: fc.integer({ min: 100, max: 600 }) },
      ),
      { minLength: 0, maxLength: 2 },
    ),
    layout: fc.constantFrom('NCHW' as const, 'NHWC' as const),
    activation: fc.constantFrom('softmax' as const, 'none' as const),
    target: fc.constantFrom<SoftmaxTarget>('labels-u8', 'labels-u16', 'labels-i32', 'dense-f32', 'dense-u8'),
    ignore: fc.boolean(),
    classes: fc.constantFrom('present' as const, 'all' as const, 'list' as const),
    perImage: fc.boolean(),
    offset: fc.integer({ min: 1, max: 7 }),
    extreme: fc.constantFrom(0, 0.1, 1),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .filter((c) => c.B * c.spatial.reduce((a, d) => a * d, 1) <= 2_000);

// ---------------------------------------------------------------------------------------------

describe('Lovász losses: every backend agrees with the float64 reference', () => {
  it('the hinge, over random shapes, target types, ignoreIndex, perImage and ties', () => {
    fc.assert(
      fc.property(hingeCase, (c) => checkHinge(c)),
      { numRuns: 300 },
    );
  });

  it('Lovász-Softmax, over random shapes, layouts, activations, targets, ignoreIndex, classes and perImage', () => {
    let skipped = 0;
    let voxels = 0;
    fc.assert(
      fc.property(softmaxCase, (c) => {
        const near = checkSoftmax(c);
        // Saturated probabilities (logits tens apart) make many float32 errors tie at 0 or 1: the
        // share of voxels left out is measured on the other cases.
        if (c.extreme > 0) return;
        skipped += near;
        voxels += c.B * c.spatial.reduce((a, d) => a * d, 1);
      }),
      { numRuns: 300 },
    );
    expect(skipped / voxels, `gradients not compared at ${skipped} of ${voxels} voxels`).toBeLessThan(0.01);
  });

  it('on every length 0..70 (SIMD bodies and their tails), both layouts, both activations', () => {
    for (let S = 0; S <= 70; S++) {
      checkHinge({
        B: 2,
        dims: [S],
        flat: false,
        target: (['f32', 'u8', 'u16', 'i32'] as const)[S % 4],
        ignore: S % 3 === 0,
        perImage: S % 2 === 0,
        quantized: S % 5 === 0,
        offset: 1 + (S % 5),
        seed: 500 + S,
      });
      for (const layout of ['NCHW', 'NHWC'] as const) {
        for (const activation of ['softmax', 'none'] as const) {
          checkSoftmax({
            B: 2,
            C: 2 + (S % 3),
            spatial: [S],
            layout,
            activation,
            target: (['labels-u8', 'labels-u16', 'labels-i32', 'dense-f32', 'dense-u8'] as const)[S % 5],
            ignore: S % 2 === 1,
            classes: (['present', 'all', 'list'] as const)[S % 3],
            perImage: S % 4 < 2,
            offset: 1 + (S % 7),
            extreme: S % 6 === 0 ? 0.5 : 0,
            seed: 900 + S,
          });
        }
      }
    }
  });

  it('on several softmax tiles per sample (C up to 17, channels last)', () => {
    for (const C of [2, 7, 17]) {
      for (const layout of ['NCHW', 'NHWC'] as const) {
        checkSoftmax({
          B: 2,
          C,
          spatial: [2100],
          layout,
          activation: 'softmax',
          target: 'labels-u16',
          ignore: true,
          classes: 'present',
          perImage: C !== 7,
          offset: 1,
          extreme: 0,
          seed: C,
        });
      }
    }
  });

  it('the hinge over the reference lists (helper check): one list per image with perImage', () => {
    const lists = lovaszHingeLists({
      pred: [0, 1, 2, 3],
      target: [1, 0, 255, 1],
      B: 2,
      perImage: true,
      ignoreIndex: 255,
    });
    expect(lists).toEqual([
      { errors: [1, 2], foreground: [1, 0], voxel: [0, 1] },
      { errors: [-2], foreground: [1], voxel: [3] },
    ]);
  });
});
