// Benchmark: one TF.js training step (forward, loss, backward, Adam update) of a small per-pixel
// network whose loss is dice-wasm's tfDiceLoss (tf.customGrad over the WebAssembly value and
// gradient) or the same soft Dice composed from tf ops (what a TF.js user writes), on TF.js's cpu
// and wasm backends. The network is two dense layers applied to every pixel's features
// (channels-last), because TF.js's wasm backend has no conv2d gradient. Shuffled round-robin
// medians (lib/timing.ts). First both losses must agree — the loss, its gradient at the model's
// prediction, and the gradients of every weight of the network through one backward pass — or the
// run fails. Writes bench/results/tfjs-train-latest.json; with --check, runs the checks only.
//   npm run bench:tfjs      (dice-wasm bench runs it too)
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { tfDiceLoss } from '../src/tfjs/index.js';
import { rng } from './lib/data.js';
import { type Answer, assertAgreement, CHECK_ONLY, type Tolerance } from './lib/agree.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { formatRatio, formatTime, writeJson } from './lib/report.js';
import { setUpTfjs } from './lib/tfjs.js';
import { consumeSink, measureRoundRobin, type Runnable } from './lib/timing.js';

/** [B, H, W, features]; 4 classes out. */
const SHAPES: readonly number[][] = [
  [4, 64, 64, 8],
  [4, 256, 256, 8],
];
const CLASSES = 4;
const HIDDEN = 16;
/**
 * tfDiceLoss (float64 sums, float32 gradient) against tf ops (float32 sums over H·W voxels per
 * term, which drift by about ε·√(H·W)): the loss relative, gradients as max |Δ| / max |grad|.
 */
const TOLERANCE: Tolerance = { loss: 1e-5, grad: 1e-4 };

/** Soft Dice, smooth 1, mean over (sample, class), NHWC: the same formula as tfDiceLoss's default. */
function tfOpsDice(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  const intersection = tf.sum(tf.mul(yPred, yTrue), [1, 2]);
  const denominator = tf.add(tf.add(tf.sum(yPred, [1, 2]), tf.sum(yTrue, [1, 2])), 1);
  return tf.mean(tf.sub(1, tf.div(tf.add(tf.mul(2, intersection), 1), denominator)));
}

interface Problem {
  x: tf.Tensor4D;
  y: tf.Tensor4D;
  model: tf.Sequential;
  optimizer: tf.Optimizer;
}

function problem(shape: readonly number[], seed: number): Problem {
  const [B, H, W, F] = shape;
  const random = rng(seed);
  const labels = Int32Array.from({ length: B * H * W }, (_, i) => (((i % W) * CLASSES) / W + random() * 0.6) | 0);
  const features = Float32Array.from(
    { length: B * H * W * F },
    (_, i) => (i % F === 0 ? labels[(i / F) | 0] / CLASSES : 0) + random() - 0.5,
  );
  const y = tf.tidy(() => tf.oneHot(tf.tensor3d(labels, [B, H, W], 'int32'), CLASSES).toFloat() as tf.Tensor4D);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [H, W, F],
        units: HIDDEN,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({
        units: CLASSES,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  return { x: tf.tensor4d(features, [B, H, W, F]), y, model, optimizer: tf.train.adam(1e-3) };
}

/** The loss alone: value and gradient with respect to a fixed prediction. */
function lossOnly(
  id: string,
  p: Problem,
  yPred: tf.Tensor,
  loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar,
): Runnable {
  const valueAndGrad = tf.valueAndGrad((q: tf.Tensor) => loss(p.y, q));
  return {
    id,
    run: () =>
      tf.tidy(() => {
        const { value, grad } = valueAndGrad(yPred);
        grad.dataSync();
        return value.dataSync()[0];
      }),
  };
}

/** The loss at a fixed prediction and its gradient there. */
function lossAndGrad(p: Problem, yPred: tf.Tensor, loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar): Answer {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((q: tf.Tensor) => loss(p.y, q))(yPred);
    return { loss: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  });
}

/** The loss of the network's prediction and the gradients of all its weights (in name order, one array). */
function weightGradients(p: Problem, loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar): Answer {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => loss(p.y, p.model.apply(p.x) as tf.Tensor));
    const parts = Object.keys(grads)
      .sort()
      .map((name) => grads[name].dataSync() as Float32Array);
    const grad = new Float32Array(parts.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of parts) {
      grad.set(a, at);
      at += a.length;
    }
    return { loss: value.dataSync()[0], grad };
  });
}

function stepper(id: string, p: Problem, loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar): Runnable {
  return {
    id,
    run: () =>
      tf.tidy(() => {
        const value = p.optimizer.minimize(() => loss(p.y, p.model.apply(p.x) as tf.Tensor), true) as tf.Scalar;
        return value.dataSync()[0];
      }),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  await setUpTfjs();
  const machine = machineInfo();
  const rows: Record<string, unknown>[] = [];
  console.log(
    'dice-wasm benchmark: one TF.js training step (dense 8→16→4 per pixel, Adam), and the loss alone, ' +
      'with tfDiceLoss vs the same Dice in tf ops (median; speed-up of tfDiceLoss)',
  );
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores; engine: Node ${engineInfo().node}`);
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    for (const shape of SHAPES) {
      const p = problem(shape, 7);
      const ours = tfDiceLoss();
      const yPred = tf.tidy(() => p.model.apply(p.x) as tf.Tensor);
      const where = `on ${backend} at [${shape}]`;
      const agreement = assertAgreement(
        `tfDiceLoss vs tf ops, the loss and its gradient at the prediction, ${where}`,
        lossAndGrad(p, yPred, ours),
        lossAndGrad(p, yPred, tfOpsDice),
        TOLERANCE,
      );
      const weights = assertAgreement(
        `tfDiceLoss vs tf ops, the gradients of the network's weights, ${where}`,
        weightGradients(p, ours),
        weightGradients(p, tfOpsDice),
        TOLERANCE,
      );
      console.log(
        `${backend.padEnd(4)}  [${shape}]  agreement: loss ${agreement.loss.toExponential(1)}, ` +
          `gradient ${agreement.grad?.toExponential(1)}, weight gradients ${weights.grad?.toExponential(1)}`,
      );
      if (CHECK_ONLY) {
        tf.dispose([p.x, p.y, yPred]);
        p.model.dispose();
        p.optimizer.dispose();
        continue;
      }
      const contenders = [
        stepper('diceWasm', p, ours),
        stepper('tfOps', p, tfOpsDice),
        lossOnly('diceWasmLoss', p, yPred, ours),
        lossOnly('tfOpsLoss', p, yPred, tfOpsDice),
      ];
      const elements = shape[0] * shape[1] * shape[2] * CLASSES;
      const measured = measureRoundRobin(contenders, {
        warmupRounds: 3,
        warmupMs: 500,
        minSamples: elements > 1e6 ? 7 : 15,
        budgetMs: 8_000,
        maxSamples: 200,
      });
      const median = (id: string) => measured.get(id)!.medianMs;
      const row = {
        backend,
        shape,
        predElements: elements,
        medianMs: Object.fromEntries(contenders.map((c) => [c.id, median(c.id)])),
        samples: measured.get('diceWasm')!.samplesMs.length,
        speedup: median('tfOps') / median('diceWasm'),
        lossSpeedup: median('tfOpsLoss') / median('diceWasmLoss'),
        lossRelDiff: agreement.loss,
        gradRelDiff: agreement.grad,
        weightGradRelDiff: weights.grad,
      };
      rows.push(row);
      console.log(
        `${backend.padEnd(4)}  pred [${[...shape.slice(0, 3), CLASSES].join(', ')}]  step: tfDiceLoss ` +
          `${formatTime(median('diceWasm')).padStart(9)}, tf ops ` +
          `${formatTime(median('tfOps')).padStart(9)} (${formatRatio(row.speedup)})   loss value + ` +
          `gradient: ${formatTime(median('diceWasmLoss')).padStart(9)}, ` +
          `${formatTime(median('tfOpsLoss')).padStart(9)} (${formatRatio(row.lossSpeedup)})`,
      );
      tf.dispose([p.x, p.y, yPred]);
      p.model.dispose();
      p.optimizer.dispose();
    }
  }
  consumeSink();
  if (CHECK_ONLY) return;
  const root = packageRoot();
  writeJson(join(root, 'bench', 'results', 'tfjs-train-latest.json'), {
    date: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine,
    engine: engineInfo(),
    packages: packageVersions(root, ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']),
    tolerance: TOLERANCE,
    method:
      'agreement first (loss, its gradient at the prediction and the weight gradients of one backward pass, ' +
      'within the tolerance recorded, else the run fails); diceWasm / tfOps: one optimizer.minimize step ' +
      '(forward, loss, backward, Adam) and dataSync of the loss per sample; diceWasmLoss / tfOpsLoss: ' +
      'tf.valueAndGrad of the loss alone at a fixed prediction, dataSync of value and gradient; all four ' +
      'alternate in shuffled rounds (lib/timing.ts); median each; speedup = median with tf ops / median with ' +
      'tfDiceLoss (lossSpeedup: the loss alone)',
    rows,
  });
}

await main();
