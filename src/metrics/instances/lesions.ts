// Lesion-wise evaluation (the BraTS 2023 protocol, generalised; README "Lesion-wise metrics").
// Per (sample, class): the truth's lesions are the components of the truth mask, after merging
// parts whose dilations touch (each truth voxel takes the component of the dilated truth mask it
// lies in); the prediction's lesions are the components of the prediction mask. A predicted
// lesion matches a truth lesion when it overlaps the truth lesion's dilated region (`overlap`,
// BraTS) or when their IoU exceeds τ (`{ iou: τ }`). Each truth lesion gets the Dice and HD95
// between it and the union of the predicted lesions matching it; unmatched predicted lesions
// are false positives. The lesion table of a term keeps all of that; the scores (size threshold,
// penalty) are computed from it, so a table can be stored, merged and scored later.
import { METRIC_REDUCTIONS } from '../../core/option-values.js';
import type { HardPrediction, Spacing, Target } from '../../core/api.js';
import { MASK_PRED, MASK_TARGET } from '../../core/constants.js';
import type { Engine } from '../../backends/engine.js';
import { describe, rangeError, typeError } from '../../core/errors.js';
import { checkOptionNames, flag, oneOf } from '../../core/options.js';
import { checkShape } from '../../core/tensors.js';
import { CONFUSION_OPTION_NAMES, resolveConfusion, type ConfusionSpec } from '../options.js';
import { checkSpacing } from '../../core/spacing.js';
import type { MetricReduction, MetricsResult } from '../../core/api.js';
import { columns, reduceMonai } from '../reduce.js';
import { LESION_SCORE_NAMES, lesionScores, type LesionScores } from '../../math/lesions.js';

export type LesionScoreName = keyof LesionScores;
import { checkMinSize, CONNECTIVITIES, type ComponentsPlan } from './components.js';
import type { ClassCrop } from '../../core/plans.js';
import { measureTerms } from './terms.js';
import {
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
import { COMP_SIZE, COMP_STRIDE, COMP_X0, COMP_X1, COMP_Y0, COMP_Y1, COMP_Z0, COMP_Z1 } from '../../core/constants.js';

/** The lesions of one (sample, class) term. */
export interface LesionTable {
  /** TRUTH_STRIDE values per truth lesion, in the raster order of their regions' first voxels. */
  truth: Float64Array;
  /** PRED_STRIDE values per predicted lesion, in raster order. */
  pred: Float64Array;
  /** The volume of one voxel (product of the spacing), for volume thresholds. */
  voxelVolume: number;
}

export type LesionMatch = { kind: 'overlap' } | { kind: 'iou'; threshold: number };

/** What shapes the tables (fixed when they are measured). */
export interface LesionMeasureSpec {
  fn: string;
  /** null: the full connectivity of the image's rank (8 in 2D, 26 in 3D: BraTS). */
  connectivity: number | null;
  match: LesionMatch;
  dilation: number;
  percentile: number;
  /** Measure HD95 per lesion (else TRUTH_HD95 stays NaN). */
  distances: boolean;
  spacing: Spacing;
}

/** How tables are scored (may change after they are measured). */
export interface LesionScoreSpec {
  minSize: number;
  /** Truth lesions of smaller volume (spacing units³) are left out; 0 keeps all. */
  minVolume: number;
  fpPenalty: number;
}

export interface LesionSpec extends LesionMeasureSpec, LesionScoreSpec {
  includeBackground: boolean;
  reduction: MetricReduction;
}

export const LESION_OPTION_NAMES = [
  'spacing',
  'connectivity',
  'match',
  'dilation',
  'minSize',
  'minVolume',
  'fpPenalty',
  'percentile',
  'includeBackground',
  'reduction',
] as const;

/** BraTS 2023's HD95 of a missed or false-positive lesion (about the diagonal of its 240 × 240 × 155 mm volume). */
export const BRATS_FP_PENALTY = 374;

function integerOption(fn: string, name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw rangeError(fn, name, `must be an integer from 0 to ${max}; got ${describe(value)}`);
  }
  return value;
}

function finiteOption(fn: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw rangeError(fn, name, `must be a finite number ≥ 0; got ${describe(value)}`);
  }
  return value;
}

export function resolveMatch(fn: string, value: unknown): LesionMatch {
  if (value === undefined || value === 'overlap') return { kind: 'overlap' };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { iou, ...rest } = value as { iou?: unknown };
    if (Object.keys(rest).length === 0 && typeof iou === 'number' && iou >= 0 && iou < 1) {
      return { kind: 'iou', threshold: iou };
    }
  }
  throw rangeError(
    fn,
    'match',
    "must be 'overlap' (any voxel in common with the truth lesion's dilated region) or { iou: τ } " +
      `with 0 ≤ τ < 1 (IoU > τ); got ${describe(value)}`,
  );
}

export function resolveLesionOptions(fn: string, opts: Record<string, unknown>): LesionSpec {
  return {
    fn,
    connectivity: opts.connectivity === undefined ? null : checkConnectivityAnyRank(fn, opts.connectivity),
    match: resolveMatch(fn, opts.match),
    dilation: integerOption(fn, 'dilation', opts.dilation, 0, 64),
    percentile: percentileOption(fn, opts.percentile),
    distances: true,
    spacing: checkSpacing(fn, 'spacing', opts.spacing ?? 1),
    minSize: checkMinSize(fn, 'minSize', opts.minSize),
    minVolume: finiteOption(fn, 'minVolume', opts.minVolume, 0),
    fpPenalty: finiteOption(fn, 'fpPenalty', opts.fpPenalty, BRATS_FP_PENALTY),
    includeBackground: flag(fn, 'includeBackground', opts.includeBackground, false),
    reduction: oneOf(fn, 'reduction', opts.reduction, METRIC_REDUCTIONS, 'none'),
  };
}

function percentileOption(fn: string, value: unknown): number {
  if (value === undefined) return 95;
  if (typeof value !== 'number' || !(value >= 0 && value <= 100)) {
    throw rangeError(fn, 'percentile', `must be a number in [0, 100]; got ${describe(value)}`);
  }
  return value;
}

/** A connectivity of some rank (checked against the images' rank when they come). */
function checkConnectivityAnyRank(fn: string, value: unknown): number {
  const all = Object.values(CONNECTIVITIES).flat();
  if (typeof value !== 'number' || !all.includes(value)) {
    throw rangeError(fn, 'connectivity', `must be one of ${all.join(', ')}; got ${describe(value)}`);
  }
  return value;
}

/** Checks the options of a lesionMetrics call and splits them; the shape is required. */
export function resolveLesionCall(
  fn: string,
  pred: unknown,
  options: unknown,
): { confusion: ConfusionSpec; lesions: LesionSpec; shape: readonly number[] } {
  if (options === undefined || options === null) {
    throw typeError(fn, 'options', `must be an object with 'shape', e.g. { shape: [1, 155, 240, 240], dilation: 3 }`);
  }
  const opts = checkOptionNames(fn, options as object, [...CONFUSION_OPTION_NAMES, ...LESION_OPTION_NAMES]) as Record<
    string,
    unknown
  >;
  if (opts.shape === undefined) {
    throw rangeError(
      fn,
      'shape',
      'is required: [B, ...spatial] for a label map or mask, [B, C, ...spatial] for dense input (1 to 3 spatial axes)',
    );
  }
  return {
    confusion: resolveConfusion(fn, withBinaryDefault(pred, opts)),
    lesions: resolveLesionOptions(fn, opts),
    shape: checkShape(fn, opts.shape),
  };
}

/** The lesion tables of every (sample, class) of one call: null for terms not measured (class excluded). */
export interface MeasuredLesions {
  tables: (LesionTable | null)[];
  numSamples: number;
  numClasses: number;
}

export function measureLesions(
  engine: Engine,
  confusion: ConfusionSpec,
  spec: LesionMeasureSpec & { includeBackground: boolean },
  pred: HardPrediction,
  target: Target,
  shape: readonly number[],
): MeasuredLesions {
  const measured = measureTerms(engine, confusion, spec, 'full', pred, target, shape, (term, crop) =>
    crop === null
      ? emptyTable(term.voxelVolume)
      : lesionTable(engine, crop, { ...spec, connectivity: term.connectivity }, term.rank, term.weights),
  );
  return { tables: measured.values, numSamples: measured.numSamples, numClasses: measured.numClasses };
}

export const emptyTable = (voxelVolume: number): LesionTable => ({
  truth: new Float64Array(0),
  pred: new Float64Array(0),
  voxelVolume,
});

/** The lesion table of one term's cropped class mask. */
export function lesionTable(
  engine: Engine,
  crop: ClassCrop,
  spec: LesionMeasureSpec & { connectivity: number },
  rank: number,
  weights: Float64Array,
): LesionTable {
  const voxelVolume = Math.sqrt(weights[0] * weights[1] * weights[2]);
  const { mask, dims } = crop;
  const n = mask.length;
  const predMask = new Uint8Array(n),
    truthMask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    predMask[i] = mask[i] & MASK_PRED ? 1 : 0;
    truthMask[i] = mask[i] & MASK_TARGET ? 1 : 0;
  }
  const plan: ComponentsPlan = {
    B: 1,
    S: n,
    dims,
    rank,
    connectivity: spec.connectivity,
    minSize: 1,
    perClass: false,
    type: 'u8',
  };
  const predLabels = new Int32Array(n),
    regionLabels = new Int32Array(n);
  const predFound = engine.components(spec.fn, plan, predMask, predLabels);
  const regions = spec.dilation > 0 ? engine.dilate(truthMask, dims, spec.dilation) : truthMask;
  const T = engine.components(spec.fn, plan, regions, regionLabels).counts[0];
  const P = predFound.counts[0];

  // Truth voxels and boxes per lesion; overlaps per (truth lesion, predicted lesion) pair.
  const truthVoxels = new Float64Array(T + 1);
  const truthBoxes = new Int32Array((T + 1) * 6);
  for (let t = 1; t <= T; t++) truthBoxes.set([dims[0], 0, dims[1], 0, dims[2], 0], t * 6);
  const pairs = new Map<number, { region: number; overlap: number }>();
  for (let z = 0, i = 0; z < dims[2]; z++) {
    for (let y = 0; y < dims[1]; y++) {
      for (let x = 0; x < dims[0]; x++, i++) {
        const t = regionLabels[i];
        if (t === 0) continue;
        const inTruth = truthMask[i] !== 0;
        if (inTruth) {
          truthVoxels[t]++;
          const at = t * 6;
          truthBoxes[at] = Math.min(truthBoxes[at], x);
          truthBoxes[at + 1] = Math.max(truthBoxes[at + 1], x + 1);
          truthBoxes[at + 2] = Math.min(truthBoxes[at + 2], y);
          truthBoxes[at + 3] = Math.max(truthBoxes[at + 3], y + 1);
          truthBoxes[at + 4] = Math.min(truthBoxes[at + 4], z);
          truthBoxes[at + 5] = Math.max(truthBoxes[at + 5], z + 1);
        }
        const p = predLabels[i];
        if (p === 0) continue;
        const key = t * (P + 1) + p;
        let pair = pairs.get(key);
        if (pair === undefined) {
          pair = { region: 0, overlap: 0 };
          pairs.set(key, pair);
        }
        pair.region++;
        if (inTruth) pair.overlap++;
      }
    }
  }
  const predVoxels = (p: number) => predFound.records[(p - 1) * COMP_STRIDE + COMP_SIZE];
  const matches: number[][] = Array.from({ length: T + 1 }, () => []);
  const overlapOf: number[] = new Array(T + 1).fill(0);
  for (const [key, { overlap }] of pairs) {
    const t = Math.floor(key / (P + 1)),
      p = key % (P + 1);
    const matched =
      spec.match.kind === 'overlap' || overlap / (truthVoxels[t] + predVoxels(p) - overlap) > spec.match.threshold;
    if (!matched) continue;
    matches[t].push(p);
    overlapOf[t] += overlap;
  }

  const truth = new Float64Array(T * TRUTH_STRIDE);
  const pred = new Float64Array(P * PRED_STRIDE);
  for (let p = 1; p <= P; p++) pred[(p - 1) * PRED_STRIDE + PRED_VOXELS] = predVoxels(p);
  const chosen = new Uint8Array(P + 1);
  for (let t = 1; t <= T; t++) {
    const row = (t - 1) * TRUTH_STRIDE;
    const matched = matches[t].sort((a, b) => a - b);
    truth[row + TRUTH_VOXELS] = truthVoxels[t];
    truth[row + TRUTH_MATCHED] = matched.length;
    truth[row + TRUTH_PRED_VOXELS] = matched.reduce((sum, p) => sum + predVoxels(p), 0);
    truth[row + TRUTH_OVERLAP] = overlapOf[t];
    for (const p of matched) pred[(p - 1) * PRED_STRIDE + PRED_MATCHED] = 1;
    if (!spec.distances) {
      truth[row + TRUTH_HD95] = Number.NaN;
    } else if (matched.length === 0) {
      truth[row + TRUTH_HD95] = Number.POSITIVE_INFINITY;
    } else {
      for (const p of matched) chosen[p] = 1;
      truth[row + TRUTH_HD95] = lesionHd95(
        engine,
        spec,
        rank,
        weights,
        crop.dims,
        t,
        truthBoxes,
        predFound.records,
        matched,
        {
          regionLabels,
          truthMask,
          predLabels,
          chosen,
        },
      );
      for (const p of matched) chosen[p] = 0;
    }
  }
  return { truth, pred, voxelVolume };
}

/**
 * HD95 (MONAI's: the larger of the two directions' percentiles) between truth lesion t and its matched
 * predicted lesions.
 */
function lesionHd95(
  engine: Engine,
  spec: LesionMeasureSpec,
  rank: number,
  weights: Float64Array,
  dims: readonly number[],
  t: number,
  truthBoxes: Int32Array,
  predRecords: Int32Array,
  matched: readonly number[],
  maps: { regionLabels: Int32Array; truthMask: Uint8Array; predLabels: Int32Array; chosen: Uint8Array },
): number {
  const lo = [truthBoxes[t * 6], truthBoxes[t * 6 + 2], truthBoxes[t * 6 + 4]];
  const hi = [truthBoxes[t * 6 + 1], truthBoxes[t * 6 + 3], truthBoxes[t * 6 + 5]];
  const slots = [
    [COMP_X0, COMP_X1],
    [COMP_Y0, COMP_Y1],
    [COMP_Z0, COMP_Z1],
  ];
  for (const p of matched) {
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a], predRecords[(p - 1) * COMP_STRIDE + slots[a][0]]);
      hi[a] = Math.max(hi[a], predRecords[(p - 1) * COMP_STRIDE + slots[a][1]]);
    }
  }
  const box = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
  const local = new Uint8Array(box[0] * box[1] * box[2]);
  for (let z = 0, j = 0; z < box[2]; z++) {
    for (let y = 0; y < box[1]; y++) {
      const from = ((lo[2] + z) * dims[1] + lo[1] + y) * dims[0] + lo[0];
      for (let x = 0; x < box[0]; x++, j++) {
        const i = from + x;
        const inTruth = maps.truthMask[i] !== 0 && maps.regionLabels[i] === t;
        local[j] = (inTruth ? MASK_TARGET : 0) | (maps.chosen[maps.predLabels[i]] ? MASK_PRED : 0);
      }
    }
  }
  const d = engine.maskDistances(local, box, rank, weights, {
    tolerance: 0,
    percentile: spec.percentile,
    list: false,
    reach: 1,
  });
  return Math.max(d.pred.percentile, d.target.percentile);
}

/**
 * Per score (LESION_SCORE_NAMES): B·C values (sample-major, every class; NaN for terms not
 * measured), or MONAI's reduction over the measured classes.
 */
export function evaluateLesions(
  spec: LesionScoreSpec & { includeBackground: boolean; reduction: MetricReduction },
  measured: MeasuredLesions,
  names: readonly LesionScoreName[] = LESION_SCORE_NAMES,
): MetricsResult {
  const { tables, numSamples: B, numClasses: C } = measured;
  const scores = tables.map((t) => (t === null ? null : lesionScores(t, spec)));
  const result: MetricsResult = {};
  for (const name of names) {
    const values = Float64Array.from(scores, (s) => (s === null ? Number.NaN : s[name]));
    const first = spec.includeBackground || C === 1 ? 0 : 1;
    result[name] =
      spec.reduction === 'none' ? values : reduceMonai(columns({ rows: B, cols: C, values }, first), spec.reduction);
  }
  return result;
}

/**
 * A label map without numClasses (and no decision) is read as a binary mask: class 0 the
 * background, class 1 the lesions.
 */
export function withBinaryDefault(pred: unknown, opts: Record<string, unknown>): Record<string, unknown> {
  const integer = pred instanceof Uint8Array || pred instanceof Uint16Array || pred instanceof Int32Array;
  return integer && opts.numClasses === undefined && opts.decision === undefined ? { ...opts, numClasses: 2 } : opts;
}
