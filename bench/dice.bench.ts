// Benchmark: Dice loss value + exact gradient, per call, for
//   naive JS loop · dice-wasm's JS backend (the baseline) · dice-wasm WebAssembly zero-copy and
//   copy-in · the scalar WebAssembly build · TF.js's wasm backend,
// on two cases ("binary", "softmax4") at 4K, 64K, 1M and 16M elements of pred.
//
// Run with `npm run bench` (builds first). Prints the tables on stdout, progress on stderr, and
// writes bench/results/latest.json. See bench/README.md.
//
// For a quicker look: `node build/bench/bench/dice.bench.js --sizes=4K,64K --cases=softmax4`
// (after `npm run bench` or both `tsc` builds); a partial run writes
// bench/results/partial.tmp.json (git-ignored) instead of latest.json.
import { join } from 'node:path';
import { loadDice } from '../src/index.js';
import {
  BASELINE,
  BINARY,
  buildContenders,
  implementations,
  SOFTMAX4,
  type BenchCase,
  type CaseInstance,
  type Contender,
  type ImplementationId,
  type Kernels,
} from './lib/contenders.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import {
  caseTable,
  progress,
  sizeLabel,
  writeJson,
  type CaseResult,
  type ImplementationResult,
  type SizeResult,
} from './lib/report.js';
import { setUpTfjs } from './lib/tfjs.js';
import { consumeSink, measureRoundRobin, type Schedule } from './lib/timing.js';

const CASES: readonly BenchCase[] = [BINARY, SOFTMAX4];
const SIZES: readonly number[] = [1 << 12, 1 << 16, 1 << 20, 1 << 24];

/**
 * How long each size is timed. Small sizes get many samples within a time budget. At 16M one
 * round of the six implementations takes seconds (~2 s for binary, ~6 s for softmax4 on a
 * 2-core EPYC, most of it the JS backend, the naive loop and TF.js), so the minimum sample count
 * is what bounds it there; the whole run then takes 2–3 minutes on that machine.
 */
const SCHEDULES: Readonly<Record<number, Schedule>> = {
  [1 << 12]: { warmupRounds: 20, warmupMs: 500, minSamples: 30, budgetMs: 2_000, maxSamples: 2_000 },
  [1 << 16]: { warmupRounds: 10, warmupMs: 500, minSamples: 20, budgetMs: 3_000, maxSamples: 1_000 },
  [1 << 20]: { warmupRounds: 3, warmupMs: 1_000, minSamples: 10, budgetMs: 8_000, maxSamples: 200 },
  [1 << 24]: { warmupRounds: 2, warmupMs: 0, minSamples: 7, budgetMs: 30_000, maxSamples: 50 },
};

/** Relative difference allowed between any implementation's loss and the JS backend's. */
const LOSS_TOLERANCE = 1e-4;
/** Allowed max |grad − grad of the JS backend|, relative to max |grad of the JS backend|. */
const GRAD_TOLERANCE = 1e-4;
/**
 * TF.js sums in float32, one element after another, so its sums drift as n grows (about 1e-2
 * relative at 16M in the binary case). It is held to the tolerances up to this size, which
 * validates the formula; above, its error is reported but does not fail the run.
 */
const TFJS_STRICT_MAX_N = 1 << 16;

interface Arguments {
  sizes: readonly number[];
  cases: readonly BenchCase[];
  /** Time warm batches of consecutive calls instead of single interleaved calls (see lib/timing.ts). */
  warm: boolean;
  /** True when every case and size runs (then the results go to latest.json). */
  complete: boolean;
}

async function main(): Promise<void> {
  const started = performance.now();
  const args = parseArguments(process.argv.slice(2));
  const root = packageRoot();

  const kernels: Kernels = {
    js: await loadDice({ backend: 'js' }),
    wasm: await loadDice(),
    wasmCopyIn: await loadDice(),
    scalar: await loadDice({ backend: 'scalar' }),
  };
  const tfjs = await setUpTfjs();
  const impls = implementations(kernels.wasm.backend);
  const machine = machineInfo();
  const engine = engineInfo();
  const packages = packageVersions(root, ['assemblyscript', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']);

  const mode = args.warm
    ? 'warm: batches of consecutive calls, data in cache'
    : 'cold: single calls, each after another implementation';
  console.log(`dice-wasm benchmark: Dice loss value + gradient per call (median of round-robin samples; ${mode})`);
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} ` +
      `GiB, ${machine.os.platform} ${machine.os.release}`,
  );
  console.log(
    `engine: Node ${engine.node}, V8 ${engine.v8}; ${Object.entries(packages)
      .map(([name, v]) => `${name} ${v}`)
      .join(', ')}`,
  );
  console.log(
    `loadDice() backend: ${kernels.wasm.backend}; TF.js backend: ${tfjs.backend} (SIMD ` +
      `${tfjs.simd ? 'on' : 'off'}, threads ${tfjs.threads ? 'on' : 'off'})`,
  );
  console.log('');

  const warnings: string[] = [];
  const cases: CaseResult[] = [];
  for (const benchCase of args.cases) {
    const caseResult: CaseResult = { id: benchCase.id, description: benchCase.description, sizes: [] };
    cases.push(caseResult);
    for (const n of args.sizes) {
      const sizeResult = runSize(benchCase, n, kernels, warnings, args.warm);
      if (sizeResult === null) {
        process.exitCode = 1;
        return;
      }
      caseResult.sizes.push(sizeResult);
    }
    console.log(caseTable(caseResult, impls));
    console.log('');
  }
  consumeSink();

  const durationSeconds = (performance.now() - started) / 1000;
  for (const warning of warnings) console.log(`note: ${warning}`);
  console.log(`total run time: ${durationSeconds.toFixed(0)} s`);

  const name = args.complete ? (args.warm ? 'latest-warm.json' : 'latest.json') : 'partial.tmp.json';
  const path = join(root, 'bench', 'results', name);
  writeJson(path, {
    schemaVersion: 1,
    date: new Date().toISOString(),
    durationSeconds: Math.round(durationSeconds),
    complete: args.complete,
    machine,
    engine,
    packages,
    diceBackend: kernels.wasm.backend,
    tfjs,
    method: {
      mode: args.warm ? 'warm' : 'cold',
      timing: args.warm
        ? 'as in cold mode, except that each sample is a batch of consecutive calls of one ' +
          'implementation lasting about 5 ms (at least one call; the count is calibrated per ' +
          'implementation after the warm-up), divided by its number of calls: steady-state cost with the ' +
          'data in cache from the previous call'
        : 'per (case, size): each implementation runs once for the agreement check, then warm-up rounds, ' +
          'then timed rounds; every round calls each implementation once, in an order shuffled each ' +
          'round (seeded; a round never starts with the implementation that ended the previous one), and ' +
          'times each call on its own with performance.now(); the reported time is the median of an ' +
          "implementation's timed calls",
      baseline: BASELINE,
      speedup: 'median of the JS backend / median of the implementation',
      wasmZeroCopyVsTfjs: 'median of TF.js / median of WASM zero-copy',
      lossTolerance: LOSS_TOLERANCE,
      gradTolerance: GRAD_TOLERANCE,
      tfjsStrictMaxN: TFJS_STRICT_MAX_N,
      schedules: Object.fromEntries(args.sizes.map((n) => [sizeLabel(n), SCHEDULES[n]])),
    },
    implementations: impls,
    cases,
    warnings,
  });
  console.log(`results: ${path}`);
}

/** Checks, times and records one (case, size); null when the implementations disagree. */
function runSize(
  benchCase: BenchCase,
  n: number,
  kernels: Kernels,
  warnings: string[],
  warm: boolean,
): SizeResult | null {
  const label = sizeLabel(n);
  const where = `${benchCase.id} at n = ${label}`;
  progress(`${where}: making inputs`);
  const instance = benchCase.make(n);
  const contenders = buildContenders(instance, kernels);
  try {
    progress(`${where}: agreement check`);
    const agreement = checkAgreement(instance, contenders);
    const failures: string[] = [];
    const reference = agreement.get(BASELINE)!;
    for (const c of contenders) {
      const a = agreement.get(c.id)!;
      if (a.lossRelErr <= LOSS_TOLERANCE && a.gradRelErr <= GRAD_TOLERANCE) continue;
      const difference =
        `loss ${a.loss} vs ${reference.loss} (relative difference ` +
        `${a.lossRelErr.toExponential(1)}), gradient ${a.gradRelErr.toExponential(1)} of max |grad|`;
      if (c.id === 'tfjsWasm' && n > TFJS_STRICT_MAX_N) {
        warnings.push(
          `${where}: TF.js differs from the JS backend beyond the tolerances (float32 sums; reported, ` +
            `not failed, above n = ${sizeLabel(TFJS_STRICT_MAX_N)}): ${difference}`,
        );
      } else {
        failures.push(`${c.id}: ${difference}; tolerances ${LOSS_TOLERANCE} (loss), ${GRAD_TOLERANCE} (gradient)`);
      }
    }
    if (failures.length > 0) {
      console.error(`\nFAILED: implementations disagree with the JS backend, ${where}:`);
      for (const f of failures) console.error(`  ${f}`);
      return null;
    }

    const schedule = SCHEDULES[n];
    progress(
      `${where}: timing ${contenders.length} implementations round-robin (≥ ${schedule.minSamples} ` +
        `samples, budget ${schedule.budgetMs / 1000} s)`,
    );
    const measured = measureRoundRobin(contenders, schedule, warm);

    const baseline = measured.get(BASELINE)!.medianMs;
    const results: Partial<Record<ImplementationId, ImplementationResult>> = {};
    for (const c of contenders) {
      const m = measured.get(c.id)!;
      const a = agreement.get(c.id)!;
      results[c.id] = {
        medianMs: m.medianMs,
        q1Ms: m.q1Ms,
        q3Ms: m.q3Ms,
        minMs: m.minMs,
        samples: m.samplesMs.length,
        speedupVsJsBackend: baseline / m.medianMs,
        loss: a.loss,
        lossRelErrVsJsBackend: a.lossRelErr,
        gradRelErrVsJsBackend: a.gradRelErr,
      };
    }
    return {
      n,
      label,
      shape: instance.shape,
      results,
      wasmZeroCopyVsTfjs: results.tfjsWasm!.medianMs / results.wasmZeroCopy!.medianMs,
    };
  } finally {
    for (const c of contenders) c.dispose();
  }
}

interface Agreement {
  loss: number;
  lossRelErr: number;
  gradRelErr: number;
}

/** Runs every contender once and compares its loss and gradient with the JS backend's. */
function checkAgreement(instance: CaseInstance, contenders: readonly Contender[]): Map<ImplementationId, Agreement> {
  const outcomes = contenders.map((c) => {
    const loss = c.run();
    return { id: c.id, loss, grad: c.lastGradient().slice() };
  });
  const reference = outcomes.find((o) => o.id === BASELINE)!;
  let gradScale = 0;
  for (let i = 0; i < instance.n; i++) gradScale = Math.max(gradScale, Math.abs(reference.grad[i]));
  const agreement = new Map<ImplementationId, Agreement>();
  for (const o of outcomes) {
    let maxDifference = 0;
    for (let i = 0; i < instance.n; i++)
      maxDifference = Math.max(maxDifference, Math.abs(o.grad[i] - reference.grad[i]));
    // A NaN anywhere must fail, and comparisons with NaN are false: test for it explicitly.
    const gradRelErr = o.grad.length !== instance.n || o.grad.some(Number.isNaN) ? Infinity : maxDifference / gradScale;
    const lossRelErr = Number.isFinite(o.loss)
      ? Math.abs(o.loss - reference.loss) / Math.abs(reference.loss)
      : Infinity;
    agreement.set(o.id, { loss: o.loss, lossRelErr, gradRelErr });
  }
  return agreement;
}

function parseArguments(argv: readonly string[]): Arguments {
  let sizes = SIZES;
  let cases = CASES;
  let warm = false;
  for (const arg of argv) {
    const [name, value = ''] = arg.split('=', 2);
    if (arg === '--warm') {
      warm = true;
    } else if (name === '--sizes') {
      sizes = value.split(',').map((label) => {
        const n = SIZES.find((s) => sizeLabel(s) === label.trim());
        if (n === undefined)
          throw new RangeError(`--sizes: unknown size '${label}'; sizes are ${SIZES.map(sizeLabel).join(', ')}`);
        return n;
      });
    } else if (name === '--cases') {
      cases = value.split(',').map((id) => {
        const found = CASES.find((c) => c.id === id.trim());
        if (found === undefined)
          throw new RangeError(`--cases: unknown case '${id}'; cases are ${CASES.map((c) => c.id).join(', ')}`);
        return found;
      });
    } else {
      throw new RangeError(
        `unknown argument '${arg}'; arguments are --sizes=4K,64K,1M,16M, --cases=binary,softmax4 and --warm`,
      );
    }
  }
  return {
    sizes,
    cases,
    warm,
    complete: SIZES.every((n) => sizes.includes(n)) && CASES.every((c) => cases.includes(c)),
  };
}

await main();
