// The benchmark's cases and the implementations compared on them ("contenders"). A contender
// owns its inputs and gradient array for one (case, size), so the timed call does nothing but
// compute: no allocation of inputs, no copy the implementation would not make anyway.
import type { Activation, DiceKernel } from '../../src/index.js';
import { binaryData, softmaxData } from './data.js';
import { naiveBinaryDice, naiveSoftmaxDice } from './naive.js';
import { tfjsBinaryDice, tfjsSoftmaxDice } from './tfjs.js';
import type { Runnable } from './timing.js';

/** Dice smoothing of every case: D = (2I + s) / (P + G + s). */
export const SMOOTH = 1;

export interface Contender extends Runnable {
  readonly id: ImplementationId;
  /** The gradient of the last `run`, channels first like pred (untimed; may copy). */
  lastGradient(): Float32Array;
  /** Releases the contender's arrays or tensors. */
  dispose(): void;
}

export type ImplementationId = 'naiveJs' | 'jsBackend' | 'wasmZeroCopy' | 'wasmCopyIn' | 'scalarZeroCopy' | 'tfjsWasm';

export interface Implementation {
  id: ImplementationId;
  /** Row label of the table. */
  label: string;
  description: string;
}

/** The speed-ups are relative to this one. */
export const BASELINE: ImplementationId = 'jsBackend';

/** One kernel per library contender, each with its own WebAssembly memory. */
export interface Kernels {
  js: DiceKernel;
  /** The backend loadDice() picks, used zero-copy. */
  wasm: DiceKernel;
  /**
   * The same backend used with plain arrays. A separate instance: the memory it grows for the
   * copies must not detach the zero-copy arrays living in the other instance's memory.
   */
  wasmCopyIn: DiceKernel;
  scalar: DiceKernel;
}

export function implementations(wasmBackend: string): Implementation[] {
  const wasm = `WASM ${wasmBackend}`;
  return [
    {
      id: 'naiveJs',
      label: 'naive JS loop',
      description:
        'a hand-written loop: one pass for the sums, one for the gradient (softmax per voxel in both), float64',
    },
    {
      id: 'jsBackend',
      label: 'JS backend (baseline)',
      description: "dice-wasm with loadDice({ backend: 'js' }): the pure TypeScript reference, float64",
    },
    {
      id: 'wasmZeroCopy',
      label: `${wasm} zero-copy`,
      description:
        `dice-wasm with loadDice() (backend '${wasmBackend}'); pred, target and out from ` +
        'k.alloc (after k.reserve), nothing copied',
    },
    {
      id: 'wasmCopyIn',
      label: `${wasm} copy-in`,
      description:
        `dice-wasm with loadDice() (backend '${wasmBackend}'); plain typed arrays, copied ` +
        'into WebAssembly memory each call and the gradient copied out to a plain out array',
    },
    {
      id: 'scalarZeroCopy',
      label: 'WASM scalar zero-copy',
      description: "dice-wasm with loadDice({ backend: 'scalar' }) (the non-SIMD build), zero-copy like the above",
    },
    {
      id: 'tfjsWasm',
      label: 'TF.js wasm backend',
      description:
        'TF.js (@tensorflow/tfjs-backend-wasm, single-threaded): tf.valueAndGrad of the same formula ' +
        'with tf ops, then dataSync() of loss and gradient; input tensors made once. softmax4 gets the ' +
        "logits channels-last, [1, n/4, 4] (TF.js's layout: tf.softmax works over the last axis only), " +
        'and a one-hot target',
    },
  ];
}

/** One (case, size): the inputs, and the two implementations written for this case only. */
export interface CaseInstance {
  /** Elements of pred. */
  n: number;
  shape: number[];
  activation: Activation;
  pred: Float32Array;
  target: Float32Array | Uint8Array;
  naive(out: Float32Array): number;
  tfjs(id: ImplementationId): Contender;
}

export interface BenchCase {
  id: string;
  description: string;
  make(n: number): CaseInstance;
}

export const BINARY: BenchCase = {
  id: 'binary',
  description:
    "1 class: probabilities in (0, 1) (activation 'none'), dense Float32Array 0/1 target (~30 % " +
    'foreground), smooth 1; shape [n]',
  make(n) {
    const { pred, target } = binaryData(n, 0xb1 + n);
    return {
      n,
      shape: [n],
      activation: 'none',
      pred,
      target,
      naive: (out) => naiveBinaryDice(pred, target, SMOOTH, out),
      tfjs: (id) => tfjsBinaryDice(id, pred, target, SMOOTH),
    };
  },
};

export const SOFTMAX4: BenchCase = {
  id: 'softmax4',
  description:
    "4 classes: logits, shape [1, 4, n/4], activation 'softmax', Uint8Array label map of n/4 voxels, " +
    'smooth 1; loss = mean over the 4 classes',
  make(n) {
    const classes = 4;
    const { logits, labels, voxels } = softmaxData(n, classes, 0x54 + n);
    return {
      n,
      shape: [1, classes, voxels],
      activation: 'softmax',
      pred: logits,
      target: labels,
      naive: (out) => naiveSoftmaxDice(logits, labels, classes, SMOOTH, out),
      tfjs: (id) => tfjsSoftmaxDice(id, logits, labels, classes, SMOOTH),
    };
  },
};

/** Every contender of one (case, size), in the table's order. */
export function buildContenders(instance: CaseInstance, kernels: Kernels): Contender[] {
  return [
    naiveContender('naiveJs', instance),
    libraryPlainContender('jsBackend', kernels.js, instance),
    libraryZeroCopyContender('wasmZeroCopy', kernels.wasm, instance),
    libraryPlainContender('wasmCopyIn', kernels.wasmCopyIn, instance),
    libraryZeroCopyContender('scalarZeroCopy', kernels.scalar, instance),
    instance.tfjs('tfjsWasm'),
  ];
}

function naiveContender(id: ImplementationId, instance: CaseInstance): Contender {
  const out = new Float32Array(instance.n);
  return { id, run: () => instance.naive(out), lastGradient: () => out, dispose: () => {} };
}

/** The library on plain typed arrays (for a WebAssembly backend: copied in and out every call). */
function libraryPlainContender(id: ImplementationId, kernel: DiceKernel, instance: CaseInstance): Contender {
  const { pred, target, shape, activation } = instance;
  const out = new Float32Array(instance.n);
  const options = { shape, activation, smooth: SMOOTH, out };
  return {
    id,
    run: () => kernel.diceLossWithGrad(pred, target, options).loss,
    lastGradient: () => out,
    dispose: () => {},
  };
}

/**
 * Room for each call's own blocks (statistics, coefficients, scratch: tens of KiB) and for the
 * 68 KiB the arena pads every block of 1 MiB or more with, reserved with the three arrays so
 * that no call grows the memory (which would detach the arrays).
 */
const RESERVE_SLACK_BYTES = 4 << 20;

/** The library on arrays inside its WebAssembly memory: nothing is copied. */
function libraryZeroCopyContender(id: ImplementationId, kernel: DiceKernel, instance: CaseInstance): Contender {
  const { shape, activation } = instance;
  const bytes = 2 * instance.pred.byteLength + instance.target.byteLength;
  kernel.reserve(bytes + RESERVE_SLACK_BYTES); // before any alloc: growing detaches earlier arrays
  const pred = kernel.alloc(Float32Array, instance.n);
  pred.set(instance.pred);
  const target =
    instance.target instanceof Float32Array
      ? kernel.alloc(Float32Array, instance.target.length)
      : kernel.alloc(Uint8Array, instance.target.length);
  target.set(instance.target);
  const out = kernel.alloc(Float32Array, instance.n);
  const options = { shape, activation, smooth: SMOOTH, out };
  return {
    id,
    run: () => kernel.diceLossWithGrad(pred, target, options).loss,
    lastGradient: () => out,
    dispose: () => {
      for (const array of [pred, target, out]) kernel.free(array);
    },
  };
}
