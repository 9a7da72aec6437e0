// Tells a stale build from a fresh one. vitest runs against what `npm run build` made (`npm test`
// builds first); run alone after a change, it would test old kernels or an old dist/ and fail
// confusingly, or pass for the wrong reason. The global setup (test/setup/build.ts) rebuilds what
// these find stale; the tests that load dist/ check it again (assertFreshDist).
//
// - The WebAssembly side: the generated modules name the hash of the assembly/ sources they were
//   built from (scripts/embed-wasm.mjs).
// - dist/: build/dist.sources holds the hash of the src/ it was built from (scripts/build-dist.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { DIST_STAMP, distSourcesHash, wasmSourcesHash } from '../../scripts/sources-hash.mjs';

const GENERATED = [
  'src/runtime/binaries.generated.ts',
  'src/core/constants.generated.ts',
  'src/backends/wasm/exports.generated.ts',
];

/** Why the generated modules do not match assembly/ (missing or stale), or null when they do. */
export function staleWasm(): string | null {
  const hash = wasmSourcesHash();
  for (const path of GENERATED) {
    const file = new URL(`../../${path}`, import.meta.url);
    if (!existsSync(file)) return `${path} does not exist: run \`npm run build\` first (a fresh clone has no build)`;
    const first = readFileSync(file, 'utf8').slice(0, 400).split('\n')[0];
    if (!first.includes(`Sources ${hash}.`)) {
      const run = '`npm run build:wasm` (or `npm run build`)';
      return `${path} was built from other sources than assembly/ now holds: run ${run}`;
    }
  }
  return null;
}

/** Why dist/ does not match src/ (not built, or built from other sources), or null when it does. */
export function staleDist(): string | null {
  const stamp = existsSync(DIST_STAMP) ? readFileSync(DIST_STAMP, 'utf8').trim() : null;
  if (stamp === null) return 'dist/ has not been built (no build/dist.sources): run `npm run build`';
  if (stamp !== distSourcesHash()) return 'dist/ was built from other sources than src/ now holds: run `npm run build`';
  return null;
}

/** Throws unless dist/ was built from the src/ of this tree. */
export function assertFreshDist(): void {
  const reason = staleDist();
  if (reason !== null) throw new Error(reason);
}
