// Kernels of the Lovász losses (Berman, Triki & Blaschko 2018).
//
// Per set of voxels (one sample, or the whole batch) and class, the caller lists the errors of
// the set's voxels as (error, payload) pairs (the layout of sort.ts), sorts them descending
// (argsortDesc_f32) and walks them in that order (lovaszWalk): the walk gives the class's loss
// and ∂loss/∂p for each listed voxel. Whole-tensor passes before and after: the probabilities
// channels first (lovaszProbabilities) and the gradient through the activation (lovaszBackward).
//
// A pair's payload is the voxel's index in the channels-first ∂L/∂p buffer (`first` + position
// in the row; below 2^30, since 2^30 f32 fill the whole wasm32 memory) with PAIR_FOREGROUND when
// the voxel belongs to the class and PAIR_RISING when its error grows with the prediction
// (∂error/∂p = +1, else −1).
//
// The error lists APPEND to a list record of u32 slots (constants.ts): the next pair goes to
// index list[LIST_KEYS], which each listed voxel advances; list[LIST_FOREGROUND] and
// list[LIST_OTHER] count the listed voxels of the foreground and those whose target is none of
// the values expected (the caller reports those as bad input).
import { ACT_SOFTMAX, LAYOUT_NCHW, LIST_FOREGROUND, LIST_KEYS, LIST_OTHER } from "./constants";
import { one4 } from "./activation";
import { gatherRow, scatterRow, softmaxBackward, softmaxRows, tileLength, weighByProb } from "./tile";
import { labels4, values4 } from "./values";

const PAIR_FOREGROUND: u32 = 0x80000000;
const PAIR_RISING: u32 = 0x40000000;
const PAIR_INDEX: u32 = 0x3fffffff;

// @ts-ignore: decorator
@inline function slot(list: usize, at: i32): usize {
  return list + (<usize>at << 2);
}

// @ts-ignore: decorator
@inline function storePair(pairs: usize, k: u32, error: f32, payload: u32): void {
  const pair = pairs + (<usize>k << 3);
  store<u32>(pair, payload);
  store<f32>(pair, error, 4);
}

/** Four pairs (payload[j], error[j]), j < 4, at index k. */
// @ts-ignore: decorator
@inline function storePairs4(pairs: usize, k: u32, errors: v128, payloads: v128): void {
  const pair = pairs + (<usize>k << 3);
  v128.store(pair, v128.shuffle<i32>(payloads, errors, 0, 4, 1, 5));
  v128.store(pair, v128.shuffle<i32>(payloads, errors, 2, 6, 3, 7), 16);
}

/** The indices first, first + 1, first + 2, first + 3. */
// @ts-ignore: decorator
@inline function indices4(first: i32): v128 {
  return i32x4.add(i32x4.splat(first), i32x4(0, 1, 2, 3));
}

/** Four target values as f32x4: dense values (f32, u8) or labels (u16, i32). */
// @ts-ignore: decorator
@inline function targets4<T>(ptr: usize): v128 {
  if (isFloat<T>() || sizeof<T>() == 1) return values4<T>(ptr);
  return f32x4.convert_i32x4_s(labels4<T>(ptr));
}

// @ts-ignore: decorator
@inline function lanesum_i32(v: v128): u32 {
  return <u32>(i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3));
}

/**
 * Hinge errors of n consecutive elements: for each element i whose target t is not
 * ignoreIndex (when hasIgnore), appends (1 − x·(2y − 1), first + i) with x = pred[i] and
 * y = [t == 1]: on the foreground the error is 1 − x and falls as x rises, elsewhere 1 + x
 * (PAIR_RISING). LIST_OTHER counts listed elements whose t is neither 0 nor 1, or whose x is
 * not finite (an error of −∞ would add nothing to the loss, so a bad logit is found here).
 */
function hingeErrors<T>(
  pairs: usize, list: usize, pred: usize, target: usize, n: i32, first: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  const ts = <usize>sizeof<T>();
  const ignore = <f64>ignoreIndex;
  let k = load<u32>(slot(list, LIST_KEYS)), foreground = load<u32>(slot(list, LIST_FOREGROUND));
  let other = load<u32>(slot(list, LIST_OTHER));
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (!hasIgnore) {
      const sign = i32x4.splat(0x80000000), zero = f32x4.splat(0);
      let inside4 = i32x4.splat(0), other4 = i32x4.splat(0);
      for (; i + 4 <= n; i += 4) {
        const t = targets4<T>(target + <usize>i * ts);
        const x = v128.load(pred + (<usize>i << 2));
        const inside = f32x4.eq(t, one4());
        // 1 − x on the foreground, 1 + x elsewhere: 1 + x with x's sign flipped where inside.
        const e = f32x4.add(one4(), v128.xor(x, v128.and(inside, sign)));
        const flags = v128.bitselect(i32x4.splat(PAIR_FOREGROUND), i32x4.splat(PAIR_RISING), inside);
        storePairs4(pairs, k, e, v128.or(indices4(first + i), flags));
        k += 4;
        inside4 = i32x4.sub(inside4, inside);
        // x − x ≠ 0 exactly for x = ±∞ or NaN.
        const bad = v128.or(v128.andnot(f32x4.ne(t, zero), inside), f32x4.ne(f32x4.sub(x, x), zero));
        other4 = i32x4.sub(other4, bad);
      }
      foreground += lanesum_i32(inside4);
      other += lanesum_i32(other4);
    }
  }
  for (; i < n; i++) {
    const t = <f64>load<T>(target + <usize>i * ts);
    if (hasIgnore && t == ignore) continue;
    const x = load<f32>(pred + (<usize>i << 2));
    const index = <u32>(first + i);
    if (t == 1) {
      storePair(pairs, k, 1 - x, index | PAIR_FOREGROUND);
      foreground++;
    } else {
      storePair(pairs, k, 1 + x, index | PAIR_RISING);
      if (t != 0) other++;
    }
    if (x - x != 0) other++;
    k++;
  }
  store<u32>(slot(list, LIST_KEYS), k);
  store<u32>(slot(list, LIST_FOREGROUND), foreground);
  store<u32>(slot(list, LIST_OTHER), other);
}

/**
 * Errors |y − p| of class c over one row of n voxels: p = prob[s], y = [label == c], voxels
 * labelled ignoreIndex (when hasIgnore) skipped; appends (|y − p|, first + s). LIST_OTHER counts
 * listed voxels whose label is outside [0, C).
 */
function labelErrors<T>(
  pairs: usize, list: usize, prob: usize, labels: usize, n: i32, first: i32, c: i32, C: i32,
  ignoreIndex: i32, hasIgnore: bool,
): void {
  const ls = <usize>sizeof<T>();
  let k = load<u32>(slot(list, LIST_KEYS)), foreground = load<u32>(slot(list, LIST_FOREGROUND));
  let other = load<u32>(slot(list, LIST_OTHER));
  let s = 0;
  if (ASC_FEATURE_SIMD) {
    if (!hasIgnore) {
      // Every voxel is listed, four at a time.
      const cls = i32x4.splat(c), classes = i32x4.splat(C);
      let inside4 = i32x4.splat(0), other4 = i32x4.splat(0);
      for (; s + 4 <= n; s += 4) {
        const label = labels4<T>(labels + <usize>s * ls);
        const p = v128.load(prob + (<usize>s << 2));
        const inside = i32x4.eq(label, cls);
        const y = v128.and(inside, one4());
        const flags = v128.or(v128.and(inside, i32x4.splat(PAIR_FOREGROUND)), v128.and(f32x4.gt(p, y), i32x4.splat(PAIR_RISING)));
        storePairs4(pairs, k, f32x4.abs(f32x4.sub(y, p)), v128.or(indices4(first + s), flags));
        k += 4;
        inside4 = i32x4.sub(inside4, inside);
        other4 = i32x4.sub(other4, i32x4.ge_u(label, classes));
      }
      foreground += lanesum_i32(inside4);
      other += lanesum_i32(other4);
    }
  }
  for (; s < n; s++) {
    const label = <i32>load<T>(labels + <usize>s * ls);
    if (hasIgnore && label == ignoreIndex) continue;
    const p = load<f32>(prob + (<usize>s << 2));
    const index = <u32>(first + s);
    if (label == c) {
      storePair(pairs, k, abs<f32>(1 - p), index | PAIR_FOREGROUND | (p > 1 ? PAIR_RISING : 0));
      foreground++;
    } else {
      storePair(pairs, k, abs<f32>(p), index | (p > 0 ? PAIR_RISING : 0));
      if (<u32>label >= <u32>C) other++;
    }
    k++;
  }
  store<u32>(slot(list, LIST_KEYS), k);
  store<u32>(slot(list, LIST_FOREGROUND), foreground);
  store<u32>(slot(list, LIST_OTHER), other);
}

/**
 * Errors |y − p| of one class over one row of n voxels: p = prob[s], y = target[s·stride]
 * (a dense target; stride C when channels last); appends (|y − p|, first + s) for every
 * voxel. The foreground is y == 1; LIST_OTHER counts values that are neither 0 nor 1.
 */
function denseErrors<T>(pairs: usize, list: usize, prob: usize, target: usize, stride: i32, n: i32, first: i32): void {
  const step = <usize>stride * sizeof<T>();
  let k = load<u32>(slot(list, LIST_KEYS)), foreground = load<u32>(slot(list, LIST_FOREGROUND));
  let other = load<u32>(slot(list, LIST_OTHER));
  let s = 0;
  if (ASC_FEATURE_SIMD) {
    if (stride == 1) {
      const zero = f32x4.splat(0);
      let inside4 = i32x4.splat(0), other4 = i32x4.splat(0);
      for (; s + 4 <= n; s += 4) {
        const y = values4<T>(target + <usize>s * step);
        const p = v128.load(prob + (<usize>s << 2));
        const inside = f32x4.eq(y, one4());
        const flags = v128.or(v128.and(inside, i32x4.splat(PAIR_FOREGROUND)), v128.and(f32x4.gt(p, y), i32x4.splat(PAIR_RISING)));
        storePairs4(pairs, k, f32x4.abs(f32x4.sub(y, p)), v128.or(indices4(first + s), flags));
        k += 4;
        inside4 = i32x4.sub(inside4, inside);
        other4 = i32x4.sub(other4, v128.andnot(f32x4.ne(y, zero), inside));
      }
      foreground += lanesum_i32(inside4);
      other += lanesum_i32(other4);
    }
  }
  for (; s < n; s++) {
    const y = <f32>load<T>(target + <usize>s * step);
    const p = load<f32>(prob + (<usize>s << 2));
    const fg = y == 1;
    storePair(pairs, k, abs<f32>(y - p), <u32>(first + s) | (fg ? PAIR_FOREGROUND : 0) | (p > y ? PAIR_RISING : 0));
    if (fg) foreground++;
    else if (y != 0) other++;
    k++;
  }
  store<u32>(slot(list, LIST_KEYS), k);
  store<u32>(slot(list, LIST_FOREGROUND), foreground);
  store<u32>(slot(list, LIST_OTHER), other);
}

/**
 * Walks n pairs sorted by error, descending, `foreground` of which carry PAIR_FOREGROUND. With
 * F_k and B_k the foreground and other pairs among the first k, the Jaccard loss of that prefix
 * is J_k = 1 − (foreground − F_k) / (foreground + B_k), J_0 = 0, and g_k = J_k − J_{k−1} is the
 * gradient of its Lovász extension at the sorted errors (Berman et al. 2018, Alg. 1).
 * Returns Σ_k max(e_k, 0)·g_k in f64 (NaN when an error is NaN). When dp ≠ 0, WRITES
 * dp[index_k] = g_k (PAIR_RISING) or −g_k as f32 for every pair with e_k > 0, and nothing else.
 */
export function lovaszWalk(pairs: usize, n: i32, foreground: i32, dp: usize): f64 {
  const total = <f64>foreground;
  let inside: f64 = 0, outside: f64 = 0, previous: f64 = 0, loss: f64 = 0;
  for (let k = 0; k < n; k++) {
    const pair = pairs + (<usize>k << 3);
    const payload = load<u32>(pair);
    const e = load<f32>(pair, 4);
    // Without a branch (PAIR_FOREGROUND is bit 31): foreground and background pairs interleave
    // unpredictably in sorted order.
    const fg = <f64>(payload >> 31);
    inside += fg;
    outside += 1 - fg;
    const jaccard = 1 - (total - inside) / (total + outside);
    const g = jaccard - previous;
    previous = jaccard;
    loss += <f64>max<f32>(e, 0) * g;
    if (dp != 0 && e > 0) {
      store<f32>(dp + (<usize>(payload & PAIR_INDEX) << 2), <f32>((payload & PAIR_RISING) != 0 ? g : -g));
    }
  }
  return loss;
}

/**
 * WRITES prob = act(pred) channels first (B·C·S f32, element (b, c, s) at (b·C + c)·S + s) for
 * pred in `layout`: the softmax over the classes (ACT_SOFTMAX, max-shifted) or pred's values
 * (ACT_NONE). `scratch` holds scratchBytes(C) bytes.
 */
export function lovaszProbabilities(prob: usize, pred: usize, B: i32, C: i32, S: i32, layout: i32, act: i32, scratch: usize): void {
  const plane = <usize>S << 2, tile = tileLength(C), rowBytes = <usize>tile << 2;
  const rows = scratch, m = scratch + <usize>C * rowBytes, z = m + rowBytes;
  for (let b = 0; b < B; b++) {
    const sample = <usize>b * <usize>C * <usize>S;
    for (let s0 = 0; s0 < S; s0 += tile) {
      const n = min(tile, S - s0);
      let src = pred + ((sample + <usize>s0) << 2), srcStride = plane;
      if (layout != LAYOUT_NCHW) {
        const run = pred + ((<usize>b * <usize>S + <usize>s0) * <usize>C << 2);
        for (let c = 0; c < C; c++) gatherRow<f32>(rows + <usize>c * rowBytes, run + (<usize>c << 2), C, n);
        src = rows;
        srcStride = rowBytes;
      }
      const dst = prob + ((sample + <usize>s0) << 2);
      if (act == ACT_SOFTMAX) {
        softmaxRows(dst, plane, src, srcStride, C, n, m, z, 0, false);
      } else {
        for (let c = 0; c < C; c++) memory.copy(dst + <usize>c * plane, src + <usize>c * srcStride, <usize>n << 2);
      }
    }
  }
}

/** dst[i] = s·src[i] for i < n (dst may be src). */
function scaleRow(dst: usize, src: usize, n: i32, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const sv = f32x4.splat(s);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      v128.store(dst + at, f32x4.mul(v128.load(src + at), sv));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(dst + at, load<f32>(src + at) * s);
  }
}

/**
 * The gradient from ∂L/∂p: WRITES out = J_act(g) in pred's layout, where g = scale[b·C + c]·dp
 * (scale: f64 per (sample, class) row; dp: channels first, as prob) and J_act is the identity
 * (ACT_NONE) or the softmax Jacobian p_c·(g_c − Σ_k p_k·g_k) with p = prob, channels first.
 * dp is work space: it is scaled in place and, channels last, overwritten before the transpose.
 * `scratch` holds scratchBytes(C) bytes.
 */
export function lovaszBackward(
  out: usize, dp: usize, prob: usize, scale: usize, B: i32, C: i32, S: i32, layout: i32, act: i32, scratch: usize,
): void {
  const plane = <usize>S << 2, rows = <usize>B * <usize>C;
  const direct = act != ACT_SOFTMAX && layout == LAYOUT_NCHW;
  for (let k: usize = 0; k < rows; k++) {
    const row = k * plane;
    scaleRow(direct ? out + row : dp + row, dp + row, S, <f32>load<f64>(scale + (k << 3)));
  }
  if (direct) return;
  if (act == ACT_SOFTMAX) {
    const tile = tileLength(C);
    for (let b = 0; b < B; b++) {
      for (let s0 = 0; s0 < S; s0 += tile) {
        const at = ((<usize>b * <usize>C * <usize>S) + <usize>s0) << 2;
        const to = layout == LAYOUT_NCHW ? out + at : dp + at, n = min(tile, S - s0);
        // softmaxBackward takes u = p·∂L/∂p.
        for (let c = 0; c < C; c++) weighByProb(dp + at + <usize>c * plane, prob + at + <usize>c * plane, n);
        softmaxBackward(to, plane, prob + at, plane, dp + at, plane, C, n, scratch);
      }
    }
    if (layout == LAYOUT_NCHW) return;
  }
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const row = dp + (<usize>b * <usize>C + <usize>c) * plane;
      scatterRow(out + ((<usize>b * <usize>S * <usize>C + <usize>c) << 2), row, C, S);
    }
  }
}

export function lovaszHingeErrors_f32(
  pairs: usize, list: usize, pred: usize, target: usize, n: i32, first: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  hingeErrors<f32>(pairs, list, pred, target, n, first, ignoreIndex, hasIgnore);
}

export function lovaszHingeErrors_u8(
  pairs: usize, list: usize, pred: usize, target: usize, n: i32, first: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  hingeErrors<u8>(pairs, list, pred, target, n, first, ignoreIndex, hasIgnore);
}

export function lovaszHingeErrors_u16(
  pairs: usize, list: usize, pred: usize, target: usize, n: i32, first: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  hingeErrors<u16>(pairs, list, pred, target, n, first, ignoreIndex, hasIgnore);
}

export function lovaszHingeErrors_i32(
  pairs: usize, list: usize, pred: usize, target: usize, n: i32, first: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  hingeErrors<i32>(pairs, list, pred, target, n, first, ignoreIndex, hasIgnore);
}

export function lovaszLabelErrors_u8(
  pairs: usize, list: usize, prob: usize, labels: usize, n: i32, first: i32, c: i32, C: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  labelErrors<u8>(pairs, list, prob, labels, n, first, c, C, ignoreIndex, hasIgnore);
}

export function lovaszLabelErrors_u16(
  pairs: usize, list: usize, prob: usize, labels: usize, n: i32, first: i32, c: i32, C: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  labelErrors<u16>(pairs, list, prob, labels, n, first, c, C, ignoreIndex, hasIgnore);
}

export function lovaszLabelErrors_i32(
  pairs: usize, list: usize, prob: usize, labels: usize, n: i32, first: i32, c: i32, C: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  labelErrors<i32>(pairs, list, prob, labels, n, first, c, C, ignoreIndex, hasIgnore);
}

export function lovaszDenseErrors_f32(pairs: usize, list: usize, prob: usize, target: usize, stride: i32, n: i32, first: i32): void {
  denseErrors<f32>(pairs, list, prob, target, stride, n, first);
}

export function lovaszDenseErrors_u8(pairs: usize, list: usize, prob: usize, target: usize, stride: i32, n: i32, first: i32): void {
  denseErrors<u8>(pairs, list, prob, target, stride, n, first);
}
