// Row maps of kernel 2: one class, `n` consecutive voxels. With y the target value and p the
// prediction (σ(pred) when `sigmoid`), each writes out[i] = g·s where
//   g = y1·y + y0·(1 − y) + q·p + s'·sign(p − y)      (∂L/∂p; see COEF_Y1 in constants.ts)
// and s = σ'(pred) when `sigmoid`, else 1. Ignored voxels (label ignoreIndex, mask byte 0) get 0.
// σ' is evaluated as (e·p)·p with e = e^-x: 1 − p = e·p exactly, so saturated logits keep a
// tiny non-zero slope instead of 1 − p rounding to 0. Below EXP_LO p is exactly 0 (sigmoidOfExp4,
// as kernel 1's sums), and so is the slope.
//
// As in reduce.ts, each combination of flags compiles to its own loop.
import { exp1, exp4n, one4, sigmoidOfExp1, sigmoidOfExp4 } from "./activation";
import { keep1, keep4, label1, labels4, load8, value1, values8 } from "./values";

/** p = σ(pred) and the result times σ'(pred). */
const SIGMOID: i32 = 1;
/** g depends on p (q ≠ 0, a sign term, or sigmoid); otherwise pred is not read at all. */
const READ: i32 = 2;
/** The soft-label term s'·sign(p − y) (dense rows). */
const SIGN: i32 = 4;
/** Voxels whose mask byte is 0 get 0. */
const MASKED: i32 = 8;
/** With SIGMOID: pred holds e = e^−x, left by kernel 1 (reduce.ts STORE), instead of x. */
const FROM_EXP: i32 = 16;
/** Without SIGMOID: pred holds softmax probabilities p, and the result is p·g (u of softmaxBackward). */
const WEIGH: i32 = 32;

// @ts-ignore: decorator
@inline function variantOf(sigmoid: bool, q: f32, s: f32, masked: bool, fromExp: bool, weigh: bool): i32 {
  return (sigmoid ? SIGMOID | READ | (fromExp ? FROM_EXP : 0) : q != 0 || s != 0 ? READ : 0) | (s != 0 ? SIGN : 0)
    | (masked ? MASKED : 0) | (weigh ? WEIGH : 0);
}

export function mapDense<T>(
  out: usize, pred: usize, y: usize, mask: usize, n: i32, a: f32, b: f32, q: f32, s: f32, sigmoid: bool, masked: bool,
  fromExp: bool, weigh: bool,
): void {
  // a = y1, b = y0 (the gradient's y-dependent part at y = 1 and y = 0).
  const variant_ = variantOf(sigmoid, q, s, masked, fromExp, weigh);
  // Masked calls with an activation (bound by exp) run one loop with the flags tested at run time:
  // a loop per variant there added bytes to every download for ≤ 4 % of speed (docs/performance.md,
  // "Bundle size").
  if ((variant_ & MASKED) != 0 && (variant_ & (SIGMOID | WEIGH)) != 0) {
    mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, variant_);
    return;
  }
  switch (variant_) {
    case 0: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 0); break;
    case 2: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 2); break;
    case 3: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 3); break;
    case 6: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 6); break;
    case 7: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 7); break;
    case 8: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 8); break;
    case 10: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 10); break;
    case 14: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 14); break;
    case 19: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 19); break;
    case 23: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 23); break;
    case 32: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 32); break;
    case 34: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 34); break;
    case 38: mapDenseRow<T>(out, pred, y, mask, n, a, b, q, s, 38); break;
    default: unreachable();
  }
}

/** g = y1·y + y0·(1 − y) + q·p + s·sign(p − y), times σ' with sigmoid, for four voxels (v: targets, x: pred). */
// @ts-ignore: decorator
@inline function gradient4(
  v: v128, x: v128, av: v128, bv: v128, qv: v128, sv: v128, read: bool, sigmoid: bool, fromExp: bool, sign: bool,
): v128 {
  let g = f32x4.add(f32x4.mul(av, v), f32x4.mul(bv, f32x4.sub(one4(), v)));
  if (!read) return g;
  let p = x, slope = x;
  if (sigmoid) {
    const e = fromExp ? x : exp4n(x);
    p = sigmoidOfExp4(e);
    slope = f32x4.mul(f32x4.mul(e, p), p);
  }
  g = f32x4.add(g, f32x4.mul(qv, p));
  if (sign) {
    const d = f32x4.sub(p, v);
    const sgn = f32x4.sub(v128.and(f32x4.gt(d, f32x4.splat(0)), one4()), v128.and(f32x4.lt(d, f32x4.splat(0)), one4()));
    g = f32x4.add(g, f32x4.mul(sv, sgn));
  }
  return sigmoid ? f32x4.mul(g, slope) : g;
}

// @ts-ignore: decorator
@inline function mapDenseRow<T>(out: usize, pred: usize, y: usize, mask: usize, n: i32, a: f32, b: f32, q: f32, s: f32, variant: i32): void {
  const sigmoid = (variant & SIGMOID) != 0, read = (variant & READ) != 0;
  const sign = (variant & SIGN) != 0, masked = (variant & MASKED) != 0, fromExp = (variant & FROM_EXP) != 0;
  const weigh = (variant & WEIGH) != 0, loadsPred = read || weigh;
  const ys = <usize>sizeof<T>();
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const av = f32x4.splat(a), bv = f32x4.splat(b), qv = f32x4.splat(q), sv = f32x4.splat(s);
    // Eight voxels per iteration: byte targets come in one 8-byte load.
    for (; i + 8 <= n; i += 8) {
      const at = <usize>i << 2, yat = y + <usize>i * ys, bytes = load8<T>(yat);
      const x0 = loadsPred ? v128.load(pred + at) : av, x1 = loadsPred ? v128.load(pred + at, 16) : av;
      let g0 = gradient4(values8<T>(yat, bytes, 0), x0, av, bv, qv, sv, read, sigmoid, fromExp, sign);
      let g1 = gradient4(values8<T>(yat, bytes, 1), x1, av, bv, qv, sv, read, sigmoid, fromExp, sign);
      if (weigh) {
        g0 = f32x4.mul(g0, x0);
        g1 = f32x4.mul(g1, x1);
      }
      if (masked) {
        g0 = v128.and(g0, keep4(mask + <usize>i));
        g1 = v128.and(g1, keep4(mask + <usize>i + 4));
      }
      v128.store(out + at, g0);
      v128.store(out + at, g1, 16);
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    if (masked && !keep1(mask + <usize>i)) { store<f32>(out + at, 0); continue; }
    const v = value1<T>(y + <usize>i * ys);
    let g = a * v + b * (1 - v);
    if (read) {
      const x = load<f32>(pred + at);
      let p = x, slope: f32 = 1;
      if (sigmoid) {
        const e = fromExp ? x : exp1(-x);
        p = sigmoidOfExp1(e);
        slope = e * p * p;
      }
      g += q * p;
      if (sign) g += p > v ? s : p < v ? -s : 0;
      if (sigmoid) g *= slope;
    }
    if (weigh) g *= load<f32>(pred + at);
    store<f32>(out + at, g);
  }
}

export function mapLabels<T>(
  out: usize, pred: usize, labels: usize, mask: usize, n: i32, c: i32, ignoreIndex: i32, hasIgnore: bool,
  a: f32, b: f32, q: f32, sigmoid: bool, masked: bool, fromExp: bool, weigh: bool,
): void {
  const variant_ = variantOf(sigmoid, q, 0, masked, fromExp, weigh);
  // Masked calls with an activation (bound by exp) run one loop with the flags tested at run time:
  // a loop per variant there added bytes to every download for ≤ 4 % of speed (docs/performance.md,
  // "Bundle size").
  if ((variant_ & MASKED) != 0 && (variant_ & (SIGMOID | WEIGH)) != 0) {
    mapLabelsRow<T>(out, pred, labels, mask, n, c, ignoreIndex, hasIgnore, a, b, q, variant_);
    return;
  }
  switch (variant_) {
    case 0: mapLabelsRow<T>(out, pred, labels, mask, n, c, ignoreIndex, hasIgnore, a, b, q, 0); break;
    case 2: mapLabelsRow<T>(out, pred, labels, mask, n, c, ignoreIndex, hasIgnore, a, b, q, 2); break;
    case 3: mapLabelsRow<T>(out, pred, labels, mask, n, c, ignoreIndex, hasIgnore, a, b, q, 3); break;
    case 8: mapLabelsRow<T>(out, pred, labels, mask, n, c, ignoreIndex, hasIgnore, a, b, q, 8); break;
    case 10: mapLabelsRow<T>(out, pred, labels, mask, n, c, ignoreIndex, hasIgnore, a, b, q, 10); break;
    case 19: mapLabelsRow<T>(out, pred, labels, mask, n, c, ignoreIndex, hasIgnore, a, b, q, 19); break;
    case 32: mapLabelsRow<T>(out, pred, labels, mask, n, c, ignoreIndex, hasIgnore, a, b, q, 32); break;
    case 34: mapLabelsRow<T>(out, pred, labels, mask, n, c, ignoreIndex, hasIgnore, a, b, q, 34); break;
    default: unreachable();
  }
}

// @ts-ignore: decorator
@inline function mapLabelsRow<T>(
  out: usize, pred: usize, labels: usize, mask: usize, n: i32, c: i32, ignoreIndex: i32, hasIgnore: bool,
  a: f32, b: f32, q: f32, variant: i32,
): void {
  const sigmoid = (variant & SIGMOID) != 0, read = (variant & READ) != 0, masked = (variant & MASKED) != 0;
  const fromExp = (variant & FROM_EXP) != 0, weigh = (variant & WEIGH) != 0;
  const ls = <usize>sizeof<T>();
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const cls = i32x4.splat(c), ign = i32x4.splat(ignoreIndex);
    const keepAll = i32x4.splat(hasIgnore ? 0 : -1);
    const av = f32x4.splat(a), bv = f32x4.splat(b), qv = f32x4.splat(q);
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      const l = labels4<T>(labels + <usize>i * ls);
      let valid = v128.or(i32x4.ne(l, ign), keepAll);
      if (masked) valid = v128.and(valid, keep4(mask + <usize>i));
      let g = v128.bitselect(av, bv, i32x4.eq(l, cls)); // y1 where the label is c, else y0
      if (read) {
        const x = v128.load(pred + at);
        if (sigmoid) {
          const e = fromExp ? x : exp4n(x);
          const p = sigmoidOfExp4(e);
          g = f32x4.mul(f32x4.add(g, f32x4.mul(qv, p)), f32x4.mul(f32x4.mul(e, p), p));
        } else {
          g = f32x4.add(g, f32x4.mul(qv, x));
        }
      }
      if (weigh) g = f32x4.mul(g, v128.load(pred + at));
      v128.store(out + at, v128.and(g, valid));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const l = label1<T>(labels + <usize>i * ls);
    if ((hasIgnore && l == ignoreIndex) || (masked && !keep1(mask + <usize>i))) { store<f32>(out + at, 0); continue; }
    let g: f32 = l == c ? a : b;
    if (read) {
      const x = load<f32>(pred + at);
      if (sigmoid) {
        const e = fromExp ? x : exp1(-x);
        const p = sigmoidOfExp1(e);
        g = (g + q * p) * (e * p * p);
      } else {
        g += q * x;
      }
    }
    if (weigh) g *= load<f32>(pred + at);
    store<f32>(out + at, g);
  }
}
