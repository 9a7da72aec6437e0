// Benchmark of the Lovász losses, in two parts:
//   1. the argsort behind them: the WebAssembly radix sort (SIMD and scalar builds) against
//      TypeScript sorts of the same keys — the JS backend's radix sort, a Float64Array trick and
//      a comparator sort — at 1K, 10K, 100K and 1M keys;
//   2. lovaszSoftmaxLossWithGrad (4 classes) and lovaszHingeLossWithGrad per call on the JS
//      backend and the WebAssembly builds (zero-copy), at 4K, 64K and 1M elements of pred.
// Same method as dice.bench.ts: an agreement check, then shuffled round-robin medians
// (lib/timing.ts). Run with `npm run bench:lovasz`; writes bench/results/lovasz-latest.json.
import { join } from 'node:path';
import { loadDice, type DiceKernel } from '../src/index.js';
import { argsortDescending } from '../src/backends/js/argsort.js';
import { wasmBytes, type WasmFlavor } from '../src/runtime/binaries.js';
import { comparatorArgsort, packedFloat64Argsort } from './lib/argsorts.js';
import { binaryData, softmaxData } from './lib/data.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { assertAgreement, CHECK_ONLY, type Tolerance } from './lib/agree.js';
import { formatRatio, formatTime, sizeLabel, writeJson } from './lib/report.js';
import { consumeSink, measureRoundRobin, type Measurement, type Runnable, type Schedule } from './lib/timing.js';

const SORT_SIZES = [1_000, 10_000, 100_000, 1_000_000];
const LOSS_SIZES = [1 << 12, 1 << 16, 1 << 20];

const SCHEDULE: Readonly<Record<'small' | 'medium' | 'large', Schedule>> = {
  small: { warmupRounds: 20, warmupMs: 300, minSamples: 30, budgetMs: 1_500, maxSamples: 1_000 },
  medium: { warmupRounds: 5, warmupMs: 300, minSamples: 15, budgetMs: 3_000, maxSamples: 300 },
  large: { warmupRounds: 2, warmupMs: 0, minSamples: 7, budgetMs: 8_000, maxSamples: 50 },
};
const scheduleFor = (n: number): Schedule =>
  n <= 16_384 ? SCHEDULE.small : n <= 131_072 ? SCHEDULE.medium : SCHEDULE.large;

interface Row {
  id: string;
  label: string;
}

interface SizeResult {
  n: number;
  label: string;
  results: Record<string, { medianMs: number; q1Ms: number; q3Ms: number; samples: number; nsPerElement: number }>;
  /** The losses: each contender's relative difference from the JS backend (loss; gradient, max |Δ| / max |grad|). */
  agreement?: Record<string, { loss: number; grad: number }>;
}

// ---------------------------------------------------------------------------------------------
// 1. The argsort

const SORT_ROWS: readonly Row[] = [
  { id: 'wasmSimd', label: 'WASM radix (SIMD build)' },
  { id: 'wasmScalar', label: 'WASM radix (scalar build)' },
  { id: 'tsRadix', label: 'TS radix (JS backend)' },
  { id: 'packedFloat64', label: 'TS Float64Array packed sort' },
  { id: 'comparator', label: 'TS comparator sort' },
];

/**
 * The keys a Lovász-Softmax call sorts: |y − p| of class 1 of the softmax4 data (4 classes,
 * label runs, logits that mostly agree with the labels), rounded to float32.
 */
function lovaszKeys(n: number): Float32Array {
  const { logits, labels } = softmaxData(4 * n, 4, 0x50 + n);
  const keys = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    let z = 0;
    for (let c = 0; c < 4; c++) z += Math.exp(logits[c * n + s]);
    keys[s] = Math.abs((labels[s] === 1 ? 1 : 0) - Math.exp(logits[n + s]) / z);
  }
  return keys;
}

/**
 * The radix sort of one WebAssembly build on (index, key) pairs in its memory. Each run first
 * restores the unsorted pairs (a copy of 8n bytes, ~3 % of the sort at 1M), since the sort works
 * in place; it returns the first index so that nothing is optimised away.
 */
function wasmSort(flavor: WasmFlavor, keys: Float32Array): Runnable & { order(): Uint32Array } {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(flavor)), {}).exports;
  const memory = exports.memory as WebAssembly.Memory;
  const argsort = exports.argsortDesc_f32 as (pairs: number, n: number, work: number) => void;
  const n = keys.length;
  const base = ((exports.heapBase as () => number)() + 63) & ~63;
  const work = base + 8 * n;
  const end = work + (exports.argsortWorkBytes as (n: number) => number)(n);
  if (memory.buffer.byteLength < end) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  const unsorted = new Uint32Array(2 * n);
  const keyBits = new Uint32Array(keys.buffer, keys.byteOffset, n);
  for (let i = 0; i < n; i++) {
    unsorted[2 * i] = i;
    unsorted[2 * i + 1] = keyBits[i];
  }
  const pairs = new Uint32Array(memory.buffer, base, 2 * n);
  return {
    id: flavor === 'simd' ? 'wasmSimd' : 'wasmScalar',
    run: () => {
      pairs.set(unsorted);
      argsort(base, n, work);
      return pairs[0];
    },
    order: () => Uint32Array.from({ length: n }, (_, i) => pairs[2 * i]),
  };
}

function sortSize(n: number): SizeResult | null {
  const keys = lovaszKeys(n);
  const simd = wasmSort('simd', keys);
  const scalar = wasmSort('scalar', keys);
  const typescript = (id: string, sort: (k: Float32Array) => Uint32Array): Runnable & { order(): Uint32Array } => {
    let last: Uint32Array = new Uint32Array(0);
    const run = () => {
      last = sort(keys);
      return last[0];
    };
    return { id, run, order: () => last };
  };
  const contenders = [
    simd,
    scalar,
    typescript('tsRadix', argsortDescending),
    typescript('packedFloat64', packedFloat64Argsort),
    typescript('comparator', comparatorArgsort),
  ];
  // Agreement: every sort gives the same permutation (descending, equal keys by index).
  for (const c of contenders) c.run();
  const expected = contenders[4].order();
  for (const c of contenders) {
    const order = c.order();
    if (order.length !== n || order.some((v, i) => v !== expected[i]))
      throw new Error(`${c.id} sorts ${sizeLabel(n)} keys differently from the comparator sort`);
  }
  if (CHECK_ONLY) {
    console.log(`argsort of ${decimalLabel(n)} keys: every sort gives the comparator's permutation`);
    return null;
  }
  return record(n, decimalLabel(n), measureRoundRobin(contenders, scheduleFor(n)));
}

// ---------------------------------------------------------------------------------------------
// 2. The losses, value and gradient per call

const LOSS_ROWS: readonly Row[] = [
  { id: 'jsBackend', label: 'JS backend' },
  { id: 'wasmZeroCopy', label: 'WASM SIMD zero-copy' },
  { id: 'scalarZeroCopy', label: 'WASM scalar zero-copy' },
];

interface LossCase {
  id: string;
  description: string;
  /**
   * Agreement of the WebAssembly builds with the JS backend: the loss relative, the gradient as max |Δ| / max |grad|.
   */
  tolerance: Tolerance;
  shape(n: number): number[];
  inputs(n: number): { pred: Float32Array; target: Float32Array | Uint8Array };
  call(
    k: DiceKernel,
    pred: Float32Array,
    target: Float32Array | Uint8Array,
    shape: number[],
    out: Float32Array,
  ): number;
}

const LOSS_CASES: readonly LossCase[] = [
  {
    id: 'lovaszSoftmax4',
    description:
      'lovaszSoftmaxLossWithGrad: logits [1, 4, n/4] (softmax4 data of dice.bench.ts), Uint8Array labels, ' +
      "classes 'present', over the batch",
    // Errors closer than the float32 softmax's rounding may sort differently and move single
    // voxels' gradients by a Jaccard step (see test/losses/lovasz-agree.test.ts): up to 6e-5 seen.
    tolerance: { loss: 1e-5, grad: 5e-4 },
    shape: (n) => [1, 4, n / 4],
    inputs: (n) => {
      const { logits, labels } = softmaxData(n, 4, 0x54 + n);
      return { pred: logits, target: labels };
    },
    call: (k, pred, target, shape, out) => k.lovaszSoftmaxLossWithGrad(pred, target, { shape, out }).loss,
  },
  {
    id: 'lovaszHinge',
    description:
      'lovaszHingeLossWithGrad: n logits (log-odds of the binary data of dice.bench.ts), Float32Array 0/1 mask, ' +
      'shape [n]',
    // The hinge's errors are float32 on every backend: the same order, the same gradient.
    tolerance: { loss: 1e-5, grad: 1e-6 },
    shape: (n) => [n],
    inputs: (n) => {
      const { pred, target } = binaryData(n, 0xb1 + n);
      return { pred: pred.map((p) => Math.log(p / (1 - p))), target };
    },
    call: (k, pred, target, shape, out) => k.lovaszHingeLossWithGrad(pred, target, { shape, out }).loss,
  },
];

function lossSize(lossCase: LossCase, n: number, kernels: Record<string, DiceKernel>): SizeResult | null {
  const { pred, target } = lossCase.inputs(n);
  const shape = lossCase.shape(n);
  const disposers: (() => void)[] = [];
  const contenders = LOSS_ROWS.map(({ id }) => {
    const k = kernels[id];
    if (id === 'jsBackend') {
      const out = new Float32Array(n);
      return { id, run: () => lossCase.call(k, pred, target, shape, out), grad: () => out };
    }
    // Zero-copy: the arrays and the call's work areas (probabilities, ∂L/∂p, pairs) fit in
    // memory reserved up front, so that no call grows the memory and detaches the arrays.
    k.reserve(8 * pred.byteLength + (8 << 20));
    const p = k.alloc(Float32Array, n);
    p.set(pred);
    const t = target instanceof Float32Array ? k.alloc(Float32Array, n) : k.alloc(Uint8Array, target.length);
    t.set(target);
    const out = k.alloc(Float32Array, n);
    disposers.push(() => {
      for (const a of [p, t, out]) k.free(a);
    });
    return { id, run: () => lossCase.call(k, p, t, shape, out), grad: () => out };
  });
  try {
    // Agreement with the JS backend, loss and gradient, within the case's tolerance or the run fails.
    const outcomes = contenders.map((c) => ({ id: c.id, loss: c.run(), grad: Float32Array.from(c.grad()) }));
    const reference = outcomes[0];
    const agreement: Record<string, { loss: number; grad: number }> = {};
    for (const o of outcomes) {
      const { loss, grad } = assertAgreement(
        `${lossCase.id} at ${sizeLabel(n)}: ${o.id} vs the JS backend`,
        o,
        reference,
        lossCase.tolerance,
      );
      agreement[o.id] = { loss, grad: grad ?? 0 };
    }
    if (CHECK_ONLY) {
      console.log(`${lossCase.id} at ${sizeLabel(n)}: agrees with the JS backend (${JSON.stringify(agreement)})`);
      return null;
    }
    return { ...record(n, sizeLabel(n), measureRoundRobin(contenders, scheduleFor(n))), agreement };
  } finally {
    for (const dispose of disposers) dispose();
  }
}

// ---------------------------------------------------------------------------------------------

function record(n: number, label: string, measured: Map<string, Measurement>): SizeResult {
  const results: SizeResult['results'] = {};
  for (const [id, m] of measured) {
    results[id] = {
      medianMs: m.medianMs,
      q1Ms: m.q1Ms,
      q3Ms: m.q3Ms,
      samples: m.samplesMs.length,
      nsPerElement: (m.medianMs * 1e6) / n,
    };
  }
  return { n, label, results };
}

/** Median per call, ns per element, and the ratio `baseline median / median`. */
function table(title: string, rows: readonly Row[], sizes: readonly SizeResult[], baseline: string): string {
  const labelWidth = Math.max(...rows.map((r) => r.label.length)) + 2;
  const cell = (s: string) => s.padEnd(30);
  const lines = [
    title,
    ''.padEnd(labelWidth) +
      sizes
        .map((s) => cell(`n = ${s.label}`))
        .join('')
        .trimEnd(),
  ];
  for (const row of rows) {
    lines.push(
      row.label.padEnd(labelWidth) +
        sizes
          .map((s) => {
            const r = s.results[row.id];
            const ratio = s.results[baseline].medianMs / r.medianMs;
            const perKey = `${r.nsPerElement.toPrecision(3)} ns`;
            return cell(
              `${formatTime(r.medianMs).padStart(9)} ${perKey.padStart(9)} ${formatRatio(ratio).padStart(7)}`,
            );
          })
          .join('')
          .trimEnd(),
    );
  }
  return lines.join('\n');
}

function decimalLabel(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1_000}K`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const root = packageRoot();
  const machine = machineInfo();
  const engine = engineInfo();
  const packages = packageVersions(root, ['assemblyscript']);
  console.log('dice-wasm Lovász benchmark (median of shuffled round-robin samples; cold: single calls)');
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores; engine: Node ${engine.node}, V8 ${engine.v8}; ${Object.entries(
      packages,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log('');

  const sorts = SORT_SIZES.map((n) => {
    console.error(`argsort of ${decimalLabel(n)} keys`);
    return sortSize(n);
  }).filter((s) => s !== null);
  if (!CHECK_ONLY)
    console.log(
      table(
        'Argsort of Lovász-Softmax errors (float32 keys, descending, stable): median, ns per key, speed-up vs ' +
          'the comparator sort',
        SORT_ROWS,
        sorts,
        'comparator',
      ),
    );
  console.log('');

  const kernels: Record<string, DiceKernel> = {
    jsBackend: await loadDice({ backend: 'js' }),
    wasmZeroCopy: await loadDice({ backend: 'simd' }),
    scalarZeroCopy: await loadDice({ backend: 'scalar' }),
  };
  const losses = LOSS_CASES.map((lossCase) => {
    const sizes = LOSS_SIZES.map((n) => {
      console.error(`${lossCase.id} at n = ${sizeLabel(n)}`);
      return lossSize(lossCase, n, kernels);
    }).filter((s) => s !== null);
    if (CHECK_ONLY) return { id: lossCase.id, description: lossCase.description, sizes };
    console.log(
      table(
        `${lossCase.id}, value + gradient per call: median, ns per element of pred, speed-up vs the JS backend`,
        LOSS_ROWS,
        sizes,
        'jsBackend',
      ),
    );
    for (const s of sizes) {
      const notes = Object.entries(s.agreement ?? {})
        .filter(([id]) => id !== 'jsBackend')
        .map(([id, a]) => `${id} loss ${a.loss.toExponential(1)}, grad ${a.grad.toExponential(1)}`);
      console.log(`  difference from the JS backend at n = ${s.label}: ${notes.join('; ')}`);
    }
    console.log('');
    return { id: lossCase.id, description: lossCase.description, sizes };
  });
  consumeSink();
  if (CHECK_ONLY) return;

  const path = join(root, 'bench', 'results', 'lovasz-latest.json');
  writeJson(path, {
    schemaVersion: 1,
    date: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine,
    engine,
    packages,
    method:
      'per size: an agreement check (the sorts: the same permutation as the comparator sort; the losses: loss ' +
      'and gradient within the tolerance of each case (recorded) of the JS backend, else the run fails), then ' +
      'warm-up rounds, then timed rounds calling every contender once each, in a shuffled order, each call timed ' +
      'alone; the median of each contender',
    argsort: { keys: 'float32 |y − p| of class 1 of the softmax4 data (4 classes)', rows: SORT_ROWS, sizes: sorts },
    losses: losses.map((l) => ({
      ...l,
      tolerance: LOSS_CASES.find((c) => c.id === l.id)?.tolerance,
      rows: LOSS_ROWS,
    })),
  });
  console.log(`results: ${path}`);
}

await main();
