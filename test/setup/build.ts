// Vitest global setup: the tests import src/ (which imports the WebAssembly inlined by
// `npm run build:wasm`) and run dist/ (the packed package, the CLI). So that `vitest run` alone
// never tests a stale build, this rebuilds what is older than its sources, comparing
// modification times: assembly/ → src/runtime/binaries.generated.ts, then src/ → dist/. When
// everything is up to date (as after `npm run build`, which `npm test` runs first) it only stats
// the files.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const GENERATED = 'src/runtime/binaries.generated.ts';

/** Every file under each path (a file or a folder), relative to the root. */
function filesUnder(paths: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (path: string) => {
    const full = join(root, path);
    if (!existsSync(full)) return;
    if (!statSync(full).isDirectory()) {
      files.push(path);
      return;
    }
    for (const entry of readdirSync(full)) walk(join(path, entry));
  };
  for (const path of paths) walk(path);
  return files;
}

const mtime = (path: string) => statSync(resolve(root, path)).mtimeMs;

/** Why `outputs` must be rebuilt from `inputs`, or null when each output exists and is newer than every input. */
export function staleness(inputs: readonly string[], outputs: readonly string[]): string | null {
  const missing = outputs.find((path) => !existsSync(resolve(root, path)));
  if (missing !== undefined) return `${missing} is missing`;
  const newest = inputs.reduce<{ path: string; time: number } | null>((best, path) => {
    const time = mtime(path);
    return best === null || time > best.time ? { path, time } : best;
  }, null);
  if (newest === null) return null;
  const oldest = outputs.reduce((best, path) => (mtime(path) < mtime(best) ? path : best));
  return mtime(oldest) < newest.time ? `${newest.path} is newer than ${oldest}` : null;
}

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
  const wasmInputs = filesUnder(['assembly', 'asconfig.json', 'scripts/embed-wasm.mjs']);
  const wasm = staleness(wasmInputs, [GENERATED]);
  if (wasm !== null) run('npm', ['run', '--silent', 'build:wasm'], wasm);
  const distInputs = filesUnder([
    'src',
    'scripts/build-dist.mjs',
    'tsconfig.json',
    'tsconfig.cjs.json',
    'package.json',
  ]);
  const distOutputs = filesUnder(['dist']);
  const dist =
    distOutputs.length === 0
      ? 'dist/ is missing'
      : staleness(distInputs, [
          ...distOutputs,
          'dist/index.js',
          'dist/cjs/index.js',
          'dist/cli/main.js',
          'dist/dice-wasm.iife.js',
        ]);
  if (dist !== null) run(process.execPath, ['scripts/build-dist.mjs'], dist);
}
