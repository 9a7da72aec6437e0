// Bad input: a call must throw a TypeError or RangeError whose message names the argument or
// option at fault, before it writes anything to `out`.
import { expect } from 'vitest';
import type { DiceKernel } from '../../src/index.js';

export interface BadCall {
  name: string;
  error: typeof TypeError | typeof RangeError;
  /** Text the message must contain: the argument (or option) at fault. */
  names: string | RegExp;
  call: (k: DiceKernel, out: Float32Array) => unknown;
  /** Length of the `out` array handed to the call (pred's length). */
  length: number;
}

/** The call throws `error`, whose message names what `names` says (a text it contains, or a pattern). */
export function expectThrowsNaming(call: () => unknown, error: BadCall['error'], names: string | RegExp): void {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(error);
  const message = (thrown as Error).message;
  if (typeof names === 'string') expect(message).toContain(names);
  else expect(message).toMatch(names);
}

/** Runs the call with an `out` full of a sentinel: the error and its message as expected, `out` untouched. */
export function expectRejected(k: DiceKernel, { error, names, call, length }: BadCall): void {
  const sentinel = 12345.5;
  const out = new Float32Array(length).fill(sentinel);
  expectThrowsNaming(() => call(k, out), error, names);
  expect(
    out.every((v) => v === sentinel),
    'out must be untouched',
  ).toBe(true);
}
