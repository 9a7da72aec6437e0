#!/usr/bin/env node
// The dice-wasm command line.
import { demo } from './demo.js';

const USAGE = `Usage: dice-wasm <command>

Commands:
  demo    the worked example on every backend, then a 512×512 four-class case timed
          on WebAssembly and on the TypeScript reference
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'demo' && rest.length === 0) {
    await demo((line) => process.stdout.write(`${line}\n`));
    return 0;
  }
  process.stderr.write(command === undefined ? USAGE : `dice-wasm: unknown command or argument '${[command, ...rest].join(' ')}'\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`dice-wasm: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
