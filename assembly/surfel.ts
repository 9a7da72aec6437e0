// Surfels (src/math/surfels.ts): the corners of the voxel grid whose cell of 2 × 2 (× 2) voxels
// is neither all inside nor all outside a mask, on the corner grid (one more corner than voxels
// along each axis the image has; corner x sits between voxels x − 1 and x).
import { BOX_X0, BOX_X1, BOX_Y0, BOX_Y1, BOX_Z0, BOX_Z1, DIST_COUNT, DIST_STRIDE, MASK_PRED, MASK_TARGET } from "./constants";

// @ts-ignore: decorator
@inline function boxAt(box: usize, slot: i32): i32 {
  return load<i32>(box + (<usize>slot << 2));
}

/**
 * WRITES the byte of each corner of `cbox` (BOX_* i32 slots, in corner-grid coordinates) in the
 * corner grid `corners` ((nx + 1) × (ny + 1) × (nz + 1) bytes for a 3D image, x fastest; an axis the
 * image has not keeps 1): EDGE_PRED (EDGE_TARGET) when the cell of the corner holds some but not
 * all of its voxels in MASK_PRED (MASK_TARGET) of the nx × ny × nz class `mask` (a voxel outside
 * the image is in neither), 0 otherwise; WRITES the number of each to DIST_COUNT of the two
 * distance records at `rec` (the prediction's, then the target's).
 */
export function surfelBits(rec: usize, corners: usize, mask: usize, cbox: usize, nx: i32, ny: i32, nz: i32, rank: i32): void {
  const gx = nx + 1, gy = rank >= 2 ? ny + 1 : 1;
  const both = <u32>(MASK_PRED | MASK_TARGET);
  let predEdges: u32 = 0, targetEdges: u32 = 0;
  for (let z = boxAt(cbox, BOX_Z0); z < boxAt(cbox, BOX_Z1); z++) {
    for (let y = boxAt(cbox, BOX_Y0); y < boxAt(cbox, BOX_Y1); y++) {
      // The voxel rows of the cells of this corner row (0: outside the image, so no bit).
      const r0 = voxelRow(mask, nx, ny, nz, rank, y - 1, z - 1), r1 = voxelRow(mask, nx, ny, nz, rank, y, z - 1);
      const r2 = voxelRow(mask, nx, ny, nz, rank, y - 1, z), r3 = voxelRow(mask, nx, ny, nz, rank, y, z);
      const rows = rank >= 3 ? 4 : rank >= 2 ? 2 : 1;
      const out = corners + (<usize>z * <usize>gy + <usize>y) * <usize>gx;
      const x0 = boxAt(cbox, BOX_X0), x1 = boxAt(cbox, BOX_X1);
      // Bits some (any) and all (every) voxel of the column x − 1 of the cell carries.
      let anyBefore: u32 = 0, everyBefore: u32 = 0;
      if (x0 > 0) {
        anyBefore = column(r0, r1, r2, r3, rows, x0 - 1, false);
        everyBefore = column(r0, r1, r2, r3, rows, x0 - 1, true);
      }
      for (let x = x0; x < x1; x++) {
        let any: u32 = 0, every: u32 = 0;
        if (x < nx) {
          any = column(r0, r1, r2, r3, rows, x, false);
          every = column(r0, r1, r2, r3, rows, x, true);
        }
        const edge = (anyBefore | any) & ~(everyBefore & every) & both;
        store<u8>(out + <usize>x, <u8>(edge << 2));
        predEdges += edge & <u32>MASK_PRED;
        targetEdges += (edge & <u32>MASK_TARGET) >> 1;
        anyBefore = any;
        everyBefore = every;
      }
    }
  }
  store<f64>(rec + (<usize>DIST_COUNT << 3), <f64>predEdges);
  store<f64>(rec + (<usize>(DIST_STRIDE + DIST_COUNT) << 3), <f64>targetEdges);
}

/** Address of voxel row (y, z), or 0 when it is outside the image (y, z only on the axes it has). */
// @ts-ignore: decorator
@inline function voxelRow(mask: usize, nx: i32, ny: i32, nz: i32, rank: i32, y: i32, z: i32): usize {
  const vy = rank >= 2 ? y : 0, vz = rank >= 3 ? z : 0;
  if (vy < 0 || vy >= ny || vz < 0 || vz >= nz) return 0;
  return mask + (<usize>vz * <usize>ny + <usize>vy) * <usize>nx;
}

/**
 * The OR (every: the AND) of the mask bytes at x of the cell's rows: r3 alone in 1D, r2 and r3 in
 * 2D, all four in 3D; a row outside the image has no bit.
 */
// @ts-ignore: decorator
@inline function column(r0: usize, r1: usize, r2: usize, r3: usize, rows: i32, x: i32, every: bool): u32 {
  let v = byteAt(r3, x);
  if (rows >= 2) v = every ? v & byteAt(r2, x) : v | byteAt(r2, x);
  if (rows >= 4) {
    v = every ? v & byteAt(r1, x) & byteAt(r0, x) : v | byteAt(r1, x) | byteAt(r0, x);
  }
  return v;
}

// @ts-ignore: decorator
@inline function byteAt(row: usize, x: i32): u32 {
  return row == 0 ? 0 : <u32>load<u8>(row + <usize>x);
}

/**
 * WRITES out[i] (f64) = table[code] for each of the n 8-byte pairs at `pairs` (distancesToSurface's
 * layout: the corner's index in `cbox`, x fastest, as the u32 payload), where code is the corner's
 * cell code in the class mask: bit dx + 2·dy + 4·dz set when voxel (x − 1 + dx, y − 1 + dy,
 * z − 1 + dz) is in the image and its byte has `bit` (dy, dz only on the axes the image has).
 * `table` holds the f64 measure of each code (src/math/surfels.ts).
 */
export function surfelMeasuresOf(out: usize, pairs: usize, n: i32, mask: usize, cbox: usize, nx: i32, ny: i32, nz: i32, rank: i32, bit: i32, table: usize): void {
  const x0 = boxAt(cbox, BOX_X0), y0 = boxAt(cbox, BOX_Y0), z0 = boxAt(cbox, BOX_Z0);
  const cx = <u32>(boxAt(cbox, BOX_X1) - x0), cy = <u32>(boxAt(cbox, BOX_Y1) - y0);
  const b = <u32>bit;
  for (let i = 0; i < n; i++) {
    const v = load<u32>(pairs + (<usize>i << 3));
    const x = x0 + <i32>(v % cx), y = y0 + <i32>((v / cx) % cy), z = z0 + <i32>(v / (cx * cy));
    let code: u32 = 0;
    for (let dz = 0; dz < (rank >= 3 ? 2 : 1); dz++) {
      for (let dy = 0; dy < (rank >= 2 ? 2 : 1); dy++) {
        const row = voxelRow(mask, nx, ny, nz, rank, y - 1 + dy, z - 1 + dz);
        if (row == 0) continue;
        const shift = <u32>(2 * dy + 4 * dz);
        if (x > 0 && (<u32>load<u8>(row + <usize>(x - 1)) & b)) code |= <u32>1 << shift;
        if (x < nx && (<u32>load<u8>(row + <usize>x) & b)) code |= <u32>2 << shift;
      }
    }
    store<f64>(out + (<usize>i << 3), load<f64>(table + (<usize>code << 3)));
  }
}
