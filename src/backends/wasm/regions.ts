// Pieces of a call's [B, C, S] tensors that the kernels take one call at a time: kernel 1 adds to
// its statistics records and kernel 2 maps each element on its own (given the coefficients), so
// a tensor can be handed over in any pieces. Two cuttings: chunks that fit the staging area
// when plain arrays are streamed through it, and one share per worker in the pool.
import type { Layout } from '../../core/api.js';
import { BLOCK } from '../../core/constants.js';

/** Samples [b0, b1) × voxels [s0, s1); several samples only as whole ones (s0 = 0, s1 = S). */
export interface Region {
  b0: number;
  b1: number;
  s0: number;
  s1: number;
}

/**
 * Voxels a piece should start on: whole f32 blocks of the kernels and whole tiles, so that pieces
 * sum as the whole does.
 */
export function alignment(tileLength: number): number {
  return BLOCK % tileLength === 0 ? BLOCK : tileLength;
}

/** Smallest chunk: four f32x4 vectors per row, whatever the budget. */
const MIN_CHUNK = 16;

/**
 * Voxels per chunk when each takes `bytesPerVoxel` bytes of a `budget`: a multiple of `align`
 * when one fits, else of MIN_CHUNK (never fewer), and no more than the `total` voxels.
 */
export function chunkVoxels(budget: number, bytesPerVoxel: number, align: number, total: number): number {
  const fits = Math.floor(budget / bytesPerVoxel);
  const step = fits >= align ? align : MIN_CHUNK;
  return Math.min(Math.max(fits - (fits % step), MIN_CHUNK), total);
}

/** Regions of at most `capacity` voxels in memory order: groups of whole samples, or pieces of one. */
export function streamRegions(B: number, S: number, capacity: number): Region[] {
  const regions: Region[] = [];
  if (S === 0) return regions;
  if (S <= capacity) {
    const group = Math.floor(capacity / S);
    for (let b0 = 0; b0 < B; b0 += group) regions.push({ b0, b1: Math.min(B, b0 + group), s0: 0, s1: S });
    return regions;
  }
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += capacity) regions.push({ b0: b, b1: b + 1, s0, s1: Math.min(S, s0 + capacity) });
  }
  return regions;
}

/**
 * The B·S voxels in sample-major order, cut into `parts` contiguous shares of about equal size
 * (cuts inside a sample fall on multiples of `align`; a share may be empty), each as at most
 * three regions: the end of one sample, whole samples, the start of another.
 */
export function splitRegions(B: number, S: number, parts: number, align: number): Region[][] {
  const total = B * S;
  if (total === 0) return Array.from({ length: parts }, () => []);
  const cut = (w: number): number => {
    if (w === parts) return total;
    const at = Math.floor((w * total) / parts);
    const s = at % S;
    return at - (s % align);
  };
  const shares: Region[][] = [];
  for (let w = 0; w < parts; w++) {
    const end = cut(w + 1);
    const regions: Region[] = [];
    for (let at = cut(w); at < end; ) {
      const b = Math.floor(at / S),
        s = at - b * S;
      if (s > 0 || end - at < S) {
        const s1 = Math.min(S, end - b * S);
        regions.push({ b0: b, b1: b + 1, s0: s, s1 });
        at = b * S + s1;
      } else {
        const samples = Math.floor((end - at) / S);
        regions.push({ b0: b, b1: b + samples, s0: 0, s1: S });
        at += samples * S;
      }
    }
    shares.push(regions);
  }
  return shares;
}

/** Index of the first element of a region in an array with a class axis (pred, a dense target, the gradient). */
export function classOffset(region: Region, C: number, S: number, layout: Layout): number {
  return layout === 'NCHW' ? region.b0 * C * S + region.s0 : (region.b0 * S + region.s0) * C;
}

/** Index of the first voxel of a region in a per-voxel array (a label map, a per-sample mask). */
export function voxelOffset(region: Region, S: number): number {
  return region.b0 * S + region.s0;
}
