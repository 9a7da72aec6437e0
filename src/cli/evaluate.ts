// `dice-wasm eval`: each pair read and counted by the library's confusion kernel (and, for
// surface distances, measured by k.surfaceMetrics: surface.ts), in turn here or on worker threads
// (parallel.ts); then every other metric computed from the counts by the library
// (metricsFromCounts), then mean ± std per class.
import type { ConfusionCounts } from '../core/api.js';
import type { DiceKernel } from '../kernel.js';
import { MAX_CLASSES } from '../core/tensors.js';
import { metricsFromCounts, withEmptyPolicy } from '../metrics/evaluate.js';
import type { EvalOptions } from './eval-options.js';
import { readVolume } from './formats/index.js';
import { FileError, formatShape, maxLabel, toLabels, trimShape, type Labels } from './formats/volume.js';
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

/** The largest label eval reads: labels are class indices, one report column per value (MAX_CLASSES − 1). */
export const MAX_LABEL = MAX_CLASSES - 1;

/**
 * One pair's counts of the labels it holds (in its prediction or truth; every label below
 * --num-classes with that option): the classes it does not hold have TP = FP = FN = 0 and
 * TN = `voxels`, so a case costs memory by the labels present, not by the largest one.
 */
export interface CaseCounts {
  /** Labels held, ascending. */
  labels: number[];
  /** TP, FP, FN, TN of each label held: 4 values per label, in the order of `labels`. */
  counts: Float64Array;
  /** Counted voxels (not ignoreIndex). */
  voxels: number;
}

/** A pair counted (and measured), or why it could not be. Structured-cloneable: workers send it back as is. */
export type Counted =
  | {
      pair: Pair;
      counts: CaseCounts;
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
  if (pair.refused !== undefined) return { pair, error: pair.refused };
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
      opts.numClasses ??
      Math.max(largestLabel(pred.labels, null, pair.pred), largestLabel(truth.labels, opts.ignoreIndex, pair.truth)) +
        1;
    const all = k.confusion(pred.labels, truth.labels, { numClasses, ignoreIndex: opts.ignoreIndex });
    const counts = held(all, opts.numClasses !== null);
    const surface =
      opts.surfaceMetrics.length > 0
        ? heldValues(surfaceValues(k, pred, truth, pair.truth, numClasses, opts), counts.labels)
        : null;
    const instances =
      opts.instanceMetrics.length > 0
        ? heldValues(instanceValues(k, pred, truth, pair.truth, numClasses, opts), counts.labels)
        : null;
    const topology =
      opts.topologyMetrics.length > 0
        ? heldRecord(topologyValues(k, pred, truth, pair.truth, numClasses, opts), counts.labels)
        : null;
    return { pair, counts, surface, topology, instances };
  } catch (error) {
    if (error instanceof RangeError) return { pair, error: `${pair.pred} vs ${pair.truth}: ${error.message}` };
    return { pair, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The largest label of a file (not counting `skip`), refused above MAX_LABEL: labels are class
 * indices, and a label of 10^8 in one voxel must not make a table of 10^8 classes.
 */
function largestLabel(labels: Labels, skip: number | null, path: string): number {
  const largest = maxLabel(labels, skip);
  if (largest > MAX_LABEL) {
    const at = labels.findIndex((v) => v > MAX_LABEL && v !== skip);
    throw new Error(
      `${path} holds label ${largest} (first above ${MAX_LABEL} at voxel ${at}); eval reads labels 0 to ` +
        `${MAX_LABEL} (class indices, one report column per value)`,
    );
  }
  return largest;
}

/** The counts of the labels a pair holds (every label, with --num-classes), from k.confusion's table of one sample. */
function held(all: ConfusionCounts, everyClass: boolean): CaseCounts {
  const labels: number[] = [];
  for (let c = 0; c < all.numClasses; c++) if (everyClass || all.tp[c] + all.fp[c] + all.fn[c] > 0) labels.push(c);
  const counts = new Float64Array(4 * labels.length);
  for (const [i, c] of labels.entries()) counts.set([all.tp[c], all.fp[c], all.fn[c], all.tn[c]], 4 * i);
  return { labels, counts, voxels: all.tp[0] + all.fp[0] + all.fn[0] + all.tn[0] };
}

/** A pair's surface or instance values of the labels it holds, in the order of `labels`. */
function heldValues<T extends { spacing: number[]; values: Record<string, Float64Array> }>(
  measured: T,
  labels: readonly number[],
): T {
  const values = Object.fromEntries(
    Object.entries(measured.values).map(([m, v]) => [m, Float64Array.from(labels, (c) => v[c])]),
  );
  return { ...measured, values };
}

/** A pair's per-class values (metric → value of each class) of the labels it holds, in the order of `labels`. */
function heldRecord(values: Record<string, Float64Array>, labels: readonly number[]): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(values).map(([m, v]) => [m, Float64Array.from(labels, (c) => v[c])]));
}

async function labelsOf(path: string, opts: EvalOptions, threshold: number | null): Promise<LabelVolume> {
  try {
    const { voxels, ...geometry } = await readVolume(path, { raw: opts.raw, maxVoxels: opts.maxVoxels });
    return { ...geometry, labels: toLabels(voxels, threshold) };
  } catch (error) {
    if (error instanceof FileError) throw new Error(`${path} ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `${path} cannot be read${code ? ` (${code})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

type Measured = Extract<Counted, { counts: CaseCounts }>;

/** The report of the pairs counted, in their order: per case and class, and the summary per class. */
export function buildReport(counted: readonly Counted[], opts: EvalOptions): EvalReport {
  const ok = counted.filter((c): c is Measured => 'counts' in c);
  const first = opts.includeBackground ? 0 : 1;
  // The labels reported: 0..N−1 with --num-classes, else those some prediction or truth holds.
  const held =
    opts.numClasses !== null
      ? [...Array(opts.numClasses).keys()]
      : [...new Set(ok.flatMap((c) => c.counts.labels))].sort((a, b) => a - b);
  const classes = held.filter((c) => c >= first);
  const column = new Map(classes.map((label, i) => [label, i]));
  const C = classes.length;
  const fromCounts = opts.metrics.filter(
    (m) => !opts.surfaceMetrics.includes(m) && !opts.topologyMetrics.includes(m) && !opts.instanceMetrics.includes(m),
  );
  // With instance metrics every case reports its lesion counts too.
  const columns =
    opts.instanceMetrics.length > 0 ? [...new Set([...opts.metrics, ...instanceColumns(opts)])] : opts.metrics;
  const values: Record<string, Float64Array> = {
    ...(ok.length === 0 || fromCounts.length === 0 || C === 0
      ? {}
      : (metricsFromCounts(stack(ok, column, C), { metrics: fromCounts, empty: opts.empty, beta: opts.beta }) as Record<
          string,
          Float64Array
        >)),
    ...stackMeasured(ok, column, C, opts.surfaceMetrics, (c) => (c.surface as SurfaceValues).values, opts),
    ...stackMeasured(ok, column, C, opts.topologyMetrics, (c) => c.topology as TopologyValues, opts),
    ...stackInstances(ok, column, C, opts),
  };

  let row = 0;
  const cases: CaseReport[] = counted.map((c) => {
    const base = { name: c.pair.name, pred: c.pair.pred, truth: c.pair.truth };
    if ('error' in c) return { ...base, classes: {}, error: c.error };
    const b = row++;
    const perClass = Object.fromEntries(
      classes.map((label, i) => [String(label), Object.fromEntries(columns.map((m) => [m, values[m][b * C + i]]))]),
    );
    const spacing = c.surface?.spacing ?? c.instances?.spacing;
    return { ...base, ...(spacing === undefined ? {} : { spacing }), classes: perClass };
  });
  const summary = Object.fromEntries(
    classes.map((label, i) => [
      String(label),
      Object.fromEntries(
        columns.map((m) => {
          const values_ = Array.from({ length: ok.length }, (_, b) => values[m][b * C + i]);
          return [m, summarise(values_)];
        }),
      ),
    ]),
  );
  return { classes, metrics: columns, cases, summary };
}

/**
 * The counts of every case as samples of one table over the reported labels (`column`: label →
 * column). A label a case does not hold has TP = FP = FN = 0, TN = its counted voxels.
 */
function stack(ok: readonly Measured[], column: ReadonlyMap<number, number>, C: number): ConfusionCounts {
  const n = ok.length * C;
  const out = {
    tp: new Float64Array(n),
    fp: new Float64Array(n),
    fn: new Float64Array(n),
    tn: new Float64Array(n),
    numSamples: ok.length,
    numClasses: C,
  };
  ok.forEach(({ counts }, b) => {
    out.tn.fill(counts.voxels, b * C, (b + 1) * C);
    counts.labels.forEach((label, i) => {
      const col = column.get(label);
      if (col === undefined) return;
      out.tp[b * C + col] = counts.counts[4 * i];
      out.fp[b * C + col] = counts.counts[4 * i + 1];
      out.fn[b * C + col] = counts.counts[4 * i + 2];
      out.tn[b * C + col] = counts.counts[4 * i + 3];
    });
  });
  return out;
}

/**
 * Metrics measured per case (surface distances, topology metrics) as one table over the reported
 * labels, as stack() does for the counts: a label a case does not hold is empty on both sides,
 * scored as the --empty policy scores that.
 */
function stackMeasured(
  ok: readonly Measured[],
  column: ReadonlyMap<number, number>,
  C: number,
  metrics: readonly string[],
  valuesOf: (c: Measured) => Record<string, Float64Array>,
  opts: EvalOptions,
): Record<string, Float64Array> {
  const bothEmpty = withEmptyPolicy(Number.NaN, 0, 0, 0, opts.empty);
  return Object.fromEntries(
    metrics.map((m) => {
      const table = new Float64Array(ok.length * C).fill(bothEmpty);
      for (const [b, c] of ok.entries()) {
        const values = valuesOf(c)[m];
        for (const [i, label] of c.counts.labels.entries()) {
          const col = column.get(label);
          if (col !== undefined) table[b * C + col] = values[i];
        }
      }
      return [m, table];
    }),
  );
}

function summarise(values: readonly number[]): Summary {
  const scored = values.filter((v) => !Number.isNaN(v));
  const n = scored.length;
  const mean = n === 0 ? Number.NaN : scored.reduce((a, v) => a + v, 0) / n;
  const std = n === 0 ? Number.NaN : Math.sqrt(scored.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  return { mean, std, n };
}

/**
 * The instance metrics (and lesion counts) of every case as one table over the reported labels, as
 * stack() does for the counts: a label a case does not hold has no lesion on either side (lesion
 * Dice 1, HD95 0, counts 0, rates and PQ NaN).
 */
function stackInstances(
  ok: readonly Measured[],
  column: ReadonlyMap<number, number>,
  C: number,
  opts: EvalOptions,
): Record<string, Float64Array> {
  if (opts.instanceMetrics.length === 0) return {};
  const none: Record<string, number> = { lesion_dice: 1, lesion_hd95: 0, lesion_tp: 0, lesion_fp: 0, lesion_fn: 0 };
  const columns = instanceColumns(opts);
  const ids = resolveInstanceMetricNames('eval', columns);
  return Object.fromEntries(
    columns.map((m, i) => {
      const table = new Float64Array(ok.length * C).fill(none[ids[i].id] ?? Number.NaN);
      for (const [b, c] of ok.entries()) {
        const values = (c.instances as InstanceValues).values[m];
        for (const [j, label] of c.counts.labels.entries()) {
          const col = column.get(label);
          if (col !== undefined) table[b * C + col] = values[j];
        }
      }
      return [m, table];
    }),
  );
}
