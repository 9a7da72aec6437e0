// Issue 12's kernels keep the activation between kernel 1 and kernel 2 (e = e^−x for sigmoid, p for
// softmax over label maps) instead of computing it from the logits in each. Two rules of issue 14
// must hold wherever σ or p is derived that way, in SIMD bodies (8 and 4 voxels) and scalar tails,
// zero copy (the activation in a workspace block) and on plain arrays (streamed):
// - σ(x) is exactly 0 below the exp clamp (x < −87), so its slope e·σ·σ is 0 there too; at x = −87
//   itself σ = 1/(1 + e^87) ≈ 1.6458e−38 (by hand: e^−87 = 1.64581e−38), not 0.
// - a logit of ±∞ or NaN is refused (σ(±∞) and e^−∞ alone are finite), and `out` is left as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';

const N = 37; // 4 × 8 + 4 + 1: an 8-wide body, a 4-wide step and a scalar tail
const BELOW = Math.fround(-87 - 2 ** -17); // the float32 just below −87 (ulp of 87 is 2^−17)

const kernels = new Map<string, DiceKernel>();
beforeAll(async () => {
  for (const backend of ['simd', 'scalar'] as const) kernels.set(backend, await loadDice({ backend }));
});

/** Logits in (−3, 3), a target ~1/3 foreground, both deterministic. */
function base(n: number): { pred: Float32Array; target: Float32Array; labels: Uint8Array } {
  const pred = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 3);
  const target = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  return { pred, target, labels: Uint8Array.from(target) };
}

describe.each(['simd', 'scalar'] as const)('σ below the exp clamp, activation kept (%s)', (backend) => {
  const k = () => kernels.get(backend) as DiceKernel;
  // Positions in the 8-wide body (3, 17), the 4-wide step (33) and the tail (36).
  const positions = [3, 17, 33, 36];

  for (const zeroCopy of [true, false]) {
    const arrays = zeroCopy ? 'zero copy' : 'plain arrays';
    it(`gradient exactly 0 below −87, the float64 value at −87 (${arrays})`, async () => {
      const js = await loadDice({ backend: 'js' });
      const { pred, target, labels } = base(N);
      for (const [j, at] of positions.entries()) pred[at] = j % 2 === 0 ? BELOW : -87;
      pred[10] = -1e30;
      const put = <T extends Float32Array | Uint8Array>(a: T): T => {
        if (!zeroCopy) return a;
        const copy = k().alloc(a.constructor as never, a.length) as unknown as T;
        copy.set(a as never);
        return copy;
      };
      for (const [t, opts] of [
        [target, {}],
        [labels, {}],
        [labels, { shape: [1, 1, N] }],
      ] as const) {
        const p = put(pred);
        const y = put(t as Float32Array | Uint8Array);
        const got = k().diceLossWithGrad(p, y, { activation: 'sigmoid', ...opts });
        const ref = js.diceLossWithGrad(pred, t, { activation: 'sigmoid', ...opts });
        expect(got.loss).toBeCloseTo(ref.loss, 6);
        for (const [j, at] of positions.entries()) {
          if (j % 2 === 0)
            expect(got.grad[at] === 0).toBe(true); // +0 or −0
          else {
            // σ'(−87) ≈ 1.6458e−38 times ∂L/∂p: nonzero, the float64 reference's to float32 rounding
            // (a subnormal result keeps fewer digits: 1e−5 relative covers ≥ 17 significant bits).
            expect(got.grad[at]).not.toBe(0);
            expect(Math.abs(got.grad[at] - ref.grad[at])).toBeLessThan(1e-5 * Math.abs(ref.grad[at]));
          }
        }
        expect(got.grad[10] === 0).toBe(true);
        if (zeroCopy) {
          k().free(p);
          k().free(y);
        }
      }
    });
  }
});

describe.each(['simd', 'scalar'] as const)('a non-finite logit in the fused softmax (%s)', (backend) => {
  const k = () => kernels.get(backend) as DiceKernel;
  const C = 4;
  const nonFinite = /pred contains non-finite values \(NaN or ±Infinity\)/;

  it.each([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NaN])(
    'a logit of %d at body, step and tail positions is refused; out is left as it was',
    (bad) => {
      for (const zeroCopy of [true, false]) {
        for (const t of [5, 33, 36]) {
          for (const layout of ['NCHW', 'NHWC'] as const) {
            const { pred } = base(C * N);
            const labels = Uint8Array.from({ length: N }, (_, i) => i % C);
            pred[layout === 'NCHW' ? 2 * N + t : t * C + 2] = bad;
            const p = zeroCopy ? k().alloc(Float32Array, pred.length) : new Float32Array(pred.length);
            p.set(pred);
            const out = zeroCopy ? k().alloc(Float32Array, pred.length) : new Float32Array(pred.length);
            out.fill(7);
            const shape = layout === 'NCHW' ? [1, C, N] : [1, N, C];
            for (const call of [
              () => k().diceLoss(p, labels, { shape, layout, activation: 'softmax' }),
              () => k().diceLossWithGrad(p, labels, { shape, layout, activation: 'softmax', out }),
              () => k().diceCELossWithGrad(p, labels, { shape, layout, out }),
            ]) {
              expect(call).toThrow(nonFinite);
              expect(out.every((v) => v === 7)).toBe(true);
            }
            if (zeroCopy) {
              k().free(p);
              k().free(out);
            }
          }
        }
      }
      // Still usable: the same call without the bad logit.
      const { pred } = base(C * N);
      const labels = Uint8Array.from({ length: N }, (_, i) => i % C);
      expect(Number.isFinite(k().diceLoss(pred, labels, { shape: [1, C, N], activation: 'softmax' }))).toBe(true);
    },
  );
});
