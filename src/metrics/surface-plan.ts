// The plan of one surface measurement: the confusion plan of the arrays (how pred and target
// say which class a voxel is), the spatial grid in memory order, the squared spacing of each
// sample, and which (sample, class) terms need measuring (core/plans.ts: the plan, and the record
// the engines fill).
import type { ConfusionCounts, Spacing } from '../core/api.js';
import { DIST_MAX, DIST_SUM } from '../core/constants.js';
import { list, rangeError } from '../core/errors.js';
import {
  SURF_PRED,
  SURF_PRED_PERCENTILE,
  SURF_STRIDE,
  SURF_TARGET,
  SURF_TARGET_PERCENTILE,
  type ConfusionPlan,
  type SurfacePlan,
} from '../core/plans.js';
import type { SurfaceSpec } from './surface-options.js';

export function planSurface(
  spec: SurfaceSpec,
  arrays: ConfusionPlan,
  shape: readonly number[],
  counts: ConfusionCounts,
): SurfacePlan {
  const { fn } = spec;
  const { B, C } = arrays;
  const spatial = spatialShape(fn, arrays, shape, 'surface metrics');
  const rank = spatial.length;
  const reversed = [...spatial].reverse();
  const dims: [number, number, number] = [reversed[0], reversed[1] ?? 1, reversed[2] ?? 1];
  const first = spec.includeBackground || C === 1 ? 0 : 1;
  const terms = new Uint8Array(B * C);
  for (let k = 0; k < B * C; k++) {
    const present = counts.tp[k] + counts.fp[k] + counts.fn[k] > 0;
    terms[k] = present && k % C >= first ? 1 : 0;
  }
  const ids = spec.metrics.map((m) => m.id);
  const scale = spacingScale(spec.spacing);
  return {
    arrays,
    dims,
    rank,
    weights: squaredSpacing(fn, spec.spacing, B, rank, scale),
    scale,
    tolerance: classTolerance(fn, spec.tolerance, C).map((t) => t / scale),
    percentile: ids.includes('hausdorff95') ? spec.percentile : null,
    pooled: spec.hdConvention === 'pooled',
    surfel: surfelRank(fn, spec.surfel, rank),
    reach: reachOf(fn, spec.surfaceConnectivity, rank),
    symmetric:
      spec.surfel ||
      ids.some(
        (id) => id === 'assd' || id === 'nsd' || ((id === 'hausdorff' || id === 'hausdorff95') && !spec.directed),
      ),
    terms,
  };
}

/** The smallest power of two ≥ every spacing (checkSpacing bounds them, see surface-options.ts). */
function spacingScale(spacing: Spacing): number {
  const values = typeof spacing === 'number' ? [spacing] : (spacing as readonly (number | readonly number[])[]).flat();
  let largest = 0;
  for (const v of values) largest = Math.max(largest, v);
  let scale = 2 ** Math.ceil(Math.log2(largest));
  while (scale < largest) scale *= 2;
  return scale;
}

/** Distances (sums, maxima, percentiles) of surface records measured in units of `scale`, in spacing units. */
export function rescaleRecords(records: Float64Array, scale: number): void {
  if (scale === 1) return;
  for (let term = 0; term < records.length; term += SURF_STRIDE) {
    for (const side of [SURF_PRED, SURF_TARGET]) {
      records[term + side + DIST_SUM] *= scale;
      records[term + side + DIST_MAX] *= scale;
    }
    records[term + SURF_PRED_PERCENTILE] *= scale;
    records[term + SURF_TARGET_PERCENTILE] *= scale;
  }
}

/** The spatial axes of a shape (in its order), 1 to 3 of them, else a RangeError naming `what` needs them. */
export function spatialShape(
  fn: string,
  arrays: ConfusionPlan,
  shape: readonly number[],
  what: string,
): readonly number[] {
  const spatial =
    arrays.pred.kind === 'labels' ? shape.slice(1) : arrays.layout === 'NCHW' ? shape.slice(2) : shape.slice(1, -1);
  if (spatial.length < 1 || spatial.length > 3) {
    throw rangeError(
      fn,
      'shape',
      `${list(shape)} has ${spatial.length} spatial axes; ${what} take 1 to 3 ` +
        (arrays.pred.kind === 'labels'
          ? '([B, ...spatial] for a label map)'
          : `([B, C, ...spatial] (${arrays.layout}))`),
    );
  }
  return spatial;
}

/** B × 3 squared spacings in units of `scale`, in memory order (x = the last spatial axis), 1 on missing axes. */
export function squaredSpacing(fn: string, spacing: Spacing, B: number, rank: number, scale = 1): Float64Array {
  const perSample: readonly (readonly number[])[] =
    typeof spacing === 'number'
      ? [new Array<number>(rank).fill(spacing)]
      : typeof spacing[0] === 'number'
        ? [spacing as readonly number[]]
        : (spacing as readonly (readonly number[])[]);
  if (perSample.length !== 1 && perSample.length !== B) {
    throw rangeError(
      fn,
      'spacing',
      `gives ${perSample.length} spacings, one per sample, but the batch has ${B} samples`,
    );
  }
  const weights = new Float64Array(B * 3).fill(1);
  for (let b = 0; b < B; b++) {
    const s = perSample[perSample.length === 1 ? 0 : b];
    if (s.length !== rank) {
      const at = perSample.length === 1 || typeof spacing === 'number' ? '' : `[${b}]`;
      throw rangeError(
        fn,
        `spacing${at}`,
        `has ${s.length} values but the images have ${rank} spatial axes (in the order of shape)`,
      );
    }
    for (let axis = 0; axis < rank; axis++) weights[b * 3 + axis] = (s[rank - 1 - axis] / scale) ** 2;
  }
  return weights;
}

function classTolerance(fn: string, tolerance: number | Float64Array | null, C: number): Float64Array {
  if (tolerance === null) return new Float64Array(C);
  if (typeof tolerance === 'number') return new Float64Array(C).fill(tolerance);
  if (tolerance.length !== C)
    throw rangeError(fn, 'tolerance', `has ${tolerance.length} values but there are ${C} classes`);
  return tolerance;
}

/** `surfel` checked against the images' rank: DeepMind's surfels are defined in 2D and 3D. */
function surfelRank(fn: string, surfel: boolean, rank: number): boolean {
  if (surfel && rank < 2) {
    throw rangeError(
      fn,
      'surfel',
      'true needs images of 2 or 3 spatial axes (contour elements in 2D, surface elements in 3D, as ' +
        "DeepMind's surface-distance defines them); these have 1",
    );
  }
  return surfel;
}

/** The reach (axes a deciding neighbour moves along) of a surface connectivity for `rank` axes. */
function reachOf(fn: string, connectivity: number | null, rank: number): number {
  if (connectivity === null) return 1;
  const reach = (
    { 1: { 2: 1 }, 2: { 4: 1, 8: 2 }, 3: { 6: 1, 18: 2, 26: 3 } } as Record<number, Record<number, number>>
  )[rank][connectivity];
  if (reach === undefined) {
    throw rangeError(
      fn,
      'surfaceConnectivity',
      `${connectivity} is not a connectivity of ${rank} spatial ax${rank === 1 ? 'is' : 'es'} ` +
        `(${{ 1: '2', 2: '4, 8', 3: '6, 18, 26' }[rank]})`,
    );
  }
  return reach;
}
