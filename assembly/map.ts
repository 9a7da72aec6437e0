// Row maps of kernel 2: one class, `n` consecutive voxels. With y the target value and p the
// prediction (σ(pred) when `sigmoid`), each writes out[i] = g·s where g = a·y + b + q·p is
// ∂L/∂p and s = σ'(pred) when `sigmoid`, else 1. Label rows write 0 on ignored voxels.
// σ' is evaluated as (e·p)·p with e = e^-x: 1 − p = e·p exactly, so saturated logits keep a
// tiny non-zero slope instead of 1 − p rounding to 0.
import { exp1, exp4, one4 } from "./activation";
import { label1, labels4, value1, values4 } from "./values";

export function mapDense<T>(out: usize, pred: usize, y: usize, n: i32, a: f32, b: f32, q: f32, sigmoid: bool): void {
  if (sigmoid) mapDenseRow<T>(out, pred, y, n, a, b, q, true, true);
  else if (q != 0) mapDenseRow<T>(out, pred, y, n, a, b, q, false, true);
  // g = a·y + b does not depend on pred: a third less memory traffic.
  else mapDenseRow<T>(out, pred, y, n, a, b, q, false, false);
}

// @ts-ignore: decorator
@inline function mapDenseRow<T>(out: usize, pred: usize, y: usize, n: i32, a: f32, b: f32, q: f32, sigmoid: bool, readPred: bool): void {
  const ys = <usize>sizeof<T>();
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const av = f32x4.splat(a), bv = f32x4.splat(b), qv = f32x4.splat(q);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const v = values4<T>(y + <usize>i * ys);
      if (!readPred) {
        v128.store(out + at, f32x4.add(f32x4.mul(av, v), bv));
        continue;
      }
      const x = v128.load(pred + at);
      if (sigmoid) {
        const e = exp4(f32x4.neg(x));
        const p = f32x4.div(one4(), f32x4.add(one4(), e));
        const g = f32x4.add(f32x4.add(f32x4.mul(av, v), bv), f32x4.mul(qv, p));
        v128.store(out + at, f32x4.mul(g, f32x4.mul(f32x4.mul(e, p), p)));
      } else {
        v128.store(out + at, f32x4.add(f32x4.add(f32x4.mul(av, v), bv), f32x4.mul(qv, x)));
      }
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const v = value1<T>(y + <usize>i * ys);
    if (!readPred) {
      store<f32>(out + at, a * v + b);
      continue;
    }
    const x = load<f32>(pred + at);
    if (sigmoid) {
      const e = exp1(-x);
      const p: f32 = 1.0 / (1.0 + e);
      store<f32>(out + at, (a * v + b + q * p) * (e * p * p));
    } else {
      store<f32>(out + at, a * v + b + q * x);
    }
  }
}

export function mapLabels<T>(
  out: usize, pred: usize, labels: usize, n: i32, c: i32, ignoreIndex: i32, hasIgnore: bool,
  a: f32, b: f32, q: f32, sigmoid: bool,
): void {
  if (sigmoid) mapLabelsRow<T>(out, pred, labels, n, c, ignoreIndex, hasIgnore, a, b, q, true, true);
  else if (q != 0) mapLabelsRow<T>(out, pred, labels, n, c, ignoreIndex, hasIgnore, a, b, q, false, true);
  else mapLabelsRow<T>(out, pred, labels, n, c, ignoreIndex, hasIgnore, a, b, q, false, false);
}

// @ts-ignore: decorator
@inline function mapLabelsRow<T>(
  out: usize, pred: usize, labels: usize, n: i32, c: i32, ignoreIndex: i32, hasIgnore: bool,
  a: f32, b: f32, q: f32, sigmoid: bool, readPred: bool,
): void {
  const ls = <usize>sizeof<T>();
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const cls = i32x4.splat(c), ign = i32x4.splat(ignoreIndex);
    const keepAll = i32x4.splat(hasIgnore ? 0 : -1);
    const av = f32x4.splat(a), bv = f32x4.splat(b), qv = f32x4.splat(q);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const l = labels4<T>(labels + <usize>i * ls);
      const valid = v128.or(i32x4.ne(l, ign), keepAll);
      const ya = v128.and(i32x4.eq(l, cls), av); // a·y with y ∈ {0, 1}
      if (!readPred) {
        v128.store(out + at, v128.and(f32x4.add(ya, bv), valid));
        continue;
      }
      const x = v128.load(pred + at);
      let g: v128;
      if (sigmoid) {
        const e = exp4(f32x4.neg(x));
        const p = f32x4.div(one4(), f32x4.add(one4(), e));
        g = f32x4.mul(f32x4.add(f32x4.add(ya, bv), f32x4.mul(qv, p)), f32x4.mul(f32x4.mul(e, p), p));
      } else {
        g = f32x4.add(f32x4.add(ya, bv), f32x4.mul(qv, x));
      }
      v128.store(out + at, v128.and(g, valid));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const l = label1<T>(labels + <usize>i * ls);
    if (hasIgnore && l == ignoreIndex) { store<f32>(out + at, 0); continue; }
    const ya: f32 = l == c ? a : 0;
    if (!readPred) {
      store<f32>(out + at, ya + b);
      continue;
    }
    const x = load<f32>(pred + at);
    if (sigmoid) {
      const e = exp1(-x);
      const p: f32 = 1.0 / (1.0 + e);
      store<f32>(out + at, (ya + b + q * p) * (e * p * p));
    } else {
      store<f32>(out + at, ya + b + q * x);
    }
  }
}
