// Bad input to the hard metrics: a TypeError or RangeError whose message names the argument or
// option at fault, raised before anything changes (a streaming metric keeps its state), and the
// instance stays usable and right afterwards; on every backend, and in dice-wasm/compat.
import { beforeAll, describe, expect, it } from 'vitest';
import { monai, torchmetrics, useKernel } from '../../src/compat/index.js';
import {
  loadDice,
  metricsFromCounts,
  type ConfusionCounts,
  type DiceKernel,
  type MetricJSON,
} from '../../src/index.js';

const kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels.push(
    await loadDice({ backend: 'simd' }),
    await loadDice({ backend: 'scalar' }),
    await loadDice({ backend: 'js' }),
  );
});

// 2 samples of 4 voxels, 3 classes: labels, scores (NCHW) and a one-hot target.
const labels = Uint8Array.from([0, 1, 2, 1, 2, 2, 0, 1]);
const predLabels = Uint8Array.from([0, 1, 1, 1, 2, 0, 0, 1]);
const scores = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
const onehot = new Uint8Array(24);
labels.forEach((l, v) => {
  onehot[(Math.floor(v / 4) * 3 + l) * 4 + (v % 4)] = 1;
});
const shape = [2, 4];

interface BadCall {
  name: string;
  error: typeof TypeError | typeof RangeError;
  /** Text the message must contain: the argument or option at fault. */
  names: string | RegExp;
  call: (k: DiceKernel) => unknown;
}

const badCalls: BadCall[] = [
  // arrays
  {
    name: 'pred is a Float64Array',
    error: TypeError,
    names: /confusion: pred must be/,
    call: (k) => k.confusion(new Float64Array(8) as never, labels, { numClasses: 3 }),
  },
  {
    name: 'pred is a plain array',
    error: TypeError,
    names: /confusion: pred/,
    call: (k) => k.confusion([0, 1] as never, labels, { numClasses: 3 }),
  },
  {
    name: 'target is a Float64Array',
    error: TypeError,
    names: /target/,
    call: (k) => k.confusion(predLabels, new Float64Array(8) as never, { numClasses: 3, shape }),
  },
  {
    name: 'target is not a typed array',
    error: TypeError,
    names: /target must be a typed array/,
    call: (k) => k.confusion(predLabels, [0, 1] as never, { numClasses: 3, shape }),
  },
  {
    name: 'a label map pred without numClasses',
    error: RangeError,
    names: /numClasses is required/,
    call: (k) => k.confusion(Int32Array.from(labels), labels),
  },
  {
    name: 'decision labels on a Float32Array',
    error: TypeError,
    names: /pred as a label map/,
    call: (k) => k.confusion(scores, labels, { decision: 'labels', numClasses: 3 }),
  },
  {
    name: 'decision threshold on bytes',
    error: TypeError,
    names: /pred with decision 'threshold'/,
    call: (k) => k.confusion(onehot, onehot, { decision: 'threshold', shape: [2, 3, 4] }),
  },
  {
    name: 'decision argmax on an Int32Array',
    error: TypeError,
    names: /pred with decision 'argmax'/,
    call: (k) => k.confusion(Int32Array.from(onehot), onehot, { decision: 'argmax', shape: [2, 3, 4] }),
  },
  // lengths and shapes
  {
    name: 'pred shorter than its shape',
    error: RangeError,
    names: /pred has length 7/,
    call: (k) => k.confusion(predLabels.subarray(1), labels, { numClasses: 3, shape }),
  },
  {
    name: 'a label-map target of the wrong length',
    error: RangeError,
    names: /target has length 7/,
    call: (k) => k.confusion(scores, labels.subarray(1), { shape: [2, 3, 4], target: 'labels' }),
  },
  {
    name: 'a dense target of the wrong length',
    error: RangeError,
    names: /target has length 23/,
    call: (k) => k.confusion(scores, onehot.subarray(1), { shape: [2, 3, 4], target: 'dense' }),
  },
  {
    name: 'numClasses against a class axis',
    error: RangeError,
    names: /numClasses is 4 but the class axis/,
    call: (k) => k.confusion(scores, onehot, { shape: [2, 3, 4], numClasses: 4 }),
  },
  {
    name: 'a shape with a fraction',
    error: RangeError,
    names: /shape/,
    call: (k) => k.confusion(predLabels, labels, { numClasses: 3, shape: [2, 4.5] }),
  },
  // labels outside [0, C)
  {
    name: 'a pred label equal to C',
    error: RangeError,
    names: /pred holds label 3 at index 5/,
    call: (k) => k.confusion(Uint8Array.from([0, 1, 1, 1, 2, 3, 0, 1]), labels, { numClasses: 3, shape }),
  },
  {
    name: 'a target label equal to C',
    error: RangeError,
    names: /target holds label 3 at index 2/,
    call: (k) => k.confusion(predLabels, Uint8Array.from([0, 1, 3, 1, 2, 2, 0, 1]), { numClasses: 3, shape }),
  },
  {
    name: 'a negative Int32 label',
    error: RangeError,
    names: /target holds label -1 at index 0/,
    call: (k) =>
      k.confusion(Int32Array.from(predLabels), Int32Array.from([-1, 1, 2, 1, 2, 2, 0, 1]), { numClasses: 3, shape }),
  },
  {
    name: 'a label that is not the ignoreIndex',
    error: RangeError,
    names: /target holds label 255/,
    call: (k) =>
      k.confusion(predLabels, Uint8Array.from([0, 1, 2, 255, 2, 2, 0, 1]), { numClasses: 3, shape, ignoreIndex: 254 }),
  },
  {
    name: 'an argmax against out-of-range labels',
    error: RangeError,
    names: /target holds label 7 at index 4/,
    call: (k) => k.confusion(scores, Uint8Array.from([0, 1, 2, 1, 7, 2, 0, 1]), { shape: [2, 3, 4], target: 'labels' }),
  },
  // options
  {
    name: 'a misspelt option',
    error: TypeError,
    names: /option 'numClass'.*did you mean 'numClasses'/,
    call: (k) => k.confusion(predLabels, labels, { numClass: 3 } as never),
  },
  {
    name: 'options that are not an object',
    error: TypeError,
    names: /options must be an object/,
    call: (k) => k.confusion(predLabels, labels, 3 as never),
  },
  {
    name: 'numClasses 0',
    error: RangeError,
    names: /numClasses must be an integer in \[1, 65536\]/,
    call: (k) => k.confusion(predLabels, labels, { numClasses: 0 }),
  },
  {
    name: 'an unknown decision',
    error: RangeError,
    names: /decision must be one of/,
    call: (k) => k.confusion(scores, onehot, { decision: 'max' as never, shape: [2, 3, 4] }),
  },
  {
    name: 'a NaN threshold',
    error: RangeError,
    names: /threshold must be a finite number/,
    call: (k) => k.confusion(scores, onehot, { decision: 'threshold', threshold: Number.NaN, shape: [2, 3, 4] }),
  },
  {
    name: 'a sigmoid threshold above 1',
    error: RangeError,
    names: /threshold must be in \[0, 1\]/,
    call: (k) =>
      k.confusion(scores, onehot, { decision: 'threshold', threshold: 1.5, activation: 'sigmoid', shape: [2, 3, 4] }),
  },
  {
    name: 'softmax then threshold',
    error: RangeError,
    names: /activation 'softmax' cannot be thresholded/,
    call: (k) => k.confusion(scores, onehot, { decision: 'threshold', activation: 'softmax', shape: [2, 3, 4] }),
  },
  {
    name: 'an activation on masks',
    error: RangeError,
    names: /activation 'sigmoid' applies to scores/,
    call: (k) => k.confusion(onehot, onehot, { activation: 'sigmoid', shape: [2, 3, 4] }),
  },
  {
    name: 'ignoreIndex with a dense target',
    error: RangeError,
    names: /ignoreIndex/,
    call: (k) => k.confusion(scores, onehot, { shape: [2, 3, 4], target: 'dense', ignoreIndex: 255 }),
  },
  {
    name: 'an unknown layout',
    error: RangeError,
    names: /layout must be one of/,
    call: (k) => k.confusion(scores, onehot, { shape: [2, 3, 4], layout: 'CHW' as never }),
  },
  // metrics
  {
    name: 'an unknown metric name',
    error: RangeError,
    names: /metrics\[1\] 'dise' is not a metric.*did you mean 'dice'/,
    call: (k) => k.metrics(predLabels, labels, { numClasses: 3, shape, metrics: ['iou', 'dise'] }),
  },
  {
    name: 'metrics that are not a list',
    error: TypeError,
    names: /metrics must be a non-empty array/,
    call: (k) => k.metrics(predLabels, labels, { numClasses: 3, shape, metrics: 'dice' as never }),
  },
  {
    name: 'no options at all',
    error: TypeError,
    names: /metrics: options must be an object with a 'metrics' list/,
    call: (k) => k.metrics(predLabels, labels, undefined as never),
  },
  {
    name: 'a metric listed twice',
    error: RangeError,
    names: /metrics\[1\] 'dice' is listed twice/,
    call: (k) => k.metrics(predLabels, labels, { numClasses: 3, shape, metrics: ['dice', 'dice'] }),
  },
  {
    name: 'an unknown reduction',
    error: RangeError,
    names: /reduction must be one of/,
    call: (k) => k.metrics(predLabels, labels, { numClasses: 3, shape, metrics: ['dice'], reduction: 'avg' as never }),
  },
  {
    name: 'a MONAI reduction with a torchmetrics average',
    error: RangeError,
    names: /reduction 'mean' is MONAI's reduction/,
    call: (k) =>
      k.metrics(predLabels, labels, { numClasses: 3, shape, metrics: ['dice'], average: 'macro', reduction: 'mean' }),
  },
  {
    name: 'an unknown average',
    error: RangeError,
    names: /average must be one of/,
    call: (k) =>
      k.metrics(predLabels, labels, { numClasses: 3, shape, metrics: ['dice'], average: 'samples' as never }),
  },
  {
    name: 'an unknown empty policy',
    error: RangeError,
    names: /empty must be one of 'nan', 'one', 'zero', 'formula'/,
    call: (k) => k.metrics(predLabels, labels, { numClasses: 3, shape, metrics: ['dice'], empty: 'skip' as never }),
  },
  {
    name: 'no background to exclude',
    error: RangeError,
    names: /includeBackground false needs at least 2 classes/,
    call: (k) =>
      k.metrics(Float32Array.of(0.2, 0.9), Float32Array.of(0, 1), { metrics: ['dice'], includeBackground: false }),
  },
  {
    name: 'a negative beta',
    error: RangeError,
    names: /beta must be a finite number ≥ 0/,
    call: (k) => k.metrics(predLabels, labels, { numClasses: 3, shape, metrics: ['fbeta'], beta: -1 }),
  },
  {
    name: 'an unknown weightType',
    error: RangeError,
    names: /weightType must be one of/,
    call: (k) =>
      k.metrics(predLabels, labels, { numClasses: 3, shape, metrics: ['generalizedDice'], weightType: 'log' as never }),
  },
];

describe.each(['simd', 'scalar', 'js'])('bad metric input on the %s backend', (backend) => {
  const kernel = () => kernels.find((k) => k.backend === backend) as DiceKernel;

  it.each(badCalls)('$name', ({ error, names, call }) => {
    const k = kernel();
    let thrown: unknown;
    try {
      call(k);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(error);
    const message = (thrown as Error).message;
    if (typeof names === 'string') expect(message).toContain(names);
    else expect(message).toMatch(names);
    // Still usable and right: class 1 of sample 0 (pred 1 1 1 at voxels 1-3, target 1 at 1 and 3).
    const counts = k.confusion(predLabels, labels, { numClasses: 3, shape });
    expect([counts.tp[1], counts.fp[1], counts.fn[1], counts.tn[1]]).toEqual([2, 1, 0, 1]);
  });

  it('a streaming metric keeps its state when an update, merge, add or fromJSON is refused', () => {
    const k = kernel();
    const m = k.createMetric({ numClasses: 3, metrics: ['dice'] }).update(predLabels, labels, { shape });
    const before = JSON.stringify(m.toJSON());
    const other = k.createMetric({ numClasses: 3, metrics: ['iou'] }).update(predLabels, labels, { shape });
    const refused: [() => unknown, typeof TypeError | typeof RangeError, RegExp][] = [
      [
        () => m.update(Uint8Array.from([0, 1, 9, 1]), labels.subarray(0, 4)),
        RangeError,
        /update: pred holds label 9 at index 2/,
      ],
      [
        () => m.update(scores, onehot, { shape: [2, 3, 4], decision: 'argmax' } as never),
        TypeError,
        /option 'decision' is not an option of update/,
      ],
      [
        () => m.update(predLabels, labels, { shape, sample: ['a'] }),
        RangeError,
        /sample gives 1 key\(s\) for 2 sample\(s\)/,
      ],
      [
        () => m.update(predLabels, labels, { shape, sample: ['a', 'a'] }),
        RangeError,
        /sample gives the same key to two samples/,
      ],
      [
        () => m.update(predLabels, labels, { shape, sample: [{}, 1] as never }),
        TypeError,
        /sample\[0\] must be a string or a finite number/,
      ],
      [() => m.merge(other), RangeError, /merge: other was made with other options/],
      [() => m.merge({ format: 'x' } as never), TypeError, /merge: other must be a metric or its toJSON/],
      [
        () => m.fromJSON({ ...m.toJSON(), samples: [{ counts: [1, 2, 3] }] }),
        RangeError,
        /fromJSON: json.samples\[0\].counts must be/,
      ],
      [
        () => m.fromJSON({ ...m.toJSON(), samples: [{ counts: [1, 0, 0, 3] }] }),
        RangeError,
        /holds 1 classes but this metric counts 3/,
      ],
      [
        () =>
          m.fromJSON({
            ...m.toJSON(),
            samples: [{ key: null, counts: new Array(12).fill(1) }],
          } as unknown as MetricJSON),
        TypeError,
        /json.samples\[0\].key must be/,
      ],
      [
        () => m.add({ ...k.confusion(predLabels, labels, { numClasses: 3, shape }), tp: new Float64Array(5) }),
        RangeError,
        /add: counts.tp has length 5/,
      ],
      [() => m.add(5 as never), TypeError, /add: counts must be/],
      [
        () => m.add(k.confusion(scores, onehot, { shape: [2, 3, 4] }).tp as never),
        RangeError,
        /add: counts.numSamples must be/,
      ],
      [
        () => m.add(k.confusion(Uint8Array.of(0, 1), Uint8Array.of(0, 1), { numClasses: 2 })),
        RangeError,
        /add: pred has 2 classes but this metric counts 3/,
      ],
      [
        () => m.compute({ reduction: 'mean', smooth: 1 } as never),
        TypeError,
        /compute: option 'smooth' is not an option of compute/,
      ],
    ];
    for (const [call, error, names] of refused) {
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, String(names)).toBeInstanceOf(error);
      expect((thrown as Error).message).toMatch(names);
      expect(JSON.stringify(m.toJSON())).toBe(before);
    }
    expect(() => k.createMetric({ numClasses: 3, metrics: ['dice'], shape } as never)).toThrow(
      /option 'shape' is not an option of createMetric/,
    );
    expect(() => k.createMetric({ numClasses: 3, metrics: ['dice'], layout: 'CHW' as never })).toThrow(
      /createMetric: layout must be one of/,
    );
    expect((m.update(predLabels, labels, { shape }).compute().dice as Float64Array).length).toBe(12);
  });
});

describe('bad counts and bad compat input', () => {
  it('metricsFromCounts names the counts at fault', () => {
    const good: ConfusionCounts = {
      tp: Float64Array.of(1),
      fp: Float64Array.of(0),
      fn: Float64Array.of(0),
      tn: Float64Array.of(1),
      numSamples: 1,
      numClasses: 1,
    };
    expect(() => metricsFromCounts({ ...good, fn: Float64Array.of(-1) }, { metrics: ['dice'] })).toThrow(
      /metricsFromCounts: counts.fn\[0\] must be a finite count ≥ 0/,
    );
    expect(() => metricsFromCounts({ ...good, numClasses: 0 }, { metrics: ['dice'] })).toThrow(
      /counts.numClasses must be an integer ≥ 1/,
    );
    expect(() => metricsFromCounts(good, { metrics: ['dice'], numClasses: 1 } as never)).toThrow(
      /option 'numClasses' is not an option of metricsFromCounts/,
    );
  });

  it('the compat layer names the Python parameter or tensor at fault', async () => {
    useKernel(await loadDice({ backend: 'js' }));
    const yPred = { data: new Float32Array(8), shape: [1, 2, 2, 2] };
    expect(() => monai.compute_dice(yPred, { data: new Float32Array(6), shape: [1, 2, 3] })).toThrow(
      /compute_dice: y has shape \[1, 2, 3\], which does not match/,
    );
    expect(() => monai.compute_dice(yPred, yPred, { include_backgroud: false } as never)).toThrow(
      /option 'include_backgroud'.*did you mean 'include_background'/,
    );
    expect(() => new monai.DiceMetric({ reduction: 'avg' as never })).toThrow(/DiceMetric: reduction must be one of/);
    expect(() => new monai.DiceMetric().aggregate()).toThrow(/DiceMetric.aggregate: buffer is empty/);
    expect(() => new monai.ConfusionMatrixMetric({ metric_name: ['tpr', 'sensitivty'] })).toThrow(
      /metric_name\[1\] 'sensitivty' is not a metric.*did you mean 'recall'/,
    );
    expect(() => new torchmetrics.DiceScore({} as never)).toThrow(/DiceScore: num_classes must be a positive integer/);
    expect(() => monai.compute_iou([[1, 0], [1]] as never, yPred)).toThrow(
      /compute_iou: y_pred is a ragged nested array/,
    );
    expect(() => monai.compute_iou({ data: [1, 0, 1], shape: [1, 2, 2] }, yPred)).toThrow(
      /y_pred has 3 values but shape \[1, 2, 2\] holds 4/,
    );
    expect(() =>
      monai.compute_dice(
        { data: Float32Array.of(0, 1.5), shape: [1, 1, 2] },
        { data: Float32Array.of(0, 1), shape: [1, 1, 2] },
        { num_classes: 2 },
      ),
    ).toThrow(/y_pred is read as a label map but holds 1.5/);
    expect(() => useKernel({} as never)).toThrow(/useKernel: kernel must be a kernel/);
  });
});
