// D11 and D12 (issue 14): work and memory bounded by the data, and no raw WebAssembly trap. A
// call has at most 65536 classes and at most max(elements, 2^20) (sample, class) terms; memory a
// call or alloc() cannot have is a RangeError naming the function and the argument. Each refusal
// comes before anything is allocated or written, and the kernel stays usable.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { BACKENDS, expectWorkedExample, thrownBy } from '../support/worked.js';

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

describe.each(BACKENDS)('bounds (%s)', (backend) => {
  const k = () => kernels.get(backend) as DiceKernel;
  const empty = new Float32Array(0);

  it('shape [1, 2^32, 0]: a RangeError of the call, no WebAssembly trap (d11)', () => {
    expectRefused(
      k(),
      () => k().diceLoss(empty, empty, { shape: [1, 2 ** 32, 0] }),
      RangeError,
      /^diceLoss: shape gives 4294967296 classes; a call takes at most 65536$/,
    );
    expectRefused(
      k(),
      () => k().diceLossWithGrad(empty, empty, { shape: [2 ** 40, 2 ** 40, 0] }),
      RangeError,
      /^diceLossWithGrad: shape gives 1099511627776 classes/,
    );
  });

  it('empty samples: at most 2^20 (sample, class) terms (d12)', () => {
    expectRefused(
      k(),
      () => k().diceLoss(empty, empty, { shape: [2 ** 26, 1, 0] }),
      RangeError,
      new RegExp(
        '^diceLoss: shape gives 67108864 samples × 1 classes = 67108864 terms for 0 elements; ' +
          'a call takes at most max\\(elements, 1048576\\) terms',
      ),
    );
    expectRefused(
      k(),
      () => k().lovaszHingeLoss(empty, empty, { shape: [2 ** 21, 0] }),
      RangeError,
      /^lovaszHingeLoss: shape gives 2097152 samples/,
    );
    expectRefused(
      k(),
      () => k().confusion(empty, empty, { shape: [2 ** 21, 1, 0] }),
      RangeError,
      /^confusion: shape gives 2097152 samples/,
    );
    // Within the bound, an empty batch is scored by the empty-mask rule: with smooth 1, D = 1/1 for every term.
    expect(k().diceLoss(empty, empty, { shape: [4, 3, 0] })).toBe(0);
    expect(k().diceCoefficient(empty, empty, { shape: [2, 2, 0], reduction: 'none' })).toEqual(
      Float64Array.of(1, 1, 1, 1),
    );
  });

  it('numClasses: at most 65536, and terms bounded by the label map (d11, d12)', () => {
    const three = Uint8Array.of(0, 1, 2);
    expectRefused(
      k(),
      () => k().metrics(three, three, { numClasses: 2 ** 31, metrics: ['dice'] }),
      RangeError,
      /^metrics: numClasses must be an integer in \[1, 65536\]; got number 2147483648$/,
    );
    expectRefused(
      k(),
      () => k().metrics(three, three, { numClasses: 1e8, metrics: ['dice'] }),
      RangeError,
      /^metrics: numClasses must be an integer in \[1, 65536\]/,
    );
    expectRefused(
      k(),
      () => k().confusion(new Uint8Array(20), new Uint8Array(20), { numClasses: 65536, shape: [20, 1] }),
      RangeError,
      /^confusion: numClasses gives 20 samples × 65536 classes = 1310720 terms for 20 elements/,
    );
    // The most classes on three voxels: classes 0, 1 and 2 counted, every other class empty.
    const r = k().metrics(three, three, { numClasses: 65536, metrics: ['dice'] }) as Record<string, Float64Array>;
    expect(r.dice.length).toBe(65536);
    expect(Array.from(r.dice.subarray(0, 4))).toEqual([1, 1, 1, Number.NaN]);
  });

  it('alloc and reserve beyond what memory can give name the function and the argument (d11)', () => {
    expectRefused(k(), () => k().alloc(Float64Array, 2 ** 40), RangeError, /^alloc: length /);
    expectRefused(
      k(),
      () => k().alloc(Float32Array, -1),
      RangeError,
      /^alloc: length must be a non-negative integer; got number -1$/,
    );
    if (backend !== 'js') {
      expectRefused(
        k(),
        () => k().reserve(2 ** 33),
        RangeError,
        /^reserve: bytes needs \d+ more bytes of WebAssembly memory than it can have/,
      );
    }
    expectRefused(
      k(),
      () => k().reserve(Number.NaN),
      RangeError,
      /^reserve: bytes must be a non-negative integer; got number NaN$/,
    );
  });
});

it.each(['simd', 'scalar'] as const)(
  'a call whose working memory exceeds wasm32 names the function and the argument (d11, %s)',
  async (backend) => {
    const k = await loadDice({ backend });
    // Nearly all of the 4 GiB taken (the pages are not touched, so this costs little real memory),
    // then a call whose statistics alone (2^22 terms × 104 bytes) need more than what is left.
    // pred comes from alloc: a call on plain arrays only may run in a second instance with a memory
    // of its own (a shared memory streams plain arrays through it), where 4 GiB are still free.
    const n = 2 ** 22;
    const pred = k.alloc(Float32Array, n).fill(0.5);
    const block = k.alloc(Uint8Array, 4_000_000_000);
    const thrown = thrownBy(() => k.diceLoss(pred, pred, { shape: [n, 1, 1] }));
    expect(thrown).toBeInstanceOf(RangeError);
    expect(thrown.message).toMatch(/^diceLoss: shape needs \d+ more bytes of WebAssembly memory than it can have/);
    expectWorkedExample(k);
    k.free(block);
    k.free(pred);
  },
);
