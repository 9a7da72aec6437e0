// D13 (issue 14): options are read once, into plain values. A getter that answers differently on
// its second read, or a Proxy that counts its reads, must not make what was checked differ from
// what is used: every option, and every entry of an option list, is read at most once per call,
// and the call computes what the values first read say.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type CreateMetricOptions, type DiceKernel } from '../../src/index.js';
import { BACKENDS, expectWorkedExample } from '../support/worked.js';

const kernels = new Map<string, DiceKernel>();
beforeAll(async () => {
  for (const backend of BACKENDS) kernels.set(backend, await loadDice({ backend }));
});

/** An array whose entries answer `first` on their first read and `later` afterwards, counting reads. */
function shifty(first: number[], later: number[]): { array: number[]; reads: number[] } {
  const reads = first.map(() => 0);
  const array: number[] = [];
  for (const [i, value] of first.entries()) {
    Object.defineProperty(array, i, {
      enumerable: true,
      get: () => (reads[i]++ === 0 ? value : later[i]),
    });
  }
  return { array, reads };
}

/** An options object (a Proxy) that counts the reads of each key. */
function counted<T extends object>(options: T): { options: T; reads: Map<PropertyKey, number> } {
  const reads = new Map<PropertyKey, number>();
  const proxy = new Proxy(options, {
    get(target, key, receiver) {
      reads.set(key, (reads.get(key) ?? 0) + 1);
      return Reflect.get(target, key, receiver);
    },
  });
  return { options: proxy, reads };
}

const pred = Float32Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
const target = Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1]);

describe.each(BACKENDS)('options are read once (%s)', (backend) => {
  it("a shape whose entries change after their first read is used as first read (d13's case)", () => {
    const k = kernels.get(backend) as DiceKernel;
    // Read first as [9, 1] (valid); a second read would give [-3, -3].
    const { array, reads } = shifty([9, 1], [-3, -3]);
    const result = k.diceLossWithGrad(pred, target, { shape: array });
    const plain = k.diceLossWithGrad(pred, target, { shape: [9, 1] });
    expect(reads).toEqual([1, 1]);
    expect(result.loss).toBe(plain.loss);
    expect(Array.from(result.grad)).toEqual(Array.from(plain.grad));
    // By hand: nine samples of one voxel, each D = (2·0.5 + 1)/(0.5 + 1 + 1) = 0.8.
    expect(result.loss).toBeCloseTo(0.2, 12);
  });

  it('class weights and spacings are read once per entry', () => {
    const k = kernels.get(backend) as DiceKernel;
    const logits = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i));
    const labels = Uint8Array.from([0, 1, 2, 1]);
    const weights = shifty([1, 2, 3], [Number.NaN, -1, Number.NaN]);
    const once = k.diceLoss(logits, labels, { shape: [1, 3, 4], activation: 'softmax', weight: weights.array });
    expect(weights.reads).toEqual([1, 1, 1]);
    expect(once).toBe(k.diceLoss(logits, labels, { shape: [1, 3, 4], activation: 'softmax', weight: [1, 2, 3] }));

    const spacing = shifty([2, 0.5], [Number.NaN, 0]);
    const a = Uint8Array.from([1, 0, 0, 0]),
      b = Uint8Array.from([0, 0, 0, 1]);
    const r = k.surfaceMetrics(a, b, {
      numClasses: 2,
      shape: [1, 2, 2],
      metrics: ['hausdorff'],
      spacing: spacing.array,
    });
    expect(spacing.reads).toEqual([1, 1]);
    // Class 1: voxels (0, 0) and (1, 1), 2 apart along rows and 0.5 along columns.
    expect(r.hausdorff[1]).toBeCloseTo(Math.hypot(2, 0.5), 6);
  });

  it('every option of every kind of call is read at most once', () => {
    const k = kernels.get(backend) as DiceKernel;
    const logits = Float32Array.from({ length: 12 }, (_, i) => Math.cos(i));
    const labels = Uint8Array.from([0, 1, 2, 1]);
    const calls: [string, (o: never) => unknown, object][] = [
      [
        'diceLossWithGrad',
        (o) => k.diceLossWithGrad(logits, labels, o),
        { shape: [1, 3, 4], activation: 'softmax', smooth: 0.5, weight: [1, 1, 2] },
      ],
      [
        'bceLoss',
        (o) =>
          k.bceLoss(
            logits,
            Float32Array.from(logits, (x) => (x > 0 ? 1 : 0)),
            o,
          ),
        { posWeight: 2, reduction: 'sum' },
      ],
      ['metrics', (o) => k.metrics(labels, labels, o), { numClasses: 3, metrics: ['dice', 'iou'], reduction: 'mean' }],
      [
        'surfaceMetrics',
        (o) => k.surfaceMetrics(labels, labels, o),
        { numClasses: 3, shape: [1, 2, 2], metrics: ['hd95'] },
      ],
      ['lovaszSoftmaxLoss', (o) => k.lovaszSoftmaxLoss(logits, labels, o), { shape: [1, 3, 4], classes: 'all' }],
      [
        'createLoss',
        (o) => k.createLoss(o).value(logits, labels),
        { loss: 'jaccard', shape: [1, 3, 4], activation: 'softmax' },
      ],
      [
        'createMetric',
        (o: CreateMetricOptions) => k.createMetric(o).update(labels, labels).compute(),
        { numClasses: 3, metrics: ['dice'] },
      ],
    ];
    for (const [name, call, options] of calls) {
      const { options: proxy, reads } = counted(options);
      call(proxy as never);
      for (const [key, n] of reads) expect(n, `${name}: ${String(key)} read ${n} times`).toBeLessThanOrEqual(1);
    }
    expectWorkedExample(k);
  });
});
