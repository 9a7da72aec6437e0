// D17 (issue 14): one error contract on every backend. A Proxy of a typed array is named as such
// (not V8's own error, which names nothing); the TypeScript backend's alloc/free refuse what the
// WebAssembly ones refuse (a type that is not allocatable, null, a double free, a freed array);
// class weights are numbers, as every other numeric option; and a non-finite logit is refused
// under sigmoid and softmax too (σ(±∞) and e^−∞ are finite, so the sums alone did not show it),
// except where the voxel does not count (mask 0, ignoreIndex).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { BACKENDS, WORKED_PRED, WORKED_TARGET, expectWorkedExample, thrownBy } from '../support/worked.js';

const kernels = new Map<string, DiceKernel>();
beforeAll(async () => {
  for (const backend of BACKENDS) kernels.set(backend, await loadDice({ backend }));
});

function expectRefused(
  k: DiceKernel,
  call: () => unknown,
  error: typeof RangeError | typeof TypeError,
  pattern: RegExp,
) {
  const thrown = thrownBy(call);
  expect(thrown).toBeInstanceOf(error);
  expect(thrown.message).toMatch(pattern);
  expectWorkedExample(k);
}

const labels = Uint8Array.of(0, 1, 2);
const logits = Float32Array.from([0.4, 0.1, 0.8, 0.2, 0.4, 0.1, 0.9, 0.7, 0.5]);

describe.each(BACKENDS)('one error contract (%s)', (backend) => {
  const k = () => kernels.get(backend) as DiceKernel;

  it('a Proxy (or a fake) of a typed array is named, for every kind of call', () => {
    const proxy = new Proxy(new Float32Array(WORKED_PRED), {});
    const fake = Object.setPrototypeOf({ length: 9 }, Float32Array.prototype) as Float32Array;
    const revoked = Proxy.revocable(new Float32Array(9), {});
    revoked.revoke();
    const message = /is not a typed array itself \(a Proxy of one, or an object with a typed array as prototype\)/;
    for (const bad of [proxy, fake, revoked.proxy]) {
      expectRefused(
        k(),
        () => k().diceLoss(bad, WORKED_TARGET),
        TypeError,
        new RegExp(`^diceLoss: pred ${message.source}`),
      );
      expectRefused(
        k(),
        () => k().diceLoss(WORKED_PRED, bad),
        TypeError,
        /^diceLoss: target is not a typed array itself/,
      );
      // Options are read first (core/options.ts): a revoked Proxy is named there.
      const option = bad === revoked.proxy ? 'is a revoked Proxy' : 'is not a typed array itself';
      expectRefused(
        k(),
        () => k().diceLossWithGrad(WORKED_PRED, WORKED_TARGET, { out: bad }),
        TypeError,
        new RegExp(`^diceLossWithGrad: out ${option}`),
      );
      expectRefused(
        k(),
        () => k().diceLoss(WORKED_PRED, WORKED_TARGET, { mask: bad }),
        TypeError,
        new RegExp(`^diceLoss: mask ${option}`),
      );
      expectRefused(
        k(),
        () => k().metrics(bad, labels, { numClasses: 3, metrics: ['dice'] }),
        TypeError,
        /^metrics: pred is not a typed array itself/,
      );
      expectRefused(
        k(),
        () => k().lovaszHingeLoss(bad, WORKED_TARGET),
        TypeError,
        /^lovaszHingeLoss: pred is not a typed array itself/,
      );
    }
  });

  it('alloc and free refuse what every backend refuses', () => {
    expectRefused(
      k(),
      () => k().alloc(Array as never, 4),
      TypeError,
      new RegExp(
        '^alloc: type must be one of Float32Array, Float64Array, Uint8Array, Uint16Array, Int32Array, ' +
          'Uint32Array; got a function \\(Array\\)$',
      ),
    );
    expectRefused(k(), () => k().alloc(BigInt64Array as never, 4), TypeError, /^alloc: type must be one of/);
    expectRefused(
      k(),
      () => k().free(null as never),
      TypeError,
      /^free: array was not allocated by this kernel's alloc\(\), or was freed already$/,
    );
    expectRefused(k(), () => k().free(new Float32Array(4)), TypeError, /^free: array was not allocated/);
    const a = k().alloc(Float32Array, 9);
    k().free(a);
    expectRefused(
      k(),
      () => k().free(a),
      TypeError,
      /^free: array was not allocated by this kernel's alloc\(\), or was freed already$/,
    );
    expectRefused(
      k(),
      () => k().diceLoss(a, WORKED_TARGET),
      TypeError,
      /^diceLoss: pred was freed \(by free\(\) or at the end of its scope\)/,
    );
    expectRefused(k(), () => k().diceLoss(a.subarray(0, 9), WORKED_TARGET), TypeError, /^diceLoss: pred .*freed/);
    // A scope frees what it allocated, on the TypeScript backend too.
    const kept = k().scope((scope) => scope.alloc(Float32Array, 9));
    expectRefused(k(), () => k().diceLoss(kept.fill(0.5), WORKED_TARGET), TypeError, /^diceLoss: pred was freed/);
  });

  it('class weights are numbers, not strings (as smooth)', () => {
    const base = { shape: [1, 3, 3], activation: 'softmax' as const };
    expectRefused(
      k(),
      () => k().diceLoss(logits, labels, { ...base, weight: ['1', '1', '1'] as never }),
      RangeError,
      /^diceLoss: weight\[0\] must be a finite number ≥ 0; got string '1'$/,
    );
    expectRefused(
      k(),
      () => k().diceLoss(logits, labels, { ...base, weight: [1, 1n, 1] as never }),
      RangeError,
      /^diceLoss: weight\[1\] must be a finite number ≥ 0/,
    );
    expectRefused(
      k(),
      () => k().diceLoss(logits, labels, { ...base, smooth: '1' as never }),
      RangeError,
      /^diceLoss: smooth must be a finite number ≥ 0; got string '1'$/,
    );
    expect(k().diceLoss(logits, labels, { ...base, weight: Float32Array.of(1, 1, 1) })).toBe(
      k().diceLoss(logits, labels, base),
    );
  });

  it.each([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NaN])(
    'a logit of %d is refused under sigmoid and softmax',
    (bad) => {
      const p = new Float32Array(WORKED_PRED);
      p[4] = bad;
      const nonFinite = /pred contains non-finite values \(NaN or ±Infinity\)/;
      expectRefused(k(), () => k().diceLoss(p, WORKED_TARGET, { activation: 'sigmoid' }), RangeError, nonFinite);
      expectRefused(
        k(),
        () => k().diceLossWithGrad(p, WORKED_TARGET, { activation: 'sigmoid' }),
        RangeError,
        nonFinite,
      );
      expectRefused(
        k(),
        () => k().diceLoss(p, labels, { shape: [1, 3, 3], activation: 'softmax' }),
        RangeError,
        nonFinite,
      );
      expectRefused(
        k(),
        () => k().diceLoss(p, labels, { shape: [1, 3, 3], layout: 'NHWC', activation: 'softmax' }),
        RangeError,
        nonFinite,
      );
      expectRefused(k(), () => k().bceLoss(p, WORKED_TARGET), RangeError, nonFinite);
      expectRefused(k(), () => k().focalLoss(p, WORKED_TARGET, { reduction: 'none' }), RangeError, nonFinite);
      expectRefused(k(), () => k().crossEntropyLoss(p, labels, { shape: [1, 3, 3] }), RangeError, nonFinite);
      expectRefused(k(), () => k().diceCELossWithGrad(p, labels, { shape: [1, 3, 3] }), RangeError, nonFinite);
      expectRefused(k(), () => k().lovaszHingeLoss(p, WORKED_TARGET), RangeError, nonFinite);
      expectRefused(k(), () => k().lovaszSoftmaxLoss(p, labels, { shape: [1, 3, 3] }), RangeError, nonFinite);
    },
  );

  it('a non-finite logit where nothing counts (mask 0, ignoreIndex) is left out, as the voxel is', () => {
    const p = new Float32Array(WORKED_PRED);
    p[4] = Number.NEGATIVE_INFINITY;
    const mask = Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    const without = Float32Array.from([...WORKED_PRED.subarray(0, 4), ...WORKED_PRED.subarray(5)]);
    const target = Float32Array.from([...WORKED_TARGET.subarray(0, 4), ...WORKED_TARGET.subarray(5)]);
    expect(k().diceLoss(p, WORKED_TARGET, { activation: 'sigmoid', mask })).toBeCloseTo(
      k().diceLoss(without, target, { activation: 'sigmoid' }) as number,
      6,
    );
    const hinge = Uint8Array.from([1, 0, 0, 0, 255, 0, 1, 1, 1]);
    const kept = Uint8Array.from([1, 0, 0, 0, 0, 1, 1, 1]);
    expect(k().lovaszHingeLoss(p, hinge, { ignoreIndex: 255 })).toBeCloseTo(k().lovaszHingeLoss(without, kept), 6);
  });
});
