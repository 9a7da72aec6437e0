// Tiles: the paths that need every class of a voxel at once (softmax), whose classes are
// interleaved (channels-last with C > 1), or that add a pointwise term work on tiles of voxels
// held as planar rows of one class each, so that the row functions apply unchanged and every
// input is read from memory once per pass. Per tile of n ≤ tileLength(C) voxels the scratch holds
// (each row tileLength(C) floats):
//   prob: C rows of softmax probabilities     g: C rows of gradients (kernel 2)
//   raw:  C rows of channels-last logits      y: one class's targets (f32)
//   keep: one row of bytes (voxel counted)    m, z, lz: per-voxel max, sum, log-sum of softmax
import { ACT_SIGMOID, ACT_SOFTMAX, LAYOUT_NCHW, POINT_CE, POINT_NONE } from "./constants";
import { exp1, exp4, log1, log4, one4 } from "./activation";
import { label1, labels4 } from "./values";

/**
 * Whether kernel 1, given an `activated` area, leaves the activation there for kernel 2 (which
 * then computes none): e^−x on the direct sigmoid rows (no pointwise term, channels first or one
 * class), p for softmax unless a focal term needs the logits again. Elsewhere kernel 2 recomputes.
 */
export function keepsActivation(C: i32, layout: i32, act: i32, point: i32): bool {
  if (act == ACT_SIGMOID) return point == POINT_NONE && (layout == LAYOUT_NCHW || C == 1);
  return act == ACT_SOFTMAX && (point == POINT_NONE || point == POINT_CE);
}

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
  gatherRows(raw, rowBytes, runOf(pred, b, C, S, s0), C, n);
  return raw;
}

/** Address of voxel s0 of sample b in a channels-last tensor of f32 (its run of interleaved classes). */
// @ts-ignore: decorator
@inline export function runOf(base: usize, b: i32, C: i32, S: i32, s0: i32): usize {
  return base + ((<usize>b * <usize>S + <usize>s0) * <usize>C << 2);
}

/**
 * The C classes of n voxels of a channels-last run into C rows (rowBytes apart): 4×4 blocks
 * transposed in registers when C is a multiple of 4, pairs split when C = 2, else one class at
 * a time.
 */
export function gatherRows(rows: usize, rowBytes: usize, run: usize, C: i32, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    const stride = <usize>C << 2;
    if (C == 2) {
      for (; t + 4 <= n; t += 4) {
        const at = run + (<usize>t << 3), v0 = v128.load(at), v1 = v128.load(at, 16), to = <usize>t << 2;
        v128.store(rows + to, i32x4.shuffle(v0, v1, 0, 2, 4, 6));
        v128.store(rows + rowBytes + to, i32x4.shuffle(v0, v1, 1, 3, 5, 7));
      }
    } else if (C == 4) {
      // One vector per voxel: four voxels are one 4×4 block.
      for (; t + 4 <= n; t += 4) {
        const at = run + (<usize>t << 4), row = rows + (<usize>t << 2);
        const r0 = v128.load(at), r1 = v128.load(at, 16), r2 = v128.load(at, 32), r3 = v128.load(at, 48);
        const lo01 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), hi01 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const lo23 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), hi23 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        v128.store(row, i32x4.shuffle(lo01, lo23, 0, 1, 4, 5));
        v128.store(row + rowBytes, i32x4.shuffle(lo01, lo23, 2, 3, 6, 7));
        v128.store(row + 2 * rowBytes, i32x4.shuffle(hi01, hi23, 0, 1, 4, 5));
        v128.store(row + 3 * rowBytes, i32x4.shuffle(hi01, hi23, 2, 3, 6, 7));
      }
    } else if ((C & 3) == 0) {
      for (; t + 4 <= n; t += 4) {
        const voxel = run + <usize>t * stride, to = <usize>t << 2;
        for (let c = 0; c < C; c += 4) {
          const at = voxel + (<usize>c << 2);
          const r0 = v128.load(at), r1 = v128.load(at + stride), r2 = v128.load(at + 2 * stride), r3 = v128.load(at + 3 * stride);
          const lo01 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), hi01 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const lo23 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), hi23 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
          const row = rows + <usize>c * rowBytes + to;
          v128.store(row, i32x4.shuffle(lo01, lo23, 0, 1, 4, 5));
          v128.store(row + rowBytes, i32x4.shuffle(lo01, lo23, 2, 3, 6, 7));
          v128.store(row + 2 * rowBytes, i32x4.shuffle(hi01, hi23, 0, 1, 4, 5));
          v128.store(row + 3 * rowBytes, i32x4.shuffle(hi01, hi23, 2, 3, 6, 7));
        }
      }
    }
  }
  if (t == n) return;
  const rest = run + (<usize>t * <usize>C << 2), to = <usize>t << 2;
  for (let c = 0; c < C; c++) gatherRow<f32>(rows + <usize>c * rowBytes + to, rest + (<usize>c << 2), C, n - t);
}

/** The inverse of gatherRows: C rows (rowBytes apart) of n voxels into a channels-last run. */
export function scatterRows(run: usize, rows: usize, rowBytes: usize, C: i32, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    const stride = <usize>C << 2;
    if (C == 2) {
      for (; t + 4 <= n; t += 4) {
        const from = <usize>t << 2, a = v128.load(rows + from), b = v128.load(rows + rowBytes + from);
        const at = run + (<usize>t << 3);
        v128.store(at, i32x4.shuffle(a, b, 0, 4, 1, 5));
        v128.store(at, i32x4.shuffle(a, b, 2, 6, 3, 7), 16);
      }
    } else if (C == 4) {
      for (; t + 4 <= n; t += 4) {
        const row = rows + (<usize>t << 2), at = run + (<usize>t << 4);
        const c0 = v128.load(row), c1 = v128.load(row + rowBytes), c2 = v128.load(row + 2 * rowBytes), c3 = v128.load(row + 3 * rowBytes);
        const lo01 = i32x4.shuffle(c0, c1, 0, 4, 1, 5), hi01 = i32x4.shuffle(c0, c1, 2, 6, 3, 7);
        const lo23 = i32x4.shuffle(c2, c3, 0, 4, 1, 5), hi23 = i32x4.shuffle(c2, c3, 2, 6, 3, 7);
        v128.store(at, i32x4.shuffle(lo01, lo23, 0, 1, 4, 5));
        v128.store(at, i32x4.shuffle(lo01, lo23, 2, 3, 6, 7), 16);
        v128.store(at, i32x4.shuffle(hi01, hi23, 0, 1, 4, 5), 32);
        v128.store(at, i32x4.shuffle(hi01, hi23, 2, 3, 6, 7), 48);
      }
    } else if ((C & 3) == 0) {
      for (; t + 4 <= n; t += 4) {
        const voxel = run + <usize>t * stride, from = <usize>t << 2;
        for (let c = 0; c < C; c += 4) {
          const row = rows + <usize>c * rowBytes + from;
          const c0 = v128.load(row), c1 = v128.load(row + rowBytes), c2 = v128.load(row + 2 * rowBytes), c3 = v128.load(row + 3 * rowBytes);
          const lo01 = i32x4.shuffle(c0, c1, 0, 4, 1, 5), hi01 = i32x4.shuffle(c0, c1, 2, 6, 3, 7);
          const lo23 = i32x4.shuffle(c2, c3, 0, 4, 1, 5), hi23 = i32x4.shuffle(c2, c3, 2, 6, 3, 7);
          const at = voxel + (<usize>c << 2);
          v128.store(at, i32x4.shuffle(lo01, lo23, 0, 1, 4, 5));
          v128.store(at + stride, i32x4.shuffle(lo01, lo23, 2, 3, 6, 7));
          v128.store(at + 2 * stride, i32x4.shuffle(hi01, hi23, 0, 1, 4, 5));
          v128.store(at + 3 * stride, i32x4.shuffle(hi01, hi23, 2, 3, 6, 7));
        }
      }
    }
  }
  if (t == n) return;
  const rest = run + (<usize>t * <usize>C << 2), from = <usize>t << 2;
  for (let c = 0; c < C; c++) scatterRow(rest + (<usize>c << 2), rows + <usize>c * rowBytes + from, C, n - t);
}

/** dst[t] = i32(labels[t]) for t < n: a label row widened once for the C class passes over it. */
export function widenLabels<T>(dst: usize, labels: usize, n: i32): void {
  const ls = <usize>sizeof<T>();
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= n; t += 4) v128.store(dst + (<usize>t << 2), labels4<T>(labels + <usize>t * ls));
  }
  for (; t < n; t++) store<i32>(dst + (<usize>t << 2), label1<T>(labels + <usize>t * ls));
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
 * The softmax Jacobian applied to one tile: with u_c = p_c·∂L/∂p_c (rows rowBytes apart), p_c
 * (rows probStride apart), sums Σ_k u_k per voxel into `sum` (followed by a free work row) and
 * writes ∂L/∂x_c = u_c − p_c·sum into `out + c·outStride` (which may be u's rows, or p's: each
 * element is read before it is written), settled where the tile saturates (finishSoftmax).
 */
export function softmaxBackward(
  out: usize, outStride: usize, prob: usize, probStride: usize, u: usize, rowBytes: usize, C: i32, n: i32, sum: usize,
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
  finishSoftmax(out, outStride, prob, probStride, u, rowBytes, C, n, sum);
}

/**
 * Above this largest probability in a tile, finishSoftmax settles the tile: there the dominant
 * class's element of u_c − p_c·Σu, about (1 − p_c)·|Σu|, would be known only to the rounding of
 * Σu (2^−24 of it); below, that rounding is at most 64·2^−24 of the element.
 */
const SATURATED: f32 = 1.0 - 1.0 / 64.0;

/**
 * The softmax Jacobian's last step for C rows of n voxels: out_c = u_c − p_c·Σu, `sum` holding Σu
 * (and followed by a free work row, rowBytes(C) on). Where some probability of the tile exceeds
 * SATURATED, the residue R = Σ_c out_c (0 in exact arithmetic: the p_c sum to 1) is taken back
 * from each voxel's class above SATURATED, out_c − p_c·R: that dominant class then gets minus the
 * sum of the others, to their precision, instead of rounding noise; the others are unchanged. out may be prob's own rows: each element is read before it is written.
 */
export function finishSoftmax(
  out: usize, outStride: usize, prob: usize, probStride: usize, u: usize, rowBytes: usize, C: i32, n: i32, sum: usize,
): void {
  if (largestProb(prob, probStride, C, n) <= SATURATED) {
    for (let c = 0; c < C; c++) {
      finishRow(out + <usize>c * outStride, u + <usize>c * rowBytes, prob + <usize>c * probStride, sum, n);
    }
    return;
  }
  const residue = sum + (<usize>tileLength(C) << 2);
  memory.fill(residue, 0, <usize>n << 2);
  for (let c = 0; c < C; c++) residueRow(residue, u + <usize>c * rowBytes, prob + <usize>c * probStride, sum, n);
  for (let c = 0; c < C; c++) {
    settleRow(out + <usize>c * outStride, u + <usize>c * rowBytes, prob + <usize>c * probStride, sum, residue, n);
  }
}

/** The largest of C rows of n probabilities, `probStride` bytes apart. */
function largestProb(prob: usize, probStride: usize, C: i32, n: i32): f32 {
  let best: f32 = 0;
  for (let c = 0; c < C; c++) {
    const p = prob + <usize>c * probStride;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      let v = f32x4.splat(0);
      for (; t + 4 <= n; t += 4) v = f32x4.max(v, v128.load(p + (<usize>t << 2)));
      best = max(best, max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)),
        max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3))));
    }
    for (; t < n; t++) best = max(best, load<f32>(p + (<usize>t << 2)));
  }
  return best;
}

/** One class row: out = u − p·sum. */
function finishRow(out: usize, u: usize, p: usize, sum: usize, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 8 <= n; t += 8) {
      const at = <usize>t << 2;
      v128.store(out + at, f32x4.sub(v128.load(u + at), f32x4.mul(v128.load(p + at), v128.load(sum + at))));
      v128.store(out + at, f32x4.sub(v128.load(u + at, 16), f32x4.mul(v128.load(p + at, 16), v128.load(sum + at, 16))), 16);
    }
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    store<f32>(out + at, load<f32>(u + at) - load<f32>(p + at) * load<f32>(sum + at));
  }
}

/** One class row: residue += u − p·sum (the element finishRow would write). */
function residueRow(residue: usize, u: usize, p: usize, sum: usize, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= n; t += 4) {
      const at = <usize>t << 2;
      const v = f32x4.sub(v128.load(u + at), f32x4.mul(v128.load(p + at), v128.load(sum + at)));
      v128.store(residue + at, f32x4.add(v128.load(residue + at), v));
    }
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    store<f32>(residue + at, load<f32>(residue + at) + (load<f32>(u + at) - load<f32>(p + at) * load<f32>(sum + at)));
  }
}

/**
 * One class row: out = u − p·sum, minus p·residue where p exceeds SATURATED (the voxel's dominant
 * class): decided voxel by voxel, so a voxel's gradient never depends on the rest of its tile.
 */
function settleRow(out: usize, u: usize, p: usize, sum: usize, residue: usize, n: i32): void {
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    const limit = f32x4.splat(SATURATED);
    for (; t + 4 <= n; t += 4) {
      const at = <usize>t << 2;
      const pv = v128.load(p + at);
      const v = f32x4.sub(v128.load(u + at), f32x4.mul(pv, v128.load(sum + at)));
      const settled = f32x4.sub(v, f32x4.mul(pv, v128.load(residue + at)));
      v128.store(out + at, v128.bitselect(settled, v, f32x4.gt(pv, limit)));
    }
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    const pv = load<f32>(p + at);
    const v = load<f32>(u + at) - pv * load<f32>(sum + at);
    store<f32>(out + at, pv > SATURATED ? v - pv * load<f32>(residue + at) : v);
  }
}
