// Bad input to the Lovász losses: a TypeError or RangeError whose message names the argument or
// option, raised before `out` is written (on the WebAssembly backends `out` is also the array the
// kernels would write in place when it comes from alloc), and the instance stays usable.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { expectRejected, type BadCall } from '../support/bad-input.js';

const kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels.push(
    await loadDice({ backend: 'simd' }),
    await loadDice({ backend: 'scalar' }),
    await loadDice({ backend: 'js' }),
  );
});

// Hinge: 2 images of 3 elements. Softmax: 2 samples, 3 classes, 4 voxels.
const logits = Float32Array.from([0.5, -1, 2, 0.3, 0.1, -0.7]);
const mask = Float32Array.from([1, 0, 1, 0, 0, 1]);
const pred = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
const labels = Uint8Array.from([0, 1, 2, 1, 2, 2, 0, 1]);
const shape = [2, 3, 4];

const badCalls: BadCall[] = [
  // the hinge
  {
    name: 'hinge: a target of 2',
    error: RangeError,
    names: /lovaszHingeLossWithGrad: target holds 2 at index 4; the hinge needs 0 \(background\) or 1/,
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, Uint8Array.from([1, 0, 1, 0, 2, 1]), { out }),
  },
  {
    name: 'hinge: a soft target',
    error: RangeError,
    names: /target holds 0.5 at index 1/,
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, Float32Array.from([1, 0.5, 1, 0, 0, 1]), { out }),
  },
  {
    name: 'hinge: a target value that is not the ignoreIndex',
    error: RangeError,
    names: /target holds 255 at index 3.*ignoreIndex \(254\)/,
    length: 6,
    call: (k, out) =>
      k.lovaszHingeLossWithGrad(logits, Uint8Array.from([1, 0, 254, 255, 0, 1]), { ignoreIndex: 254, out }),
  },
  {
    name: 'hinge: a bad target in the second image, perImage',
    error: RangeError,
    names: /target holds -1 at index 5/,
    length: 6,
    call: (k, out) =>
      k.lovaszHingeLossWithGrad(logits, Int32Array.from([1, 0, 1, 0, 0, -1]), { shape: [2, 3], perImage: true, out }),
  },
  {
    name: 'hinge: NaN in the target',
    error: RangeError,
    names: /target holds NaN/,
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, Float32Array.from([1, 0, Number.NaN, 0, 0, 1]), { out }),
  },
  {
    name: 'hinge: a Float64Array target',
    error: TypeError,
    names: 'target',
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, new Float64Array(6) as never, { out }),
  },
  {
    name: 'hinge: a target of the wrong length',
    error: RangeError,
    names: /target has length 5; the hinge needs one value per element of pred, 6/,
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, mask.subarray(1), { out }),
  },
  {
    name: 'hinge: pred as a plain array',
    error: TypeError,
    names: 'pred',
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad([1, 2] as never, mask, { out }),
  },
  {
    name: 'hinge: a shape that does not hold pred',
    error: RangeError,
    names: 'pred',
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, mask, { shape: [4, 2], out }),
  },
  {
    name: 'hinge: no sample',
    error: RangeError,
    names: 'shape',
    length: 0,
    call: (k, out) => k.lovaszHingeLossWithGrad(new Float32Array(0), new Float32Array(0), { shape: [0, 3], out }),
  },
  {
    name: 'hinge: a misspelt option',
    error: TypeError,
    names: /perimage.*did you mean 'perImage'/,
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, mask, { perimage: true, out } as never),
  },
  {
    name: 'hinge: an option of the softmax loss',
    error: TypeError,
    names: /option 'classes' is not an option of lovaszHingeLossWithGrad/,
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, mask, { classes: 'all', out } as never),
  },
  {
    name: 'hinge: a non-boolean perImage',
    error: TypeError,
    names: 'perImage',
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, mask, { perImage: 1 as never, out }),
  },
  {
    name: 'hinge: a fractional ignoreIndex',
    error: RangeError,
    names: 'ignoreIndex',
    length: 6,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, mask, { ignoreIndex: 0.5, out }),
  },
  {
    name: 'hinge: NaN in pred',
    error: RangeError,
    names: /pred contains non-finite/,
    length: 6,
    call: (k, out) =>
      k.lovaszHingeLossWithGrad(
        logits.map((v, i) => (i === 2 ? Number.NaN : v)),
        mask,
        { out },
      ),
  },
  {
    name: 'hinge: out of the wrong length',
    error: RangeError,
    names: 'out',
    length: 5,
    call: (k, out) => k.lovaszHingeLossWithGrad(logits, mask, { out }),
  },
  {
    name: 'hinge: out overlapping pred',
    error: RangeError,
    names: /out overlaps pred/,
    length: 6,
    call: (k) => k.lovaszHingeLossWithGrad(logits, mask, { out: logits }),
  },
  {
    name: 'hinge: out that is not a Float32Array',
    error: TypeError,
    names: 'out',
    length: 6,
    call: (k) => k.lovaszHingeLossWithGrad(logits, mask, { out: new Float64Array(6) as never }),
  },
  // the softmax loss
  {
    name: 'softmax: an empty class list',
    error: RangeError,
    names: /classes is empty/,
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, classes: [], out }),
  },
  {
    name: 'softmax: a class out of range',
    error: RangeError,
    names: /classes \[1\] must be a class index in \[0, 3\); got number 3/,
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, classes: [0, 3], out }),
  },
  {
    name: 'softmax: a fractional class',
    error: RangeError,
    names: /classes \[0\]/,
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, classes: [1.5], out }),
  },
  {
    name: 'softmax: a class named twice',
    error: RangeError,
    names: /classes names class 1 twice/,
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, classes: [1, 2, 1], out }),
  },
  {
    name: 'softmax: an unknown classes word',
    error: RangeError,
    names: /classes must be 'present', 'all' or an array/,
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, classes: 'some' as never, out }),
  },
  {
    name: 'softmax: classes as a number',
    error: TypeError,
    names: 'classes',
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, classes: 2 as never, out }),
  },
  {
    name: 'softmax: a sigmoid activation',
    error: RangeError,
    names: /activation must be one of 'softmax', 'none'/,
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, activation: 'sigmoid' as never, out }),
  },
  {
    name: 'softmax: one class',
    error: RangeError,
    names: /shape gives C = 1 class.*lovaszHingeLoss/,
    length: 6,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(logits, mask, { out }),
  },
  {
    name: 'softmax: a label equal to C',
    error: RangeError,
    names: /target holds label 3 at index 5, outside \[0, 3\)/,
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, Uint8Array.from([0, 1, 2, 1, 2, 3, 0, 1]), { shape, out }),
  },
  {
    name: 'softmax: a label that is not the ignoreIndex, perImage',
    error: RangeError,
    names: /target holds label 255 at index 6/,
    length: 24,
    call: (k, out) =>
      k.lovaszSoftmaxLossWithGrad(pred, Uint8Array.from([0, 1, 2, 1, 2, 2, 255, 1]), {
        shape,
        ignoreIndex: 254,
        perImage: true,
        out,
      }),
  },
  {
    name: 'softmax: a soft dense target',
    error: RangeError,
    names: /target holds 0.25 at index 0; a dense target of the Lovász-Softmax loss holds 0 or 1/,
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, new Float32Array(24).fill(0.25), { shape, out }),
  },
  {
    name: 'softmax: ignoreIndex with a dense target',
    error: RangeError,
    names: 'ignoreIndex',
    length: 24,
    call: (k, out) =>
      k.lovaszSoftmaxLossWithGrad(pred, new Float32Array(24), { shape, target: 'dense', ignoreIndex: 1, out }),
  },
  {
    name: 'softmax: an unknown layout',
    error: RangeError,
    names: 'layout',
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, layout: 'CHW' as never, out }),
  },
  {
    name: 'softmax: a label map of the wrong length',
    error: RangeError,
    names: 'target',
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels.subarray(1), { shape, target: 'labels', out }),
  },
  {
    name: 'softmax: an option of the Dice loss',
    error: TypeError,
    names: /option 'smooth' is not an option of lovaszSoftmaxLossWithGrad/,
    length: 24,
    call: (k, out) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, smooth: 1, out } as never),
  },
  {
    name: 'softmax: NaN logits',
    error: RangeError,
    names: /pred contains non-finite/,
    length: 24,
    call: (k, out) =>
      k.lovaszSoftmaxLossWithGrad(
        pred.map((v, i) => (i === 13 ? Number.NaN : v)),
        labels,
        { shape, out },
      ),
  },
  {
    name: 'softmax: +Infinity logits',
    error: RangeError,
    names: /pred contains non-finite/,
    length: 24,
    call: (k, out) =>
      k.lovaszSoftmaxLossWithGrad(
        pred.map((v, i) => (i === 3 ? Number.POSITIVE_INFINITY : v)),
        labels,
        { shape, out },
      ),
  },
  {
    name: 'softmax: out overlapping the target',
    error: RangeError,
    names: /out overlaps target/,
    length: 24,
    call: (k) => {
      const both = new Float32Array(48);
      return k.lovaszSoftmaxLossWithGrad(pred, both.subarray(0, 24), { shape, out: both.subarray(20, 44) });
    },
  },
];

describe.each(['simd', 'scalar', 'js'])('bad input to the Lovász losses on the %s backend', (backend) => {
  const kernel = () => kernels.find((k) => k.backend === backend) as DiceKernel;

  it.each(badCalls)('$name', (bad) => {
    const k = kernel();
    expectRejected(k, bad);
    // Still usable and still right (19/16: see lovasz-worked.test.ts).
    expect(
      k.lovaszHingeLoss(Float32Array.from([1.5, -0.5, 0.25, 0.75, -2]), Float32Array.from([1, 1, 0, 0, 0])),
    ).toBeCloseTo(19 / 16, 12);
  });

  it('leaves an alloc() out untouched when the target is bad (zero-copy)', () => {
    const k = kernel();
    const out = k.alloc(Float32Array, 24).fill(7);
    const bad = Uint8Array.from([0, 1, 2, 1, 2, 2, 0, 9]);
    expect(() => k.lovaszSoftmaxLossWithGrad(pred, bad, { shape, perImage: true, out })).toThrow(/label 9 at index 7/);
    expect(out.every((v) => v === 7)).toBe(true);
    k.free(out);
  });
});

describe('createLoss with the Lovász losses', () => {
  it('resolves the options once and computes the same values as the functions', () => {
    for (const k of kernels) {
      const hinge = k.createLoss({ loss: 'lovaszHinge', shape: [2, 3], perImage: true });
      expect(hinge.value(logits, mask)).toBe(k.lovaszHingeLoss(logits, mask, { shape: [2, 3], perImage: true }));
      const out = new Float32Array(6);
      const { loss, grad } = hinge.valueAndGrad(logits, mask, out);
      expect(grad).toBe(out);
      expect(loss).toBe(k.lovaszHingeLoss(logits, mask, { shape: [2, 3], perImage: true }));
      const softmax = k.createLoss({ loss: 'lovaszSoftmax', shape, classes: 'all' });
      expect(softmax.valueAndGrad(pred, labels).loss).toBe(
        k.lovaszSoftmaxLoss(pred, labels, { shape, classes: 'all' }),
      );
    }
  });

  it('names bad options at creation, and refuses a mask', () => {
    const k = kernels[0];
    expect(() => k.createLoss({ loss: 'lovaszSoftmax', shape, classes: [5] })).toThrow(/createLoss: classes \[0\]/);
    expect(() => k.createLoss({ loss: 'lovaszHinge', smooth: 1 } as never)).toThrow(/createLoss: option 'smooth'/);
    expect(() => k.createLoss({ loss: 'lovasz' as never })).toThrow(/'lovaszHinge', 'lovaszSoftmax'/);
    const hinge = k.createLoss({ loss: 'lovaszHinge' });
    expect(() => hinge.value(logits, mask, new Uint8Array(6))).toThrow(
      /value: mask is not an argument of the Lovász losses/,
    );
    expect(() => hinge.valueAndGrad(logits, mask, undefined, new Uint8Array(6))).toThrow(TypeError);
  });
});
