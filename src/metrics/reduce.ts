// Reductions of a (sample × class) table of metric values, NaN-aware: a NaN (an unscored term)
// is left out of every sum and mean and counted out of `notNans`.
import type { MetricReduction, ReducedMetric } from '../core/api.js';

/** Row-major values: one row per sample, one column per class (or per averaged group). */
export interface Table {
  rows: number;
  cols: number;
  values: Float64Array;
}

export function columns(table: Table, first: number): Table {
  if (first === 0) return table;
  const cols = table.cols - first;
  const values = new Float64Array(table.rows * cols);
  for (let r = 0; r < table.rows; r++)
    values.set(table.values.subarray(r * table.cols + first, (r + 1) * table.cols), r * cols);
  return { rows: table.rows, cols, values };
}

/** Sum and count of the non-NaN values among `count` values, `step` apart from `start`. */
function gather(values: Float64Array, start: number, count: number, step: number): { sum: number; n: number } {
  let sum = 0,
    n = 0;
  for (let k = 0, i = start; k < count; k++, i += step) {
    const v = values[i];
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return { sum, n };
}

/** Per row (`along: 'cols'`) or per column (`'rows'`): sums and counts of the non-NaN values. */
function lines(table: Table, along: 'rows' | 'cols'): { sums: Float64Array; counts: Float64Array } {
  const perRow = along === 'cols';
  const count = perRow ? table.rows : table.cols;
  const sums = new Float64Array(count),
    counts = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const { sum, n } = perRow
      ? gather(table.values, k * table.cols, table.cols, 1)
      : gather(table.values, k, table.rows, table.cols);
    sums[k] = sum;
    counts[k] = n;
  }
  return { sums, counts };
}

/** mean where there is something to average, else `none` (MONAI: 0; torchmetrics: NaN). */
function means(sums: Float64Array, counts: Float64Array, none: number): Float64Array {
  return sums.map((s, k) => (counts[k] > 0 ? s / counts[k] : none));
}

/**
 * MONAI's do_metric_reduction: 'mean' averages each sample's valid classes, then the samples
 * that have one; 'sum' adds every valid value; '*_batch' reduce over samples (one value per
 * class), '*_channel' over classes (one per sample). A mean with no valid value is 0.
 */
export function reduceMonai(table: Table, reduction: Exclude<MetricReduction, 'none'>): ReducedMetric {
  switch (reduction) {
    case 'mean': {
      const perSample = lines(table, 'cols');
      const sampleMeans = means(perSample.sums, perSample.counts, 0);
      let sum = 0,
        n = 0;
      sampleMeans.forEach((m, r) => {
        if (perSample.counts[r] > 0) {
          sum += m;
          n++;
        }
      });
      return { value: n > 0 ? sum / n : 0, notNans: n };
    }
    case 'sum': {
      const all = gather(table.values, 0, table.values.length, 1);
      return { value: all.sum, notNans: all.n };
    }
    case 'mean_batch':
    case 'sum_batch': {
      const { sums, counts } = lines(table, 'rows');
      return { value: reduction === 'sum_batch' ? sums : means(sums, counts, 0), notNans: counts };
    }
    case 'mean_channel':
    case 'sum_channel': {
      const { sums, counts } = lines(table, 'cols');
      return { value: reduction === 'sum_channel' ? sums : means(sums, counts, 0), notNans: counts };
    }
  }
}

/** torchmetrics' compute: the NaN-mean over samples of each column (NaN when none is valid). */
export function nanMeanOverSamples(table: Table): ReducedMetric {
  const { sums, counts } = lines(table, 'rows');
  const value = means(sums, counts, Number.NaN);
  return table.cols === 1 ? { value: value[0], notNans: counts[0] } : { value, notNans: counts };
}
