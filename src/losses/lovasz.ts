// The Lovász losses (Berman, Triki & Blaschko 2018): option resolution, the tensors of a call,
// and the call. For each set of samples (one sample with `perImage`, else the whole batch) and
// each class taken, the engine lists the errors of the set's voxels, sorts them and walks them
// (see LovaszJob); this file picks the classes, checks what the lists counted, averages the
// losses, and tells the engine how much each (sample, class) weighs in the gradient.
//
// Like segmentation_models_pytorch's LovaszLoss (Berman's reference code), a set whose target
// has no class present (or no voxel left after ignoreIndex) contributes a loss of 0, and still
// counts in the mean over samples with `perImage`.
import type { LossAndGrad, Target, TensorOptions } from '../core/api.js';
import type { Engine } from '../backends/engine.js';
import { checkAttached, checkOut } from '../core/arrays.js';
import { describe, list, rangeError, typeError } from '../core/errors.js';
import { checkOptionNames, flag, oneOf } from '../core/options.js';
import type { LovaszInputs, LovaszPlan } from '../core/plans.js';
import type { OwnLoss } from './entry.js';
import { checkTerms, planTensors, resolveTensorOptions, type TargetType, type TensorSpec } from '../core/tensors.js';

export type LovaszLoss = 'hinge' | 'softmax';

/** A resolved Lovász loss: everything but the arrays. */
export interface LovaszSpec {
  fn: string;
  loss: LovaszLoss;
  /** Shape, layout, target kind and ignoreIndex (its activation is unused: see `activation`). */
  tensor: TensorSpec;
  activation: 'none' | 'softmax';
  /** Class indices to average, or the classes present in the target, or all. The hinge: 'all' of its one class. */
  classes: 'present' | 'all' | readonly number[];
  perImage: boolean;
}

const SOFTMAX_ACTIVATIONS = ['softmax', 'none'] as const;

export function resolveLovasz(
  fn: string,
  loss: LovaszLoss,
  options: object | undefined,
  names: readonly string[],
): LovaszSpec {
  const opts = checkOptionNames(fn, options, names) as Record<string, unknown>;
  const perImage = flag(fn, 'perImage', opts.perImage, false);
  if (loss === 'hinge') {
    // The hinge's target is a label map of one class (0, 1 or ignoreIndex), whatever its type.
    const tensor = resolveTensorOptions(fn, {
      shape: opts.shape,
      ignoreIndex: opts.ignoreIndex,
      target: 'labels',
    } as TensorOptions);
    return { fn, loss, tensor, activation: 'none', classes: 'all', perImage };
  }
  const activation = oneOf(fn, 'activation', opts.activation, SOFTMAX_ACTIVATIONS, 'softmax');
  // Resolved as probabilities, so that the number of classes is checked here, for this loss.
  const tensor = resolveTensorOptions(fn, { ...opts, activation: 'none' } as TensorOptions);
  if (tensor.C < 2) {
    throw rangeError(
      fn,
      'shape',
      `gives C = ${tensor.C} class; the Lovász-Softmax loss needs at least 2 (for one class use lovaszHingeLoss)`,
    );
  }
  return { fn, loss, tensor, activation, classes: resolveClasses(fn, opts.classes, tensor.C), perImage };
}

function resolveClasses(fn: string, value: unknown, C: number): LovaszSpec['classes'] {
  if (value === undefined) return 'present';
  if (value === 'present' || value === 'all') return value;
  if (typeof value === 'string') {
    throw rangeError(fn, 'classes', `must be 'present', 'all' or an array of class indices; got ${describe(value)}`);
  }
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
    throw typeError(fn, 'classes', `must be 'present', 'all' or an array of class indices; got ${describe(value)}`);
  }
  const indices = Array.from(value as ArrayLike<unknown>);
  if (indices.length === 0)
    throw rangeError(fn, 'classes', `is empty; name at least one class, or use 'present' or 'all'`);
  const seen = new Set<unknown>();
  indices.forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= C) {
      throw rangeError(fn, 'classes', `[${i}] must be a class index in [0, ${C}); got ${describe(c)}`);
    }
    if (seen.has(c)) throw rangeError(fn, 'classes', `names class ${c} twice`);
    seen.add(c);
  });
  return Object.freeze(indices as number[]);
}

/** Checks pred and target against the options and returns the plan of this call. */
export function planLovasz(
  spec: LovaszSpec,
  pred: unknown,
  target: unknown,
): { plan: LovaszPlan; inputs: LovaszInputs } {
  if (spec.loss === 'hinge') return planHinge(spec, pred, target);
  const { plan, inputs } = planTensors(spec.fn, spec.tensor, { squared: false, softLabel: false }, pred, target);
  const { B, C, S } = plan;
  return {
    plan: {
      B,
      C,
      S,
      layout: plan.layout,
      activation: spec.activation,
      targetKind: plan.targetKind,
      targetType: plan.targetType,
      ignoreIndex: plan.ignoreIndex,
      setLength: spec.perImage ? S : B * S,
    },
    inputs: { pred: inputs.pred, target: inputs.target },
  };
}

function planHinge(spec: LovaszSpec, pred: unknown, target: unknown): { plan: LovaszPlan; inputs: LovaszInputs } {
  const { fn } = spec;
  if (!(pred instanceof Float32Array)) {
    throw typeError(
      fn,
      'pred',
      `must be a Float32Array of logits; got ${describe(pred)} (convert with Float32Array.from)`,
    );
  }
  const shape = spec.tensor.shape ?? [pred.length];
  const total = shape.reduce((a, d) => a * d, 1);
  if (total !== pred.length) {
    throw rangeError(fn, 'pred', `has length ${pred.length} but shape ${list(shape)} holds ${total} elements`);
  }
  const B = shape.length > 1 ? shape[0] : 1;
  if (B === 0) throw rangeError(fn, 'shape', `${list(shape)} has no sample: there is nothing to reduce`);
  checkTerms(fn, 'shape', B, 1, pred.length);
  const targetType: TargetType | null =
    target instanceof Float32Array
      ? 'f32'
      : target instanceof Uint8Array
        ? 'u8'
        : target instanceof Uint16Array
          ? 'u16'
          : target instanceof Int32Array
            ? 'i32'
            : null;
  if (targetType === null) {
    throw typeError(
      fn,
      'target',
      'must be a Float32Array, Uint8Array, Uint16Array or Int32Array of 0 (background) and 1 ' +
        `(foreground); got ${describe(target)}`,
    );
  }
  if ((target as Target).length !== pred.length) {
    throw rangeError(
      fn,
      'target',
      `has length ${(target as Target).length}; the hinge needs one value per element of pred, ${pred.length}`,
    );
  }
  const S = pred.length / B;
  return {
    plan: {
      B,
      C: 1,
      S,
      layout: 'NCHW',
      activation: 'none',
      targetKind: 'binary',
      targetType,
      ignoreIndex: spec.tensor.ignoreIndex,
      setLength: spec.perImage ? S : B * S,
    },
    inputs: { pred, target: target as Target },
  };
}

export function lovaszValue(engine: Engine, spec: LovaszSpec, pred: Float32Array, target: Target): number {
  return evaluate(engine, spec, pred, target, undefined).loss;
}

export function lovaszValueAndGrad(
  engine: Engine,
  spec: LovaszSpec,
  pred: Float32Array,
  target: Target,
  out: Float32Array | undefined,
): LossAndGrad {
  const { loss, grad } = evaluate(engine, spec, pred, target, out ?? null);
  return { loss, grad: grad as Float32Array };
}

/**
 * loss = mean over sets of (mean over the classes taken of the class's Lovász loss); the
 * gradient of (sample b, class c) is scaled by ∂loss/∂(class loss) = 1 / (classes taken · sets).
 */
function evaluate(
  engine: Engine,
  spec: LovaszSpec,
  pred: Float32Array,
  target: Target,
  gradOut: Float32Array | null | undefined,
): { loss: number; grad: Float32Array | null } {
  checkAttached(engine, spec.fn, pred, target, undefined, gradOut ?? undefined);
  const { plan, inputs } = planLovasz(spec, pred, target);
  if (gradOut) checkOut(engine, spec.fn, gradOut, { ...inputs, mask: null });
  const { B, C } = plan;
  const sets = spec.perImage ? B : 1;
  const samplesPerSet = B / sets;
  const classes =
    spec.classes === 'present' || spec.classes === 'all' ? Array.from({ length: C }, (_, c) => c) : spec.classes;
  const job = engine.openLovasz(spec.fn, plan, inputs, gradOut);
  try {
    const scale = new Float64Array(B * C);
    let loss = 0;
    for (let set = 0; set < sets; set++) {
      const b0 = set * samplesPerSet;
      const b1 = b0 + samplesPerSet;
      const taken: number[] = [];
      let sum = 0;
      for (const c of classes) {
        const counts = job.list(b0, b1, c);
        if (counts.other > 0) throw badInput(spec.fn, plan, inputs, b0, b1);
        if (spec.classes === 'present' && counts.foreground === 0) continue;
        const value = job.walk(counts.foreground);
        if (!Number.isFinite(value)) {
          throw rangeError(
            spec.fn,
            'pred',
            'contains non-finite values (NaN or ±Infinity) that make the loss non-finite',
          );
        }
        sum += value;
        taken.push(c);
      }
      if (taken.length === 0) continue;
      loss += sum / taken.length / sets;
      for (let b = b0; b < b1; b++) {
        for (const c of taken) scale[b * C + c] = 1 / (taken.length * sets);
      }
    }
    return { loss, grad: gradOut === undefined ? null : job.grad(scale) };
  } finally {
    job.close();
  }
}

/** What a list counted as unexpected in samples [b0, b1): a logit that is not finite (hinge), else a target value. */
function badInput(fn: string, plan: LovaszPlan, inputs: LovaszInputs, b0: number, b1: number): RangeError {
  const { C, S, targetKind, ignoreIndex } = plan;
  const { pred, target } = inputs;
  if (targetKind === 'binary') {
    for (let i = b0 * S; i < b1 * S; i++) {
      if (!Number.isFinite(pred[i]) && target[i] !== ignoreIndex) {
        return rangeError(fn, 'pred', `contains non-finite values (NaN or ±Infinity): ${pred[i]} at index ${i}`);
      }
    }
  }
  const perSample = targetKind === 'labels' ? S : C * S;
  for (let i = b0 * perSample; i < b1 * perSample; i++) {
    const v = target[i];
    if (targetKind === 'labels') {
      if (v !== ignoreIndex && !(v >= 0 && v < C)) {
        return rangeError(fn, 'target', `holds label ${v} at index ${i}, outside [0, ${C}) and not ignoreIndex`);
      }
    } else if (v !== 0 && v !== 1 && (targetKind === 'dense' || v !== ignoreIndex)) {
      return rangeError(
        fn,
        'target',
        targetKind === 'binary'
          ? `holds ${v} at index ${i}; the hinge needs 0 (background) or 1 (foreground)` +
              (ignoreIndex === null
                ? ', or an ignoreIndex for the elements to leave out'
                : ` or ignoreIndex (${ignoreIndex})`)
          : `holds ${v} at index ${i}; a dense target of the Lovász-Softmax loss holds 0 or 1 per class (one-hot)`,
      );
    }
  }
  return rangeError(fn, 'target', `samples ${b0} to ${b1 - 1} hold values other than the ones expected`);
}

/** The Lovász losses take no mask (ignoreIndex leaves voxels out); createLoss's calls refuse one. */
function noMask(fn: string, mask: unknown): void {
  if (mask !== undefined) throw typeError(fn, 'mask', 'is not an argument of the Lovász losses (use ignoreIndex)');
}

/** The code path of a Lovász loss, for its registry entry (which adds its option names). */
export function lovaszPath(loss: LovaszLoss): Pick<OwnLoss<LovaszSpec>, 'resolve' | 'value' | 'valueAndGrad'> {
  return {
    resolve: (fn, options, names) => resolveLovasz(fn, loss, options, names),
    value: (engine, spec, pred, target, mask) => {
      noMask(spec.fn, mask);
      return lovaszValue(engine, spec, pred, target);
    },
    valueAndGrad: (engine, spec, pred, target, out, mask) => {
      noMask(spec.fn, mask);
      return lovaszValueAndGrad(engine, spec, pred, target, out);
    },
  };
}
