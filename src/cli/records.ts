// One case of `dice-wasm eval` as the report needs it, and as it travels: from a worker thread,
// through the run's spill file, in a shard's state file (`--state`) to `dice-wasm merge`. A record
// holds the confusion counts of the labels its pair holds and the values measured per label
// (surface distances), so it costs memory by the labels present. The report's columns (the labels
// of every case) are known only when every case is counted, which is why records are kept (on
// disk) until then. Numbers JSON cannot write exactly (NaN, ±Infinity, −0) are written as strings,
// so that a record read back is bit for bit the record written.
import { MAX_CLASSES } from '../core/tensors.js';
import { copyArray } from '../metrics/state.js';

export interface CaseBase {
  name: string;
  pred: string | null;
  truth: string | null;
  /** Something the report tells about the pair without refusing it (a spacing mismatch). */
  warnings?: string[];
}

export interface MeasuredCase extends CaseBase {
  error?: undefined;
  /** Labels held (in the prediction or the truth; every label below --num-classes with that option), ascending. */
  labels: number[];
  /** TP, FP, FN, TN of each label held: 4 values per label, in the order of `labels`. */
  counts: number[];
  /** Counted voxels (not --ignore-index): TP + FP + FN + TN of every label. */
  voxels: number;
  /** The spacing of the surface distances, per axis of the truth file. */
  spacing?: number[];
  /** Metric measured per pair (surface distances) → its value for each label held. */
  values?: Record<string, number[]>;
}

/** A pair that could not be evaluated, and why. */
export interface FailedCase extends CaseBase {
  error: string;
}

export type CaseRecord = MeasuredCase | FailedCase;

/** The largest label eval reads: labels are class indices, one report column per value. */
export const MAX_LABEL = MAX_CLASSES - 1;
/** Bounds on what an untrusted record may hold: names and messages, warnings per case, axes. */
const MAX_TEXT = 1 << 16;
const MAX_WARNINGS = 64;
const MAX_AXES = 16;

/** A record as one line of JSON. */
export function encodeRecord(record: CaseRecord): string {
  return JSON.stringify(record, exactNumbers);
}

function exactNumbers(_key: string, value: unknown): unknown {
  if (typeof value !== 'number') return value;
  if (Number.isFinite(value)) return Object.is(value, -0) ? '-0' : value;
  return String(value);
}

const SPECIAL: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

/** Thrown for a record (or a state) that is not what dice-wasm writes; the message says where and why. */
export class RecordError extends Error {}

/**
 * A record from parsed JSON, checked field by field before anything is allocated from it: its
 * names and messages are strings, its labels ascending class indices, its counts exact integers
 * that add up to its voxels for every label, its measured values one per label for exactly the
 * metrics `measured` (numbers, or the strings NaN, Infinity, -Infinity, -0).
 */
export function readRecord(value: unknown, at: string, measured: readonly string[]): CaseRecord {
  const fail = (what: string): RecordError => new RecordError(`${at}: ${what}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('is not an object');
  const { name, pred, truth, error, warnings, labels, counts, voxels, spacing, values, ...rest } = value as Record<
    string,
    unknown
  >;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw fail(`has a field '${extra[0].slice(0, 40)}' that eval does not write`);
  if (!isText(name) || name === '') throw fail('name is not a case name');
  const path = (side: unknown, which: string): string | null => {
    if (side === null || isText(side)) return side;
    throw fail(`${which} is not a path or null`);
  };
  const base: CaseBase = { name, pred: path(pred, 'pred'), truth: path(truth, 'truth') };
  if (warnings !== undefined) base.warnings = textList(warnings, MAX_WARNINGS, fail, 'warnings');
  if (error !== undefined) {
    if (!isText(error)) throw fail('error is not a message');
    if (labels !== undefined || counts !== undefined || voxels !== undefined || values !== undefined)
      throw fail('has an error and counts');
    return { ...base, error };
  }
  const held = copyArray(labels);
  if (held === null || held.length > MAX_CLASSES) throw fail(`labels is not a list of at most ${MAX_CLASSES} labels`);
  held.forEach((label, i) => {
    if (!(Number.isInteger(label) && (label as number) >= 0 && (label as number) <= MAX_LABEL))
      throw fail(`labels[${i}] is not a label in [0, ${MAX_LABEL}]`);
    if (i > 0 && (label as number) <= (held[i - 1] as number)) throw fail('labels are not ascending');
  });
  if (!(Number.isSafeInteger(voxels) && (voxels as number) >= 0)) throw fail('voxels is not a count');
  const tally = copyArray(counts);
  if (tally === null || tally.length !== 4 * held.length)
    throw fail(`counts is not 4 counts per label (${4 * held.length})`);
  for (let i = 0; i < tally.length; i++) {
    if (!(Number.isSafeInteger(tally[i]) && (tally[i] as number) >= 0)) throw fail(`counts[${i}] is not a count`);
  }
  for (let l = 0; l < held.length; l++) {
    const sum = (tally[4 * l] as number) + (tally[4 * l + 1] as number) + (tally[4 * l + 2] as number);
    if (sum + (tally[4 * l + 3] as number) !== voxels)
      throw fail(`the counts of label ${held[l]} do not add up to its voxels (${voxels})`);
  }
  const record: MeasuredCase = {
    ...base,
    labels: held as number[],
    counts: tally as number[],
    voxels: voxels as number,
  };
  if (spacing !== undefined) {
    const axes = copyArray(spacing);
    if (axes === null || axes.length === 0 || axes.length > MAX_AXES || !axes.every(isPositive))
      throw fail('spacing is not a list of voxel sizes');
    record.spacing = axes as number[];
  }
  if (values === undefined) {
    if (measured.length > 0) throw fail(`has no values of ${measured.join(', ')}`);
    return record;
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) throw fail('values is not an object');
  const given = Object.keys(values);
  const odd = given.find((m) => !measured.includes(m)) ?? measured.find((m) => !given.includes(m));
  if (odd !== undefined) throw fail(`values does not hold exactly ${measured.join(', ') || 'nothing'} (${odd})`);
  record.values = Object.fromEntries(
    measured.map((m) => {
      const list = copyArray((values as Record<string, unknown>)[m]);
      if (list === null || list.length !== held.length) throw fail(`values.${m} is not one value per label`);
      return [m, list.map((v, i) => exactNumber(v, () => fail(`values.${m}[${i}] is not a number`)))];
    }),
  );
  return record;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TEXT;
}

function isPositive(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function textList(value: unknown, max: number, fail: (what: string) => RecordError, what: string): string[] {
  const list = copyArray(value);
  if (list === null || list.length > max || !list.every(isText))
    throw fail(`${what} is not a list of at most ${max} messages`);
  return list as string[];
}

function exactNumber(value: unknown, fail: () => RecordError): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && Object.hasOwn(SPECIAL, value)) return SPECIAL[value];
  throw fail();
}
