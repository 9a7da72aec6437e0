// The soft clDice loss and Dice + clDice (Shit et al., CVPR 2021; MONAI's SoftclDiceLoss and
// SoftDiceclDiceLoss): options, the call (the engine's skeleton job sums each term; the formula
// of math/cldice.ts per group of terms; the job turns ∂L/∂sums into the gradient), createLoss.
import type { LossAndGrad, Target } from '../core/api.js';
import type { OwnLoss } from './entry.js';
import type { Engine } from '../backends/engine.js';
import { describe, rangeError } from '../core/errors.js';
import { checkOptionNames, flag, nonNegative } from '../core/options.js';
import {
  SKEL_A,
  SKEL_B,
  SKEL_C,
  SKEL_COEF_STRIDE,
  SKEL_D,
  SKEL_G,
  SKEL_I,
  SKEL_P,
  SKEL_STRIDE,
} from '../core/plans.js';
import { clDiceLoss, softDiceLoss } from '../math/cldice.js';
import {
  runSpatialJob,
  groupsOf,
  planSpatial,
  reduceGroups,
  resolveSpatial,
  SPATIAL_TENSOR_OPTION_NAMES,
  type SpatialSpec,
} from './spatial.js';

export const CLDICE_OPTION_NAMES = [
  ...SPATIAL_TENSOR_OPTION_NAMES,
  'includeBackground',
  'batch',
  'poolClasses',
  'reduction',
  'smooth',
  'iterations',
] as const;
export const DICE_CLDICE_OPTION_NAMES = [...CLDICE_OPTION_NAMES, 'alpha'] as const;

/** The most erosions of the soft skeleton (each keeps a volume for the gradient). */
const MAX_ITERATIONS = 100;

export interface ClDiceSpec extends SpatialSpec {
  poolClasses: boolean;
  smooth: number;
  iterations: number;
  /** Dice + clDice: the weight α of clDice (Dice weighs 1 − α); null for clDice alone. */
  alpha: number | null;
}

export function resolveClDice(
  fn: string,
  options: object | undefined,
  names: readonly string[],
  withDice: boolean,
  withGrad: boolean,
): ClDiceSpec {
  const opts = checkOptionNames(fn, options, names) as Record<string, unknown>;
  const spatial = resolveSpatial(fn, opts, [2, 3], withGrad);
  const iterations = opts.iterations ?? 3;
  if (
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < 0 ||
    iterations > MAX_ITERATIONS
  ) {
    throw rangeError(
      fn,
      'iterations',
      `must be an integer in [0, ${MAX_ITERATIONS}]; got ${describe(opts.iterations)}`,
    );
  }
  let alpha: number | null = null;
  if (withDice) {
    alpha = nonNegative(fn, 'alpha', opts.alpha, 0.5);
    if (alpha > 1) throw rangeError(fn, 'alpha', `must be in [0, 1] (the weight of clDice); got ${alpha}`);
  }
  return {
    ...spatial,
    poolClasses: flag(fn, 'poolClasses', opts.poolClasses, false),
    smooth: nonNegative(fn, 'smooth', opts.smooth, 1),
    iterations,
    alpha,
  };
}

/** The loss of each group of terms, and with `withGrad` the coefficients ∂L/∂sums of each (sample, class). */
function evaluate(
  spec: ClDiceSpec,
  plan: Parameters<typeof groupsOf>[0],
  sums: Float64Array,
  withGrad: boolean,
): { value: number | Float64Array; coef: Float64Array | null } {
  const { B, C } = plan;
  const { group, count } = groupsOf(plan, spec.batch, spec.poolClasses);
  const pooled = new Float64Array(count * SKEL_STRIDE);
  const counted = new Uint8Array(count);
  for (let k = 0; k < B * C; k++) {
    if (group[k] < 0) continue;
    counted[group[k]] = 1;
    for (let j = 0; j < SKEL_STRIDE; j++) pooled[group[k] * SKEL_STRIDE + j] += sums[k * SKEL_STRIDE + j];
  }
  const values = new Float64Array(count);
  const partials = new Float64Array(count * SKEL_COEF_STRIDE);
  for (let g = 0; g < count; g++) {
    if (!counted[g]) continue;
    const at = g * SKEL_STRIDE;
    const [cl, dA, dB, dC] = clDiceLoss(
      pooled[at + SKEL_A],
      pooled[at + SKEL_B],
      pooled[at + SKEL_C],
      pooled[at + SKEL_D],
      spec.smooth,
    );
    let value = cl;
    const part = [dA, dB, dC, 0, 0, 0];
    if (spec.alpha !== null) {
      const [dice, dI, dP] = softDiceLoss(pooled[at + SKEL_I], pooled[at + SKEL_P], pooled[at + SKEL_G], spec.smooth);
      const a = spec.alpha;
      value = (1 - a) * dice + a * cl;
      for (let j = 0; j < 4; j++) part[j] *= a;
      part[SKEL_I] = (1 - a) * dI;
      part[SKEL_P] = (1 - a) * dP;
    }
    if (!Number.isFinite(value)) {
      throw rangeError(
        spec.fn,
        'smooth',
        `is ${spec.smooth} and ${groupName(spec, g, C)} has an empty skeleton or ` +
          `no overlap, so its clDice is 0/0; use a smoothing > 0 (the default is 1)`,
      );
    }
    values[g] = value;
    partials.set(part, g * SKEL_COEF_STRIDE);
  }
  const { value, scale } = reduceGroups(values, counted, spec.reduction);
  if (!withGrad) return { value, coef: null };
  const coef = new Float64Array(B * C * SKEL_COEF_STRIDE);
  for (let k = 0; k < B * C; k++) {
    if (group[k] < 0) continue;
    for (let j = 0; j < SKEL_COEF_STRIDE; j++)
      coef[k * SKEL_COEF_STRIDE + j] = scale * partials[group[k] * SKEL_COEF_STRIDE + j];
  }
  return { value, coef };
}

function groupName(spec: ClDiceSpec, g: number, C: number): string {
  const classes = spec.poolClasses ? 1 : C;
  const sample = spec.batch ? 'the batch' : `sample ${Math.floor(g / classes)}`;
  return spec.poolClasses ? `${sample} (its classes pooled)` : `${sample}, class ${g % classes}`;
}

export function clDiceValue(
  engine: Engine,
  spec: ClDiceSpec,
  pred: Float32Array,
  target: Target,
): number | Float64Array {
  const plan = planSpatial(engine, spec, pred, target, undefined);
  const job = engine.openSkeletonLoss(spec.fn, plan, { pred, target }, spec.iterations, undefined);
  return runSpatialJob(spec.fn, job, (sums, withGrad) => evaluate(spec, plan, sums, withGrad), false);
}

export function clDiceValueAndGrad(
  engine: Engine,
  spec: ClDiceSpec,
  pred: Float32Array,
  target: Target,
  out: Float32Array | undefined,
): LossAndGrad {
  const plan = planSpatial(engine, spec, pred, target, out);
  const job = engine.openSkeletonLoss(spec.fn, plan, { pred, target }, spec.iterations, out ?? null);
  return runSpatialJob(spec.fn, job, (sums, withGrad) => evaluate(spec, plan, sums, withGrad), true);
}

/** The registry's code path of the clDice losses (clDice alone, or Dice + clDice). */
export function clDicePath(withDice: boolean): Pick<OwnLoss<ClDiceSpec>, 'resolve' | 'value' | 'valueAndGrad'> {
  return {
    resolve: (fn, options, names, withGrad) => resolveClDice(fn, options, names, withDice, withGrad),
    value: (engine, spec, pred, target, mask) => {
      noMask(spec.fn, mask);
      return clDiceValue(engine, spec, pred, target);
    },
    valueAndGrad: (engine, spec, pred, target, out, mask) => {
      noMask(spec.fn, mask);
      singleGradient(spec);
      return clDiceValueAndGrad(engine, spec, pred, target, out);
    },
  };
}

/** createLoss resolves once for both calls: its valueAndGrad refuses reduction 'none' there. */
export function singleGradient(spec: { fn: string; reduction: string }): void {
  if (spec.reduction === 'none') {
    throw rangeError(
      spec.fn,
      'reduction',
      `'none' gives one loss per term, which has no single gradient; use 'mean' or 'sum'`,
    );
  }
}

/** These losses take no mask (a skeleton or a distance map has no voxels to skip). */
export function noMask(fn: string, mask: unknown): void {
  if (mask !== undefined && mask !== null) {
    throw rangeError(fn, 'mask', 'is not taken by this loss (its skeletons and distance maps need every voxel)');
  }
}
