// Vectorised exp and the activations built on it. The scalar versions evaluate the same
// polynomial, so that a SIMD body and its scalar tail (and the scalar build) agree.

// Cephes expf: exp(x) = 2^n · exp(r), n = round(x·log2 e), |r| ≤ ln2/2, degree-5 polynomial
// (relative error ≈ 1.2e-7). The input is clamped to [-87, 88] so that 2^n stays a normal
// f32 and the result never overflows: exp(-x) for x > 87 is ~1e-38, which is 0 for any use
// below (1 + e, e·p).
const EXP_LO: f32 = -87.0;
const EXP_HI: f32 = 88.0;
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

// @ts-ignore: decorator
@inline export function exp1(x: f32): f32 {
  const xc = min(max(x, EXP_LO), EXP_HI);
  const n = nearest<f32>(xc * LOG2E);
  const r = xc - n * LN2_HI - n * LN2_LO;
  const r2 = r * r;
  let y = P0;
  y = y * r + P1;
  y = y * r + P2;
  y = y * r + P3;
  y = y * r + P4;
  y = y * r + P5;
  y = y * r2 + r + 1.0;
  return y * reinterpret<f32>((<i32>n + 127) << 23);
}

// The same constants splatted to f32x4, in memory. V8 re-materialises every v128.const at each
// use inside a loop (several instructions each); loads from a table cost one memory operand,
// which made exp4 2× faster here.
const EXP4 = memory.data<f32>([
  EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_HI, EXP_HI, EXP_HI, EXP_HI,
  LOG2E, LOG2E, LOG2E, LOG2E, LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  P0, P0, P0, P0, P1, P1, P1, P1, P2, P2, P2, P2, P3, P3, P3, P3, P4, P4, P4, P4, P5, P5, P5, P5,
  1.0, 1.0, 1.0, 1.0,
], 16);

// @ts-ignore: decorator
@inline function splatted(i: i32): v128 {
  return v128.load(EXP4 + (<usize>i << 4));
}

/** f32x4 of 1.0 from the constant table. */
// @ts-ignore: decorator
@inline export function one4(): v128 {
  return splatted(11);
}

// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // pmax/pmin with x first keep NaN (a NaN input must reach the sums and be reported).
  const xc = f32x4.pmin(f32x4.pmax(x, splatted(0)), splatted(1));
  const n = f32x4.nearest(f32x4.mul(xc, splatted(2)));
  let r = f32x4.sub(xc, f32x4.mul(n, splatted(3)));
  r = f32x4.sub(r, f32x4.mul(n, splatted(4)));
  const r2 = f32x4.mul(r, r);
  let y = splatted(5);
  y = f32x4.add(f32x4.mul(y, r), splatted(6));
  y = f32x4.add(f32x4.mul(y, r), splatted(7));
  y = f32x4.add(f32x4.mul(y, r), splatted(8));
  y = f32x4.add(f32x4.mul(y, r), splatted(9));
  y = f32x4.add(f32x4.mul(y, r), splatted(10));
  y = f32x4.add(f32x4.add(f32x4.mul(y, r2), r), splatted(11));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

/**
 * σ(x) = 1 / (1 + e^-x), and exactly 0 below EXP_LO: there the clamped e^-x would leave
 * σ ≈ 1.6e-38 instead of e^x, which a focal gradient multiplies by a cross-entropy as large as
 * |x| (up to 3.4e38), and the product must be 0, not a number of order 1.
 */
// @ts-ignore: decorator
@inline export function sigmoid1(x: f32): f32 {
  return x < EXP_LO ? 0 : 1.0 / (1.0 + exp1(-x));
}

// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const one = one4();
  // andnot keeps a NaN (x < EXP_LO is false for it), which must reach the sums.
  return v128.andnot(f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x)))), f32x4.lt(x, splatted(0)));
}

// Cephes logf: log(x) = e·ln2 + log(m), x = m·2^e with m ∈ [√½, √2); degree-8 polynomial in
// m − 1 (relative error ≈ 1e-7). Only called on positive, normal arguments here (1 + e^-|x|,
// sums of exponentials, 1 − p clamped away from 0).
const LOG_P0: f32 = 7.0376836292e-2;
const LOG_P1: f32 = -1.1514610310e-1;
const LOG_P2: f32 = 1.1676998740e-1;
const LOG_P3: f32 = -1.2420140846e-1;
const LOG_P4: f32 = 1.4249322787e-1;
const LOG_P5: f32 = -1.6668057665e-1;
const LOG_P6: f32 = 2.0000714765e-1;
const LOG_P7: f32 = -2.4999993993e-1;
const LOG_P8: f32 = 3.3333331174e-1;
const SQRT_HALF: f32 = 0.707106781186547524;

// @ts-ignore: decorator
@inline export function log1(x: f32): f32 {
  const bits = reinterpret<i32>(x);
  let e = <f32>(((bits >> 23) & 0xff) - 126);
  let m = reinterpret<f32>((bits & 0x807fffff) | 0x3f000000); // [0.5, 1)
  if (m < SQRT_HALF) { e -= 1; m = m + m - 1; } else { m = m - 1; }
  const z = m * m;
  let y = LOG_P0;
  y = y * m + LOG_P1; y = y * m + LOG_P2; y = y * m + LOG_P3; y = y * m + LOG_P4;
  y = y * m + LOG_P5; y = y * m + LOG_P6; y = y * m + LOG_P7; y = y * m + LOG_P8;
  y = y * m * z + e * LN2_LO - 0.5 * z;
  return m + y + e * LN2_HI;
}

const LOG4 = memory.data<f32>([
  LOG_P0, LOG_P0, LOG_P0, LOG_P0, LOG_P1, LOG_P1, LOG_P1, LOG_P1, LOG_P2, LOG_P2, LOG_P2, LOG_P2,
  LOG_P3, LOG_P3, LOG_P3, LOG_P3, LOG_P4, LOG_P4, LOG_P4, LOG_P4, LOG_P5, LOG_P5, LOG_P5, LOG_P5,
  LOG_P6, LOG_P6, LOG_P6, LOG_P6, LOG_P7, LOG_P7, LOG_P7, LOG_P7, LOG_P8, LOG_P8, LOG_P8, LOG_P8,
  SQRT_HALF, SQRT_HALF, SQRT_HALF, SQRT_HALF, 0.5, 0.5, 0.5, 0.5,
  LN2_LO, LN2_LO, LN2_LO, LN2_LO, LN2_HI, LN2_HI, LN2_HI, LN2_HI,
], 16);

// @ts-ignore: decorator
@inline function logConst(i: i32): v128 {
  return v128.load(LOG4 + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline export function log4(x: v128): v128 {
  const exponent = i32x4.sub(v128.and(i32x4.shr_s(x, 23), i32x4.splat(0xff)), i32x4.splat(126));
  let m = v128.or(v128.and(x, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  let e = f32x4.convert_i32x4_s(exponent);
  // m < √½: e − 1 and 2m − 1; else m − 1.
  const low = f32x4.lt(m, logConst(9));
  e = f32x4.sub(e, v128.and(low, one4()));
  m = f32x4.sub(f32x4.add(m, v128.and(low, m)), one4());
  const z = f32x4.mul(m, m);
  let y = logConst(0);
  for (let k = 1; k <= 8; k++) y = f32x4.add(f32x4.mul(y, m), logConst(k));
  y = f32x4.sub(f32x4.add(f32x4.mul(f32x4.mul(y, m), z), f32x4.mul(e, logConst(11))), f32x4.mul(logConst(10), z));
  return f32x4.add(f32x4.add(m, y), f32x4.mul(e, logConst(12)));
}

/**
 * log(1 + u) for u ≥ 0, accurate for small u: log(w)·u/(w − 1) with w = 1 + u rounded, which
 * cancels the rounding of w (Goldberg 1991); u itself when w rounds to 1.
 */
// @ts-ignore: decorator
@inline export function log1p1(u: f32): f32 {
  const w: f32 = 1.0 + u;
  const d = w - 1.0;
  return d == 0 ? u : log1(w) * (u / d);
}

// @ts-ignore: decorator
@inline export function log1p4(u: v128): v128 {
  const w = f32x4.add(one4(), u);
  const d = f32x4.sub(w, one4());
  const r = f32x4.mul(log4(w), f32x4.div(u, d));
  return v128.bitselect(u, r, f32x4.eq(d, f32x4.splat(0)));
}

/** softplus(x) = log(1 + e^x), stable for any x: max(x, 0) + log1p(e^-|x|). */
// @ts-ignore: decorator
@inline export function softplus1(x: f32): f32 {
  return max(x, 0) + log1p1(exp1(-abs(x)));
}

// @ts-ignore: decorator
@inline export function softplus4(x: v128): v128 {
  return f32x4.add(f32x4.pmax(x, f32x4.splat(0)), log1p4(exp4(f32x4.neg(f32x4.abs(x)))));
}
