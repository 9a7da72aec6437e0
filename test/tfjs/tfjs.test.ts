// dice-wasm/tfjs: each loss's value and gradient against tf.valueAndGrad of the same formula
// written here with tf ops (relative difference ≤ 1e-5), on TF.js's cpu and wasm backends; no
// tensor leaks; bad options; and a small segmentation network trained by model.fit with the loss.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  tfDiceCELoss,
  tfDiceLoss,
  tfFocalTverskyLoss,
  tfGeneralizedDiceLoss,
  tfJaccardLoss,
  tfTverskyLoss,
  type TfLoss,
} from '../../src/tfjs/index.js';
import { rng } from '../support/random.js';

const B = 2,
  H = 6,
  W = 5,
  C = 3;
const SHAPE = [B, H, W, C];

/** Sums over the spatial axes of NHWC tensors: [B, C]. */
const spatialSum = (t: tf.Tensor) => tf.sum(t, [1, 2]);

/** I, P, G per (sample, class). */
function sums(p: tf.Tensor, y: tf.Tensor) {
  return { I: spatialSum(tf.mul(p, y)), P: spatialSum(p), G: spatialSum(y) };
}

function tversky(p: tf.Tensor, y: tf.Tensor, alpha: number, beta: number, s: number): tf.Tensor {
  const { I, P, G } = sums(p, y);
  const den = tf.add(tf.addN([I, tf.mul(alpha, tf.sub(P, I)), tf.mul(beta, tf.sub(G, I))]), s);
  return tf.div(tf.add(I, s), den);
}

/** The reference formulas, in tf ops, of the losses under test (defaults as documented). */
const REFERENCES: Record<string, (y: tf.Tensor, p: tf.Tensor) => tf.Scalar> = {
  dice: (y, p) => {
    const { I, P, G } = sums(p, y);
    return tf.mean(tf.sub(1, tf.div(tf.add(tf.mul(2, I), 1), tf.add(tf.add(P, G), 1))));
  },
  jaccard: (y, p) => tf.mean(tf.sub(1, tversky(p, y, 1, 1, 1))),
  tversky: (y, p) => tf.mean(tf.sub(1, tversky(p, y, 0.3, 0.7, 1))),
  focalTversky: (y, p) => tf.mean(tf.pow(tf.sub(1, tversky(p, y, 0.7, 0.3, 1)), 0.75)),
  generalizedDice: (y, p) => {
    const { I, P, G } = sums(p, y);
    const w = tf.div(1, tf.square(G)); // every class is present in every sample here
    const num = tf.add(tf.mul(2, tf.sum(tf.mul(w, I), 1)), 1e-5);
    const den = tf.add(tf.sum(tf.mul(w, tf.add(P, G)), 1), 1e-5);
    return tf.mean(tf.sub(1, tf.div(num, den)));
  },
};

const LOSSES: Record<string, TfLoss> = {
  dice: tfDiceLoss(),
  jaccard: tfJaccardLoss(),
  tversky: tfTverskyLoss({ alpha: 0.3, beta: 0.7 }),
  focalTversky: tfFocalTverskyLoss(),
  generalizedDice: tfGeneralizedDiceLoss({ smooth: 1e-5 }),
};

/** Softmax probabilities and a label map in which every class occurs in every sample. */
function problem(seed: number): { logits: tf.Tensor4D; probs: tf.Tensor4D; labels: tf.Tensor3D; oneHot: tf.Tensor4D } {
  const random = rng(seed);
  const logits = tf.tensor4d(
    Float32Array.from({ length: B * H * W * C }, () => 4 * random() - 2),
    SHAPE as [number, number, number, number],
  );
  const labelValues = Int32Array.from({ length: B * H * W }, (_, i) =>
    i % (H * W) < C ? i % (H * W) : Math.floor(random() * C),
  );
  const labels = tf.tensor3d(labelValues, [B, H, W], 'int32');
  return { logits, probs: tf.softmax(logits), labels, oneHot: tf.oneHot(labels, C).toFloat() as tf.Tensor4D };
}

function relativeError(actual: Float32Array | number, expected: Float32Array | number): number {
  if (typeof actual === 'number' || typeof expected === 'number')
    return Math.abs(Number(actual) - Number(expected)) / Math.abs(Number(expected));
  let scale = 0,
    diff = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
  }
  return diff / scale;
}

/** Value and gradient of `loss(yTrue, ·)` at `x`, read back. */
function valueAndGrad(
  loss: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar,
  yTrue: tf.Tensor,
  x: tf.Tensor,
): { value: number; grad: Float32Array } {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => loss(yTrue, p))(x);
    return { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  });
}

let wasmReady = false;
beforeAll(async () => {
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + sep);
  wasmReady = await tf.setBackend('wasm');
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['cpu', 'wasm'])("on TF.js's %s backend", (backend) => {
  beforeAll(async () => {
    expect(backend === 'cpu' || wasmReady).toBe(true);
    await tf.setBackend(backend);
  });

  it.each(Object.keys(LOSSES))('%s: value and gradient equal tf.grad of the tf-op formula (one-hot yTrue)', (name) => {
    const { probs, oneHot } = problem(11);
    const ours = valueAndGrad(LOSSES[name], oneHot, probs);
    const reference = valueAndGrad(REFERENCES[name], oneHot, probs);
    expect(relativeError(ours.value, reference.value)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(ours.grad, reference.grad)).toBeLessThanOrEqual(1e-5);
    tf.dispose([probs, oneHot]);
  });

  it('Dice from logits (activation softmax) against int32 and float label maps', () => {
    const { logits, labels, oneHot } = problem(12);
    const reference = valueAndGrad((y, z) => REFERENCES.dice(y, tf.softmax(z)), oneHot, logits);
    const loss = tfDiceLoss({ activation: 'softmax' });
    for (const yTrue of [labels, labels.toFloat()]) {
      const ours = valueAndGrad(loss, yTrue, logits);
      expect(relativeError(ours.value, reference.value)).toBeLessThanOrEqual(1e-5);
      expect(relativeError(ours.grad, reference.grad)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('Dice + CE from logits: λ·Dice + mean cross-entropy of log-softmax', () => {
    const { logits, labels, oneHot } = problem(13);
    const reference = valueAndGrad(
      (y, z) => {
        const ce = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(z)), 3)));
        return tf.add(tf.mul(0.5, REFERENCES.dice(y, tf.softmax(z))), tf.mul(2, ce)) as tf.Scalar;
      },
      oneHot,
      logits,
    );
    const ours = valueAndGrad(tfDiceCELoss({ lambdaOverlap: 0.5, lambdaPoint: 2 }), labels, logits);
    expect(relativeError(ours.value, reference.value)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(ours.grad, reference.grad)).toBeLessThanOrEqual(1e-5);
  });

  it('leaves no tensor behind', () => {
    const { probs, oneHot } = problem(14);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) valueAndGrad(LOSSES.dice, oneHot, probs);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('bad options and inputs', () => {
  it.each([
    [() => tfDiceLoss({ reduction: 'none' as 'mean' }), /tfDiceLoss: reduction must be 'mean' or 'sum'/],
    [() => tfDiceLoss({ shape: [1] } as never), /tfDiceLoss: option 'shape' comes from yPred's shape/],
  ])('rejects %#', (make, message) => {
    expect(make).toThrow(message);
  });

  it("names an unknown option at the first call, with the library's suggestion", () => {
    const { probs, oneHot } = problem(15);
    expect(() => tfDiceLoss({ smoth: 1 } as never)(oneHot, probs)).toThrow(/smoth.*did you mean 'smooth'/);
  });
});

describe('training with model.fit', () => {
  it('a small convolutional network trained with tfDiceLoss improves its Dice on a held-out set', async () => {
    await tf.setBackend('cpu'); // TF.js's wasm backend has no gradient of conv2d
    const size = 16;
    /** Images with a bright disc on noise; target one-hot [background, disc]. */
    const data = (count: number, seed: number) => {
      const random = rng(seed);
      const images = new Float32Array(count * size * size);
      const targets = new Float32Array(count * size * size * 2);
      for (let n = 0; n < count; n++) {
        const cx = 4 + 8 * random(),
          cy = 4 + 8 * random(),
          r = 2 + 3 * random();
        for (let i = 0; i < size * size; i++) {
          const inside = Math.hypot((i % size) - cx, Math.floor(i / size) - cy) < r ? 1 : 0;
          images[n * size * size + i] = inside * 0.8 + 0.4 * random();
          targets[(n * size * size + i) * 2 + inside] = 1;
        }
      }
      return { x: tf.tensor4d(images, [count, size, size, 1]), y: tf.tensor4d(targets, [count, size, size, 2]) };
    };
    const train = data(32, 21),
      test = data(16, 22);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [size, size, 1],
          filters: 8,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.conv2d({
          filters: 8,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
        tf.layers.conv2d({
          filters: 2,
          kernelSize: 1,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: tfDiceLoss({ includeBackground: false }) });

    /** Hard Dice of the disc class on the held-out set: argmax against the target, pooled. */
    const heldOutDice = () =>
      tf.tidy(() => {
        const predicted = tf.argMax(model.predict(test.x) as tf.Tensor, 3);
        const truth = tf.argMax(test.y, 3);
        const tp = tf.sum(tf.mul(predicted, truth)).dataSync()[0];
        return (2 * tp) / (tf.sum(predicted).dataSync()[0] + tf.sum(truth).dataSync()[0]);
      });
    const before = heldOutDice();
    const history = await model.fit(train.x, train.y, { epochs: 6, batchSize: 8, shuffle: false, verbose: 0 });
    const after = heldOutDice();
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] - 0.2);
    expect(after).toBeGreaterThan(0.85);
    expect(after).toBeGreaterThan(before + 0.2);
    tf.dispose([train.x, train.y, test.x, test.y]);
    model.dispose();
  });
});
