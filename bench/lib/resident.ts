// Copies of a call's inputs in a kernel's or a pool's WebAssembly memory (from alloc), and a
// gradient array there: what a zero-copy contender passes.
import type { DiceKernel, DicePool } from '../../src/index.js';

export interface Resident {
  pred: Float32Array;
  target: Float32Array | Uint8Array;
  out: Float32Array;
  free(): void;
}

/**
 * Reserves room for all three first (so that no alloc grows the memory after another), then copies pred and target in.
 */
export function residentCopies(
  runner: DiceKernel | DicePool,
  pred: Float32Array,
  target: Float32Array | Uint8Array,
): Resident {
  runner.reserve(2 * pred.byteLength + target.byteLength + (8 << 20));
  const resident = {
    pred: runner.alloc(Float32Array, pred.length),
    target:
      target instanceof Float32Array
        ? runner.alloc(Float32Array, target.length)
        : runner.alloc(Uint8Array, target.length),
    out: runner.alloc(Float32Array, pred.length),
  };
  resident.pred.set(pred);
  resident.target.set(target);
  return {
    ...resident,
    free: () => {
      for (const array of [resident.pred, resident.target, resident.out]) runner.free(array);
    },
  };
}

/** Two label maps, resident: the arrays to pass, and how to free them. */
export interface ResidentLabels {
  pred: Uint8Array;
  target: Uint8Array;
  free(): void;
}

/**
 * Copies of two u8 label maps in a kernel's memory (or the arrays themselves when `zeroCopy` is
 * false), after reserving `workBytes` beyond them: room for a call's work, so that no call grows
 * the memory, which would detach the copies.
 */
export function residentLabels(
  k: DiceKernel,
  pred: Uint8Array,
  target: Uint8Array,
  zeroCopy: boolean,
  workBytes: number,
): ResidentLabels {
  if (!zeroCopy) return { pred, target, free: () => {} };
  k.reserve(pred.length + target.length + workBytes);
  const copies = { pred: k.alloc(Uint8Array, pred.length), target: k.alloc(Uint8Array, target.length) };
  copies.pred.set(pred);
  copies.target.set(target);
  return {
    ...copies,
    free: () => {
      k.free(copies.pred);
      k.free(copies.target);
    },
  };
}
