// Streaming metrics: any split of a dataset into tiles, updated in any order on several metric
// objects, merged directly or through toJSON / JSON text / fromJSON, gives exactly (===) the
// one-pass result, on every backend.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadDice,
  type CreateMetricOptions,
  type DiceKernel,
  type MetricJSON,
  type StreamingMetric,
} from '../../src/index.js';
import { rng } from '../support/random.js';

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

const METRICS = ['dice', 'iou', 'recall', 'mcc', 'generalizedDice'];
const OVERRIDES = [
  {},
  { reduction: 'mean' },
  { reduction: 'mean_batch', includeBackground: false },
  { reduction: 'sum_channel' },
  { average: 'macro' },
  { average: 'micro', aggregation: 'global' },
  { average: 'weighted', empty: 'formula' },
  { average: 'none', empty: 'one' },
] as const;

/** A result as plain JSON-comparable data. */
const plainResult = (v: unknown): unknown =>
  v instanceof Float64Array
    ? Array.from(v)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainResult(x)]))
      : v;

/** Every result of a metric under several reductions. */
function results(m: StreamingMetric): unknown[] {
  return OVERRIDES.map((o) => plainResult(m.compute(o)));
}

/** k.metrics on the whole volume: what a streaming metric must match. */
function metricsResults(k: DiceKernel, v: Volume, extra: object): unknown {
  return plainResult(k.metrics(v.pred, v.target, { ...options(v), shape: [v.B, v.S], ...extra } as never));
}

interface Volume {
  B: number;
  C: number;
  S: number;
  kind: 'labels' | 'scores';
  pred: Uint8Array | Float32Array;
  target: Uint8Array;
}

function volume(seed: number, B: number, C: number, S: number, kind: Volume['kind']): Volume {
  const random = rng(seed);
  let label = 0;
  const target = Uint8Array.from({ length: B * S }, () => {
    if (random() < 0.05) label = Math.floor(random() * C);
    return label;
  });
  const pred =
    kind === 'labels'
      ? Uint8Array.from(target, (t) => (random() < 0.2 ? Math.floor(random() * C) : t))
      : Float32Array.from({ length: B * C * S }, () => random());
  return { B, C, S, kind, pred, target };
}

/** Voxels [s0, s1) of sample b as their own one-sample arrays. */
function tile(
  v: Volume,
  b: number,
  s0: number,
  s1: number,
): { pred: Uint8Array | Float32Array; target: Uint8Array; shape: number[] } {
  const n = s1 - s0;
  const target = v.target.slice(b * v.S + s0, b * v.S + s1);
  if (v.kind === 'labels')
    return { pred: (v.pred as Uint8Array).slice(b * v.S + s0, b * v.S + s1), target, shape: [1, n] };
  const pred = new Float32Array(v.C * n);
  for (let c = 0; c < v.C; c++) pred.set(v.pred.subarray((b * v.C + c) * v.S + s0, (b * v.C + c) * v.S + s1), c * n);
  return { pred, target, shape: [1, v.C, n] };
}

function options(v: Volume): CreateMetricOptions {
  return v.kind === 'labels'
    ? { numClasses: v.C, metrics: METRICS }
    : { decision: 'argmax', target: 'labels', metrics: METRICS };
}

describe('streaming metrics give the one-pass result exactly', () => {
  it('for random tilings, update orders, workers and merges (through JSON too)', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
          B: fc.integer({ min: 1, max: 4 }),
          C: fc.integer({ min: 2, max: 5 }),
          S: fc.integer({ min: 0, max: 3000 }),
          kind: fc.constantFrom('labels' as const, 'scores' as const),
          workers: fc.integer({ min: 1, max: 4 }),
        }),
        ({ seed, B, C, S, kind, workers }) => {
          const v = volume(seed, B, C, S, kind);
          const random = rng(seed + 1);
          for (const k of kernels) {
            const onePass = k.createMetric(options(v));
            onePass.update(v.pred, v.target, { shape: kind === 'labels' ? [B, S] : [B, C, S] });

            // Cut every sample into tiles at random points; shuffle all tiles; deal them to workers.
            const tiles: [number, number, number][] = [];
            for (let b = 0; b < B; b++) {
              const cuts = [
                0,
                S,
                ...Array.from({ length: Math.floor(random() * 5) }, () => Math.floor(random() * (S + 1))),
              ].sort((x, y) => x - y);
              for (let i = 0; i + 1 < cuts.length; i++) tiles.push([b, cuts[i], cuts[i + 1]]);
            }
            for (let i = tiles.length - 1; i > 0; i--) {
              const j = Math.floor(random() * (i + 1));
              [tiles[i], tiles[j]] = [tiles[j], tiles[i]];
            }
            const metrics = Array.from({ length: workers }, () => k.createMetric(options(v)));
            for (const [b, s0, s1] of tiles) {
              const t = tile(v, b, s0, s1);
              metrics[Math.floor(random() * workers)].update(t.pred, t.target, { shape: t.shape, sample: b });
            }
            // Merge: the first directly, the others through toJSON, JSON text, or fromJSON of a new metric.
            const merged = k.createMetric(options(v));
            metrics.forEach((m, i) => {
              if (i % 3 === 0) merged.merge(m);
              else if (i % 3 === 1) merged.merge(JSON.parse(JSON.stringify(m)) as MetricJSON);
              else merged.merge(k.createMetric(options(v)).fromJSON(m.toJSON()));
            });
            const restored = k
              .createMetric(options(v))
              .fromJSON(JSON.parse(JSON.stringify(merged.toJSON())) as MetricJSON);
            expect(merged.numSamples).toBe(B);
            const expected = results(onePass);
            expect(results(merged)).toEqual(expected);
            expect(results(restored)).toEqual(expected);
            expect(merged.counts()).toEqual(onePass.counts());
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('batches updated one by one equal one call on the whole batch (samples without keys keep arrival order)', () => {
    const v = volume(3, 4, 3, 500, 'labels');
    for (const k of kernels) {
      const whole = k.createMetric(options(v)).update(v.pred, v.target, { shape: [4, 500] });
      const parts = k.createMetric(options(v));
      for (let b = 0; b < 4; b += 2)
        parts.update(v.pred.subarray(b * 500, (b + 2) * 500), v.target.subarray(b * 500, (b + 2) * 500), {
          shape: [2, 500],
        });
      expect(results(parts)).toEqual(results(whole));
    }
  });

  it('reports keyed samples in key order (numbers, then strings), then unkeyed ones in arrival order', () => {
    const k = kernels[0];
    const m = k.createMetric({ numClasses: 2, metrics: ['dice'], empty: 'formula' });
    // Dice of class 1 tells the samples apart: 'b' → 0, unkeyed → 2/4, 2 → 1, 10 → 2/3.
    m.update(Uint8Array.of(0, 0), Uint8Array.of(0, 1), { sample: 'b' });
    m.update(Uint8Array.of(1, 1, 0), Uint8Array.of(1, 0, 1), { shape: [1, 3] });
    m.update(Uint8Array.of(1, 1), Uint8Array.of(1, 1), { sample: 2 });
    m.update(Uint8Array.of(1, 0), Uint8Array.of(1, 1), { sample: 10 });
    const dice = m.compute().dice as Float64Array;
    expect([dice[1], dice[3], dice[5], dice[7]]).toEqual([1, 2 / 3, 0, 2 / 4]);
    expect(m.toJSON().samples.map((s) => s.key)).toEqual(['b', undefined, 2, 10]);
  });

  it('adds the counts of updates with the same key (tiles of one volume), also across merges', () => {
    const k = kernels[2];
    const a = k.createMetric({ numClasses: 2, metrics: ['dice'] });
    const b = k.createMetric({ numClasses: 2, metrics: ['dice'] });
    a.update(Uint8Array.of(1, 0), Uint8Array.of(1, 1), { sample: 'case-1' });
    b.update(Uint8Array.of(1, 1), Uint8Array.of(0, 1), { sample: 'case-1' });
    a.merge(b);
    expect(a.numSamples).toBe(1);
    // case-1, class 1: pred 1 0 1 1, target 1 1 0 1 → TP 2, FP 1, FN 1 → Dice 4/6.
    expect((a.compute().dice as Float64Array)[1]).toBeCloseTo(4 / 6, 14);
    expect(Array.from(a.counts().tp)).toEqual([0, 2]);
  });

  it('compute(overrides) reduces the same state otherwise: a reduction or an average replaces its own', () => {
    const k = kernels[0];
    const v = volume(8, 2, 3, 300, 'labels');
    const m = k.createMetric({ ...options(v), reduction: 'mean' }).update(v.pred, v.target, { shape: [2, 300] });
    const fresh = (extra: object) => metricsResults(k, v, extra);
    expect(plainResult(m.compute())).toEqual(fresh({ reduction: 'mean' }));
    expect(plainResult(m.compute({ average: 'micro' }))).toEqual(fresh({ average: 'micro' }));
    expect(plainResult(m.compute({ reduction: 'none', includeBackground: false }))).toEqual(
      fresh({ includeBackground: false }),
    );
  });

  it('add() takes counts from k.confusion, and reset() empties the state', () => {
    const k = kernels[0];
    const v = volume(5, 2, 3, 100, 'labels');
    const viaCounts = k.createMetric(options(v)).add(k.confusion(v.pred, v.target, { numClasses: 3, shape: [2, 100] }));
    const viaUpdate = k.createMetric(options(v)).update(v.pred, v.target, { shape: [2, 100] });
    expect(results(viaCounts)).toEqual(results(viaUpdate));
    viaCounts.reset();
    expect(viaCounts.numSamples).toBe(0);
    expect(viaCounts.toJSON().samples).toEqual([]);
  });
});
