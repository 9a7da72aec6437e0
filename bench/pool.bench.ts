// Benchmark: the thread pool against one thread, side by side in one run. Value + gradient per
// call of
//   diceCE    Dice + cross-entropy from logits (softmax over 4 classes, u8 label map,
//             [1, 4, S] channels first): compute-bound (exp and log per element)
//   binary    binary Dice of probabilities against a dense f32 0/1 mask: memory-bound
// at small sizes (where the pool runs the call on the calling thread) and large ones (where it
// splits both passes across its workers). Contenders, each with its own memory:
//   kernel        loadDice(), arrays from k.alloc (zero copy), one thread
//   pool          createDicePool({ threads: 2 }), arrays from pool.alloc, default parallelThreshold
//   poolSplit     the same with parallelThreshold 0 (every call split: what the threshold avoids), small sizes only
//   kernelPlain   loadDice() with plain typed arrays (streamed through staging)
//   poolPlain     createDicePool({ threads: 2 }) with plain typed arrays (copied into the shared
//                 memory whole on the calling thread, the gradient copied out)
// Shuffled round-robin medians of single calls (lib/timing.ts); each pool call is awaited before
// the next call starts. The machine is shared: the load average before and after, and per row the
// cores other processes kept busy meanwhile (/proc/stat minus this process), are recorded.
// Writes bench/results/pool-latest.json.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createDicePool, loadDice, type DiceKernel, type DicePool, type Target } from '../src/index.js';
import { binaryData, softmaxData } from './lib/data.js';
import { cpuSnapshot, engineInfo, machineInfo, othersBusyCores, packageRoot, packageVersions } from './lib/machine.js';
import { residentCopies } from './lib/resident.js';
import { formatRatio, formatTime, writeJson } from './lib/report.js';
import { consumeSink, measureRoundRobinAsync, type AsyncRunnable } from './lib/timing.js';

const THREADS = 2;
/** Sizes from which the pool splits a call (below: the calling thread), by the default threshold. */
const SMALL = 1 << 17;

interface Inputs {
  pred: Float32Array;
  target: Float32Array | Uint8Array;
  options: { shape?: number[] };
}

interface Case {
  id: string;
  description: string;
  /** [label, elements of pred] */
  sizes: readonly [string, number][];
  make(n: number): Inputs;
  call(k: DiceKernel | DicePool, pred: Float32Array, target: Target, options: object): number | Promise<number>;
  /** The target for the speed-up of the pool at the largest size. */
  target: { atLeast: number; size: string };
}

const CASES: readonly Case[] = [
  {
    id: 'diceCE',
    description:
      'diceCELossWithGrad: logits [1, 4, S] channels first, u8 label map of S voxels, softmax + ' +
      'cross-entropy, smooth 1',
    sizes: [
      ['4K voxels', 4 * 4096],
      ['64K voxels', 4 * 65536],
      ['1M voxels', 4 << 20],
      ['2M voxels', 8 << 20],
    ],
    make: (n) => {
      const data = softmaxData(n, 4, 17);
      return { pred: data.logits, target: data.labels, options: { shape: [1, 4, data.voxels] } };
    },
    call: async (k, pred, target, options) => (await k.diceCELossWithGrad(pred, target, options)).loss,
    target: { atLeast: 1.8, size: '1M voxels' },
  },
  {
    id: 'binary',
    description: 'diceLossWithGrad: n probabilities, dense f32 0/1 target (bench/lib/data.ts binaryData), smooth 1',
    sizes: [
      ['4K', 4096],
      ['64K', 65536],
      ['1M', 1 << 20],
      ['16M', 1 << 24],
    ],
    make: (n) => ({ ...binaryData(n, 19), options: {} }),
    call: async (k, pred, target, options) => (await k.diceLossWithGrad(pred, target, options)).loss,
    target: { atLeast: 1.15, size: '16M' },
  },
];

type ContenderId = 'kernel' | 'pool' | 'poolSplit' | 'kernelPlain' | 'poolPlain';

interface Contender extends AsyncRunnable {
  id: ContenderId;
  dispose(): void;
}

/** A contender on `runner`, with its inputs in its memory (alloc) or plain. */
function contender(
  id: ContenderId,
  runner: DiceKernel | DicePool,
  c: Case,
  inputs: Inputs,
  inMemory: boolean,
): Contender {
  const resident = inMemory ? residentCopies(runner, inputs.pred, inputs.target) : null;
  const { pred, target, out } = resident ?? { ...inputs, out: new Float32Array(inputs.pred.length) };
  const options = { ...inputs.options, out };
  return {
    id,
    run: () => c.call(runner, pred, target, options),
    dispose: () => resident?.free(),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const machine = machineInfo();
  const loadBefore = loadavg();
  const kernels = { zero: await loadDice(), plain: await loadDice() };
  const pools = {
    zero: await createDicePool({ threads: THREADS }),
    split: await createDicePool({ threads: THREADS, parallelThreshold: 0 }),
    plain: await createDicePool({ threads: THREADS }),
  };
  console.log(`dice-wasm benchmark: createDicePool({ threads: ${THREADS} }) vs one thread, value + gradient per call`);
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, load average ` +
      `${loadBefore.map((l) => l.toFixed(2)).join(' ')}; engine: Node ${engineInfo().node}; backend ` +
      `${kernels.zero.backend}`,
  );
  const rows: Record<string, unknown>[] = [];
  const targets: Record<string, unknown>[] = [];
  for (const c of CASES) {
    for (const [label, n] of c.sizes) {
      const inputs = c.make(n);
      const contenders = [
        contender('kernel', kernels.zero, c, inputs, true),
        contender('pool', pools.zero, c, inputs, true),
        ...(n <= SMALL ? [contender('poolSplit', pools.split, c, inputs, true)] : []),
        contender('kernelPlain', kernels.plain, c, inputs, false),
        contender('poolPlain', pools.plain, c, inputs, false),
      ];
      const losses = await Promise.all(contenders.map((x) => x.run()));
      for (const [i, loss] of losses.entries()) {
        if (Math.abs(loss - losses[0]) > 1e-6 * Math.abs(losses[0]))
          throw new Error(`${c.id} ${label}: ${contenders[i].id} gives ${loss}, the kernel ${losses[0]}`);
      }
      const large = n >= 1 << 24;
      const before = cpuSnapshot();
      const measured = await measureRoundRobinAsync(contenders, {
        warmupRounds: 2,
        warmupMs: 200,
        minSamples: large ? 11 : 31,
        budgetMs: 20_000,
        maxSamples: large ? 31 : 201,
      });
      const others = othersBusyCores(before, cpuSnapshot());
      const stats = (id: ContenderId) => {
        const m = measured.get(id);
        return m && { medianMs: m.medianMs, q1Ms: m.q1Ms, q3Ms: m.q3Ms, minMs: m.minMs, samples: m.samplesMs.length };
      };
      const median = (id: ContenderId) => measured.get(id)?.medianMs ?? NaN;
      const row = {
        case: c.id,
        size: label,
        n,
        othersBusyCores: others,
        results: Object.fromEntries(contenders.map((x) => [x.id, stats(x.id)])),
        speedup: median('kernel') / median('pool'),
        speedupForcedSplit: median('kernel') / median('poolSplit'),
        speedupPlain: median('kernelPlain') / median('poolPlain'),
        speedupOfMinima: (stats('kernel')?.minMs ?? NaN) / (stats('pool')?.minMs ?? NaN),
      };
      rows.push(row);
      if (label === c.target.size)
        targets.push({
          case: c.id,
          size: label,
          target: c.target.atLeast,
          measured: row.speedup,
          met: row.speedup >= c.target.atLeast,
          othersBusyCores: others,
        });
      const iqr = (id: ContenderId) => `${formatTime(stats(id)!.q1Ms)}–${formatTime(stats(id)!.q3Ms)}`;
      console.log(
        `${c.id.padEnd(7)} ${label.padStart(10)}  1 thread ${formatTime(median('kernel'))} [${iqr('kernel')}]  ` +
          `pool ${formatTime(median('pool'))} [${iqr('pool')}]  → ${formatRatio(row.speedup)}` +
          (n <= SMALL
            ? `  (split forced ${formatTime(median('poolSplit'))} → ${formatRatio(row.speedupForcedSplit)})`
            : '') +
          `   plain arrays: ${formatTime(median('kernelPlain'))} vs ${formatTime(median('poolPlain'))} ` +
          `→ ${formatRatio(row.speedupPlain)}` +
          `   minima → ${formatRatio(row.speedupOfMinima)}; other processes kept ` +
          `${others === null ? '?' : others.toFixed(2)} cores busy`,
      );
      for (const x of contenders) x.dispose();
    }
  }
  consumeSink();
  await Promise.all(Object.values(pools).map((pool) => pool.terminate()));
  const loadAfter = loadavg();
  console.log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  const root = packageRoot();
  writeJson(join(root, 'bench', 'results', 'pool-latest.json'), {
    date: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine,
    engine: engineInfo(),
    packages: packageVersions(root, ['assemblyscript']),
    backend: kernels.zero.backend,
    threads: THREADS,
    loadAverage: { before: loadBefore, after: loadAfter },
    method:
      'shuffled round-robin of single calls (lib/timing.ts measureRoundRobinAsync), each awaited before ' +
      'the next; median per contender; speedup = median of one thread / median of the pool, same run; ' +
      'speedupOfMinima = the same for the fastest call of each (the least disturbed); othersBusyCores ' +
      '= cores that other processes kept busy on average during the row (machine busy time from ' +
      "/proc/stat minus this process's CPU time, over wall time)",
    cases: CASES.map(({ id, description, sizes }) => ({
      id,
      description,
      sizes: sizes.map(([label, n]) => ({ label, n })),
    })),
    contenders: {
      kernel: 'loadDice(), pred/target/out from k.alloc: one thread, zero copy',
      pool: `createDicePool({ threads: ${THREADS} }) (default parallelThreshold), pred/target/out from pool.alloc`,
      poolSplit: `createDicePool({ threads: ${THREADS}, parallelThreshold: 0 }), small sizes only: every call split`,
      kernelPlain: 'loadDice() with plain typed arrays (streamed through the staging area)',
      poolPlain:
        `createDicePool({ threads: ${THREADS} }) with plain typed arrays (copied into the ` +
        'shared memory whole, gradient copied out, on the calling thread)',
    },
    targets,
    rows,
  });
}

await main();
