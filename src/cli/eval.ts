// `dice-wasm eval PRED TRUTH [options]`: reads the pairs, evaluates them, writes the report.
// Exit code 0, 1 when some pair could not be evaluated (each named on stderr; the others are
// still reported), 2 for bad usage (thrown as UsageError, handled by main).
import { writeFile } from 'node:fs/promises';
import { loadDice } from '../load.js';
import { EVAL_USAGE, parseEvalOptions } from './eval-options.js';
import { buildReport, countInTurn } from './evaluate.js';
import { countInWorkers } from './parallel.js';
import { findPairs } from './pairs.js';
import { progressBar } from './progress.js';
import { formatReport } from './report.js';

export async function runEval(argv: readonly string[]): Promise<number> {
  const opts = parseEvalOptions(argv);
  if (opts === null) {
    process.stdout.write(EVAL_USAGE);
    return 0;
  }
  const { pairs, directories, skipped } = await findPairs(opts.pred, opts.truth, opts.raw !== null);
  if (skipped.length > 0) {
    process.stderr.write(
      `dice-wasm: skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} of unknown type ` +
        `(${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''}); raw binary needs --shape ` +
        `and --dtype\n`,
    );
  }
  if (pairs.length === 0) {
    process.stderr.write(`dice-wasm: no mask files in ${opts.pred} or ${opts.truth}\n`);
    return 1;
  }
  const k = await loadDice();
  const progress = directories ? progressBar(pairs.length, process.stderr) : { tick() {}, done() {} };
  const tick = () => progress.tick();
  // On worker threads only when there is more than one pair to share.
  const counted =
    opts.threads > 1 && pairs.length > 1
      ? await countInWorkers(pairs, opts, k, tick)
      : await countInTurn(k, pairs, opts, tick);
  const report = buildReport(counted, opts);
  progress.done();
  const failed = report.cases.filter((c) => c.error !== undefined);
  for (const c of failed) process.stderr.write(`dice-wasm: ${c.name}: ${c.error}\n`);
  const text = formatReport(report, opts.format);
  if (opts.output === null) process.stdout.write(text);
  else await writeFile(opts.output, text);
  return failed.length > 0 ? 1 : 0;
}
