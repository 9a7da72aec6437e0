// Row counters of the confusion kernel: `n` consecutive voxels. Each ADDS exact counts to
// confusion records (constants.ts, CONF_*), so the voxels of a sample can arrive in pieces.
// Counts live in integer lanes and are folded into the f64 records before a lane can wrap,
// so they are exact at any size (f64 holds integers exactly up to 2^53).
import { CONF_PRED, CONF_STRIDE, CONF_TARGET, CONF_TP, CONF_VALID } from "./constants";
import { countLanes, eqLabels, foldLanes, lanesOf, neLabels, splatLabel, sumLanesU32 } from "./lanes";
import { label1, labels4 } from "./values";

/**
 * Up to this many classes the SIMD build counts a label map with one compare pass per class
 * over each block (the block stays in L1); beyond it one pass that bumps the counters of the
 * voxel's labels is cheaper.
 */
const CLASS_PASSES_MAX: i32 = 12;

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
  rec0: usize, pred: usize, target: usize, n: i32, C: i32, ignoreIndex: i32, hasIgnore: bool,
): void {
  let done = 0;
  if (ASC_FEATURE_SIMD) {
    if (C <= CLASS_PASSES_MAX) {
      if (hasIgnore) done = countLabelPasses<T>(rec0, pred, target, n, C, ignoreIndex, true);
      else done = countLabelPasses<T>(rec0, pred, target, n, C, ignoreIndex, false);
    }
  }
  const at = <usize>done * sizeof<T>();
  countLabelVoxels<T>(rec0, pred + at, target + at, n - done, C, ignoreIndex, hasIgnore);
}

/**
 * The SIMD body of countLabels: whole vectors only; returns how many voxels it counted. Per
 * block of LANE_ROUNDS vectors: the valid count once, then one compare pass per class.
 * Classes the label type cannot hold (c ≥ 256 for u8) match no voxel: only VALID is added.
 */
// @ts-ignore: decorator
@inline function countLabelPasses<T>(
  rec0: usize, pred: usize, target: usize, n: i32, C: i32, ignoreIndex: i32, hasIgnore: bool,
): i32 {
  const lanes = lanesOf<T>(), size = <usize>sizeof<T>();
  const whole = n - n % lanes;
  const representable = sizeof<T>() == 4 ? C : min(C, 1 << (<i32>sizeof<T>() << 3));
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
    for (let c = 0; c < representable; c++) {
      const cls = splatLabel<T>(c);
      let tp = i32x4.splat(0), predicted = i32x4.splat(0), actual = i32x4.splat(0);
      for (let i = start; i < end; i += lanes) {
        const at = <usize>i * size;
        const t = v128.load(target + at);
        let p = eqLabels<T>(v128.load(pred + at), cls);
        let y = eqLabels<T>(t, cls);
        if (hasIgnore) {
          const keep = neLabels<T>(t, ign);
          p = v128.and(p, keep);
          y = v128.and(y, keep);
        }
        tp = countLanes<T>(tp, v128.and(p, y));
        predicted = countLanes<T>(predicted, p);
        actual = countLanes<T>(actual, y);
      }
      addCounts(recordOf(rec0, c), foldLanes<T>(tp), foldLanes<T>(predicted), foldLanes<T>(actual), valid, false);
    }
    for (let c = representable; c < C; c++) addCount(recordOf(rec0, c), CONF_VALID, valid);
  }
  return whole;
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
  if (byThreshold) countMaskRow<P, T>(rec, pred, target, n, threshold, true);
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
  if (byThreshold) countMaskLabelRow<P, T>(rec, pred, labels, n, c, threshold, true, ignoreIndex, hasIgnore, swapped);
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
