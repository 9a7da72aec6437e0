// Panoptic quality: MONAI's own test cases (test/fixtures/instances/monai-panoptic.json) through
// dice-wasm/compat on every backend, and the native k.panopticQuality by hand: exact counts,
// class maps, IoU at the threshold, assignment below 0.5, reductions from counts, bad input.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { monai, useKernel, type Tensor } from '../../../src/compat/index.js';
import { loadDice, type DiceKernel } from '../../../src/index.js';
import { rng } from '../../support/random.js';

const FIXTURE = JSON.parse(
  readFileSync(new URL('../../fixtures/instances/monai-panoptic.json', import.meta.url), 'utf8'),
) as {
  functionCases: { name: string; pred: number[][]; gt: number[][]; params: object; expected: number }[];
  classCases: {
    y_pred: number[][][][];
    y: number[][][][];
    cases: { name: string; params: monai.PanopticQualityMetricParams; expected: unknown }[];
  };
};

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});
const BACKENDS = ['simd', 'scalar', 'js'] as const;
const kernelOf = (backend: string) => kernels.find((k) => k.backend === backend)!;

/** Nested arrays of numbers (or Tensors, or numbers) as nested arrays. */
function nested(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map(nested);
  const t = value as Tensor;
  if (t.shape.length === 1) return Array.from(t.data);
  const [rows, cols] = t.shape;
  return Array.from({ length: rows }, (_, r) => Array.from(t.data.subarray(r * cols, (r + 1) * cols)));
}

function expectClose(got: unknown, expected: unknown, atol: number): void {
  if (typeof expected === 'number') {
    expect(Math.abs((got as number) - expected)).toBeLessThanOrEqual(atol);
    return;
  }
  expect((got as unknown[]).length).toBe((expected as unknown[]).length);
  for (const [i, e] of (expected as unknown[]).entries()) expectClose((got as unknown[])[i], e, atol);
}

describe.each(BACKENDS)("MONAI's panoptic quality test cases through compat (%s)", (backend) => {
  beforeAll(() => useKernel(kernelOf(backend)));

  it.each(FIXTURE.functionCases.map((c) => [c.name, c] as const))('compute_panoptic_quality: %s', (_, c) => {
    expectClose(monai.compute_panoptic_quality(c.pred, c.gt, c.params), c.expected, 1e-4);
  });

  it('compute_panoptic_quality: TEST_FUNC_CASE_1 (a random 64×64 map against itself at 0.99 gives 1)', () => {
    const random = rng(5);
    const sample = Array.from({ length: 64 }, () => Array.from({ length: 64 }, () => Math.floor(random() * 5)));
    expectClose(monai.compute_panoptic_quality(sample, sample, { match_iou_threshold: 0.99 }), 1, 1e-4);
  });

  it.each(FIXTURE.classCases.cases.map((c) => [c.name, c] as const))('PanopticQualityMetric: %s', (_, c) => {
    const metric = new monai.PanopticQualityMetric(c.params);
    metric.forward(FIXTURE.classCases.y_pred, FIXTURE.classCases.y);
    expectClose(nested(metric.aggregate()), c.expected, 1e-4);
  });

  it('returns the confusion matrix [tp, fp, fn, iou_sum] when asked', () => {
    const c = FIXTURE.functionCases[0];
    const counts = monai.compute_panoptic_quality(c.pred, c.gt, { output_confusion_matrix: true }) as Tensor;
    // PQ 0.25 = iou_sum / (tp + fp/2 + fn/2): one pair matched above 0.5 (IoU 1: instance 4 = 4), 3 of each left.
    expect(Array.from(counts.data)).toEqual([1, 3, 3, 1]);
  });
});

describe.each(BACKENDS)('k.panopticQuality (%s)', (backend) => {
  const k = () => kernelOf(backend);

  it('counts matched pairs, unmatched instances and the IoU of the pairs', () => {
    // 1D, 10 voxels. Truth: 1 on [0, 4), 2 on [6, 10). Prediction: 5 on [0, 3) (IoU 3/4 with
    // truth 1), 6 on [5, 8) (IoU 2/5 with truth 2: not a match), 7 on [8, 10) (IoU 2/4: not above 0.5).
    const truth = Int32Array.of(1, 1, 1, 1, 0, 0, 2, 2, 2, 2);
    const pred = Uint16Array.of(5, 5, 5, 0, 0, 6, 6, 6, 7, 7);
    const r = k().panopticQuality(pred, truth, { shape: [1, 10] });
    expect([r.tp[0], r.fp[0], r.fn[0], r.iouSum[0]]).toEqual([1, 2, 1, 0.75]);
    // RQ = 1/(1 + 1 + 0.5), SQ = 0.75, PQ = 0.75/2.5.
    expect(r.rq[0]).toBeCloseTo(1 / 2.5, 15);
    expect(r.sq[0]).toBe(0.75);
    expect(r.pq[0]).toBeCloseTo(0.3, 15);
    // Below 0.5 the assignment pairs truth 2 with 7 (IoU 0.5, its best; 6 has 0.4), now above 0.3.
    const loose = k().panopticQuality(pred, truth, { shape: [1, 10], matchIou: 0.3 });
    expect([loose.tp[0], loose.fp[0], loose.fn[0]]).toEqual([2, 1, 0]);
    expect(loose.iouSum[0]).toBeCloseTo(0.75 + 0.5, 15);
  });

  it('scores each class of panoptic maps apart; class 0 is the background (NaN)', () => {
    // One instance id 1 spanning two classes in the prediction: its class-1 part and class-2 part
    // are instances of their classes (MONAI multiplies the instance map by each class mask).
    const predIds = Int32Array.of(1, 1, 1, 1, 0, 0);
    const predCls = Uint8Array.of(1, 1, 2, 2, 0, 0);
    const truthIds = Int32Array.of(3, 3, 4, 4, 0, 0);
    const truthCls = Uint8Array.of(1, 1, 2, 2, 0, 0);
    const r = k().panopticQuality(predIds, truthIds, {
      shape: [1, 6],
      predClasses: predCls,
      truthClasses: truthCls,
      numClasses: 3,
    });
    expect(Array.from(r.pq)).toEqual([Number.NaN, 1, 1]);
    expect(Array.from(r.tp)).toEqual([Number.NaN, 1, 1]);
  });

  it('is NaN where nothing is on either side, 0 where nothing matches', () => {
    const none = k().panopticQuality(new Uint8Array(4), new Uint8Array(4), { shape: [1, 4] });
    expect([none.pq[0], none.sq[0], none.rq[0], none.tp[0]]).toEqual([Number.NaN, Number.NaN, Number.NaN, 0]);
    const miss = k().panopticQuality(Uint8Array.of(1, 0, 0, 0), Uint8Array.of(0, 0, 0, 1), { shape: [1, 4] });
    expect([miss.pq[0], miss.rq[0]]).toEqual([0, 0]);
    expect(miss.sq[0]).toBeNaN();
  });

  it('reduces the counts first, then scores them (MONAI aggregate)', () => {
    // Sample 0: tp 1, fp 0, fn 0, IoU 1. Sample 1: tp 0, fp 1, fn 1. Pooled: PQ 1/(1 + 0.5 + 0.5).
    const pred = Uint8Array.of(1, 1, 0, 0, 1, 0, 0, 0);
    const truth = Uint8Array.of(1, 1, 0, 0, 0, 0, 0, 1);
    const r = k().panopticQuality(pred, truth, { shape: [2, 4], reduction: 'mean' });
    expect((r.pq as { value: number }).value).toBeCloseTo(0.5, 15);
    expect((r.tp as { value: number }).value).toBe(0.5);
  });

  it('refuses bad input before counting', () => {
    const ids = new Int32Array(4);
    expect(() => k().panopticQuality(ids, ids, { shape: [1, 5] })).toThrow(/predInstances has length 4/);
    expect(() => k().panopticQuality(Int32Array.of(0, -1, 0, 0), ids, { shape: [1, 4] })).toThrow(
      /predInstances\[1\] is -1/,
    );
    expect(() => k().panopticQuality(ids, Float32Array.of(0, 1.5, 0, 0), { shape: [1, 4] })).toThrow(
      /truthInstances\[1\] is 1.5/,
    );
    expect(() => k().panopticQuality(ids, ids, { shape: [1, 4], matchIou: 0 })).toThrow(/matchIou must be/);
    expect(() =>
      k().panopticQuality(ids, ids, { shape: [1, 4], predClasses: new Uint8Array(4), truthClasses: new Uint8Array(4) }),
    ).toThrow(/numClasses is required/);
    expect(() =>
      k().panopticQuality(ids, ids, {
        shape: [1, 4],
        predClasses: Uint8Array.of(0, 3, 0, 0),
        truthClasses: new Uint8Array(4),
        numClasses: 3,
      }),
    ).toThrow(/predClasses\[1\] is 3/);
    expect(() => k().panopticQuality(new Float64Array(4) as never, ids, { shape: [1, 4] })).toThrow(TypeError);
  });
});
