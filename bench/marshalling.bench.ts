// Benchmark: what plain typed arrays cost against arrays already in WebAssembly memory, side by
// side in one run. Three ways to hand the same tensors to the same build:
//   zeroCopy  pred, target and out from k.alloc: nothing is copied
//   streamed  plain arrays, streamed through the default staging area (256 KiB): each chunk
//             is copied in and reduced while in cache, the gradient mapped into staging and
//             copied out (src/backends/wasm/stream.ts)
//   whole     plain arrays with a staging area larger than the tensors: everything is copied in
//             first and the gradient copied out at the end (what the library did before streaming)
// at 1M and 16M elements of pred, for the value and gradient of binary Dice (dense f32 target, and
// a u8 mask), of softmax Dice over 4 classes (u8 label map), and the value alone of binary Dice. Shuffled
// round-robin medians (lib/timing.ts); each way has its own kernel and memory. First every way
// must give the same loss and the same gradient, bit for bit (the same build, the same sums and
// coefficients: only where the arrays live differs), or the run fails. Writes
// bench/results/marshalling-latest.json; with --check, runs the agreement checks only.
import { join } from 'node:path';
import { loadDice, type DiceKernel } from '../src/index.js';
import { binaryData, softmaxData } from './lib/data.js';
import { type Answer, assertAgreement, CHECK_ONLY, type Tolerance } from './lib/agree.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { residentCopies } from './lib/resident.js';
import { formatTime, writeJson } from './lib/report.js';
import { consumeSink, measureRoundRobin, type Runnable } from './lib/timing.js';

const SIZES = [
  { label: '1M', n: 1 << 20 },
  { label: '16M', n: 1 << 24 },
];
const WAYS = ['zeroCopy', 'streamed', 'whole'] as const;
type Way = (typeof WAYS)[number];
/** A staging area larger than any tensor here: one chunk, i.e. copy everything in, then compute. */
const WHOLE_STAGING_BYTES = 1 << 30;

interface Inputs {
  pred: Float32Array;
  target: Float32Array | Uint8Array;
  options: Record<string, unknown>;
}

interface Case {
  id: string;
  description: string;
  grad: boolean;
  make(n: number): Inputs;
}

const CASES: readonly Case[] = [
  {
    id: 'binary',
    description: 'diceLossWithGrad, n probabilities, dense f32 0/1 target (bench/lib/data.ts binaryData)',
    grad: true,
    make: (n) => ({ ...binaryData(n, 7), options: {} }),
  },
  {
    id: 'binary-u8',
    description: 'diceLossWithGrad, as binary with the target as a Uint8Array mask',
    grad: true,
    make: (n) => {
      const { pred, target } = binaryData(n, 7);
      return { pred, target: Uint8Array.from(target), options: {} };
    },
  },
  {
    id: 'softmax4',
    description: 'diceLossWithGrad, logits [1, 4, n/4] channels first, u8 label map, softmax',
    grad: true,
    make: (n) => {
      const data = softmaxData(n, 4, 11);
      return { pred: data.logits, target: data.labels, options: { shape: [1, 4, data.voxels], activation: 'softmax' } };
    },
  },
  {
    id: 'binary-value',
    description: 'diceLoss (kernel 1 only), as binary',
    grad: false,
    make: (n) => ({ ...binaryData(n, 7), options: {} }),
  },
];

/** Every way runs the same build on the same numbers: loss and gradient must be identical. */
const IDENTICAL: Tolerance = { loss: 0, grad: 0 };

/**
 * The call of one way: its arrays (alloc'd for zeroCopy) and its kernel; `answer` runs it once for the
 * agreement check.
 */
function contender(way: Way, k: DiceKernel, c: Case, inputs: Inputs): Runnable & { answer(): Answer; dispose(): void } {
  const resident = way === 'zeroCopy' ? residentCopies(k, inputs.pred, inputs.target) : null;
  const { pred, target, out } = resident ?? { ...inputs, out: new Float32Array(inputs.pred.length) };
  const options = c.grad ? { ...inputs.options, out } : inputs.options;
  return {
    id: way,
    run: () =>
      c.grad ? k.diceLossWithGrad(pred, target, options).loss : (k.diceLoss(pred, target, options) as number),
    answer: () =>
      c.grad
        ? { loss: k.diceLossWithGrad(pred, target, options).loss, grad: Float32Array.from(out) }
        : { loss: k.diceLoss(pred, target, options) as number },
    dispose: () => resident?.free(),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const machine = machineInfo();
  const kernels: Record<Way, DiceKernel> = {
    zeroCopy: await loadDice(),
    streamed: await loadDice(),
    whole: await loadDice({ stagingBytes: WHOLE_STAGING_BYTES }),
  };
  console.log('dice-wasm benchmark: plain arrays (streamed, copied whole) vs arrays in WebAssembly memory');
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores; engine: Node ${engineInfo().node}; backend ` +
      `${kernels.zeroCopy.backend}`,
  );
  const rows: Record<string, unknown>[] = [];
  for (const c of CASES) {
    for (const { label, n } of SIZES) {
      const inputs = c.make(n);
      const contenders = WAYS.map((way) => contender(way, kernels[way], c, inputs));
      const answers = contenders.map((x) => x.answer());
      for (let i = 1; i < WAYS.length; i++)
        assertAgreement(`${c.id} ${label}: ${WAYS[i]} vs ${WAYS[0]}`, answers[i], answers[0], IDENTICAL);
      if (CHECK_ONLY) {
        console.log(
          `${c.id.padEnd(13)} ${label.padStart(3)}  the ${WAYS.length} ways agree (loss and gradient identical)`,
        );
        for (const x of contenders) x.dispose();
        continue;
      }
      const measured = measureRoundRobin(contenders, {
        warmupRounds: 2,
        warmupMs: 0,
        minSamples: n > 1e7 ? 9 : 21,
        budgetMs: 15_000,
        maxSamples: 61,
      });
      const stats = (way: Way) => {
        const m = measured.get(way)!;
        return { medianMs: m.medianMs, q1Ms: m.q1Ms, q3Ms: m.q3Ms, minMs: m.minMs, samples: m.samplesMs.length };
      };
      const median = (way: Way) => measured.get(way)!.medianMs;
      const row = {
        case: c.id,
        size: label,
        n,
        ...Object.fromEntries(WAYS.map((way) => [way, stats(way)])),
        streamedVsZeroCopy: median('streamed') / median('zeroCopy'),
        wholeVsZeroCopy: median('whole') / median('zeroCopy'),
      };
      rows.push(row);
      console.log(
        `${c.id.padEnd(13)} ${label.padStart(3)}  zero-copy ${formatTime(median('zeroCopy'))}  ` +
          `streamed ${formatTime(median('streamed'))} (${row.streamedVsZeroCopy.toFixed(2)}×)  ` +
          `whole copy ${formatTime(median('whole'))} (${row.wholeVsZeroCopy.toFixed(2)}×)` +
          '   [IQR zero-copy ' +
          `${formatTime(stats('zeroCopy').q1Ms)}–${formatTime(stats('zeroCopy').q3Ms)}, streamed ` +
          `${formatTime(stats('streamed').q1Ms)}–${formatTime(stats('streamed').q3Ms)}]`,
      );
      for (const x of contenders) x.dispose();
    }
  }
  consumeSink();
  if (CHECK_ONLY) return;
  const root = packageRoot();
  writeJson(join(root, 'bench', 'results', 'marshalling-latest.json'), {
    date: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine,
    engine: engineInfo(),
    packages: packageVersions(root, ['assemblyscript']),
    backend: kernels.zeroCopy.backend,
    method:
      'agreement check first (every way the same loss and gradient, bit for bit, else the run fails), then ' +
      'shuffled round-robin of single calls (lib/timing.ts), median per way; ratios are median / median of ' +
      'zeroCopy in the same run',
    cases: CASES.map(({ id, description }) => ({ id, description })),
    ways: {
      zeroCopy: 'pred, target and out from k.alloc (after k.reserve): nothing copied',
      streamed:
        'plain typed arrays, default staging area (256 KiB): chunks copied in and reduced in cache, ' +
        'gradient copied out chunk by chunk',
      whole:
        `plain typed arrays, loadDice({ stagingBytes: ${WHOLE_STAGING_BYTES} }): one chunk, i.e. ` +
        'everything copied in, then the kernels, then the gradient copied out',
    },
    rows,
  });
}

await main();
