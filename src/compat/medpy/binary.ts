// medpy.metric.binary (MedPy 0.5.2) as thin translations onto the native API: `result` and
// `reference` are binary images of any type (non-zero = object), of one to three axes for the
// distances; `voxelspacing` a number or one per axis (null: 1); `connectivity` MedPy's (scipy's
// generate_binary_structure rank): 1 faces, 2 edges, 3 corners, deciding surfaces and, for the
// obj_* functions, objects. Each function can take (result, reference, voxelspacing, connectivity)
// positionally, as in Python, or (result, reference, { voxelspacing, connectivity }).
//
// Where MedPy raises (an empty image for a distance or ravd, a division by zero in obj_tpr and
// obj_fpr) these throw a RangeError naming the argument; where MedPy's code returns NaN (the mean
// of no distance in obj_asd) so do these. Values follow MedPy's code, which differs from some of
// its docstring examples (README, "MedPy").
import { describe, rangeError, typeError } from '../../core/errors.js';
import { compatKernel } from '../kernel.js';
import { readTensor, type TensorData, type TensorInput } from '../tensor.js';

/** The keyword parameters of MedPy's distance and object functions (`hd`, `hd95`, `asd`, `assd`, `obj_*`). */
export interface MedpyDistanceParams {
  /** Voxel size: one number or one per axis. Default `null` (1). */
  voxelspacing?: number | number[] | null;
  /** scipy's rank of the neighbourhood (1 faces, 2 edges, 3 corners), of the surfaces and the objects. Default 1. */
  connectivity?: number;
}

type Spacing = number | number[] | null | undefined;

interface Pair {
  result: Uint8Array;
  reference: Uint8Array;
  /** The images' shape. */
  shape: number[];
}

/** Both images as 0/1 bytes of one shape. */
function readPair(fn: string, result: TensorInput, reference: TensorInput): Pair {
  const r = readTensor(fn, 'result', result),
    g = readTensor(fn, 'reference', reference);
  if (r.shape.join() !== g.shape.join()) {
    throw rangeError(fn, 'reference', `has shape [${g.shape.join(', ')}] but result has [${r.shape.join(', ')}]`);
  }
  const binary = (t: TensorData) => Uint8Array.from(t.data as ArrayLike<number>, (v) => (v !== 0 ? 1 : 0));
  // numpy.atleast_1d: a scalar is an image of one voxel.
  return { result: binary(r), reference: binary(g), shape: r.shape.length === 0 ? [1] : r.shape };
}

/** Positional (voxelspacing, connectivity) or one params object. */
function distanceParams(
  fn: string,
  third: Spacing | MedpyDistanceParams,
  fourth: number | undefined,
  rank: number,
): { spacing: number[]; connectivity: number } {
  let spacing: Spacing;
  let connectivity: unknown;
  if (third !== null && typeof third === 'object' && !Array.isArray(third)) {
    const allowed = ['voxelspacing', 'connectivity'];
    const unknown = Object.keys(third).find((key) => !allowed.includes(key));
    if (unknown !== undefined)
      throw typeError(
        fn,
        `option '${unknown}'`,
        `is not a parameter of ${fn}; its parameters are ${allowed.join(', ')}`,
      );
    spacing = third.voxelspacing;
    connectivity = third.connectivity;
  } else {
    spacing = third;
    connectivity = fourth;
  }
  connectivity ??= 1;
  if (typeof connectivity !== 'number' || !Number.isSafeInteger(connectivity) || connectivity < 1) {
    throw rangeError(
      fn,
      'connectivity',
      `must be an integer ≥ 1 (1 faces, 2 edges, 3 corners); got ${describe(connectivity)}`,
    );
  }
  let perAxis: number[];
  if (spacing === undefined || spacing === null) perAxis = new Array<number>(rank).fill(1);
  else if (typeof spacing === 'number') perAxis = new Array<number>(rank).fill(spacing);
  else if (Array.isArray(spacing) && spacing.length === rank) perAxis = spacing.slice();
  else
    throw rangeError(
      fn,
      'voxelspacing',
      `must be a number or ${rank} numbers (one per axis); got ${describe(spacing)}`,
    );
  return { spacing: perAxis, connectivity: Math.min(connectivity, rank) };
}

/** MedPy's connectivity (generate_binary_structure rank) as the native neighbour count. */
function neighbours(reach: number, rank: number): number {
  return [[2], [4, 8], [6, 18, 26]][rank - 1][reach - 1];
}

function checkRank(fn: string, shape: readonly number[]): void {
  if (shape.length < 1 || shape.length > 3) {
    throw rangeError(fn, 'result', `has ${shape.length} axes; the distances take images of 1 to 3 axes`);
  }
}

/** MedPy's RuntimeError for an image without object. */
function requireObjects(fn: string, pair: Pair): void {
  if (!pair.result.some((v) => v !== 0)) throw rangeError(fn, 'result', 'does not contain any binary object');
  if (!pair.reference.some((v) => v !== 0)) throw rangeError(fn, 'reference', 'does not contain any binary object');
}

/** One native count metric of class 1 (the objects), with MedPy's value for 0/0. */
function countMetric(fn: string, metric: string, empty: number, result: TensorInput, reference: TensorInput): number {
  const pair = readPair(fn, result, reference);
  const values = compatKernel().metrics(pair.result, pair.reference, {
    numClasses: 2,
    shape: [1, pair.result.length],
    metrics: [metric],
    empty: 'formula',
  });
  const v = (values[metric] as Float64Array)[1];
  return Number.isNaN(v) ? empty : v;
}

/** Dice coefficient 2|A∩B|/(|A| + |B|); 1 when both are empty (MedPy). */
export const dc = (result: TensorInput, reference: TensorInput): number =>
  countMetric('dc', 'dice', 1, result, reference);
/** Jaccard coefficient |A∩B|/|A∪B|; 1 when both are empty. */
export const jc = (result: TensorInput, reference: TensorInput): number =>
  countMetric('jc', 'iou', 1, result, reference);
/** Precision TP/(TP + FP); 0 when nothing is predicted. */
export const precision = (result: TensorInput, reference: TensorInput): number =>
  countMetric('precision', 'precision', 0, result, reference);
/** Recall TP/(TP + FN); 0 when the reference is empty. */
export const recall = (result: TensorInput, reference: TensorInput): number =>
  countMetric('recall', 'recall', 0, result, reference);
/** Same as recall. */
export const sensitivity = (result: TensorInput, reference: TensorInput): number =>
  countMetric('sensitivity', 'recall', 0, result, reference);
/** Same as recall. */
export const true_positive_rate = (result: TensorInput, reference: TensorInput): number =>
  countMetric('true_positive_rate', 'recall', 0, result, reference);
/** Specificity TN/(TN + FP); 0 when there is no negative. */
export const specificity = (result: TensorInput, reference: TensorInput): number =>
  countMetric('specificity', 'specificity', 0, result, reference);
/** Same as specificity. */
export const true_negative_rate = (result: TensorInput, reference: TensorInput): number =>
  countMetric('true_negative_rate', 'specificity', 0, result, reference);
/** Same as precision. */
export const positive_predictive_value = (result: TensorInput, reference: TensorInput): number =>
  countMetric('positive_predictive_value', 'precision', 0, result, reference);

/**
 * Relative absolute volume difference (|result| − |reference|)/|reference| (signed, as MedPy's code);
 * throws for an empty reference.
 */
export function ravd(result: TensorInput, reference: TensorInput): number {
  const fn = 'ravd';
  const pair = readPair(fn, result, reference);
  const c = compatKernel().confusion(pair.result, pair.reference, { numClasses: 2, shape: [1, pair.result.length] });
  const volume = c.tp[1] + c.fp[1],
    referenceVolume = c.tp[1] + c.fn[1];
  if (referenceVolume === 0) throw rangeError(fn, 'reference', 'does not contain any binary object');
  return (volume - referenceVolume) / referenceVolume;
}

/** One native surface metric of class 1 with MedPy's surfaces and spacing. */
function surfaceMetric(
  fn: string,
  metric: 'hausdorff' | 'hausdorff95' | 'asd' | 'assd',
  result: TensorInput,
  reference: TensorInput,
  third: Spacing | MedpyDistanceParams,
  fourth: number | undefined,
): number {
  const pair = readPair(fn, result, reference);
  checkRank(fn, pair.shape);
  const { spacing, connectivity } = distanceParams(fn, third, fourth, pair.shape.length);
  requireObjects(fn, pair);
  const values = compatKernel().surfaceMetrics(pair.result, pair.reference, {
    numClasses: 2,
    shape: [1, ...pair.shape],
    spacing,
    metrics: [metric],
    surfaceConnectivity: neighbours(connectivity, pair.shape.length),
    hdConvention: 'pooled',
    includeBackground: false,
  });
  return (values[metric] as Float64Array)[1];
}

/** Hausdorff distance: the largest distance from a surface voxel of either image to the other's surface. */
export const hd = (
  result: TensorInput,
  reference: TensorInput,
  voxelspacing?: Spacing | MedpyDistanceParams,
  connectivity?: number,
): number => surfaceMetric('hd', 'hausdorff', result, reference, voxelspacing, connectivity);

/**
 * 95th percentile of the distances of both directions pooled into one list (numpy.percentile,
 * linear): MedPy's definition (`hdConvention: 'pooled'`). MONAI's (and the native `hausdorff95`'s
 * default, `'max-directed'`) takes the larger of the two directions' percentiles instead.
 */
export const hd95 = (
  result: TensorInput,
  reference: TensorInput,
  voxelspacing?: Spacing | MedpyDistanceParams,
  connectivity?: number,
): number => surfaceMetric('hd95', 'hausdorff95', result, reference, voxelspacing, connectivity);

/** Average surface distance: the mean distance from result's surface voxels to reference's surface. */
export const asd = (
  result: TensorInput,
  reference: TensorInput,
  voxelspacing?: Spacing | MedpyDistanceParams,
  connectivity?: number,
): number => surfaceMetric('asd', 'asd', result, reference, voxelspacing, connectivity);

/** Average symmetric surface distance: the mean of both directions' distances together (MedPy ≥ 0.5.2). */
export const assd = (
  result: TensorInput,
  reference: TensorInput,
  voxelspacing?: Spacing | MedpyDistanceParams,
  connectivity?: number,
): number => surfaceMetric('assd', 'assd', result, reference, voxelspacing, connectivity);

/** One native object metric of class 1. */
function objectMetric(
  fn: string,
  metric: 'objTpr' | 'objFpr' | 'objAsd' | 'objAssd',
  result: TensorInput,
  reference: TensorInput,
  third: Spacing | MedpyDistanceParams,
  fourth: number | undefined,
): number {
  const pair = readPair(fn, result, reference);
  checkRank(fn, pair.shape);
  const { spacing, connectivity } = distanceParams(fn, third, fourth, pair.shape.length);
  const values = compatKernel().objectMetrics(pair.result, pair.reference, {
    numClasses: 2,
    shape: [1, ...pair.shape],
    spacing,
    connectivity: neighbours(connectivity, pair.shape.length),
  });
  return (values[metric] as Float64Array)[1];
}

/**
 * The share of result's objects that a one-to-one correspondence with reference's objects (one
 * voxel of overlap suffices) matches: |C|/#result objects, as MedPy's code computes it. Throws
 * when result has no object (MedPy: ZeroDivisionError).
 */
export function obj_tpr(
  result: TensorInput,
  reference: TensorInput,
  connectivity?: number | MedpyDistanceParams,
): number {
  const fourth = typeof connectivity === 'number' ? connectivity : undefined;
  const third = typeof connectivity === 'object' ? connectivity : undefined;
  const v = objectMetric('obj_tpr', 'objTpr', result, reference, third, fourth);
  if (Number.isNaN(v)) throw rangeError('obj_tpr', 'result', 'does not contain any binary object');
  return v;
}

/**
 * The share of reference's objects left without a correspondence: (#reference objects − |C|)/
 * #reference objects, as MedPy's code computes it. Throws when reference has no object.
 */
export function obj_fpr(
  result: TensorInput,
  reference: TensorInput,
  connectivity?: number | MedpyDistanceParams,
): number {
  const fourth = typeof connectivity === 'number' ? connectivity : undefined;
  const third = typeof connectivity === 'object' ? connectivity : undefined;
  const v = objectMetric('obj_fpr', 'objFpr', result, reference, third, fourth);
  if (Number.isNaN(v)) throw rangeError('obj_fpr', 'reference', 'does not contain any binary object');
  return v;
}

/** Average surface distance between corresponding objects (MedPy's obj_asd); NaN without any correspondence. */
export const obj_asd = (
  result: TensorInput,
  reference: TensorInput,
  voxelspacing?: Spacing | MedpyDistanceParams,
  connectivity?: number,
): number => objectMetric('obj_asd', 'objAsd', result, reference, voxelspacing, connectivity);

/** Average symmetric surface distance between corresponding objects (MedPy's obj_assd). */
export const obj_assd = (
  result: TensorInput,
  reference: TensorInput,
  voxelspacing?: Spacing | MedpyDistanceParams,
  connectivity?: number,
): number => objectMetric('obj_assd', 'objAssd', result, reference, voxelspacing, connectivity);
