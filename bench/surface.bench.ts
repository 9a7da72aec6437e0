// Benchmark: the 95th-percentile Hausdorff distance of two spheres (slightly different radii and
// centres, u8 label maps of 2 classes, background excluded) at 128³ and 256³ voxels: class
// masks, surfaces, two exact Euclidean distance transforms and the percentile, for
//   dice-wasm's JS backend (the same algorithm in TypeScript, float64; the baseline) ·
//   dice-wasm WebAssembly zero-copy and copy-in · the scalar WebAssembly build (zero-copy).
// Every implementation must give the JS backend's HD95 (within float32 rounding) before anything
// is timed.
//
// Run with `npm run bench:surface` or, once built, `node build/bench/bench/surface.bench.js`.
// Prints a table on stdout, progress on stderr, and writes bench/results/surface-latest.json.
import { join } from 'node:path';
import { loadDice, type DiceKernel } from '../src/index.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { formatRatio, formatTime, progress, sizesTable, writeJson } from './lib/report.js';
import { spheres } from './lib/data.js';
import { residentLabels } from './lib/resident.js';
import { agreeThenTime } from './lib/rounds.js';
import { consumeSink, type Runnable, type Schedule } from './lib/timing.js';

interface Size {
  label: string;
  n: number;
  schedule: Schedule;
}

const SIZES: readonly Size[] = [
  {
    label: '128³',
    n: 128,
    schedule: { warmupRounds: 2, warmupMs: 0, minSamples: 15, budgetMs: 15_000, maxSamples: 100 },
  },
  {
    label: '256³',
    n: 256,
    schedule: { warmupRounds: 1, warmupMs: 0, minSamples: 7, budgetMs: 60_000, maxSamples: 20 },
  },
];

const IMPLEMENTATIONS = [
  {
    id: 'jsBackend',
    label: 'dice-wasm JS backend',
    what: "k.surfaceMetrics on loadDice({ backend: 'js' }): the same algorithm in TypeScript, float64 (the baseline)",
  },
  {
    id: 'wasmZeroCopy',
    label: 'dice-wasm WASM zero-copy',
    what: 'k.surfaceMetrics on loadDice() with pred and target from k.alloc (nothing copied)',
  },
  {
    id: 'wasmCopyIn',
    label: 'dice-wasm WASM copy-in',
    what: 'k.surfaceMetrics on loadDice() with plain Uint8Arrays, copied into WebAssembly memory by each call',
  },
  {
    id: 'scalarZeroCopy',
    label: 'dice-wasm scalar WASM',
    what: "k.surfaceMetrics on loadDice({ backend: 'scalar' }) (no SIMD), zero-copy",
  },
] as const;
type ImplementationId = (typeof IMPLEMENTATIONS)[number]['id'];

interface Contender extends Runnable {
  readonly id: ImplementationId;
  dispose(): void;
}

function contender(
  id: ImplementationId,
  k: DiceKernel,
  pred: Uint8Array,
  target: Uint8Array,
  n: number,
  zeroCopy: boolean,
): Contender {
  // Room for a call's work (a mask byte and a float32 per voxel, the distance pairs).
  const resident = residentLabels(k, pred, target, zeroCopy, 6 * pred.length + (64 << 20));
  const options = { numClasses: 2, shape: [1, n, n, n], metrics: ['hausdorff95'], includeBackground: false };
  return {
    id,
    run: () => (k.surfaceMetrics(resident.pred, resident.target, options).hausdorff95 as Float64Array)[1],
    dispose: () => resident.free(),
  };
}

interface SizeResult {
  label: string;
  shape: number[];
  voxels: number;
  hausdorff95: number;
  results: Record<
    ImplementationId,
    { medianMs: number; q1Ms: number; q3Ms: number; minMs: number; samples: number; speedupVsJsBackend: number }
  >;
}

async function main(): Promise<void> {
  const started = performance.now();
  const root = packageRoot();
  const kernels = {
    js: await loadDice({ backend: 'js' }),
    wasm: await loadDice(),
    wasmCopyIn: await loadDice(),
    scalar: await loadDice({ backend: 'scalar' }),
  };
  const machine = machineInfo();
  const engine = engineInfo();
  console.log(
    'dice-wasm benchmark: HD95 of two spheres (surfaces, two exact EDTs, percentile), u8 label maps ' +
      '(median of round-robin samples, single calls)',
  );
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores; engine: Node ${engine.node}, V8 ${engine.v8}; ` +
      `loadDice() backend: ${kernels.wasm.backend}`,
  );
  console.log('');

  const sizes: SizeResult[] = [];
  for (const size of SIZES) {
    const { n } = size;
    progress(`${size.label}: making inputs`);
    const { pred, target } = spheres(n);
    const contenders: Contender[] = [
      contender('jsBackend', kernels.js, pred, target, n, false),
      contender('wasmZeroCopy', kernels.wasm, pred, target, n, true),
      contender('wasmCopyIn', kernels.wasmCopyIn, pred, target, n, false),
      contender('scalarZeroCopy', kernels.scalar, pred, target, n, true),
    ];
    try {
      const expected = contenders[0].run();
      const timed = agreeThenTime(size.label, contenders, size.schedule, (c) => {
        const got = c.run();
        return Math.abs(got - expected) <= 1e-5 * expected
          ? null
          : `${c.id} gives HD95 ${got}, the JS backend ${expected}`;
      });
      if (timed === null) return;
      const results = Object.fromEntries(
        contenders.map((c) => {
          const { speedup, ...summary } = timed.get(c.id)!;
          return [c.id, { ...summary, speedupVsJsBackend: speedup }];
        }),
      ) as SizeResult['results'];
      sizes.push({ label: size.label, shape: [1, n, n, n], voxels: n ** 3, hausdorff95: expected, results });
    } finally {
      for (const c of contenders) c.dispose();
    }
  }
  consumeSink();
  console.log(table(sizes));
  const durationSeconds = (performance.now() - started) / 1000;
  console.log(`total run time: ${durationSeconds.toFixed(0)} s`);

  const path = join(root, 'bench', 'results', 'surface-latest.json');
  writeJson(path, {
    schemaVersion: 1,
    date: new Date().toISOString(),
    durationSeconds: Math.round(durationSeconds),
    machine,
    engine,
    packages: packageVersions(root, ['assemblyscript']),
    diceBackend: kernels.wasm.backend,
    method: {
      case:
        'pred and target: Uint8Array label maps of 2 classes, n³ voxels; the target a sphere of ' +
        'radius 0.3·n at the centre, the prediction one of radius 0.28·n whose centre is moved by (3, ' +
        '−2, 1) voxels; k.surfaceMetrics(pred, target, { numClasses: 2, shape: [1, n, n, n], metrics: ' +
        "['hausdorff95'], includeBackground: false })",
      timing:
        "after an agreement check (every implementation gives the JS backend's HD95 within 1e-5 " +
        'relative) and warm-up rounds, every round calls each implementation once in a shuffled order ' +
        'and times each call on its own; the reported time is the median',
      baseline: 'jsBackend',
      speedup: 'median of the JS backend / median of the implementation',
      schedules: Object.fromEntries(SIZES.map((s) => [s.label, s.schedule])),
    },
    implementations: IMPLEMENTATIONS,
    sizes,
  });
  console.log(`results: ${path}`);
}

function table(sizes: readonly SizeResult[]): string {
  return sizesTable(
    'Median time per call and speed-up vs the JS backend:',
    sizes,
    (s) => `${s.label} (HD95 ${s.hausdorff95.toFixed(3)})`,
    IMPLEMENTATIONS,
    (s, id) => {
      const r = s.results[id as ImplementationId];
      return `${formatTime(r.medianMs).padStart(9)} ${formatRatio(r.speedupVsJsBackend).padStart(7)}`;
    },
    (s) => Math.min(...Object.values(s.results).map((r) => r.samples)),
    26,
  );
}

await main();
