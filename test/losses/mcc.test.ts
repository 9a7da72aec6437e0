// The soft Matthews correlation loss (smp's MCCLoss): against soft counts computed here in
// float64, the smp vectors, finite-difference gradients, and the three backends agreeing.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { rng } from '../support/random.js';

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
    expect(k.mccLoss(p, y) as number).toBeCloseTo(mccLossReference(p, y, 1e-5), 6);
    expect(k.mccLoss(p, y, { smooth: 0.5 }) as number).toBeCloseTo(mccLossReference(p, y, 0.5), 6);
    // Seven samples of 29 voxels, one class: per-sample terms, or pooled with batch.
    const shape = [7, 1, 29];
    const perSample = k.mccLoss(p, y, { shape, reduction: 'none' }) as Float64Array;
    for (let b = 0; b < 7; b++) {
      expect(perSample[b]).toBeCloseTo(
        mccLossReference(p.subarray(29 * b, 29 * b + 29), y.subarray(29 * b, 29 * b + 29), 1e-5),
        6,
      );
    }
    expect(k.mccLoss(p, y, { shape, batch: true }) as number).toBeCloseTo(mccLossReference(p, y, 1e-5), 6);
  });

  it('has the gradient of central finite differences (js), which the WASM builds reproduce', () => {
    const loss = (q: Float32Array) => kernels.js.mccLoss(q, y, { shape: [7, 1, 29], smooth: 0.01 }) as number;
    const { grad } = kernels.js.mccLossWithGrad(p, y, { shape: [7, 1, 29], smooth: 0.01 });
    let worst = 0;
    let scale = 0;
    const q = Float32Array.from(p);
    for (let i = 0; i < p.length; i++) {
      const h = 1e-3;
      const up = Math.fround(p[i] + h),
        down = Math.fround(p[i] - h);
      q[i] = up;
      const lu = loss(q);
      q[i] = down;
      const ld = loss(q);
      q[i] = p[i];
      const fd = (lu - ld) / (up - down);
      worst = Math.max(worst, Math.abs(grad[i] - fd));
      scale = Math.max(scale, Math.abs(fd));
    }
    expect(worst / scale).toBeLessThanOrEqual(1e-4);
    for (const backend of ['simd', 'scalar'] as const) {
      const other = kernels[backend].mccLossWithGrad(p, y, { shape: [7, 1, 29], smooth: 0.01 }).grad;
      let d = 0;
      for (let i = 0; i < p.length; i++) d = Math.max(d, Math.abs(other[i] - grad[i]));
      expect(d / scale, backend).toBeLessThanOrEqual(2e-5);
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
