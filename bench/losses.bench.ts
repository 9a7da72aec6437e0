// Benchmark: Dice + cross-entropy from logits (MONAI's DiceCELoss with softmax), value and
// gradient per call, at the shapes the issue names: B = 8 images of 256×256 and one 128³ volume,
// 4 and 16 classes. The library's JS backend (the baseline), WebAssembly zero-copy and copy-in,
// and TF.js (wasm backend) composing the same loss from tf ops. Shuffled round-robin medians
// (lib/timing.ts), after an agreement check of every contender's loss and gradient with the JS
// backend's (the run fails beyond the tolerances below). Writes bench/results/losses-latest.json;
// with --check, runs the agreement checks only.
import { join } from 'node:path';
import { loadDice } from '../src/index.js';
import { diceCEData, libraryContender, tfjsContender, type DiceCEContender } from './lib/dicece.js';
import { assertAgreement, CHECK_ONLY, type Tolerance } from './lib/agree.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { formatRatio, formatTime, writeJson } from './lib/report.js';
import { setUpTfjs } from './lib/tfjs.js';
import { consumeSink, measureRoundRobin } from './lib/timing.js';

const SHAPES: readonly number[][] = [
  [8, 4, 256, 256],
  [8, 16, 256, 256],
  [1, 4, 128, 128, 128],
  [1, 16, 128, 128, 128],
];
/**
 * Agreement with the JS backend (float64): the WebAssembly builds sum in float64 what they compute
 * in float32; TF.js sums in float32 too (one term gathers up to 128³ voxels here), which drifts
 * by about ε·√n. Loss: relative; gradient: max |Δ| / max |grad|.
 */
const TOLERANCE: Record<string, Tolerance> = {
  wasmZeroCopy: { loss: 1e-5, grad: 2e-5 },
  wasmCopyIn: { loss: 1e-5, grad: 2e-5 },
  // Seen on the 2-vCPU EPYC: up to 2.1e-5 (loss) and 2.5e-5 (gradient) at 128³.
  tfjsWasm: { loss: 2e-4, grad: 2e-4 },
};

async function main(): Promise<void> {
  const started = performance.now();
  const kernels = { js: await loadDice({ backend: 'js' }), wasm: await loadDice(), copyIn: await loadDice() };
  const tfjs = await setUpTfjs();
  const machine = machineInfo();
  console.log('dice-wasm benchmark: Dice + cross-entropy from logits (softmax), value + gradient per call');
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores; engine: Node ${engineInfo().node}; loadDice(): ` +
      `${kernels.wasm.backend}; TF.js ${tfjs.backend}`,
  );
  const rows: Record<string, unknown>[] = [];
  for (const shape of SHAPES) {
    const data = diceCEData(shape);
    const contenders: DiceCEContender[] = [
      libraryContender('jsBackend', kernels.js, data, false),
      libraryContender('wasmZeroCopy', kernels.wasm, data, true),
      libraryContender('wasmCopyIn', kernels.copyIn, data, false),
      tfjsContender('tfjsWasm', data),
    ];
    try {
      const checks = new Map(contenders.map((c) => [c.id, c.check()]));
      const reference = checks.get('jsBackend')!;
      const agreement: Record<string, { loss: number; grad: number | null }> = {};
      for (const [id, answer] of checks) {
        if (id === 'jsBackend') continue;
        agreement[id] = assertAgreement(`${id} vs the JS backend at [${shape}]`, answer, reference, TOLERANCE[id]);
      }
      console.log(
        `[${shape.join(', ')}]  agreement with the JS backend: ${Object.entries(agreement)
          .map(([id, a]) => `${id} loss ${a.loss.toExponential(1)}, grad ${a.grad?.toExponential(1)}`)
          .join('; ')}`,
      );
      if (CHECK_ONLY) continue;
      const n = data.logits.length;
      const measured = measureRoundRobin(contenders, {
        warmupRounds: 1,
        warmupMs: 0,
        minSamples: n > 1e7 ? 3 : 5,
        budgetMs: 20_000,
        maxSamples: 30,
      });
      const median = (id: string) => measured.get(id)!.medianMs;
      const row = {
        shape,
        elements: n,
        medianMs: Object.fromEntries(contenders.map((c) => [c.id, median(c.id)])),
        samples: measured.get('jsBackend')!.samplesMs.length,
        wasmVsJs: median('jsBackend') / median('wasmZeroCopy'),
        wasmVsTfjs: median('tfjsWasm') / median('wasmZeroCopy'),
        copyInVsZeroCopy: median('wasmCopyIn') / median('wasmZeroCopy'),
        agreement,
      };
      rows.push(row);
      console.log(
        `[${shape.join(', ')}]  JS ${formatTime(median('jsBackend'))}  WASM ` +
          `${formatTime(median('wasmZeroCopy'))} (copy-in ${formatTime(median('wasmCopyIn'))})  TF.js ` +
          `${formatTime(median('tfjsWasm'))}  →  WASM ${formatRatio(row.wasmVsJs)} JS, ` +
          `${formatRatio(row.wasmVsTfjs)} TF.js`,
      );
    } finally {
      for (const c of contenders) c.dispose();
    }
  }
  consumeSink();
  if (CHECK_ONLY) return;
  const root = packageRoot();
  writeJson(join(root, 'bench', 'results', 'losses-latest.json'), {
    date: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine,
    engine: engineInfo(),
    packages: packageVersions(root, ['assemblyscript', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']),
    diceBackend: kernels.wasm.backend,
    tfjs,
    method:
      'agreement check first (loss and gradient of every contender against the JS backend, within the tolerances ' +
      'recorded, else the run fails), then shuffled round-robin of single calls (lib/timing.ts), median per ' +
      'contender; DiceCE = mean Dice over B·C terms (smooth 1) + mean cross-entropy over voxels',
    tolerances: TOLERANCE,
    rows,
  });
}

await main();
