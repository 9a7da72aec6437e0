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
//
// `activated` (0: none) is an area of pred's shape and layout, pointing at the same voxel as pred,
// where kernel 1 may leave the activation for kernel 2 so that it is computed once per call:
// e^−x (sigmoid) or p (softmax), wherever keepsActivation (tile.ts) says so. Kernel 2 is then
// told `activated` and reads it from its `out`, which must be that same area.
import { ACT_SIGMOID, ACT_SOFTMAX, LAYOUT_NCHW, POINT_CE, POINT_FOCAL, POINT_NONE, ROW_SOFT, ROW_SQUARED, STATS_STRIDE } from "./constants";
import { sumPointSigmoid, sumPointSoftmax } from "./point";
import { CE, expRows, IGNORE, MASKED as SOFTMAX_MASKED, STORE as SOFTMAX_STORE, sumSoftmaxLabels } from "./softmax";
import { MASKED, SIGMOID, SOFT, SQUARED, STORE, sumDense, sumLabels } from "./reduce";
import {
  gArea, gatherRow, gatherRows, keepArea, keepRow, keepsActivation, labelRow, probArea, rawArea, rawRows, rawStride,
  rowBytes, runOf, scatterRows, softmaxRows, tileLength, widenLabels, workArea, yArea,
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

/**
 * The softmax of a tile: into the activated rows themselves when they are planar (channels
 * first), else into the prob rows (and, when kept, interleaved into the activated area too).
 * Returns the first probability row; rows are probStride() apart.
 */
function tileSoftmax(
  prob: usize, rb: usize, x: usize, xs: usize, b: i32, C: i32, S: i32, layout: i32, s0: i32, n: i32, m: usize,
  z: usize, lz: usize, logSum: bool, activated: usize,
): usize {
  if (activated != 0 && layout == LAYOUT_NCHW) {
    const rows = activated + ((<usize>b * <usize>C * <usize>S + <usize>s0) << 2);
    softmaxRows(rows, <usize>S << 2, x, xs, C, n, m, z, lz, logSum);
    return rows;
  }
  softmaxRows(prob, rb, x, xs, C, n, m, z, lz, logSum);
  if (activated != 0) scatterRows(runOf(activated, b, C, S, s0), prob, rb, C, n);
  return prob;
}

// @ts-ignore: decorator
@inline function probStride(activated: usize, layout: i32, S: i32, rb: usize): usize {
  return activated != 0 && layout == LAYOUT_NCHW ? <usize>S << 2 : rb;
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
  layout: i32, act: i32, flags: i32, point: i32, gamma: f32, activated: usize, scratch: usize,
): void {
  const ts = <usize>sizeof<T>();
  const keep: usize = keepsActivation(C, layout, act, point) ? activated : 0;
  const variant = rowVariant(act, flags, mask, true) | (keep != 0 && act == ACT_SIGMOID ? STORE : 0);
  if (isDirect(C, layout, act, point)) {
    const rows = <usize>B * <usize>C;
    for (let k: usize = 0; k < rows; k++) {
      const at = k * <usize>S;
      const m = mask + (k / <usize>C) * <usize>maskStride;
      sumDense<T>(record(stats, k), pred + (at << 2), target + at * ts, m, count, variant, keep + (at << 2));
    }
    return;
  }
  const tile = tileLength(C), rb = rowBytes(C), softmax = act == ACT_SOFTMAX;
  const prob = probArea(scratch), raw = rawArea(scratch, C), yrow = yArea(scratch, C), yrows = gArea(scratch, C);
  const m = workArea(scratch, C, 0), z = workArea(scratch, C, 1), lz = workArea(scratch, C, 2);
  const ps = probStride(keep, layout, S, rb);
  // Channels-last f32 targets are gathered like the logits, all classes at once (kernel 1 has no use for the g rows).
  const gatherAll = layout != LAYOUT_NCHW && isFloat<T>();
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < count; s0 += tile) {
      const n = min(tile, count - s0);
      const x = rawRows(raw, pred, b, C, S, layout, s0, n, rb), xs = rawStride(layout, S, rb);
      const p = softmax ? tileSoftmax(prob, rb, x, xs, b, C, S, layout, s0, n, m, z, lz, point != POINT_NONE, keep) : <usize>0;
      const keepRow: usize = mask == 0 ? 0 : mask + <usize>b * <usize>maskStride + <usize>s0;
      if (gatherAll) gatherRows(yrows, rb, runOf(target, b, C, S, s0), C, n);
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c, rec = record(stats, k);
        const xc = x + <usize>c * xs, pc = p + <usize>c * ps, row = softmax ? pc : xc;
        if (layout == LAYOUT_NCHW) {
          const y = target + (k * <usize>S + <usize>s0) * ts;
          sumDense<T>(rec, row, y, keepRow, n, variant, 0);
          sumPoint<T>(rec, act, point, gamma, xc, pc, m, lz, y, keepRow, n);
        } else {
          let y = yrows + <usize>c * rb;
          if (!gatherAll) {
            y = yrow;
            gatherRow<T>(yrow, target + ((<usize>b * <usize>S + <usize>s0) * <usize>C + <usize>c) * ts, C, n);
          }
          sumDense<f32>(rec, row, y, keepRow, n, variant, 0);
          sumPoint<f32>(rec, act, point, gamma, xc, pc, m, lz, y, keepRow, n);
        }
      }
    }
  }
}

function statsLabels<T>(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, activated: usize,
  scratch: usize,
): void {
  const ls = <usize>sizeof<T>();
  const keep: usize = keepsActivation(C, layout, act, point) ? activated : 0;
  const variant = rowVariant(act, flags, mask, false) | (keep != 0 && act == ACT_SIGMOID ? STORE : 0);
  if (isDirect(C, layout, act, point)) {
    for (let b = 0; b < B; b++) {
      const row = labels + <usize>b * <usize>S * ls, m = mask + <usize>b * <usize>maskStride;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c, at = (k * <usize>S) << 2;
        sumLabels<T>(record(stats, k), pred + at, row, m, count, c, ignoreIndex, hasIgnore, variant, keep + at);
      }
    }
    return;
  }
  if (act == ACT_SOFTMAX && (point == POINT_NONE || point == POINT_CE)) {
    statsSoftmaxLabels<T>(stats, pred, labels, mask, maskStride, B, C, S, count, layout, flags, ignoreIndex, hasIgnore,
      point == POINT_CE, keep, scratch);
    return;
  }
  // Tiles reduce label rows directly (widened to i32 once per tile for the C class passes); with
  // a pointwise term they turn labels into a 0/1 row per class and one row of counted voxels, the
  // form the pointwise rows take.
  const tile = tileLength(C), rb = rowBytes(C), softmax = act == ACT_SOFTMAX;
  const prob = probArea(scratch), raw = rawArea(scratch, C), yrow = yArea(scratch, C), keepBytes = keepArea(scratch, C);
  const m = workArea(scratch, C, 0), z = workArea(scratch, C, 1), lz = workArea(scratch, C, 2);
  const ps = probStride(keep, layout, S, rb);
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < count; s0 += tile) {
      const n = min(tile, count - s0);
      const x = rawRows(raw, pred, b, C, S, layout, s0, n, rb), xs = rawStride(layout, S, rb);
      const p = softmax ? tileSoftmax(prob, rb, x, xs, b, C, S, layout, s0, n, m, z, lz, point != POINT_NONE, keep) : <usize>0;
      const row = labels + (<usize>b * <usize>S + <usize>s0) * ls;
      const maskRow: usize = mask == 0 ? 0 : mask + <usize>b * <usize>maskStride + <usize>s0;
      if (point == POINT_NONE) {
        widenLabels<T>(yrow, row, n);
        for (let c = 0; c < C; c++) {
          const k = <usize>b * <usize>C + <usize>c, xc = softmax ? p + <usize>c * ps : x + <usize>c * xs;
          sumLabels<i32>(record(stats, k), xc, yrow, maskRow, n, c, ignoreIndex, hasIgnore, variant, 0);
        }
        continue;
      }
      keepRow<T>(keepBytes, row, maskRow, n, ignoreIndex, hasIgnore);
      for (let c = 0; c < C; c++) {
        const rec = record(stats, <usize>b * <usize>C + <usize>c);
        const xc = x + <usize>c * xs, pc = p + <usize>c * ps;
        labelRow<T>(yrow, row, n, c);
        sumDense<f32>(rec, softmax ? pc : xc, yrow, keepBytes, n, variant | MASKED, 0);
        sumPoint<f32>(rec, act, point, gamma, xc, pc, m, lz, yrow, keepBytes, n);
      }
    }
  }
}

/**
 * Softmax over a label map, with or without cross-entropy: the fused path (softmax.ts). Per tile,
 * the exps go to the activated rows themselves (channels first, kept) or to the prob rows, and
 * each class row turns them into p (kept for kernel 2 when `activated` ≠ 0) and its sums.
 */
function statsSoftmaxLabels<T>(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, ce: bool, activated: usize, scratch: usize,
): void {
  const ls = <usize>sizeof<T>();
  const tile = tileLength(C), rb = rowBytes(C), planar = layout == LAYOUT_NCHW;
  const prob = probArea(scratch), raw = rawArea(scratch, C), yrow = yArea(scratch, C);
  const m = workArea(scratch, C, 0), r = workArea(scratch, C, 1), lz = workArea(scratch, C, 2);
  const variant = (mask != 0 ? SOFTMAX_MASKED : 0) | (hasIgnore ? IGNORE : 0) | (ce ? CE : 0)
    | (activated != 0 ? SOFTMAX_STORE : 0);
  const squared = (flags & ROW_SQUARED) != 0;
  const es = activated != 0 && planar ? <usize>S << 2 : rb;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < count; s0 += tile) {
      const n = min(tile, count - s0);
      const x = rawRows(raw, pred, b, C, S, layout, s0, n, rb), xs = rawStride(layout, S, rb);
      const e = activated != 0 && planar ? activated + ((<usize>b * <usize>C * <usize>S + <usize>s0) << 2) : prob;
      expRows(e, es, x, xs, C, n, m, r, lz, ce);
      widenLabels<T>(yrow, labels + (<usize>b * <usize>S + <usize>s0) * ls, n);
      const maskRow: usize = mask == 0 ? 0 : mask + <usize>b * <usize>maskStride + <usize>s0;
      for (let c = 0; c < C; c++) {
        const ec = e + <usize>c * es;
        sumSoftmaxLabels(record(stats, <usize>b * <usize>C + <usize>c), ec, r, ec, x + <usize>c * xs, m, lz, yrow, maskRow,
          n, c, ignoreIndex, squared, variant);
      }
      if (activated != 0 && !planar) scatterRows(runOf(activated, b, C, S, s0), prob, rb, C, n);
    }
  }
}

export function statsDense_f32(
  stats: usize, pred: usize, target: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, point: i32, gamma: f32, activated: usize, scratch: usize,
): void {
  statsDense<f32>(stats, pred, target, mask, maskStride, B, C, S, count, layout, act, flags, point, gamma, activated, scratch);
}

export function statsDense_u8(
  stats: usize, pred: usize, target: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, point: i32, gamma: f32, activated: usize, scratch: usize,
): void {
  statsDense<u8>(stats, pred, target, mask, maskStride, B, C, S, count, layout, act, flags, point, gamma, activated, scratch);
}

export function statsLabels_u8(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, activated: usize,
  scratch: usize,
): void {
  statsLabels<u8>(stats, pred, labels, mask, maskStride, B, C, S, count, layout, act, flags, ignoreIndex, hasIgnore, point, gamma, activated, scratch);
}

export function statsLabels_u16(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, activated: usize,
  scratch: usize,
): void {
  statsLabels<u16>(stats, pred, labels, mask, maskStride, B, C, S, count, layout, act, flags, ignoreIndex, hasIgnore, point, gamma, activated, scratch);
}

export function statsLabels_i32(
  stats: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, B: i32, C: i32, S: i32, count: i32,
  layout: i32, act: i32, flags: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, activated: usize,
  scratch: usize,
): void {
  statsLabels<i32>(stats, pred, labels, mask, maskStride, B, C, S, count, layout, act, flags, ignoreIndex, hasIgnore, point, gamma, activated, scratch);
}
