// MONAI's metrics (monai.metrics, 1.5) as thin translations onto the native API: inputs are
// read as MONAI reads them (inputs.ts), counted by k.confusion, scored by the native metrics
// and reduced by the native NaN-aware reductions (MONAI's do_metric_reduction). Parameters keep
// their Python names and defaults; `forward` is Python's `__call__`.
import type {
  ConfusionCounts,
  MetricEmptyPolicy,
  MetricReduction,
  ReducedMetric,
  StreamingMetric,
  WeightType,
} from '../../core/api.js';
import { describe, rangeError, typeError } from '../../core/errors.js';
import type { DiceKernel } from '../../kernel.js';
import { flag, oneOf } from '../../core/options.js';
import { metricsFromCounts } from '../../metrics/evaluate.js';
import { resolveMetricNames } from '../../metrics/names.js';
import { compatKernel } from '../kernel.js';
import { readParams } from '../params.js';
import { tensor, type Tensor, type TensorInput } from '../tensor.js';
import { readDiceInputs, readSameShape, type DiceReading, type MonaiInputs } from './inputs.js';
import { METRIC_REDUCTIONS, WEIGHT_TYPES } from '../../core/option-values.js';

/** A MONAI result: a number for a scalar, else a tensor; with get_not_nans a [result, not_nans] pair. */
export type MonaiValue = number | Tensor;
/**
 * What MONAI's metrics return: a value (number or tensor); with `get_not_nans` a `[value, notNans]` pair;
 * with `return_with_label` the values by label.
 */
export type MonaiResult =
  | MonaiValue
  | [MonaiValue, MonaiValue]
  | Record<string, number>
  | [Record<string, number>, MonaiValue];

const nullable = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

function reductionOf(fn: string, value: unknown, fallback: MetricReduction): MetricReduction {
  return oneOf(fn, 'reduction', nullable(value), METRIC_REDUCTIONS, fallback);
}

function numClassesOf(fn: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw rangeError(fn, 'num_classes', `must be a positive integer or null; got ${describe(value)}`);
  return value;
}

/** The per-(sample, class) values of the classes MONAI reports, as a (B, C') tensor. */
function table(values: Float64Array, counts: ConfusionCounts, classes: readonly number[]): Tensor {
  const B = counts.numSamples,
    C = counts.numClasses;
  const data = new Float64Array(B * classes.length);
  for (let b = 0; b < B; b++)
    classes.forEach((c, j) => {
      data[b * classes.length + j] = values[b * C + c];
    });
  return { data, shape: [B, classes.length] };
}

function notNansOf(t: Tensor): Tensor {
  return { data: t.data.map((v) => (Number.isNaN(v) ? 0 : 1)), shape: t.shape };
}

function monaiValue(v: number | Float64Array): MonaiValue {
  return typeof v === 'number' ? v : tensor(v, [v.length]);
}

/** MONAI's 'none': the per-term tensor, with its NaN mask as not_nans. */
function perTermOutput(perTerm: Tensor, getNotNans: boolean): MonaiResult {
  return getNotNans ? [perTerm, notNansOf(perTerm)] : perTerm;
}

/** MONAI's other reductions: the value, with the count of non-NaN terms behind it. */
function reducedOutput(reduced: ReducedMetric, getNotNans: boolean): MonaiResult {
  const f = monaiValue(reduced.value);
  return getNotNans ? [f, monaiValue(reduced.notNans)] : f;
}

/** The counts of every batch seen since the last reset (MONAI's cumulative buffer). */
class Cumulative {
  readonly stream: StreamingMetric;
  /** The reported classes and matching includeBackground, from the latest batch. */
  inputs: Pick<MonaiInputs, 'classes' | 'includeBackground'> | null = null;

  constructor(
    readonly kernel: DiceKernel,
    metrics: string[],
    empty: MetricEmptyPolicy,
    weightType: WeightType = 'square',
  ) {
    this.stream = kernel.createMetric({ metrics, empty, weightType });
  }

  count(inputs: MonaiInputs): ConfusionCounts {
    const counts = this.kernel.confusion(inputs.pred, inputs.target, inputs.options);
    this.stream.add(counts);
    this.inputs = inputs;
    return counts;
  }

  /** Empties the buffer of batches. */
  reset(): void {
    this.stream.reset();
    this.inputs = null;
  }

  /** The values of metric `name` over every sample so far, reduced as MONAI would. */
  aggregate(fn: string, name: string, reduction: MetricReduction, getNotNans: boolean): MonaiResult {
    if (this.inputs === null) throw rangeError(fn, 'buffer', 'is empty: call forward(y_pred, y) before aggregate()');
    const { classes, includeBackground } = this.inputs;
    const counts = this.stream.counts();
    if (reduction === 'none')
      return perTermOutput(
        table(this.stream.compute({ reduction: 'none' })[name] as Float64Array, counts, classes),
        getNotNans,
      );
    return reducedOutput(this.stream.compute({ reduction, includeBackground })[name] as ReducedMetric, getNotNans);
  }
}

// ---------------------------------------------------------------------------------------------
// Dice

/** The parameters of MONAI's `DiceHelper`, under their Python names; an absent one takes MONAI's default. */
export interface DiceHelperParams {
  /** Count channel 0 (background). Default `null`: as `threshold` (`false` for the argmax). */
  include_background?: boolean | null;
  /** MONAI's deprecated name of `threshold`. Default `null`. */
  sigmoid?: boolean | null;
  /** MONAI's deprecated name of `apply_argmax`. Default `null`. */
  softmax?: boolean | null;
  /** Apply the sigmoid before thresholding (`sigmoid` on logits). Default `false`. */
  activate?: boolean;
  /** `forward()` also returns the count of non-NaN terms: `[value, notNans]`. Default `true`. */
  get_not_nans?: boolean;
  /**
   * MONAI's NaN-aware reduction: `'mean_batch'` (default), `'mean'`, `'sum'`, `'sum_batch'`, `'mean_channel'`,
   * `'sum_channel'`, `'none'`.
   */
  reduction?: MetricReduction;
  /**
   * A class absent from the target scores NaN (left out of the means); `false`: 1 if not predicted either, else 0.
   * Default `true`.
   */
  ignore_empty?: boolean;
  /** The number of classes (`null`: the prediction's channels). */
  num_classes?: number | null;
  /** Threshold the prediction at 0.5 instead of taking the argmax. Default `false`. */
  threshold?: boolean;
  /** Take the argmax over the channels. Default `null`: unless `threshold`. */
  apply_argmax?: boolean | null;
}

const DICE_HELPER_PARAMS = [
  'include_background',
  'sigmoid',
  'softmax',
  'activate',
  'get_not_nans',
  'reduction',
  'ignore_empty',
  'num_classes',
  'threshold',
  'apply_argmax',
];

/**
 * monai.metrics.DiceHelper: Dice per (sample, class) `2·|p ∩ y| / (|p| + |y|)` after optional
 * argmax (`apply_argmax`, default `not threshold`) or threshold at 0.5 (`threshold`, with σ first
 * when `activate`), then `reduction` (default 'mean_batch'); `(f, not_nans)` by default.
 * @example
 * const [f, notNans] = new monai.DiceHelper({ threshold: true }).forward(yPred, y);
 */
export class DiceHelper {
  private readonly kernel = compatKernel();
  private readonly reading: DiceReading;
  private readonly getNotNans: boolean;
  private readonly reduction: MetricReduction;
  private readonly empty: MetricEmptyPolicy;

  /**
   * Reads the parameters as MONAI's `DiceHelper` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: DiceHelperParams) {
    const fn = 'DiceHelper';
    const p = readParams(fn, params, DICE_HELPER_PARAMS);
    // sigmoid and softmax are MONAI's deprecated names of threshold and apply_argmax.
    const threshold = nullable(p.sigmoid) ?? flag(fn, 'threshold', p.threshold, false);
    const includeBackground = nullable(p.include_background) ?? threshold;
    const applyArgmax = nullable(p.softmax) ?? nullable(p.apply_argmax) ?? !threshold;
    this.reading = {
      numClasses: numClassesOf(fn, p.num_classes),
      threshold: flag(fn, 'threshold', threshold, false),
      applyArgmax: flag(fn, 'apply_argmax', applyArgmax, true),
      activate: flag(fn, 'activate', p.activate, false),
      includeBackground: flag(fn, 'include_background', includeBackground, true),
    };
    this.getNotNans = flag(fn, 'get_not_nans', p.get_not_nans, true);
    this.reduction = reductionOf(fn, p.reduction, 'mean_batch');
    this.empty = flag(fn, 'ignore_empty', p.ignore_empty, true) ? 'nan' : 'one';
  }

  /**
   * Python's `__call__`: the loss of `input` against `target` (a number, or MONAI's tensor with `reduction: 'none'`).
   */
  forward(yPred: TensorInput, y: TensorInput): MonaiResult {
    return diceOfBatch(
      this.kernel,
      'DiceHelper.forward',
      yPred,
      y,
      this.reading,
      this.empty,
      this.reduction,
      this.getNotNans,
    );
  }
}

function diceOfBatch(
  kernel: DiceKernel,
  fn: string,
  yPred: unknown,
  y: unknown,
  reading: DiceReading,
  empty: MetricEmptyPolicy,
  reduction: MetricReduction,
  getNotNans: boolean,
  minRank = 2,
): MonaiResult {
  const inputs = readDiceInputs(fn, yPred, y, reading, minRank);
  const counts = kernel.confusion(inputs.pred, inputs.target, inputs.options);
  return reduceBatch(counts, inputs, 'dice', empty, reduction, getNotNans);
}

/** One batch's values of one native metric, reduced as MONAI would. */
function reduceBatch(
  counts: ConfusionCounts,
  inputs: MonaiInputs,
  metric: string,
  empty: MetricEmptyPolicy,
  reduction: MetricReduction,
  getNotNans: boolean,
  weightType: WeightType = 'square',
): MonaiResult {
  if (reduction === 'none') {
    const values = metricsFromCounts(counts, { metrics: [metric], empty, weightType })[metric] as Float64Array;
    return perTermOutput(
      metric === 'generalizedDice' ? tensor(values, [values.length, 1]) : table(values, counts, inputs.classes),
      getNotNans,
    );
  }
  return reducedOutput(
    metricsFromCounts(counts, {
      metrics: [metric],
      empty,
      weightType,
      reduction,
      includeBackground: inputs.includeBackground,
    })[metric] as ReducedMetric,
    getNotNans,
  );
}

/**
 * A MONAI CumulativeIterationMetric of one native metric: `forward` scores a batch per
 * (sample, class) and keeps its counts; `aggregate` reduces every sample kept since `reset`.
 */
class CumulativeMetric {
  protected readonly cumulative: Cumulative;

  constructor(
    private readonly name: string,
    private readonly metric: string,
    private readonly empty: MetricEmptyPolicy,
    private readonly reduction: MetricReduction,
    private readonly getNotNans: boolean,
    /** How this metric reads a batch (MONAI's input conventions differ between metrics). */
    private readonly read: (fn: string, yPred: unknown, y: unknown) => MonaiInputs,
    private readonly weightType: WeightType = 'square',
  ) {
    this.cumulative = new Cumulative(compatKernel(), [metric], empty, weightType);
  }

  /**
   * Python's `__call__`: the loss of `input` against `target` (a number, or MONAI's tensor with `reduction: 'none'`).
   */
  forward(yPred: TensorInput, y: TensorInput): Tensor {
    const inputs = this.read(`${this.name}.forward`, yPred, y);
    return reduceBatch(
      this.cumulative.count(inputs),
      inputs,
      this.metric,
      this.empty,
      'none',
      false,
      this.weightType,
    ) as Tensor;
  }

  /** The metric over every batch so far, reduced by `reduction` (default: the constructor's). */
  aggregate(reduction?: MetricReduction | null): MonaiResult {
    const fn = `${this.name}.aggregate`;
    return this.cumulative.aggregate(fn, this.metric, reductionOf(fn, reduction, this.reduction), this.getNotNans);
  }

  /** Empties the buffer of batches. */
  reset(): void {
    this.cumulative.reset();
  }
}

/** The parameters of MONAI's `compute_dice`, under their Python names; an absent one takes MONAI's default. */
export interface ComputeDiceParams {
  /** Count channel 0 (background). Default `true`. */
  include_background?: boolean;
  /**
   * A class absent from the target scores NaN (left out of the means); `false`: 1 if not predicted either, else 0.
   * Default `true`.
   */
  ignore_empty?: boolean;
  /** The number of classes (`null`: the prediction's channels). */
  num_classes?: number | null;
}

/**
 * monai.metrics.compute_dice: Dice per (sample, class) as a (B, C') tensor; an empty ground
 * truth gives NaN (`ignore_empty`, default) or 1 when the prediction is empty too.
 * @example
 * monai.compute_dice(yPred, y, { include_background: false }); // { data, shape: [B, C - 1] }
 */
export function compute_dice(yPred: TensorInput, y: TensorInput, params?: ComputeDiceParams): Tensor {
  const fn = 'compute_dice';
  const p = readParams(fn, params, ['include_background', 'ignore_empty', 'num_classes']);
  const reading = {
    numClasses: numClassesOf(fn, p.num_classes),
    threshold: false,
    applyArgmax: false,
    activate: false,
    includeBackground: flag(fn, 'include_background', p.include_background, true),
  };
  const empty = flag(fn, 'ignore_empty', p.ignore_empty, true) ? 'nan' : 'one';
  return diceOfBatch(compatKernel(), fn, yPred, y, reading, empty, 'none', false) as Tensor;
}

/** The parameters of MONAI's `DiceMetric`, under their Python names; an absent one takes MONAI's default. */
export interface DiceMetricParams {
  /** Count channel 0 (background). Default `true`. */
  include_background?: boolean;
  /**
   * MONAI's NaN-aware reduction: `'mean'` (default), `'sum'`, `'mean_batch'`, `'sum_batch'`, `'mean_channel'`,
   * `'sum_channel'`, `'none'`.
   */
  reduction?: MetricReduction;
  /**
   * `aggregate()` also returns the count of non-NaN terms: `[value, notNans]`. Default `false`.
   */
  get_not_nans?: boolean;
  /**
   * A class absent from the target scores NaN (left out of the means); `false`: 1 if not predicted either, else 0.
   * Default `true`.
   */
  ignore_empty?: boolean;
  /** The number of classes (`null`: the prediction's channels). */
  num_classes?: number | null;
  /** Label the aggregated values: `true` (`class0`, …) or a list of labels. Default `false`. */
  return_with_label?: boolean | string[];
}

/**
 * monai.metrics.DiceMetric: `forward` returns the batch's (B, C') Dice and keeps its counts;
 * `aggregate(reduction?)` reduces everything seen since `reset()`, NaN-aware (default 'mean').
 * @example
 * const m = new monai.DiceMetric({ include_background: false, reduction: 'mean_batch' });
 * for (const [p, y] of batches) m.forward(p, y);
 * m.aggregate(); // { data, shape: [C - 1] }
 */
export class DiceMetric extends CumulativeMetric {
  private readonly labels: { reduction: MetricReduction; names: boolean | string[] };

  /**
   * Reads the parameters as MONAI's `DiceMetric` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: DiceMetricParams) {
    const fn = 'DiceMetric';
    const p = readParams(fn, params, [
      'include_background',
      'reduction',
      'get_not_nans',
      'ignore_empty',
      'num_classes',
      'return_with_label',
    ]);
    const labels = p.return_with_label ?? false;
    if (!(typeof labels === 'boolean' || (Array.isArray(labels) && labels.every((l) => typeof l === 'string')))) {
      throw typeError(fn, 'return_with_label', `must be a boolean or a list of label names; got ${describe(labels)}`);
    }
    const reduction = reductionOf(fn, p.reduction, 'mean');
    const reading: DiceReading = {
      numClasses: numClassesOf(fn, p.num_classes),
      threshold: false,
      applyArgmax: false,
      activate: false,
      includeBackground: flag(fn, 'include_background', p.include_background, true),
    };
    super(
      fn,
      'dice',
      flag(fn, 'ignore_empty', p.ignore_empty, true) ? 'nan' : 'one',
      reduction,
      flag(fn, 'get_not_nans', p.get_not_nans, false),
      (at, yPred, y) => readDiceInputs(at, yPred, y, reading, 3),
    );
    this.labels = { reduction, names: labels };
  }

  /**
   * As MONAI: with return_with_label (and reduction 'mean_batch' given to the constructor),
   * `{ label: round(value, 4) }`.
   */
  override aggregate(reduction?: MetricReduction | null): MonaiResult {
    const result = super.aggregate(reduction);
    if (this.labels.reduction !== 'mean_batch' || this.labels.names === false) return result;
    const pair = Array.isArray(result);
    const f = (pair ? (result as [MonaiValue, MonaiValue])[0] : result) as MonaiValue;
    const values = typeof f === 'number' ? [f] : Array.from(f.data);
    const first = this.cumulative.inputs?.classes[0] ?? 0;
    const names = Array.isArray(this.labels.names) ? this.labels.names : values.map((_, i) => `label_${i + first}`);
    const labelled: Record<string, number> = {};
    names.forEach((name, i) => {
      if (i < values.length) labelled[name] = Number(values[i].toFixed(4));
    });
    return pair ? [labelled, (result as [MonaiValue, MonaiValue])[1]] : labelled;
  }
}

// ---------------------------------------------------------------------------------------------
// IoU

/** The parameters of MONAI's `compute_iou`, under their Python names; an absent one takes MONAI's default. */
export interface ComputeIouParams {
  /** Count channel 0 (background). Default `true`. */
  include_background?: boolean;
  /**
   * A class absent from the target scores NaN (left out of the means); `false`: 1 if not predicted either, else 0.
   * Default `true`.
   */
  ignore_empty?: boolean;
}

/**
 * monai.metrics.compute_iou: IoU per (sample, class) `|p ∩ y| / |p ∪ y|` of two binarised
 * tensors of one shape, as (B, C'); an empty ground truth gives NaN (`ignore_empty`) or 1 when
 * the union is empty.
 */
export function compute_iou(yPred: TensorInput, y: TensorInput, params?: ComputeIouParams): Tensor {
  const fn = 'compute_iou';
  const p = readParams(fn, params, ['include_background', 'ignore_empty']);
  const inputs = readSameShape(fn, yPred, y, flag(fn, 'include_background', p.include_background, true), 2);
  const counts = compatKernel().confusion(inputs.pred, inputs.target, inputs.options);
  return reduceBatch(
    counts,
    inputs,
    'iou',
    flag(fn, 'ignore_empty', p.ignore_empty, true) ? 'nan' : 'one',
    'none',
    false,
  ) as Tensor;
}

/** The parameters of MONAI's `MeanIoU`, under their Python names; an absent one takes MONAI's default. */
export interface MeanIoUParams {
  /** Count channel 0 (background). Default `true`. */
  include_background?: boolean;
  /**
   * MONAI's NaN-aware reduction: `'mean'` (default), `'sum'`, `'mean_batch'`, `'sum_batch'`, `'mean_channel'`,
   * `'sum_channel'`, `'none'`.
   */
  reduction?: MetricReduction;
  /**
   * `aggregate()` also returns the count of non-NaN terms: `[value, notNans]`. Default `false`.
   */
  get_not_nans?: boolean;
  /**
   * A class absent from the target scores NaN (left out of the means); `false`: 1 if not predicted either, else 0.
   * Default `true`.
   */
  ignore_empty?: boolean;
}

/** monai.metrics.MeanIoU: compute_iou per batch (`forward`), NaN-aware `aggregate(reduction?)` (default 'mean'). */
export class MeanIoU extends CumulativeMetric {
  /**
   * Reads the parameters as MONAI's `MeanIoU` does; an unknown name or a bad value throws, naming the Python parameter.
   */
  constructor(params?: MeanIoUParams) {
    const fn = 'MeanIoU';
    const p = readParams(fn, params, ['include_background', 'reduction', 'get_not_nans', 'ignore_empty']);
    const includeBackground = flag(fn, 'include_background', p.include_background, true);
    super(
      fn,
      'iou',
      flag(fn, 'ignore_empty', p.ignore_empty, true) ? 'nan' : 'one',
      reductionOf(fn, p.reduction, 'mean'),
      flag(fn, 'get_not_nans', p.get_not_nans, false),
      (at, yPred, y) => readSameShape(at, yPred, y, includeBackground, 3),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Generalized Dice

/**
 * The parameters of MONAI's `compute_generalized_dice`, under their Python names; an absent one takes MONAI's default.
 */
export interface ComputeGeneralizedDiceParams {
  /** Count channel 0 (background). Default `true`. */
  include_background?: boolean;
  /** Class weights from the target volume G: `'square'` (1/G², default), `'simple'` (1/G) or `'uniform'`. */
  weight_type?: WeightType;
  /** `true`: one generalized Dice score per image, (B, 1); `false` (default): one score per class, (B, C'). */
  sum_over_classes?: boolean;
}

/**
 * How MONAI's generalized Dice scores: summed over classes, the native Generalized Dice score
 * (Sudre et al. 2017; no target class and no prediction gives 1, a prediction alone 0); per
 * class its weights cancel, leaving Dice with 1 for an empty prediction of an empty class.
 */
function generalizedDiceMetric(sumOverClasses: boolean): { metric: string; empty: MetricEmptyPolicy } {
  return sumOverClasses ? { metric: 'generalizedDice', empty: 'formula' } : { metric: 'dice', empty: 'one' };
}

/**
 * monai.metrics.compute_generalized_dice: (B, C') per class, or (B, 1) with `sum_over_classes`
 * (weights 1/|y|² by default, `weight_type` 'simple' 1/|y|, 'uniform' 1).
 */
export function compute_generalized_dice(
  yPred: TensorInput,
  y: TensorInput,
  params?: ComputeGeneralizedDiceParams,
): Tensor {
  const fn = 'compute_generalized_dice';
  const p = readParams(fn, params, ['include_background', 'weight_type', 'sum_over_classes']);
  const inputs = readSameShape(fn, yPred, y, flag(fn, 'include_background', p.include_background, true), 3);
  const weightType = oneOf(fn, 'weight_type', p.weight_type, WEIGHT_TYPES, 'square');
  const { metric, empty } = generalizedDiceMetric(flag(fn, 'sum_over_classes', p.sum_over_classes, false));
  const counts = compatKernel().confusion(inputs.pred, inputs.target, inputs.options);
  return reduceBatch(counts, inputs, metric, empty, 'none', false, weightType) as Tensor;
}

/** The parameters of MONAI's `GeneralizedDiceScore`, under their Python names; an absent one takes MONAI's default. */
export interface GeneralizedDiceScoreParams {
  /** Count channel 0 (background). Default `true`. */
  include_background?: boolean;
  /**
   * MONAI's NaN-aware reduction: `'mean'` (default), `'sum'`, `'mean_batch'`, `'sum_batch'`, `'mean_channel'`,
   * `'sum_channel'`, `'none'`.
   */
  reduction?: MetricReduction;
  /** Class weights from the target volume G: `'square'` (1/G², default), `'simple'` (1/G) or `'uniform'`. */
  weight_type?: WeightType;
}

/**
 * monai.metrics.GeneralizedDiceScore: reductions 'mean', 'sum', 'mean_channel', 'sum_channel'
 * reduce the per-sample score summed over classes; the others the per-class scores.
 * `aggregate()` returns the reduced value only (its `reduction` argument is ignored, as in MONAI 1.5).
 */
export class GeneralizedDiceScore extends CumulativeMetric {
  /**
   * Reads the parameters as MONAI's `GeneralizedDiceScore` does; an unknown name or a bad value throws, naming the
   * Python parameter.
   */
  constructor(params?: GeneralizedDiceScoreParams) {
    const fn = 'GeneralizedDiceScore';
    const p = readParams(fn, params, ['include_background', 'reduction', 'weight_type']);
    const reduction = reductionOf(fn, p.reduction, 'mean');
    const { metric, empty } = generalizedDiceMetric(['mean', 'sum', 'mean_channel', 'sum_channel'].includes(reduction));
    const includeBackground = flag(fn, 'include_background', p.include_background, true);
    super(
      fn,
      metric,
      empty,
      reduction,
      false,
      (at, yPred, y) => readSameShape(at, yPred, y, includeBackground, 3),
      oneOf(fn, 'weight_type', p.weight_type, WEIGHT_TYPES, 'square'),
    );
  }

  /** The reduced value only; MONAI 1.5 ignores (and deprecates) a reduction given here. */
  override aggregate(): MonaiValue {
    return super.aggregate() as MonaiValue;
  }
}

// ---------------------------------------------------------------------------------------------
// Confusion matrices

/** MONAI's (B, C', 4) confusion matrices, last axis [tp, fp, tn, fn]. */
function confusionMatrices(counts: ConfusionCounts, classes: readonly number[]): Tensor {
  const B = counts.numSamples,
    C = counts.numClasses,
    K = classes.length;
  const data = new Float64Array(B * K * 4);
  for (let b = 0; b < B; b++) {
    classes.forEach((c, j) => {
      const k = b * C + c;
      data.set([counts.tp[k], counts.fp[k], counts.tn[k], counts.fn[k]], (b * K + j) * 4);
    });
  }
  return { data, shape: [B, K, 4] };
}

/** The parameters of MONAI's `get_confusion_matrix`, under their Python names; an absent one takes MONAI's default. */
export interface GetConfusionMatrixParams {
  /** Count channel 0 (background). Default `true`. */
  include_background?: boolean;
}

/** monai.metrics.get_confusion_matrix: (B, C', 4) counts [tp, fp, tn, fn] of binarised y_pred and y. */
export function get_confusion_matrix(yPred: TensorInput, y: TensorInput, params?: GetConfusionMatrixParams): Tensor {
  const fn = 'get_confusion_matrix';
  const p = readParams(fn, params, ['include_background']);
  const inputs = readSameShape(fn, yPred, y, flag(fn, 'include_background', p.include_background, true), 2);
  return confusionMatrices(compatKernel().confusion(inputs.pred, inputs.target, inputs.options), inputs.classes);
}

/** The parameters of MONAI's `ConfusionMatrixMetric`, under their Python names; an absent one takes MONAI's default. */
export interface ConfusionMatrixMetricParams {
  /** Count channel 0 (background). Default `true`. */
  include_background?: boolean;
  /** A metric name or a list (MONAI's names and aliases: `'sensitivity'`, `'f1 score'`, …). Default `'hit_rate'`. */
  metric_name?: string | string[];
  /** Compute the metric per sample before reducing (else from the pooled counts). Default `false`. */
  compute_sample?: boolean;
  /**
   * MONAI's NaN-aware reduction: `'mean'` (default), `'sum'`, `'mean_batch'`, `'sum_batch'`, `'mean_channel'`,
   * `'sum_channel'`, `'none'`.
   */
  reduction?: MetricReduction;
  /**
   * `aggregate()` also returns the count of non-NaN terms: `[value, notNans]`. Default `false`.
   */
  get_not_nans?: boolean;
}

/**
 * monai.metrics.ConfusionMatrixMetric: `forward` returns the batch's (B, C', 4) confusion
 * matrices; `aggregate(compute_sample?, reduction?)` returns one result per metric name (MONAI's
 * 17 names and their aliases): with `compute_sample` each (sample, class) is scored (NaN where a
 * ratio is 0/0) and then reduced; otherwise the matrices are reduced first, then scored.
 */
export class ConfusionMatrixMetric {
  private readonly cumulative: Cumulative;
  private readonly includeBackground: boolean;
  private readonly names: string[];
  private computeSample: boolean;
  private readonly reduction: MetricReduction;
  private readonly getNotNans: boolean;

  /**
   * Reads the parameters as MONAI's `ConfusionMatrixMetric` does; an unknown name or a bad value throws, naming the
   * Python parameter.
   */
  constructor(params?: ConfusionMatrixMetricParams) {
    const fn = 'ConfusionMatrixMetric';
    const p = readParams(fn, params, [
      'include_background',
      'metric_name',
      'compute_sample',
      'reduction',
      'get_not_nans',
    ]);
    const names = p.metric_name ?? 'hit_rate';
    this.names = typeof names === 'string' ? [names] : names;
    resolveMetricNames(fn, this.names, 'metric_name'); // unknown names are refused here, under the Python name
    this.includeBackground = flag(fn, 'include_background', p.include_background, true);
    this.computeSample = flag(fn, 'compute_sample', p.compute_sample, false);
    this.reduction = reductionOf(fn, p.reduction, 'mean');
    this.getNotNans = flag(fn, 'get_not_nans', p.get_not_nans, false);
    this.cumulative = new Cumulative(compatKernel(), this.names, 'formula');
  }

  /**
   * Python's `__call__`: the loss of `input` against `target` (a number, or MONAI's tensor with `reduction: 'none'`).
   */
  forward(yPred: TensorInput, y: TensorInput): Tensor {
    const inputs = readSameShape('ConfusionMatrixMetric.forward', yPred, y, this.includeBackground, 2);
    // Classification input (no spatial axis): MONAI scores the accumulated matrices only.
    const rank = inputs.options.shape?.length ?? 0;
    if (rank === 2 || (rank === 3 && inputs.options.shape?.[2] === 1)) this.computeSample = false;
    return confusionMatrices(this.cumulative.count(inputs), inputs.classes);
  }

  /** The metric over every batch so far, reduced by `reduction` (default: the constructor's). */
  aggregate(computeSample = false, reduction?: MetricReduction | null): MonaiResult[] {
    const fn = 'ConfusionMatrixMetric.aggregate';
    const r = reductionOf(fn, reduction, this.reduction);
    if (computeSample || this.computeSample)
      return this.names.map((name) => this.cumulative.aggregate(fn, name, r, this.getNotNans));
    return this.names.map((name) => this.scoreReducedMatrices(fn, name, r));
  }

  /** MONAI without compute_sample: the matrices are reduced (summed or averaged), then scored. */
  private scoreReducedMatrices(fn: string, name: string, reduction: MetricReduction): MonaiResult {
    if (reduction === 'none') return this.cumulative.aggregate(fn, name, 'none', this.getNotNans);
    const { stream, inputs } = this.cumulative;
    if (inputs === null) throw rangeError(fn, 'buffer', 'is empty: call forward(y_pred, y) before aggregate()');
    const B = stream.numSamples,
      K = inputs.classes.length;
    const includeBackground = inputs.includeBackground;
    let f: MonaiValue, notNans: Tensor;
    if (reduction === 'mean' || reduction === 'sum') {
      f = (stream.compute({ aggregation: 'global', average: 'micro', includeBackground })[name] as ReducedMetric)
        .value as number;
      notNans = tensor(new Array(4).fill(reduction === 'mean' ? B : B * K), [4]);
    } else if (reduction === 'mean_batch' || reduction === 'sum_batch') {
      f = monaiValue(
        (stream.compute({ aggregation: 'global', average: 'none', includeBackground })[name] as ReducedMetric).value,
      );
      notNans = tensor(new Array(K * 4).fill(B), [K, 4]);
    } else {
      f = monaiValue(stream.compute({ average: 'micro', reduction: 'none', includeBackground })[name] as Float64Array);
      notNans = tensor(new Array(B * 4).fill(K), [B, 4]);
    }
    return this.getNotNans ? [f, notNans] : f;
  }

  /** Empties the buffer of batches. */
  reset(): void {
    this.cumulative.reset();
  }
}
