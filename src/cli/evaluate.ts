// `dice-wasm eval`: each pair read and counted by the library's confusion kernel (and, for
// surface distances, measured by k.surfaceMetrics: surface.ts), in turn here or on worker threads
// (parallel.ts); then every other metric computed from the counts by the library
// (metricsFromCounts), then mean ± std per class.
import type { ConfusionCounts } from '../core/api.js';
import type { DiceKernel } from '../kernel.js';
import { metricsFromCounts, withEmptyPolicy } from '../metrics/evaluate.js';
import type { EvalOptions } from './eval-options.js';
import { readVolume } from './formats/index.js';
import { FileError, formatShape, maxLabel, toLabels, trimShape } from './formats/volume.js';
import type { Pair } from './pairs.js';
import { surfaceValues, type LabelVolume, type SurfaceValues } from './surface.js';
import { topologyValues, type TopologyValues } from './topology.js';
import { instanceColumns, instanceValues, type InstanceValues } from './instances.js';
import { resolveInstanceMetricNames } from '../metrics/instances/names.js';

/** A metric's values over the cases that have one (not NaN). `std` is the population standard deviation. */
export interface Summary {
  mean: number;
  std: number;
  n: number;
}

export interface CaseReport {
  name: string;
  pred: string | null;
  truth: string | null;
  /** The voxel spacing of the surface distances and lesions, per axis of the files (only with those metrics). */
  spacing?: number[];
  /** Class label → metric → value (NaN when the class is not scored, see --empty). */
  classes: Record<string, Record<string, number>>;
  error?: string;
}

export interface EvalReport {
  /** Labels reported, ascending. */
  classes: number[];
  metrics: string[];
  cases: CaseReport[];
  summary: Record<string, Record<string, Summary>>;
}

/** A pair counted (and measured), or why it could not be. Structured-cloneable: workers send it back as is. */
export type Counted =
  | {
      pair: Pair;
      counts: ConfusionCounts;
      surface: SurfaceValues | null;
      topology: TopologyValues | null;
      instances: InstanceValues | null;
    }
  | { pair: Pair; error: string };

export async function countInTurn(
  k: DiceKernel,
  pairs: readonly Pair[],
  opts: EvalOptions,
  onCase: () => void,
): Promise<Counted[]> {
  const counted: Counted[] = [];
  for (const pair of pairs) {
    counted.push(await countPair(k, pair, opts));
    onCase();
  }
  return counted;
}

export async function countPair(k: DiceKernel, pair: Pair, opts: EvalOptions): Promise<Counted> {
  if (pair.pred === null)
    return { pair, error: `no prediction: ${pair.truth} has no file of the same name in ${opts.pred}` };
  if (pair.truth === null)
    return { pair, error: `no truth: ${pair.pred} has no file of the same name in ${opts.truth}` };
  try {
    // Both files are read at once; when both fail, the prediction's error is reported, whichever failed first.
    const [pred, truth] = (
      await Promise.allSettled([labelsOf(pair.pred, opts, opts.threshold), labelsOf(pair.truth, opts, null)])
    ).map((read) => {
      if (read.status === 'rejected') throw read.reason;
      return read.value;
    });
    const predShape = trimShape(pred.shape),
      truthShape = trimShape(truth.shape);
    if (formatShape(predShape) !== formatShape(truthShape)) {
      const what = /\.nii(\.gz)?$/i.test(pair.pred) ? 'NIfTI dimensions differ' : 'shapes differ';
      return {
        pair,
        error: `${what}: ${pair.pred} is ${formatShape(predShape)}, ${pair.truth} is ${formatShape(truthShape)}`,
      };
    }
    const numClasses =
      opts.numClasses ?? Math.max(maxLabel(pred.labels, null), maxLabel(truth.labels, opts.ignoreIndex)) + 1;
    const counts = k.confusion(pred.labels, truth.labels, { numClasses, ignoreIndex: opts.ignoreIndex });
    const surface = opts.surfaceMetrics.length > 0 ? surfaceValues(k, pred, truth, pair.truth, numClasses, opts) : null;
    const topology =
      opts.topologyMetrics.length > 0 ? topologyValues(k, pred, truth, pair.truth, numClasses, opts) : null;
    const instances =
      opts.instanceMetrics.length > 0 ? instanceValues(k, pred, truth, pair.truth, numClasses, opts) : null;
    return { pair, counts, surface, topology, instances };
  } catch (error) {
    if (error instanceof RangeError) return { pair, error: `${pair.pred} vs ${pair.truth}: ${error.message}` };
    return { pair, error: error instanceof Error ? error.message : String(error) };
  }
}

async function labelsOf(path: string, opts: EvalOptions, threshold: number | null): Promise<LabelVolume> {
  try {
    const { voxels, ...geometry } = await readVolume(path, opts.raw);
    return { ...geometry, labels: toLabels(voxels, threshold) };
  } catch (error) {
    if (error instanceof FileError) throw new Error(`${path} ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `${path} cannot be read${code ? ` (${code})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

type Measured = Extract<Counted, { counts: ConfusionCounts }>;

/** The report of the pairs counted, in their order: per case and class, and the summary per class. */
export function buildReport(counted: readonly Counted[], opts: EvalOptions): EvalReport {
  const ok = counted.filter((c): c is Measured => 'counts' in c);
  const C = opts.numClasses ?? Math.max(1, ...ok.map((c) => c.counts.numClasses));
  const stacked = stack(
    ok.map((c) => c.counts),
    C,
  );
  const first = opts.includeBackground ? 0 : 1;
  const classes = [...Array(C).keys()].filter((c) => c >= first && (opts.numClasses !== null || occurs(stacked, c)));
  const fromCounts = opts.metrics.filter(
    (m) => !opts.surfaceMetrics.includes(m) && !opts.topologyMetrics.includes(m) && !opts.instanceMetrics.includes(m),
  );
  // With instance metrics every case reports its lesion counts too.
  const columns =
    opts.instanceMetrics.length > 0 ? [...new Set([...opts.metrics, ...instanceColumns(opts)])] : opts.metrics;
  const values: Record<string, Float64Array> = {
    ...(ok.length === 0 || fromCounts.length === 0
      ? {}
      : (metricsFromCounts(stacked, { metrics: fromCounts, empty: opts.empty, beta: opts.beta }) as Record<
          string,
          Float64Array
        >)),
    ...stackMeasured(ok, C, opts.surfaceMetrics, (c) => (c.surface as SurfaceValues).values, opts),
    ...stackMeasured(ok, C, opts.topologyMetrics, (c) => c.topology as TopologyValues, opts),
    ...stackInstances(ok, C, opts),
  };

  let row = 0;
  const cases: CaseReport[] = counted.map((c) => {
    const base = { name: c.pair.name, pred: c.pair.pred, truth: c.pair.truth };
    if ('error' in c) return { ...base, classes: {}, error: c.error };
    const b = row++;
    const perClass = Object.fromEntries(
      classes.map((label) => [String(label), Object.fromEntries(columns.map((m) => [m, values[m][b * C + label]]))]),
    );
    const spacing = c.surface?.spacing ?? c.instances?.spacing;
    return { ...base, ...(spacing === undefined ? {} : { spacing }), classes: perClass };
  });
  const summary = Object.fromEntries(
    classes.map((label) => [
      String(label),
      Object.fromEntries(
        columns.map((m) => {
          const column = Array.from({ length: ok.length }, (_, b) => values[m][b * C + label]);
          return [m, summarise(column)];
        }),
      ),
    ]),
  );
  return { classes, metrics: columns, cases, summary };
}

/**
 * The counts of every case as samples of one table of C classes. A case whose labels stop below
 * C has no voxel of the missing classes: TP = FP = FN = 0, TN = its counted voxels.
 */
function stack(all: readonly ConfusionCounts[], C: number): ConfusionCounts {
  const n = all.length * C;
  const out = {
    tp: new Float64Array(n),
    fp: new Float64Array(n),
    fn: new Float64Array(n),
    tn: new Float64Array(n),
    numSamples: all.length,
    numClasses: C,
  };
  all.forEach((counts, b) => {
    const voxels = counts.tp[0] + counts.fp[0] + counts.fn[0] + counts.tn[0];
    out.tn.fill(voxels, b * C, (b + 1) * C);
    for (let c = 0; c < counts.numClasses; c++) {
      out.tp[b * C + c] = counts.tp[c];
      out.fp[b * C + c] = counts.fp[c];
      out.fn[b * C + c] = counts.fn[c];
      out.tn[b * C + c] = counts.tn[c];
    }
  });
  return out;
}

/**
 * Metrics measured per case (surface distances, topology metrics) as one table of C classes, as
 * stack() does for the counts: a class above a case's labels is empty on both sides, scored as
 * the --empty policy scores that.
 */
function stackMeasured(
  ok: readonly Measured[],
  C: number,
  metrics: readonly string[],
  valuesOf: (c: Measured) => Record<string, Float64Array>,
  opts: EvalOptions,
): Record<string, Float64Array> {
  const bothEmpty = withEmptyPolicy(Number.NaN, 0, 0, 0, opts.empty);
  return Object.fromEntries(
    metrics.map((m) => {
      const table = new Float64Array(ok.length * C).fill(bothEmpty);
      for (const [b, c] of ok.entries()) table.set(valuesOf(c)[m], b * C);
      return [m, table];
    }),
  );
}

/** Whether label c is in some prediction or truth. */
function occurs(counts: ConfusionCounts, c: number): boolean {
  for (let b = 0; b < counts.numSamples; b++) {
    const k = b * counts.numClasses + c;
    if (counts.tp[k] + counts.fp[k] + counts.fn[k] > 0) return true;
  }
  return false;
}

function summarise(values: readonly number[]): Summary {
  const scored = values.filter((v) => !Number.isNaN(v));
  const n = scored.length;
  const mean = n === 0 ? Number.NaN : scored.reduce((a, v) => a + v, 0) / n;
  const std = n === 0 ? Number.NaN : Math.sqrt(scored.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  return { mean, std, n };
}

/**
 * The instance metrics (and lesion counts) of every case as one table of C classes: a class above
 * a case's labels has no lesion on either side (lesion Dice 1, HD95 0, counts 0, rates and PQ NaN).
 */
function stackInstances(ok: readonly Measured[], C: number, opts: EvalOptions): Record<string, Float64Array> {
  if (opts.instanceMetrics.length === 0) return {};
  const none: Record<string, number> = { lesion_dice: 1, lesion_hd95: 0, lesion_tp: 0, lesion_fp: 0, lesion_fn: 0 };
  const columns = instanceColumns(opts);
  const ids = resolveInstanceMetricNames('eval', columns);
  return Object.fromEntries(
    columns.map((m, i) => {
      const table = new Float64Array(ok.length * C).fill(none[ids[i].id] ?? Number.NaN);
      for (const [b, c] of ok.entries()) table.set((c.instances as InstanceValues).values[m], b * C);
      return [m, table];
    }),
  );
}
