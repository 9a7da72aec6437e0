// The benchmarks' agreement check (bench/lib/agree.ts): it passes answers within tolerance and
// throws, naming what disagreed, on a loss or gradient beyond it, NaN, or a gradient missing on one side.
import { describe, expect, it } from 'vitest';
import { assertAgreement, gradientDifference, lossDifference } from '../../bench/lib/agree.js';

const tolerance = { loss: 1e-5, grad: 2e-5 };
const want = { loss: 0.5, grad: Float32Array.of(1, -2, 0.5) };

describe('the agreement check of the benchmarks', () => {
  it('measures the loss relative to its size and the gradient relative to its largest component', () => {
    expect(lossDifference(0.5000025, 0.5)).toBeCloseTo(5e-6, 12);
    expect(lossDifference(1e-9, 0)).toBe(1e-9);
    expect(lossDifference(Number.NaN, 0.5)).toBe(Infinity);
    expect(gradientDifference([1, -2.00002, 0.5], want.grad)).toBeCloseTo(1e-5, 9);
    expect(gradientDifference([1, -2], want.grad)).toBe(Infinity);
    expect(gradientDifference([1, Number.NaN, 0.5], want.grad)).toBe(Infinity);
    expect(gradientDifference([0, 0], [0, 0])).toBe(0);
  });

  it('passes answers within tolerance and returns the differences', () => {
    expect(assertAgreement('x', { loss: 0.500001, grad: [1, -2.00001, 0.5] }, want, tolerance)).toEqual({
      loss: expect.closeTo(2e-6, 9),
      grad: expect.closeTo(5e-6, 9),
    });
    expect(assertAgreement('x', { loss: 0.5 }, { loss: 0.5 }, tolerance)).toEqual({ loss: 0, grad: null });
  });

  it('throws on a loss or a gradient beyond tolerance, NaN, or a gradient on one side only', () => {
    expect(() => assertAgreement('softmax4 1M wasm', { loss: 0.51, grad: want.grad }, want, tolerance)).toThrow(
      /^bench: softmax4 1M wasm: loss 0\.51 vs 0\.5 \(relative difference 0\.02.*, tolerance 0\.00001\)$/,
    );
    expect(() => assertAgreement('g', { loss: 0.5, grad: [1, -2.001, 0.5] }, want, tolerance)).toThrow(
      new RegExp(
        String.raw`^bench: g: gradient max \|Δ\| \/ max \|grad\| = 0\.000[45]\d* \(tolerance 0\.00002\); ` +
          String.raw`worst at element 1: -2\.001 vs -2$`,
      ),
    );
    expect(() => assertAgreement('n', { loss: Number.NaN }, { loss: 0.5 }, tolerance)).toThrow(/loss NaN vs 0\.5/);
    expect(() => assertAgreement('m', { loss: 0.5 }, want, tolerance)).toThrow(
      /one side has a gradient and the other not/,
    );
  });
});
