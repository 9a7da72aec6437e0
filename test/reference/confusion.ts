// Confusion counts by the definition, written independently of src/: for every voxel that
// counts and every class, ask both sides whether they say that class, and tally TP/FP/FN/TN.

export interface CountsByDefinition {
  tp: number[];
  fp: number[];
  fn: number[];
  tn: number[];
}

/**
 * `predSays(b, c, s)` / `targetSays(b, c, s)`: does that side say class c at voxel s of sample
 * b; `counted(b, s)`: does the voxel count at all (false where the target is ignoreIndex).
 */
export function countsByDefinition(
  B: number,
  C: number,
  S: number,
  predSays: (b: number, c: number, s: number) => boolean,
  targetSays: (b: number, c: number, s: number) => boolean,
  counted: (b: number, s: number) => boolean = () => true,
): CountsByDefinition {
  const zeros = () => new Array<number>(B * C).fill(0);
  const out = { tp: zeros(), fp: zeros(), fn: zeros(), tn: zeros() };
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (!counted(b, s)) continue;
      for (let c = 0; c < C; c++) {
        const p = predSays(b, c, s),
          y = targetSays(b, c, s);
        const k = b * C + c;
        if (p && y) out.tp[k]++;
        else if (p) out.fp[k]++;
        else if (y) out.fn[k]++;
        else out.tn[k]++;
      }
    }
  }
  return out;
}

/** The first class with the strictly largest score, as torch.argmax; NaN is never larger. */
export function firstArgmax(score: (c: number) => number, C: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (score(c) > score(best)) best = c;
  return best;
}
