// `dice-wasm eval` with instance-level metrics (the built dist/cli/main.js) on examples/, whose
// classes are one box each (examples/README.md, the counts below as test/cli/cli.test.ts has
// them): a class boxed on both sides is one lesion found (Dice and IoU of the boxes), on the
// prediction only a false positive, on the truth only a miss; PQ is the IoU when above 0.5.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../support/packed.js';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['dist/cli/main.js', ...args],
      { cwd: repositoryRoot, maxBuffer: 1 << 24 },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

type Counts = { tp: number; fp: number; fn: number };
const none: Counts = { tp: 0, fp: 0, fn: 0 };
const KNOWN: Record<string, Record<number, Counts>> = {
  'case-a.png': { 1: { tp: 30, fp: 6, fn: 6 }, 2: { tp: 24, fp: 0, fn: 8 }, 3: none },
  'case-b.png': { 1: { tp: 32, fp: 0, fn: 16 }, 2: { tp: 0, fp: 16, fn: 0 }, 3: { tp: 48, fp: 0, fn: 0 } },
  'case-c.png': { 1: { tp: 32, fp: 16, fn: 0 }, 2: none, 3: { tp: 0, fp: 0, fn: 16 } },
  'volume.nii.gz': { 1: { tp: 48, fp: 0, fn: 16 }, 2: { tp: 18, fp: 18, fn: 0 }, 3: none },
};

/** The lesion view of one box per side. */
function expectedOf({ tp, fp, fn }: Counts): Record<string, number | null> {
  const predicted = tp + fp > 0,
    actual = tp + fn > 0;
  const lesions = {
    lesion_tp: predicted && actual ? 1 : 0,
    lesion_fp: predicted && !actual ? 1 : 0,
    lesion_fn: actual && !predicted ? 1 : 0,
  };
  const iou = tp / (tp + fp + fn);
  const any = predicted || actual;
  return {
    ...lesions,
    // BraTS: no lesion on either side scores Dice 1; a false positive or a miss Dice 0.
    lesion_dice: !any ? 1 : predicted && actual ? (2 * tp) / (2 * tp + fp + fn) : 0,
    lesion_f1: !any ? null : (2 * lesions.lesion_tp) / (2 * lesions.lesion_tp + lesions.lesion_fp + lesions.lesion_fn),
    pq: !any ? null : iou > 0.5 ? iou : 0,
  };
}

describe('dice-wasm eval: lesion-wise metrics and panoptic quality', () => {
  it('reports them per case and class, with the lesion counts, as derived from the boxes', async () => {
    const r = await run([
      'eval',
      'examples/pred',
      'examples/truth',
      '--format',
      'json',
      '--metrics',
      'lesion_dice,lesion_f1,pq',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      cases: { name: string; classes: Record<string, Record<string, number | null>> }[];
    };
    for (const c of report.cases) {
      for (const [label, counts] of Object.entries(KNOWN[c.name])) {
        const got = c.classes[label];
        for (const [metric, value] of Object.entries(expectedOf(counts))) {
          if (value === null) expect(got[metric], `${c.name} ${label} ${metric}`).toBeNull();
          else expect(got[metric], `${c.name} ${label} ${metric}`).toBeCloseTo(value, 12);
        }
      }
    }
  });

  // Refused without lesion metrics: exit 2.
  it('takes --connectivity, --min-lesion-size and --dilation; refuses them alone', async () => {
    const small = await run([
      'eval',
      'examples/pred/case-b.png',
      'examples/truth/case-b.png',
      '--format',
      'json',
      '--metrics',
      'lesion_dice',
      '--min-lesion-size',
      '1000',
      '--connectivity',
      '4',
      '--dilation',
      '1',
    ]);
    expect(small.code).toBe(0);
    // Every truth box is smaller than 1000 pixels: left out, so class 1 (found) has no lesion left
    // and its prediction, matched, is no false positive: Dice 1 by the empty rule.
    const classes = (JSON.parse(small.stdout) as { cases: { classes: Record<string, Record<string, number>> }[] })
      .cases[0].classes;
    expect([classes['1'].lesion_dice, classes['1'].lesion_tp, classes['1'].lesion_fp]).toEqual([1, 0, 0]);
    for (const flag of ['--connectivity', '--min-lesion-size', '--dilation']) {
      const bad = await run(['eval', 'examples/pred', 'examples/truth', flag, '4']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`${flag} is for the lesion metrics`);
    }
    const wrong = await run([
      'eval',
      'examples/pred',
      'examples/truth',
      '--metrics',
      'lesion_dice',
      '--connectivity',
      '5',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--connectivity must be');
  });
});
