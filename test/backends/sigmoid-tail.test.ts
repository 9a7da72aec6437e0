// D5 (issue 14): the TypeScript reference's sigmoid gradient is finite for every finite logit.
// σ'(x) = e^−|x| / (1 + e^−|x|)²: for x ≤ −710, e^−x overflows float64 and the old (e·p)·p was
// +∞·0 = NaN. Expected values by hand: σ'(x) < 1e−300 there, so the overlap part of the gradient
// is 0 to float32, and BCE's gradient is (σ(x) − y)/N = −y/N.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { BACKENDS } from '../support/worked.js';

const kernels = new Map<string, DiceKernel>();
beforeAll(async () => {
  for (const backend of BACKENDS) kernels.set(backend, await loadDice({ backend }));
});

const TAIL = [-710, -745.5, -800, -1e4, -3.4e38];

describe.each(BACKENDS)('sigmoid gradients in the far negative tail (%s)', (backend) => {
  const k = () => kernels.get(backend) as DiceKernel;

  it.each(TAIL)('logit %d: finite gradients, as derived', (x) => {
    // d05's case with the tail logit at index 4, once with target 0 and once with target 1.
    for (const y of [0, 1]) {
      const pred = Float32Array.from([0.4, 0.1, 0.8, 0.2, x, 0.1, 0.9, 0.7, 0.5]);
      const target = Float32Array.from([1, 0, 0, 0, y, 0, 1, 1, 1]);
      const dice = k().diceLossWithGrad(pred, target, { activation: 'sigmoid' });
      const bce = k().bceLossWithGrad(pred, target);
      const focal = k().diceFocalLossWithGrad(pred, target);
      for (const { grad } of [dice, bce, focal]) expect(grad.every(Number.isFinite)).toBe(true);
      expect(Math.abs(dice.grad[4])).toBeLessThan(1e-30);
      // BCE mean over 9 elements: (σ(x) − y)/9 with σ(x) = 0 to float32.
      expect(bce.grad[4]).toBeCloseTo(-y / 9, 7);
      // The other elements are those of a moderate logit of the same sign: compare with x = −60.
      const moderate = k().bceLossWithGrad(
        Float32Array.from(pred, (v, i) => (i === 4 ? -60 : v)),
        target,
      );
      for (let i = 0; i < 9; i++) expect(bce.grad[i]).toBeCloseTo(moderate.grad[i], 7);
    }
  });
});

it('the backends agree on the tail (values to 1e−6, gradients to 1e−7)', () => {
  const pred = Float32Array.from([...TAIL, 3, -2]);
  const target = Float32Array.from([1, 0, 1, 0, 1, 1, 0]);
  const [simd, scalar, js] = BACKENDS.map((b) => (kernels.get(b) as DiceKernel).diceFocalLossWithGrad(pred, target));
  for (const other of [scalar, js]) {
    expect(other.loss).toBeCloseTo(simd.loss, 6);
    for (const [i, g] of other.grad.entries()) expect(g).toBeCloseTo(simd.grad[i], 7);
  }
});
