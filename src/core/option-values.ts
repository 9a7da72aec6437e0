// The values of every string option of the API, each list declared once: the option readers
// check against these lists (and name them in their errors, in this order), and core/api.ts
// derives the public types from them.

/** `loadDice({ backend })`. */
export const BACKENDS = ['simd', 'scalar', 'js'] as const;
/** `activation`: identity, elementwise σ, or softmax over the class axis. */
export const ACTIVATIONS = ['none', 'sigmoid', 'softmax'] as const;
/** `layout`: channels first or channels last. */
export const LAYOUTS = ['NCHW', 'NHWC'] as const;
/** `target`: dense (pred's shape) or a label map. */
export const TARGET_KINDS = ['dense', 'labels'] as const;
/** `reduction` of the losses. */
export const REDUCTIONS = ['mean', 'sum', 'none'] as const;
/** `empty` of the losses: a term whose target is empty. */
export const LOSS_EMPTY_POLICIES = ['smooth', 'zero', 'skip'] as const;
/** `weightType` of the Generalized Dice loss and score: 1/G², 1/G or 1. */
export const WEIGHT_TYPES = ['square', 'simple', 'uniform'] as const;
/** `decision` of the hard metrics: how pred says which classes a voxel belongs to. */
export const DECISIONS = ['labels', 'argmax', 'threshold', 'nonzero'] as const;
/** `empty` of the metrics: a term whose class is absent from the target. */
export const METRIC_EMPTY_POLICIES = ['nan', 'one', 'zero', 'formula'] as const;
/** `reduction` of the metrics: MONAI's NaN-aware reductions of a (sample × class) table. */
export const METRIC_REDUCTIONS = [
  'none',
  'mean',
  'sum',
  'mean_batch',
  'sum_batch',
  'mean_channel',
  'sum_channel',
] as const;
/** `average` of the metrics: torchmetrics' ways to combine the classes of a sample. */
export const METRIC_AVERAGES = ['micro', 'macro', 'weighted', 'none'] as const;
/** `aggregation` of the metrics: torchmetrics' per-sample scores or counts pooled first. */
export const METRIC_AGGREGATIONS = ['samplewise', 'global'] as const;
/** `boundaryDistance` of Boundary IoU: how the band around a mask's outside is measured. */
export const BOUNDARY_DISTANCES = ['chessboard', 'euclidean'] as const;
/** `skeleton` of clDice: Lee's thinning as ImageJ and scikit-image do it, or keeping every component. */
export const SKELETON_METHODS = ['lee', 'lee-preserving'] as const;
/**
 * `hdConvention` of the surface metrics: the larger of the two directions' percentiles (MONAI,
 * Metrics Reloaded) or the percentile of both directions' distances pooled in one list (MedPy).
 */
export const HD_CONVENTIONS = ['max-directed', 'pooled'] as const;
