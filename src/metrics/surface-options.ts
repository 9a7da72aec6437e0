// Resolution of the options of the surface-distance metrics, once per call or per metric
// object: the tensor side is the confusion counts' (plan.ts reads the arrays), the rest says
// what is measured (spacing, percentile, tolerance, directions) and how it is reduced.
import type {
  ConfusionOptions,
  HdConvention,
  MetricEmptyPolicy,
  MetricReduction,
  Spacing,
  SurfaceMetricOptions,
} from '../core/api.js';
import { describe, rangeError, typeError } from '../core/errors.js';
import { checkOptionNames, flag, oneOf } from '../core/options.js';
import { checkShape } from '../core/tensors.js';
import { resolveSurfaceMetricNames, type MetricEntry, type SurfaceMetricId } from './names.js';
import { checkSpacing } from '../core/spacing.js';
import { CONFUSION_OPTION_NAMES, resolveConfusion, type ConfusionSpec } from './options.js';
import { HD_CONVENTIONS, METRIC_EMPTY_POLICIES, METRIC_REDUCTIONS } from '../core/option-values.js';

/** Surface options after validation (lengths against the tensors are checked by the plan). */
export interface SurfaceSpec {
  fn: string;
  metrics: readonly MetricEntry<SurfaceMetricId>[];
  /** As given, checked: every number finite and > 0. */
  spacing: Spacing;
  percentile: number;
  /**
   * hausdorff95 as the larger of the two directions' percentiles (MONAI), or from both directions'
   * distances pooled (MedPy).
   */
  hdConvention: HdConvention;
  /** The neighbourhood that decides the surface, as a connectivity (null: faces only, 2·rank neighbours). */
  surfaceConnectivity: number | null;
  directed: boolean;
  /** Surfel-weighted distances (DeepMind's surface-distance) instead of surface voxels. */
  surfel: boolean;
  /** One τ, or one per class; null without 'nsd'. */
  tolerance: number | Float64Array | null;
  includeBackground: boolean;
  reduction: MetricReduction;
  empty: MetricEmptyPolicy;
}

export const SURFACE_OPTION_NAMES = [
  'metrics',
  'spacing',
  'percentile',
  'hdConvention',
  'surfaceConnectivity',
  'directed',
  'surfel',
  'tolerance',
  'includeBackground',
  'reduction',
  'empty',
] as const;

export function resolveSurface(fn: string, opts: SurfaceMetricOptions): SurfaceSpec {
  const metrics = resolveSurfaceMetricNames(fn, opts.metrics);
  const empty = oneOf(fn, 'empty', opts.empty, METRIC_EMPTY_POLICIES, 'nan');
  const distance = metrics.find((m) => m.id !== 'nsd');
  if (empty === 'one' && distance) {
    throw rangeError(
      fn,
      'empty',
      `'one' scores an empty prediction of an empty target 1, which is not a distance ` +
        `('${distance.key}'); use 'zero' (distance 0), or ask for 'nsd' in a call of its own`,
    );
  }
  const needsTolerance = metrics.some((m) => m.id === 'nsd');
  if (needsTolerance && (opts.tolerance === undefined || opts.tolerance === null)) {
    throw rangeError(
      fn,
      'tolerance',
      `is required for 'nsd': the distance (in spacing units) within which a surface voxel counts as ` +
        'matched, one number or one per class',
    );
  }
  const hdConvention = oneOf(fn, 'hdConvention', opts.hdConvention, HD_CONVENTIONS, 'max-directed');
  const directed = flag(fn, 'directed', opts.directed, false);
  if (hdConvention === 'pooled' && directed) {
    throw rangeError(
      fn,
      'hdConvention',
      "'pooled' pools the distances of both directions, which directed: true leaves out; " +
        "use 'max-directed' for the prediction-to-target percentile",
    );
  }
  const surfel = flag(fn, 'surfel', opts.surfel, false);
  if (surfel && hdConvention === 'pooled') {
    throw rangeError(
      fn,
      'hdConvention',
      "'pooled' (MedPy's percentile of both directions' voxel distances in one list) does not combine with " +
        "surfel: true, whose percentile Hausdorff is DeepMind's compute_robust_hausdorff: the larger of the " +
        "two directions' area-weighted percentiles ('max-directed')",
    );
  }
  if (surfel && opts.surfaceConnectivity !== undefined && opts.surfaceConnectivity !== null) {
    throw rangeError(
      fn,
      'surfaceConnectivity',
      'does not combine with surfel: true: surfels are the corners of the voxel grid whose 2 × 2 (× 2) ' +
        'cell the surface crosses, not voxels with a neighbour outside the mask',
    );
  }
  return {
    fn,
    metrics,
    surfel,
    spacing: checkSpacing(fn, 'spacing', opts.spacing ?? 1),
    percentile: percentile(fn, opts.percentile),
    hdConvention,
    surfaceConnectivity: surfaceConnectivity(fn, opts.surfaceConnectivity),
    directed,
    tolerance: needsTolerance ? tolerance(fn, opts.tolerance) : null,
    includeBackground: flag(fn, 'includeBackground', opts.includeBackground, true),
    reduction: oneOf(fn, 'reduction', opts.reduction, METRIC_REDUCTIONS, 'none'),
    empty,
  };
}

/** Checks the options of a surfaceMetrics call and splits them; the shape is required. */
export function resolveSurfaceCall(
  fn: string,
  options: unknown,
): { confusion: ConfusionSpec; surface: SurfaceSpec; shape: readonly number[] } {
  if (options === undefined || options === null) {
    throw typeError(
      fn,
      'options',
      `must be an object with 'metrics' and 'shape', e.g. { metrics: ['hausdorff95'], shape: [1, 128, ` +
        '128, 64], spacing: [0.8, 0.8, 2.5] }',
    );
  }
  const opts = checkOptionNames(fn, options as object, [
    ...CONFUSION_OPTION_NAMES,
    ...SURFACE_OPTION_NAMES,
  ]) as SurfaceMetricOptions & ConfusionOptions;
  if (opts.shape === undefined) {
    throw rangeError(
      fn,
      'shape',
      'is required: [B, ...spatial] for a label map, [B, C, ...spatial] for dense input (1 to 3 spatial axes)',
    );
  }
  return {
    confusion: resolveConfusion(fn, opts),
    surface: resolveSurface(fn, opts),
    shape: checkShape(fn, opts.shape),
  };
}

function percentile(fn: string, value: unknown): number {
  if (value === undefined) return 95;
  if (typeof value !== 'number' || !(value >= 0 && value <= 100)) {
    throw rangeError(fn, 'percentile', `must be a number in [0, 100]; got ${describe(value)}`);
  }
  return value;
}

function tolerance(fn: string, value: unknown): number | Float64Array {
  const ok = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (ok(value)) return value as number;
  if (Array.isArray(value) && value.length > 0) {
    const bad = value.findIndex((v) => !ok(v));
    if (bad < 0) return Float64Array.from(value as number[]);
    throw rangeError(
      fn,
      `tolerance[${bad}]`,
      `must be a finite number ≥ 0 (spacing units); got ${describe(value[bad])}`,
    );
  }
  throw rangeError(
    fn,
    'tolerance',
    `must be a finite number ≥ 0 (spacing units), or one per class; got ${describe(value)}`,
  );
}

/** A connectivity of some rank (checked against the images' rank by the plan), or null for faces. */
function surfaceConnectivity(fn: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || ![2, 4, 8, 6, 18, 26].includes(value)) {
    throw rangeError(
      fn,
      'surfaceConnectivity',
      'must be 2 (1D), 4 or 8 (2D), 6, 18 or 26 (3D): the neighbours a surface voxel has outside its mask; ' +
        `got ${describe(value)}`,
    );
  }
  return value;
}
