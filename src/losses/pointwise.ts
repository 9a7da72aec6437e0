// Pointwise terms — binary cross-entropy, cross-entropy, focal — from the sums E, E2 of kernel 1
// (see assembly/constants.ts POINT_*): their value, and kernel 2's coefficients e, f.
//
// Their reductions follow PyTorch / MONAI: 'mean' divides by the number of counted elements
// (BCE, focal), by the number of counted voxels (cross-entropy with a dense target), or by
// Σ weight[label] over counted voxels (cross-entropy with a label map, torch's weighted mean);
// 'none' (a pointwise loss alone) is each element's term, summed over the classes of its voxel
// for cross-entropy (kernel 3), so that 'sum' is the sum of those values over the classes reduced.
import { COEF_E, COEF_F, COEF_STRIDE, STAT_E, STAT_E2, STAT_G, STAT_N, STATS_STRIDE } from '../core/constants.js';
import { rangeError } from '../core/errors.js';
import { classWeights, nonNegative } from '../core/options.js';
import type { PointKind, TensorPlan, TensorSpec } from '../core/tensors.js';
import type { PointFamily } from './entry.js';

export interface PointSpec {
  kind: Exclude<PointKind, 'none'>;
  /** Class weights (length C) or null. */
  weight: Float64Array | null;
  /** BCE: weight of the positive term per class (torch's pos_weight), or null. */
  posWeight: Float64Array | null;
  /** Cross-entropy: the target becomes (1 − ε)·y + ε/C. */
  labelSmoothing: number;
  /** Focal exponent. */
  gamma: number;
  /** Focal class balance: sigmoid α·y + (1 − α)·(1 − y); softmax 1 − α for class 0, α for the others. */
  alpha: number | null;
  /** 'none' only for a pointwise loss alone (one value per element, or per voxel for cross-entropy). */
  reduction: 'mean' | 'sum' | 'none';
  /**
   * First class the term covers: 1 leaves class 0 out of the sums and the mean (MONAI's
   * include_background=False for its focal loss). Cross-entropy always covers every class.
   */
  firstClass: number;
}

/**
 * Resolves a pointwise term. `family` names the term the caller offers: 'bce' and 'ce' are fixed
 * (BCE needs sigmoid, cross-entropy softmax); 'either' (Dice + CE) follows the activation —
 * cross-entropy with softmax, BCE with sigmoid; focal takes either activation. `alone`: the term is
 * the whole loss, which may then have reduction 'none'.
 */
export function resolvePoint(
  fn: string,
  family: PointFamily,
  opts: Record<string, unknown>,
  tensor: TensorSpec,
  reduction: string,
  includeBackground: boolean,
  alone: boolean,
): PointSpec {
  if (tensor.activation === 'none') {
    throw rangeError(
      fn,
      'activation',
      `must be 'sigmoid' or 'softmax': the ${family === 'focal' ? 'focal' : 'cross-entropy'} term is ` +
        'computed from logits',
    );
  }
  const kind =
    family === 'focal' ? 'focal' : family === 'either' ? (tensor.activation === 'sigmoid' ? 'bce' : 'ce') : family;
  if (kind === 'ce' && tensor.activation !== 'softmax') {
    throw rangeError(
      fn,
      'activation',
      `must be 'softmax' for cross-entropy; got '${tensor.activation}' (bceLoss is the sigmoid form)`,
    );
  }
  if (kind === 'bce' && tensor.activation !== 'sigmoid') {
    throw rangeError(
      fn,
      'activation',
      `must be 'sigmoid' for binary cross-entropy; got '${tensor.activation}' (crossEntropyLoss is the softmax form)`,
    );
  }
  if (reduction !== 'mean' && reduction !== 'sum' && !(alone && reduction === 'none')) {
    throw rangeError(fn, 'reduction', `must be 'mean' or 'sum' for a loss with a pointwise part; got '${reduction}'`);
  }
  const smoothing = nonNegative(fn, 'labelSmoothing', opts.labelSmoothing, 0);
  if (smoothing > 1) throw rangeError(fn, 'labelSmoothing', `must be in [0, 1]; got ${smoothing}`);
  let alpha: number | null = null;
  if (opts.alpha !== undefined && opts.alpha !== null) {
    alpha = nonNegative(fn, 'alpha', opts.alpha, 0);
    if (alpha > 1) throw rangeError(fn, 'alpha', `must be in [0, 1]; got ${alpha}`);
  }
  return {
    kind,
    weight: classWeights(fn, opts.weight, tensor.C),
    posWeight: perClass(fn, 'posWeight', opts.posWeight, tensor.C),
    labelSmoothing: smoothing,
    gamma: nonNegative(fn, 'gamma', opts.gamma, 2),
    alpha,
    reduction: reduction as PointSpec['reduction'],
    firstClass: kind === 'ce' || includeBackground ? 0 : 1,
  };
}

/** A number for every class, or one per class. */
function perClass(fn: string, name: string, value: unknown, C: number): Float64Array | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return new Float64Array(C).fill(nonNegative(fn, name, value, 1));
  return classWeights(fn, value, C, name);
}

/**
 * The value of the pointwise term times `lambda`; with `coef`, adds its kernel 2 coefficients
 * (the derivative of lambda·value) to every (sample, class).
 */
export function evaluatePoint(
  fn: string,
  spec: PointSpec,
  plan: TensorPlan,
  stats: Float64Array,
  lambda: number,
  coef: Float64Array | null,
): number {
  if (spec.reduction === 'none') throw new Error(`${fn}: reduction 'none' is per element (pointLossCoefficients)`);
  const { B, C } = plan;
  const w = (c: number) => spec.weight?.[c] ?? 1;
  // Per class: the value is Σ_b (k1·E + k2·E2) and kernel 2's e, f are k·(scale), by kind.
  const k1 = new Float64Array(C);
  const k2 = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    if (spec.kind === 'bce') {
      k1[c] = w(c);
      k2[c] = w(c) * ((spec.posWeight?.[c] ?? 1) - 1);
    } else if (spec.kind === 'ce') {
      k1[c] = w(c) * (1 - spec.labelSmoothing);
      k2[c] = (w(c) * spec.labelSmoothing) / C;
    } else if (plan.activation === 'softmax') {
      k1[c] = w(c) * (spec.alpha === null ? 1 : c === 0 ? 1 - spec.alpha : spec.alpha);
    } else {
      k1[c] = w(c) * (spec.alpha === null ? 1 : 1 - spec.alpha);
      k2[c] = w(c) * (spec.alpha === null ? 0 : 2 * spec.alpha - 1);
    }
  }
  let sum = 0;
  let count = 0;
  for (let b = 0; b < B; b++) {
    for (let c = spec.firstClass; c < C; c++) {
      const at = (b * C + c) * STATS_STRIDE;
      sum += k1[c] * stats[at + STAT_E] + k2[c] * stats[at + STAT_E2];
      if (spec.kind !== 'ce') count += stats[at + STAT_N];
      else if (plan.targetKind === 'labels') count += w(c) * stats[at + STAT_G];
      else if (c === 0) count += stats[at + STAT_N];
    }
  }
  const norm = spec.reduction === 'sum' ? 1 : count;
  // Nothing counted (everything ignored or masked): the term is 0 and so is its gradient.
  const scale = norm > 0 ? lambda / norm : 0;
  const value = sum * scale;
  if (!Number.isFinite(value)) throw rangeError(fn, 'pred', 'gives a pointwise loss that is not finite');
  if (coef !== null) {
    for (let b = 0; b < B; b++) {
      for (let c = spec.firstClass; c < C; c++) {
        const at = (b * C + c) * COEF_STRIDE;
        coef[at + COEF_E] = scale * k1[c];
        // Softmax focal has no second sum; e alone scales its derivative.
        coef[at + COEF_F] = scale * k2[c];
      }
    }
  }
  return value;
}

/** How many values reduction 'none' gives: one per element of pred, or one per voxel for cross-entropy. */
export function pointLossLength(plan: TensorPlan): number {
  return plan.B * (plan.point === 'ce' ? 1 : plan.C) * plan.S;
}

/**
 * Kernel 3's coefficients for reduction 'none': each element's weighted term, every class listed
 * (includeBackground changes only what 'mean' and 'sum' take), unscaled — so the values add up to
 * the term's 'sum' over every class. Throws as the reduced forms do when that sum is not finite.
 */
export function pointLossCoefficients(
  fn: string,
  spec: PointSpec,
  plan: TensorPlan,
  stats: Float64Array,
): Float64Array {
  const coef = new Float64Array(plan.B * plan.C * COEF_STRIDE);
  evaluatePoint(fn, { ...spec, reduction: 'sum', firstClass: 0 }, plan, stats, 1, coef);
  return coef;
}
