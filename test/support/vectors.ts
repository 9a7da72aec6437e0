// The loss records of the shared conformance vectors (test/fixtures/vectors: MONAI, smp, Keras)
// and the tolerance of each, exactly as its original assertion (the fixtures' README, "Tolerance
// methods"). Used by test/losses/vectors.test.ts (native API) and test/compat/loss-vectors.test.ts
// (dice-wasm/compat).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export type Nested = number | string | Nested[];

interface TensorRecord {
  shape: number[];
  data: Nested;
  layout?: string;
  dtype?: string;
}

export interface Tolerance {
  method: string;
  rtol?: number;
  atol?: number;
  rel?: number;
  abs?: number;
  places?: number;
}

export interface VectorRecord {
  id: string;
  loss_or_metric: string;
  call: string;
  params: Record<string, unknown>;
  params_effective: Record<string, unknown>;
  input: TensorRecord;
  target: TensorRecord;
  mask?: TensorRecord;
  expected: Nested;
  expected_shape?: number[];
  tolerance: Tolerance;
  recomputed_float64?: Nested;
}

function readRecords(file: string): VectorRecord[] {
  return JSON.parse(readFileSync(new URL(`../fixtures/vectors/${file}`, import.meta.url), 'utf8')) as VectorRecord[];
}

export const RECORDS: readonly VectorRecord[] = [
  ...readRecords('monai.json'),
  ...readRecords('smp.json'),
  ...readRecords('keras.json'),
];

/** Every loss of the three libraries that has vectors (their metrics are not losses). */
export const LOSS_RECORDS: readonly VectorRecord[] = RECORDS.filter((r) =>
  /^(monai|smp|keras)\.losses\./.test(r.loss_or_metric),
);

function flatten(x: Nested): (number | string)[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x];
}

export function numbers(x: Nested, what: string): number[] {
  return flatten(x).map((v) => {
    if (typeof v !== 'number') throw new Error(`${what}: expected numbers, got ${JSON.stringify(v)}`);
    return v;
  });
}

/** The error the record's own assertion allows around `expected`. */
export function allowedError(tol: Tolerance, expected: number): number {
  const e = Math.abs(expected);
  if (tol.method.startsWith('numpy.testing.assert_allclose')) return (tol.atol ?? 0) + (tol.rtol ?? 1e-7) * e;
  if (tol.method.startsWith('keras assertAllClose')) return (tol.atol ?? 1e-6) + (tol.rtol ?? 1e-6) * e;
  if (tol.method === 'pytest.approx') {
    if (tol.rel !== undefined) return Math.max(tol.rel * e, tol.abs ?? 1e-12);
    if (tol.abs !== undefined) return tol.abs;
    return Math.max(1e-6 * e, 1e-12);
  }
  if (tol.method === 'unittest.assertAlmostEqual') return 0.5 * 10 ** -(tol.places ?? 7);
  throw new Error(`unknown tolerance method ${tol.method}`);
}

export function expectWithin(
  got: number[],
  record: VectorRecord,
  expectedValues: Nested,
  tol: (e: number) => number,
  what: string,
): void {
  const want = numbers(expectedValues, 'expected');
  expect(got.length, `${what}: ${got.length} values, expected ${want.length}`).toBe(want.length);
  want.forEach((e, i) => {
    const allowed = tol(e);
    const error = Math.abs(got[i] - e);
    const message = `${record.id} ${what}[${i}]: got ${got[i]}, expected ${e} (|error| ${error} > allowed ${allowed})`;
    expect(Math.abs(got[i] - e) <= allowed, message).toBe(true);
  });
}
