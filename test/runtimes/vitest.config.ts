// `npm run test:runtimes`: the runtime matrix (runtimes.matrix.ts) alone, one check at a time
// (pools of two threads on a two-core machine), and its table (table-reporter.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/runtimes/**/*.matrix.ts'],
    // Installing the runtimes (~250 MB from the npm registry) and starting a browser come first.
    testTimeout: 600_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/runtimes/table-reporter.ts'],
  },
});
