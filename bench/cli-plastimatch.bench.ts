// Benchmark of `dice-wasm eval` end to end against `plastimatch dice --all` (Debian's plastimatch,
// built on ITK) on one pair of 256³ binary NIfTI masks (.nii.gz, spheres, the prediction shifted):
// wall time of one process each (start-up, reading, inflating, Dice, Hausdorff and average surface
// distances), alternating rounds, medians; the Dice of the two checked equal. Without plastimatch
// (apt-get install plastimatch) dice-wasm alone is timed and the JSON says plastimatch was absent.
// Run with `npm run bench:cli` (after the threads benchmark); writes
// bench/results/cli-plastimatch-latest.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { engineInfo, machineInfo, packageRoot } from './lib/machine.js';
import { writeJson } from './lib/report.js';
import { quantile } from './lib/timing.js';

const SIDE = 256,
  ROUNDS = 5;

/** A NIfTI-1 single file of uint8 voxels, SIDE³, spacing 1, gzip-compressed (NIfTI-1 specification). */
function nifti(voxels: Uint8Array): Buffer {
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0);
  for (const [i, d] of [3, SIDE, SIDE, SIDE, 1, 1, 1, 1].entries()) header.writeInt16LE(d, 40 + 2 * i);
  header.writeInt16LE(2, 70); // DT_UNSIGNED_CHAR
  header.writeInt16LE(8, 72); // bitpix
  for (const [i, p] of [1, 1, 1, 1].entries()) header.writeFloatLE(p, 76 + 4 * i);
  header.writeFloatLE(352, 108); // vox_offset
  header.writeFloatLE(1, 112); // scl_slope
  header.write('n+1\0', 344, 'latin1');
  return gzipSync(Buffer.concat([header, voxels]), { level: 6 });
}

function sphere(cx: number): Uint8Array {
  const v = new Uint8Array(SIDE ** 3);
  for (let z = 0; z < SIDE; z++)
    for (let y = 0; y < SIDE; y++)
      for (let x = 0; x < SIDE; x++)
        if ((x - cx) ** 2 + (y - 128) ** 2 + (z - 128) ** 2 < 70 ** 2) v[(z * SIDE + y) * SIDE + x] = 1;
  return v;
}

const root = packageRoot();
const loadBefore = loadavg();
const dir = mkdtempSync(join(tmpdir(), 'dice-wasm-plastimatch-bench-'));
try {
  const pred = join(dir, 'pred.nii.gz'),
    truth = join(dir, 'truth.nii.gz');
  writeFileSync(truth, nifti(sphere(128)));
  writeFileSync(pred, nifti(sphere(132)));
  const hasPlastimatch = spawnSync('plastimatch', ['--version'], { encoding: 'utf8' }).status === 0;
  const version = hasPlastimatch ? spawnSync('plastimatch', ['--version'], { encoding: 'utf8' }).stdout.trim() : null;
  const contenders: Record<string, () => string> = {
    'dice-wasm': () =>
      execFileSync(
        process.execPath,
        [join(root, 'dist/cli/main.js'), 'eval', pred, truth, '--metrics', 'dice,hd,hd95,assd', '--format', 'csv'],
        { encoding: 'utf8' },
      ),
    ...(hasPlastimatch
      ? { plastimatch: () => execFileSync('plastimatch', ['dice', '--all', pred, truth], { encoding: 'utf8' }) }
      : {}),
  };
  const outputs = Object.fromEntries(Object.entries(contenders).map(([name, run]) => [name, run()]));
  const ours = Number(outputs['dice-wasm'].split('\n')[1].split(',')[2]);
  if (hasPlastimatch) {
    const theirs = Number(/DICE:\s*([0-9.]+)/.exec(outputs.plastimatch)?.[1]);
    if (!(Math.abs(ours - theirs) < 1e-5))
      throw new Error(`bench: Dice ${ours} (dice-wasm) but ${theirs} (plastimatch)`);
  }
  const names = Object.keys(contenders);
  const times = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const start = performance.now();
      contenders[name]();
      times.get(name)!.push(performance.now() - start);
    }
  }
  const median = (name: string) =>
    quantile(
      [...times.get(name)!].sort((a, b) => a - b),
      0.5,
    );
  for (const name of names) console.log(`${name}: ${(median(name) / 1000).toFixed(3)} s (median of ${ROUNDS})`);
  const speedup = hasPlastimatch ? median('plastimatch') / median('dice-wasm') : null;
  console.log(
    hasPlastimatch
      ? `dice-wasm is ${speedup!.toFixed(2)}× plastimatch end to end`
      : 'plastimatch is absent (apt-get install plastimatch): dice-wasm alone was timed',
  );
  writeJson(join(root, 'bench/results/cli-plastimatch-latest.json'), {
    date: new Date().toISOString(),
    machine: machineInfo(),
    engine: engineInfo(),
    loadAverage: { before: loadBefore, after: loadavg() },
    method:
      'wall time of one process: dice-wasm eval --metrics dice,hd,hd95,assd --format csv against plastimatch ' +
      `dice --all, one pair of ${SIDE}³ uint8 .nii.gz spheres (r 70, shifted 4 voxels); ${ROUNDS} alternating ` +
      'rounds, median; Dice checked equal (1e-5)',
    plastimatch: version,
    dice: ours,
    medianMs: Object.fromEntries(names.map((n) => [n, median(n)])),
    speedupVsPlastimatch: speedup,
    samplesMs: Object.fromEntries(times),
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
