// The soft Matthews correlation loss (smp's MCCLoss): against soft counts computed here in
// float64 (the TypeScript backend to 1e-12, the WebAssembly builds to float32 precision), the smp
// vectors, finite-difference gradients (as a whole and element by element), and the three backends
// agreeing. test/backends/agree-pointwise.test.ts covers the other options (classes, layouts, masks,
// label maps, weights, logits) against test/reference/overlap.ts.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import {
  describeWorstElement,
  elementwiseRelativeError,
  finiteDifferenceGradient,
  maxAbsRelativeError,
  relativeError,
} from '../reference/finite-differences.js';
import { rng } from '../support/random.js';

/**
 * Values against the float64 reference: the TypeScript backend computes in float64, the WebAssembly builds in float32.
 */
const LOSS_TOL = { js: 1e-12, simd: 2e-6, scalar: 2e-6 } as const;

const kernels: Record<'simd' | 'scalar' | 'js', DiceKernel> = {} as never;
beforeAll(async () => {
  for (const backend of ['simd', 'scalar', 'js'] as const) kernels[backend] = await loadDice({ backend });
});

/** 1 − MCC of the soft counts of p against y, each count plus eps (smp's definition). */
function mccLossReference(p: ArrayLike<number>, y: ArrayLike<number>, eps: number): number {
  let tp = eps,
    fp = eps,
    fn = eps,
    tn = eps;
  for (let i = 0; i < p.length; i++) {
    tp += p[i] * y[i];
    fp += p[i] * (1 - y[i]);
    fn += (1 - p[i]) * y[i];
    tn += (1 - p[i]) * (1 - y[i]);
  }
  return 1 - (tp * tn - fp * fn) / Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
}

describe('mccLoss', () => {
  const random = rng(11);
  const p = Float32Array.from({ length: 203 }, () => random());
  const y = Float32Array.from({ length: 203 }, () => (random() < 0.4 ? 1 : 0));

  it.each(['simd', 'scalar', 'js'] as const)('is 1 − MCC of the soft counts on %s, per term and pooled', (backend) => {
    const k = kernels[backend];
    const close = (got: number, want: number, what: string) =>
      expect(relativeError(got, want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(LOSS_TOL[backend]);
    close(k.mccLoss(p, y) as number, mccLossReference(p, y, 1e-5), 'one term');
    close(k.mccLoss(p, y, { smooth: 0.5 }) as number, mccLossReference(p, y, 0.5), 'smooth 0.5');
    // Seven samples of 29 voxels, one class: per-sample terms, or pooled with batch.
    const shape = [7, 1, 29];
    const perSample = k.mccLoss(p, y, { shape, reduction: 'none' }) as Float64Array;
    for (let b = 0; b < 7; b++) {
      close(
        perSample[b],
        mccLossReference(p.subarray(29 * b, 29 * b + 29), y.subarray(29 * b, 29 * b + 29), 1e-5),
        `sample ${b}`,
      );
    }
    close(k.mccLoss(p, y, { shape, batch: true }) as number, mccLossReference(p, y, 1e-5), 'batch');
  });

  it('has the gradient of central finite differences (js), which the WASM builds reproduce', () => {
    const options = { shape: [7, 1, 29], smooth: 0.01 };
    const { grad } = kernels.js.mccLossWithGrad(p, y, options);
    const fd = finiteDifferenceGradient((q) => kernels.js.mccLoss(q, y, options) as number, p);
    expect(maxAbsRelativeError(grad, fd)).toBeLessThanOrEqual(1e-4);
    expect(elementwiseRelativeError(grad, fd).error, describeWorstElement(grad, fd)).toBeLessThanOrEqual(1e-4);
    for (const backend of ['simd', 'scalar'] as const) {
      const other = kernels[backend].mccLossWithGrad(p, y, options).grad;
      expect(maxAbsRelativeError(other, grad), backend).toBeLessThanOrEqual(2e-5);
    }
  });

  it.each(['simd', 'scalar', 'js'] as const)('reproduces smp MCCLoss on %s', (backend) => {
    type Tensor = { shape: number[]; data: unknown };
    const records = (
      JSON.parse(readFileSync(new URL('../fixtures/vectors/smp.json', import.meta.url), 'utf8')) as {
        id: string;
        loss_or_metric: string;
        params_effective: { eps: number };
        input: Tensor;
        target: Tensor;
        expected: number;
        tolerance: { abs: number };
      }[]
    ).filter((r) => r.loss_or_metric === 'smp.losses.MCCLoss');
    expect(records.length).toBe(3);
    for (const r of records) {
      // smp sums over the whole tensor: one term.
      const got = kernels[backend].mccLoss(
        Float32Array.from((r.input.data as number[][][]).flat(2)),
        Float32Array.from((r.target.data as number[][][]).flat(2)),
        { smooth: r.params_effective.eps },
      ) as number;
      expect(Math.abs(got - r.expected), `${r.id}: ${got} vs ${r.expected}`).toBeLessThanOrEqual(r.tolerance.abs);
    }
  });
});
