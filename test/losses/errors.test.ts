// Bad options of the loss family: a TypeError or RangeError whose message names the option,
// raised before anything is written to `out`, and the instance still usable and still right
// afterwards — on every backend, through the one-shot functions and createLoss.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type BackendName, type DiceKernel } from '../../src/index.js';
import { LOSS_NAMES, LOSSES, type LossName, type LossOptions } from '../support/losses.js';

const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'js'];

// 2 samples, 3 classes, 4 voxels: logits and a label map.
const shape = [2, 3, 4];
const pred = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
const labels = Uint8Array.from([0, 1, 2, 1, 2, 2, 0, 1]);
const base: LossOptions = { shape, activation: 'softmax' };

interface BadCall {
  name: string;
  error: typeof TypeError | typeof RangeError;
  /** Text the message must contain: the option at fault. */
  names: string | RegExp;
  call: (k: DiceKernel, out: Float32Array) => unknown;
}

/** The ...WithGrad call of a loss with extra options (cast: the point is options the types reject). */
const withGrad =
  (loss: LossName, extra: Record<string, unknown>) =>
  (k: DiceKernel, out: Float32Array): unknown =>
    LOSSES[loss].grad(k, pred, labels, { ...base, ...extra, out } as LossOptions);

const badCalls: BadCall[] = [
  // alpha, beta, gamma
  { name: 'tversky alpha < 0', error: RangeError, names: 'alpha', call: withGrad('tversky', { alpha: -0.1 }) },
  { name: 'focalTversky alpha < 0', error: RangeError, names: 'alpha', call: withGrad('focalTversky', { alpha: -1 }) },
  { name: 'tversky alpha Infinity', error: RangeError, names: 'alpha', call: withGrad('tversky', { alpha: Infinity }) },
  { name: 'tversky alpha a string', error: RangeError, names: 'alpha', call: withGrad('tversky', { alpha: '0.5' }) },
  { name: 'tversky beta NaN', error: RangeError, names: 'beta', call: withGrad('tversky', { beta: Number.NaN }) },
  {
    name: 'focalTversky beta NaN',
    error: RangeError,
    names: 'beta',
    call: withGrad('focalTversky', { beta: Number.NaN }),
  },
  {
    name: 'focalTversky gamma < 0',
    error: RangeError,
    names: 'gamma',
    call: withGrad('focalTversky', { gamma: -0.5 }),
  },
  { name: 'focalTversky gamma 0', error: RangeError, names: 'gamma', call: withGrad('focalTversky', { gamma: 0 }) },
  {
    name: 'focalTversky gamma NaN',
    error: RangeError,
    names: 'gamma',
    call: withGrad('focalTversky', { gamma: Number.NaN }),
  },
  // weightType and empty
  {
    name: 'an unknown weightType',
    error: RangeError,
    names: 'weightType',
    call: withGrad('generalizedDice', { weightType: 'cubic' }),
  },
  {
    name: 'a weightType that is not a string',
    error: RangeError,
    names: 'weightType',
    call: withGrad('generalizedDice', { weightType: 2 }),
  },
  ...(['dice', 'jaccard', 'tversky', 'focalTversky'] as const).map(
    (loss): BadCall => ({
      name: `${loss}: an unknown empty policy`,
      error: RangeError,
      names: 'empty',
      call: withGrad(loss, { empty: 'ignore' }),
    }),
  ),
  // options that belong to other losses
  {
    name: 'logLoss on focalTversky',
    error: TypeError,
    names: 'logLoss',
    call: withGrad('focalTversky', { logLoss: true }),
  },
  {
    name: 'weight on generalizedDice',
    error: TypeError,
    names: 'weight',
    call: withGrad('generalizedDice', { weight: [1, 1, 1] }),
  },
  {
    name: 'logLoss on generalizedDice',
    error: TypeError,
    names: 'logLoss',
    call: withGrad('generalizedDice', { logLoss: true }),
  },
  {
    name: 'empty on generalizedDice',
    error: TypeError,
    names: 'empty',
    call: withGrad('generalizedDice', { empty: 'zero' }),
  },
  { name: 'alpha on dice', error: TypeError, names: 'alpha', call: withGrad('dice', { alpha: 0.3 }) },
  { name: 'gamma on tversky', error: TypeError, names: 'gamma', call: withGrad('tversky', { gamma: 2 }) },
  {
    name: 'weightType on jaccard',
    error: TypeError,
    names: 'weightType',
    call: withGrad('jaccard', { weightType: 'square' }),
  },
  // masks of the wrong length or type, on every loss
  ...LOSS_NAMES.flatMap((loss): BadCall[] => [
    {
      name: `${loss}: a mask one short of B·S`,
      error: RangeError,
      names: 'mask',
      call: withGrad(loss, { mask: new Uint8Array(7).fill(1) }),
    },
    {
      name: `${loss}: a mask one longer than S`,
      error: RangeError,
      names: 'mask',
      call: withGrad(loss, { mask: new Float32Array(5).fill(1) }),
    },
    {
      name: `${loss}: a mask of pred's length`,
      error: RangeError,
      names: 'mask',
      call: withGrad(loss, { mask: new Uint8Array(24).fill(1) }),
    },
    {
      name: `${loss}: an Int32Array mask`,
      error: TypeError,
      names: 'mask',
      call: withGrad(loss, { mask: new Int32Array(8).fill(1) }),
    },
    {
      name: `${loss}: a Float64Array mask`,
      error: TypeError,
      names: 'mask',
      call: withGrad(loss, { mask: new Float64Array(8).fill(1) }),
    },
    {
      name: `${loss}: a plain-array mask`,
      error: TypeError,
      names: 'mask',
      call: withGrad(loss, { mask: [1, 1, 1, 1] }),
    },
  ]),
  // createLoss: an unknown name, bad options at creation, a bad mask per call
  {
    name: 'createLoss with an unknown loss',
    error: RangeError,
    names: /createLoss: loss must be one of/,
    call: (k) => k.createLoss({ loss: 'lovasz' } as never),
  },
  {
    name: 'createLoss with loss undefined',
    error: RangeError,
    names: 'loss',
    call: (k) => k.createLoss({ ...base } as never),
  },
  {
    name: 'createLoss tversky alpha < 0',
    error: RangeError,
    names: 'alpha',
    call: (k) => k.createLoss({ loss: 'tversky', ...base, alpha: -2 }),
  },
  {
    name: 'createLoss focalTversky gamma 0',
    error: RangeError,
    names: 'gamma',
    call: (k) => k.createLoss({ loss: 'focalTversky', ...base, gamma: 0 }),
  },
  {
    name: 'createLoss focalTversky logLoss',
    error: TypeError,
    names: 'logLoss',
    call: (k) => k.createLoss({ loss: 'focalTversky', ...base, logLoss: true } as never),
  },
  {
    name: 'createLoss generalizedDice weight',
    error: TypeError,
    names: 'weight',
    call: (k) => k.createLoss({ loss: 'generalizedDice', ...base, weight: [1, 2, 3] } as never),
  },
  {
    name: 'createLoss generalizedDice unknown weightType',
    error: RangeError,
    names: 'weightType',
    call: (k) => k.createLoss({ loss: 'generalizedDice', ...base, weightType: 'log' as never }),
  },
  {
    name: 'createLoss dice unknown empty',
    error: RangeError,
    names: 'empty',
    call: (k) => k.createLoss({ loss: 'dice', ...base, empty: 'nan' as never }),
  },
  {
    name: 'createLoss with a mask among the options (it is passed per call)',
    error: TypeError,
    names: 'mask',
    call: (k) => k.createLoss({ loss: 'dice', ...base, mask: new Uint8Array(8) } as never),
  },
  ...LOSS_NAMES.map(
    (loss): BadCall => ({
      name: `createLoss ${loss}: valueAndGrad with a mask of the wrong length`,
      error: RangeError,
      names: 'mask',
      call: (k, out) => k.createLoss({ loss, ...base } as never).valueAndGrad(pred, labels, out, new Uint8Array(3)),
    }),
  ),
  ...LOSS_NAMES.map(
    (loss): BadCall => ({
      name: `createLoss ${loss}: value with a mask of the wrong type`,
      error: TypeError,
      names: 'mask',
      call: (k) => k.createLoss({ loss, ...base } as never).value(pred, labels, new Uint16Array(8) as never),
    }),
  ),
];

const kernels = {} as Record<BackendName, DiceKernel>;
/** Each loss's value and gradient on good inputs, per backend, before any bad call. */
const good = {} as Record<BackendName, Record<LossName, { loss: number; grad: number[] }>>;

beforeAll(async () => {
  for (const backend of BACKENDS) {
    const k = await loadDice({ backend });
    kernels[backend] = k;
    good[backend] = {} as Record<LossName, { loss: number; grad: number[] }>;
    for (const loss of LOSS_NAMES) {
      const r = LOSSES[loss].grad(k, pred, labels, { ...base, mask: Uint8Array.from([1, 0, 1, 1]) });
      good[backend][loss] = { loss: r.loss, grad: Array.from(r.grad) };
    }
  }
});

describe.each(BACKENDS)('bad loss options on the %s backend', (backend) => {
  it.each(badCalls)('$name', ({ error, names, call }) => {
    const k = kernels[backend];
    const sentinel = 12345.5;
    const out = new Float32Array(pred.length).fill(sentinel);
    let thrown: unknown;
    try {
      call(k, out);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(error);
    const message = (thrown as Error).message;
    if (typeof names === 'string') expect(message).toContain(names);
    else expect(message).toMatch(names);
    expect(
      out.every((v) => v === sentinel),
      'out must be untouched',
    ).toBe(true);
    // The instance is still usable and still right: every loss gives what it gave before.
    for (const loss of LOSS_NAMES) {
      const again = LOSSES[loss].grad(k, pred, labels, { ...base, mask: Uint8Array.from([1, 0, 1, 1]) });
      expect(again.loss, loss).toBe(good[backend][loss].loss);
      expect(Array.from(again.grad), loss).toEqual(good[backend][loss].grad);
    }
  });
});
