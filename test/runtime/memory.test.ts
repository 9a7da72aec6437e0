// Arrays in WebAssembly memory: zero-copy use; across memory growth they stay valid (shared
// memory, the default in Node) or fail loudly (the non-shared memory of pages that are not
// cross-origin isolated); free, scope, reserve; and flat memory (WebAssembly and JS heap) over
// many calls.
import { describe, expect, it } from 'vitest';
import { loadDice, loadDiceSync, type DiceKernel } from '../../src/index.js';
import { heapGrowth } from '../support/heap.js';

/** Heap growth allowed over 3400 runs of three calls (a leak of 26 bytes per call exceeds it). */
const LEAK_LIMIT = 256 * 1024;
import { rng } from '../support/random.js';

function binaryCase(n: number, seed: number): { pred: number[]; target: number[] } {
  const random = rng(seed);
  return {
    pred: Array.from({ length: n }, () => random()),
    target: Array.from({ length: n }, () => (random() < 0.3 ? 1 : 0)),
  };
}

const MEMORIES = [
  ['simd', true],
  ['simd', false],
  ['scalar', true],
  ['scalar', false],
] as const;

describe.each(MEMORIES)('WebAssembly memory (%s, shared %s)', (backend, sharedMemory) => {
  const load = () => loadDice({ backend, sharedMemory });

  it('is shared or not as asked, shared by default in Node', async () => {
    const k = await load();
    expect(k.memory!.buffer instanceof SharedArrayBuffer).toBe(sharedMemory);
    expect((await loadDice({ backend })).memory!.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('uses arrays from alloc in place and gives the same numbers as plain arrays', async () => {
    const k = await load();
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
    const k = await load();
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

  it('keeps alloc arrays attached when reserve sized the memory first', async () => {
    const k = await load();
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

  it('refuses a freed array, a view outside any alloc block and a double free', async () => {
    const k = await load();
    k.reserve(1 << 20);
    const p = k.alloc(Float32Array, 8);
    k.free(p);
    expect(() => k.diceLoss(p, new Float32Array(8))).toThrow(
      /diceLoss: pred was freed \(by free\(\) or at the end of its scope\)/,
    );
    // Its block is reused by the next alloc: the freed array would silently read the new one's values.
    const q = k.alloc(Float32Array, 8);
    expect(q.byteOffset).toBe(p.byteOffset);
    expect(() => k.diceLossWithGrad(new Float32Array(8), new Float32Array(8), { out: p })).toThrow(/out was freed/);
    const stray = new Float32Array(k.memory!.buffer, 64 * 1024 - 256, 8);
    expect(() => k.diceLoss(new Float32Array(8), stray)).toThrow(
      /target is a view of this kernel's memory outside any live block/,
    );
    expect(() => k.free(p)).toThrow(/free: array was not allocated by this kernel's alloc\(\), or was freed already/);
    expect(() => k.free(new Float32Array(8))).toThrow(/free: array was not allocated/);
    expect(() => k.alloc(Float32Array, -1)).toThrow(RangeError);
    expect(() => k.alloc(Int16Array as never, 4)).toThrow(/alloc: type must be one of/);
  });

  it('reuses freed blocks: alloc/free cycles do not grow the memory', async () => {
    const k = await load();
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

  it('frees what a scope allocated when it returns, throws, or its promise settles', async () => {
    const k = await load();
    k.reserve(1 << 20);
    const kept: Float32Array[] = [];
    const loss = k.scope((scope) => {
      const p = scope.alloc(Float32Array, 4).fill(0.5);
      const t = scope.alloc(Float32Array, 4).fill(1);
      const early = scope.alloc(Uint8Array, 3);
      k.free(early); // freed by hand inside: the scope skips it
      kept.push(p);
      return k.diceLoss(p, t);
    });
    expect(loss).toBeCloseTo(1 - 5 / 7, 12);
    expect(() => k.diceLoss(kept[0], new Float32Array(4))).toThrow(/pred was freed/);
    expect(() =>
      k.scope(() => {
        kept.push(k.scope((s) => s.alloc(Float32Array, 2)));
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(() => k.free(kept[1])).toThrow(/was freed already/);
    const settled = await k.scope(async (scope) => {
      const a = scope.alloc(Float32Array, 4);
      await Promise.resolve();
      kept.push(a.fill(1)); // still allocated after an await
      return k.diceLoss(a, a);
    });
    expect(settled).toBe(0);
    expect(() => k.diceLoss(kept[2], kept[2])).toThrow(/pred was freed/);
    const ended = await k.scope(async (scope) => scope);
    expect(() => ended.alloc(Float32Array, 1)).toThrow(/alloc: scope has ended/);
    expect(() => (k.scope as (fn: unknown) => void)(42)).toThrow(/scope: fn must be a function/);
  });

  // The same code path on either build: the memory's kind is what matters here, so it is defined
  // for the SIMD build only (not skipped on the scalar one).
  if (backend === 'simd')
    it('keeps the memory flat over many calls with copied-in and scoped arrays (WebAssembly and JS heap)', async () => {
      const k = await load();
      const { pred, target } = binaryCase(1031, 3);
      const p = Float32Array.from(pred);
      const t = Float32Array.from(target);
      const labels = Uint8Array.from({ length: 1031 }, (_, i) => i % 3);
      const logits = Float32Array.from({ length: 3 * 1031 }, (_, i) => Math.cos(i));
      const out = new Float32Array(3 * 1031);
      const run = () => {
        k.diceLossWithGrad(p, t);
        k.diceLoss(logits, labels, { shape: [1, 3, 1031], activation: 'softmax' });
        k.scope((scope) => {
          const x = scope.alloc(Float32Array, logits.length);
          x.set(logits);
          k.diceCELossWithGrad(x, labels, { shape: [1, 3, 1031], out });
        });
      };
      for (let i = 0; i < 1000; i++) run();
      const size = k.memory!.buffer.byteLength;
      // 10 200 calls: a leak of one small object (≥ 26 bytes) per call would show in every measurement.
      const growths = await heapGrowth(run, 3400, LEAK_LIMIT);
      expect(Math.min(...growths), `heap growth over 3400 runs, each measurement: ${growths}`).toBeLessThan(LEAK_LIMIT);
      expect(k.memory!.buffer.byteLength).toBe(size);
    });
});

describe('the leak check (test/support/heap.ts)', () => {
  it('fails a run that keeps one small object per call, measurement after measurement', async () => {
    const kept: object[] = [];
    const leaky = () => {
      for (let call = 0; call < 3; call++) kept.push({ call, a: 1, b: 2, c: 3 });
    };
    const growths = await heapGrowth(leaky, 3400, LEAK_LIMIT, { attempts: 3 });
    expect(growths.length).toBe(3);
    for (const growth of growths) expect(growth).toBeGreaterThanOrEqual(LEAK_LIMIT);
    expect(kept.length).toBe(3 * 3 * 3400);
  });

  it('passes a run that keeps nothing', async () => {
    const growths = await heapGrowth(() => ({ call: 1, a: 1, b: 2, c: 3 }), 3400, LEAK_LIMIT);
    expect(Math.min(...growths)).toBeLessThan(LEAK_LIMIT);
  });
});

describe('memory growth', () => {
  it('shared: alloc arrays stay valid and in place after the memory grows (many times)', async () => {
    const k = await loadDice();
    const early = k.alloc(Float32Array, 16).fill(0.25);
    const target = k.alloc(Float32Array, 16).fill(1);
    const before = k.memory!.buffer;
    const grown: Float32Array[] = [];
    for (let i = 0; i < 4; i++) grown.push(k.alloc(Float32Array, 4 << 20)); // grows each time
    expect(k.memory!.buffer).not.toBe(before);
    expect(k.memory!.buffer.byteLength).toBeGreaterThan((4 * 16) << 20);
    expect(early.length).toBe(16);
    expect(early.buffer).toBe(before); // an earlier buffer object of the same memory
    const out = k.alloc(Float32Array, 16);
    const { loss, grad } = k.diceLossWithGrad(early, target, { out });
    expect(grad).toBe(out);
    expect(loss).toBeCloseTo(1 - (2 * 4 + 1) / (4 + 16 + 1), 12);
    // In place: the kernel's writes through the newest buffer show in views of the oldest.
    new Float32Array(k.memory!.buffer, early.byteOffset, 16)[3] = 0.75;
    expect(early[3]).toBe(0.75);
    grown[0][7] = 3;
    expect(new Float32Array(k.memory!.buffer, grown[0].byteOffset, 8)[7]).toBe(3);
    // A gradient into an alloc array that overlaps pred is refused across buffer objects too.
    const overlap = new Float32Array(k.memory!.buffer, early.byteOffset, 16);
    expect(() => k.diceLossWithGrad(early, target, { out: overlap })).toThrow(/out overlaps pred/);
  });

  // Another kernel's arrays are taken as plain ones.
  it("shared: alloc arrays stay valid when another kernel's memory grows", async () => {
    // V8 gives every shared memory of the thread a new buffer object when any of them grows.
    const k = await loadDice();
    const other = await loadDice();
    const { pred, target } = binaryCase(4096, 4);
    k.reserve(1 << 20);
    const expected = k.diceLossWithGrad(Float32Array.from(pred), Float32Array.from(target));
    const p = k.alloc(Float32Array, 4096);
    const t = k.alloc(Float32Array, 4096);
    const out = k.alloc(Float32Array, 4096);
    p.set(pred);
    t.set(target);
    const before = k.memory!.buffer;
    expect(p.buffer).toBe(before); // k's memory has not grown since
    other.reserve(64 << 20);
    other.alloc(Float32Array, 8 << 20);
    expect(k.memory!.buffer).not.toBe(before);
    const after = k.diceLossWithGrad(p, t, { out });
    expect(after.grad).toBe(out);
    expect(after.loss).toBe(expected.loss);
    expect(Array.from(out)).toEqual(Array.from(expected.grad));
    // The other kernel's arrays live in another memory: copied in, never read at their offset in k's.
    const foreign = other.alloc(Float32Array, 4096);
    foreign.set(pred);
    expect(k.diceLoss(foreign, t)).toBe(expected.loss);
    expect(() => k.free(foreign)).toThrow(/was not allocated by this kernel's alloc/);
  });

  it('non-shared: an alloc array detached by a grow throws, naming the argument', async () => {
    const k = await loadDice({ sharedMemory: false });
    const early = k.alloc(Float32Array, 16);
    const before = k.memory!.buffer;
    k.alloc(Float32Array, 4 << 20); // forces the memory to grow
    expect(k.memory!.buffer).not.toBe(before);
    expect(early.length).toBe(0); // detached: a non-shared memory's old views lose their storage
    expect(() => k.diceLoss(early, new Float32Array(16))).toThrow(TypeError);
    expect(() => k.diceLoss(early, new Float32Array(16))).toThrow(
      /diceLoss: pred was allocated with alloc\(\) before the WebAssembly memory grew/,
    );
    expect(() => k.diceLossWithGrad(new Float32Array(16), new Float32Array(16), { out: early })).toThrow(
      /out was allocated/,
    );
  });

  it('refuses memory options that do not apply', async () => {
    await expect(loadDice({ backend: 'js', sharedMemory: true })).rejects.toThrow(
      /loadDice: sharedMemory applies to the WebAssembly backends/,
    );
    expect(() => loadDiceSyncWith({ stagingBytes: 0 })).toThrow(
      /loadDiceSync: stagingBytes must be a positive integer/,
    );
    expect(() => loadDiceSyncWith({ sharedMemory: 'yes' })).toThrow(/loadDiceSync: sharedMemory must be a boolean/);
  });
});

function loadDiceSyncWith(options: Record<string, unknown>): DiceKernel {
  return loadDiceSync(options as never);
}

describe('the js backend', () => {
  it('has no WebAssembly memory and allocates plain typed arrays', async () => {
    const k = await loadDice({ backend: 'js' });
    expect(k.memory).toBeUndefined();
    const a = k.alloc(Float32Array, 5);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(5);
    expect(() => k.free(a)).not.toThrow();
    expect(() => k.alloc(Float32Array, 1.5)).toThrow(RangeError);
    expect(k.scope((scope) => scope.alloc(Float32Array, 3).length)).toBe(3);
  });
});
