// Streaming surface metrics: surface distances do not add up across tiles, so the state is the
// surface records of each whole sample measured so far (what every surface metric is computed
// from); compute() scores and reduces them all, merge() and toJSON() move them between workers
// and processes.
import type {
  CreateSurfaceMetricOptions,
  HardPrediction,
  MetricsResult,
  StreamingSurfaceMetric,
  SurfaceMetricJSON,
  SurfaceMetricOptions,
  SurfaceUpdateOptions,
  Target,
} from '../core/api.js';
import type { Engine } from '../backends/engine.js';
import { DIST_COUNT, DIST_MAX, DIST_SUM, DIST_WITHIN } from '../core/constants.js';
import { describe, rangeError, typeError } from '../core/errors.js';
import { checkOptionNames } from '../core/options.js';
import { CONFUSION_OPTION_NAMES, resolveConfusion, type ConfusionSpec } from './options.js';
import { checkSameOptions, copyArray, readState, readUpdateGeometry } from './state.js';
import { evaluateSurfaces, measureSurfaces } from './surface.js';
import { resolveSurface, SURFACE_OPTION_NAMES, type SurfaceSpec } from './surface-options.js';
import { SURF_PRED, SURF_PRED_PERCENTILE, SURF_STRIDE, SURF_TARGET, SURF_TARGET_PERCENTILE } from '../core/plans.js';

const FORMAT = 'dice-wasm/surface-metric';
const OVERRIDES = ['reduction', 'includeBackground', 'empty'] as const;

export class SurfaceMetricStream implements StreamingSurfaceMetric {
  private readonly confusion: ConfusionSpec;
  private readonly surface: SurfaceSpec;
  private readonly surfaceOptions: SurfaceMetricOptions;
  private readonly options: Record<string, unknown>;
  /** Classes per sample: fixed by numClasses, or by the first update. */
  private classes: number | null;
  /** SURF_STRIDE × classes values per sample. */
  private samples: Float64Array[] = [];

  constructor(
    private readonly engine: Engine,
    options: CreateSurfaceMetricOptions,
  ) {
    const fn = 'createSurfaceMetric';
    if (options === null || typeof options !== 'object')
      throw typeError(fn, 'options', `must be an object with a 'metrics' list; got ${describe(options)}`);
    const opts = checkOptionNames(fn, options, [
      ...CONFUSION_OPTION_NAMES.filter((n) => n !== 'shape'),
      ...SURFACE_OPTION_NAMES,
    ]);
    this.confusion = { ...resolveConfusion(fn, opts), fn: 'update' };
    this.surface = { ...resolveSurface(fn, opts), fn: 'update' };
    this.surfaceOptions = { ...opts, metrics: this.surface.metrics.map((m) => m.key) };
    this.classes = this.confusion.numClasses;
    const { fn: _c, shape: _s, ...tensor } = this.confusion;
    const { fn: _f, metrics, tolerance, ...rest } = this.surface;
    this.options = {
      ...tensor,
      ...rest,
      metrics: metrics.map((m) => m.key),
      tolerance: tolerance === null || typeof tolerance === 'number' ? tolerance : Array.from(tolerance),
    };
  }

  get numSamples(): number {
    return this.samples.length;
  }

  update(pred: HardPrediction, target: Target, options: SurfaceUpdateOptions): this {
    const { shape, spec: surface } = readUpdateGeometry(options, this.surface);
    const measured = measureSurfaces(this.engine, this.confusion, surface, pred, target, shape);
    const C = measured.numClasses;
    if (this.classes !== null && this.classes !== C)
      throw rangeError('update', 'pred', `has ${C} classes but this metric measures ${this.classes}`);
    this.classes = C;
    for (let b = 0; b < measured.numSamples; b++)
      this.samples.push(measured.records.slice(b * C * SURF_STRIDE, (b + 1) * C * SURF_STRIDE));
    return this;
  }

  compute(overrides?: Pick<SurfaceMetricOptions, (typeof OVERRIDES)[number]>): MetricsResult {
    const opts = checkOptionNames('compute', overrides, OVERRIDES);
    if (opts.includeBackground === true && !this.surface.includeBackground) {
      throw rangeError(
        'compute',
        'includeBackground',
        'true: class 0 was not measured (the metric was created with includeBackground: false)',
      );
    }
    const spec = resolveSurface('compute', { ...this.surfaceOptions, ...opts });
    const C = this.classes ?? 0;
    const records = new Float64Array(this.samples.length * C * SURF_STRIDE);
    for (const [b, s] of this.samples.entries()) records.set(s, b * C * SURF_STRIDE);
    return evaluateSurfaces(spec, { records, numSamples: this.samples.length, numClasses: C });
  }

  merge(other: StreamingSurfaceMetric | SurfaceMetricJSON): this {
    const json = other instanceof SurfaceMetricStream ? other.toJSON() : other;
    for (const s of this.readJSON('merge', 'other', json as SurfaceMetricJSON)) this.samples.push(s);
    return this;
  }

  reset(): this {
    this.samples = [];
    this.classes = this.confusion.numClasses;
    return this;
  }

  toJSON(): SurfaceMetricJSON {
    // JSON has no Infinity or NaN: they travel as strings.
    return {
      format: FORMAT,
      version: 1,
      options: { ...this.options },
      samples: this.samples.map((s) => ({ records: Array.from(s, encode) })),
    };
  }

  fromJSON(json: SurfaceMetricJSON): this {
    const samples = this.readJSON('fromJSON', 'json', json);
    this.reset();
    for (const s of samples) this.samples.push(s);
    return this;
  }

  /** The samples of a serialised state made with the same options, checked (each field read once). */
  private readJSON(fn: string, arg: string, json: SurfaceMetricJSON): Float64Array[] {
    const state = readState(fn, arg, json, FORMAT, 'a surface metric');
    checkSameOptions(fn, arg, state.options, this.options);
    let classes = this.classes;
    const samples = state.samples.map((s, i) => {
      const at = `${arg}.samples[${i}].records`;
      const given = s !== null && typeof s === 'object' ? copyArray((s as { records?: unknown }).records) : null;
      const values = given?.map(decode) ?? null;
      if (
        values === null ||
        values.length === 0 ||
        values.length % SURF_STRIDE !== 0 ||
        values.some((v) => v === undefined)
      ) {
        throw rangeError(fn, at, `must be ${SURF_STRIDE} numbers per class (from toJSON())`);
      }
      if (classes !== null && values.length !== SURF_STRIDE * classes) {
        throw rangeError(fn, at, `holds ${values.length / SURF_STRIDE} classes but this metric measures ${classes}`);
      }
      classes = values.length / SURF_STRIDE;
      const records = Float64Array.from(values as number[]);
      checkRecords(fn, at, records, this.surface.surfel);
      return records;
    });
    this.classes = classes;
    return samples;
  }
}

/**
 * The checks of the overlap metrics' counts, for surface records (what the engines write, see
 * surface-plan.ts): per direction, a count of surface voxels and of those within the tolerance
 * (integers, within ≤ count; with surfels their measures, finite ≥ 0), a sum and a maximum of
 * distances (finite, ≥ 0; 0 where nothing was measured), and per direction a percentile (NaN when
 * not asked for, else finite and ≥ 0).
 */
function checkRecords(fn: string, at: string, records: Float64Array, surfel: boolean): void {
  // With surfels the counts are measures (areas or lengths): finite numbers ≥ 0, not integers.
  const amount = surfel ? (v: number) => Number.isFinite(v) && v >= 0 : Number.isSafeInteger;
  for (let term = 0; term < records.length; term += SURF_STRIDE) {
    const bad = (slot: number, rule: string): RangeError =>
      rangeError(fn, `${at}[${term + slot}]`, `must be ${rule}; got ${records[term + slot]}`);
    for (const side of [SURF_PRED, SURF_TARGET]) {
      const count = records[term + side + DIST_COUNT];
      if (!(amount(count) && count >= 0))
        throw bad(
          side + DIST_COUNT,
          surfel ? 'a surfel measure (finite, ≥ 0)' : 'a count of surface voxels (an integer ≥ 0)',
        );
      const within = records[term + side + DIST_WITHIN];
      if (!(amount(within) && within >= 0 && within <= count)) {
        throw bad(
          side + DIST_WITHIN,
          `a count of voxels within the tolerance, an integer in [0, ${count}] (the surface's count)`,
        );
      }
      for (const slot of [DIST_SUM, DIST_MAX]) {
        const v = records[term + side + slot];
        if (!(Number.isFinite(v) && v >= 0)) throw bad(side + slot, 'a distance: finite and ≥ 0');
      }
    }
    for (const slot of [SURF_PRED_PERCENTILE, SURF_TARGET_PERCENTILE]) {
      const v = records[term + slot];
      if (!(Number.isNaN(v) || (Number.isFinite(v) && v >= 0))) throw bad(slot, 'a distance (finite and ≥ 0) or NaN');
    }
  }
}

const encode = (v: number): number | 'Infinity' | 'NaN' =>
  Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : 'Infinity';
const decode = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return v === 'Infinity' ? Number.POSITIVE_INFINITY : v === 'NaN' ? Number.NaN : undefined;
};
