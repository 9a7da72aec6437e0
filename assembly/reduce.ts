// Row reductions of kernel 1: one class, `n` consecutive voxels. Each ADDS its sums to a
// statistics record (see constants.ts), so rows of one (sample, class) can arrive in pieces.
//
// A row's variant is a set of compile-time flags: the dispatchers below call the inlined body
// with a constant, so every combination compiles to its own loop without runtime branches.
import { BLOCK, STAT_A, STAT_G, STAT_I, STAT_N, STAT_P } from "./constants";
import { exp1, exp4n, one4, sigmoidOfExp1, sigmoidOfExp4 } from "./activation";
import { keep1, keep4, label1, labels4, lanesum, load8, value1, values4, values8 } from "./values";

/** p = σ(pred) instead of pred. */
export const SIGMOID: i32 = 1;
/** P = Σ p², G = Σ y². */
export const SQUARED: i32 = 2;
/** Also A = Σ |p − y| (dense rows, not with SQUARED). */
export const SOFT: i32 = 4;
/** Only voxels whose mask byte is non-zero count. */
export const MASKED: i32 = 8;
/** With SIGMOID: also leave e = e^−pred at `act` (kernel 2 then needs no exp; see map.ts). */
export const STORE: i32 = 16;

// σ(x) from e = e^−x (0 below EXP_LO, as sigmoid4), plus (x − x): σ(±∞) is 0 or 1, but x − x is
// NaN for x = ±∞ (and NaN), so a non-finite logit reaches the sums, where the caller refuses it (it
// is 0 for every finite x: σ is unchanged). e is the exp kernel 2 reuses (STORE; see map.ts).
// @ts-ignore: decorator
@inline function sigmoidOrNaN4(x: v128, e: v128): v128 {
  return f32x4.add(sigmoidOfExp4(e), f32x4.sub(x, x));
}

// @ts-ignore: decorator
@inline function sigmoidOrNaN1(x: f32, e: f32): f32 {
  return sigmoidOfExp1(e) + (x - x);
}

// @ts-ignore: decorator
@inline function addStat(rec: usize, slot: i32, v: f64): void {
  const at = rec + (<usize>slot << 3);
  store<f64>(at, load<f64>(at) + v);
}

/**
 * Dense target row: I += Σ p·y, P += Σ p (Σ p²), G += Σ y (Σ y²), A += Σ |p − y| (SOFT),
 * N += counted voxels. `T` is the target's element type (f32 or u8); `mask` is read only with
 * MASKED; with STORE, act[i] = e^−pred[i] for every voxel i < n (masked or not).
 */
export function sumDense<T>(rec: usize, pred: usize, y: usize, mask: usize, n: i32, variant: i32, act: usize): void {
  // Masked calls with an activation (bound by exp) run one loop with the flags tested at run time:
  // a loop per variant there added bytes to every download for ≤ 4 % of speed (docs/performance.md,
  // "Bundle size").
  if ((variant & (MASKED | SIGMOID)) == (MASKED | SIGMOID)) {
    sumDenseRow<T>(rec, pred, y, mask, n, variant, act);
    return;
  }
  switch (variant) {
    case 0: sumDenseRow<T>(rec, pred, y, mask, n, 0, act); break;
    case 1: sumDenseRow<T>(rec, pred, y, mask, n, 1, act); break;
    case 2: sumDenseRow<T>(rec, pred, y, mask, n, 2, act); break;
    case 3: sumDenseRow<T>(rec, pred, y, mask, n, 3, act); break;
    case 4: sumDenseRow<T>(rec, pred, y, mask, n, 4, act); break;
    case 5: sumDenseRow<T>(rec, pred, y, mask, n, 5, act); break;
    case 8: sumDenseRow<T>(rec, pred, y, mask, n, 8, act); break;
    case 10: sumDenseRow<T>(rec, pred, y, mask, n, 10, act); break;
    case 12: sumDenseRow<T>(rec, pred, y, mask, n, 12, act); break;
    case 17: sumDenseRow<T>(rec, pred, y, mask, n, 17, act); break;
    case 19: sumDenseRow<T>(rec, pred, y, mask, n, 19, act); break;
    case 21: sumDenseRow<T>(rec, pred, y, mask, n, 21, act); break;
    default: unreachable();
  }
}

// @ts-ignore: decorator
@inline function sumDenseRow<T>(rec: usize, pred: usize, y: usize, mask: usize, n: i32, variant: i32, act: usize): void {
  const sigmoid = (variant & SIGMOID) != 0, squared = (variant & SQUARED) != 0;
  const soft = (variant & SOFT) != 0, masked = (variant & MASKED) != 0, keepExp = (variant & STORE) != 0;
  const ys = <usize>sizeof<T>();
  let sI: f64 = 0, sP: f64 = 0, sG: f64 = 0, sA: f64 = 0, sN: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD && sigmoid) {
    // One exp in flight, four voxels per iteration and one accumulator set (in blocks of half a
    // BLOCK, so that a lane still sums at most BLOCK/8 values): the exp is the bottleneck, and two
    // at once leave its constants and the accumulators more registers than x86 has (V8 spills).
    const n4 = n & ~3;
    while (i < n4) {
      const end = min(n4, i + (BLOCK >> 1));
      let aI = f32x4.splat(0), aP = f32x4.splat(0), aG = f32x4.splat(0), aA = f32x4.splat(0), aN = f32x4.splat(0);
      for (; i < end; i += 4) {
        const xv = v128.load(pred + (<usize>i << 2)), e = exp4n(xv);
        if (keepExp) v128.store(act + (<usize>i << 2), e);
        let x = sigmoidOrNaN4(xv, e);
        let v = values4<T>(y + <usize>i * ys);
        if (masked) {
          const k = keep4(mask + <usize>i);
          x = v128.and(x, k);
          v = v128.and(v, k);
          aN = f32x4.add(aN, v128.and(k, one4()));
        }
        aI = f32x4.add(aI, f32x4.mul(x, v));
        aP = f32x4.add(aP, squared ? f32x4.mul(x, x) : x);
        aG = f32x4.add(aG, squared ? f32x4.mul(v, v) : v);
        if (soft) aA = f32x4.add(aA, f32x4.abs(f32x4.sub(x, v)));
      }
      sI += lanesum(aI);
      sP += lanesum(aP);
      sG += lanesum(aG);
      if (soft) sA += lanesum(aA);
      if (masked) sN += lanesum(aN);
    }
  } else if (ASC_FEATURE_SIMD) {
    // Two accumulator sets, unrolled ×2: more live v128 values make V8 spill.
    const n8 = n & ~7;
    while (i < n8) {
      const end = min(n8, i + BLOCK);
      let i0 = f32x4.splat(0), p0 = f32x4.splat(0), g0 = f32x4.splat(0), a0 = f32x4.splat(0), c0 = f32x4.splat(0);
      let i1 = f32x4.splat(0), p1 = f32x4.splat(0), g1 = f32x4.splat(0), a1 = f32x4.splat(0), c1 = f32x4.splat(0);
      for (; i < end; i += 8) {
        const at = pred + (<usize>i << 2);
        let x0 = v128.load(at), x1 = v128.load(at, 16);
        const yat = y + <usize>i * ys, bytes = load8<T>(yat);
        let y0 = values8<T>(yat, bytes, 0), y1 = values8<T>(yat, bytes, 1);
        if (masked) {
          const k0 = keep4(mask + <usize>i), k1 = keep4(mask + <usize>i + 4);
          x0 = v128.and(x0, k0); x1 = v128.and(x1, k1);
          y0 = v128.and(y0, k0); y1 = v128.and(y1, k1);
          c0 = f32x4.add(c0, v128.and(k0, one4())); c1 = f32x4.add(c1, v128.and(k1, one4()));
        }
        i0 = f32x4.add(i0, f32x4.mul(x0, y0));
        i1 = f32x4.add(i1, f32x4.mul(x1, y1));
        if (squared) {
          p0 = f32x4.add(p0, f32x4.mul(x0, x0)); p1 = f32x4.add(p1, f32x4.mul(x1, x1));
          g0 = f32x4.add(g0, f32x4.mul(y0, y0)); g1 = f32x4.add(g1, f32x4.mul(y1, y1));
        } else {
          p0 = f32x4.add(p0, x0); p1 = f32x4.add(p1, x1);
          g0 = f32x4.add(g0, y0); g1 = f32x4.add(g1, y1);
        }
        if (soft) {
          a0 = f32x4.add(a0, f32x4.abs(f32x4.sub(x0, y0)));
          a1 = f32x4.add(a1, f32x4.abs(f32x4.sub(x1, y1)));
        }
      }
      sI += lanesum(i0) + lanesum(i1);
      sP += lanesum(p0) + lanesum(p1);
      sG += lanesum(g0) + lanesum(g1);
      if (soft) sA += lanesum(a0) + lanesum(a1);
      if (masked) sN += lanesum(c0) + lanesum(c1);
    }
  }
  for (; i < n; i++) {
    let x = load<f32>(pred + (<usize>i << 2));
    if (sigmoid) {
      const e = exp1(-x);
      if (keepExp) store<f32>(act + (<usize>i << 2), e);
      x = sigmoidOrNaN1(x, e);
    }
    if (masked && !keep1(mask + <usize>i)) continue;
    const v = value1<T>(y + <usize>i * ys);
    sI += <f64>x * <f64>v;
    if (squared) { sP += <f64>x * <f64>x; sG += <f64>v * <f64>v; }
    else { sP += <f64>x; sG += <f64>v; }
    if (soft) sA += abs(<f64>x - <f64>v);
    if (masked) sN += 1;
  }
  addStat(rec, STAT_I, sI);
  addStat(rec, STAT_P, sP);
  addStat(rec, STAT_G, sG);
  if (soft) addStat(rec, STAT_A, sA);
  addStat(rec, STAT_N, masked ? sN : <f64>n);
}

/**
 * Label-map row for class `c`: y = [label == c]; voxels whose label is `ignoreIndex` (when
 * `hasIgnore`), or whose mask byte is 0 (MASKED), add nothing. I += Σ p·y, P += Σ p (Σ p²),
 * G += Σ y, N += counted voxels. Labels outside [0, C) still count in N but in no G, which is
 * how the caller detects them. With STORE, act[i] = e^−pred[i] for every voxel i < n.
 */
export function sumLabels<T>(
  rec: usize, pred: usize, labels: usize, mask: usize, n: i32, c: i32, ignoreIndex: i32, hasIgnore: bool, variant: i32, act: usize,
): void {
  // Masked calls with an activation (bound by exp) run one loop with the flags tested at run time:
  // a loop per variant there added bytes to every download for ≤ 4 % of speed (docs/performance.md,
  // "Bundle size").
  if ((variant & (MASKED | SIGMOID)) == (MASKED | SIGMOID)) {
    sumLabelsRow<T>(rec, pred, labels, mask, n, c, ignoreIndex, hasIgnore, variant, act);
    return;
  }
  switch (variant) {
    case 0: sumLabelsRow<T>(rec, pred, labels, mask, n, c, ignoreIndex, hasIgnore, 0, act); break;
    case 1: sumLabelsRow<T>(rec, pred, labels, mask, n, c, ignoreIndex, hasIgnore, 1, act); break;
    case 2: sumLabelsRow<T>(rec, pred, labels, mask, n, c, ignoreIndex, hasIgnore, 2, act); break;
    case 3: sumLabelsRow<T>(rec, pred, labels, mask, n, c, ignoreIndex, hasIgnore, 3, act); break;
    case 8: sumLabelsRow<T>(rec, pred, labels, mask, n, c, ignoreIndex, hasIgnore, 8, act); break;
    case 10: sumLabelsRow<T>(rec, pred, labels, mask, n, c, ignoreIndex, hasIgnore, 10, act); break;
    case 17: sumLabelsRow<T>(rec, pred, labels, mask, n, c, ignoreIndex, hasIgnore, 17, act); break;
    case 19: sumLabelsRow<T>(rec, pred, labels, mask, n, c, ignoreIndex, hasIgnore, 19, act); break;
    default: unreachable();
  }
}

// @ts-ignore: decorator
@inline function sumLabelsRow<T>(
  rec: usize, pred: usize, labels: usize, mask: usize, n: i32, c: i32, ignoreIndex: i32, hasIgnore: bool, variant: i32, act: usize,
): void {
  const sigmoid = (variant & SIGMOID) != 0, squared = (variant & SQUARED) != 0, masked = (variant & MASKED) != 0;
  const keepExp = (variant & STORE) != 0;
  const ls = <usize>sizeof<T>();
  let sI: f64 = 0, sP: f64 = 0, sG: f64 = 0, sN: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const cls = i32x4.splat(c), ign = i32x4.splat(ignoreIndex);
    const keepAll = i32x4.splat(hasIgnore ? 0 : -1);
    const n4 = n & ~3;
    while (i < n4) {
      const end = min(n4, i + BLOCK);
      let aI = f32x4.splat(0), aP = f32x4.splat(0), aG = f32x4.splat(0), aN = f32x4.splat(0);
      for (; i < end; i += 4) {
        const l = labels4<T>(labels + <usize>i * ls);
        let valid = v128.or(i32x4.ne(l, ign), keepAll);
        if (masked) valid = v128.and(valid, keep4(mask + <usize>i));
        const hit = v128.and(i32x4.eq(l, cls), valid);
        let x = v128.load(pred + (<usize>i << 2));
        if (sigmoid) {
          const e = exp4n(x);
          if (keepExp) v128.store(act + (<usize>i << 2), e);
          x = sigmoidOrNaN4(x, e);
        }
        x = v128.and(x, valid);
        aI = f32x4.add(aI, v128.and(x, hit));
        aP = f32x4.add(aP, squared ? f32x4.mul(x, x) : x);
        aG = f32x4.add(aG, v128.and(hit, one4()));
        aN = f32x4.add(aN, v128.and(valid, one4()));
      }
      sI += lanesum(aI); sP += lanesum(aP); sG += lanesum(aG); sN += lanesum(aN);
    }
  }
  for (; i < n; i++) {
    let x = load<f32>(pred + (<usize>i << 2));
    if (sigmoid) {
      const e = exp1(-x);
      if (keepExp) store<f32>(act + (<usize>i << 2), e);
      x = sigmoidOrNaN1(x, e);
    }
    const l = label1<T>(labels + <usize>i * ls);
    if (hasIgnore && l == ignoreIndex) continue;
    if (masked && !keep1(mask + <usize>i)) continue;
    if (l == c) { sI += <f64>x; sG += 1; }
    sP += squared ? <f64>x * <f64>x : <f64>x;
    sN += 1;
  }
  addStat(rec, STAT_I, sI);
  addStat(rec, STAT_P, sP);
  addStat(rec, STAT_G, sG);
  addStat(rec, STAT_N, sN);
}
