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

/** σ(x) = 1 / (1 + e^-x). */
// @ts-ignore: decorator
@inline export function sigmoid1(x: f32): f32 {
  return 1.0 / (1.0 + exp1(-x));
}

// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const one = one4();
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}
