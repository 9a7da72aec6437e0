// Streaming instance metrics (createMetric with lesion-wise or panoptic names): lesions do not add
// up across tiles, so the state is, per whole sample and class, the lesion table (every truth and
// predicted lesion, its size and match, Dice inputs and HD95) and the panoptic counts of the
// components; compute() scores and reduces them all (size thresholds and penalty may change
// there), merge() and toJSON() move them between workers and processes.
import { METRIC_REDUCTIONS } from '../../core/option-values.js';
import type { HardPrediction, MetricsResult, Target } from '../../core/api.js';
import type { Engine } from '../../backends/engine.js';
import { describe, rangeError, typeError } from '../../core/errors.js';
import { checkOptionNames, flag, oneOf, revoked } from '../../core/options.js';
import {
  lesionScores,
  PRED_MATCHED,
  PRED_STRIDE,
  PRED_VOXELS,
  TRUTH_HD95,
  TRUTH_MATCHED,
  TRUTH_OVERLAP,
  TRUTH_PRED_VOXELS,
  TRUTH_STRIDE,
  TRUTH_VOXELS,
} from '../../math/lesions.js';
import { isSurfaceMetric } from '../names.js';
import { CONFUSION_OPTION_NAMES, resolveConfusion, type ConfusionSpec } from '../options.js';
import { columns, reduceMonai } from '../reduce.js';
import { checkSameOptions, copyArray, readState, readUpdateGeometry } from '../state.js';
import { checkMinSize, type ComponentsPlan } from './components.js';
import {
  emptyTable,
  LESION_OPTION_NAMES,
  lesionTable,
  resolveLesionOptions,
  type LesionSpec,
  type LesionTable,
} from './lesions.js';
import { definitionOfInstance, resolveInstanceMetricNames, type InstanceEntry } from './names.js';
import { countPanoptic, evaluatePanoptic, type PanopticCounts } from './panoptic.js';
import type { ClassCrop } from '../../core/plans.js';
import { measureTerms, type TermContext } from './terms.js';
import type {
  CreateInstanceMetricOptions,
  InstanceMetricJSON,
  InstanceTermJSON,
  InstanceUpdateOptions,
  StreamingInstanceMetric,
} from './types.js';
import { MASK_PRED, MASK_TARGET } from '../../core/constants.js';

const FORMAT = 'dice-wasm/instance-metric';
const OVERRIDES = ['reduction', 'includeBackground', 'minSize', 'minVolume', 'fpPenalty'] as const;
/** Rows a table read from JSON may hold (far above any volume's lesion count): a bound before anything is built. */
const MAX_ROWS = 1 << 24;

/** One (sample, class) term of the state. */
interface Term {
  table: LesionTable | null;
  panoptic: Float64Array | null;
}

/**
 * Whether a createMetric options object asks for instance metrics (then createMetric returns an
 * InstanceMetricStream).
 */
export function asksForInstanceMetrics(options: unknown): boolean {
  const metrics = (options as { metrics?: unknown } | null)?.metrics;
  return Array.isArray(metrics) && metrics.some((m) => typeof m === 'string' && resolvesAsInstance(m));
}

function resolvesAsInstance(name: string): boolean {
  try {
    resolveInstanceMetricNames('', [name]);
    return true;
  } catch {
    return false;
  }
}

export class InstanceMetricStream implements StreamingInstanceMetric {
  private readonly confusion: ConfusionSpec;
  private readonly spec: LesionSpec;
  private readonly entries: readonly InstanceEntry[];
  private readonly needs: { lesions: boolean; panoptic: boolean };
  private readonly options: Record<string, unknown>;
  private classes: number | null;
  private samples: (Term | null)[][] = [];

  constructor(
    private readonly engine: Engine,
    options: CreateInstanceMetricOptions,
  ) {
    const fn = 'createMetric';
    if (options === null || typeof options !== 'object')
      throw typeError(fn, 'options', `must be an object with a 'metrics' list; got ${describe(options)}`);
    const opts = checkOptionNames(fn, options as object, [
      ...CONFUSION_OPTION_NAMES.filter((n) => n !== 'shape'),
      ...LESION_OPTION_NAMES,
      'metrics',
    ]) as Record<string, unknown>;
    const metrics = opts.metrics as unknown[];
    const other = Array.isArray(metrics)
      ? metrics.find((m) => typeof m === 'string' && !resolvesAsInstance(m))
      : undefined;
    if (other !== undefined) {
      throw rangeError(
        fn,
        'metrics',
        `mixes instance metrics with '${String(other)}', ` +
          (isSurfaceMetric(String(other)) ? 'a surface metric (createSurfaceMetric)' : 'a metric of confusion counts') +
          ': use one metric object for each',
      );
    }
    this.entries = resolveInstanceMetricNames(fn, metrics);
    const family = (f: string) => this.entries.some((e) => definitionOfInstance(e.id).family === f);
    this.needs = { lesions: family('lesion'), panoptic: family('panoptic') };
    // Label maps without numClasses are binary masks (class 1 the lesions), as in lesionMetrics.
    const tensor = opts.numClasses === undefined && opts.decision === undefined ? { ...opts, numClasses: 2 } : opts;
    this.confusion = { ...resolveConfusion(fn, tensor), fn: 'update' };
    this.spec = {
      ...resolveLesionOptions(fn, opts),
      fn: 'update',
      distances: this.entries.some((e) => e.id === 'lesion_hd95'),
    };
    this.classes = this.confusion.numClasses;
    const { fn: _c, shape: _s, ...tensorOptions } = this.confusion;
    const { fn: _f, ...lesionOptions } = this.spec;
    this.options = { ...tensorOptions, ...lesionOptions, metrics: this.entries.map((e) => e.key) };
  }

  get numSamples(): number {
    return this.samples.length;
  }

  update(pred: HardPrediction, target: Target, options: InstanceUpdateOptions): this {
    const { shape, spec } = readUpdateGeometry(options, this.spec);
    const measured = measureTerms(this.engine, this.confusion, spec, 'full', pred, target, shape, (term, crop) =>
      this.measure(spec, term, crop),
    );
    const C = measured.numClasses;
    if (this.classes !== null && this.classes !== C)
      throw rangeError('update', 'pred', `has ${C} classes but this metric measures ${this.classes}`);
    this.classes = C;
    for (let b = 0; b < measured.numSamples; b++) this.samples.push(measured.values.slice(b * C, (b + 1) * C));
    return this;
  }

  private measure(spec: LesionSpec, term: TermContext, crop: ClassCrop | null): Term {
    const table = !this.needs.lesions
      ? null
      : crop === null
        ? emptyTable(term.voxelVolume)
        : lesionTable(this.engine, crop, { ...spec, connectivity: term.connectivity }, term.rank, term.weights);
    const panoptic = !this.needs.panoptic
      ? null
      : crop === null
        ? new Float64Array(4)
        : componentPanoptic(this.engine, crop, term);
    return { table, panoptic };
  }

  compute(overrides?: Pick<CreateInstanceMetricOptions, (typeof OVERRIDES)[number]>): MetricsResult {
    const fn = 'compute';
    const opts = checkOptionNames(fn, overrides, OVERRIDES) as Record<string, unknown>;
    const includeBackground = flag(fn, 'includeBackground', opts.includeBackground, this.spec.includeBackground);
    if (includeBackground && !this.spec.includeBackground) {
      throw rangeError(
        fn,
        'includeBackground',
        'true: class 0 was not measured (the metric was created with includeBackground: false)',
      );
    }
    const reduction = oneOf(fn, 'reduction', opts.reduction, METRIC_REDUCTIONS, this.spec.reduction);
    const score = {
      minSize: opts.minSize === undefined ? this.spec.minSize : checkMinSize(fn, 'minSize', opts.minSize),
      minVolume: nonNegative(fn, 'minVolume', opts.minVolume, this.spec.minVolume),
      fpPenalty: nonNegative(fn, 'fpPenalty', opts.fpPenalty, this.spec.fpPenalty),
    };
    const B = this.samples.length,
      C = this.classes ?? 0;
    const first = includeBackground || C === 1 ? 0 : 1;
    const terms = this.samples.flat().map((t, k) => (k % C < first ? null : t));
    const result: MetricsResult = {};
    for (const { key, id } of this.entries) {
      const definition = definitionOfInstance(id);
      if (definition.family === 'panoptic') {
        const counts = panopticCounts(terms, B, C);
        result[key] = evaluatePanoptic(reduction, counts)[definition.score];
        continue;
      }
      const values = Float64Array.from(terms, (t) =>
        t === null || t.table === null ? Number.NaN : lesionScores(t.table, score)[definition.score as 'tp'],
      );
      result[key] =
        reduction === 'none' ? values : reduceMonai(columns({ rows: B, cols: C, values }, first), reduction);
    }
    return result;
  }

  merge(other: StreamingInstanceMetric | InstanceMetricJSON): this {
    const json = other instanceof InstanceMetricStream ? other.toJSON() : other;
    for (const s of this.readJSON('merge', 'other', json as InstanceMetricJSON)) this.samples.push(s);
    return this;
  }

  reset(): this {
    this.samples = [];
    this.classes = this.confusion.numClasses;
    return this;
  }

  toJSON(): InstanceMetricJSON {
    return {
      format: FORMAT,
      version: 1,
      options: { ...this.options },
      samples: this.samples.map((classes) => ({ classes: classes.map(termJSON) })),
    };
  }

  fromJSON(json: InstanceMetricJSON): this {
    const samples = this.readJSON('fromJSON', 'json', json);
    this.reset();
    for (const s of samples) this.samples.push(s);
    return this;
  }

  /** The samples of a serialised state made with the same options, checked value by value. */
  private readJSON(fn: string, arg: string, json: InstanceMetricJSON): (Term | null)[][] {
    const { options, samples } = readState(fn, arg, json, FORMAT, 'an instance metric');
    checkSameOptions(fn, arg, options, this.options);
    let classes = this.classes;
    return samples.map((sample, i) => {
      const at = `${arg}.samples[${i}].classes`;
      const list = copyArray(
        sample !== null && typeof sample === 'object' && !revoked(sample)
          ? (sample as { classes?: unknown }).classes
          : undefined,
      );
      if (list === null || list.length === 0) throw rangeError(fn, at, 'must be one entry per class (from toJSON())');
      if (classes !== null && list.length !== classes) {
        throw rangeError(fn, at, `holds ${list.length} classes but this metric measures ${classes}`);
      }
      classes = list.length;
      return list.map((term, c) => (term === null ? null : this.readTerm(fn, `${at}[${c}]`, term)));
    });
  }

  private readTerm(fn: string, at: string, value: unknown): Term {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw typeError(fn, at, 'must be an object or null');
    const term = value as InstanceTermJSON;
    const voxelVolume = term.voxelVolume;
    if (typeof voxelVolume !== 'number' || !Number.isFinite(voxelVolume) || voxelVolume <= 0) {
      throw rangeError(fn, `${at}.voxelVolume`, `must be a finite number > 0; got ${describe(voxelVolume)}`);
    }
    let table: LesionTable | null = null;
    if (this.needs.lesions) {
      const truth = rows(fn, `${at}.truth`, term.truth, TRUTH_STRIDE);
      const pred = rows(fn, `${at}.pred`, term.pred, PRED_STRIDE);
      for (let r = 0; r < truth.length; r += TRUTH_STRIDE)
        checkTruthRow(fn, `${at}.truth[${r / TRUTH_STRIDE}]`, truth, r);
      for (let r = 0; r < pred.length; r += PRED_STRIDE) {
        const voxels = pred[r + PRED_VOXELS],
          matched = pred[r + PRED_MATCHED];
        if (!(count(voxels) && voxels >= 1 && (matched === 0 || matched === 1))) {
          throw rangeError(fn, `${at}.pred[${r / PRED_STRIDE}]`, 'must be [voxels ≥ 1, matched 0 or 1]');
        }
      }
      table = { truth, pred, voxelVolume };
    }
    let panoptic: Float64Array | null = null;
    if (this.needs.panoptic) {
      const p = term.panoptic;
      if (
        !Array.isArray(p) ||
        p.length !== 4 ||
        !p.slice(0, 3).every(count) ||
        typeof p[3] !== 'number' ||
        !(p[3] >= 0 && p[3] <= p[0] + 1e-9)
      ) {
        throw rangeError(fn, `${at}.panoptic`, 'must be [tp, fp, fn, iouSum]: counts, and 0 ≤ iouSum ≤ tp');
      }
      panoptic = Float64Array.from(p);
    }
    return { table, panoptic };
  }
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function nonNegative(fn: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw rangeError(fn, name, `must be a finite number ≥ 0; got ${describe(value)}`);
  }
  return value;
}

/** A flat list of rows of `stride` numbers (non-finite ones as the strings toJSON writes). */
function rows(fn: string, at: string, value: unknown, stride: number): Float64Array {
  if (!Array.isArray(value) || value.length % stride !== 0 || value.length / stride > MAX_ROWS) {
    throw rangeError(fn, at, `must be a list of ${stride} values per lesion (from toJSON())`);
  }
  const out = new Float64Array(value.length);
  value.forEach((v, i) => {
    const decoded =
      typeof v === 'number' ? v : v === 'Infinity' ? Number.POSITIVE_INFINITY : v === 'NaN' ? Number.NaN : undefined;
    if (decoded === undefined) throw rangeError(fn, `${at}[${i}]`, `must be a number; got ${describe(v)}`);
    out[i] = decoded;
  });
  return out;
}

/**
 * A truth lesion row: voxels ≥ 1, matched ≥ 0, overlap within both sizes, HD95 ≥ 0 (+∞ exactly when
 * unmatched, or NaN).
 */
function checkTruthRow(fn: string, at: string, t: Float64Array, r: number): void {
  const voxels = t[r + TRUTH_VOXELS],
    matched = t[r + TRUTH_MATCHED],
    predVoxels = t[r + TRUTH_PRED_VOXELS],
    overlap = t[r + TRUTH_OVERLAP],
    hd95 = t[r + TRUTH_HD95];
  const ok =
    count(voxels) &&
    voxels >= 1 &&
    count(matched) &&
    count(predVoxels) &&
    count(overlap) &&
    overlap <= Math.min(voxels, predVoxels) &&
    (matched === 0) === (predVoxels === 0) &&
    (Number.isNaN(hd95) || (hd95 >= 0 && (hd95 === Number.POSITIVE_INFINITY) === (matched === 0)));
  if (!ok) {
    throw rangeError(
      fn,
      at,
      'must be [voxels ≥ 1, matched, matched voxels, overlap ≤ both, HD95 ≥ 0 (Infinity when unmatched)]',
    );
  }
}

function termJSON(term: Term | null): InstanceTermJSON | null {
  if (term === null) return null;
  const json: InstanceTermJSON = { voxelVolume: term.table?.voxelVolume ?? 1 };
  if (term.table !== null) {
    json.voxelVolume = term.table.voxelVolume;
    json.truth = Array.from(term.table.truth, (v) => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : 'Infinity'));
    json.pred = Array.from(term.table.pred);
  }
  if (term.panoptic !== null) json.panoptic = Array.from(term.panoptic);
  return json;
}

/** The panoptic counts of every term (NaN for terms not measured). */
function panopticCounts(terms: readonly (Term | null)[], B: number, C: number): PanopticCounts {
  const counts: PanopticCounts = {
    tp: new Float64Array(B * C).fill(Number.NaN),
    fp: new Float64Array(B * C).fill(Number.NaN),
    fn: new Float64Array(B * C).fill(Number.NaN),
    iouSum: new Float64Array(B * C).fill(Number.NaN),
    numSamples: B,
    numClasses: C,
  };
  terms.forEach((t, k) => {
    if (t === null || t.panoptic === null) return;
    [counts.tp[k], counts.fp[k], counts.fn[k], counts.iouSum[k]] = t.panoptic;
  });
  return counts;
}

/** TP, FP, FN and ΣIoU of the components of a term's two masks, matched by IoU > 0.5. */
function componentPanoptic(engine: Engine, crop: ClassCrop, term: TermContext): Float64Array {
  const n = crop.mask.length;
  const plan: ComponentsPlan = {
    B: 1,
    S: n,
    dims: crop.dims,
    rank: term.rank,
    connectivity: term.connectivity,
    minSize: 1,
    perClass: false,
    type: 'u8',
  };
  const pred = new Int32Array(n),
    truth = new Int32Array(n);
  engine.components(
    'update',
    plan,
    Uint8Array.from(crop.mask, (v) => (v & MASK_PRED ? 1 : 0)),
    pred,
  );
  engine.components(
    'update',
    plan,
    Uint8Array.from(crop.mask, (v) => (v & MASK_TARGET ? 1 : 0)),
    truth,
  );
  const counts = countPanoptic(
    { fn: 'update', B: 1, S: n, C: 1, matchIou: 0.5, reduction: 'none', predClasses: null, truthClasses: null },
    pred,
    truth,
  );
  return Float64Array.of(counts.tp[0], counts.fp[0], counts.fn[0], counts.iouSum[0]);
}
