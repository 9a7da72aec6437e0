import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Refuses to run on kernels built from other sources than assembly/ holds (a stale build).
    globalSetup: ['test/support/fresh-build.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
