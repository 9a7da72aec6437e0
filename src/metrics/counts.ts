// One confusion count: plan → kernel → label checks → { tp, fp, fn, tn }. Labels outside
// [0, C) are found from the records (a sample whose per-class counts do not add up to its
// voxel count holds one), and only then is the array scanned, to name the first of them.
import type { ConfusionCounts, HardPrediction, Target } from '../core/api.js';
import { CONF_PRED, CONF_STRIDE, CONF_TARGET, CONF_TP, CONF_VALID } from '../core/constants.js';
import type { Engine } from '../backends/engine.js';
import { checkView, describe, rangeError, typeError } from '../core/errors.js';
import { revoked } from '../core/options.js';
import type { ConfusionSpec } from './options.js';
import { planConfusion } from './plan.js';
import type { ConfusionPlan } from '../core/plans.js';

export function countConfusion(
  engine: Engine,
  spec: ConfusionSpec,
  pred: HardPrediction,
  target: Target,
  shape?: readonly number[],
): ConfusionCounts {
  checkView(spec.fn, 'pred', pred);
  checkView(spec.fn, 'target', target);
  engine.checkAttached(spec.fn, 'pred', pred);
  engine.checkAttached(spec.fn, 'target', target);
  const plan = planConfusion(spec, pred, target, shape);
  const records = engine.confusion(spec.fn, plan, pred, target);
  checkLabels(spec.fn, plan, records, pred, target);
  return countsOf(records, plan.B, plan.C);
}

/** FP, FN and TN from the record's TP, PRED, TARGET and VALID counts. */
function countsOf(records: Float64Array, B: number, C: number): ConfusionCounts {
  const n = B * C;
  const counts = {
    tp: new Float64Array(n),
    fp: new Float64Array(n),
    fn: new Float64Array(n),
    tn: new Float64Array(n),
    numSamples: B,
    numClasses: C,
  };
  for (let k = 0; k < n; k++) {
    const at = k * CONF_STRIDE;
    const tp = records[at + CONF_TP],
      predicted = records[at + CONF_PRED],
      actual = records[at + CONF_TARGET];
    counts.tp[k] = tp;
    counts.fp[k] = predicted - tp;
    counts.fn[k] = actual - tp;
    counts.tn[k] = records[at + CONF_VALID] - predicted - actual + tp;
  }
  return counts;
}

function checkLabels(
  fn: string,
  plan: ConfusionPlan,
  records: Float64Array,
  pred: HardPrediction,
  target: Target,
): void {
  const { B, C } = plan;
  for (let b = 0; b < B; b++) {
    let predicted = 0,
      actual = 0;
    for (let c = 0; c < C; c++) {
      predicted += records[(b * C + c) * CONF_STRIDE + CONF_PRED];
      actual += records[(b * C + c) * CONF_STRIDE + CONF_TARGET];
    }
    const valid = records[b * C * CONF_STRIDE + CONF_VALID];
    if (plan.target.kind === 'labels' && actual !== valid) throw outOfRange(fn, 'target', target, plan, target, b);
    if (plan.pred.kind === 'labels' && predicted !== valid) throw outOfRange(fn, 'pred', pred, plan, target, b);
  }
}

/** Names the first label of sample b outside [0, C) at a voxel that counts (its target is not ignoreIndex). */
function outOfRange(
  fn: string,
  name: 'pred' | 'target',
  labels: ArrayLike<number>,
  plan: ConfusionPlan,
  target: Target,
  b: number,
): RangeError {
  const { C, S } = plan;
  const ignoreIndex = plan.target.kind === 'labels' ? plan.target.ignoreIndex : null;
  for (let s = 0; s < S; s++) {
    const label = labels[b * S + s];
    if (!(label >= 0 && label < C) && (ignoreIndex === null || target[b * S + s] !== ignoreIndex)) {
      const hint = name === 'target' ? ' and not ignoreIndex' : '';
      return rangeError(
        fn,
        name,
        `holds label ${label} at index ${b * S + s}, outside [0, ${C}) (numClasses ${C})${hint}`,
      );
    }
  }
  return rangeError(fn, name, `sample ${b}: per-class counts do not add up to the voxel count`);
}

/**
 * Checks counts that come from outside (another process, a file): shape and values. Each field is
 * read once; the checked snapshot is returned, for the caller to use instead of `counts`.
 */
export function checkCounts(fn: string, counts: unknown, integers = false): ConfusionCounts {
  if (counts === null || typeof counts !== 'object' || revoked(counts))
    throw typeError(
      fn,
      'counts',
      `must be { tp, fp, fn, tn, numSamples, numClasses } (from confusion()); got ${describe(counts)}`,
    );
  const { numSamples: B, numClasses: C, tp, fp, fn: fnCounts, tn } = counts as Partial<ConfusionCounts>;
  if (!Number.isSafeInteger(B) || (B as number) < 0)
    throw rangeError(fn, 'counts.numSamples', `must be an integer ≥ 0; got ${describe(B)}`);
  if (!Number.isSafeInteger(C) || (C as number) < 1)
    throw rangeError(fn, 'counts.numClasses', `must be an integer ≥ 1; got ${describe(C)}`);
  const fields = { tp, fp, fn: fnCounts, tn };
  for (const name of ['tp', 'fp', 'fn', 'tn'] as const) {
    const values = fields[name];
    checkView(fn, `counts.${name}`, values);
    if (!(values instanceof Float64Array))
      throw typeError(fn, `counts.${name}`, `must be a Float64Array; got ${describe(values)}`);
    if (values.length !== (B as number) * (C as number)) {
      throw rangeError(
        fn,
        `counts.${name}`,
        `has length ${values.length} but numSamples × numClasses is ${(B as number) * (C as number)}`,
      );
    }
    // With `integers`, the rule of a streaming metric's fromJSON: exact integers, so that its state
    // survives toJSON → fromJSON.
    const bad = values.findIndex((v) =>
      integers ? !(Number.isSafeInteger(v) && v >= 0) : !(v >= 0 && Number.isFinite(v)),
    );
    if (bad >= 0) {
      const rule = integers ? 'an integer count in [0, 2^53)' : 'a finite count ≥ 0';
      throw rangeError(fn, `counts.${name}[${bad}]`, `must be ${rule}; got ${values[bad]}`);
    }
  }
  return {
    ...(fields as Pick<ConfusionCounts, 'tp' | 'fp' | 'fn' | 'tn'>),
    numSamples: B as number,
    numClasses: C as number,
  };
}
