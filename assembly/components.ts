// Connected-component labelling of one sample: a two-pass union-find over the runs of the rows
// (a run is a maximal segment of one row whose voxels are all in the mask, or, per class, all
// hold one non-zero value). Pass 1 lists each row's runs (SIMD finds the transitions of 64
// bytes at a time in a byte mask) and unites each with the runs it touches in the rows before it
// (the same plane's previous row and, in 3D, up to three rows of the previous plane); pass 2
// numbers the roots in run order — the raster order of each component's first voxel, as
// scipy.ndimage.label numbers them — and measures the components; pass 3 writes the labels.
//
// A sample is nx × ny × nz voxels, x fastest (the last axis of a shape), rows (y, z) in memory
// order. Connectivity (the neighbours of a voxel that join it): 2 in 1D; 4 (faces) or 8 (faces
// and corners) in 2D; 6 (faces), 18 (faces and edges) or 26 (faces, edges and corners) in 3D.
// Two runs of neighbouring rows touch when they overlap along x ("strict"), or when they overlap
// or meet corner to corner ("extended"): which one applies to which row follows from which
// offsets the connectivity holds.
import { COMP_SIZE, COMP_STRIDE, COMP_VALUE, COMP_X0, COMP_X1, COMP_Y0, COMP_Y1, COMP_Z0, COMP_Z1 } from "./constants";

/** How the runs of a row meet those of a neighbouring row. */
const NONE: i32 = 0;
const STRICT: i32 = 1;
const EXTENDED: i32 = 2;

/** Bytes of `work` for `runs` runs (countRuns) over `rows` rows: start, end, parent and value (i32 each) per run, then one i32 per row and one more. */
export function componentsWorkBytes(runs: i32, rows: i32): usize {
  return (<usize>runs << 4) + ((<usize>rows + 1) << 2);
}

// ---------------------------------------------------------------------------------------------
// Runs of a row.

/**
 * Bit i set where byte i of the 64 at `at` is non-zero (16 bytes per bitmask). Reads 64 bytes.
 */
// @ts-ignore: decorator
@inline function nonZero64(at: usize): u64 {
  const zero = i8x16.splat(0);
  const b0 = <u64>i8x16.bitmask(i8x16.ne(v128.load(at), zero));
  const b1 = <u64>i8x16.bitmask(i8x16.ne(v128.load(at, 16), zero));
  const b2 = <u64>i8x16.bitmask(i8x16.ne(v128.load(at, 32), zero));
  const b3 = <u64>i8x16.bitmask(i8x16.ne(v128.load(at, 48), zero));
  return b0 | (b1 << 16) | (b2 << 32) | (b3 << 48);
}

/**
 * Bit i set where byte i of the 64 at `at` differs from the byte before it (at − 1 must be
 * readable: x ≥ 1 in a row).
 */
// @ts-ignore: decorator
@inline function changes64(at: usize): u64 {
  const b0 = <u64>i8x16.bitmask(i8x16.ne(v128.load(at), v128.load(at - 1)));
  const b1 = <u64>i8x16.bitmask(i8x16.ne(v128.load(at, 16), v128.load(at, 15)));
  const b2 = <u64>i8x16.bitmask(i8x16.ne(v128.load(at, 32), v128.load(at, 31)));
  const b3 = <u64>i8x16.bitmask(i8x16.ne(v128.load(at, 48), v128.load(at, 47)));
  return b0 | (b1 << 16) | (b2 << 32) | (b3 << 48);
}

/** Whether the voxel at `at` is in the mask. */
// @ts-ignore: decorator
@inline function inMask<T>(at: usize): bool {
  return load<T>(at) != 0;
}

/** The voxel's value as the i32 that a component records (a class label; 1 for a mask voxel). */
// @ts-ignore: decorator
@inline function valueAt<T>(at: usize): i32 {
  return <i32>load<T>(at);
}

/** How many runs one row of nx voxels holds. */
function countRow<T>(row: usize, nx: i32, perClass: bool): i32 {
  const size = <usize>sizeof<T>();
  let count = 0, x = 0;
  if (ASC_FEATURE_SIMD && sizeof<T>() == 1) {
    if (!perClass) {
      // A run starts where a voxel is in the mask and the one before it is not.
      let carry: u64 = 0;
      for (; x + 64 <= nx; x += 64) {
        const bits = nonZero64(row + <usize>x);
        count += <i32>popcnt(bits & ~((bits << 1) | carry));
        carry = bits >> 63;
      }
    } else if (nx > 64) {
      // A run starts where a voxel is non-zero and differs from the one before it.
      if (load<u8>(row) != 0) count++;
      x = 1;
      for (; x + 64 <= nx; x += 64) {
        count += <i32>popcnt(nonZero64(row + <usize>x) & changes64(row + <usize>x));
      }
      for (; x < nx; x++) {
        const v = load<u8>(row + <usize>x);
        if (v != 0 && v != load<u8>(row + <usize>x - 1)) count++;
      }
      return count;
    }
  }
  for (; x < nx; x++) {
    const at = row + <usize>x * size;
    if (!inMask<T>(at)) continue;
    if (x == 0) {
      count++;
    } else {
      const before = at - size;
      if (perClass ? load<T>(before) != load<T>(at) : !inMask<T>(before)) count++;
    }
  }
  return count;
}

/**
 * The number of runs of a sample's rows (`rows` rows of nx voxels, `sizeof<T>` bytes each):
 * what labelComponents needs room for (componentsWorkBytes) and the most components it can find.
 */
function countRuns<T>(mask: usize, nx: i32, rows: i32, perClass: bool): i32 {
  const rowBytes = <usize>nx * sizeof<T>();
  let runs = 0;
  for (let r = 0; r < rows; r++) runs += countRow<T>(mask + <usize>r * rowBytes, nx, perClass);
  return runs;
}

/**
 * Where pass 1 writes, in `work` for `capacity` runs: per run its start, its end (half-open), its
 * parent in the union-find and its value, one i32 array each, then the first run of each row.
 */
// @ts-ignore: decorator
@inline function startsOf(work: usize): usize {
  return work;
}
// @ts-ignore: decorator
@inline function endsOf(work: usize, capacity: i32): usize {
  return work + (<usize>capacity << 2);
}
// @ts-ignore: decorator
@inline function parentsOf(work: usize, capacity: i32): usize {
  return work + (<usize>capacity << 3);
}
// @ts-ignore: decorator
@inline function valuesOf(work: usize, capacity: i32): usize {
  return work + <usize>capacity * 12;
}
// @ts-ignore: decorator
@inline function rowFirstOf(work: usize, capacity: i32): usize {
  return work + (<usize>capacity << 4);
}

// @ts-ignore: decorator
@inline function at32(array: usize, i: i32): usize {
  return array + (<usize>i << 2);
}

/** Appends run r = [start, end) of value v, its own root; returns r + 1. */
// @ts-ignore: decorator
@inline function addRun(work: usize, cap: i32, r: i32, start: i32, end: i32, v: i32): i32 {
  store<i32>(at32(startsOf(work), r), start);
  store<i32>(at32(endsOf(work, cap), r), end);
  store<i32>(at32(parentsOf(work, cap), r), r);
  store<i32>(at32(valuesOf(work, cap), r), v);
  return r + 1;
}

/** addRun for a mask: its value is 1, which pass 2 knows without reading it. */
// @ts-ignore: decorator
@inline function addMaskRun(work: usize, cap: i32, r: i32, start: i32, end: i32): i32 {
  store<i32>(at32(startsOf(work), r), start);
  store<i32>(at32(endsOf(work, cap), r), end);
  store<i32>(at32(parentsOf(work, cap), r), r);
  return r + 1;
}

/** Lists the runs of one row as runs r, r + 1, …; returns the next free run. */
function scanRow<T>(work: usize, cap: i32, r: i32, row: usize, nx: i32, perClass: bool): i32 {
  const size = <usize>sizeof<T>();
  let x = 0;
  if (ASC_FEATURE_SIMD && sizeof<T>() == 1 && !perClass) {
    // Transitions 64 bytes at a time: bit i of `edges` is set where voxel x + i differs from
    // the one before it (in the mask or not).
    let inside = false, start = 0;
    for (; x + 64 <= nx; x += 64) {
      const bits = nonZero64(row + <usize>x);
      let edges = bits ^ ((bits << 1) | <u64>inside);
      while (edges != 0) {
        const at = x + <i32>ctz(edges);
        if (inside) r = addMaskRun(work, cap, r, start, at);
        else start = at;
        inside = !inside;
        edges &= edges - 1;
      }
    }
    for (; x < nx; x++) {
      const set = load<u8>(row + <usize>x) != 0;
      if (set == inside) continue;
      if (inside) r = addMaskRun(work, cap, r, start, x);
      else start = x;
      inside = set;
    }
    if (inside) r = addMaskRun(work, cap, r, start, nx);
    return r;
  }
  // One voxel at a time: a run ends where the value changes (per class) or leaves the mask.
  let current = 0, start = 0;
  for (; x < nx; x++) {
    const at = row + <usize>x * size;
    const v = perClass ? valueAt<T>(at) : (inMask<T>(at) ? 1 : 0);
    if (v == current) continue;
    if (current != 0) r = addRun(work, cap, r, start, x, current);
    current = v;
    start = x;
  }
  if (current != 0) r = addRun(work, cap, r, start, nx, current);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Union-find over the runs: a root is the smallest run of its tree, so parent[r] ≤ r.

// @ts-ignore: decorator
@inline function find(parents: usize, r: i32): i32 {
  let p = load<i32>(at32(parents, r));
  while (p != r) {
    // Path halving: point r at its grandparent and go there.
    const grand = load<i32>(at32(parents, p));
    store<i32>(at32(parents, r), grand);
    r = grand;
    p = load<i32>(at32(parents, r));
  }
  return r;
}


/**
 * Unites the runs [a, aEnd) of a row with the runs [b, bEnd) of a neighbouring row that touch
 * them (`touch` STRICT or EXTENDED; per class, of equal value). Both lists are sorted: a run of
 * the neighbour row that ends before a run of this row starts (minus the slack) can touch no
 * later run of this row either, so `b` only moves forward.
 */
function uniteRows(work: usize, cap: i32, a: i32, aEnd: i32, b: i32, bEnd: i32, touch: i32, perClass: bool): void {
  const slack = touch == EXTENDED ? 1 : 0;
  const starts = startsOf(work), ends = endsOf(work, cap), values = valuesOf(work, cap), parents = parentsOf(work, cap);
  for (; a < aEnd; a++) {
    const sa = load<i32>(at32(starts, a)), ea = load<i32>(at32(ends, a)) + slack;
    while (b < bEnd && load<i32>(at32(ends, b)) + slack <= sa) b++;
    // a's root, kept up to date as a's tree is linked under others.
    let root = -1;
    for (let k = b; k < bEnd && load<i32>(at32(starts, k)) < ea; k++) {
      if (perClass && load<i32>(at32(values, a)) != load<i32>(at32(values, k))) continue;
      if (root < 0) root = find(parents, a);
      const other = find(parents, k);
      if (other < root) {
        store<i32>(at32(parents, root), other);
        root = other;
      } else if (root < other) {
        store<i32>(at32(parents, other), root);
      }
    }
  }
}

/**
 * Pass 1: the runs of every row, each united with the runs it touches in the rows before it.
 * Returns the number of runs.
 */
function linkRuns<T>(work: usize, cap: i32, mask: usize, nx: i32, ny: i32, nz: i32, connectivity: i32, perClass: bool): i32 {
  // The previous row of the plane: corners join in 8, 18 and 26. The same row of the previous
  // plane: edges join in 18 and 26. The rows beside it (y ± 1 of the previous plane): their
  // faces are edges of the voxel (18, 26), their edges its corners (26).
  const inPlane = connectivity == 4 || connectivity == 6 ? STRICT : EXTENDED;
  const below = connectivity == 6 ? STRICT : EXTENDED;
  const diagonal = connectivity == 26 ? EXTENDED : connectivity == 18 ? STRICT : NONE;
  const rowBytes = <usize>nx * sizeof<T>();
  let r = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = z * ny + y;
      const first = r;
      store<i32>(at32(rowFirstOf(work, cap), row), first);
      r = scanRow<T>(work, cap, r, mask + <usize>row * rowBytes, nx, perClass);
      if (r == first) continue;
      if (y > 0) {
        uniteRows(work, cap, first, r, load<i32>(at32(rowFirstOf(work, cap), row - 1)), first, inPlane, perClass);
      }
      if (z > 0) {
        const back = row - ny;
        const backFirst = load<i32>(at32(rowFirstOf(work, cap), back)), backEnd = load<i32>(at32(rowFirstOf(work, cap), back + 1));
        uniteRows(work, cap, first, r, backFirst, backEnd, below, perClass);
        if (diagonal != NONE) {
          if (y > 0) uniteRows(work, cap, first, r, load<i32>(at32(rowFirstOf(work, cap), back - 1)), backFirst, diagonal, perClass);
          if (y + 1 < ny) {
            uniteRows(work, cap, first, r, backEnd, load<i32>(at32(rowFirstOf(work, cap), back + 2)), diagonal, perClass);
          }
        }
      }
    }
  }
  store<i32>(at32(rowFirstOf(work, cap), ny * nz), r);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Pass 2 and 3.

/** Fills out[from, to) (i32) with v, and may write v up to 3 voxels past `to` (4 at a time). */
// @ts-ignore: decorator
@inline function fillSpill(out: usize, from: i32, to: i32, v: i32): void {
  if (ASC_FEATURE_SIMD) {
    const splat = i32x4.splat(v);
    for (let x = from; x < to; x += 4) v128.store(at32(out, x), splat);
  } else {
    for (let x = from; x < to; x++) store<i32>(at32(out, x), v);
  }
}

/** Fills out[from, to) (i32) with v. */
function fill32(out: usize, from: i32, to: i32, v: i32): void {
  let x = from;
  if (ASC_FEATURE_SIMD) {
    const splat = i32x4.splat(v);
    for (; x + 8 <= to; x += 8) {
      v128.store(at32(out, x), splat);
      v128.store(at32(out, x), splat, 16);
    }
  }
  for (; x < to; x++) store<i32>(at32(out, x), v);
}

/**
 * Labels the components of one sample of `mask` (nx × ny × nz elements of T, x fastest; non-zero
 * voxels, or with `perClass` voxels of equal non-zero value, are joined through `connectivity`).
 * WRITES labels (i32 per voxel: 0 for background, else 1…count in the raster order of each
 * component's first voxel) unless `labels` is 0, and at `stats` one COMP_STRIDE i32 record per
 * component (COMP_*: voxels, the half-open box, the value of its voxels: 1 for a mask), which
 * needs room for `runs` records. Components of fewer than `minSize` voxels are dropped (labelled
 * 0, and the others renumbered in order). `runs` is countRuns(mask …); `work` holds
 * componentsWorkBytes(runs, ny·nz) bytes. Returns the number of components.
 */
function labelComponents<T>(
  labels: usize, stats: usize, mask: usize, nx: i32, ny: i32, nz: i32, connectivity: i32, perClass: bool,
  minSize: i32, runs: i32, work: usize,
): i32 {
  const cap = runs;
  const total = linkRuns<T>(work, cap, mask, nx, ny, nz, connectivity, perClass);

  // Pass 2: a root's label is the next number; any other run takes its parent's, which has its
  // root's by then (parent ≤ run). Labels go where the values were: a component's value is its root's.
  let count = 0;
  for (let r = 0; r < total; r++) {
    const p = load<i32>(at32(parentsOf(work, cap), r));
    let label: i32;
    if (p == r) {
      label = ++count;
      const rec = stats + <usize>(label - 1) * (<usize>COMP_STRIDE << 2);
      store<i32>(at32(rec, COMP_SIZE), 0);
      store<i32>(at32(rec, COMP_X0), nx); store<i32>(at32(rec, COMP_X1), 0);
      store<i32>(at32(rec, COMP_Y0), ny); store<i32>(at32(rec, COMP_Y1), 0);
      store<i32>(at32(rec, COMP_Z0), nz); store<i32>(at32(rec, COMP_Z1), 0);
      store<i32>(at32(rec, COMP_VALUE), perClass ? load<i32>(at32(valuesOf(work, cap), r)) : 1);
    } else {
      label = load<i32>(at32(valuesOf(work, cap), p));
    }
    store<i32>(at32(valuesOf(work, cap), r), label);
  }
  // Sizes and boxes, row by row.
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const row = z * ny + y;
      const end = load<i32>(at32(rowFirstOf(work, cap), row + 1));
      for (let r = load<i32>(at32(rowFirstOf(work, cap), row)); r < end; r++) {
        const rec = stats + <usize>(load<i32>(at32(valuesOf(work, cap), r)) - 1) * (<usize>COMP_STRIDE << 2);
        const s = load<i32>(at32(startsOf(work), r)), e = load<i32>(at32(endsOf(work, cap), r));
        store<i32>(at32(rec, COMP_SIZE), load<i32>(at32(rec, COMP_SIZE)) + e - s);
        store<i32>(at32(rec, COMP_X0), min(load<i32>(at32(rec, COMP_X0)), s));
        store<i32>(at32(rec, COMP_X1), max(load<i32>(at32(rec, COMP_X1)), e));
        store<i32>(at32(rec, COMP_Y0), min(load<i32>(at32(rec, COMP_Y0)), y));
        store<i32>(at32(rec, COMP_Y1), max(load<i32>(at32(rec, COMP_Y1)), y + 1));
        store<i32>(at32(rec, COMP_Z0), min(load<i32>(at32(rec, COMP_Z0)), z));
        store<i32>(at32(rec, COMP_Z1), z + 1);
      }
    }
  }
  if (minSize > 1) count = dropSmall(work, cap, stats, count, total, minSize);

  // Pass 3: each row's runs and the gaps between them, in increasing order: a segment may be
  // written 4 voxels at a time past its end, since the next segment (the next row's first, after
  // a row's last) overwrites what it spilled; only the sample's last row is written exactly.
  if (labels != 0) {
    const rows = ny * nz;
    for (let row = 0; row < rows; row++) {
      const out = labels + <usize>row * (<usize>nx << 2);
      const end = load<i32>(at32(rowFirstOf(work, cap), row + 1));
      let x = 0;
      if (row + 1 < rows) {
        for (let r = load<i32>(at32(rowFirstOf(work, cap), row)); r < end; r++) {
          const s = load<i32>(at32(startsOf(work), r)), e = load<i32>(at32(endsOf(work, cap), r));
          fillSpill(out, x, s, 0);
          fillSpill(out, s, e, load<i32>(at32(valuesOf(work, cap), r)));
          x = e;
        }
        fillSpill(out, x, nx, 0);
      } else {
        for (let r = load<i32>(at32(rowFirstOf(work, cap), row)); r < end; r++) {
          const s = load<i32>(at32(startsOf(work), r)), e = load<i32>(at32(endsOf(work, cap), r));
          fill32(out, x, s, 0);
          fill32(out, s, e, load<i32>(at32(valuesOf(work, cap), r)));
          x = e;
        }
        fill32(out, x, nx, 0);
      }
    }
  }
  return count;
}

/**
 * Drops the components of fewer than minSize voxels: the others keep their order and are
 * renumbered 1, 2, …, their records moved down; every run takes its component's new label (0
 * for a dropped one). Returns how many are left.
 */
function dropSmall(work: usize, cap: i32, stats: usize, count: i32, total: i32, minSize: i32): i32 {
  const recordBytes = <usize>COMP_STRIDE << 2;
  // The new label of old label L goes to parents[L − 1] (the tree is no longer needed).
  let kept = 0;
  for (let label = 1; label <= count; label++) {
    const rec = stats + <usize>(label - 1) * recordBytes;
    if (load<i32>(at32(rec, COMP_SIZE)) < minSize) {
      store<i32>(at32(parentsOf(work, cap), label - 1), 0);
      continue;
    }
    kept++;
    if (kept != label) memory.copy(stats + <usize>(kept - 1) * recordBytes, rec, recordBytes);
    store<i32>(at32(parentsOf(work, cap), label - 1), kept);
  }
  for (let r = 0; r < total; r++) {
    store<i32>(at32(valuesOf(work, cap), r), load<i32>(at32(parentsOf(work, cap), load<i32>(at32(valuesOf(work, cap), r)) - 1)));
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------
// Dilation.

/**
 * One step of binary dilation with the structuring element of connectivity 2 (scipy's
 * generate_binary_structure(rank, 2): a voxel and its neighbours along at most two axes at
 * once — 3 voxels in 1D, the 3 × 3 square in 2D, 18 neighbours in 3D), voxels outside the image
 * counting as background: WRITES out[i] = 1 where mask[i] or one of those neighbours is non-zero,
 * else 0 (bytes, nx × ny × nz, x fastest; out and mask must not overlap). `scratch` holds
 * nx·ny·nz bytes: the mask dilated along x.
 */
export function dilateMask(out: usize, mask: usize, nx: i32, ny: i32, nz: i32, scratch: usize): void {
  const rows = ny * nz;
  // Along x: wide[x] = mask[x − 1] | mask[x] | mask[x + 1], as 0 or 1.
  for (let row = 0; row < rows; row++) {
    const src = mask + <usize>row * <usize>nx, dst = scratch + <usize>row * <usize>nx;
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const zero = i8x16.splat(0), one = i8x16.splat(1);
      // Whole vectors strictly inside the row (x − 1 and x + 16 readable).
      x = 1;
      for (; x + 17 <= nx; x += 16) {
        const any = v128.or(v128.or(v128.load(src + <usize>x - 1), v128.load(src + <usize>x)), v128.load(src + <usize>x + 1));
        v128.store(dst + <usize>x, v128.and(v128.not(i8x16.eq(any, zero)), one));
      }
      widen1(src, dst, 0, nx);
    }
    for (; x < nx; x++) widen1(src, dst, x, nx);
  }
  // Across rows: out = wide(y, z) | wide(y ± 1, z) | wide(y, z ± 1) | mask(y ± 1, z ± 1).
  const plane = <usize>nx * <usize>ny;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const at = (<usize>z * <usize>ny + <usize>y) * <usize>nx;
      const dst = out + at;
      memory.copy(dst, scratch + at, <usize>nx);
      if (y > 0) orRow(dst, scratch + at - <usize>nx, nx);
      if (y + 1 < ny) orRow(dst, scratch + at + <usize>nx, nx);
      if (z > 0) {
        orRow(dst, scratch + at - plane, nx);
        if (y > 0) orRow(dst, mask + at - plane - <usize>nx, nx);
        if (y + 1 < ny) orRow(dst, mask + at - plane + <usize>nx, nx);
      }
      if (z + 1 < nz) {
        orRow(dst, scratch + at + plane, nx);
        if (y > 0) orRow(dst, mask + at + plane - <usize>nx, nx);
        if (y + 1 < ny) orRow(dst, mask + at + plane + <usize>nx, nx);
      }
    }
  }
}

/** dst[x] = 1 if src[x − 1], src[x] or src[x + 1] (inside the row of n) is non-zero, else 0. */
// @ts-ignore: decorator
@inline function widen1(src: usize, dst: usize, x: i32, n: i32): void {
  let any = <u32>load<u8>(src + <usize>x);
  if (x > 0) any |= load<u8>(src + <usize>x - 1);
  if (x + 1 < n) any |= load<u8>(src + <usize>x + 1);
  store<u8>(dst + <usize>x, any != 0 ? 1 : 0);
}

/** dst[x] |= (src[x] != 0) for x < n. */
function orRow(dst: usize, src: usize, n: i32): void {
  let x = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = i8x16.splat(0), one = i8x16.splat(1);
    for (; x + 16 <= n; x += 16) {
      const set = v128.and(v128.not(i8x16.eq(v128.load(src + <usize>x), zero)), one);
      v128.store(dst + <usize>x, v128.or(v128.load(dst + <usize>x), set));
    }
  }
  for (; x < n; x++) if (load<u8>(src + <usize>x) != 0) store<u8>(dst + <usize>x, 1);
}

// ---------------------------------------------------------------------------------------------
// Exports per element type.

export function countRuns_u8(mask: usize, nx: i32, rows: i32, perClass: bool): i32 {
  return countRuns<u8>(mask, nx, rows, perClass);
}
export function countRuns_u16(mask: usize, nx: i32, rows: i32, perClass: bool): i32 {
  return countRuns<u16>(mask, nx, rows, perClass);
}
export function countRuns_i32(mask: usize, nx: i32, rows: i32, perClass: bool): i32 {
  return countRuns<i32>(mask, nx, rows, perClass);
}
export function countRuns_f32(mask: usize, nx: i32, rows: i32, perClass: bool): i32 {
  return countRuns<f32>(mask, nx, rows, perClass);
}

export function labelComponents_u8(
  labels: usize, stats: usize, mask: usize, nx: i32, ny: i32, nz: i32, connectivity: i32, perClass: bool,
  minSize: i32, runs: i32, work: usize,
): i32 {
  return labelComponents<u8>(labels, stats, mask, nx, ny, nz, connectivity, perClass, minSize, runs, work);
}
export function labelComponents_u16(
  labels: usize, stats: usize, mask: usize, nx: i32, ny: i32, nz: i32, connectivity: i32, perClass: bool,
  minSize: i32, runs: i32, work: usize,
): i32 {
  return labelComponents<u16>(labels, stats, mask, nx, ny, nz, connectivity, perClass, minSize, runs, work);
}
export function labelComponents_i32(
  labels: usize, stats: usize, mask: usize, nx: i32, ny: i32, nz: i32, connectivity: i32, perClass: bool,
  minSize: i32, runs: i32, work: usize,
): i32 {
  return labelComponents<i32>(labels, stats, mask, nx, ny, nz, connectivity, perClass, minSize, runs, work);
}
export function labelComponents_f32(
  labels: usize, stats: usize, mask: usize, nx: i32, ny: i32, nz: i32, connectivity: i32, perClass: bool,
  minSize: i32, runs: i32, work: usize,
): i32 {
  return labelComponents<f32>(labels, stats, mask, nx, ny, nz, connectivity, perClass, minSize, runs, work);
}
