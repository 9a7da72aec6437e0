// One call of an overlap loss or score: plan → kernel 1 → checks → formula → kernel 2.
// Everything that can fail is checked before kernel 2 writes the gradient. The steps are apart
// so that the pool (src/pool) runs the same ones with its kernels on worker threads.
import type { LossAndGrad, Target } from '../core/api.js';
import { checkAttached, checkOut } from '../core/arrays.js';
import type { Engine } from '../backends/engine.js';
import { checkStats } from './checks.js';
import type { Mask } from './entry.js';
import { evaluateOverlap, sumsOf, type OverlapSpec } from './overlap.js';
import { planTensors, type Inputs, type TensorPlan } from '../core/tensors.js';

/** One call of an overlap loss or score, planned: options resolved, arrays checked. */
export interface OverlapCall {
  spec: OverlapSpec;
  plan: TensorPlan;
  inputs: Inputs;
  /** The gradient's destination: undefined for no gradient, null for a new array. */
  out: Float32Array | null | undefined;
}

/**
 * Checks the arrays of a call against its options (and against each other); nothing is computed
 * yet. `out` is the caller's gradient array, if any (with `withGrad`).
 */
export function planOverlap(
  engine: Engine,
  spec: OverlapSpec,
  pred: Float32Array,
  target: Target,
  mask: Mask,
  out: Float32Array | undefined,
  withGrad: boolean,
): OverlapCall {
  checkAttached(engine, spec.fn, pred, target, mask, out);
  const { plan, inputs } = planTensors(spec.fn, spec.tensor, sumsOf(spec), pred, target, mask);
  if (out !== undefined) checkOut(engine, spec.fn, out, inputs);
  return { spec, plan, inputs, out: withGrad ? (out ?? null) : undefined };
}

/** The value from kernel 1's statistics, once they pass the checks. */
export function valueFromStats(call: OverlapCall, mode: 'loss' | 'score', stats: Float64Array): number | Float64Array {
  checkStats(call.spec.fn, call.plan, stats, call.inputs.target);
  return evaluateOverlap(call.spec, call.plan, stats, mode, false).value;
}

/** The loss and kernel 2's coefficients from kernel 1's statistics, once they pass the checks. */
export function coefficientsFromStats(call: OverlapCall, stats: Float64Array): { loss: number; coef: Float64Array } {
  checkStats(call.spec.fn, call.plan, stats, call.inputs.target);
  const { value, coef } = evaluateOverlap(call.spec, call.plan, stats, 'loss', true);
  return { loss: value as number, coef: coef as Float64Array };
}

export function overlapValue(
  engine: Engine,
  spec: OverlapSpec,
  mode: 'loss' | 'score',
  pred: Float32Array,
  target: Target,
  mask: Mask,
): number | Float64Array {
  return runValue(engine, planOverlap(engine, spec, pred, target, mask, undefined, false), mode);
}

export function overlapValueAndGrad(
  engine: Engine,
  spec: OverlapSpec,
  pred: Float32Array,
  target: Target,
  out: Float32Array | undefined,
  mask: Mask,
): LossAndGrad {
  return runValueAndGrad(engine, planOverlap(engine, spec, pred, target, mask, out, true));
}

/** A planned call's value, on the engine's kernels (this thread). */
export function runValue(engine: Engine, call: OverlapCall, mode: 'loss' | 'score'): number | Float64Array {
  const job = engine.open(call.spec.fn, call.plan, call.inputs, undefined);
  try {
    return valueFromStats(call, mode, job.stats());
  } finally {
    job.close();
  }
}

/** A planned call's loss and gradient, on the engine's kernels (this thread). */
export function runValueAndGrad(engine: Engine, call: OverlapCall): LossAndGrad {
  const job = engine.open(call.spec.fn, call.plan, call.inputs, call.out);
  try {
    const { loss, coef } = coefficientsFromStats(call, job.stats());
    return { loss, grad: job.grad(coef) };
  } finally {
    job.close();
  }
}
