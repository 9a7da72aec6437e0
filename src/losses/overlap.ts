// Overlap losses and scores from the statistics of kernel 1: option resolution, the formula
// per term, the reduction, and the gradient coefficients (a, b, q) for kernel 2.
import {
  COEF_A, COEF_B, COEF_Q, COEF_STRIDE, STAT_G, STAT_I, STAT_P, STATS_STRIDE,
  type DiceLossGradOptions, type Reduction,
} from '../api.js';
import { rangeError } from '../errors.js';
import { lossOfScore, lossSlope } from '../math/loss.js';
import { diceParams, tverskyWithPartials, type TverskyParams } from '../math/overlap.js';
import { checkOptionNames, classWeights, flag, nonNegative, oneOf } from './options.js';
import { resolveTensorOptions, TENSOR_OPTION_NAMES, type TensorPlan, type TensorSpec } from './tensors.js';

/** A resolved overlap loss or score: everything but the arrays. */
export interface OverlapSpec {
  fn: string;
  tensor: TensorSpec;
  params: TverskyParams;
  squared: boolean;
  logLoss: boolean;
  includeBackground: boolean;
  /** Class weights (length C), or null for 1. */
  weight: Float64Array | null;
  batch: boolean;
  reduction: Reduction;
}

export const DICE_SCORE_OPTION_NAMES: readonly string[] = [
  ...TENSOR_OPTION_NAMES, 'includeBackground', 'batch', 'reduction', 'smooth', 'smoothNr', 'smoothDr', 'squared',
];
export const DICE_LOSS_OPTION_NAMES: readonly string[] = [...DICE_SCORE_OPTION_NAMES, 'weight', 'logLoss'];
export const DICE_GRAD_OPTION_NAMES: readonly string[] = [...DICE_LOSS_OPTION_NAMES, 'out'];

const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** Resolves Dice options once; `names` is the option set of the calling function. */
export function resolveDice(fn: string, options: DiceLossGradOptions | undefined, names: readonly string[], withGrad: boolean): OverlapSpec {
  const opts = checkOptionNames(fn, options, names);
  const tensor = resolveTensorOptions(fn, opts);
  const smooth = nonNegative(fn, 'smooth', opts.smooth, 1);
  const includeBackground = flag(fn, 'includeBackground', opts.includeBackground, true);
  if (!includeBackground && tensor.C < 2) {
    throw rangeError(fn, 'includeBackground', `false needs at least 2 classes (shape gives C = ${tensor.C})`);
  }
  const reduction = oneOf(fn, 'reduction', opts.reduction, REDUCTIONS, 'mean');
  if (withGrad && reduction === 'none') {
    throw rangeError(fn, 'reduction', `'none' gives one loss per term, which has no single gradient; use 'mean' or 'sum'`);
  }
  return {
    fn,
    tensor,
    params: diceParams(nonNegative(fn, 'smoothNr', opts.smoothNr, smooth), nonNegative(fn, 'smoothDr', opts.smoothDr, smooth)),
    squared: flag(fn, 'squared', opts.squared, false),
    logLoss: flag(fn, 'logLoss', opts.logLoss, false),
    includeBackground,
    weight: classWeights(fn, opts.weight, tensor.C),
    batch: flag(fn, 'batch', opts.batch, false),
    reduction,
  };
}

export interface OverlapOutcome {
  /** The reduced value, or one value per term (sample-major, every class) for reduction 'none'. */
  value: number | Float64Array;
  /** Kernel 2 coefficients per (sample, class), when asked for. */
  coef: Float64Array | null;
}

/**
 * Scores every term (each (sample, class), or each class with `batch`), turns them into losses
 * (`mode: 'loss'`) or keeps them (`'score'`), reduces over the included classes and, with
 * `withGrad`, returns ∂L/∂I and ∂L/∂P per (sample, class) as kernel 2 coefficients.
 */
export function evaluateOverlap(spec: OverlapSpec, plan: TensorPlan, stats: Float64Array, mode: 'loss' | 'score', withGrad: boolean): OverlapOutcome {
  const { B, C } = plan;
  const sums = spec.batch ? poolSamples(stats, B, C) : stats;
  const terms = spec.batch ? C : B * C;
  const partials = new Float64Array(4 * terms);
  const values = new Float64Array(terms);
  const part = new Float64Array(4);
  for (let t = 0; t < terms; t++) {
    const at = t * STATS_STRIDE;
    tverskyWithPartials(sums[at + STAT_I], sums[at + STAT_P], sums[at + STAT_G], spec.params, part);
    partials.set(part, 4 * t);
    const score = part[0];
    if (!Number.isFinite(score)) throw undefinedScore(spec, t, C);
    if (mode === 'score') {
      values[t] = score;
    } else {
      const loss = lossOfScore(score, spec.logLoss);
      if (!Number.isFinite(loss)) {
        throw rangeError(spec.fn, 'logLoss', `makes the loss of ${termName(spec, t, C)} infinite or NaN: its score is ${score} (−log needs a score > 0; add smoothing)`);
      }
      values[t] = (spec.weight?.[t % C] ?? 1) * loss;
    }
  }

  const first = spec.includeBackground ? 0 : 1;
  const included = (terms / C) * (C - first);
  let value: number | Float64Array;
  if (spec.reduction === 'none') {
    value = values;
  } else {
    let sum = 0;
    for (let t = 0; t < terms; t++) if (t % C >= first) sum += values[t];
    value = spec.reduction === 'mean' ? sum / included : sum;
  }
  if (!withGrad) return { value, coef: null };

  const coef = new Float64Array(B * C * COEF_STRIDE);
  const perTerm = spec.reduction === 'mean' ? 1 / included : 1;
  for (let b = 0; b < B; b++) {
    for (let c = first; c < C; c++) {
      const t = spec.batch ? c : b * C + c;
      const dScore = (spec.weight?.[c] ?? 1) * perTerm * lossSlope(partials[4 * t], spec.logLoss);
      const dI = dScore * partials[4 * t + 1];
      const dP = dScore * partials[4 * t + 2];
      const at = (b * C + c) * COEF_STRIDE;
      coef[at + COEF_A] = dI;
      // ∂P/∂p is 1, or 2p when P = Σ p².
      if (spec.squared) coef[at + COEF_Q] = 2 * dP;
      else coef[at + COEF_B] = dP;
    }
  }
  return { value, coef };
}

/** Statistics summed over samples: one record per class. */
function poolSamples(stats: Float64Array, B: number, C: number): Float64Array {
  const pooled = new Float64Array(C * STATS_STRIDE);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < C * STATS_STRIDE; k++) pooled[k] += stats[b * C * STATS_STRIDE + k];
  }
  return pooled;
}

function termName(spec: OverlapSpec, t: number, C: number): string {
  return spec.batch ? `class ${t} (pooled over the batch)` : `sample ${Math.floor(t / C)}, class ${t % C}`;
}

function undefinedScore(spec: OverlapSpec, t: number, C: number): RangeError {
  if (spec.params.smoothDr === 0) {
    return rangeError(spec.fn, 'smoothDr', `is 0 and ${termName(spec, t, C)} has an empty prediction and target, so its score is 0/0; use a smoothing > 0 (the default smooth is 1)`);
  }
  return rangeError(spec.fn, 'pred', `gives a score that is not finite for ${termName(spec, t, C)}`);
}
