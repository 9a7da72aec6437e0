// Surface-distance metrics as pure functions of what the kernels measure between the surface
// ∂P of the prediction and the surface ∂G of the target (docs/surface-distances.md):
// D(P→G) is the list of distances from each voxel of ∂P to the nearest voxel of ∂G, D(G→P) the
// reverse; a kernel reports per direction their count, sum, maximum, how many are within the
// tolerance τ, and (when asked) their percentile.
//
// When exactly one surface is empty every distance is +∞ (something was not found, or found
// where nothing is) and NSD is 0; when both are empty every metric is NaN (0/0). What an empty
// target scores beyond that is the `empty` policy's, applied later (src/metrics/surface.ts).

/** The distances of one direction, from the `count` voxels of one surface to another of `other` voxels. */
export interface Directed {
  count: number;
  other: number;
  sum: number;
  max: number;
  within: number;
  /** The percentile of the distances asked for (NaN when none was). */
  percentile: number;
}

/** NaN when both surfaces are empty, +∞ when one is, else null: the distances are measured. */
function unmeasured(a: Directed): number | null {
  if (a.count === 0 && a.other === 0) return Number.NaN;
  return a.count === 0 || a.other === 0 ? Number.POSITIVE_INFINITY : null;
}

/** Hausdorff distance max(max D(P→G), max D(G→P)); `directed`: max D(P→G) (Huttenlocher et al. 1993). */
export function hausdorff(pg: Directed, gp: Directed, directed: boolean): number {
  return unmeasured(pg) ?? (directed ? pg.max : Math.max(pg.max, gp.max));
}

/** Percentile Hausdorff distance: the larger of the two directions' percentiles (MONAI); `directed`: P→G's. */
export function percentileHausdorff(pg: Directed, gp: Directed, directed: boolean): number {
  return unmeasured(pg) ?? (directed ? pg.percentile : Math.max(pg.percentile, gp.percentile));
}

/** Average symmetric surface distance: the mean of D(P→G) ∪ D(G→P). */
export function assd(pg: Directed, gp: Directed): number {
  return unmeasured(pg) ?? (pg.sum + gp.sum) / (pg.count + gp.count);
}

/** Average surface distance from the prediction: the mean of D(P→G). */
export function asd(pg: Directed): number {
  return unmeasured(pg) ?? pg.sum / pg.count;
}

/**
 * Normalized surface Dice at tolerance τ (Nikolov et al. 2021, MONAI's compute_surface_dice):
 * (|{d ∈ D(P→G) : d ≤ τ}| + |{d ∈ D(G→P) : d ≤ τ}|) / (|∂P| + |∂G|); 0/0 is NaN.
 */
export function nsd(pg: Directed, gp: Directed): number {
  const total = pg.count + gp.count;
  return total === 0 ? Number.NaN : (pg.within + gp.within) / total;
}

/**
 * The q-th percentile (0 ≤ q ≤ 100) of n ≥ 1 values, `at(i)` being the i-th smallest, with
 * linear interpolation between the two nearest ranks: numpy's default (`method='linear'`) and
 * torch.quantile's, which MONAI uses.
 */
export function percentileOfSorted(at: (i: number) => number, n: number, q: number): number {
  const rank = (q / 100) * (n - 1);
  const below = Math.floor(rank);
  const low = at(below);
  return below + 1 < n && rank > below ? low + (at(below + 1) - low) * (rank - below) : low;
}
