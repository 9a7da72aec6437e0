// The Dice + cross-entropy case (MONAI's DiceCELoss with softmax): logits of B samples and C
// classes, a label map, mean Dice over the B·C terms plus mean cross-entropy over the voxels.
// Contenders: the library (JS backend, WebAssembly zero-copy and copy-in) and TF.js composing the
// same loss from tf ops.
import * as tf from '@tensorflow/tfjs';
import type { DiceKernel } from '../../src/index.js';
import { softmaxData } from './data.js';
import type { Runnable } from './timing.js';

export interface DiceCEInstance {
  /** `[B, C, ...spatial]`, channels first. */
  shape: number[];
  logits: Float32Array;
  labels: Uint8Array;
  classes: number;
  /** Voxels per sample. */
  voxels: number;
}

export interface DiceCEContender extends Runnable {
  /** Loss and gradient (channels first) of one call, for the agreement check. */
  check(): { loss: number; grad: Float32Array };
  dispose(): void;
}

/** B samples of the softmax case's synthetic data, one seed each. */
export function diceCEData(shape: number[]): DiceCEInstance {
  const [B, classes] = shape;
  const voxels = shape.slice(2).reduce((a, d) => a * d, 1);
  const logits = new Float32Array(B * classes * voxels);
  const labels = new Uint8Array(B * voxels);
  for (let b = 0; b < B; b++) {
    const sample = softmaxData(classes * voxels, classes, 0xdce + 31 * b + classes);
    logits.set(sample.logits, b * classes * voxels);
    labels.set(sample.labels, b * voxels);
  }
  return { shape, logits, labels, classes, voxels };
}

const SMOOTH = 1;

export function libraryContender(
  id: string,
  kernel: DiceKernel,
  data: DiceCEInstance,
  zeroCopy: boolean,
): DiceCEContender {
  let logits = data.logits;
  let labels = data.labels;
  let out = new Float32Array(logits.length);
  if (zeroCopy) {
    kernel.reserve(2 * logits.byteLength + labels.byteLength + (8 << 20));
    logits = kernel.alloc(Float32Array, data.logits.length);
    logits.set(data.logits);
    labels = kernel.alloc(Uint8Array, data.labels.length);
    labels.set(data.labels);
    out = kernel.alloc(Float32Array, data.logits.length);
  }
  const options = { shape: data.shape, smooth: SMOOTH, out };
  return {
    id,
    run: () => kernel.diceCELossWithGrad(logits, labels, options).loss,
    check: () => ({ loss: kernel.diceCELossWithGrad(logits, labels, options).loss, grad: Float32Array.from(out) }),
    dispose: () => {
      if (zeroCopy) for (const array of [logits, labels, out]) kernel.free(array);
    },
  };
}

/**
 * TF.js, as a user writes it: channels-last `[B, S, C]` logits (transposed once, outside the
 * timed calls), a one-hot target made once, `tf.valueAndGrad` of softmax Dice + cross-entropy,
 * then `dataSync()` of the loss and the gradient.
 */
export function tfjsContender(id: string, data: DiceCEInstance): DiceCEContender {
  const { classes: C, voxels: S } = data;
  const B = data.shape[0];
  const before = tf.memory().numTensors;
  const x = tf.tensor3d(toChannelsLast(data.logits, B, C, S), [B, S, C]);
  const y = tf.tidy(() =>
    tf
      .oneHot(tf.tensor1d(Int32Array.from(data.labels), 'int32'), C)
      .toFloat()
      .reshape([B, S, C]),
  );
  const lossOf = (z: tf.Tensor): tf.Scalar => {
    const p = tf.softmax(z);
    const num = tf.add(tf.mul(tf.sum(tf.mul(p, y), 1), 2), SMOOTH);
    const den = tf.add(tf.add(tf.sum(p, 1), tf.sum(y, 1)), SMOOTH);
    const dice = tf.mean(tf.sub(1, tf.div(num, den)));
    const ce = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(z)), -1)));
    return tf.add(dice, ce);
  };
  const valueAndGrad = tf.valueAndGrad(lossOf);
  let grad: Float32Array = new Float32Array(0);
  const run = (): number => {
    const result = tf.tidy(() => valueAndGrad(x));
    const loss = result.value.dataSync()[0];
    grad = result.grad.dataSync() as Float32Array;
    tf.dispose([result.value, result.grad]);
    return loss;
  };
  return {
    id,
    run,
    check: () => ({ loss: run(), grad: toChannelsFirst(grad, B, C, S) }),
    dispose: () => {
      tf.dispose([x, y]);
      const leaked = tf.memory().numTensors - before;
      if (leaked !== 0) throw new Error(`bench: the TF.js contender leaked ${leaked} tensors`);
    },
  };
}

function toChannelsLast(a: Float32Array, B: number, C: number, S: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) out[(b * S + s) * C + c] = a[(b * C + c) * S + s];
  return out;
}

function toChannelsFirst(a: Float32Array, B: number, C: number, S: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) out[(b * C + c) * S + s] = a[(b * S + s) * C + c];
  return out;
}
