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

/** Options of the soft Dice coefficient. */
export interface DiceScoreOptions extends TensorOptions {
  /** Include class 0 in the mean / sum. Default `true`. Per-term results always hold every class. */
  includeBackground?: boolean;
  /** Pool the statistics of all samples before the ratio (one score per class). Default `false`. */
  batch?: boolean;
  /** Default `'mean'` over the (sample, class) terms that are included. */
  reduction?: Reduction;
  /** Added to numerator and denominator: `(2I + s) / (P + G + s)`. Default 1. */
  smooth?: number;
  /** Numerator smoothing; defaults to `smooth`. */
  smoothNr?: number;
  /** Denominator smoothing; defaults to `smooth`. */
  smoothDr?: number;
  /** V-Net denominator `Σp² + Σy²` instead of `Σp + Σy`. Default `false`. */
  squared?: boolean;
}

/** Options of the soft Dice loss. */
export interface DiceLossOptions extends DiceScoreOptions {
  /** Per-class weights, length C: each (sample, class) loss is multiplied by its class weight. */
  weight?: ArrayLike<number> | null;
  /** `−log D` instead of `1 − D`. Default `false`. */
  logLoss?: boolean;
}

/** Options of the `...WithGrad` functions. */
export interface DiceLossGradOptions extends DiceLossOptions {
  /** Where to write the gradient (a Float32Array of pred's length); a new array otherwise. */
  out?: Float32Array;
}

export interface LossAndGrad {
  /** The reduced loss. */
  loss: number;
  /** ∂loss/∂pred, same shape and layout as `pred`. */
  grad: Float32Array;
}

/** Loss names `createLoss` knows. */
export type LossName = 'dice';

export interface CreateLossOptions extends DiceLossOptions {
  loss: LossName;
}

/** A loss whose options were resolved once. */
export interface Loss {
  value(pred: Float32Array, target: Target): number | Float64Array;
  valueAndGrad(pred: Float32Array, target: Target, out?: Float32Array): LossAndGrad;
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
export const STATS_STRIDE = 4;
export const COEF_A = 0;
export const COEF_B = 1;
export const COEF_Q = 2;
export const COEF_STRIDE = 3;

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
export type Decision = 'labels' | 'argmax' | 'threshold' | 'nonzero';

/**
 * The value of a (sample, class) term whose class is absent from the target: `'nan'` (not
 * scored; left out of every mean), `'one'` / `'zero'` (when the prediction is empty too; with
 * false positives the formula's own value, e.g. Dice 0), or `'formula'` (no special case: NaN only
 * where the formula divides by zero).
 */
export type EmptyPolicy = 'nan' | 'one' | 'zero' | 'formula';

/** MONAI's reductions of a (sample × class) table, NaN-aware. */
export type MetricReduction = 'none' | 'mean' | 'sum' | 'mean_batch' | 'sum_batch' | 'mean_channel' | 'sum_channel';
/** torchmetrics' ways to combine the classes of a sample. */
export type MetricAverage = 'micro' | 'macro' | 'weighted' | 'none';
/** torchmetrics' aggregation: score each sample, or pool the counts of all samples first. */
export type MetricAggregation = 'samplewise' | 'global';
/** Generalized Dice class weights from the target volume G: 1/G², 1/G or 1. */
export type WeightType = 'square' | 'simple' | 'uniform';

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
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
  tn: Float64Array;
  numSamples: number;
  numClasses: number;
}

/** What to compute from the counts, and how to reduce it. */
export interface MetricOptions {
  /** Metric names (see README, "Metrics"): `'dice'`, `'iou'`, `'recall'`, MONAI's names and aliases, ... */
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
  empty?: EmptyPolicy;
  /** β of the F-beta score. Default 1. */
  beta?: number;
  /** Class weights of the Generalized Dice score. Default `'square'`. */
  weightType?: WeightType;
}

export interface MetricsOptions extends ConfusionOptions, MetricOptions {}

/** A reduced metric and how many non-NaN terms went into each of its values (same shape). */
export interface ReducedMetric {
  value: number | Float64Array;
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

export interface MetricUpdateOptions {
  /** Shape of this update's `pred` (see ConfusionOptions.shape). */
  shape?: readonly number[];
  /**
   * The key of each sample of this update (one key, or one per sample). Counts of updates with
   * the same key add up (tiles of one volume). Without keys every sample is a new one.
   */
  sample?: SampleKey | readonly SampleKey[];
}

/** The serialised state of a streaming metric (`toJSON`), accepted by `fromJSON` and `merge`. */
export interface MetricJSON {
  format: 'dice-wasm/metric';
  version: 1;
  /** The metric's options with every default filled in. */
  options: Record<string, unknown>;
  /** Per sample: its key (if any) and its counts, [tp, fp, fn, tn] per class. */
  samples: { key?: SampleKey; counts: number[] }[];
}

/** A metric evaluated in pieces: counts add exactly, so any split gives the one-pass result. */
export interface StreamingMetric {
  /** Counts one batch (or one tile of a volume, with `sample`) and adds them to the state. */
  update(pred: HardPrediction, target: Target, options?: MetricUpdateOptions): this;
  /** Adds counts computed elsewhere (k.confusion, another process). */
  add(counts: ConfusionCounts, options?: Pick<MetricUpdateOptions, 'sample'>): this;
  /** The metrics of everything counted so far; `overrides` change how it is reduced, not the state. */
  compute(overrides?: Pick<MetricOptions, 'reduction' | 'average' | 'aggregation' | 'includeBackground' | 'empty'>): MetricsResult;
  /** The accumulated counts, one row per sample, in the order compute() reports them. */
  counts(): ConfusionCounts;
  /** Adds another metric's state (same options): samples with the same key add up. */
  merge(other: StreamingMetric | MetricJSON): this;
  reset(): this;
  toJSON(): MetricJSON;
  /** Replaces the state with a serialised one (made with the same options). */
  fromJSON(json: MetricJSON): this;
  /** Number of samples counted. */
  readonly numSamples: number;
}

// Codes and record layout of the confusion kernel (assembly/constants.ts), checked by
// test/contract.test.ts.
export const CONF_TP = 0;
export const CONF_PRED = 1;
export const CONF_TARGET = 2;
export const CONF_VALID = 3;
export const CONF_STRIDE = 4;
export const DECIDE_CODE: Readonly<Record<'nonzero' | 'threshold', number>> = { nonzero: 0, threshold: 1 };
export const CONF_TILE = 4096;
