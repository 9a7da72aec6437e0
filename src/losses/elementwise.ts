// One call of a pointwise loss (BCE, cross-entropy, focal) with reduction 'none': plan → kernel 1
// → checks → coefficients → kernel 3. Kernel 1 runs first for the checks that stand for checks of
// the inputs (non-finite values, labels outside [0, C)) and for a finite sum; kernel 3 then writes
// each element's loss (each voxel's for cross-entropy), so nothing is written on error.
import { checkAttached, checkOut } from '../core/arrays.js';
import type { Target } from '../core/api.js';
import type { Engine } from '../backends/engine.js';
import { rangeError } from '../core/errors.js';
import { checkStats } from './checks.js';
import type { Mask } from './entry.js';
import { sumsOf, type OverlapSpec } from './overlap.js';
import { pointLossCoefficients, pointLossLength, type PointSpec } from './pointwise.js';
import { overlapValue } from './run.js';
import { planTensors } from '../core/tensors.js';

/** A loss's value: per element for a pointwise loss with reduction 'none', else as overlapValue. */
export function lossValue(
  engine: Engine,
  spec: OverlapSpec,
  pred: Float32Array,
  target: Target,
  mask: Mask,
  out?: Float32Array,
): number | Float64Array | Float32Array {
  const point = spec.pointwise;
  if (point?.reduction === 'none') return pointwiseElements(engine, spec, point, pred, target, mask, out);
  checkNoOut(spec, out);
  return overlapValue(engine, spec, 'loss', pred, target, mask);
}

/** A pointwise loss alone takes `out` for its values of reduction 'none' only. */
export function checkNoOut(spec: OverlapSpec, out: Float32Array | undefined): void {
  if (out !== undefined) {
    throw rangeError(
      spec.fn,
      'out',
      "receives the losses of reduction 'none'; 'mean' and 'sum' give one number (a gradient goes to the " +
        'out of the ...WithGrad functions)',
    );
  }
}

/**
 * Each element's loss in pred's shape and layout (cross-entropy: each voxel's, [B, ...spatial]),
 * 0 where nothing counts, in `out` if given.
 */
function pointwiseElements(
  engine: Engine,
  spec: OverlapSpec,
  point: PointSpec,
  pred: Float32Array,
  target: Target,
  mask: Mask,
  out: Float32Array | undefined,
): Float32Array {
  checkAttached(engine, spec.fn, pred, target, mask, out);
  const { plan, inputs } = planTensors(spec.fn, spec.tensor, sumsOf(spec), pred, target, mask);
  const length = pointLossLength(plan);
  if (out !== undefined)
    checkOut(
      engine,
      spec.fn,
      out,
      inputs,
      length,
      plan.point === 'ce' ? 'cross-entropy gives one loss per voxel (B·S):' : 'pred has',
    );
  const job = engine.open(spec.fn, plan, inputs, out ?? new Float32Array(length));
  try {
    const stats = job.stats();
    checkStats(spec.fn, plan, stats, inputs.target);
    return job.pointLoss(pointLossCoefficients(spec.fn, point, plan, stats));
  } finally {
    job.close();
  }
}
