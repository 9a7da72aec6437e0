// The soft skeleton of the clDice loss (Shit et al. 2021; MONAI's soft_skel), in f32 as PyTorch
// computes it, and its backward pass (src/backends/js/soft-skeleton.ts is the float64 reference).
// Volumes are nx × ny × nz f32, x fastest; `rank` 2 works on planes (nz = 1), 3 on volumes.
//
// - Soft erosion E: at each voxel, the minimum over the 3-voxel windows along each axis (the
//   voxel and its two neighbours, those inside the image), combined as torch.min(torch.min(pz,
//   py), px) in 3D and torch.min(py, px) in 2D (MONAI's max_pool of −img, whose padding never wins).
// - Soft dilation D: the maximum over the 3×3(×3) box, clipped to the image (max_pool, padding −∞).
// - skel = relu(x − D(E(x))); then iter times: x = E(x), delta = relu(x − D(E(x))),
//   skel = skel + relu(delta − skel·delta).
//
// Gradients follow PyTorch's CPU rules exactly, ties included: a pooling window passes its
// gradient to its first extreme element in scan order (z, then y, then x), torch.min(a, b) splits
// it in halves when a == b, and relu passes it where its output is > 0.

/** out[v] = the cross minimum of img (see above). out and img must not overlap. */
export function softErode(out: usize, img: usize, nx: i32, ny: i32, nz: i32, rank: i32): void {
  const sy = <usize>nx << 2, sz = <usize>nx * <usize>ny << 2;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = img + <usize>z * sz + <usize>y * sy, dst = out + (row - img);
      const up = y > 0 ? row - sy : 0, down = y + 1 < ny ? row + sy : 0;
      const front = rank == 3 && z > 0 ? row - sz : 0, back = rank == 3 && z + 1 < nz ? row + sz : 0;
      let x = 0;
      if (ASC_FEATURE_SIMD) {
        if (nx >= 6) {
          x = 1;
          for (; x + 4 <= nx - 1; x += 4) {
            const at = <usize>x << 2;
            let m = f32x4.min(v128.load(row + at), f32x4.min(v128.load(row + at - 4), v128.load(row + at + 4)));
            if (up != 0) m = f32x4.min(m, v128.load(up + at));
            if (down != 0) m = f32x4.min(m, v128.load(down + at));
            if (front != 0) m = f32x4.min(m, v128.load(front + at));
            if (back != 0) m = f32x4.min(m, v128.load(back + at));
            v128.store(dst + at, m);
          }
          erodeAt(dst, row, up, down, front, back, 0, nx);
        }
      }
      for (; x < nx; x++) erodeAt(dst, row, up, down, front, back, x, nx);
    }
  }
}

// @ts-ignore: decorator
@inline function erodeAt(dst: usize, row: usize, up: usize, down: usize, front: usize, back: usize, x: i32, nx: i32): void {
  const at = <usize>x << 2;
  let m = load<f32>(row + at);
  if (x > 0) m = min(m, load<f32>(row + at - 4));
  if (x + 1 < nx) m = min(m, load<f32>(row + at + 4));
  if (up != 0) m = min(m, load<f32>(up + at));
  if (down != 0) m = min(m, load<f32>(down + at));
  if (front != 0) m = min(m, load<f32>(front + at));
  if (back != 0) m = min(m, load<f32>(back + at));
  store<f32>(dst + at, m);
}

/** out[i] = max(a[i − 1], a[i], a[i + 1]) over one row of n values (those inside it). */
function maxRow3(out: usize, a: usize, n: i32): void {
  if (n == 1) {
    store<f32>(out, load<f32>(a));
    return;
  }
  store<f32>(out, max(load<f32>(a), load<f32>(a + 4)));
  let x = 1;
  if (ASC_FEATURE_SIMD) {
    for (; x + 4 <= n - 1; x += 4) {
      const at = <usize>x << 2;
      v128.store(out + at, f32x4.max(v128.load(a + at), f32x4.max(v128.load(a + at - 4), v128.load(a + at + 4))));
    }
  }
  for (; x < n - 1; x++) {
    const at = <usize>x << 2;
    store<f32>(out + at, max(load<f32>(a + at), max(load<f32>(a + at - 4), load<f32>(a + at + 4))));
  }
  const last = <usize>(n - 1) << 2;
  store<f32>(out + last, max(load<f32>(a + last), load<f32>(a + last - 4)));
}

/** out[i] = max(prev[i], a[i], next[i]) over n values; prev or next 0 when absent. */
function maxRows(out: usize, prev: usize, a: usize, next: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      let m = v128.load(a + at);
      if (prev != 0) m = f32x4.max(m, v128.load(prev + at));
      if (next != 0) m = f32x4.max(m, v128.load(next + at));
      v128.store(out + at, m);
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    let m = load<f32>(a + at);
    if (prev != 0) m = max(m, load<f32>(prev + at));
    if (next != 0) m = max(m, load<f32>(next + at));
    store<f32>(out + at, m);
  }
}

/**
 * out = the box maximum of img (3×3 in 2D, 3×3×3 in 3D, clipped to the image), separably;
 * `work` holds one volume. out, img and work must not overlap.
 */
export function softDilate(out: usize, img: usize, nx: i32, ny: i32, nz: i32, rank: i32, work: usize): void {
  const sy = <usize>nx << 2, sz = <usize>nx * <usize>ny << 2;
  const rows = rank == 3 ? out : work;
  for (let r = 0; r < ny * nz; r++) maxRow3(rows + <usize>r * sy, img + <usize>r * sy, nx);
  const cols = rank == 3 ? work : out;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const at = <usize>z * sz + <usize>y * sy;
      maxRows(cols + at, y > 0 ? rows + at - sy : 0, rows + at, y + 1 < ny ? rows + at + sy : 0, nx);
    }
  }
  if (rank == 3) {
    for (let z = 0; z < nz; z++) {
      const at = <usize>z * sz;
      maxRows(out + at, z > 0 ? cols + at - sz : 0, cols + at, z + 1 < nz ? cols + at + sz : 0, nx * ny);
    }
  }
}

/** The first minimum of img along a 3-window through `at` (step `s` bytes, `lo`/`hi`: neighbours exist): its address. */
// @ts-ignore: decorator
@inline function argmin3(at: usize, s: usize, lo: bool, hi: bool): usize {
  let best = lo ? at - s : at;
  let value = load<f32>(best);
  if (lo && load<f32>(at) < value) {
    best = at;
    value = load<f32>(at);
  }
  if (hi && load<f32>(at + s) < value) best = at + s;
  return best;
}

/** Weight of a in torch.min(a, b)'s gradient: 1, ½ at a tie, 0. */
// @ts-ignore: decorator
@inline function minWeight(a: f32, b: f32): f32 {
  return a < b ? 1 : a == b ? 0.5 : 0;
}

/**
 * gIn += the gradient of softErode(img) for the output gradient gOut: each voxel's gradient goes
 * to the first minimum of the window of each axis, weighted by torch.min's split.
 */
export function softErodeBackward(gIn: usize, gOut: usize, img: usize, nx: i32, ny: i32, nz: i32, rank: i32): void {
  const sy = <usize>nx << 2, sz = <usize>nx * <usize>ny << 2;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const offset = <usize>z * sz + <usize>y * sy + (<usize>x << 2);
        const g = load<f32>(gOut + offset);
        if (g == 0) continue;
        const at = img + offset;
        const ax = argmin3(at, 4, x > 0, x + 1 < nx), ay = argmin3(at, sy, y > 0, y + 1 < ny);
        const px = load<f32>(ax), py = load<f32>(ay);
        if (rank == 3) {
          const az = argmin3(at, sz, z > 0, z + 1 < nz);
          const pz = load<f32>(az);
          const m = min(pz, py);
          const wm = minWeight(m, px);
          addAt(gIn, az - img, g * wm * minWeight(pz, py));
          addAt(gIn, ay - img, g * wm * minWeight(py, pz));
          addAt(gIn, ax - img, g * minWeight(px, m));
        } else {
          addAt(gIn, ay - img, g * minWeight(py, px));
          addAt(gIn, ax - img, g * minWeight(px, py));
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function addAt(base: usize, offset: usize, v: f32): void {
  if (v != 0) store<f32>(base + offset, load<f32>(base + offset) + v);
}

/**
 * gIn += scale · the gradient of softDilate(img) for gOut: each voxel's gradient goes to the
 * first maximum of its box in scan order (z, y, x).
 */
export function softDilateBackward(gIn: usize, gOut: usize, img: usize, nx: i32, ny: i32, nz: i32, rank: i32, scale: f32): void {
  const sy = <usize>nx << 2, sz = <usize>nx * <usize>ny << 2;
  const reachZ = rank == 3 ? 1 : 0;
  for (let z = 0; z < nz; z++) {
    const z0 = max(z - reachZ, 0), z1 = min(z + reachZ, nz - 1);
    for (let y = 0; y < ny; y++) {
      const y0 = max(y - 1, 0), y1 = min(y + 1, ny - 1);
      for (let x = 0; x < nx; x++) {
        const offset = <usize>z * sz + <usize>y * sy + (<usize>x << 2);
        const g = load<f32>(gOut + offset);
        if (g == 0) continue;
        const x0 = max(x - 1, 0), x1 = min(x + 1, nx - 1);
        let best: usize = <usize>z0 * sz + <usize>y0 * sy + (<usize>x0 << 2);
        let value = load<f32>(img + best);
        for (let k = z0; k <= z1; k++) {
          for (let j = y0; j <= y1; j++) {
            const row = <usize>k * sz + <usize>j * sy;
            for (let i = x0; i <= x1; i++) {
              const o = row + (<usize>i << 2);
              const v = load<f32>(img + o);
              if (v > value) {
                value = v;
                best = o;
              }
            }
          }
        }
        addAt(gIn, best, scale * g);
      }
    }
  }
}

/**
 * One step of the soft skeleton over n voxels, with open = D(E(img)): delta = relu(img − open);
 * first: skel = delta, else skel = skel + relu(delta − skel·delta).
 */
export function softSkeletonStep(skel: usize, img: usize, open: usize, n: i32, first: bool): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const delta = max<f32>(load<f32>(img + at) - load<f32>(open + at), 0);
    if (first) {
      store<f32>(skel + at, delta);
    } else {
      const s = load<f32>(skel + at);
      store<f32>(skel + at, s + max<f32>(delta - s * delta, 0));
    }
  }
}

/**
 * The backward pass of one step (softSkeletonStep): gs holds ∂L/∂skel after the step and becomes
 * ∂L/∂skel before it (first: left alone); WRITES gImg = ∂L/∂img through delta (the path through
 * open is −gImg, for softDilateBackward). `prev` is skel before the step (ignored when first).
 */
export function softSkeletonStepBackward(gs: usize, gImg: usize, prev: usize, img: usize, open: usize, n: i32, first: bool): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const diff = load<f32>(img + at) - load<f32>(open + at);
    const delta = max<f32>(diff, 0);
    const g = load<f32>(gs + at);
    let gDelta: f32;
    if (first) {
      gDelta = g;
    } else {
      const s = load<f32>(prev + at);
      const gr: f32 = delta - s * delta > 0 ? g : 0;
      gDelta = gr * (1 - s);
      store<f32>(gs + at, g - gr * delta);
    }
    store<f32>(gImg + at, diff > 0 ? gDelta : 0);
  }
}

/** WRITES rec[0] = Σ a[i]·b[i] and rec[1] = Σ a[i] over n f32 values, summed in f64. */
export function dotSums(rec: usize, a: usize, b: usize, n: i32): void {
  let dot: f64 = 0, sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const v = <f64>load<f32>(a + at);
    dot += v * <f64>load<f32>(b + at);
    sum += v;
  }
  store<f64>(rec, dot);
  store<f64>(rec, sum, 8);
}

/** WRITES out[i] = a·y[i] + b over n values (∂L/∂skel(p) from the clDice coefficients). */
export function affineMap(out: usize, y: usize, n: i32, a: f64, b: f64): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, <f32>(a * <f64>load<f32>(y + at) + b));
  }
}

/** WRITES dp[i] = g[i] + c·s[i] + d·y[i] + e over n values (∂L/∂p of one clDice term). */
export function addDirectTerms(dp: usize, g: usize, s: usize, y: usize, n: i32, c: f64, d: f64, e: f64): void {
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const v = <f64>load<f32>(g + at) + c * <f64>load<f32>(s + at) + d * <f64>load<f32>(y + at) + e;
    store<f32>(dp + at, <f32>v);
  }
}
