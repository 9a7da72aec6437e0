// Central finite differences of a scalar function of a Float32Array, and the error measures
// used to compare a gradient with them. Independent of the library.

/**
 * ∂f/∂x_i by a central difference: x_i is moved to fround(x_i ± h) with h = relStep·max(1, |x_i|),
 * and the difference of f is divided by the actual distance between the two rounded points (so
 * the float32 rounding of the perturbation does not bias the quotient). `x` is restored.
 */
export function centralDifference(f: (x: Float32Array) => number, x: Float32Array, i: number, relStep = 1e-3): number {
  const x0 = x[i];
  const h = relStep * Math.max(1, Math.abs(x0));
  const up = Math.fround(x0 + h);
  const down = Math.fround(x0 - h);
  try {
    x[i] = up;
    const fUp = f(x);
    x[i] = down;
    const fDown = f(x);
    return (fUp - fDown) / (up - down);
  } finally {
    x[i] = x0;
  }
}

/** Every component of the central-difference gradient of f at x (x is left unchanged). */
export function finiteDifferenceGradient(
  f: (x: Float32Array) => number,
  x: Float32Array,
  relStep = 1e-3,
): Float64Array {
  const work = Float32Array.from(x);
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) grad[i] = centralDifference(f, work, i, relStep);
  return grad;
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/**
 * max_i |got_i − want_i| / max_i |want_i|: a relative error of the whole vector that stays
 * meaningful when some components are (near) zero. Infinity if the lengths differ or want is 0
 * while got is not; NaN never compares as small.
 */
export function maxAbsRelativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let diff = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (Number.isNaN(d)) return Infinity;
    diff = Math.max(diff, d);
  }
  if (diff === 0) return 0;
  const scale = maxAbs(want);
  return scale === 0 ? Infinity : diff / scale;
}

/** The floor of elementwiseRelativeError: components below 1% of the largest are judged against that 1%. */
export const ELEMENT_FLOOR = 1e-2;

/**
 * The worst element's relative error, max_i |got_i − want_i| / (|want_i| + floor·max_j |want_j|),
 * and its index: each component judged against its own size, with an absolute floor (a share of
 * the largest component) for those near 0, whose central difference is mostly truncation and
 * rounding. Unlike maxAbsRelativeError, a small component that is wrong by much of itself shows.
 * Infinity if the lengths differ or an element is NaN; 0 when everything is exactly 0.
 */
export function elementwiseRelativeError(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  floor = ELEMENT_FLOOR,
): { error: number; index: number } {
  if (got.length !== want.length) return { error: Infinity, index: -1 };
  const absolute = floor * maxAbs(want);
  let error = 0;
  let index = -1;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (d === 0) continue;
    const e = d / (Math.abs(want[i]) + absolute);
    if (!(e <= error)) {
      error = Number.isNaN(e) ? Infinity : e;
      index = i;
    }
  }
  return { error, index };
}

/** A line naming the worst element of elementwiseRelativeError, for assertion messages. */
export function describeWorstElement(got: ArrayLike<number>, want: ArrayLike<number>, floor = ELEMENT_FLOOR): string {
  const { error, index } = elementwiseRelativeError(got, want, floor);
  return index < 0
    ? `elementwise error ${error}`
    : `element ${index}: ${got[index]} vs ${want[index]} (elementwise error ${error}, max |want| ${maxAbs(want)})`;
}

/** |got − want| / |want| (Infinity when want is 0 and got is not). */
export function relativeError(got: number, want: number): number {
  if (got === want) return 0;
  const e = Math.abs(got - want) / Math.abs(want);
  return Number.isNaN(e) ? Infinity : e;
}
