// Kernel 1: per (sample, class) statistics.
//
// For every sample b < B and class c < C it ADDS to the f64 record at
// `stats + (b·C + c)·STATS_STRIDE·8` (see constants.ts), over the counted voxels s < count:
//   I = Σ p·y,   P = Σ p (Σ p² with ROW_SQUARED),   G = Σ y (Σ y² with ROW_SQUARED),
//   A = Σ |p − y| (ROW_SOFT, dense targets only),   N = number of counted voxels,
//   E, E2 = the sums of the pointwise term `point` (POINT_*, with focal exponent `gamma`)
// where p = act(pred) and y is the target: a dense value (same shape and layout as pred) or,
// for a label map (shape [B, S]), [label == c]. A voxel is not counted when its label is
// ignoreIndex (label maps, `hasIgnore`) or when its byte in `mask` is 0 (mask ≠ 0: bytes of
// sample b at mask + b·maskStride, maskStride = S, or 0 to share one mask across samples).
// The tensors hold S voxels per sample (S is the distance in voxels between samples and,
// channels-first, between class rows); the kernel reads the first `count` ≤ S of each. Voxels
// [s0, s0 + count) of every sample are handed over by pointing pred, target and mask at voxel
// s0 of sample 0: as records add, a tensor can arrive in such pieces, in any order.
// `scratch` must hold scratchBytes(C) bytes. Rows of one class stream directly when that is
// enough (no softmax, channels-first or one class, no pointwise term); everything else goes
// through tiles (tile.ts), reading each input once.
import { ACT_SIGMOID, ACT_SOFTMAX, LAYOUT_NCHW, POINT_FOCAL, POINT_NONE, ROW_SOFT, ROW_SQUARED, STATS_STRIDE } from "./constants";
import { sumPointSigmoid, sumPointSoftmax } from "./point";
import { MASKED, SIGMOID, SOFT, SQUARED, sumDense, sumLabels } from "./reduce";
import {
  gatherRow, keepArea, keepRow, labelRow, probArea, rawArea, rawRows, rawStride, rowBytes, softmaxRows, tileLength,
  workArea, yArea,
} from "./tile";

// @ts-ignore: decorator
@inline function record(stats: usize, k: usize): usize {
  return stats + ((k * <usize>STATS_STRIDE) << 3);
}

// @ts-ignore: decorator
@inline function isDirect(C: i32, layout: i32, act: i32, point: i32): bool {
  return point == POINT_NONE && act != ACT_SOFTMAX && (layout == LAYOUT_NCHW || C == 1);
}

/** The row variant (reduce.ts) for this call; softmax rows arrive already activated. */
// @ts-ignore: decorator
@inline function rowVariant(act: i32, flags: i32, mask: usize, dense: bool): i32 {
  return (act == ACT_SIGMOID ? SIGMOID : 0) | ((flags & ROW_SQUARED) != 0 ? SQUARED : 0)
    | (dense && (flags & ROW_SOFT) != 0 ? SOFT : 0) | (mask != 0 ? MASKED : 0);
}

/** The pointwise sums of one class row of a tile (x: logits; p, m, lz: softmax rows). */
// @ts-ignore: decorator
@inline function sumPoint<T>(
  rec: usize, act: i32, point: i32, gamma: f32, x: usize, p: usize, m: usize, lz: usize, y: usize, keep: usize, n: i32,
): void {
  if (point == POINT_NONE) return;
  const focal = point == POINT_FOCAL;
  if (act == ACT_SOFTMAX) sumPointSoftmax<T>(rec, x, p, m, lz, y, keep, n, focal, gamma, keep != 0);
  else sumPointSigmoid<T>(rec, x, y, keep, n, focal, gamma, keep != 0);
}

function statsDense<T>(
  stats: usize, pred: usize, target: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, point: i32, gamma: f32, scratch: usize,
): void {
  const ts = <usize>sizeof<T>();
  const variant = rowVariant(act, flags, mask, true);
  if (isDirect(C, layout, act, point)) {
    const rows = <usize>B * <usize>C;
    for (let k: usize = 0; k < rows; k++) {
      const at = k * <usize>S;
      const m = mask + (k / <usize>C) * <usize>maskStride;
      sumDense<T>(record(stats, k), pred + (at << 2), target + at * ts, m, count, variant);
    }
    return;
  }
  const tile = tileLength(C), rb = rowBytes(C), softmax = act == ACT_SOFTMAX;
  const prob = probArea(scratch), raw = rawArea(scratch, C), yrow = yArea(scratch, C);
  const m = workArea(scratch, C, 0), z = workArea(scratch, C, 1), lz = workArea(scratch, C, 2);
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < count; s0 += tile) {
      const n = min(tile, count - s0);
      const x = rawRows(raw, pred, b, C, S, layout, s0, n, rb), xs = rawStride(layout, S, rb);
      if (softmax) softmaxRows(prob, rb, x, xs, C, n, m, z, lz, point != POINT_NONE);
      const keep: usize = mask == 0 ? 0 : mask + <usize>b * <usize>maskStride + <usize>s0;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c, rec = record(stats, k);
        const xc = x + <usize>c * xs, pc = prob + <usize>c * rb, row = softmax ? pc : xc;
        if (layout == LAYOUT_NCHW) {
          const y = target + (k * <usize>S + <usize>s0) * ts;
          sumDense<T>(rec, row, y, keep, n, variant);
          sumPoint<T>(rec, act, point, gamma, xc, pc, m, lz, y, keep, n);
        } else {
          gatherRow<T>(yrow, target + ((<usize>b * <usize>S + <usize>s0) * <usize>C + <usize>c) * ts, C, n);
          sumDense<f32>(rec, row, yrow, keep, n, variant);
          sumPoint<f32>(rec, act, point, gamma, xc, pc, m, lz, yrow, keep, n);
        }
      }
    }
  }
}

function statsLabels<T>(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, scratch: usize,
): void {
  const ls = <usize>sizeof<T>();
  const variant = rowVariant(act, flags, mask, false);
  if (isDirect(C, layout, act, point)) {
    for (let b = 0; b < B; b++) {
      const row = labels + <usize>b * <usize>S * ls, m = mask + <usize>b * <usize>maskStride;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c;
        sumLabels<T>(record(stats, k), pred + ((k * <usize>S) << 2), row, m, count, c, ignoreIndex, hasIgnore, variant);
      }
    }
    return;
  }
  // Tiles reduce label rows directly; with a pointwise term they turn labels into a 0/1 row per
  // class and one row of counted voxels, the form the pointwise rows take.
  const tile = tileLength(C), rb = rowBytes(C), softmax = act == ACT_SOFTMAX;
  const prob = probArea(scratch), raw = rawArea(scratch, C), yrow = yArea(scratch, C), keep = keepArea(scratch, C);
  const m = workArea(scratch, C, 0), z = workArea(scratch, C, 1), lz = workArea(scratch, C, 2);
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < count; s0 += tile) {
      const n = min(tile, count - s0);
      const x = rawRows(raw, pred, b, C, S, layout, s0, n, rb), xs = rawStride(layout, S, rb);
      if (softmax) softmaxRows(prob, rb, x, xs, C, n, m, z, lz, point != POINT_NONE);
      const row = labels + (<usize>b * <usize>S + <usize>s0) * ls;
      const maskRow: usize = mask == 0 ? 0 : mask + <usize>b * <usize>maskStride + <usize>s0;
      if (point == POINT_NONE) {
        for (let c = 0; c < C; c++) {
          const k = <usize>b * <usize>C + <usize>c, xc = softmax ? prob + <usize>c * rb : x + <usize>c * xs;
          sumLabels<T>(record(stats, k), xc, row, maskRow, n, c, ignoreIndex, hasIgnore, variant);
        }
        continue;
      }
      keepRow<T>(keep, row, maskRow, n, ignoreIndex, hasIgnore);
      for (let c = 0; c < C; c++) {
        const rec = record(stats, <usize>b * <usize>C + <usize>c);
        const xc = x + <usize>c * xs, pc = prob + <usize>c * rb;
        labelRow<T>(yrow, row, n, c);
        sumDense<f32>(rec, softmax ? pc : xc, yrow, keep, n, variant | MASKED);
        sumPoint<f32>(rec, act, point, gamma, xc, pc, m, lz, yrow, keep, n);
      }
    }
  }
}

export function statsDense_f32(
  stats: usize, pred: usize, target: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, point: i32, gamma: f32, scratch: usize,
): void {
  statsDense<f32>(stats, pred, target, mask, maskStride, B, C, S, count, layout, act, flags, point, gamma, scratch);
}

export function statsDense_u8(
  stats: usize, pred: usize, target: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, point: i32, gamma: f32, scratch: usize,
): void {
  statsDense<u8>(stats, pred, target, mask, maskStride, B, C, S, count, layout, act, flags, point, gamma, scratch);
}

export function statsLabels_u8(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, scratch: usize,
): void {
  statsLabels<u8>(stats, pred, labels, mask, maskStride, B, C, S, count, layout, act, flags, ignoreIndex, hasIgnore, point, gamma, scratch);
}

export function statsLabels_u16(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, scratch: usize,
): void {
  statsLabels<u16>(stats, pred, labels, mask, maskStride, B, C, S, count, layout, act, flags, ignoreIndex, hasIgnore, point, gamma, scratch);
}

export function statsLabels_i32(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, scratch: usize,
): void {
  statsLabels<i32>(stats, pred, labels, mask, maskStride, B, C, S, count, layout, act, flags, ignoreIndex, hasIgnore, point, gamma, scratch);
}
