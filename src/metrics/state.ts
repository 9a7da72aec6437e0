// Reading a streaming metric's serialised state (toJSON output, from another process or a file):
// untrusted, so every field is read once, lists are copied before they are checked, and what a
// message quotes is truncated.
import { describe, quote, rangeError, typeError } from '../core/errors.js';
import { checkOptionNames, revoked } from '../core/options.js';
import type { Spacing } from '../core/api.js';
import { checkSpacing } from '../core/spacing.js';
import { checkShape } from '../core/tensors.js';

/** The fields of a state, each read once; `samples` copied. */
export interface StateFields {
  options: unknown;
  samples: unknown[];
}

export function readState(fn: string, arg: string, json: unknown, format: string, what: string): StateFields {
  const fail = (): TypeError =>
    typeError(fn, arg, `must be ${what} or its toJSON() (format '${format}', version 1); got ${describe(json)}`);
  if (json === null || typeof json !== 'object' || revoked(json)) throw fail();
  const { format: f, version, options, samples } = json as Record<string, unknown>;
  if (f !== format || version !== 1) throw fail();
  const copied = copyArray(samples);
  if (copied === null) throw fail();
  return { options, samples: copied };
}

/** Refuses a state made with other options than `mine` (compared as JSON with sorted keys). */
export function checkSameOptions(fn: string, arg: string, options: unknown, mine: unknown): void {
  let theirs: string;
  try {
    // JSON.stringify gives undefined for a symbol, a function or undefined itself.
    theirs = String(canonical(options));
  } catch (error) {
    throw typeError(fn, `${arg}.options`, `cannot be read as JSON (${describe(error)})`);
  }
  const ours = String(canonical(mine));
  if (theirs !== ours) {
    throw rangeError(
      fn,
      arg,
      `was made with other options (${quote(theirs, 200)}) than this metric (${quote(ours, 400)})`,
    );
  }
}

/** An Array's elements copied once (index by index: no iterator, no second read), or null for anything else. */
export function copyArray(value: unknown): unknown[] | null {
  if (revoked(value) || !Array.isArray(value)) return null;
  const n = value.length;
  const copy = new Array<unknown>(n);
  for (let i = 0; i < n; i++) copy[i] = value[i];
  return copy;
}

/** JSON with sorted keys, for comparing option sets. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * The options of a streaming update() that measures per-sample geometry: the shape (required,
 * checked) and, when given, a spacing (checked) that replaces the one of `spec`.
 */
export function readUpdateGeometry<Spec extends { spacing: Spacing }>(
  options: { shape?: unknown; spacing?: unknown } | undefined,
  spec: Spec,
): { shape: readonly number[]; spec: Spec } {
  const opts = checkOptionNames('update', options, ['shape', 'spacing']);
  if (opts.shape === undefined)
    throw rangeError(
      'update',
      'shape',
      'is required: [B, ...spatial] for a label map, [B, C, ...spatial] for dense input',
    );
  const shape = checkShape('update', opts.shape);
  return {
    shape,
    spec: opts.spacing === undefined ? spec : { ...spec, spacing: checkSpacing('update', 'spacing', opts.spacing) },
  };
}
