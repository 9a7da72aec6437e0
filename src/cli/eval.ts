// `dice-wasm eval PRED TRUTH [options]`: reads the pairs (with --shard, this run's share of them),
// evaluates them into records kept on disk (spill.ts) and, with --state, written to the state for
// `dice-wasm merge` (shard.ts); then writes the report from the records (report.ts). Memory does
// not grow with the number of cases beyond their list. Exit code 0, 1 when some pair could not be
// evaluated (each named on stderr; the others are still reported), 2 for bad usage (thrown as
// UsageError, handled by main).
import { availableParallelism } from 'node:os';
import { loadDice } from '../load.js';
import { EVAL_USAGE, parseEvalOptions } from './eval-options.js';
import { countInTurn } from './evaluate.js';
import { measuredColumns } from './instances.js';
import { openOutput, type Output } from './output.js';
import { countInWorkers } from './parallel.js';
import { findPairs, MissingPath, type Pairs } from './pairs.js';
import { progressBar } from './progress.js';
import { type CaseRecord, encodeRecord } from './records.js';
import { writeReport } from './report.js';
import { shareOf, StateWriter } from './shard.js';
import { Spill } from './spill.js';

export async function runEval(argv: readonly string[]): Promise<number> {
  const opts = parseEvalOptions(argv);
  if (opts === null) {
    process.stdout.write(EVAL_USAGE);
    return 0;
  }
  let found: Pairs;
  try {
    found = await findPairs(opts.pred, opts.truth, opts.raw !== null);
  } catch (error) {
    if (!(error instanceof MissingPath)) throw error;
    process.stderr.write(`dice-wasm: ${error.message}\n`);
    return 1;
  }
  const { pairs: all, directories, skipped } = found;
  const cores = availableParallelism();
  if (opts.threads > cores) {
    // More threads than cores only add memory (each reads a pair at a time) and switching.
    process.stderr.write(`dice-wasm: --threads ${opts.threads} capped at ${cores}, the cores of this machine\n`);
    opts.threads = cores;
  }
  if (skipped.length > 0) {
    process.stderr.write(
      `dice-wasm: skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} of unknown type ` +
        `(${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''}); raw binary needs --shape ` +
        `and --dtype\n`,
    );
  }
  if (all.length === 0) {
    process.stderr.write(`dice-wasm: no mask files in ${opts.pred} or ${opts.truth}\n`);
    return 1;
  }
  const pairs = all.slice(...shareOf(all.length, opts.shard.index, opts.shard.count));
  const k = await loadDice();
  const spill = new Spill(measuredColumns(opts));
  const outputs: Output[] = [];
  try {
    // Opened first: a report or a state that cannot be written fails the run before any pair is read.
    const out = await openOutput(opts.output);
    outputs.push(out);
    const stateOut = opts.state === null ? null : await openOutput(opts.state);
    if (stateOut !== null) outputs.push(stateOut);
    const state =
      stateOut === null
        ? null
        : await StateWriter.start(
            stateOut,
            opts,
            all.map((p) => p.name),
            pairs.map((p) => p.name),
          );
    const progress = directories ? progressBar(pairs.length, process.stderr) : { tick() {}, done() {} };
    const labels = new Set<number>();
    // Records are spilled in order as they come; the state's writes are chained in the same order.
    let stateWrites = Promise.resolve();
    const onCase = (record: CaseRecord) => {
      const line = encodeRecord(record);
      spill.append(record, line);
      if (state !== null) stateWrites = stateWrites.then(() => state.add(line));
      if (record.error === undefined) for (const label of record.labels) labels.add(label);
      progress.tick();
    };
    // On worker threads only when there is more than one pair to share.
    if (opts.threads > 1 && pairs.length > 1) await countInWorkers(pairs, opts, k, onCase);
    else await countInTurn(k, pairs, opts, onCase);
    await stateWrites;
    progress.done();
    await state?.finish();

    const failed = await writeReport(spill.source(), labels, opts, out, (line) => process.stderr.write(`${line}\n`));
    await out.commit();
    return failed > 0 ? 1 : 0;
  } catch (error) {
    for (const out of outputs) await out.abort();
    throw error;
  } finally {
    spill.remove();
  }
}
