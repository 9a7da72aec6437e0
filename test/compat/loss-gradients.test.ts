// Gradients of the dice-wasm/compat losses: forwardWithGrad against
// central finite differences of forward on the JS backend (float64 inside, relative error ≤ 1e-4
// of max |fd|), through every translation path — one native call, sums of native calls (DiceCE
// without softmax, Dice + sigmoid focal), a mask multiplied into the logits, MONAI's focal softmax
// over the channels left without background, smp's per-class copies for multilabel ignore_index,
// smp's (mean)^gamma, Keras' axes reordered kept-first — and the WebAssembly builds reproducing
// the JS gradient and loss.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keras, monai, smp, useKernel, type LossWithGrad, type Tensor } from '../../src/compat/index.js';
import { loadDice, type DiceKernel } from '../../src/index.js';
import {
  describeWorstElement,
  elementwiseRelativeError,
  finiteDifferenceGradient,
  maxAbsRelativeError,
  relativeError,
} from '../reference/finite-differences.js';
import { rng } from '../support/random.js';

/** The observed agreement is ~1e-6 (float32 inputs, O(h²) truncation); 1e-4 of max |fd| is the bar. */
const GRAD_TOL = 1e-4;
/**
 * Each component against its own central difference (with a floor of 1% of the largest, see elementwiseRelativeError).
 */
const ELEMENT_TOL = 1e-4;
/** WebAssembly vs JS: float32 lanes folded into float64 (observed ≲ 1e-6). */
const WASM_TOL = 2e-5;

type Data = Float32Array | number[];
const t = (data: Data, shape: number[]) => ({ data, shape });

interface Loss {
  value(x: Float32Array): number;
  withGrad(x: Float32Array): LossWithGrad;
}

interface Case {
  name: string;
  x: Float32Array;
  shape: number[];
  /** Builds the compat object (with the kernel set by useKernel) around the case's other arguments. */
  make(): Loss;
  /** Elements whose gradient is 0 by construction (masked, ignored, sliced-off background). */
  zeros?: (i: number) => boolean;
}

function logits(n: number, seed: number, scale = 3): Float32Array {
  const random = rng(seed);
  return Float32Array.from({ length: n }, () => scale * (2 * random() - 1));
}

function labels(n: number, C: number, seed: number, ignore?: number): number[] {
  const random = rng(seed);
  return Array.from({ length: n }, () => (ignore !== undefined && random() < 0.2 ? ignore : Math.floor(random() * C)));
}

function oneHot(values: number[], B: number, C: number, S: number): number[] {
  const y = new Array<number>(B * C * S).fill(0);
  values.forEach((l, v) => {
    y[(Math.floor(v / S) * C + l) * S + (v % S)] = 1;
  });
  return y;
}

/** softmax over axis 1 of (B, C, S): probabilities for the losses that take them. */
function softmax(x: Float32Array, B: number, C: number, S: number): Float32Array {
  const p = new Float32Array(x.length);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(x[(b * C + c) * S + s]);
      for (let c = 0; c < C; c++) p[(b * C + c) * S + s] = Math.exp(x[(b * C + c) * S + s]) / z;
    }
  }
  return p;
}

type Forward = { forward(...a: unknown[]): number | Tensor; forwardWithGrad(...a: unknown[]): LossWithGrad };

/** forward / forwardWithGrad of an object, input first, the other arguments fixed. */
const forwardOf = (loss: Forward, shape: number[], ...rest: unknown[]): Loss => ({
  value: (x) => loss.forward(t(x, shape), ...rest) as number,
  withGrad: (x) => loss.forwardWithGrad(t(x, shape), ...rest),
});

const B = 2,
  C = 3,
  S = 7;
const NCS = [B, C, S];
const LABEL_SHAPE = [B, 1, S];
const labelMap = labels(B * S, C, 1);
const labelTensor = t(labelMap, LABEL_SHAPE);
const oneHotTensor = t(oneHot(labelMap, B, C, S), NCS);
const softTarget = t(
  Array.from(logits(B * C * S, 2, 1), (v) => (v + 1) / 2),
  NCS,
);

const CASES: Case[] = [
  {
    name: 'monai DiceLoss softmax, to_onehot_y, no background, weight, batch',
    x: logits(42, 10),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.DiceLoss({
          softmax: true,
          to_onehot_y: true,
          include_background: false,
          weight: [0.5, 2],
          batch: true,
        }),
        NCS,
        labelTensor,
      ),
  },
  {
    name: 'monai DiceLoss sigmoid, squared_pred, jaccard, soft target, sum',
    x: logits(42, 11),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.DiceLoss({ sigmoid: true, squared_pred: true, jaccard: true, reduction: 'sum' }),
        NCS,
        softTarget,
      ),
  },
  {
    // Probabilities kept ≥ 0.1 away from the soft target: no kink of |p − g| within the step.
    name: 'monai DiceLoss soft_label, no activation',
    x: Float32Array.from(softTarget.data, (g, i) =>
      g < 0.5 ? g + 0.1 + 0.3 * ((i % 3) / 3) : g - 0.1 - 0.3 * ((i % 3) / 3),
    ),
    shape: NCS,
    make: () => forwardOf(new monai.DiceLoss({ soft_label: true, smooth_nr: 0, smooth_dr: 1e-3 }), NCS, softTarget),
  },
  {
    name: 'monai MaskedDiceLoss sigmoid, per-sample mask',
    x: logits(42, 12),
    shape: NCS,
    make: () =>
      forwardOf(new monai.MaskedDiceLoss({ sigmoid: true }), NCS, oneHotTensor, t(labels(B * S, 2, 3), LABEL_SHAPE)),
  },
  {
    name: 'monai MaskedDiceLoss softmax, to_onehot_y, shared mask',
    x: logits(42, 13),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.MaskedDiceLoss({ softmax: true, to_onehot_y: true }),
        NCS,
        labelTensor,
        t([1, 0, 1, 1, 0, 1, 1], [1, 1, S]),
      ),
    zeros: (i) => [1, 4].includes(i % S),
  },
  {
    name: 'monai TverskyLoss softmax, to_onehot_y, alpha 0.3, beta 0.7',
    x: logits(42, 14),
    shape: NCS,
    make: () =>
      forwardOf(new monai.TverskyLoss({ softmax: true, to_onehot_y: true, alpha: 0.3, beta: 0.7 }), NCS, labelTensor),
  },
  {
    name: 'monai GeneralizedDiceLoss softmax, w_type simple, batch',
    x: logits(42, 15),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.GeneralizedDiceLoss({ softmax: true, to_onehot_y: true, w_type: 'simple', batch: true }),
        NCS,
        labelTensor,
      ),
  },
  {
    name: 'monai FocalLoss sigmoid, alpha, weight, no background, sum',
    x: logits(42, 16),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.FocalLoss({
          to_onehot_y: true,
          alpha: 0.25,
          weight: [1, 3],
          include_background: false,
          reduction: 'sum',
        }),
        NCS,
        labelTensor,
      ),
    zeros: (i) => Math.floor(i / S) % C === 0,
  },
  {
    name: 'monai FocalLoss use_softmax without background (softmax over channels 1…)',
    x: logits(42, 17),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.FocalLoss({ to_onehot_y: true, use_softmax: true, include_background: false, gamma: 1.5 }),
        NCS,
        labelTensor,
      ),
    zeros: (i) => Math.floor(i / S) % C === 0,
  },
  {
    name: 'monai FocalLoss use_softmax, alpha, one-hot target',
    x: logits(42, 18),
    shape: NCS,
    make: () => forwardOf(new monai.FocalLoss({ use_softmax: true, alpha: 0.75 }), NCS, oneHotTensor),
  },
  {
    name: 'monai DiceCELoss softmax (one native call), weight, label_smoothing',
    x: logits(42, 19),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.DiceCELoss({
          softmax: true,
          to_onehot_y: true,
          include_background: false,
          weight: [1, 2, 0.5],
          label_smoothing: 0.1,
          lambda_ce: 2,
        }),
        NCS,
        labelTensor,
      ),
  },
  {
    name: 'monai DiceCELoss sigmoid with 3 channels (Dice + CE), jaccard, one-hot',
    x: logits(42, 20),
    shape: NCS,
    make: () => forwardOf(new monai.DiceCELoss({ sigmoid: true, jaccard: true, reduction: 'sum' }), NCS, oneHotTensor),
  },
  {
    name: 'monai DiceCELoss without activation (Dice on the raw input + CE), two channels without background',
    x: logits(28, 21),
    shape: [B, 2, S],
    make: () =>
      forwardOf(
        new monai.DiceCELoss({ to_onehot_y: true, include_background: false, weight: [1, 3] }),
        [B, 2, S],
        t(labels(B * S, 2, 4), LABEL_SHAPE),
      ),
  },
  {
    name: 'monai DiceCELoss one channel: sigmoid (one call) with pos_weight',
    x: logits(14, 22),
    shape: [B, 1, S],
    make: () =>
      forwardOf(new monai.DiceCELoss({ sigmoid: true, weight: [0.5] }), [B, 1, S], t(labels(B * S, 2, 5), LABEL_SHAPE)),
  },
  {
    name: 'monai DiceCELoss one channel, no activation (Dice + BCE)',
    x: logits(14, 23),
    shape: [B, 1, S],
    make: () =>
      forwardOf(new monai.DiceCELoss({ weight: 2, lambda_dice: 0.5 }), [B, 1, S], t(labels(B * S, 2, 6), LABEL_SHAPE)),
  },
  {
    name: 'monai DiceFocalLoss sigmoid (one call), sum, weight',
    x: logits(42, 24),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.DiceFocalLoss({ sigmoid: true, reduction: 'sum', weight: [1, 2, 3], lambda_focal: 0.5 }),
        NCS,
        oneHotTensor,
      ),
  },
  {
    name: 'monai DiceFocalLoss softmax (Dice + sigmoid focal), alpha, to_onehot_y',
    x: logits(42, 25),
    shape: NCS,
    make: () =>
      forwardOf(new monai.DiceFocalLoss({ softmax: true, to_onehot_y: true, alpha: 0.3, gamma: 1 }), NCS, labelTensor),
  },
  {
    name: 'monai GeneralizedDiceFocalLoss sigmoid (one call), weight, no background',
    x: logits(42, 26),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.GeneralizedDiceFocalLoss({ sigmoid: true, weight: [2, 1], include_background: false }),
        NCS,
        oneHotTensor,
      ),
  },
  {
    name: 'monai GeneralizedDiceFocalLoss softmax (GDL + sigmoid focal), sum',
    x: logits(42, 27),
    shape: NCS,
    make: () =>
      forwardOf(
        new monai.GeneralizedDiceFocalLoss({ softmax: true, to_onehot_y: true, reduction: 'sum', lambda_gdl: 2 }),
        NCS,
        labelTensor,
      ),
  },
  {
    name: 'smp DiceLoss multiclass from logits, ignore_index, classes [1, 2, 2]',
    x: logits(42, 28),
    shape: NCS,
    make: () =>
      forwardOf(
        new smp.DiceLoss({ mode: 'multiclass', ignore_index: 255, classes: [1, 2, 2] }),
        NCS,
        t(labels(B * S, C, 7, 255), [B, S]),
      ),
  },
  {
    name: 'smp JaccardLoss multiclass probabilities (one-hot target), ignore_index, class_weights',
    x: softmax(logits(42, 29), B, C, S),
    shape: NCS,
    make: () =>
      forwardOf(
        new smp.JaccardLoss({ mode: 'multiclass', from_logits: false, ignore_index: -1, class_weights: [1, 3, 0.5] }),
        NCS,
        t(labels(B * S, C, 8, -1), [B, S]),
      ),
  },
  {
    name: 'smp TverskyLoss multilabel, ignore_index (per class copies), classes, class_weights, gamma 0.75',
    x: logits(42, 30),
    shape: NCS,
    make: () =>
      forwardOf(
        new smp.TverskyLoss({
          mode: 'multilabel',
          ignore_index: 2,
          classes: [0, 2],
          class_weights: [2, 1],
          alpha: 0.3,
          beta: 0.7,
          gamma: 0.75,
        }),
        NCS,
        t(labels(42, 2, 9, 2), NCS),
      ),
    zeros: (i) => Math.floor(i / S) % C === 1,
  },
  {
    name: 'smp DiceLoss binary, ignore_index, log_loss, smooth',
    x: logits(14, 31),
    shape: [B, 1, S],
    make: () =>
      forwardOf(
        new smp.DiceLoss({ mode: 'binary', ignore_index: 9, log_loss: true, smooth: 0.5 }),
        [B, 1, S],
        t(labels(14, 2, 10, 9), [B, 1, S]),
      ),
  },
  {
    name: 'smp TverskyLoss binary, gamma 2',
    x: logits(14, 32),
    shape: [B, 1, S],
    make: () =>
      forwardOf(
        new smp.TverskyLoss({ mode: 'binary', gamma: 2, alpha: 0.7, beta: 0.3 }),
        [B, 1, S],
        t(labels(14, 2, 11), [B, S]),
      ),
  },
  {
    name: 'smp FocalLoss binary, ignore_index, alpha',
    x: logits(14, 33),
    shape: [B, 1, S],
    make: () =>
      forwardOf(
        new smp.FocalLoss({ mode: 'binary', ignore_index: -1, alpha: 0.25 }),
        [B, 1, S],
        t(labels(14, 2, 12, -1), [B, 1, S]),
      ),
  },
  {
    name: 'smp FocalLoss multiclass (sum of per-class sigmoid means), ignore_index',
    x: logits(42, 34),
    shape: NCS,
    make: () =>
      forwardOf(
        new smp.FocalLoss({ mode: 'multiclass', ignore_index: 255, gamma: 1 }),
        NCS,
        t(labels(B * S, C, 13, 255), [B, S]),
      ),
  },
  {
    name: 'smp FocalLoss multilabel, sum',
    x: logits(42, 35),
    shape: NCS,
    make: () => forwardOf(new smp.FocalLoss({ mode: 'multilabel', reduction: 'sum' }), NCS, oneHotTensor),
  },
  {
    name: 'smp MCCLoss',
    x: Float32Array.from(softTarget.data, (v) => 1 - v),
    shape: NCS,
    make: () => forwardOf(new smp.MCCLoss({ eps: 1e-3 }), NCS, oneHotTensor),
  },
  {
    name: 'smp SoftBCEWithLogitsLoss smooth_factor, ignore_index, weight, pos_weight',
    x: logits(14, 36),
    shape: [B, S],
    make: () =>
      forwardOf(
        new smp.SoftBCEWithLogitsLoss({ smooth_factor: 0.1, weight: 2, pos_weight: [3] }),
        [B, S],
        t(labels(14, 2, 14, -100), [B, S]),
      ),
  },
  {
    name: 'smp SoftCrossEntropyLoss channels last (dim −1), smooth_factor, ignore_index',
    x: logits(42, 37),
    shape: [B, S, C],
    make: () =>
      forwardOf(
        new smp.SoftCrossEntropyLoss({ dim: -1, smooth_factor: 0.2 }),
        [B, S, C],
        t(labels(B * S, C, 15, -100), [B, S]),
      ),
  },
];

type Call = { call(...a: unknown[]): number | Tensor; callWithGrad(...a: unknown[]): LossWithGrad };

/** Keras' call / callWithGrad: the target first, then y_pred. */
const callOf = (loss: Call, shape: number[], yTrue: unknown): Loss => ({
  value: (x) => loss.call(yTrue, t(x, shape)) as number,
  withGrad: (x) => loss.callWithGrad(yTrue, t(x, shape)),
});

// Keras, channels last (B, H, W, C): probabilities and a soft target.
const NHWC = [B, 3, 2, C];
const softNHWC = t(
  Array.from(logits(B * 6 * C, 40, 1), (v) => (v + 1) / 2),
  NHWC,
);
CASES.push(
  {
    name: 'keras Dice, axis null (everything pooled)',
    x: softmax(logits(B * 6 * C, 41), B * 6, C, 1),
    shape: NHWC,
    make: () => callOf(new keras.Dice(), NHWC, softNHWC),
  },
  {
    name: 'keras Dice, axis [1, 2, 3] (per sample), sum_over_batch_size',
    x: softmax(logits(B * 6 * C, 42), B * 6, C, 1),
    shape: NHWC,
    make: () => callOf(new keras.Dice({ axis: [1, 2, 3] }), NHWC, softNHWC),
  },
  {
    name: 'keras Tversky alpha 0.3, beta 0.7, axis [1, 2] (per sample and channel, reordered), sum',
    x: softmax(logits(B * 6 * C, 43), B * 6, C, 1),
    shape: NHWC,
    make: () => callOf(new keras.Tversky({ alpha: 0.3, beta: 0.7, axis: [1, 2], reduction: 'sum' }), NHWC, softNHWC),
  },
);

// Lovász: errors spread on a grid, so that no two are within the step of each other (no kink of the sort).
const grid = (n: number) => Array.from({ length: n }, (_, k) => 0.13 * (k - n / 2) + 0.05);
const hingeTarget = labels(14, 2, 16);
CASES.push({
  name: 'smp LovaszLoss multiclass (Lovász-Softmax of the softmax), ignore_index',
  x: logits(42, 44),
  shape: NCS,
  make: () =>
    forwardOf(new smp.LovaszLoss({ mode: 'multiclass', ignore_index: 255 }), NCS, t(labels(B * S, C, 17, 255), [B, S])),
});
CASES.push({
  name: 'smp LovaszLoss binary, per_image',
  x: Float32Array.from(grid(14), (g, i) => (hingeTarget[i] === 1 ? 1 - g : g - 1)),
  shape: [B, 1, S],
  make: () => forwardOf(new smp.LovaszLoss({ mode: 'binary', per_image: true }), [B, 1, S], t(hingeTarget, [B, 1, S])),
});

let kernels: Record<'simd' | 'scalar' | 'js', DiceKernel>;
beforeAll(async () => {
  kernels = {
    simd: await loadDice({ backend: 'simd' }),
    scalar: await loadDice({ backend: 'scalar' }),
    js: await loadDice({ backend: 'js' }),
  };
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterAll(() => {
  vi.restoreAllMocks();
});

function on(backend: 'simd' | 'scalar' | 'js', c: Case): Loss {
  useKernel(kernels[backend]);
  return c.make();
}

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('has the gradient of central finite differences of forward (js)', () => {
    const loss = on('js', c);
    const { loss: value, grad } = loss.withGrad(c.x);
    expect(grad.shape).toEqual(c.shape);
    expect(relativeError(value, loss.value(c.x))).toBeLessThanOrEqual(1e-12);
    const fd = finiteDifferenceGradient((x) => loss.value(x), c.x);
    expect(maxAbsRelativeError(grad.data, fd)).toBeLessThanOrEqual(GRAD_TOL);
    expect(elementwiseRelativeError(grad.data, fd).error, describeWorstElement(grad.data, fd)).toBeLessThanOrEqual(
      ELEMENT_TOL,
    );
    if (c.zeros)
      grad.data.forEach((g, i) => {
        if (c.zeros!(i)) expect(g, `element ${i}`).toBe(0);
      });
  });

  it.each(['simd', 'scalar'] as const)('%s reproduces the JS loss and gradient', (backend) => {
    const js = on('js', c).withGrad(c.x);
    const wasm = on(backend, c).withGrad(c.x);
    expect(relativeError(wasm.loss, js.loss)).toBeLessThanOrEqual(WASM_TOL);
    expect(maxAbsRelativeError(wasm.grad.data, js.grad.data)).toBeLessThanOrEqual(WASM_TOL);
  });
});
