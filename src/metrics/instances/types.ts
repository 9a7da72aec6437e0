// Public types of the instance-level functions (connected components, lesion-wise metrics,
// panoptic quality) and the record layout of the components kernel (assembly/constants.ts,
// checked by test/backends/components-contract.test.ts).
import type { HardPrediction, MetricReduction, MetricsResult, Spacing, Target } from '../../core/api.js';

import type { ComponentsInput } from '../../core/plans.js';

export type { ComponentsInput };

/**
 * Which neighbours join a voxel: 2 in 1D; 4 (faces) or 8 (and corners) in 2D; 6, 18 (and edges) or 26
 * (and corners) in 3D.
 */
export type Connectivity = 2 | 4 | 6 | 8 | 18 | 26;

/** Options of `k.connectedComponents`. */
export interface ConnectedComponentsOptions {
  /** `[B, ...spatial]`, 1 to 3 spatial axes (required). */
  shape: readonly number[];
  /** Default: faces only (2, 4 or 6: scipy.ndimage.label's default structuring element). */
  connectivity?: number;
  /** Components of fewer voxels are dropped (labelled 0; the others renumbered in order). Default 1. */
  minSize?: number;
  /**
   * Components of each class of a label map (Uint8Array, Uint16Array, Int32Array): voxels join only
   * neighbours of the same non-zero label (scikit-image's `label`). Default false: every non-zero
   * voxel is one mask (scipy's `label`).
   */
  perClass?: boolean;
  /** An Int32Array of B·S voxels to write the labels to (e.g. from `k.alloc`), instead of a new one. */
  out?: Int32Array;
}

/**
 * What `k.connectedComponents` returns: the labels and, per component, its size and box.
 *
 * @example
 * ```ts
 * const { labels, counts, sizes } = k.connectedComponents(mask, { shape: [1, 155, 240, 240], connectivity: 26 });
 * ```
 */
export interface ConnectedComponents {
  /**
   * Per voxel (B·S, as the input): 0 for background, else 1…counts[b] in the raster order of each
   * component's first voxel.
   */
  labels: Int32Array;
  /** Components per sample (B). */
  counts: Int32Array;
  /** Voxels of each component, sample after sample: component j of sample b at index Σ_{b' < b} counts[b'] + j − 1. */
  sizes: Int32Array;
  /**
   * Per component (same order), its half-open box along each spatial axis in the order of `shape`:
   * start, stop, start, stop, …
   */
  boxes: Int32Array;
  /** Per component, the label of its voxels (only with `perClass`). */
  values?: Int32Array;
}

/** Reductions of lesion-wise metrics: MONAI's, over the (sample × class) table. */
export type InstanceReduction = MetricReduction;
export type { Spacing };

/** Options of `lesionMetrics` (docs/instances.md, "Lesion-wise metrics"). */
export interface LesionMetricsOptions {
  /**
   * `[B, ...spatial]` for label maps and masks, `[B, C, ...spatial]` for dense input; 1 to 3 spatial
   * axes (required).
   */
  shape: readonly number[];
  /** Classes of label maps; default 2 for a label map (a binary mask: 0 background, 1 lesion). */
  numClasses?: number;
  /**
   * Voxel size per spatial axis (order of shape), or one such list per sample: HD95 and volumes in its
   * units. Default 1.
   */
  spacing?: Spacing;
  /** Which neighbours join the voxels of a lesion. Default: all (8 in 2D, 26 in 3D), as BraTS. */
  connectivity?: number;
  /**
   * When a predicted lesion matches a truth lesion: `'overlap'` (default, BraTS) when they share a
   * voxel — of the truth lesion's dilated region with `dilation` —, or `{ iou: τ }` when their IoU exceeds τ.
   */
  match?:
    | 'overlap'
    | {
        /** The IoU a predicted and a truth lesion must exceed to match, 0 ≤ τ < 1. */
        iou: number;
      };
  /**
   * Steps of binary dilation (3×3 in 2D, 18-neighbourhood in 3D) of the truth mask: truth parts
   * whose dilations touch are one lesion, and the dilated region is what `'overlap'` matches. Default 0 (BraTS: 1–3).
   */
  dilation?: number;
  /** Truth lesions of fewer voxels are left out of the scores (not of the matching). Default 1. */
  minSize?: number;
  /** Truth lesions of smaller volume (spacing units³, e.g. mm³) are left out too. Default 0. */
  minVolume?: number;
  /** HD95 of a missed truth lesion and of a false-positive one. Default 374 (BraTS 2023). */
  fpPenalty?: number;
  /** The percentile of the per-lesion Hausdorff distance. Default 95. */
  percentile?: number;
  /** Score class 0 as lesions too. Default false. */
  includeBackground?: boolean;
  /** MONAI's NaN-aware reduction of each (sample × class) table. Default `'none'`. */
  reduction?: MetricReduction;
  /** Where the class axis of dense input is: `'NCHW'` (default) or `'NHWC'`. */
  layout?: 'NCHW' | 'NHWC';
  /** How `pred` says which classes a voxel is, as for `k.metrics`. Default: by its type. */
  decision?: 'labels' | 'argmax' | 'threshold' | 'nonzero';
  /** For `decision: 'threshold'`. Default 0.5. */
  threshold?: number;
  /** `'sigmoid'` for logits with a threshold. Default `'none'`. */
  activation?: 'none' | 'sigmoid' | 'softmax';
  /** How to read the target: a label map or dense masks. Default: by length and type. */
  target?: 'dense' | 'labels';
  /** Target label whose voxels are not counted. Default none. */
  ignoreIndex?: number | null;
}

/** An instance map: one id per voxel, 0 for none (integers; Float32Array values must be exact). */
export type InstanceMap = Uint8Array | Uint16Array | Int32Array | Uint32Array | Float32Array;

/** Options of `panopticQuality`. */
export interface PanopticQualityOptions {
  /** `[B, ...spatial]` (required). */
  shape: readonly number[];
  /** The class of each voxel of the prediction (0: background); with truthClasses, a panoptic map. */
  predClasses?: Uint8Array | Uint16Array | Int32Array;
  /** The class of each voxel of the truth. */
  truthClasses?: Uint8Array | Uint16Array | Int32Array;
  /** Classes of the class maps, background 0 included (required with them). */
  numClasses?: number;
  /** Instances match when their IoU exceeds this, in (0, 1]. Default 0.5. */
  matchIou?: number;
  /** MONAI's reduction: counts reduced first, then the scores (PanopticQualityMetric.aggregate). Default `'none'`. */
  reduction?: MetricReduction;
}

/** Options of `objectMetrics` (MedPy's object-wise metrics). */
export interface ObjectMetricsOptions {
  /** `[B, ...spatial]` for label maps and masks, `[B, C, ...spatial]` for dense input (required). */
  shape: readonly number[];
  /** Classes of label maps; default 2 for a label map (a binary mask). */
  numClasses?: number;
  /** Voxel size per spatial axis (order of shape), or one list per sample. Default 1. */
  spacing?: Spacing;
  /** Which neighbours join the voxels of an object and decide its surface. Default faces only (MedPy's 1). */
  connectivity?: number;
  /** Score class 0 too. Default false. */
  includeBackground?: boolean;
  /** MONAI's NaN-aware reduction of each (sample × class) table. Default `'none'`. */
  reduction?: MetricReduction;
  /** Where the class axis of dense input is: `'NCHW'` (default) or `'NHWC'`. */
  layout?: 'NCHW' | 'NHWC';
  /** How `pred` says which classes a voxel is, as for `k.metrics`. Default: by its type. */
  decision?: 'labels' | 'argmax' | 'threshold' | 'nonzero';
  /** For `decision: 'threshold'`. Default 0.5. */
  threshold?: number;
  /** `'sigmoid'` for logits with a threshold. Default `'none'`. */
  activation?: 'none' | 'sigmoid' | 'softmax';
  /** How to read the target: a label map or dense masks. Default: by length and type. */
  target?: 'dense' | 'labels';
  /** Target label whose voxels are not counted. Default none. */
  ignoreIndex?: number | null;
}

/** Names createMetric takes for instance-level metrics (aliases too, README). */
export type InstanceMetricName =
  | 'lesion_dice'
  | 'lesion_hd95'
  | 'lesion_f1'
  | 'lesion_sensitivity'
  | 'lesion_precision'
  | 'lesion_tp'
  | 'lesion_fp'
  | 'lesion_fn'
  | 'pq'
  | 'sq'
  | 'rq';

/**
 * Options of a streaming instance metric (createMetric with instance metric names): the lesion
 * options (except shape; spacing per update if it varies) and the metrics.
 */
export interface CreateInstanceMetricOptions extends Omit<LesionMetricsOptions, 'shape'> {
  /** Instance metric names: `'lesion_dice'`, `'lesion_hd95'`, `'lesion_f1'`, …, `'pq'`, `'sq'`, `'rq'`. */
  metrics: readonly (InstanceMetricName | (string & {}))[];
}

/** Options of `StreamingInstanceMetric.update`: this case's shape and spacing. */
export interface InstanceUpdateOptions {
  /** Shape of this update's `pred`. */
  shape: readonly number[];
  /** This update's spacing (default: the metric's). */
  spacing?: Spacing;
}

/** One (sample, class) term of the state: its lesion table and its panoptic counts (null when not asked for). */
export interface InstanceTermJSON {
  /** The volume of one voxel, in spacing units³ (for `minVolume`). */
  voxelVolume: number;
  /** TRUTH_STRIDE values per truth lesion (voxels, matched, matched voxels, overlap, HD95; non-finite as strings). */
  truth?: (number | 'Infinity' | 'NaN')[];
  /** PRED_STRIDE values per predicted lesion (voxels, matched). */
  pred?: number[];
  /** TP, FP, FN, ΣIoU of the components matched by IoU > 0.5. */
  panoptic?: number[];
}

/** The serialised state of a streaming instance metric (`toJSON`), accepted by `fromJSON` and `merge`. */
export interface InstanceMetricJSON {
  /** Always `'dice-wasm/instance-metric'`. */
  format: 'dice-wasm/instance-metric';
  /** The format's version, 1. */
  version: 1;
  /** The metric's options with every default filled in. */
  options: Record<string, unknown>;
  /** Per sample, in the order `compute` reports them. */
  samples: {
    /** Per class: its term, or null for a class not measured. */
    classes: (InstanceTermJSON | null)[];
  }[];
}

/**
 * Lesion-wise and panoptic metrics over a dataset: each update measures whole samples and keeps their
 * lesion tables.
 */
export interface StreamingInstanceMetric {
  /** Measures whole samples (their own `shape` and `spacing`) and keeps their lesion tables. */
  update(pred: HardPrediction, target: Target, options: InstanceUpdateOptions): this;
  /** Scores and reduces every sample kept; the size thresholds and penalty may be changed here. */
  compute(
    overrides?: Pick<LesionMetricsOptions, 'reduction' | 'includeBackground' | 'minSize' | 'minVolume' | 'fpPenalty'>,
  ): MetricsResult;
  /** Adds another instance metric's samples (same options). */
  merge(other: StreamingInstanceMetric | InstanceMetricJSON): this;
  /** Empties the state (the options stay). */
  reset(): this;
  /** The state as JSON: options and every sample's lesion tables (+∞ as `"Infinity"`). */
  toJSON(): InstanceMetricJSON;
  /** Replaces the state with a serialised one (made with the same options), checked value by value. */
  fromJSON(json: InstanceMetricJSON): this;
  /** Number of samples measured. */
  readonly numSamples: number;
}
