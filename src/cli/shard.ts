// Sharded evaluation: `eval --shard I/N --state FILE` evaluates the I-th of N consecutive runs of
// the sorted case list and writes a state — the report's options (as flags), the shard, the size
// and a SHA-256 of the whole case list, the shard's cases, and one record per case (records.ts) —
// which `dice-wasm merge` reads back (as untrusted input: sizes and types checked before anything
// is built from them), checks (one dice-wasm version, the same options and case list, every
// shard once, every case once), and reports as one run: the records of the shards in order are
// the records of one run, and the report is made from them by the same code, so its numbers are
// the same bits.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { quote } from '../core/errors.js';
import { copyArray } from '../metrics/state.js';
import { type EvalOptions, parseEvalOptions, REPORT_FLAGS, reportFlags, UsageError } from './eval-options.js';
import { measuredColumns } from './instances.js';
import type { Output } from './output.js';
import { type CaseRecord, readRecord, RecordError } from './records.js';

export const STATE_FORMAT = 'dice-wasm/eval-state';
/** A state larger than this is refused before it is read (JSON.parse holds it twice, as text and as values). */
export const MAX_STATE_BYTES = 256 * 2 ** 20;
/** Shards a run may be cut into. */
export const MAX_SHARDS = 1_000_000;

/** This package's version: parts written by another are refused (their counts may differ). */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** The first and one-past-last index of shard `index` of `count` among `total` cases. */
export function shareOf(total: number, index: number, count: number): [number, number] {
  return [Math.floor((index * total) / count), Math.floor(((index + 1) * total) / count)];
}

/** SHA-256 of a case list (each name as a JSON string on its own line): the same list on every machine, or not. */
export function listDigest(names: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const name of names) hash.update(`${JSON.stringify(name)}\n`);
  return `sha256:${hash.digest('hex')}`;
}

/** Writes a state as the cases are counted: its header first, then one record per line. */
export class StateWriter {
  private rows = 0;

  constructor(
    private readonly out: Output,
    private readonly cases: readonly string[],
  ) {}

  static async start(
    out: Output,
    opts: EvalOptions,
    names: readonly string[],
    cases: readonly string[],
  ): Promise<StateWriter> {
    const header = {
      format: STATE_FORMAT,
      version: 1,
      dicewasm: VERSION,
      options: reportFlags(opts),
      shard: opts.shard,
      total: names.length,
      list: listDigest(names),
      cases,
    };
    await out.write(`${JSON.stringify(header).slice(0, -1)},"rows":[`);
    return new StateWriter(out, cases);
  }

  async add(line: string): Promise<void> {
    await this.out.write(`${this.rows++ === 0 ? '\n' : ',\n'}${line}`);
  }

  async finish(): Promise<void> {
    if (this.rows !== this.cases.length) throw new Error(`state: ${this.rows} records for ${this.cases.length} cases`);
    await this.out.write('\n]}\n');
    await this.out.commit();
  }
}

/** A part refused by merge; the message names the file(s) and what is wrong. */
export class MergeError extends Error {}

interface Part {
  path: string;
  options: string[];
  index: number;
  count: number;
  total: number;
  list: string;
  cases: string[];
  rows: unknown[];
}

export interface Merged {
  opts: EvalOptions;
  records: CaseRecord[];
  labels: Set<number>;
}

/** The parts read, checked against each other, and their records in case order. */
export async function mergeParts(paths: readonly string[]): Promise<Merged> {
  const parts = await Promise.all(paths.map(readPart));
  const [first] = parts;
  for (const part of parts) {
    if (part.count !== first.count) {
      throw new MergeError(
        `${part.path} is shard ${part.index}/${part.count} but ${first.path} is shard ` +
          `${first.index}/${first.count}: the parts of one run have one N`,
      );
    }
    const differs = differingFlag(first.options, part.options);
    if (differs !== null) {
      throw new MergeError(
        `${part.path} and ${first.path} were made with different options (${differs}): ` +
          'every shard of a run is evaluated with the same options',
      );
    }
    if (part.total !== first.total || part.list !== first.list) {
      throw new MergeError(
        `${part.path} and ${first.path} were made from different case lists (${part.total} cases, ` +
          `${part.list.slice(0, 19)}…; ${first.total} cases, ${first.list.slice(0, 19)}…): ` +
          'did PRED or TRUTH change between the shards?',
      );
    }
  }
  const byIndex = new Map<number, Part>();
  for (const part of parts) {
    const other = byIndex.get(part.index);
    if (other !== undefined) {
      throw new MergeError(`${other.path} and ${part.path} are both shard ${part.index}/${part.count}`);
    }
    byIndex.set(part.index, part);
  }
  const { count, total } = first;
  for (let index = 0; index < count; index++) {
    if (byIndex.has(index)) continue;
    const [lo, hi] = shareOf(total, index, count);
    const before = byIndex.get(index - 1)?.cases.at(-1);
    const after = byIndex.get(index + 1)?.cases[0];
    const where = [
      before === undefined ? '' : `after '${quote(before, 80)}'`,
      after === undefined ? '' : `before '${quote(after, 80)}'`,
    ]
      .filter((w) => w !== '')
      .join(' and ');
    throw new MergeError(
      `shard ${index}/${count} is missing: no part holds its ${hi - lo} case${hi - lo === 1 ? '' : 's'} ` +
        `(numbers ${lo + 1} to ${hi} of ${total} in sorted order${where === '' ? '' : `, ${where}`})`,
    );
  }
  let opts: EvalOptions;
  try {
    opts = parseEvalOptions(['PRED', 'TRUTH', ...first.options]) as EvalOptions;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new MergeError(`${first.path}: its options are not eval's (${error.message})`);
  }
  const records: CaseRecord[] = [];
  const labels = new Set<number>();
  const seen = new Map<string, string>();
  for (let index = 0; index < count; index++) {
    const part = byIndex.get(index) as Part;
    part.cases.forEach((name, j) => {
      const where = seen.get(name);
      if (where !== undefined) throw new MergeError(`case '${quote(name, 200)}' is in both ${where} and ${part.path}`);
      seen.set(name, part.path);
      const previous = records.at(-1)?.name;
      if (previous !== undefined && !(previous < name)) {
        throw new MergeError(
          `${part.path}: case '${quote(name, 200)}' comes after '${quote(previous, 200)}'; ` +
            'the shards of a run are consecutive runs of one sorted list',
        );
      }
      let record: CaseRecord;
      try {
        record = readRecord(part.rows[j], `${part.path}: rows[${j}]`, measuredColumns(opts));
      } catch (error) {
        if (error instanceof RecordError) throw new MergeError(error.message);
        throw error;
      }
      if (record.name !== name) {
        throw new MergeError(
          `${part.path}: rows[${j}] is case '${quote(record.name, 200)}' but cases[${j}] is '${quote(name, 200)}'`,
        );
      }
      if (record.error === undefined) for (const label of record.labels) labels.add(label);
      records.push(record);
    });
  }
  if (records.length !== total || listDigest(records.map((r) => r.name)) !== first.list) {
    throw new MergeError(
      `the cases of the parts (${records.length}) are not the list of ${total} cases they were made from ` +
        `(its ${first.list.slice(0, 19)}… differs)`,
    );
  }
  return { opts, records, labels };
}

/** One part, read and checked on its own: a state of this version, its fields of the right types and sizes. */
async function readPart(path: string): Promise<Part> {
  let text: string;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new MergeError(`${path} is not a regular file`);
    if (stats.size > MAX_STATE_BYTES) {
      throw new MergeError(`${path} is ${stats.size} bytes, more than a state may be (${MAX_STATE_BYTES})`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof MergeError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new MergeError(`${path} cannot be read${code ? ` (${code})` : ''}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MergeError(`${path} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const fail = (what: string): MergeError => new MergeError(`${path} ${what}`);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw fail('is not an eval state');
  const { format, version, dicewasm, options, shard, total, list, cases, rows } = json as Record<string, unknown>;
  if (format !== STATE_FORMAT || version !== 1) {
    throw fail(`is not a state of 'dice-wasm eval --state' (format '${STATE_FORMAT}', version 1)`);
  }
  if (dicewasm !== VERSION) {
    throw fail(
      `was written by dice-wasm ${typeof dicewasm === 'string' ? quote(dicewasm, 40) : '(unknown)'}; ` +
        `this is ${VERSION}: evaluate every shard and merge with one version`,
    );
  }
  const flags = copyArray(options);
  if (flags === null || flags.length > 64 || !flags.every((f) => typeof f === 'string' && f.length <= 4096)) {
    throw fail('has options that are not a list of flags');
  }
  const odd = flags.find(
    (f) => !(REPORT_FLAGS as readonly string[]).includes(/^--([a-z-]+)(=|$)/.exec(f as string)?.[1] ?? ''),
  );
  if (odd !== undefined)
    throw fail(`has the option '${quote(odd as string, 60)}', which does not decide a report's numbers`);
  if (shard === null || typeof shard !== 'object') throw fail('has no shard');
  const { index, count } = shard as Record<string, unknown>;
  if (!(Number.isSafeInteger(count) && (count as number) >= 1 && (count as number) <= MAX_SHARDS)) {
    throw fail(`has a shard count that is not an integer in [1, ${MAX_SHARDS}]`);
  }
  if (!(Number.isSafeInteger(index) && (index as number) >= 0 && (index as number) < (count as number))) {
    throw fail('has a shard index that is not an integer in [0, N)');
  }
  if (!(Number.isSafeInteger(total) && (total as number) >= 0)) throw fail('has a case total that is not a count');
  if (typeof list !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(list)) throw fail('has no sha256 of its case list');
  const [lo, hi] = shareOf(total as number, index as number, count as number);
  const names_ = copyArray(cases);
  if (names_ === null || !names_.every((n) => typeof n === 'string')) throw fail('has cases that are not names');
  if (names_.length !== hi - lo) {
    throw fail(
      `holds ${names_.length} cases; shard ${index}/${count} of ${total} cases has ${hi - lo} ` +
        `(numbers ${lo + 1} to ${hi})`,
    );
  }
  const records = copyArray(rows);
  if (records === null || records.length !== names_.length) {
    throw fail(`has ${records === null ? 'no list of' : records.length} records for its ${names_.length} cases`);
  }
  return {
    path,
    options: flags as string[],
    index: index as number,
    count: count as number,
    total: total as number,
    list,
    cases: names_ as string[],
    rows: records,
  };
}

/** The first flag whose value differs between two option lists, as "--empty=one against --empty=nan". */
function differingFlag(a: readonly string[], b: readonly string[]): string | null {
  const valuesOf = (flags: readonly string[]) => new Map(flags.map((f) => [f.split('=')[0], f]));
  const va = valuesOf(a),
    vb = valuesOf(b);
  for (const name of new Set([...va.keys(), ...vb.keys()])) {
    if (va.get(name) !== vb.get(name)) {
      return `${quote(vb.get(name) ?? `no ${name}`, 200)} against ${quote(va.get(name) ?? `no ${name}`, 200)}`;
    }
  }
  return a.join('\u0000') === b.join('\u0000') ? null : 'the flags differ in order';
}
