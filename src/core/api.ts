// The public types: options, results and objects of the API (src/index.ts exports them). Types
// only: the values of the string options are listed in option-values.ts (the types are derived
// from those lists), the codes and record layouts shared with the WebAssembly kernels in constants.ts.
import type {
  ACTIVATIONS,
  BACKENDS,
  DECISIONS,
  HD_CONVENTIONS,
  LAYOUTS,
  LOSS_EMPTY_POLICIES,
  METRIC_AGGREGATIONS,
  BOUNDARY_DISTANCES,
  SKELETON_METHODS,
  METRIC_AVERAGES,
  METRIC_EMPTY_POLICIES,
  METRIC_REDUCTIONS,
  REDUCTIONS,
  TARGET_KINDS,
  WEIGHT_TYPES,
} from './option-values.js';

/** Which implementation runs the kernels. */
export type BackendName = (typeof BACKENDS)[number];

/** Activation applied to `pred` before the statistics: identity, elementwise σ, or softmax over classes. */
export type Activation = (typeof ACTIVATIONS)[number];

/** Channels first (`[B, C, ...spatial]`) or channels last (`[B, ...spatial, C]`). */
export type Layout = (typeof LAYOUTS)[number];

/** A dense target has pred's shape; a label map has one integer class per voxel and no class axis. */
export type TargetKind = (typeof TARGET_KINDS)[number];

/**
 * How a loss combines its terms: `'mean'` (default) or `'sum'` over the included terms, or `'none'`: one value
 * per term (overlap losses), per element (BCE, focal) or per voxel (cross-entropy).
 */
export type Reduction = (typeof REDUCTIONS)[number];

/** Dense targets: one-hot, multi-label or soft, same shape and layout as `pred`. */
export type DenseTarget = Float32Array | Uint8Array;
/** Label maps: shape `[B, ...spatial]`, values in `[0, C)` or `ignoreIndex`. */
export type LabelMap = Uint8Array | Uint16Array | Int32Array;
/**
 * A target: dense (pred's shape) or a label map (no class axis); `target: 'dense' | 'labels'` says which when the type
 * does not.
 */
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
export type LossEmptyPolicy = (typeof LOSS_EMPTY_POLICIES)[number];

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
  empty?: LossEmptyPolicy;
}
/** Options of `jaccardLoss`: those of `diceLoss` (soft IoU, `1 − (I + sNr)/(P + G − I + sDr)`). */
export type JaccardLossOptions = DiceLossOptions;

export interface TverskyLossOptions extends DiceLossOptions {
  /** Weight of false positives. Default 0.5. */
  alpha?: number;
  /** Weight of false negatives. Default 0.5. */
  beta?: number;
}

/**
 * Options of `focalTverskyLoss`, `(1 − T)^γ` per class: Tversky's without `logLoss`, with alpha 0.7 and beta 0.3 by
 * default.
 */
export interface FocalTverskyLossOptions extends Omit<TverskyLossOptions, 'logLoss'> {
  /** Exponent of `(1 − T)` per class. Default 0.75 (the paper's 1/γ with γ = 4/3); alpha 0.7, beta 0.3 by default. */
  gamma?: number;
}

export interface GeneralizedDiceLossOptions extends OverlapOptions {
  /** Class weights from the target volume G: `1/G²` (default), `1/G`, or 1. */
  weightType?: WeightType;
}

/** Options of the soft MCC loss: `smooth` (default 1e-5) is added to each soft count. */
export type MccLossOptions = Pick<
  OverlapOptions,
  keyof TensorOptions | 'includeBackground' | 'batch' | 'reduction' | 'smooth' | 'mask'
> &
  Pick<DiceLossOptions, 'weight' | 'empty'>;

/** Options of a pointwise term from logits (`activation` defaults to the term's own). */
export interface PointTensorOptions extends TensorOptions {
  /** Per-voxel mask (B·S values, or S shared by all samples): voxels where it is 0 count nowhere. */
  mask?: Uint8Array | Float32Array | null;
  /** Per-class weights, length C (torch's `weight`). */
  weight?: ArrayLike<number> | null;
  /**
   * `'mean'` (default), `'sum'`, or `'none'`: a Float32Array of each element's loss in pred's shape and
   * layout (cross-entropy: one per voxel, [B, ...spatial]), 0 where nothing counts.
   */
  reduction?: Reduction;
  /** Reduction `'none'` only: where to write the losses (a Float32Array of their length); a new array otherwise. */
  out?: Float32Array;
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
export type DiceCELossOptions = Omit<DiceLossOptions, 'reduction'> &
  Lambdas & {
    /** `'mean'` (default) or `'sum'`; a combined loss has no `'none'`. */
    reduction?: 'mean' | 'sum';
    /** Cross-entropy target `(1 − ε)·y + ε/C`. Default 0. */
    labelSmoothing?: number;
    /**
     * With `activation: 'sigmoid'` (binary cross-entropy): the weight of positives, one number or one per class.
     * Default none (1).
     */
    posWeight?: number | ArrayLike<number> | null;
  };
/** Dice + focal loss (sigmoid by default). */
export type DiceFocalLossOptions = Omit<DiceLossOptions, 'reduction'> &
  Lambdas &
  Pick<FocalLossOptions, 'gamma' | 'alpha'> & {
    /** `'mean'` (default) or `'sum'`; a combined loss has no `'none'`. */
    reduction?: 'mean' | 'sum';
  };
/** Generalized Dice + focal loss (sigmoid by default); `weight` applies to the focal part. */
export type GeneralizedDiceFocalLossOptions = Omit<GeneralizedDiceLossOptions, 'reduction'> &
  Lambdas &
  Pick<FocalLossOptions, 'gamma' | 'alpha' | 'weight'> & {
    /** `'mean'` (default) or `'sum'`; a combined loss has no `'none'`. */
    reduction?: 'mean' | 'sum';
  };

/** The `...WithGrad` functions take the same options and `out`. */
export type WithGrad<T> = T & {
  /** Where to write the gradient (a Float32Array of pred's length); a new array otherwise. */
  out?: Float32Array;
};
/** Options of `diceLossWithGrad`: those of `diceLoss` and `out`. */
export type DiceLossGradOptions = WithGrad<DiceLossOptions>;

/**
 * What a `...WithGrad` function returns.
 *
 * @example
 * ```ts
 * const { loss, grad } = k.diceLossWithGrad(pred, target); // grad.length === pred.length
 * ```
 */
export interface LossAndGrad {
  /** The reduced loss. */
  loss: number;
  /** ∂loss/∂pred, same shape and layout as `pred`. */
  grad: Float32Array;
}

/**
 * Each loss `createLoss` knows, by name, and the options of its methods (`<name>Loss`,
 * `<name>LossWithGrad`); `createLoss` takes them without `mask` and `out`, which are per call.
 * src/losses/registry.ts holds one entry for each name: how the loss is computed.
 */
export interface LossOptionsByName {
  dice: DiceLossOptions;
  jaccard: JaccardLossOptions;
  tversky: TverskyLossOptions;
  focalTversky: FocalTverskyLossOptions;
  generalizedDice: GeneralizedDiceLossOptions;
  mcc: MccLossOptions;
  bce: BceLossOptions;
  crossEntropy: CrossEntropyLossOptions;
  focal: FocalLossOptions;
  diceCE: DiceCELossOptions;
  diceFocal: DiceFocalLossOptions;
  generalizedDiceFocal: GeneralizedDiceFocalLossOptions;
  lovaszHinge: LovaszHingeLossOptions;
  lovaszSoftmax: LovaszSoftmaxLossOptions;
  clDice: ClDiceLossOptions;
  diceClDice: DiceClDiceLossOptions;
  hausdorffDT: HausdorffDTLossOptions;
  boundary: BoundaryLossOptions;
}

/** Loss names `createLoss` knows (besides the Lovász losses, `LovaszLossName`). */
export type LossName = Exclude<keyof LossOptionsByName, LovaszLossName>;

/** `createLoss` options: a loss name and that loss's options (the mask is passed per call). */
export type CreateLossOptions = {
  [K in LossName]: {
    /** The loss: `'dice'`, `'jaccard'`, `'tversky'`, `'diceCE'`, … (a key of the registry). */
    loss: K;
  } & Omit<LossOptionsByName[K], 'mask' | 'out'>;
}[LossName];

/** The pointwise losses alone (BCE, cross-entropy, focal): their options take `out`, for reduction 'none'. */
type PointLossName = { [K in LossName]: 'out' extends keyof LossOptionsByName[K] ? K : never }[LossName];
type PointLossOptions = Extract<CreateLossOptions, { loss: PointLossName }>;
/** `createLoss` options whose value is a number, or one value per term (Float64Array) with reduction 'none'. */
export type CreateTermLossOptions =
  | Exclude<CreateLossOptions, PointLossOptions>
  | (PointLossOptions & {
      /** `'mean'` (default) or `'sum'`: the value is one number. */
      reduction?: 'mean' | 'sum';
    });
/**
 * `createLoss` options of a pointwise loss alone with reduction 'none': its value is one per element (Float32Array).
 */
export type CreatePointLossOptions = PointLossOptions & {
  /** `'none'`: the value is one loss per element (BCE, focal) or per voxel (cross-entropy). */
  reduction: 'none';
};

/**
 * A loss whose options were resolved once. `Values`: what reduction 'none' gives — one value per
 * term (Float64Array), or per element of a pointwise loss (Float32Array).
 */
export interface Loss<Values extends Float64Array | Float32Array = Float64Array> {
  /** The loss of `pred` against `target` (a number, or `Values` with reduction 'none'); `mask`: voxels that count. */
  value(pred: Float32Array, target: Target, mask?: Uint8Array | Float32Array): number | Values;
  /** The loss and ∂loss/∂pred, written into `out` when given (pred's length), else into a new array. */
  valueAndGrad(pred: Float32Array, target: Target, out?: Float32Array, mask?: Uint8Array | Float32Array): LossAndGrad;
}

/**
 * Options of `loadDice` and `loadDiceSync`.
 *
 * @example
 * ```ts
 * const k = await loadDice({ backend: 'js' }); // no WebAssembly at all (a strict Content-Security-Policy)
 * ```
 */
export interface LoadOptions {
  /** Force an implementation; default: `'simd'` when the engine supports it, else `'scalar'`. */
  backend?: BackendName;
  /**
   * Give the kernel a shared `WebAssembly.Memory`, whose earlier views stay valid when it grows, so
   * arrays from `alloc` never detach. Default: `true` where shared memory exists (Node, and pages
   * that are cross-origin isolated by COOP/COEP, and their workers), else `false`. WebAssembly
   * backends only.
   */
  sharedMemory?: boolean;
  /**
   * Bytes of the staging area through which plain (not `alloc`) arrays are streamed: each chunk is
   * copied in and reduced while it is in cache, and the gradient is copied out chunk by chunk.
   * Default 256 KiB (within a core's L2 cache). WebAssembly backends only.
   */
  stagingBytes?: number;
}

/** Options of `createDicePool`. */
export interface PoolOptions {
  /** Worker threads that share the work of large calls. Default: the number of logical cores. */
  threads?: number;
  /** The WebAssembly build; default `'simd'` where supported, else `'scalar'`. */
  backend?: 'simd' | 'scalar';
  /** As for `loadDice`: the staging area of the calls that run on the calling thread. */
  stagingBytes?: number;
  /**
   * Work below which a call runs on the calling thread instead of the workers: elements of pred
   * weighted by their cost (8 with a softmax or a pointwise term, 3 with a sigmoid, 1/8 for
   * probabilities, whose passes only stream memory). Default 2^21: a softmax call splits from
   * 256K elements, a sigmoid one from 700K, Dice of probabilities from 16M (see docs/memory-and-threads.md, "Thread
   * pool"); 0 splits every call.
   */
  parallelThreshold?: number;
}

/** A pool's loss with its options resolved once (`pool.createLoss`): the methods of `Loss`, Promise-returning. */
export interface PoolLoss {
  /**
   * The loss; with reduction 'none', one value per term (Float64Array) or, for a pointwise loss
   * alone, per element (Float32Array).
   */
  value(
    pred: Float32Array,
    target: Target,
    mask?: Uint8Array | Float32Array,
  ): Promise<number | Float64Array | Float32Array>;
  /** The loss and ∂loss/∂pred (into `out` when given), the call split across the workers when large. */
  valueAndGrad(
    pred: Float32Array,
    target: Target,
    out?: Float32Array,
    mask?: Uint8Array | Float32Array,
  ): Promise<LossAndGrad>;
}

/** Allocation that ends with a scope (`k.scope`): every array it gave out is freed then. */
export interface AllocScope {
  /** As `alloc`, for the duration of the scope. */
  alloc<C extends AllocatableConstructor>(type: C, length: number): InstanceType<C>;
}

/** Typed-array constructors `alloc` accepts. */
export type AllocatableConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor;

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
export type CreateLovaszLossOptions = {
  [K in LovaszLossName]: {
    /** `'lovaszHinge'` or `'lovaszSoftmax'`. */
    loss: K;
  } & LossOptionsByName[K];
}[LovaszLossName];

/**
 * Options shared by the losses on whole class volumes (clDice, Dice + clDice, Hausdorff-DT,
 * boundary): `shape` is required, [B, C, ...spatial]; no ignoreIndex or mask (skeletons and
 * distance maps need every voxel).
 */
export interface SpatialLossOptions extends Omit<TensorOptions, 'ignoreIndex' | 'shape'> {
  /** Shape of `pred`: [B, C, ...spatial] channels first (`[B, ...spatial, C]` with layout `'NHWC'`). */
  shape: readonly number[];
  /** Include class 0 in the terms. Default `true`. */
  includeBackground?: boolean;
  /** Pool the sums of all samples before the formula (one term per class). Default `false`. */
  batch?: boolean;
  /** Default `'mean'` over the terms; `'none'` gives every term (NaN for a class left out). */
  reduction?: Reduction;
}

/** Options of `k.clDiceLoss` (soft clDice, MONAI's SoftclDiceLoss). */
export interface ClDiceLossOptions extends SpatialLossOptions {
  /** Erosion steps of the soft skeleton (MONAI's `iter_`). Default 3. */
  iterations?: number;
  /** Added to numerator and denominator of Tprec and Tsens. Default 1. */
  smooth?: number;
  /**
   * Sum the included classes before the formula: one term per sample (per batch with `batch`;
   * MONAI). Default `false`.
   */
  poolClasses?: boolean;
}

/** Options of `k.diceClDiceLoss` ((1 − α)·Dice + α·clDice, MONAI's SoftDiceclDiceLoss). */
export interface DiceClDiceLossOptions extends ClDiceLossOptions {
  /** The weight α of clDice. Default 0.5. */
  alpha?: number;
}

/** Options of `k.hausdorffDTLoss` (Karimi & Salcudean 2019, MONAI's HausdorffDTLoss). */
export interface HausdorffDTLossOptions extends SpatialLossOptions {
  /** Exponent of the distance maps. Default 2. */
  alpha?: number;
  /** log(1 + loss) (MONAI's LogHausdorffDTLoss). Default `false`. */
  logLoss?: boolean;
  /** Voxel spacing of the distance maps: one number or one per spatial axis (in the order of shape). Default 1. */
  spacing?: number | readonly number[];
}

/** Options of `k.boundaryLoss` (Kervadec et al. 2019). */
export interface BoundaryLossOptions extends SpatialLossOptions {
  /** Voxel spacing of the signed distance map: one number or one per spatial axis. Default 1. */
  spacing?: number | readonly number[];
}

// ---------------------------------------------------------------------------------------------
// Hard metrics: confusion counts and the metrics computed from them.

/** Label maps and hard or soft predictions the confusion kernel reads. */
export type HardPrediction = Float32Array | Uint8Array | Uint16Array | Int32Array;

/**
 * How `pred` says which classes a voxel belongs to: `'labels'` (a label map, no class axis),
 * `'argmax'` (the class with the largest score), `'threshold'` (every class whose value is above
 * `threshold`: binary and multi-label) or `'nonzero'` (every class whose value is non-zero: one-hot
 * or multi-label masks).
 */
export type Decision = (typeof DECISIONS)[number];

/**
 * The value of a (sample, class) term whose class is absent from the target: `'nan'` (not
 * scored; left out of every mean), `'one'` / `'zero'` (when the prediction is empty too; with
 * false positives the formula's own value, e.g. Dice 0), or `'formula'` (no special case: NaN only
 * where the formula divides by zero).
 */
export type MetricEmptyPolicy = (typeof METRIC_EMPTY_POLICIES)[number];

/** MONAI's reductions of a (sample × class) table, NaN-aware. */
export type MetricReduction = (typeof METRIC_REDUCTIONS)[number];
/** torchmetrics' ways to combine the classes of a sample. */
export type MetricAverage = (typeof METRIC_AVERAGES)[number];
/** torchmetrics' aggregation: score each sample, or pool the counts of all samples first. */
export type MetricAggregation = (typeof METRIC_AGGREGATIONS)[number];
/** `boundaryDistance` of Boundary IoU: the API's erosion by a box (`'chessboard'`) or `'euclidean'`. */
export type BoundaryDistance = (typeof BOUNDARY_DISTANCES)[number];
/** `skeleton` of clDice: `'lee'` (ImageJ's and scikit-image's thinning) or `'lee-preserving'`. */
export type SkeletonMethod = (typeof SKELETON_METHODS)[number];
/**
 * How `'hausdorff95'` combines the two directions: `'max-directed'`, the larger of the two
 * directions' percentiles (MONAI's `compute_hausdorff_distance`, Metrics Reloaded), or `'pooled'`,
 * the percentile of both directions' distances in one list (MedPy's `hd95`, seg-metrics).
 */
export type HdConvention = (typeof HD_CONVENTIONS)[number];
/** Generalized Dice class weights from the target volume G: 1/G², 1/G or 1. */
export type WeightType = (typeof WEIGHT_TYPES)[number];

/** Options that describe the tensors of a confusion count (shared by every hard metric). */
export interface ConfusionOptions {
  /** Number of classes. Required when `pred` is a label map; otherwise it must match the class axis of `shape`. */
  numClasses?: number;
  /**
   * Shape of `pred`: a label map `[B, ...spatial]` (no class axis), or a dense tensor with its
   * class axis second (`NCHW`) or last (`NHWC`). Default `[n]`: one sample.
   */
  shape?: readonly number[];
  /** Where the class axis of dense tensors is. Default `'NCHW'`. */
  layout?: Layout;
  /**
   * How `pred` becomes hard. Default: `'labels'` for Uint16Array / Int32Array, and for a Uint8Array
   * when `numClasses` is given; otherwise dense: `'nonzero'` for a Uint8Array, `'argmax'` for a
   * Float32Array with several classes, `'threshold'` with one.
   */
  decision?: Decision;
  /** For `decision: 'threshold'`: a class is predicted where its value is > threshold. Default 0.5. */
  threshold?: number;
  /**
   * `'sigmoid'`: pred holds logits and `threshold` applies to σ(pred), i.e. pred > logit(threshold).
   * Argmax is unchanged by `'sigmoid'` or `'softmax'`. Default `'none'`.
   */
  activation?: Activation;
  /** How to read `target`: a label map or a dense mask (non-zero = true). Default: by length and type. */
  target?: TargetKind;
  /** Target label whose voxels are not counted at all (label-map targets only). */
  ignoreIndex?: number | null;
}

/** Per (sample, class) counts, sample-major (`[b * C + c]`), every class, exact integers. */
export interface ConfusionCounts {
  /** True positives: voxels where prediction and target both say the class. */
  tp: Float64Array;
  /** False positives: the prediction says the class, the target does not. */
  fp: Float64Array;
  /** False negatives: the target says the class, the prediction does not. */
  fn: Float64Array;
  /** True negatives: counted voxels where neither says the class. */
  tn: Float64Array;
  /** B, the number of samples (rows). */
  numSamples: number;
  /** C, the number of classes (columns), background included. */
  numClasses: number;
}

/** What to compute from the counts, and how to reduce it. */
export interface MetricOptions {
  /** Metric names (docs/metrics.md): `'dice'`, `'iou'`, `'recall'`, MONAI's names and aliases, ... */
  metrics: readonly string[];
  /** Include class 0 in averages and reductions. Default `true`. Per-term results always hold every class. */
  includeBackground?: boolean;
  /** MONAI's NaN-aware reduction of the (sample × class) table. Default `'none'` (`'mean_batch'` with `average`). */
  reduction?: MetricReduction;
  /** torchmetrics: how the classes of a sample combine before the reduction. */
  average?: MetricAverage;
  /** torchmetrics: `'global'` pools the counts of all samples first. Default `'samplewise'`. */
  aggregation?: MetricAggregation;
  /** Terms whose class is absent from the target. Default `'nan'` (MONAI's `ignore_empty=True`). */
  empty?: MetricEmptyPolicy;
  /** β of the F-beta score. Default 1. */
  beta?: number;
  /** Class weights of the Generalized Dice score. Default `'square'`. */
  weightType?: WeightType;
}

/**
 * Options of the metrics measured on the masks themselves (README, "Topology and boundaries"):
 * `'cldice'` (and `'topologyPrecision'`, `'topologySensitivity'`) on their skeletons, `'biou'` on
 * their boundary bands. Those metrics need `shape` (1 to 3 spatial axes).
 */
export interface TopologyMetricOptions {
  /**
   * clDice's skeletons: `'lee'` (default), the thinning of Lee et al. 1994 as ImageJ's
   * Skeletonize3D and scikit-image's `skeletonize(method='lee')` do it, voxel for voxel, including
   * their loss of some components of even thickness (scikit-image issue #3757); `'lee-preserving'`,
   * the same thinning with Lee's whole simple-point test when deletions are re-checked, which keeps
   * a voxel of every component.
   */
  skeleton?: SkeletonMethod;
  /**
   * Boundary IoU's band width d in voxels: a voxel of a mask is in its band when a voxel outside
   * the mask (or the image) is within d. Default: 2 % of the image diagonal, rounded, at least 1
   * (the Boundary IoU API's dilation_ratio 0.02).
   */
  boundaryWidth?: number;
  /** The band width in spacing units (mm) instead, with `spacing`. */
  boundaryWidthMm?: number;
  /**
   * The distance of the band: `'chessboard'` (default; the Boundary IoU API's d-fold erosion by a
   * 3×3 square, a 3×3×3 cube in 3D: within d along every axis) or `'euclidean'` (exact Euclidean
   * distance).
   */
  boundaryDistance?: BoundaryDistance;
  /** Voxel spacing for `boundaryWidthMm`: one number, one per spatial axis, or one such list per sample. */
  spacing?: Spacing;
}

export interface MetricsOptions extends ConfusionOptions, MetricOptions, TopologyMetricOptions {}

/** A reduced metric and how many non-NaN terms went into each of its values (same shape). */
export interface ReducedMetric {
  /** The reduced value: a number (`'mean'`, `'sum'`) or one per class or sample (`'mean_batch'`, …). */
  value: number | Float64Array;
  /** How many non-NaN terms went into each value. */
  notNans: number | Float64Array;
}

/**
 * Metric name (as asked) → its B·C per-(sample, class) values (`reduction: 'none'`; B per-sample
 * values for `generalizedDice`, or per sample and averaged class group with `average`), or its
 * reduced value with the count of non-NaN terms beside it.
 */
export type MetricsResult = Record<string, Float64Array | ReducedMetric>;

/** Options of a streaming metric: everything but the shape, which each update gives. */
export type CreateMetricOptions = Omit<MetricsOptions, 'shape'>;

/** A sample's identity across updates, instances and processes (tiles of one volume share it). */
export type SampleKey = string | number;

/** Options of `StreamingMetric.update`: this batch's shape and its samples' keys. */
export interface MetricUpdateOptions {
  /** Shape of this update's `pred` (see ConfusionOptions.shape). */
  shape?: readonly number[];
  /**
   * The key of each sample of this update (one key, or one per sample). Counts of updates with
   * the same key add up (tiles of one volume). Without keys every sample is a new one.
   */
  sample?: SampleKey | readonly SampleKey[];
  /** Spacing of this update's samples (for `'biou'` with `boundaryWidthMm`), if it differs from the metric's. */
  spacing?: Spacing;
}

/** The serialised state of a streaming metric (`toJSON`), accepted by `fromJSON` and `merge`. */
export interface MetricJSON {
  /** Always `'dice-wasm/metric'`. */
  format: 'dice-wasm/metric';
  /** The format's version, 1. */
  version: 1;
  /** The metric's options with every default filled in. */
  options: Record<string, unknown>;
  /**
   * Per sample: its key (if any) and its counts, [tp, fp, fn, tn] per class; with a topology
   * metric, the topology record of each class.
   */
  samples: {
    /** The sample's key, when updates gave one. */
    key?: SampleKey;
    /** Its counts, [tp, fp, fn, tn] per class. */
    counts: number[];
    /**
     * With a topology metric: 6 counts per class (skeleton voxels of the prediction, of them in the
     * target, of the target, of them in the prediction; band voxels in both, in either).
     */
    topology?: number[];
  }[];
}

/** A metric evaluated in pieces: counts add exactly, so any split gives the one-pass result. */
export interface StreamingMetric {
  /** Counts one batch (or one tile of a volume, with `sample`) and adds them to the state. */
  update(pred: HardPrediction, target: Target, options?: MetricUpdateOptions): this;
  /** Adds counts computed elsewhere (k.confusion, another process). */
  add(counts: ConfusionCounts, options?: Pick<MetricUpdateOptions, 'sample'>): this;
  /** The metrics of everything counted so far; `overrides` change how it is reduced, not the state. */
  compute(
    overrides?: Pick<MetricOptions, 'reduction' | 'average' | 'aggregation' | 'includeBackground' | 'empty'>,
  ): MetricsResult;
  /** The accumulated counts, one row per sample, in the order compute() reports them. */
  counts(): ConfusionCounts;
  /** Adds another metric's state (same options): samples with the same key add up. */
  merge(other: StreamingMetric | MetricJSON): this;
  /** Empties the state (the options stay). */
  reset(): this;
  /** The state as JSON (`JSON.stringify(metric)` calls it): options and every sample's counts. */
  toJSON(): MetricJSON;
  /** Replaces the state with a serialised one (made with the same options). */
  fromJSON(json: MetricJSON): this;
  /** Number of samples counted. */
  readonly numSamples: number;
}

// ---------------------------------------------------------------------------------------------
// Surface-distance metrics: Hausdorff, percentile Hausdorff, average surface distances, NSD.

/**
 * Voxel spacing along the spatial axes, in the order of `shape` (so distances come out in
 * spacing units, e.g. mm): one number (isotropic), one per spatial axis, or one such list per
 * sample of the batch (MONAI's per-image spacing).
 */
export type Spacing = number | readonly number[] | readonly (readonly number[])[];

/** What to compute from the two surfaces of each (sample, class), and how to reduce it. */
export interface SurfaceMetricOptions {
  /** `'hausdorff'`, `'hausdorff95'`, `'assd'`, `'asd'`, `'nsd'` or an alias (docs/surface-distances.md). */
  metrics: readonly string[];
  /** Default 1 along every axis (distances in voxels). */
  spacing?: Spacing;
  /** The percentile of `'hausdorff95'` (0–100, linear interpolation as numpy's). Default 95. */
  percentile?: number;
  /** Hausdorff distances from the prediction to the target only (MONAI's `directed`). Default `false`. */
  directed?: boolean;
  /**
   * How `'hausdorff95'` combines the two directions: `'max-directed'` (the larger of the two
   * directions' percentiles, MONAI's) or `'pooled'` (the percentile of both directions' distances
   * in one list, MedPy's `hd95`). `'pooled'` takes both directions, so not `directed: true`.
   * Default `'max-directed'`.
   */
  hdConvention?: HdConvention;
  /**
   * The neighbourhood that decides which voxels are on a surface (those with a neighbour outside
   * their mask or the image): 4 or 6 (faces, the default: MONAI's), 8, 18 or 26 (MedPy's
   * `connectivity` 2 and 3); 2 in 1D.
   */
  surfaceConnectivity?: number;
  /**
   * Surface elements weighted by their area, as DeepMind's `surface-distance` defines them
   * (`compute_surface_distances`): the corners of the voxel grid whose 2 × 2 (× 2) cell the
   * surface crosses, each with the length (2D) or area (3D) of its marching-squares / cubes
   * surface; distances between those corners; HD95 as the area-weighted percentile of each
   * direction, ASSD / ASD as area-weighted means, NSD as the area within τ over the total area.
   * 2D and 3D images; not with `hdConvention: 'pooled'` or `surfaceConnectivity`. Default `false`.
   */
  surfel?: boolean;
  /** NSD tolerance τ in spacing units: one number, or one per class. Required for `'nsd'`. */
  tolerance?: number | readonly number[];
  /**
   * `false` leaves class 0 out of the reductions and does not compute it (its terms are NaN):
   * the background's surface is large and rarely wanted. Default `true`.
   */
  includeBackground?: boolean;
  /** MONAI's NaN-aware reduction of the (sample × class) table. Default `'none'`. */
  reduction?: MetricReduction;
  /**
   * Terms whose class is absent from the target (docs/surface-distances.md, "Empty masks and infinite
   * distances"): `'nan'` (default), `'formula'` (MONAI: +∞ distances, NSD 0, NaN when both are
   * empty), `'zero'` / `'one'` (the value when the prediction is empty too; `'one'` only for `'nsd'`).
   */
  empty?: MetricEmptyPolicy;
}

/** Options of `surfaceMetrics`: the confusion options (with a required shape) and the surface ones. */
export interface SurfaceMetricsOptions extends Omit<ConfusionOptions, 'shape'>, SurfaceMetricOptions {
  /**
   * `[B, ...spatial]` for a label map, `[B, C, ...spatial]` (or `[B, ...spatial, C]`) for dense
   * input; 1 to 3 spatial axes.
   */
  shape: readonly number[];
}

/** Options of a streaming surface metric: everything but the shape (and spacing), which each update gives. */
export type CreateSurfaceMetricOptions = Omit<SurfaceMetricsOptions, 'shape'>;

/** Options of `StreamingSurfaceMetric.update`: this case's shape and spacing. */
export interface SurfaceUpdateOptions {
  /** Shape of this update's `pred`. */
  shape: readonly number[];
  /** This update's spacing (default: the metric's). */
  spacing?: Spacing;
}

/** The serialised state of a streaming surface metric. */
export interface SurfaceMetricJSON {
  /** Always `'dice-wasm/surface-metric'`. */
  format: 'dice-wasm/surface-metric';
  /** The format's version, 1. */
  version: 1;
  /** The metric's options with every default filled in. */
  options: Record<string, unknown>;
  /**
   * Per sample: the surface record of each class, flattened (what every surface metric is computed
   * from; non-finite values as strings).
   */
  samples: {
    /** The surface record of each class, flattened. */
    records: (number | 'Infinity' | 'NaN')[];
  }[];
}

/**
 * Surface metrics over a dataset, one case at a time: each update measures its samples and keeps
 * their surface records (what every metric is computed from), so `compute` can reduce them all.
 */
export interface StreamingSurfaceMetric {
  /** Measures one case (its own `shape` and `spacing`) and keeps its samples' surface records. */
  update(pred: HardPrediction, target: Target, options: SurfaceUpdateOptions): this;
  /** The metrics of every case so far; `overrides` change how they are reduced, not the state. */
  compute(overrides?: Pick<SurfaceMetricOptions, 'reduction' | 'includeBackground' | 'empty'>): MetricsResult;
  /** Adds another surface metric's cases (same options). */
  merge(other: StreamingSurfaceMetric | SurfaceMetricJSON): this;
  /** Empties the state (the options stay). */
  reset(): this;
  /** The state as JSON: options and every sample's surface records. */
  toJSON(): SurfaceMetricJSON;
  /** Replaces the state with a serialised one (made with the same options). */
  fromJSON(json: SurfaceMetricJSON): this;
  /** Number of samples measured. */
  readonly numSamples: number;
}
