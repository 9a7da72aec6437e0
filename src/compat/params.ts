// Readers of Python parameters shared by the compat losses (the native readers in
// core/options.ts do the checking; these add what several Python libraries have in common).
import { rangeError } from '../core/errors.js';
import { checkOptionNames, nonNegative } from '../core/options.js';

/** The parameters object, its names checked against `names` (None / undefined: not given). */
export function readParams<T extends object>(
  fn: string,
  params: T | object | undefined,
  names: readonly string[],
): Partial<T> {
  return checkOptionNames(fn, params, names) as Partial<T>;
}

/** A number in [0, 1] (a focal alpha, a smoothing factor), or null when absent. */
export function fractionOf(fn: string, name: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const v = nonNegative(fn, name, value, 0);
  if (v > 1) throw rangeError(fn, name, `must be in [0, 1]; got ${v}`);
  return v;
}
