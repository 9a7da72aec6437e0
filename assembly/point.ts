// Pointwise terms (cross-entropy, binary cross-entropy, focal) on the rows of a tile: sums for
// kernel 1, each element's weighted term for kernel 3 and gradient contributions for kernel 2,
// exactly as constants.ts (POINT_*) defines them. x is a row of logits, y a row of targets (`T`:
// f32, or u8 for a dense byte target), `keep` a row of bytes (with MASKED: voxels whose byte is 0
// add nothing and get nothing). Softmax rows also get p (the probabilities) and the per-voxel m and
// lz of softmaxRows, so that log p = (x − m) − lz is exact.
//
// Kernels 1 and 3 read the same terms E_i, E2_i of each element: one row function serves both,
// summing them into a statistics record, or (`each`) adding e·E_i + f·E2_i to dst[i]. Its flags
// are run-time branches, taken the same way for a whole row.
import { STAT_E, STAT_E2 } from "./constants";
import { exp1, exp4, exp4n, log1, log4, one4, sigmoid1, sigmoid4, softplus1, softplus4 } from "./activation";
import { keep1, keep4, lanesum, value1, values4 } from "./values";

const FOCAL: i32 = 1;
const MASKED: i32 = 2;
/** 1 − p is clamped to the smallest normal f32 before its log, so p = 1 gives (1 − p)^γ ≈ 0, not NaN. */
const TINY: f32 = 1.17549435e-38;

// @ts-ignore: decorator
@inline function addStat(rec: usize, slot: i32, v: f64): void {
  const at = rec + (<usize>slot << 3);
  store<f64>(at, load<f64>(at) + v);
}

// @ts-ignore: decorator
@inline function variantOf(focal: bool, masked: bool): i32 {
  return (focal ? FOCAL : 0) | (masked ? MASKED : 0);
}

/** dst[i] += e·term + f·term2 for four elements at dst (kernel 3). */
// @ts-ignore: decorator
@inline function addTerms4(dst: usize, e: v128, f: v128, term: v128, term2: v128): void {
  v128.store(dst, f32x4.add(v128.load(dst), f32x4.add(f32x4.mul(e, term), f32x4.mul(f, term2))));
}

/** E += Σ bce (or focal m·bce), E2 += Σ y·softplus(−x) (or y·m·bce), over one row, from logits. */
export function sumPointSigmoid<T>(rec: usize, x: usize, y: usize, keep: usize, n: i32, focal: bool, gamma: f32, masked: bool): void {
  pointSigmoidRow<T>(rec, x, y, keep, n, gamma, 0, 0, focal, masked, false);
}

/** dst[i] += e·bce_i + f·y_i·softplus(−x_i) (focal: (e + f·y_i)·m_i·bce_i), over one row, from logits. */
export function addPointSigmoid(dst: usize, x: usize, y: usize, keep: usize, n: i32, e: f32, f: f32, focal: bool, gamma: f32, masked: bool): void {
  pointSigmoidRow<f32>(dst, x, y, keep, n, gamma, e, f, focal, masked, true);
}

/** The terms of one sigmoid row summed into the record `dst`, or (`each`) weighted into the row `dst`. */
// @ts-ignore: decorator
@inline function pointSigmoidRow<T>(
  dst: usize, x: usize, y: usize, keep: usize, n: i32, gamma: f32, e: f32, f: f32, focal: bool, masked: bool, each: bool,
): void {
  const ys = <usize>sizeof<T>();
  let sE: f64 = 0, sE2: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let aE = f32x4.splat(0), aE2 = f32x4.splat(0);
    const g = f32x4.splat(gamma), ev = f32x4.splat(e), fv = f32x4.splat(f);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      const t = values4<T>(y + <usize>i * ys);
      const sp = softplus4(f32x4.neg(v));
      let term = f32x4.add(sp, f32x4.mul(f32x4.sub(one4(), t), v));
      let term2 = f32x4.mul(t, sp);
      if (focal) {
        const z = f32x4.mul(v, f32x4.sub(f32x4.add(t, t), one4()));
        term = f32x4.mul(exp4n(f32x4.mul(g, softplus4(z))), term);
        term2 = f32x4.mul(t, term);
      }
      if (masked) {
        const k = keep4(keep + <usize>i);
        term = v128.and(term, k);
        term2 = v128.and(term2, k);
      }
      if (each) {
        addTerms4(dst + (<usize>i << 2), ev, fv, term, term2);
      } else {
        aE = f32x4.add(aE, term);
        aE2 = f32x4.add(aE2, term2);
      }
    }
    sE = lanesum(aE);
    sE2 = lanesum(aE2);
  }
  for (; i < n; i++) {
    if (masked && !keep1(keep + <usize>i)) continue;
    const v = load<f32>(x + (<usize>i << 2));
    const t = value1<T>(y + <usize>i * ys);
    const sp = softplus1(-v);
    let term = sp + (1 - t) * v;
    let term2 = t * sp;
    if (focal) {
      term *= exp1(-gamma * softplus1(v * (t + t - 1)));
      term2 = t * term;
    }
    if (each) {
      const at = dst + (<usize>i << 2);
      store<f32>(at, load<f32>(at) + (e * term + f * term2));
    } else {
      sE += <f64>term;
      sE2 += <f64>term2;
    }
  }
  if (each) return;
  addStat(dst, STAT_E, sE);
  addStat(dst, STAT_E2, sE2);
}

/** E += Σ −y·log p (focal: −(1 − p)^γ·y·log p); E2 += Σ −log p (cross-entropy only), over one softmax row. */
export function sumPointSoftmax<T>(
  rec: usize, x: usize, p: usize, m: usize, lz: usize, y: usize, keep: usize, n: i32, focal: bool, gamma: f32, masked: bool,
): void {
  pointSoftmaxRow<T>(rec, x, p, m, lz, y, keep, n, gamma, 0, 0, focal, masked, false);
}

/** dst[i] += −(e·y_i + f)·log p_i (focal: −e·(1 − p_i)^γ·y_i·log p_i), over one softmax row. */
export function addPointSoftmax(
  dst: usize, x: usize, p: usize, m: usize, lz: usize, y: usize, keep: usize, n: i32, e: f32, f: f32, focal: bool, gamma: f32, masked: bool,
): void {
  pointSoftmaxRow<f32>(dst, x, p, m, lz, y, keep, n, gamma, e, f, focal, masked, true);
}

/** The terms of one softmax row summed into the record `dst`, or (`each`) weighted into the row `dst`; focal has no E2. */
// @ts-ignore: decorator
@inline function pointSoftmaxRow<T>(
  dst: usize, x: usize, p: usize, m: usize, lz: usize, y: usize, keep: usize, n: i32, gamma: f32, e: f32, f: f32,
  focal: bool, masked: bool, each: bool,
): void {
  const ys = <usize>sizeof<T>();
  let sE: f64 = 0, sE2: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let aE = f32x4.splat(0), aE2 = f32x4.splat(0);
    const g = f32x4.splat(gamma), ev = f32x4.splat(e), fv = f32x4.splat(focal ? 0 : f);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const logp = f32x4.sub(f32x4.sub(v128.load(x + at), v128.load(m + at)), v128.load(lz + at));
      const t = values4<T>(y + <usize>i * ys);
      let term = f32x4.neg(f32x4.mul(t, logp));
      let term2 = f32x4.neg(logp);
      if (focal) {
        const q = f32x4.pmax(f32x4.sub(one4(), v128.load(p + at)), f32x4.splat(TINY));
        term = f32x4.mul(exp4(f32x4.mul(g, log4(q))), term);
      }
      if (masked) {
        const k = keep4(keep + <usize>i);
        term = v128.and(term, k);
        term2 = v128.and(term2, k);
      }
      if (each) {
        addTerms4(dst + at, ev, fv, term, term2);
      } else {
        aE = f32x4.add(aE, term);
        if (!focal) aE2 = f32x4.add(aE2, term2);
      }
    }
    sE = lanesum(aE);
    sE2 = lanesum(aE2);
  }
  for (; i < n; i++) {
    if (masked && !keep1(keep + <usize>i)) continue;
    const at = <usize>i << 2;
    const logp = load<f32>(x + at) - load<f32>(m + at) - load<f32>(lz + at);
    const t = value1<T>(y + <usize>i * ys);
    let term = -t * logp;
    if (focal) term *= exp1(gamma * log1(max<f32>(<f32>1 - load<f32>(p + at), TINY)));
    if (each) {
      store<f32>(dst + at, load<f32>(dst + at) + (focal ? e * term : e * term - f * logp));
    } else {
      if (!focal) sE2 += -<f64>logp;
      sE += <f64>term;
    }
  }
  if (each) return;
  addStat(dst, STAT_E, sE);
  if (!focal) addStat(dst, STAT_E2, sE2);
}

/** out += e·(σ(x) − y) + f·y·(σ(x) − 1) (BCE), or (e + f·y)·D (focal), over one row of logits. */
export function mapPointSigmoid<T>(out: usize, x: usize, y: usize, keep: usize, n: i32, e: f32, f: f32, focal: bool, gamma: f32, masked: bool): void {
  switch (variantOf(focal, masked)) {
    case 0: mapPointSigmoidRow<T>(out, x, y, keep, n, e, f, gamma, 0); break;
    case 1: mapPointSigmoidRow<T>(out, x, y, keep, n, e, f, gamma, 1); break;
    case 2: mapPointSigmoidRow<T>(out, x, y, keep, n, e, f, gamma, 2); break;
    default: mapPointSigmoidRow<T>(out, x, y, keep, n, e, f, gamma, 3);
  }
}

// @ts-ignore: decorator
@inline function mapPointSigmoidRow<T>(out: usize, x: usize, y: usize, keep: usize, n: i32, e: f32, f: f32, gamma: f32, variant: i32): void {
  const focal = (variant & FOCAL) != 0, masked = (variant & MASKED) != 0;
  const ys = <usize>sizeof<T>();
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const ev = f32x4.splat(e), fv = f32x4.splat(f), g = f32x4.splat(gamma);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const v = v128.load(x + at);
      const t = values4<T>(y + <usize>i * ys);
      const s = sigmoid4(v);
      let d: v128;
      if (focal) {
        const sign = f32x4.sub(f32x4.add(t, t), one4());
        const z = f32x4.mul(v, sign);
        const bce = f32x4.add(softplus4(f32x4.neg(v)), f32x4.mul(f32x4.sub(one4(), t), v));
        const mod = exp4n(f32x4.mul(g, softplus4(z)));
        const slope = f32x4.sub(f32x4.sub(s, t), f32x4.mul(f32x4.mul(g, sigmoid4(z)), f32x4.mul(sign, bce)));
        d = f32x4.mul(f32x4.add(ev, f32x4.mul(fv, t)), f32x4.mul(mod, slope));
      } else {
        d = f32x4.add(f32x4.mul(ev, f32x4.sub(s, t)), f32x4.mul(fv, f32x4.mul(t, f32x4.sub(s, one4()))));
      }
      if (masked) d = v128.and(d, keep4(keep + <usize>i));
      v128.store(out + at, f32x4.add(v128.load(out + at), d));
    }
  }
  for (; i < n; i++) {
    if (masked && !keep1(keep + <usize>i)) continue;
    const at = <usize>i << 2;
    const v = load<f32>(x + at);
    const t = value1<T>(y + <usize>i * ys);
    const s = sigmoid1(v);
    let d: f32;
    if (focal) {
      const sign = t + t - 1;
      const bce = softplus1(-v) + (1 - t) * v;
      const mod = exp1(-gamma * softplus1(v * sign));
      d = (e + f * t) * mod * ((s - t) - gamma * sigmoid1(v * sign) * sign * bce);
    } else {
      d = e * (s - t) + f * t * (s - 1);
    }
    store<f32>(out + at, load<f32>(out + at) + d);
  }
}

/**
 * u −= e·y + f (cross-entropy), or e·y·((1 − p)^γ − γ·p·(1 − p)^(γ−1)·log p) (focal), over one
 * softmax row; u holds p·∂L/∂p of the overlap term (see softmaxBackward).
 */
export function mapPointSoftmax<T>(
  u: usize, x: usize, p: usize, m: usize, lz: usize, y: usize, keep: usize, n: i32, e: f32, f: f32, focal: bool, gamma: f32, masked: bool,
): void {
  switch (variantOf(focal, masked)) {
    case 0: mapPointSoftmaxRow<T>(u, x, p, m, lz, y, keep, n, e, f, gamma, 0); break;
    case 1: mapPointSoftmaxRow<T>(u, x, p, m, lz, y, keep, n, e, f, gamma, 1); break;
    case 2: mapPointSoftmaxRow<T>(u, x, p, m, lz, y, keep, n, e, f, gamma, 2); break;
    default: mapPointSoftmaxRow<T>(u, x, p, m, lz, y, keep, n, e, f, gamma, 3);
  }
}

// @ts-ignore: decorator
@inline function mapPointSoftmaxRow<T>(
  u: usize, x: usize, p: usize, m: usize, lz: usize, y: usize, keep: usize, n: i32, e: f32, f: f32, gamma: f32, variant: i32,
): void {
  const focal = (variant & FOCAL) != 0, masked = (variant & MASKED) != 0;
  const ys = <usize>sizeof<T>();
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const ev = f32x4.splat(e), fv = f32x4.splat(f), g = f32x4.splat(gamma);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const t = values4<T>(y + <usize>i * ys);
      let d: v128;
      if (focal) {
        const pr = v128.load(p + at);
        const logp = f32x4.sub(f32x4.sub(v128.load(x + at), v128.load(m + at)), v128.load(lz + at));
        const q = f32x4.pmax(f32x4.sub(one4(), pr), f32x4.splat(TINY));
        const pw = exp4(f32x4.mul(g, log4(q)));
        const inner = f32x4.sub(pw, f32x4.mul(f32x4.mul(g, pr), f32x4.mul(f32x4.div(pw, q), logp)));
        d = f32x4.mul(f32x4.mul(ev, t), inner);
      } else {
        d = f32x4.add(f32x4.mul(ev, t), fv);
      }
      if (masked) d = v128.and(d, keep4(keep + <usize>i));
      v128.store(u + at, f32x4.sub(v128.load(u + at), d));
    }
  }
  for (; i < n; i++) {
    if (masked && !keep1(keep + <usize>i)) continue;
    const at = <usize>i << 2;
    const t = value1<T>(y + <usize>i * ys);
    let d: f32;
    if (focal) {
      const pr = load<f32>(p + at);
      const logp = load<f32>(x + at) - load<f32>(m + at) - load<f32>(lz + at);
      const q = max<f32>(<f32>1 - pr, TINY);
      const pw = exp1(gamma * log1(q));
      d = e * t * (pw - gamma * pr * (pw / q) * logp);
    } else {
      d = e * t + f;
    }
    store<f32>(u + at, load<f32>(u + at) - d);
  }
}
