#!/usr/bin/env node
// The dice-wasm command line.
import { runBench } from './bench.js';
import { demo } from './demo.js';
import { UsageError } from './eval-options.js';
import { runEval } from './eval.js';
import { runMerge } from './merge.js';

const USAGE = `Usage: dice-wasm <command>

Commands:
  eval PRED TRUTH   metrics of predicted masks against true ones (files or directories:
                    PNG, NIfTI, NumPy, NRRD, MetaImage, raw); dice-wasm eval --help
  merge PART…       the report of a run evaluated in shards (eval --shard I/N --state PART),
                    as one run; dice-wasm merge --help
  bench             the benchmark suite of the repository, its tables and chart
  demo              the worked example on every backend, then a 512×512 four-class case timed
                    on WebAssembly and on the TypeScript reference
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'eval' || command === 'merge') {
    try {
      return await (command === 'eval' ? runEval(rest) : runMerge(rest));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(
        `dice-wasm ${command}: ${error.message}\nRun 'dice-wasm ${command} --help' for the options.\n`,
      );
      return 2;
    }
  }
  if (command === 'bench') return runBench(rest);
  if (command === 'demo' && rest.length === 0) {
    await demo((line) => process.stdout.write(`${line}\n`));
    return 0;
  }
  process.stderr.write(
    command === undefined
      ? USAGE
      : `dice-wasm: unknown command or argument '${[command, ...rest].join(' ')}'\n\n${USAGE}`,
  );
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dice-wasm: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
