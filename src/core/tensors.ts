// Resolution of the tensor options (shape, layout, activation, target kind, ignoreIndex) and
// the checks of the arrays against them. Options are resolved once (`resolveTensorOptions`);
// arrays are checked on every call (`planTensors`), before anything is computed or written.
import type { Activation, Layout, Target, TargetKind, TensorOptions } from './api.js';
import { checkView, describe, list, rangeError, typeError } from './errors.js';
import { oneOf } from './options.js';
import { ACTIVATIONS, LAYOUTS, TARGET_KINDS } from './option-values.js';

/**
 * Classes a call may have (from its shape or numClasses): label maps are at most 16-bit in
 * practice, and every per-class table is sized by it.
 */
export const MAX_CLASSES = 65536;
/**
 * (sample, class) terms a call may have beyond its elements: B·C ≤ max(elements, MAX_EXTRA_TERMS).
 * With S ≥ 1 voxels per sample a dense tensor always passes (B·C·S ≥ B·C); the bound refuses a
 * batch of empty samples or a label map whose numClasses dwarfs it, whose tables of B·C terms
 * would cost far more than the data.
 */
export const MAX_EXTRA_TERMS = 1 << 20;

/** Tensor options after validation; B, C and the spatial shape follow from `shape`. */
export interface TensorSpec {
  /** `null`: one sample of one class of pred's length. */
  shape: readonly number[] | null;
  layout: Layout;
  activation: Activation;
  target: TargetKind | null;
  ignoreIndex: number | null;
  /** Number of classes (1 when no shape is given). */
  C: number;
}

export type TargetType = 'f32' | 'u8' | 'u16' | 'i32';

/** Everything the kernels need to know about one call's tensors. */
export interface TensorPlan {
  B: number;
  C: number;
  /** Voxels per sample (product of the spatial axes). */
  S: number;
  layout: Layout;
  activation: Activation;
  targetKind: TargetKind;
  targetType: TargetType;
  ignoreIndex: number | null;
  /** Accumulate Σp² and Σy² instead of Σp and Σy. */
  squared: boolean;
  /** Also accumulate A = Σ|p − y| (soft labels; dense targets, not with squared). */
  soft: boolean;
  /** A per-voxel mask: one per sample (length B·S), or one shared by all samples (length S). */
  mask: 'none' | 'perSample' | 'shared';
  /** The pointwise term kernel 1 sums and kernel 2 differentiates (see assembly/constants.ts POINT_*). */
  point: PointKind;
  /** Focal exponent (POINT_FOCAL). */
  gamma: number;
}

export type PointKind = 'none' | 'bce' | 'ce' | 'focal';

/** The arrays of one call, as the kernels take them (a mask converted to bytes). */
export interface Inputs {
  pred: Float32Array;
  target: Target;
  mask: Uint8Array | null;
}

/** Which sums a loss needs beyond I, P, G, N. */
export interface SumOptions {
  squared: boolean;
  softLabel: boolean;
  /** A pointwise term and its focal exponent (default none). */
  point?: PointKind;
  gamma?: number;
}

export const TENSOR_OPTION_NAMES = ['shape', 'layout', 'activation', 'target', 'ignoreIndex'] as const;

export function resolveTensorOptions(
  fn: string,
  opts: TensorOptions,
  defaultActivation: Activation = 'none',
): TensorSpec {
  const layout = oneOf(fn, 'layout', opts.layout, LAYOUTS, 'NCHW');
  const activation = oneOf(fn, 'activation', opts.activation, ACTIVATIONS, defaultActivation);
  const target = opts.target === undefined ? null : oneOf(fn, 'target', opts.target, TARGET_KINDS, 'dense');
  const shape = opts.shape === undefined ? null : checkShape(fn, opts.shape);
  const C = shape === null || shape.length === 1 ? 1 : layout === 'NCHW' ? shape[1] : shape[shape.length - 1];
  checkClasses(fn, 'shape', C);

  let ignoreIndex: number | null = null;
  if (opts.ignoreIndex !== undefined && opts.ignoreIndex !== null) {
    const v = opts.ignoreIndex;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
      throw rangeError(fn, 'ignoreIndex', `must be a 32-bit integer label value; got ${describe(v)}`);
    }
    if (target === 'dense') {
      throw rangeError(fn, 'ignoreIndex', "applies to label-map targets only (target: 'labels')");
    }
    ignoreIndex = v;
  }
  if (activation === 'softmax' && C < 2) {
    throw rangeError(
      fn,
      'activation',
      `'softmax' needs at least 2 classes (shape gives C = ${C}); use 'sigmoid' for one class`,
    );
  }
  return { shape, layout, activation, target, ignoreIndex, C };
}

export function checkShape(fn: string, shape: unknown): readonly number[] {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw typeError(fn, 'shape', `must be a non-empty array of integers; got ${describe(shape)}`);
  }
  // Read once: what is checked is what is used.
  const dims: number[] = [];
  for (let i = 0, n = shape.length; i < n; i++) dims.push(shape[i]);
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw rangeError(fn, 'shape', `must hold non-negative integers; got ${list(dims)}`);
    }
  }
  return Object.freeze(dims);
}

/** At most MAX_CLASSES classes. */
export function checkClasses(fn: string, arg: string, C: number): void {
  if (C > MAX_CLASSES) {
    throw rangeError(fn, arg, `gives ${C} classes; a call takes at most ${MAX_CLASSES}`);
  }
}

/** B·C terms bounded by the data: at most max(elements, MAX_EXTRA_TERMS). */
export function checkTerms(fn: string, arg: string, B: number, C: number, elements: number): void {
  const terms = B * C;
  if (terms > Math.max(elements, MAX_EXTRA_TERMS)) {
    throw rangeError(
      fn,
      arg,
      `gives ${B} samples × ${C} classes = ${terms} terms for ${elements} elements; a call takes at most ` +
        `max(elements, ${MAX_EXTRA_TERMS}) terms (split the batch)`,
    );
  }
}

/** Checks pred, target and mask against the options and returns the plan and the arrays of this call. */
export function planTensors(
  fn: string,
  spec: TensorSpec,
  sums: SumOptions,
  pred: unknown,
  target: unknown,
  mask?: unknown,
): { plan: TensorPlan; inputs: Inputs } {
  checkView(fn, 'pred', pred);
  checkView(fn, 'target', target);
  checkView(fn, 'mask', mask);
  if (!(pred instanceof Float32Array)) {
    throw typeError(fn, 'pred', `must be a Float32Array; got ${describe(pred)} (convert with Float32Array.from)`);
  }
  const shape = spec.shape ?? [pred.length];
  const total = shape.reduce((a, d) => a * d, 1);
  if (total !== pred.length) {
    throw rangeError(fn, 'pred', `has length ${pred.length} but shape ${list(shape)} holds ${total} elements`);
  }
  const { B, C, S } = axes(shape, spec.layout);
  if (B === 0 || C === 0) {
    throw rangeError(fn, 'shape', `${list(shape)} has no ${B === 0 ? 'sample' : 'class'}: there is nothing to reduce`);
  }
  checkTerms(fn, 'shape', B, C, pred.length);
  const kind = targetKind(fn, spec, target, pred.length, B * S);
  const targetType = checkTargetType(fn, kind, target);
  const expected = kind === 'dense' ? pred.length : B * S;
  if ((target as Target).length !== expected) {
    throw rangeError(
      fn,
      'target',
      `has length ${(target as Target).length}; a ` +
        (kind === 'dense'
          ? "dense target needs pred's length"
          : "label map needs pred's length without the class axis") +
        `, ${expected}`,
    );
  }
  const { kind: maskKind, bytes } = checkMask(fn, mask, B, S);
  const plan: TensorPlan = {
    B,
    C,
    S,
    layout: spec.layout,
    activation: spec.activation,
    targetKind: kind,
    targetType,
    ignoreIndex: spec.ignoreIndex,
    squared: sums.squared,
    // For a label map (hard targets) Σ|p − y| only restates I; with Σp², (P + G − Σ(p − y)²)/2 = I.
    soft: sums.softLabel && kind === 'dense' && !sums.squared,
    mask: maskKind,
    point: sums.point ?? 'none',
    gamma: sums.gamma ?? 1,
  };
  return { plan, inputs: { pred, target: target as Target, mask: bytes } };
}

/**
 * A mask has one value per voxel: B·S values, or S shared by every sample; non-zero keeps the
 * voxel. A Uint8Array is used as it is; a Float32Array is converted to bytes (one pass).
 */
function checkMask(
  fn: string,
  mask: unknown,
  B: number,
  S: number,
): { kind: TensorPlan['mask']; bytes: Uint8Array | null } {
  if (mask === undefined || mask === null) return { kind: 'none', bytes: null };
  if (!(mask instanceof Uint8Array) && !(mask instanceof Float32Array)) {
    throw typeError(fn, 'mask', `must be a Uint8Array or Float32Array (0 = voxel ignored); got ${describe(mask)}`);
  }
  if (mask.length !== B * S && mask.length !== S) {
    throw rangeError(
      fn,
      'mask',
      `has length ${mask.length}; it needs one value per voxel of each sample (${B * S}) or of one ` +
        `sample, shared (${S})`,
    );
  }
  const bytes = mask instanceof Uint8Array ? mask : Uint8Array.from(mask, (v) => (v !== 0 ? 1 : 0));
  return { kind: mask.length === B * S ? 'perSample' : 'shared', bytes };
}

/** Batch, classes and voxels per sample of a shape. */
export function axes(shape: readonly number[], layout: Layout): { B: number; C: number; S: number } {
  if (shape.length === 1) return { B: 1, C: 1, S: shape[0] };
  const B = shape[0];
  const C = layout === 'NCHW' ? shape[1] : shape[shape.length - 1];
  const spatial = layout === 'NCHW' ? shape.slice(2) : shape.slice(1, -1);
  return { B, C, S: spatial.reduce((a, d) => a * d, 1) };
}

function targetKind(
  fn: string,
  spec: TensorSpec,
  target: unknown,
  denseLength: number,
  labelLength: number,
): TargetKind {
  if (spec.target !== null) return spec.target;
  if (!ArrayBuffer.isView(target)) {
    throw typeError(fn, 'target', `must be a typed array; got ${describe(target)}`);
  }
  // Float32Array can only be dense and 16/32-bit integers only labels; bytes go by length.
  if (target instanceof Uint16Array || target instanceof Int32Array) return 'labels';
  if (target instanceof Uint8Array && spec.C > 1 && target.length === labelLength) return 'labels';
  if (spec.ignoreIndex !== null) {
    throw rangeError(
      fn,
      'ignoreIndex',
      `applies to label maps, but this target (${describe(target)}, pred has ${denseLength} elements) is ` +
        `read as dense; pass target: 'labels' if it is a label map`,
    );
  }
  return 'dense';
}

export function checkTargetType(fn: string, kind: TargetKind, target: unknown): TargetType {
  if (kind === 'dense') {
    if (target instanceof Float32Array) return 'f32';
    if (target instanceof Uint8Array) return 'u8';
    throw typeError(fn, 'target', `as a dense target must be a Float32Array or Uint8Array; got ${describe(target)}`);
  }
  if (target instanceof Uint8Array) return 'u8';
  if (target instanceof Uint16Array) return 'u16';
  if (target instanceof Int32Array) return 'i32';
  throw typeError(
    fn,
    'target',
    `as a label map must be a Uint8Array, Uint16Array or Int32Array; got ${describe(target)}`,
  );
}
