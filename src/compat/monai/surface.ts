// MONAI's surface-distance metrics (monai.metrics, 1.5) as thin translations onto
// k.surfaceMetrics: y_pred and y are binarised one-hot (B, C, ...spatial) tensors read as masks
// (non-zero = the class), background dropped unless include_background, results (B, C').
// MONAI's empty-mask rules are the native `empty: 'formula'` (docs/surface-distances.md), except
// the one quirk reproduced here: MONAI's percentile of a list of +∞ distances is NaN
// (torch.quantile interpolates ∞ − ∞), so a percentile Hausdorff distance with one empty mask is NaN.
import type { MetricEmptyPolicy, Spacing } from '../../core/api.js';
import { describe, rangeError } from '../../core/errors.js';
import { checkOptionNames, flag } from '../../core/options.js';
import { compatKernel } from '../kernel.js';
import type { Tensor, TensorInput } from '../tensor.js';
import { readSameShape, type MonaiInputs } from './inputs.js';

/** MONAI's `spacing`: a number, one per spatial axis, or one such list per image; null is 1. */
export type MonaiSpacing = number | number[] | number[][] | null;

/**
 * The parameters of MONAI's `compute_hausdorff_distance`, under their Python names; an absent one takes MONAI's
 * default.
 */
export interface ComputeHausdorffDistanceParams {
  /** Measure channel 0 too. Default `false` (as MONAI). */
  include_background?: boolean;
  /** `'euclidean'` (default); `'chessboard'` and `'taxicab'` are refused. */
  distance_metric?: string;
  /** Report this percentile (0–100) of the distances instead of their maximum. Default `null` (the maximum). */
  percentile?: number | null;
  /** From the prediction to the target only. Default `false`. */
  directed?: boolean;
  /** Voxel size: one number, one per spatial axis, or one such list per image. Default `null` (1). */
  spacing?: MonaiSpacing;
}

/** The parameters of MONAI's `compute_surface_dice`, under their Python names; an absent one takes MONAI's default. */
export interface ComputeSurfaceDiceParams {
  /** Measure channel 0 too. Default `false` (as MONAI). */
  include_background?: boolean;
  /** `'euclidean'` (default); `'chessboard'` and `'taxicab'` are refused. */
  distance_metric?: string;
  /** Voxel size: one number, one per spatial axis, or one such list per image. Default `null` (1). */
  spacing?: MonaiSpacing;
  /** MONAI's subvoxel surfaces; `true` is refused (not provided). Default `false`. */
  use_subvoxels?: boolean;
}

/**
 * The parameters of MONAI's `compute_average_surface_distance`, under their Python names; an absent one takes MONAI's
 * default.
 */
export interface ComputeAverageSurfaceDistanceParams {
  /** Measure channel 0 too. Default `false` (as MONAI). */
  include_background?: boolean;
  /** Average over both directions (ASSD) instead of from the prediction only. Default `false`. */
  symmetric?: boolean;
  /** `'euclidean'` (default); `'chessboard'` and `'taxicab'` are refused. */
  distance_metric?: string;
  /** Voxel size: one number, one per spatial axis, or one such list per image. Default `null` (1). */
  spacing?: MonaiSpacing;
}

/** One native surface metric over MONAI's inputs (read by readSameShape), as MONAI's (B, C') table. */
function surfaceTable(
  inputs: MonaiInputs,
  spacing: unknown,
  metric: string,
  extra: { percentile?: number; directed?: boolean; tolerance?: number[] },
): Tensor {
  const shape = inputs.options.shape as number[];
  const C = shape[1];
  const values = compatKernel().surfaceMetrics(inputs.pred, inputs.target, {
    ...inputs.options,
    shape,
    metrics: [metric],
    spacing: (spacing ?? 1) as Spacing,
    empty: 'formula' as MetricEmptyPolicy,
    includeBackground: inputs.includeBackground,
    ...extra,
  })[metric];
  const B = shape[0],
    K = inputs.classes.length;
  const data = new Float64Array(B * K);
  for (let b = 0; b < B; b++)
    inputs.classes.forEach((c, j) => {
      data[b * K + j] = values[b * C + c];
    });
  return { data, shape: [B, K] };
}

function euclidean(fn: string, value: unknown): void {
  if (value !== undefined && value !== 'euclidean') {
    throw rangeError(
      fn,
      'distance_metric',
      `must be 'euclidean' (the only distance these metrics compute here; MONAI's 'chessboard' and ` +
        `'taxicab' are not provided); got ${describe(value)}`,
    );
  }
}

/**
 * monai.metrics.compute_hausdorff_distance: per (sample, class) the Hausdorff distance between
 * the edges of y_pred and y (max of the two directed distances, or y_pred → y with `directed`),
 * or with `percentile` the larger of the two directions' percentiles; in `spacing` units.
 * One empty mask gives +∞ (NaN with a percentile, as MONAI), two give NaN.
 * @example
 * monai.compute_hausdorff_distance(yPred, y, { percentile: 95, spacing: [0.8, 0.8, 2.5] }); // (B, C - 1)
 */
export function compute_hausdorff_distance(
  yPred: TensorInput,
  y: TensorInput,
  params?: ComputeHausdorffDistanceParams,
): Tensor {
  const fn = 'compute_hausdorff_distance';
  const p = checkOptionNames(fn, params, [
    'include_background',
    'distance_metric',
    'percentile',
    'directed',
    'spacing',
  ]);
  euclidean(fn, p.distance_metric);
  // MONAI: `if not percentile` takes the maximum, so 0 and None both mean the plain Hausdorff distance.
  const percentile = p.percentile === null || p.percentile === undefined || p.percentile === 0 ? null : p.percentile;
  if (percentile !== null && !(typeof percentile === 'number' && percentile >= 0 && percentile <= 100)) {
    throw rangeError(fn, 'percentile', `should be a value between 0 and 100; got ${describe(percentile)}`);
  }
  const directed = flag(fn, 'directed', p.directed, false);
  const inputs = readSameShape(fn, yPred, y, flag(fn, 'include_background', p.include_background, false), 3);
  if (percentile === null) return surfaceTable(inputs, p.spacing, 'hausdorff', { directed });
  const table = surfaceTable(inputs, p.spacing, 'hausdorff95', { directed, percentile });
  // torch.quantile of all-∞ distances (one mask empty) is NaN.
  return { data: table.data.map((v) => (v === Number.POSITIVE_INFINITY ? Number.NaN : v)), shape: table.shape };
}

/**
 * monai.metrics.compute_surface_dice (NSD, Nikolov et al. 2021): per (sample, class) the share
 * of the edge voxels of y_pred and y within `class_thresholds[c]` (spacing units) of the other's
 * edges; one empty mask gives 0, two NaN. `use_subvoxels` is not provided.
 * @example
 * monai.compute_surface_dice(yPred, y, [1, 2], { spacing: [0.8, 0.8] }); // (B, 2) for 3 channels
 */
export function compute_surface_dice(
  yPred: TensorInput,
  y: TensorInput,
  classThresholds: number[],
  params?: ComputeSurfaceDiceParams,
): Tensor {
  const fn = 'compute_surface_dice';
  const p = checkOptionNames(fn, params, ['include_background', 'distance_metric', 'spacing', 'use_subvoxels']);
  euclidean(fn, p.distance_metric);
  if (flag(fn, 'use_subvoxels', p.use_subvoxels, false)) {
    throw rangeError(
      fn,
      'use_subvoxels',
      'true (surface areas from marching cubes) is not provided; edge voxels are counted',
    );
  }
  const includeBackground = flag(fn, 'include_background', p.include_background, false);
  const thresholds = Array.isArray(classThresholds) ? classThresholds : [];
  const bad = thresholds.findIndex((t) => !(typeof t === 'number' && Number.isFinite(t) && t >= 0));
  if (!Array.isArray(classThresholds) || bad >= 0) {
    throw rangeError(
      fn,
      bad >= 0 ? `class_thresholds[${bad}]` : 'class_thresholds',
      'must be a list of finite numbers ≥ 0, one per class; got ' +
        `${describe(bad >= 0 ? thresholds[bad] : classThresholds)}`,
    );
  }
  const inputs = readSameShape(fn, yPred, y, includeBackground, 3);
  if (thresholds.length !== inputs.classes.length) {
    throw rangeError(
      fn,
      'class_thresholds',
      `has ${thresholds.length} values but there are ${inputs.classes.length} classes (after include_background)`,
    );
  }
  // Native tolerances per channel: the thresholds of the classes MONAI keeps, 0 for a dropped background.
  const tolerance = new Array<number>((inputs.options.shape as number[])[1]).fill(0);
  inputs.classes.forEach((c, j) => {
    tolerance[c] = thresholds[j];
  });
  return surfaceTable(inputs, p.spacing, 'nsd', { tolerance });
}

/**
 * monai.metrics.compute_average_surface_distance: per (sample, class) the mean distance from
 * the edge voxels of y_pred to those of y, or with `symmetric` the mean over both directions'
 * distances (ASSD); one empty mask gives +∞, two NaN.
 * @example
 * monai.compute_average_surface_distance(yPred, y, { symmetric: true }); // (B, C - 1)
 */
export function compute_average_surface_distance(
  yPred: TensorInput,
  y: TensorInput,
  params?: ComputeAverageSurfaceDistanceParams,
): Tensor {
  const fn = 'compute_average_surface_distance';
  const p = checkOptionNames(fn, params, ['include_background', 'symmetric', 'distance_metric', 'spacing']);
  euclidean(fn, p.distance_metric);
  const inputs = readSameShape(fn, yPred, y, flag(fn, 'include_background', p.include_background, false), 3);
  return surfaceTable(inputs, p.spacing, flag(fn, 'symmetric', p.symmetric, false) ? 'assd' : 'asd', {});
}
