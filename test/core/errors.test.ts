// Bad input: a TypeError or RangeError whose message names the argument, raised before any
// output is written, and the instance stays usable afterwards (MONAI's test_ill_shape /
// test_ill_opts, for every backend).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { expectRejected, type BadCall } from '../support/bad-input.js';

const WORKED_PRED = Float32Array.from([
  0.38574776, 0.08795848, 0.83927506, 0.21592768, 0.44453627, 0.10463644, 0.8793516, 0.65118235, 0.5184219,
]);
const WORKED_TARGET = Float32Array.from([1, 0, 0, 0, 0, 0, 1, 1, 1]);
const WORKED_LOSS = 0.35692084;

const kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels.push(
    await loadDice({ backend: 'simd' }),
    await loadDice({ backend: 'scalar' }),
    await loadDice({ backend: 'js' }),
  );
});

/** 2 samples, 3 classes, 4 voxels: logits, labels and a dense one-hot target. */
function multiClass(): { pred: Float32Array; labels: Uint8Array; onehot: Float32Array } {
  const pred = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
  const labels = Uint8Array.from([0, 1, 2, 1, 2, 2, 0, 1]);
  const onehot = new Float32Array(24);
  labels.forEach((l, v) => {
    onehot[(Math.floor(v / 4) * 3 + l) * 4 + (v % 4)] = 1;
  });
  return { pred, labels, onehot };
}

const { pred, labels, onehot } = multiClass();
const shape = [2, 3, 4];

const badCalls: BadCall[] = [
  // wrong array types
  {
    name: 'pred is a Float64Array',
    error: TypeError,
    names: 'pred',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(new Float64Array(9) as never, WORKED_TARGET, { out }),
  },
  {
    name: 'pred is a plain array',
    error: TypeError,
    names: 'pred',
    length: 9,
    call: (k, out) => k.diceLossWithGrad([0.5, 0.5] as never, WORKED_TARGET, { out }),
  },
  {
    name: 'target is an Int16Array',
    error: TypeError,
    names: 'target',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, new Int16Array(9) as never, { out }),
  },
  {
    name: 'a dense target of Int32',
    error: TypeError,
    names: 'target',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, new Int32Array(9), { target: 'dense', out }),
  },
  {
    name: 'a label map of Float32',
    error: TypeError,
    names: 'target',
    length: 24,
    call: (k, out) => k.diceLossWithGrad(pred, new Float32Array(8), { shape, target: 'labels', out }),
  },
  {
    name: 'out is a Float64Array',
    error: TypeError,
    names: 'out',
    length: 9,
    call: (k) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { out: new Float64Array(9) as never }),
  },
  // lengths that do not match the shape
  {
    name: 'pred shorter than the shape',
    error: RangeError,
    names: 'pred',
    length: 24,
    call: (k, out) => k.diceLossWithGrad(pred.subarray(1), onehot, { shape, out }),
  },
  {
    name: 'dense target of the wrong length',
    error: RangeError,
    names: 'target',
    length: 24,
    call: (k, out) => k.diceLossWithGrad(pred, onehot.subarray(2), { shape, target: 'dense', out }),
  },
  {
    name: 'label map of the wrong length',
    error: RangeError,
    names: 'target',
    length: 24,
    call: (k, out) => k.diceLossWithGrad(pred, labels.subarray(1), { shape, target: 'labels', out }),
  },
  {
    name: 'out of the wrong length',
    error: RangeError,
    names: 'out',
    length: 8,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { out }),
  },
  {
    name: 'shape with a fraction',
    error: RangeError,
    names: 'shape',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { shape: [1, 1, 4.5, 2], out }),
  },
  {
    name: 'shape that is not an array',
    error: TypeError,
    names: 'shape',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { shape: 9 as never, out }),
  },
  {
    name: 'a batch of zero samples',
    error: RangeError,
    names: 'shape',
    length: 0,
    call: (k, out) => k.diceLossWithGrad(new Float32Array(0), new Float32Array(0), { shape: [0, 2, 3], out }),
  },
  // unknown option names and bad option values
  {
    name: 'a misspelt option',
    error: TypeError,
    names: /smoth.*did you mean 'smooth'/,
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { smoth: 1, out } as never),
  },
  {
    name: 'weight on the coefficient',
    error: TypeError,
    names: 'weight',
    length: 9,
    call: (k) => k.diceCoefficient(WORKED_PRED, WORKED_TARGET, { weight: [1] } as never),
  },
  {
    name: 'options that are not an object',
    error: TypeError,
    names: 'options',
    length: 9,
    call: (k) => k.diceLoss(WORKED_PRED, WORKED_TARGET, 'mean' as never),
  },
  {
    name: 'an unknown layout',
    error: RangeError,
    names: 'layout',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { layout: 'NCWH' as never, out }),
  },
  {
    name: 'an unknown activation',
    error: RangeError,
    names: 'activation',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { activation: 'relu' as never, out }),
  },
  {
    name: 'an unknown reduction',
    error: RangeError,
    names: 'reduction',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { reduction: 'avg' as never, out }),
  },
  {
    name: 'a gradient with reduction none',
    error: RangeError,
    names: 'reduction',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { reduction: 'none' as never, out }),
  },
  {
    name: 'negative smoothing',
    error: RangeError,
    names: 'smooth',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { smooth: -1, out }),
  },
  {
    name: 'NaN smoothNr',
    error: RangeError,
    names: 'smoothNr',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { smoothNr: Number.NaN, out }),
  },
  {
    name: 'a non-boolean flag',
    error: TypeError,
    names: 'squared',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { squared: 1 as never, out }),
  },
  {
    name: 'softmax over one class',
    error: RangeError,
    names: 'activation',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { activation: 'softmax', out }),
  },
  {
    name: 'no background to exclude',
    error: RangeError,
    names: 'includeBackground',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { includeBackground: false, out }),
  },
  {
    name: 'ignoreIndex with a dense target',
    error: RangeError,
    names: 'ignoreIndex',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { ignoreIndex: 255, out }),
  },
  {
    name: 'a fractional ignoreIndex',
    error: RangeError,
    names: 'ignoreIndex',
    length: 24,
    call: (k, out) => k.diceLossWithGrad(pred, labels, { shape, ignoreIndex: 1.5, out }),
  },
  // weights of the wrong length or value
  {
    name: 'weights of the wrong length',
    error: RangeError,
    names: 'weight',
    length: 24,
    call: (k, out) => k.diceLossWithGrad(pred, labels, { shape, activation: 'softmax', weight: [1, 2], out }),
  },
  {
    name: 'a negative weight',
    error: RangeError,
    names: 'weight',
    length: 24,
    call: (k, out) => k.diceLossWithGrad(pred, labels, { shape, activation: 'softmax', weight: [1, -2, 1], out }),
  },
  {
    name: 'weights that are not numbers',
    error: TypeError,
    names: 'weight',
    length: 24,
    call: (k, out) => k.diceLossWithGrad(pred, labels, { shape, activation: 'softmax', weight: 3 as never, out }),
  },
  // labels outside [0, C) that are not ignoreIndex
  {
    name: 'a label equal to C',
    error: RangeError,
    names: /target.*label 3 at index 5/,
    length: 24,
    call: (k, out) =>
      k.diceLossWithGrad(pred, Uint8Array.from([0, 1, 2, 1, 2, 3, 0, 1]), { shape, activation: 'softmax', out }),
  },
  {
    name: 'a negative Int32 label',
    error: RangeError,
    names: /target.*label -1 at index 0/,
    length: 24,
    call: (k, out) =>
      k.diceLossWithGrad(pred, Int32Array.from([-1, 1, 2, 1, 2, 2, 0, 1]), { shape, activation: 'softmax', out }),
  },
  {
    name: 'a label that is not the ignoreIndex',
    error: RangeError,
    names: /target.*label 255/,
    length: 24,
    call: (k, out) =>
      k.diceLossWithGrad(pred, Uint8Array.from([0, 1, 2, 1, 255, 2, 0, 1]), {
        shape,
        activation: 'softmax',
        ignoreIndex: 254,
        out,
      }),
  },
  {
    name: 'a one-class label map holding 1',
    error: RangeError,
    names: /target.*label 1.*dense/,
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, Uint8Array.from(WORKED_TARGET), { target: 'labels', out }),
  },
  // non-finite inputs and results
  {
    name: 'NaN in pred',
    error: RangeError,
    names: 'pred',
    length: 9,
    call: (k, out) =>
      k.diceLossWithGrad(
        WORKED_PRED.map((v, i) => (i === 4 ? Number.NaN : v)),
        WORKED_TARGET,
        { out },
      ),
  },
  {
    name: 'NaN logits under softmax',
    error: RangeError,
    names: 'pred',
    length: 24,
    call: (k, out) =>
      k.diceLossWithGrad(
        pred.map((v, i) => (i === 13 ? Number.NaN : v)),
        labels,
        { shape, activation: 'softmax', out },
      ),
  },
  {
    name: 'NaN logits under sigmoid',
    error: RangeError,
    names: 'pred',
    length: 9,
    call: (k, out) =>
      k.diceLossWithGrad(
        WORKED_PRED.map((v, i) => (i === 8 ? Number.NaN : v)),
        WORKED_TARGET,
        { activation: 'sigmoid', out },
      ),
  },
  {
    name: 'Infinity in a dense target',
    error: RangeError,
    names: 'target',
    length: 9,
    call: (k, out) =>
      k.diceLossWithGrad(
        WORKED_PRED,
        WORKED_TARGET.map((v, i) => (i === 2 ? Number.POSITIVE_INFINITY : v)),
        { out },
      ),
  },
  {
    name: '0/0 without smoothing',
    error: RangeError,
    names: 'smoothDr',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(new Float32Array(9), new Float32Array(9), { smooth: 0, out }),
  },
  {
    name: 'log of a zero score',
    error: RangeError,
    names: 'logLoss',
    length: 9,
    call: (k, out) => k.diceLossWithGrad(WORKED_PRED, new Float32Array(9), { smoothNr: 0, logLoss: true, out }),
  },
  // out that overlaps an input
  {
    name: 'out overlapping pred',
    error: RangeError,
    names: /out.*overlaps pred/,
    length: 9,
    call: (k) => k.diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { out: WORKED_PRED }),
  },
];

describe.each(['simd', 'scalar', 'js'])('bad input on the %s backend', (backend) => {
  const kernel = () => kernels.find((k) => k.backend === backend) as DiceKernel;

  it.each(badCalls)('$name', (bad) => {
    const k = kernel();
    expectRejected(k, bad);
    // The instance is still usable and still right.
    expect(k.diceLoss(WORKED_PRED, WORKED_TARGET) as number).toBeCloseTo(WORKED_LOSS, 6);
    const good = k.diceLossWithGrad(pred, labels, { shape, activation: 'softmax' });
    expect(Number.isFinite(good.loss)).toBe(true);
  });
});

// Arrays from alloc are used in place, in one piece: kernel 1 then keeps the activation in a
// workspace block, so bad input found after it still leaves the caller's out as it was.
describe.each(['simd', 'scalar'])('bad input with arrays from alloc on the %s backend', (backend) => {
  const cases = [
    {
      name: 'a label equal to C',
      activation: 'softmax' as const,
      bad: (_x: Float32Array, y: Uint8Array) => (y[5] = 3),
    },
    { name: 'NaN logits under softmax', activation: 'softmax' as const, bad: (x: Float32Array) => (x[7] = Number.NaN) },
    { name: 'NaN logits under sigmoid', activation: 'sigmoid' as const, bad: (x: Float32Array) => (x[7] = Number.NaN) },
  ];
  it.each(cases)('$name leaves out untouched', ({ activation, bad }) => {
    const k = kernels.find((kk) => kk.backend === backend) as DiceKernel;
    const sigmoid = activation === 'sigmoid';
    const x = k.alloc(Float32Array, 24);
    x.set(pred);
    const y = k.alloc(Uint8Array, sigmoid ? 24 : 8);
    y.set(sigmoid ? onehot.map((v) => v) : labels);
    const out = k.alloc(Float32Array, 24);
    out.fill(7);
    bad(x, y);
    const options = { shape, activation, out };
    expect(() => k.diceLossWithGrad(x, y, options)).toThrow(RangeError);
    expect(Array.from(out).every((v) => v === 7)).toBe(true);
    // Good input through the same arrays afterwards: the gradient lands in out.
    x.set(pred);
    y.set(sigmoid ? onehot : labels);
    const good = k.diceLossWithGrad(x, y, options);
    expect(Number.isFinite(good.loss)).toBe(true);
    expect(good.grad).toBe(out);
    expect(Array.from(out).some((v) => v !== 7)).toBe(true);
    k.free(x);
    k.free(y);
    k.free(out);
  });
});

describe('bad input to the factories', () => {
  it('createLoss names an unknown loss, and its valueAndGrad refuses reduction none', () => {
    const k = kernels[0];
    expect(() => k.createLoss({ loss: 'dicey' as never })).toThrow(/createLoss: loss must be one of 'dice'/);
    expect(() => k.createLoss(undefined as never)).toThrow(TypeError);
    const perTerm = k.createLoss({ loss: 'dice', reduction: 'none' });
    expect(perTerm.value(WORKED_PRED, WORKED_TARGET)).toBeInstanceOf(Float64Array);
    expect(() => perTerm.valueAndGrad(WORKED_PRED, WORKED_TARGET)).toThrow(/reduction/);
    expect(() => k.createLoss({ loss: 'dice', smoth: 1 } as never)).toThrow(/smoth/);
  });

  it('loadDice names an unknown backend or option', async () => {
    await expect(loadDice({ backend: 'gpu' as never })).rejects.toThrow(
      /loadDice: backend must be one of 'simd', 'scalar', 'js'/,
    );
    await expect(loadDice({ bakend: 'js' } as never)).rejects.toThrow(/did you mean 'backend'/);
  });
});
