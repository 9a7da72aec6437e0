// Benchmark: confusion counts (TP, FP, FN, TN per class) of two u8 label maps with 4 classes,
// at 512² and 256³ voxels, for
//   a straightforward JS loop (the baseline of the ≥ 15× target) · dice-wasm's JS backend ·
//   dice-wasm WebAssembly zero-copy and copy-in · the scalar WebAssembly build (zero-copy).
// Every implementation must give the baseline's counts exactly before anything is timed.
//
// Run with `npm run bench` (after dice.bench) or, once built,
// `node build/bench/bench/confusion.bench.js`. Prints a table on stdout, progress on stderr,
// and writes bench/results/confusion-latest.json. See bench/README.md.
import { join } from 'node:path';
import { loadDice, type DiceKernel } from '../src/index.js';
import { fillRuns, rng } from './lib/data.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { formatRatio, formatTime, progress, sizesTable, writeJson } from './lib/report.js';
import { agreeThenTime } from './lib/rounds.js';
import { consumeSink, type Runnable, type Schedule } from './lib/timing.js';

const CLASSES = 4;

interface Size {
  label: string;
  shape: number[];
  schedule: Schedule;
}

const SIZES: readonly Size[] = [
  {
    label: '512²',
    shape: [1, 512, 512],
    schedule: { warmupRounds: 20, warmupMs: 1_000, minSamples: 50, budgetMs: 4_000, maxSamples: 2_000 },
  },
  {
    label: '256³',
    shape: [1, 256, 256, 256],
    schedule: { warmupRounds: 2, warmupMs: 0, minSamples: 9, budgetMs: 20_000, maxSamples: 50 },
  },
];

const IMPLEMENTATIONS = [
  {
    id: 'naiveJs',
    label: 'JS loop (baseline)',
    what:
      'a straightforward loop: for each voxel, if pred === target then tp[pred]++ else fp[pred]++, ' +
      'fn[target]++; tn from the totals',
  },
  {
    id: 'jsBackend',
    label: 'dice-wasm JS backend',
    what: "k.confusion on loadDice({ backend: 'js' }), the pure TypeScript reference",
  },
  {
    id: 'wasmZeroCopy',
    label: 'dice-wasm WASM zero-copy',
    what: 'k.confusion on loadDice() with pred and target from k.alloc (nothing copied)',
  },
  {
    id: 'wasmCopyIn',
    label: 'dice-wasm WASM copy-in',
    what: 'k.confusion on loadDice() with plain Uint8Arrays, copied into WebAssembly memory by each call',
  },
  {
    id: 'scalarZeroCopy',
    label: 'dice-wasm scalar WASM',
    what: "k.confusion on loadDice({ backend: 'scalar' }) (no SIMD), zero-copy",
  },
] as const;
type ImplementationId = (typeof IMPLEMENTATIONS)[number]['id'];

/** Counts as [tp, fp, fn, tn] per class, for the agreement check. */
type Counts = number[][];

interface Contender extends Runnable {
  readonly id: ImplementationId;
  counts(): Counts;
  dispose(): void;
}

/** Target: runs of labels, background about half; prediction: the target with about 15 % of its runs relabelled. */
function labelMaps(n: number, seed: number): { pred: Uint8Array; target: Uint8Array } {
  const random = rng(seed);
  const target = new Uint8Array(n);
  fillRuns(target, [CLASSES - 1, ...new Array<number>(CLASSES - 1).fill(1)], random);
  const noise = new Uint8Array(n);
  fillRuns(noise, [0.85, ...new Array<number>(CLASSES).fill(0.15 / CLASSES)], random);
  const pred = Uint8Array.from(target, (t, i) => (noise[i] === 0 ? t : noise[i] - 1));
  return { pred, target };
}

function naiveCounts(pred: Uint8Array, target: Uint8Array): Counts {
  const tp = new Float64Array(CLASSES),
    fp = new Float64Array(CLASSES),
    fn = new Float64Array(CLASSES);
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i],
      t = target[i];
    if (p === t) tp[p]++;
    else {
      fp[p]++;
      fn[t]++;
    }
  }
  return Array.from({ length: CLASSES }, (_, c) => [tp[c], fp[c], fn[c], pred.length - tp[c] - fp[c] - fn[c]]);
}

function libraryContender(
  id: ImplementationId,
  k: DiceKernel,
  pred: Uint8Array,
  target: Uint8Array,
  shape: number[],
  zeroCopy: boolean,
): Contender {
  let p = pred,
    t = target;
  if (zeroCopy) {
    k.reserve(2 * pred.length + (1 << 20));
    p = k.alloc(Uint8Array, pred.length);
    t = k.alloc(Uint8Array, target.length);
    p.set(pred);
    t.set(target);
  }
  const options = { numClasses: CLASSES, shape };
  return {
    id,
    run: () => k.confusion(p, t, options).tp[1],
    counts: () => {
      const c = k.confusion(p, t, options);
      return Array.from({ length: CLASSES }, (_, j) => [c.tp[j], c.fp[j], c.fn[j], c.tn[j]]);
    },
    dispose: () => {
      if (zeroCopy) {
        k.free(p);
        k.free(t);
      }
    },
  };
}

interface SizeResult {
  label: string;
  shape: number[];
  voxels: number;
  bytesPerCall: number;
  results: Record<
    ImplementationId,
    {
      medianMs: number;
      q1Ms: number;
      q3Ms: number;
      minMs: number;
      samples: number;
      speedupVsJsLoop: number;
      gigabytesPerSecond: number;
    }
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
  const packages = packageVersions(root, ['assemblyscript']);
  console.log(
    `dice-wasm benchmark: confusion counts of two u8 label maps, ${CLASSES} classes (median of ` +
      'round-robin samples, single calls)',
  );
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores; engine: Node ${engine.node}, V8 ${engine.v8}; ` +
      `loadDice() backend: ${kernels.wasm.backend}`,
  );
  console.log('');

  const sizes: SizeResult[] = [];
  for (const size of SIZES) {
    const n = size.shape.slice(1).reduce((a, d) => a * d, 1);
    progress(`${size.label}: making inputs`);
    const { pred, target } = labelMaps(n, 20260101 + n);
    const contenders: Contender[] = [
      {
        id: 'naiveJs',
        run: () => naiveCounts(pred, target)[1][0],
        counts: () => naiveCounts(pred, target),
        dispose: () => {},
      },
      libraryContender('jsBackend', kernels.js, pred, target, size.shape, false),
      libraryContender('wasmZeroCopy', kernels.wasm, pred, target, size.shape, true),
      libraryContender('wasmCopyIn', kernels.wasmCopyIn, pred, target, size.shape, false),
      libraryContender('scalarZeroCopy', kernels.scalar, pred, target, size.shape, true),
    ];
    try {
      const expected = JSON.stringify(contenders[0].counts());
      const timed = agreeThenTime(size.label, contenders, size.schedule, (c) => {
        const got = JSON.stringify(c.counts());
        return got === expected ? null : `${c.id} counts ${got}, the JS loop ${expected}`;
      });
      if (timed === null) return;
      const bytes = pred.byteLength + target.byteLength;
      const results = Object.fromEntries(
        contenders.map((c) => {
          const { speedup, ...summary } = timed.get(c.id)!;
          return [c.id, { ...summary, speedupVsJsLoop: speedup, gigabytesPerSecond: bytes / (summary.medianMs * 1e6) }];
        }),
      ) as SizeResult['results'];
      sizes.push({ label: size.label, shape: size.shape, voxels: n, bytesPerCall: bytes, results });
    } finally {
      for (const c of contenders) c.dispose();
    }
  }
  consumeSink();
  console.log(table(sizes));
  const durationSeconds = (performance.now() - started) / 1000;
  console.log(`total run time: ${durationSeconds.toFixed(0)} s`);

  const path = join(root, 'bench', 'results', 'confusion-latest.json');
  writeJson(path, {
    schemaVersion: 1,
    date: new Date().toISOString(),
    durationSeconds: Math.round(durationSeconds),
    machine,
    engine,
    packages,
    diceBackend: kernels.wasm.backend,
    method: {
      case:
        `pred and target: Uint8Array label maps of ${CLASSES} classes (runs of labels, background ` +
        'about half; the prediction relabels about 15 % of the runs)',
      timing:
        "after an agreement check (every implementation gives the JS loop's counts exactly) and warm-up " +
        'rounds, every round calls each implementation once in a shuffled order and times each call on ' +
        'its own; the reported time is the median',
      baseline: 'naiveJs',
      speedup: 'median of the JS loop / median of the implementation',
      throughput: 'bytes of pred and target read per call / median time',
      schedules: Object.fromEntries(SIZES.map((s) => [s.label, s.schedule])),
    },
    implementations: IMPLEMENTATIONS,
    sizes,
  });
  console.log(`results: ${path}`);
}

function table(sizes: readonly SizeResult[]): string {
  return sizesTable(
    'Median time per call, speed-up vs the JS loop, and throughput (bytes of pred + target per second):',
    sizes,
    (s) => `${s.label} (${(s.voxels / 2 ** 20).toFixed(2)} M voxels)`,
    IMPLEMENTATIONS,
    (s, id) => {
      const r = s.results[id as ImplementationId];
      return (
        `${formatTime(r.medianMs).padStart(9)} ${formatRatio(r.speedupVsJsLoop).padStart(7)} ` +
        `${r.gigabytesPerSecond.toFixed(2).padStart(6)} GB/s`
      );
    },
    (s) => Math.min(...Object.values(s.results).map((r) => r.samples)),
    30,
  );
}

await main();
