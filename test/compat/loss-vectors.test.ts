// The MONAI, smp and Keras loss records of the shared conformance vectors through dice-wasm/compat:
// each called as its record's `call` says, with the record's own `params` (so the Python
// defaults are ours too), on every backend, within the record's tolerance; forwardWithGrad
// returns the same loss. Every loss record runs.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keras, monai, smp, useKernel, type LossWithGrad, type Tensor } from '../../src/compat/index.js';
import { loadDice, type BackendName } from '../../src/index.js';
import { allowedError, expectWithin, LOSS_RECORDS, type VectorRecord } from '../support/vectors.js';

const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'js'];

/** MONAI's other_act as the records write it. */
const OTHER_ACT: Readonly<Record<string, (x: { data: Float32Array; shape: number[] }) => unknown>> = {
  'torch.tanh': ({ data, shape }) => ({ data: data.map(Math.tanh), shape }),
};

type LossObject = {
  forward?: (...args: unknown[]) => number | Tensor;
  forwardWithGrad?: (...args: unknown[]) => LossWithGrad;
};

interface CompatCall {
  value(): number | Tensor;
  /** The loss of the gradient call (none for reduction 'none' or null, or with other_act). */
  withGrad?: () => number;
}

/** The record's call through dice-wasm/compat. */
function compatCall(r: VectorRecord): CompatCall {
  const [library] = r.loss_or_metric.split('.');
  const name = r.loss_or_metric.split('.').pop() as string;
  const params: Record<string, unknown> = { ...r.params };
  const input = r.input.data,
    target = r.target.data;
  const reduced = params.reduction !== 'none' && params.reduction !== null;
  if (library === 'monai') {
    // other_act has no gradient (forwardWithGrad refuses it; test/compat/losses.test.ts).
    const differentiable = reduced && params.other_act === undefined;
    if (typeof params.other_act === 'string') {
      const act = OTHER_ACT[params.other_act];
      if (act === undefined) throw new Error(`${r.id}: other_act ${params.other_act} has no translation here`);
      params.other_act = act;
    }
    const loss = new (monai as unknown as Record<string, new (p: object) => LossObject>)[name](params);
    const args = [input, target, ...(r.mask ? [r.mask.data] : [])];
    return {
      value: () => loss.forward!(...args),
      ...(differentiable ? { withGrad: () => loss.forwardWithGrad!(...args).loss } : {}),
    };
  }
  if (library === 'smp' && name.startsWith('soft_')) {
    const score = (smp as unknown as Record<string, (o: unknown, t: unknown, p: object) => number | Tensor>)[name];
    // `soft_jaccard_score(...).mean()`: the test averages the per-row scores.
    const mean = (t: number | Tensor) =>
      typeof t === 'number' ? t : t.data.reduce((a, v) => a + v, 0) / t.data.length;
    return {
      value: () => (r.call.includes('.mean()') ? mean(score(input, target, params)) : score(input, target, params)),
    };
  }
  if (library === 'smp') {
    const loss = new (smp as unknown as Record<string, new (p: object) => LossObject>)[name](params);
    return { value: () => loss.forward!(input, target), withGrad: () => loss.forwardWithGrad!(input, target).loss };
  }
  if (library === 'keras') {
    // Keras takes the target first: loss(y_true, y_pred).
    const loss = new (
      keras as unknown as Record<
        string,
        new (
          p: object,
        ) => { call(...a: unknown[]): number | Tensor; callWithGrad(...a: unknown[]): LossWithGrad }
      >
    )[name](params);
    return {
      value: () => loss.call(target, input),
      ...(reduced ? { withGrad: () => loss.callWithGrad(target, input).loss } : {}),
    };
  }
  throw new Error(`${r.id}: ${library} has no compat losses`);
}

function valuesOf(record: VectorRecord, result: number | Tensor): number[] {
  if (typeof result === 'number') {
    expect(record.expected_shape ?? [], `${record.id}: a number stands for a scalar`).toEqual([]);
    return [result];
  }
  expect(result.shape, `${record.id}: output shape`).toEqual(record.expected_shape);
  return Array.from(result.data);
}

// MONAI warns where it ignores an option (MaskedDiceLoss without a mask, ...); the records mean it.
beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterAll(() => {
  vi.restoreAllMocks();
});

describe('the loss vectors through dice-wasm/compat', () => {
  it('cover every loss record of MONAI, smp and Keras', () => {
    expect(LOSS_RECORDS.length).toBe(68);
  });
});

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(async () => {
    useKernel(await loadDice({ backend }));
  });

  it.each(LOSS_RECORDS.map((r) => [r.id, r] as const))('%s', (_id, record) => {
    const call = compatCall(record);
    const tolerance = (e: number): number => allowedError(record.tolerance, e);
    expectWithin(valuesOf(record, call.value()), record, record.expected, tolerance, backend);
    if (call.withGrad) expectWithin([call.withGrad()], record, record.expected, tolerance, `${backend} withGrad`);
  });
});
