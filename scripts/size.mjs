// Size of the main entry ('dice-wasm': dist/index.js and everything it imports) as an application
// pays for it, bundled, minified and gzipped (level 9). dist/dice-wasm.iife.js is exactly that
// bundle (vite, minified), so it is the file measured. Exits 1 over the budget.
// The two inlined WebAssembly builds (base64) are most of it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Budget for the bundled, minified, gzipped main entry; README.md ("Loading") quotes it. 96 KiB
 * until the surface-distance kernels (EDT, boundaries), kernel 3 (pointwise losses of reduction
 * 'none') and the thread pool (its worker source, shared-memory runtime, streaming) joined the main
 * entry at once: 98.2 KiB measured then. 104 KiB until the instance-level metrics joined (the
 * components kernel in both builds, 6.7 KiB gzipped; lesion-wise, panoptic and object metrics and
 * their streaming metric, 11 KiB): 115.9 KiB measured then. 120 KiB until the topology- and
 * boundary-aware metrics and losses joined (Lee thinning, boundary bands, distance fields and the
 * soft skeleton with its backward pass in both WebAssembly builds, their TypeScript and float64
 * references: ~33 KiB) with the hostile-input checks (~4 KiB): 153.3 KiB measured then. 160 KiB
 * leaves room for fixes; the next feature should rather move the volume losses and topology kernels
 * to an entry point of their own (a binary loaded on first use) than raise this again. 181 KiB since
 * issue 12's kernels (the activation kept between kernels, the fused label-map softmax, register
 * transposes, histogram confusion counts; one loop per variant): +24.6 KiB, 177.9 KiB measured, after
 * masked calls with an activation went to one loop with run-time flags (−3.6 KiB, ≤ 4 % slower); the
 * other variants measured worth more than 5 % each (docs/performance.md, "Bundle size").
 */
const BUDGET_GZIP_BYTES = 181 * 1024;

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const gzip = (text) => gzipSync(text, { level: 9 }).length;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The ES module files that `file` imports, transitively (relative imports only). */
function moduleGraph(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*'(\.[^']+)'/g)) {
    moduleGraph(join(dirname(file), specifier), seen);
  }
  return seen;
}

const bundled = readFileSync(join(dist, 'dice-wasm.iife.js'), 'utf8');
const files = [...moduleGraph(join(dist, 'index.js'))].map((file) => readFileSync(file, 'utf8'));
const size = gzip(bundled);
console.log(
  `main entry bundled + minified (dist/dice-wasm.iife.js): ${kib(bundled.length)}, gzip ${kib(size)} ` +
    `(budget ${kib(BUDGET_GZIP_BYTES)})`,
);
console.log(
  `main entry as published, ${files.length} ES modules, unminified: ${kib(files.join('').length)}, gzip ` +
    `file by file ${kib(files.reduce((sum, text) => sum + gzip(text), 0))}`,
);
if (size > BUDGET_GZIP_BYTES) {
  console.error(
    `size: the main entry is ${size} bytes gzipped, over the budget of ${BUDGET_GZIP_BYTES}; shrink it, ` +
      'or raise BUDGET_GZIP_BYTES in scripts/size.mjs and say why in the commit',
  );
  process.exitCode = 1;
}
