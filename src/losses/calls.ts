// The loss methods of DiceKernel (`<name>Loss`, `<name>LossWithGrad`) and createLoss, for every
// entry of the registry: the option names come from the entry, the computation from its path.
import type { CreateLossOptions, CreateLovaszLossOptions, Loss, LossAndGrad, Target } from '../core/api.js';
import { describe, rangeError, typeError } from '../core/errors.js';
import { checkOptionNames } from '../core/options.js';
import type { Engine } from '../backends/engine.js';
import { lossValue } from './elementwise.js';
import type { LossEntry, Mask, OwnLoss, SumsLoss } from './entry.js';
import { resolveOverlap, type OverlapSpec } from './overlap.js';
import { type AnyLossName, LOSS_NAMES, LOSSES, methodName, SCORE_OPTION_NAMES } from './registry.js';
import { overlapValueAndGrad } from './run.js';

/** The per-call arrays a method's options may hold. */
interface CallArrays {
  mask?: Mask;
  out?: Float32Array;
}

/**
 * The option names of a loss's methods: the entry's own, the per-call mask (if the loss takes
 * one) and `out` — of the gradient, or of the per-element values of a pointwise loss alone.
 */
export function methodOptionNames(entry: LossEntry, withGrad: boolean): readonly string[] {
  const mask = entry.path === 'sums' || entry.mask ? ['mask'] : [];
  const out = withGrad || (entry.path === 'sums' && entry.overlap === null) ? ['out'] : [];
  return [...entry.options, ...mask, ...out];
}

/**
 * A 'sums' loss method's spec and the per-call arrays of its options, all read from one snapshot
 * of them (core/options.ts: each option read once, so what is checked is what is used).
 */
export interface MethodCall extends CallArrays {
  spec: OverlapSpec;
}

/** The spec and per-call arrays of a 'sums' loss's method (`fn` is the method's name). */
export function methodSpec(fn: string, entry: SumsLoss, options: object | undefined, withGrad: boolean): MethodCall {
  const names = methodOptionNames(entry, withGrad);
  const opts = checkOptionNames(fn, options, names) as CallArrays;
  return { spec: resolveOverlap(fn, entry, opts, names, withGrad), mask: opts.mask, out: opts.out };
}

/** The spec of diceCoefficient (the Dice loss's score, without the loss's own options) and its mask. */
export function scoreSpec(options: object | undefined): MethodCall {
  const names = [...SCORE_OPTION_NAMES, 'mask'];
  const opts = checkOptionNames('diceCoefficient', options, names) as CallArrays;
  return { spec: resolveOverlap('diceCoefficient', LOSSES.dice as SumsLoss, opts, names, false), mask: opts.mask };
}

/** `<name>Loss`: options resolved, then the loss (for a pointwise loss alone with reduction 'none', per element). */
export function runLoss(
  engine: Engine,
  name: AnyLossName,
  pred: Float32Array,
  target: Target,
  options: object | undefined,
): number | Float64Array | Float32Array {
  const fn = methodName(name, false);
  const entry = LOSSES[name];
  if (entry.path === 'own') {
    const names = methodOptionNames(entry, false);
    const opts = checkOptionNames(fn, options, names) as CallArrays;
    return entry.value(engine, entry.resolve(fn, opts, names, false), pred, target, opts.mask);
  }
  const { spec, mask, out } = methodSpec(fn, entry, options, false);
  return lossValue(engine, spec, pred, target, mask, out);
}

/** `<name>LossWithGrad`: options resolved, then the loss and its gradient. */
export function runLossWithGrad(
  engine: Engine,
  name: AnyLossName,
  pred: Float32Array,
  target: Target,
  options: object | undefined,
): LossAndGrad {
  const fn = methodName(name, true);
  const entry = LOSSES[name];
  if (entry.path === 'own') {
    const names = methodOptionNames(entry, true);
    const opts = checkOptionNames(fn, options, names) as CallArrays;
    return entry.valueAndGrad(engine, entry.resolve(fn, opts, names, true), pred, target, opts.out, opts.mask);
  }
  const { spec, mask, out } = methodSpec(fn, entry, options, true);
  return overlapValueAndGrad(engine, spec, pred, target, out, mask);
}

/**
 * What createLoss makes of its options, resolved once: the specs of `value` and `valueAndGrad`
 * (null for a 'sums' loss with reduction 'none', which has no single gradient).
 */
export type ResolvedLoss =
  | { path: 'own'; entry: OwnLoss<{ fn: string }>; value: { fn: string }; grad: { fn: string } }
  | { path: 'sums'; value: OverlapSpec; grad: OverlapSpec | null };

export function resolveCreateLoss(options: CreateLossOptions | CreateLovaszLossOptions): ResolvedLoss {
  if (options === null || typeof options !== 'object') {
    throw typeError('createLoss', 'options', `must be an object with a 'loss' name; got ${describe(options)}`);
  }
  const { loss, ...rest } = options;
  if (!(LOSS_NAMES as string[]).includes(loss)) {
    throw rangeError(
      'createLoss',
      'loss',
      `must be one of ${LOSS_NAMES.map((n) => `'${n}'`).join(', ')}; got ${describe(loss)}`,
    );
  }
  const entry = LOSSES[loss];
  if (entry.path === 'own') {
    const spec = entry.resolve('createLoss', rest, entry.options, false);
    return { path: 'own', entry, value: { ...spec, fn: 'value' }, grad: { ...spec, fn: 'valueAndGrad' } };
  }
  const value = { ...resolveOverlap('createLoss', entry, rest, entry.options, false), fn: 'value' };
  return { path: 'sums', value, grad: value.reduction === 'none' ? null : { ...value, fn: 'valueAndGrad' } };
}

/** The loss createLoss returns, computed on this thread by `engine`. */
export function lossOf(engine: Engine, resolved: ResolvedLoss): Loss<Float64Array | Float32Array> {
  if (resolved.path === 'own') {
    const { entry, value, grad } = resolved;
    return {
      value: (pred, target, mask) => entry.value(engine, value, pred, target, mask),
      valueAndGrad: (pred, target, out, mask) => entry.valueAndGrad(engine, grad, pred, target, out, mask),
    };
  }
  const { value, grad } = resolved;
  return {
    value: (pred, target, mask) => lossValue(engine, value, pred, target, mask),
    valueAndGrad: (pred, target, out, mask) => {
      if (grad === null) throw noSingleGradient();
      return overlapValueAndGrad(engine, grad, pred, target, out, mask);
    },
  };
}

/** valueAndGrad of a loss made with reduction 'none': refused. */
export function noSingleGradient(): RangeError {
  return rangeError(
    'valueAndGrad',
    'reduction',
    `'none' gives one loss per term, which has no single gradient; use 'mean' or 'sum'`,
  );
}
