// `dice-wasm eval` at dataset scale holds no case once it is counted: 10,000 pairs (generated
// here, 64 voxels and 16 labels each, so that each case's rows are large: 15 classes × 6 metrics,
// a 31 MB JSON report) take the peak memory of 1,000 within a few MiB, and the report is whole.
// V8 lets garbage pile up to its heap limit before collecting it, so that peak RSS would measure
// the collector's patience, not what the run holds: the child runs with a small heap (32 MiB old
// space, 1 MiB semi-spaces), which a run that held its cases' rows could not stay within (the
// previous eval, which built the whole report before writing it, died of it at 10,000 pairs).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../support/cli-run.js';
import { npyFile } from '../support/files.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'dice-wasm-memory-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const VOXELS = 64;

/** `n` pairs of 64-voxel masks holding labels 0 to 15 (case i: truth (i + j) mod 16, prediction (7i + 3j) mod 16). */
function dataset(n: number): { pred: string; truth: string } {
  const pred = join(scratch, `n${n}`, 'pred'),
    truth = join(scratch, `n${n}`, 'truth');
  mkdirSync(pred, { recursive: true });
  mkdirSync(truth, { recursive: true });
  const dict = `{'descr': '|u1', 'fortran_order': False, 'shape': (${VOXELS},), }`;
  for (let i = 0; i < n; i++) {
    const t = new Uint8Array(VOXELS),
      p = new Uint8Array(VOXELS);
    for (let j = 0; j < VOXELS; j++) {
      t[j] = (i + j) % 16;
      p[j] = (7 * i + 3 * j) % 16;
    }
    const name = `case-${String(i).padStart(5, '0')}.npy`;
    writeFileSync(join(pred, name), npyFile(dict, p));
    writeFileSync(join(truth, name), npyFile(dict, t));
  }
  return { pred, truth };
}

const METRICS = 'dice,iou,precision,recall,specificity,mcc';

async function evaluate(n: number): Promise<{ rss: number; report: string }> {
  const { pred, truth } = dataset(n);
  const output = join(scratch, `report-${n}.json`);
  const run = await probe(['eval', pred, truth, '--metrics', METRICS, '--format', 'json', '--output', output], {
    heapMiB: 32,
    v8Flags: ['--max-semi-space-size=1'],
    timeoutMs: 240_000,
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return { rss: run.maxRssMiB, report: readFileSync(output, 'utf8') };
}

describe('dice-wasm eval: memory flat in the number of cases', () => {
  it('10,000 pairs peak within 12 MiB of 1,000 pairs, the reports whole', async () => {
    const small = await evaluate(1000);
    const large = await evaluate(10_000);
    for (const [n, { report }] of [
      [1000, small],
      [10_000, large],
    ] as const) {
      const parsed = JSON.parse(report) as {
        cases: { name: string; classes: Record<string, Record<string, number>> }[];
      };
      expect(parsed.cases).toHaveLength(n);
      expect(Object.keys(parsed.cases[n - 1].classes)).toHaveLength(15);
      // The last case's Dice of label 3, counted here from the generating formulas.
      const i = n - 1;
      let tp = 0,
        inTruth = 0,
        inPred = 0;
      const label = 3;
      for (let j = 0; j < VOXELS; j++) {
        const t = (i + j) % 16,
          p = (7 * i + 3 * j) % 16;
        if (t === label) inTruth++;
        if (p === label) inPred++;
        if (t === label && p === label) tp++;
      }
      expect(parsed.cases[n - 1].classes[String(label)].dice).toBe((2 * tp) / (inTruth + inPred));
    }
    expect(large.report.length).toBeGreaterThan(25e6);
    expect(large.rss - small.rss).toBeLessThan(12);
  }, 300_000);
});
