// Benchmark: dice-wasm against the native ceiling. The same work compiled from C (bench/native,
// gcc -O3 -ffast-math -fopenmp-simd, one thread) as C-128 (-msse4.1 -mno-avx: WebAssembly's
// vector width) and C-native (-march=native), alternated with dice-wasm in one run: zero-copy
// arrays from k.alloc, warm calls (each sample a batch of consecutive calls of one contender
// lasting about BATCH_MS, contenders in a shuffled order every round), medians. Then the cost
// per element against the number of classes (softmax Dice, confusion counts) and plain arrays
// against zero copy. Writes bench/results/ceiling-latest.json; `npm run bench:ceiling`.
//
// Without a C compiler it says so and times dice-wasm alone. Only ratios from one run mean
// anything on a shared machine; the load average is recorded with every table.
//
// Options: --cases=binary-u8,softmax4-nchw --sizes=64K,1M --parts=ceiling,classes,plain
// (a partial run writes bench/results/ceiling.tmp.json instead of ceiling-latest.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDice, type DiceKernel } from '../src/index.js';
import { CEILING_CASES, labelPair, softmaxInputs, type CeilingCase, type Placement } from './lib/ceiling-cases.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { compileNative, findCompiler, NATIVE_BUILDS, NativeProcess, type Compiler } from './lib/native.js';
import { formatRatio, formatTime, progress, sizeLabel, writeJson } from './lib/report.js';
import { rng } from '../test/support/random.js';
import { quantile } from './lib/timing.js';

const SIZES = [1 << 16, 1 << 20, 1 << 24];
/** Target duration of one warm sample (a batch of consecutive calls, at least one). */
const BATCH_MS = 4;

interface Schedule {
  warmupRounds: number;
  minSamples: number;
  budgetMs: number;
  maxSamples: number;
}
const SCHEDULES: Record<number, Schedule> = {
  [1 << 16]: { warmupRounds: 3, minSamples: 15, budgetMs: 2_500, maxSamples: 200 },
  [1 << 20]: { warmupRounds: 2, minSamples: 11, budgetMs: 3_500, maxSamples: 100 },
  [1 << 24]: { warmupRounds: 1, minSamples: 7, budgetMs: 6_000, maxSamples: 30 },
};

/** Something timed: `sample(calls)` makes `calls` consecutive calls and reports ms per call. */
interface Contender {
  id: string;
  sample(calls: number): Promise<{ ms: number; loss: number }>;
}

interface Timing {
  medianMs: number;
  q1Ms: number;
  q3Ms: number;
  samples: number;
  loss: number;
}

function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return 'unavailable';
  }
}

/** Warm-up rounds, a calibration of each contender's batch, then shuffled rounds while the schedule asks. */
async function measure(contenders: readonly Contender[], schedule: Schedule): Promise<Map<string, Timing>> {
  const random = rng(20261207);
  const order = contenders.map((_, i) => i);
  const shuffle = () => {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  };
  for (let r = 0; r < schedule.warmupRounds; r++) {
    shuffle();
    for (const i of order) await contenders[i].sample(1);
  }
  const calls = contenders.map(() => 1);
  for (let i = 0; i < contenders.length; i++) {
    const { ms } = await contenders[i].sample(1);
    calls[i] = Math.max(1, Math.round(BATCH_MS / Math.max(ms, 1e-3)));
  }
  const samples = contenders.map(() => [] as number[]);
  const losses = contenders.map(() => NaN);
  const start = performance.now();
  for (
    let round = 0;
    round < schedule.maxSamples && (round < schedule.minSamples || performance.now() - start < schedule.budgetMs);
    round++
  ) {
    shuffle();
    for (const i of order) {
      const { ms, loss } = await contenders[i].sample(calls[i]);
      samples[i].push(ms);
      losses[i] = loss;
    }
  }
  const result = new Map<string, Timing>();
  contenders.forEach((c, i) => {
    const sorted = [...samples[i]].sort((a, b) => a - b);
    result.set(c.id, {
      medianMs: quantile(sorted, 0.5),
      q1Ms: quantile(sorted, 0.25),
      q3Ms: quantile(sorted, 0.75),
      samples: sorted.length,
      loss: losses[i],
    });
  });
  return result;
}

/** A dice-wasm call as a contender: `calls` consecutive calls timed together. */
function wasmContender(id: string, run: () => number): Contender {
  return {
    id,
    sample: async (calls) => {
      let loss = 0;
      const t0 = performance.now();
      for (let c = 0; c < calls; c++) loss = run();
      return { ms: (performance.now() - t0) / calls, loss };
    },
  };
}

function nativeContender(id: string, child: NativeProcess, caseId: string, n: number): Contender {
  return { id, sample: (calls) => child.time(caseId, n, calls) };
}

function parseList(name: string): string[] | null {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3).split(',') : null;
}

// --- Part 1: the cases against C -------------------------------------------------------------

interface CeilingRow {
  n: number;
  label: string;
  loadavgBefore: string;
  loadavgAfter: string;
  timings: Record<string, Timing>;
  /** dice-wasm's median / each reference's. */
  ratios: Record<string, number>;
  /** GB/s of the case's byte model (see CeilingCase.bytesPerUnit) per contender, and the probe's. */
  gbPerSecond: Record<string, number>;
  /** |loss of dice-wasm − loss of C-128| / |loss of C-128| (the C sums in f32). */
  lossRelDiff: number | null;
}

async function ceilingPart(
  k: DiceKernel,
  natives: Map<string, NativeProcess>,
  cases: readonly CeilingCase[],
  sizes: readonly number[],
) {
  const results: Array<{ id: string; description: string; unit: string; bytesPerUnit: number; rows: CeilingRow[] }> =
    [];
  for (const kase of cases) {
    const rows: CeilingRow[] = [];
    for (const n of sizes) {
      progress(`${kase.id} at ${sizeLabel(n)}`);
      const call = kase.make(k, n, 'alloc');
      const contenders: Contender[] = [wasmContender('dice-wasm', call.run)];
      for (const [id, child] of natives) contenders.push(nativeContender(id, child, kase.id, n));
      const probe = natives.get('C-native');
      const probeFloats = Math.round((kase.footprintPerUnit * n) / 4);
      if (probe) contenders.push(nativeContender('probe', probe, 'probe', probeFloats));
      const loadavgBefore = loadavg();
      const timings = await measure(contenders, SCHEDULES[n]);
      const loadavgAfter = loadavg();
      call.free();
      const wasm = timings.get('dice-wasm') as Timing;
      const ratios: Record<string, number> = {};
      const gbPerSecond: Record<string, number> = {};
      for (const [id, t] of timings) {
        if (id === 'probe') {
          gbPerSecond.probe = (probeFloats * 4) / (t.medianMs * 1e6);
          continue;
        }
        gbPerSecond[id] = (kase.bytesPerUnit * n) / (t.medianMs * 1e6);
        if (id !== 'dice-wasm') ratios[id] = wasm.medianMs / t.medianMs;
      }
      const c128 = timings.get('C-128');
      rows.push({
        n,
        label: sizeLabel(n),
        loadavgBefore,
        loadavgAfter,
        timings: Object.fromEntries(timings),
        ratios,
        gbPerSecond,
        lossRelDiff: c128 ? Math.abs(wasm.loss - c128.loss) / Math.abs(c128.loss) : null,
      });
    }
    results.push({
      id: kase.id,
      description: kase.description,
      unit: kase.unit,
      bytesPerUnit: kase.bytesPerUnit,
      rows,
    });
    console.log(ceilingTable(results[results.length - 1]));
  }
  return results;
}

function ceilingTable(result: { id: string; description: string; bytesPerUnit: number; rows: CeilingRow[] }): string {
  const hasC = result.rows.some((r) => 'C-128' in r.timings);
  const header = hasC
    ? '| n | dice-wasm | C-128 | C-native | wasm / C-128 | wasm / C-native | ' +
      'GB/s wasm · C-128 · C-native · probe | load |'
    : '| n | dice-wasm | GB/s | load |';
  const lines = [
    `${result.id}: ${result.description} (GB/s: ${result.bytesPerUnit} bytes per unit moved)`,
    '',
    header,
    hasC ? '|---|---|---|---|---|---|---|---|' : '|---|---|---|---|',
  ];
  for (const r of result.rows) {
    const t = (id: string) => (r.timings[id] ? formatTime(r.timings[id].medianMs) : '—');
    const gb = (id: string) => (r.gbPerSecond[id] === undefined ? '—' : r.gbPerSecond[id].toFixed(1));
    const load = r.loadavgBefore.split(' ')[0];
    lines.push(
      hasC
        ? `| ${r.label} | ${t('dice-wasm')} | ${t('C-128')} | ${t('C-native')} | ` +
            `${formatRatio(r.ratios['C-128'])} | ${formatRatio(r.ratios['C-native'])} | ` +
            `${gb('dice-wasm')} · ${gb('C-128')} · ${gb('C-native')} · ${gb('probe')} | ${load} |`
        : `| ${r.label} | ${t('dice-wasm')} | ${gb('dice-wasm')} | ${load} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// --- Part 2: cost per element against the number of classes -----------------------------------

const CLASS_COUNTS = [2, 3, 4, 5, 8, 16, 21, 32, 64, 150, 256];
const SWEEP_VOXELS = 1 << 16;
const SWEEP_SCHEDULE: Schedule = { warmupRounds: 2, minSamples: 11, budgetMs: 6_000, maxSamples: 60 };

interface SweepRow {
  C: number;
  medianMs: number;
  /** ns per logit (softmax) or per voxel (confusion). */
  ns: number;
  /** ns / the C = 4 row's ns. */
  vsFourClasses: number;
  samples: number;
}

async function classesPart(k: DiceKernel) {
  const sweeps: Array<{ id: string; description: string; unit: string; loadavg: string[]; rows: SweepRow[] }> = [];
  const run = async (
    id: string,
    description: string,
    unit: 'logit' | 'voxel',
    make: (C: number) => { run: () => number; free: () => void },
  ) => {
    progress(`classes: ${id}`);
    const calls = CLASS_COUNTS.map((C) => ({ C, call: make(C) }));
    const before = loadavg();
    const timings = await measure(
      calls.map(({ C, call }) => wasmContender(String(C), call.run)),
      SWEEP_SCHEDULE,
    );
    const after = loadavg();
    for (const { call } of calls) call.free();
    const per = (C: number) =>
      ((timings.get(String(C)) as Timing).medianMs * 1e6) / (SWEEP_VOXELS * (unit === 'logit' ? C : 1));
    const rows = CLASS_COUNTS.map((C) => ({
      C,
      medianMs: (timings.get(String(C)) as Timing).medianMs,
      ns: per(C),
      vsFourClasses: per(C) / per(4),
      samples: (timings.get(String(C)) as Timing).samples,
    }));
    const sweep = { id, description, unit, loadavg: [before, after], rows };
    sweeps.push(sweep);
    console.log(sweepTable(sweep));
  };
  for (const layout of ['NCHW', 'NHWC'] as const) {
    await run(
      `softmax-${layout.toLowerCase()}`,
      `softmax Dice value + gradient, ${layout}, Uint8Array label map, ${sizeLabel(SWEEP_VOXELS)} voxels, zero copy`,
      'logit',
      (C) => {
        const logits = k.alloc(Float32Array, C * SWEEP_VOXELS);
        const out = k.alloc(Float32Array, C * SWEEP_VOXELS);
        const labels = k.alloc(Uint8Array, SWEEP_VOXELS);
        softmaxInputs(logits, labels, C, 7 + C);
        const shape = layout === 'NCHW' ? [1, C, SWEEP_VOXELS] : [1, SWEEP_VOXELS, C];
        const options = { shape, layout, activation: 'softmax' as const, out };
        return {
          run: () => k.diceLossWithGrad(logits, labels, options).loss,
          free: () => {
            for (const a of [logits, out, labels]) k.free(a);
          },
        };
      },
    );
  }
  await run(
    'confusion',
    'confusion counts of two Uint8Array label maps (runs, 10 % of voxels disagree), ' +
      `${sizeLabel(SWEEP_VOXELS)} voxels, zero copy`,
    'voxel',
    (C) => {
      const pred = k.alloc(Uint8Array, SWEEP_VOXELS);
      const truth = k.alloc(Uint8Array, SWEEP_VOXELS);
      labelPair(pred, truth, C, 11 + C);
      const options = { numClasses: C };
      return {
        run: () => k.confusion(pred, truth, options).tp[0],
        free: () => {
          for (const a of [pred, truth]) k.free(a);
        },
      };
    },
  );
  return sweeps;
}

function sweepTable(sweep: { id: string; description: string; unit: string; loadavg: string[]; rows: SweepRow[] }) {
  return [
    `${sweep.id}: ${sweep.description} (load ${sweep.loadavg[0].split(' ')[0]})`,
    '',
    `| C | ${sweep.rows.map((r) => r.C).join(' | ')} |`,
    `|---|${sweep.rows.map(() => '---').join('|')}|`,
    `| ns per ${sweep.unit} | ${sweep.rows.map((r) => r.ns.toFixed(2)).join(' | ')} |`,
    `| vs C = 4 | ${sweep.rows.map((r) => formatRatio(r.vsFourClasses)).join(' | ')} |`,
    '',
  ].join('\n');
}

// --- Part 3: plain arrays against zero copy -----------------------------------------------------

const PLAIN_CASES = ['binary-f32', 'binary-u8', 'sigmoid-u8', 'softmax4-nchw', 'dicece4-nchw'];
const PLAIN_SIZES = [1 << 20, 1 << 24];

async function plainPart(k: DiceKernel, cases: readonly CeilingCase[], sizes: readonly number[]) {
  const rows: Array<{
    id: string;
    n: number;
    label: string;
    loadavg: string[];
    zeroCopyMs: number;
    plainMs: number;
    ratio: number;
  }> = [];
  for (const kase of cases.filter((c) => PLAIN_CASES.includes(c.id))) {
    for (const n of sizes.filter((s) => PLAIN_SIZES.includes(s))) {
      progress(`plain arrays: ${kase.id} at ${sizeLabel(n)}`);
      const calls = (['alloc', 'plain'] as Placement[]).map((p) => kase.make(k, n, p));
      const before = loadavg();
      const timings = await measure(
        [wasmContender('alloc', calls[0].run), wasmContender('plain', calls[1].run)],
        SCHEDULES[n],
      );
      const after = loadavg();
      for (const c of calls) c.free();
      const zeroCopyMs = (timings.get('alloc') as Timing).medianMs;
      const plainMs = (timings.get('plain') as Timing).medianMs;
      rows.push({
        id: kase.id,
        n,
        label: sizeLabel(n),
        loadavg: [before, after],
        zeroCopyMs,
        plainMs,
        ratio: plainMs / zeroCopyMs,
      });
    }
  }
  const table = [
    'Plain arrays (streamed through the staging area) against zero copy, value + gradient:',
    '',
    '| case | n | zero copy | plain arrays | plain / zero copy | load |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.label} | ${formatTime(r.zeroCopyMs)} | ${formatTime(r.plainMs)} | ` +
        `${formatRatio(r.ratio)} | ${r.loadavg[0].split(' ')[0]} |`,
    ),
    '',
  ].join('\n');
  console.log(table);
  return rows;
}

// --- Main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const root = packageRoot();
  const caseIds = parseList('cases');
  const sizeLabels = parseList('sizes');
  const parts = parseList('parts') ?? ['ceiling', 'classes', 'plain'];
  const cases = CEILING_CASES.filter((c) => caseIds === null || caseIds.includes(c.id));
  const sizes = SIZES.filter((n) => sizeLabels === null || sizeLabels.includes(sizeLabel(n)));
  const partial = caseIds !== null || sizeLabels !== null || parts.length < 3;

  const compiler: Compiler | null = findCompiler();
  const natives = new Map<string, NativeProcess>();
  if (compiler === null) {
    console.log(
      'No C compiler (cc, or $CC) runs here: the native references are left out, dice-wasm is timed alone.\n',
    );
  } else {
    progress(`compiling bench/native with ${compiler.version}`);
    const executables = compileNative(compiler, join(root, 'bench', 'native'), join(root, 'build', 'native'));
    for (const [id, exe] of executables) natives.set(id, new NativeProcess(exe));
  }

  const k = await loadDice();
  k.reserve(1 << 30);
  const started = new Date();
  const ceiling = parts.includes('ceiling') ? await ceilingPart(k, natives, cases, sizes) : [];
  for (const child of natives.values()) child.close();
  const classes = parts.includes('classes') ? await classesPart(k) : [];
  const plain = parts.includes('plain') ? await plainPart(k, cases, sizes) : [];

  const result = {
    date: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    complete: !partial,
    machine: machineInfo(),
    engine: engineInfo(),
    packages: packageVersions(root, ['assemblyscript']),
    diceBackend: k.backend,
    compiler: compiler?.version ?? null,
    nativeBuilds: compiler ? NATIVE_BUILDS : [],
    method: {
      timing:
        `warm: each sample is a batch of consecutive calls of one contender lasting about ${BATCH_MS} ms ` +
        '(at least one call), divided by its calls; contenders in a new shuffled order every round; medians',
      arrays: 'dice-wasm: zero copy (pred, target and out from k.alloc) except in the plain-array part',
      schedules: SCHEDULES,
      gbPerSecond: 'bytesPerUnit × n / median: the least traffic of the two passes, the same for every contender',
      probe: 'C-native sum of an array as large as the case’s arrays (footprintPerUnit × n bytes)',
    },
    ceiling,
    classes,
    plain,
  };
  const file = partial ? 'ceiling.tmp.json' : 'ceiling-latest.json';
  writeJson(join(root, 'bench', 'results', file), result);
  progress(`wrote bench/results/${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
