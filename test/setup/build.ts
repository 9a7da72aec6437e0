// Vitest global setup: the tests import src/ (which imports the WebAssembly inlined by
// `npm run build:wasm`) and run dist/ (the packed package, the CLI). So that `vitest run` alone
// never tests a stale build, this rebuilds what was built from other sources than the tree holds
// now, by the source hashes the build records (scripts/sources-hash.mjs, test/support/fresh-build.ts):
// assembly/ → the inlined binaries and generated modules, then src/ → dist/. When everything is
// fresh (as after `npm run build`, which `npm test` runs first) it only hashes the sources.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { staleDist, staleWasm } from '../support/fresh-build.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a build step (a command line), saying why; a failure stops the test run. */
function run(command: string, args: readonly string[], why: string): void {
  const line = [command === process.execPath ? 'node' : command, ...args].join(' ');
  console.error(`[test/setup/build.ts] ${why}: ${line}`);
  try {
    execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    throw new Error(`test/setup/build.ts: '${line}' failed (${why}); the tests would run a stale build`, {
      cause: error,
    });
  }
}

export default function setup(): void {
  const wasm = staleWasm();
  if (wasm !== null) run('npm', ['run', '--silent', 'build:wasm'], wasm);
  const dist = staleDist();
  if (dist !== null) run(process.execPath, ['scripts/build-dist.mjs'], dist);
  const still = staleWasm() ?? staleDist();
  if (still !== null) throw new Error(`test/setup/build.ts: still a stale build after rebuilding: ${still}`);
}
