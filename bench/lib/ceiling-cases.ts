// The cases of the ceiling benchmark: the data (the same numbers bench/native/driver.c makes,
// from the same seeds of mulberry32) and the dice-wasm call that does the work of each native
// reference, on arrays from `k.alloc` (zero copy) or on plain typed arrays.
import type { DiceKernel } from '../../src/index.js';
import { rng } from '../../test/support/random.js';

export type Placement = 'alloc' | 'plain';

export interface CeilingCase {
  /** Also the case name the native driver knows. */
  id: string;
  description: string;
  /** What n counts (elements of pred, or voxels of each label map). */
  unit: 'element' | 'voxel';
  /**
   * Bytes the two passes move per unit at the least, as the native reference does the work:
   * pass 1 reads the inputs, pass 2 reads what the gradient needs and writes it. GB/s = this / time.
   */
  bytesPerUnit: number;
  /** Bytes of the arrays of one call per unit (inputs and gradient): the working set. */
  footprintPerUnit: number;
  /** Prepares the arrays of size n and returns a call of dice-wasm (returning the loss, or a count). */
  make(k: DiceKernel, n: number, placement: Placement): { run: () => number; free: () => void };
}

/** Uniform values scale·u + shift (u in [0, 1)), as driver.c's `uniform`. */
function uniform(array: Float32Array, seed: number, scale: number, shift: number): void {
  const random = rng(seed);
  for (let i = 0; i < array.length; i++) array[i] = scale * random() + shift;
}

/** kind 0: 1 with probability 3/8, else 0; kind k > 0: labels uniform in [0, k) (driver.c's `bytes`). */
function bytes(array: Uint8Array, seed: number, kind: number): void {
  const random = rng(seed);
  for (let i = 0; i < array.length; i++) {
    const u = random();
    array[i] = kind === 0 ? (u < 0.375 ? 1 : 0) : Math.floor(u * kind);
  }
}

type ArrayCtor = Float32ArrayConstructor | Uint8ArrayConstructor;

/** An array for a call: from k.alloc (zero copy) or a plain one; `free` releases the allocated ones. */
function arrays(k: DiceKernel, placement: Placement) {
  const taken: ArrayBufferView[] = [];
  return {
    make<C extends ArrayCtor>(ctor: C, length: number): InstanceType<C> {
      if (placement === 'plain') return new ctor(length) as InstanceType<C>;
      const array = k.alloc(ctor, length) as InstanceType<C>;
      taken.push(array);
      return array;
    },
    free: () => {
      for (const a of taken) k.free(a);
    },
  };
}

function binary(id: string, target: 'f32' | 'u8', activation: 'none' | 'sigmoid'): CeilingCase {
  const logits = activation === 'sigmoid';
  const targetBytes = target === 'f32' ? 4 : 1;
  return {
    id,
    description:
      `binary Dice value + gradient, ${logits ? 'sigmoid from logits' : 'probabilities'}, ` +
      `${target === 'f32' ? 'Float32Array' : 'Uint8Array'} 0/1 target`,
    unit: 'element',
    // Pass 1 reads pred and y; pass 2 reads y (and the logits for σ) and writes the gradient.
    bytesPerUnit: 4 + targetBytes + targetBytes + (logits ? 4 : 0) + 4,
    footprintPerUnit: 8 + targetBytes,
    make(k, n, placement) {
      const a = arrays(k, placement);
      const pred = a.make(Float32Array, n);
      const out = a.make(Float32Array, n);
      const y = a.make(Uint8Array, n);
      if (logits) uniform(pred, 3, 8, -4);
      else uniform(pred, 1, 1, 0);
      bytes(y, 2, 0);
      let t: Float32Array | Uint8Array = y;
      if (target === 'f32') {
        t = a.make(Float32Array, n);
        t.set(y);
      }
      const options = { out, activation };
      return { run: () => k.diceLossWithGrad(pred, t, options).loss, free: a.free };
    },
  };
}

function softmax4(id: string, layout: 'NCHW' | 'NHWC', withCE: boolean): CeilingCase {
  return {
    id,
    description:
      `${withCE ? 'Dice + cross-entropy' : 'softmax Dice'} value + gradient from logits, 4 classes, ${layout}, ` +
      'Uint8Array label map (n logits, n/4 voxels)',
    unit: 'element',
    // Per logit: pass 1 reads it and a quarter of a label; pass 2 the same, and writes the gradient.
    bytesPerUnit: 4 + 0.25 + 4 + 0.25 + 4,
    footprintPerUnit: 8.25,
    make(k, n, placement) {
      const a = arrays(k, placement);
      const S = n / 4;
      const pred = a.make(Float32Array, n);
      const out = a.make(Float32Array, n);
      const labels = a.make(Uint8Array, S);
      uniform(pred, 3, 8, -4);
      bytes(labels, 4, 4);
      const shape = layout === 'NCHW' ? [1, 4, S] : [1, S, 4];
      if (withCE) {
        const options = { out, shape, layout };
        return { run: () => k.diceCELossWithGrad(pred, labels, options).loss, free: a.free };
      }
      const options = { out, shape, layout, activation: 'softmax' as const };
      return { run: () => k.diceLossWithGrad(pred, labels, options).loss, free: a.free };
    },
  };
}

const confusion4: CeilingCase = {
  id: 'confusion4-u8',
  description: 'confusion counts (TP, predicted, actual per class) of two Uint8Array label maps, 4 classes',
  unit: 'voxel',
  bytesPerUnit: 2,
  footprintPerUnit: 2,
  make(k, n, placement) {
    const a = arrays(k, placement);
    const pred = a.make(Uint8Array, n);
    const truth = a.make(Uint8Array, n);
    bytes(pred, 5, 4);
    bytes(truth, 6, 4);
    const options = { numClasses: 4 };
    return { run: () => k.confusion(pred, truth, options).tp[0], free: a.free };
  },
};

export const CEILING_CASES: readonly CeilingCase[] = [
  binary('binary-f32', 'f32', 'none'),
  binary('binary-u8', 'u8', 'none'),
  binary('sigmoid-u8', 'u8', 'sigmoid'),
  softmax4('softmax4-nchw', 'NCHW', false),
  softmax4('softmax4-nhwc', 'NHWC', false),
  softmax4('dicece4-nchw', 'NCHW', true),
  confusion4,
];

/** Mean length of a run of equal labels in the class-count sweeps (a few rows of a blob, as lib/data.ts). */
const MEAN_RUN = 128;

/**
 * A label map of runs (lengths uniform in [1, 2·MEAN_RUN), labels uniform in [0, C)) and a
 * prediction that agrees except at 10 % of the voxels, drawn uniformly: like a segmentation and its
 * ground truth.
 */
export function labelPair(pred: Uint8Array, truth: Uint8Array, C: number, seed: number): void {
  const random = rng(seed);
  for (let i = 0; i < truth.length; ) {
    const label = Math.floor(random() * C);
    const end = Math.min(truth.length, i + 1 + Math.floor(random() * (2 * MEAN_RUN - 1)));
    truth.fill(label, i, end);
    i = end;
  }
  for (let i = 0; i < pred.length; i++) pred[i] = random() < 0.1 ? Math.floor(random() * C) : truth[i];
}

/** Labels of runs as labelPair's truth, for the softmax sweep; logits uniform in (−4, 4). */
export function softmaxInputs(logits: Float32Array, labels: Uint8Array, C: number, seed: number): void {
  uniform(logits, seed, 8, -4);
  labelPair(new Uint8Array(labels.length), labels, C, seed + 1);
}
