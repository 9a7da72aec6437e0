// Kernel 2: the gradient map.
//
// For every element of pred among the first `count` voxels of its sample, with (b, c) its sample
// and class and (y1, y0, q, s, e, f) the f64 coefficients at `coef + (b·C + c)·COEF_STRIDE·8`
// (see constants.ts), it WRITES
//   out = J_act(g) + (the pointwise term's derivative, see POINT_*),
//   g = ∂L/∂p = y1·y + y0·(1 − y) + q·p + s·sign(p − y)
// where p = act(pred), y the target as in kernel 1, and J_act the activation's Jacobian:
// identity, σ'(x) elementwise, or softmax's u_c − p_c·Σ_k u_k with u_c = p_c·g_c (minus the
// pointwise part). Voxels that kernel 1 does not count (label ignoreIndex, mask byte 0) get 0.
// The sign term applies to dense targets only. `out` has pred's shape and layout; mask, point,
// gamma, scratch, S and `count` (the first count ≤ S voxels of each sample) as for kernel 1.
// `activated` ≠ 0: kernel 1 was given `out` as its activated area, so that where keepsActivation
// (tile.ts) says so, out holds e^−x or p and pred is not read; the gradient replaces it in place.
import {
  ACT_SIGMOID, ACT_SOFTMAX, COEF_E, COEF_F, COEF_Q, COEF_S, COEF_STRIDE, COEF_Y0, COEF_Y1, LAYOUT_NCHW, POINT_CE, POINT_FOCAL,
  POINT_NONE,
} from "./constants";
import { mapDense, mapLabels } from "./map";
import { mapPointSigmoid, mapPointSoftmax } from "./point";
import { CE, IGNORE, MASKED as SOFTMAX_MASKED, QTERM, weighLabels } from "./softmax";
import {
  gArea, gatherRow, gatherRows, keepArea, keepRow, keepsActivation, labelRow, probArea, rawArea, rawRows, rawStride,
  finishSoftmax, rowBytes, runOf, scatterRows, softmaxBackward, softmaxRows, tileLength, widenLabels, workArea, yArea,
} from "./tile";

// @ts-ignore: decorator
@inline function coefficient(coef: usize, k: usize, slot: i32): f32 {
  return <f32>load<f64>(coef + ((k * <usize>COEF_STRIDE + <usize>slot) << 3));
}

// @ts-ignore: decorator
@inline function isDirect(C: i32, layout: i32, act: i32, point: i32): bool {
  return point == POINT_NONE && act != ACT_SOFTMAX && (layout == LAYOUT_NCHW || C == 1);
}

/**
 * The gradient of one class row of a tile into `dst`: the overlap part (through σ' for sigmoid),
 * then, for softmax, u = p·g minus the pointwise part (softmaxBackward finishes it), or for
 * sigmoid the pointwise derivative added. y is `T` typed; keep (0: none) marks counted voxels.
 */
// @ts-ignore: decorator
@inline function tileRow<T>(
  dst: usize, x: usize, p: usize, m: usize, lz: usize, y: usize, keep: usize, n: i32, coef: usize, k: usize,
  act: i32, point: i32, gamma: f32,
): void {
  const softmax = act == ACT_SOFTMAX, masked = keep != 0, focal = point == POINT_FOCAL;
  mapDense<T>(dst, softmax ? p : x, y, keep, n, coefficient(coef, k, COEF_Y1), coefficient(coef, k, COEF_Y0),
    coefficient(coef, k, COEF_Q), coefficient(coef, k, COEF_S), act == ACT_SIGMOID, masked, false, softmax);
  const e = coefficient(coef, k, COEF_E), f = coefficient(coef, k, COEF_F);
  if (softmax) {
    if (point != POINT_NONE) mapPointSoftmax<T>(dst, x, p, m, lz, y, keep, n, e, f, focal, gamma, masked);
  } else if (point != POINT_NONE) {
    mapPointSigmoid<T>(dst, x, y, keep, n, e, f, focal, gamma, masked);
  }
}

/**
 * Finishes a tile whose class rows were written by tileRow: the softmax Jacobian (into the output
 * directly when channels-first), then channels-last rows back into their interleaved places.
 * `prob` rows are `ps` bytes apart (they may be the output's own rows, read before written).
 */
function storeTile(
  out: usize, prob: usize, ps: usize, g: usize, b: i32, C: i32, S: i32, layout: i32, act: i32, s0: i32, n: i32,
  rb: usize, sum: usize,
): void {
  if (act == ACT_SOFTMAX) {
    if (layout == LAYOUT_NCHW) {
      softmaxBackward(out + ((<usize>b * <usize>C * <usize>S + <usize>s0) << 2), <usize>S << 2, prob, ps, g, rb, C, n, sum);
      return;
    }
    softmaxBackward(g, rb, prob, ps, g, rb, C, n, sum);
  }
  if (layout == LAYOUT_NCHW) return; // channels-first sigmoid rows were written in place
  scatterRows(runOf(out, b, C, S, s0), g, rb, C, n);
}

/**
 * The probabilities of a tile for kernel 2: kernel 1's, in out itself (channels first) or
 * gathered from it, when stored; else the softmax of the raw rows. Returns the first row; rows
 * are `S·4` bytes apart in out, else rb.
 */
function tileProb(
  stored: bool, out: usize, prob: usize, rb: usize, x: usize, xs: usize, b: i32, C: i32, S: i32, layout: i32, s0: i32,
  n: i32, m: usize, z: usize, lz: usize, logSum: bool,
): usize {
  if (stored) {
    if (layout == LAYOUT_NCHW) return out + ((<usize>b * <usize>C * <usize>S + <usize>s0) << 2);
    gatherRows(prob, rb, runOf(out, b, C, S, s0), C, n);
    return prob;
  }
  softmaxRows(prob, rb, x, xs, C, n, m, z, lz, logSum);
  return prob;
}

/** Where tileRow writes class c: the output itself for channels-first rows without softmax, else g rows. */
// @ts-ignore: decorator
@inline function rowTarget(out: usize, g: usize, k: usize, c: i32, S: i32, s0: i32, layout: i32, act: i32, rb: usize): usize {
  return layout == LAYOUT_NCHW && act != ACT_SOFTMAX ? out + ((k * <usize>S + <usize>s0) << 2) : g + <usize>c * rb;
}

function gradDense<T>(
  out: usize, pred: usize, target: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, point: i32, gamma: f32, activated: bool, scratch: usize,
): void {
  const ts = <usize>sizeof<T>();
  const sigmoid = act == ACT_SIGMOID, masked = mask != 0;
  const stored = activated && keepsActivation(C, layout, act, point);
  if (isDirect(C, layout, act, point)) {
    const rows = <usize>B * <usize>C;
    for (let k: usize = 0; k < rows; k++) {
      const at = k * <usize>S, o = out + (at << 2);
      mapDense<T>(o, stored ? o : pred + (at << 2), target + at * ts, mask + (k / <usize>C) * <usize>maskStride, count,
        coefficient(coef, k, COEF_Y1), coefficient(coef, k, COEF_Y0), coefficient(coef, k, COEF_Q), coefficient(coef, k, COEF_S),
        sigmoid, masked, stored, false);
    }
    return;
  }
  const tile = tileLength(C), rb = rowBytes(C), softmax = act == ACT_SOFTMAX;
  const prob = probArea(scratch), g = gArea(scratch, C), raw = rawArea(scratch, C), yrow = yArea(scratch, C);
  const m = workArea(scratch, C, 0), z = workArea(scratch, C, 1), lz = workArea(scratch, C, 2);
  const ps = stored && layout == LAYOUT_NCHW ? <usize>S << 2 : rb;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < count; s0 += tile) {
      const n = min(tile, count - s0);
      // Stored probabilities need no logits (no focal term: keepsActivation).
      const x = stored ? <usize>0 : rawRows(raw, pred, b, C, S, layout, s0, n, rb), xs = rawStride(layout, S, rb);
      const p = softmax ? tileProb(stored, out, prob, rb, x, xs, b, C, S, layout, s0, n, m, z, lz, point == POINT_FOCAL) : <usize>0;
      const keep: usize = mask == 0 ? 0 : mask + <usize>b * <usize>maskStride + <usize>s0;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c;
        const dst = rowTarget(out, g, k, c, S, s0, layout, act, rb);
        const xc = x + <usize>c * xs, pc = p + <usize>c * ps;
        if (layout == LAYOUT_NCHW) {
          tileRow<T>(dst, xc, pc, m, lz, target + (k * <usize>S + <usize>s0) * ts, keep, n, coef, k, act, point, gamma);
        } else {
          gatherRow<T>(yrow, target + ((<usize>b * <usize>S + <usize>s0) * <usize>C + <usize>c) * ts, C, n);
          tileRow<f32>(dst, xc, pc, m, lz, yrow, keep, n, coef, k, act, point, gamma);
        }
      }
      storeTile(out, p, ps, g, b, C, S, layout, act, s0, n, rb, z);
    }
  }
}

function gradLabels<T>(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32,
  activated: bool, scratch: usize,
): void {
  const ls = <usize>sizeof<T>();
  const sigmoid = act == ACT_SIGMOID, masked = mask != 0;
  const stored = activated && keepsActivation(C, layout, act, point);
  if (isDirect(C, layout, act, point)) {
    for (let b = 0; b < B; b++) {
      const row = labels + <usize>b * <usize>S * ls, m = mask + <usize>b * <usize>maskStride;
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c, at = (k * <usize>S) << 2;
        mapLabels<T>(out + at, stored ? out + at : pred + at, row, m, count, c, ignoreIndex, hasIgnore,
          coefficient(coef, k, COEF_Y1), coefficient(coef, k, COEF_Y0), coefficient(coef, k, COEF_Q), sigmoid, masked,
          stored, false);
      }
    }
    return;
  }
  if (act == ACT_SOFTMAX && (point == POINT_NONE || point == POINT_CE)) {
    gradSoftmaxLabels<T>(out, pred, labels, mask, maskStride, coef, B, C, S, count, layout, ignoreIndex, hasIgnore,
      point == POINT_CE, stored, scratch);
    return;
  }
  const tile = tileLength(C), rb = rowBytes(C), softmax = act == ACT_SOFTMAX;
  const prob = probArea(scratch), g = gArea(scratch, C), raw = rawArea(scratch, C);
  const yrow = yArea(scratch, C), keepBytes = keepArea(scratch, C);
  const m = workArea(scratch, C, 0), z = workArea(scratch, C, 1), lz = workArea(scratch, C, 2);
  const ps = stored && layout == LAYOUT_NCHW ? <usize>S << 2 : rb;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < count; s0 += tile) {
      const n = min(tile, count - s0);
      const x = stored ? <usize>0 : rawRows(raw, pred, b, C, S, layout, s0, n, rb), xs = rawStride(layout, S, rb);
      const p = softmax ? tileProb(stored, out, prob, rb, x, xs, b, C, S, layout, s0, n, m, z, lz, point == POINT_FOCAL) : <usize>0;
      const row = labels + (<usize>b * <usize>S + <usize>s0) * ls;
      const maskRow: usize = mask == 0 ? 0 : mask + <usize>b * <usize>maskStride + <usize>s0;
      if (point == POINT_NONE) {
        widenLabels<T>(yrow, row, n);
        for (let c = 0; c < C; c++) {
          const k = <usize>b * <usize>C + <usize>c;
          const dst = rowTarget(out, g, k, c, S, s0, layout, act, rb);
          mapLabels<i32>(dst, softmax ? p + <usize>c * ps : x + <usize>c * xs, yrow, maskRow, n, c, ignoreIndex, hasIgnore,
            coefficient(coef, k, COEF_Y1), coefficient(coef, k, COEF_Y0), coefficient(coef, k, COEF_Q), sigmoid, masked,
            false, softmax);
        }
      } else {
        keepRow<T>(keepBytes, row, maskRow, n, ignoreIndex, hasIgnore);
        for (let c = 0; c < C; c++) {
          const k = <usize>b * <usize>C + <usize>c;
          labelRow<T>(yrow, row, n, c);
          tileRow<f32>(rowTarget(out, g, k, c, S, s0, layout, act, rb), x + <usize>c * xs, p + <usize>c * ps, m, lz,
            yrow, keepBytes, n, coef, k, act, point, gamma);
        }
      }
      storeTile(out, p, ps, g, b, C, S, layout, act, s0, n, rb, z);
    }
  }
}

/**
 * Softmax over a label map, with or without cross-entropy: the fused path (softmax.ts). Per tile,
 * p is kernel 1's (in out itself, channels first, or gathered from it) or computed again; each
 * class row writes u = p·∂L/∂p − (its cross-entropy part) and adds it to Σu, then each class row
 * becomes u − p·Σu (finishSoftmax, which settles saturated tiles), in out itself (channels first)
 * or in the g rows scattered into out.
 */
function gradSoftmaxLabels<T>(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32, S: i32, count: i32,
  layout: i32, ignoreIndex: i32, hasIgnore: bool, ce: bool, stored: bool, scratch: usize,
): void {
  const ls = <usize>sizeof<T>();
  const tile = tileLength(C), rb = rowBytes(C), planar = layout == LAYOUT_NCHW;
  const prob = probArea(scratch), g = gArea(scratch, C), raw = rawArea(scratch, C), yrow = yArea(scratch, C);
  const m = workArea(scratch, C, 0), sum = workArea(scratch, C, 1), lz = workArea(scratch, C, 2);
  const base = (mask != 0 ? SOFTMAX_MASKED : 0) | (hasIgnore ? IGNORE : 0) | (ce ? CE : 0);
  const ps = stored && planar ? <usize>S << 2 : rb;
  for (let b = 0; b < B; b++) {
    for (let s0 = 0; s0 < count; s0 += tile) {
      const n = min(tile, count - s0);
      const x = stored ? <usize>0 : rawRows(raw, pred, b, C, S, layout, s0, n, rb), xs = rawStride(layout, S, rb);
      const p = tileProb(stored, out, prob, rb, x, xs, b, C, S, layout, s0, n, m, sum, lz, false);
      widenLabels<T>(yrow, labels + (<usize>b * <usize>S + <usize>s0) * ls, n);
      const maskRow: usize = mask == 0 ? 0 : mask + <usize>b * <usize>maskStride + <usize>s0;
      memory.fill(sum, 0, <usize>n << 2);
      for (let c = 0; c < C; c++) {
        const k = <usize>b * <usize>C + <usize>c, q = coefficient(coef, k, COEF_Q);
        const e = coefficient(coef, k, COEF_E), f = coefficient(coef, k, COEF_F);
        weighLabels(g + <usize>c * rb, sum, p + <usize>c * ps, yrow, maskRow, n, c, ignoreIndex,
          coefficient(coef, k, COEF_Y1), coefficient(coef, k, COEF_Y0), q, e + f, f, base | (q != 0 ? QTERM : 0));
      }
      const dst = planar ? out + ((<usize>b * <usize>C * <usize>S + <usize>s0) << 2) : g;
      const ds = planar ? <usize>S << 2 : rb;
      finishSoftmax(dst, ds, p, ps, g, rb, C, n, sum);
      if (!planar) scatterRows(runOf(out, b, C, S, s0), g, rb, C, n);
    }
  }
}

export function gradDense_f32(
  out: usize, pred: usize, target: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, point: i32, gamma: f32, activated: bool, scratch: usize,
): void {
  gradDense<f32>(out, pred, target, mask, maskStride, coef, B, C, S, count, layout, act, point, gamma, activated, scratch);
}

export function gradDense_u8(
  out: usize, pred: usize, target: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, point: i32, gamma: f32, activated: bool, scratch: usize,
): void {
  gradDense<u8>(out, pred, target, mask, maskStride, coef, B, C, S, count, layout, act, point, gamma, activated, scratch);
}

export function gradLabels_u8(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, activated: bool,
  scratch: usize,
): void {
  gradLabels<u8>(out, pred, labels, mask, maskStride, coef, B, C, S, count, layout, act, ignoreIndex, hasIgnore, point, gamma, activated, scratch);
}

export function gradLabels_u16(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, activated: bool,
  scratch: usize,
): void {
  gradLabels<u16>(out, pred, labels, mask, maskStride, coef, B, C, S, count, layout, act, ignoreIndex, hasIgnore, point, gamma, activated, scratch);
}

export function gradLabels_i32(
  out: usize, pred: usize, labels: usize, mask: usize, maskStride: i32, coef: usize, B: i32, C: i32,
  S: i32, count: i32, layout: i32, act: i32, ignoreIndex: i32, hasIgnore: bool, point: i32, gamma: f32, activated: bool,
  scratch: usize,
): void {
  gradLabels<i32>(out, pred, labels, mask, maskStride, coef, B, C, S, count, layout, act, ignoreIndex, hasIgnore, point, gamma, activated, scratch);
}
