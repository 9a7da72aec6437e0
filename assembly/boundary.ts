// Class masks and their surfaces, for the surface-distance metrics (edt.ts measures them).
//
// A class mask holds one byte per voxel of one sample, x fastest, then y, then z (nx × ny × nz),
// with the bits of constants.ts: MASK_PRED where the prediction says the class, MASK_TARGET
// where the target says it, then EDGE_PRED / EDGE_TARGET on the voxels of each side's surface.
// The caller zero-fills the mask, marks the prediction, then the target (which also clears the
// voxels whose target label is ignoreIndex, on both sides), then boxes and extracts surfaces.
//
// Surface (MONAI's get_mask_edges, scipy's binary_erosion with the face-connected structure and
// border_value 0): a voxel of a mask whose 2·rank face neighbours are not all in the mask, a
// neighbour outside the image counting as outside the mask: 4-connectivity in 2D, 6 in 3D.
import {
  BOX_X0, BOX_X1, BOX_Y0, BOX_Y1, BOX_Z0, BOX_Z1, CONF_TILE, DECIDE_THRESHOLD, DIST_COUNT, DIST_STRIDE, MASK_PRED, MASK_TARGET,
  TOPO_BAND_BOTH, TOPO_BAND_EITHER, TOPO_SKEL_PRED, TOPO_SKEL_PRED_IN_TARGET, TOPO_SKEL_TARGET, TOPO_SKEL_TARGET_IN_PRED,
} from "./constants";
import { argmaxTile, narrowLabels } from "./argmax";
import { label1 } from "./values";

/**
 * For i < n: where labels[i] == c, mask[i] |= bit; with `hasIgnore`, where labels[i] ==
 * ignoreIndex, mask[i] = 0 (the voxel belongs to no class on either side).
 */
function markLabels<T>(mask: usize, labels: usize, n: i32, c: i32, bit: i32, ignoreIndex: i32, hasIgnore: bool): void {
  const size = <usize>sizeof<T>();
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Byte labels 16 at a time (a class or ignoreIndex above 255 matches no byte: no SIMD body).
    if (sizeof<T>() == 1 && <u32>c <= 255 && (!hasIgnore || <u32>ignoreIndex <= 255)) {
      const cls = i8x16.splat(<i8>c), flag = i8x16.splat(<i8>bit), ign = i8x16.splat(<i8>ignoreIndex);
      for (; i + 16 <= n; i += 16) {
        const l = v128.load(labels + <usize>i);
        let m = v128.or(v128.load(mask + <usize>i), v128.and(i8x16.eq(l, cls), flag));
        if (hasIgnore) m = v128.andnot(m, i8x16.eq(l, ign));
        v128.store(mask + <usize>i, m);
      }
    }
  }
  for (; i < n; i++) {
    const l = label1<T>(labels + <usize>i * size);
    if (hasIgnore && l == ignoreIndex) store<u8>(mask + <usize>i, 0);
    else if (l == c) store<u8>(mask + <usize>i, load<u8>(mask + <usize>i) | bit);
  }
}

/**
 * For i < n: where values[i·stride] says yes — it is > threshold (`decide` DECIDE_THRESHOLD)
 * or non-zero (DECIDE_NONZERO) — mask[i] |= bit. One class of a dense tensor: stride 1 when
 * channels first, C when channels last.
 */
function markValues<T>(mask: usize, values: usize, n: i32, stride: i32, bit: i32, decide: i32, threshold: f32): void {
  const step = <usize>stride * sizeof<T>();
  const byThreshold = decide == DECIDE_THRESHOLD;
  for (let i = 0; i < n; i++) {
    const v = load<T>(values + <usize>i * step);
    const yes = isFloat<T>() && byThreshold ? <f32>v > threshold : v != 0;
    if (yes) store<u8>(mask + <usize>i, load<u8>(mask + <usize>i) | bit);
  }
}

/**
 * WRITES out[s] (as T) = the argmax class of voxel s of sample b, s < S (argmax.ts: ties to the
 * lower class), for a dense pred of B × C × S elements in `layout`; every class must fit T.
 * `scratch` holds CONF_TILE i32.
 */
function argmaxLabels<T>(out: usize, pred: usize, b: i32, C: i32, S: i32, layout: i32, scratch: usize): void {
  for (let s0 = 0; s0 < S; s0 += CONF_TILE) {
    const n = min(CONF_TILE, S - s0);
    const at = out + <usize>s0 * sizeof<T>();
    if (sizeof<T>() == 4) {
      argmaxTile(at, pred, b, C, S, layout, s0, n);
    } else {
      argmaxTile(scratch, pred, b, C, S, layout, s0, n);
      narrowLabels<T>(at, scratch, n);
    }
  }
}

/** First x < n of a row with a non-zero byte, or n. */
function firstMarked(row: usize, n: i32): i32 {
  let x = 0;
  if (ASC_FEATURE_SIMD) {
    while (x + 16 <= n && !v128.any_true(v128.load(row + <usize>x))) x += 16;
  }
  while (x < n && load<u8>(row + <usize>x) == 0) x++;
  return x;
}

/** Last x < n of a row with a non-zero byte (the row has one). */
function lastMarked(row: usize, n: i32): i32 {
  let x = n;
  if (ASC_FEATURE_SIMD) {
    while (x >= 16 && !v128.any_true(v128.load(row + <usize>(x - 16)))) x -= 16;
  }
  while (load<u8>(row + <usize>(x - 1)) == 0) x--;
  return x - 1;
}

/**
 * WRITES the box (BOX_* i32 slots) of the voxels whose mask byte is non-zero: the smallest
 * half-open ranges of x, y and z holding them all; all six slots 0 when there is none.
 */
export function maskBox(box: usize, mask: usize, nx: i32, ny: i32, nz: i32): void {
  let x0 = nx, x1 = 0, y0 = ny, y1 = 0, z0 = nz, z1 = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = mask + (<usize>z * <usize>ny + <usize>y) * <usize>nx;
      const first = firstMarked(row, nx);
      if (first == nx) continue;
      x0 = min(x0, first);
      x1 = max(x1, lastMarked(row, nx) + 1);
      y0 = min(y0, y); y1 = max(y1, y + 1);
      z0 = min(z0, z); z1 = z + 1;
    }
  }
  if (x1 == 0) x0 = y0 = z0 = 0;
  store<i32>(box + (<usize>BOX_X0 << 2), x0); store<i32>(box + (<usize>BOX_X1 << 2), x1);
  store<i32>(box + (<usize>BOX_Y0 << 2), y0); store<i32>(box + (<usize>BOX_Y1 << 2), y1);
  store<i32>(box + (<usize>BOX_Z0 << 2), z0); store<i32>(box + (<usize>BOX_Z1 << 2), z1);
}

// @ts-ignore: decorator
@inline function boxAt(box: usize, slot: i32): i32 {
  return load<i32>(box + (<usize>slot << 2));
}

/**
 * Surfaces of the two masks inside `box` (which holds every MASK_PRED and MASK_TARGET voxel):
 * SETS EDGE_PRED (EDGE_TARGET) on each MASK_PRED (MASK_TARGET) voxel with a face neighbour that
 * is not in that mask or is outside the nx × ny × nz image (axes x, y, z up to `rank`: 1, 2 or
 * 3), and WRITES the number of such voxels to DIST_COUNT of the two distance records at `rec`
 * (the prediction's, then the target's).
 */
export function surfaceBits(rec: usize, mask: usize, box: usize, nx: i32, ny: i32, nz: i32, rank: i32): void {
  const x0 = boxAt(box, BOX_X0), x1 = boxAt(box, BOX_X1);
  const rowStride = <usize>nx, planeStride = <usize>nx * <usize>ny;
  let predEdges: u32 = 0, targetEdges: u32 = 0;
  for (let z = boxAt(box, BOX_Z0); z < boxAt(box, BOX_Z1); z++) {
    for (let y = boxAt(box, BOX_Y0); y < boxAt(box, BOX_Y1); y++) {
      const row = mask + <usize>z * planeStride + <usize>y * rowStride;
      // A neighbour row beyond the image is OUTSIDE (no bit) on an axis the image has, and
      // ABSENT (every bit) on one it has not.
      const up = rank < 2 ? ABSENT : y > 0 ? row - rowStride : OUTSIDE;
      const down = rank < 2 ? ABSENT : y + 1 < ny ? row + rowStride : OUTSIDE;
      const front = rank < 3 ? ABSENT : z > 0 ? row - planeStride : OUTSIDE;
      const back = rank < 3 ? ABSENT : z + 1 < nz ? row + planeStride : OUTSIDE;
      let x = x0;
      if (ASC_FEATURE_SIMD) {
        // Whole vectors strictly inside the row, so that x − 1 and x + 16 are in the image.
        const flags = i8x16.splat(<i8>(MASK_PRED | MASK_TARGET));
        const pred = i8x16.splat(<i8>MASK_PRED), target = i8x16.splat(<i8>MASK_TARGET);
        if (x == 0) x = 1;
        for (; x + 16 <= min(x1, nx - 1); x += 16) {
          const at = row + <usize>x;
          const m = v128.and(v128.load(at), flags);
          if (!v128.any_true(m)) continue;
          let inner = v128.and(m, v128.and(v128.load(at - 1), v128.load(at + 1)));
          inner = v128.and(inner, neighbours(up, x));
          inner = v128.and(inner, neighbours(down, x));
          inner = v128.and(inner, neighbours(front, x));
          inner = v128.and(inner, neighbours(back, x));
          const edge = v128.andnot(m, inner);
          v128.store(at, v128.or(v128.load(at), i8x16.shl(edge, 2)));
          predEdges += popcnt<u32>(i8x16.bitmask(i8x16.eq(v128.and(edge, pred), pred)));
          targetEdges += popcnt<u32>(i8x16.bitmask(i8x16.eq(v128.and(edge, target), target)));
        }
        // The row's first voxel (x = 0) and whatever the vectors left, one at a time.
        if (x0 == 0) {
          const edge = edgeBits(row, 0, nx, up, down, front, back);
          predEdges += edge & PRED; targetEdges += (edge & TARGET) >> 1;
        }
      }
      for (; x < x1; x++) {
        const edge = edgeBits(row, x, nx, up, down, front, back);
        predEdges += edge & PRED; targetEdges += (edge & TARGET) >> 1;
      }
    }
  }
  store<f64>(rec + (<usize>DIST_COUNT << 3), <f64>predEdges);
  store<f64>(rec + (<usize>(DIST_STRIDE + DIST_COUNT) << 3), <f64>targetEdges);
}

/**
 * Stand-ins for the address of a neighbour row that is not in memory: every bit (the axis does
 * not exist) or none (the row is outside the image). No row of a mask starts at 0 or 1.
 */
const ABSENT: usize = 0;
const OUTSIDE: usize = 1;
const PRED = <u32>MASK_PRED, TARGET = <u32>MASK_TARGET;

/** 16 bytes of a neighbour row at x. */
// @ts-ignore: decorator
@inline function neighbours(row: usize, x: i32): v128 {
  if (row > OUTSIDE) return v128.load(row + <usize>x);
  return row == ABSENT ? i8x16.splat(-1) : i8x16.splat(0);
}

/** One voxel of surfaceBits: sets its edge bits and returns them as mask bits (MASK_*). */
// @ts-ignore: decorator
@inline function edgeBits(row: usize, x: i32, nx: i32, up: usize, down: usize, front: usize, back: usize): u32 {
  const at = row + <usize>x;
  const m = <u32>load<u8>(at) & (PRED | TARGET);
  if (m == 0) return 0;
  let inner = m;
  inner &= x > 0 ? <u32>load<u8>(at - 1) : 0;
  inner &= x + 1 < nx ? <u32>load<u8>(at + 1) : 0;
  inner &= neighbour(up, x);
  inner &= neighbour(down, x);
  inner &= neighbour(front, x);
  inner &= neighbour(back, x);
  const edge = m & ~inner;
  store<u8>(at, <u8>(<u32>load<u8>(at) | (edge << 2)));
  return edge;
}

// @ts-ignore: decorator
@inline function neighbour(row: usize, x: i32): u32 {
  if (row > OUTSIDE) return <u32>load<u8>(row + <usize>x);
  return row == ABSENT ? 0xff : 0;
}

export function markLabels_u8(mask: usize, labels: usize, n: i32, c: i32, bit: i32, ignoreIndex: i32, hasIgnore: bool): void {
  markLabels<u8>(mask, labels, n, c, bit, ignoreIndex, hasIgnore);
}

export function markLabels_u16(mask: usize, labels: usize, n: i32, c: i32, bit: i32, ignoreIndex: i32, hasIgnore: bool): void {
  markLabels<u16>(mask, labels, n, c, bit, ignoreIndex, hasIgnore);
}

export function markLabels_i32(mask: usize, labels: usize, n: i32, c: i32, bit: i32, ignoreIndex: i32, hasIgnore: bool): void {
  markLabels<i32>(mask, labels, n, c, bit, ignoreIndex, hasIgnore);
}

export function markValues_u8(mask: usize, values: usize, n: i32, stride: i32, bit: i32, decide: i32, threshold: f32): void {
  markValues<u8>(mask, values, n, stride, bit, decide, threshold);
}

export function markValues_f32(mask: usize, values: usize, n: i32, stride: i32, bit: i32, decide: i32, threshold: f32): void {
  markValues<f32>(mask, values, n, stride, bit, decide, threshold);
}

export function argmaxLabels_u8(out: usize, pred: usize, b: i32, C: i32, S: i32, layout: i32, scratch: usize): void {
  argmaxLabels<u8>(out, pred, b, C, S, layout, scratch);
}

export function argmaxLabels_u16(out: usize, pred: usize, b: i32, C: i32, S: i32, layout: i32, scratch: usize): void {
  argmaxLabels<u16>(out, pred, b, C, S, layout, scratch);
}

export function argmaxLabels_i32(out: usize, pred: usize, b: i32, C: i32, S: i32, layout: i32, scratch: usize): void {
  argmaxLabels<i32>(out, pred, b, C, S, layout, scratch);
}

/**
 * WRITES the topology record (TOPO_* f64 slots) of the class mask inside `box`: how many voxels
 * have SKEL_PRED, SKEL_PRED and MASK_TARGET, SKEL_TARGET, SKEL_TARGET and MASK_PRED, both BAND_
 * bits, either BAND_ bit.
 */
export function maskCounts(rec: usize, mask: usize, box: usize, nx: i32, ny: i32, nz: i32): void {
  const x0 = boxAt(box, BOX_X0), x1 = boxAt(box, BOX_X1);
  let skelPred: u32 = 0, skelPredIn: u32 = 0, skelTarget: u32 = 0, skelTargetIn: u32 = 0, both: u32 = 0, either: u32 = 0;
  for (let z = boxAt(box, BOX_Z0); z < boxAt(box, BOX_Z1); z++) {
    for (let y = boxAt(box, BOX_Y0); y < boxAt(box, BOX_Y1); y++) {
      const row = mask + (<usize>z * <usize>ny + <usize>y) * <usize>nx;
      for (let x = x0; x < x1; x++) {
        const m = <u32>load<u8>(row + <usize>x);
        if (m == 0) continue;
        const sp = (m >> 4) & 1, st = (m >> 5) & 1, bp = (m >> 6) & 1, bt = m >> 7;
        skelPred += sp;
        skelPredIn += sp & (m >> 1);
        skelTarget += st;
        skelTargetIn += st & m;
        both += bp & bt;
        either += bp | bt;
      }
    }
  }
  store<f64>(rec + (<usize>TOPO_SKEL_PRED << 3), <f64>skelPred);
  store<f64>(rec + (<usize>TOPO_SKEL_PRED_IN_TARGET << 3), <f64>skelPredIn);
  store<f64>(rec + (<usize>TOPO_SKEL_TARGET << 3), <f64>skelTarget);
  store<f64>(rec + (<usize>TOPO_SKEL_TARGET_IN_PRED << 3), <f64>skelTargetIn);
  store<f64>(rec + (<usize>TOPO_BAND_BOTH << 3), <f64>both);
  store<f64>(rec + (<usize>TOPO_BAND_EITHER << 3), <f64>either);
}
