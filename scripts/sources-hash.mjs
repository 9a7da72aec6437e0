// What each part of the build is made from, as one sha256 per part, so that a stale build is
// found before anything runs on it:
//   wasmSourcesHash()  assembly/, asconfig.json and the generator: the binaries and the generated
//                      modules (scripts/embed-wasm.mjs writes it into their first line)
//   distSourcesHash()  src/ (the generated modules included), the tsconfigs, package.json and
//                      scripts/build-dist.mjs: dist/ (build-dist.mjs writes it to build/dist.sources)
// test/support/fresh-build.ts compares them before vitest runs the tests that use each part.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Files under `dir` (relative to the repository) whose names end with `suffix`. */
const under = (dir, suffix) =>
  readdirSync(join(root, dir), { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((path) => path.endsWith(suffix));

function hashOf(paths) {
  const hash = createHash('sha256');
  for (const path of [...paths].sort()) {
    hash.update(`${path}\0`);
    if (existsSync(join(root, path))) hash.update(readFileSync(join(root, path)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function wasmSourcesHash() {
  return hashOf([...under('assembly', '.ts'), 'asconfig.json', 'scripts/embed-wasm.mjs', 'scripts/sources-hash.mjs']);
}

export function distSourcesHash() {
  return hashOf([
    ...under('src', '.ts'),
    'tsconfig.json',
    'tsconfig.cjs.json',
    'package.json',
    'scripts/build-dist.mjs',
  ]);
}

/** Where build-dist.mjs records the hash of the sources it built dist/ from. */
export const DIST_STAMP = join(root, 'build', 'dist.sources');
