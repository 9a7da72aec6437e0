// createMetric with instance-level names: the streaming metric gives lesionMetrics' values case by
// case and reduced, panoptic quality of the components, thresholds changed at compute time,
// merges and JSON round trips that reproduce the state, and serialised states refused when they
// do not hold what toJSON writes (nothing changes then).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel, type InstanceMetricJSON } from '../../../src/index.js';
import { rng } from '../../support/random.js';

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([loadDice({ backend: 'simd' }), loadDice({ backend: 'js' })]);
});

/** Random blobs of classes 1 and 2 on a 3D grid (label maps). */
function cases(count: number, seed: number): { pred: Uint8Array; truth: Uint8Array }[] {
  const random = rng(seed);
  const dims = [6, 9, 10];
  const n = dims[0] * dims[1] * dims[2];
  const blobs = () => {
    const map = new Uint8Array(n);
    for (let k = 0; k < 5; k++) {
      const [cz, cy, cx] = dims.map((d) => Math.floor(random() * d));
      const cls = 1 + Math.floor(random() * 2);
      for (let z = 0; z < dims[0]; z++)
        for (let y = 0; y < dims[1]; y++)
          for (let x = 0; x < dims[2]; x++)
            if ((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 <= 1 + random() * 3)
              map[(z * dims[1] + y) * dims[2] + x] = cls;
    }
    return map;
  };
  return Array.from({ length: count }, () => ({ pred: blobs(), truth: blobs() }));
}
const SHAPE = [1, 6, 9, 10];
const NAMES = ['lesion_dice', 'lesion_hd95', 'lesion_f1', 'lesion_tp', 'lesion_fp', 'lesion_fn', 'pq'] as const;
const LESION = {
  lesion_dice: 'lesionDice',
  lesion_hd95: 'lesionHd95',
  lesion_f1: 'f1',
  lesion_tp: 'tp',
  lesion_fp: 'fp',
  lesion_fn: 'fn',
} as const;

describe.each(['simd', 'js'])('streaming instance metrics (%s)', (backend) => {
  const k = () => kernels.find((x) => x.backend === backend)!;
  const options = { numClasses: 3, metrics: NAMES, dilation: 1, spacing: [2, 1, 1] } as const;

  it("gives lesionMetrics' values per case, and panoptic quality of the components", () => {
    const data = cases(3, 7);
    const m = k().createMetric(options);
    for (const c of data) m.update(c.pred, c.truth, { shape: SHAPE });
    expect(m.numSamples).toBe(3);
    const got = m.compute() as Record<string, Float64Array>;
    data.forEach((c, b) => {
      const expected = k().lesionMetrics(c.pred, c.truth, {
        shape: SHAPE,
        numClasses: 3,
        dilation: 1,
        spacing: [2, 1, 1],
      });
      for (const [name, score] of Object.entries(LESION)) {
        expect(Array.from(got[name].subarray(b * 3, b * 3 + 3)), name).toEqual(Array.from(expected[score]));
      }
      // PQ of class c: the components (26-connected) of each side as instances.
      for (const cls of [1, 2]) {
        const instances = (map: Uint8Array) =>
          k().connectedComponents(
            Uint8Array.from(map, (v) => (v === cls ? 1 : 0)),
            { shape: SHAPE, connectivity: 26 },
          ).labels;
        const pq = k().panopticQuality(instances(c.pred), instances(c.truth), { shape: SHAPE });
        const value = got.pq[b * 3 + cls];
        if (Number.isNaN(pq.pq[0])) expect(value).toBeNaN();
        else expect(value).toBeCloseTo(pq.pq[0], 12);
      }
    });
  });

  it('reduces, and takes other thresholds and penalties at compute time', () => {
    const data = cases(4, 11);
    const m = k().createMetric(options);
    for (const c of data) m.update(c.pred, c.truth, { shape: SHAPE });
    const perCase = data.map((c) =>
      k().lesionMetrics(c.pred, c.truth, {
        shape: SHAPE,
        numClasses: 3,
        dilation: 1,
        spacing: [2, 1, 1],
        minSize: 3,
        fpPenalty: 99,
      }),
    );
    const none = m.compute({ minSize: 3, fpPenalty: 99 }) as Record<string, Float64Array>;
    for (const [b, r] of perCase.entries())
      expect(Array.from(none.lesion_hd95.subarray(b * 3, b * 3 + 3))).toEqual(Array.from(r.lesionHd95));
    const batch = m.compute({ reduction: 'mean_batch' }).lesion_dice as { value: Float64Array; notNans: Float64Array };
    const plain = data.map((c) =>
      k().lesionMetrics(c.pred, c.truth, { shape: SHAPE, numClasses: 3, dilation: 1, spacing: [2, 1, 1] }),
    );
    const plainMean = (cls: number) => plain.reduce((s, c) => s + c.lesionDice[cls], 0) / 4;
    expect(batch.value[0]).toBeCloseTo(plainMean(1), 12);
    expect(batch.value[1]).toBeCloseTo(plainMean(2), 12);
    expect(Array.from(batch.notNans)).toEqual([4, 4]);
  });

  it('merges and round-trips through JSON text to the same state', () => {
    const data = cases(4, 13);
    const whole = k().createMetric(options);
    const a = k().createMetric(options);
    const b = k().createMetric(options);
    data.forEach((c, i) => {
      whole.update(c.pred, c.truth, { shape: SHAPE });
      (i < 2 ? a : b).update(c.pred, c.truth, { shape: SHAPE });
    });
    const text = JSON.stringify(b.toJSON());
    a.merge(JSON.parse(text) as InstanceMetricJSON);
    expect(a.compute()).toEqual(whole.compute());
    const restored = k()
      .createMetric(options)
      .fromJSON(JSON.parse(JSON.stringify(whole.toJSON())));
    expect(restored.compute()).toEqual(whole.compute());
    expect(JSON.stringify(whole.toJSON())).toContain('"Infinity"');
  });
});

describe('streaming instance metrics, bad input', () => {
  const k = () => kernels[0];
  const options = { metrics: ['lesion_dice', 'lesion_hd95'] } as const;
  const state = (): InstanceMetricJSON => {
    const m = k().createMetric(options);
    const truth = new Uint8Array(40),
      pred = new Uint8Array(40);
    truth.set([1, 1], 3);
    truth[30] = 1;
    pred.set([1, 1, 1], 4);
    pred[20] = 1;
    m.update(pred, truth, { shape: [1, 5, 8] });
    return JSON.parse(JSON.stringify(m.toJSON()));
  };

  it('refuses metric lists that mix families', () => {
    expect(() => k().createMetric({ metrics: ['lesion_dice', 'dice'] } as never)).toThrow(
      /mixes instance metrics with 'dice'/,
    );
    expect(() => k().createMetric({ metrics: ['lesion_dice', 'hd95'] } as never)).toThrow(/surface metric/);
    expect(() => k().createMetric({ metrics: ['lesion_dice'], dilation: -1 } as never)).toThrow(/dilation must be/);
  });

  const corrupt: [string, (j: InstanceMetricJSON) => unknown][] = [
    ['another format', (j) => ({ ...j, format: 'dice-wasm/metric' })],
    ['other options', (j) => ({ ...j, options: { ...j.options, dilation: 2 } })],
    ['a class list of the wrong length', (j) => ({ ...j, samples: [{ classes: [null] }] })],
    ['a row cut short', (j) => mapTerm(j, (t) => ({ ...t, truth: (t.truth ?? []).slice(1) }))],
    ['a lesion of 0 voxels', (j) => mapTerm(j, (t) => ({ ...t, truth: [0, ...(t.truth ?? []).slice(1)] }))],
    ['an overlap above the lesion', (j) => mapTerm(j, (t) => ({ ...t, truth: setAt(t.truth ?? [], 3, 1e6) }))],
    ['a predicted lesion matched twice', (j) => mapTerm(j, (t) => ({ ...t, pred: setAt(t.pred ?? [], 1, 2) }))],
    ['a string for a number', (j) => mapTerm(j, (t) => ({ ...t, truth: setAt(t.truth ?? [], 0, '2' as never) }))],
    ['a negative voxel volume', (j) => mapTerm(j, (t) => ({ ...t, voxelVolume: -1 }))],
  ];
  it.each(corrupt)('refuses a state with %s and keeps its own', (_, change) => {
    const m = k().createMetric(options);
    m.fromJSON(state());
    const before = JSON.stringify(m.toJSON());
    expect(() => m.merge(change(state()) as InstanceMetricJSON)).toThrow(/merge: other/);
    expect(JSON.stringify(m.toJSON())).toBe(before);
  });
});

function mapTerm(
  j: InstanceMetricJSON,
  f: (t: NonNullable<InstanceMetricJSON['samples'][0]['classes'][0]>) => unknown,
): InstanceMetricJSON {
  return {
    ...j,
    samples: j.samples.map((s) => ({ classes: s.classes.map((t) => (t === null ? null : f(t))) })),
  } as InstanceMetricJSON;
}

function setAt<T>(values: T[], i: number, v: T): T[] {
  const out = values.slice();
  out[i] = v;
  return out;
}
