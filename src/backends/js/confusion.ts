// The readable reference of the confusion kernel (assembly/confusion.ts): for every counted
// voxel and every class, does the prediction say "this class", does the target. The WebAssembly
// kernels must give exactly these counts.
import type { HardPrediction, Target } from '../../core/api.js';
import { CONF_PRED, CONF_STRIDE, CONF_TARGET, CONF_TP, CONF_VALID } from '../../core/constants.js';
import type { ConfusionPlan } from '../../core/plans.js';

/** Does the prediction (or the target) say class c at voxel s of sample b? */
export type Says = (b: number, c: number, s: number) => boolean;

/**
 * Per (sample, class): voxels where both sides, the prediction, the target say the class; per sample: voxels counted.
 */
interface Tally {
  tp: Float64Array;
  predicted: Float64Array;
  actual: Float64Array;
  valid: Float64Array;
}

export function confusionJS(plan: ConfusionPlan, pred: HardPrediction, target: Target): Float64Array {
  const tally =
    plan.pred.kind === 'labels' && plan.target.kind === 'labels'
      ? tallyLabelMaps(plan, plan.target.ignoreIndex, pred, target)
      : tallyByClass(plan, pred, target);
  return records(tally, plan.C);
}

function newTally(B: number, C: number): Tally {
  return {
    tp: new Float64Array(B * C),
    predicted: new Float64Array(B * C),
    actual: new Float64Array(B * C),
    valid: new Float64Array(B),
  };
}

function tallyByClass(plan: ConfusionPlan, pred: HardPrediction, target: Target): Tally {
  const { B, C, S } = plan;
  const tally = newTally(B, C);
  const predSays = predicate(plan, pred);
  const targetSays = targetPredicate(plan, target);
  const ignoreIndex = plan.target.kind === 'labels' ? plan.target.ignoreIndex : null;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (ignoreIndex !== null && target[b * S + s] === ignoreIndex) continue;
      tally.valid[b]++;
      for (let c = 0; c < C; c++) {
        const p = predSays(b, c, s),
          y = targetSays(b, c, s);
        if (p) tally.predicted[b * C + c]++;
        if (y) tally.actual[b * C + c]++;
        if (p && y) tally.tp[b * C + c]++;
      }
    }
  }
  return tally;
}

/**
 * Two label maps: the same counts, one voxel at a time (each voxel says one class on each
 * side), so that the reference is not C times slower than a hand-written loop.
 */
function tallyLabelMaps(plan: ConfusionPlan, ignoreIndex: number | null, pred: HardPrediction, target: Target): Tally {
  const { B, C, S } = plan;
  const tally = newTally(B, C);
  for (let b = 0; b < B; b++) {
    for (let i = b * S; i < (b + 1) * S; i++) {
      const t = target[i];
      if (t === ignoreIndex) continue;
      tally.valid[b]++;
      const p = pred[i];
      if (p >= 0 && p < C) {
        tally.predicted[b * C + p]++;
        if (p === t) tally.tp[b * C + p]++;
      }
      if (t >= 0 && t < C) tally.actual[b * C + t]++;
    }
  }
  return tally;
}

function records(tally: Tally, C: number): Float64Array {
  const out = new Float64Array(tally.tp.length * CONF_STRIDE);
  for (let k = 0; k < tally.tp.length; k++) {
    out[k * CONF_STRIDE + CONF_TP] = tally.tp[k];
    out[k * CONF_STRIDE + CONF_PRED] = tally.predicted[k];
    out[k * CONF_STRIDE + CONF_TARGET] = tally.actual[k];
    out[k * CONF_STRIDE + CONF_VALID] = tally.valid[Math.floor(k / C)];
  }
  return out;
}

/** Index of element (b, c, s) of a dense tensor. */
function elementIndex(plan: ConfusionPlan, b: number, c: number, s: number): number {
  return plan.layout === 'NCHW' ? (b * plan.C + c) * plan.S + s : (b * plan.S + s) * plan.C + c;
}

export function targetPredicate(plan: ConfusionPlan, target: Target): Says {
  const { S } = plan;
  return plan.target.kind === 'labels'
    ? (b, c, s) => target[b * S + s] === c
    : (b, c, s) => target[elementIndex(plan, b, c, s)] !== 0;
}

export function predicate(plan: ConfusionPlan, pred: HardPrediction): Says {
  const { S } = plan;
  const p = plan.pred;
  if (p.kind === 'labels') return (b, c, s) => pred[b * S + s] === c;
  if (p.decision === 'nonzero') return (b, c, s) => pred[elementIndex(plan, b, c, s)] !== 0;
  if (p.decision === 'threshold') return (b, c, s) => pred[elementIndex(plan, b, c, s)] > p.threshold;
  // The argmax of a voxel once, for all its classes.
  let voxel = -1,
    chosen = 0;
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
  let best = pred[elementIndex(plan, b, 0, s)],
    index = 0;
  for (let c = 1; c < plan.C; c++) {
    const v = pred[elementIndex(plan, b, c, s)];
    if (v > best) {
      best = v;
      index = c;
    }
  }
  return index;
}
