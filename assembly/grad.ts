// Kernel 2: the gradient map.
//
// For every element of pred, with (b, c) its sample and class and (a, b', q, s) the f64
// coefficients at `coef + (b·C + c)·COEF_STRIDE·8` (see constants.ts), it WRITES
//   out = J_act(g),   g = ∂L/∂p = a·y + b' + q·p + s·sign(p − y)
// where p = act(pred), y the target as in kernel 1, and J_act the activation's Jacobian:
// identity, σ'(x) elementwise, or softmax's p_c·(g_c − Σ_k p_k·g_k). Voxels that kernel 1
// does not count (label ignoreIndex, mask byte 0) get 0. The sign term applies to dense
// targets only. `out` has pred's shape and layout; mask and scratch as for kernel 1.
import { ACT_SIGMOID, ACT_SOFTMAX, COEF_A, COEF_B, COEF_Q, COEF_S, COEF_STRIDE, LAYOUT_NCHW } from "./constants";
import { mapDense, mapLabels } from "./map";
import { gatherRow, loadTile, scatterRow, softmaxBackward, tileLength } from "./tile";

// @ts-ignore: decorator
@inline function coefficient(coef: usize, k: usize, slot: i32): f32 {
  return <f32>load<f64>(coef + ((k * <usize>COEF_STRIDE + <usize>slot) << 3));
}

// @ts-ignore: decorator
@inline function isDirect(C: i32, layout: i32, act: i32): bool {
  return act != ACT_SOFTMAX && (layout == LAYOUT_NCHW || C == 1);
}

/**
 * Turns the ∂L/∂p rows `g` of one tile into the output: through softmax's Jacobian when act
 * is softmax, then back into channels-last order. Channels-first tiles only occur with
 * softmax (every other channels-first case takes the direct path).
 */
function storeTile(
  out: usize, prob: usize, g: usize, b: i32, C: i32, S: i32, layout: i32, act: i32, s0: i32,
  n: i32, rowBytes: usize, work: usize,
): void {
  if (act == ACT_SOFTMAX) {
    if (layout == LAYOUT_NCHW) {
      const first = out + ((<usize>b * <usize>C * <usize>S + <usize>s0) << 2);
      softmaxBackward(first, <usize>S << 2, prob, g, rowBytes, C, n, work);
      return;
    }
    softmaxBackward(g, rowBytes, prob, g, rowBytes, C, n, work);
  }
  const run = out + ((<usize>b * <usize>S + <usize>s0) * <usize>C << 2);
  for (let c = 0; c < C; c++) scatterRow(run + (<usize>c << 2), g + <usize>c * rowBytes, C, n);
}

function gradDense<T>(
  out: usize, pred: usize, target: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, layout: i32, act: i32, scratch: usize,
): void {
  const ts = <usize>sizeof<T>();
  const sigmoid = act == ACT_SIGMOID, masked = mask != 0;
  if (isDirect(C, layout, act)) {
    const rows = <usize>B * <usize>C;
    for (let k: usize = 0; k < rows; k++) {
      const at = k * <usize>S;
      mapDense<T>(out + (at << 2), pred + (at << 2), target + at * ts, mask + (k / <usize>C) * <usize>maskStride, S,
        coefficient(coef, k, COEF_A), coefficient(coef, k, COEF_B), coefficient(coef, k, COEF_Q), coefficient(coef, k, COEF_S),
        sigmoid, masked);
    }
    return;
  }
  const tile = tileLength(C), rowBytes = <usize>tile << 2;
  const prob = scratch, g = scratch + <usize>C * rowBytes;
  const yrow = g + <usize>C * rowBytes, work = yrow + rowBytes;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += tile) {
      const n = min(tile, S - s0);
      loadTile(prob, pred, b, C, S, layout, act, s0, n, tile, work);
      const m = mask + <usize>b * <usize>maskStride + <usize>s0;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c;
        const a = coefficient(coef, k, COEF_A), bb = coefficient(coef, k, COEF_B);
        const q = coefficient(coef, k, COEF_Q), sg = coefficient(coef, k, COEF_S);
        const x = prob + <usize>c * rowBytes, gc = g + <usize>c * rowBytes;
        if (layout == LAYOUT_NCHW) {
          mapDense<T>(gc, x, target + (k * <usize>S + <usize>s0) * ts, m, n, a, bb, q, sg, sigmoid, masked);
        } else {
          gatherRow<T>(yrow, target + ((<usize>b * <usize>S + <usize>s0) * <usize>C + <usize>c) * ts, C, n);
          mapDense<f32>(gc, x, yrow, m, n, a, bb, q, sg, sigmoid, masked);
        }
      }
      storeTile(out, prob, g, b, C, S, layout, act, s0, n, rowBytes, work);
    }
  }
}

function gradLabels<T>(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  const ls = <usize>sizeof<T>();
  const sigmoid = act == ACT_SIGMOID, masked = mask != 0;
  if (isDirect(C, layout, act)) {
    for (let b = 0; b < B; b++) {
      const row = labels + <usize>b * <usize>S * ls, m = mask + <usize>b * <usize>maskStride;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c, at = (k * <usize>S) << 2;
        mapLabels<T>(out + at, pred + at, row, m, S, c, ignoreIndex, hasIgnore,
          coefficient(coef, k, COEF_A), coefficient(coef, k, COEF_B), coefficient(coef, k, COEF_Q), sigmoid, masked);
      }
    }
    return;
  }
  const tile = tileLength(C), rowBytes = <usize>tile << 2;
  const prob = scratch, g = scratch + <usize>C * rowBytes;
  const work = g + <usize>C * rowBytes + rowBytes;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < S; s0 += tile) {
      const n = min(tile, S - s0);
      loadTile(prob, pred, b, C, S, layout, act, s0, n, tile, work);
      const row = labels + (<usize>b * <usize>S + <usize>s0) * ls;
      const m = mask + <usize>b * <usize>maskStride + <usize>s0;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c;
        mapLabels<T>(g + <usize>c * rowBytes, prob + <usize>c * rowBytes, row, m, n, c, ignoreIndex, hasIgnore,
          coefficient(coef, k, COEF_A), coefficient(coef, k, COEF_B), coefficient(coef, k, COEF_Q), sigmoid, masked);
      }
      storeTile(out, prob, g, b, C, S, layout, act, s0, n, rowBytes, work);
    }
  }
}

export function gradDense_f32(
  out: usize, pred: usize, target: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, layout: i32, act: i32, scratch: usize,
): void {
  gradDense<f32>(out, pred, target, mask, maskStride, coef, B, C, S, layout, act, scratch);
}

export function gradDense_u8(
  out: usize, pred: usize, target: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, layout: i32, act: i32, scratch: usize,
): void {
  gradDense<u8>(out, pred, target, mask, maskStride, coef, B, C, S, layout, act, scratch);
}

export function gradLabels_u8(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  gradLabels<u8>(out, pred, labels, mask, maskStride, coef, B, C, S, layout, act, ignoreIndex, hasIgnore, scratch);
}

export function gradLabels_u16(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  gradLabels<u16>(out, pred, labels, mask, maskStride, coef, B, C, S, layout, act, ignoreIndex, hasIgnore, scratch);
}

export function gradLabels_i32(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  gradLabels<i32>(out, pred, labels, mask, maskStride, coef, B, C, S, layout, act, ignoreIndex, hasIgnore, scratch);
}
