// Argmax over the class axis for a tile of voxels: the predicted label of each voxel, without
// ever holding the whole label map. Ties go to the lower class (as torch.argmax); a NaN score
// never wins (comparisons with NaN are false), so a voxel whose first score is NaN gets 0.
import { LAYOUT_NCHW } from "./constants";

/**
 * WRITES labels[t] (i32) = the class c < C with the largest pred element (b, c, s0 + t), for
 * t < n, where pred has B × C × S elements in `layout`.
 */
export function argmaxTile(labels: usize, pred: usize, b: i32, C: i32, S: i32, layout: i32, s0: i32, n: i32): void {
  if (layout == LAYOUT_NCHW) argmaxPlanar(labels, pred + ((<usize>b * <usize>C * <usize>S + <usize>s0) << 2), <usize>S << 2, C, n);
  else argmaxInterleaved(labels, pred + ((<usize>b * <usize>S + <usize>s0) * <usize>C << 2), C, n);
}

/** Class rows `stride` bytes apart (channels first). */
function argmaxPlanar(labels: usize, first: usize, stride: usize, C: i32, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= n; t += 4) {
      const at = <usize>t << 2;
      let best = v128.load(first + at), index = i32x4.splat(0);
      for (let c = 1; c < C; c++) {
        const v = v128.load(first + <usize>c * stride + at);
        const wins = f32x4.gt(v, best);
        best = v128.bitselect(v, best, wins);
        index = v128.bitselect(i32x4.splat(c), index, wins);
      }
      v128.store(labels + at, index);
    }
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    let best = load<f32>(first + at), index = 0;
    for (let c = 1; c < C; c++) {
      const v = load<f32>(first + <usize>c * stride + at);
      if (v > best) { best = v; index = c; }
    }
    store<i32>(labels + at, index);
  }
}

/** The C scores of a voxel next to each other (channels last). */
function argmaxInterleaved(labels: usize, run: usize, C: i32, n: i32): void {
  for (let t = 0; t < n; t++) {
    const voxel = run + ((<usize>t * <usize>C) << 2);
    let best = load<f32>(voxel), index = 0;
    for (let c = 1; c < C; c++) {
      const v = load<f32>(voxel + (<usize>c << 2));
      if (v > best) { best = v; index = c; }
    }
    store<i32>(labels + (<usize>t << 2), index);
  }
}

/**
 * WRITES dst[t] = src[t] as T (u8, u16 or i32) for t < n; every src value must fit T (the
 * caller only narrows labels below the type's range).
 */
export function narrowLabels<T>(dst: usize, src: usize, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    if (sizeof<T>() == 1) {
      for (; t + 16 <= n; t += 16) {
        const at = src + (<usize>t << 2);
        const low = i16x8.narrow_i32x4_u(v128.load(at), v128.load(at, 16));
        const high = i16x8.narrow_i32x4_u(v128.load(at, 32), v128.load(at, 48));
        v128.store(dst + <usize>t, i8x16.narrow_i16x8_u(low, high));
      }
    } else if (sizeof<T>() == 2) {
      for (; t + 8 <= n; t += 8) {
        const at = src + (<usize>t << 2);
        v128.store(dst + (<usize>t << 1), i16x8.narrow_i32x4_u(v128.load(at), v128.load(at, 16)));
      }
    }
  }
  for (; t < n; t++) store<T>(dst + <usize>t * sizeof<T>(), <T>load<i32>(src + (<usize>t << 2)));
}
