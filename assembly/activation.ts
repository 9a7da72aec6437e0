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
//
// SIMD rounding uses the magic number 1.5·2^23: adding it to |v| < 2^22 leaves round(v) (to
// nearest, ties to even, as `nearest`) in the low mantissa bits, so that subtracting it gives n
// and shifting the bits left by 23 gives n's exponent field directly (the magic's own bits shift
// out). That replaces a round and a saturating truncation (five instructions on x86) by three.
// exp4n(x) = exp4(−x) with the sign folded into the constants: no negation (three instructions
// on x86), and the very same result (negation and rounding commute).
const MAGIC: f32 = 12582912.0;
// exp1(87) = exp4(87) = exp4n(−87), bit for bit (0x7e36d809): the largest e = e^−x of an x ≥ EXP_LO, so
// that e > EXP_OF_87 exactly when x < EXP_LO (e^−x grows strictly with −x on [87, 88], one ulp of x
// moving e by ~64 ulps, and is clamped to e^88 beyond). σ from e alone follows sigmoid1's rule.
const EXP_OF_87: f32 = 6.076030347399616e37;
const EXP4 = memory.data<f32>([
  EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_HI, EXP_HI, EXP_HI, EXP_HI,
  LOG2E, LOG2E, LOG2E, LOG2E, LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  P0, P0, P0, P0, P1, P1, P1, P1, P2, P2, P2, P2, P3, P3, P3, P3, P4, P4, P4, P4, P5, P5, P5, P5,
  1.0, 1.0, 1.0, 1.0, MAGIC, MAGIC, MAGIC, MAGIC,
  -EXP_HI, -EXP_HI, -EXP_HI, -EXP_HI, -EXP_LO, -EXP_LO, -EXP_LO, -EXP_LO, -LOG2E, -LOG2E, -LOG2E, -LOG2E,
  -P0, -P0, -P0, -P0, -P2, -P2, -P2, -P2, -P4, -P4, -P4, -P4,
  EXP_OF_87, EXP_OF_87, EXP_OF_87, EXP_OF_87,
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

/** 2^n from t = n + MAGIC (n an integer in f32 exponent range): n's bits shifted into the exponent field. */
// @ts-ignore: decorator
@inline function scaleOf(t: v128): v128 {
  return i32x4.add(i32x4.shl(t, 23), i32x4.splat(0x3f800000));
}

// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // pmax/pmin with x first keep NaN (a NaN input must reach the sums and be reported).
  return expClamped4(f32x4.pmin(f32x4.pmax(x, splatted(0)), splatted(1)));
}

/**
 * exp4 of an argument known to be ≤ 0 or NaN (x − max x in a softmax): only the lower clamp,
 * the same result.
 */
// @ts-ignore: decorator
@inline export function expNonPositive4(x: v128): v128 {
  return expClamped4(f32x4.pmax(x, splatted(0)));
}

/** The body of exp4 on xc already clamped to [EXP_LO, EXP_HI]. */
// @ts-ignore: decorator
@inline function expClamped4(xc: v128): v128 {
  const t = f32x4.add(f32x4.mul(xc, splatted(2)), splatted(12));
  const n = f32x4.sub(t, splatted(12));
  let r = f32x4.sub(xc, f32x4.mul(n, splatted(3)));
  r = f32x4.sub(r, f32x4.mul(n, splatted(4)));
  const r2 = f32x4.mul(r, r);
  let y = splatted(5);
  y = f32x4.add(f32x4.mul(y, r), splatted(6));
  y = f32x4.add(f32x4.mul(y, r), splatted(7));
  y = f32x4.add(f32x4.mul(y, r), splatted(8));
  y = f32x4.add(f32x4.mul(y, r), splatted(9));
  y = f32x4.add(f32x4.mul(y, r), splatted(10));
  y = f32x4.add(f32x4.add(f32x4.mul(y, r2), r), one4());
  return f32x4.mul(y, scaleOf(t));
}

/**
 * exp4(−x), bit for bit, without negating x: the clamp, the rounding and the odd coefficients of
 * the polynomial take the sign instead (r' = −r below).
 */
// @ts-ignore: decorator
@inline export function exp4n(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, splatted(13)), splatted(14));
  const t = f32x4.add(f32x4.mul(xc, splatted(15)), splatted(12));
  const n = f32x4.sub(t, splatted(12));
  let r = f32x4.add(xc, f32x4.mul(n, splatted(3)));
  r = f32x4.add(r, f32x4.mul(n, splatted(4)));
  const r2 = f32x4.mul(r, r);
  let y = splatted(16);
  y = f32x4.add(f32x4.mul(y, r), splatted(6));
  y = f32x4.add(f32x4.mul(y, r), splatted(17));
  y = f32x4.add(f32x4.mul(y, r), splatted(8));
  y = f32x4.add(f32x4.mul(y, r), splatted(18));
  y = f32x4.add(f32x4.mul(y, r), splatted(10));
  y = f32x4.add(f32x4.sub(f32x4.mul(y, r2), r), one4());
  return f32x4.mul(y, scaleOf(t));
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
  return v128.andnot(f32x4.div(one, f32x4.add(one, exp4n(x))), f32x4.lt(x, splatted(0)));
}

/**
 * σ(x) from e = e^−x as exp1/exp4n computed it (kernel 1 keeps e for kernel 2, map.ts): 1 / (1 + e),
 * and exactly 0 where x < EXP_LO, as sigmoid1 (there e > EXP_OF_87). A NaN e stays NaN.
 */
// @ts-ignore: decorator
@inline export function sigmoidOfExp1(e: f32): f32 {
  return e > EXP_OF_87 ? 0 : 1.0 / (1.0 + e);
}

/** sigmoidOfExp1 on four lanes: sigmoid4 of x from e = exp4n(x). */
// @ts-ignore: decorator
@inline export function sigmoidOfExp4(e: v128): v128 {
  const one = one4();
  return v128.andnot(f32x4.div(one, f32x4.add(one, e)), f32x4.gt(e, splatted(19)));
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
  return f32x4.add(f32x4.pmax(x, f32x4.splat(0)), log1p4(exp4n(f32x4.abs(x))));
}
