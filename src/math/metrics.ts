// Hard metrics as pure functions of one confusion matrix (tp, fp, fn, tn), after
// https://en.wikipedia.org/wiki/Confusion_matrix and MONAI's compute_confusion_matrix_metric.
// A ratio whose denominator is 0 is NaN (never Infinity, never a silent 0): what an empty
// class scores is decided later, by the `empty` policy, not here.
import type { WeightType } from '../core/api.js';

/** n / d, or NaN when d is 0. */
export const ratio = (n: number, d: number): number => (d !== 0 ? n / d : Number.NaN);

/** Sensitivity, recall, hit rate, TPR = TP / (TP + FN). */
export const recall = (tp: number, _fp: number, fn: number): number => ratio(tp, tp + fn);
/** Specificity, selectivity, TNR = TN / (TN + FP). */
export const specificity = (_tp: number, fp: number, _fn: number, tn: number): number => ratio(tn, tn + fp);
/** Precision, PPV = TP / (TP + FP). */
export const precision = (tp: number, fp: number): number => ratio(tp, tp + fp);
/** Negative predictive value = TN / (TN + FN). */
export const npv = (_tp: number, _fp: number, fn: number, tn: number): number => ratio(tn, tn + fn);
/** Miss rate, FNR = FN / (TP + FN). */
export const fnr = (tp: number, _fp: number, fn: number): number => ratio(fn, tp + fn);
/** Fall-out, FPR = FP / (FP + TN). */
export const fpr = (_tp: number, fp: number, _fn: number, tn: number): number => ratio(fp, fp + tn);
/** False discovery rate = FP / (FP + TP). */
export const fdr = (tp: number, fp: number): number => ratio(fp, fp + tp);
/** False omission rate = FN / (FN + TN). */
export const falseOmissionRate = (_tp: number, _fp: number, fn: number, tn: number): number => ratio(fn, fn + tn);
/** Dice, F1 = 2TP / (2TP + FP + FN) (Dice 1945, Sørensen 1948). */
export const dice = (tp: number, fp: number, fn: number): number => ratio(2 * tp, 2 * tp + fp + fn);
/** IoU, Jaccard index, threat score, critical success index = TP / (TP + FP + FN). */
export const iou = (tp: number, fp: number, fn: number): number => ratio(tp, tp + fp + fn);
/** F-beta = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP); β = 1 is Dice. */
export const fbeta = (tp: number, fp: number, fn: number, beta: number): number =>
  ratio((1 + beta * beta) * tp, (1 + beta * beta) * tp + beta * beta * fn + fp);
/** Accuracy = (TP + TN) / all. */
export const accuracy = (tp: number, fp: number, fn: number, tn: number): number => ratio(tp + tn, tp + fp + fn + tn);
/** Balanced accuracy = (TPR + TNR) / 2. */
export const balancedAccuracy = (tp: number, fp: number, fn: number, tn: number): number =>
  (recall(tp, fp, fn) + specificity(tp, fp, fn, tn)) / 2;
/** Matthews correlation coefficient = (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)). */
export const mcc = (tp: number, fp: number, fn: number, tn: number): number =>
  ratio(tp * tn - fp * fn, Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)));
/** Fowlkes–Mallows index = √(PPV · TPR). */
export const fowlkesMallows = (tp: number, fp: number, fn: number): number =>
  Math.sqrt(precision(tp, fp) * recall(tp, fp, fn));
/** Prevalence threshold = (√(TPR·(1 − TNR)) + TNR − 1) / (TPR + TNR − 1) (Balayla 2020). */
export const prevalenceThreshold = (tp: number, fp: number, fn: number, tn: number): number => {
  const tpr = recall(tp, fp, fn),
    tnr = specificity(tp, fp, fn, tn);
  return ratio(Math.sqrt(tpr * (1 - tnr)) + tnr - 1, tpr + tnr - 1);
};
/** Informedness, bookmaker informedness, Youden's J = TPR + TNR − 1. */
export const informedness = (tp: number, fp: number, fn: number, tn: number): number =>
  recall(tp, fp, fn) + specificity(tp, fp, fn, tn) - 1;
/** Markedness, Δp = PPV + NPV − 1. */
export const markedness = (tp: number, fp: number, fn: number, tn: number): number =>
  precision(tp, fp) + npv(tp, fp, fn, tn) - 1;
/** Volume similarity = 1 − |FN − FP| / (2TP + FP + FN). */
export const volumeSimilarity = (tp: number, fp: number, fn: number): number =>
  1 - ratio(Math.abs(fn - fp), 2 * tp + fp + fn);

/** Weight of a class of target volume g for the Generalized Dice score (Sudre et al. 2017). */
export function gdsWeight(g: number, weightType: WeightType): number {
  if (weightType === 'uniform') return 1;
  return weightType === 'square' ? 1 / (g * g) : 1 / g;
}

/**
 * Generalized Dice score of one sample over the classes given (Sudre et al. 2017):
 * 2·Σ w·TP / Σ w·(2TP + FP + FN), with w from gdsWeight; an absent class (infinite weight) takes
 * the largest finite weight of the sample (0 if there is none). When the denominator is 0 (no
 * class present in target), it is 1 if the prediction is empty too and 0 otherwise (MONAI).
 */
export function generalizedDice(
  tp: ArrayLike<number>,
  fp: ArrayLike<number>,
  fn: ArrayLike<number>,
  weightType: WeightType,
): number {
  const w = Array.from(tp, (t, c) => gdsWeight(t + fn[c], weightType));
  const largest = Math.max(0, ...w.filter(Number.isFinite));
  let num = 0,
    den = 0,
    predicted = 0;
  for (let c = 0; c < w.length; c++) {
    const weight = Number.isFinite(w[c]) ? w[c] : largest;
    num += 2 * weight * tp[c];
    den += weight * (2 * tp[c] + fp[c] + fn[c]);
    predicted += tp[c] + fp[c];
  }
  if (den === 0) return predicted === 0 ? 1 : 0;
  return num / den;
}
