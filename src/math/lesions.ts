// Lesion-wise scores of one (sample, class) term from its lesion table (src/metrics/instances/
// lesions.ts), as the BraTS 2023 evaluation computes them (README "Lesion-wise metrics"):
// truth lesions below the size threshold are left out of everything but the matching;
//   tp = truth lesions kept that some predicted lesion matches, fn = those no prediction matches,
//   fp = predicted lesions that match no truth lesion (whatever their size),
//   lesion Dice = (Σ Dice over the truth lesions kept) / (kept + fp)     (a missed lesion and a fp score 0),
//   lesion HD95 = (Σ HD95 over the kept, a missed one scoring the penalty, + fp · penalty) / (kept + fp),
// and with no lesion at all on either side lesion Dice 1 and HD95 0 (BraTS's rule).
// Detection rates from the counts: sensitivity tp/(tp + fn), precision tp/(tp + fp),
// F1 2tp/(2tp + fp + fn); NaN when the denominator is 0.

/** What scoring needs of a table: flat rows, and the row layout (see lesions.ts). */
export interface LesionRows {
  truth: Float64Array;
  pred: Float64Array;
  voxelVolume: number;
}

export interface LesionScoreOptions {
  minSize: number;
  minVolume: number;
  fpPenalty: number;
}

export interface LesionScores {
  tp: number;
  fp: number;
  fn: number;
  lesionDice: number;
  lesionHd95: number;
  sensitivity: number;
  precision: number;
  f1: number;
}

/** Truth lesion rows of a lesion table (f64 slots): its voxels… */
export const TRUTH_VOXELS = 0;
/** …the predicted lesions matching it… */
export const TRUTH_MATCHED = 1;
/** …their voxels… */
export const TRUTH_PRED_VOXELS = 2;
/** …the voxels of the truth lesion inside them… */
export const TRUTH_OVERLAP = 3;
/** …and the HD95 between the truth lesion and their union (+∞ with no match; NaN when not measured). */
export const TRUTH_HD95 = 4;
export const TRUTH_STRIDE = 5;
/** Predicted lesion rows: its voxels, and 1 when it matches some truth lesion. */
export const PRED_VOXELS = 0;
export const PRED_MATCHED = 1;
export const PRED_STRIDE = 2;

const ratio = (a: number, b: number): number => (b === 0 ? Number.NaN : a / b);

export function lesionScores(table: LesionRows, opts: LesionScoreOptions): LesionScores {
  let tp = 0,
    fn = 0,
    dice = 0,
    hd95 = 0;
  for (let at = 0; at < table.truth.length; at += TRUTH_STRIDE) {
    const voxels = table.truth[at + TRUTH_VOXELS];
    if (voxels < opts.minSize || voxels * table.voxelVolume < opts.minVolume) continue;
    const found = table.truth[at + TRUTH_MATCHED] > 0;
    if (found) tp++;
    else fn++;
    dice += (2 * table.truth[at + TRUTH_OVERLAP]) / (voxels + table.truth[at + TRUTH_PRED_VOXELS]);
    const d = table.truth[at + TRUTH_HD95];
    hd95 += d === Number.POSITIVE_INFINITY ? opts.fpPenalty : d;
  }
  let fp = 0;
  for (let at = 0; at < table.pred.length; at += PRED_STRIDE) if (table.pred[at + PRED_MATCHED] === 0) fp++;
  const lesions = tp + fn + fp;
  return {
    tp,
    fp,
    fn,
    lesionDice: lesions === 0 ? 1 : dice / lesions,
    lesionHd95: lesions === 0 ? 0 : (hd95 + fp * opts.fpPenalty) / lesions,
    sensitivity: ratio(tp, tp + fn),
    precision: ratio(tp, tp + fp),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}

export const LESION_SCORE_NAMES = [
  'tp',
  'fp',
  'fn',
  'lesionDice',
  'lesionHd95',
  'sensitivity',
  'precision',
  'f1',
] as const satisfies readonly (keyof LesionScores)[];
