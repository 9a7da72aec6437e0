// The pointwise losses of reduction 'none' (kernel 3) through the paths of issue 5: plain arrays
// streamed through a staging area of a few KiB (chunks inside a sample, per-voxel cross-entropy
// output staged like a label row), arrays from alloc used in place, and the thread pool — each must
// give exactly the values of a kernel with everything in place, which test/losses/pointwise-none.test.ts
// checks against hand derivations and a float64 reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDicePool, loadDice, type DiceKernel, type DicePool } from '../../src/index.js';
import { rng } from '../support/random.js';

type Kind = 'bce' | 'focal' | 'crossEntropy';
interface Case {
  kind: Kind;
  shape: number[];
  layout: 'NCHW' | 'NHWC';
  labels: boolean;
  ignore: boolean;
}

const CASES: Case[] = [
  { kind: 'crossEntropy', shape: [2, 3, 37, 29], layout: 'NCHW', labels: true, ignore: true },
  { kind: 'crossEntropy', shape: [1, 1001, 4], layout: 'NHWC', labels: true, ignore: false },
  { kind: 'crossEntropy', shape: [3, 2, 517], layout: 'NCHW', labels: false, ignore: false },
  { kind: 'bce', shape: [2, 2, 613], layout: 'NCHW', labels: false, ignore: false },
  { kind: 'focal', shape: [2, 3, 41, 13], layout: 'NCHW', labels: true, ignore: false },
  { kind: 'focal', shape: [1, 1, 4099], layout: 'NCHW', labels: false, ignore: false },
];

let inPlace: DiceKernel, streamed: DiceKernel, pool: DicePool;
beforeAll(async () => {
  inPlace = await loadDice();
  streamed = await loadDice({ stagingBytes: 4096 });
  pool = await createDicePool({ threads: 2, parallelThreshold: 0 });
});
afterAll(() => pool.terminate());

/** Samples, classes (axis 1, or last for NHWC) and voxels per sample. */
function dims(c: Case): { B: number; C: number; S: number } {
  const C = c.layout === 'NHWC' ? c.shape[c.shape.length - 1] : c.shape[1];
  return { B: c.shape[0], C, S: c.shape.reduce((a, d) => a * d, 1) / c.shape[0] / C };
}

function inputs(c: Case, seed: number) {
  const random = rng(seed);
  const { B, C, S } = dims(c);
  const pred = Float32Array.from({ length: B * C * S }, () => 6 * random() - 3);
  const target = c.labels
    ? Uint8Array.from({ length: B * S }, () => (c.ignore && random() < 0.1 ? 255 : Math.floor(random() * C)))
    : Float32Array.from({ length: B * C * S }, () => (random() < 0.4 ? 1 : 0));
  const options = {
    shape: c.shape,
    layout: c.layout,
    reduction: 'none' as const,
    ...(c.labels ? { target: 'labels' as const } : {}),
    ...(c.ignore ? { ignoreIndex: 255 } : {}),
    ...(c.kind === 'focal'
      ? { gamma: 2, activation: (c.labels ? 'softmax' : 'sigmoid') as 'softmax' | 'sigmoid' }
      : {}),
  };
  return { pred, target, options };
}

function call(
  k: DiceKernel,
  kind: Kind,
  pred: Float32Array,
  target: Float32Array | Uint8Array,
  options: object,
): Float32Array {
  return (k[`${kind}Loss`] as (p: Float32Array, t: Float32Array | Uint8Array, o: object) => Float32Array)(
    pred,
    target,
    options,
  );
}

describe("reduction 'none' streamed, in place and on the pool", () => {
  it.each(CASES.map((c, i) => [i, c] as const))('case %i: %o', async (i, c) => {
    const { pred, target, options } = inputs(c, 0x5eed + i);
    const reference = call(inPlace, c.kind, pred, target, options);
    expect(reference.length).toBe(c.kind === 'crossEntropy' ? pred.length / dims(c).C : pred.length);

    // Plain arrays through a 4 KiB staging area: every sample in several chunks.
    expect(Array.from(call(streamed, c.kind, pred, target, options))).toEqual(Array.from(reference));

    // Arrays from alloc, out too (written in place).
    const p = streamed.alloc(Float32Array, pred.length),
      out = streamed.alloc(Float32Array, reference.length);
    p.set(pred);
    out.fill(-7);
    expect(call(streamed, c.kind, p, target, { ...options, out })).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(reference));
    streamed.free(p);
    streamed.free(out);

    // The pool (runs these on its calling thread).
    const pooled = await (
      pool[`${c.kind}Loss`] as unknown as (
        p: Float32Array,
        t: Float32Array | Uint8Array,
        o: object,
      ) => Promise<Float32Array>
    )(pred, target, options);
    expect(Array.from(pooled)).toEqual(Array.from(reference));
    const loss = pool.createLoss({ loss: c.kind, ...options });
    expect(Array.from((await loss.value(pred, target)) as Float32Array)).toEqual(Array.from(reference));
  });
});
