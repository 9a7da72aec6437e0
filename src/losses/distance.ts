// The distance-weighted losses, with their distance maps treated as constants as MONAI and the
// papers do:
// - Hausdorff-DT loss (Karimi & Salcudean 2019; MONAI's HausdorffDTLoss): per term the mean over
//   voxels of (p − y)²·(d_p^α + d_y^α), d_m the distance map of the mask m > ½ (each voxel's
//   distance to the nearest voxel on the other side; 0 when the mask is empty or full); `logLoss`
//   log(1 + loss) (LogHausdorffDTLoss).
// - Boundary loss (Kervadec et al. 2019, their SurfaceLoss): per term the mean over voxels of
//   p·φ, φ the signed distance map of the target (one_hot2dist: distance to the target outside
//   it, −(distance to the outside − 1) inside; 0 when the target class is empty or full).
import type { LossAndGrad, Spacing, Target } from '../core/api.js';
import type { OwnLoss } from './entry.js';
import type { Engine } from '../backends/engine.js';
import { rangeError } from '../core/errors.js';
import { checkOptionNames, flag, nonNegative } from '../core/options.js';
import type { DistanceLoss, SpatialPlan } from '../core/plans.js';
import { checkSpacing } from '../core/spacing.js';
import { noMask, singleGradient } from './cldice.js';
import {
  runSpatialJob,
  groupsOf,
  planSpatial,
  reduceGroups,
  resolveSpatial,
  SPATIAL_TENSOR_OPTION_NAMES,
  type SpatialSpec,
} from './spatial.js';

export type DistanceLossKind = 'hausdorff' | 'boundary';

const COMMON = [...SPATIAL_TENSOR_OPTION_NAMES, 'includeBackground', 'batch', 'reduction', 'spacing'];
export const DISTANCE_OPTION_NAMES: Readonly<Record<DistanceLossKind, readonly string[]>> = {
  hausdorff: [...COMMON, 'alpha', 'logLoss'],
  boundary: COMMON,
};

export interface DistanceSpec extends SpatialSpec {
  kind: DistanceLossKind;
  /** Exponent of the distance maps (Hausdorff-DT). */
  alpha: number;
  /** log(1 + loss) (Hausdorff-DT). */
  logLoss: boolean;
  /** Per spatial axis in the order of shape (one number for all). */
  spacing: Spacing;
}

export function resolveDistance(
  fn: string,
  kind: DistanceLossKind,
  options: object | undefined,
  names: readonly string[],
  withGrad: boolean,
): DistanceSpec {
  const opts = checkOptionNames(fn, options, names) as Record<string, unknown>;
  const spatial = resolveSpatial(fn, opts, [1, 2, 3], withGrad);
  const spacing = checkSpacing(fn, 'spacing', opts.spacing ?? 1);
  if (Array.isArray(spacing) && (Array.isArray(spacing[0]) || spacing.length !== spatial.rank)) {
    throw rangeError(
      fn,
      'spacing',
      `must be one number, or one per spatial axis (${spatial.rank}, ` +
        `in the order of shape); got ${JSON.stringify(spacing)}`,
    );
  }
  return {
    ...spatial,
    kind,
    alpha: kind === 'hausdorff' ? nonNegative(fn, 'alpha', opts.alpha, 2) : 1,
    logLoss: kind === 'hausdorff' ? flag(fn, 'logLoss', opts.logLoss, false) : false,
    spacing,
  };
}

/** The engine's description of the loss: its kind and the squared spacing along x, y, z for every sample. */
function distanceLoss(spec: DistanceSpec, B: number): DistanceLoss {
  const perAxis =
    typeof spec.spacing === 'number' ? new Array<number>(spec.rank).fill(spec.spacing) : (spec.spacing as number[]);
  const weights = new Float64Array(B * 3).fill(1);
  for (let b = 0; b < B; b++) for (let a = 0; a < spec.rank; a++) weights[b * 3 + a] = perAxis[spec.rank - 1 - a] ** 2;
  return spec.kind === 'hausdorff' ? { kind: 'hausdorff', alpha: spec.alpha, weights } : { kind: 'boundary', weights };
}

/** The loss, and with `withGrad` ∂L/∂(sum of each (sample, class)). */
function evaluate(
  spec: DistanceSpec,
  plan: SpatialPlan,
  sums: Float64Array,
  withGrad: boolean,
): { value: number | Float64Array; coef: Float64Array | null } {
  const { B, C, S } = plan;
  const { group, count } = groupsOf(plan, spec.batch, false);
  const totals = new Float64Array(count),
    voxels = new Float64Array(count);
  const counted = new Uint8Array(count);
  for (let k = 0; k < B * C; k++) {
    if (group[k] < 0) continue;
    counted[group[k]] = 1;
    totals[group[k]] += sums[k];
    voxels[group[k]] += S;
  }
  const values = totals.map((t, g) => (counted[g] ? t / voxels[g] : 0));
  const reduced = reduceGroups(values, counted, spec.reduction);
  let value = reduced.value;
  let scale = reduced.scale;
  if (spec.logLoss) {
    // LogHausdorffDTLoss: log(1 + loss) of the reduced loss (of each term with 'none').
    if (typeof value === 'number') {
      scale /= 1 + value;
      value = Math.log1p(value);
    } else value = value.map(Math.log1p);
  }
  if (!withGrad) return { value, coef: null };
  const coef = new Float64Array(B * C);
  for (let k = 0; k < B * C; k++) if (group[k] >= 0) coef[k] = scale / voxels[group[k]];
  return { value, coef };
}

export function distanceValue(
  engine: Engine,
  spec: DistanceSpec,
  pred: Float32Array,
  target: Target,
): number | Float64Array {
  const plan = planSpatial(engine, spec, pred, target, undefined);
  const job = engine.openDistanceLoss(spec.fn, plan, { pred, target }, distanceLoss(spec, plan.B), undefined);
  return runSpatialJob(spec.fn, job, (sums, withGrad) => evaluate(spec, plan, sums, withGrad), false);
}

export function distanceValueAndGrad(
  engine: Engine,
  spec: DistanceSpec,
  pred: Float32Array,
  target: Target,
  out: Float32Array | undefined,
): LossAndGrad {
  const plan = planSpatial(engine, spec, pred, target, out);
  const job = engine.openDistanceLoss(spec.fn, plan, { pred, target }, distanceLoss(spec, plan.B), out ?? null);
  return runSpatialJob(spec.fn, job, (sums, withGrad) => evaluate(spec, plan, sums, withGrad), true);
}

/** The registry's code path of a distance-weighted loss. */
export function distancePath(
  kind: DistanceLossKind,
): Pick<OwnLoss<DistanceSpec>, 'resolve' | 'value' | 'valueAndGrad'> {
  return {
    resolve: (fn, options, names, withGrad) => resolveDistance(fn, kind, options, names, withGrad),
    value: (engine, spec, pred, target, mask) => {
      noMask(spec.fn, mask);
      return distanceValue(engine, spec, pred, target);
    },
    valueAndGrad: (engine, spec, pred, target, out, mask) => {
      noMask(spec.fn, mask);
      singleGradient(spec);
      return distanceValueAndGrad(engine, spec, pred, target, out);
    },
  };
}
