// Scoped allocation: arrays a scope allocates are freed when it ends, so that a loop that
// allocates per iteration keeps the memory flat without a free() per array.
import type { AllocatableConstructor, AllocScope } from '../core/api.js';
import { typeError } from '../core/errors.js';

/** What a scope needs of an engine: its allocator (backends/engine.ts: every Engine is one). */
export interface Allocator {
  alloc<C extends AllocatableConstructor>(ctor: C, length: number): InstanceType<C>;
  free(array: ArrayBufferView): void;
  /** True for an array from alloc that was not freed yet. */
  live(array: ArrayBufferView): boolean;
}

/**
 * Runs `fn` with an allocator whose arrays are freed when `fn` returns or throws, or, when it
 * returns a promise, when that settles. Arrays freed inside the scope are skipped.
 */
export function runScope<T>(engine: Allocator, fn: (scope: AllocScope) => T): T {
  if (typeof fn !== 'function') throw typeError('scope', 'fn', 'must be a function (scope) => result');
  const arrays: ArrayBufferView[] = [];
  let open = true;
  const scope: AllocScope = {
    alloc: <C extends AllocatableConstructor>(type: C, length: number): InstanceType<C> => {
      if (!open) throw typeError('alloc', 'scope', 'has ended; allocate within the scope function (or its promise)');
      const array = engine.alloc(type, length);
      arrays.push(array);
      return array;
    },
  };
  const end = (): void => {
    open = false;
    for (const array of arrays) if (engine.live(array)) engine.free(array);
  };
  let result: T;
  try {
    result = fn(scope);
  } catch (error) {
    end();
    throw error;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        end();
        return value;
      },
      (error: unknown) => {
        end();
        throw error;
      },
    ) as T;
  }
  end();
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
