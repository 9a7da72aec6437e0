// Distances from the voxels of one surface to the nearest voxel of another, by an exact
// Euclidean distance transform (EDT) of the second surface: separable, linear time
// (Felzenszwalb & Huttenlocher 2012, "Distance transforms of sampled functions"), with
// anisotropic voxels: the squared distance from x to y is Σ_axis w_axis·(x_axis − y_axis)²,
// w = spacing², so distances come out in spacing units.
//
// The transform works inside a box of the class mask (boundary.ts; it holds both surfaces, so
// the nearest feature voxel of any voxel of the box is in the box): first plane by plane (the
// squared distance along x of each row, filled segment by segment between its feature voxels,
// then the lower envelope of parabolas down each column along y, while the plane is in cache)
// into a float32 work volume, then down each column along z, only at the query voxels, where
// the distances are summed without being written back. SIMD finds feature and query bytes 16 at
// a time, fills the row segments and takes the direct minimum of columns with few queries; the
// envelopes stay scalar (their stack walk is data-dependent).
import { BOX_X0, BOX_X1, BOX_Y0, BOX_Y1, BOX_Z0, BOX_Z1, DIST_MAX, DIST_SUM, DIST_WITHIN } from "./constants";

// @ts-ignore: decorator
@inline function boxAt(box: usize, slot: i32): i32 {
  return load<i32>(box + (<usize>slot << 2));
}

/**
 * Columns along z with at most this many query voxels take the direct minimum (minimumAt)
 * instead of the envelope: measured on the 256³ spheres of the benchmark, that pass takes about
 * half the time it takes with envelopes only.
 */
const FEW_QUERIES: i32 = 8;

/** Bytes of one line's scratch for lines of up to n voxels: f (f64), z (f64, n + 1), v (i32). */
// @ts-ignore: decorator
@inline function lineBytes(n: i32): usize {
  return ((<usize>n * 20 + 8 + 15) >> 4) << 4;
}

/** Columns along z of a slab, one after the other: cz values rounded up to whole vectors. */
// @ts-ignore: decorator
@inline function slabColumn(cz: i32): i32 {
  return (cz + 3) & ~3;
}

/** Bytes of one slab (a plane x × z at one y): its values (f32) and query bytes, column by column. */
// @ts-ignore: decorator
@inline function slabBytes(cx: i32, cz: i32): usize {
  return <usize>cx * <usize>slabColumn(cz) * 5;
}

/** Bytes of `work` that distancesToSurface needs for a box of cx × cy × cz voxels. */
export function distanceWorkBytes(cx: i32, cy: i32, cz: i32): usize {
  return ((<usize>cx * <usize>cy * <usize>cz * 4 + 15) >> 4 << 4) + lineBytes(max(cy, cz)) + slabBytes(cx, cz);
}

/**
 * The lower envelope of the parabolas y ↦ w·(y − q)² + f[q] over the q < n with a finite f[q]
 * (Felzenszwalb & Huttenlocher): WRITES their apexes v[0..k) in order and the abscissas
 * z[0..k] where each starts to be the lowest (z[0] = −∞, z[k] = +∞); returns k (0 when every
 * f[q] is infinite).
 */
function lowerEnvelope(f: usize, n: i32, w: f64, v: usize, z: usize): i32 {
  let k = -1;
  // The top parabola: its apex p, its value f[p] there, and where it starts to be the lowest.
  let p = 0, fp: f64 = 0, start: f64 = -Infinity;
  for (let q = 0; q < n; q++) {
    const fq = load<f64>(f + (<usize>q << 3));
    if (fq == Infinity) continue;
    if (k >= 0) {
      // Pop the top while the parabola of q meets it left of its start: with the meeting point
      // s = ((fq − fp)/(w·(q − p)) + q + p) / 2, s ≤ start ⟺ fq − fp ≤ (2·start − q − p)·w·(q − p),
      // so the pops need no division (the bottom, starting at −∞, is never popped).
      while (k > 0 && fq - fp <= (2 * start - <f64>(q + p)) * w * <f64>(q - p)) {
        k--;
        p = load<i32>(v + (<usize>k << 2));
        fp = load<f64>(f + (<usize>p << 3));
        start = load<f64>(z + (<usize>k << 3));
      }
      start = ((fq - fp) / (w * <f64>(q - p)) + <f64>(q + p)) * 0.5;
    }
    k++;
    p = q;
    fp = fq;
    store<i32>(v + (<usize>k << 2), q);
    store<f64>(z + (<usize>k << 3), start);
  }
  store<f64>(z + (<usize>(k + 1) << 3), Infinity);
  return k + 1;
}

/** The envelope's value at y, where parabola k is the lowest. */
// @ts-ignore: decorator
@inline function envelopeAt(f: usize, w: f64, v: usize, k: i32, y: i32): f64 {
  const p = load<i32>(v + (<usize>k << 2));
  const d = <f64>(y - p);
  return w * d * d + load<f64>(f + (<usize>p << 3));
}

/**
 * min over q < n of w·(y − q)² + g[q] (g: n float32, +∞ allowed), directly: O(n), no envelope.
 */
function minimumAt(g: usize, n: i32, w: f32, y: i32): f32 {
  let best: f32 = Infinity;
  let q = 0;
  if (ASC_FEATURE_SIMD) {
    const weight = f32x4.splat(w), four = f32x4.splat(4);
    let offsets = f32x4.sub(f32x4(0, 1, 2, 3), f32x4.splat(<f32>y));
    let lowest = f32x4.splat(Infinity);
    for (; q + 4 <= n; q += 4) {
      const value = f32x4.add(f32x4.mul(weight, f32x4.mul(offsets, offsets)), v128.load(g + (<usize>q << 2)));
      lowest = f32x4.min(lowest, value);
      offsets = f32x4.add(offsets, four);
    }
    best = min(min(f32x4.extract_lane(lowest, 0), f32x4.extract_lane(lowest, 1)), min(f32x4.extract_lane(lowest, 2), f32x4.extract_lane(lowest, 3)));
  }
  for (; q < n; q++) {
    const d = <f32>(y - q);
    best = min(best, w * d * d + load<f32>(g + (<usize>q << 2)));
  }
  return best;
}

/** Advances k to the parabola that is the lowest at y (y never decreases between calls). */
// @ts-ignore: decorator
@inline function lowestAt(z: usize, k: i32, y: i32): i32 {
  while (load<f64>(z + (<usize>(k + 1) << 3)) < <f64>y) k++;
  return k;
}

/**
 * Squared distances along x of one row of the box: out[x] = w·(x − x')² for the nearest x' of
 * the row whose mask byte has `feature`, or +∞ when the row has none. The feature voxels (found
 * 16 bytes at a time) split the row into segments, each filled from the features at its ends.
 */
function rowPass(out: usize, row: usize, cx: i32, feature: u32, w: f64): void {
  let left = -1, x = 0;
  if (ASC_FEATURE_SIMD) {
    const bit = i8x16.splat(<i8>feature), zero = i8x16.splat(0);
    for (; x + 16 <= cx; x += 16) {
      let found = i8x16.bitmask(i8x16.ne(v128.and(v128.load(row + <usize>x), bit), zero));
      while (found != 0) {
        const at = x + ctz(found);
        fillSegment(out, left + 1, at + 1, left, at, w);
        left = at;
        found &= found - 1;
      }
    }
  }
  for (; x < cx; x++) {
    if ((<u32>load<u8>(row + <usize>x) & feature) == 0) continue;
    fillSegment(out, left + 1, x + 1, left, x, w);
    left = x;
  }
  fillSegment(out, left + 1, cx, left, -1, w);
}

/**
 * out[x] = f32(w·d²) for from ≤ x < to, d = min(x − left, right − x), where a feature position
 * of −1 (none on that side) is infinitely far. In f64 (then rounded once), as the envelopes are.
 */
function fillSegment(out: usize, from: i32, to: i32, left: i32, right: i32, w: f64): void {
  const l: f64 = left < 0 ? -Infinity : <f64>left, r: f64 = right < 0 ? Infinity : <f64>right;
  let x = from;
  if (ASC_FEATURE_SIMD) {
    const weight = f64x2.splat(w), ls = f64x2.splat(l), rs = f64x2.splat(r), two = f64x2.splat(2);
    let xs = f64x2.add(f64x2.splat(<f64>from), f64x2(0, 1));
    for (; x + 4 <= to; x += 4) {
      const d0 = f64x2.min(f64x2.sub(xs, ls), f64x2.sub(rs, xs));
      xs = f64x2.add(xs, two);
      const d1 = f64x2.min(f64x2.sub(xs, ls), f64x2.sub(rs, xs));
      xs = f64x2.add(xs, two);
      const lo = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.mul(weight, d0), d0));
      const hi = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.mul(weight, d1), d1));
      v128.store(out + (<usize>x << 2), i64x2.shuffle(lo, hi, 0, 2));
    }
  }
  for (; x < to; x++) {
    const d = min(<f64>x - l, r - <f64>x);
    store<f32>(out + (<usize>x << 2), <f32>(w * d * d));
  }
}

/** The envelope pass down one column of n values `stride` bytes apart, in place. */
function columnPass(col: usize, stride: usize, n: i32, w: f64, line: usize): void {
  const f = line, z = line + (<usize>n << 3), v = z + (<usize>(n + 1) << 3);
  for (let y = 0; y < n; y++) store<f64>(f + (<usize>y << 3), <f64>load<f32>(col + <usize>y * stride));
  const parabolas = lowerEnvelope(f, n, w, v, z);
  if (parabolas == 0) return; // every value is +∞ already
  let k = 0;
  for (let y = 0; y < n; y++) {
    k = lowestAt(z, k, y);
    store<f32>(col + <usize>y * stride, <f32>envelopeAt(f, w, v, k, y));
  }
}

/** How many of the n bytes at `marks` are non-zero. */
function countMarked(marks: usize, n: i32): i32 {
  let count = 0, i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = i8x16.splat(0);
    for (; i + 16 <= n; i += 16) count += popcnt<i32>(~i8x16.bitmask(i8x16.eq(v128.load(marks + <usize>i), zero)) & 0xffff);
  }
  for (; i < n; i++) count += load<u8>(marks + <usize>i) != 0 ? 1 : 0;
  return count;
}

/**
 * For the voxels of the box whose mask byte has `query`: their distances d (spacing units) to
 * the nearest voxel whose byte has `feature` (+∞ when there is none). WRITES DIST_SUM (Σ d),
 * DIST_MAX (the largest d; 0 without query voxels) and DIST_WITHIN (how many d ≤ tolerance)
 * of the distance record at `rec`, and, when `list` is set, one 8-byte pair per query voxel at
 * `pairs` (sort.ts's layout: the voxel's index in the box, x fastest, as the u32 payload, f32(d)
 * as the key), as many pairs as query voxels. The mask is nx × ny × nz bytes, x fastest; `box`
 * holds BOX_* i32 slots; w0, w1, w2 are the squared spacings along x, y, z. Uses
 * distanceWorkBytes(box size) bytes of `work`.
 */
export function distancesToSurface(
  rec: usize, pairs: usize, list: bool, mask: usize, feature: i32, query: i32, box: usize, nx: i32, ny: i32, nz: i32,
  w0: f64, w1: f64, w2: f64, tolerance: f64, work: usize,
): void {
  const x0 = boxAt(box, BOX_X0), y0 = boxAt(box, BOX_Y0), z0 = boxAt(box, BOX_Z0);
  const cx = boxAt(box, BOX_X1) - x0, cy = boxAt(box, BOX_Y1) - y0, cz = boxAt(box, BOX_Z1) - z0;
  const rowStride = <usize>nx, planeStride = <usize>nx * <usize>ny;
  const corner = mask + <usize>z0 * planeStride + <usize>y0 * rowStride + <usize>x0;
  const dist = work, line = work + ((<usize>cx * <usize>cy * <usize>cz * 4 + 15) >> 4 << 4);
  const planeBytes = <usize>cx * <usize>cy << 2;
  const featureBits = <u32>feature, queryBits = <u32>query;

  // Planes: x by rows, then y down the columns.
  for (let z = 0; z < cz; z++) {
    const plane = dist + <usize>z * planeBytes;
    for (let y = 0; y < cy; y++) {
      rowPass(plane + (<usize>y * <usize>cx << 2), corner + <usize>z * planeStride + <usize>y * rowStride, cx, featureBits, w0);
    }
    if (cy > 1) {
      for (let x = 0; x < cx; x++) columnPass(plane + (<usize>x << 2), <usize>cx << 2, cy, w1, line);
    }
  }

  // Columns along z, evaluated at the query voxels only, slab by slab (the plane x × z at one y,
  // copied column by column so that each column is contiguous: read down the work volume, a
  // column's values are a plane apart, and its mask bytes an image plane). A column with few
  // query voxels (a surface crossing it) takes the minimum over all its parabolas at each: fewer
  // operations than building the envelope, and they vectorise.
  const f = line, zs = f + (<usize>cz << 3), v = zs + (<usize>(cz + 1) << 3);
  const column = slabColumn(cz);
  const slab = line + lineBytes(max(cy, cz)), slabQueries = slab + (<usize>cx * <usize>column << 2);
  let sum: f64 = 0, largest: f64 = 0, within: f64 = 0;
  let listed: usize = 0;
  for (let y = 0; y < cy; y++) {
    for (let z = 0; z < cz; z++) {
      const values = dist + <usize>z * planeBytes + (<usize>y * <usize>cx << 2);
      const maskRow = corner + <usize>z * planeStride + <usize>y * rowStride;
      for (let x = 0; x < cx; x++) {
        const at = <usize>x * <usize>column + <usize>z;
        store<f32>(slab + (at << 2), load<f32>(values + (<usize>x << 2)));
        store<u8>(slabQueries + at, <u8>(<u32>load<u8>(maskRow + <usize>x) & queryBits));
      }
    }
    for (let x = 0; x < cx; x++) {
      const g = slab + (<usize>x * <usize>column << 2), marks = slabQueries + <usize>x * <usize>column;
      const queries = countMarked(marks, cz);
      if (queries == 0) continue;
      const direct = queries <= FEW_QUERIES;
      let parabolas = 0;
      if (!direct) {
        for (let z = 0; z < cz; z++) store<f64>(f + (<usize>z << 3), <f64>load<f32>(g + (<usize>z << 2)));
        parabolas = lowerEnvelope(f, cz, w2, v, zs);
      }
      let k = 0;
      for (let z = 0; z < cz; z++) {
        if (load<u8>(marks + <usize>z) == 0) continue;
        let d: f64 = Infinity;
        if (direct) {
          d = Math.sqrt(<f64>minimumAt(g, cz, <f32>w2, z));
        } else if (parabolas > 0) {
          k = lowestAt(zs, k, z);
          d = Math.sqrt(envelopeAt(f, w2, v, k, z));
        }
        sum += d;
        largest = max(largest, d);
        if (d <= tolerance) within += 1;
        if (list) {
          const pair = pairs + (listed << 3);
          store<u32>(pair, (<u32>z * <u32>cy + <u32>y) * <u32>cx + <u32>x);
          store<f32>(pair, <f32>d, 4);
          listed++;
        }
      }
    }
  }
  store<f64>(rec + (<usize>DIST_SUM << 3), sum);
  store<f64>(rec + (<usize>DIST_MAX << 3), largest);
  store<f64>(rec + (<usize>DIST_WITHIN << 3), within);
}

/** Bytes of `work` that distanceField needs for a grid of nx × ny × nz voxels. */
export function distanceFieldWorkBytes(nx: i32, ny: i32, nz: i32): usize {
  return lineBytes(max(max(nx, ny), nz));
}

/**
 * WRITES out[v] = f32 of the squared distance (spacing units²) from each voxel v of the grid to
 * the nearest voxel whose byte has `feature` (0 on those, +∞ when there is none): the grid is
 * nx × ny × nz bytes (x fastest), out as many f32; w0, w1, w2 are the squared spacings along x, y,
 * z. The same separable transform as distancesToSurface, written out for every voxel. Uses
 * distanceFieldWorkBytes(nx, ny, nz) bytes of `work`.
 */
export function distanceField(out: usize, grid: usize, feature: i32, nx: i32, ny: i32, nz: i32, w0: f64, w1: f64, w2: f64, work: usize): void {
  const planeBytes = <usize>nx * <usize>ny << 2;
  for (let z = 0; z < nz; z++) {
    const plane = out + <usize>z * planeBytes;
    for (let y = 0; y < ny; y++) {
      rowPass(plane + (<usize>y * <usize>nx << 2), grid + (<usize>z * <usize>ny + <usize>y) * <usize>nx, nx, <u32>feature, w0);
    }
    if (ny > 1) {
      for (let x = 0; x < nx; x++) columnPass(plane + (<usize>x << 2), <usize>nx << 2, ny, w1, work);
    }
  }
  if (nz > 1) {
    const plane = <usize>nx * <usize>ny;
    for (let i: usize = 0; i < plane; i++) columnPass(out + (i << 2), planeBytes, nz, w2, work);
  }
}
