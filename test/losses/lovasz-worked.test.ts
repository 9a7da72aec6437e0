// Lovász losses worked by hand: the sorted order, Berman's lovasz_grad (g_k = J_k − J_(k−1) with
// J_k = 1 − (G − F_k)/(G + B_k), G foreground in the set, F_k / B_k foreground / background among
// the k largest errors) and the gradient are written out for each case. Every backend must give
// these numbers; the float64 reference must too.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import {
  lovaszGrad,
  lovaszHingeReference,
  lovaszSoftmaxReference,
  type SoftmaxReferenceCase,
} from '../reference/lovasz.js';

const kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels.push(
    await loadDice({ backend: 'simd' }),
    await loadDice({ backend: 'scalar' }),
    await loadDice({ backend: 'js' }),
  );
});

function expectValues(got: ArrayLike<number>, want: readonly number[], digits: number): void {
  expect(got.length).toBe(want.length);
  for (const [i, w] of want.entries()) expect(got[i], `element ${i}: ${got[i]} vs ${w}`).toBeCloseTo(w, digits);
}

describe('lovasz_grad (Berman et al. 2018, Alg. 1) in the reference', () => {
  it('differences the Jaccard losses of the prefixes', () => {
    // G = 2; prefixes: {bg} J = 1 − 2/3, {bg, fg} 1 − 1/3, {bg, fg, bg} 1 − 1/4, then 1, 1.
    expectValues(lovaszGrad([0, 1, 0, 1, 0]), [1 / 3, 1 / 3, 1 / 12, 1 / 4, 0], 15);
    // No foreground: the first error alone carries the loss (J = 1 from the first voxel on).
    expectValues(lovaszGrad([0, 0, 0]), [1, 0, 0], 15);
    expectValues(lovaszGrad([1]), [1], 15);
  });
});

describe('lovaszHingeLoss by hand', () => {
  // x = [1.5, −0.5, 0.25, 0.75, −2], y = [1, 1, 0, 0, 0]: errors 1 − x·(2y − 1) =
  // [−0.5, 1.5, 1.25, 1.75, −1]. Descending: i3 (1.75, bg), i1 (1.5, fg), i2 (1.25, bg),
  // i0 (−0.5, fg), i4 (−1, bg); G = 2, so g = [1/3, 1/3, 1/12, 1/4, 0] (see above).
  // loss = 1.75/3 + 1.5/3 + 1.25/12 + relu(−0.5)/4 + 0 = 19/16.
  // ∂/∂x: bg errors rise with x (+g), fg errors fall (−g), negative errors give 0:
  // x0 0, x1 −1/3, x2 +1/12, x3 +1/3, x4 0.
  const pred = Float32Array.from([1.5, -0.5, 0.25, 0.75, -2]);
  const target = Float32Array.from([1, 1, 0, 0, 0]);

  it('gives 19/16 and its gradient on every backend', () => {
    expect(lovaszHingeReference({ pred, target, B: 1, perImage: false })).toBeCloseTo(19 / 16, 15);
    for (const k of kernels) {
      expect(k.lovaszHingeLoss(pred, target), k.backend).toBeCloseTo(19 / 16, 12);
      const { loss, grad } = k.lovaszHingeLossWithGrad(pred, target);
      expect(loss).toBeCloseTo(19 / 16, 12);
      expectValues(grad, [0, -1 / 3, 1 / 12, 1 / 3, 0], 7);
    }
  });

  it('reads 0/1 label maps of every integer type the same way', () => {
    for (const k of kernels) {
      for (const labels of [Uint8Array.from(target), Uint16Array.from(target), Int32Array.from(target)]) {
        expect(k.lovaszHingeLoss(pred, labels), `${k.backend} ${labels.constructor.name}`).toBeCloseTo(19 / 16, 12);
      }
    }
  });

  // Two images of 3 elements, 255 ignored. Image 0 keeps x0 (y 1, e = 1 − 0.5 = 0.5) and
  // x2 (y 0, e = 1 + 2 = 3): order x2 (bg), x0 (fg), G = 1: J = 1 − 1/2, then 1: g = [1/2, 1/2];
  // loss 3/2 + 0.5/2 = 1.75. Image 1 is all ignored: loss 0 (smp: logits.sum() * 0).
  const pred2 = Float32Array.from([0.5, -1, 2, 0.3, 0.1, -0.7]);
  const target2 = Uint8Array.from([1, 255, 0, 255, 255, 255]);

  it('averages per image with perImage (an all-ignored image counts as 0), pools the batch without', () => {
    const shape = [2, 3];
    expect(lovaszHingeReference({ pred: pred2, target: target2, B: 2, perImage: true, ignoreIndex: 255 })).toBeCloseTo(
      0.875,
      15,
    );
    for (const k of kernels) {
      const perImage = k.lovaszHingeLossWithGrad(pred2, target2, { shape, perImage: true, ignoreIndex: 255 });
      expect(perImage.loss, k.backend).toBeCloseTo(1.75 / 2, 12);
      expectValues(perImage.grad, [-0.25, 0, 0.25, 0, 0, 0], 7);
      const pooled = k.lovaszHingeLossWithGrad(pred2, target2, { shape, ignoreIndex: 255 });
      expect(pooled.loss).toBeCloseTo(1.75, 12);
      expectValues(pooled.grad, [-0.5, 0, 0.5, 0, 0, 0], 7);
    }
  });

  // Ties: x = 0 everywhere, so every error is 1. Equal errors keep their index order:
  // y = [1, 0, 1, 0] → fg, bg, fg, bg: J = 1/2, 2/3, 1, 1, g = [1/2, 1/6, 1/3, 0], loss 1,
  // gradient [−1/2, +1/6, −1/3, 0]. y = [0, 1, 0, 1] → bg, fg, bg, fg: g = [1/3, 1/3, 1/12, 1/4],
  // the same loss 1 (the Lovász extension does not depend on the order of ties), gradient
  // [+1/3, −1/3, +1/12, −1/4]: the gradient of the linear piece of that order.
  it('breaks ties by index, identically on every backend', () => {
    const zeros = new Float32Array(4);
    for (const k of kernels) {
      const a = k.lovaszHingeLossWithGrad(zeros, Float32Array.from([1, 0, 1, 0]));
      expect(a.loss, k.backend).toBeCloseTo(1, 12);
      expectValues(a.grad, [-1 / 2, 1 / 6, -1 / 3, 0], 7);
      const b = k.lovaszHingeLossWithGrad(zeros, Float32Array.from([0, 1, 0, 1]));
      expect(b.loss).toBeCloseTo(1, 12);
      expectValues(b.grad, [1 / 3, -1 / 3, 1 / 12, -1 / 4], 7);
    }
  });

  // Two images [2, −1] (background) and [0.5, 1.5] (foreground). Per image: errors [3, 0] with
  // no foreground (g = [1, 0]) → 3, and [0.5, −0.5] with G = 2 (g = [1/2, 1/2]) → 0.25; mean
  // 1.625. Pooled: 3 (bg), 0.5 (fg), 0 (bg), −0.5 (fg), g = [1/3, 1/3, 1/12, 1/4] → 1 + 1/6.
  // (These are also the numbers a published PyTorch test of Berman's hinge expects.)
  it('gives 1.625 per image and 7/6 pooled on a two-image batch', () => {
    const logits = Float32Array.from([2, -1, 0.5, 1.5]);
    const masks = Float32Array.from([0, 0, 1, 1]);
    for (const k of kernels) {
      expect(k.lovaszHingeLoss(logits, masks, { shape: [2, 1, 1, 2], perImage: true }), k.backend).toBeCloseTo(
        1.625,
        12,
      );
      expect(k.lovaszHingeLoss(logits, masks, { shape: [2, 1, 1, 2] })).toBeCloseTo(7 / 6, 12);
    }
  });

  it('has loss max(e_max, 0) without foreground and 0 for no element', () => {
    // y = 0: errors 1 + x = [0.5, 3, 1.25]; only the largest counts (g = [1, 0, 0]).
    for (const k of kernels) {
      const { loss, grad } = k.lovaszHingeLossWithGrad(Float32Array.from([-0.5, 2, 0.25]), new Float32Array(3));
      expect(loss, k.backend).toBeCloseTo(3, 12);
      expectValues(grad, [0, 1, 0], 7);
      expect(k.lovaszHingeLoss(new Float32Array(0), new Float32Array(0))).toBe(0);
      expect(k.lovaszHingeLossWithGrad(new Float32Array(0), new Float32Array(0)).grad.length).toBe(0);
    }
  });
});

describe('lovaszSoftmaxLoss by hand', () => {
  // One image, C = 3, 4 voxels, probabilities (activation 'none'), labels [0, 0, 2, 2]:
  //        s0   s1    s2   s3
  //   p0  0.7  0.4   0.1  0.5
  //   p1  0.2  0.4   0.3  0.25
  //   p2  0.1  0.2   0.6  0.25
  // Class 0: y = [1,1,0,0], errors [0.3, 0.6, 0.1, 0.5]; order s1 (fg), s3 (bg), s0 (fg), s2 (bg),
  //   G = 2: J = 1/2, 2/3, 1, 1 → g = [1/2, 1/6, 1/3, 0]; loss 0.3 + 0.5/6 + 0.1 = 29/60.
  // Class 2: y = [0,0,1,1], errors [0.1, 0.2, 0.4, 0.75]; order s3 (fg), s2 (fg), s1, s0:
  //   J = 1/2, 1, 1, 1 → g = [1/2, 1/2, 0, 0]; loss 0.375 + 0.2 = 0.575.
  // Class 1 is absent: errors p1 = [0.2, 0.4, 0.3, 0.25], G = 0 → g = [1, 0, 0, 0]; loss 0.4.
  // 'present' (classes 0, 2): (29/60 + 0.575)/2 = 127/240; 'all': (29/60 + 0.4 + 0.575)/3 = 35/72.
  const probs = Float32Array.from([0.7, 0.4, 0.1, 0.5, 0.2, 0.4, 0.3, 0.25, 0.1, 0.2, 0.6, 0.25]);
  const labels = Uint8Array.from([0, 0, 2, 2]);
  const shape = [1, 3, 4];
  const none = { shape, activation: 'none' as const };
  const present = 127 / 240;
  const all = 35 / 72;
  // Gradient, 'present' (each class weighs 1/2): ∂|y − p|/∂p = −1 on the foreground (p < 1),
  // +1 elsewhere. Class 0: s1 −1/2, s3 +1/6, s0 −1/3, s2 0 (times 1/2); class 2: s3 −1/2, s2 −1/2.
  const presentGrad = [-1 / 6, -1 / 4, 0, 1 / 12, 0, 0, 0, 0, 0, 0, -1 / 4, -1 / 4];

  const reference = (over: Partial<SoftmaxReferenceCase>): number =>
    lovaszSoftmaxReference({
      pred: probs,
      target: labels,
      B: 1,
      C: 3,
      S: 4,
      layout: 'NCHW',
      activation: 'none',
      targetKind: 'labels',
      classes: 'present',
      perImage: false,
      ...over,
    });

  it('averages the classes present, or all, or a list', () => {
    expect(reference({})).toBeCloseTo(present, 7);
    expect(reference({ classes: 'all' })).toBeCloseTo(all, 7);
    for (const k of kernels) {
      expect(k.lovaszSoftmaxLoss(probs, labels, none), k.backend).toBeCloseTo(present, 6);
      expect(k.lovaszSoftmaxLoss(probs, labels, { ...none, classes: 'all' })).toBeCloseTo(all, 6);
      expect(k.lovaszSoftmaxLoss(probs, labels, { ...none, classes: [1] })).toBeCloseTo(0.4, 6);
      expect(k.lovaszSoftmaxLoss(probs, labels, { ...none, classes: [2, 0] })).toBeCloseTo(present, 6);
    }
  });

  it('gives the gradient worked above, channels first and channels last, labels and one-hot', () => {
    const onehot = Float32Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const nhwc = (x: ArrayLike<number>): Float32Array =>
      Float32Array.from({ length: 12 }, (_, i) => x[(i % 3) * 4 + Math.floor(i / 3)]);
    for (const k of kernels) {
      for (const target of [labels, onehot, Uint8Array.from(onehot)]) {
        const { loss, grad } = k.lovaszSoftmaxLossWithGrad(probs, target, none);
        expect(loss, `${k.backend} ${target.constructor.name}`).toBeCloseTo(present, 6);
        expectValues(grad, presentGrad, 6);
      }
      const last = k.lovaszSoftmaxLossWithGrad(nhwc(probs), labels, {
        shape: [1, 4, 3],
        layout: 'NHWC',
        activation: 'none',
      });
      expect(last.loss).toBeCloseTo(present, 6);
      expectValues(last.grad, Array.from(nhwc(presentGrad)), 6);
    }
  });

  it('takes logits through the softmax (logits log p give back p)', () => {
    const logits = probs.map(Math.log);
    for (const k of kernels) expect(k.lovaszSoftmaxLoss(logits, labels, { shape }), k.backend).toBeCloseTo(present, 6);
  });

  it('counts an image with nothing present (all ignored) as 0 in the mean over images', () => {
    const two = Float32Array.from([...probs, ...probs]);
    const twoLabels = Uint8Array.from([0, 0, 2, 2, 9, 9, 9, 9]);
    for (const k of kernels) {
      const options = { shape: [2, 3, 4], activation: 'none' as const, perImage: true, ignoreIndex: 9 };
      const { loss, grad } = k.lovaszSoftmaxLossWithGrad(two, twoLabels, options);
      expect(loss, k.backend).toBeCloseTo(present / 2, 6);
      expectValues(grad, [...presentGrad.map((g) => g / 2), ...new Array<number>(12).fill(0)], 6);
      // Pooled over the batch, the ignored image adds nothing.
      expect(k.lovaszSoftmaxLoss(two, twoLabels, { ...options, perImage: false })).toBeCloseTo(present, 6);
      // Nothing present anywhere: loss 0, gradient 0.
      const empty = k.lovaszSoftmaxLossWithGrad(two, new Uint8Array(8).fill(9), { ...options, perImage: false });
      expect(empty.loss).toBe(0);
      expect(Array.from(empty.grad).every((g) => g === 0)).toBe(true);
    }
  });
});
