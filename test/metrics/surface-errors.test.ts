// Bad input to the surface metrics: a TypeError or RangeError whose message names the argument
// or option at fault, on every backend and in dice-wasm/compat; a streaming metric keeps its
// state and stays usable after a refused update.
import { beforeAll, describe, expect, it } from 'vitest';
import { monai, useKernel } from '../../src/compat/index.js';
import { loadDice, type DiceKernel, type SurfaceMetricsOptions } from '../../src/index.js';

const kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels.push(
    await loadDice({ backend: 'simd' }),
    await loadDice({ backend: 'scalar' }),
    await loadDice({ backend: 'js' }),
  );
});

// One 4×5 image, 2 classes.
const pred = Uint8Array.from({ length: 20 }, (_, i) => (i % 5 > 1 ? 1 : 0));
const target = Uint8Array.from({ length: 20 }, (_, i) => (i % 5 > 2 ? 1 : 0));
const ok = { numClasses: 2, shape: [1, 4, 5], metrics: ['hausdorff95'] };
const call = (options: unknown) => (k: DiceKernel) => k.surfaceMetrics(pred, target, options as SurfaceMetricsOptions);

interface BadCall {
  name: string;
  error: typeof TypeError | typeof RangeError;
  names: RegExp;
  call: (k: DiceKernel) => unknown;
}

const badCalls: BadCall[] = [
  {
    name: 'no options',
    error: TypeError,
    names: /surfaceMetrics: options must be an object with 'metrics' and 'shape'/,
    call: (k) => k.surfaceMetrics(pred, target, undefined as never),
  },
  {
    name: 'no shape',
    error: RangeError,
    names: /surfaceMetrics: shape is required/,
    call: call({ numClasses: 2, metrics: ['hausdorff'] }),
  },
  {
    name: 'a shape with no spatial axis',
    error: RangeError,
    names: /shape \[20\] has 0 spatial axes/,
    call: call({ ...ok, shape: [20] }),
  },
  {
    name: 'a shape with 4 spatial axes',
    error: RangeError,
    names: /shape \[1, 1, 2, 2, 5\] has 4 spatial axes/,
    call: call({ ...ok, shape: [1, 1, 2, 2, 5] }),
  },
  {
    name: 'a shape that does not multiply out',
    error: RangeError,
    names: /pred has length 20 but shape \[1, 4, 4\]/,
    call: call({ ...ok, shape: [1, 4, 4] }),
  },
  {
    name: 'no metrics',
    error: TypeError,
    names: /metrics must be a non-empty array of metric names, e\.g\. \['hausdorff95', 'nsd'\]/,
    call: call({ ...ok, metrics: [] }),
  },
  {
    name: 'an unknown metric',
    error: RangeError,
    names: /metrics\[0\] 'hausdorf' is not a metric this library knows \(did you mean 'hausdorff'\?\)/,
    call: call({ ...ok, metrics: ['hausdorf'] }),
  },
  {
    name: 'an overlap metric',
    error: RangeError,
    names: /metrics\[1\] 'dice' is a metric of confusion counts: use metrics\(\)/,
    call: call({ ...ok, metrics: ['hd95', 'dice'] }),
  },
  {
    name: 'a metric listed twice',
    error: RangeError,
    names: /metrics\[1\] 'nsd' is listed twice/,
    call: call({ ...ok, metrics: ['nsd', 'nsd'], tolerance: 1 }),
  },
  {
    name: 'spacing of the wrong length',
    error: RangeError,
    names: /spacing has 3 values but the images have 2 spatial axes/,
    call: call({ ...ok, spacing: [1, 1, 1] }),
  },
  {
    name: 'a zero spacing',
    error: RangeError,
    names: /spacing\[1\] must hold finite numbers > 0/,
    call: call({ ...ok, spacing: [1, 0] }),
  },
  {
    name: 'a negative spacing',
    error: RangeError,
    names: /spacing must be a number > 0/,
    call: call({ ...ok, spacing: -1 }),
  },
  {
    name: 'a spacing that is not a number',
    error: RangeError,
    names: /spacing must be a number > 0/,
    call: call({ ...ok, spacing: '1mm' }),
  },
  {
    name: 'one spacing per sample, for the wrong number of samples',
    error: RangeError,
    names: /spacing gives 2 spacings, one per sample, but the batch has 1 samples/,
    call: call({
      ...ok,
      spacing: [
        [1, 1],
        [2, 2],
      ],
    }),
  },
  {
    name: 'nsd without tolerance',
    error: RangeError,
    names: /tolerance is required for 'nsd'/,
    call: call({ ...ok, metrics: ['nsd'] }),
  },
  {
    name: 'a negative tolerance',
    error: RangeError,
    names: /tolerance must be a finite number ≥ 0/,
    call: call({ ...ok, metrics: ['nsd'], tolerance: -1 }),
  },
  {
    name: 'a tolerance per class of the wrong length',
    error: RangeError,
    names: /tolerance has 3 values but there are 2 classes/,
    call: call({ ...ok, metrics: ['nsd'], tolerance: [1, 1, 1] }),
  },
  {
    name: 'an infinite tolerance in the list',
    error: RangeError,
    names: /tolerance\[1\] must be a finite number ≥ 0/,
    call: call({ ...ok, metrics: ['nsd'], tolerance: [1, Infinity] }),
  },
  {
    name: 'a percentile above 100',
    error: RangeError,
    names: /percentile must be a number in \[0, 100\]/,
    call: call({ ...ok, percentile: 101 }),
  },
  {
    name: 'a percentile as a fraction string',
    error: RangeError,
    names: /percentile must be a number in \[0, 100\]/,
    call: call({ ...ok, percentile: '95' }),
  },
  {
    name: "empty 'one' with a distance",
    error: RangeError,
    names: /empty 'one' scores an empty prediction of an empty target 1, which is not a distance \('hausdorff95'\)/,
    call: call({ ...ok, empty: 'one' }),
  },
  {
    name: 'an unknown empty policy',
    error: RangeError,
    names: /empty must be one of 'nan', 'one', 'zero', 'formula'/,
    call: call({ ...ok, empty: 'skip' }),
  },
  {
    name: 'directed as a string',
    error: TypeError,
    names: /directed must be a boolean/,
    call: call({ ...ok, directed: 'yes' }),
  },
  {
    name: 'a misspelt option',
    error: TypeError,
    names: /option 'spacings'.*did you mean 'spacing'/,
    call: call({ ...ok, spacings: [1, 1] }),
  },
  {
    name: 'an average (torchmetrics) option',
    error: TypeError,
    names: /option 'average' is not an option of surfaceMetrics/,
    call: call({ ...ok, average: 'macro' }),
  },
  {
    name: 'includeBackground false with one class',
    error: RangeError,
    names: /includeBackground false needs at least 2 classes/,
    call: (k) =>
      k.surfaceMetrics(pred, target, { ...ok, numClasses: undefined, shape: [1, 1, 4, 5], includeBackground: false }),
  },
  {
    name: 'a label outside [0, numClasses)',
    error: RangeError,
    names: /target holds label 2 at index 3/,
    call: (k) =>
      k.surfaceMetrics(
        pred,
        Uint8Array.from(target, (v, i) => (i === 3 ? 2 : v)),
        ok,
      ),
  },
  {
    name: 'a reduction of torchmetrics',
    error: RangeError,
    names: /reduction must be one of/,
    call: call({ ...ok, reduction: 'macro' }),
  },
  {
    name: 'an unknown HD convention',
    error: RangeError,
    names: /surfaceMetrics: hdConvention must be one of 'max-directed', 'pooled'; got string 'medpy'/,
    call: call({ ...ok, hdConvention: 'medpy' }),
  },
  {
    name: 'an HD convention as a boolean',
    error: RangeError,
    names: /surfaceMetrics: hdConvention must be one of 'max-directed', 'pooled'; got boolean true/,
    call: call({ ...ok, hdConvention: true }),
  },
  {
    name: "hdConvention 'pooled' with directed",
    error: RangeError,
    names: /surfaceMetrics: hdConvention 'pooled' pools the distances of both directions, which directed: true/,
    call: call({ ...ok, hdConvention: 'pooled', directed: true }),
  },
  {
    name: 'the former option pooledPercentile',
    error: TypeError,
    names: /option 'pooledPercentile' is not an option of surfaceMetrics/,
    call: call({ ...ok, pooledPercentile: true }),
  },
  {
    name: 'a surface connectivity that is none',
    error: RangeError,
    names: /surfaceMetrics: surfaceConnectivity must be 2 \(1D\), 4 or 8 \(2D\), 6, 18 or 26 \(3D\).*got number 5/,
    call: call({ ...ok, surfaceConnectivity: 5 }),
  },
  {
    name: 'a 3D surface connectivity for 2D images',
    error: RangeError,
    names: /surfaceMetrics: surfaceConnectivity 26 is not a connectivity of 2 spatial axes \(4, 8\)/,
    call: call({ ...ok, surfaceConnectivity: 26 }),
  },
];

describe.each(['simd', 'scalar', 'js'])('surface metrics refuse bad input (%s)', (backend) => {
  const k = () => kernels.find((x) => x.backend === backend)!;

  it.each(badCalls)('$name', ({ error, names, call: bad }) => {
    let thrown: unknown;
    try {
      bad(k());
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(error);
    expect((thrown as Error).message).toMatch(names);
    expect((k().surfaceMetrics(pred, target, ok).hausdorff95 as Float64Array)[1]).toBe(1);
  });

  it('k.metrics points surface metric names to surfaceMetrics', () => {
    expect(() => k().metrics(pred, target, { numClasses: 2, metrics: ['dice', 'hd95'] })).toThrow(
      /metrics\[1\] 'hd95' is a surface-distance metric: use surfaceMetrics\(\)/,
    );
  });

  it('a streaming surface metric refuses a bad or shape-less update, JSON of other options; keeps its state', () => {
    const m = k().createSurfaceMetric({ numClasses: 2, metrics: ['assd'] });
    m.update(pred, target, { shape: [1, 4, 5] });
    expect(() => m.update(pred, target, { shape: [1, 4, 5], spacing: [1, 2, 3] })).toThrow(
      /update: spacing has 3 values/,
    );
    expect(() => m.update(pred, target, {} as never)).toThrow(/update: shape is required/);
    expect(() =>
      m.merge(
        k()
          .createSurfaceMetric({ numClasses: 2, metrics: ['asd'] })
          .toJSON(),
      ),
    ).toThrow(/merge: other was made with other options/);
    expect(() => m.fromJSON({ format: 'dice-wasm/metric' } as never)).toThrow(
      /fromJSON: json must be a surface metric or its toJSON\(\)/,
    );
    expect(() => m.compute({ average: 'macro' } as never)).toThrow(/option 'average' is not an option of compute/);
    expect(m.numSamples).toBe(1);
    const none = k().createSurfaceMetric({ numClasses: 2, metrics: ['assd'], includeBackground: false });
    none.update(pred, target, { shape: [1, 4, 5] });
    expect(() => none.compute({ includeBackground: true })).toThrow(
      /compute: includeBackground true: class 0 was not measured/,
    );
  });
});

describe('dice-wasm/compat surface metrics refuse bad input', () => {
  beforeAll(() => useKernel(kernels[0]));
  const yPred = { data: new Uint8Array(2 * 16).fill(1), shape: [1, 2, 4, 4] };

  it('names the Python parameter at fault', () => {
    expect(() => monai.compute_hausdorff_distance(yPred, yPred, { distance_metric: 'taxicab' })).toThrow(
      /compute_hausdorff_distance: distance_metric must be 'euclidean'/,
    );
    expect(() => monai.compute_hausdorff_distance(yPred, yPred, { percentile: 120 })).toThrow(
      /percentile should be a value between 0 and 100/,
    );
    expect(() => monai.compute_hausdorff_distance(yPred, yPred, { spacing: [1, 1, 1] })).toThrow(
      /spacing has 3 values but the images have 2 spatial axes/,
    );
    expect(() =>
      monai.compute_hausdorff_distance({ data: [1, 0], shape: [1, 2] }, { data: [1, 0], shape: [1, 2] }),
    ).toThrow(/y_pred must have at least 3 dimensions/);
    expect(() => monai.compute_surface_dice(yPred, yPred, [1, 2])).toThrow(
      /class_thresholds has 2 values but there are 1 classes/,
    );
    expect(() => monai.compute_surface_dice(yPred, yPred, [-1])).toThrow(
      /class_thresholds\[0\] must be a list of finite numbers ≥ 0/,
    );
    expect(() => monai.compute_surface_dice(yPred, yPred, [1], { use_subvoxels: true })).toThrow(
      /use_subvoxels true .* is not provided/,
    );
    expect(() => monai.compute_average_surface_distance(yPred, yPred, { symetric: true } as never)).toThrow(
      /option 'symetric'.*did you mean 'symmetric'/,
    );
  });
});
