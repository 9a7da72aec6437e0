// An independent float64 reference of the whole overlap-loss family — Dice, Jaccard, Tversky,
// focal Tversky, Generalized Dice and the soft Matthews correlation — written from the formulas of the specification
// (issue 3
// and the loss-family brief), not from the library: nothing here imports src/. Straight loops
// over samples, classes and voxels; pred values are used as given (no float32 rounding inside).
//
// Per (sample b, class c) over the counted voxels (not ignoreIndex, mask ≠ 0), with p = act(pred)
// and y the dense target, or [label == c] for a label map:
//   I = Σ p·y, or with softLabel (dense target, not squared) I = (P + G − Σ|p − y|)/2
//   P = Σ p   (Σ p² squared)        G = Σ y   (Σ y² squared)
// With `batch` the sums of every sample are added first: one term per class.
//   dice          D = (2I + sNr) / (P + G + sDr)
//   jaccard       J = (I + sNr) / (P + G − I + sDr)
//   tversky       T = (I + sNr) / (I + α(P − I) + β(G − I) + sDr)            α, β default ½
//   focalTversky  term loss (max(1 − T, 0))^γ                             α 0.7, β 0.3, γ 0.75
//   mcc           soft counts tp = Σ p·y, fp = Σ p·(1 − y), fn = Σ (1 − p)·y, tn = Σ (1 − p)·(1 − y),
//                 each + ε (smooth, default 1e-5; smp's eps), MCC = (tp·tn − fp·fn) / √((tp + fp)
//                 (tp + fn)(tn + fp)(tn + fn)), term loss 1 − MCC (smp's MCCLoss)
//   others        term loss 1 − score, or −log(score) with logLoss
// times weight[c]. empty policy for a term with G = 0: 'smooth' (nothing special), 'zero' (loss 0,
// still counted), 'skip' (not counted; listed as 0 by 'none'). Reduction: mean over the counted
// terms of the included classes (0 if there is none), sum, or none (every term, sample-major).
//
// generalizedDice: one term per sample (one with batch) over the included classes:
//   GD = (2·Σ_c w_c·I_c + sNr) / (Σ_c w_c·(P_c + G_c) + sDr),  loss 1 − GD
//   w_c = 1/G_c² (square), 1/G_c (simple), 1 (uniform); an infinite weight is replaced by the
//   largest finite weight of the term, or 0 if there is none.
import { elementIndex, shapeAxes, type RefActivation, type RefLayout, type RefReduction } from './dice.js';

export type RefLoss = 'dice' | 'jaccard' | 'tversky' | 'focalTversky' | 'generalizedDice' | 'mcc';
export type RefEmpty = 'smooth' | 'zero' | 'skip';
export type RefWeightType = 'square' | 'simple' | 'uniform';

export interface OverlapRefOptions {
  shape?: readonly number[];
  layout?: RefLayout;
  activation?: RefActivation;
  /** Default: dense when target has pred's length, else a label map. */
  target?: 'dense' | 'labels';
  ignoreIndex?: number | null;
  /** B·S values (one per voxel of each sample) or S (shared); 0 = the voxel counts nowhere. */
  mask?: ArrayLike<number> | null;
  includeBackground?: boolean;
  weight?: ArrayLike<number> | null;
  batch?: boolean;
  reduction?: RefReduction;
  smooth?: number;
  smoothNr?: number;
  smoothDr?: number;
  squared?: boolean;
  softLabel?: boolean;
  logLoss?: boolean;
  alpha?: number;
  beta?: number;
  gamma?: number;
  empty?: RefEmpty;
  weightType?: RefWeightType;
}

export interface RefSums {
  I: number;
  P: number;
  G: number;
  /** Counted voxels. */
  N: number;
  /** The soft confusion counts Σ p·(1 − y), Σ (1 − p)·y, Σ (1 − p)·(1 − y) (MCC; tp is I). */
  FP: number;
  FN: number;
  TN: number;
}

export interface OverlapRefTerm extends RefSums {
  /** Sample, or -1 for a term pooled over the batch. */
  b: number;
  /** Class, or -1 for a Generalized Dice term (all classes). */
  c: number;
  /** D, J, T or GD. */
  score: number;
  /** The term's loss (weighted; 0 for an empty term under 'zero' or 'skip'). */
  loss: number;
  /** Whether the term enters the mean / sum. */
  counted: boolean;
}

export interface OverlapRefResult {
  B: number;
  C: number;
  S: number;
  /** Sums per (sample, class), sample-major, before any pooling. */
  sums: RefSums[];
  terms: OverlapRefTerm[];
  /** The reduced loss, or every term's loss for reduction 'none'. */
  loss: number | number[];
}

/** act(pred), element by element in pred's layout. */
export function activate(
  pred: ArrayLike<number>,
  shape: readonly number[],
  layout: RefLayout,
  activation: RefActivation,
): Float64Array {
  const { B, C, S } = shapeAxes(shape, layout);
  const at = (b: number, c: number, s: number): number => elementIndex(layout, C, S, b, c, s);
  const p = new Float64Array(pred.length);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (activation === 'softmax') {
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, pred[at(b, c, s)]);
        let z = 0;
        for (let c = 0; c < C; c++) z += Math.exp(pred[at(b, c, s)] - max);
        for (let c = 0; c < C; c++) p[at(b, c, s)] = Math.exp(pred[at(b, c, s)] - max) / z;
      } else {
        for (let c = 0; c < C; c++) {
          const x = pred[at(b, c, s)];
          p[at(b, c, s)] = activation === 'sigmoid' ? 1 / (1 + Math.exp(-x)) : x;
        }
      }
    }
  }
  return p;
}

export function overlapReference(
  loss: RefLoss,
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  options: OverlapRefOptions = {},
): OverlapRefResult {
  const layout = options.layout ?? 'NCHW';
  const shape = options.shape ?? [pred.length];
  const { B, C, S } = shapeAxes(shape, layout);
  if (B * C * S !== pred.length)
    throw new Error(`reference: pred has ${pred.length} elements, shape holds ${B * C * S}`);
  const kind = options.target ?? (target.length === pred.length ? 'dense' : 'labels');
  if (target.length !== (kind === 'dense' ? B * C * S : B * S))
    throw new Error('reference: target length does not fit');
  const mask = options.mask ?? null;
  if (mask !== null && mask.length !== B * S && mask.length !== S)
    throw new Error('reference: mask length does not fit');
  if (
    loss === 'generalizedDice' &&
    (options.weight != null || options.logLoss !== undefined || options.empty !== undefined)
  ) {
    throw new Error('reference: generalizedDice has no weight, logLoss or empty option');
  }
  if (loss !== 'generalizedDice' && options.weightType !== undefined)
    throw new Error('reference: weightType is for generalizedDice');
  if (loss === 'focalTversky' && options.logLoss !== undefined)
    throw new Error('reference: focalTversky has no logLoss');
  if (loss === 'mcc' && (options.squared || options.softLabel || options.logLoss))
    throw new Error('reference: mcc has no squared, softLabel or logLoss');

  const smooth = options.smooth ?? (loss === 'mcc' ? 1e-5 : 1);
  const sNr = options.smoothNr ?? smooth;
  const sDr = options.smoothDr ?? smooth;
  const squared = options.squared ?? false;
  const soft = (options.softLabel ?? false) && kind === 'dense' && !squared;
  const ignoreIndex = options.ignoreIndex ?? null;
  const at = (b: number, c: number, s: number): number => elementIndex(layout, C, S, b, c, s);
  const p = activate(pred, shape, layout, options.activation ?? 'none');

  const counts = (b: number, s: number): boolean => {
    if (mask !== null && mask[mask.length === B * S ? b * S + s : s] === 0) return false;
    return !(kind === 'labels' && ignoreIndex !== null && target[b * S + s] === ignoreIndex);
  };

  // Sums per (sample, class).
  const sums: RefSums[] = [];
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      let product = 0;
      let absDiff = 0;
      let P = 0;
      let G = 0;
      let N = 0;
      let FP = 0;
      let FN = 0;
      let TN = 0;
      for (let s = 0; s < S; s++) {
        if (!counts(b, s)) continue;
        const y = kind === 'dense' ? target[at(b, c, s)] : target[b * S + s] === c ? 1 : 0;
        const pc = p[at(b, c, s)];
        product += pc * y;
        absDiff += Math.abs(pc - y);
        P += squared ? pc * pc : pc;
        G += squared ? y * y : y;
        N += 1;
        FP += pc * (1 - y);
        FN += (1 - pc) * y;
        TN += (1 - pc) * (1 - y);
      }
      sums.push({ I: soft ? (P + G - absDiff) / 2 : product, P, G, N, FP, FN, TN });
    }
  }

  // Per (sample, class), or per class over the whole batch.
  const rows: { b: number; c: number; sums: RefSums }[] = [];
  if (options.batch) {
    for (let c = 0; c < C; c++) {
      const pooled = { I: 0, P: 0, G: 0, N: 0, FP: 0, FN: 0, TN: 0 };
      for (let b = 0; b < B; b++) {
        const r = sums[b * C + c];
        pooled.I += r.I;
        pooled.P += r.P;
        pooled.G += r.G;
        pooled.N += r.N;
        pooled.FP += r.FP;
        pooled.FN += r.FN;
        pooled.TN += r.TN;
      }
      rows.push({ b: -1, c, sums: pooled });
    }
  } else {
    for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) rows.push({ b, c, sums: sums[b * C + c] });
  }

  const first = options.includeBackground === false ? 1 : 0;
  const terms =
    loss === 'generalizedDice'
      ? generalizedDiceTerms(rows, C, first, sNr, sDr, options.weightType ?? 'square')
      : classTerms(loss, rows, first, sNr, sDr, options);

  const reduction = options.reduction ?? 'mean';
  let value: number | number[];
  if (reduction === 'none') {
    value = terms.map((t) => t.loss);
  } else {
    let total = 0;
    let n = 0;
    for (const t of terms) {
      if (!t.counted) continue;
      total += t.loss;
      n += 1;
    }
    value = reduction === 'sum' ? total : n === 0 ? 0 : total / n;
  }
  return { B, C, S, sums, terms, loss: value };
}

function classTerms(
  loss: Exclude<RefLoss, 'generalizedDice'>,
  rows: { b: number; c: number; sums: RefSums }[],
  first: number,
  sNr: number,
  sDr: number,
  options: OverlapRefOptions,
): OverlapRefTerm[] {
  const focal = loss === 'focalTversky';
  const alpha = options.alpha ?? (focal ? 0.7 : 0.5);
  const beta = options.beta ?? (focal ? 0.3 : 0.5);
  const gamma = options.gamma ?? 0.75;
  const empty = options.empty ?? 'smooth';
  return rows.map(({ b, c, sums }) => {
    const { I, P, G } = sums;
    let score: number;
    if (loss === 'dice') score = (2 * I + sNr) / (P + G + sDr);
    else if (loss === 'jaccard') score = (I + sNr) / (P + G - I + sDr);
    else if (loss === 'mcc') score = matthews(I + sNr, sums.FP + sNr, sums.FN + sNr, sums.TN + sNr);
    else score = (I + sNr) / (I + alpha * (P - I) + beta * (G - I) + sDr);
    let counted = c >= first;
    let value: number;
    if (G === 0 && empty !== 'smooth') {
      value = 0;
      if (empty === 'skip') counted = false;
    } else {
      const raw = focal ? Math.max(1 - score, 0) ** gamma : options.logLoss ? -Math.log(score) : 1 - score;
      value = (options.weight ? options.weight[c] : 1) * raw;
    }
    return { b, c, ...sums, score, loss: value, counted };
  });
}

/** The Matthews correlation of four (soft) confusion counts. */
function matthews(tp: number, fp: number, fn: number, tn: number): number {
  return (tp * tn - fp * fn) / Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
}

function generalizedDiceTerms(
  rows: { b: number; c: number; sums: RefSums }[],
  C: number,
  first: number,
  sNr: number,
  sDr: number,
  weightType: RefWeightType,
): OverlapRefTerm[] {
  const terms: OverlapRefTerm[] = [];
  for (let t = 0; t < rows.length / C; t++) {
    const classes = rows.slice(t * C, (t + 1) * C).filter((r) => r.c >= first);
    const raw = classes.map((r) =>
      weightType === 'square' ? 1 / (r.sums.G * r.sums.G) : weightType === 'simple' ? 1 / r.sums.G : 1,
    );
    const finite = raw.filter((w) => Number.isFinite(w));
    const largest = finite.length === 0 ? 0 : Math.max(...finite);
    const w = raw.map((v) => (Number.isFinite(v) ? v : largest));
    let num = sNr;
    let den = sDr;
    const total = { I: 0, P: 0, G: 0, N: 0, FP: 0, FN: 0, TN: 0 };
    classes.forEach((r, k) => {
      num += 2 * w[k] * r.sums.I;
      den += w[k] * (r.sums.P + r.sums.G);
      total.I += r.sums.I;
      total.P += r.sums.P;
      total.G += r.sums.G;
      total.N = r.sums.N;
      total.FP += r.sums.FP;
      total.FN += r.sums.FN;
      total.TN += r.sums.TN;
    });
    const score = num / den;
    terms.push({ b: rows[t * C].b, c: -1, ...total, score, loss: 1 - score, counted: true });
  }
  return terms;
}

/** The reduced loss, for reductions 'mean' and 'sum'. */
export function overlapReferenceLoss(
  loss: RefLoss,
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  options: OverlapRefOptions = {},
): number {
  const { loss: value } = overlapReference(loss, pred, target, options);
  if (typeof value !== 'number') throw new Error('overlapReferenceLoss: reduction none has no single value');
  return value;
}
