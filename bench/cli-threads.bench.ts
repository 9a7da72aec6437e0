// Benchmark of `dice-wasm eval --threads N`: wall time of the built CLI (dist/cli/main.js, one
// process per run) on a directory of PNG pairs written here, 1 thread against 2, alternating
// runs, medians. Each case: a 16-bit grey 512×512 label map of 4 classes (discs) and a shifted
// copy; decoding (inflate, PNG filters) and counting are the work that moves to worker threads.
// Run with `npm run bench:cli` (after npm run build); writes bench/results/cli-threads-latest.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { engineInfo, machineInfo, packageRoot } from './lib/machine.js';
import { writeJson } from './lib/report.js';
import { quantile } from './lib/timing.js';

const CASES = 64,
  SIDE = 512,
  ROUNDS = 7,
  THREADS = [1, 2];

function discs(shift: number): Uint16Array {
  const labels = new Uint16Array(SIDE * SIDE);
  const centres = [
    [128, 128, 1],
    [384, 128, 2],
    [128, 384, 3],
    [384, 384, 4],
  ];
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      for (const [cx, cy, label] of centres) {
        if ((x - cx - shift) ** 2 + (y - cy) ** 2 < 100 ** 2) labels[y * SIDE + x] = label;
      }
    }
  }
  return labels;
}

const root = packageRoot();
const loadBefore = loadavg();
const dir = mkdtempSync(join(tmpdir(), 'dice-wasm-cli-bench-'));
try {
  for (const side of ['pred', 'truth']) mkdirSync(join(dir, side));
  const truth = encode({ width: SIDE, height: SIDE, data: discs(0), depth: 16, channels: 1 });
  for (let i = 0; i < CASES; i++) {
    writeFileSync(join(dir, 'truth', `case-${i}.png`), truth);
    writeFileSync(
      join(dir, 'pred', `case-${i}.png`),
      encode({ width: SIDE, height: SIDE, data: discs(i % 16), depth: 16, channels: 1 }),
    );
  }
  const run = (threads: number): { ms: number; output: string } => {
    const start = performance.now();
    const output = execFileSync(
      process.execPath,
      [
        join(root, 'dist/cli/main.js'),
        'eval',
        join(dir, 'pred'),
        join(dir, 'truth'),
        '--format',
        'csv',
        '--threads',
        String(threads),
      ],
      { encoding: 'utf8' },
    );
    return { ms: performance.now() - start, output };
  };
  const reference = run(1).output;
  const times = new Map<number, number[]>(THREADS.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const threads of round % 2 === 0 ? THREADS : [...THREADS].reverse()) {
      const { ms, output } = run(threads);
      if (output !== reference) throw new Error(`bench: --threads ${threads} reported other numbers than --threads 1`);
      times.get(threads)!.push(ms);
    }
  }
  const median = (t: number) =>
    quantile(
      [...times.get(t)!].sort((a, b) => a - b),
      0.5,
    );
  const rows = THREADS.map((threads) => ({
    threads,
    medianMs: median(threads),
    casesPerSecond: CASES / (median(threads) / 1000),
    speedup: median(1) / median(threads),
  }));
  for (const row of rows) {
    console.log(
      `--threads ${row.threads}: ${(row.medianMs / 1000).toFixed(2)} s for ${CASES} pairs ` +
        `(${row.casesPerSecond.toFixed(1)} pairs/s), ${row.speedup.toFixed(2)}× one thread`,
    );
  }
  writeJson(join(root, 'bench/results/cli-threads-latest.json'), {
    date: new Date().toISOString(),
    machine: machineInfo(),
    engine: engineInfo(),
    loadAverage: { before: loadBefore, after: loadavg() },
    method:
      `wall time of one dice-wasm eval process over ${CASES} pairs of 16-bit ${SIDE}×${SIDE} PNGs ` +
      `(4 classes), --format csv; ${ROUNDS} alternating rounds, median; outputs checked equal`,
    rows,
    samplesMs: Object.fromEntries([...times].map(([t, v]) => [t, v])),
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
