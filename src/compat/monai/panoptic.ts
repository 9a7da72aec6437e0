// MONAI's panoptic quality (monai.metrics.panoptic_quality, 1.5) as thin translations onto
// k.panopticQuality: compute_panoptic_quality on one instance map pair, PanopticQualityMetric on
// (B, 2, H, W) batches whose channel 0 holds instance ids and channel 1 classes (0 background,
// 1…num_classes; other values are in no class, as MONAI's loop over 1…num_classes leaves them).
// MONAI's scores divide by their denominators plus smooth_numerator (1e-6), so an empty term
// scores 0 where the native API says NaN.
import { METRIC_REDUCTIONS } from '../../core/option-values.js';
import type { MetricReduction } from '../../core/api.js';
import { describe, rangeError, typeError } from '../../core/errors.js';
import { flag, oneOf } from '../../core/options.js';
import {
  countPanoptic,
  evaluatePanoptic,
  panopticScores,
  resolvePanoptic,
  type PanopticCounts,
} from '../../metrics/instances/panoptic.js';
import { compatKernel } from '../kernel.js';
import { readParams } from '../params.js';
import { readTensor, type Tensor, type TensorData, type TensorInput } from '../tensor.js';

/** The scores of panoptic quality: `'pq'` (= sq · rq), `'sq'` (segmentation quality), `'rq'` (recognition quality). */
export type PanopticMetricName = 'pq' | 'sq' | 'rq';

/**
 * The parameters of MONAI's `compute_panoptic_quality`, under their Python names; an absent one takes MONAI's default.
 */
export interface ComputePanopticQualityParams {
  /** `'pq'` (default), `'sq'` or `'rq'` (or their long names, `'panoptic_quality'`, …). */
  metric_name?: string;
  /** MONAI renumbers the instance ids first; the result does not depend on it here. Default `true`. */
  remap?: boolean;
  /** A pair matches when its IoU exceeds this, in (0, 1]. Default 0.5. */
  match_iou_threshold?: number;
  /** Added to the scores' denominators, so that an empty term scores 0. Default 1e-6. */
  smooth_numerator?: number;
  /** Return `[tp, fp, fn, iou_sum]` instead of the score. Default `false`. */
  output_confusion_matrix?: boolean;
}

/** The parameters of MONAI's `PanopticQualityMetric`, under their Python names; an absent one takes MONAI's default. */
export interface PanopticQualityMetricParams {
  /** The number of classes (required). */
  num_classes: number;
  /** `'pq'` (default), `'sq'`, `'rq'`, or a list of them (one result each). */
  metric_name?: string | string[];
  /** MONAI's reduction of the counts before scoring. Default `'mean_batch'`. */
  reduction?: MetricReduction | null;
  /** A pair matches when its IoU exceeds this, in (0, 1]. Default 0.5. */
  match_iou_threshold?: number;
  /** Added to the scores' denominators. Default 1e-6. */
  smooth_numerator?: number;
}

/** MONAI's _check_panoptic_metric_name: spaces to '_', lower case, then pq / sq / rq or their long names. */
function metricNameOf(fn: string, value: unknown): PanopticMetricName {
  if (typeof value !== 'string') throw typeError(fn, 'metric_name', `must be a string; got ${describe(value)}`);
  const name = value.replace(/ /g, '_').toLowerCase();
  if (name === 'pq' || name === 'panoptic_quality') return 'pq';
  if (name === 'sq' || name === 'segmentation_quality') return 'sq';
  if (name === 'rq' || name === 'recognition_quality') return 'rq';
  throw rangeError(fn, 'metric_name', `'${value}' is wrong, please use 'pq', 'sq' or 'rq'`);
}

function thresholdOf(fn: string, value: unknown): number {
  if (value === undefined) return 0.5;
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw rangeError(fn, 'match_iou_threshold', `should be within (0, 1], got: ${describe(value)}`);
  }
  return value;
}

function smoothOf(fn: string, value: unknown): number {
  if (value === undefined) return 1e-6;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw rangeError(fn, 'smooth_numerator', `must be a finite number ≥ 0; got ${describe(value)}`);
  }
  return value;
}

/** Instance ids (or classes) as Int32Array: integers ≥ 0 (MONAI casts with .int()). */
function idsOf(fn: string, name: string, data: ArrayLike<number>): Int32Array {
  const ids = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw rangeError(fn, name, `holds ${v} at index ${i}; instance ids are integers from 0 to 2^31 − 1`);
    }
    ids[i] = v;
  }
  return ids;
}

/**
 * monai.metrics.compute_panoptic_quality: PQ (or SQ, RQ with `metric_name`) of one pair of
 * instance maps of any shape, or with `output_confusion_matrix` the tensor [tp, fp, fn, iou_sum].
 * `remap` changes nothing here (ids need not be contiguous).
 * @example
 * monai.compute_panoptic_quality(pred, gt, { match_iou_threshold: 0.5 }); // a number
 */
export function compute_panoptic_quality(
  pred: TensorInput,
  gt: TensorInput,
  params?: ComputePanopticQualityParams,
): number | Tensor {
  const fn = 'compute_panoptic_quality';
  const p = readParams<ComputePanopticQualityParams>(fn, params, [
    'metric_name',
    'remap',
    'match_iou_threshold',
    'smooth_numerator',
    'output_confusion_matrix',
  ]);
  const yPred = readTensor(fn, 'pred', pred),
    y = readTensor(fn, 'gt', gt);
  if (yPred.shape.join() !== y.shape.join()) {
    throw rangeError(
      fn,
      'gt',
      `should have the shape of pred, got [${yPred.shape.join(', ')}] and [${y.shape.join(', ')}]`,
    );
  }
  flag(fn, 'remap', p.remap, true);
  const matchIou = thresholdOf(fn, p.match_iou_threshold);
  const smooth = smoothOf(fn, p.smooth_numerator);
  const metric = metricNameOf(fn, p.metric_name ?? 'pq');
  const n = yPred.data.length;
  const r = compatKernel().panopticQuality(idsOf(fn, 'pred', yPred.data), idsOf(fn, 'gt', y.data), {
    shape: [1, n],
    matchIou,
  });
  const [tp, fp, fnCount, iouSum] = [r.tp[0], r.fp[0], r.fn[0], r.iouSum[0]];
  if (flag(fn, 'output_confusion_matrix', p.output_confusion_matrix, false)) {
    return { data: Float64Array.of(tp, fp, fnCount, iouSum), shape: [4] };
  }
  return panopticScores(tp, fp, fnCount, iouSum, smooth)[metric];
}

/**
 * monai.metrics.PanopticQualityMetric: `forward(y_pred, y)` takes (B, 2, H, W) tensors (channel 0
 * instance ids, channel 1 classes) and buffers each sample's [tp, fp, fn, iou_sum] per class;
 * `aggregate(reduction)` reduces the buffered counts as MONAI (default 'mean_batch') and returns
 * the score (or the list of scores of a list of metric names).
 * @example
 * const m = new monai.PanopticQualityMetric({ num_classes: 3 });
 * m.forward(yPred, y);
 * m.aggregate(); // (3,) PQ per class
 */
export class PanopticQualityMetric {
  private readonly numClasses: number;
  private readonly names: PanopticMetricName[];
  private readonly single: boolean;
  private readonly reduction: MetricReduction;
  private readonly matchIou: number;
  private readonly smooth: number;
  /** Buffered counts, one (num_classes × 4) block per sample. */
  private buffer: number[][] = [];

  /**
   * Reads the parameters as MONAI's `PanopticQualityMetric` does; an unknown name or a bad value throws, naming the
   * Python parameter.
   */
  constructor(params: PanopticQualityMetricParams) {
    const fn = 'PanopticQualityMetric';
    const p = readParams<PanopticQualityMetricParams>(fn, params, [
      'num_classes',
      'metric_name',
      'reduction',
      'match_iou_threshold',
      'smooth_numerator',
    ]);
    if (typeof p.num_classes !== 'number' || !Number.isSafeInteger(p.num_classes) || p.num_classes < 1) {
      throw rangeError(
        fn,
        'num_classes',
        `must be a positive integer (not counting the background); got ${describe(p.num_classes)}`,
      );
    }
    this.numClasses = p.num_classes;
    const names = p.metric_name ?? 'pq';
    this.single = !Array.isArray(names);
    this.names = (Array.isArray(names) ? names : [names]).map((n) => metricNameOf(fn, n));
    this.reduction = oneOf(fn, 'reduction', p.reduction ?? undefined, METRIC_REDUCTIONS, 'mean_batch');
    this.matchIou = thresholdOf(fn, p.match_iou_threshold);
    this.smooth = smoothOf(fn, p.smooth_numerator);
  }

  /** Counts one batch; returns its (B, num_classes, 4) counts, as MONAI's `__call__`. */
  forward(yPred: TensorInput, y: TensorInput): Tensor {
    const fn = 'PanopticQualityMetric';
    const pred = readTensor(fn, 'y_pred', yPred),
      truth = readTensor(fn, 'y', y);
    if (pred.shape.join() !== truth.shape.join()) {
      throw rangeError(
        fn,
        'y',
        `should have the shape of y_pred, got [${pred.shape.join(', ')}] and [${truth.shape.join(', ')}]`,
      );
    }
    if (pred.shape.length !== 4) {
      throw rangeError(fn, 'y_pred', `should have 4 dimensions (batch, 2, h, w), got ${pred.shape.length}`);
    }
    if (pred.shape[1] !== 2) {
      throw rangeError(
        fn,
        'y_pred',
        `for panoptic quality calculation, only 2 channels input is supported, got ${pred.shape[1]}`,
      );
    }
    const [B, , H, W] = pred.shape;
    const split = (t: TensorData, name: string) => {
      const ids = idsOf(fn, name, t.data);
      const instances = new Int32Array(B * H * W),
        classes = new Int32Array(B * H * W);
      for (let b = 0; b < B; b++) {
        instances.set(ids.subarray(2 * b * H * W, (2 * b + 1) * H * W), b * H * W);
        const cls = ids.subarray((2 * b + 1) * H * W, (2 * b + 2) * H * W);
        // Classes above num_classes belong to none of the classes scored: background here.
        for (let i = 0; i < H * W; i++) classes[b * H * W + i] = cls[i] <= this.numClasses ? cls[i] : 0;
      }
      return { instances, classes };
    };
    const p = split(pred, 'y_pred'),
      g = split(truth, 'y');
    const { spec } = resolvePanoptic(fn, p.instances, g.instances, {
      shape: [B, H, W],
      predClasses: p.classes,
      truthClasses: g.classes,
      numClasses: this.numClasses + 1,
      matchIou: this.matchIou,
    });
    const counts = countPanoptic(spec, p.instances, g.instances);
    const K = this.numClasses;
    const data = new Float64Array(B * K * 4);
    for (let b = 0; b < B; b++) {
      const block: number[] = [];
      for (let c = 1; c <= K; c++) {
        const k = b * (K + 1) + c;
        block.push(counts.tp[k], counts.fp[k], counts.fn[k], counts.iouSum[k]);
      }
      data.set(block, b * K * 4);
      this.buffer.push(block);
    }
    return { data, shape: [B, K, 4] };
  }

  /** MONAI's aggregate: the buffered counts reduced, then the score(s) from them. */
  aggregate(reduction?: MetricReduction | null): number | Tensor | (number | Tensor)[] {
    const fn = 'PanopticQualityMetric.aggregate';
    const how = oneOf(fn, 'reduction', reduction ?? undefined, METRIC_REDUCTIONS, this.reduction);
    const B = this.buffer.length,
      K = this.numClasses;
    const counts: PanopticCounts = {
      tp: new Float64Array(B * K),
      fp: new Float64Array(B * K),
      fn: new Float64Array(B * K),
      iouSum: new Float64Array(B * K),
      numSamples: B,
      numClasses: K,
    };
    this.buffer.forEach((block, b) => {
      for (let c = 0; c < K; c++) {
        counts.tp[b * K + c] = block[4 * c];
        counts.fp[b * K + c] = block[4 * c + 1];
        counts.fn[b * K + c] = block[4 * c + 2];
        counts.iouSum[b * K + c] = block[4 * c + 3];
      }
    });
    const result = evaluatePanoptic(how, counts, this.smooth);
    const shaped = this.names.map((name): number | Tensor => {
      const r = result[name];
      if (r instanceof Float64Array) return { data: r, shape: [B, K] };
      if (typeof r.value === 'number') return r.value;
      return { data: r.value, shape: how === 'mean_batch' || how === 'sum_batch' ? [K] : [B] };
    });
    return this.single ? shaped[0] : shaped;
  }

  /** Empties the buffer of batches. */
  reset(): void {
    this.buffer = [];
  }
}
