// One call of an overlap loss or score: plan → kernel 1 → checks → formula → kernel 2.
// Everything that can fail is checked before kernel 2 writes the gradient.
import type { LossAndGrad, Target } from '../api.js';
import { describe, rangeError, typeError } from '../errors.js';
import type { Engine } from '../backends/engine.js';
import { checkStats } from './checks.js';
import { evaluateOverlap, type OverlapSpec } from './overlap.js';
import { planTensors } from './tensors.js';

export function overlapValue(engine: Engine, spec: OverlapSpec, mode: 'loss' | 'score', pred: Float32Array, target: Target): number | Float64Array {
  engine.checkAttached(spec.fn, 'pred', pred);
  engine.checkAttached(spec.fn, 'target', target);
  const plan = planTensors(spec.fn, spec.tensor, spec.squared, pred, target);
  const job = engine.open(spec.fn, plan, pred, target, undefined);
  try {
    const stats = job.stats();
    checkStats(spec.fn, plan, stats, target);
    return evaluateOverlap(spec, plan, stats, mode, false).value;
  } finally {
    job.close();
  }
}

export function overlapValueAndGrad(engine: Engine, spec: OverlapSpec, pred: Float32Array, target: Target, out: Float32Array | undefined): LossAndGrad {
  engine.checkAttached(spec.fn, 'pred', pred);
  engine.checkAttached(spec.fn, 'target', target);
  engine.checkAttached(spec.fn, 'out', out);
  const plan = planTensors(spec.fn, spec.tensor, spec.squared, pred, target);
  if (out !== undefined) checkOut(spec.fn, out, pred, target);
  const job = engine.open(spec.fn, plan, pred, target, out ?? null);
  try {
    const stats = job.stats();
    checkStats(spec.fn, plan, stats, target);
    const { value, coef } = evaluateOverlap(spec, plan, stats, 'loss', true);
    return { loss: value as number, grad: job.grad(coef as Float64Array) };
  } finally {
    job.close();
  }
}

function checkOut(fn: string, out: unknown, pred: Float32Array, target: Target): void {
  if (!(out instanceof Float32Array)) throw typeError(fn, 'out', `must be a Float32Array; got ${describe(out)}`);
  if (out.length !== pred.length) {
    throw rangeError(fn, 'out', `has length ${out.length} but pred has ${pred.length}`);
  }
  for (const [name, other] of [['pred', pred], ['target', target]] as const) {
    if (out.buffer === other.buffer && out.byteOffset < other.byteOffset + other.byteLength && other.byteOffset < out.byteOffset + out.byteLength) {
      throw rangeError(fn, 'out', `overlaps ${name}; the gradient needs its own array`);
    }
  }
}
