// One call of an overlap loss or score: plan → kernel 1 → checks → formula → kernel 2.
// Everything that can fail is checked before kernel 2 writes the gradient.
import type { LossAndGrad, Target } from '../api.js';
import { describe, rangeError, typeError } from '../errors.js';
import type { Engine } from '../backends/engine.js';
import { checkStats } from './checks.js';
import { evaluateOverlap, sumsOf, type OverlapSpec } from './overlap.js';
import { planTensors } from './tensors.js';

type Mask = Uint8Array | Float32Array | null | undefined;

export function overlapValue(engine: Engine, spec: OverlapSpec, mode: 'loss' | 'score', pred: Float32Array, target: Target, mask: Mask): number | Float64Array {
  checkAttached(engine, spec.fn, pred, target, mask, undefined);
  const { plan, inputs } = planTensors(spec.fn, spec.tensor, sumsOf(spec), pred, target, mask);
  const job = engine.open(spec.fn, plan, inputs, undefined);
  try {
    const stats = job.stats();
    checkStats(spec.fn, plan, stats, inputs.target);
    return evaluateOverlap(spec, plan, stats, mode, false).value;
  } finally {
    job.close();
  }
}

export function overlapValueAndGrad(engine: Engine, spec: OverlapSpec, pred: Float32Array, target: Target, out: Float32Array | undefined, mask: Mask): LossAndGrad {
  checkAttached(engine, spec.fn, pred, target, mask, out);
  const { plan, inputs } = planTensors(spec.fn, spec.tensor, sumsOf(spec), pred, target, mask);
  if (out !== undefined) checkOut(engine, spec.fn, out, inputs);
  const job = engine.open(spec.fn, plan, inputs, out ?? null);
  try {
    const stats = job.stats();
    checkStats(spec.fn, plan, stats, inputs.target);
    const { value, coef } = evaluateOverlap(spec, plan, stats, 'loss', true);
    return { loss: value as number, grad: job.grad(coef as Float64Array) };
  } finally {
    job.close();
  }
}

export function checkAttached(engine: Engine, fn: string, pred: unknown, target: unknown, mask: unknown, out: unknown): void {
  engine.checkAttached(fn, 'pred', pred);
  engine.checkAttached(fn, 'target', target);
  engine.checkAttached(fn, 'mask', mask);
  engine.checkAttached(fn, 'out', out);
}

export function checkOut(engine: Engine, fn: string, out: unknown, inputs: { pred: Float32Array; target: Target; mask: Uint8Array | null }): void {
  if (!(out instanceof Float32Array)) throw typeError(fn, 'out', `must be a Float32Array; got ${describe(out)}`);
  if (out.length !== inputs.pred.length) {
    throw rangeError(fn, 'out', `has length ${out.length} but pred has ${inputs.pred.length}`);
  }
  for (const [name, other] of [['pred', inputs.pred], ['target', inputs.target], ['mask', inputs.mask]] as const) {
    if (other && engine.sameMemory(out, other) && out.byteOffset < other.byteOffset + other.byteLength && other.byteOffset < out.byteOffset + out.byteLength) {
      throw rangeError(fn, 'out', `overlaps ${name}; the gradient needs its own array`);
    }
  }
}
