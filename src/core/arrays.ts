// Checks of a call's arrays against where they live, made before any kernel runs or anything is
// written: an array from alloc() that no longer views its memory, and an `out` of the wrong type
// or length, or one that overlaps an input.
import type { Target } from './api.js';
import { checkView, describe, rangeError, typeError } from './errors.js';

/** What the checks ask of the engine that runs the call (backends/engine.ts: every Engine is one). */
export interface ArrayOwner {
  /**
   * Throws if `array` came from this engine's alloc() and was freed, or no longer views its memory
   * (detached by a grow): before any other check.
   */
  checkAttached(fn: string, name: string, array: unknown): void;
  /** True when two arrays view the same storage, so that their byte offsets compare. */
  sameMemory(a: ArrayBufferView, b: ArrayBufferView): boolean;
}

/**
 * Every array of a call is a typed array itself (not a Proxy of one) and still views its memory,
 * if it came from alloc().
 */
export function checkAttached(
  owner: ArrayOwner,
  fn: string,
  pred: unknown,
  target: unknown,
  mask: unknown,
  out: unknown,
): void {
  checkView(fn, 'pred', pred);
  checkView(fn, 'target', target);
  checkView(fn, 'mask', mask);
  checkView(fn, 'out', out);
  owner.checkAttached(fn, 'pred', pred);
  owner.checkAttached(fn, 'target', target);
  owner.checkAttached(fn, 'mask', mask);
  owner.checkAttached(fn, 'out', out);
}

/** `out` is a Float32Array of `length` values (pred's, or as `what` says) that overlaps no input. */
export function checkOut(
  owner: ArrayOwner,
  fn: string,
  out: unknown,
  inputs: { pred: Float32Array; target: Target; mask: Uint8Array | null },
  length = inputs.pred.length,
  what = 'pred has',
): void {
  if (!(out instanceof Float32Array)) throw typeError(fn, 'out', `must be a Float32Array; got ${describe(out)}`);
  if (out.length !== length) {
    throw rangeError(fn, 'out', `has length ${out.length} but ${what} ${length}`);
  }
  for (const [name, other] of [
    ['pred', inputs.pred],
    ['target', inputs.target],
    ['mask', inputs.mask],
  ] as const) {
    if (
      other &&
      owner.sameMemory(out, other) &&
      out.byteOffset < other.byteOffset + other.byteLength &&
      other.byteOffset < out.byteOffset + out.byteLength
    ) {
      throw rangeError(fn, 'out', `overlaps ${name}; the result needs its own array`);
    }
  }
}
