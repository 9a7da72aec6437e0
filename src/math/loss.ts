// From a score in (0, 1] to a loss, and the loss's slope: 1 − T, or −log T (smp's log_loss).

export function lossOfScore(score: number, logLoss: boolean): number {
  return logLoss ? -Math.log(score) : 1 - score;
}

/** d loss / d score. */
export function lossSlope(score: number, logLoss: boolean): number {
  return logLoss ? -1 / score : -1;
}
