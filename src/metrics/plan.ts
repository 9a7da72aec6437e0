// The plan of one confusion count: which arrays, read how. Checks the arrays against the
// options (types, lengths, shape) before any kernel runs.
import type { HardPrediction, Target } from '../core/api.js';
import { checkView, describe, list, rangeError, typeError } from '../core/errors.js';
import type { ConfusionPlan, LabelType, PredPlan, TargetPlan } from '../core/plans.js';
import { axes, checkClasses, checkTargetType, checkTerms, type TargetType } from '../core/tensors.js';
import type { ConfusionSpec } from './options.js';

export function planConfusion(
  spec: ConfusionSpec,
  pred: unknown,
  target: unknown,
  shapeOverride?: readonly number[],
): ConfusionPlan {
  const { fn } = spec;
  checkView(fn, 'pred', pred);
  checkView(fn, 'target', target);
  if (
    !(
      pred instanceof Float32Array ||
      pred instanceof Uint8Array ||
      pred instanceof Uint16Array ||
      pred instanceof Int32Array
    )
  ) {
    throw typeError(
      fn,
      'pred',
      'must be a Float32Array (scores or masks), a Uint8Array (masks or labels) or a Uint16Array / ' +
        `Int32Array (labels); got ${describe(pred)}`,
    );
  }
  const labels = predIsLabelMap(spec, pred);
  const shape = shapeOverride ?? spec.shape ?? [pred.length];
  const total = shape.reduce((a, d) => a * d, 1);
  if (total !== pred.length) {
    throw rangeError(fn, 'pred', `has length ${pred.length} but shape ${list(shape)} holds ${total} elements`);
  }
  let B: number, C: number, S: number;
  if (labels) {
    if (spec.numClasses === null) {
      throw rangeError(
        fn,
        'numClasses',
        `is required when pred is a label map (${describe(pred)}); for a dense pred with a class axis ` +
          `pass decision 'argmax', 'threshold' or 'nonzero'`,
      );
    }
    B = shape.length === 1 ? 1 : shape[0];
    S = shape.length === 1 ? shape[0] : shape.slice(1).reduce((a, d) => a * d, 1);
    C = spec.numClasses;
  } else {
    ({ B, C, S } = axes(shape, spec.layout));
    if (C === 0) throw rangeError(fn, 'shape', `${list(shape)} has no class`);
    if (spec.numClasses !== null && spec.numClasses !== C) {
      throw rangeError(
        fn,
        'numClasses',
        `is ${spec.numClasses} but the class axis of shape ${list(shape)} (${spec.layout}) has ${C}`,
      );
    }
  }
  checkClasses(fn, 'shape', C);
  checkTerms(fn, labels ? 'numClasses' : 'shape', B, C, pred.length);
  const predPlan = labels ? { kind: 'labels' as const, type: labelType(pred) } : densePlan(spec, pred, C);
  return { B, C, S, layout: spec.layout, pred: predPlan, target: targetPlan(spec, target, B, C, S, labels) };
}

function predIsLabelMap(spec: ConfusionSpec, pred: HardPrediction): boolean {
  const { fn, decision } = spec;
  if (decision === 'labels') {
    if (pred instanceof Float32Array)
      throw typeError(
        fn,
        'pred',
        `as a label map must be a Uint8Array, Uint16Array or Int32Array; got ${describe(pred)}`,
      );
    return true;
  }
  if (decision !== null) {
    if (pred instanceof Uint16Array || pred instanceof Int32Array) {
      throw typeError(
        fn,
        'pred',
        `with decision '${decision}' must be dense (Float32Array or Uint8Array); got ${describe(pred)}`,
      );
    }
    if (decision !== 'nonzero' && !(pred instanceof Float32Array)) {
      throw typeError(
        fn,
        'pred',
        `with decision '${decision}' must be a Float32Array of scores; got ${describe(pred)}`,
      );
    }
    return false;
  }
  return (
    pred instanceof Uint16Array ||
    pred instanceof Int32Array ||
    (pred instanceof Uint8Array && spec.numClasses !== null)
  );
}

function labelType(array: Uint8Array | Uint16Array | Int32Array | Float32Array): LabelType {
  return array instanceof Uint8Array ? 'u8' : array instanceof Uint16Array ? 'u16' : 'i32';
}

function densePlan(spec: ConfusionSpec, pred: HardPrediction, C: number): PredPlan {
  const type = pred instanceof Float32Array ? ('f32' as const) : ('u8' as const);
  const decision =
    spec.decision === null ? (type === 'u8' ? 'nonzero' : C > 1 ? 'argmax' : 'threshold') : spec.decision;
  if (decision === 'labels') throw new Error('unreachable: label maps are planned apart');
  if (spec.activation !== 'none' && decision === 'nonzero') {
    throw rangeError(
      spec.fn,
      'activation',
      `'${spec.activation}' applies to scores decided by 'threshold' or 'argmax', not to masks read as non-zero`,
    );
  }
  // σ(x) > t exactly when x > logit(t); the threshold is compared in f32 by every backend.
  const t = spec.activation === 'sigmoid' ? Math.log(spec.threshold / (1 - spec.threshold)) : spec.threshold;
  return { kind: 'dense', type, decision, threshold: Math.fround(t) };
}

function targetPlan(
  spec: ConfusionSpec,
  target: unknown,
  B: number,
  C: number,
  S: number,
  predIsLabels: boolean,
): TargetPlan {
  const { fn } = spec;
  if (!ArrayBuffer.isView(target)) throw typeError(fn, 'target', `must be a typed array; got ${describe(target)}`);
  const dense = B * C * S,
    map = B * S;
  let kind = spec.target;
  if (kind === null) {
    if (target instanceof Uint16Array || target instanceof Int32Array) kind = 'labels';
    else if (target instanceof Uint8Array && (target as Uint8Array).length === map && (C > 1 || predIsLabels))
      kind = 'labels';
    else kind = 'dense';
  }
  const type: TargetType = checkTargetType(fn, kind, target);
  const expected = kind === 'dense' ? dense : map;
  if ((target as Target).length !== expected) {
    const what = kind === 'dense' ? `a dense target needs B·C·S = ${B}·${C}·${S}` : `a label map needs B·S = ${B}·${S}`;
    throw rangeError(fn, 'target', `has length ${(target as Target).length}; ${what} = ${expected}`);
  }
  if (kind === 'labels') return { kind, type: type as LabelType, ignoreIndex: spec.ignoreIndex };
  if (spec.ignoreIndex !== null) {
    throw rangeError(
      fn,
      'ignoreIndex',
      `applies to label-map targets, but this target (${describe(target)}) is read as dense; pass ` +
        `target: 'labels' if it is a label map`,
    );
  }
  return { kind, type: type as 'u8' | 'f32' };
}
