// Panoptic quality (Kirillov et al. 2019) of instance maps, per (sample, class), as MONAI's
// compute_panoptic_quality / PanopticQualityMetric count it: the instances of a class are the
// voxels of that class (by the class maps, when given) grouped by instance id; a predicted and a
// truth instance match when their IoU exceeds τ (unique for τ ≥ 0.5; below, the assignment of
// largest total IoU, then the pairs above τ); TP = matched pairs, FP = unmatched predicted
// instances, FN = unmatched truth instances;
//   RQ = TP / (TP + FP/2 + FN/2),  SQ = ΣIoU(matched) / TP,  PQ = SQ · RQ = ΣIoU / (TP + FP/2 + FN/2).
import { METRIC_REDUCTIONS } from '../../core/option-values.js';
import type { MetricReduction, MetricsResult } from '../../core/api.js';
import { describe, rangeError, typeError } from '../../core/errors.js';
import { checkOptionNames, oneOf } from '../../core/options.js';
import { checkShape } from '../../core/tensors.js';
import { maxWeightAssignment } from '../../math/assignment.js';
import type { InstanceMap, PanopticQualityOptions } from './types.js';

export const PANOPTIC_OPTION_NAMES = [
  'shape',
  'predClasses',
  'truthClasses',
  'numClasses',
  'matchIou',
  'reduction',
] as const;

/** Per (sample, class): the counts every panoptic score comes from. */
export interface PanopticCounts {
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
  iouSum: Float64Array;
  numSamples: number;
  numClasses: number;
}

export interface PanopticSpec {
  fn: string;
  B: number;
  S: number;
  C: number;
  matchIou: number;
  reduction: MetricReduction;
  predClasses: ArrayLike<number> | null;
  truthClasses: ArrayLike<number> | null;
}

function checkInstances(fn: string, name: string, value: unknown, n: number): InstanceMap {
  if (
    !(
      value instanceof Uint8Array ||
      value instanceof Uint16Array ||
      value instanceof Int32Array ||
      value instanceof Uint32Array ||
      value instanceof Float32Array
    )
  ) {
    throw typeError(
      fn,
      name,
      'must be an instance map (Uint8Array, Uint16Array, Int32Array, Uint32Array, or Float32Array of integers; ' +
        `0 = no instance); got ${describe(value)}`,
    );
  }
  if (value.length !== n) throw rangeError(fn, name, `has length ${value.length} but shape holds ${n} voxels`);
  if (value instanceof Int32Array || value instanceof Float32Array) {
    const limit = value instanceof Float32Array ? 2 ** 24 : 0x7fffffff;
    for (let i = 0; i < n; i++) {
      const v = value[i];
      if (!(Number.isInteger(v) && v >= 0 && v <= limit)) {
        throw rangeError(
          fn,
          `${name}[${i}]`,
          `is ${v}; instance ids are integers from 0 to ${limit}` +
            (value instanceof Float32Array ? ' (exact in float32)' : ''),
        );
      }
    }
  }
  return value;
}

function checkClasses(fn: string, name: string, value: unknown, n: number, C: number): ArrayLike<number> {
  if (!(value instanceof Uint8Array || value instanceof Uint16Array || value instanceof Int32Array)) {
    throw typeError(fn, name, `must be a label map (Uint8Array, Uint16Array or Int32Array); got ${describe(value)}`);
  }
  if (value.length !== n) throw rangeError(fn, name, `has length ${value.length} but shape holds ${n} voxels`);
  for (let i = 0; i < n; i++) {
    if (value[i] < 0 || value[i] >= C)
      throw rangeError(fn, `${name}[${i}]`, `is ${value[i]}, outside [0, ${C}) (numClasses)`);
  }
  return value;
}

export function resolvePanoptic(
  fn: string,
  pred: unknown,
  truth: unknown,
  options: unknown,
): { spec: PanopticSpec; pred: InstanceMap; truth: InstanceMap } {
  if (options === undefined || options === null) {
    throw typeError(fn, 'options', `must be an object with 'shape', e.g. { shape: [1, 256, 256] }`);
  }
  const opts = checkOptionNames(fn, options as object, PANOPTIC_OPTION_NAMES) as PanopticQualityOptions;
  if (opts.shape === undefined) throw rangeError(fn, 'shape', 'is required: [B, ...spatial]');
  const shape = checkShape(fn, opts.shape);
  if (shape.length < 2) throw rangeError(fn, 'shape', `[${shape.join(', ')}] must be [B, ...spatial]`);
  const n = shape.reduce((a, d) => a * d, 1);
  const predMap = checkInstances(fn, 'predInstances', pred, n);
  const truthMap = checkInstances(fn, 'truthInstances', truth, n);
  const withClasses = opts.predClasses !== undefined || opts.truthClasses !== undefined;
  if (withClasses && (opts.predClasses === undefined || opts.truthClasses === undefined)) {
    throw rangeError(
      fn,
      opts.predClasses === undefined ? 'predClasses' : 'truthClasses',
      'is required with the other class map',
    );
  }
  let C = 1;
  if (withClasses) {
    if (typeof opts.numClasses !== 'number' || !Number.isSafeInteger(opts.numClasses) || opts.numClasses < 2) {
      throw rangeError(
        fn,
        'numClasses',
        `is required with class maps: an integer ≥ 2 (class 0 the background); got ${describe(opts.numClasses)}`,
      );
    }
    C = opts.numClasses;
  } else if (opts.numClasses !== undefined) {
    throw rangeError(
      fn,
      'numClasses',
      'is for class maps (predClasses, truthClasses); without them every instance is of one class',
    );
  }
  const matchIou = opts.matchIou ?? 0.5;
  if (typeof matchIou !== 'number' || !(matchIou > 0 && matchIou <= 1)) {
    throw rangeError(fn, 'matchIou', `must be a number in (0, 1]; got ${describe(matchIou)}`);
  }
  return {
    spec: {
      fn,
      B: shape[0],
      S: n / Math.max(shape[0], 1),
      C,
      matchIou,
      reduction: oneOf(fn, 'reduction', opts.reduction, METRIC_REDUCTIONS, 'none'),
      predClasses: withClasses ? checkClasses(fn, 'predClasses', opts.predClasses, n, C) : null,
      truthClasses: withClasses ? checkClasses(fn, 'truthClasses', opts.truthClasses, n, C) : null,
    },
    pred: predMap,
    truth: truthMap,
  };
}

/** TP, FP, FN and ΣIoU of every (sample, class); class 0 of class maps (the background) is NaN. */
export function countPanoptic(spec: PanopticSpec, pred: InstanceMap, truth: InstanceMap): PanopticCounts {
  const { B, C } = spec;
  const counts: PanopticCounts = {
    tp: new Float64Array(B * C),
    fp: new Float64Array(B * C),
    fn: new Float64Array(B * C),
    iouSum: new Float64Array(B * C),
    numSamples: B,
    numClasses: C,
  };
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const k = b * C + c;
      if (spec.predClasses !== null && c === 0) {
        counts.tp[k] = counts.fp[k] = counts.fn[k] = counts.iouSum[k] = Number.NaN;
        continue;
      }
      const term = countTerm(spec, pred, truth, b, c);
      counts.tp[k] = term.tp;
      counts.fp[k] = term.fp;
      counts.fn[k] = term.fn;
      counts.iouSum[k] = term.iouSum;
    }
  }
  return counts;
}

function countTerm(
  spec: PanopticSpec,
  pred: InstanceMap,
  truth: InstanceMap,
  b: number,
  c: number,
): { tp: number; fp: number; fn: number; iouSum: number } {
  const { S } = spec;
  const predArea = new Map<number, number>(),
    truthArea = new Map<number, number>();
  const overlaps = new Map<number, Map<number, number>>();
  for (let i = b * S, end = (b + 1) * S; i < end; i++) {
    const p = spec.predClasses !== null && spec.predClasses[i] !== c ? 0 : pred[i];
    const t = spec.truthClasses !== null && spec.truthClasses[i] !== c ? 0 : truth[i];
    if (p !== 0) predArea.set(p, (predArea.get(p) ?? 0) + 1);
    if (t === 0) continue;
    truthArea.set(t, (truthArea.get(t) ?? 0) + 1);
    if (p === 0) continue;
    let row = overlaps.get(t);
    if (row === undefined) {
      row = new Map();
      overlaps.set(t, row);
    }
    row.set(p, (row.get(p) ?? 0) + 1);
  }
  // Instances in ascending id order (MONAI's remap keeps it): rows truth, columns prediction.
  const truthIds = [...truthArea.keys()].sort((x, y) => x - y);
  const predIds = [...predArea.keys()].sort((x, y) => x - y);
  const column = new Map(predIds.map((p, j) => [p, j]));
  const iou = (t: number, p: number, inter: number) =>
    inter / ((truthArea.get(t) as number) + (predArea.get(p) as number) - inter);
  let tp = 0,
    iouSum = 0;
  if (spec.matchIou >= 0.5) {
    // IoU > 0.5 pairs are unique: an instance cannot have more than half its union with two others.
    for (const [t, row] of overlaps) {
      for (const [p, inter] of row) {
        const value = iou(t, p, inter);
        if (value > spec.matchIou) {
          tp++;
          iouSum += value;
        }
      }
    }
  } else if (truthIds.length > 0 && predIds.length > 0) {
    const weights = new Float64Array(truthIds.length * predIds.length);
    truthIds.forEach((t, i) => {
      for (const [p, inter] of overlaps.get(t) ?? []) {
        weights[i * predIds.length + (column.get(p) as number)] = iou(t, p, inter);
      }
    });
    const match = maxWeightAssignment(weights, truthIds.length, predIds.length);
    match.forEach((j, i) => {
      if (j < 0) return;
      const value = weights[i * predIds.length + j];
      if (value > spec.matchIou) {
        tp++;
        iouSum += value;
      }
    });
  }
  return { tp, fp: predIds.length - tp, fn: truthIds.length - tp, iouSum };
}

/** The scores of counts (smoothNr added to each denominator, as MONAI's smooth_numerator; 0 in the native API). */
export function panopticScores(
  tp: number,
  fp: number,
  fn: number,
  iouSum: number,
  smoothNr = 0,
): { pq: number; sq: number; rq: number } {
  const detection = tp + 0.5 * fp + 0.5 * fn + smoothNr;
  return { pq: iouSum / detection, sq: iouSum / (tp + smoothNr), rq: tp / detection };
}

export const PANOPTIC_NAMES = ['pq', 'sq', 'rq', 'tp', 'fp', 'fn', 'iouSum'] as const;

/**
 * Per name: B·C values (reduction 'none'), or with a MONAI reduction the counts reduced first
 * (mean or sum over samples, classes or both, NaN terms left out) and the scores computed from
 * them, as MONAI's PanopticQualityMetric.aggregate.
 */
export function evaluatePanoptic(reduction: MetricReduction, counts: PanopticCounts, smoothNr = 0): MetricsResult {
  const { numSamples: B, numClasses: C } = counts;
  const first = counts.numClasses > 1 && Number.isNaN(counts.tp[0]) ? 1 : 0;
  const groups = groupsOf(reduction, B, C, first);
  const reduced = groups.map((terms) => {
    const valid = terms.filter((k) => !Number.isNaN(counts.tp[k]));
    const sum = (a: Float64Array) => valid.reduce((s, k) => s + a[k], 0);
    const scale = reduction.startsWith('mean') && valid.length > 0 ? 1 / valid.length : 1;
    return {
      tp: sum(counts.tp) * scale,
      fp: sum(counts.fp) * scale,
      fn: sum(counts.fn) * scale,
      iouSum: sum(counts.iouSum) * scale,
      notNans: valid.length,
    };
  });
  const result: MetricsResult = {};
  for (const name of PANOPTIC_NAMES) {
    const values = Float64Array.from(reduced, (r) => {
      // A term not measured is NaN; a reduction of nothing is 0 (MONAI).
      if (r.notNans === 0) return reduction === 'none' ? Number.NaN : 0;
      if (name === 'tp' || name === 'fp' || name === 'fn' || name === 'iouSum') return r[name];
      return panopticScores(r.tp, r.fp, r.fn, r.iouSum, smoothNr)[name];
    });
    if (reduction === 'none') {
      result[name] = values;
    } else {
      const notNans = Float64Array.from(reduced, (r) => r.notNans);
      result[name] =
        reduction === 'mean' || reduction === 'sum'
          ? { value: values[0], notNans: notNans[0] }
          : { value: values, notNans };
    }
  }
  return result;
}

/** The terms (b·C + c) each reduced value pools. */
function groupsOf(reduction: MetricReduction, B: number, C: number, first: number): number[][] {
  const classes = Array.from({ length: C - first }, (_, i) => i + first);
  const samples = Array.from({ length: B }, (_, b) => b);
  switch (reduction) {
    case 'none':
      return Array.from({ length: B * C }, (_, k) => [k]);
    case 'mean':
    case 'sum':
      return [samples.flatMap((b) => classes.map((c) => b * C + c))];
    case 'mean_batch':
    case 'sum_batch':
      return classes.map((c) => samples.map((b) => b * C + c));
    case 'mean_channel':
    case 'sum_channel':
      return samples.map((b) => classes.map((c) => b * C + c));
  }
}
