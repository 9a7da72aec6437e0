// From confusion counts to metric values: one table per metric (per sample × class, or per
// sample × averaged group), the empty-class policy, then one reduction step shared by all.
import type { ConfusionCounts, MetricEmptyPolicy, MetricOptions, MetricsResult, ReducedMetric } from '../core/api.js';
import { rangeError } from '../core/errors.js';
import { checkOptionNames } from '../core/options.js';
import { generalizedDice } from '../math/metrics.js';
import { definitionOf, type MetricId } from './names.js';
import { TOPO_STRIDE } from '../core/constants.js';

/**
 * Confusion counts, and when a topology metric (clDice, Boundary IoU) is asked for, the topology
 * records of the same terms (TOPO_STRIDE f64 each, sample-major).
 */
export interface MeasuredCounts extends ConfusionCounts {
  topology?: Float64Array;
}
import { checkCounts } from './counts.js';
import { EVALUATION_OPTION_NAMES, resolveEvaluation, type EvaluationSpec } from './options.js';
import { columns, nanMeanOverSamples, reduceMonai, type Table } from './reduce.js';

/**
 * The value of a term whose class is absent from the target (docs/metrics.md, "Empty classes"):
 * `value` is what the formula gave, NaN where it divides by zero.
 */
export function withEmptyPolicy(value: number, tp: number, fp: number, fn: number, empty: MetricEmptyPolicy): number {
  if (empty === 'formula' || tp + fn !== 0) return value;
  if (empty === 'nan') return Number.NaN;
  if (tp + fp !== 0) return value;
  return empty === 'one' ? 1 : 0;
}

/** Counts of all samples added up: one row. */
export function poolSamples(counts: MeasuredCounts): MeasuredCounts {
  const C = counts.numClasses;
  const pooled: MeasuredCounts = {
    tp: new Float64Array(C),
    fp: new Float64Array(C),
    fn: new Float64Array(C),
    tn: new Float64Array(C),
    numSamples: 1,
    numClasses: C,
  };
  for (let k = 0; k < counts.numSamples * C; k++) {
    pooled.tp[k % C] += counts.tp[k];
    pooled.fp[k % C] += counts.fp[k];
    pooled.fn[k % C] += counts.fn[k];
    pooled.tn[k % C] += counts.tn[k];
  }
  if (counts.topology !== undefined) {
    const topology = new Float64Array(C * TOPO_STRIDE);
    for (let k = 0; k < counts.numSamples * C; k++) {
      for (let j = 0; j < TOPO_STRIDE; j++) topology[(k % C) * TOPO_STRIDE + j] += counts.topology[k * TOPO_STRIDE + j];
    }
    pooled.topology = topology;
  }
  return pooled;
}

/**
 * Metrics from confusion counts computed earlier (`k.confusion`, another process): the same
 * results as `k.metrics` on the arrays those counts came from, without a kernel.
 * @example
 * const counts = k.confusion(pred, labels, { numClasses: 4, shape: [2, 256, 256] });
 * metricsFromCounts(counts, { metrics: ['dice', 'iou'], reduction: 'mean_batch' });
 */
export function metricsFromCounts(counts: ConfusionCounts, options: MetricOptions): MetricsResult {
  const fn = 'metricsFromCounts';
  const checked = checkCounts(fn, counts);
  const opts = checkOptionNames(fn, options, EVALUATION_OPTION_NAMES);
  return evaluateCounts(resolveEvaluation(fn, opts), checked);
}

export function evaluateCounts(spec: EvaluationSpec, counts: MeasuredCounts): MetricsResult {
  const C = counts.numClasses;
  if (!spec.includeBackground && C < 2) {
    throw rangeError(spec.fn, 'includeBackground', `false needs at least 2 classes (there are ${C})`);
  }
  const measured = spec.metrics.find((e) => definitionOf(e.id).topology !== undefined);
  if (measured !== undefined && counts.topology === undefined) {
    throw rangeError(
      spec.fn,
      'metrics',
      `'${measured.key}' is measured on the masks themselves (skeletons or boundary ` +
        `bands), not from confusion counts; use metrics() or createMetric().update()`,
    );
  }
  const source = spec.aggregation === 'global' ? poolSamples(counts) : counts;
  const first = spec.includeBackground ? 0 : 1;
  const result: MetricsResult = {};
  for (const { key, id } of spec.metrics) {
    if (spec.average === null && id !== 'generalizedDice') {
      // Every class in the per-term table; the included ones in any reduction.
      const table = perClassTable(source, id, spec);
      result[key] =
        spec.reduction === 'none'
          ? table.values
          : reduceMonai(columns(table, first), spec.reduction as Exclude<typeof spec.reduction, 'none' | null>);
    } else {
      const table =
        id === 'generalizedDice' ? generalizedDiceTable(source, first, spec) : averagedTable(source, id, first, spec);
      result[key] = reduceGroups(table, spec);
    }
  }
  return result;
}

/** Reduction of a table whose columns are groups of classes (averaged, or Generalized Dice). */
function reduceGroups(table: Table, spec: EvaluationSpec): Float64Array | ReducedMetric {
  if (spec.reduction === 'none') return table.values;
  if (spec.reduction === null) return nanMeanOverSamples(table);
  const reduced = reduceMonai(table, spec.reduction);
  // One group per sample: a per-group result is a single number.
  if (table.cols === 1 && (spec.reduction === 'mean_batch' || spec.reduction === 'sum_batch')) {
    return { value: (reduced.value as Float64Array)[0], notNans: (reduced.notNans as Float64Array)[0] };
  }
  return reduced;
}

/**
 * The metric of one term: of its confusion counts (tp, fp, fn, tn), or of its topology record
 * (the TOPO_STRIDE values at `at` of `topology`).
 */
type TermMetric = (tp: number, fp: number, fn: number, tn: number, topology: ArrayLike<number>, at: number) => number;

function metricOf(id: MetricId, beta: number): TermMetric {
  const definition = definitionOf(id);
  const counted = definition.perClass;
  if (counted !== null) return (tp, fp, fn, tn) => counted(tp, fp, fn, tn, beta);
  const measured = definition.topology?.metric;
  if (measured === undefined) throw new Error(`unreachable: ${id} is not a per-class metric`);
  return (_tp, _fp, _fn, _tn, topology, at) => measured(topology, at);
}

const NO_TOPOLOGY = new Float64Array(0);

function perClassTable(counts: MeasuredCounts, id: MetricId, spec: EvaluationSpec): Table {
  const metric = metricOf(id, spec.beta);
  const { tp, fp, fn, tn } = counts;
  const topology = counts.topology ?? NO_TOPOLOGY;
  // Masks of an excluded background are not measured: NaN, as the surface metrics do.
  const skipBackground = definitionOf(id).topology !== undefined && !spec.includeBackground;
  const values = new Float64Array(counts.numSamples * counts.numClasses);
  for (let k = 0; k < values.length; k++) {
    if (skipBackground && k % counts.numClasses === 0) {
      values[k] = Number.NaN;
      continue;
    }
    const value = metric(tp[k], fp[k], fn[k], tn[k], topology, k * TOPO_STRIDE);
    values[k] = withEmptyPolicy(value, tp[k], fp[k], fn[k], spec.empty);
  }
  return { rows: counts.numSamples, cols: counts.numClasses, values };
}

/**
 * torchmetrics' averages over the classes [first, C) of each sample: 'micro' scores the summed
 * counts, 'macro' is the NaN-mean of the class scores, 'weighted' weighs them by their target
 * volume (NaN only when every class is NaN), 'none' keeps them.
 */
function averagedTable(counts: MeasuredCounts, id: MetricId, first: number, spec: EvaluationSpec): Table {
  const perClass = perClassTable(counts, id, spec);
  if (spec.average === 'none') return columns(perClass, first);
  const C = counts.numClasses,
    B = counts.numSamples;
  const values = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const row = b * C;
    if (spec.average === 'micro') {
      let tp = 0,
        fp = 0,
        fn = 0,
        tn = 0;
      const topology = new Float64Array(TOPO_STRIDE);
      for (let c = first; c < C; c++) {
        tp += counts.tp[row + c];
        fp += counts.fp[row + c];
        fn += counts.fn[row + c];
        tn += counts.tn[row + c];
        if (counts.topology !== undefined) {
          for (let j = 0; j < TOPO_STRIDE; j++) topology[j] += counts.topology[(row + c) * TOPO_STRIDE + j];
        }
      }
      values[b] = withEmptyPolicy(metricOf(id, spec.beta)(tp, fp, fn, tn, topology, 0), tp, fp, fn, spec.empty);
    } else if (spec.average === 'macro') {
      let sum = 0,
        n = 0;
      for (let c = first; c < C; c++) {
        const v = perClass.values[row + c];
        if (!Number.isNaN(v)) {
          sum += v;
          n++;
        }
      }
      values[b] = n > 0 ? sum / n : Number.NaN;
    } else {
      let support = 0;
      for (let c = first; c < C; c++) support += counts.tp[row + c] + counts.fn[row + c];
      let sum = 0,
        scored = false;
      for (let c = first; c < C; c++) {
        const v = perClass.values[row + c];
        if (Number.isNaN(v)) continue;
        scored = true;
        const term = v * ((counts.tp[row + c] + counts.fn[row + c]) / support);
        if (!Number.isNaN(term)) sum += term;
      }
      values[b] = scored ? sum : Number.NaN;
    }
  }
  return { rows: B, cols: 1, values };
}

/** One Generalized Dice score per sample over the classes [first, C). */
function generalizedDiceTable(counts: MeasuredCounts, first: number, spec: EvaluationSpec): Table {
  const C = counts.numClasses,
    B = counts.numSamples;
  const values = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const from = b * C + first,
      to = (b + 1) * C;
    const tp = counts.tp.subarray(from, to),
      fp = counts.fp.subarray(from, to),
      fn = counts.fn.subarray(from, to);
    const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    values[b] = withEmptyPolicy(generalizedDice(tp, fp, fn, spec.weightType), sum(tp), sum(fp), sum(fn), spec.empty);
  }
  return { rows: B, cols: 1, values };
}
