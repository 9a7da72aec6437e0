// Lines of at most 120 characters in the code Biome formats (`npm run lint`). Biome's formatter
// keeps to that width where it can, but it does not break strings or comments: those are split
// by hand (strings with +, comments reflowed). Generated files and fixtures are left out.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX = 120;
const root = fileURLToPath(new URL('..', import.meta.url));
const FOLDERS = ['src', 'test', 'bench', 'scripts', 'demo'];
const SKIP = /(^|\/)(node_modules|fixtures|results)(\/|$)|\.generated\.ts$/;
const CODE = /\.(ts|js|mjs|cjs)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (SKIP.test(relative(root, path))) continue;
    if (entry.isDirectory()) yield* files(path);
    else if (CODE.test(entry.name)) yield path;
  }
}

const long = [];
for (const folder of FOLDERS) {
  for (const path of files(join(root, folder))) {
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // Characters as a reader counts them (code points), not UTF-16 units.
        const length = [...line].length;
        if (length > MAX) long.push(`${relative(root, path)}:${i + 1}: ${length} characters`);
      });
  }
}
if (long.length > 0) {
  console.error(`Lines over ${MAX} characters (split strings with +, reflow comments):\n${long.join('\n')}`);
  process.exitCode = 1;
} else {
  console.log(`line length: every line within ${MAX} characters`);
}
