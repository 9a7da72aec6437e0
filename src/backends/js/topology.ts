// The readable reference of the topology kernels (assembly/skeleton.ts, assembly/band.ts,
// boundary.ts's maskCounts): per (sample, class) term, the class mask (surface.ts's classMask),
// its box, the skeletons of both sides (skeleton.ts), their boundary bands, and the counts of the
// topology record (TOPO_*).
import type { HardPrediction, Target } from '../../core/api.js';
import {
  BAND_PRED,
  BAND_TARGET,
  BOX_X0,
  BOX_X1,
  BOX_Y0,
  BOX_Y1,
  BOX_Z0,
  BOX_Z1,
  MASK_PRED,
  MASK_TARGET,
  SKEL_PRED,
  SKEL_TARGET,
  TOPO_BAND_BOTH,
  TOPO_BAND_EITHER,
  TOPO_SKEL_PRED,
  TOPO_SKEL_PRED_IN_TARGET,
  TOPO_SKEL_TARGET,
  TOPO_SKEL_TARGET_IN_PRED,
  TOPO_STRIDE,
} from '../../core/constants.js';
import type { TopologyPlan } from '../../core/plans.js';
import { distanceField } from './distance-field.js';
import { thinLee } from './skeleton.js';
import { classMask, maskBox } from './surface.js';

export function topologyJS(plan: TopologyPlan, pred: HardPrediction, target: Target): Float64Array {
  const { B, C, S } = plan.arrays;
  const [nx, ny, nz] = plan.dims;
  const records = new Float64Array(B * C * TOPO_STRIDE);
  const mask = new Uint8Array(S);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      if (plan.terms[b * C + c] === 0) continue;
      classMask(mask, plan, pred, target, b, c);
      const box = maskBox(mask, { nx, ny, nz, rank: plan.rank });
      if (plan.skeleton !== null) {
        const preserving = plan.skeleton === 'lee-preserving';
        skeletonBits(mask, MASK_PRED, SKEL_PRED, box, plan.dims, preserving);
        skeletonBits(mask, MASK_TARGET, SKEL_TARGET, box, plan.dims, preserving);
      }
      const band = plan.band;
      if (band?.kind === 'chessboard') {
        bandBitsChessboard(mask, box, plan.dims, band.radii.subarray(b * 3, b * 3 + 3));
      } else if (band?.kind === 'euclidean') {
        bandBitsEuclidean(mask, box, plan.dims, plan.rank, band.weights.subarray(b * 3, b * 3 + 3), band.limits[b]);
      }
      records.set(maskCounts(mask, box, plan.dims), (b * C + c) * TOPO_STRIDE);
    }
  }
  return records;
}

/** A class mask's box: its extents and origin, and the index in the image of a voxel of the box. */
class Box {
  readonly x0: number;
  readonly y0: number;
  readonly z0: number;
  readonly cx: number;
  readonly cy: number;
  readonly cz: number;
  readonly size: number;

  private readonly nx: number;
  private readonly ny: number;

  constructor(box: Int32Array, [nx, ny]: readonly number[]) {
    this.nx = nx;
    this.ny = ny;
    this.x0 = box[BOX_X0];
    this.y0 = box[BOX_Y0];
    this.z0 = box[BOX_Z0];
    this.cx = box[BOX_X1] - this.x0;
    this.cy = box[BOX_Y1] - this.y0;
    this.cz = box[BOX_Z1] - this.z0;
    this.size = this.cx * this.cy * this.cz;
  }

  /** Index in the image of the voxel (x, y, z) of the box. */
  at(x: number, y: number, z: number): number {
    return ((this.z0 + z) * this.ny + this.y0 + y) * this.nx + this.x0 + x;
  }
}

/**
 * Sets `skeleton` on the voxels of the skeleton of the voxels of the box with `bit` (Lee's
 * thinning; `preserving` with Lee's whole test in the re-check), as assembly/skeleton.ts.
 */
export function skeletonBits(
  mask: Uint8Array,
  bit: number,
  skeleton: number,
  boxSlots: Int32Array,
  dims: readonly number[],
  preserving: boolean,
): void {
  const box = new Box(boxSlots, dims);
  if (box.size === 0) return;
  const volume = new Uint8Array(box.size);
  forEachVoxel(box, (i, at) => {
    volume[i] = mask[at] & bit ? 1 : 0;
  });
  thinLee(volume, box.cx, box.cy, box.cz, preserving);
  forEachVoxel(box, (i, at) => {
    if (volume[i]) mask[at] |= skeleton;
  });
}

/** Calls visit(index in the box, index in the image) for every voxel of the box, x fastest. */
function forEachVoxel(box: Box, visit: (i: number, at: number) => void): void {
  for (let z = 0, i = 0; z < box.cz; z++) {
    for (let y = 0; y < box.cy; y++) {
      for (let x = 0; x < box.cx; x++, i++) visit(i, box.at(x, y, z));
    }
  }
}

/**
 * Sets BAND_PRED (BAND_TARGET) on the voxels of the box with MASK_PRED (MASK_TARGET) that the
 * erosion by the box of radii r (x, y, z; 0 leaves an axis alone) removes: those with a voxel
 * outside that mask, or outside the box, within r_axis along every axis (assembly/band.ts).
 */
export function bandBitsChessboard(
  mask: Uint8Array,
  boxSlots: Int32Array,
  dims: readonly number[],
  r: ArrayLike<number>,
): void {
  const box = new Box(boxSlots, dims);
  if (box.size === 0) return;
  chessboardBand(mask, box, MASK_PRED, BAND_PRED, r);
  chessboardBand(mask, box, MASK_TARGET, BAND_TARGET, r);
}

/**
 * Sets BAND_PRED (BAND_TARGET) on the voxels of the box with MASK_PRED (MASK_TARGET) whose
 * squared distance (weights: squared spacings along x, y, z) to the nearest voxel outside that
 * mask, or outside the box along the image's `rank` axes, is ≤ limit (assembly/band.ts).
 */
export function bandBitsEuclidean(
  mask: Uint8Array,
  boxSlots: Int32Array,
  dims: readonly number[],
  rank: number,
  weights: ArrayLike<number>,
  limit: number,
): void {
  const box = new Box(boxSlots, dims);
  if (box.size === 0) return;
  euclideanBand(mask, box, rank, MASK_PRED, BAND_PRED, weights, limit);
  euclideanBand(mask, box, rank, MASK_TARGET, BAND_TARGET, weights, limit);
}

function chessboardBand(mask: Uint8Array, box: Box, bit: number, band: number, r: ArrayLike<number>): void {
  const kept = new Uint8Array(box.size);
  forEachVoxel(box, (i, at) => {
    kept[i] = mask[at] & bit ? 1 : 0;
  });
  const { cx, cy, cz } = box;
  // The erosion by a box is three erosions by segments, one per axis.
  const lines: [number, number, number, number][] = [];
  if (r[0] > 0) for (let z = 0; z < cz; z++) for (let y = 0; y < cy; y++) lines.push([(z * cy + y) * cx, 1, cx, r[0]]);
  if (r[1] > 0) for (let z = 0; z < cz; z++) for (let x = 0; x < cx; x++) lines.push([z * cy * cx + x, cx, cy, r[1]]);
  if (r[2] > 0) for (let y = 0; y < cy; y++) for (let x = 0; x < cx; x++) lines.push([y * cx + x, cx * cy, cz, r[2]]);
  for (const [first, step, n, radius] of lines) erodeLine(kept, first, step, n, radius);
  forEachVoxel(box, (i, at) => {
    if (mask[at] & bit && !kept[i]) mask[at] |= band;
  });
}

/** Keeps a voxel of the line when every voxel within `radius` along it is kept; the line's ends count as not. */
function erodeLine(kept: Uint8Array, first: number, step: number, n: number, radius: number): void {
  const before = Array.from({ length: n }, (_, i) => kept[first + i * step]);
  for (let i = 0; i < n; i++) {
    let all = true;
    for (let j = i - radius; j <= i + radius && all; j++) all = j >= 0 && j < n && before[j] === 1;
    kept[first + i * step] = all ? 1 : 0;
  }
}

/**
 * Sets `band` on the voxels with `bit` whose squared distance (weights: squared spacings) to the
 * nearest voxel without it, or outside the box, is ≤ limit: the distance field over the box with
 * a frame of one voxel of outside along the image's axes.
 */
function euclideanBand(
  mask: Uint8Array,
  box: Box,
  rank: number,
  bit: number,
  band: number,
  weights: ArrayLike<number>,
  limit: number,
): void {
  const fy = rank >= 2 ? 1 : 0,
    fz = rank >= 3 ? 1 : 0;
  const dims = [box.cx + 2, box.cy + 2 * fy, box.cz + 2 * fz];
  const padded = (x: number, y: number, z: number): number => ((z + fz) * dims[1] + y + fy) * dims[0] + x + 1;
  const outside = new Uint8Array(dims[0] * dims[1] * dims[2]).fill(1);
  for (let z = 0; z < box.cz; z++)
    for (let y = 0; y < box.cy; y++)
      for (let x = 0; x < box.cx; x++) if (mask[box.at(x, y, z)] & bit) outside[padded(x, y, z)] = 0;
  const field = distanceField(outside, 1, dims, weights);
  for (let z = 0; z < box.cz; z++) {
    for (let y = 0; y < box.cy; y++) {
      for (let x = 0; x < box.cx; x++) {
        const at = box.at(x, y, z);
        if (mask[at] & bit && field[padded(x, y, z)] <= limit) mask[at] |= band;
      }
    }
  }
}

/** The topology record (TOPO_*) of the class mask inside the box (boundary.ts's maskCounts). */
export function maskCounts(mask: Uint8Array, boxSlots: Int32Array, dims: readonly number[]): Float64Array {
  const record = new Float64Array(TOPO_STRIDE);
  const box = new Box(boxSlots, dims);
  forEachVoxel(box, (_i, at) => {
    const m = mask[at];
    if (m & SKEL_PRED) {
      record[TOPO_SKEL_PRED]++;
      if (m & MASK_TARGET) record[TOPO_SKEL_PRED_IN_TARGET]++;
    }
    if (m & SKEL_TARGET) {
      record[TOPO_SKEL_TARGET]++;
      if (m & MASK_PRED) record[TOPO_SKEL_TARGET_IN_PRED]++;
    }
    if (m & BAND_PRED && m & BAND_TARGET) record[TOPO_BAND_BOTH]++;
    if (m & (BAND_PRED | BAND_TARGET)) record[TOPO_BAND_EITHER]++;
  });
  return record;
}
