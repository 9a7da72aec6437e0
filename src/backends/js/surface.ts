// The readable reference of the surface kernels (assembly/boundary.ts, assembly/edt.ts), in
// float64: class masks with the same bits, their box, their surfaces (face neighbours, the image
// border counting as outside), and the distances from one surface to the other by the same
// separable exact Euclidean distance transform (two scans along x, then the lower envelope of
// parabolas of Felzenszwalb & Huttenlocher along y and z).
import type { HardPrediction, Target } from '../../core/api.js';
import {
  BOX_STRIDE,
  BOX_X0,
  BOX_X1,
  BOX_Y0,
  BOX_Y1,
  BOX_Z0,
  BOX_Z1,
  DIST_COUNT,
  DIST_MAX,
  DIST_SUM,
  DIST_WITHIN,
  EDGE_PRED,
  EDGE_TARGET,
  MASK_PRED,
  MASK_TARGET,
} from '../../core/constants.js';
import { percentileOfSorted } from '../../math/surface.js';
import {
  SURF_PRED,
  SURF_PRED_PERCENTILE,
  SURF_STRIDE,
  SURF_TARGET,
  SURF_TARGET_PERCENTILE,
  type SurfacePlan,
} from '../../core/plans.js';
import { predicate, targetPredicate } from './confusion.js';
import { markEdges } from './edges.js';

/** A sample's voxel grid: extents fastest first, and how many axes the image has. */
export interface Grid {
  nx: number;
  ny: number;
  nz: number;
  rank: number;
}

/** What distancesToSurface measures; with `list`, each query voxel's index in the box and its distance. */
export interface Measured {
  sum: number;
  max: number;
  within: number;
  voxels: Uint32Array | null;
  distances: Float64Array | null;
}

export function surfaceJS(plan: SurfacePlan, pred: HardPrediction, target: Target): Float64Array {
  const { B, C, S } = plan.arrays;
  const [nx, ny, nz] = plan.dims;
  const grid = { nx, ny, nz, rank: plan.rank };
  const records = new Float64Array(B * C * SURF_STRIDE);
  const mask = new Uint8Array(S);
  for (let b = 0; b < B; b++) {
    const weights = plan.weights.subarray(b * 3, b * 3 + 3);
    for (let c = 0; c < C; c++) {
      if (plan.terms[b * C + c] === 0) continue;
      classMask(mask, plan, pred, target, b, c);
      const at = (b * C + c) * SURF_STRIDE;
      records[at + SURF_PRED_PERCENTILE] = records[at + SURF_TARGET_PERCENTILE] = Number.NaN;
      const box = maskBox(mask, grid);
      const edges = plan.reach === 1 ? surfaceBits(mask, box, grid) : markEdges(mask, plan.dims, plan.rank, plan.reach);
      records[at + SURF_PRED + DIST_COUNT] = edges.pred;
      records[at + SURF_TARGET + DIST_COUNT] = edges.target;
      if (edges.pred === 0 || edges.target === 0) continue;
      const directions = plan.symmetric
        ? [
            [SURF_PRED, EDGE_TARGET, EDGE_PRED],
            [SURF_TARGET, EDGE_PRED, EDGE_TARGET],
          ]
        : [[SURF_PRED, EDGE_TARGET, EDGE_PRED]];
      const pooled: number[] = [];
      for (const [record, feature, query] of directions) {
        const m = distancesToSurface(
          mask,
          feature,
          query,
          box,
          grid,
          weights,
          plan.tolerance[c],
          plan.percentile !== null,
        );
        records[at + record + DIST_SUM] = m.sum;
        records[at + record + DIST_MAX] = m.max;
        records[at + record + DIST_WITHIN] = m.within;
        if (m.distances !== null && plan.percentile !== null) {
          if (plan.pooled) {
            for (const d of m.distances) pooled.push(d);
            continue;
          }
          const sorted = m.distances.sort();
          const slot = record === SURF_PRED ? SURF_PRED_PERCENTILE : SURF_TARGET_PERCENTILE;
          records[at + slot] = percentileOfSorted((i) => sorted[i], sorted.length, plan.percentile);
        }
      }
      if (plan.pooled && plan.percentile !== null) {
        const sorted = Float64Array.from(pooled).sort();
        const value = percentileOfSorted((i) => sorted[i], sorted.length, plan.percentile);
        records[at + SURF_PRED_PERCENTILE] = records[at + SURF_TARGET_PERCENTILE] = value;
      }
    }
  }
  return records;
}

/**
 * mask[s] = MASK_PRED where the prediction says class c at voxel s of sample b, | MASK_TARGET
 * where the target says it; 0 where the target label is ignoreIndex (no class on either side).
 */
export function classMask(
  mask: Uint8Array,
  plan: Pick<SurfacePlan, 'arrays'>,
  pred: HardPrediction,
  target: Target,
  b: number,
  c: number,
): void {
  const { S } = plan.arrays;
  const ignoreIndex = plan.arrays.target.kind === 'labels' ? plan.arrays.target.ignoreIndex : null;
  if (plan.arrays.pred.kind === 'labels' && plan.arrays.target.kind === 'labels') {
    // Two label maps, read directly (the common case, and the benchmark's).
    for (let s = 0, i = b * S; s < S; s++, i++) {
      mask[s] = target[i] === ignoreIndex ? 0 : (pred[i] === c ? MASK_PRED : 0) | (target[i] === c ? MASK_TARGET : 0);
    }
    return;
  }
  const predSays = predicate(plan.arrays, pred),
    targetSays = targetPredicate(plan.arrays, target);
  for (let s = 0; s < S; s++) {
    const ignored = ignoreIndex !== null && target[b * S + s] === ignoreIndex;
    mask[s] = ignored ? 0 : (predSays(b, c, s) ? MASK_PRED : 0) | (targetSays(b, c, s) ? MASK_TARGET : 0);
  }
}

/** The box of the marked voxels (BOX_* slots, half-open; all 0 when none is). */
export function maskBox(mask: Uint8Array, { nx, ny, nz }: Grid): Int32Array {
  const box = Int32Array.of(nx, 0, ny, 0, nz, 0);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        if (mask[(z * ny + y) * nx + x] === 0) continue;
        box[BOX_X0] = Math.min(box[BOX_X0], x);
        box[BOX_X1] = Math.max(box[BOX_X1], x + 1);
        box[BOX_Y0] = Math.min(box[BOX_Y0], y);
        box[BOX_Y1] = Math.max(box[BOX_Y1], y + 1);
        box[BOX_Z0] = Math.min(box[BOX_Z0], z);
        box[BOX_Z1] = Math.max(box[BOX_Z1], z + 1);
      }
    }
  }
  return box[BOX_X1] === 0 ? new Int32Array(BOX_STRIDE) : box;
}

/**
 * Sets EDGE_PRED / EDGE_TARGET on the voxels of each mask that have a face neighbour outside
 * that mask or outside the image (axes x, y, z up to `rank`), and counts them.
 */
export function surfaceBits(
  mask: Uint8Array,
  box: Int32Array,
  { nx, ny, nz, rank }: Grid,
): { pred: number; target: number } {
  const edges = { pred: 0, target: 0 };
  for (let z = box[BOX_Z0]; z < box[BOX_Z1]; z++) {
    for (let y = box[BOX_Y0]; y < box[BOX_Y1]; y++) {
      for (let x = box[BOX_X0]; x < box[BOX_X1]; x++) {
        const i = (z * ny + y) * nx + x;
        const own = mask[i] & (MASK_PRED | MASK_TARGET);
        if (own === 0) continue;
        // The mask bits every face neighbour has (a neighbour outside the image has none).
        let inner = own;
        inner &= x > 0 ? mask[i - 1] : 0;
        inner &= x + 1 < nx ? mask[i + 1] : 0;
        if (rank >= 2) {
          inner &= y > 0 ? mask[i - nx] : 0;
          inner &= y + 1 < ny ? mask[i + nx] : 0;
        }
        if (rank >= 3) {
          inner &= z > 0 ? mask[i - nx * ny] : 0;
          inner &= z + 1 < nz ? mask[i + nx * ny] : 0;
        }
        const edge = own & ~inner;
        if (edge & MASK_PRED) {
          mask[i] |= EDGE_PRED;
          edges.pred++;
        }
        if (edge & MASK_TARGET) {
          mask[i] |= EDGE_TARGET;
          edges.target++;
        }
      }
    }
  }
  return edges;
}

/**
 * The distance (spacing units; `weights` are the squared spacings along x, y, z) from each voxel
 * of the box whose mask byte has `query` to the nearest voxel whose byte has `feature`, +∞ when
 * there is none: their sum, largest (0 without query voxels), how many are ≤ tolerance, and with
 * `list` the distances and the voxels' indices in the box (x fastest).
 */
export function distancesToSurface(
  mask: Uint8Array,
  feature: number,
  query: number,
  box: Int32Array,
  { nx, ny }: Grid,
  weights: ArrayLike<number>,
  tolerance: number,
  list: boolean,
): Measured {
  const x0 = box[BOX_X0],
    y0 = box[BOX_Y0],
    z0 = box[BOX_Z0];
  const cx = box[BOX_X1] - x0,
    cy = box[BOX_Y1] - y0,
    cz = box[BOX_Z1] - z0;
  const plane = nx * ny;
  const corner = (z0 * ny + y0) * nx + x0;
  // Squared distances over the box (x fastest), built axis by axis.
  const squared = new Float64Array(cx * cy * cz);
  const line = new EnvelopeLine(Math.max(cy, cz));

  for (let z = 0; z < cz; z++) {
    for (let y = 0; y < cy; y++) {
      squaredRowDistances(squared, (z * cy + y) * cx, mask, corner + z * plane + y * nx, cx, feature, weights[0]);
    }
    for (let x = 0; x < cx; x++) line.pass(squared, z * cx * cy + x, cx, cy, weights[1]);
  }

  const measured: Measured = { sum: 0, max: 0, within: 0, voxels: null, distances: null };
  const voxels: number[] = [],
    distances: number[] = [];
  // Columns along z slab by slab (the plane x × z at one y), copied column by column: down the
  // box, a column's values are a plane apart and its mask bytes an image plane.
  const slab = new Float64Array(cx * cz),
    marks = new Uint8Array(cx * cz);
  for (let y = 0; y < cy; y++) {
    for (let z = 0; z < cz; z++) {
      for (let x = 0; x < cx; x++) {
        slab[x * cz + z] = squared[(z * cy + y) * cx + x];
        marks[x * cz + z] = mask[corner + z * plane + y * nx + x] & query;
      }
    }
    for (let x = 0; x < cx; x++) {
      let queries = 0;
      for (let z = 0; z < cz; z++) if (marks[x * cz + z]) queries++;
      if (queries === 0) continue;
      // A column with few query voxels takes the minimum over its parabolas at each directly.
      const direct = queries <= FEW_QUERIES;
      line.load(slab, x * cz, 1, cz);
      if (!direct) line.build(weights[2]);
      for (let z = 0; z < cz; z++) {
        if (marks[x * cz + z] === 0) continue;
        const d = Math.sqrt(direct ? line.minimumAt(z, weights[2]) : line.valueAt(z));
        measured.sum += d;
        measured.max = Math.max(measured.max, d);
        if (d <= tolerance) measured.within++;
        if (list) {
          voxels.push((z * cy + y) * cx + x);
          distances.push(d);
        }
      }
    }
  }
  if (list) {
    measured.voxels = Uint32Array.from(voxels);
    measured.distances = Float64Array.from(distances);
  }
  return measured;
}

/**
 * out[at + x] = w·(distance along the row to the nearest voxel with `feature`)², +∞ for a row
 * with none: a scan forward, then one back.
 */
export function squaredRowDistances(
  out: Float64Array,
  at: number,
  mask: Uint8Array,
  row: number,
  n: number,
  feature: number,
  w: number,
): void {
  for (let x = 0, last = -1; x < n; x++) {
    if (mask[row + x] & feature) last = x;
    out[at + x] = last >= 0 ? x - last : Number.POSITIVE_INFINITY;
  }
  for (let x = n - 1, next = -1; x >= 0; x--) {
    if (mask[row + x] & feature) next = x;
    const d = next >= 0 ? Math.min(out[at + x], next - x) : out[at + x];
    out[at + x] = w * d * d;
  }
}

/** Columns with at most this many query voxels take the direct minimum (assembly/edt.ts). */
const FEW_QUERIES = 8;

/** Scratch for the lower envelope of one line: its values, the parabolas' apexes and starts. */
export class EnvelopeLine {
  private readonly f: Float64Array;
  private readonly apex: Int32Array;
  private readonly start: Float64Array;
  /**
   * Values loaded; the envelope built last: its weight, its parabolas, and the one lowest at the last abscissa asked.
   */
  private n = 0;
  private w = 1;
  private count = 0;
  private lowest = 0;

  constructor(length: number) {
    this.f = new Float64Array(length);
    this.apex = new Int32Array(length);
    this.start = new Float64Array(length + 1);
  }

  /** Takes the line of n values `stride` apart from `first`. */
  load(values: Float64Array, first: number, stride: number, n: number): void {
    for (let y = 0; y < n; y++) this.f[y] = values[first + y * stride];
    this.n = n;
  }

  /**
   * The lower envelope of the parabolas y ↦ w·(y − q)² + f[q] rooted at the finite values f[q]
   * of the line loaded (Felzenszwalb & Huttenlocher 2012).
   */
  build(w: number): void {
    const { f, apex, start, n } = this;
    let k = -1;
    for (let q = 0; q < n; q++) {
      if (f[q] === Number.POSITIVE_INFINITY) continue;
      // Pop the parabolas that the new one undercuts from where they start being the lowest: the
      // two meet at s = ((f[q] − f[p])/(w·(q − p)) + q + p) / 2, and s ≤ start[k] is tested
      // without the division. The first parabola starts at −∞ and is never popped.
      while (k > 0 && f[q] - f[apex[k]] <= (2 * start[k] - q - apex[k]) * w * (q - apex[k])) k--;
      start[k + 1] = k < 0 ? Number.NEGATIVE_INFINITY : ((f[q] - f[apex[k]]) / (w * (q - apex[k])) + (q + apex[k])) / 2;
      apex[++k] = q;
    }
    start[k + 1] = Number.POSITIVE_INFINITY;
    this.count = k + 1;
    this.lowest = 0;
    this.w = w;
  }

  /** The envelope's value at y (+∞ when no value was finite); y must not decrease between calls. */
  valueAt(y: number): number {
    if (this.count === 0) return Number.POSITIVE_INFINITY;
    const { f, apex, start } = this;
    while (start[this.lowest + 1] < y) this.lowest++;
    const p = apex[this.lowest];
    return this.w * (y - p) ** 2 + f[p];
  }

  /** min over q of w·(y − q)² + f[q] over the line loaded, directly (no envelope). */
  minimumAt(y: number, w: number): number {
    let best = Number.POSITIVE_INFINITY;
    for (let q = 0; q < this.n; q++) best = Math.min(best, w * (y - q) ** 2 + this.f[q]);
    return best;
  }

  /** The envelope written back over the line (a line with no finite value stays +∞). */
  pass(values: Float64Array, first: number, stride: number, n: number, w: number): void {
    this.load(values, first, stride, n);
    this.build(w);
    if (this.count === 0) return;
    for (let y = 0; y < n; y++) values[first + y * stride] = this.valueAt(y);
  }
}
