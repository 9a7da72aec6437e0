// Public types and the constants shared with the WebAssembly kernels. Types and constants
// only: no behaviour lives here.

/** Which implementation runs the kernels. */
export type BackendName = 'simd' | 'scalar' | 'js';

/** Activation applied to `pred` before the statistics: identity, elementwise σ, or softmax over classes. */
export type Activation = 'none' | 'sigmoid' | 'softmax';

/** Channels first (`[B, C, ...spatial]`) or channels last (`[B, ...spatial, C]`). */
export type Layout = 'NCHW' | 'NHWC';

/** A dense target has pred's shape; a label map has one integer class per voxel and no class axis. */
export type TargetKind = 'dense' | 'labels';

export type Reduction = 'mean' | 'sum' | 'none';

/** Dense targets: one-hot, multi-label or soft, same shape and layout as `pred`. */
export type DenseTarget = Float32Array | Uint8Array;
/** Label maps: shape `[B, ...spatial]`, values in `[0, C)` or `ignoreIndex`. */
export type LabelMap = Uint8Array | Uint16Array | Int32Array;
export type Target = DenseTarget | LabelMap;

/** Options that describe the tensors (shared by every loss and metric). */
export interface TensorOptions {
  /**
   * Shape of `pred`. `[n]` (the default) is one sample of one class; with two or more axes the
   * first is the batch and the class axis is second (`NCHW`) or last (`NHWC`).
   */
  shape?: readonly number[];
  /** Where the class axis is. Default `'NCHW'`. */
  layout?: Layout;
  /** Applied to `pred` inside the kernel. Default `'none'` (pred holds probabilities). */
  activation?: Activation;
  /**
   * How to read `target`. Default: `'dense'` when its length equals pred's, `'labels'` when it
   * equals pred's length divided by the number of classes.
   */
  target?: TargetKind;
  /** Label value whose voxels contribute nothing to any sum or gradient (label maps only). */
  ignoreIndex?: number | null;
}

/** What a loss does with a term whose target is empty (Σy = 0). */
export type EmptyPolicy = 'smooth' | 'zero' | 'skip';

/** Options shared by the overlap losses and the Dice coefficient. */
export interface OverlapOptions extends TensorOptions {
  /** Include class 0 in the mean / sum. Default `true`. Per-term results always hold every class. */
  includeBackground?: boolean;
  /** Pool the statistics of all samples before the ratio (one term per class). Default `false`. */
  batch?: boolean;
  /** Default `'mean'` over the terms that are included. */
  reduction?: Reduction;
  /** Added to numerator and denominator. Default 1. */
  smooth?: number;
  /** Numerator smoothing; defaults to `smooth`. */
  smoothNr?: number;
  /** Denominator smoothing; defaults to `smooth`. */
  smoothDr?: number;
  /** V-Net denominator `Σp² + Σy²` instead of `Σp + Σy`. Default `false`. */
  squared?: boolean;
  /**
   * Soft-label intersection `(Σp + Σy − Σ|p − y|) / 2`, so that a soft target predicted exactly
   * scores 1. Applies to dense targets without `squared` (elsewhere it equals `Σp·y`). Default `false`.
   */
  softLabel?: boolean;
  /** Per-voxel mask (B·S values, or S shared by all samples): voxels where it is 0 count nowhere. */
  mask?: Uint8Array | Float32Array | null;
}

/** Options of the soft Dice coefficient. */
export type DiceScoreOptions = OverlapOptions;

/** Options of the Dice, Jaccard and Tversky losses. */
export interface DiceLossOptions extends OverlapOptions {
  /** Per-class weights, length C: each (sample, class) loss is multiplied by its class weight. */
  weight?: ArrayLike<number> | null;
  /** `−log(score)` instead of `1 − score`. Default `false`. */
  logLoss?: boolean;
  /**
   * A term whose target is empty: `'smooth'` (default) leaves it to the smoothing (MONAI),
   * `'zero'` gives it loss 0 (smp), `'skip'` leaves it out of the mean.
   */
  empty?: EmptyPolicy;
}
export type JaccardLossOptions = DiceLossOptions;

export interface TverskyLossOptions extends DiceLossOptions {
  /** Weight of false positives. Default 0.5. */
  alpha?: number;
  /** Weight of false negatives. Default 0.5. */
  beta?: number;
}

export interface FocalTverskyLossOptions extends Omit<TverskyLossOptions, 'logLoss'> {
  /** Exponent of `(1 − T)` per class. Default 0.75 (the paper's 1/γ with γ = 4/3); alpha 0.7, beta 0.3 by default. */
  gamma?: number;
}

export interface GeneralizedDiceLossOptions extends OverlapOptions {
  /** Class weights from the target volume G: `1/G²` (default), `1/G`, or 1. */
  weightType?: 'square' | 'simple' | 'uniform';
}

/** Options of the soft MCC loss: `smooth` (default 1e-5) is added to each soft count. */
export type MccLossOptions = Pick<OverlapOptions, keyof TensorOptions | 'includeBackground' | 'batch' | 'reduction' | 'smooth' | 'mask'>
  & Pick<DiceLossOptions, 'weight' | 'empty'>;

/** Options of a pointwise term from logits (`activation` defaults to the term's own). */
export interface PointTensorOptions extends TensorOptions {
  /** Per-voxel mask (B·S values, or S shared by all samples): voxels where it is 0 count nowhere. */
  mask?: Uint8Array | Float32Array | null;
  /** Per-class weights, length C (torch's `weight`). */
  weight?: ArrayLike<number> | null;
  /** `'mean'` (default) or `'sum'`. */
  reduction?: 'mean' | 'sum';
}

/** Binary cross-entropy from logits (`activation: 'sigmoid'`). */
export interface BceLossOptions extends PointTensorOptions {
  /** `false` leaves class 0 out of the sum and the mean. Default `true`. */
  includeBackground?: boolean;
  /** Weight of the positive term, one number or one per class (torch's `pos_weight`). */
  posWeight?: number | ArrayLike<number> | null;
}

/** Cross-entropy from logits (`activation: 'softmax'`). */
export interface CrossEntropyLossOptions extends PointTensorOptions {
  /** The target becomes (1 − ε)·y + ε/C. Default 0. */
  labelSmoothing?: number;
}

/** Focal loss from logits, sigmoid (default) or softmax. */
export interface FocalLossOptions extends PointTensorOptions {
  /** `false` leaves class 0 out of the sum and the mean (MONAI's include_background). Default `true`. */
  includeBackground?: boolean;
  /** Focusing exponent on (1 − p_t). Default 2. */
  gamma?: number;
  /** Class balance: sigmoid α·y + (1 − α)·(1 − y); softmax 1 − α for class 0, α for the others. Default none. */
  alpha?: number | null;
}

/** Weights of the two parts of a combined loss: λ_overlap·overlap + λ_point·pointwise. */
export interface Lambdas {
  /** Default 1. */
  lambdaOverlap?: number;
  /** Default 1. */
  lambdaPoint?: number;
}

/** Dice + cross-entropy (softmax, default) or + binary cross-entropy (sigmoid). */
export type DiceCELossOptions = Omit<DiceLossOptions, 'reduction'> & Lambdas & {
  reduction?: 'mean' | 'sum';
  labelSmoothing?: number;
  posWeight?: number | ArrayLike<number> | null;
};
/** Dice + focal loss (sigmoid by default). */
export type DiceFocalLossOptions = Omit<DiceLossOptions, 'reduction'> & Lambdas & Pick<FocalLossOptions, 'gamma' | 'alpha'> & {
  reduction?: 'mean' | 'sum';
};
/** Generalized Dice + focal loss (sigmoid by default); `weight` applies to the focal part. */
export type GeneralizedDiceFocalLossOptions = Omit<GeneralizedDiceLossOptions, 'reduction'> & Lambdas & Pick<FocalLossOptions, 'gamma' | 'alpha' | 'weight'> & {
  reduction?: 'mean' | 'sum';
};

/** The `...WithGrad` functions take the same options and `out`. */
export type WithGrad<T> = T & {
  /** Where to write the gradient (a Float32Array of pred's length); a new array otherwise. */
  out?: Float32Array;
};
export type DiceLossGradOptions = WithGrad<DiceLossOptions>;

export interface LossAndGrad {
  /** The reduced loss. */
  loss: number;
  /** ∂loss/∂pred, same shape and layout as `pred`. */
  grad: Float32Array;
}

/** Loss names `createLoss` knows. */
export type LossName = 'dice' | 'jaccard' | 'tversky' | 'focalTversky' | 'generalizedDice' | 'mcc' | 'bce' | 'crossEntropy'
  | 'focal' | 'diceCE' | 'diceFocal' | 'generalizedDiceFocal';

/** `createLoss` options: a loss name and that loss's options (the mask is passed per call). */
export type CreateLossOptions =
  | ({ loss: 'dice' } & Omit<DiceLossOptions, 'mask'>)
  | ({ loss: 'jaccard' } & Omit<JaccardLossOptions, 'mask'>)
  | ({ loss: 'tversky' } & Omit<TverskyLossOptions, 'mask'>)
  | ({ loss: 'focalTversky' } & Omit<FocalTverskyLossOptions, 'mask'>)
  | ({ loss: 'generalizedDice' } & Omit<GeneralizedDiceLossOptions, 'mask'>)
  | ({ loss: 'mcc' } & Omit<MccLossOptions, 'mask'>)
  | ({ loss: 'bce' } & Omit<BceLossOptions, 'mask'>)
  | ({ loss: 'crossEntropy' } & Omit<CrossEntropyLossOptions, 'mask'>)
  | ({ loss: 'focal' } & Omit<FocalLossOptions, 'mask'>)
  | ({ loss: 'diceCE' } & Omit<DiceCELossOptions, 'mask'>)
  | ({ loss: 'diceFocal' } & Omit<DiceFocalLossOptions, 'mask'>)
  | ({ loss: 'generalizedDiceFocal' } & Omit<GeneralizedDiceFocalLossOptions, 'mask'>);

/** A loss whose options were resolved once. */
export interface Loss {
  value(pred: Float32Array, target: Target, mask?: Uint8Array | Float32Array): number | Float64Array;
  valueAndGrad(pred: Float32Array, target: Target, out?: Float32Array, mask?: Uint8Array | Float32Array): LossAndGrad;
}

export interface LoadOptions {
  /** Force an implementation; default: `'simd'` when the engine supports it, else `'scalar'`. */
  backend?: BackendName;
}

/** Typed-array constructors `alloc` accepts. */
export type AllocatableConstructor =
  | Float32ArrayConstructor | Float64ArrayConstructor | Uint8ArrayConstructor
  | Uint16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor;

// Codes and record layouts of the kernels (assembly/constants.ts); test/contract.test.ts
// checks them against the values the WebAssembly module exports.
export const ACTIVATION_CODE: Readonly<Record<Activation, number>> = { none: 0, sigmoid: 1, softmax: 2 };
export const LAYOUT_CODE: Readonly<Record<Layout, number>> = { NCHW: 0, NHWC: 1 };
export const STAT_I = 0;
export const STAT_P = 1;
export const STAT_G = 2;
export const STAT_N = 3;
export const STAT_A = 4;
export const STAT_E = 5;
export const STAT_E2 = 6;
export const STATS_STRIDE = 7;
export const COEF_A = 0;
export const COEF_B = 1;
export const COEF_Q = 2;
export const COEF_S = 3;
export const COEF_E = 4;
export const COEF_F = 5;
export const COEF_STRIDE = 6;
export const ROW_SQUARED = 1;
export const ROW_SOFT = 2;
/** Pointwise terms of the kernels (assembly/constants.ts POINT_*). */
export const POINT_CODE: Readonly<Record<'none' | 'bce' | 'ce' | 'focal', number>> = { none: 0, bce: 1, ce: 2, focal: 3 };

/** Which classes the Lovász-Softmax loss averages: those in the target, every class, or a list. */
export type LovaszClasses = 'present' | 'all' | readonly number[];

/** Options of the binary Lovász hinge loss (pred holds logits). */
export interface LovaszHingeLossOptions {
  /**
   * Shape of `pred`. `[n]` (the default) is one sample; with two or more axes the first is the
   * batch and every other element of a sample (a class axis included, as smp's multilabel mode)
   * is one more pixel of that sample.
   */
  shape?: readonly number[];
  /** One loss per sample, then their mean (smp's `per_image`). Default `false`: one loss over the batch. */
  perImage?: boolean;
  /** Target value whose elements are left out (smp's `ignore_index`); any target type. */
  ignoreIndex?: number | null;
}

/** Options of the Lovász-Softmax loss. */
export interface LovaszSoftmaxLossOptions extends Omit<TensorOptions, 'activation'> {
  /** `'softmax'` (default): pred holds logits. `'none'`: pred holds probabilities. */
  activation?: 'softmax' | 'none';
  /** Default `'present'`: the classes that occur in the target of the sample (or batch). */
  classes?: LovaszClasses;
  /** One loss per sample, then their mean (smp's `per_image`). Default `false`: one loss over the batch. */
  perImage?: boolean;
}

/** Loss names `createLoss` knows besides the overlap losses. */
export type LovaszLossName = 'lovaszHinge' | 'lovaszSoftmax';

/** `createLoss` options of the Lovász losses. */
export type CreateLovaszLossOptions =
  | ({ loss: 'lovaszHinge' } & LovaszHingeLossOptions)
  | ({ loss: 'lovaszSoftmax' } & LovaszSoftmaxLossOptions);

// The list record of the Lovász kernels (assembly/constants.ts).
export const LIST_KEYS = 0;
export const LIST_FOREGROUND = 1;
export const LIST_OTHER = 2;
export const LIST_STRIDE = 3;
