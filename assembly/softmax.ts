// Softmax over a label map, fused: the path of softmax Dice (and Dice + cross-entropy) on label
// maps, where the work per logit is one exp and a few vector operations, so that the passes over
// a tile and their loop overhead are what decide the speed. Per tile of n voxels held as planar
// rows of one class each (tile.ts), with labels widened to an i32 row:
//   kernel 1: expRows (max, e_c = e^(x_c − m), z = Σ e_c, r = 1/z, lz = log z) then, per class,
//             sumSoftmaxLabels: p_c = e_c·r, kept for kernel 2 when asked, and the class's sums;
//   kernel 2: weighLabels (u_c = p_c·g_c − h_c, Σ_c u_c) then tile.ts finishSoftmax (u_c − p_c·Σu).
// g_c and h_c are the gradient's coefficients picked by the label (see grad.ts), so that a
// voxel's gradient is exactly the formula of softmaxBackward with the cross-entropy part of
// mapPointSoftmax. Voxels that do not count (label ignoreIndex, mask byte 0) add nothing and get 0.
import { STAT_E, STAT_E2, STAT_G, STAT_I, STAT_N, STAT_P } from "./constants";
import { exp1, expNonPositive4, log1, log4, one4 } from "./activation";
import { keep1, keep4, lanesum } from "./values";

/** The sums also count voxels against a mask row. */
export const MASKED: i32 = 1;
/** Labels equal to ignoreIndex do not count. */
export const IGNORE: i32 = 2;
/** The cross-entropy sums E = Σ −y·log p, E2 = Σ −log p (kernel 1), or its u part (kernel 2). */
export const CE: i32 = 4;
/** p_c is written to the p row (kernel 1). */
export const STORE: i32 = 8;
/** g_c also has a term q·p (the squared denominator's) (kernel 2). */
export const QTERM: i32 = 8;

// @ts-ignore: decorator
@inline function addStat(rec: usize, slot: i32, v: f64): void {
  const at = rec + (<usize>slot << 3);
  store<f64>(at, load<f64>(at) + v);
}

/**
 * Per voxel t < n of C raw rows (`xs` bytes apart): m[t] = max_c x_c, e_c[t] = e^(x_c − m) into
 * the e rows (`es` bytes apart), r[t] = 1/Σ_c e_c and, with `logSum`, lz[t] = log Σ_c e_c.
 * A voxel with a logit of ±∞ or NaN gets r = NaN (so NaN probabilities), as softmaxRows (tile.ts).
 */
export function expRows(
  e: usize, es: usize, x: usize, xs: usize, C: i32, n: i32, m: usize, r: usize, lz: usize, logSum: bool,
): void {
  const bytes = <usize>n << 2;
  memory.copy(m, x, bytes);
  for (let c = 1; c < C; c++) {
    const xc = x + <usize>c * xs;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 8 <= n; t += 8) {
        const at = <usize>t << 2;
        v128.store(m + at, f32x4.max(v128.load(m + at), v128.load(xc + at)));
        v128.store(m + at, f32x4.max(v128.load(m + at, 16), v128.load(xc + at, 16)), 16);
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      store<f32>(m + at, max(load<f32>(m + at), load<f32>(xc + at)));
    }
  }
  // z accumulates in r; the first class writes it. Two vectors per iteration share the loads of
  // the exp's constants (V8 loads them in the loop, once per use).
  for (let c = 0; c < C; c++) {
    const xc = x + <usize>c * xs, ec = e + <usize>c * es;
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 8 <= n; t += 8) {
        const at = <usize>t << 2;
        const x0 = v128.load(xc + at), x1 = v128.load(xc + at, 16);
        const v0 = expNonPositive4(f32x4.sub(x0, v128.load(m + at)));
        const v1 = expNonPositive4(f32x4.sub(x1, v128.load(m + at, 16)));
        v128.store(ec + at, v0);
        v128.store(ec + at, v1, 16);
        // z gets + (x − x): NaN for a logit of ±∞ (e^−∞ alone is 0), which then reaches the sums and
        // the caller's check of non-finite input; 0 otherwise.
        const z0 = f32x4.add(v0, f32x4.sub(x0, x0)), z1 = f32x4.add(v1, f32x4.sub(x1, x1));
        v128.store(r + at, c == 0 ? z0 : f32x4.add(v128.load(r + at), z0));
        v128.store(r + at, c == 0 ? z1 : f32x4.add(v128.load(r + at, 16), z1), 16);
      }
      for (; t + 4 <= n; t += 4) {
        const at = <usize>t << 2;
        const xv = v128.load(xc + at);
        const v = expNonPositive4(f32x4.sub(xv, v128.load(m + at)));
        v128.store(ec + at, v);
        const z = f32x4.add(v, f32x4.sub(xv, xv));
        v128.store(r + at, c == 0 ? z : f32x4.add(v128.load(r + at), z));
      }
    }
    for (; t < n; t++) {
      const at = <usize>t << 2;
      const xv = load<f32>(xc + at);
      const v = exp1(xv - load<f32>(m + at));
      store<f32>(ec + at, v);
      const z = v + (xv - xv);
      store<f32>(r + at, c == 0 ? z : load<f32>(r + at) + z);
    }
  }
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    for (; t + 4 <= n; t += 4) {
      const at = <usize>t << 2;
      const z = v128.load(r + at);
      if (logSum) v128.store(lz + at, log4(z));
      v128.store(r + at, f32x4.div(one4(), z));
    }
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    const z = load<f32>(r + at);
    if (logSum) store<f32>(lz + at, log1(z));
    store<f32>(r + at, 1.0 / z);
  }
}

/**
 * Kernel 1, one class c of a tile: p = e·r (written to `p` with STORE: may be e's own row),
 * then ADDS to the record I = Σ p·y, P = Σ p (Σ p²), G = Σ y, N = counted voxels and, with CE,
 * E = Σ −y·log p, E2 = Σ −log p, log p = (x − m) − lz; y = [label == c], labels an i32 row.
 * `squared` (P = Σ p²; G = Σ y² is Σ y) is a run-time choice: it costs one select per vector.
 */
export function sumSoftmaxLabels(
  rec: usize, e: usize, r: usize, p: usize, x: usize, m: usize, lz: usize, labels: usize, mask: usize, n: i32, c: i32,
  ignoreIndex: i32, squared: bool, variant: i32,
): void {
  // Masked calls with an activation (bound by exp) run one loop with the flags tested at run time:
  // a loop per variant there added bytes to every download for ≤ 4 % of speed (docs/performance.md,
  // "Bundle size").
  if ((variant & MASKED) != 0) {
    sumSoftmaxLabelsRow(rec, e, r, p, x, m, lz, labels, mask, n, c, ignoreIndex, squared, variant);
    return;
  }
  switch (variant) {
    case 0: sumSoftmaxLabelsRow(rec, e, r, p, x, m, lz, labels, mask, n, c, ignoreIndex, squared, 0); break;
    case 2: sumSoftmaxLabelsRow(rec, e, r, p, x, m, lz, labels, mask, n, c, ignoreIndex, squared, 2); break;
    case 4: sumSoftmaxLabelsRow(rec, e, r, p, x, m, lz, labels, mask, n, c, ignoreIndex, squared, 4); break;
    case 6: sumSoftmaxLabelsRow(rec, e, r, p, x, m, lz, labels, mask, n, c, ignoreIndex, squared, 6); break;
    case 8: sumSoftmaxLabelsRow(rec, e, r, p, x, m, lz, labels, mask, n, c, ignoreIndex, squared, 8); break;
    case 10: sumSoftmaxLabelsRow(rec, e, r, p, x, m, lz, labels, mask, n, c, ignoreIndex, squared, 10); break;
    case 12: sumSoftmaxLabelsRow(rec, e, r, p, x, m, lz, labels, mask, n, c, ignoreIndex, squared, 12); break;
    case 14: sumSoftmaxLabelsRow(rec, e, r, p, x, m, lz, labels, mask, n, c, ignoreIndex, squared, 14); break;
    default: unreachable();
  }
}

// @ts-ignore: decorator
@inline function sumSoftmaxLabelsRow(
  rec: usize, e: usize, r: usize, p: usize, x: usize, m: usize, lz: usize, labels: usize, mask: usize, n: i32, c: i32,
  ignoreIndex: i32, squared: bool, variant: i32,
): void {
  const masked = (variant & MASKED) != 0, ignore = (variant & IGNORE) != 0, ce = (variant & CE) != 0;
  const keep = (variant & STORE) != 0, counted = masked || ignore;
  let sI: f64 = 0, sP: f64 = 0, sG: f64 = 0, sN: f64 = 0, sE: f64 = 0, sE2: f64 = 0;
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    // A tile is at most 1024 voxels (tileLength): one f32x4 block, four lanes of ≤ 256 values each.
    const cls = i32x4.splat(c), ign = i32x4.splat(ignoreIndex);
    let aI = f32x4.splat(0), aP = f32x4.splat(0), aG = f32x4.splat(0), aN = f32x4.splat(0);
    let aE = f32x4.splat(0), aE2 = f32x4.splat(0);
    for (; t + 4 <= n; t += 4) {
      const at = <usize>t << 2;
      let pv = f32x4.mul(v128.load(e + at), v128.load(r + at));
      if (keep) v128.store(p + at, pv);
      const l = v128.load(labels + at);
      let hit = i32x4.eq(l, cls);
      let valid = i32x4.splat(-1);
      if (ignore) valid = i32x4.ne(l, ign);
      if (masked) valid = v128.and(valid, keep4(mask + <usize>t));
      if (counted) {
        pv = v128.and(pv, valid);
        hit = v128.and(hit, valid);
        aN = f32x4.add(aN, v128.and(valid, one4()));
      }
      aI = f32x4.add(aI, v128.and(pv, hit));
      aP = f32x4.add(aP, select<v128>(f32x4.mul(pv, pv), pv, squared));
      aG = f32x4.add(aG, v128.and(hit, one4()));
      if (ce) {
        const logp = f32x4.sub(f32x4.sub(v128.load(x + at), v128.load(m + at)), v128.load(lz + at));
        aE = f32x4.sub(aE, v128.and(logp, hit));
        aE2 = f32x4.sub(aE2, counted ? v128.and(logp, valid) : logp);
      }
    }
    sI = lanesum(aI); sP = lanesum(aP); sG = lanesum(aG); sN = lanesum(aN); sE = lanesum(aE); sE2 = lanesum(aE2);
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    const pv = load<f32>(e + at) * load<f32>(r + at);
    if (keep) store<f32>(p + at, pv);
    const l = load<i32>(labels + at);
    if ((ignore && l == ignoreIndex) || (masked && !keep1(mask + <usize>t))) continue;
    if (counted) sN += 1;
    sP += squared ? <f64>pv * <f64>pv : <f64>pv;
    if (ce) {
      const logp = load<f32>(x + at) - load<f32>(m + at) - load<f32>(lz + at);
      sE2 -= <f64>logp;
      if (l == c) sE -= <f64>logp;
    }
    if (l == c) { sI += <f64>pv; sG += 1; }
  }
  addStat(rec, STAT_I, sI);
  addStat(rec, STAT_P, sP);
  addStat(rec, STAT_G, sG);
  addStat(rec, STAT_N, counted ? sN : <f64>n);
  if (ce) {
    addStat(rec, STAT_E, sE);
    addStat(rec, STAT_E2, sE2);
  }
}

/**
 * Kernel 2, one class c of a tile: u = p·(g + q·p) − h over counted voxels (0 elsewhere) into the
 * u row, ADDED to the sum row (zeroed by the caller); g = a1 if label == c else a0 (∂L/∂p_c
 * without its q·p term, which QTERM adds), h = b1 or b0 (the cross-entropy part, with CE),
 * labels an i32 row.
 */
export function weighLabels(
  u: usize, sum: usize, p: usize, labels: usize, mask: usize, n: i32, c: i32, ignoreIndex: i32,
  a1: f32, a0: f32, q: f32, b1: f32, b0: f32, variant: i32,
): void {
  // Masked calls with an activation (bound by exp) run one loop with the flags tested at run time:
  // a loop per variant there added bytes to every download for ≤ 4 % of speed (docs/performance.md,
  // "Bundle size").
  if ((variant & MASKED) != 0) {
    weighLabelsRow(u, sum, p, labels, mask, n, c, ignoreIndex, a1, a0, q, b1, b0, variant);
    return;
  }
  switch (variant) {
    case 0: weighLabelsRow(u, sum, p, labels, mask, n, c, ignoreIndex, a1, a0, q, b1, b0, 0); break;
    case 2: weighLabelsRow(u, sum, p, labels, mask, n, c, ignoreIndex, a1, a0, q, b1, b0, 2); break;
    case 4: weighLabelsRow(u, sum, p, labels, mask, n, c, ignoreIndex, a1, a0, q, b1, b0, 4); break;
    case 6: weighLabelsRow(u, sum, p, labels, mask, n, c, ignoreIndex, a1, a0, q, b1, b0, 6); break;
    case 8: weighLabelsRow(u, sum, p, labels, mask, n, c, ignoreIndex, a1, a0, q, b1, b0, 8); break;
    case 10: weighLabelsRow(u, sum, p, labels, mask, n, c, ignoreIndex, a1, a0, q, b1, b0, 10); break;
    case 12: weighLabelsRow(u, sum, p, labels, mask, n, c, ignoreIndex, a1, a0, q, b1, b0, 12); break;
    case 14: weighLabelsRow(u, sum, p, labels, mask, n, c, ignoreIndex, a1, a0, q, b1, b0, 14); break;
    default: unreachable();
  }
}

// @ts-ignore: decorator
@inline function weighLabelsRow(
  u: usize, sum: usize, p: usize, labels: usize, mask: usize, n: i32, c: i32, ignoreIndex: i32,
  a1: f32, a0: f32, q: f32, b1: f32, b0: f32, variant: i32,
): void {
  const masked = (variant & MASKED) != 0, ignore = (variant & IGNORE) != 0, ce = (variant & CE) != 0;
  const qterm = (variant & QTERM) != 0;
  let t = 0;
  if (ASC_FEATURE_SIMD) {
    const cls = i32x4.splat(c), ign = i32x4.splat(ignoreIndex), qv = f32x4.splat(q);
    const g1 = f32x4.splat(a1), g0 = f32x4.splat(a0), h1 = f32x4.splat(b1), h0 = f32x4.splat(b0);
    for (; t + 4 <= n; t += 4) {
      const at = <usize>t << 2;
      const l = v128.load(labels + at);
      const hit = i32x4.eq(l, cls);
      const pv = v128.load(p + at);
      let g = v128.bitselect(g1, g0, hit);
      if (qterm) g = f32x4.add(g, f32x4.mul(qv, pv));
      let v = f32x4.mul(pv, g);
      if (ce) v = f32x4.sub(v, v128.bitselect(h1, h0, hit));
      if (ignore) v = v128.and(v, i32x4.ne(l, ign));
      if (masked) v = v128.and(v, keep4(mask + <usize>t));
      v128.store(u + at, v);
      v128.store(sum + at, f32x4.add(v128.load(sum + at), v));
    }
  }
  for (; t < n; t++) {
    const at = <usize>t << 2;
    const l = load<i32>(labels + at);
    let v: f32 = 0;
    if (!((ignore && l == ignoreIndex) || (masked && !keep1(mask + <usize>t)))) {
      const pv = load<f32>(p + at);
      let g = l == c ? a1 : a0;
      if (qterm) g += q * pv;
      v = pv * g;
      if (ce) v -= l == c ? b1 : b0;
    }
    store<f32>(u + at, v);
    store<f32>(sum + at, load<f32>(sum + at) + v);
  }
}
