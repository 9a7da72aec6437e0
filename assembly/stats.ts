// Kernel 1: per (sample, class) statistics.
//
// For every sample b < B and class c < C it ADDS to the f64 record at
// `stats + (b·C + c)·STATS_STRIDE·8` (see constants.ts), over the counted voxels s < S:
//   I = Σ p·y,   P = Σ p (Σ p² with ROW_SQUARED),   G = Σ y (Σ y² with ROW_SQUARED),
//   A = Σ |p − y| (ROW_SOFT, dense targets only),   N = number of counted voxels
// where p = act(pred) and y is the target: a dense value (same shape and layout as pred) or,
// for a label map (shape [B, S]), [label == c]. A voxel is not counted when its label is
// ignoreIndex (label maps, `hasIgnore`) or when its byte in `mask` is 0 (mask ≠ 0: bytes of
// sample b at mask + b·maskStride, maskStride = S, or 0 to share one mask across samples).
// `scratch` must hold scratchBytes(C) bytes; it is used by softmax and by channels-last input
// with C > 1 (the tiled path); everything else streams each (b, c) row directly.
import { ACT_SIGMOID, ACT_SOFTMAX, LAYOUT_NCHW, ROW_SOFT, ROW_SQUARED, STATS_STRIDE } from "./constants";
import { MASKED, SIGMOID, SOFT, SQUARED, sumDense, sumLabels } from "./reduce";
import { gatherRow, loadTile, tileLength } from "./tile";

// @ts-ignore: decorator
@inline function record(stats: usize, k: usize): usize {
  return stats + ((k * <usize>STATS_STRIDE) << 3);
}

// @ts-ignore: decorator
@inline function isDirect(C: i32, layout: i32, act: i32): bool {
  return act != ACT_SOFTMAX && (layout == LAYOUT_NCHW || C == 1);
}

/** The row variant (reduce.ts) for this call; the tiled path has applied softmax already. */
// @ts-ignore: decorator
@inline function rowVariant(act: i32, flags: i32, mask: usize, dense: bool): i32 {
  return (act == ACT_SIGMOID ? SIGMOID : 0) | ((flags & ROW_SQUARED) != 0 ? SQUARED : 0)
    | (dense && (flags & ROW_SOFT) != 0 ? SOFT : 0) | (mask != 0 ? MASKED : 0);
}

function statsDense<T>(
  stats: usize, pred: usize, target: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32,
  layout: i32, act: i32, flags: i32, scratch: usize,
): void {
  const ts = <usize>sizeof<T>();
  const variant = rowVariant(act, flags, mask, true);
  if (isDirect(C, layout, act)) {
    const rows = <usize>B * <usize>C;
    for (let k: usize = 0; k < rows; k++) {
      const at = k * <usize>S;
      const m = mask + (k / <usize>C) * <usize>maskStride;
      sumDense<T>(record(stats, k), pred + (at << 2), target + at * ts, m, S, variant);
    }
    return;
  }
  const tile = tileLength(C), rowBytes = <usize>tile << 2;
  const prob = scratch, yrow = scratch + ((<usize>C * rowBytes) << 1), work = yrow + rowBytes;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += tile) {
      const n = min(tile, S - s0);
      loadTile(prob, pred, b, C, S, layout, act, s0, n, tile, work);
      const m = mask + <usize>b * <usize>maskStride + <usize>s0;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c, x = prob + <usize>c * rowBytes;
        if (layout == LAYOUT_NCHW) {
          sumDense<T>(record(stats, k), x, target + (k * <usize>S + <usize>s0) * ts, m, n, variant);
        } else {
          const run = target + ((<usize>b * <usize>S + <usize>s0) * <usize>C + <usize>c) * ts;
          gatherRow<T>(yrow, run, C, n);
          sumDense<f32>(record(stats, k), x, yrow, m, n, variant);
        }
      }
    }
  }
}

function statsLabels<T>(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  const ls = <usize>sizeof<T>();
  const variant = rowVariant(act, flags, mask, false);
  if (isDirect(C, layout, act)) {
    for (let b = 0; b < B; b++) {
      const row = labels + <usize>b * <usize>S * ls, m = mask + <usize>b * <usize>maskStride;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c;
        sumLabels<T>(record(stats, k), pred + ((k * <usize>S) << 2), row, m, S, c, ignoreIndex, hasIgnore, variant);
      }
    }
    return;
  }
  const tile = tileLength(C), rowBytes = <usize>tile << 2;
  const prob = scratch, work = scratch + ((<usize>C * rowBytes) << 1) + rowBytes;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += tile) {
      const n = min(tile, S - s0);
      loadTile(prob, pred, b, C, S, layout, act, s0, n, tile, work);
      const row = labels + (<usize>b * <usize>S + <usize>s0) * ls;
      const m = mask + <usize>b * <usize>maskStride + <usize>s0;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c;
        sumLabels<T>(record(stats, k), prob + <usize>c * rowBytes, row, m, n, c, ignoreIndex, hasIgnore, variant);
      }
    }
  }
}

export function statsDense_f32(
  stats: usize, pred: usize, target: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32,
  layout: i32, act: i32, flags: i32, scratch: usize,
): void {
  statsDense<f32>(stats, pred, target, mask, maskStride, B, C, S, layout, act, flags, scratch);
}

export function statsDense_u8(
  stats: usize, pred: usize, target: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32,
  layout: i32, act: i32, flags: i32, scratch: usize,
): void {
  statsDense<u8>(stats, pred, target, mask, maskStride, B, C, S, layout, act, flags, scratch);
}

export function statsLabels_u8(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  statsLabels<u8>(stats, pred, labels, mask, maskStride, B, C, S, layout, act, flags, ignoreIndex, hasIgnore, scratch);
}

export function statsLabels_u16(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  statsLabels<u16>(stats, pred, labels, mask, maskStride, B, C, S, layout, act, flags, ignoreIndex, hasIgnore, scratch);
}

export function statsLabels_i32(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  statsLabels<i32>(stats, pred, labels, mask, maskStride, B, C, S, layout, act, flags, ignoreIndex, hasIgnore, scratch);
}
