// Surface metrics by brute force, from the definitions and independent of src/: a voxel is on
// a mask's surface when one of its 2·rank face neighbours is outside the mask or outside the
// image; a distance is the smallest Euclidean distance (axes scaled by the spacing) to any
// surface voxel of the other mask, found by comparing every pair. O(n²): small images only.

/** Row-major coordinates (last axis fastest) of voxel `index` of an image of `shape`. */
export function coordinates(index: number, shape: readonly number[]): number[] {
  const at = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    at[a] = index % shape[a];
    index = Math.floor(index / shape[a]);
  }
  return at;
}

function indexOf(at: readonly number[], shape: readonly number[]): number {
  return at.reduce((i, v, a) => i * shape[a] + v, 0);
}

/** Indices of the surface voxels of a mask (one boolean per voxel, row-major). */
export function bruteSurface(mask: ArrayLike<boolean>, shape: readonly number[]): number[] {
  const surface: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const at = coordinates(i, shape);
    const outside = shape.some((extent, a) =>
      [-1, 1].some((step) => {
        const next = [...at];
        next[a] += step;
        return next[a] < 0 || next[a] >= extent || !mask[indexOf(next, shape)];
      }),
    );
    if (outside) surface.push(i);
  }
  return surface;
}

/** For each voxel of `from`, its distance to the nearest voxel of `to` (+∞ when `to` is empty). */
export function bruteDistances(
  from: readonly number[],
  to: readonly number[],
  shape: readonly number[],
  spacing: readonly number[],
): number[] {
  const target = to.map((i) => coordinates(i, shape));
  return from.map((i) => {
    const p = coordinates(i, shape);
    let best = Number.POSITIVE_INFINITY;
    for (const q of target) best = Math.min(best, Math.hypot(...p.map((v, a) => (v - q[a]) * spacing[a])));
    return best;
  });
}

/**
 * Distances this close to a tolerance (relative, at least 1) are near-ties: computed another way
 * (float32, squared sums in another order) they may fall on either side.
 */
export const TIE_BAND = 1e-9;

/** How many distances are within `tolerance`, as the range [low, high] that near-ties leave open. */
export function withinRange(distances: readonly number[], tolerance: number): { low: number; high: number } {
  const band = TIE_BAND * Math.max(1, tolerance);
  return {
    low: distances.filter((d) => d <= tolerance - band).length,
    high: distances.filter((d) => d <= tolerance + band).length,
  };
}

/** numpy.percentile(values, q) with its default linear interpolation (n ≥ 1). */
export function brutePercentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(position),
    hi = Math.ceil(position);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
}

export interface BruteSurfaceMetrics {
  hausdorff: number;
  hausdorff95: number;
  /** The percentile of both directions' distances in one list (MedPy's hd95, hdConvention 'pooled'). */
  pooledHausdorff95: number;
  directedHausdorff: number;
  directedHausdorff95: number;
  assd: number;
  asd: number;
  nsd: number;
  /**
   * The NSD if every distance within TIE_BAND of the tolerance fell on the other side of it: an
   * implementation whose distances differ from these in the last bits may land anywhere between.
   */
  nsdLow: number;
  nsdHigh: number;
  predSurface: number;
  targetSurface: number;
}

/**
 * Every surface metric of one (sample, class) with MONAI's empty rules: both surfaces empty →
 * NaN; one empty → every distance +∞, NSD 0.
 */
export function bruteSurfaceMetrics(
  pred: ArrayLike<boolean>,
  target: ArrayLike<boolean>,
  shape: readonly number[],
  spacing: readonly number[],
  tolerance: number,
  percentile = 95,
): BruteSurfaceMetrics {
  const p = bruteSurface(pred, shape),
    g = bruteSurface(target, shape);
  const counts = { predSurface: p.length, targetSurface: g.length };
  if (p.length === 0 && g.length === 0) {
    const nan = Number.NaN;
    return {
      hausdorff: nan,
      hausdorff95: nan,
      pooledHausdorff95: nan,
      directedHausdorff: nan,
      directedHausdorff95: nan,
      assd: nan,
      asd: nan,
      nsd: nan,
      nsdLow: nan,
      nsdHigh: nan,
      ...counts,
    };
  }
  if (p.length === 0 || g.length === 0) {
    const inf = Number.POSITIVE_INFINITY;
    return {
      hausdorff: inf,
      hausdorff95: inf,
      pooledHausdorff95: inf,
      directedHausdorff: inf,
      directedHausdorff95: inf,
      assd: inf,
      asd: inf,
      nsd: 0,
      nsdLow: 0,
      nsdHigh: 0,
      ...counts,
    };
  }
  const pg = bruteDistances(p, g, shape, spacing),
    gp = bruteDistances(g, p, shape, spacing);
  const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);
  const within = (values: number[], limit = tolerance) => values.filter((d) => d <= limit).length;
  const band = TIE_BAND * Math.max(1, tolerance);
  const nsdWithin = (limit: number) => (within(pg, limit) + within(gp, limit)) / (pg.length + gp.length);
  return {
    hausdorff: Math.max(...pg, ...gp),
    hausdorff95: Math.max(brutePercentile(pg, percentile), brutePercentile(gp, percentile)),
    pooledHausdorff95: brutePercentile([...pg, ...gp], percentile),
    directedHausdorff: Math.max(...pg),
    directedHausdorff95: brutePercentile(pg, percentile),
    assd: (sum(pg) + sum(gp)) / (pg.length + gp.length),
    asd: sum(pg) / pg.length,
    nsd: (within(pg) + within(gp)) / (pg.length + gp.length),
    nsdLow: nsdWithin(tolerance - band),
    nsdHigh: nsdWithin(tolerance + band),
    ...counts,
  };
}
