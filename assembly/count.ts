// Row counters of the confusion kernel: `n` consecutive voxels. Each ADDS exact counts to
// confusion records (constants.ts, CONF_*), so the voxels of a sample can arrive in pieces.
// Counts live in integer lanes and are folded into the f64 records before a lane can wrap,
// so they are exact at any size (f64 holds integers exactly up to 2^53).
import { CONF_PRED, CONF_STRIDE, CONF_TARGET, CONF_TP, CONF_VALID } from "./constants";
import { countLanes, eqLabels, foldLanes, lanesOf, neLabels, splatLabel, sumLanesU32 } from "./lanes";
import { label1, labels4 } from "./values";

/**
 * The SIMD build counts a label map with one compare pass per class over each block (the block
 * stays in L1) while C × sizeof(T) is at most this; beyond it one pass of histograms, whose cost
 * per voxel does not depend on C, is cheaper (see countLabelHistograms). Measured on u8 maps:
 * ~0.04 ns per voxel and class for the passes, ~0.9 ns per voxel for the histograms.
 */
const CLASS_PASS_BYTES: i32 = 20;

/** Histograms of countLabelHistograms, each voxel going to the one of its index modulo WAYS. */
const WAYS: i32 = 4;

/**
 * Bins of each histogram of countLabelHistograms: C classes, one for the labels outside [0, C),
 * one for the ignored voxels. u8 labels get a bin for each of their 256 values instead, so that
 * no label needs a range check.
 */
// @ts-ignore: decorator
@inline function binsOf<T>(C: i32): i32 {
  return sizeof<T>() == 1 ? max(C, 256) + 2 : C + 2;
}

/**
 * Voxels of a u8 map whose bin offsets the SIMD build computes at once, in vectors, before it
 * bumps their bins (offsets of u8 labels' bins fit u16).
 */
const OFFSET_CHUNK: i32 = 256;

/** Bytes of scratch countLabels needs for C classes (its histograms, for any label type, and the u8 offsets). */
export function histogramBytes(C: i32): usize {
  return <usize>WAYS * <usize>(max(C, 256) + 2) * 12 + (<usize>OFFSET_CHUNK << 2);
}

/** Vector iterations a u8 lane count can take before it must be folded. */
const LANE_ROUNDS: i32 = 255;

/** Address of class c's record, given the record of class 0 of the same sample. */
// @ts-ignore: decorator
@inline export function recordOf(rec0: usize, c: i32): usize {
  return rec0 + ((<usize>c * <usize>CONF_STRIDE) << 3);
}

// @ts-ignore: decorator
@inline function addCount(rec: usize, slot: i32, v: f64): void {
  const at = rec + (<usize>slot << 3);
  store<f64>(at, load<f64>(at) + v);
}

/**
 * Adds one row's counts. `swapped`: the row was counted with prediction and target exchanged
 * (the dense side passed as `pred`), so its prediction count is the record's target count.
 */
// @ts-ignore: decorator
@inline function addCounts(rec: usize, tp: f64, predicted: f64, actual: f64, valid: f64, swapped: bool): void {
  addCount(rec, CONF_TP, tp);
  addCount(rec, swapped ? CONF_TARGET : CONF_PRED, predicted);
  addCount(rec, swapped ? CONF_PRED : CONF_TARGET, actual);
  addCount(rec, CONF_VALID, valid);
}

/**
 * Two label maps of one sample, every class c < C at once: the prediction says c where
 * pred == c, the target where target == c; voxels whose target is ignoreIndex (when
 * `hasIgnore`) are not counted. Labels outside [0, C) add to no class but still to VALID,
 * which is how the caller detects them. `rec0` is the record of class 0 of the sample.
 */
export function countLabels<T>(
  rec0: usize, pred: usize, target: usize, n: i32, C: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  if (ASC_FEATURE_SIMD && C * <i32>sizeof<T>() <= CLASS_PASS_BYTES) {
    const done = hasIgnore
      ? countLabelPassesIgnoring<T>(rec0, pred, target, n, C, ignoreIndex)
      : countLabelPassesAll<T>(rec0, pred, target, n, C);
    const at = <usize>done * sizeof<T>();
    countLabelVoxels<T>(rec0, pred + at, target + at, n - done, C, ignoreIndex, hasIgnore);
    return;
  }
  if (hasIgnore) countLabelHistogramsIgnoring<T>(rec0, pred, target, n, C, ignoreIndex, scratch);
  else countLabelHistogramsAll<T>(rec0, pred, target, n, C, scratch);
}

function countLabelHistogramsAll<T>(rec0: usize, pred: usize, target: usize, n: i32, C: i32, scratch: usize): void {
  countLabelHistograms<T>(rec0, pred, target, n, C, 0, false, scratch);
}

function countLabelHistogramsIgnoring<T>(
  rec0: usize, pred: usize, target: usize, n: i32, C: i32, ignoreIndex: i32, scratch: usize,
): void {
  countLabelHistograms<T>(rec0, pred, target, n, C, ignoreIndex, true, scratch);
}

/**
 * Every class at once in one pass over the voxels, at a cost per voxel that does not depend on C:
 * WAYS sets of histograms (scratch: histogramBytes(C)), voxel i going to set i mod WAYS so that
 * runs of equal labels do not wait on one counter; the WAYS bins of one label are adjacent. Per
 * voxel, one u32 bin of its predicted label counts it, in two halves: those whose target says the
 * same (TP) and the others (PRED = both); one u32 bin of its target label counts TARGET. Labels
 * outside [0, C) go to bins past C (their own for u8), ignored voxels (target ignoreIndex) to the
 * last bin of both, whose TARGET count is what VALID leaves out. No count reaches 2^31 (n is an i32).
 */
// @ts-ignore: decorator
@inline function countLabelHistograms<T>(
  rec0: usize, pred: usize, target: usize, n: i32, C: i32, ignoreIndex: i32, hasIgnore: bool, scratch: usize,
): void {
  const size = <usize>sizeof<T>(), bins = <u32>binsOf<T>(C);
  const pairs = scratch, targets = scratch + ((<usize>WAYS * <usize>bins) << 3);
  memory.fill(scratch, 0, histogramBytes(C));
  const outside = bins - 2, skipped = bins - 1, ignored = <u32>ignoreIndex;
  let i = 0;
  if (ASC_FEATURE_SIMD && size == 1) {
    i = bumpBytes(pairs, targets, targets + ((<usize>WAYS * <usize>bins) << 2), pred, target, n, skipped, ignoreIndex, hasIgnore);
  }
  for (; i + WAYS <= n; i += WAYS) {
    const p = pred + <usize>i * size, t = target + <usize>i * size;
    bump<T>(pairs, targets, p, t, 0, size, outside, skipped, ignored, hasIgnore);
    bump<T>(pairs, targets, p, t, 1, size, outside, skipped, ignored, hasIgnore);
    bump<T>(pairs, targets, p, t, 2, size, outside, skipped, ignored, hasIgnore);
    bump<T>(pairs, targets, p, t, 3, size, outside, skipped, ignored, hasIgnore);
  }
  for (; i < n; i++) {
    bump<T>(pairs, targets, pred + <usize>i * size, target + <usize>i * size, 0, size, outside, skipped, ignored, hasIgnore);
  }
  for (let c = 0; c < C; c++) {
    let tp: f64 = 0, other: f64 = 0, actual: f64 = 0;
    for (let w = 0; w < WAYS; w++) {
      other += <f64>load<u32>(pairs + ((<usize>((2 * c) * WAYS + w)) << 2));
      tp += <f64>load<u32>(pairs + ((<usize>((2 * c + 1) * WAYS + w)) << 2));
      actual += <f64>load<u32>(targets + ((<usize>(c * WAYS + w)) << 2));
    }
    addCounts(recordOf(rec0, c), tp, tp + other, actual, 0, false);
  }
  let valid = <f64>n;
  if (hasIgnore) {
    for (let w: u32 = 0; w < <u32>WAYS; w++) valid -= <f64>load<u32>(targets + ((<usize>(skipped * WAYS + w)) << 2));
  }
  for (let c = 0; c < C; c++) addCount(recordOf(rec0, c), CONF_VALID, valid);
}

/**
 * The whole vectors of a u8 map into the histograms of countLabelHistograms: per chunk, the byte
 * offsets of each voxel's two bins are computed sixteen voxels at a time (compare, widen, shift),
 * then the bins are bumped one after another. Returns how many voxels it counted.
 */
// @ts-ignore: decorator
@inline function bumpBytes(
  pairs: usize, targets: usize, offsets: usize, pred: usize, target: usize, n: i32, skipped: u32, ignoreIndex: i32,
  hasIgnore: bool,
): i32 {
  const pairOffsets = offsets, targetOffsets = offsets + (<usize>OFFSET_CHUNK << 1);
  const way = i16x8(0, 4, 8, 12, 0, 4, 8, 12), half = i16x8.splat(16);
  const skipPair = v128.or(i16x8.splat(<i16>(skipped << 5)), way), skipTarget = v128.or(i16x8.splat(<i16>(skipped << 4)), way);
  const ign = i8x16.splat(<i8>ignoreIndex);
  const whole = n & ~15;
  let i = 0;
  while (i < whole) {
    const count = min(whole - i, OFFSET_CHUNK);
    for (let j = 0; j < count; j += 16) {
      const pv = v128.load(pred + <usize>(i + j)), tv = v128.load(target + <usize>(i + j));
      const same = i8x16.eq(pv, tv), skip = hasIgnore ? i8x16.eq(tv, ign) : i32x4.splat(0);
      const po = pairOffsets + (<usize>j << 1), to = targetOffsets + (<usize>j << 1);
      offsetsOf(po, to, pv, tv, same, skip, way, half, skipPair, skipTarget, hasIgnore, false);
      offsetsOf(po + 16, to + 16, pv, tv, same, skip, way, half, skipPair, skipTarget, hasIgnore, true);
    }
    for (let j = 0; j < count; j += 4) {
      const po = pairOffsets + (<usize>j << 1), to = targetOffsets + (<usize>j << 1);
      bumpAt(pairs, targets, po, to);
      bumpAt(pairs, targets, po + 2, to + 2);
      bumpAt(pairs, targets, po + 4, to + 4);
      bumpAt(pairs, targets, po + 6, to + 6);
    }
    i += count;
  }
  return whole;
}

/** The u16 bin offsets of eight voxels of a u8 map (the `high` half of sixteen), see bumpBytes. */
// @ts-ignore: decorator
@inline function offsetsOf(
  pairOffsets: usize, targetOffsets: usize, pv: v128, tv: v128, same: v128, skip: v128, way: v128, half: v128,
  skipPair: v128, skipTarget: v128, hasIgnore: bool, high: bool,
): void {
  const pl = high ? i16x8.extend_high_i8x16_u(pv) : i16x8.extend_low_i8x16_u(pv);
  const tl = high ? i16x8.extend_high_i8x16_u(tv) : i16x8.extend_low_i8x16_u(tv);
  const eq = high ? i16x8.extend_high_i8x16_s(same) : i16x8.extend_low_i8x16_s(same);
  let po = v128.or(v128.or(i16x8.shl(pl, 5), v128.and(eq, half)), way);
  let to = v128.or(i16x8.shl(tl, 4), way);
  if (hasIgnore) {
    const s = high ? i16x8.extend_high_i8x16_s(skip) : i16x8.extend_low_i8x16_s(skip);
    po = v128.bitselect(skipPair, po, s);
    to = v128.bitselect(skipTarget, to, s);
  }
  v128.store(pairOffsets, po);
  v128.store(targetOffsets, to);
}

/** One voxel's two bins, at the offsets stored at po and to, bumped. */
// @ts-ignore: decorator
@inline function bumpAt(pairs: usize, targets: usize, po: usize, to: usize): void {
  const pair = pairs + <usize>load<u16>(po), target = targets + <usize>load<u16>(to);
  store<u32>(pair, load<u32>(pair) + 1);
  store<u32>(target, load<u32>(target) + 1);
}

/** Voxel `way` at p, t into bin `way` of its labels (the histograms of countLabelHistograms). */
// @ts-ignore: decorator
@inline function bump<T>(
  pairs: usize, targets: usize, p: usize, t: usize, way: i32, size: usize, outside: u32, skipped: u32, ignored: u32,
  hasIgnore: bool,
): void {
  const pl = <u32>label1<T>(p + <usize>way * size), tl = <u32>label1<T>(t + <usize>way * size);
  // u8 labels have bins of their own, in range or not.
  let pi = size == 1 ? pl : select<u32>(pl, outside, pl < outside);
  let ti = size == 1 ? tl : select<u32>(tl, outside, tl < outside);
  if (hasIgnore) {
    const skip = tl == ignored;
    pi = select<u32>(skipped, pi, skip);
    ti = select<u32>(skipped, ti, skip);
  }
  const pair = pairs + ((<usize>pi << 5) + (<usize>(pl == tl) << 4) + (<usize>way << 2));
  const count = targets + ((<usize>ti << 4) + (<usize>way << 2));
  store<u32>(pair, load<u32>(pair) + 1);
  store<u32>(count, load<u32>(count) + 1);
}

// Two functions, not one with a flag: binaryen merges code that differs only in a constant
// into one loop that tests the flag at run time (measured 2.4× slower).
function countLabelPassesAll<T>(rec0: usize, pred: usize, target: usize, n: i32, C: i32): i32 {
  return countLabelPasses<T>(rec0, pred, target, n, C, 0, false);
}

function countLabelPassesIgnoring<T>(rec0: usize, pred: usize, target: usize, n: i32, C: i32, ignoreIndex: i32): i32 {
  return countLabelPasses<T>(rec0, pred, target, n, C, ignoreIndex, true);
}

/**
 * The SIMD body of countLabels: whole vectors only; returns how many voxels it counted. Per
 * block of LANE_ROUNDS vectors: the valid count once, then one compare pass per class (C is
 * small here: every class fits the label type).
 */
// @ts-ignore: decorator
@inline function countLabelPasses<T>(
  rec0: usize, pred: usize, target: usize, n: i32, C: i32, ignoreIndex: i32, hasIgnore: bool,
): i32 {
  const lanes = lanesOf<T>(), size = <usize>sizeof<T>();
  const whole = n - n % lanes;
  const ign = splatLabel<T>(ignoreIndex);
  for (let start = 0; start < whole; start += LANE_ROUNDS * lanes) {
    const end = min(whole, start + LANE_ROUNDS * lanes);
    let valid = <f64>(end - start);
    if (hasIgnore) {
      let kept = i32x4.splat(0);
      for (let i = start; i < end; i += lanes) {
        kept = countLanes<T>(kept, neLabels<T>(v128.load(target + <usize>i * size), ign));
      }
      valid = foldLanes<T>(kept);
    }
    for (let c = 0; c < C; c++) {
      const cls = splatLabel<T>(c);
      let tp = i32x4.splat(0), predicted = i32x4.splat(0), actual = i32x4.splat(0);
      let i = start;
      // Unrolled ×4: measured 1.4× faster than one vector per iteration here.
      for (; i + 4 * lanes <= end; i += 4 * lanes) {
        const at = <usize>i * size;
        const t0 = v128.load(target + at), t1 = v128.load(target + at, 16);
        const t2 = v128.load(target + at, 32), t3 = v128.load(target + at, 48);
        const p0 = hit<T>(v128.load(pred + at), cls, t0, ign, hasIgnore);
        const p1 = hit<T>(v128.load(pred + at, 16), cls, t1, ign, hasIgnore);
        const p2 = hit<T>(v128.load(pred + at, 32), cls, t2, ign, hasIgnore);
        const p3 = hit<T>(v128.load(pred + at, 48), cls, t3, ign, hasIgnore);
        const y0 = hit<T>(t0, cls, t0, ign, hasIgnore), y1 = hit<T>(t1, cls, t1, ign, hasIgnore);
        const y2 = hit<T>(t2, cls, t2, ign, hasIgnore), y3 = hit<T>(t3, cls, t3, ign, hasIgnore);
        tp = countLanes<T>(countLanes<T>(countLanes<T>(countLanes<T>(tp, v128.and(p0, y0)), v128.and(p1, y1)), v128.and(p2, y2)), v128.and(p3, y3));
        predicted = countLanes<T>(countLanes<T>(countLanes<T>(countLanes<T>(predicted, p0), p1), p2), p3);
        actual = countLanes<T>(countLanes<T>(countLanes<T>(countLanes<T>(actual, y0), y1), y2), y3);
      }
      for (; i < end; i += lanes) {
        const at = <usize>i * size;
        const t = v128.load(target + at);
        const p = hit<T>(v128.load(pred + at), cls, t, ign, hasIgnore);
        const y = hit<T>(t, cls, t, ign, hasIgnore);
        tp = countLanes<T>(tp, v128.and(p, y));
        predicted = countLanes<T>(predicted, p);
        actual = countLanes<T>(actual, y);
      }
      addCounts(recordOf(rec0, c), foldLanes<T>(tp), foldLanes<T>(predicted), foldLanes<T>(actual), valid, false);
    }
  }
  return whole;
}

/** Lanes where `labels` is class `cls`, at voxels that count (target ≠ ignoreIndex when `hasIgnore`). */
// @ts-ignore: decorator
@inline function hit<T>(labels: v128, cls: v128, target: v128, ign: v128, hasIgnore: bool): v128 {
  let match = eqLabels<T>(labels, cls);
  if (hasIgnore) match = v128.and(match, neLabels<T>(target, ign));
  return match;
}

/** The scalar path of countLabels (and its SIMD tail): per voxel, bump the counts of its labels. */
function countLabelVoxels<T>(
  rec0: usize, pred: usize, target: usize, n: i32, C: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  const size = <usize>sizeof<T>();
  let valid: u32 = 0;
  for (let i = 0; i < n; i++) {
    const t = label1<T>(target + <usize>i * size);
    if (hasIgnore && t == ignoreIndex) continue;
    valid++;
    const p = label1<T>(pred + <usize>i * size);
    if (<u32>p < <u32>C) {
      const rec = recordOf(rec0, p);
      addCount(rec, CONF_PRED, 1);
      if (p == t) addCount(rec, CONF_TP, 1);
    }
    if (<u32>t < <u32>C) addCount(recordOf(rec0, t), CONF_TARGET, 1);
  }
  for (let c = 0; c < C; c++) addCount(recordOf(rec0, c), CONF_VALID, <f64>valid);
}

/** Four dense values as an i32x4 mask: value > threshold (`byThreshold`), else value ≠ 0. */
// @ts-ignore: decorator
@inline function says4<T>(ptr: usize, threshold: v128, byThreshold: bool): v128 {
  if (isFloat<T>()) {
    const v = v128.load(ptr);
    return byThreshold ? f32x4.gt(v, threshold) : f32x4.ne(v, f32x4.splat(0));
  }
  return i32x4.ne(labels4<T>(ptr), i32x4.splat(0));
}

// @ts-ignore: decorator
@inline function says1<T>(ptr: usize, threshold: f32, byThreshold: bool): bool {
  if (isFloat<T>()) {
    const v = load<f32>(ptr);
    return byThreshold ? v > threshold : v != 0;
  }
  return load<T>(ptr) != 0;
}

/**
 * Dense prediction row vs dense target row of one class: the prediction says the class where
 * pred > threshold (`byThreshold`) or pred ≠ 0, the target where target ≠ 0; every voxel
 * counts. P and T are the element types (f32 or u8).
 */
export function countMasks<P, T>(rec: usize, pred: usize, target: usize, n: i32, threshold: f32, byThreshold: bool): void {
  // Only float predictions are thresholded: no threshold loop is compiled for byte masks.
  if (isFloat<P>() && byThreshold) countMaskRow<P, T>(rec, pred, target, n, threshold, true);
  else countMaskRow<P, T>(rec, pred, target, n, threshold, false);
}

// @ts-ignore: decorator
@inline function countMaskRow<P, T>(rec: usize, pred: usize, target: usize, n: i32, threshold: f32, byThreshold: bool): void {
  const ps = <usize>sizeof<P>(), ts = <usize>sizeof<T>();
  let tp: f64 = 0, predicted: f64 = 0, actual: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // i32 lanes take at most n/4 < 2^29 increments: one fold per row.
    const thr = f32x4.splat(threshold);
    let aTP = i32x4.splat(0), aP = i32x4.splat(0), aG = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const p = says4<P>(pred + <usize>i * ps, thr, byThreshold);
      const y = says4<T>(target + <usize>i * ts, thr, false);
      aTP = i32x4.sub(aTP, v128.and(p, y));
      aP = i32x4.sub(aP, p);
      aG = i32x4.sub(aG, y);
    }
    tp = sumLanesU32(aTP); predicted = sumLanesU32(aP); actual = sumLanesU32(aG);
  }
  for (; i < n; i++) {
    const p = says1<P>(pred + <usize>i * ps, threshold, byThreshold);
    const y = says1<T>(target + <usize>i * ts, threshold, false);
    if (p) predicted += 1;
    if (y) actual += 1;
    if (p && y) tp += 1;
  }
  addCounts(rec, tp, predicted, actual, <f64>n, false);
}

/**
 * Dense prediction row of class c vs a label map: the prediction says c as in countMasks,
 * the target where label == c; voxels labelled ignoreIndex (when `hasIgnore`) do not count.
 * `swapped`: see addCounts.
 */
export function countMaskLabels<P, T>(
  rec: usize, pred: usize, labels: usize, n: i32, c: i32, threshold: f32, byThreshold: bool,
  ignoreIndex: i32, hasIgnore: bool, swapped: bool,
): void {
  if (isFloat<P>() && byThreshold) countMaskLabelRow<P, T>(rec, pred, labels, n, c, threshold, true, ignoreIndex, hasIgnore, swapped);
  else countMaskLabelRow<P, T>(rec, pred, labels, n, c, threshold, false, ignoreIndex, hasIgnore, swapped);
}

// @ts-ignore: decorator
@inline function countMaskLabelRow<P, T>(
  rec: usize, pred: usize, labels: usize, n: i32, c: i32, threshold: f32, byThreshold: bool,
  ignoreIndex: i32, hasIgnore: bool, swapped: bool,
): void {
  const ps = <usize>sizeof<P>(), ls = <usize>sizeof<T>();
  let tp: f64 = 0, predicted: f64 = 0, actual: f64 = 0, valid: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const thr = f32x4.splat(threshold);
    const cls = i32x4.splat(c), ign = i32x4.splat(ignoreIndex), keepAll = i32x4.splat(hasIgnore ? 0 : -1);
    let aTP = i32x4.splat(0), aP = i32x4.splat(0), aG = i32x4.splat(0), aN = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const l = labels4<T>(labels + <usize>i * ls);
      const keep = v128.or(i32x4.ne(l, ign), keepAll);
      const p = v128.and(says4<P>(pred + <usize>i * ps, thr, byThreshold), keep);
      const y = v128.and(i32x4.eq(l, cls), keep);
      aTP = i32x4.sub(aTP, v128.and(p, y));
      aP = i32x4.sub(aP, p);
      aG = i32x4.sub(aG, y);
      aN = i32x4.sub(aN, keep);
    }
    tp = sumLanesU32(aTP); predicted = sumLanesU32(aP); actual = sumLanesU32(aG); valid = sumLanesU32(aN);
  }
  for (; i < n; i++) {
    const l = label1<T>(labels + <usize>i * ls);
    if (hasIgnore && l == ignoreIndex) continue;
    const p = says1<P>(pred + <usize>i * ps, threshold, byThreshold);
    const y = l == c;
    valid += 1;
    if (p) predicted += 1;
    if (y) actual += 1;
    if (p && y) tp += 1;
  }
  addCounts(rec, tp, predicted, actual, valid, swapped);
}
