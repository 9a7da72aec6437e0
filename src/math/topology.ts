// Topology- and boundary-aware metrics as pure functions of what the topology kernels count per
// (sample, class) (README, "Topology and boundaries"):
//
// - clDice (Shit et al., CVPR 2021): with S(P), S(G) the skeletons of the prediction and the
//   target, topology precision Tprec = |S(P) ∩ G| / |S(P)|, topology sensitivity
//   Tsens = |S(G) ∩ P| / |S(G)|, and clDice = 2·Tprec·Tsens / (Tprec + Tsens).
// - Boundary IoU (Cheng et al., CVPR 2021): with B(M) the voxels of a mask M within the band
//   width d of its outside, |B(P) ∩ B(G)| / |B(P) ∪ B(G)|.
//
// A ratio whose denominator is 0 is NaN. A skeleton is empty exactly when its mask is (thinning
// keeps a voxel of every component), so clDice is NaN when both masks are empty and 0 when one
// is. What an empty target scores beyond that is the `empty` policy's (metrics/evaluate.ts).

/** Tprec = |S(P) ∩ G| / |S(P)|. */
export function topologyPrecision(skelPred: number, skelPredInTarget: number): number {
  return skelPred === 0 ? Number.NaN : skelPredInTarget / skelPred;
}

/** Tsens = |S(G) ∩ P| / |S(G)|. */
export function topologySensitivity(skelTarget: number, skelTargetInPred: number): number {
  return skelTarget === 0 ? Number.NaN : skelTargetInPred / skelTarget;
}

/** clDice, the harmonic mean of Tprec and Tsens: 0 when either is 0 or one skeleton is empty, NaN when both are. */
export function clDice(
  skelPred: number,
  skelPredInTarget: number,
  skelTarget: number,
  skelTargetInPred: number,
): number {
  if (skelPred === 0 && skelTarget === 0) return Number.NaN;
  if (skelPred === 0 || skelTarget === 0) return 0;
  const precision = skelPredInTarget / skelPred,
    sensitivity = skelTargetInPred / skelTarget;
  return precision + sensitivity === 0 ? 0 : (2 * precision * sensitivity) / (precision + sensitivity);
}

/** Boundary IoU |B(P) ∩ B(G)| / |B(P) ∪ B(G)|. */
export function boundaryIou(both: number, either: number): number {
  return either === 0 ? Number.NaN : both / either;
}

/**
 * The Boundary IoU API's default band width: 2 % of the image diagonal in voxels (its
 * dilation_ratio 0.02), rounded half to even as Python's round(), and at least 1.
 */
export function defaultBandWidth(spatial: readonly number[]): number {
  const diagonal = Math.sqrt(spatial.reduce((s, n) => s + n * n, 0));
  return Math.max(1, roundHalfEven(0.02 * diagonal));
}

/** Rounds to the nearest integer, ties to the even one (Python's round, numpy's rint). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}
