// Tiles: the paths that need every class of a voxel at once (softmax) or whose classes are
// interleaved (channels-last with C > 1) work on tiles of voxels held as C planar rows in
// scratch memory, so that the row functions of reduce.ts and map.ts apply unchanged.
import { ACT_SOFTMAX, LAYOUT_NCHW } from "./constants";
import { exp1, exp4, one4 } from "./activation";

/** Voxels per tile for C classes: C rows of a tile stay within ~64 KiB (L1/L2 resident). */
export function tileLength(C: i32): i32 {
  return max(16, min(1024, (16384 / C) & ~15));
}

/**
 * Bytes of scratch the tiled paths need for C classes: C probability rows, C gradient rows,
 * one target row and two work rows, each tileLength(C) floats.
 */
export function scratchBytes(C: i32): usize {
  return (<usize>(2 * C + 3) * <usize>tileLength(C)) << 2;
}

/** dst[t] = f32(src[t·C]) for t < n: one class of a channels-last run as a contiguous row. */
export function gatherRow<T>(dst: usize, src: usize, C: i32, n: i32): void {
  const step = <usize>C * sizeof<T>();
  for (let t = 0; t < n; t++) {
    store<f32>(dst + (<usize>t << 2), <f32>load<T>(src + <usize>t * step));
  }
}

/** dst[t·C] = src[t] for t < n: a contiguous row back into a channels-last run. */
export function scatterRow(dst: usize, src: usize, C: i32, n: i32): void {
  const step = <usize>C << 2;
  for (let t = 0; t < n; t++) {
    store<f32>(dst + <usize>t * step, load<f32>(src + (<usize>t << 2)));
  }
}

/**
 * Puts voxels [s0, s0 + n) of sample b into the planar rows `prob + c·tile·4`: softmax
 * probabilities when act is softmax, else the raw values (channels-last input transposed).
 * Only called for softmax or for channels-last with C > 1; `work` holds two rows.
 */
export function loadTile(
  prob: usize, pred: usize, b: i32, C: i32, S: i32, layout: i32, act: i32, s0: i32, n: i32,
  tile: i32, work: usize,
): void {
  const rowBytes = <usize>tile << 2;
  let src = prob, srcStride = rowBytes;
  if (layout == LAYOUT_NCHW) {
    src = pred + ((<usize>b * <usize>C * <usize>S + <usize>s0) << 2);
    srcStride = <usize>S << 2;
  } else {
    const run = pred + ((<usize>b * <usize>S + <usize>s0) * <usize>C << 2);
    for (let c = 0; c < C; c++) gatherRow<f32>(prob + <usize>c * rowBytes, run + (<usize>c << 2), C, n);
  }
  if (act == ACT_SOFTMAX) softmaxRows(prob, rowBytes, src, srcStride, C, n, work, work + rowBytes);
}

/**
 * dst row c = softmax over c of the src rows, per voxel t < n (max-shifted, so large logits
 * do not overflow). dst may be src. m and z are work rows of n floats.
 */
export function softmaxRows(
  dst: usize, dstStride: usize, src: usize, srcStride: usize, C: i32, n: i32, m: usize, z: usize,
): void {
  const bytes = <usize>n << 2;
  memory.copy(m, src, bytes);
  for (let c = 1; c < C; c++) {
    const x = src + <usize>c * srcStride;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= n; t += 4) {
        const at = <usize>t << 2;
        v128.store(m + at, f32x4.max(v128.load(m + at), v128.load(x + at)));
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      store<f32>(m + at, max(load<f32>(m + at), load<f32>(x + at)));
    }
  }
  memory.fill(z, 0, bytes);
  for (let c = 0; c < C; c++) {
    const x = src + <usize>c * srcStride, e = dst + <usize>c * dstStride;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= n; t += 4) {
        const at = <usize>t << 2;
        const v = exp4(f32x4.sub(v128.load(x + at), v128.load(m + at)));
        v128.store(e + at, v);
        v128.store(z + at, f32x4.add(v128.load(z + at), v));
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      const v = exp1(load<f32>(x + at) - load<f32>(m + at));
      store<f32>(e + at, v);
      store<f32>(z + at, load<f32>(z + at) + v);
    }
  }
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= n; t += 4) {
      const at = <usize>t << 2;
      v128.store(z + at, f32x4.div(one4(), v128.load(z + at)));
    }
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    store<f32>(z + at, 1.0 / load<f32>(z + at));
  }
  for (let c = 0; c < C; c++) {
    const e = dst + <usize>c * dstStride;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= n; t += 4) {
        const at = <usize>t << 2;
        v128.store(e + at, f32x4.mul(v128.load(e + at), v128.load(z + at)));
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      store<f32>(e + at, load<f32>(e + at) * load<f32>(z + at));
    }
  }
}

/**
 * Softmax Jacobian applied to the gradient rows of one tile: with dot = Σ_k p_k·g_k per voxel,
 * writes p_c·(g_c − dot) for every class c into `out + c·outStride` (which may be g's rows).
 */
export function softmaxBackward(
  out: usize, outStride: usize, prob: usize, g: usize, rowBytes: usize, C: i32, n: i32, dot: usize,
): void {
  memory.fill(dot, 0, <usize>n << 2);
  for (let c = 0; c < C; c++) {
    const p = prob + <usize>c * rowBytes, gc = g + <usize>c * rowBytes;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= n; t += 4) {
        const at = <usize>t << 2;
        v128.store(dot + at, f32x4.add(v128.load(dot + at), f32x4.mul(v128.load(p + at), v128.load(gc + at))));
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      store<f32>(dot + at, load<f32>(dot + at) + load<f32>(p + at) * load<f32>(gc + at));
    }
  }
  for (let c = 0; c < C; c++) {
    const p = prob + <usize>c * rowBytes, gc = g + <usize>c * rowBytes, o = out + <usize>c * outStride;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= n; t += 4) {
        const at = <usize>t << 2;
        v128.store(o + at, f32x4.mul(v128.load(p + at), f32x4.sub(v128.load(gc + at), v128.load(dot + at))));
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      store<f32>(o + at, load<f32>(p + at) * (load<f32>(gc + at) - load<f32>(dot + at)));
    }
  }
}
