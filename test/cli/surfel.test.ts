// dice-wasm eval --hd-convention and --surfel: DeepMind's two squares shifted by one pixel
// (surface_distance_test.py; spacing 2 × 1 mm), every value worked out by hand
// (docs/surface-distances.md, "Three conventions on one example").
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvalOptions } from '../../src/cli/eval-options.js';
import { assertFreshDist } from '../support/fresh-build.js';
import { repositoryRoot } from '../support/packed.js';

beforeAll(() => assertFreshDist());

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['dist/cli/main.js', ...args], { cwd: repositoryRoot }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

// 6 × 6: the truth a 2 × 2 square at rows 1–2, columns 1–2; the prediction 3 × 2 (rows 1–3).
const square = (rows: number) =>
  Uint8Array.from({ length: 36 }, (_, i) => {
    const y = Math.floor(i / 6),
      x = i % 6;
    return y >= 1 && y < 1 + rows && x >= 1 && x < 3 ? 1 : 0;
  });

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'dice-wasm-cli-surfel-'));
  for (const [side, rows] of [
    ['pred', 3],
    ['truth', 2],
  ] as const) {
    mkdirSync(join(scratch, side));
    writeFileSync(
      join(scratch, side, 'squares.png'),
      encode({ width: 6, height: 6, data: square(rows), channels: 1, depth: 8 }),
    );
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function values(extra: string[]): Promise<Record<string, number>> {
  const args = ['eval', join(scratch, 'pred'), join(scratch, 'truth'), '--metrics', 'hd95,assd,nsd'];
  const { code, stdout, stderr } = await run([
    ...args,
    '--tolerance',
    '1',
    '--spacing',
    '2,1',
    '--format',
    'json',
    ...extra,
  ]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return (JSON.parse(stdout) as { cases: { classes: Record<string, Record<string, number>> }[] }).cases[0].classes['1'];
}

describe('dice-wasm eval --hd-convention, --surfel', () => {
  // Voxels: the truth's 4 are all on its surface and on the prediction's (distances 0); the
  // prediction's 6 too, its bottom 2 at 2 mm: D(P→G) = [0, 0, 0, 0, 2, 2], D(G→P) = [0, 0, 0, 0].
  it('max-directed (default) and pooled at the 80th percentile: 2 and 0.4', async () => {
    // P→G: rank 0.8·5 = 4 → 2. Pooled: 10 distances, rank 0.8·9 = 7.2 → 0 + 0.2·2 = 0.4.
    const byDefault = await values(['--percentile', '80']);
    expect(byDefault.hd95).toBeCloseTo(2, 12);
    expect((await values(['--percentile', '80', '--hd-convention', 'max-directed'])).hd95).toBeCloseTo(2, 12);
    const pooled = await values(['--percentile', '80', '--hd-convention', 'pooled']);
    expect(pooled.hd95).toBeCloseTo(0.4, 12);
    // ASSD (0 + 4) / 10 and NSD 8 / 10 do not depend on the convention.
    expect(pooled.assd).toBeCloseTo(0.4, 12);
    expect(pooled.nsd).toBeCloseTo(0.8, 12);
  });
  it('--surfel: area-weighted (DeepMind: ASSD 7.472 / 24.944, NSD 21.708 / 24.944)', async () => {
    const d = Math.sqrt(5) / 2;
    const gtArea = 4 * d + 6,
      predArea = 4 * d + 10;
    const r = await values(['--surfel', '--percentile', '80']);
    expect(r.hd95).toBeCloseTo(2, 6);
    expect(r.assd).toBeCloseTo((1 + 2 * (2 * d + 1)) / (gtArea + predArea), 6);
    expect(r.nsd).toBeCloseTo((gtArea + predArea - (2 * d + 1)) / (gtArea + predArea), 6);
  });
  it('refuses what does not combine, naming the flags', () => {
    expect(() => parseEvalOptions(['P', 'T', '--metrics', 'hd95', '--surfel', '--hd-convention', 'pooled'])).toThrow(
      /--hd-convention pooled .* does not combine with --surfel/,
    );
    expect(() => parseEvalOptions(['P', 'T', '--metrics', 'dice', '--surfel'])).toThrow(
      /--surfel is for the surface distances/,
    );
    expect(() => parseEvalOptions(['P', 'T', '--metrics', 'hd', '--hd-convention', 'pooled'])).toThrow(
      /--hd-convention is for hd95/,
    );
    expect(() => parseEvalOptions(['P', 'T', '--metrics', 'hd95', '--hd-convention', 'medpy'])).toThrow(
      /--hd-convention must be one of max-directed, pooled; got 'medpy'/,
    );
  });
});
