// dice-wasm/tfjs: each loss's value and gradient against tf.valueAndGrad of the same formula
// written here with tf ops (relative difference ≤ 1e-5), on TF.js's cpu and wasm backends, with
// default options and beyond them (smoothing, weights, batch, squared, background, reduction
// 'sum', logits, weightType, focal terms); the kernel option; no tensor leaks; bad options and
// inputs; and a small segmentation network trained by model.fit with the loss.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDice } from '../../src/index.js';
import {
  tfDiceCELoss,
  tfDiceFocalLoss,
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

/** Options of the general tf-op reference below (the library's names and defaults). */
interface OverlapOptions {
  loss: 'dice' | 'jaccard' | 'tversky' | 'focalTversky' | 'generalizedDice';
  smooth?: number;
  alpha?: number;
  beta?: number;
  gamma?: number;
  squared?: boolean;
  batch?: boolean;
  includeBackground?: boolean;
  weight?: number[];
  weightType?: 'square' | 'simple' | 'uniform';
  reduction?: 'mean' | 'sum';
}

/**
 * The overlap losses with their options in tf ops, from the README's formulas: sums over the
 * spatial axes (and the batch with `batch`), p² and y² when squared, one term per (sample, class)
 * weighted by weight[c], class 0 left out of the reduction without background; Generalized Dice
 * one term per sample over the included classes, w = 1/G², 1/G or 1 (every class present here).
 */
function overlapInTfOps(o: OverlapOptions): (y: tf.Tensor, p: tf.Tensor) => tf.Scalar {
  return (y, p) => {
    const axes = o.batch ? [0, 1, 2] : [1, 2];
    const sum = (t: tf.Tensor) => tf.sum(t, axes, true);
    const I = sum(tf.mul(p, y));
    const P = sum(o.squared ? tf.square(p) : p);
    const G = sum(o.squared ? tf.square(y) : y);
    const s = o.smooth ?? 1;
    const classes = (t: tf.Tensor) => (o.includeBackground === false ? tf.slice(t, [0, 0, 0, 1]) : t);
    const reduce = (t: tf.Tensor) => ((o.reduction ?? 'mean') === 'sum' ? tf.sum(t) : tf.mean(t)) as tf.Scalar;
    if (o.loss === 'generalizedDice') {
      const [i, pp, g] = [classes(I), classes(P), classes(G)];
      const type = o.weightType ?? 'square';
      const w = type === 'square' ? tf.div(1, tf.square(g)) : type === 'simple' ? tf.div(1, g) : tf.onesLike(g);
      const num = tf.add(tf.mul(2, tf.sum(tf.mul(w, i), 3)), s);
      const den = tf.add(tf.sum(tf.mul(w, tf.add(pp, g)), 3), s);
      return reduce(tf.sub(1, tf.div(num, den)));
    }
    const [alpha, beta] =
      o.loss === 'dice'
        ? [0.5, 0.5]
        : o.loss === 'jaccard'
          ? [1, 1]
          : [o.alpha ?? (o.loss === 'focalTversky' ? 0.7 : 0.5), o.beta ?? (o.loss === 'focalTversky' ? 0.3 : 0.5)];
    // Dice is the Tversky index with α = β = ½ and half the smoothing: (2I + s)/(P + G + s).
    const sNr = o.loss === 'dice' ? s / 2 : s;
    const den = tf.add(tf.addN([I, tf.mul(alpha, tf.sub(P, I)), tf.mul(beta, tf.sub(G, I))]), sNr);
    const score = tf.div(tf.add(I, sNr), den);
    let term = o.loss === 'focalTversky' ? tf.pow(tf.relu(tf.sub(1, score)), o.gamma ?? 0.75) : tf.sub(1, score);
    if (o.weight) term = tf.mul(term, tf.tensor1d(o.weight));
    return reduce(classes(term));
  };
}

/** MONAI's sigmoid focal loss in tf ops: mean of α_t·σ(−z·(2y − 1))^γ·BCE(z, y) over every element. */
function sigmoidFocalInTfOps(z: tf.Tensor, y: tf.Tensor, gamma: number, alpha: number): tf.Scalar {
  const bce = tf.add(tf.mul(y, tf.softplus(tf.neg(z))), tf.mul(tf.sub(1, y), tf.softplus(z)));
  const modulation = tf.pow(tf.sigmoid(tf.neg(tf.mul(z, tf.sub(tf.mul(2, y), 1)))), gamma);
  const balance = tf.add(tf.mul(alpha, y), tf.mul(1 - alpha, tf.sub(1, y)));
  return tf.mean(tf.mul(tf.mul(balance, modulation), bce)) as tf.Scalar;
}

/** Losses beyond their defaults: the tfjs loss, and its formula in tf ops. */
const BEYOND_DEFAULTS: [string, TfLoss, (y: tf.Tensor, p: tf.Tensor) => tf.Scalar][] = (() => {
  const cases: [string, OverlapOptions][] = [
    [
      'jaccard: smooth 0.5, squared, no background, sum',
      { loss: 'jaccard', smooth: 0.5, squared: true, includeBackground: false, reduction: 'sum' },
    ],
    ['jaccard: batch, weight', { loss: 'jaccard', batch: true, weight: [0.5, 1, 2] }],
    [
      'tversky: α 0.8, β 0.2, smooth 0.1, weight, sum',
      { loss: 'tversky', alpha: 0.8, beta: 0.2, smooth: 0.1, weight: [1, 3, 0.25], reduction: 'sum' },
    ],
    [
      'tversky: batch, no background',
      { loss: 'tversky', alpha: 0.1, beta: 0.9, batch: true, includeBackground: false },
    ],
    [
      'focalTversky: γ 2, α 0.4, β 0.6, squared',
      { loss: 'focalTversky', gamma: 2, alpha: 0.4, beta: 0.6, squared: true },
    ],
    [
      'focalTversky: γ 0.5, batch, weight, sum',
      { loss: 'focalTversky', gamma: 0.5, batch: true, weight: [2, 1, 0.5], reduction: 'sum' },
    ],
    [
      'generalizedDice: simple weights, smooth 0.5, sum',
      { loss: 'generalizedDice', weightType: 'simple', smooth: 0.5, reduction: 'sum' },
    ],
    [
      'generalizedDice: uniform weights, no background, squared',
      { loss: 'generalizedDice', weightType: 'uniform', includeBackground: false, squared: true },
    ],
    ['generalizedDice: square weights, batch', { loss: 'generalizedDice', batch: true, smooth: 1e-3 }],
    ['dice: reduction sum, weight, squared', { loss: 'dice', reduction: 'sum', weight: [1, 2, 3], squared: true }],
  ];
  const make = {
    dice: tfDiceLoss,
    jaccard: tfJaccardLoss,
    tversky: tfTverskyLoss,
    focalTversky: tfFocalTverskyLoss,
    generalizedDice: tfGeneralizedDiceLoss,
  };
  return cases.map(([name, { loss, ...options }]) => [
    name,
    (make[loss] as (o: object) => TfLoss)(options),
    overlapInTfOps({ loss, ...options }),
  ]);
})();

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

  it.each(BEYOND_DEFAULTS.map(([name]) => name))(
    '%s: value and gradient equal tf.grad of the tf-op formula',
    (name) => {
      const [, loss, reference] = BEYOND_DEFAULTS.find(([n]) => n === name)!;
      const { probs, oneHot, labels } = problem(16);
      const want = valueAndGrad(reference, oneHot, probs);
      for (const yTrue of [oneHot, labels]) {
        const ours = valueAndGrad(loss, yTrue, probs);
        expect(relativeError(ours.value, want.value)).toBeLessThanOrEqual(1e-5);
        expect(relativeError(ours.grad, want.grad)).toBeLessThanOrEqual(1e-5);
      }
      tf.dispose([probs, oneHot, labels]);
    },
  );

  it('Jaccard and Generalized Dice from logits (activation softmax) and channels first', () => {
    const { logits, labels, oneHot } = problem(17);
    for (const [loss, options, reference] of [
      [tfJaccardLoss, { activation: 'softmax' }, overlapInTfOps({ loss: 'jaccard' })],
      [
        tfGeneralizedDiceLoss,
        { activation: 'softmax', weightType: 'simple' },
        overlapInTfOps({ loss: 'generalizedDice', weightType: 'simple' }),
      ],
    ] as const) {
      const want = valueAndGrad((y, z) => reference(y, tf.softmax(z)), oneHot, logits);
      const ours = valueAndGrad((loss as (o: object) => TfLoss)(options), labels, logits);
      expect(relativeError(ours.value, want.value)).toBeLessThanOrEqual(1e-5);
      expect(relativeError(ours.grad, want.grad)).toBeLessThanOrEqual(1e-5);
      // The same tensors channels first: [B, C, H, W].
      const nchw = valueAndGrad(
        (loss as (o: object) => TfLoss)({ ...options, layout: 'NCHW' }),
        tf.transpose(oneHot, [0, 3, 1, 2]),
        tf.transpose(logits, [0, 3, 1, 2]),
      );
      expect(relativeError(nchw.value, want.value)).toBeLessThanOrEqual(1e-5);
      const back = tf.tidy(() => tf.transpose(tf.tensor4d(nchw.grad, [B, C, H, W]), [0, 2, 3, 1]).dataSync());
      expect(relativeError(back as Float32Array, want.grad)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('Dice + focal from logits: λ_overlap·Dice(σ(z)) + λ_point·mean focal term (tfDiceFocalLoss)', () => {
    const { logits, oneHot } = problem(18);
    const options = { gamma: 1.5, alpha: 0.25, lambdaOverlap: 0.7, lambdaPoint: 1.3 };
    const reference = valueAndGrad(
      (y, z) =>
        tf.add(
          tf.mul(0.7, overlapInTfOps({ loss: 'dice' })(y, tf.sigmoid(z))),
          tf.mul(1.3, sigmoidFocalInTfOps(z, y, 1.5, 0.25)),
        ) as tf.Scalar,
      oneHot,
      logits,
    );
    const ours = valueAndGrad(tfDiceFocalLoss(options), oneHot, logits);
    expect(relativeError(ours.value, reference.value)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(ours.grad, reference.grad)).toBeLessThanOrEqual(1e-5);
    // Defaults: γ 2, no α, λ 1 and 1; reduction 'sum' adds the Dice terms and the focal terms.
    const defaults = valueAndGrad(
      (y, z) =>
        tf.add(
          overlapInTfOps({ loss: 'dice', reduction: 'sum' })(y, tf.sigmoid(z)),
          tf.mul(
            B * H * W * C,
            tf.mean(
              tf.mul(
                tf.pow(tf.sigmoid(tf.neg(tf.mul(z, tf.sub(tf.mul(2, y), 1)))), 2),
                tf.add(tf.mul(y, tf.softplus(tf.neg(z))), tf.mul(tf.sub(1, y), tf.softplus(z))),
              ),
            ),
          ),
        ) as tf.Scalar,
      oneHot,
      logits,
    );
    const sum = valueAndGrad(tfDiceFocalLoss({ reduction: 'sum' }), oneHot, logits);
    expect(relativeError(sum.value, defaults.value)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(sum.grad, defaults.grad)).toBeLessThanOrEqual(1e-5);
  });

  it('leaves no tensor behind', () => {
    const { probs, oneHot } = problem(14);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) valueAndGrad(LOSSES.dice, oneHot, probs);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the kernel option', () => {
  it('computes with the DiceKernel given (here the TypeScript backend), with the same numbers', async () => {
    const js = await loadDice({ backend: 'js' });
    const created = vi.spyOn(js, 'createLoss');
    const { probs, oneHot } = problem(19);
    const ours = valueAndGrad(tfDiceLoss({ kernel: js, includeBackground: false }), oneHot, probs);
    expect(created).toHaveBeenCalledTimes(1);
    const shared = valueAndGrad(tfDiceLoss({ includeBackground: false }), oneHot, probs);
    expect(relativeError(ours.value, shared.value)).toBeLessThanOrEqual(1e-6);
    expect(relativeError(ours.grad, shared.grad)).toBeLessThanOrEqual(1e-5);
    // Options are resolved once per shape: a second call of the same shape creates no loss.
    valueAndGrad(tfDiceLoss({ kernel: js }), oneHot, probs);
    expect(created).toHaveBeenCalledTimes(2);
    tf.dispose([probs, oneHot]);
  });
});

describe('bad options and inputs', () => {
  it.each([
    [() => tfDiceLoss({ reduction: 'none' as 'mean' }), RangeError, /tfDiceLoss: reduction must be 'mean' or 'sum'/],
    [() => tfDiceLoss({ shape: [1] } as never), TypeError, /tfDiceLoss: option 'shape' comes from yPred's shape/],
    [
      () => tfJaccardLoss({ mask: new Uint8Array(1) } as never),
      TypeError,
      /tfJaccardLoss: option 'mask' is not supported by the TF\.js losses/,
    ],
    [
      () => tfTverskyLoss({ out: new Float32Array(1) } as never),
      TypeError,
      /tfTverskyLoss: option 'out' is not supported/,
    ],
    [
      () => tfGeneralizedDiceLoss(null as never),
      TypeError,
      /tfGeneralizedDiceLoss: options must be an object; got null/,
    ],
    [() => tfDiceFocalLoss(3 as never), TypeError, /tfDiceFocalLoss: options must be an object; got number 3/],
  ])('rejects %#', (make, type, message) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });

  it('refuses bad option values at the first call, naming the loss and the option', () => {
    const { probs, oneHot, labels } = problem(20);
    const refuses = (call: () => unknown, message: RegExp) => {
      expect(call).toThrow(RangeError);
      expect(call).toThrow(message);
    };
    refuses(
      () => tfTverskyLoss({ alpha: -1 })(oneHot, probs),
      /^tfTverskyLoss: alpha must be a finite number ≥ 0; got number -1$/,
    );
    refuses(() => tfFocalTverskyLoss({ gamma: 0 })(oneHot, probs), /^tfFocalTverskyLoss: gamma must be > 0/);
    refuses(
      () => tfGeneralizedDiceLoss({ weightType: 'cube' as never })(oneHot, probs),
      /^tfGeneralizedDiceLoss: weightType must be one of 'square', 'simple', 'uniform'; got string 'cube'$/,
    );
    refuses(
      () => tfDiceLoss({ weight: [1, 2] })(oneHot, probs),
      /^tfDiceLoss: weight has length 2 but there are 3 classes/,
    );
    // A label outside the classes, found while computing: named after the loss too.
    const outside = tf.add(labels, tf.scalar(5, 'int32'));
    expect(() => tfDiceLoss()(outside, probs)).toThrow(/^tfDiceLoss: target/);
    tf.dispose([probs, oneHot, labels, outside]);
  });

  it('refuses a yPred that is not float32, and labels that are not integers', () => {
    const { probs, oneHot, labels } = problem(21);
    const loss = tfDiceLoss();
    const ints = probs.toInt();
    expect(() => loss(oneHot, ints)).toThrow(TypeError);
    expect(() => loss(oneHot, ints)).toThrow(/tfDiceLoss: yPred must be a float32 tensor; got int32/);
    const halves = tf.add(labels.toFloat(), 0.5);
    expect(() => loss(halves, probs)).toThrow(RangeError);
    expect(() => loss(halves, probs)).toThrow(
      new RegExp(
        "tfDiceLoss: yTrue has 60 values, yPred's size over its classes, so it is read as labels; " +
          'it holds 0\\.5 at index 0',
      ),
    );
    // The loss stays usable.
    expect(Number.isFinite(loss(oneHot, probs).dataSync()[0])).toBe(true);
    tf.dispose([probs, oneHot, labels, ints, halves]);
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
