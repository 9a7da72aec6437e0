// Fuzz (issue 14): every public function of the library, on every backend, over generated option
// objects, shapes and arrays (fast-check, seeded). Whatever comes in, a call returns or throws a
// TypeError or RangeError whose message starts with a function name and names an argument, in
// one line; an `out` is untouched when the call throws; and the kernel still gives the worked
// example afterwards. Sizes stay small: what is fuzzed is the checking, not the arithmetic.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as compat from '../../src/compat/index.js';
import { loadDice, loadDiceSync, metricsFromCounts, type DiceKernel } from '../../src/index.js';
import { type AnyLossName, LOSSES as REGISTRY } from '../../src/losses/registry.js';
import { BACKENDS, WORKED_PRED, WORKED_TARGET, expectWorkedExample } from '../support/worked.js';

const kernels = new Map<string, DiceKernel>();
beforeAll(async () => {
  for (const backend of BACKENDS) kernels.set(backend, await loadDice({ backend }));
});

/**
 * Runs of each property: kept so that the whole file takes seconds of CPU in `npm test`; longer
 * hunts: FUZZ_RUNS=5000 FUZZ_SEED=7 npx vitest run test/core/fuzz.test.ts.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const SEED = Number(process.env.FUZZ_SEED ?? 140_414);

/** A refusal as the contract says: the error types, `fn: argument …`, one line of bounded length. */
function expectContract(error: unknown): void {
  if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
  expect(error.message, error.stack).toMatch(/^[A-Za-z_][\w.]*: \S/);
  expect(error.message.length, error.message.slice(0, 200)).toBeLessThan(1200);
}

/** Calls `call`; a throw must keep the contract, and leave `out` (if any) as it was. */
function attempt(call: () => unknown, out?: Float32Array): boolean {
  const before = out?.slice();
  try {
    call();
    return true;
  } catch (error) {
    expectContract(error);
    if (out !== undefined && out.length === before?.length) expect(out).toEqual(before);
    return false;
  }
}

// ------------------------------------------------------------------------------------------------
// Generated values: what a hostile or careless caller might pass anywhere.

const weirdNumber = fc.constantFrom(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  -1,
  0.5,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  1e300,
  -1e300,
  65536,
  65537,
);
const number = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 6 }) },
  { weight: 2, arbitrary: fc.double() },
  weirdNumber,
);
const WORDS = [
  'none',
  'sigmoid',
  'softmax',
  'NCHW',
  'NHWC',
  'dense',
  'labels',
  'mean',
  'sum',
  'mean_batch',
  'sum_batch',
  'mean_channel',
  'argmax',
  'threshold',
  'nonzero',
  'nan',
  'one',
  'zero',
  'formula',
  'smooth',
  'skip',
  'square',
  'simple',
  'uniform',
  'micro',
  'macro',
  'weighted',
  'samplewise',
  'global',
  'present',
  'all',
  'binary',
  'multiclass',
  'multilabel',
  'dice',
  'iou',
  'hd95',
  'nsd',
  'assd',
  'hausdorff',
  'mcc',
  'jaccard',
  '__proto__',
  '',
];
const word = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

function shiftyArray(): unknown[] {
  const array: unknown[] = [];
  let reads = 0;
  Object.defineProperty(array, 0, { enumerable: true, get: () => (reads++ === 0 ? 2 : -7) });
  array.length = 2;
  array[1] = 3;
  return array;
}

/**
 * Values fast-check cannot hold (it inspects what it generates, and a revoked Proxy throws on
 * any inspection) travel as tokens, made real by `materialize` just before the call.
 */
const TOKENS: Record<string, () => unknown> = {
  '§revoked': () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    return r.proxy;
  },
  '§shifty': shiftyArray,
  '§proxy-array': () => new Proxy([1, 2], {}),
  '§proxy-typed': () => new Proxy(new Float32Array(6), {}),
  '§function': () => () => 1,
  '§symbol': () => Symbol('s'),
  '§bigint': () => 10n,
  '§null-proto': () => Object.create(null),
  '§date': () => new Date(0),
};

function materialize(v: unknown, depth = 0): unknown {
  if (typeof v === 'string' && Object.hasOwn(TOKENS, v)) return TOKENS[v]();
  if (depth > 3 || v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return v.map((x) => materialize(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, materialize(x, depth + 1)]));
}

const leaf = fc.oneof(
  { weight: 5, arbitrary: number },
  { weight: 5, arbitrary: word },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
  { weight: 2, arbitrary: fc.constantFrom(...Object.keys(TOKENS)) },
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: leaf },
  { weight: 2, arbitrary: fc.array(fc.oneof(number, word), { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.array(fc.array(number, { maxLength: 4 }), { maxLength: 3 }) },
);

/** A shape: mostly small non-negative integers (so that data of its size exists), sometimes anything. */
const shape = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }) },
  { weight: 2, arbitrary: fc.array(number, { maxLength: 5 }) },
  { weight: 1, arbitrary: value },
);

/** Element values: mostly what a valid call holds (probabilities, logits, labels 0..2), sometimes anything. */
const score = fc.oneof(
  { weight: 30, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) },
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 2 }) },
  { weight: 1, arbitrary: weirdNumber },
);
const label = fc.oneof(
  { weight: 40, arbitrary: fc.integer({ min: 0, max: 2 }) },
  { weight: 1, arbitrary: weirdNumber },
);

/**
 * An array of `n` elements (n from the shape when it is small, else a few): mostly of the type a
 * call takes (`types[0]`), sometimes one element too many or too few, sometimes anything.
 */
function arrayFor(
  n: number,
  types: readonly (new (n: number) => ArrayLike<number> & { [i: number]: number })[],
): fc.Arbitrary<unknown> {
  const length = Number.isSafeInteger(n) && n >= 0 && n <= 400 ? n : 6;
  const element = types[0] === Float32Array ? score : label;
  const typed = fc
    .tuple(
      fc.oneof({ weight: 6, arbitrary: fc.constant(types[0]) }, { weight: 2, arbitrary: fc.constantFrom(...types) }),
      fc.array(element, { minLength: length, maxLength: length }),
      fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1) }),
    )
    .map(([Type, values, extra]) => {
      const a = new Type(Math.max(0, values.length + extra));
      for (let i = 0; i < a.length; i++) a[i] = values[i % Math.max(values.length, 1)] ?? 0;
      return a;
    });
  return fc.oneof({ weight: 12, arbitrary: typed }, { weight: 1, arbitrary: value });
}

const SCORES = [Float32Array, Uint8Array, Uint16Array, Int32Array, Float64Array] as const;
const LABELS = [Uint8Array, Float32Array, Uint16Array, Int32Array, Float64Array] as const;

const product = (s: unknown): number =>
  Array.isArray(s) && s.every((d) => typeof d === 'number') ? s.reduce((a: number, d: number) => a * d, 1) : 6;

/**
 * Options: a valid base (when the function has one) with a few options changed or added, or
 * generated options of names the function knows, sometimes with an unknown name, or anything.
 */
function options(names: readonly string[], base: object = {}): fc.Arbitrary<unknown> {
  const known = fc
    .tuple(fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 3 }), fc.boolean())
    .map(([o, keepBase]) => (keepBase ? { ...base, ...o } : o));
  const withShape = fc.tuple(known, shape).map(([o, s]) => (names.includes('shape') ? { ...o, shape: s } : o));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(base) },
    { weight: 8, arbitrary: withShape },
    { weight: 1, arbitrary: fc.tuple(withShape, fc.string({ maxLength: 8 })).map(([o, k]) => ({ ...o, [k]: 1 })) },
    { weight: 1, arbitrary: value },
  );
}

/** pred, target and options of one call, the arrays sized (mostly) by the shape. */
function callInput(names: readonly string[], base?: object) {
  return options(names, base).chain((o) => {
    const s = o !== null && typeof o === 'object' ? (o as { shape?: unknown }).shape : undefined;
    const n = s === undefined ? 6 : product(s);
    const labelsLength =
      Array.isArray(s) && s.length > 1 && typeof s[1] === 'number' && s[1] > 0 ? n / (s[1] as number) : n;
    return fc.record({
      options: fc.constant(o),
      pred: fc.oneof(arrayFor(n, SCORES), arrayFor(n, LABELS)),
      target: fc.oneof(arrayFor(n, SCORES), arrayFor(labelsLength, LABELS)),
    });
  });
}

// ------------------------------------------------------------------------------------------------
// The functions.

const TENSOR = ['shape', 'layout', 'activation', 'target', 'ignoreIndex'];
const OVERLAP = [
  ...TENSOR,
  'includeBackground',
  'batch',
  'reduction',
  'smooth',
  'smoothNr',
  'smoothDr',
  'squared',
  'softLabel',
  'mask',
  'weight',
  'logLoss',
  'empty',
  'alpha',
  'beta',
  'gamma',
  'weightType',
];
const METRIC = [
  'numClasses',
  'shape',
  'layout',
  'decision',
  'threshold',
  'activation',
  'target',
  'ignoreIndex',
  'metrics',
  'includeBackground',
  'reduction',
  'average',
  'aggregation',
  'empty',
  'beta',
  'weightType',
];
const SURFACE = [...METRIC, 'spacing', 'percentile', 'directed', 'tolerance'];

type Method = (k: DiceKernel, pred: unknown, target: unknown, options: unknown, out: Float32Array) => unknown;
/** Valid options to start from, so that generated calls also get past the first checks. */
const BASES: Record<string, object> = {
  confusion: { numClasses: 3 },
  metrics: { numClasses: 3, metrics: ['dice', 'hd95'].slice(0, 1) },
  surfaceMetrics: { numClasses: 3, metrics: ['hausdorff95'] },
  createSurfaceMetric: { numClasses: 3, metrics: ['assd'], shape: [1, 2, 3] },
  createMetric: { numClasses: 3, metrics: ['dice'], shape: [2, 3] },
  crossEntropyLoss: { shape: [2, 3, 2] },
  crossEntropyLossWithGrad: { shape: [2, 3, 2] },
  diceCELoss: { shape: [2, 3, 2] },
  diceCELossWithGrad: { shape: [2, 3, 2] },
};
const LOSSES = [
  'dice',
  'jaccard',
  'tversky',
  'focalTversky',
  'generalizedDice',
  'mcc',
  'bce',
  'crossEntropy',
  'focal',
  'diceCE',
  'diceFocal',
  'generalizedDiceFocal',
];

const METHODS: [string, readonly string[], Method][] = [
  ...LOSSES.flatMap((loss): [string, readonly string[], Method][] => [
    [
      `${loss}Loss`,
      [...REGISTRY[loss as AnyLossName].options, 'mask'],
      (k, p, t, o) => (k as never as Record<string, (...a: unknown[]) => unknown>)[`${loss}Loss`](p, t, o),
    ],
    [
      `${loss}LossWithGrad`,
      [...REGISTRY[loss as AnyLossName].options, 'mask'],
      (k, p, t, o, out) =>
        (k as never as Record<string, (...a: unknown[]) => unknown>)[`${loss}LossWithGrad`](p, t, withOut(o, out)),
    ],
  ]),
  ['diceCoefficient', OVERLAP, (k, p, t, o) => k.diceCoefficient(p as never, t as never, o as never)],
  [
    'lovaszHingeLoss',
    ['shape', 'perImage', 'ignoreIndex'],
    (k, p, t, o) => k.lovaszHingeLoss(p as never, t as never, o as never),
  ],
  [
    'lovaszSoftmaxLossWithGrad',
    [...TENSOR, 'classes', 'perImage'],
    (k, p, t, o, out) => k.lovaszSoftmaxLossWithGrad(p as never, t as never, withOut(o, out) as never),
  ],
  ['confusion', METRIC, (k, p, t, o) => k.confusion(p as never, t as never, o as never)],
  ['metrics', METRIC, (k, p, t, o) => k.metrics(p as never, t as never, o as never)],
  ['surfaceMetrics', SURFACE, (k, p, t, o) => k.surfaceMetrics(p as never, t as never, o as never)],
  [
    'createLoss',
    [...OVERLAP, 'loss'],
    (k, p, t, o, out) => {
      const [rest] = splitShape(o);
      const spread = rest !== null && typeof rest === 'object' ? rest : {};
      const loss = k.createLoss({
        loss: LOSSES[ArrayBuffer.isView(p) ? (p as Float32Array).length % LOSSES.length : 0],
        ...spread,
      } as never);
      loss.value(p as never, t as never);
      return loss.valueAndGrad(p as never, t as never, out);
    },
  ],
  [
    'createMetric',
    METRIC,
    (k, p, t, o) => {
      const [create, shape] = splitShape(o);
      return k
        .createMetric(create as never)
        .update(p as never, t as never, { shape } as never)
        .compute();
    },
  ],
  [
    'createSurfaceMetric',
    SURFACE,
    (k, p, t, o) => {
      const [create, shape] = splitShape(o);
      return k
        .createSurfaceMetric(create as never)
        .update(p as never, t as never, { shape } as never)
        .compute();
    },
  ],
];

/** The options of a streaming metric's constructor, and the shape its update takes. */
function splitShape(o: unknown): [unknown, unknown] {
  try {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return [o, undefined];
    const { shape, ...rest } = o as { shape?: unknown };
    return [rest, shape];
  } catch {
    return [{}, undefined]; // a revoked Proxy: not spread (the test's own spread would throw)
  }
}

function withOut(o: unknown, out: Float32Array): unknown {
  try {
    return o !== null && typeof o === 'object' && !Array.isArray(o) ? { ...o, out } : o;
  } catch {
    return o; // a revoked Proxy: passed as it is
  }
}

describe.each(BACKENDS)('fuzz: every method keeps the error contract (%s)', (backend) => {
  const k = () => kernels.get(backend) as DiceKernel;

  it.each(METHODS)('%s', (name, names, method) => {
    let accepted = 0;
    fc.assert(
      fc.property(callInput(names, BASES[name]), ({ options: o, pred, target }) => {
        const length = ArrayBuffer.isView(pred) ? (pred as Float32Array).length : 6;
        const out = new Float32Array(length).fill(777.5);
        const [p, t, opts] = [pred, target, o].map((x) => materialize(x));
        if (attempt(() => method(k(), p, t, opts, out), out)) accepted++;
      }),
      { seed: SEED + name.length, numRuns: RUNS },
    );
    expectWorkedExample(k());
    // Some generated calls are valid: the fuzz reaches past the first checks.
    expect(accepted, `${name}: no generated call was accepted`).toBeGreaterThan(0);
  });

  it('alloc, free, reserve and scope', () => {
    fc.assert(
      fc.property(value, value, fc.boolean(), (typeToken, lengthToken, twice) => {
        const [type, length] = [typeToken, lengthToken].map((x) => materialize(x));
        attempt(() => k().alloc(type as never, length as never));
        attempt(() => k().reserve(typeof length === 'number' ? Math.min(length, 1 << 20) : (length as never)));
        attempt(() => k().free(type as never));
        attempt(() =>
          k().scope((scope) => {
            const a = scope.alloc(Float32Array, 4);
            if (twice) k().free(a);
            return a.length;
          }),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expectWorkedExample(k());
  });

  it('streaming metrics: add, merge and fromJSON of generated states', () => {
    const counts = fc.record({
      tp: fc.oneof(
        value,
        fc.array(number, { maxLength: 4 }).map((a) => Float64Array.from(a)),
      ),
      fp: fc.array(number, { maxLength: 4 }).map((a) => Float64Array.from(a)),
      fn: fc.array(number, { maxLength: 4 }).map((a) => Float64Array.from(a)),
      tn: fc.array(number, { maxLength: 4 }).map((a) => Float64Array.from(a)),
      numSamples: number,
      numClasses: number,
    });
    const state = fc.record({
      format: fc.constantFrom('dice-wasm/metric', 'dice-wasm/surface-metric', 'x'),
      version: fc.oneof(fc.constant(1), number),
      options: value,
      samples: fc.oneof(
        fc.array(
          fc.record({ counts: value, records: fc.array(fc.oneof(number, word), { maxLength: 24 }), key: value }),
          { maxLength: 3 },
        ),
        value,
      ),
    });
    fc.assert(
      fc.property(counts, state, value, (cToken, jsonToken, sampleToken) => {
        const [c, json, sample] = [cToken, jsonToken, sampleToken].map((x) => materialize(x)) as [
          object,
          object,
          unknown,
        ];
        const m = k().createMetric({ numClasses: 2, metrics: ['dice'] });
        attempt(() => m.add(c as never, { sample } as never));
        attempt(() => m.merge(json as never));
        attempt(() => m.fromJSON(json as never));
        attempt(() => m.compute({ reduction: sample } as never));
        attempt(() =>
          k()
            .createMetric({ numClasses: 2, metrics: ['dice'] })
            .fromJSON(JSON.parse(JSON.stringify(m))),
        );
        const s = k().createSurfaceMetric({ numClasses: 2, metrics: ['hd', 'nsd'], tolerance: 1 });
        attempt(() => s.merge(json as never));
        attempt(() => s.fromJSON(json as never));
        attempt(() => metricsFromCounts(c as never, { metrics: ['dice'], reduction: sample } as never));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expectWorkedExample(k());
  });
});

describe('fuzz: loading and the compat layer keep the error contract', () => {
  it('loadDice and loadDiceSync options', async () => {
    const load = options(['backend', 'sharedMemory', 'stagingBytes']);
    await fc.assert(
      fc.asyncProperty(load, async (token) => {
        const o = materialize(token);
        attempt(() => loadDiceSync(o as never));
        const r = await loadDice(o as never).then(
          () => null,
          (e: unknown) => e,
        );
        if (r !== null) expectContract(r);
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 3) },
    );
  });

  const PARAMS = [
    'include_background',
    'to_onehot_y',
    'sigmoid',
    'softmax',
    'squared_pred',
    'jaccard',
    'reduction',
    'smooth_nr',
    'smooth_dr',
    'batch',
    'weight',
    'soft_label',
    'alpha',
    'beta',
    'gamma',
    'w_type',
    'lambda_dice',
    'lambda_ce',
    'lambda_focal',
    'lambda_gdl',
    'label_smoothing',
    'use_softmax',
    'mode',
    'classes',
    'log_loss',
    'from_logits',
    'smooth',
    'ignore_index',
    'eps',
    'dims',
    'axis',
    'num_classes',
    'per_class',
    'input_format',
    'average',
    'distance_metric',
    'percentile',
    'directed',
    'spacing',
    'class_thresholds',
    'get_not_nans',
    'ignore_empty',
    'metric_name',
    'compute_sample',
    'per_image',
    'pos_weight',
    'reduce_batch',
    'return_with_label',
    'include_zero',
  ];
  const tensor = fc.oneof(
    {
      weight: 4,
      arbitrary: shape.chain((s) => fc.record({ data: arrayFor(product(s), SCORES), shape: fc.constant(s) })),
    },
    { weight: 1, arbitrary: fc.array(fc.array(number, { maxLength: 3 }), { maxLength: 3 }) },
    { weight: 1, arbitrary: value },
  );
  const callables = Object.entries(compat).flatMap(([library, exports]) =>
    typeof exports === 'object'
      ? Object.entries(exports as Record<string, unknown>).map(([name, f]) => [`${library}.${name}`, f] as const)
      : [],
  );
  let previous: DiceKernel;

  beforeAll(async () => {
    previous = await loadDice({ backend: 'js' });
    compat.useKernel(previous);
  });
  afterAll(() => compat.useKernel(previous));

  it.each(callables.map(([name]) => name))('%s', (name) => {
    const f = (callables.find(([n]) => n === name) as readonly [string, unknown])[1];
    if (typeof f !== 'function') return;
    fc.assert(
      fc.property(options(PARAMS), tensor, tensor, (paramsToken, aToken, bToken) => {
        const [params, a, b] = [paramsToken, aToken, bToken].map((x) => materialize(x));
        const isClass = /^[A-Z]/.test(f.name);
        if (!isClass) {
          attempt(() => (f as (...x: unknown[]) => unknown)(a, b, params));
          return;
        }
        let instance: Record<string, unknown> | undefined;
        if (!attempt(() => (instance = new (f as new (p: unknown) => Record<string, unknown>)(params)))) return;
        for (const method of ['forward', 'forwardWithGrad', 'call', 'callWithGrad', 'update', 'compute', 'aggregate']) {
          const m = instance?.[method];
          if (typeof m === 'function') attempt(() => m.call(instance, a, b));
        }
      }),
      { seed: SEED + name.length, numRuns: Math.ceil(RUNS / 2) },
    );
    expect(kernels.get('simd')?.diceLoss(WORKED_PRED, WORKED_TARGET)).toBeCloseTo(0.35692084, 6);
  });
});
