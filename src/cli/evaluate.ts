// `dice-wasm eval`: each pair read and counted by the library's confusion kernel (and, for
// surface distances, measured by k.surfaceMetrics: surface.ts; for lesion metrics, instances.ts;
// for clDice and Boundary IoU, k.metrics: topology.ts), in turn here or on worker threads
// (parallel.ts), into a record of the labels it holds (records.ts); the report is made from the
// records (report.ts).
import type { ConfusionCounts } from '../core/api.js';
import type { DiceKernel } from '../kernel.js';
import type { EvalOptions } from './eval-options.js';
import { readVolume } from './formats/index.js';
import { FileError, formatShape, maxLabel, toLabels, trimShape, type Dtype, type Labels } from './formats/volume.js';
import type { Pair } from './pairs.js';
import { MAX_LABEL, type CaseRecord, type MeasuredCase } from './records.js';
import { surfaceValues, type LabelVolume } from './surface.js';
import { topologyValues } from './topology.js';
import { instanceValues } from './instances.js';

/** Counts the pairs in turn, handing each record to `onCase` in the order of the pairs. */
export async function countInTurn(
  k: DiceKernel,
  pairs: readonly Pair[],
  opts: EvalOptions,
  onCase: (record: CaseRecord) => void,
): Promise<void> {
  // The next pair is read while this one is counted: its file reads and inflating run on libuv's
  // threads meanwhile (one pair ahead, so at most two pairs are held).
  let reading = pairs.length > 0 ? startReading(k, pairs[0], opts) : null;
  for (let i = 0; i < pairs.length; i++) {
    const current = reading;
    reading = i + 1 < pairs.length ? startReading(k, pairs[i + 1], opts) : null;
    onCase(await countPair(k, pairs[i], opts, current));
  }
}

/** A pair being read: both files' label volumes (or why not), and the kernel's blocks to free after the pair. */
interface Reading {
  blocks: ArrayBufferView[];
  volumes: Promise<PromiseSettledResult<LabelVolume>[]>;
}

/** Starts reading both files of a pair at once; null for a pair that has no two files to read. */
function startReading(k: DiceKernel, pair: Pair, opts: EvalOptions): Reading | null {
  if (pair.refused !== undefined || pair.pred === null || pair.truth === null) return null;
  // The voxels of label types are read into the kernel's memory (no copy when it counts them).
  const blocks: ArrayBufferView[] = [];
  const volumes = Promise.allSettled([
    labelsOf(pair.pred, opts, opts.threshold, k, blocks),
    labelsOf(pair.truth, opts, null, k, blocks),
  ]);
  return { blocks, volumes };
}

/**
 * One pair's record: its counts and measured values, or why it could not be evaluated.
 * Structured-cloneable. `reading` is the pair's reading when it was started before (countInTurn).
 */
export async function countPair(
  k: DiceKernel,
  pair: Pair,
  opts: EvalOptions,
  reading: Reading | null = startReading(k, pair, opts),
): Promise<CaseRecord> {
  const base = { name: pair.name, pred: pair.pred, truth: pair.truth };
  if (pair.refused !== undefined) return { ...base, error: pair.refused };
  if (pair.pred === null)
    return { ...base, error: `no prediction: ${pair.truth} has no file of the same name in ${opts.pred}` };
  if (pair.truth === null)
    return { ...base, error: `no truth: ${pair.pred} has no file of the same name in ${opts.truth}` };
  const { blocks, volumes } = reading as Reading;
  try {
    // When both files fail, the prediction's error is reported, whichever failed first.
    const [pred, truth] = (await volumes).map((read) => {
      if (read.status === 'rejected') throw read.reason;
      return read.value;
    });
    const predShape = trimShape(pred.shape),
      truthShape = trimShape(truth.shape);
    if (formatShape(predShape) !== formatShape(truthShape)) {
      const what = /\.nii(\.gz)?$/i.test(pair.pred) ? 'NIfTI dimensions differ' : 'shapes differ';
      return {
        ...base,
        error: `${what}: ${pair.pred} is ${formatShape(predShape)}, ${pair.truth} is ${formatShape(truthShape)}`,
      };
    }
    const numClasses =
      opts.numClasses ??
      Math.max(largestLabel(pred.labels, null, pair.pred), largestLabel(truth.labels, opts.ignoreIndex, pair.truth)) +
        1;
    const all = k.confusion(pred.labels, truth.labels, { numClasses, ignoreIndex: opts.ignoreIndex });
    const record: MeasuredCase = { ...base, ...held(all, opts.numClasses !== null) };
    const differs = spacingMismatch(pred, truth, predShape.length, pair.pred, pair.truth);
    if (differs !== null) record.warnings = [differs];
    if (opts.surfaceMetrics.length > 0) {
      const surface = surfaceValues(k, pred, truth, pair.truth, numClasses, opts);
      record.spacing = surface.spacing;
      record.values = heldValues(surface.values, record.labels);
    }
    if (opts.instanceMetrics.length > 0) {
      const instances = instanceValues(k, pred, truth, pair.truth, numClasses, opts);
      record.spacing ??= instances.spacing;
      record.values = { ...record.values, ...heldValues(instances.values, record.labels) };
    }
    if (opts.topologyMetrics.length > 0) {
      const topology = topologyValues(k, pred, truth, pair.truth, numClasses, opts);
      record.values = { ...record.values, ...heldValues(topology, record.labels) };
    }
    return record;
  } catch (error) {
    if (error instanceof RangeError) return { ...base, error: `${pair.pred} vs ${pair.truth}: ${error.message}` };
    return { ...base, error: error instanceof Error ? error.message : String(error) };
  } finally {
    for (const block of blocks) k.free(block);
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

/** Spacings further apart than this, relatively, are reported (once per pair). */
export const SPACING_TOLERANCE = 1e-4;

/**
 * Where both files say their voxel size (NIfTI pixdim) and the sizes differ by more than
 * SPACING_TOLERANCE relatively on some axis: a warning naming both (the pair is still evaluated;
 * surface distances use --spacing or the truth's).
 */
function spacingMismatch(
  pred: LabelVolume,
  truth: LabelVolume,
  rank: number,
  predPath: string,
  truthPath: string,
): string | null {
  if (pred.spacing === undefined || truth.spacing === undefined) return null;
  const a = pred.spacing.slice(0, rank),
    b = truth.spacing.slice(0, rank);
  const far = (x: number, y: number) => !(Math.abs(x - y) <= SPACING_TOLERANCE * Math.max(Math.abs(x), Math.abs(y)));
  if (!a.some((x, i) => far(x, b[i]))) return null;
  return (
    `voxel spacings differ beyond ${SPACING_TOLERANCE} relative: ${predPath} has ${a.join(' × ')}, ` +
    `${truthPath} has ${b.join(' × ')} (surface distances use --spacing or the truth's)`
  );
}

/** The counts of the labels a pair holds (every label, with --num-classes), from k.confusion's table of one sample. */
function held(all: ConfusionCounts, everyClass: boolean): Pick<MeasuredCase, 'labels' | 'counts' | 'voxels'> {
  const labels: number[] = [];
  for (let c = 0; c < all.numClasses; c++) if (everyClass || all.tp[c] + all.fp[c] + all.fn[c] > 0) labels.push(c);
  const counts = labels.flatMap((c) => [all.tp[c], all.fp[c], all.fn[c], all.tn[c]]);
  return { labels, counts, voxels: all.tp[0] + all.fp[0] + all.fn[0] + all.tn[0] };
}

/** Values per class (0..numClasses − 1) of the labels held, in the order of `labels`. */
function heldValues(values: Record<string, Float64Array>, labels: readonly number[]): Record<string, number[]> {
  return Object.fromEntries(Object.entries(values).map(([m, v]) => [m, labels.map((c) => v[c])]));
}

/** Dtypes whose voxels are the label map as read (toLabels keeps them), by the array the kernel reads. */
const RESIDENT = { bool: Uint8Array, uint8: Uint8Array, uint16: Uint16Array, int32: Int32Array } as const;

async function labelsOf(
  path: string,
  opts: EvalOptions,
  threshold: number | null,
  k: DiceKernel,
  blocks: ArrayBufferView[],
): Promise<LabelVolume> {
  // Label types without --threshold go straight into the kernel's memory; others into a new array.
  const allocate = (bytes: number, dtype: Dtype): Uint8Array => {
    const Type = threshold === null ? RESIDENT[dtype as keyof typeof RESIDENT] : undefined;
    if (Type === undefined || bytes === 0 || bytes % Type.BYTES_PER_ELEMENT !== 0) return new Uint8Array(bytes);
    const block = k.alloc(Type, bytes / Type.BYTES_PER_ELEMENT);
    // Only a shared memory: growing one that is not (the other file's block) would detach this view.
    if (!(block.buffer instanceof SharedArrayBuffer)) {
      k.free(block);
      return new Uint8Array(bytes);
    }
    blocks.push(block);
    return new Uint8Array(block.buffer, block.byteOffset, bytes);
  };
  try {
    const { voxels, ...geometry } = await readVolume(path, {
      raw: opts.raw,
      maxVoxels: opts.maxVoxels,
      npzKey: opts.npzKey,
      allocate,
    });
    return { ...geometry, labels: toLabels(voxels, threshold) };
  } catch (error) {
    if (error instanceof FileError) throw new Error(`${path} ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `${path} cannot be read${code ? ` (${code})` : ''}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
