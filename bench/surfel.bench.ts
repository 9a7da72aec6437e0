// Benchmark: HD95 of two spheres at 160³ (u8 label maps of 2 classes, background excluded) with
// surfels (surfel: true, DeepMind's surface-distance definition: the corner grid, each element
// weighted by its area) and with surface voxels (the default), on the JS backend (float64 TypeScript,
// the baseline) and on WebAssembly (zero-copy): the surfel ratio WASM / JS is issue 18's target
// (≥ 5×), the surfel / voxel ratio the price of the weighting. Every implementation must agree
// with the JS backend's value of its definition (within float32 rounding) before anything is timed.
//
// Run with `npm run bench:surfel` or, once built, `node build/bench/bench/surfel.bench.js`.
// Prints a table on stdout, progress on stderr, and writes bench/results/surfel-latest.json.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { loadDice, type DiceKernel } from '../src/index.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { formatRatio, formatTime, progress, sizesTable, writeJson } from './lib/report.js';
import { spheres } from './lib/data.js';
import { residentLabels } from './lib/resident.js';
import { agreeThenTime } from './lib/rounds.js';
import { consumeSink, type Runnable, type Schedule } from './lib/timing.js';

const N = 160;
const SCHEDULE: Schedule = { warmupRounds: 1, warmupMs: 0, minSamples: 5, budgetMs: 60_000, maxSamples: 15 };

const IMPLEMENTATIONS = [
  { id: 'jsSurfel', label: 'JS backend, surfel', what: "loadDice({ backend: 'js' }), surfel: true (the baseline)" },
  { id: 'wasmSurfel', label: 'WASM, surfel', what: 'loadDice(), surfel: true, pred and target from k.alloc' },
  { id: 'jsVoxel', label: 'JS backend, voxels', what: "loadDice({ backend: 'js' }), surface voxels (default)" },
  { id: 'wasmVoxel', label: 'WASM, voxels', what: 'loadDice(), surface voxels (default), zero-copy' },
] as const;
type ImplementationId = (typeof IMPLEMENTATIONS)[number]['id'];

interface Contender extends Runnable {
  readonly id: ImplementationId;
  readonly surfel: boolean;
  dispose(): void;
}

function contender(
  id: ImplementationId,
  k: DiceKernel,
  pred: Uint8Array,
  target: Uint8Array,
  surfel: boolean,
  zeroCopy: boolean,
): Contender {
  // Room for a call's work (masks, the corner grid, float32 distances, the pairs).
  const resident = residentLabels(k, pred, target, zeroCopy, 10 * pred.length + (64 << 20));
  const options = {
    numClasses: 2,
    shape: [1, N, N, N],
    spacing: [1.5, 0.8, 0.8],
    metrics: ['hausdorff95'],
    includeBackground: false,
    surfel,
  };
  return {
    id,
    surfel,
    run: () => (k.surfaceMetrics(resident.pred, resident.target, options).hausdorff95 as Float64Array)[1],
    dispose: () => resident.free(),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const root = packageRoot();
  const js = await loadDice({ backend: 'js' }),
    wasm = await loadDice(),
    wasmVoxel = await loadDice();
  const machine = machineInfo();
  const engine = engineInfo();
  const loadBefore = loadavg();
  console.log(
    `dice-wasm benchmark: HD95 of two spheres at ${N}³, surfels vs surface voxels (median of round-robin samples)`,
  );
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores; engine: Node ${engine.node}; ` +
      `load average ${loadBefore.map((v) => v.toFixed(2)).join(' ')}`,
  );
  progress('making inputs');
  const { pred, target } = spheres(N);
  const contenders: Contender[] = [
    contender('jsSurfel', js, pred, target, true, false),
    contender('wasmSurfel', wasm, pred, target, true, true),
    contender('jsVoxel', js, pred, target, false, false),
    contender('wasmVoxel', wasmVoxel, pred, target, false, true),
  ];
  try {
    const expected = { surfel: contenders[0].run(), voxel: contenders[2].run() };
    const timed = agreeThenTime(`${N}³`, contenders, SCHEDULE, (c) => {
      const want = c.surfel ? expected.surfel : expected.voxel;
      const got = c.run();
      return Math.abs(got - want) <= 1e-5 * want ? null : `${c.id} gives HD95 ${got}, the JS backend ${want}`;
    });
    if (timed === null) return;
    consumeSink();
    const results = Object.fromEntries(
      contenders.map((c) => {
        const { speedup, ...summary } = timed.get(c.id)!;
        return [c.id, { ...summary, speedupVsJsSurfel: speedup }];
      }),
    ) as unknown as Record<ImplementationId, { medianMs: number; speedupVsJsSurfel: number; samples: number }>;
    const ratios = {
      surfelWasmVsJs: results.jsSurfel.medianMs / results.wasmSurfel.medianMs,
      voxelWasmVsJs: results.jsVoxel.medianMs / results.wasmVoxel.medianMs,
      surfelVsVoxelWasm: results.wasmSurfel.medianMs / results.wasmVoxel.medianMs,
      surfelVsVoxelJs: results.jsSurfel.medianMs / results.jsVoxel.medianMs,
    };
    const loadAfter = loadavg();
    const size = { label: `${N}³`, expected };
    console.log(
      sizesTable(
        'Median time per call and speed-up vs the JS backend with surfels:',
        [size],
        (s) => `${s.label} (HD95 surfel ${expected.surfel.toFixed(3)}, voxel ${expected.voxel.toFixed(3)})`,
        IMPLEMENTATIONS,
        (_s, id) => {
          const r = results[id as ImplementationId];
          return `${formatTime(r.medianMs).padStart(9)} ${formatRatio(r.speedupVsJsSurfel).padStart(7)}`;
        },
        () => Math.min(...Object.values(results).map((r) => r.samples)),
        26,
      ),
    );
    console.log(
      `surfel WASM / JS: ${ratios.surfelWasmVsJs.toFixed(1)}×; voxel WASM / JS: ${ratios.voxelWasmVsJs.toFixed(1)}×; ` +
        `surfel / voxel time: ${ratios.surfelVsVoxelWasm.toFixed(2)} (WASM), ` +
        `${ratios.surfelVsVoxelJs.toFixed(2)} (JS); ` +
        `load average after ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`,
    );
    const durationSeconds = (performance.now() - started) / 1000;
    const path = join(root, 'bench', 'results', 'surfel-latest.json');
    writeJson(path, {
      schemaVersion: 1,
      date: new Date().toISOString(),
      durationSeconds: Math.round(durationSeconds),
      machine,
      engine,
      loadAverage: { before: loadBefore, after: loadAfter },
      packages: packageVersions(root, ['assemblyscript']),
      method: {
        case:
          `two spheres in ${N}³ u8 label maps (target radius 0.3·n at the centre, prediction 0.28·n moved by ` +
          "(3, −2, 1)), spacing [1.5, 0.8, 0.8]; k.surfaceMetrics(…, { metrics: ['hausdorff95'], surfel })",
        timing: 'agreement check, warm-up, then round-robin single calls in shuffled order; medians',
        schedule: SCHEDULE,
      },
      implementations: IMPLEMENTATIONS,
      hausdorff95: expected,
      results,
      ratios,
    });
    console.log(`results: ${path}`);
  } finally {
    for (const c of contenders) c.dispose();
  }
}

await main();
