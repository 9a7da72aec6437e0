// Bad options of the MCC, pointwise and combined losses: a TypeError or RangeError naming the
// option, nothing written to `out`, and the kernel still right afterwards, on every backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';

const kernels: DiceKernel[] = [];
beforeAll(async () => {
  for (const backend of ['simd', 'scalar', 'js'] as const) kernels.push(await loadDice({ backend }));
});

const shape = [2, 3, 5];
const logits = Float32Array.from({ length: 30 }, (_, i) => Math.sin(3 * i));
const labels = Uint8Array.from({ length: 10 }, (_, i) => i % 3);

type Call = (k: DiceKernel, out: Float32Array) => unknown;
const cases: [string, typeof TypeError | typeof RangeError, string | RegExp, Call][] = [
  [
    'lambdaPoint NaN',
    RangeError,
    'lambdaPoint',
    (k, out) => k.diceCELossWithGrad(logits, labels, { shape, lambdaPoint: Number.NaN, out }),
  ],
  [
    'lambdaOverlap negative',
    RangeError,
    'lambdaOverlap',
    (k, out) => k.diceFocalLossWithGrad(logits, labels, { shape, lambdaOverlap: -1, out }),
  ],
  [
    'labelSmoothing above 1',
    RangeError,
    'labelSmoothing',
    (k, out) => k.crossEntropyLossWithGrad(logits, labels, { shape, labelSmoothing: 1.5, out }),
  ],
  [
    'focal gamma negative',
    RangeError,
    'gamma',
    (k, out) => k.focalLossWithGrad(logits, labels, { shape, gamma: -1, out }),
  ],
  [
    'focal alpha above 1',
    RangeError,
    'alpha',
    (k, out) => k.focalLossWithGrad(logits, labels, { shape, alpha: 2, out }),
  ],
  [
    'posWeight of the wrong length',
    RangeError,
    'posWeight',
    (k, out) => k.bceLossWithGrad(logits, labels, { shape, posWeight: [1, 2], out }),
  ],
  [
    'posWeight negative',
    RangeError,
    'posWeight',
    (k, out) => k.bceLossWithGrad(logits, labels, { shape, posWeight: -1, out }),
  ],
  [
    'cross-entropy with sigmoid',
    RangeError,
    /activation must be 'softmax'/,
    (k, out) => k.crossEntropyLossWithGrad(logits, labels, { shape, activation: 'sigmoid' as never, out }),
  ],
  [
    'BCE with softmax',
    RangeError,
    /activation must be 'sigmoid'/,
    (k, out) => k.bceLossWithGrad(logits, labels, { shape, activation: 'softmax' as never, out }),
  ],
  [
    'BCE from probabilities',
    RangeError,
    'activation',
    (k, out) => k.bceLossWithGrad(logits, labels, { shape, activation: 'none' as never, out }),
  ],
  [
    'pointwise gradient of reduction none',
    RangeError,
    'reduction',
    (k, out) => k.crossEntropyLossWithGrad(logits, labels, { shape, reduction: 'none' as never, out }),
  ],
  [
    'combined reduction none',
    RangeError,
    'reduction',
    (k) => k.diceCELoss(logits, labels, { shape, reduction: 'none' as never }),
  ],
  [
    'logLoss on MCC',
    TypeError,
    /logLoss.*not an option of mccLoss/,
    (k) => k.mccLoss(logits, labels, { shape, logLoss: true } as never),
  ],
  [
    'labelSmoothing on focal',
    TypeError,
    /labelSmoothing.*not an option of focalLoss/,
    (k) => k.focalLoss(logits, labels, { shape, labelSmoothing: 0.1 } as never),
  ],
  [
    'softmax focal over one class',
    RangeError,
    'activation',
    (k, out) => k.focalLossWithGrad(logits, Float32Array.from(logits), { shape: [30], activation: 'softmax', out }),
  ],
  [
    'MCC smooth negative',
    RangeError,
    'smooth',
    (k) => k.mccLoss(logits, labels, { shape, activation: 'softmax', smooth: -1 }),
  ],
];

describe.each(['simd', 'scalar', 'js'])('bad options of the pointwise and combined losses on %s', (backend) => {
  it.each(cases)('%s', (_name, error, names, call) => {
    const k = kernels.find((x) => x.backend === backend) as DiceKernel;
    const out = new Float32Array(logits.length).fill(7.25);
    let thrown: unknown;
    try {
      call(k, out);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(error);
    if (typeof names === 'string') expect((thrown as Error).message).toContain(names);
    else expect((thrown as Error).message).toMatch(names);
    expect(
      out.every((v) => v === 7.25),
      'out untouched',
    ).toBe(true);
    const again = k.diceCELossWithGrad(logits, labels, { shape });
    expect(Number.isFinite(again.loss)).toBe(true);
  });
});
