// Kernel 3: the pointwise term of every element (reduction 'none' of the pointwise losses).
//
// With E_i, E2_i one element's terms of kernel 1's pointwise sums (POINT_*, constants.ts) and
// (e, f) the f64 coefficients COEF_E, COEF_F of its (sample b, class c) at
// `coef + (b·C + c)·COEF_STRIDE·8`, it WRITES
//   POINT_BCE, POINT_FOCAL: out_i = e·E_i + f·E2_i for every element i of pred (pred's shape and layout);
//   POINT_CE: out_v = Σ_c (e_c·E_vc + f_c·E2_vc) for every voxel v of the batch (shape [B, S]),
// and 0 where kernel 1 counts nothing (label ignoreIndex, mask byte 0). So Σ out is the sum
// Σ_(b,c) (e·E + f·E2) over kernel 1's records: a reduced term is this sum, scaled. Arguments as
// for kernel 2 (grad.ts), `count` ≤ S voxels of each sample included; `act` is ACT_SIGMOID (BCE, focal) or ACT_SOFTMAX (cross-entropy, focal).
import { ACT_SOFTMAX, COEF_E, COEF_F, COEF_STRIDE, LAYOUT_NCHW, POINT_CE, POINT_FOCAL } from "./constants";
import { addPointSigmoid, addPointSoftmax } from "./point";
import {
  gArea, gatherRow, keepArea, keepRow, labelRow, probArea, rawArea, rawRows, rawStride, rowBytes, scatterRow,
  softmaxRows, tileLength, workArea, yArea,
} from "./tile";

// @ts-ignore: decorator
@inline function coefficient(coef: usize, k: usize, slot: i32): f32 {
  return <f32>load<f64>(coef + ((k * <usize>COEF_STRIDE + <usize>slot) << 3));
}

/**
 * Where class c of a tile adds its values: the tile's voxels in out (POINT_CE: every class adds
 * to them), pred's own row of out (channels first), or a g row, scattered by storeTile.
 */
// @ts-ignore: decorator
@inline function destination(out: usize, g: usize, b: i32, c: i32, C: i32, S: i32, s0: i32, layout: i32, point: i32, rb: usize): usize {
  if (point == POINT_CE) return out + ((<usize>b * <usize>S + <usize>s0) << 2);
  if (layout == LAYOUT_NCHW) return out + (((<usize>b * <usize>C + <usize>c) * <usize>S + <usize>s0) << 2);
  return g + <usize>c * rb;
}

/** Zeroes the n values of each destination of a tile (the rows add to them). */
function clearTile(out: usize, g: usize, b: i32, C: i32, S: i32, s0: i32, n: i32, layout: i32, point: i32, rb: usize): void {
  const rows = point == POINT_CE ? 1 : C;
  for (let c = 0; c < rows; c++) memory.fill(destination(out, g, b, c, C, S, s0, layout, point, rb), 0, <usize>n << 2);
}

/** Channels-last rows of a tile back into their interleaved places (per-element terms only). */
function storeTile(out: usize, g: usize, b: i32, C: i32, S: i32, s0: i32, n: i32, layout: i32, point: i32, rb: usize): void {
  if (point == POINT_CE || layout == LAYOUT_NCHW) return;
  const run = out + ((<usize>b * <usize>S + <usize>s0) * <usize>C << 2);
  for (let c = 0; c < C; c++) scatterRow(run + (<usize>c << 2), g + <usize>c * rb, C, n);
}

/** One class row of a tile added to dst (x: logits; p, m, lz: softmax rows; y: f32 targets; keep 0: every voxel counts). */
// @ts-ignore: decorator
@inline function addRow(
  dst: usize, x: usize, p: usize, m: usize, lz: usize, y: usize, keep: usize, n: i32, coef: usize, k: usize,
  act: i32, point: i32, gamma: f32,
): void {
  const e = coefficient(coef, k, COEF_E), f = coefficient(coef, k, COEF_F), focal = point == POINT_FOCAL;
  if (act == ACT_SOFTMAX) addPointSoftmax(dst, x, p, m, lz, y, keep, n, e, f, focal, gamma, keep != 0);
  else addPointSigmoid(dst, x, y, keep, n, e, f, focal, gamma, keep != 0);
}

/**
 * The tiles of kernel 3 over a dense target (same shape and layout as pred) or, with `labels`, a
 * label map: per tile of sample b, the softmax if asked for, then each class row with its target as
 * an f32 row (dense f32 channels-first read in place, other dense rows gathered, labels [label == c]
 * with their counted voxels), added to its destination. `labels` is a constant of each export.
 */
// @ts-ignore: decorator
@inline function pointLoss<T>(
  out: usize, pred: usize, target: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, labels: bool, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, scratch: usize,
): void {
  const ts = <usize>sizeof<T>();
  const tile = tileLength(C), rb = rowBytes(C), softmax = act == ACT_SOFTMAX;
  const prob = probArea(scratch), g = gArea(scratch, C), raw = rawArea(scratch, C);
  const yrow = yArea(scratch, C), counted = keepArea(scratch, C);
  const m = workArea(scratch, C, 0), z = workArea(scratch, C, 1), lz = workArea(scratch, C, 2);
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < count; s0 += tile) {
      const n = min(tile, count - s0);
      const x = rawRows(raw, pred, b, C, S, layout, s0, n, rb), xs = rawStride(layout, S, rb);
      if (softmax) softmaxRows(prob, rb, x, xs, C, n, m, z, lz, true);
      let keep: usize = mask == 0 ? 0 : mask + <usize>b * <usize>maskStride + <usize>s0;
      const labelRun = target + (<usize>b * <usize>S + <usize>s0) * ts;
      if (labels) {
        keepRow<T>(counted, labelRun, keep, n, ignoreIndex, hasIgnore);
        keep = counted;
      }
      clearTile(out, g, b, C, S, s0, n, layout, point, rb);
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c;
        let y = yrow;
        if (labels) labelRow<T>(yrow, labelRun, n, c);
        else if (layout != LAYOUT_NCHW) gatherRow<T>(yrow, target + ((<usize>b * <usize>S + <usize>s0) * <usize>C + <usize>c) * ts, C, n);
        else if (isFloat<T>()) y = target + (k * <usize>S + <usize>s0) * ts;
        else gatherRow<T>(yrow, target + (k * <usize>S + <usize>s0) * ts, 1, n);
        addRow(destination(out, g, b, c, C, S, s0, layout, point, rb), x + <usize>c * xs, prob + <usize>c * rb, m, lz, y, keep, n,
          coef, k, act, point, gamma);
      }
      storeTile(out, g, b, C, S, s0, n, layout, point, rb);
    }
  }
}

export function pointLossDense_f32(
  out: usize, pred: usize, target: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, point: i32, gamma: f32, scratch: usize,
): void {
  pointLoss<f32>(out, pred, target, mask, maskStride, coef, B, C, S, count, layout, act, false, 0, false, point, gamma, scratch);
}

export function pointLossDense_u8(
  out: usize, pred: usize, target: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, point: i32, gamma: f32, scratch: usize,
): void {
  pointLoss<u8>(out, pred, target, mask, maskStride, coef, B, C, S, count, layout, act, false, 0, false, point, gamma, scratch);
}

export function pointLossLabels_u8(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, scratch: usize,
): void {
  pointLoss<u8>(out, pred, labels, mask, maskStride, coef, B, C, S, count, layout, act, true, ignoreIndex, hasIgnore, point, gamma, scratch);
}

export function pointLossLabels_u16(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, scratch: usize,
): void {
  pointLoss<u16>(out, pred, labels, mask, maskStride, coef, B, C, S, count, layout, act, true, ignoreIndex, hasIgnore, point, gamma, scratch);
}

export function pointLossLabels_i32(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, scratch: usize,
): void {
  pointLoss<i32>(out, pred, labels, mask, maskStride, coef, B, C, S, count, layout, act, true, ignoreIndex, hasIgnore, point, gamma, scratch);
}
