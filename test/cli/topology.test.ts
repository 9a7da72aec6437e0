// `dice-wasm eval --metrics dice,cldice,biou` end to end (the built dist/cli/main.js) on a pair of
// PNG label maps written here: the values against the definitions computed on the independent
// thinning reference and brute-force bands; the topology options; a bad option value.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceThin } from '../reference/skeleton.js';
import { bruteChessboardBand, shapeMask } from '../reference/topology.js';
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

const H = 24,
  W = 30;
// Target: a ring and a bar (label 1); prediction: the ring broken by a gap, the bar shifted by one row.
const target = shapeMask([H, W], (y, x) => {
  const r = Math.hypot(y - 11, x - 10);
  return (r >= 5 && r < 8) || (y >= 5 && y <= 8 && x >= 21 && x <= 27);
});
const pred = shapeMask([H, W], (y, x) => {
  const r = Math.hypot(y - 11, x - 10);
  return (r >= 5 && r < 8 && !(x >= 9 && x <= 11 && y < 11)) || (y >= 6 && y <= 9 && x >= 21 && x <= 27);
});

const count = (a: ArrayLike<number | boolean>) => Array.from(a).filter(Boolean).length;
const both = (a: ArrayLike<number | boolean>, b: ArrayLike<number | boolean>) =>
  Array.from(a).filter((v, i) => v && b[i]).length;

function clDice(): number {
  const sp = referenceThin(pred, W, H, 1),
    sg = referenceThin(target, W, H, 1);
  const tprec = both(sp, target) / count(sp),
    tsens = both(sg, pred) / count(sg);
  return (2 * tprec * tsens) / (tprec + tsens);
}

function biou(width: number): number {
  const bp = bruteChessboardBand(Array.from(pred, Boolean), [H, W], [width, width]);
  const bg = bruteChessboardBand(Array.from(target, Boolean), [H, W], [width, width]);
  return both(bp, bg) / bp.filter((v, i) => v || bg[i]).length;
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'dice-wasm-cli-topology-'));
  for (const [side, mask] of [
    ['pred', pred],
    ['truth', target],
  ] as const) {
    mkdirSync(join(scratch, side));
    writeFileSync(join(scratch, side, 'rings.png'), encode({ width: W, height: H, data: mask, channels: 1, depth: 8 }));
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('dice-wasm eval with topology metrics', () => {
  it('--metrics dice,cldice,biou: the values of the definitions (default width 1 here: 2 % of 38.4)', async () => {
    const { code, stdout, stderr } = await run([
      'eval',
      join(scratch, 'pred'),
      join(scratch, 'truth'),
      '--metrics',
      'dice,cldice,biou',
      '--format',
      'json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { cases: { classes: Record<string, Record<string, number>> }[] };
    const got = report.cases[0].classes['1'];
    expect(clDice()).toBeLessThan(1);
    expect(got.cldice).toBeCloseTo(clDice(), 12);
    expect(got.biou).toBeCloseTo(biou(1), 12);
    expect(got.dice).toBeCloseTo((2 * both(pred, target)) / (count(pred) + count(target)), 12);
  });

  it('--boundary-width 3 and --skeleton lee-preserving (the same skeletons here: no component is lost)', async () => {
    const { code, stdout } = await run([
      'eval',
      join(scratch, 'pred'),
      join(scratch, 'truth'),
      '--metrics',
      'cldice,biou',
      '--boundary-width',
      '3',
      '--skeleton',
      'lee-preserving',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const got = (JSON.parse(stdout) as { cases: { classes: Record<string, Record<string, number>> }[] }).cases[0]
      .classes['1'];
    expect(got.biou).toBeCloseTo(biou(3), 12);
    expect(got.cldice).toBeCloseTo(clDice(), 12);
  });

  it('a bad --boundary-width is an error naming it, exit 2 or 1, nothing on stdout', async () => {
    const { code, stdout, stderr } = await run([
      'eval',
      join(scratch, 'pred'),
      join(scratch, 'truth'),
      '--metrics',
      'biou',
      '--boundary-width',
      '-1',
    ]);
    expect(code).toBeGreaterThan(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/boundary-width/);
  });
});
