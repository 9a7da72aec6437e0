// The argsort behind the Lovász losses: the WebAssembly radix sort (both builds) and the
// TypeScript one of the JS backend against a comparator sort of the same keys, on every length
// 0..70 and some long ones, with ties, signed zeros, infinities and NaNs of both signs; and the
// module's Lovász exports and constants against src/core/constants.ts.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/core/constants.js';
import { argsortDescending } from '../../src/backends/js/argsort.js';
import { wasmBytes } from '../../src/runtime/binaries.js';
import { rng } from '../support/random.js';

const POSITIVE_NAN = 0x7fc00001;
const NEGATIVE_NAN = 0xffc00001;

/** Keys as raw float32 bits: values drawn from a small set (ties), plus ±0, ±Infinity and NaNs. */
function keyBits(n: number, seed: number): Uint32Array {
  const random = rng(seed);
  const bits = new Uint32Array(n);
  const floats = new Float32Array(bits.buffer);
  for (let i = 0; i < n; i++) {
    const u = random();
    if (u < 0.03) bits[i] = POSITIVE_NAN;
    else if (u < 0.06) bits[i] = NEGATIVE_NAN;
    else if (u < 0.1) floats[i] = -0;
    else if (u < 0.14) floats[i] = 0;
    else if (u < 0.17) floats[i] = random() < 0.5 ? Infinity : -Infinity;
    else if (u < 0.5) floats[i] = Math.floor(random() * 8) / 4 - 1;
    else floats[i] = 4 * random() - 2;
  }
  return bits;
}

/**
 * The order the sort promises, by a comparator: NaNs with the sign bit clear first, then values
 * descending (+0 before −0), NaNs with the sign bit set last; equal keys by index.
 */
function expectedOrder(bits: Uint32Array): number[] {
  const floats = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  const group = (i: number): number => (Number.isNaN(floats[i]) ? (bits[i] >>> 31 === 0 ? 0 : 2) : 1);
  const negativeZero = (i: number): number => (Object.is(floats[i], -0) ? 1 : 0);
  const byValue = (a: number, b: number): number =>
    floats[a] === floats[b] ? negativeZero(a) - negativeZero(b) : floats[b] > floats[a] ? 1 : -1;
  return Array.from(bits, (_, i) => i).sort(
    (a, b) => group(a) - group(b) || (group(a) === 1 ? byValue(a, b) : 0) || a - b,
  );
}

describe.each(['simd', 'scalar'] as const)('argsortDesc_f32 of the %s build', (flavor) => {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(flavor)), {}).exports;
  const memory = exports.memory as WebAssembly.Memory;
  const argsort = exports.argsortDesc_f32 as (pairs: number, n: number, work: number) => void;
  const workBytes = exports.argsortWorkBytes as (n: number) => number;
  const base = ((exports.heapBase as () => number)() + 63) & ~63;

  /** Sorts (payload i, key) pairs in the module's memory; returns the payloads and key bits in sorted order. */
  function sortInWasm(bits: Uint32Array): { payload: number[]; keys: number[] } {
    const n = bits.length;
    const needed = base + 8 * n + workBytes(n);
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
    const words = new Uint32Array(memory.buffer, base, 2 * n);
    bits.forEach((b, i) => {
      words[2 * i] = i;
      words[2 * i + 1] = b;
    });
    argsort(base, n, base + 8 * n);
    const sorted = new Uint32Array(memory.buffer, base, 2 * n);
    return {
      payload: Array.from({ length: n }, (_, i) => sorted[2 * i]),
      keys: Array.from({ length: n }, (_, i) => sorted[2 * i + 1]),
    };
  }

  it('sorts every length 0..70 and some long ones like the comparator, carrying payloads and exact key bits', () => {
    for (const n of [...Array.from({ length: 71 }, (_, n) => n), 255, 256, 1000, 4097, 30_000]) {
      const bits = keyBits(n, 11 + n);
      const order = expectedOrder(bits);
      const { payload, keys } = sortInWasm(bits);
      expect(payload, `n = ${n}`).toEqual(order);
      expect(keys).toEqual(order.map((i) => bits[i]));
    }
  });

  it('keeps the order of keys that share every byte or all but one (skipped passes)', () => {
    const same = new Uint32Array(new Float32Array(9).fill(0.75).buffer);
    expect(sortInWasm(same).payload).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const near = new Uint32Array(new Float32Array([1, 1, 1, 1]).buffer).map((b, i) => b + (i % 2));
    expect(sortInWasm(near).payload).toEqual([1, 3, 0, 2]);
  });
});

describe('argsortDescending (TypeScript, the JS backend)', () => {
  it('gives the comparator order on every length 0..70 and some long ones', () => {
    for (const n of [...Array.from({ length: 71 }, (_, n) => n), 1000, 30_000]) {
      const bits = keyBits(n, 11 + n);
      expect(Array.from(argsortDescending(new Float32Array(bits.buffer))), `n = ${n}`).toEqual(expectedOrder(bits));
    }
  });

  it('reads a view at an offset', () => {
    const keys = new Float32Array([9, 0.5, 2, 2, -1]).subarray(1);
    expect(Array.from(argsortDescending(keys))).toEqual([1, 2, 0, 3]);
  });
});

describe.each(['simd', 'scalar'] as const)('the Lovász exports of the %s build', (flavor) => {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(flavor)), {}).exports;

  it('exports the list record slots that src/core/constants.ts uses', () => {
    const constant = (name: string) => (exports[name] as WebAssembly.Global).value as number;
    expect([
      constant('LIST_KEYS'),
      constant('LIST_FOREGROUND'),
      constant('LIST_OTHER'),
      constant('LIST_STRIDE'),
    ]).toEqual([abi.LIST_KEYS, abi.LIST_FOREGROUND, abi.LIST_OTHER, abi.LIST_STRIDE]);
  });

  it('exports every kernel with its positional arity', () => {
    const kernels: Record<string, number> = {
      argsortDesc_f32: 3,
      argsortWorkBytes: 1,
      lovaszHingeErrors_f32: 8,
      lovaszHingeErrors_u8: 8,
      lovaszHingeErrors_u16: 8,
      lovaszHingeErrors_i32: 8,
      lovaszLabelErrors_u8: 10,
      lovaszLabelErrors_u16: 10,
      lovaszLabelErrors_i32: 10,
      lovaszDenseErrors_f32: 7,
      lovaszDenseErrors_u8: 7,
      lovaszWalk: 4,
      lovaszProbabilities: 8,
      lovaszBackward: 10,
    };
    for (const [name, arity] of Object.entries(kernels)) {
      expect(typeof exports[name], name).toBe('function');
      expect((exports[name] as (...a: unknown[]) => unknown).length, name).toBe(arity);
    }
  });
});
