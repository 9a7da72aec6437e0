// Benchmark: memory over a long loop of calls, as in training. One million calls on a kernel
// (a third each: diceLossWithGrad on plain arrays, diceLoss with softmax over a label map, and
// diceCELossWithGrad on an array allocated in a scope for that call), then 100 000 split calls on a
// pool of 2 workers (the same mix, parallelThreshold 0). Records the WebAssembly memory, the JS
// heap after a full garbage collection, and the process's resident set at checkpoints; the
// claim is that the first two stay flat after the warm-up. Writes bench/results/memory-latest.json.
import { join } from 'node:path';
import { createDicePool, loadDice, type DiceKernel, type DicePool } from '../src/index.js';
import { heapAfterGc } from '../test/support/heap.js';
import { rng } from '../test/support/random.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { writeJson } from './lib/report.js';

const C = 3,
  S = 1031;
const KERNEL_CALLS = 1_000_000;
const POOL_CALLS = 100_000;
const CHECKPOINTS = 10;
/** Iterations (three calls each) before the first checkpoint: the arena and V8 settle. */
const WARMUP_ITERATIONS = 1000;

interface Checkpoint {
  calls: number;
  seconds: number;
  wasmBytes: number;
  heapBytes: number;
  rssBytes: number;
}

function inputs() {
  const random = rng(5);
  return {
    probs: Float32Array.from({ length: S }, () => random()),
    mask: Float32Array.from({ length: S }, () => (random() < 0.3 ? 1 : 0)),
    logits: Float32Array.from({ length: C * S }, () => 8 * random() - 4),
    labels: Uint8Array.from({ length: S }, () => Math.floor(random() * C)),
    out: new Float32Array(C * S),
  };
}

/** Runs `iterations` of the three-call mix on `runner`, with checkpoints; returns them. */
async function loop(runner: DiceKernel | DicePool, calls: number): Promise<Checkpoint[]> {
  const x = inputs();
  const shape = [1, C, S];
  const iteration = async () => {
    await runner.diceLossWithGrad(x.probs, x.mask);
    await runner.diceLoss(x.logits, x.labels, { shape, activation: 'softmax' });
    await runner.scope(async (scope) => {
      const logits = scope.alloc(Float32Array, x.logits.length);
      logits.set(x.logits);
      await runner.diceCELossWithGrad(logits, x.labels, { shape, out: x.out });
    });
  };
  for (let i = 0; i < WARMUP_ITERATIONS; i++) await iteration();
  const iterations = Math.round(calls / 3);
  const every = Math.round(iterations / CHECKPOINTS);
  const start = performance.now();
  const checkpoints: Checkpoint[] = [];
  const record = (done: number) =>
    checkpoints.push({
      calls: 3 * done,
      seconds: (performance.now() - start) / 1000,
      wasmBytes: runner.memory!.buffer.byteLength,
      heapBytes: heapAfterGc(),
      rssBytes: process.memoryUsage().rss,
    });
  record(0);
  for (let i = 1; i <= iterations; i++) {
    await iteration();
    if (i % every === 0 || i === iterations) record(i);
  }
  return checkpoints;
}

function summary(checkpoints: Checkpoint[]) {
  const first = checkpoints[0],
    last = checkpoints[checkpoints.length - 1];
  const heaps = checkpoints.map((c) => c.heapBytes);
  return {
    calls: last.calls,
    seconds: last.seconds,
    wasmGrowthBytes: last.wasmBytes - first.wasmBytes,
    heapDriftBytes: last.heapBytes - first.heapBytes,
    heapRangeBytes: Math.max(...heaps) - Math.min(...heaps),
    rssDriftBytes: last.rssBytes - first.rssBytes,
  };
}

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(2)} MiB`;

function print(name: string, checkpoints: Checkpoint[]): void {
  const s = summary(checkpoints);
  console.log(
    `${name}: ${s.calls} calls in ${s.seconds.toFixed(1)} s; WebAssembly memory ` +
      `${mib(checkpoints[0].wasmBytes)} → ${mib(checkpoints[checkpoints.length - 1].wasmBytes)} ` +
      `(growth ${s.wasmGrowthBytes} bytes); ` +
      `JS heap after gc ${mib(checkpoints[0].heapBytes)} → ` +
      `${mib(checkpoints[checkpoints.length - 1].heapBytes)} (drift ` +
      `${(s.heapDriftBytes / 1024).toFixed(1)} KiB, range over checkpoints ` +
      `${(s.heapRangeBytes / 1024).toFixed(1)} KiB); RSS drift ${mib(s.rssDriftBytes)}`,
  );
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log('dice-wasm benchmark: memory over many calls');
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores; engine: Node ${engineInfo().node}`);
  const kernel = await loadDice();
  const kernelCheckpoints = await loop(kernel, KERNEL_CALLS);
  print(`kernel (${kernel.backend})`, kernelCheckpoints);
  const pool = await createDicePool({ threads: 2, parallelThreshold: 0 });
  const poolCheckpoints = await loop(pool, POOL_CALLS);
  await pool.terminate();
  print('pool (2 workers, every call split)', poolCheckpoints);
  const root = packageRoot();
  writeJson(join(root, 'bench', 'results', 'memory-latest.json'), {
    date: new Date().toISOString(),
    machine,
    engine: engineInfo(),
    packages: packageVersions(root, ['assemblyscript']),
    method:
      `${WARMUP_ITERATIONS} warm-up iterations of the three-call mix, then checkpoints ` +
      '(WebAssembly memory size, JS heap used after two full gc, RSS) every tenth of the calls; inputs ' +
      `[1, ${C}, ${S}]`,
    mix: [
      'diceLossWithGrad(probs, mask) on plain arrays',
      'diceLoss(logits, labels, { activation: softmax })',
      'scope: alloc the logits, diceCELossWithGrad(logits, labels, { out })',
    ],
    kernel: { backend: kernel.backend, summary: summary(kernelCheckpoints), checkpoints: kernelCheckpoints },
    pool: { threads: 2, parallelThreshold: 0, summary: summary(poolCheckpoints), checkpoints: poolCheckpoints },
  });
}

await main();
