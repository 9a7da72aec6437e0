// Resolution of the options of the hard metrics, once per call or per metric object: the
// tensor side (how pred and target say which class a voxel is) and the evaluation side (which
// metrics, how empty classes score, how the table is reduced).
import type {
  Activation,
  ConfusionOptions,
  Decision,
  MetricEmptyPolicy,
  Layout,
  MetricAggregation,
  MetricAverage,
  MetricOptions,
  MetricReduction,
  TargetKind,
  TopologyMetricOptions,
  WeightType,
} from '../core/api.js';
import { describe, rangeError, typeError } from '../core/errors.js';
import { checkOptionNames, flag, nonNegative, oneOf } from '../core/options.js';
import { checkShape, MAX_CLASSES, resolveTensorOptions } from '../core/tensors.js';
import { resolveMetricNames, topologyNeeds, type MetricEntry } from './names.js';
import { resolveTopology, TOPOLOGY_OPTION_NAMES, type TopologySpec } from './topology-options.js';
import {
  ACTIVATIONS,
  DECISIONS,
  METRIC_AGGREGATIONS,
  METRIC_AVERAGES,
  METRIC_EMPTY_POLICIES,
  METRIC_REDUCTIONS,
  WEIGHT_TYPES,
} from '../core/option-values.js';

/** Confusion options after validation. */
export interface ConfusionSpec {
  fn: string;
  numClasses: number | null;
  shape: readonly number[] | null;
  layout: Layout;
  decision: Decision | null;
  threshold: number;
  activation: Activation;
  target: TargetKind | null;
  ignoreIndex: number | null;
}

/** Evaluation options after validation. */
export interface EvaluationSpec {
  fn: string;
  metrics: readonly MetricEntry[];
  includeBackground: boolean;
  /** MONAI reduction; null with `average` (samples are then NaN-averaged, torchmetrics' compute). */
  reduction: MetricReduction | null;
  average: MetricAverage | null;
  aggregation: MetricAggregation;
  empty: MetricEmptyPolicy;
  beta: number;
  weightType: WeightType;
}

export const CONFUSION_OPTION_NAMES = [
  'numClasses',
  'shape',
  'layout',
  'decision',
  'threshold',
  'activation',
  'target',
  'ignoreIndex',
] as const;
export const EVALUATION_OPTION_NAMES = [
  'metrics',
  'includeBackground',
  'reduction',
  'average',
  'aggregation',
  'empty',
  'beta',
  'weightType',
] as const;

export function resolveConfusion(fn: string, opts: ConfusionOptions): ConfusionSpec {
  // Layout, target kind and ignoreIndex are checked exactly as for the losses.
  const tensor = resolveTensorOptions(fn, { layout: opts.layout, target: opts.target, ignoreIndex: opts.ignoreIndex });
  const decision = opts.decision === undefined ? null : oneOf(fn, 'decision', opts.decision, DECISIONS, 'labels');
  const activation = oneOf(fn, 'activation', opts.activation, ACTIVATIONS, 'none');
  if (activation === 'softmax' && decision === 'threshold') {
    throw rangeError(
      fn,
      'activation',
      `'softmax' cannot be thresholded per class here; use decision 'argmax' (softmax does not change ` +
        `the argmax) or activation 'sigmoid'`,
    );
  }
  return {
    fn,
    numClasses: numClasses(fn, opts.numClasses),
    shape: opts.shape === undefined ? null : checkShape(fn, opts.shape),
    layout: tensor.layout,
    decision,
    threshold: threshold(fn, opts.threshold, activation),
    activation,
    target: tensor.target,
    ignoreIndex: tensor.ignoreIndex,
  };
}

function numClasses(fn: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_CLASSES) {
    throw rangeError(fn, 'numClasses', `must be an integer in [1, ${MAX_CLASSES}]; got ${describe(value)}`);
  }
  return value;
}

function threshold(fn: string, value: unknown, activation: Activation): number {
  if (value === undefined) return 0.5;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw rangeError(fn, 'threshold', `must be a finite number; got ${describe(value)}`);
  }
  if (activation === 'sigmoid' && !(value >= 0 && value <= 1)) {
    throw rangeError(
      fn,
      'threshold',
      `must be in [0, 1] with activation 'sigmoid' (it applies to σ(pred)); got ${value}`,
    );
  }
  return value;
}

export function resolveEvaluation(fn: string, opts: MetricOptions): EvaluationSpec {
  const average =
    opts.average === undefined || opts.average === null
      ? null
      : oneOf(fn, 'average', opts.average, METRIC_AVERAGES, 'macro');
  let reduction: MetricReduction | null = oneOf(fn, 'reduction', opts.reduction, METRIC_REDUCTIONS, 'none');
  if (average !== null) {
    if (reduction !== 'none') {
      throw rangeError(
        fn,
        'reduction',
        `'${reduction}' is MONAI's reduction of a (sample × class) table; with average (torchmetrics) ` +
          `samples are NaN-averaged, or kept with reduction 'none'`,
      );
    }
    if (opts.reduction === undefined) reduction = null;
  }
  return {
    fn,
    metrics: resolveMetricNames(fn, opts.metrics),
    includeBackground: flag(fn, 'includeBackground', opts.includeBackground, true),
    reduction,
    average,
    aggregation: oneOf(fn, 'aggregation', opts.aggregation, METRIC_AGGREGATIONS, 'samplewise'),
    empty: oneOf(fn, 'empty', opts.empty, METRIC_EMPTY_POLICIES, 'nan'),
    beta: nonNegative(fn, 'beta', opts.beta, 1),
    weightType: oneOf(fn, 'weightType', opts.weightType, WEIGHT_TYPES, 'square'),
  };
}

/** Checks the option names of a metrics call and splits the options. */
export function resolveMetricsCall(
  fn: string,
  options: unknown,
  extra: readonly string[] = [],
): { confusion: ConfusionSpec; evaluation: EvaluationSpec; topology: TopologySpec | null } {
  if (options === undefined)
    throw typeError(fn, 'options', `must be an object with a 'metrics' list, e.g. { metrics: ['dice'] }`);
  const opts = checkOptionNames(fn, options as object, [
    ...CONFUSION_OPTION_NAMES,
    ...EVALUATION_OPTION_NAMES,
    ...TOPOLOGY_OPTION_NAMES,
    ...extra,
  ]) as ConfusionOptions & MetricOptions & TopologyMetricOptions;
  const evaluation = resolveEvaluation(fn, opts);
  const topology = resolveTopology(fn, opts, evaluation.metrics);
  if (topology !== null && opts.shape === undefined) {
    const name = evaluation.metrics.find((e) => topologyNeeds([e]).skeleton || topologyNeeds([e]).band)?.key;
    throw rangeError(
      fn,
      'shape',
      `is required for '${name}' (measured on the masks): [B, ...spatial] for ` +
        `a label map, [B, C, ...spatial] for dense input (1 to 3 spatial axes)`,
    );
  }
  return { confusion: resolveConfusion(fn, opts), evaluation, topology };
}
