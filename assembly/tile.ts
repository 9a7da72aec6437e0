// Tiles: the paths that need every class of a voxel at once (softmax), whose classes are
// interleaved (channels-last with C > 1), or that add a pointwise term work on tiles of voxels
// held as planar rows of one class each, so that the row functions apply unchanged and every
// input is read from memory once per pass. Per tile of n ≤ tileLength(C) voxels the scratch holds
// (each row tileLength(C) floats):
//   prob: C rows of softmax probabilities     g: C rows of gradients (kernel 2)
//   raw:  C rows of channels-last logits      y: one class's targets (f32)
//   keep: one row of bytes (voxel counted)    m, z, lz: per-voxel max, sum, log-sum of softmax
import { LAYOUT_NCHW } from "./constants";
import { exp1, exp4, log1, log4, one4 } from "./activation";
import { label1, labels4 } from "./values";

/** Voxels per tile for C classes: C rows of a tile stay within ~64 KiB (L1/L2 resident). */
export function tileLength(C: i32): i32 {
  return max(16, min(1024, (16384 / C) & ~15));
}

/** Bytes of scratch the tiled paths need for C classes (see the layout above). */
export function scratchBytes(C: i32): usize {
  return (<usize>(3 * C + 5) * <usize>tileLength(C)) << 2;
}

// Addresses of the scratch areas (see the layout above); rows are rowBytes(C) apart.
// @ts-ignore: decorator
@inline export function rowBytes(C: i32): usize { return <usize>tileLength(C) << 2; }
// @ts-ignore: decorator
@inline export function probArea(scratch: usize): usize { return scratch; }
// @ts-ignore: decorator
@inline export function gArea(scratch: usize, C: i32): usize { return scratch + <usize>C * rowBytes(C); }
// @ts-ignore: decorator
@inline export function rawArea(scratch: usize, C: i32): usize { return scratch + 2 * <usize>C * rowBytes(C); }
// @ts-ignore: decorator
@inline export function yArea(scratch: usize, C: i32): usize { return scratch + 3 * <usize>C * rowBytes(C); }
// @ts-ignore: decorator
@inline export function keepArea(scratch: usize, C: i32): usize { return yArea(scratch, C) + rowBytes(C); }
/** Work row i: 0 = m (max), 1 = z (sum, then its reciprocal), 2 = lz (log of the sum). */
// @ts-ignore: decorator
@inline export function workArea(scratch: usize, C: i32, i: i32): usize { return keepArea(scratch, C) + <usize>(1 + i) * rowBytes(C); }

/**
 * The raw rows of voxels [s0, s0 + n) of sample b: pred's own rows when channels-first (nothing
 * is copied), else gathered into `raw`. Returns the first row; rows are rawStride() apart.
 */
export function rawRows(raw: usize, pred: usize, b: i32, C: i32, S: i32, layout: i32, s0: i32, n: i32, rowBytes: usize): usize {
  if (layout == LAYOUT_NCHW) return pred + ((<usize>b * <usize>C * <usize>S + <usize>s0) << 2);
  const run = pred + ((<usize>b * <usize>S + <usize>s0) * <usize>C << 2);
  for (let c = 0; c < C; c++) gatherRow<f32>(raw + <usize>c * rowBytes, run + (<usize>c << 2), C, n);
  return raw;
}

// @ts-ignore: decorator
@inline export function rawStride(layout: i32, S: i32, rowBytes: usize): usize {
  return layout == LAYOUT_NCHW ? <usize>S << 2 : rowBytes;
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

/** y[t] = 1 where labels[t] == c, else 0 (f32), t < n. */
export function labelRow<T>(y: usize, labels: usize, n: i32, c: i32): void {
  const ls = <usize>sizeof<T>();
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    const cls = i32x4.splat(c);
    for (; t + 4 <= n; t += 4) {
      v128.store(y + (<usize>t << 2), v128.and(i32x4.eq(labels4<T>(labels + <usize>t * ls), cls), one4()));
    }
  }
  for (; t < n; t++) store<f32>(y + (<usize>t << 2), label1<T>(labels + <usize>t * ls) == c ? 1 : 0);
}

/** keep[t] = 1 when voxel t counts: its label is not ignoreIndex and its mask byte (if any) is non-zero. */
export function keepRow<T>(keep: usize, labels: usize, mask: usize, n: i32, ignoreIndex: i32, hasIgnore: bool): void {
  const ls = <usize>sizeof<T>();
  for (let t = 0; t < n; t++) {
    const counted = !(hasIgnore && label1<T>(labels + <usize>t * ls) == ignoreIndex) && (mask == 0 || load<u8>(mask + <usize>t) != 0);
    store<u8>(keep + <usize>t, counted ? 1 : 0);
  }
}

/**
 * Softmax over C raw rows (srcStride bytes apart) into the prob rows, per voxel t < n, shifted by
 * the max so large logits do not overflow; m and z are work rows. With `logSum`, lz[t] receives
 * log Σ_c e^(x_c − m), so that log p_c = (x_c − m) − lz exactly (no log of a rounded p).
 * A voxel with a logit of ±∞ or NaN gets NaN probabilities, which kernel 1's sums carry to the
 * caller's check of non-finite input.
 */
export function softmaxRows(
  prob: usize, rowBytes: usize, src: usize, srcStride: usize, C: i32, n: i32, m: usize, z: usize, lz: usize, logSum: bool,
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
    const x = src + <usize>c * srcStride, e = prob + <usize>c * rowBytes;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= n; t += 4) {
        const at = <usize>t << 2;
        const xv = v128.load(x + at);
        const v = exp4(f32x4.sub(xv, v128.load(m + at)));
        v128.store(e + at, v);
        // + (x − x): NaN for a logit of ±∞ (e^−∞ alone is 0), which then reaches the sums; 0 otherwise.
        v128.store(z + at, f32x4.add(v128.load(z + at), f32x4.add(v, f32x4.sub(xv, xv))));
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      const xv = load<f32>(x + at);
      const v = exp1(xv - load<f32>(m + at));
      store<f32>(e + at, v);
      store<f32>(z + at, load<f32>(z + at) + (v + (xv - xv)));
    }
  }
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= n; t += 4) {
      const at = <usize>t << 2;
      const sum = v128.load(z + at);
      if (logSum) v128.store(lz + at, log4(sum));
      v128.store(z + at, f32x4.div(one4(), sum));
    }
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    const sum = load<f32>(z + at);
    if (logSum) store<f32>(lz + at, log1(sum));
    store<f32>(z + at, 1.0 / sum);
  }
  for (let c = 0; c < C; c++) {
    const e = prob + <usize>c * rowBytes;
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

/** u[t] = p[t]·u[t] for one row: ∂L/∂p_c becomes p_c·∂L/∂p_c, the input of softmaxBackward. */
export function weighByProb(u: usize, p: usize, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= n; t += 4) {
      const at = <usize>t << 2;
      v128.store(u + at, f32x4.mul(v128.load(u + at), v128.load(p + at)));
    }
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    store<f32>(u + at, load<f32>(u + at) * load<f32>(p + at));
  }
}

/**
 * The softmax Jacobian applied to one tile: with u_c = p_c·∂L/∂p_c (rows rowBytes apart) and
 * sum = Σ_k u_k per voxel, writes ∂L/∂x_c = u_c − p_c·sum into `out + c·outStride` (which may
 * be u's rows).
 */
export function softmaxBackward(
  out: usize, outStride: usize, prob: usize, u: usize, rowBytes: usize, C: i32, n: i32, sum: usize,
): void {
  memory.fill(sum, 0, <usize>n << 2);
  for (let c = 0; c < C; c++) {
    const uc = u + <usize>c * rowBytes;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= n; t += 4) {
        const at = <usize>t << 2;
        v128.store(sum + at, f32x4.add(v128.load(sum + at), v128.load(uc + at)));
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      store<f32>(sum + at, load<f32>(sum + at) + load<f32>(uc + at));
    }
  }
  for (let c = 0; c < C; c++) {
    const p = prob + <usize>c * rowBytes, uc = u + <usize>c * rowBytes, o = out + <usize>c * outStride;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= n; t += 4) {
        const at = <usize>t << 2;
        v128.store(o + at, f32x4.sub(v128.load(uc + at), f32x4.mul(v128.load(p + at), v128.load(sum + at))));
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      store<f32>(o + at, load<f32>(uc + at) - load<f32>(p + at) * load<f32>(sum + at));
    }
  }
}
