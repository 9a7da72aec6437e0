// The Lovász losses in plain TypeScript, float64: the readable reference of assembly/lovasz.ts.
//
// Errors are listed with their float32 rounding as the sort key, as the WebAssembly kernels
// list them, so that every backend sorts the same keys (for the hinge, bit for bit: same order,
// same ties); the loss and the gradient use the float64 errors.
import type { LovaszCounts, LovaszJob } from '../engine.js';
import type { LovaszInputs, LovaszPlan } from '../../core/plans.js';
import { argsortDescending } from './argsort.js';
import { indexOf, softmaxAt } from './kernels.js';

/** The errors of one (set, class), in the order they were listed. */
class ErrorList {
  /** The error rounded to float32: what is sorted. */
  readonly key: Float32Array;
  readonly error: Float64Array;
  /** The voxel's index in the channels-first ∂L/∂p buffer. */
  readonly index: Uint32Array;
  readonly foreground: Uint8Array;
  /** ∂error/∂p: +1 or −1. */
  readonly slope: Int8Array;
  /** Errors listed so far. */
  length = 0;
  readonly counts: LovaszCounts = { foreground: 0, other: 0 };

  constructor(capacity: number) {
    this.key = new Float32Array(capacity);
    this.error = new Float64Array(capacity);
    this.index = new Uint32Array(capacity);
    this.foreground = new Uint8Array(capacity);
    this.slope = new Int8Array(capacity);
  }

  clear(): void {
    this.length = this.counts.foreground = this.counts.other = 0;
  }

  /** Appends one voxel; `expected` is false when its target is none of the values the loss takes. */
  push(error: number, index: number, foreground: boolean, slope: number, expected: boolean): void {
    const k = this.length++;
    this.key[k] = this.error[k] = error;
    this.index[k] = index;
    this.foreground[k] = foreground ? 1 : 0;
    this.slope[k] = slope;
    if (foreground) this.counts.foreground++;
    if (!expected) this.counts.other++;
  }
}

export class JsLovaszJob implements LovaszJob {
  /** Probabilities channels first ([b][c][s]) for the Lovász-Softmax loss; null for the hinge. */
  private readonly prob: Float64Array | null;
  /** ∂(class losses)/∂p, channels first, when a gradient is asked for. */
  private readonly dLdp: Float64Array | null;
  private readonly errors: ErrorList;

  constructor(
    private readonly plan: LovaszPlan,
    private readonly inputs: LovaszInputs,
    private readonly gradOut: Float32Array | null | undefined,
  ) {
    const { B, C, S } = plan;
    this.prob = plan.targetKind === 'binary' ? null : probabilities(plan, inputs.pred);
    this.dLdp = gradOut === undefined ? null : new Float64Array(B * C * S);
    this.errors = new ErrorList(plan.setLength);
  }

  list(b0: number, b1: number, c: number): LovaszCounts {
    const { plan, errors } = this;
    const { pred, target } = this.inputs;
    const { C, S, ignoreIndex } = plan;
    errors.clear();
    if (plan.targetKind === 'binary') {
      // Hinge: error 1 − x·(2y − 1) of logit x, falling as x rises on the foreground.
      for (let i = b0 * S; i < b1 * S; i++) {
        const t = target[i];
        if (t === ignoreIndex) continue;
        const fg = t === 1;
        // A logit that is not finite counts as unexpected, as in assembly/lovasz.ts.
        errors.push(fg ? 1 - pred[i] : 1 + pred[i], i, fg, fg ? -1 : 1, (fg || t === 0) && Number.isFinite(pred[i]));
      }
      return { ...errors.counts };
    }
    const prob = this.prob as Float64Array;
    for (let b = b0; b < b1; b++) {
      for (let s = 0; s < S; s++) {
        let y: number;
        let expected: boolean;
        if (plan.targetKind === 'labels') {
          const label = target[b * S + s];
          if (label === ignoreIndex) continue;
          y = label === c ? 1 : 0;
          expected = label >= 0 && label < C;
        } else {
          y = target[indexOf(plan, b, c, s)];
          expected = y === 0 || y === 1;
        }
        const index = (b * C + c) * S + s;
        const p = prob[index];
        errors.push(Math.abs(y - p), index, y === 1, p > y ? 1 : -1, expected);
      }
    }
    return { ...errors.counts };
  }

  walk(foreground: number): number {
    const { errors, dLdp } = this;
    const order = argsortDescending(errors.key.subarray(0, errors.length));
    // Berman et al. 2018, Alg. 1: after k errors, with `inside` of them on the foreground, the
    // Jaccard loss of the prefix is 1 − (foreground − inside) / (foreground + outside); its
    // increments g_k are the gradient of the Lovász extension at the sorted errors.
    let inside = 0;
    let outside = 0;
    let previous = 0;
    let loss = 0;
    for (const k of order) {
      if (errors.foreground[k]) inside++;
      else outside++;
      const jaccard = 1 - (foreground - inside) / (foreground + outside);
      const g = jaccard - previous;
      previous = jaccard;
      const e = errors.error[k];
      loss += Math.max(e, 0) * g;
      if (dLdp !== null && e > 0) dLdp[errors.index[k]] = errors.slope[k] * g;
    }
    return loss;
  }

  grad(scale: Float64Array): Float32Array {
    const { plan, prob } = this;
    const dLdp = this.dLdp as Float64Array;
    const { B, C, S } = plan;
    const out = this.gradOut ?? new Float32Array(this.inputs.pred.length);
    const g = new Float64Array(C);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        let dot = 0;
        for (let c = 0; c < C; c++) {
          const at = (b * C + c) * S + s;
          g[c] = scale[b * C + c] * dLdp[at];
          if (plan.activation === 'softmax') dot += (prob as Float64Array)[at] * g[c];
        }
        // Through the softmax Jacobian: ∂L/∂x_c = p_c·(g_c − Σ_k p_k·g_k).
        for (let c = 0; c < C; c++) {
          const at = (b * C + c) * S + s;
          out[indexOf(plan, b, c, s)] =
            plan.activation === 'softmax' ? (prob as Float64Array)[at] * (g[c] - dot) : g[c];
        }
      }
    }
    return out;
  }

  close(): void {}
}

/** act(pred) channels first: the softmax over the classes of each voxel, or pred's values. */
function probabilities(plan: LovaszPlan, pred: Float32Array): Float64Array {
  const { B, C, S } = plan;
  const prob = new Float64Array(B * C * S);
  const p = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (plan.activation === 'softmax') softmaxAt(plan, pred, b, s, p);
      else for (let c = 0; c < C; c++) p[c] = pred[indexOf(plan, b, c, s)];
      for (let c = 0; c < C; c++) prob[(b * C + c) * S + s] = p[c];
    }
  }
  return prob;
}
