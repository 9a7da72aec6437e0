// Builds dist/ from src/ (after build:wasm has written src/runtime/binaries.generated.ts):
//   dist/                    ES modules and their types (tsc -p tsconfig.json), the CLI
//   dist/cjs/                CommonJS and its types (tsc -p tsconfig.cjs.json), marked by a nested
//                            package.json {"type": "commonjs"} so that Node and TypeScript read
//                            its .js and .d.ts files as CommonJS inside this "type": "module" package
//   dist/dice-wasm.iife.js   one minified classic script that sets the global `DiceWasm`, for
//                            classic Web Workers (importScripts) and plain <script> tags
// Every file under src/ (but the CLI, for CommonJS) is compiled, so a new entry point needs only
// its line in package.json "exports". Once built, build/dist.sources records the hash of the
// sources (scripts/sources-hash.mjs): the tests that load dist/ refuse a stale one.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { DIST_STAMP, distSourcesHash } from './sources-hash.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const sources = distSourcesHash();
rmSync(DIST_STAMP, { force: true });
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
for (const project of ['tsconfig.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
}
writeFileSync(
  new URL('../dist/cjs/package.json', import.meta.url),
  `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`,
);

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    lib: { entry: 'dist/index.js', formats: ['iife'], name: 'DiceWasm', fileName: () => 'dice-wasm.iife.js' },
  },
});

mkdirSync(dirname(DIST_STAMP), { recursive: true });
writeFileSync(DIST_STAMP, `${sources}\n`);
