// The readable reference: kernels 1 to 3 (statistics, gradient, pointwise losses) in plain
// TypeScript, float64 throughout. This is what the WebAssembly kernels must agree with, the
// fallback where WebAssembly is missing, and the baseline of the benchmarks. See assembly/stats.ts,
// assembly/grad.ts and assembly/pointloss.ts for the contracts.
//
// Like the WebAssembly kernels, they walk one (sample, class) row at a time — the voxels of
// that sample for that class, `step` elements apart in pred — except under softmax, which
// needs every class of a voxel at once and so walks voxel by voxel.
import {
  COEF_E,
  COEF_F,
  COEF_Q,
  COEF_S,
  COEF_STRIDE,
  COEF_Y0,
  COEF_Y1,
  STAT_A,
  STAT_E,
  STAT_E2,
  STAT_G,
  STAT_I,
  STAT_N,
  STAT_P,
  STATS_STRIDE,
} from '../../core/constants.js';
import type { Inputs, TensorPlan } from '../../core/tensors.js';

/** Where row (b, c) starts in pred (and in a dense target), and the distance between its voxels. */
function rowOf(plan: TensorPlan, b: number, c: number): { start: number; step: number } {
  const { C, S } = plan;
  return plan.layout === 'NCHW' ? { start: (b * C + c) * S, step: 1 } : { start: b * S * C + c, step: C };
}

/** Index of element (b, c, s) of pred. */
export function indexOf(plan: Pick<TensorPlan, 'layout' | 'C' | 'S'>, b: number, c: number, s: number): number {
  return plan.layout === 'NCHW' ? (b * plan.C + c) * plan.S + s : (b * plan.S + s) * plan.C + c;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** log(1 + e^x) without overflow. */
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** 1 − p is kept above the smallest normal float32 before its log, as the WebAssembly kernels do. */
const TINY = 1.17549435e-38;

/**
 * The pointwise sums of one element (see assembly/constants.ts POINT_*): [E, E2] from its logit
 * x, target y, probability p and, under softmax, log p.
 */
function pointSums(plan: TensorPlan, x: number, y: number, p: number, logp: number): [number, number] {
  if (plan.activation === 'softmax') {
    if (plan.point === 'ce') return [-y * logp, -logp];
    return [-(Math.max(1 - p, TINY) ** plan.gamma) * y * logp, 0];
  }
  const bce = softplus(-x) + (1 - y) * x;
  if (plan.point === 'bce') return [bce, y * softplus(-x)];
  const value = Math.exp(-plan.gamma * softplus(x * (2 * y - 1))) * bce;
  return [value, y * value];
}

/** ∂(pointwise term)/∂x of one element under sigmoid, with its coefficients e and f. */
function pointSlopeSigmoid(plan: TensorPlan, x: number, y: number, e: number, f: number): number {
  const s = sigmoid(x);
  if (plan.point === 'bce') return e * (s - y) + f * y * (s - 1);
  const sign = 2 * y - 1;
  const bce = softplus(-x) + (1 - y) * x;
  const modulation = Math.exp(-plan.gamma * softplus(x * sign));
  return (e + f * y) * modulation * (s - y - plan.gamma * sigmoid(x * sign) * sign * bce);
}

/** The pointwise part subtracted from u_c = p_c·∂L/∂p_c under softmax. */
function pointPartSoftmax(plan: TensorPlan, y: number, p: number, logp: number, e: number, f: number): number {
  if (plan.point === 'ce') return e * y + f;
  const q = Math.max(1 - p, TINY);
  const power = q ** plan.gamma;
  return e * y * (power - plan.gamma * p * (power / q) * logp);
}

/**
 * σ'(x) = σ(x)·σ(−x) = e/(1 + e)² with e = e^−|x| (σ' is even): exact for saturated logits, where
 * 1 − p would round to 0, and finite for every x (e^−x overflows to +∞ from x ≤ −710, and +∞·0 is NaN).
 */
function sigmoidSlope(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return e / ((1 + e) * (1 + e));
}

/**
 * NaN when x is not finite, else 0: added to what a logit becomes, so that ±∞ reaches the sums
 * (σ(±∞), e^−∞ alone are finite).
 */
const unlessFinite = (x: number): number => x - x;

/**
 * The target of voxel s of row (b, c) at pred index i: its value, or null when the voxel does
 * not count (its label is ignoreIndex, or its mask value is 0).
 */
function targetAt(
  plan: TensorPlan,
  { target, mask }: Inputs,
  b: number,
  c: number,
  s: number,
  i: number,
): number | null {
  if (mask !== null && mask[plan.mask === 'perSample' ? b * plan.S + s : s] === 0) return null;
  if (plan.targetKind === 'dense') return target[i];
  const label = target[b * plan.S + s];
  if (label === plan.ignoreIndex) return null;
  return label === c ? 1 : 0;
}

/** Softmax over the classes of voxel s of sample b, written to p, and log p written to logp if given. */
export function softmaxAt(
  plan: Pick<TensorPlan, 'layout' | 'C' | 'S'>,
  pred: Float32Array,
  b: number,
  s: number,
  p: Float64Array,
  logp?: Float64Array,
): void {
  let max = -Infinity;
  let z = 0;
  for (let c = 0; c < plan.C; c++) {
    const x = pred[indexOf(plan, b, c, s)];
    p[c] = x;
    max = Math.max(max, x);
    z += unlessFinite(x);
  }
  for (let c = 0; c < plan.C; c++) {
    if (logp) logp[c] = p[c] - max;
    const e = Math.exp(p[c] - max);
    p[c] = e;
    z += e;
  }
  const logZ = Math.log(z);
  for (let c = 0; c < plan.C; c++) {
    p[c] /= z;
    if (logp) logp[c] -= logZ;
  }
}

export function statsJS(plan: TensorPlan, inputs: Inputs): Float64Array {
  const { B, C, S, squared, soft } = plan;
  const { pred } = inputs;
  const stats = new Float64Array(B * C * STATS_STRIDE);
  const point = plan.point !== 'none';
  if (plan.activation === 'softmax') {
    const p = new Float64Array(C);
    const logp = new Float64Array(C);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        softmaxAt(plan, pred, b, s, p, logp);
        for (let c = 0; c < C; c++) {
          const y = targetAt(plan, inputs, b, c, s, indexOf(plan, b, c, s));
          if (y === null) continue;
          const r = (b * C + c) * STATS_STRIDE;
          stats[r + STAT_I] += p[c] * y;
          stats[r + STAT_P] += squared ? p[c] * p[c] : p[c];
          stats[r + STAT_G] += squared ? y * y : y;
          if (soft) stats[r + STAT_A] += Math.abs(p[c] - y);
          stats[r + STAT_N] += 1;
          if (point) {
            const [e, e2] = pointSums(plan, 0, y, p[c], logp[c]);
            stats[r + STAT_E] += e;
            stats[r + STAT_E2] += e2;
          }
        }
      }
    }
    return stats;
  }
  const activate = plan.activation === 'sigmoid';
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const { start, step } = rowOf(plan, b, c);
      let I = 0,
        P = 0,
        G = 0,
        A = 0,
        N = 0,
        E = 0,
        E2 = 0;
      for (let s = 0, i = start; s < S; s++, i += step) {
        const y = targetAt(plan, inputs, b, c, s, i);
        if (y === null) continue;
        const p = activate ? sigmoid(pred[i]) + unlessFinite(pred[i]) : pred[i];
        I += p * y;
        P += squared ? p * p : p;
        G += squared ? y * y : y;
        if (soft) A += Math.abs(p - y);
        N += 1;
        if (point) {
          const [e, e2] = pointSums(plan, pred[i], y, p, 0);
          E += e;
          E2 += e2;
        }
      }
      const r = (b * C + c) * STATS_STRIDE;
      stats[r + STAT_I] = I;
      stats[r + STAT_P] = P;
      stats[r + STAT_G] = G;
      stats[r + STAT_A] = A;
      stats[r + STAT_N] = N;
      stats[r + STAT_E] = E;
      stats[r + STAT_E2] = E2;
    }
  }
  return stats;
}

export function gradJS(plan: TensorPlan, inputs: Inputs, coef: Float64Array, out: Float32Array): void {
  const { B, C, S } = plan;
  const { pred } = inputs;
  const coefficient = (b: number, c: number, slot: number): number => coef[(b * C + c) * COEF_STRIDE + slot];
  /** ∂L/∂p = y1·y + y0·(1 − y) + q·p + s·sign(p − y) at one element of row (b, c). */
  const dLossDp = (b: number, c: number, p: number, y: number): number =>
    coefficient(b, c, COEF_Y1) * y +
    coefficient(b, c, COEF_Y0) * (1 - y) +
    coefficient(b, c, COEF_Q) * p +
    coefficient(b, c, COEF_S) * Math.sign(p - y);
  const point = plan.point !== 'none';
  if (plan.activation === 'softmax') {
    // Through the softmax Jacobian: with u_c = p_c·∂L/∂p_c (minus the pointwise part, already
    // in that form), ∂L/∂x_c = u_c − p_c·Σ_k u_k.
    const p = new Float64Array(C);
    const logp = new Float64Array(C);
    const u = new Float64Array(C);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        softmaxAt(plan, pred, b, s, p, logp);
        let sum = 0;
        for (let c = 0; c < C; c++) {
          const y = targetAt(plan, inputs, b, c, s, indexOf(plan, b, c, s));
          u[c] =
            y === null
              ? 0
              : p[c] * dLossDp(b, c, p[c], y) -
                (point
                  ? pointPartSoftmax(plan, y, p[c], logp[c], coefficient(b, c, COEF_E), coefficient(b, c, COEF_F))
                  : 0);
          sum += u[c];
        }
        for (let c = 0; c < C; c++) out[indexOf(plan, b, c, s)] = u[c] - p[c] * sum;
      }
    }
    return;
  }
  const activate = plan.activation === 'sigmoid';
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const { start, step } = rowOf(plan, b, c);
      const y1 = coefficient(b, c, COEF_Y1),
        y0 = coefficient(b, c, COEF_Y0);
      const q = coefficient(b, c, COEF_Q),
        sg = coefficient(b, c, COEF_S);
      const e = coefficient(b, c, COEF_E),
        f = coefficient(b, c, COEF_F);
      for (let s = 0, i = start; s < S; s++, i += step) {
        const y = targetAt(plan, inputs, b, c, s, i);
        if (y === null) {
          out[i] = 0;
          continue;
        }
        const x = pred[i];
        const p = activate ? sigmoid(x) : x;
        const g = y1 * y + y0 * (1 - y) + q * p + sg * Math.sign(p - y);
        out[i] = (activate ? g * sigmoidSlope(x) : g) + (point ? pointSlopeSigmoid(plan, x, y, e, f) : 0);
      }
    }
  }
}

/**
 * Kernel 3: each element's weighted pointwise term e·E_i + f·E2_i into out (pred's layout), or
 * for cross-entropy their sum over the classes of each voxel (out[b·S + s]); elements and voxels
 * that do not count get 0.
 */
export function pointLossJS(plan: TensorPlan, inputs: Inputs, coef: Float64Array, out: Float32Array): void {
  const { B, C, S } = plan;
  const { pred } = inputs;
  const softmax = plan.activation === 'softmax';
  const perVoxel = plan.point === 'ce';
  const p = new Float64Array(C);
  const logp = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (softmax) softmaxAt(plan, pred, b, s, p, logp);
      let voxel = 0;
      for (let c = 0; c < C; c++) {
        const i = indexOf(plan, b, c, s);
        const y = targetAt(plan, inputs, b, c, s, i);
        let value = 0;
        if (y !== null) {
          const [e, e2] = pointSums(plan, pred[i], y, p[c], logp[c]);
          const at = (b * C + c) * COEF_STRIDE;
          value = coef[at + COEF_E] * e + coef[at + COEF_F] * e2;
        }
        if (perVoxel) voxel += value;
        else out[i] = value;
      }
      if (perVoxel) out[b * S + s] = voxel;
    }
  }
}
