// Streaming metrics: the state is the exact confusion counts of each sample, so updates,
// merges and serialisation are additions of integers, and any split of a dataset (tiles of a
// volume, chunks, workers, processes) gives the one-pass result. Samples with a key (tiles of
// one volume share it) are reported in key order, then samples without one in arrival order,
// so the result does not depend on the order of updates or merges. The topology metrics
// (clDice, Boundary IoU) add each sample's topology records, counted on whole samples: skeletons
// and bands of tiles do not add up, so a key may not come twice then.
import type {
  ConfusionCounts,
  CreateMetricOptions,
  HardPrediction,
  MetricJSON,
  MetricOptions,
  MetricsResult,
  MetricUpdateOptions,
  SampleKey,
  StreamingMetric,
  Target,
} from '../core/api.js';
import type { Engine } from '../backends/engine.js';
import { describe, quote, rangeError, typeError } from '../core/errors.js';
import { checkOptionNames } from '../core/options.js';
import { checkShape } from '../core/tensors.js';
import { checkCounts } from './counts.js';
import { evaluateCounts, type MeasuredCounts } from './evaluate.js';
import { checkSameOptions, copyArray, readState } from './state.js';
import { TOPO_STRIDE } from '../core/constants.js';
import { checkSpacing } from '../core/spacing.js';
import { countMeasured } from './topology.js';
import { resolveTopology, TOPOLOGY_OPTION_NAMES, type TopologySpec } from './topology-options.js';
import {
  CONFUSION_OPTION_NAMES,
  EVALUATION_OPTION_NAMES,
  resolveConfusion,
  resolveEvaluation,
  type ConfusionSpec,
} from './options.js';

const FORMAT = 'dice-wasm/metric';
const OVERRIDES = ['reduction', 'average', 'aggregation', 'includeBackground', 'empty'] as const;

/** One sample's counts: [tp, fp, fn, tn] for each class; with topology metrics, its topology records. */
interface Sample {
  key: SampleKey | undefined;
  counts: Float64Array;
  topology: Float64Array | null;
}

export class MetricStream implements StreamingMetric {
  private readonly confusion: ConfusionSpec;
  /** What the topology metrics asked for measure, or null. */
  private readonly topology: TopologySpec | null;
  private readonly includeBackground: boolean;
  private readonly metricOptions: MetricOptions;
  private readonly options: Record<string, unknown>;
  /** Classes per sample: fixed by numClasses, or by the first update. */
  private classes: number | null;
  private samples: Sample[] = [];
  private readonly byKey = new Map<string, Sample>();

  constructor(
    private readonly engine: Engine,
    options: CreateMetricOptions,
  ) {
    const fn = 'createMetric';
    if (options === null || typeof options !== 'object')
      throw typeError(fn, 'options', `must be an object with a 'metrics' list; got ${describe(options)}`);
    const opts = checkOptionNames(fn, options, [
      ...CONFUSION_OPTION_NAMES.filter((n) => n !== 'shape'),
      ...EVALUATION_OPTION_NAMES,
      ...TOPOLOGY_OPTION_NAMES,
    ]);
    this.confusion = { ...resolveConfusion(fn, opts), fn: 'update' };
    const evaluation = resolveEvaluation(fn, opts);
    const topology = resolveTopology(fn, opts, evaluation.metrics);
    this.topology = topology === null ? null : { ...topology, fn: 'update' };
    this.includeBackground = evaluation.includeBackground;
    const { boundaryWidth: _w, boundaryWidthMm: _m, boundaryDistance: _d, spacing: _p, ...metricOpts } = opts;
    this.metricOptions = { ...metricOpts, metrics: evaluation.metrics.map((m) => m.key) };
    this.classes = this.confusion.numClasses;
    const { fn: _c, shape: _s, ...tensor } = this.confusion;
    const { fn: _e, metrics, ...rest } = evaluation;
    this.options = { ...tensor, metrics: metrics.map((m) => m.key), ...rest };
    if (topology !== null) {
      // The band options decide the counts: states made with others do not merge.
      const { fn: _t, spacing, ...measured } = topology;
      this.options.topology = { ...measured, spacing: spacing === null ? null : spacing };
    }
  }

  get numSamples(): number {
    return this.samples.length;
  }

  update(pred: HardPrediction, target: Target, options?: MetricUpdateOptions): this {
    const opts = checkOptionNames(
      'update',
      options,
      this.topology === null ? ['shape', 'sample'] : ['shape', 'sample', 'spacing'],
    );
    let topology = this.topology;
    if (topology !== null) {
      if (opts.shape === undefined) {
        throw rangeError(
          'update',
          'shape',
          'is required by the topology metrics (measured on the masks): [B, ...spatial] or [B, C, ...spatial]',
        );
      }
      if (opts.spacing !== undefined) {
        if (topology.band === null || topology.band.widthMm === null) {
          throw rangeError('update', 'spacing', 'applies to boundaryWidthMm, which this metric was not created with');
        }
        topology = { ...topology, spacing: checkSpacing('update', 'spacing', opts.spacing) };
      }
    }
    const shape = opts.shape === undefined ? undefined : checkShape('update', opts.shape);
    if (topology !== null) this.checkWholeSamples('update', opts.sample);
    const counts = countMeasured(this.engine, this.confusion, topology, this.includeBackground, pred, target, shape);
    return this.addChecked('update', counts, opts.sample);
  }

  add(counts: ConfusionCounts, options?: Pick<MetricUpdateOptions, 'sample'>): this {
    const opts = checkOptionNames('add', options, ['sample']);
    if (this.topology !== null) {
      throw rangeError(
        'add',
        'counts',
        'cannot hold the topology metrics this metric computes (they are measured on the masks): use update()',
      );
    }
    return this.addChecked('add', checkCounts('add', counts, true), opts.sample);
  }

  compute(overrides?: Pick<MetricOptions, (typeof OVERRIDES)[number]>): MetricsResult {
    const opts = checkOptionNames('compute', overrides, OVERRIDES);
    if (this.topology !== null && opts.includeBackground === true && !this.includeBackground) {
      throw rangeError(
        'compute',
        'includeBackground',
        'true: the masks of class 0 were not measured (the metric was created with includeBackground: false)',
      );
    }
    // A reduction or an average given here replaces the reduction step as a whole.
    const base =
      opts.reduction !== undefined || opts.average !== undefined
        ? { ...this.metricOptions, reduction: undefined, average: undefined }
        : this.metricOptions;
    return evaluateCounts(resolveEvaluation('compute', { ...base, ...opts }), this.measured());
  }

  counts(): ConfusionCounts {
    const { topology: _t, ...counts } = this.measured();
    return counts;
  }

  /** The counts of every sample in report order, with their topology records when measured. */
  private measured(): MeasuredCounts {
    const C = this.classes ?? 0;
    const ordered = this.ordered();
    const n = ordered.length * C;
    const counts = {
      tp: new Float64Array(n),
      fp: new Float64Array(n),
      fn: new Float64Array(n),
      tn: new Float64Array(n),
      numSamples: ordered.length,
      numClasses: C,
    };
    ordered.forEach((sample, b) => {
      for (let c = 0; c < C; c++) {
        counts.tp[b * C + c] = sample.counts[4 * c];
        counts.fp[b * C + c] = sample.counts[4 * c + 1];
        counts.fn[b * C + c] = sample.counts[4 * c + 2];
        counts.tn[b * C + c] = sample.counts[4 * c + 3];
      }
    });
    if (this.topology === null) return counts;
    const topology = new Float64Array(n * TOPO_STRIDE);
    ordered.forEach((sample, b) => {
      topology.set(sample.topology as Float64Array, b * C * TOPO_STRIDE);
    });
    return { ...counts, topology };
  }

  merge(other: StreamingMetric | MetricJSON): this {
    const json = other instanceof MetricStream ? other.toJSON() : other;
    this.addAll('merge', 'other', this.readJSON('merge', 'other', json as MetricJSON));
    return this;
  }

  reset(): this {
    this.samples = [];
    this.byKey.clear();
    this.classes = this.confusion.numClasses;
    return this;
  }

  toJSON(): MetricJSON {
    return {
      format: FORMAT,
      version: 1,
      options: { ...this.options },
      samples: this.samples.map((s) => ({
        ...(s.key === undefined ? {} : { key: s.key }),
        counts: Array.from(s.counts),
        ...(s.topology === null ? {} : { topology: Array.from(s.topology) }),
      })),
    };
  }

  fromJSON(json: MetricJSON): this {
    this.addAll('fromJSON', 'json', this.readJSON('fromJSON', 'json', json), true);
    return this;
  }

  /** With topology metrics, a sample key already seen (a tile of a sample measured before) is refused. */
  private checkWholeSamples(fn: string, sample: unknown): void {
    if (sample === undefined) return;
    const keys = Array.isArray(sample) ? sample : [sample];
    const seen = keys.find((key) => (typeof key === 'string' || typeof key === 'number') && this.byKey.has(keyId(key)));
    if (seen !== undefined) {
      throw rangeError(
        fn,
        'sample',
        `'${String(seen)}' was measured before: the topology metrics ` +
          `(skeletons, boundary bands) take whole samples, not tiles`,
      );
    }
  }

  /** Keys checked, classes checked, then added: nothing changes when something is wrong. */
  private addChecked(fn: string, counts: MeasuredCounts, sample: unknown): this {
    const keys = sampleKeys(fn, sample, counts.numSamples);
    this.checkClasses(fn, counts.numClasses);
    const C = counts.numClasses;
    const rows: Sample[] = [];
    for (let b = 0; b < counts.numSamples; b++) {
      const row = new Float64Array(4 * C);
      for (let c = 0; c < C; c++) {
        const k = b * C + c;
        row.set([counts.tp[k], counts.fp[k], counts.fn[k], counts.tn[k]], 4 * c);
      }
      const topology = counts.topology?.slice(b * C * TOPO_STRIDE, (b + 1) * C * TOPO_STRIDE) ?? null;
      rows.push({ key: keys?.[b], counts: row, topology });
    }
    this.addAll(fn, 'counts', rows);
    return this;
  }

  private checkClasses(fn: string, C: number): void {
    if (this.classes !== null && this.classes !== C) {
      throw rangeError(fn, 'pred', `has ${C} classes but this metric counts ${this.classes}`);
    }
  }

  /**
   * Adds samples, those with a known key to the counts already there; first checks that no sum
   * leaves the exact integers (2^53), so that nothing changes when one would.
   */
  private addAll(fn: string, arg: string, samples: readonly Sample[], replace = false): void {
    const sums = new Map<string, Float64Array>();
    for (const { key, counts } of samples) {
      if (key === undefined) continue;
      const id = keyId(key);
      const existing = replace ? undefined : this.byKey.get(id);
      const sum = sums.get(id) ?? existing?.counts.slice() ?? new Float64Array(counts.length);
      for (let i = 0; i < counts.length; i++) {
        sum[i] += counts[i];
        if (!Number.isSafeInteger(sum[i])) {
          throw rangeError(
            fn,
            arg,
            `would make the counts of sample ${quote(String(key), 40)} exceed 2^53, past exact integers`,
          );
        }
      }
      sums.set(id, sum);
    }
    if (replace) this.reset();
    for (const s of samples) this.addSample(s.key, s.counts, s.topology);
  }

  private addSample(key: SampleKey | undefined, counts: Float64Array, topology: Float64Array | null): void {
    this.classes ??= counts.length / 4;
    const existing = key === undefined ? undefined : this.byKey.get(keyId(key));
    if (existing) {
      for (let i = 0; i < counts.length; i++) existing.counts[i] += counts[i];
      if (existing.topology !== null && topology !== null) {
        // Only merges of serialised states reach here (update refuses a key seen before).
        for (let i = 0; i < topology.length; i++) existing.topology[i] += topology[i];
      }
      return;
    }
    const sample = { key, counts: counts.slice(), topology: topology?.slice() ?? null };
    this.samples.push(sample);
    if (key !== undefined) this.byKey.set(keyId(key), sample);
  }

  private ordered(): Sample[] {
    const keyed = this.samples
      .filter((s) => s.key !== undefined)
      .sort((a, b) => compareKeys(a.key as SampleKey, b.key as SampleKey));
    return [...keyed, ...this.samples.filter((s) => s.key === undefined)];
  }

  /** The samples of a serialised state made with the same options, checked (each field read once). */
  private readJSON(fn: string, arg: string, json: MetricJSON): Sample[] {
    const state = readState(fn, arg, json, FORMAT, 'a metric');
    checkSameOptions(fn, arg, state.options, this.options);
    const topologyLength = (classes: number): number => classes * TOPO_STRIDE;
    let classes = this.classes;
    return state.samples.map((s, i) => {
      const at = `${arg}.samples[${i}]`;
      if (s === null || typeof s !== 'object') throw typeError(fn, at, `must be { counts, key? }; got ${describe(s)}`);
      const { counts: given, key } = s as { counts?: unknown; key?: unknown };
      const counts = copyArray(given);
      if (
        counts === null ||
        counts.length === 0 ||
        counts.length % 4 !== 0 ||
        !counts.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)
      ) {
        throw rangeError(fn, `${at}.counts`, 'must be [tp, fp, fn, tn] per class: integers in [0, 2^53)');
      }
      if (classes !== null && counts.length !== 4 * classes) {
        throw rangeError(fn, `${at}.counts`, `holds ${counts.length / 4} classes but this metric counts ${classes}`);
      }
      classes = counts.length / 4;
      if (key !== undefined) checkKey(fn, `${at}.key`, key);
      let topology: Float64Array | null = null;
      if (this.topology !== null) {
        const values = copyArray((s as { topology?: unknown }).topology);
        if (
          values === null ||
          values.length !== topologyLength(classes) ||
          !values.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)
        ) {
          throw rangeError(
            fn,
            `${at}.topology`,
            `must be ${TOPO_STRIDE} non-negative integers per class (the topology records from toJSON())`,
          );
        }
        topology = Float64Array.from(values as number[]);
      }
      return { key, counts: Float64Array.from(counts as number[]), topology };
    });
  }
}

function checkKey(fn: string, name: string, key: unknown): asserts key is SampleKey {
  if (!(typeof key === 'string' || (typeof key === 'number' && Number.isFinite(key)))) {
    throw typeError(fn, name, `must be a string or a finite number; got ${describe(key)}`);
  }
}

function sampleKeys(fn: string, sample: unknown, B: number): readonly SampleKey[] | undefined {
  if (sample === undefined) return undefined;
  const keys = Array.isArray(sample) ? sample : [sample];
  if (keys.length !== B) throw rangeError(fn, 'sample', `gives ${keys.length} key(s) for ${B} sample(s)`);
  for (const [i, key] of keys.entries()) checkKey(fn, Array.isArray(sample) ? `sample[${i}]` : 'sample', key);
  if (new Set(keys.map(keyId)).size !== keys.length)
    throw rangeError(fn, 'sample', 'gives the same key to two samples of one update');
  return keys as SampleKey[];
}

const keyId = (key: SampleKey): string => `${typeof key}:${key}`;

/** Numbers in ascending order before strings in code-unit order. */
function compareKeys(a: SampleKey, b: SampleKey): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
