// `dice-wasm merge PART… [--format F] [--output FILE]`: the states of the shards of one run
// (`eval --shard I/N --state PART`), checked and reported as that run (shard.ts). Exit code 0, 1
// when some case could not be evaluated or a part is refused (named on stderr), 2 for bad usage.
import { parseArgs } from 'node:util';
import { quote } from '../core/errors.js';
import { UsageError } from './eval-options.js';
import { openOutput } from './output.js';
import { writeReport } from './report.js';
import { MergeError, mergeParts } from './shard.js';

export const MERGE_USAGE = `Usage: dice-wasm merge PART… [options]

PART… are the states of every shard of one run, written by
  dice-wasm eval PRED TRUTH --shard I/N --state PART [options]   (I = 0 … N − 1)
They must come from one dice-wasm version, the same options and the same case list, each shard
once; the report is the report of the run as one process would have written it.

Options:
  --format FORMAT   table (default), csv, json
  --output FILE     write the report to FILE instead of standard output
  -h, --help        this text

Exit codes: 0 every case evaluated; 1 a case could not be evaluated (as eval), or a part is
refused (the message names it); 2 bad usage.
`;

const FORMATS = ['table', 'csv', 'json'] as const;

export async function runMerge(argv: readonly string[]): Promise<number> {
  const parse = () =>
    parseArgs({
      args: [...argv],
      options: { format: { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError(quote(error instanceof Error ? error.message : String(error), 200));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(MERGE_USAGE);
    return 0;
  }
  const format = values.format ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got '${quote(format)}'`);
  if (positionals.length === 0) throw new UsageError('merge takes the state files of the shards (PART…)');
  let merged: Awaited<ReturnType<typeof mergeParts>>;
  try {
    merged = await mergeParts(positionals);
  } catch (error) {
    if (!(error instanceof MergeError)) throw error;
    process.stderr.write(`dice-wasm merge: ${error.message}\n`);
    return 1;
  }
  const { opts, records, labels } = merged;
  const out = await openOutput(values.output ?? null);
  try {
    const failed = await writeReport(
      async function* () {
        yield* records;
      },
      labels,
      { ...opts, format: format as (typeof FORMATS)[number] },
      out,
      (line) => process.stderr.write(`${line}\n`),
    );
    await out.commit();
    return failed > 0 ? 1 : 0;
  } catch (error) {
    await out.abort();
    throw error;
  }
}
