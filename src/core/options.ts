// Option objects: unknown names are rejected (with a suggestion) rather than ignored, so a
// typo such as `smoth` cannot silently change the numbers. Every option is read exactly once,
// into a plain snapshot (lists copied too): a getter, a Proxy or a list changed while a call runs
// cannot make what was checked differ from what is used.
import { checkView, describe, quote, rangeError, typeError } from './errors.js';

/** Entries an option list may have (a shape, per-class weights, per-sample spacings, …). */
export const MAX_OPTION_LIST = 1 << 24;

/**
 * Checks that `opts` is an options object whose keys are all in `allowed`, and returns a snapshot
 * of it: each allowed option read once (inherited ones too), plain lists (Arrays, and Arrays of
 * Arrays) copied element by element; options that are undefined are left out.
 */
export function checkOptionNames<T extends object>(fn: string, opts: T | undefined, allowed: readonly string[]): T {
  const snapshot: Record<string, unknown> = {};
  if (opts === undefined) return snapshot as T;
  if (revoked(opts)) throw typeError(fn, 'options', 'is a revoked Proxy');
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts) || ArrayBuffer.isView(opts)) {
    throw typeError(fn, 'options', `must be an object; got ${describe(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    // A key set to undefined means "not given", as usual in JavaScript option objects.
    if (!allowed.includes(key) && (opts as Record<string, unknown>)[key] !== undefined) {
      const near = closest(key, allowed);
      throw typeError(
        fn,
        `option '${quote(key, 40)}'`,
        `is not an option of ${fn}${near ? ` (did you mean '${near}'?)` : ''}; its options are ${allowed.join(', ')}`,
      );
    }
  }
  for (const name of allowed) {
    const value = (opts as Record<string, unknown>)[name];
    if (value !== undefined) snapshot[name] = copyList(fn, name, value, 2);
  }
  return snapshot as T;
}

/** True for a revoked Proxy, on which every operation throws the engine's own error (Array.isArray included). */
export function revoked(value: unknown): boolean {
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}

/** A plain Array copied element by element (nested Arrays down to `depth` levels); anything else as it is. */
function copyList(fn: string, name: string, value: unknown, depth: number): unknown {
  if (revoked(value)) throw typeError(fn, name, 'is a revoked Proxy');
  checkView(fn, name, value);
  if (depth === 0 || !Array.isArray(value)) return value;
  const n = value.length;
  if (n > MAX_OPTION_LIST) {
    throw rangeError(fn, name, `has ${n} entries; an option list holds at most ${MAX_OPTION_LIST}`);
  }
  const copy = new Array<unknown>(n);
  for (let i = 0; i < n; i++) copy[i] = copyList(fn, name, value[i], depth - 1);
  return copy;
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

/** Per-class values (class weights by default): C finite, non-negative numbers (not strings). */
export function classWeights(fn: string, value: unknown, C: number, name = 'weight'): Float64Array | null {
  if (value === undefined || value === null) return null;
  const n = typeof value === 'object' ? (value as ArrayLike<unknown>).length : undefined;
  if (typeof n !== 'number') {
    throw typeError(fn, name, `must be an array of ${C} numbers (one per class); got ${describe(value)}`);
  }
  if (n !== C) throw rangeError(fn, name, `has length ${quote(String(n))} but there are ${C} classes (shape)`);
  const values = value as ArrayLike<unknown>;
  const w = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const x = values[c];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw rangeError(fn, `${name}[${c}]`, `must be a finite number ≥ 0; got ${describe(x)}`);
    }
    w[c] = x;
  }
  return w;
}

export function closest(key: string, names: readonly string[]): string | undefined {
  // No option name is long: a long key is no typo of one (and is not compared letter by letter).
  if (key.length > 64) return undefined;
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
