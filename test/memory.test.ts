// Arrays in WebAssembly memory: zero-copy use, detachment after the memory grows (which must
// fail loudly), free, reserve, and flat memory over many calls.
import { describe, expect, it } from 'vitest';
import { loadDice } from '../src/index.js';
import { rng } from './support/random.js';

function binaryCase(n: number, seed: number): { pred: number[]; target: number[] } {
  const random = rng(seed);
  return {
    pred: Array.from({ length: n }, () => random()),
    target: Array.from({ length: n }, () => (random() < 0.3 ? 1 : 0)),
  };
}

describe.each(['simd', 'scalar'] as const)('WebAssembly memory (%s)', (backend) => {
  it('uses arrays from alloc in place and gives the same numbers as plain arrays', async () => {
    const k = await loadDice({ backend });
    const { pred, target } = binaryCase(1000, 1);
    k.reserve(64 * 1024);
    const p = k.alloc(Float32Array, 1000);
    const t = k.alloc(Uint8Array, 1000);
    const out = k.alloc(Float32Array, 1000);
    p.set(pred);
    t.set(target);
    const resident = k.diceLossWithGrad(p, t, { out });
    const plain = k.diceLossWithGrad(Float32Array.from(pred), Uint8Array.from(target));
    expect(resident.grad).toBe(out);
    expect(resident.loss).toBe(plain.loss);
    expect(Array.from(out)).toEqual(Array.from(plain.grad));
    // The gradient written in place is visible through the memory itself.
    expect(new Float32Array(k.memory!.buffer, out.byteOffset, 1000)[17]).toBe(plain.grad[17]);
  });

  it('accepts views into alloc blocks at any element offset', async () => {
    const k = await loadDice({ backend });
    const { pred, target } = binaryCase(515, 2);
    k.reserve(64 * 1024);
    const p = k.alloc(Float32Array, 520);
    const t = k.alloc(Float32Array, 520);
    p.set(pred, 3);
    t.set(target, 5);
    const viewP = p.subarray(3, 518);
    const viewT = t.subarray(5, 520);
    expect(k.diceLoss(viewP, viewT)).toBe(k.diceLoss(Float32Array.from(pred), Float32Array.from(target)));
  });

  it('throws, naming the argument, when an alloc array was detached by a memory grow', async () => {
    const k = await loadDice({ backend });
    const early = k.alloc(Float32Array, 16);
    const before = k.memory!.buffer;
    k.alloc(Float32Array, 4 << 20); // forces the memory to grow
    expect(k.memory!.buffer).not.toBe(before);
    expect(early.length).toBe(0); // detached: a non-shared memory's old views lose their storage
    expect(() => k.diceLoss(early, new Float32Array(16))).toThrow(TypeError);
    expect(() => k.diceLoss(early, new Float32Array(16))).toThrow(/diceLoss: pred was allocated with alloc\(\) before the WebAssembly memory grew/);
    expect(() => k.diceLossWithGrad(new Float32Array(16), new Float32Array(16), { out: early })).toThrow(/out was allocated/);
  });

  it('keeps alloc arrays attached when reserve sized the memory first', async () => {
    const k = await loadDice({ backend });
    k.reserve(3 * 4 * 200_000 + 1024 * 1024);
    const p = k.alloc(Float32Array, 200_000);
    const t = k.alloc(Float32Array, 200_000);
    const out = k.alloc(Float32Array, 200_000);
    p.fill(0.5);
    t.fill(1);
    const { loss } = k.diceLossWithGrad(p, t, { out });
    expect(loss).toBeCloseTo(1 - (200_000 + 1) / (300_000 + 1), 12);
    expect(p.length).toBe(200_000);
    expect(out[0]).not.toBe(0);
  });

  it('refuses a freed array and a view outside any alloc block', async () => {
    const k = await loadDice({ backend });
    k.reserve(1 << 20);
    const p = k.alloc(Float32Array, 8);
    k.free(p);
    expect(() => k.diceLoss(p, new Float32Array(8))).toThrow(/pred is a view of this kernel's memory outside any live block/);
    const stray = new Float32Array(k.memory!.buffer, 64 * 1024, 8);
    expect(() => k.diceLoss(new Float32Array(8), stray)).toThrow(/target is a view/);
    expect(() => k.free(new Float32Array(8))).toThrow(/free: array was not allocated/);
    expect(() => k.alloc(Float32Array, -1)).toThrow(RangeError);
    expect(() => k.alloc(Int16Array as never, 4)).toThrow(/alloc: type must be one of/);
  });

  it('reuses freed blocks: alloc/free cycles do not grow the memory', async () => {
    const k = await loadDice({ backend });
    k.reserve(8 << 20);
    const size = k.memory!.buffer.byteLength;
    for (let i = 0; i < 200; i++) {
      const a = k.alloc(Float32Array, 100_000 + i);
      const b = k.alloc(Uint8Array, 77 + i);
      k.free(a);
      k.free(b);
    }
    expect(k.memory!.buffer.byteLength).toBe(size);
  });

  it('keeps the memory flat over many calls with copied-in arrays', async () => {
    const k = await loadDice({ backend });
    const { pred, target } = binaryCase(4099, 3);
    const p = Float32Array.from(pred);
    const t = Float32Array.from(target);
    const labels = Uint8Array.from({ length: 4099 }, (_, i) => i % 3);
    const logits = Float32Array.from({ length: 3 * 4099 }, (_, i) => Math.cos(i));
    const run = () => {
      k.diceLossWithGrad(p, t);
      k.diceLoss(logits, labels, { shape: [1, 3, 4099], activation: 'softmax' });
    };
    for (let i = 0; i < 10; i++) run();
    const size = k.memory!.buffer.byteLength;
    for (let i = 0; i < 2000; i++) run();
    expect(k.memory!.buffer.byteLength).toBe(size);
  });
});

describe('the js backend', () => {
  it('has no WebAssembly memory and allocates plain typed arrays', async () => {
    const k = await loadDice({ backend: 'js' });
    expect(k.memory).toBeUndefined();
    const a = k.alloc(Float32Array, 5);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(5);
    expect(() => k.free(a)).not.toThrow();
    expect(() => k.alloc(Float32Array, 1.5)).toThrow(RangeError);
  });
});
