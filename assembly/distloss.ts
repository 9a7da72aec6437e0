// The distance-weighted losses on one class volume (Hausdorff-DT: Karimi & Salcudean 2019, MONAI's
// HausdorffDTLoss; boundary loss: Kervadec et al. 2019), around the distance fields of edt.ts:
// the masks p > ½ and y > ½ as grid bits, the weight of each voxel from the fields, the loss sum
// and the gradient (the weights are constants, as in MONAI and the papers).

import { GRID_INSIDE, GRID_OUTSIDE } from "./constants";

/** WRITES grid[s] = GRID_INSIDE where v[s] > 0.5, else GRID_OUTSIDE, for s < n; returns how many are inside. */
export function maskBits(grid: usize, v: usize, n: i32): i32 {
  let inside = 0;
  for (let s = 0; s < n; s++) {
    const yes = load<f32>(v + (<usize>s << 2)) > 0.5;
    store<u8>(grid + <usize>s, yes ? <u8>GRID_INSIDE : <u8>GRID_OUTSIDE);
    if (yes) inside++;
  }
  return inside;
}

/**
 * w[s] (+)= (√toOutside[s] + √toInside[s])^α over n voxels, from the squared distances of a mask's
 * voxels to its outside and of its outside to it (one of the two is 0 at each voxel): MONAI's
 * distance_field raised to α. `add`: add to w instead of writing it.
 */
export function distancePower(w: usize, toOutside: usize, toInside: usize, n: i32, alpha: f64, add: bool): void {
  for (let s = 0; s < n; s++) {
    const at = <usize>s << 2;
    const a = <f64>load<f32>(toOutside + at), b = <f64>load<f32>(toInside + at);
    const d = Math.sqrt(a) + Math.sqrt(b);
    const v = alpha == 2 ? a + b + 2 * Math.sqrt(a * b) : Math.pow(d, alpha);
    store<f32>(w + at, <f32>(add ? <f64>load<f32>(w + at) + v : v));
  }
}

/**
 * WRITES phi[s] = √toInside[s] outside the mask, −(√toOutside[s] − 1) inside it (grid bits):
 * Kervadec's signed distance map (one_hot2dist).
 */
export function signedDistance(phi: usize, toOutside: usize, toInside: usize, grid: usize, n: i32): void {
  for (let s = 0; s < n; s++) {
    const at = <usize>s << 2;
    const inside = (<i32>load<u8>(grid + <usize>s) & GRID_INSIDE) != 0;
    const d = inside ? 1 - Math.sqrt(<f64>load<f32>(toOutside + at)) : Math.sqrt(<f64>load<f32>(toInside + at));
    store<f32>(phi + at, <f32>d);
  }
}

/** Σ (p[s] − y[s])²·w[s] over n voxels, in f64. */
export function weightedSquaredError(p: usize, y: usize, w: usize, n: i32): f64 {
  let sum: f64 = 0;
  for (let s = 0; s < n; s++) {
    const at = <usize>s << 2;
    const e = <f64>load<f32>(p + at) - <f64>load<f32>(y + at);
    sum += e * e * <f64>load<f32>(w + at);
  }
  return sum;
}

/**
 * WRITES dp[s] = k·2·(p[s] − y[s])·w[s] (`squared`: ∂ of the Hausdorff-DT sum) or k·w[s] (∂ of the
 * boundary loss's Σ p·φ), for s < n.
 */
export function distanceGrad(dp: usize, p: usize, y: usize, w: usize, n: i32, k: f64, squared: bool): void {
  for (let s = 0; s < n; s++) {
    const at = <usize>s << 2;
    const g = squared ? 2 * k * (<f64>load<f32>(p + at) - <f64>load<f32>(y + at)) * <f64>load<f32>(w + at) : k * <f64>load<f32>(w + at);
    store<f32>(dp + at, <f32>g);
  }
}
