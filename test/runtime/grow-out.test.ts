// D4 (issue 14): a gradient is never silently lost. With a memory that is not shared (a browser
// page without cross-origin isolation), growing the memory detaches every earlier view: an `out`
// from alloc() that a call's growth detaches is refused before anything is computed (TypeError
// naming out), never returned as an empty array; with the memory reserved up front the gradient
// lands in `out`, equal to the TypeScript reference's.
import { describe, expect, it } from 'vitest';
import { loadDice } from '../../src/index.js';
import { expectWorkedExample, thrownBy } from '../support/worked.js';

const n = 1 << 20;
const shape = [1, 4, n];
const pred = new Float32Array(4 * n).map((_, i) => Math.sin(i) * 2);
const labels = Uint8Array.from({ length: n }, (_, i) => i % 4);

describe.each(['simd', 'scalar'] as const)('out from alloc() and a memory that is not shared (%s)', (backend) => {
  it("d04's case: the call that grows the memory refuses the detached out, naming it", async () => {
    const k = await loadDice({ backend, sharedMemory: false });
    const out = k.alloc(Float32Array, 4 * n);
    const before = k.memory?.buffer;
    const thrown = thrownBy(() => k.diceCELossWithGrad(pred, labels, { shape, out }));
    // The call needed more memory than alloc had left: it grew, which detached out.
    expect(k.memory?.buffer).not.toBe(before);
    expect(out.length).toBe(0);
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown.message).toMatch(
      /^diceCELossWithGrad: out was detached by this call: it needed more WebAssembly memory/,
    );
    // A new out (the memory has grown now) takes the gradient.
    const again = k.alloc(Float32Array, 4 * n);
    const { grad } = k.diceCELossWithGrad(pred, labels, { shape, out: again });
    expect(grad).toBe(again);
    expect(grad.length).toBe(4 * n);
    expectWorkedExample(k);
  });

  // Lovász, pointwise and overlap losses.
  it('whatever a call does to the memory, the gradient is in out or the call throws', async () => {
    const js = await loadDice({ backend: 'js' });
    const calls = [
      (k: typeof js, out: Float32Array) => k.lovaszSoftmaxLossWithGrad(pred, labels, { shape, out }),
      (k: typeof js, out: Float32Array) =>
        k.crossEntropyLoss(pred, labels, { shape, reduction: 'none', out: out.subarray(0, n) }),
      (k: typeof js, out: Float32Array) => k.diceLossWithGrad(pred, labels, { shape, activation: 'softmax', out }),
    ];
    for (const call of calls) {
      const k = await loadDice({ backend, sharedMemory: false });
      const out = k.alloc(Float32Array, 4 * n);
      let result: unknown;
      try {
        result = call(k as typeof js, out);
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(/out was detached by this call/);
        continue;
      }
      // No growth (or none that detached out): the values are in out itself.
      expect(out.length).toBe(4 * n);
      const reference = call(js, new Float32Array(4 * n)) as { grad?: Float32Array } | Float32Array;
      const mine = result as { grad?: Float32Array } | Float32Array;
      const [a, b] = [mine, reference].map((r) => (r instanceof Float32Array ? r : (r.grad as Float32Array)));
      for (let i = 0; i < a.length; i += 997) expect(a[i]).toBeCloseTo(b[i], 5);
    }
  });

  it('with reserve() up front nothing detaches and the gradient is the reference one', async () => {
    const k = await loadDice({ backend, sharedMemory: false });
    k.reserve(64 << 20);
    const out = k.alloc(Float32Array, 4 * n);
    const { loss, grad } = k.diceCELossWithGrad(pred, labels, { shape, out });
    expect(grad).toBe(out);
    expect(out.length).toBe(4 * n);
    const js = await loadDice({ backend: 'js' });
    const reference = js.diceCELossWithGrad(pred, labels, { shape });
    expect(loss).toBeCloseTo(reference.loss, 5);
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - reference.grad[i]));
    expect(worst).toBeLessThan(1e-6);
  });
});
