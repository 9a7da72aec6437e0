// The readable reference: both kernels in plain TypeScript, float64 throughout. This is what
// the WebAssembly kernels must agree with, the fallback where WebAssembly is missing, and the
// baseline of the benchmarks. See assembly/stats.ts and assembly/grad.ts for the contracts.
import {
  COEF_A, COEF_B, COEF_Q, COEF_STRIDE, STAT_G, STAT_I, STAT_N, STAT_P, STATS_STRIDE, type Target,
} from '../../api.js';
import type { TensorPlan } from '../../losses/tensors.js';

/** Index of element (b, c, s) of pred (and of a dense target) in the plan's layout. */
function indexer(plan: TensorPlan): (b: number, c: number, s: number) => number {
  const { C, S } = plan;
  return plan.layout === 'NCHW'
    ? (b, c, s) => (b * C + c) * S + s
    : (b, c, s) => (b * S + s) * C + c;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** σ'(x) as (e·p)·p with e = e^-x: exact for saturated logits, where 1 − p would round to 0. */
const sigmoidSlope = (x: number): number => {
  const e = Math.exp(-x);
  const p = 1 / (1 + e);
  return e * p * p;
};

/** p = act(pred) of every class of voxel (b, s), written to `p`. */
function probabilities(plan: TensorPlan, pred: Float32Array, at: (b: number, c: number, s: number) => number, b: number, s: number, p: Float64Array): void {
  const { C } = plan;
  for (let c = 0; c < C; c++) p[c] = pred[at(b, c, s)];
  if (plan.activation === 'sigmoid') {
    for (let c = 0; c < C; c++) p[c] = sigmoid(p[c]);
  } else if (plan.activation === 'softmax') {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, p[c]);
    let z = 0;
    for (let c = 0; c < C; c++) z += (p[c] = Math.exp(p[c] - max));
    for (let c = 0; c < C; c++) p[c] /= z;
  }
}

/** Whether voxel (b, s) counts, and the target value of each class there (written to `y`). */
function targets(plan: TensorPlan, target: Target, at: (b: number, c: number, s: number) => number, b: number, s: number, y: Float64Array): boolean {
  const { C, S } = plan;
  if (plan.targetKind === 'dense') {
    for (let c = 0; c < C; c++) y[c] = target[at(b, c, s)];
    return true;
  }
  const label = target[b * S + s];
  if (label === plan.ignoreIndex) return false;
  for (let c = 0; c < C; c++) y[c] = label === c ? 1 : 0;
  return true;
}

export function statsJS(plan: TensorPlan, pred: Float32Array, target: Target): Float64Array {
  const { B, C, S, squared } = plan;
  const stats = new Float64Array(B * C * STATS_STRIDE);
  const at = indexer(plan);
  const p = new Float64Array(C);
  const y = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (!targets(plan, target, at, b, s, y)) continue;
      probabilities(plan, pred, at, b, s, p);
      for (let c = 0; c < C; c++) {
        const r = (b * C + c) * STATS_STRIDE;
        stats[r + STAT_I] += p[c] * y[c];
        stats[r + STAT_P] += squared ? p[c] * p[c] : p[c];
        stats[r + STAT_G] += squared ? y[c] * y[c] : y[c];
        stats[r + STAT_N] += 1;
      }
    }
  }
  return stats;
}

export function gradJS(plan: TensorPlan, pred: Float32Array, target: Target, coef: Float64Array, out: Float32Array): void {
  const { B, C, S } = plan;
  const at = indexer(plan);
  const p = new Float64Array(C);
  const y = new Float64Array(C);
  const g = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (!targets(plan, target, at, b, s, y)) {
        for (let c = 0; c < C; c++) out[at(b, c, s)] = 0;
        continue;
      }
      probabilities(plan, pred, at, b, s, p);
      for (let c = 0; c < C; c++) {
        const k = (b * C + c) * COEF_STRIDE;
        g[c] = coef[k + COEF_A] * y[c] + coef[k + COEF_B] + coef[k + COEF_Q] * p[c];
      }
      if (plan.activation === 'softmax') {
        let dot = 0;
        for (let c = 0; c < C; c++) dot += p[c] * g[c];
        for (let c = 0; c < C; c++) out[at(b, c, s)] = p[c] * (g[c] - dot);
      } else if (plan.activation === 'sigmoid') {
        for (let c = 0; c < C; c++) out[at(b, c, s)] = g[c] * sigmoidSlope(pred[at(b, c, s)]);
      } else {
        for (let c = 0; c < C; c++) out[at(b, c, s)] = g[c];
      }
    }
  }
}
