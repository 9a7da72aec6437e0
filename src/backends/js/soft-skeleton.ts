// The readable float64 reference of assembly/softskel.ts: the soft skeleton of the clDice loss
// (Shit et al. 2021, MONAI's soft_skel) on one volume and its backward pass, with PyTorch's rules
// for ties (a pooling window passes its gradient to its first extreme element in scan order z,
// y, x; torch.min(a, b) splits it in halves when a == b; relu passes it where its output is > 0).

/** A volume's extents (x fastest) and how many axes the erosion and dilation use (2 or 3). */
export interface Volume {
  nx: number;
  ny: number;
  nz: number;
  rank: number;
}

/** The window of voxel i along one axis: its first minimum's index (neighbours inside the image). */
function argmin3(img: Float64Array, i: number, step: number, lo: boolean, hi: boolean): number {
  let best = lo ? i - step : i;
  if (lo && img[i] < img[best]) best = i;
  if (hi && img[i + step] < img[best]) best = i + step;
  return best;
}

const minWeight = (a: number, b: number): number => (a < b ? 1 : a === b ? 0.5 : 0);

/** Soft erosion: at each voxel the minimum over the 3-voxel windows along each axis. */
export function softErode(img: Float64Array, { nx, ny, nz, rank }: Volume): Float64Array {
  const out = new Float64Array(img.length);
  const sy = nx,
    sz = nx * ny;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        let m = img[i];
        if (x > 0) m = Math.min(m, img[i - 1]);
        if (x + 1 < nx) m = Math.min(m, img[i + 1]);
        if (y > 0) m = Math.min(m, img[i - sy]);
        if (y + 1 < ny) m = Math.min(m, img[i + sy]);
        if (rank === 3 && z > 0) m = Math.min(m, img[i - sz]);
        if (rank === 3 && z + 1 < nz) m = Math.min(m, img[i + sz]);
        out[i] = m;
      }
    }
  }
  return out;
}

/** The box (3×3 or 3×3×3) of voxel (x, y, z), clipped to the image, as index ranges. */
function boxOf(x: number, y: number, z: number, { nx, ny, nz, rank }: Volume): number[] {
  const reach = rank === 3 ? 1 : 0;
  return [
    Math.max(x - 1, 0),
    Math.min(x + 1, nx - 1),
    Math.max(y - 1, 0),
    Math.min(y + 1, ny - 1),
    Math.max(z - reach, 0),
    Math.min(z + reach, nz - 1),
  ];
}

/** Soft dilation: at each voxel the maximum over its box. */
export function softDilate(img: Float64Array, volume: Volume): Float64Array {
  const { nx, ny, nz } = volume;
  const out = new Float64Array(img.length);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const [x0, x1, y0, y1, z0, z1] = boxOf(x, y, z, volume);
        let m = Number.NEGATIVE_INFINITY;
        for (let k = z0; k <= z1; k++)
          for (let j = y0; j <= y1; j++) for (let h = x0; h <= x1; h++) m = Math.max(m, img[(k * ny + j) * nx + h]);
        out[i] = m;
      }
    }
  }
  return out;
}

/** gIn += the gradient of softErode(img) for gOut. */
export function softErodeBackward(gIn: Float64Array, gOut: Float64Array, img: Float64Array, volume: Volume): void {
  const { nx, ny, nz, rank } = volume;
  const sy = nx,
    sz = nx * ny;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const g = gOut[i];
        if (g === 0) continue;
        const ax = argmin3(img, i, 1, x > 0, x + 1 < nx);
        const ay = argmin3(img, i, sy, y > 0, y + 1 < ny);
        if (rank === 3) {
          // torch.min(torch.min(pz, py), px)
          const az = argmin3(img, i, sz, z > 0, z + 1 < nz);
          const m = Math.min(img[az], img[ay]);
          const wm = minWeight(m, img[ax]);
          gIn[az] += g * wm * minWeight(img[az], img[ay]);
          gIn[ay] += g * wm * minWeight(img[ay], img[az]);
          gIn[ax] += g * minWeight(img[ax], m);
        } else {
          gIn[ay] += g * minWeight(img[ay], img[ax]);
          gIn[ax] += g * minWeight(img[ax], img[ay]);
        }
      }
    }
  }
}

/** gIn += scale · the gradient of softDilate(img) for gOut. */
export function softDilateBackward(
  gIn: Float64Array,
  gOut: Float64Array,
  img: Float64Array,
  volume: Volume,
  scale: number,
): void {
  const { nx, ny, nz } = volume;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (gOut[i] === 0) continue;
        const [x0, x1, y0, y1, z0, z1] = boxOf(x, y, z, volume);
        let best = (z0 * ny + y0) * nx + x0;
        for (let k = z0; k <= z1; k++) {
          for (let j = y0; j <= y1; j++) {
            for (let h = x0; h <= x1; h++) {
              const at = (k * ny + j) * nx + h;
              if (img[at] > img[best]) best = at;
            }
          }
        }
        gIn[best] += scale * gOut[i];
      }
    }
  }
}

/** The soft skeleton of x, with what its backward pass needs when `keep` is set. */
export interface SoftSkeleton {
  skel: Float64Array;
  /** x, E(x), E(E(x)), …: iterations + 2 levels (with keep). */
  levels: Float64Array[];
  /** The skeleton before each of steps 1 … iterations (with keep). */
  before: Float64Array[];
}

export function softSkeleton(x: Float64Array, volume: Volume, iterations: number, keep: boolean): SoftSkeleton {
  const levels = [x];
  const before: Float64Array[] = [];
  let img = x;
  let next = softErode(img, volume);
  const skel = new Float64Array(x.length);
  for (let k = 0; k <= iterations; k++) {
    if (k > 0) {
      img = next;
      next = softErode(img, volume);
    }
    if (keep) levels.push(next);
    const open = softDilate(next, volume);
    if (keep && k > 0) before.push(skel.slice());
    for (let i = 0; i < skel.length; i++) {
      const delta = Math.max(img[i] - open[i], 0);
      skel[i] = k === 0 ? delta : skel[i] + Math.max(delta - skel[i] * delta, 0);
    }
  }
  return { skel, levels: keep ? levels : [], before };
}

/** ∂L/∂x through the soft skeleton, for g = ∂L/∂skel (a skeleton made with `keep`). */
export function softSkeletonBackward(
  g: Float64Array,
  s: SoftSkeleton,
  volume: Volume,
  iterations: number,
): Float64Array {
  const n = g.length;
  const gs = g.slice();
  // gUp: ∂L/∂levels[k + 1] so far; gUp2: ∂L/∂levels[k + 2], complete.
  let gUp = new Float64Array(n);
  let gUp2: Float64Array | null = null;
  for (let k = iterations; k >= 0; k--) {
    const img = s.levels[k],
      next = s.levels[k + 1];
    if (gUp2 !== null) softErodeBackward(gUp, gUp2, next, volume);
    const open = softDilate(next, volume);
    const gImg = new Float64Array(n);
    const prev = k > 0 ? s.before[k - 1] : null;
    for (let i = 0; i < n; i++) {
      const diff = img[i] - open[i];
      const delta = Math.max(diff, 0);
      let gDelta = gs[i];
      if (prev !== null) {
        const gr = delta - prev[i] * delta > 0 ? gs[i] : 0;
        gDelta = gr * (1 - prev[i]);
        gs[i] -= gr * delta;
      }
      gImg[i] = diff > 0 ? gDelta : 0;
    }
    softDilateBackward(gUp, gImg, next, volume, -1);
    gUp2 = gUp;
    gUp = gImg;
  }
  if (gUp2 !== null) softErodeBackward(gUp, gUp2, s.levels[0], volume);
  return gUp;
}
