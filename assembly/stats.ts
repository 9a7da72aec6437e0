// Kernel 1: per (sample, class) statistics.
//
// For every sample b < B and class c < C it ADDS to the f64 record at
// `stats + (b·C + c)·STATS_STRIDE·8` (see constants.ts), over the valid voxels s < S:
//   I = Σ p·y,   P = Σ p (Σ p² when squared),   G = Σ y (Σ y² when squared),   N = valid count
// where p = act(pred) and y is the target: a dense value (same shape and layout as pred) or,
// for a label map (shape [B, S]), [label == c], with voxels labelled ignoreIndex skipped.
// `scratch` must hold scratchBytes(C) bytes; it is used by softmax and by channels-last
// input with C > 1 (the tiled path); everything else streams each (b, c) row directly.
import { ACT_SIGMOID, ACT_SOFTMAX, LAYOUT_NCHW, STATS_STRIDE } from "./constants";
import { sumDense, sumLabels } from "./reduce";
import { gatherRow, loadTile, tileLength } from "./tile";

// @ts-ignore: decorator
@inline function record(stats: usize, k: usize): usize {
  return stats + ((k * <usize>STATS_STRIDE) << 3);
}

// @ts-ignore: decorator
@inline function isDirect(C: i32, layout: i32, act: i32): bool {
  return act != ACT_SOFTMAX && (layout == LAYOUT_NCHW || C == 1);
}

function statsDense<T>(
  stats: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, act: i32,
  squared: bool, scratch: usize,
): void {
  const ts = <usize>sizeof<T>();
  const sigmoid = act == ACT_SIGMOID;
  if (isDirect(C, layout, act)) {
    const rows = <usize>B * <usize>C;
    for (let k: usize = 0; k < rows; k++) {
      const at = k * <usize>S;
      sumDense<T>(record(stats, k), pred + (at << 2), target + at * ts, S, sigmoid, squared);
    }
    return;
  }
  const tile = tileLength(C), rowBytes = <usize>tile << 2;
  const prob = scratch, yrow = scratch + ((<usize>C * rowBytes) << 1), work = yrow + rowBytes;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += tile) {
      const n = min(tile, S - s0);
      loadTile(prob, pred, b, C, S, layout, act, s0, n, tile, work);
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c, x = prob + <usize>c * rowBytes;
        if (layout == LAYOUT_NCHW) {
          sumDense<T>(record(stats, k), x, target + (k * <usize>S + <usize>s0) * ts, n, sigmoid, squared);
        } else {
          const run = target + ((<usize>b * <usize>S + <usize>s0) * <usize>C + <usize>c) * ts;
          gatherRow<T>(yrow, run, C, n);
          sumDense<f32>(record(stats, k), x, yrow, n, sigmoid, squared);
        }
      }
    }
  }
}

function statsLabels<T>(
  stats: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, act: i32,
  squared: bool, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  const ls = <usize>sizeof<T>();
  const sigmoid = act == ACT_SIGMOID;
  if (isDirect(C, layout, act)) {
    for (let b = 0; b < B; b++) {
      const row = labels + <usize>b * <usize>S * ls;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c;
        sumLabels<T>(record(stats, k), pred + ((k * <usize>S) << 2), row, S, c, ignoreIndex, hasIgnore, sigmoid, squared);
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
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c;
        sumLabels<T>(record(stats, k), prob + <usize>c * rowBytes, row, n, c, ignoreIndex, hasIgnore, sigmoid, squared);
      }
    }
  }
}

export function statsDense_f32(
  stats: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, act: i32,
  squared: bool, scratch: usize,
): void {
  statsDense<f32>(stats, pred, target, B, C, S, layout, act, squared, scratch);
}

export function statsDense_u8(
  stats: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, act: i32,
  squared: bool, scratch: usize,
): void {
  statsDense<u8>(stats, pred, target, B, C, S, layout, act, squared, scratch);
}

export function statsLabels_u8(
  stats: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, act: i32,
  squared: bool, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  statsLabels<u8>(stats, pred, labels, B, C, S, layout, act, squared, ignoreIndex, hasIgnore, scratch);
}

export function statsLabels_u16(
  stats: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, act: i32,
  squared: bool, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  statsLabels<u16>(stats, pred, labels, B, C, S, layout, act, squared, ignoreIndex, hasIgnore, scratch);
}

export function statsLabels_i32(
  stats: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, act: i32,
  squared: bool, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  statsLabels<i32>(stats, pred, labels, B, C, S, layout, act, squared, ignoreIndex, hasIgnore, scratch);
}
