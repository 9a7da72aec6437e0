// The options of `dice-wasm eval`, checked before any file is read: a bad option is a usage
// error (exit code 2) whose message names the option.
import { parseArgs } from 'node:util';
import type { BoundaryDistance, HdConvention, MetricEmptyPolicy, SkeletonMethod } from '../core/api.js';
import { quote } from '../core/errors.js';
import { closest } from '../core/options.js';
import { MAX_CLASSES } from '../core/tensors.js';
import { isSurfaceMetric, isTopologyMetric, resolveMetricNames, resolveSurfaceMetricNames } from '../metrics/names.js';
import { isInstanceMetric, resolveInstanceMetricNames } from '../metrics/instances/names.js';
import { SPACING_RANGE, SPACING_RATIO } from '../core/spacing.js';
import { DEFAULT_MAX_VOXELS, DTYPE_NAMES, type Dtype } from './formats/volume.js';
import type { RawFormat } from './formats/index.js';
import { BOUNDARY_DISTANCES, HD_CONVENTIONS, METRIC_EMPTY_POLICIES, SKELETON_METHODS } from '../core/option-values.js';

export const EVAL_USAGE = `Usage: dice-wasm eval PRED TRUTH [options]

PRED and TRUTH are two mask files, or two directories whose files are paired by name.
Formats: .png (grey 1–16 bit or palette), .nii / .nii.gz, .npy, .npz, .nrrd / .nhdr,
.mha / .mhd, raw binary (--shape, --dtype).
Classes are the label values; background (label 0) is left out unless --include-background.

Options:
  --metrics LIST         metric names, comma-separated (default dice,iou): dice, iou, precision,
                         recall, specificity, fbeta, accuracy, mcc, volumeSimilarity, … (README);
                         surface distances: hd, hd95, assd, asd, nsd (in spacing units);
                         on the masks: cldice (tprec, tsens), biou (Boundary IoU);
                         lesion-wise (BraTS protocol): lesion_dice, lesion_hd95, lesion_f1,
                         lesion_sensitivity, lesion_precision; panoptic quality of the
                         components: pq, sq, rq (each case then reports its lesion counts too:
                         lesion_tp, lesion_fp, lesion_fn)
  --spacing S1,S2,…      voxel size along each axis of the files, in their axis order (PNG:
                         rows, columns; NIfTI: x, y, z; .npy and raw: their shape's order).
                         Default: NIfTI pixdim from the truth file's header, else 1
  --tolerance T          nsd: the distance (spacing units) within which surfaces match
  --percentile P         hd95: the percentile of the distances (default 95)
  --hd-convention C      hd95: max-directed (default: the larger of the two directions'
                         percentiles, MONAI's) or pooled (both directions in one list, MedPy's)
  --surfel               surface distances between surfels weighted by their area (DeepMind's
                         surface-distance) instead of between surface voxels; not with pooled
  --skeleton METHOD      cldice: lee (default, as scikit-image and ImageJ) or lee-preserving
  --boundary-width D     biou: the band width in voxels (default 2 % of the image diagonal)
  --boundary-width-mm D  biou: the band width in spacing units instead (see --spacing)
  --boundary-distance K  biou: chessboard (default, the Boundary IoU API's) or euclidean
  --connectivity N       lesions and pq: neighbours that join a lesion's voxels (4 or 8 in 2D,
                         6, 18 or 26 in 3D; default 8 / 26, as BraTS)
  --min-lesion-size N    lesion metrics: truth lesions of fewer voxels are left out (default 1)
  --dilation N           lesion metrics: truth parts whose N-step dilations touch are one lesion,
                         matched in the dilated region (default 0; BraTS 1–3)
  --num-classes N        report classes 0..N-1, N ≤ ${MAX_CLASSES} (default: every label found in some
                         file; labels are 0 to ${MAX_CLASSES - 1})
  --include-background   report label 0 too
  --ignore-index L       truth voxels with label L are not counted
  --threshold T          the predictions are probability maps: label 1 where pred > T
  --empty POLICY         a class absent from the truth: nan (default: not scored), one, zero, formula
                         (surface distances are +∞ where the prediction misses a class of the
                         truth; one applies to nsd only)
  --beta B               β of fbeta (default 1)
  --format FORMAT        table (default), csv, json
  --output FILE          write the report to FILE instead of standard output
  --shape D1,D2,…        shape of raw binary files (with --dtype)
  --dtype TYPE           voxel type of raw binary files: ${DTYPE_NAMES.join(', ')}
  --threads N            read, count and measure the pairs on N worker threads (default 1; at most
                         the number of cores, which a larger N is capped at)
  --max-voxels N         refuse images of more than N voxels, before reading them (default 2^28)
  --npz-key NAME         .npz files: read the array NAME (np.load(f)[NAME], stored as NAME.npy);
                         default: the only array of the file
  --shard I/N            evaluate only the I-th of N shares of the cases (I from 0 to N − 1): the
                         sorted case list cut into N consecutive runs, the same on every machine
  --state FILE           also write the run's state (options, cases, counts) to FILE, for
                         'dice-wasm merge', which reports all shards as one run
  -h, --help             this text

Files are untrusted: only regular files are read, each header is checked against --max-voxels and
the file's size before the image is read, and links in directories are followed only inside PRED
and TRUTH; a refused file is an error of its pair.

Exit codes: 0 every pair evaluated; 1 a file could not be read or was refused, or a pair's shapes
differ (the other pairs are still reported); 2 bad usage.
`;

export interface EvalOptions {
  pred: string;
  truth: string;
  /** Every metric asked for, in the order given (the report's columns)… */
  metrics: string[];
  /** …and those of them that are surface distances (k.surfaceMetrics); the others come from the counts… */
  surfaceMetrics: string[];
  /** …or are measured on the masks (k.metrics per pair: cldice, biou). */
  topologyMetrics: string[];
  /** biou's band: width in voxels, or in spacing units, and distance (null: the library's default). */
  boundaryWidth: number | null;
  boundaryWidthMm: number | null;
  boundaryDistance: BoundaryDistance | null;
  /** cldice's thinning (null: the library's default). */
  skeleton: SkeletonMethod | null;
  /** …or instance-level (lesion-wise, panoptic: src/cli/instances.ts). */
  instanceMetrics: string[];
  /** Lesion connectivity (null: the full one of the images' rank). */
  connectivity: number | null;
  /** Truth lesions below this many voxels are left out of the lesion metrics. */
  minLesionSize: number;
  /** Dilation steps merging nearby truth parts. */
  dilation: number;
  /** Voxel size per axis of the files, in their axis order; null: from each file (NIfTI pixdim) or 1. */
  spacing: number[] | null;
  /** NSD tolerance (spacing units), when nsd is asked for. */
  tolerance: number | null;
  /** Percentile of hd95. */
  percentile: number;
  /** How hd95 combines the two directions (null: the library's default, max-directed). */
  hdConvention: HdConvention | null;
  /** Surfel-weighted surface distances (DeepMind's surface-distance). */
  surfel: boolean;
  numClasses: number | null;
  includeBackground: boolean;
  ignoreIndex: number | null;
  threshold: number | null;
  empty: MetricEmptyPolicy;
  beta: number;
  format: 'table' | 'csv' | 'json';
  output: string | null;
  raw: RawFormat | null;
  threads: number;
  /** Images with more voxels are refused (each such pair is an error), before they are read. */
  maxVoxels: number;
  /** The array of .npz files to read, or null for the only one. */
  npzKey: string | null;
  /** This run's share of the cases: the index-th (from 0) of count. */
  shard: { index: number; count: number };
  /** Where the state for `dice-wasm merge` goes, or null. */
  state: string | null;
}

/** A command-line mistake: exit code 2 with the usage text. */
export class UsageError extends Error {}

const FORMATS = ['table', 'csv', 'json'] as const;

const OPTIONS = {
  metrics: { type: 'string' },
  'num-classes': { type: 'string' },
  'include-background': { type: 'boolean' },
  'ignore-index': { type: 'string' },
  threshold: { type: 'string' },
  empty: { type: 'string' },
  beta: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string' },
  shape: { type: 'string' },
  dtype: { type: 'string' },
  threads: { type: 'string' },
  'max-voxels': { type: 'string' },
  'npz-key': { type: 'string' },
  shard: { type: 'string' },
  state: { type: 'string' },
  spacing: { type: 'string' },
  tolerance: { type: 'string' },
  percentile: { type: 'string' },
  'hd-convention': { type: 'string' },
  surfel: { type: 'boolean' },
  'boundary-width': { type: 'string' },
  'boundary-width-mm': { type: 'string' },
  'boundary-distance': { type: 'string' },
  skeleton: { type: 'string' },
  connectivity: { type: 'string' },
  'min-lesion-size': { type: 'string' },
  dilation: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** node:util's parse of the arguments; its errors (an unknown option, a missing value) as usage errors. */
function parseArguments(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(unknownOptionMessage(error));
  }
}

/** The options of `eval`, or null for --help. */
export function parseEvalOptions(argv: readonly string[]): EvalOptions | null {
  const { values, positionals } = parseArguments(argv);
  if (values.help) return null;
  if (positionals.length !== 2) {
    const extra = positionals.length > 2 ? ` (${quote(positionals.join(' '))})` : '';
    throw new UsageError(`eval takes two paths, PRED and TRUTH; got ${positionals.length}${extra}`);
  }
  const metrics = (values.metrics ?? 'dice,iou')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  const surfaceMetrics = metrics.filter(isSurfaceMetric);
  const instanceMetrics = metrics.filter(isInstanceMetric);
  checkMetrics(
    metrics.filter((m) => !isSurfaceMetric(m) && !isInstanceMetric(m)),
    surfaceMetrics,
    instanceMetrics,
  );
  const instanceFlags = instanceOptions(instanceMetrics, values);
  const maxVoxels =
    values['max-voxels'] === undefined ? DEFAULT_MAX_VOXELS : integer('--max-voxels', values['max-voxels'], 1);
  const raw = rawFormat(values.shape, values.dtype, maxVoxels);
  const empty = oneOf('--empty', values.empty ?? 'nan', METRIC_EMPTY_POLICIES);
  const surface = surfaceOptions(surfaceMetrics, values, empty);
  const topologyMetrics = metrics.filter(isTopologyMetric);
  return {
    pred: positionals[0],
    truth: positionals[1],
    metrics,
    surfaceMetrics,
    topologyMetrics,
    instanceMetrics,
    ...instanceFlags,
    ...surface,
    ...bandOptions(topologyMetrics, values),
    skeleton: skeletonOption(topologyMetrics, values.skeleton),
    numClasses:
      values['num-classes'] === undefined ? null : integer('--num-classes', values['num-classes'], 1, MAX_CLASSES),
    includeBackground: values['include-background'] ?? false,
    ignoreIndex: values['ignore-index'] === undefined ? null : integer('--ignore-index', values['ignore-index'], 0),
    threshold: values.threshold === undefined ? null : finite('--threshold', values.threshold),
    empty,
    beta: values.beta === undefined ? 1 : nonNegative('--beta', values.beta),
    format: oneOf('--format', values.format ?? 'table', FORMATS),
    output: values.output ?? null,
    raw,
    threads: values.threads === undefined ? 1 : integer('--threads', values.threads, 1),
    maxVoxels,
    npzKey: npzKeyOf(values['npz-key']),
    shard: values.shard === undefined ? { index: 0, count: 1 } : shardOf(values.shard),
    state: values.state ?? null,
  };
}

/**
 * The options that decide the numbers of a report, as command-line flags in a fixed order and
 * form: a shard's state holds them, and `merge` refuses parts whose flags differ, then reads them
 * back with parseEvalOptions (so a state's options are checked as a command line's are). The
 * others (RUN_FLAGS) decide only how and where a run goes.
 */
export function reportFlags(opts: EvalOptions): string[] {
  const flags: [string, string | number | boolean | null][] = [
    ['metrics', opts.metrics.join(',')],
    ['spacing', opts.spacing?.join(',') ?? null],
    ['tolerance', opts.tolerance],
    [
      'percentile',
      opts.surfaceMetrics.some((m) => resolveSurfaceMetricNames('eval', [m])[0].id === 'hausdorff95')
        ? opts.percentile
        : null,
    ],
    // Refused without hd95 (--hd-convention) or a surface metric (--surfel), and null unless given.
    ['hd-convention', opts.hdConvention],
    ['surfel', opts.surfel || null],
    // The lesion options are refused without instance metrics, so they are written only with them.
    ['connectivity', opts.instanceMetrics.length > 0 ? opts.connectivity : null],
    ['min-lesion-size', opts.instanceMetrics.length > 0 ? opts.minLesionSize : null],
    ['dilation', opts.instanceMetrics.length > 0 ? opts.dilation : null],
    // The topology options are refused without their metric and null unless given.
    ['skeleton', opts.skeleton],
    ['boundary-width', opts.boundaryWidth],
    ['boundary-width-mm', opts.boundaryWidthMm],
    ['boundary-distance', opts.boundaryDistance],
    ['num-classes', opts.numClasses],
    ['include-background', opts.includeBackground || null],
    ['ignore-index', opts.ignoreIndex],
    ['threshold', opts.threshold],
    ['empty', opts.empty],
    ['beta', opts.beta],
    ['shape', opts.raw?.shape.join(',') ?? null],
    ['dtype', opts.raw?.dtype ?? null],
    ['max-voxels', opts.maxVoxels],
    ['npz-key', opts.npzKey],
  ];
  // --name=value: a value that starts with '-' (a negative threshold) is not taken for a flag.
  return flags
    .filter(([, value]) => value !== null)
    .map(([name, value]) => (value === true ? `--${name}` : `--${name}=${value}`));
}

/** The options reportFlags writes, and those that do not change a report's numbers. */
export const REPORT_FLAGS = [
  'metrics',
  'spacing',
  'tolerance',
  'percentile',
  'hd-convention',
  'surfel',
  'connectivity',
  'min-lesion-size',
  'dilation',
  'skeleton',
  'boundary-width',
  'boundary-width-mm',
  'boundary-distance',
  'num-classes',
  'include-background',
  'ignore-index',
  'threshold',
  'empty',
  'beta',
  'shape',
  'dtype',
  'max-voxels',
  'npz-key',
] as const;
export const RUN_FLAGS = ['format', 'output', 'threads', 'shard', 'state', 'help'] as const;
export const EVAL_FLAGS = Object.keys(OPTIONS);

/** --npz-key: a name as np.savez writes it (not empty; no '/' or NUL, which no keyword argument holds). */
function npzKeyOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  if (text === '' || /[\0/]/.test(text) || text.length > 255) {
    throw new UsageError(
      `--npz-key must be the name of an array in the .npz files (np.savez's keyword); got '${quote(text)}'`,
    );
  }
  return text;
}

function shardOf(text: string): { index: number; count: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]),
    count = Number(match?.[2]);
  if (match === null || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new UsageError(
      '--shard must be I/N with N ≥ 1 shares and I from 0 to N − 1 (e.g. 0/4 … 3/4; a Kubernetes ' +
        `JOB_COMPLETION_INDEX or a Slurm SLURM_ARRAY_TASK_ID of an array 0-(N−1)); got '${quote(text)}'`,
    );
  }
  return { index, count };
}

function unknownOptionMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '(--?[^']+)'/.exec(message);
  if (unknown === null) return quote(message, 200);
  const near = closest(unknown[1].replace(/^-+/, ''), Object.keys(OPTIONS));
  return `unknown option '${quote(unknown[1])}'${near ? ` (did you mean '--${near}'?)` : ''}`;
}

function checkMetrics(overlap: string[], surface: string[], instances: string[]): void {
  try {
    if (overlap.length > 0 || (surface.length === 0 && instances.length === 0)) {
      const entries = resolveMetricNames('eval', overlap, '--metrics');
      const perSample = entries.find((e) => e.id === 'generalizedDice');
      if (perSample)
        throw new UsageError(
          `--metrics: '${perSample.key}' is one score per case, not per class; eval reports per-class metrics`,
        );
    }
    if (surface.length > 0) resolveSurfaceMetricNames('eval', surface, '--metrics');
    if (instances.length > 0) resolveInstanceMetricNames('eval', instances, '--metrics');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // The library's message starts with the function name given above.
    throw new UsageError((error instanceof Error ? error.message : String(error)).replace(/^eval: /, ''));
  }
}

type SurfaceFlags = Pick<EvalOptions, 'spacing' | 'tolerance' | 'percentile' | 'hdConvention' | 'surfel'>;

/**
 * --spacing, --tolerance, --percentile, --hd-convention and --surfel, each checked against the
 * surface metrics asked for.
 */
function surfaceOptions(
  surface: readonly string[],
  values: {
    spacing?: string;
    tolerance?: string;
    percentile?: string;
    'hd-convention'?: string;
    surfel?: boolean;
  },
  empty: string,
): SurfaceFlags {
  const asked = (id: string) => surface.some((m) => resolveSurfaceMetricNames('eval', [m])[0].id === id);
  const distance = surface.find((m) => resolveSurfaceMetricNames('eval', [m])[0].id !== 'nsd');
  if (empty === 'one' && distance !== undefined) {
    throw new UsageError(
      '--empty one scores an empty prediction of an empty truth 1, which is not a distance ' +
        `('${distance}'); use --empty zero (distance 0), or ask for nsd alone`,
    );
  }
  if (asked('nsd') && values.tolerance === undefined) {
    throw new UsageError(
      'nsd needs --tolerance T: the distance (spacing units, as --spacing or the NIfTI header) within ' +
        'which a surface voxel counts as matched',
    );
  }
  if (!asked('nsd') && values.tolerance !== undefined)
    throw new UsageError('--tolerance is for nsd, which --metrics does not ask for');
  if (!asked('hausdorff95') && values.percentile !== undefined)
    throw new UsageError('--percentile is for hd95, which --metrics does not ask for');
  if (!asked('hausdorff95') && values['hd-convention'] !== undefined)
    throw new UsageError('--hd-convention is for hd95, which --metrics does not ask for');
  if (surface.length === 0 && values.surfel)
    throw new UsageError(
      '--surfel is for the surface distances (hd, hd95, assd, asd, nsd), which --metrics does not ask for',
    );
  const hdConvention =
    values['hd-convention'] === undefined ? null : oneOf('--hd-convention', values['hd-convention'], HD_CONVENTIONS);
  if (values.surfel && hdConvention === 'pooled') {
    throw new UsageError(
      "--hd-convention pooled (MedPy's percentile of both directions' voxel distances) does not combine with " +
        "--surfel, whose hd95 is DeepMind's: the larger of the two directions' area-weighted percentiles",
    );
  }
  const percentile = values.percentile === undefined ? 95 : finite('--percentile', values.percentile);
  if (percentile < 0 || percentile > 100)
    throw new UsageError(`--percentile must be between 0 and 100; got '${quote(String(values.percentile))}'`);
  return {
    spacing: values.spacing === undefined ? null : spacingOf(values.spacing),
    tolerance: values.tolerance === undefined ? null : nonNegative('--tolerance', values.tolerance),
    percentile,
    hdConvention,
    surfel: values.surfel ?? false,
  };
}

type BandFlags = Pick<EvalOptions, 'boundaryWidth' | 'boundaryWidthMm' | 'boundaryDistance'>;

/** --boundary-width, --boundary-width-mm and --boundary-distance, checked against biou. */
function bandOptions(
  topology: readonly string[],
  values: { 'boundary-width'?: string; 'boundary-width-mm'?: string; 'boundary-distance'?: string },
): BandFlags {
  const biou = topology.some((m) => resolveMetricNames('eval', [m])[0].id === 'biou');
  const given = (['boundary-width', 'boundary-width-mm', 'boundary-distance'] as const).find(
    (flag) => values[flag] !== undefined,
  );
  if (!biou && given !== undefined) throw new UsageError(`--${given} is for biou, which --metrics does not ask for`);
  if (values['boundary-width'] !== undefined && values['boundary-width-mm'] !== undefined)
    throw new UsageError('--boundary-width and --boundary-width-mm are two ways to give the width: give one');
  const positive = (flag: string, text: string | undefined): number | null => {
    if (text === undefined) return null;
    const value = finite(flag, text);
    if (!(value > 0)) throw new UsageError(`${flag} must be > 0; got '${text}'`);
    return value;
  };
  return {
    boundaryWidth: positive('--boundary-width', values['boundary-width']),
    boundaryWidthMm: positive('--boundary-width-mm', values['boundary-width-mm']),
    boundaryDistance:
      values['boundary-distance'] === undefined
        ? null
        : oneOf('--boundary-distance', values['boundary-distance'], BOUNDARY_DISTANCES),
  };
}

/** --skeleton, checked against cldice and its parts. */
function skeletonOption(topology: readonly string[], text: string | undefined): SkeletonMethod | null {
  if (text === undefined) return null;
  if (!topology.some((m) => resolveMetricNames('eval', [m])[0].id !== 'biou'))
    throw new UsageError('--skeleton is for cldice, which --metrics does not ask for');
  return oneOf('--skeleton', text, SKELETON_METHODS);
}

function spacingOf(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const [low, high] = SPACING_RANGE;
  const bad = parts.find((p) => !(p !== '' && Number(p) >= low && Number(p) <= high));
  if (bad !== undefined) {
    const culprit = bad === '' ? 'an empty value' : `'${quote(bad)}'`;
    throw new UsageError(
      `--spacing must be numbers in [${low}, ${high}] separated by commas, one per axis of the files in their ` +
        `axis order (e.g. 0.8,0.8,2.5); got '${quote(text)}' (${culprit} is not)`,
    );
  }
  const values = parts.map(Number);
  if (Math.max(...values) / Math.min(...values) > SPACING_RATIO) {
    throw new UsageError(`--spacing values must be within ${SPACING_RATIO} times of each other; got '${quote(text)}'`);
  }
  return values;
}

function rawFormat(shape: string | undefined, dtype: string | undefined, maxVoxels: number): RawFormat | null {
  if (shape === undefined && dtype === undefined) return null;
  if (shape === undefined || dtype === undefined)
    throw new UsageError('raw binary files need both --shape and --dtype');
  const dims = shape.split(/[,x×]/).map((d) => integer('--shape', d.trim(), 1));
  if (dims.reduce((a, d) => a * d, 1) > maxVoxels) {
    throw new UsageError(`--shape ${quote(shape)} has more voxels than --max-voxels ${maxVoxels}`);
  }
  return { shape: dims, dtype: oneOf('--dtype', dtype, DTYPE_NAMES) as Dtype };
}

function integer(option: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`${option} must be an integer ${range}; got '${quote(text)}'`);
  }
  return value;
}

function finite(option: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`${option} must be a number; got '${quote(text)}'`);
  return value;
}

function nonNegative(option: string, text: string): number {
  const value = finite(option, text);
  if (value < 0) throw new UsageError(`${option} must be ≥ 0; got '${quote(text)}'`);
  return value;
}

function oneOf<T extends string>(option: string, text: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${option} must be one of ${allowed.join(', ')}; got '${quote(text)}'`);
}

type InstanceFlags = Pick<EvalOptions, 'connectivity' | 'minLesionSize' | 'dilation'>;

/** --connectivity, --min-lesion-size and --dilation, each only with instance metrics. */
function instanceOptions(
  instances: readonly string[],
  values: { connectivity?: string; 'min-lesion-size'?: string; dilation?: string },
): InstanceFlags {
  for (const flag of ['connectivity', 'min-lesion-size', 'dilation'] as const) {
    if (instances.length === 0 && values[flag] !== undefined) {
      throw new UsageError(`--${flag} is for the lesion metrics and pq, which --metrics does not ask for`);
    }
  }
  let connectivity: number | null = null;
  if (values.connectivity !== undefined) {
    connectivity = integer('--connectivity', values.connectivity, 1);
    if (![2, 4, 8, 6, 18, 26].includes(connectivity)) {
      throw new UsageError(`--connectivity must be 4 or 8 (2D), 6, 18 or 26 (3D); got '${values.connectivity}'`);
    }
  }
  return {
    connectivity,
    minLesionSize:
      values['min-lesion-size'] === undefined ? 1 : integer('--min-lesion-size', values['min-lesion-size'], 0),
    dilation: values.dilation === undefined ? 0 : integer('--dilation', values.dilation, 0),
  };
}
