// The suite's own set-up: fast-check is seeded for every property (FC_SEED overrides the seed),
// and the global setup leaves a build made from this tree's sources.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { staleDist, staleWasm } from '../support/fresh-build.js';
import { DEFAULT_SEED } from './fast-check.js';

describe('fast-check configuration', () => {
  it('seeds every property (the fixed seed unless FC_SEED is set) and ends on the first failure', () => {
    const { seed, endOnFailure } = fc.readConfigureGlobal();
    const fromEnvironment = process.env.FC_SEED;
    if (fromEnvironment === undefined || fromEnvironment === '') expect(seed).toBe(DEFAULT_SEED);
    else if (fromEnvironment !== 'random') expect(seed).toBe(Number(fromEnvironment));
    expect(endOnFailure).toBe(true);
    // Two runs of one property draw the same values.
    const draw = () => fc.sample(fc.integer(), { numRuns: 5, seed: fc.readConfigureGlobal().seed });
    expect(draw()).toEqual(draw());
  });
});

describe('stale build detection (test/setup/build.ts, test/support/fresh-build.ts)', () => {
  it('the global setup left a build made from the sources of this tree (wasm and dist/)', () => {
    expect(staleWasm()).toBeNull();
    expect(staleDist()).toBeNull();
  });
});
