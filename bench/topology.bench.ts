// Benchmark of the topology metrics and the losses on whole class volumes on a 160³ volume: the
// WebAssembly builds (SIMD and scalar) against the JS backend (float64 TypeScript), per call:
//   metrics: k.metrics with 'cldice' (Lee thinning of both masks), and with 'biou' (chessboard
//            bands of the default width: 6 voxels at 160³);
//   losses:  value + gradient of clDiceLoss, diceClDiceLoss (3 soft-skeleton iterations),
//            hausdorffDTLoss and boundaryLoss on probabilities [1, 2, 160, 160, 160].
// The data: a target of random tubes (vessel-like), a prediction that shifts some and drops
// others; the probabilities blur the prediction. Same method as the other benchmarks: an
// agreement check against the JS backend, then shuffled round-robin medians (lib/timing.ts), few
// samples (a JS call takes seconds); the machine's load is recorded (/proc/loadavg, and the cores
// other processes kept busy during the run). Run with `npm run bench:topology` (`-- --size 96`
// for a smaller volume); writes bench/results/topology-latest.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDice, type DiceKernel } from '../src/index.js';
import { assertAgreement, CHECK_ONLY } from './lib/agree.js';
import { rng } from './lib/data.js';
import { cpuSnapshot, engineInfo, machineInfo, othersBusyCores, packageRoot } from './lib/machine.js';
import { formatRatio, formatTime, writeJson } from './lib/report.js';
import { consumeSink, measureRoundRobin, type Runnable } from './lib/timing.js';

const sizeArg = process.argv.indexOf('--size');
const N = sizeArg > 0 ? Number(process.argv[sizeArg + 1]) : 160;
const SCHEDULE = { warmupRounds: 1, warmupMs: 0, minSamples: 3, budgetMs: 0, maxSamples: 3 };
const BACKENDS = ['simd', 'scalar', 'js'] as const;

/** Tubes of radius 2–4 along random straight segments: the target, and a prediction that moves or drops some. */
function volumes(n: number): { pred: Uint8Array; target: Uint8Array; probs: Float32Array } {
  const random = rng(0x70b0);
  const tubes = Array.from({ length: 24 }, () => {
    const a = [random() * n, random() * n, random() * n];
    const b = [random() * n, random() * n, random() * n];
    return { a, b, r: 2 + 2 * random(), shift: random() < 0.3 ? 2 : 0, dropped: random() < 0.15 };
  });
  const S = n * n * n;
  const target = new Uint8Array(S);
  const pred = new Uint8Array(S);
  const near = new Float32Array(S).fill(1e9);
  for (const t of tubes) {
    const d = t.b.map((v, i) => v - t.a[i]);
    const len2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    const lo = t.a.map((v, i) => Math.max(0, Math.floor(Math.min(v, t.b[i]) - t.r - 4)));
    const hi = t.a.map((v, i) => Math.min(n - 1, Math.ceil(Math.max(v, t.b[i]) + t.r + 4)));
    for (let z = lo[0]; z <= hi[0]; z++)
      for (let y = lo[1]; y <= hi[1]; y++)
        for (let x = lo[2]; x <= hi[2]; x++) {
          const distanceTo = (shift: number) => {
            const p = [z - t.a[0], y - t.a[1] - shift, x - t.a[2]];
            const s = Math.max(0, Math.min(1, (p[0] * d[0] + p[1] * d[1] + p[2] * d[2]) / len2));
            return Math.hypot(p[0] - s * d[0], p[1] - s * d[1], p[2] - s * d[2]);
          };
          const i = (z * n + y) * n + x;
          if (distanceTo(0) < t.r) target[i] = 1;
          if (t.dropped) continue;
          const dp = distanceTo(t.shift) - t.r;
          if (dp < 0) pred[i] = 1;
          near[i] = Math.min(near[i], dp);
        }
  }
  // Two channels, background then tube: p = σ(−2·(signed distance to the predicted tubes) + noise).
  const probs = new Float32Array(2 * S);
  for (let i = 0; i < S; i++) {
    const p = 1 / (1 + Math.exp(2 * Math.min(near[i], 20) + 0.5 * (random() - 0.5)));
    probs[S + i] = p;
    probs[i] = 1 - p;
  }
  return { pred, target, probs };
}

interface Case {
  id: string;
  label: string;
  /** One call on kernel k: its value (a number, so the work is observable) and gradient if any. */
  call(k: DiceKernel): { loss: number; grad?: Float32Array };
  tolerance: { loss: number; grad: number };
}

function cases(data: ReturnType<typeof volumes>): Case[] {
  const { pred, target, probs } = data;
  const labelShape = [1, N, N, N];
  const shape = [1, 2, N, N, N];
  const onehot = new Float32Array(2 * N * N * N);
  for (let i = 0; i < target.length; i++) onehot[target[i] * target.length + i] = 1;
  const metric = (name: string) => (k: DiceKernel) => {
    const r = k.metrics(pred, target, { numClasses: 2, shape: labelShape, includeBackground: false, metrics: [name] });
    return { loss: (r[name] as Float64Array)[1] };
  };
  const grad = new Map<DiceKernel, Float32Array>();
  const loss =
    (name: 'clDice' | 'diceClDice' | 'hausdorffDT' | 'boundary') =>
    (k: DiceKernel): { loss: number; grad: Float32Array } => {
      if (!grad.has(k)) grad.set(k, new Float32Array(probs.length));
      const out = grad.get(k) as Float32Array;
      const method = k[`${name}LossWithGrad`] as (
        p: Float32Array,
        t: Float32Array,
        o: object,
      ) => { loss: number; grad: Float32Array };
      const r = method.call(k, probs, onehot, { shape, includeBackground: false, out });
      return { loss: r.loss, grad: r.grad };
    };
  const exact = { loss: 0, grad: 0 };
  const f32 = { loss: 1e-5, grad: 1e-4 };
  return [
    { id: 'cldice', label: "metrics 'cldice' (Lee thinning of both masks)", call: metric('cldice'), tolerance: exact },
    { id: 'biou', label: "metrics 'biou' (default width, chessboard)", call: metric('biou'), tolerance: exact },
    { id: 'clDiceLoss', label: 'clDiceLossWithGrad (3 iterations)', call: loss('clDice'), tolerance: f32 },
    { id: 'diceClDiceLoss', label: 'diceClDiceLossWithGrad', call: loss('diceClDice'), tolerance: f32 },
    { id: 'hausdorffDTLoss', label: 'hausdorffDTLossWithGrad (α 2)', call: loss('hausdorffDT'), tolerance: f32 },
    { id: 'boundaryLoss', label: 'boundaryLossWithGrad', call: loss('boundary'), tolerance: f32 },
  ];
}

function loadavg(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const root = packageRoot();
  const machine = machineInfo();
  const engine = engineInfo();
  console.log(`dice-wasm topology benchmark, ${N}³ (median of ${SCHEDULE.minSamples} shuffled round-robin samples)`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores; engine: Node ${engine.node}, V8 ${engine.v8}`);
  const loadBefore = loadavg();
  console.log(`load average before: ${loadBefore.join(' ')}`);
  const kernels = await Promise.all(BACKENDS.map((backend) => loadDice({ backend })));
  const data = volumes(N);
  const rows = [];
  for (const c of cases(data)) {
    console.error(`${c.id}`);
    const answers = kernels.map((k) => c.call(k));
    const agreement = Object.fromEntries(
      BACKENDS.map((b, i) => [b, assertAgreement(`${c.id} ${b}`, answers[i], answers[2], c.tolerance)]),
    );
    if (CHECK_ONLY) continue;
    const from = cpuSnapshot();
    const contenders: Runnable[] = kernels.map((k, i) => ({ id: BACKENDS[i], run: () => c.call(k).loss }));
    const measured = measureRoundRobin(contenders, SCHEDULE);
    const others = othersBusyCores(from, cpuSnapshot());
    const median = Object.fromEntries(BACKENDS.map((b) => [b, (measured.get(b) as { medianMs: number }).medianMs]));
    const row = {
      id: c.id,
      label: c.label,
      value: answers[2].loss,
      medianMs: median,
      speedupVsJs: { simd: median.js / median.simd, scalar: median.js / median.scalar },
      agreement,
      othersBusyCores: others,
    };
    rows.push(row);
    console.log(
      `${c.label.padEnd(48)} simd ${formatTime(median.simd).padStart(9)}  ` +
        `scalar ${formatTime(median.scalar).padStart(9)}  js ${formatTime(median.js).padStart(9)}  ` +
        `simd ${formatRatio(row.speedupVsJs.simd)} / scalar ` +
        `${formatRatio(row.speedupVsJs.scalar)} the JS backend; others' busy cores ${others?.toFixed(1) ?? '?'}`,
    );
  }
  consumeSink();
  if (CHECK_ONLY) return;
  const loadAfter = loadavg();
  console.log(`load average after: ${loadAfter.join(' ')}`);
  const path = join(root, 'bench', 'results', 'topology-latest.json');
  writeJson(path, {
    schemaVersion: 1,
    date: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine,
    engine,
    size: N,
    loadavg: { before: loadBefore, after: loadAfter },
    method:
      'per case: an agreement check (metrics equal to the JS backend, losses and gradients within float32 ' +
      'tolerances, else the run fails), one warm-up round, then rounds calling every backend once each in a ' +
      'shuffled order, each call timed alone; the median of each',
    rows,
  });
  console.log(`results: ${path}`);
}

await main();
