import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ and the inlined WebAssembly first when src/ or assembly/ is newer (test/setup/build.ts).
    globalSetup: ['test/setup/build.ts'],
    // One seeded fast-check configuration (FC_SEED overrides it).
    setupFiles: ['test/setup/fast-check.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
