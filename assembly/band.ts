// Boundary bands of class masks (Boundary IoU, Cheng et al. 2021): the voxels of a mask within
// a distance d of a voxel outside it, the image border counting as outside (the Boundary IoU
// API pads the image with one pixel of background). Everything outside the mask's box is outside
// the mask too, so both bands are found inside the box:
// - chessboard: the mask minus its erosion by a box of radii (rx, ry, rz), the Boundary IoU API's
//   d-fold erosion by a 3×3 square (radius d on every axis); separable, axis by axis;
// - Euclidean: squared distance to the nearest outside voxel ≤ limit, by the distance field of
//   edt.ts over the box with one voxel of outside around it along the image's axes (the nearest
//   outside voxel of any voxel of the box is there).
import { BAND_PRED, BAND_TARGET, BOX_X0, BOX_X1, BOX_Y0, BOX_Y1, BOX_Z0, BOX_Z1, MASK_PRED, MASK_TARGET } from "./constants";
import { distanceField, distanceFieldWorkBytes } from "./edt";

// @ts-ignore: decorator
@inline function boxAt(box: usize, slot: i32): i32 {
  return load<i32>(box + (<usize>slot << 2));
}

// @ts-ignore: decorator
@inline function align16(n: usize): usize {
  return (n + 15) & ~<usize>15;
}

/** Bytes of `work` the band kernels need for a box of cx × cy × cz voxels. */
export function bandWorkBytes(cx: i32, cy: i32, cz: i32): usize {
  const padded = <usize>(cx + 2) * <usize>(cy + 2) * <usize>(cz + 2);
  const chessboard = align16(<usize>cx * <usize>cy * <usize>cz) + (<usize>max(max(cx, cy), cz) << 2);
  const euclidean = align16(padded) + align16(padded << 2) + distanceFieldWorkBytes(cx + 2, cy + 2, cz + 2);
  return max(chessboard, euclidean);
}

/**
 * Erodes `bit` along one line of n bytes `stride` apart by radius r: a byte keeps the bit when
 * every byte within r of it along the line has it, the line's ends counting as without.
 * `left` holds n i32.
 */
function erodeLine(line: usize, stride: usize, n: i32, bit: i32, r: i32, left: usize): void {
  let last = -1;
  for (let i = 0; i < n; i++) {
    if ((<i32>load<u8>(line + <usize>i * stride) & bit) == 0) last = i;
    store<i32>(left + (<usize>i << 2), i - last);
  }
  let next = n;
  for (let i = n - 1; i >= 0; i--) {
    const at = line + <usize>i * stride;
    const v = <i32>load<u8>(at);
    if ((v & bit) == 0) {
      next = i;
      continue;
    }
    if (load<i32>(left + (<usize>i << 2)) <= r || next - i <= r) store<u8>(at, <u8>(v & ~bit));
  }
}

/**
 * SETS BAND_PRED (BAND_TARGET) on the MASK_PRED (MASK_TARGET) voxels of the box that are not in
 * the mask's erosion by the box of radii rx, ry, rz (voxels; 0 leaves an axis alone): those with
 * a voxel outside the mask, or outside the box, at most r_axis away along every axis. Uses
 * bandWorkBytes(box size) bytes of `work`.
 */
export function bandBitsChessboard(mask: usize, box: usize, nx: i32, ny: i32, nz: i32, rx: i32, ry: i32, rz: i32, work: usize): void {
  const x0 = boxAt(box, BOX_X0), y0 = boxAt(box, BOX_Y0), z0 = boxAt(box, BOX_Z0);
  const cx = boxAt(box, BOX_X1) - x0, cy = boxAt(box, BOX_Y1) - y0, cz = boxAt(box, BOX_Z1) - z0;
  if (cx <= 0 || cy <= 0 || cz <= 0) return;
  const eroded = work, left = work + align16(<usize>cx * <usize>cy * <usize>cz);
  const rowStride = <usize>nx, planeStride = <usize>nx * <usize>ny;
  const corner = mask + <usize>z0 * planeStride + <usize>y0 * rowStride + <usize>x0;
  const sy = <usize>cx, sz = <usize>cx * <usize>cy;
  for (let z = 0; z < cz; z++) {
    for (let y = 0; y < cy; y++) {
      const src = corner + <usize>z * planeStride + <usize>y * rowStride, dst = eroded + <usize>z * sz + <usize>y * sy;
      for (let x = 0; x < cx; x++) store<u8>(dst + <usize>x, <u8>(<i32>load<u8>(src + <usize>x) & (MASK_PRED | MASK_TARGET)));
    }
  }
  for (let side = MASK_PRED; side <= MASK_TARGET; side <<= 1) {
    if (rx > 0) {
      for (let z = 0; z < cz; z++) for (let y = 0; y < cy; y++) erodeLine(eroded + <usize>z * sz + <usize>y * sy, 1, cx, side, rx, left);
    }
    if (ry > 0) {
      for (let z = 0; z < cz; z++) for (let x = 0; x < cx; x++) erodeLine(eroded + <usize>z * sz + <usize>x, sy, cy, side, ry, left);
    }
    if (rz > 0) {
      for (let y = 0; y < cy; y++) for (let x = 0; x < cx; x++) erodeLine(eroded + <usize>y * sy + <usize>x, sz, cz, side, rz, left);
    }
  }
  for (let z = 0; z < cz; z++) {
    for (let y = 0; y < cy; y++) {
      const row = corner + <usize>z * planeStride + <usize>y * rowStride, kept = eroded + <usize>z * sz + <usize>y * sy;
      for (let x = 0; x < cx; x++) {
        const m = <i32>load<u8>(row + <usize>x);
        const lost = m & ~<i32>load<u8>(kept + <usize>x);
        store<u8>(row + <usize>x, <u8>(m | ((lost & MASK_PRED) != 0 ? BAND_PRED : 0) | ((lost & MASK_TARGET) != 0 ? BAND_TARGET : 0)));
      }
    }
  }
}

/**
 * SETS BAND_PRED (BAND_TARGET) on the MASK_PRED (MASK_TARGET) voxels of the box whose squared
 * distance (w0, w1, w2: squared spacings along x, y, z) to the nearest voxel outside that mask or
 * outside the box along the image's `rank` axes is ≤ limit. Uses bandWorkBytes(box size) bytes
 * of `work`.
 */
export function bandBitsEuclidean(
  mask: usize, box: usize, nx: i32, ny: i32, nz: i32, rank: i32, w0: f64, w1: f64, w2: f64, limit: f64, work: usize,
): void {
  const x0 = boxAt(box, BOX_X0), y0 = boxAt(box, BOX_Y0), z0 = boxAt(box, BOX_Z0);
  const cx = boxAt(box, BOX_X1) - x0, cy = boxAt(box, BOX_Y1) - y0, cz = boxAt(box, BOX_Z1) - z0;
  if (cx <= 0 || cy <= 0 || cz <= 0) return;
  // The frame of outside voxels goes along the image's axes only.
  const fy = rank >= 2 ? 1 : 0, fz = rank >= 3 ? 1 : 0;
  const px = cx + 2, py = cy + 2 * fy, pz = cz + 2 * fz;
  const padded = <usize>px * <usize>py * <usize>pz;
  const grid = work, field = work + align16(padded), scratch = field + align16(padded << 2);
  const rowStride = <usize>nx, planeStride = <usize>nx * <usize>ny;
  const corner = mask + <usize>z0 * planeStride + <usize>y0 * rowStride + <usize>x0;
  const sy = <usize>px, sz = <usize>px * <usize>py;
  for (let side = MASK_PRED; side <= MASK_TARGET; side <<= 1) {
    // 1 outside the mask (the frame around the box included), 0 inside.
    memory.fill(grid, 1, padded);
    for (let z = 0; z < cz; z++) {
      for (let y = 0; y < cy; y++) {
        const src = corner + <usize>z * planeStride + <usize>y * rowStride;
        const dst = grid + <usize>(z + fz) * sz + <usize>(y + fy) * sy + 1;
        for (let x = 0; x < cx; x++) store<u8>(dst + <usize>x, (<i32>load<u8>(src + <usize>x) & side) != 0 ? 0 : 1);
      }
    }
    distanceField(field, grid, 1, px, py, pz, w0, w1, w2, scratch);
    const band = side == MASK_PRED ? BAND_PRED : BAND_TARGET;
    for (let z = 0; z < cz; z++) {
      for (let y = 0; y < cy; y++) {
        const row = corner + <usize>z * planeStride + <usize>y * rowStride;
        const values = field + ((<usize>(z + fz) * sz + <usize>(y + fy) * sy + 1) << 2);
        for (let x = 0; x < cx; x++) {
          const m = <i32>load<u8>(row + <usize>x);
          if ((m & side) != 0 && <f64>load<f32>(values + (<usize>x << 2)) <= limit) store<u8>(row + <usize>x, <u8>(m | band));
        }
      }
    }
  }
}
