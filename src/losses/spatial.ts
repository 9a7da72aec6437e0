// What the losses on whole class volumes share (the soft clDice loss, the distance-weighted
// losses): the tensor options with a required shape of 1 to 3 (or 2 to 3) spatial axes, the terms
// of a call — per (sample, class), pooled over the batch with `batch` — the checks of the arrays,
// and the reduction of the term values.
import type { LossAndGrad, Reduction, Target, TensorOptions } from '../core/api.js';
import type { Engine, SpatialJob } from '../backends/engine.js';
import { checkAttached, checkOut } from '../core/arrays.js';
import { rangeError } from '../core/errors.js';
import { flag } from '../core/options.js';
import type { SpatialPlan } from '../core/plans.js';
import { planTensors, resolveTensorOptions, type TensorSpec } from '../core/tensors.js';
import { resolveTermOptions } from './overlap.js';

/** The tensor options these losses take (no ignoreIndex: a skeleton or a distance map has no holes to skip). */
export const SPATIAL_TENSOR_OPTION_NAMES = ['shape', 'layout', 'activation', 'target'] as const;

export interface SpatialSpec {
  fn: string;
  tensor: TensorSpec;
  /** Spatial extents fastest first, 1 for axes the image has not, and how many it has. */
  dims: [number, number, number];
  rank: number;
  includeBackground: boolean;
  batch: boolean;
  reduction: Reduction;
}

/** Resolves the options every such loss takes; `ranks` are the numbers of spatial axes it accepts. */
export function resolveSpatial(
  fn: string,
  opts: Record<string, unknown>,
  ranks: readonly number[],
  withGrad: boolean,
): SpatialSpec {
  if (opts.shape === undefined) {
    throw rangeError(
      fn,
      'shape',
      `is required: [B, C, ...spatial] (${ranks.join(' or ')} ` +
        `spatial axes; channels first, or last with layout 'NHWC')`,
    );
  }
  const tensor = resolveTensorOptions(fn, {
    shape: opts.shape,
    layout: opts.layout,
    activation: opts.activation,
    target: opts.target,
  } as TensorOptions);
  const shape = tensor.shape as readonly number[];
  const spatial = shape.length < 2 ? [] : tensor.layout === 'NCHW' ? shape.slice(2) : shape.slice(1, -1);
  if (!ranks.includes(spatial.length)) {
    throw rangeError(
      fn,
      'shape',
      `[${shape.join(', ')}] has ${spatial.length} spatial axes; this loss ` +
        `takes ${ranks.join(' or ')} ([B, C, ...spatial], ${tensor.layout})`,
    );
  }
  const reversed = [...spatial].reverse();
  const { includeBackground, reduction } = resolveTermOptions(fn, opts, tensor.C, withGrad);
  return {
    fn,
    tensor,
    dims: [reversed[0], reversed[1] ?? 1, reversed[2] ?? 1],
    rank: spatial.length,
    includeBackground,
    batch: flag(fn, 'batch', opts.batch, false),
    reduction,
  };
}

/** Checks the arrays of a call against the options (and `out` against pred); nothing is computed yet. */
export function planSpatial(
  engine: Engine,
  spec: SpatialSpec,
  pred: Float32Array,
  target: Target,
  out: Float32Array | undefined,
): SpatialPlan {
  checkAttached(engine, spec.fn, pred, target, null, out);
  const { plan, inputs } = planTensors(spec.fn, spec.tensor, { squared: false, softLabel: false }, pred, target);
  if (out !== undefined) checkOut(engine, spec.fn, out, inputs);
  const { B, C, S } = plan;
  if (B === 0) throw rangeError(spec.fn, 'shape', 'has no sample: there is nothing to reduce');
  const first = spec.includeBackground ? 0 : 1;
  const terms = new Uint8Array(B * C);
  for (let k = 0; k < B * C; k++) terms[k] = k % C >= first ? 1 : 0;
  return {
    B,
    C,
    S,
    dims: spec.dims,
    rank: spec.rank,
    layout: plan.layout,
    activation: plan.activation,
    targetKind: plan.targetKind,
    targetType: plan.targetType,
    terms,
  };
}

/** Sums of a call that are not finite come from NaN or ±∞ in pred (or a dense target). */
export function checkSums(fn: string, sums: Float64Array): void {
  if (sums.every(Number.isFinite)) return;
  throw rangeError(fn, 'pred', 'holds NaN or ±∞ (or the target does): the loss is not finite');
}

/**
 * The groups of (sample, class) terms whose sums add before the formula: per term, or over the
 * batch (`batch`), or over the included classes (`poolClasses`); group of each term (−1 for a
 * term left out) and the number of groups.
 */
export function groupsOf(
  plan: SpatialPlan,
  batch: boolean,
  poolClasses: boolean,
): { group: Int32Array; count: number } {
  const { B, C } = plan;
  const classGroups = poolClasses ? 1 : C;
  const group = new Int32Array(B * C).fill(-1);
  for (let k = 0; k < B * C; k++) {
    if (plan.terms[k] === 0) continue;
    const b = Math.floor(k / C),
      c = k % C;
    group[k] = (batch ? 0 : b) * classGroups + (poolClasses ? 0 : c);
  }
  return { group, count: (batch ? 1 : B) * classGroups };
}

/**
 * The reduced loss of the group values (mean or sum of the groups that hold a term; every group
 * for 'none', NaN for those that hold none) and ∂(loss)/∂(group value).
 */
export function reduceGroups(
  values: Float64Array,
  counted: Uint8Array,
  reduction: Reduction,
): { value: number | Float64Array; scale: number } {
  if (reduction === 'none') return { value: values.map((v, g) => (counted[g] ? v : Number.NaN)), scale: 1 };
  let sum = 0,
    n = 0;
  values.forEach((v, g) => {
    if (counted[g]) {
      sum += v;
      n++;
    }
  });
  if (reduction === 'sum') return { value: sum, scale: 1 };
  return n === 0 ? { value: 0, scale: 0 } : { value: sum / n, scale: 1 / n };
}

/** What a spatial loss makes of a job's sums: the value, and with `withGrad` each term's gradient coefficient. */
export type SpatialEvaluation = (
  sums: Float64Array,
  withGrad: boolean,
) => { value: number | Float64Array; coef: Float64Array | null };

/**
 * A spatial loss from its open job (closed here, whatever happens): the sums, checked finite, then
 * the value, or the value and the job's gradient when `withGrad`.
 */
export function runSpatialJob(
  fn: string,
  job: SpatialJob,
  evaluate: SpatialEvaluation,
  withGrad: false,
): number | Float64Array;
export function runSpatialJob(fn: string, job: SpatialJob, evaluate: SpatialEvaluation, withGrad: true): LossAndGrad;
export function runSpatialJob(
  fn: string,
  job: SpatialJob,
  evaluate: SpatialEvaluation,
  withGrad: boolean,
): number | Float64Array | LossAndGrad {
  try {
    const sums = job.sums();
    checkSums(fn, sums);
    const { value, coef } = evaluate(sums, withGrad);
    return withGrad ? { loss: value as number, grad: job.grad(coef as Float64Array) } : value;
  } finally {
    job.close();
  }
}
