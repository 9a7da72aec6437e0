// torchmetrics' segmentation metrics (DiceScore, MeanIoU and the functional dice_score /
// mean_iou) as thin translations onto the native API. Inputs as torchmetrics reads them:
// 'one-hot' (B, C, ...) masks, whose float versions are argmax-ed over the class axis; 'index'
// (B, ...) label maps; 'mixed' one of each. A 0/0 score is NaN (`empty: 'formula'`).
import type {
  ConfusionCounts,
  ConfusionOptions,
  HardPrediction,
  MetricAggregation,
  MetricAverage,
  ReducedMetric,
  StreamingMetric,
  Target,
} from '../core/api.js';
import { describe, rangeError } from '../core/errors.js';
import type { DiceKernel } from '../kernel.js';
import { checkOptionNames, flag, oneOf } from '../core/options.js';
import { metricsFromCounts } from '../metrics/evaluate.js';
import { compatKernel } from './kernel.js';
import {
  asLabels,
  asMask,
  asScores,
  isFloating,
  readTensor,
  tensor,
  type Tensor,
  type TensorData,
  type TensorInput,
} from './tensor.js';
import { METRIC_AGGREGATIONS, METRIC_AVERAGES } from '../core/option-values.js';

type InputFormat = 'one-hot' | 'index' | 'mixed';
const INPUT_FORMATS: readonly InputFormat[] = ['one-hot', 'index', 'mixed'];
const MEAN_IOU_FORMATS: readonly InputFormat[] = ['one-hot', 'index'];

/** How one update's tensors are counted, and the native includeBackground. */
interface Reading {
  numClasses: number | null;
  includeBackground: boolean;
  inputFormat: InputFormat;
}

function positiveInteger(fn: string, name: string, value: unknown, required: boolean): number | null {
  if ((value === undefined || value === null) && !required) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw rangeError(fn, name, `must be a positive integer; got ${describe(value)}`);
  return value;
}

interface ReadingParams {
  num_classes?: number | null;
  include_background?: boolean;
  input_format?: InputFormat;
}

function readingOf(
  fn: string,
  p: ReadingParams,
  numClassesRequired: boolean,
  formats: readonly InputFormat[],
): Reading {
  return {
    numClasses: positiveInteger(fn, 'num_classes', p.num_classes, numClassesRequired),
    includeBackground: flag(fn, 'include_background', p.include_background, true),
    inputFormat: oneOf(fn, 'input_format', p.input_format, formats, 'one-hot'),
  };
}

/** torchmetrics' average: None is 'none'. */
function readAverage(fn: string, value: unknown, fallback: MetricAverage): MetricAverage {
  return value === null ? 'none' : oneOf(fn, 'average', value, METRIC_AVERAGES, fallback);
}

/** The label map of a float one-hot (or score) tensor: argmax over the class axis, first maximum wins. */
function argmaxLabels(t: TensorData): Int32Array {
  const [B, C] = t.shape;
  const S = t.shape.slice(2).reduce((a, d) => a * d, 1);
  const labels = new Int32Array(B * S);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (t.data[(b * C + c) * S + s] > t.data[(b * C + best) * S + s]) best = c;
      labels[b * S + s] = best;
    }
  }
  return labels;
}

/** An index tensor with two axes is one (H, W) map: torchmetrics adds the batch axis. */
function asBatch(t: TensorData, format: InputFormat): TensorData {
  return format === 'index' && t.shape.length === 2 ? { data: t.data, shape: [1, ...t.shape] } : t;
}

interface Counted {
  counts: ConfusionCounts;
  /** Native includeBackground: background dropped only when asked and there is more than one class. */
  includeBackground: boolean;
}

function count(kernel: DiceKernel, fn: string, preds: unknown, target: unknown, reading: Reading): Counted {
  const p = asBatch(readTensor(fn, 'preds', preds), reading.inputFormat);
  const t = asBatch(readTensor(fn, 'target', target), reading.inputFormat);
  let pred: HardPrediction,
    labels: Target | null = null,
    mask: Target | null = null;
  const options: ConfusionOptions = {};
  let C: number;
  // 'mixed': the tensor with one axis fewer is the label map.
  const predIsIndex =
    reading.inputFormat === 'index' || (reading.inputFormat === 'mixed' && p.shape.length + 1 === t.shape.length);
  if (predIsIndex) {
    if (reading.numClasses === null) throw rangeError(fn, 'num_classes', 'is required for index inputs');
    C = reading.numClasses;
    pred = asLabels(fn, 'preds', p);
    Object.assign(options, {
      decision: 'labels',
      numClasses: C,
      shape: [p.shape[0], p.data.length / Math.max(1, p.shape[0])],
    });
  } else {
    if (p.shape.length < 2)
      throw rangeError(fn, 'preds', `must be (N, C, ...) one-hot; got shape [${p.shape.join(', ')}]`);
    C = p.shape[1];
    if (reading.numClasses !== null && reading.numClasses !== C)
      throw rangeError(fn, 'num_classes', `is ${reading.numClasses} but preds has ${C} channels`);
    const floating = isFloating(p);
    pred = floating ? asScores(p) : asMask(p);
    Object.assign(options, { decision: floating ? 'argmax' : 'nonzero', shape: p.shape });
  }
  const targetIsIndex = reading.inputFormat === 'index' || (reading.inputFormat === 'mixed' && !predIsIndex);
  if (targetIsIndex) labels = asLabels(fn, 'target', t);
  else if (isFloating(t)) labels = argmaxLabels(t);
  else mask = asMask(t);
  options.target = labels !== null ? 'labels' : 'dense';
  const counts = kernel.confusion(pred, (labels ?? mask) as Target, options);
  return { counts, includeBackground: reading.includeBackground || C === 1 };
}

/**
 * A torchmetrics Metric: its state is the counts of every update; `compute` scores them all,
 * `forward` adds a batch and scores that batch alone.
 */
abstract class Accumulating {
  private readonly kernel = compatKernel();
  private readonly stream: StreamingMetric;
  private includeBackground = true;

  constructor(
    private readonly name: string,
    private readonly reading: Reading,
    metric: string,
  ) {
    this.stream = this.kernel.createMetric({ metrics: [metric], empty: 'formula' });
  }

  protected abstract score(counts: ConfusionCounts, includeBackground: boolean): number | Tensor;

  /** Adds a batch's counts to the state. */
  update(preds: TensorInput, target: TensorInput): void {
    this.add(`${this.name}.update`, preds, target);
  }

  /** The metric of everything added so far. */
  compute(): number | Tensor {
    return this.score(this.stream.counts(), this.includeBackground);
  }

  /** Update with this batch, and return the score of this batch alone. */
  forward(preds: TensorInput, target: TensorInput): number | Tensor {
    return this.score(this.add(`${this.name}.forward`, preds, target), this.includeBackground);
  }

  /** Empties the state. */
  reset(): void {
    this.stream.reset();
  }

  private add(fn: string, preds: TensorInput, target: TensorInput): ConfusionCounts {
    const { counts, includeBackground } = count(this.kernel, fn, preds, target, this.reading);
    this.stream.add(counts);
    this.includeBackground = includeBackground;
    return counts;
  }
}

/**
 * The parameters of torchmetrics's `DiceScore`, under their Python names; an absent one takes torchmetrics's default.
 */
export interface DiceScoreParams {
  /** The number of classes C (`null`: inferred from one-hot inputs). */
  num_classes: number;
  /** Count class 0. Default `true`. */
  include_background?: boolean;
  /**
   * How the classes of a sample combine: `'macro'` (default; `dice_score`: `'micro'`), `'micro'`, `'weighted'`,
   * `'none'` (or `null`).
   */
  average?: MetricAverage | null;
  /** `'samplewise'` (default): per sample, then the mean; `'global'`: counts pooled first. */
  aggregation_level?: MetricAggregation;
  /** `'one-hot'` (default, (B, C, …)) or `'index'` (label maps (B, …)). */
  input_format?: InputFormat;
}

/** A torchmetrics result: a number for a scalar, a tensor per class for average 'none'. */
function resultOf(reduced: ReducedMetric): number | Tensor {
  return typeof reduced.value === 'number' ? reduced.value : tensor(reduced.value, [reduced.value.length]);
}

/**
 * torchmetrics.segmentation.DiceScore: Dice `2·|p ∩ y| / (|p| + |y|)` per (sample, class), 0/0 →
 * NaN; `average` combines classes ('micro', 'macro' default, 'weighted', 'none'), per sample then
 * NaN-averaged over samples ('samplewise', default) or over counts pooled first ('global').
 * @example
 * const m = new torchmetrics.DiceScore({ num_classes: 4, average: 'macro' });
 * m.update(preds, target); m.compute(); // number
 */
export class DiceScore extends Accumulating {
  private readonly average: MetricAverage;
  private readonly aggregation: MetricAggregation;

  /**
   * Reads the parameters as torchmetrics's `DiceScore` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params: DiceScoreParams) {
    const fn = 'DiceScore';
    const p = checkOptionNames(fn, params, [
      'num_classes',
      'include_background',
      'average',
      'aggregation_level',
      'input_format',
    ]) as Partial<DiceScoreParams>;
    super(fn, readingOf(fn, p, true, INPUT_FORMATS), 'dice');
    this.average = readAverage(fn, p.average, 'macro');
    this.aggregation = oneOf(fn, 'aggregation_level', p.aggregation_level, METRIC_AGGREGATIONS, 'samplewise');
  }

  protected score(counts: ConfusionCounts, includeBackground: boolean): number | Tensor {
    const { average, aggregation } = this;
    return resultOf(
      metricsFromCounts(counts, { metrics: ['dice'], empty: 'formula', average, aggregation, includeBackground })
        .dice as ReducedMetric,
    );
  }
}

/**
 * The parameters of torchmetrics's `dice_score`, under their Python names; an absent one takes torchmetrics's default.
 */
export interface DiceScoreFunctionalParams extends DiceScoreParams {}

/**
 * torchmetrics.functional.segmentation.dice_score: per sample, (N,) or (N, C') for average
 * 'none' (default average 'micro'); with aggregation_level 'global', (1,) or (1, C').
 */
export function dice_score(preds: TensorInput, target: TensorInput, params: DiceScoreFunctionalParams): Tensor {
  const fn = 'dice_score';
  const p = checkOptionNames(fn, params, [
    'num_classes',
    'include_background',
    'average',
    'aggregation_level',
    'input_format',
  ]) as Partial<DiceScoreParams>;
  const reading = readingOf(fn, p, true, INPUT_FORMATS);
  const average = readAverage(fn, p.average, 'micro');
  const aggregation = oneOf(fn, 'aggregation_level', p.aggregation_level, METRIC_AGGREGATIONS, 'samplewise');
  const { counts, includeBackground } = count(compatKernel(), fn, preds, target, reading);
  const values = metricsFromCounts(counts, {
    metrics: ['dice'],
    empty: 'formula',
    average,
    aggregation,
    includeBackground,
    reduction: 'none',
  }).dice as Float64Array;
  const rows = aggregation === 'global' ? 1 : counts.numSamples;
  return tensor(values, average === 'none' ? [rows, values.length / Math.max(1, rows)] : [rows]);
}

/** The parameters of torchmetrics's `MeanIoU`, under their Python names; an absent one takes torchmetrics's default. */
export interface MeanIoUParams {
  /** The number of classes C (`null`: inferred from one-hot inputs). */
  num_classes?: number | null;
  /** Count class 0. Default `true`. */
  include_background?: boolean;
  /** One IoU per class instead of their mean. Default `false`. */
  per_class?: boolean;
  /** `'one-hot'` (default, (B, C, …)) or `'index'` (label maps (B, …)). */
  input_format?: 'one-hot' | 'index';
}

/** torchmetrics reports a class absent from both preds and target as −1 with per_class. */
const absentAsMinusOne = (v: number): number => (Number.isNaN(v) ? -1 : v);

/**
 * torchmetrics.segmentation.MeanIoU: IoU per (sample, class) where the union is not empty;
 * `compute()` averages them over everything seen (per class with `per_class`, −1 for a class
 * that never appeared).
 */
export class MeanIoU extends Accumulating {
  private readonly perClass: boolean;

  /**
   * Reads the parameters as torchmetrics's `MeanIoU` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: MeanIoUParams) {
    const fn = 'MeanIoU';
    const p = checkOptionNames(fn, params, ['num_classes', 'include_background', 'per_class', 'input_format']);
    super(fn, readingOf(fn, p, false, MEAN_IOU_FORMATS), 'iou');
    this.perClass = flag(fn, 'per_class', p.per_class, false);
  }

  protected score(counts: ConfusionCounts, includeBackground: boolean): number | Tensor {
    return meanIouOf(counts, this.perClass, includeBackground);
  }
}

/**
 * Per class: the mean over the samples where the class appears; overall: the mean of all those (sample, class) terms.
 */
function meanIouOf(counts: ConfusionCounts, perClass: boolean, includeBackground: boolean): number | Tensor {
  if (perClass) {
    const { value } = metricsFromCounts(counts, {
      metrics: ['iou'],
      empty: 'formula',
      average: 'none',
      includeBackground,
    }).iou as ReducedMetric;
    return tensor((value as Float64Array).map(absentAsMinusOne), [(value as Float64Array).length]);
  }
  const { value, notNans } = metricsFromCounts(counts, {
    metrics: ['iou'],
    empty: 'formula',
    reduction: 'sum',
    includeBackground,
  }).iou as ReducedMetric;
  return (value as number) / (notNans as number);
}

/**
 * torchmetrics.functional.segmentation.mean_iou: per sample, the mean IoU over the classes
 * present (N,), or per class (N, C') with −1 for a class absent from both.
 */
export function mean_iou(preds: TensorInput, target: TensorInput, params?: MeanIoUParams): Tensor {
  const fn = 'mean_iou';
  const p = checkOptionNames(fn, params, ['num_classes', 'include_background', 'per_class', 'input_format']);
  const reading = readingOf(fn, p, false, MEAN_IOU_FORMATS);
  const perClass = flag(fn, 'per_class', p.per_class, false);
  const { counts, includeBackground } = count(compatKernel(), fn, preds, target, reading);
  const B = counts.numSamples;
  if (perClass) {
    const all = metricsFromCounts(counts, { metrics: ['iou'], empty: 'formula' }).iou as Float64Array;
    const first = includeBackground ? 0 : 1,
      C = counts.numClasses;
    const data = Array.from({ length: B * (C - first) }, (_, k) =>
      absentAsMinusOne(all[Math.floor(k / (C - first)) * C + first + (k % (C - first))]),
    );
    return tensor(data, [B, C - first]);
  }
  const perSample = metricsFromCounts(counts, {
    metrics: ['iou'],
    empty: 'formula',
    average: 'macro',
    reduction: 'none',
    includeBackground,
  }).iou as Float64Array;
  return tensor(perSample, [B]);
}
