// Option objects: unknown names are rejected (with a suggestion) rather than ignored, so a
// typo such as `smoth` cannot silently change the numbers.
import { describe, rangeError, typeError } from './errors.js';

/** Checks that `opts` is an options object whose keys are all in `allowed`; returns it. */
export function checkOptionNames<T extends object>(fn: string, opts: T | undefined, allowed: readonly string[]): T {
  if (opts === undefined) return {} as T;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts) || ArrayBuffer.isView(opts)) {
    throw typeError(fn, 'options', `must be an object; got ${describe(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    // A key set to undefined means "not given", as usual in JavaScript option objects.
    if (!allowed.includes(key) && (opts as Record<string, unknown>)[key] !== undefined) {
      const near = closest(key, allowed);
      throw typeError(
        fn,
        `option '${key}'`,
        `is not an option of ${fn}${near ? ` (did you mean '${near}'?)` : ''}; its options are ${allowed.join(', ')}`,
      );
    }
  }
  return opts;
}

export function oneOf<T extends string>(
  fn: string,
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw rangeError(fn, name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${describe(value)}`);
}

export function flag(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw typeError(fn, name, `must be a boolean; got ${describe(value)}`);
  return value;
}

/** A finite, non-negative number, or the fallback when absent. */
export function nonNegative(fn: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw rangeError(fn, name, `must be a finite number ≥ 0; got ${describe(value)}`);
  }
  return value;
}

/** Per-class values (class weights by default): C finite, non-negative numbers. */
export function classWeights(fn: string, value: unknown, C: number, name = 'weight'): Float64Array | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || typeof (value as ArrayLike<number>).length !== 'number') {
    throw typeError(fn, name, `must be an array of ${C} numbers (one per class); got ${describe(value)}`);
  }
  const w = Float64Array.from(value as ArrayLike<number>);
  if (w.length !== C) {
    throw rangeError(fn, name, `has length ${w.length} but there are ${C} classes (shape)`);
  }
  const bad = w.findIndex((x) => !Number.isFinite(x) || x < 0);
  if (bad >= 0) throw rangeError(fn, name, `[${bad}] must be a finite number ≥ 0; got ${w[bad]}`);
  return w;
}

export function closest(key: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of names) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
