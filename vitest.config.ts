import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Rebuilds the inlined WebAssembly and dist/ first when built from other sources (test/setup/build.ts).
    globalSetup: ['test/setup/build.ts'],
    // One seeded fast-check configuration (FC_SEED overrides it).
    setupFiles: ['test/setup/fast-check.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
