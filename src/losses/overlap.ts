// Overlap losses and scores from the statistics of kernel 1: option resolution, the formula
// per term, the empty-target policy, the reduction, and the gradient coefficients for kernel 2.
//
// Two shapes of formula cover the family: a score per (sample, class) term — the Tversky index
// (Dice, Jaccard, Tversky, focal Tversky are its parameters) and the Matthews correlation, rows of
// TERM_SCORES — and the Generalized Dice score per sample, whose classes are weighted by their
// target volume (Sudre et al. 2017). Both reduce to ∂L/∂I and ∂L/∂P per (sample, class), which
// `writeCoefficients` turns into kernel 2's a, b, q, s. Which loss uses which score, with which
// parameters, is its entry in registry.ts.
import type { LossEmptyPolicy, Reduction, WeightType } from '../core/api.js';
import {
  COEF_Q,
  COEF_S,
  COEF_STRIDE,
  COEF_Y0,
  COEF_Y1,
  STAT_A,
  STAT_G,
  STAT_I,
  STAT_N,
  STAT_P,
  STATS_STRIDE,
} from '../core/constants.js';
import { rangeError } from '../core/errors.js';
import { mccWithPartials, tverskyWithPartials, type TverskyParams } from '../math/overlap.js';
import { LOSS_EMPTY_POLICIES, REDUCTIONS, WEIGHT_TYPES } from '../core/option-values.js';
import { checkOptionNames, classWeights, flag, nonNegative, oneOf } from '../core/options.js';
import type { OverlapPart, ScoreName, SumsLoss } from './entry.js';
import { evaluatePoint, resolvePoint, type PointSpec } from './pointwise.js';
import { resolveTensorOptions, type SumOptions, type TensorPlan, type TensorSpec } from '../core/tensors.js';

/** A resolved loss or score: everything but the arrays. */
export interface OverlapSpec {
  fn: string;
  tensor: TensorSpec;
  /** The overlap part's score formula ('none' for a pointwise loss alone). */
  kind: ScoreName | 'none';
  /** Tversky parameters; the other scores use only the smoothing. */
  params: TverskyParams;
  /** Exponent of the focal Tversky loss (1 − T)^γ; 1 for the others. */
  gamma: number;
  squared: boolean;
  softLabel: boolean;
  logLoss: boolean;
  includeBackground: boolean;
  /** Class weights (length C), or null for 1. */
  weight: Float64Array | null;
  batch: boolean;
  reduction: Reduction;
  empty: LossEmptyPolicy;
  weightType: WeightType;
  /** The pointwise term, if any, and the weights of the two parts. */
  pointwise: PointSpec | null;
  lambdaOverlap: number;
  lambdaPoint: number;
}

/** The sums a spec needs from kernel 1. */
export function sumsOf(spec: OverlapSpec): SumOptions {
  return {
    squared: spec.squared,
    softLabel: spec.softLabel,
    point: spec.pointwise?.kind ?? 'none',
    gamma: spec.pointwise?.gamma ?? 1,
  };
}

/**
 * Resolves the options of a loss (or of the Dice coefficient) once, from its registry entry.
 * `names` is the option set of the calling function.
 */
export function resolveOverlap(
  fn: string,
  loss: SumsLoss,
  options: object | undefined,
  names: readonly string[],
  withGrad: boolean,
): OverlapSpec {
  const opts = checkOptionNames(fn, options, names) as Record<string, unknown>;
  const tensor = resolveTensorOptions(fn, opts, loss.activation);
  const overlap = loss.overlap;
  const smooth = nonNegative(fn, 'smooth', opts.smooth, overlap?.smooth ?? 1);
  const smoothNr = nonNegative(fn, 'smoothNr', opts.smoothNr, smooth);
  const smoothDr = nonNegative(fn, 'smoothDr', opts.smoothDr, smooth);
  const { includeBackground, reduction } = resolveTermOptions(fn, opts, tensor.C, withGrad);
  return {
    fn,
    tensor,
    kind: overlap?.score ?? 'none',
    params:
      overlap === null
        ? { alpha: 0.5, beta: 0.5, smoothNr, smoothDr }
        : scoreParams(fn, overlap, opts, smoothNr, smoothDr),
    gamma: overlap === null || overlap.gamma === null ? 1 : focalGamma(fn, opts.gamma, overlap.gamma),
    squared: flag(fn, 'squared', opts.squared, false),
    softLabel: flag(fn, 'softLabel', opts.softLabel, false),
    logLoss: flag(fn, 'logLoss', opts.logLoss, false),
    includeBackground,
    // Generalized Dice weighs its classes by their volume (a combined loss's weight goes to its pointwise part).
    weight: overlap?.score === 'generalizedDice' ? null : classWeights(fn, opts.weight, tensor.C),
    batch: flag(fn, 'batch', opts.batch, false),
    reduction,
    empty: oneOf(fn, 'empty', opts.empty, LOSS_EMPTY_POLICIES, 'smooth'),
    weightType: oneOf(fn, 'weightType', opts.weightType, WEIGHT_TYPES, 'square'),
    // MONAI: DiceFocal passes include_background to both parts; DiceCE's cross-entropy ignores it.
    pointwise:
      loss.point === null
        ? null
        : resolvePoint(fn, loss.point, opts, tensor, reduction, includeBackground, overlap === null),
    lambdaOverlap: nonNegative(fn, 'lambdaOverlap', opts.lambdaOverlap, 1),
    lambdaPoint: nonNegative(fn, 'lambdaPoint', opts.lambdaPoint, 1),
  };
}

/** The Tversky parameters of an overlap part: its weights (options when tunable) and its smoothing. */
function scoreParams(
  fn: string,
  overlap: Readonly<OverlapPart>,
  opts: Record<string, unknown>,
  smoothNr: number,
  smoothDr: number,
): TverskyParams {
  return {
    alpha: overlap.tunable ? nonNegative(fn, 'alpha', opts.alpha, overlap.alpha) : overlap.alpha,
    beta: overlap.tunable ? nonNegative(fn, 'beta', opts.beta, overlap.beta) : overlap.beta,
    smoothNr: smoothNr * overlap.smoothScale,
    smoothDr: smoothDr * overlap.smoothScale,
  };
}

function focalGamma(fn: string, value: unknown, fallback: number): number {
  const gamma = nonNegative(fn, 'gamma', value, fallback);
  if (gamma === 0) throw rangeError(fn, 'gamma', 'must be > 0 ((1 − T)^0 is constant)');
  return gamma;
}

export interface OverlapOutcome {
  /** The reduced value, or one value per term (sample-major, every class) for reduction 'none'. */
  value: number | Float64Array;
  /** Kernel 2 coefficients per (sample, class), when asked for. */
  coef: Float64Array | null;
}

/**
 * The loss (or score) of one call from its statistics: λ_overlap·overlap + λ_point·pointwise, and
 * with `withGrad` the coefficients of kernel 2 (overlap slots a, b, q, s; pointwise slots e, f).
 */
export function evaluateOverlap(
  spec: OverlapSpec,
  plan: TensorPlan,
  stats: Float64Array,
  mode: 'loss' | 'score',
  withGrad: boolean,
): OverlapOutcome {
  const lambda = mode === 'score' || spec.pointwise === null ? 1 : spec.lambdaOverlap;
  const overlap: OverlapOutcome =
    spec.kind === 'none'
      ? { value: 0, coef: withGrad ? new Float64Array(plan.B * plan.C * COEF_STRIDE) : null }
      : spec.kind === 'generalizedDice'
        ? evaluateGeneralizedDice(spec, plan, stats, withGrad, lambda)
        : evaluateTerms(spec, plan, stats, mode, withGrad, lambda);
  if (spec.pointwise === null || mode === 'score') return overlap;
  const lambdaPoint = spec.kind === 'none' ? 1 : spec.lambdaPoint;
  const point = evaluatePoint(spec.fn, spec.pointwise, plan, stats, lambdaPoint, overlap.coef);
  return { value: (overlap.value as number) + point, coef: overlap.coef };
}

/** The intersection of a record: Σp·y, or (P + G − Σ|p − y|)/2 for soft labels. */
function intersection(plan: TensorPlan, sums: Float64Array, at: number): number {
  return plan.soft ? (sums[at + STAT_P] + sums[at + STAT_G] - sums[at + STAT_A]) / 2 : sums[at + STAT_I];
}

/** The scores of one (sample, class) term. */
type TermScore = Exclude<ScoreName, 'generalizedDice'>;

/**
 * Each per-term score from a record of kernel 1's sums (at `at`): writes [T, ∂T/∂I, ∂T/∂P, ∂T/∂G]
 * to `out`. A new score of the sums I, P, G, N is one more row (and a name in ScoreName).
 */
const TERM_SCORES: Readonly<
  Record<
    TermScore,
    (plan: TensorPlan, sums: Float64Array, at: number, params: TverskyParams, out: Float64Array) => void
  >
> = {
  tversky: (plan, sums, at, params, out) =>
    tverskyWithPartials(intersection(plan, sums, at), sums[at + STAT_P], sums[at + STAT_G], params, out),
  // MCC's smoothing ε is added to each of its four counts.
  mcc: (_plan, sums, at, params, out) =>
    mccWithPartials(sums[at + STAT_I], sums[at + STAT_P], sums[at + STAT_G], sums[at + STAT_N], params.smoothNr, out),
};

/**
 * One score (a Tversky index, the Matthews correlation) per (sample, class) term, or per class
 * with `batch`; the loss of a term is weight_c · ℓ(T) with ℓ = 1 − T, −log T (logLoss) or (1 − T)^γ (focal).
 */
function evaluateTerms(
  spec: OverlapSpec,
  plan: TensorPlan,
  stats: Float64Array,
  mode: 'loss' | 'score',
  withGrad: boolean,
  lambda: number,
): OverlapOutcome {
  const { B, C } = plan;
  const sums = spec.batch ? poolSamples(stats, B, C) : stats;
  const terms = spec.batch ? C : B * C;
  const first = spec.includeBackground ? 0 : 1;
  const values = new Float64Array(terms);
  const dLdT = new Float64Array(terms);
  const partials = new Float64Array(4 * terms);
  const counted = new Uint8Array(terms);
  const part = new Float64Array(4);
  for (let t = 0; t < terms; t++) {
    const at = t * STATS_STRIDE;
    const c = t % C;
    counted[t] = c >= first ? 1 : 0;
    if (mode === 'loss' && sums[at + STAT_G] === 0 && spec.empty !== 'smooth') {
      // 'zero': the term counts with loss 0 (smp); 'skip': it is left out of the reduction.
      // Either way its score is not needed, so an empty prediction without smoothing is fine.
      if (spec.empty === 'skip') counted[t] = 0;
      continue;
    }
    TERM_SCORES[spec.kind as TermScore](plan, sums, at, spec.params, part);
    partials.set(part, 4 * t);
    const score = part[0];
    if (!Number.isFinite(score)) throw undefinedScore(spec, t, C);
    if (mode === 'score') {
      values[t] = score;
      continue;
    }
    const [loss, slope] = lossOfScore(spec, score);
    if (!Number.isFinite(loss) || !Number.isFinite(slope)) {
      throw rangeError(
        spec.fn,
        spec.logLoss ? 'logLoss' : 'pred',
        `makes the loss of ${termName(spec, t, C)} infinite or NaN: its score is ${score} (−log needs a ` +
          'score > 0; add smoothing)',
      );
    }
    const w = spec.weight?.[c] ?? 1;
    values[t] = w * loss;
    dLdT[t] = w * slope;
  }

  const { value, scale } = reduce(values, counted, spec.reduction, lambda);
  if (!withGrad) return { value, coef: null };
  const coef = new Float64Array(B * C * COEF_STRIDE);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const t = spec.batch ? c : b * C + c;
      if (!counted[t]) continue;
      const d = scale * dLdT[t];
      writeCoefficients(plan, coef, b * C + c, d * partials[4 * t + 1], d * partials[4 * t + 2]);
    }
  }
  return { value, coef };
}

/** ℓ(T) and dℓ/dT for one term. */
function lossOfScore(spec: OverlapSpec, score: number): [number, number] {
  if (spec.gamma !== 1) {
    // Focal Tversky (Abraham & Khan 2019): (1 − T)^γ per class. At T ≥ 1 (a perfect term) the
    // loss is 0 and so is the slope (for γ < 1 the one-sided derivative there is infinite).
    const base = Math.max(1 - score, 0);
    return [base ** spec.gamma, base > 0 ? -spec.gamma * base ** (spec.gamma - 1) : 0];
  }
  return spec.logLoss ? [-Math.log(score), -1 / score] : [1 - score, -1];
}

/**
 * Generalized Dice (Sudre et al. 2017) per sample, or once over the batch with `batch`:
 * GD = (2·Σ_c w_c·I_c + sNr) / (Σ_c w_c·(P_c + G_c) + sDr), loss 1 − GD, with w_c = 1/G_c²,
 * 1/G_c or 1; the infinite weight of a class absent from the target is replaced by the largest
 * finite weight of the term (MONAI), and by 0 when every class is absent.
 */
function evaluateGeneralizedDice(
  spec: OverlapSpec,
  plan: TensorPlan,
  stats: Float64Array,
  withGrad: boolean,
  lambda: number,
): OverlapOutcome {
  const { B, C } = plan;
  const sums = spec.batch ? poolSamples(stats, B, C) : stats;
  const terms = spec.batch ? 1 : B;
  const first = spec.includeBackground ? 0 : 1;
  const { smoothNr, smoothDr } = spec.params;
  const values = new Float64Array(terms);
  const weights = new Float64Array(terms * C);
  const nums = new Float64Array(terms);
  const dens = new Float64Array(terms);
  for (let t = 0; t < terms; t++) {
    const w = weights.subarray(t * C, (t + 1) * C);
    let largest = 0;
    for (let c = first; c < C; c++) {
      const G = sums[(t * C + c) * STATS_STRIDE + STAT_G];
      w[c] = spec.weightType === 'square' ? 1 / (G * G) : spec.weightType === 'simple' ? 1 / G : 1;
      if (Number.isFinite(w[c])) largest = Math.max(largest, w[c]);
    }
    let num = smoothNr;
    let den = smoothDr;
    for (let c = first; c < C; c++) {
      if (!Number.isFinite(w[c])) w[c] = largest;
      const at = (t * C + c) * STATS_STRIDE;
      num += 2 * w[c] * intersection(plan, sums, at);
      den += w[c] * (sums[at + STAT_P] + sums[at + STAT_G]);
    }
    values[t] = 1 - num / den;
    if (!Number.isFinite(values[t])) {
      throw rangeError(
        spec.fn,
        'smoothDr',
        `is 0 and ${spec.batch ? 'the batch' : `sample ${t}`} has an empty prediction and target, so its ` +
          'score is 0/0; use a smoothing > 0',
      );
    }
    nums[t] = num;
    dens[t] = den;
  }
  const { value, scale } = reduce(values, new Uint8Array(terms).fill(1), spec.reduction, lambda);
  if (!withGrad) return { value, coef: null };
  const coef = new Float64Array(B * C * COEF_STRIDE);
  for (let b = 0; b < B; b++) {
    const t = spec.batch ? 0 : b;
    for (let c = first; c < C; c++) {
      const w = weights[t * C + c];
      // loss = 1 − num/den: ∂/∂I_c = −2w/den, ∂/∂P_c = w·num/den² (weights depend on G only).
      writeCoefficients(plan, coef, b * C + c, (-scale * 2 * w) / dens[t], (scale * w * nums[t]) / (dens[t] * dens[t]));
    }
  }
  return { value, coef };
}

/**
 * Kernel 2 coefficients of (sample, class) k from ∂L/∂I and ∂L/∂P: ∂L/∂p = ∂L/∂I·∂I/∂p + ∂L/∂P·∂P/∂p
 * with ∂I/∂p = y, or (1 − sign(p − y))/2 for soft labels, and ∂P/∂p = 1, or 2p when squared; the
 * y-dependent part goes in as its values at y = 1 and y = 0, summed here in f64 (COEF_Y1).
 */
function writeCoefficients(plan: TensorPlan, coef: Float64Array, k: number, dI: number, dP: number): void {
  const at = k * COEF_STRIDE;
  if (plan.soft) {
    coef[at + COEF_Y1] = coef[at + COEF_Y0] = dI / 2 + dP;
    coef[at + COEF_S] = -dI / 2;
  } else if (plan.squared) {
    coef[at + COEF_Y1] = dI;
    coef[at + COEF_Q] = 2 * dP;
  } else {
    coef[at + COEF_Y1] = dI + dP;
    coef[at + COEF_Y0] = dP;
  }
}

/**
 * λ times the mean or sum of the counted terms (or the list of every term), and
 * ∂(result)/∂(term value) for a counted term.
 */
function reduce(
  values: Float64Array,
  counted: Uint8Array,
  reduction: Reduction,
  lambda: number,
): { value: number | Float64Array; scale: number } {
  if (reduction === 'none') return { value: values, scale: 1 };
  let sum = 0;
  let n = 0;
  values.forEach((v, t) => {
    if (counted[t]) {
      sum += v;
      n += 1;
    }
  });
  if (reduction === 'sum') return { value: lambda * sum, scale: lambda };
  // Every term skipped (empty: 'skip' on empty targets): nothing to learn from, loss 0.
  return n === 0 ? { value: 0, scale: 0 } : { value: (lambda * sum) / n, scale: lambda / n };
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
    return rangeError(
      spec.fn,
      'smoothDr',
      `is 0 and ${termName(spec, t, C)} has an empty prediction and target, so its score is 0/0; use a ` +
        'smoothing > 0 (the default smooth is 1)',
    );
  }
  return rangeError(spec.fn, 'pred', `gives a score that is not finite for ${termName(spec, t, C)}`);
}

/**
 * The options every per-(sample, class) loss takes, checked: `includeBackground` (default true;
 * false needs at least 2 classes) and `reduction` (default 'mean'; 'none' refused with a gradient).
 */
export function resolveTermOptions(
  fn: string,
  opts: { includeBackground?: boolean; reduction?: Reduction },
  C: number,
  withGrad: boolean,
): { includeBackground: boolean; reduction: Reduction } {
  const includeBackground = flag(fn, 'includeBackground', opts.includeBackground, true);
  if (!includeBackground && C < 2) {
    throw rangeError(fn, 'includeBackground', `false needs at least 2 classes (shape gives C = ${C})`);
  }
  const reduction = oneOf(fn, 'reduction', opts.reduction, REDUCTIONS, 'mean');
  if (withGrad && reduction === 'none') {
    throw rangeError(
      fn,
      'reduction',
      `'none' gives one loss per term, which has no single gradient; use 'mean' or 'sum'`,
    );
  }
  return { includeBackground, reduction };
}
