// The Lovász losses and WebAssembly memory: arrays from alloc are used in place (the gradient
// lands in an alloc'd out), give the same numbers as plain arrays, and repeated calls keep the
// memory flat (the work areas are reused, the copies freed).
import { describe, expect, it } from 'vitest';
import { loadDice } from '../../src/index.js';
import { rng } from '../support/random.js';

describe.each(['simd', 'scalar'] as const)('Lovász losses in WebAssembly memory (%s)', (backend) => {
  const random = rng(5);
  const shape = [2, 4, 300];
  const logits = Float32Array.from({ length: 2400 }, () => 6 * random() - 3);
  const labels = Uint8Array.from({ length: 600 }, () => Math.floor(random() * 4));

  it('uses alloc arrays in place and agrees with plain arrays', async () => {
    const k = await loadDice({ backend });
    k.reserve(1 << 20);
    const p = k.alloc(Float32Array, 2400);
    const t = k.alloc(Uint8Array, 600);
    const out = k.alloc(Float32Array, 2400);
    p.set(logits);
    t.set(labels);
    const resident = k.lovaszSoftmaxLossWithGrad(p, t, { shape, out });
    const plain = k.lovaszSoftmaxLossWithGrad(logits, labels, { shape });
    expect(resident.grad).toBe(out);
    expect(resident.loss).toBe(plain.loss);
    expect(Array.from(out)).toEqual(Array.from(plain.grad));
    const mask = k.alloc(Uint8Array, 2400);
    mask.forEach((_, i) => {
      mask[i] = labels[i % 600] === 1 ? 1 : 0;
    });
    const hinge = k.lovaszHingeLossWithGrad(p, mask, { shape: [2, 1200], out });
    expect(hinge.loss).toBe(k.lovaszHingeLoss(logits, Uint8Array.from(mask), { shape: [2, 1200] }));
  });

  it('keeps the memory flat over many calls with copied-in arrays', async () => {
    const k = await loadDice({ backend });
    const out = new Float32Array(2400);
    const mix = (i: number) => {
      const last = i % 2 === 0;
      k.lovaszSoftmaxLossWithGrad(logits, labels, {
        shape: last ? [2, 300, 4] : shape,
        layout: last ? 'NHWC' : 'NCHW',
        perImage: i % 3 === 0,
        out,
      });
      k.lovaszHingeLossWithGrad(logits, new Float32Array(2400), { shape: [2, 1200], out });
    };
    // The baseline after every kind of call in the mix has run once (each sizes its workspace).
    for (let i = 0; i < 6; i++) mix(i);
    const size = k.memory!.buffer.byteLength;
    for (let i = 0; i < 300; i++) mix(i);
    expect(k.memory!.buffer.byteLength).toBe(size);
  });
});
