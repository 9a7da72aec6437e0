// The suite's own set-up: fast-check is seeded for every property (FC_SEED overrides the seed),
// and the global setup tells a stale build from a fresh one by modification times.
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { staleness } from './build.js';
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

describe('stale build detection (test/setup/build.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dice-wasm-setup-'));
  const file = (name: string, seconds: number) => {
    const path = join(dir, name);
    writeFileSync(path, name);
    utimesSync(path, seconds, seconds);
    return path;
  };
  const source = file('source.ts', 1_000_000);
  const older = file('older.js', 999_000);
  const newer = file('newer.js', 1_001_000);

  it('asks for a build when an output is missing or older than an input, not otherwise', () => {
    expect(staleness([source], [newer])).toBeNull();
    expect(staleness([source], [newer, older])).toBe(`${source} is newer than ${older}`);
    expect(staleness([source], [join(dir, 'absent.js')])).toBe(`${join(dir, 'absent.js')} is missing`);
    expect(staleness([], [newer])).toBeNull();
  });
});
