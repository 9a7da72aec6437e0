// Surface elements ("surfels") as DeepMind's `surface-distance` package defines them
// (docs/surface-distances.md, "Surfels"): the corners of the voxel grid (a grid one larger than
// the image along each axis, shifted by half a voxel) whose 2 × 2 (× 2) neighbourhood of voxels
// is neither all inside nor all outside a mask; each carries the length (2D) or area (3D) of the
// marching-squares / marching-cubes surface inside its cell of voxel centres, with the spacing.
//
// The table of those measures is derived here from the geometry, for any spacing:
// - A cell's corners are the centres of its 2^rank voxels, corner i at offset (i & 1, i >> 1 & 1,
//   i >> 2 & 1) along (x, y, z): bit i of a cell's code says voxel i is inside.
// - The surface crosses each edge of the cell whose two ends differ, at its midpoint.
// - On each face (each square of four corners in cyclic order), every run of inside corners met
//   going round it is cut off by one segment, from the crossing where the run starts to the one
//   where it ends; a face with two inside corners on a diagonal gets two segments (the inside
//   corners are kept apart, as marching squares / cubes do, and as DeepMind's 2D table does).
// - In 2D the cell is the one face and the segments are the contour: their lengths add up.
// - In 3D each crossing lies on two faces, so the segments close into polygons; a polygon's area
//   is that of the fan of triangles from its centroid (exact for the planar polygons of one, two
//   and four corners; the non-planar ones of other codes depend on a triangulation, which
//   marching-cubes tables choose case by case and this one by the centroid).

/** Corner offsets of the cell (x, y, z), corner i at (i & 1, i >> 1 & 1, i >> 2 & 1). */
function corner(i: number): [number, number, number] {
  return [i & 1, (i >> 1) & 1, (i >> 2) & 1];
}

/** The faces of the cell for `rank` axes (1 in 2D, 6 in 3D), each its four corners in cyclic order. */
function faces(rank: 2 | 3): number[][] {
  if (rank === 2) return [[0, 1, 3, 2]];
  const list: number[][] = [];
  for (let axis = 0; axis < 3; axis++) {
    const [b, c] = [0, 1, 2].filter((a) => a !== axis);
    for (const side of [0, 1]) {
      const at = (ub: number, uc: number): number => (side << axis) | (ub << b) | (uc << c);
      list.push([at(0, 0), at(1, 0), at(1, 1), at(0, 1)]);
    }
  }
  return list;
}

/** The segments a code's surface has on one face: pairs of crossed edges, each edge as its two corners. */
function faceSegments(code: number, face: number[]): [number, number][][] {
  const inside = face.map((i) => (code >> i) & 1);
  if (inside.every((v) => v === 1) || inside.every((v) => v === 0)) return [];
  const segments: [number, number][][] = [];
  for (let k = 0; k < 4; k++) {
    const before = (k + 3) % 4;
    if (inside[k] === 0 || inside[before] === 1) continue;
    // A run starts at k (its predecessor is outside); it ends where the next outside corner is.
    let end = k;
    while (inside[(end + 1) % 4] === 1) end = (end + 1) % 4;
    segments.push([
      [face[before], face[k]],
      [face[end], face[(end + 1) % 4]],
    ]);
  }
  return segments;
}

/** The crossing on an edge (its midpoint) in spacing units. */
function crossing([a, b]: [number, number], spacing: readonly number[]): number[] {
  const [pa, pb] = [corner(a), corner(b)];
  return [0, 1, 2].map((axis) => ((pa[axis] + pb[axis]) / 2) * spacing[axis]);
}

function edgeKey([a, b]: [number, number]): number {
  return Math.min(a, b) * 8 + Math.max(a, b);
}

const norm = (v: readonly number[]): number => Math.hypot(v[0], v[1], v[2]);

/** Area of the polygon through `points` (in order) as the fan of triangles from its centroid. */
function polygonArea(points: number[][]): number {
  const centre = [0, 1, 2].map((axis) => points.reduce((s, p) => s + p[axis], 0) / points.length);
  let area = 0;
  for (let i = 0; i < points.length; i++) {
    const u = points[i].map((v, axis) => v - centre[axis]);
    const w = points[(i + 1) % points.length].map((v, axis) => v - centre[axis]);
    area += norm([u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]]) / 2;
  }
  return area;
}

/** Tables of the spacings met last (a dataset has few), by rank and spacing; read-only. */
const tables = new Map<string, Float64Array>();
const TABLES_KEPT = 16;

/**
 * The measure of the surface in a cell of each code (2^(2^rank) codes: 16 in 2D, 256 in 3D):
 * contour length in 2D, surface area in 3D, in the units of `spacing` ([x, y, z], memory order:
 * x the last axis of the shape); 0 for the empty and the full cell. The table returned is shared:
 * not to be written.
 */
export function surfelMeasures(rank: 2 | 3, spacing: readonly number[]): Float64Array {
  const key = `${rank}:${spacing[0]}:${spacing[1]}:${rank === 3 ? spacing[2] : 1}`;
  let table = tables.get(key);
  if (table === undefined) {
    table = measureTable(rank, spacing);
    if (tables.size >= TABLES_KEPT) tables.delete(tables.keys().next().value as string);
    tables.set(key, table);
  }
  return table;
}

function measureTable(rank: 2 | 3, spacing: readonly number[]): Float64Array {
  const s = [spacing[0], spacing[1], rank === 3 ? spacing[2] : 1];
  const cellFaces = faces(rank);
  const table = new Float64Array(1 << (1 << rank));
  for (let code = 1; code < table.length - 1; code++) {
    const segments = cellFaces.flatMap((face) => faceSegments(code, face));
    if (rank === 2) {
      for (const [e, f] of segments) {
        const [p, q] = [crossing(e, s), crossing(f, s)];
        table[code] += norm([p[0] - q[0], p[1] - q[1], p[2] - q[2]]);
      }
      continue;
    }
    // Each crossed edge ends two segments (one per face holding it): walk them into loops.
    const unused = new Set(segments.map((_, i) => i));
    while (unused.size > 0) {
      const first = unused.values().next().value as number;
      unused.delete(first);
      const loop = [segments[first][0]];
      let edge = segments[first][1];
      while (edgeKey(edge) !== edgeKey(loop[0])) {
        loop.push(edge);
        const next = [...unused].find((i) => segments[i].some((e) => edgeKey(e) === edgeKey(edge))) as number;
        unused.delete(next);
        const [a, b] = segments[next];
        edge = edgeKey(a) === edgeKey(edge) ? b : a;
      }
      table[code] += polygonArea(loop.map((e) => crossing(e, s)));
    }
  }
  return table;
}

/**
 * The code of the cell at corner (x, y, z) of the corner grid (voxels x − 1 … x along each axis the
 * image has): bit i set when voxel i of the cell is inside the image and its mask byte has `bit`.
 */
export function cellCode(
  mask: ArrayLike<number>,
  bit: number,
  nx: number,
  ny: number,
  nz: number,
  rank: number,
  x: number,
  y: number,
  z: number,
): number {
  let code = 0;
  const cells = 1 << rank;
  for (let i = 0; i < cells; i++) {
    const vx = x - 1 + (i & 1),
      vy = rank >= 2 ? y - 1 + ((i >> 1) & 1) : 0,
      vz = rank >= 3 ? z - 1 + ((i >> 2) & 1) : 0;
    if (vx < 0 || vx >= nx || vy < 0 || vy >= ny || vz < 0 || vz >= nz) continue;
    if (mask[(vz * ny + vy) * nx + vx] & bit) code |= 1 << i;
  }
  return code;
}

/** What one direction of surfel distances gives: the DIST_* slots, area-weighted, and the percentile. */
export interface WeightedDistances {
  /** Total measure (area or length) of the surfels. */
  area: number;
  /** Σ measure · distance. */
  sum: number;
  max: number;
  /** Measure of the surfels within the tolerance. */
  within: number;
  /** NaN unless a percentile was asked for. */
  percentile: number;
}

/**
 * Area-weighted statistics of the distances of one surface's surfels, and with a percentile q
 * (not null; the surfels then listed in increasing distance) DeepMind's `compute_robust_hausdorff`:
 * the smallest distance whose cumulative share of the total measure, taken in increasing order of
 * distance, reaches q/100 (no interpolation); the largest when rounding leaves every share below it.
 */
export function weightedDistances(
  measures: ArrayLike<number>,
  distances: ArrayLike<number>,
  tolerance: number,
  q: number | null,
): WeightedDistances {
  const result: WeightedDistances = { area: 0, sum: 0, max: 0, within: 0, percentile: Number.NaN };
  const n = distances.length;
  for (let i = 0; i < n; i++) {
    const a = measures[i],
      d = distances[i];
    result.area += a;
    result.sum += a * d;
    result.max = Math.max(result.max, d);
    if (d <= tolerance) result.within += a;
  }
  if (q !== null && n > 0) {
    let cumulative = 0;
    result.percentile = distances[n - 1];
    for (let i = 0; i < n; i++) {
      cumulative += measures[i];
      if (cumulative / result.area >= q / 100) {
        result.percentile = distances[i];
        break;
      }
    }
  }
  return result;
}
