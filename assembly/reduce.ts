// Row reductions of kernel 1: one class, `n` consecutive voxels. Each ADDS its sums to a
// statistics record (see constants.ts), so rows of one (sample, class) can arrive in pieces.
import { BLOCK, STAT_G, STAT_I, STAT_N, STAT_P } from "./constants";
import { sigmoid1, sigmoid4 } from "./activation";
import { label1, labels4, lanesum, value1, values4 } from "./values";

// @ts-ignore: decorator
@inline function addStat(rec: usize, slot: i32, v: f64): void {
  const at = rec + (<usize>slot << 3);
  store<f64>(at, load<f64>(at) + v);
}

/**
 * Dense target row: I += Σ p·y, P += Σ p (Σ p²), G += Σ y (Σ y²), N += n, with p = pred or
 * σ(pred). `T` is the target's element type (f32 or u8).
 */
export function sumDense<T>(rec: usize, pred: usize, y: usize, n: i32, sigmoid: bool, squared: bool): void {
  if (sigmoid) {
    if (squared) sumDenseRow<T>(rec, pred, y, n, true, true);
    else sumDenseRow<T>(rec, pred, y, n, true, false);
  } else {
    if (squared) sumDenseRow<T>(rec, pred, y, n, false, true);
    else sumDenseRow<T>(rec, pred, y, n, false, false);
  }
}

// @ts-ignore: decorator
@inline function sumDenseRow<T>(rec: usize, pred: usize, y: usize, n: i32, sigmoid: bool, squared: bool): void {
  const ys = <usize>sizeof<T>();
  let sI: f64 = 0, sP: f64 = 0, sG: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Two accumulator sets, unrolled ×2: more live v128 values make V8 spill.
    const n8 = n & ~7;
    while (i < n8) {
      const end = min(n8, i + BLOCK);
      let i0 = f32x4.splat(0), p0 = f32x4.splat(0), g0 = f32x4.splat(0);
      let i1 = f32x4.splat(0), p1 = f32x4.splat(0), g1 = f32x4.splat(0);
      for (; i < end; i += 8) {
        const at = pred + (<usize>i << 2);
        let x0 = v128.load(at), x1 = v128.load(at, 16);
        if (sigmoid) { x0 = sigmoid4(x0); x1 = sigmoid4(x1); }
        const y0 = values4<T>(y + <usize>i * ys), y1 = values4<T>(y + <usize>(i + 4) * ys);
        i0 = f32x4.add(i0, f32x4.mul(x0, y0));
        i1 = f32x4.add(i1, f32x4.mul(x1, y1));
        if (squared) {
          p0 = f32x4.add(p0, f32x4.mul(x0, x0)); p1 = f32x4.add(p1, f32x4.mul(x1, x1));
          g0 = f32x4.add(g0, f32x4.mul(y0, y0)); g1 = f32x4.add(g1, f32x4.mul(y1, y1));
        } else {
          p0 = f32x4.add(p0, x0); p1 = f32x4.add(p1, x1);
          g0 = f32x4.add(g0, y0); g1 = f32x4.add(g1, y1);
        }
      }
      sI += lanesum(i0) + lanesum(i1);
      sP += lanesum(p0) + lanesum(p1);
      sG += lanesum(g0) + lanesum(g1);
    }
  }
  for (; i < n; i++) {
    let x = load<f32>(pred + (<usize>i << 2));
    if (sigmoid) x = sigmoid1(x);
    const v = value1<T>(y + <usize>i * ys);
    sI += <f64>x * <f64>v;
    if (squared) { sP += <f64>x * <f64>x; sG += <f64>v * <f64>v; }
    else { sP += <f64>x; sG += <f64>v; }
  }
  addStat(rec, STAT_I, sI);
  addStat(rec, STAT_P, sP);
  addStat(rec, STAT_G, sG);
  addStat(rec, STAT_N, <f64>n);
}

/**
 * Label-map row for class `c`: y = [label == c]; voxels whose label is `ignoreIndex` (when
 * `hasIgnore`) add nothing. I += Σ p·y, P += Σ p (Σ p²), G += Σ y, N += valid voxels.
 * Labels outside [0, C) still count in N but in no G, which is how the caller detects them.
 */
export function sumLabels<T>(
  rec: usize, pred: usize, labels: usize, n: i32, c: i32, ignoreIndex: i32, hasIgnore: bool,
  sigmoid: bool, squared: bool,
): void {
  if (sigmoid) {
    if (squared) sumLabelsRow<T>(rec, pred, labels, n, c, ignoreIndex, hasIgnore, true, true);
    else sumLabelsRow<T>(rec, pred, labels, n, c, ignoreIndex, hasIgnore, true, false);
  } else {
    if (squared) sumLabelsRow<T>(rec, pred, labels, n, c, ignoreIndex, hasIgnore, false, true);
    else sumLabelsRow<T>(rec, pred, labels, n, c, ignoreIndex, hasIgnore, false, false);
  }
}

// @ts-ignore: decorator
@inline function sumLabelsRow<T>(
  rec: usize, pred: usize, labels: usize, n: i32, c: i32, ignoreIndex: i32, hasIgnore: bool,
  sigmoid: bool, squared: bool,
): void {
  const ls = <usize>sizeof<T>();
  let sI: f64 = 0, sP: f64 = 0, sG: f64 = 0, sN: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const cls = i32x4.splat(c), ign = i32x4.splat(ignoreIndex);
    const keepAll = i32x4.splat(hasIgnore ? 0 : -1), one = f32x4.splat(1.0);
    const n4 = n & ~3;
    while (i < n4) {
      const end = min(n4, i + BLOCK);
      let aI = f32x4.splat(0), aP = f32x4.splat(0), aG = f32x4.splat(0), aN = f32x4.splat(0);
      for (; i < end; i += 4) {
        const l = labels4<T>(labels + <usize>i * ls);
        const valid = v128.or(i32x4.ne(l, ign), keepAll);
        const hit = v128.and(i32x4.eq(l, cls), valid);
        let x = v128.load(pred + (<usize>i << 2));
        if (sigmoid) x = sigmoid4(x);
        x = v128.and(x, valid);
        aI = f32x4.add(aI, v128.and(x, hit));
        aP = f32x4.add(aP, squared ? f32x4.mul(x, x) : x);
        aG = f32x4.add(aG, v128.and(hit, one));
        aN = f32x4.add(aN, v128.and(valid, one));
      }
      sI += lanesum(aI); sP += lanesum(aP); sG += lanesum(aG); sN += lanesum(aN);
    }
  }
  for (; i < n; i++) {
    const l = label1<T>(labels + <usize>i * ls);
    if (hasIgnore && l == ignoreIndex) continue;
    let x = load<f32>(pred + (<usize>i << 2));
    if (sigmoid) x = sigmoid1(x);
    if (l == c) { sI += <f64>x; sG += 1; }
    sP += squared ? <f64>x * <f64>x : <f64>x;
    sN += 1;
  }
  addStat(rec, STAT_I, sI);
  addStat(rec, STAT_P, sP);
  addStat(rec, STAT_G, sG);
  addStat(rec, STAT_N, sN);
}
