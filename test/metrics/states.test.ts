// D9 and D16 (issue 14): a streaming metric's state follows one rule wherever it comes from.
// Surface states from JSON are checked as the overlap metrics' counts are (d09: a count of −5
// gave ASSD −1 and NSD −3); add() takes what fromJSON takes (integer counts below 2^53, d16), a
// sum that would pass 2^53 is refused before anything changes, and whatever a metric holds
// survives toJSON → fromJSON.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { thrownBy } from '../support/worked.js';

let k: DiceKernel;
beforeAll(async () => {
  k = await loadDice();
});

const surfaceOptions = { numClasses: 3, metrics: ['assd', 'nsd', 'hd95'], tolerance: 1 };
const a = Uint8Array.of(0, 1, 1, 2, 2, 0, 1, 2, 0);
const b = Uint8Array.of(0, 1, 2, 2, 2, 0, 1, 1, 0);

/** A surface state of one sample as JSON, with record `slot` of class `c` set to `value`. */
function surfaceState(c: number, slot: number, value: unknown) {
  const json = JSON.parse(JSON.stringify(k.createSurfaceMetric(surfaceOptions).update(a, b, { shape: [1, 3, 3] })));
  json.samples[0].records[c * 10 + slot] = value;
  return json;
}

describe('surface states from JSON are checked (d09)', () => {
  // Per class, 10 values (core/plans.ts SURF_*): P→G count, sum, max, within; G→P the same; two percentiles.
  it.each([
    ['a negative count', 0, -5, /records\[10\] must be a count of surface voxels \(an integer ≥ 0\); got -5/],
    ['a fractional count', 4, 2.5, /records\[14\] must be a count of surface voxels/],
    ['within > count', 3, 99, /records\[13\] must be a count of voxels within the tolerance, an integer in \[0, \d+\]/],
    ['a negative within', 7, -1, /records\[17\] must be a count of voxels within the tolerance/],
    ['a negative sum', 1, -3, /records\[11\] must be a distance: finite and ≥ 0; got -3/],
    ['an infinite maximum', 2, 'Infinity', /records\[12\] must be a distance: finite and ≥ 0; got Infinity/],
    ['a negative percentile', 8, -0.5, /records\[18\] must be a distance \(finite and ≥ 0\) or NaN; got -0.5/],
    ['a string', 1, 'x', /records must be 10 numbers per class/],
  ])('%s is refused, naming the record', (_name, slot, value, pattern) => {
    const m = k.createSurfaceMetric(surfaceOptions).update(b, a, { shape: [1, 3, 3] });
    const before = m.compute();
    const thrown = thrownBy(() => m.fromJSON(surfaceState(1, slot, value)));
    expect(thrown).toBeInstanceOf(RangeError);
    expect(thrown.message).toMatch(/^fromJSON: json\.samples\[0\]\.records/);
    expect(thrown.message).toMatch(pattern);
    // Nothing changed.
    expect(m.compute()).toEqual(before);
    expect(() => k.createSurfaceMetric(surfaceOptions).merge(surfaceState(1, slot, value))).toThrow(
      /^merge: other\.samples\[0\]/,
    );
  });

  it('a state as toJSON writes it still round-trips, NaN percentiles included', () => {
    const m = k
      .createSurfaceMetric(surfaceOptions)
      .update(a, b, { shape: [1, 3, 3] })
      .update(b, b, { shape: [1, 3, 3] });
    const back = k.createSurfaceMetric(surfaceOptions).fromJSON(JSON.parse(JSON.stringify(m)));
    expect(back.compute()).toEqual(m.compute());
  });
});

const one = (v: number) => Float64Array.of(v);

describe('add() takes what fromJSON takes (d16)', () => {
  const options = { numClasses: 1, metrics: ['dice'] };
  it.each([0.5, 1e300, 2 ** 53, -1, Number.NaN])('a count of %d is refused by add() as by fromJSON', (v) => {
    const counts = { tp: one(v), fp: one(0), fn: one(0), tn: one(1), numSamples: 1, numClasses: 1 };
    const thrown = thrownBy(() => k.createMetric(options).add(counts));
    expect(thrown).toBeInstanceOf(RangeError);
    expect(thrown.message).toMatch(/^add: counts\.tp\[0\] must be an integer count in \[0, 2\^53\)/);
    const json = {
      format: 'dice-wasm/metric',
      version: 1,
      options: k.createMetric(options).toJSON().options,
      samples: [{ counts: [v, 0, 0, 1] }],
    };
    expect(() => k.createMetric(options).fromJSON(json as never)).toThrow(
      /must be \[tp, fp, fn, tn\] per class: integers in \[0, 2\^53\)/,
    );
  });

  it('a sum past 2^53 is refused, and nothing changes', () => {
    const m = k.createMetric(options);
    const big = { tp: one(2 ** 52), fp: one(0), fn: one(0), tn: one(2 ** 52), numSamples: 1, numClasses: 1 };
    m.add(big, { sample: 'a' }).add(big, { sample: 'b' });
    const before = JSON.stringify(m);
    const thrown = thrownBy(() => m.add(big, { sample: 'a' }));
    expect(thrown).toBeInstanceOf(RangeError);
    expect(thrown.message).toMatch(/^add: counts would make the counts of sample a exceed 2\^53/);
    expect(JSON.stringify(m)).toBe(before);
    // The same sum through merge and through fromJSON (two samples of one key).
    expect(() => m.merge(JSON.parse(before))).toThrow(/^merge: other would make the counts of sample a exceed 2\^53/);
    expect(JSON.stringify(m)).toBe(before);
    const doubled = JSON.parse(before);
    doubled.samples.push(doubled.samples[0]);
    expect(() => k.createMetric(options).fromJSON(doubled)).toThrow(
      /^fromJSON: json would make the counts of sample a exceed 2\^53/,
    );
  });

  it('whatever add() accepts survives toJSON → fromJSON (property)', () => {
    const count = fc.oneof(
      fc.nat(10),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ min: 0, max: 1e300 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(count, count, count, count, fc.option(fc.constantFrom('x', 'y', 1, 2))), { maxLength: 6 }),
        (rows) => {
          const m = k.createMetric(options);
          for (const [tp, fp, fn, tn, key] of rows) {
            try {
              m.add(
                { tp: one(tp), fp: one(fp), fn: one(fn), tn: one(tn), numSamples: 1, numClasses: 1 },
                key === null ? undefined : { sample: key },
              );
            } catch (error) {
              expect(error).toBeInstanceOf(RangeError);
            }
          }
          const back = k.createMetric(options).fromJSON(JSON.parse(JSON.stringify(m)));
          expect(back.counts()).toEqual(m.counts());
        },
      ),
      { seed: 1414, numRuns: 200 },
    );
  });
});
