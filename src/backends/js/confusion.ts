// The readable reference of the confusion kernel (assembly/confusion.ts): for every counted
// voxel and every class, does the prediction say "this class", does the target. The WebAssembly
// kernels must give exactly these counts.
import { CONF_PRED, CONF_STRIDE, CONF_TARGET, CONF_TP, CONF_VALID, type HardPrediction, type Target } from '../../api.js';
import type { ConfusionPlan } from '../../metrics/plan.js';

/** Does the prediction say class c at voxel s of sample b? */
type Says = (b: number, c: number, s: number) => boolean;

export function confusionJS(plan: ConfusionPlan, pred: HardPrediction, target: Target): Float64Array {
  const { B, C, S } = plan;
  const out = new Float64Array(B * C * CONF_STRIDE);
  const predSays = predicate(plan, pred);
  const targetSays: Says = plan.target.kind === 'labels'
    ? (b, c, s) => target[b * S + s] === c
    : (b, c, s) => target[elementIndex(plan, b, c, s)] !== 0;
  const ignoreIndex = plan.target.kind === 'labels' ? plan.target.ignoreIndex : null;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (ignoreIndex !== null && target[b * S + s] === ignoreIndex) continue;
      for (let c = 0; c < C; c++) {
        const p = predSays(b, c, s), y = targetSays(b, c, s);
        const at = (b * C + c) * CONF_STRIDE;
        out[at + CONF_VALID] += 1;
        if (p) out[at + CONF_PRED] += 1;
        if (y) out[at + CONF_TARGET] += 1;
        if (p && y) out[at + CONF_TP] += 1;
      }
    }
  }
  return out;
}

/** Index of element (b, c, s) of a dense tensor. */
function elementIndex(plan: ConfusionPlan, b: number, c: number, s: number): number {
  return plan.layout === 'NCHW' ? (b * plan.C + c) * plan.S + s : (b * plan.S + s) * plan.C + c;
}

function predicate(plan: ConfusionPlan, pred: HardPrediction): Says {
  const { S } = plan;
  const p = plan.pred;
  if (p.kind === 'labels') return (b, c, s) => pred[b * S + s] === c;
  if (p.decision === 'nonzero') return (b, c, s) => pred[elementIndex(plan, b, c, s)] !== 0;
  if (p.decision === 'threshold') return (b, c, s) => pred[elementIndex(plan, b, c, s)] > p.threshold;
  // The argmax of a voxel once, for all its classes.
  let voxel = -1, chosen = 0;
  return (b, c, s) => {
    if (b * S + s !== voxel) {
      voxel = b * S + s;
      chosen = argmax(plan, pred, b, s);
    }
    return chosen === c;
  };
}

/** The first class with the largest score (NaN never wins). */
function argmax(plan: ConfusionPlan, pred: HardPrediction, b: number, s: number): number {
  let best = pred[elementIndex(plan, b, 0, s)], index = 0;
  for (let c = 1; c < plan.C; c++) {
    const v = pred[elementIndex(plan, b, c, s)];
    if (v > best) { best = v; index = c; }
  }
  return index;
}
