// What the loss registry (src/losses/registry.ts) derives, checked against the public types:
// every loss has its two methods on the kernel and on the pool and a createLoss name, each
// method accepts exactly the options its type declares (core/api.ts, read by hand into the
// table below), and createLoss computes what the method computes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDicePool, type DicePool, type DiceKernel, loadDice } from '../../src/index.js';

const TENSOR = ['shape', 'layout', 'activation', 'target', 'ignoreIndex'];
const OVERLAP = [
  ...TENSOR,
  'includeBackground',
  'batch',
  'reduction',
  'smooth',
  'smoothNr',
  'smoothDr',
  'squared',
  'softLabel',
  'mask',
];
const DICE = [...OVERLAP, 'weight', 'logLoss', 'empty'];
const GENERALIZED = [...OVERLAP, 'weightType'];
const POINT = [...TENSOR, 'mask', 'weight', 'reduction', 'out'];
const LAMBDAS = ['lambdaOverlap', 'lambdaPoint'];
const SPATIAL = ['shape', 'layout', 'activation', 'target', 'includeBackground', 'batch', 'reduction'];

/** The option names of each loss's options type (core/api.ts): the value method's, mask and out included. */
const TYPE_OPTIONS: Record<string, string[]> = {
  dice: DICE,
  jaccard: DICE,
  tversky: [...DICE, 'alpha', 'beta'],
  focalTversky: [...DICE.filter((n) => n !== 'logLoss'), 'alpha', 'beta', 'gamma'],
  generalizedDice: GENERALIZED,
  mcc: [...TENSOR, 'includeBackground', 'batch', 'reduction', 'smooth', 'mask', 'weight', 'empty'],
  bce: [...POINT, 'includeBackground', 'posWeight'],
  crossEntropy: [...POINT, 'labelSmoothing'],
  focal: [...POINT, 'includeBackground', 'gamma', 'alpha'],
  diceCE: [...DICE, ...LAMBDAS, 'labelSmoothing', 'posWeight'],
  diceFocal: [...DICE, ...LAMBDAS, 'gamma', 'alpha'],
  generalizedDiceFocal: [...GENERALIZED, ...LAMBDAS, 'gamma', 'alpha', 'weight'],
  lovaszHinge: ['shape', 'perImage', 'ignoreIndex'],
  lovaszSoftmax: [...TENSOR, 'classes', 'perImage'],
  clDice: [...SPATIAL, 'poolClasses', 'smooth', 'iterations'],
  diceClDice: [...SPATIAL, 'poolClasses', 'smooth', 'iterations', 'alpha'],
  hausdorffDT: [...SPATIAL, 'spacing', 'alpha', 'logLoss'],
  boundary: [...SPATIAL, 'spacing'],
};
/** The losses on whole class volumes: 2 spatial axes at least, no mask, no ignoreIndex. */
const SPATIAL_LOSSES = ['clDice', 'diceClDice', 'hausdorffDT', 'boundary'];
const NAMES = Object.keys(TYPE_OPTIONS);

/** The option names an error lists for an unknown option ("…; its options are a, b, c"). */
function listedOptions(call: () => unknown): string[] {
  try {
    call();
  } catch (error) {
    const match = /its options are (.*)$/.exec((error as Error).message);
    if (match) return match[1].split(', ').sort();
    throw error;
  }
  throw new Error('no error');
}

const sorted = (names: string[]) => [...new Set(names)].sort();
const method = (k: DiceKernel | DicePool, name: string) =>
  (k as unknown as Record<string, (...args: unknown[]) => unknown>)[name].bind(k);

let k: DiceKernel;
let pool: DicePool;
beforeAll(async () => {
  k = await loadDice();
  pool = await createDicePool({ threads: 1 });
});
afterAll(() => pool.terminate());

describe('the loss registry', () => {
  it('names every loss of the public types in createLoss, in their order', () => {
    expect(() => k.createLoss({ loss: 'nope' } as never)).toThrow(
      `createLoss: loss must be one of ${NAMES.map((n) => `'${n}'`).join(', ')}; got string 'nope'`,
    );
  });

  for (const name of NAMES) {
    describe(name, () => {
      it('has <name>Loss and <name>LossWithGrad on the kernel and on the pool', () => {
        for (const m of [`${name}Loss`, `${name}LossWithGrad`]) {
          expect(typeof (k as unknown as Record<string, unknown>)[m]).toBe('function');
          expect(typeof (pool as unknown as Record<string, unknown>)[m]).toBe('function');
        }
      });

      it('accepts the options of its type: its methods with mask and out as typed, createLoss without', async () => {
        const bogus = { bogus: 1 };
        const value = sorted(TYPE_OPTIONS[name]);
        const withGrad = sorted([...TYPE_OPTIONS[name], 'out']);
        const created = value.filter((n) => n !== 'mask' && n !== 'out');
        const p = new Float32Array(4);
        const t = new Float32Array(4);
        expect(listedOptions(() => method(k, `${name}Loss`)(p, t, bogus))).toEqual(value);
        expect(listedOptions(() => method(k, `${name}LossWithGrad`)(p, t, bogus))).toEqual(withGrad);
        expect(listedOptions(() => k.createLoss({ loss: name, ...bogus } as never))).toEqual(created);
        await expect(method(pool, `${name}Loss`)(p, t, bogus)).rejects.toThrow(`its options are`);
        const poolListed = await (method(pool, `${name}LossWithGrad`)(p, t, bogus) as Promise<unknown>).catch(
          (error: Error) => /its options are (.*)$/.exec(error.message)?.[1].split(', ').sort(),
        );
        expect(poolListed).toEqual(withGrad);
      });

      it('computes in createLoss what its methods compute, on the kernel and on the pool', async () => {
        // Two samples of two classes, 3 voxels each: values in (0, 1), probabilities for the losses
        // whose activation is 'none' by default, logits for the others; 0/1 dense targets.
        const shape = SPATIAL_LOSSES.includes(name) ? [2, 2, 3, 1] : [2, 2, 3];
        const pred = Float32Array.from([0.3, 0.12, 0.9, 0.4, 0.85, 0.55, 0.21, 0.2, 0.7, 0.61, 0.06, 0.05]);
        const target = Float32Array.from([1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0]);
        const options = name === 'lovaszHinge' ? { shape } : { shape, target: 'dense' };
        const loss = k.createLoss({ loss: name, ...options } as never);
        const direct = method(k, `${name}Loss`)(pred, target, options) as number;
        const { loss: value, grad } = method(k, `${name}LossWithGrad`)(pred, target, options) as {
          loss: number;
          grad: Float32Array;
        };
        expect(Number.isFinite(direct)).toBe(true);
        expect(loss.value(pred, target)).toBe(direct);
        const created = loss.valueAndGrad(pred, target);
        expect(created.loss).toBe(value);
        expect(created.grad).toEqual(grad);
        expect(value).toBeCloseTo(direct, 12);
        expect(await method(pool, `${name}Loss`)(pred, target, options)).toBeCloseTo(direct, 6);
        const pooled = (await pool.createLoss({ loss: name, ...options } as never).valueAndGrad(pred, target)) as {
          loss: number;
        };
        expect(pooled.loss).toBeCloseTo(value, 6);
      });
    });
  }
});
