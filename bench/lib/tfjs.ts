// TF.js with its WebAssembly backend, set up for Node (single-threaded there), and the same
// Dice loss written with tf ops: what a TF.js user would write to get the loss and gradient.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import type { Contender, ImplementationId } from './contenders.js';

export interface TfjsInfo {
  backend: string;
  /** Whether TF.js loaded its SIMD build. */
  simd: boolean;
  /** Whether TF.js runs multi-threaded (it does not in Node: no cross-origin isolation, no threaded build). */
  threads: boolean;
}

/** Selects the wasm backend, with its .wasm files taken from the installed package. */
export async function setUpTfjs(): Promise<TfjsInfo> {
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(dirname(entry) + sep); // a directory prefix: TF.js appends the file names
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not initialise its wasm backend');
  await tf.ready();
  return {
    backend: tf.getBackend(),
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
  };
}

/** Loss of a binary prediction `[n]` against a dense 0/1 target, written with tf ops. */
export function tfjsBinaryDice(
  id: ImplementationId,
  pred: Float32Array,
  target: Float32Array,
  smooth: number,
): Contender {
  return tfjsContender(id, () => {
    const x = tf.tensor1d(pred);
    const y = tf.tensor1d(target);
    const lossOf = (p: tf.Tensor): tf.Scalar => {
      const num = tf.add(tf.mul(tf.sum(tf.mul(p, y)), 2), smooth);
      const den = tf.add(tf.add(tf.sum(p), tf.sum(y)), smooth);
      return tf.sub(1, tf.div(num, den));
    };
    return { x, constants: [y], lossOf, gradientToChannelsFirst: (g) => g };
  });
}

/**
 * Loss of softmax(logits) against a label map, as a TF.js user writes it: TF.js is channels-last
 * and `tf.softmax` works over the last axis only, so the logits are given as `[1, S, C]` (the
 * same numbers as the channels-first `[1, C, S]` the others get, transposed once outside the
 * timed region) and the target is one-hot `[1, S, C]`, also made once.
 */
export function tfjsSoftmaxDice(
  id: ImplementationId,
  logits: Float32Array,
  labels: Uint8Array,
  classes: number,
  smooth: number,
): Contender {
  const voxels = labels.length;
  return tfjsContender(id, () => {
    const x = tf.tensor3d(channelsLast(logits, classes, voxels), [1, voxels, classes]);
    const y = tf.tidy(() =>
      tf
        .oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), classes)
        .toFloat()
        .reshape([1, voxels, classes]),
    );
    const lossOf = (z: tf.Tensor): tf.Scalar => {
      const p = tf.softmax(z);
      const intersection = tf.sum(tf.mul(p, y), 1); // [1, C]: one term per (sample, class)
      const num = tf.add(tf.mul(intersection, 2), smooth);
      const den = tf.add(tf.add(tf.sum(p, 1), tf.sum(y, 1)), smooth);
      return tf.mean(tf.sub(1, tf.div(num, den)));
    };
    return { x, constants: [y], lossOf, gradientToChannelsFirst: (g) => channelsFirst(g, classes, voxels) };
  });
}

interface TfjsProblem {
  /** The tensor the gradient is taken with respect to. */
  x: tf.Tensor;
  /** Other tensors made once (targets), disposed with the contender. */
  constants: tf.Tensor[];
  lossOf: (x: tf.Tensor) => tf.Scalar;
  /** Maps the gradient in TF.js's layout to pred's channels-first layout, for the agreement check. */
  gradientToChannelsFirst: (grad: Float32Array) => Float32Array;
}

/**
 * One timed call is `tf.valueAndGrad` plus `dataSync()` of the loss and of the gradient (a
 * TF.js user has to read them back to use them). Input tensors are made once, outside the
 * timed calls; each call's tensors are disposed, so memory stays flat (checked on dispose).
 */
function tfjsContender(id: ImplementationId, make: () => TfjsProblem): Contender {
  const tensorsBefore = tf.memory().numTensors;
  const { x, constants, lossOf, gradientToChannelsFirst } = make();
  const valueAndGrad = tf.valueAndGrad(lossOf);
  let gradient: Float32Array = new Float32Array(0);
  return {
    id,
    run(): number {
      const { value, grad } = tf.tidy(() => valueAndGrad(x));
      const loss = value.dataSync()[0];
      gradient = grad.dataSync() as Float32Array;
      tf.dispose([value, grad]);
      return loss;
    },
    lastGradient: () => gradientToChannelsFirst(gradient),
    dispose(): void {
      tf.dispose([x, ...constants]);
      const leaked = tf.memory().numTensors - tensorsBefore;
      if (leaked !== 0) throw new Error(`bench: the TF.js contender '${id}' leaked ${leaked} tensors`);
    },
  };
}

function channelsLast(channelsFirst: Float32Array, classes: number, voxels: number): Float32Array {
  const out = new Float32Array(channelsFirst.length);
  for (let c = 0; c < classes; c++) {
    for (let s = 0; s < voxels; s++) out[s * classes + c] = channelsFirst[c * voxels + s];
  }
  return out;
}

function channelsFirst(channelsLast: Float32Array, classes: number, voxels: number): Float32Array {
  const out = new Float32Array(channelsLast.length);
  for (let c = 0; c < classes; c++) {
    for (let s = 0; s < voxels; s++) out[c * voxels + s] = channelsLast[s * classes + c];
  }
  return out;
}
