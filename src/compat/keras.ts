// Keras 3's segmentation losses (keras.losses.Dice, keras.losses.Tversky) as thin translations
// onto the native Dice and Tversky losses. Keras puts the target first — `loss(y_true, y_pred)` —
// and its tensors are channels-last; the formulas pool every element of the axes in `axis`
// (default: all of them, batch included), so the layout does not matter. keras.backend.epsilon()
// = 1e-7 is added to the denominator only.
import { describe, rangeError, typeError } from '../core/errors.js';
import { checkOptionNames, nonNegative, oneOf } from '../core/options.js';
import { groupPair, ungroup } from './axes.js';
import { compatKernel } from './kernel.js';
import { runPlan, valueAndGradOf, type LossWithGrad, type Part, type Plan } from './parts.js';
import type { Tensor, TensorInput } from './tensor.js';

/** Keras' reductions of the per-term losses; null and 'none' keep them. */
export type KerasReduction = 'sum_over_batch_size' | 'sum' | 'mean' | 'mean_with_sample_weight' | 'none' | null;

/** The parameters of Keras's `Dice`, under their Python names; an absent one takes Keras's default. */
export interface KerasDiceParams {
  /** `'sum_over_batch_size'` (default, the mean), `'sum'`, or `null` / `'none'` (one value per term). */
  reduction?: KerasReduction;
  /** The loss's name, as Keras keeps it. Default `'dice'` / `'tversky'`. */
  name?: string | null;
  /** Axes summed into one term (the others index the terms). Default `null`: every axis, batch included. */
  axis?: number | readonly number[] | null;
  /** `'float32'` or `null` (default); other dtypes are refused. */
  dtype?: 'float32' | null;
}

/** The parameters of Keras's `Tversky`, under their Python names; an absent one takes Keras's default. */
export interface KerasTverskyParams extends KerasDiceParams {
  /** Weight of false positives. Default 0.5. */
  alpha?: number;
  /** Weight of false negatives. Default 0.5. */
  beta?: number;
}

const EPSILON = 1e-7;
const REDUCTIONS = ['sum_over_batch_size', 'sum', 'mean', 'mean_with_sample_weight', 'none'] as const;

abstract class KerasLoss {
  private readonly kernel = compatKernel();
  private readonly reduction: 'mean' | 'sum' | 'none';
  private readonly axis: unknown;

  constructor(
    private readonly name: string,
    p: KerasDiceParams,
    private readonly loss: 'dice' | 'tversky',
    private readonly native: Record<string, unknown>,
  ) {
    // sum_over_batch_size divides the sum by the number of per-term losses: their mean.
    const reduction =
      p.reduction === null ? 'none' : oneOf(name, 'reduction', p.reduction, REDUCTIONS, 'sum_over_batch_size');
    this.reduction = reduction === 'sum' ? 'sum' : reduction === 'none' ? 'none' : 'mean';
    this.axis = p.axis;
    if (p.name !== undefined && p.name !== null && typeof p.name !== 'string')
      throw typeError(name, 'name', `must be a string; got ${describe(p.name)}`);
    if (p.dtype !== undefined && p.dtype !== null && p.dtype !== 'float32') {
      throw rangeError(
        name,
        'dtype',
        `must be 'float32' or null (dice-wasm reads float32 and sums in float64); got ${describe(p.dtype)}`,
      );
    }
  }

  /** The loss of `yPred` against `yTrue`: a number, or with reduction null / 'none' one value per kept index. */
  call(yTrue: TensorInput, yPred: TensorInput): number | Tensor {
    return runPlan(this.kernel, this.plan(`${this.name}.call`, yTrue, yPred));
  }

  /** The loss and its gradient with respect to `yPred`. */
  callWithGrad(yTrue: TensorInput, yPred: TensorInput): LossWithGrad {
    const fn = `${this.name}.callWithGrad`;
    if (this.reduction === 'none')
      throw rangeError(
        fn,
        'reduction',
        "null / 'none' gives one loss per term, which has no single gradient; use 'sum_over_batch_size' or 'sum'",
      );
    const plan = this.plan(fn, yTrue, yPred);
    return valueAndGradOf(this.kernel, plan.parts, plan.shape);
  }

  private plan(fn: string, yTrue: unknown, yPred: unknown): Plan {
    const { g, pred, target } = groupPair(fn, ['y_pred', 'y_true'], yPred, yTrue, 'axis', this.axis);
    const part: Part = {
      loss: this.loss,
      pred,
      target,
      scale: 1,
      options: { ...this.native, shape: g.native, smoothNr: 0, smoothDr: EPSILON, reduction: this.reduction },
      ...ungroup(g),
    };
    // Reduction null: the per-term losses in the kept axes' shape (a number when every axis is pooled).
    const output = (terms: Float64Array): number | Tensor =>
      g.kept.length === 0 ? terms[0] : { data: terms, shape: g.kept };
    return { parts: [part], shape: [...g.shape], ...(this.reduction === 'none' ? { output } : {}) };
  }
}

/**
 * keras.losses.Dice: `1 − 2·Σ(y_true·y_pred) / (Σy_true + Σy_pred + 1e-7)` over the axes in `axis`
 * (default null: every element, batch included, one value), then `reduction` of the values left
 * ('sum_over_batch_size', default: their mean; 'sum'; null: the values, shape of the kept axes).
 * @example
 * new keras.Dice().call(yTrue, yPred);                                     // number
 * new keras.Dice({ axis: [1, 2, 3], reduction: null }).call(yTrue, yPred);  // { data, shape: [B] }
 */
export class Dice extends KerasLoss {
  /**
   * Reads the parameters as Keras's `Dice` does; an unknown name or a bad value throws, naming the Python parameter.
   */
  constructor(params?: KerasDiceParams) {
    const p = checkOptionNames('Dice', params, ['reduction', 'name', 'axis', 'dtype']);
    super('Dice', p, 'dice', {});
  }
}

/**
 * keras.losses.Tversky: `1 − I / (I + alpha·Σ(1 − y_true)·y_pred + beta·Σy_true·(1 − y_pred) + 1e-7)`
 * with I = Σ y_true·y_pred (alpha weighs false positives; defaults 0.5, 0.5), axes and reduction as Dice.
 * @example
 * new keras.Tversky({ alpha: 0.2, beta: 0.8 }).call(yTrue, yPred);
 */
export class Tversky extends KerasLoss {
  /**
   * Reads the parameters as Keras's `Tversky` does; an unknown name or a bad value throws, naming the Python parameter.
   */
  constructor(params?: KerasTverskyParams) {
    const p = checkOptionNames('Tversky', params, ['alpha', 'beta', 'reduction', 'name', 'axis', 'dtype']);
    super('Tversky', p, 'tversky', {
      alpha: nonNegative('Tversky', 'alpha', p.alpha, 0.5),
      beta: nonNegative('Tversky', 'beta', p.beta, 0.5),
    });
  }
}
