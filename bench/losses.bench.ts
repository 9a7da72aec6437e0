// Benchmark: Dice + cross-entropy from logits (MONAI's DiceCELoss with softmax), value and
// gradient per call, at the shapes the issue names: B = 8 images of 256×256 and one 128³ volume,
// 4 and 16 classes. The library's JS backend (the baseline), WebAssembly zero-copy and copy-in,
// and TF.js (wasm backend) composing the same loss from tf ops. Shuffled round-robin medians
// (lib/timing.ts), agreement checked first. Writes bench/results/losses-latest.json.
import { join } from 'node:path';
import { loadDice } from '../src/index.js';
import { diceCEData, libraryContender, tfjsContender, type DiceCEContender } from './lib/dicece.js';
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
/** Loss agreement with the JS backend (TF.js sums in float32: reported beyond this, not failed). */
const TOLERANCE = 1e-4;

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
  const notes: string[] = [];
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
      for (const [id, { loss }] of checks) {
        const error = Math.abs(loss - reference.loss) / Math.abs(reference.loss);
        if (error <= TOLERANCE) continue;
        if (id !== 'tfjsWasm')
          throw new Error(`${id} disagrees with the JS backend at [${shape}]: ${loss} vs ${reference.loss}`);
        notes.push(
          `[${shape}]: TF.js loss ${loss} vs ${reference.loss} (relative ${error.toExponential(1)}, float32 sums)`,
        );
      }
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
  for (const note of notes) console.log(`note: ${note}`);
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
      'shuffled round-robin of single calls (lib/timing.ts), median per contender; DiceCE = mean Dice ' +
      'over B·C terms (smooth 1) + mean cross-entropy over voxels',
    rows,
    notes,
  });
}

await main();
