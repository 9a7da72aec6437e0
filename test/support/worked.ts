// The worked example every build reproduces (README): after a refused call, a kernel must still give it.
import { expect } from 'vitest';
import type { DiceKernel } from '../../src/index.js';

export const WORKED_PRED = Float32Array.from([
  0.38574776, 0.08795848, 0.83927506, 0.21592768, 0.44453627, 0.10463644, 0.8793516, 0.65118235, 0.5184219,
]);
export const WORKED_TARGET = Float32Array.from([1, 0, 0, 0, 0, 0, 1, 1, 1]);
export const WORKED_LOSS = 0.35692084;

/** The kernel is still usable and right: the worked example's Dice loss (smooth 1). */
export function expectWorkedExample(k: DiceKernel): void {
  expect(k.diceLoss(WORKED_PRED, WORKED_TARGET)).toBeCloseTo(WORKED_LOSS, 6);
}

/** The error thrown by `call` (the test fails if none is). */
export function thrownBy(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

export const BACKENDS = ['simd', 'scalar', 'js'] as const;
