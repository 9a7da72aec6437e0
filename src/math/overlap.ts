// The overlap scores as pure functions of the per-class sums. One formula, parameters, no
// copies: Dice and Jaccard are Tversky indices (Salehi et al. 2017), as in
// segmentation_models_pytorch's soft_tversky_score.
//
//   T = (I + sNr) / (I + α(P − I) + β(G − I) + sDr)
//
// with I = Σ p·y, P = Σ p (or Σ p²), G = Σ y (or Σ y²). Dice `(2I + sNr) / (P + G + sDr)`
// (Milletari et al. 2016) is the index with α = β = ½ and half the smoothing (numerator and
// denominator halved); Jaccard is α = β = 1.

export interface TverskyParams {
  /** Weight of false positives, P − I. */
  alpha: number;
  /** Weight of false negatives, G − I. */
  beta: number;
  smoothNr: number;
  smoothDr: number;
}

/** The index and its exact partial derivatives, written to out as [T, ∂T/∂I, ∂T/∂P, ∂T/∂G]. */
export function tverskyWithPartials(I: number, P: number, G: number, t: TverskyParams, out: Float64Array): void {
  const num = I + t.smoothNr;
  const den = I * (1 - t.alpha - t.beta) + t.alpha * P + t.beta * G + t.smoothDr;
  const r = num / (den * den);
  out[0] = num / den;
  out[1] = 1 / den - (1 - t.alpha - t.beta) * r;
  out[2] = -t.alpha * r;
  out[3] = -t.beta * r;
}

/**
 * Soft Matthews correlation (smp's MCCLoss) from the sums, with ε added to each soft count:
 * tp = I + ε, fp = P − I + ε, fn = G − I + ε, tn = N − P − G + I + ε,
 * MCC = (tp·tn − fp·fn) / √((tp + fp)(tp + fn)(tn + fp)(tn + fn)).
 * Writes [MCC, ∂MCC/∂I, ∂MCC/∂P, ∂MCC/∂G] into out (N is a count, not a function of p).
 */
export function mccWithPartials(I: number, P: number, G: number, N: number, eps: number, out: Float64Array): void {
  const tp = I + eps,
    fp = P - I + eps,
    fn = G - I + eps,
    tn = N - P - G + I + eps;
  const d = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
  const root = Math.sqrt(d);
  const mcc = (tp * tn - fp * fn) / root;
  // ∂MCC/∂x = (∂num/∂x)/√D − MCC·(∂D/∂x)/(2D), and ∂D/∂x / D is a sum of reciprocals.
  const dTp = tn / root - (mcc / 2) * (1 / (tp + fp) + 1 / (tp + fn));
  const dTn = tp / root - (mcc / 2) * (1 / (tn + fp) + 1 / (tn + fn));
  const dFp = -fn / root - (mcc / 2) * (1 / (tp + fp) + 1 / (tn + fp));
  const dFn = -fp / root - (mcc / 2) * (1 / (tp + fn) + 1 / (tn + fn));
  out[0] = mcc;
  out[1] = dTp - dFp - dFn + dTn; // I raises tp and tn, lowers fp and fn
  out[2] = dFp - dTn; // P raises fp, lowers tn
  out[3] = dFn - dTn; // G raises fn, lowers tn
}
