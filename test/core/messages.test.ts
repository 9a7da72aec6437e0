// D15 (issue 14): error messages quote the input truncated. A 10-million-character string, a key
// of a million characters or a shape of 10^5 entries gives a message of a line (the function and
// the argument still named), never one the size of the input.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { BACKENDS, expectWorkedExample, thrownBy } from '../support/worked.js';

const kernels = new Map<string, DiceKernel>();
beforeAll(async () => {
  for (const backend of BACKENDS) kernels.set(backend, await loadDice({ backend }));
});

const LONG = 'x'.repeat(10_000_000);
const LINE = 800;

describe.each(BACKENDS)('messages quote input truncated (%s)', (backend) => {
  const k = () => kernels.get(backend) as DiceKernel;
  const pred = Float32Array.from([0.2, 0.8, 0.5, 0.1]);
  const target = Float32Array.from([0, 1, 1, 0]);

  it.each([
    [
      'fromJSON of a 10^7-character string',
      TypeError,
      /^fromJSON: json must be a metric/,
      () =>
        k()
          .createMetric({ numClasses: 2, metrics: ['dice'] })
          .fromJSON(LONG as never),
    ],
    [
      'surface fromJSON of a 10^7-character string',
      TypeError,
      /^fromJSON: json must be a surface metric/,
      () =>
        k()
          .createSurfaceMetric({ numClasses: 2, metrics: ['hd'] })
          .fromJSON(LONG as never),
    ],
    [
      'an option named by 10^6 characters',
      TypeError,
      /^diceLoss: option 'x+… \(1000000 characters\)' is not an option/,
      () => k().diceLoss(pred, target, { ['x'.repeat(1_000_000)]: 1 } as never),
    ],
    [
      'a string option value of 10^7 characters',
      RangeError,
      /^diceLoss: reduction must be one of/,
      () => k().diceLoss(pred, target, { reduction: LONG as never }),
    ],
    [
      'a metric name of 10^7 characters',
      RangeError,
      /^metrics: metrics\[0\] 'x+… \(10000000 characters\)'/,
      () => k().metrics(Uint8Array.of(0, 1), Uint8Array.of(0, 1), { numClasses: 2, metrics: [LONG] }),
    ],
    [
      'a shape of 10^5 entries',
      RangeError,
      /^diceLoss: pred has length 4 but shape \[1, 1, 1, 1, 1, 1, 1, 1, … \(100000 entries\)\]/,
      () => k().diceLoss(pred, target, { shape: new Array(100_000).fill(1) }),
    ],
    [
      'a state made with a huge option',
      RangeError,
      /^merge: other was made with other options/,
      () =>
        k()
          .createMetric({ numClasses: 2, metrics: ['dice'] })
          .merge({
            format: 'dice-wasm/metric',
            version: 1,
            options: { junk: LONG },
            samples: [],
          } as never),
    ],
    [
      'a state whose options cannot be written as JSON',
      TypeError,
      /^merge: other\.options cannot be read as JSON/,
      () => {
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        return k()
          .createMetric({ numClasses: 2, metrics: ['dice'] })
          .merge({
            format: 'dice-wasm/metric',
            version: 1,
            options: cyclic,
            samples: [],
          } as never);
      },
    ],
  ])('%s', (_name, error, pattern, call) => {
    const thrown = thrownBy(call);
    expect(thrown).toBeInstanceOf(error);
    expect(thrown.message).toMatch(pattern);
    expect(thrown.message.length).toBeLessThan(LINE);
    expectWorkedExample(k());
  });

  it('loadDice names a backend of 10^7 characters in a line', async () => {
    const thrown = await loadDice({ backend: LONG as never }).catch((e: Error) => e);
    expect(thrown).toBeInstanceOf(RangeError);
    expect((thrown as Error).message).toMatch(/^loadDice: backend must be one of/);
    expect((thrown as Error).message.length).toBeLessThan(LINE);
  });
});
