// The readable reference of surfel-weighted surface distances (math/surfels.ts; the WebAssembly
// backend's is wasm/surface.ts with assembly/surfel.ts): the corner grid's surfels of both masks,
// the distances from each surfel to the nearest surfel of the other surface by the exact EDT
// (js/surface.ts, on the corner grid), each weighted by its surfel's measure.
import { BOX_STRIDE, BOX_X0, BOX_X1, BOX_Y0, BOX_Y1, BOX_Z0, BOX_Z1 } from '../../core/constants.js';
import {
  DIST_COUNT,
  DIST_MAX,
  DIST_SUM,
  DIST_WITHIN,
  EDGE_PRED,
  EDGE_TARGET,
  MASK_PRED,
  MASK_TARGET,
} from '../../core/constants.js';
import {
  SURF_PRED,
  SURF_PRED_PERCENTILE,
  SURF_TARGET,
  SURF_TARGET_PERCENTILE,
  type SurfacePlan,
} from '../../core/plans.js';
import { cellCode, surfelMeasures, weightedDistances } from '../../math/surfels.js';
import type { HardPrediction, Target } from '../../core/api.js';
import { SURF_STRIDE } from '../../core/plans.js';
import { classMask, distancesToSurface, maskBox, type Grid } from './surface.js';

/** The surface records of a plan with `surfel` set (the engine's surface() for it). */
export function surfelsJS(plan: SurfacePlan, pred: HardPrediction, target: Target): Float64Array {
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
      surfelRecord(records, at, plan, mask, maskBox(mask, grid), grid, weights, plan.tolerance[c]);
    }
  }
  return records;
}

/** The corner grid of an image grid: one more corner than voxels along each axis the image has. */
export function cornerGrid({ nx, ny, nz, rank }: Grid): Grid {
  return { nx: nx + 1, ny: rank >= 2 ? ny + 1 : 1, nz: rank >= 3 ? nz + 1 : 1, rank };
}

/** The box of the corners of a box of voxels (BOX_* slots, half-open). */
export function cornerBox(box: Int32Array, rank: number): Int32Array {
  const out = new Int32Array(BOX_STRIDE);
  out[BOX_X0] = box[BOX_X0];
  out[BOX_X1] = box[BOX_X1] + 1;
  out[BOX_Y0] = box[BOX_Y0];
  out[BOX_Y1] = box[BOX_Y1] + (rank >= 2 ? 1 : 0);
  out[BOX_Z0] = box[BOX_Z0];
  out[BOX_Z1] = box[BOX_Z1] + (rank >= 3 ? 1 : 0);
  return out;
}

/** Spacing [x, y, z] (units of the plan's scale) from a sample's squared spacings. */
export function sampleSpacing(weights: ArrayLike<number>): number[] {
  return [Math.sqrt(weights[0]), Math.sqrt(weights[1]), Math.sqrt(weights[2])];
}

/**
 * Writes the surfel record of one (sample, class) at `at`: per direction the surfels' total
 * measure (DIST_COUNT), Σ measure·distance, the largest distance, the measure within tolerance,
 * and the area-weighted percentile. `mask` is the class mask of the image (MASK_* bits), `box`
 * its box (non-empty).
 */
export function surfelRecord(
  records: Float64Array,
  at: number,
  plan: SurfacePlan,
  mask: Uint8Array,
  box: Int32Array,
  grid: Grid,
  weights: ArrayLike<number>,
  tolerance: number,
): void {
  records[at + SURF_PRED_PERCENTILE] = records[at + SURF_TARGET_PERCENTILE] = Number.NaN;
  const corners = cornerGrid(grid);
  const cbox = cornerBox(box, grid.rank);
  const marks = new Uint8Array(corners.nx * corners.ny * corners.nz);
  const full = (1 << (1 << grid.rank)) - 1;
  for (let z = cbox[BOX_Z0]; z < cbox[BOX_Z1]; z++) {
    for (let y = cbox[BOX_Y0]; y < cbox[BOX_Y1]; y++) {
      for (let x = cbox[BOX_X0]; x < cbox[BOX_X1]; x++) {
        let m = 0;
        for (const [bit, edge] of [
          [MASK_PRED, EDGE_PRED],
          [MASK_TARGET, EDGE_TARGET],
        ]) {
          const code = cellCode(mask, bit, grid.nx, grid.ny, grid.nz, grid.rank, x, y, z);
          if (code !== 0 && code !== full) m |= edge;
        }
        marks[(z * corners.ny + y) * corners.nx + x] = m;
      }
    }
  }
  const measures = surfelMeasures(grid.rank as 2 | 3, sampleSpacing(weights));
  const directions = plan.symmetric
    ? [
        [SURF_PRED, MASK_PRED, EDGE_TARGET, EDGE_PRED],
        [SURF_TARGET, MASK_TARGET, EDGE_PRED, EDGE_TARGET],
      ]
    : [[SURF_PRED, MASK_PRED, EDGE_TARGET, EDGE_PRED]];
  // Without a surfel on one side every distance is +∞ (math/surface.ts): only the measures matter.
  const area = (bit: number, edge: number): number => {
    let total = 0;
    for (let i = 0; i < marks.length; i++) {
      if ((marks[i] & edge) === 0) continue;
      const x = i % corners.nx,
        y = Math.floor(i / corners.nx) % corners.ny,
        z = Math.floor(i / (corners.nx * corners.ny));
      total += measures[cellCode(mask, bit, grid.nx, grid.ny, grid.nz, grid.rank, x, y, z)];
    }
    return total;
  };
  records[at + SURF_PRED + DIST_COUNT] = area(MASK_PRED, EDGE_PRED);
  records[at + SURF_TARGET + DIST_COUNT] = area(MASK_TARGET, EDGE_TARGET);
  if (records[at + SURF_PRED + DIST_COUNT] === 0 || records[at + SURF_TARGET + DIST_COUNT] === 0) return;
  const cx = cbox[BOX_X1] - cbox[BOX_X0],
    cy = cbox[BOX_Y1] - cbox[BOX_Y0];
  for (const [record, bit, feature, query] of directions) {
    const m = distancesToSurface(marks, feature, query, cbox, corners, weights, tolerance, true);
    const listed = m.voxels as Uint32Array,
      distances = m.distances as Float64Array;
    const own = new Float64Array(listed.length);
    for (let i = 0; i < listed.length; i++) {
      const v = listed[i];
      const x = cbox[BOX_X0] + (v % cx),
        y = cbox[BOX_Y0] + (Math.floor(v / cx) % cy),
        z = cbox[BOX_Z0] + Math.floor(v / (cx * cy));
      own[i] = measures[cellCode(mask, bit, grid.nx, grid.ny, grid.nz, grid.rank, x, y, z)];
    }
    // With a percentile, both lists in increasing distance (ties by measure, as DeepMind sorts them).
    const order = Uint32Array.from(distances.keys());
    if (plan.percentile !== null) order.sort((i, j) => distances[i] - distances[j] || own[i] - own[j]);
    const w = weightedDistances(
      Float64Array.from(order, (i) => own[i]),
      Float64Array.from(order, (i) => distances[i]),
      tolerance,
      plan.percentile,
    );
    records[at + record + DIST_COUNT] = w.area;
    records[at + record + DIST_SUM] = w.sum;
    records[at + record + DIST_MAX] = w.max;
    records[at + record + DIST_WITHIN] = w.within;
    records[at + (record === SURF_PRED ? SURF_PRED_PERCENTILE : SURF_TARGET_PERCENTILE)] = w.percentile;
  }
}
