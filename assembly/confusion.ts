// Confusion counts per (sample, class).
//
// For every sample b < B and class c < C each kernel ADDS to the f64 record at
// `out + (b·C + c)·CONF_STRIDE·8` (constants.ts) the exact counts TP, PRED, TARGET and VALID
// over the voxels of sample b that count: all of them, except those whose label-map target is
// ignoreIndex (when `hasIgnore`). The prediction says "c" at a voxel when its label is c (label
// map), when its class-c value is non-zero or above `threshold` (dense, `decide`), or when c is
// its argmax (dense scores); the target says "c" when its label is c or its class-c value is
// non-zero. Dense tensors have B × C × S elements in `layout`, label maps B × S. `scratch`
// holds confusionScratchBytes(C) bytes (tiles of the argmax and channels-last paths, histograms).
import { CONF_STRIDE, CONF_TILE, DECIDE_THRESHOLD, LAYOUT_NCHW } from "./constants";
import { argmaxTile, narrowLabels } from "./argmax";
import { countLabels, countMaskLabels, countMasks, histogramBytes, recordOf } from "./count";
import { gatherRow } from "./tile";

const ROW_BYTES: usize = <usize>CONF_TILE << 2;

/**
 * Scratch of the tiled paths (argmax labels (i32), the same narrowed, a prediction row, a target
 * row) and of the label counts (their histograms, after the first two rows).
 */
export function confusionScratchBytes(C: i32): usize {
  return max(ROW_BYTES << 2, (ROW_BYTES << 1) + histogramBytes(C));
}

/** Where countLabels keeps its histograms in the scratch (beside the argmax rows). */
// @ts-ignore: decorator
@inline function histograms(scratch: usize): usize {
  return scratch + (ROW_BYTES << 1);
}

// @ts-ignore: decorator
@inline function recordsOf(out: usize, b: i32, C: i32): usize {
  return out + ((<usize>b * <usize>C * <usize>CONF_STRIDE) << 3);
}

function confusionLabels<T>(
  out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  const row = <usize>S * sizeof<T>();
  for (let b = 0; b < B; b++) {
    countLabels<T>(recordsOf(out, b, C), pred + <usize>b * row, target + <usize>b * row, S, C, ignoreIndex, hasIgnore,
      histograms(scratch));
  }
}

function confusionMasks<P, T>(
  out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, scratch: usize,
): void {
  const byThreshold = decide == DECIDE_THRESHOLD;
  if (layout == LAYOUT_NCHW || C == 1) {
    const rows = <usize>B * <usize>C;
    for (let k: usize = 0; k < rows; k++) {
      const at = k * <usize>S;
      countMasks<P, T>(recordOf(out, <i32>k), pred + at * sizeof<P>(), target + at * sizeof<T>(), S, threshold, byThreshold);
    }
    return;
  }
  const predRow = scratch + (ROW_BYTES << 1), targetRow = predRow + ROW_BYTES;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += CONF_TILE) {
      const n = min(CONF_TILE, S - s0);
      const run = (<usize>b * <usize>S + <usize>s0) * <usize>C;
      for (let c = 0; c < C; c++) {
        gatherRow<P>(predRow, pred + (run + <usize>c) * sizeof<P>(), C, n);
        gatherRow<T>(targetRow, target + (run + <usize>c) * sizeof<T>(), C, n);
        countMasks<f32, f32>(recordOf(recordsOf(out, b, C), c), predRow, targetRow, n, threshold, byThreshold);
      }
    }
  }
}

function confusionMaskLabels<P, T>(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32,
  ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  const byThreshold = decide == DECIDE_THRESHOLD;
  const ls = <usize>sizeof<T>();
  if (layout == LAYOUT_NCHW || C == 1) {
    for (let b = 0; b < B; b++) {
      const map = labels + <usize>b * <usize>S * ls;
      for (let c = 0; c < C; c++) {
        const row = pred + (<usize>b * <usize>C + <usize>c) * <usize>S * sizeof<P>();
        countMaskLabels<P, T>(recordOf(recordsOf(out, b, C), c), row, map, S, c, threshold, byThreshold, ignoreIndex, hasIgnore, false);
      }
    }
    return;
  }
  const predRow = scratch + (ROW_BYTES << 1);
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += CONF_TILE) {
      const n = min(CONF_TILE, S - s0);
      const run = (<usize>b * <usize>S + <usize>s0) * <usize>C;
      const map = labels + (<usize>b * <usize>S + <usize>s0) * ls;
      for (let c = 0; c < C; c++) {
        gatherRow<P>(predRow, pred + (run + <usize>c) * sizeof<P>(), C, n);
        countMaskLabels<f32, T>(recordOf(recordsOf(out, b, C), c), predRow, map, n, c, threshold, byThreshold, ignoreIndex, hasIgnore, false);
      }
    }
  }
}

function confusionArgmaxLabels<T>(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  const wide = scratch, narrow = sizeof<T>() == 4 ? wide : scratch + ROW_BYTES;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += CONF_TILE) {
      const n = min(CONF_TILE, S - s0);
      argmaxTile(wide, pred, b, C, S, layout, s0, n);
      if (sizeof<T>() != 4) narrowLabels<T>(narrow, wide, n);
      const map = labels + (<usize>b * <usize>S + <usize>s0) * sizeof<T>();
      countLabels<T>(recordsOf(out, b, C), narrow, map, n, C, ignoreIndex, hasIgnore, histograms(scratch));
    }
  }
}

/** Counted with the roles exchanged: the dense target as the "prediction" of a label row (the argmax). */
function confusionArgmaxMasks<T>(out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, scratch: usize): void {
  const argmax = scratch, targetRow = scratch + ROW_BYTES * 3;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += CONF_TILE) {
      const n = min(CONF_TILE, S - s0);
      argmaxTile(argmax, pred, b, C, S, layout, s0, n);
      for (let c = 0; c < C; c++) {
        const rec = recordOf(recordsOf(out, b, C), c);
        if (layout == LAYOUT_NCHW) {
          const row = target + ((<usize>b * <usize>C + <usize>c) * <usize>S + <usize>s0) * sizeof<T>();
          countMaskLabels<T, i32>(rec, row, argmax, n, c, 0, false, 0, false, true);
        } else {
          gatherRow<T>(targetRow, target + ((<usize>b * <usize>S + <usize>s0) * <usize>C + <usize>c) * sizeof<T>(), C, n);
          countMaskLabels<f32, i32>(rec, targetRow, argmax, n, c, 0, false, 0, false, true);
        }
      }
    }
  }
}

export function confusionLabels_u8(
  out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionLabels<u8>(out, pred, target, B, C, S, ignoreIndex, hasIgnore, scratch);
}

export function confusionLabels_u16(
  out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionLabels<u16>(out, pred, target, B, C, S, ignoreIndex, hasIgnore, scratch);
}

export function confusionLabels_i32(
  out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionLabels<i32>(out, pred, target, B, C, S, ignoreIndex, hasIgnore, scratch);
}

export function confusionMasks_f32_f32(out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, scratch: usize): void {
  confusionMasks<f32, f32>(out, pred, target, B, C, S, layout, decide, threshold, scratch);
}

export function confusionMasks_f32_u8(out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, scratch: usize): void {
  confusionMasks<f32, u8>(out, pred, target, B, C, S, layout, decide, threshold, scratch);
}

export function confusionMasks_u8_f32(out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, scratch: usize): void {
  confusionMasks<u8, f32>(out, pred, target, B, C, S, layout, decide, threshold, scratch);
}

export function confusionMasks_u8_u8(out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, scratch: usize): void {
  confusionMasks<u8, u8>(out, pred, target, B, C, S, layout, decide, threshold, scratch);
}

export function confusionMaskLabels_f32_u8(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionMaskLabels<f32, u8>(out, pred, labels, B, C, S, layout, decide, threshold, ignoreIndex, hasIgnore, scratch);
}

export function confusionMaskLabels_f32_u16(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionMaskLabels<f32, u16>(out, pred, labels, B, C, S, layout, decide, threshold, ignoreIndex, hasIgnore, scratch);
}

export function confusionMaskLabels_f32_i32(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionMaskLabels<f32, i32>(out, pred, labels, B, C, S, layout, decide, threshold, ignoreIndex, hasIgnore, scratch);
}

export function confusionMaskLabels_u8_u8(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionMaskLabels<u8, u8>(out, pred, labels, B, C, S, layout, decide, threshold, ignoreIndex, hasIgnore, scratch);
}

export function confusionMaskLabels_u8_u16(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionMaskLabels<u8, u16>(out, pred, labels, B, C, S, layout, decide, threshold, ignoreIndex, hasIgnore, scratch);
}

export function confusionMaskLabels_u8_i32(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, decide: i32, threshold: f32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionMaskLabels<u8, i32>(out, pred, labels, B, C, S, layout, decide, threshold, ignoreIndex, hasIgnore, scratch);
}

export function confusionArgmaxLabels_u8(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionArgmaxLabels<u8>(out, pred, labels, B, C, S, layout, ignoreIndex, hasIgnore, scratch);
}

export function confusionArgmaxLabels_u16(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionArgmaxLabels<u16>(out, pred, labels, B, C, S, layout, ignoreIndex, hasIgnore, scratch);
}

export function confusionArgmaxLabels_i32(
  out: usize, pred: usize, labels: usize, B: i32, C: i32, S: i32, layout: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  confusionArgmaxLabels<i32>(out, pred, labels, B, C, S, layout, ignoreIndex, hasIgnore, scratch);
}

export function confusionArgmaxMasks_f32(out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, scratch: usize): void {
  confusionArgmaxMasks<f32>(out, pred, target, B, C, S, layout, scratch);
}

export function confusionArgmaxMasks_u8(out: usize, pred: usize, target: usize, B: i32, C: i32, S: i32, layout: i32, scratch: usize): void {
  confusionArgmaxMasks<u8>(out, pred, target, B, C, S, layout, scratch);
}
