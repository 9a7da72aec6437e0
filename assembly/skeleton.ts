// Hard skeletons of class masks (the clDice metric), by the topology-preserving thinning of Lee,
// Kashyap & Chu (1994) in the variant of ImageJ's Skeletonize3D, which scikit-image's
// skeletonize(method='lee') follows (src/backends/js/skeleton.ts is the readable reference):
//
// Sweeps over the six border directions (y−1, y+1, x+1, x−1, z+1, z−1; the first four for a box
// one plane thick) until a whole sweep deletes nothing. For one direction: (1) list, in raster
// order, the object voxels whose neighbour in that direction is background and that are not end
// points (one object voxel among their 26 neighbours), are Euler-invariant (δG26 of Lee's Table
// 2, derived in src/math/euler.ts and here alike) and simple (their object neighbours form one
// 26-connected set); (2) delete each listed voxel, in order, that is still simple. In that second
// step ImageJ and scikit-image test only that the object neighbours form at most one set, so a
// voxel whose neighbours were all deleted goes too and a component can vanish (scikit-image issue
// #3757); `preserving` keeps Lee's whole test there (Euler-invariant, exactly one set).
//
// The thinning works on a copy of the mask's box with one voxel of background around it (the
// box holds the whole mask, so nothing outside it can matter), and walks a list of the object
// voxels in raster order instead of the whole box: deleted voxels leave the list after a sweep.
import { BOX_X0, BOX_X1, BOX_Y0, BOX_Y1, BOX_Z0, BOX_Z1 } from "./constants";

// @ts-ignore: decorator
@inline function boxAt(box: usize, slot: i32): i32 {
  return load<i32>(box + (<usize>slot << 2));
}

const CENTRE: i32 = 13;

/** δG26 by octant pattern (256 i8), the 26-adjacency words (27 u32) and the octants' bits (8 × 8 u8). */
const EULER = memory.data(256);
const ADJACENT = memory.data(27 * 4);
const OCTANT_BITS = memory.data(64);
let tablesReady = false;

/** The share of χ of the lattice point shared by the 8 voxels of `pattern` (see src/math/euler.ts). */
function cornerShare(pattern: i32): f64 {
  if (pattern == 0) return 0;
  let edges = 0, faces = 0;
  for (let side = 0; side < 2; side++) {
    for (let axis = 0; axis < 3; axis++) {
      // The edge leaving the point along `axis` on `side`: any voxel on that side of the axis.
      let any = false;
      for (let k = 0; k < 8; k++) if ((pattern >> k) & 1 && ((k >> axis) & 1) == side) any = true;
      if (any) edges++;
    }
  }
  for (let axis = 0; axis < 3; axis++) {
    // Faces in the plane normal to `axis` with a corner at the point: one per side of each other axis.
    const u = (axis + 1) % 3, v = (axis + 2) % 3;
    for (let s = 0; s < 2; s++) {
      for (let t = 0; t < 2; t++) {
        let any = false;
        for (let k = 0; k < 8; k++) if ((pattern >> k) & 1 && ((k >> u) & 1) == s && ((k >> v) & 1) == t) any = true;
        if (any) faces++;
      }
    }
  }
  return 1 - <f64>edges / 2 + <f64>faces / 4 - <f64>popcnt<i32>(pattern) / 8;
}

// @ts-ignore: decorator
@inline function bitOf(dx: i32, dy: i32, dz: i32): i32 {
  return (dz + 1) * 9 + (dy + 1) * 3 + (dx + 1);
}

function prepareTables(): void {
  for (let pattern = 1; pattern < 256; pattern += 2) {
    store<i8>(EULER + <usize>pattern, <i8>Math.round(8 * (cornerShare(pattern) - cornerShare(pattern & ~1))));
  }
  for (let k = 0; k < 27; k++) {
    const x = k % 3, y = (k / 3) % 3, z = k / 9;
    let word: u32 = 0;
    for (let j = 0; j < 27; j++) {
      const u = j % 3, v = (j / 3) % 3, w = j / 9;
      const d = max(max(abs(u - x), abs(v - y)), abs(w - z));
      if (d == 1 && j != CENTRE) word |= <u32>1 << j;
    }
    store<u32>(ADJACENT + (<usize>k << 2), word);
  }
  let octant = 0;
  for (let sz = -1; sz <= 1; sz += 2) {
    for (let sy = -1; sy <= 1; sy += 2) {
      for (let sx = -1; sx <= 1; sx += 2) {
        for (let k = 0; k < 8; k++) {
          store<u8>(OCTANT_BITS + <usize>(octant * 8 + k), <u8>bitOf((k & 1) * sx, ((k >> 1) & 1) * sy, ((k >> 2) & 1) * sz));
        }
        octant++;
      }
    }
  }
  tablesReady = true;
}

function isEulerInvariant(word: u32): bool {
  let change = 0;
  for (let octant = 0; octant < 8; octant++) {
    const bits = OCTANT_BITS + <usize>(octant << 3);
    let pattern: u32 = 0;
    for (let k = 0; k < 8; k++) pattern |= ((word >> load<u8>(bits + <usize>k)) & 1) << k;
    change += <i32>load<i8>(EULER + <usize>pattern);
  }
  return change == 0;
}

/**
 * At most one 26-connected set among the object neighbours (Lee's condition on the number of
 * objects, as ImageJ tests it); `one`: exactly one.
 */
function isSimple(word: u32, one: bool): bool {
  const rest = word & ~(<u32>1 << CENTRE);
  if (rest == 0) return !one;
  let reached = rest & (~rest + 1);
  let frontier = reached;
  while (frontier != 0) {
    let grown: u32 = 0;
    for (let bits = frontier; bits != 0; bits &= bits - 1) grown |= load<u32>(ADJACENT + (<usize>ctz(bits) << 2));
    frontier = grown & rest & ~reached;
    reached |= frontier;
  }
  return reached == rest;
}

/** The 27-bit word of the 3×3×3 block around `at` (bit (dz+1)·9 + (dy+1)·3 + (dx+1)), of a 0/1 volume. */
// @ts-ignore: decorator
@inline function neighbourhood(at: usize, sy: usize, sz: usize): u32 {
  let word: u32 = 0;
  let k = 0;
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      const row = at + <usize>(<isize>dz * <isize>sz + <isize>dy * <isize>sy);
      word |= (<u32>load<u8>(row - 1) << k) | (<u32>load<u8>(row) << (k + 1)) | (<u32>load<u8>(row + 1) << (k + 2));
      k += 3;
    }
  }
  return word;
}

/** Bytes of `work` that skeletonBits needs for a box of cx × cy × cz voxels. */
export function skeletonWorkBytes(cx: i32, cy: i32, cz: i32): usize {
  const padded = (<usize>(cx + 2) * <usize>(cy + 2) * <usize>(cz + 2) + 15) & ~<usize>15;
  return padded + (<usize>cx * <usize>cy * <usize>cz << 3);
}

/**
 * SETS `skeleton` on the voxels of the skeleton of the voxels of the box whose mask byte has
 * `bit` (nx × ny × nz bytes, x fastest; `box` holds BOX_* i32 slots and every such voxel), by
 * Lee's thinning (`preserving`: with Lee's whole test in the re-check). Uses
 * skeletonWorkBytes(box size) bytes of `work`.
 */
export function skeletonBits(
  mask: usize, bit: i32, skeleton: i32, box: usize, nx: i32, ny: i32, nz: i32, preserving: bool, work: usize,
): void {
  if (!tablesReady) prepareTables();
  const x0 = boxAt(box, BOX_X0), y0 = boxAt(box, BOX_Y0), z0 = boxAt(box, BOX_Z0);
  const cx = boxAt(box, BOX_X1) - x0, cy = boxAt(box, BOX_Y1) - y0, cz = boxAt(box, BOX_Z1) - z0;
  if (cx <= 0 || cy <= 0 || cz <= 0) return;
  const px = cx + 2, py = cy + 2, pz = cz + 2;
  const sy = <usize>px, sz = <usize>px * <usize>py;
  const img = work;
  const objects = work + ((<usize>px * <usize>py * <usize>pz + 15) & ~<usize>15);
  const candidates = objects + (<usize>cx * <usize>cy * <usize>cz << 2);
  memory.fill(img, 0, <usize>px * <usize>py * <usize>pz);
  const rowStride = <usize>nx, planeStride = <usize>nx * <usize>ny;
  const corner = mask + <usize>z0 * planeStride + <usize>y0 * rowStride + <usize>x0;
  let count = 0;
  for (let z = 0; z < cz; z++) {
    for (let y = 0; y < cy; y++) {
      const src = corner + <usize>z * planeStride + <usize>y * rowStride;
      const dst = <usize>(z + 1) * sz + <usize>(y + 1) * sy + 1;
      for (let x = 0; x < cx; x++) {
        if ((<i32>load<u8>(src + <usize>x) & bit) == 0) continue;
        store<u8>(img + dst + <usize>x, 1);
        store<u32>(objects + (<usize>count << 2), <u32>(dst + <usize>x));
        count++;
      }
    }
  }
  const directions = cz == 1 ? 4 : 6;
  let unchanged = 0;
  while (unchanged < directions) {
    unchanged = 0;
    for (let d = 0; d < directions; d++) {
      const step: isize = d == 0 ? -<isize>sy : d == 1 ? <isize>sy : d == 2 ? 1 : d == 3 ? -1 : d == 4 ? <isize>sz : -<isize>sz;
      let listed = 0;
      for (let k = 0; k < count; k++) {
        const i = <usize>load<u32>(objects + (<usize>k << 2));
        const at = img + i;
        if (load<u8>(at) == 0 || load<u8>(at + <usize>step) != 0) continue;
        const word = neighbourhood(at, sy, sz);
        if (popcnt<u32>(word) == 2 || !isEulerInvariant(word) || !isSimple(word, false)) continue;
        store<u32>(candidates + (<usize>listed << 2), <u32>i);
        listed++;
      }
      let deleted = false;
      for (let k = 0; k < listed; k++) {
        const at = img + <usize>load<u32>(candidates + (<usize>k << 2));
        const word = neighbourhood(at, sy, sz);
        if (preserving ? isSimple(word, true) && isEulerInvariant(word) : isSimple(word, false)) {
          store<u8>(at, 0);
          deleted = true;
        }
      }
      if (!deleted) unchanged++;
    }
    // The deleted voxels leave the list (its order, the raster order, is kept).
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const i = load<u32>(objects + (<usize>k << 2));
      if (load<u8>(img + <usize>i) == 0) continue;
      store<u32>(objects + (<usize>kept << 2), i);
      kept++;
    }
    count = kept;
  }
  for (let k = 0; k < count; k++) {
    const i = <i32>load<u32>(objects + (<usize>k << 2));
    const z = i / <i32>sz - 1, y = (i % <i32>sz) / <i32>sy - 1, x = i % <i32>sy - 1;
    const at = corner + <usize>z * planeStride + <usize>y * rowStride + <usize>x;
    store<u8>(at, <u8>(<i32>load<u8>(at) | skeleton));
  }
}
