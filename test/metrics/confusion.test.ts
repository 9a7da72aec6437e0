// Confusion counts on every backend equal the counts by definition (test/reference/confusion.ts)
// for every pair of input kinds: label maps (u8, u16, i32), argmax of scores, thresholds (on
// probabilities or logits), non-zero masks (u8, f32); both layouts; ignoreIndex; lengths that
// are not multiples of 4 or 16, 0 and 1; views at non-zero byte offsets and arrays from alloc.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type ConfusionCounts, type ConfusionOptions, type DiceKernel } from '../../src/index.js';
import { countsByDefinition, firstArgmax, type CountsByDefinition } from '../reference/confusion.js';
import { spatialAxis } from '../support/arbitraries.js';
import { offsetView, rng } from '../support/random.js';

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

type PredKind =
  | 'labels-u8'
  | 'labels-u16'
  | 'labels-i32'
  | 'argmax'
  | 'threshold'
  | 'threshold-logits'
  | 'nonzero-u8'
  | 'nonzero-f32';
type TargetKind = 'labels-u8' | 'labels-u16' | 'labels-i32' | 'dense-u8' | 'dense-f32';

interface Case {
  B: number;
  C: number;
  spatial: number[];
  layout: 'NCHW' | 'NHWC';
  pred: PredKind;
  target: TargetKind;
  /** Which label is ignored, if any: none, background, a label ≥ C, or 255. */
  ignore: 'none' | 'zero' | 'above' | '255';
  threshold: number;
  offset: number;
  resident: boolean;
  seed: number;
}

type Labels = Uint8Array | Uint16Array | Int32Array;
type Built = {
  pred: Float32Array | Labels;
  target: Float32Array | Labels;
  options: ConfusionOptions;
  expected: CountsByDefinition;
};

const LABEL_TYPES = { 'labels-u8': Uint8Array, 'labels-u16': Uint16Array, 'labels-i32': Int32Array } as const;

function build(c: Case): Built {
  const random = rng(c.seed);
  const { B, C } = c;
  const S = c.spatial.reduce((a, d) => a * d, 1);
  const predLabels = c.pred.startsWith('labels');
  const targetLabels = c.target.startsWith('labels');
  const index = (b: number, cls: number, s: number) =>
    c.layout === 'NCHW' ? (b * C + cls) * S + s : (b * S + s) * C + cls;
  const ignoreIndex =
    !targetLabels || c.ignore === 'none' ? undefined : c.ignore === 'zero' ? 0 : c.ignore === 'above' ? C + 2 : 255;
  // Label maps hold runs of equal labels (like masks in memory) and, where ignoring, the ignored label.
  const labelMap = (ignoring: number | undefined): number[] => {
    let label = 0;
    return Array.from({ length: B * S }, () => {
      if (random() < 0.2) label = Math.floor(random() * C);
      return ignoring !== undefined && random() < 0.15 ? ignoring : label;
    });
  };
  const n = B * C * S;

  let pred: Float32Array | Labels;
  let predSays: (b: number, cls: number, s: number) => boolean;
  if (predLabels) {
    const values = labelMap(undefined);
    pred = offsetView(LABEL_TYPES[c.pred as keyof typeof LABEL_TYPES] as typeof Uint8Array, values, c.offset);
    predSays = (b, cls, s) => values[b * S + s] === cls;
  } else if (c.pred === 'nonzero-u8') {
    const values = Array.from({ length: n }, () => (random() < 0.4 ? 1 + Math.floor(random() * 3) : 0));
    pred = offsetView(Uint8Array, values, c.offset);
    predSays = (b, cls, s) => values[index(b, cls, s)] !== 0;
  } else {
    // Scores on a grid (ties happen; no value within f32 rounding of a logit threshold), some NaN.
    const values = Array.from({ length: n }, () =>
      random() < 0.01
        ? Number.NaN
        : c.pred === 'nonzero-f32' && random() < 0.5
          ? 0
          : Math.round(16 * (random() - 0.3)) / 8,
    );
    pred = offsetView(Float32Array, values, c.offset);
    const t = c.threshold;
    if (c.pred === 'argmax') {
      predSays = (b, cls, s) => firstArgmax((k) => values[index(b, k, s)], C) === cls;
    } else if (c.pred === 'threshold') {
      predSays = (b, cls, s) => values[index(b, cls, s)] > Math.fround(t);
    } else if (c.pred === 'threshold-logits') {
      predSays = (b, cls, s) => 1 / (1 + Math.exp(-values[index(b, cls, s)])) > t;
    } else {
      predSays = (b, cls, s) => values[index(b, cls, s)] !== 0;
    }
  }

  let target: Float32Array | Labels;
  let targetSays: (b: number, cls: number, s: number) => boolean;
  let counted: (b: number, s: number) => boolean = () => true;
  if (targetLabels) {
    const values = labelMap(ignoreIndex);
    target = offsetView(LABEL_TYPES[c.target as keyof typeof LABEL_TYPES] as typeof Uint8Array, values, c.offset + 1);
    targetSays = (b, cls, s) => values[b * S + s] === cls;
    if (ignoreIndex !== undefined) counted = (b, s) => values[b * S + s] !== ignoreIndex;
  } else {
    const values = Array.from({ length: n }, () =>
      random() < 0.35 ? (c.target === 'dense-f32' ? 0.25 + random() : 1) : 0,
    );
    target = offsetView(
      (c.target === 'dense-u8' ? Uint8Array : Float32Array) as typeof Float32Array,
      values,
      c.offset + 2,
    );
    targetSays = (b, cls, s) => values[index(b, cls, s)] !== 0;
  }

  const denseShape = c.layout === 'NCHW' ? [B, C, ...c.spatial] : [B, ...c.spatial, C];
  const options: ConfusionOptions = {
    shape: predLabels ? [B, ...(c.spatial.length ? c.spatial : [1])] : denseShape,
    layout: c.layout,
    target: targetLabels ? 'labels' : 'dense',
    ...(predLabels ? { numClasses: C, decision: 'labels' as const } : {}),
    ...(c.pred === 'argmax' ? { decision: 'argmax' as const } : {}),
    ...(c.pred.startsWith('threshold') ? { decision: 'threshold' as const, threshold: c.threshold } : {}),
    ...(c.pred === 'threshold-logits' ? { activation: 'sigmoid' as const } : {}),
    ...(c.pred.startsWith('nonzero') ? { decision: 'nonzero' as const } : {}),
    ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
  };
  return { pred, target, options, expected: countsByDefinition(B, C, S, predSays, targetSays, counted) };
}

function asLists(counts: ConfusionCounts): CountsByDefinition {
  return { tp: Array.from(counts.tp), fp: Array.from(counts.fp), fn: Array.from(counts.fn), tn: Array.from(counts.tn) };
}

/** The same array, placed in the kernel's memory (the zero-copy path). */
function resident<T extends Float32Array | Labels>(k: DiceKernel, array: T): T {
  const copy = k.alloc(array.constructor as unknown as Uint8ArrayConstructor, array.length) as unknown as T;
  copy.set(array as never);
  return copy;
}

function check(c: Case): void {
  const { pred, target, options, expected } = build(c);
  for (const k of kernels) {
    let p = pred,
      t = target;
    if (c.resident && k.backend !== 'js') {
      k.reserve(pred.byteLength + target.byteLength + 1024);
      p = resident(k, pred);
      t = resident(k, target);
    }
    const counts = k.confusion(p, t, options);
    expect(asLists(counts), `${k.backend} ${JSON.stringify(c)}`).toEqual(expected);
    expect([counts.numSamples, counts.numClasses]).toEqual([c.B, c.C]);
    if (p !== pred) {
      k.free(p);
      k.free(t);
    }
  }
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    B: fc.integer({ min: 1, max: 3 }),
    // Up to 70 classes: the per-class compare passes and the counting pass of the kernel.
    C: fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 1, max: 6 }) },
      { weight: 1, arbitrary: fc.integer({ min: 7, max: 70 }) },
    ),
    spatial: fc.array(spatialAxis, { minLength: 0, maxLength: 3 }),
    layout: fc.constantFrom('NCHW' as const, 'NHWC' as const),
    pred: fc.constantFrom<PredKind>(
      'labels-u8',
      'labels-u16',
      'labels-i32',
      'argmax',
      'threshold',
      'threshold-logits',
      'nonzero-u8',
      'nonzero-f32',
    ),
    target: fc.constantFrom<TargetKind>('labels-u8', 'labels-u16', 'labels-i32', 'dense-u8', 'dense-f32'),
    ignore: fc.constantFrom('none' as const, 'zero' as const, 'above' as const, '255' as const),
    threshold: fc.constantFrom(0.5, 0.3, 0.8),
    offset: fc.integer({ min: 1, max: 7 }),
    resident: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .filter((c) => c.B * c.C * c.spatial.reduce((a, d) => a * d, 1) <= 60_000);

describe('confusion counts equal the counts by definition on every backend', () => {
  it('for random kinds, types, shapes, class counts, layouts, ignoreIndex and offsets', () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => check(c)),
      { numRuns: 250 },
    );
  });

  it('for every length 0..70 of every pair of kinds (SIMD bodies and their tails)', () => {
    const preds: PredKind[] = [
      'labels-u8',
      'labels-u16',
      'labels-i32',
      'argmax',
      'threshold',
      'nonzero-u8',
      'nonzero-f32',
    ];
    const targets: TargetKind[] = ['labels-u8', 'labels-u16', 'labels-i32', 'dense-u8', 'dense-f32'];
    for (let S = 0; S <= 70; S++) {
      for (const pred of preds) {
        for (const target of targets) {
          check({
            B: 2,
            C: 3,
            spatial: [S],
            layout: S % 2 ? 'NHWC' : 'NCHW',
            pred,
            target,
            ignore: S % 3 === 0 ? 'zero' : S % 3 === 1 ? '255' : 'none',
            threshold: 0.5,
            offset: 1 + (S % 5),
            resident: S % 4 === 0,
            seed: 77 + S,
          });
        }
      }
    }
  });

  it('for label maps longer than one block of byte lanes, with and without ignoreIndex', () => {
    for (const pred of ['labels-u8', 'labels-u16', 'labels-i32'] as const) {
      for (const ignore of ['none', 'zero', '255'] as const) {
        check({
          B: 2,
          C: 5,
          spatial: [255 * 16 * 3 + 37],
          layout: 'NCHW',
          pred,
          target: pred,
          ignore,
          threshold: 0.5,
          offset: 3,
          resident: false,
          seed: 5,
        });
      }
    }
  });

  // 2 … 256 classes: one histogram pass instead of a compare pass per class.
  it('for many classes, lengths 0..70 and several blocks', () => {
    const labelTypes = ['labels-u8', 'labels-u16', 'labels-i32'] as const;
    for (const C of [2, 5, 17, 64, 65, 150, 256]) {
      for (const S of [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 70, 255 * 16 + 9]) {
        const type = labelTypes[(C + S) % 3];
        // u8 maps can hold the labels of at most 256 classes, and 255 is one of them at C = 256.
        const ignore = (['none', 'zero', 'above', '255'] as const)[S % 4];
        check({
          B: 1 + (S % 2),
          C,
          spatial: [S],
          layout: 'NCHW',
          pred: type,
          target: type,
          ignore: C === 256 && ignore === 'above' && type === 'labels-u8' ? 'none' : ignore,
          threshold: 0.5,
          offset: 1 + (S % 5),
          resident: S % 3 === 0,
          seed: 1000 * C + S,
        });
      }
    }
    // Argmax over many classes into a label map: the histograms per tile of voxels.
    for (const C of [65, 150]) {
      check({
        B: 2,
        C,
        spatial: [4096 + 37],
        layout: 'NHWC',
        pred: 'argmax',
        target: 'labels-u8',
        ignore: 'zero',
        threshold: 0.5,
        offset: 2,
        resident: false,
        seed: C,
      });
    }
  });

  it('for label maps of different types (the narrower one is widened)', () => {
    const random = rng(9);
    const a = Uint8Array.from({ length: 1000 }, () => Math.floor(random() * 4));
    const b = Int32Array.from({ length: 1000 }, () => Math.floor(random() * 4));
    const c = Uint16Array.from(a);
    const expected = countsByDefinition(
      1,
      4,
      1000,
      (_b, k, s) => a[s] === k,
      (_b, k, s) => b[s] === k,
    );
    for (const k of kernels) {
      expect(asLists(k.confusion(a, b, { numClasses: 4 }))).toEqual(expected);
      expect(asLists(k.confusion(c, b, { numClasses: 4 }))).toEqual(expected);
      expect(asLists(k.confusion(a, Uint16Array.from(b), { numClasses: 4 }))).toEqual(expected);
    }
  });

  it('for argmax over more classes than the target label type holds', () => {
    const random = rng(10);
    const C = 300,
      S = 50;
    const scores = Float32Array.from({ length: C * S }, () => random());
    const labels = Uint8Array.from({ length: S }, () => Math.floor(random() * 256));
    const expected = countsByDefinition(
      1,
      C,
      S,
      (_b, k, s) => firstArgmax((j) => scores[j * S + s], C) === k,
      (_b, k, s) => labels[s] === k,
    );
    for (const k of kernels)
      expect(asLists(k.confusion(scores, labels, { shape: [1, C, S], target: 'labels' }))).toEqual(expected);
  });
});

describe('confusion counts are exact beyond 2^24 voxels', () => {
  it('a 2^25-voxel label map (every backend), with and without ignoreIndex', () => {
    const n = 2 ** 25 + 5;
    // Pred: class 1 on every 4th voxel, else 0; target the same except class 2 on every 7th
    // voxel; in the second run every 100th voxel is ignored (label 9). The pattern repeats
    // every 700 voxels, so the expected counts follow from one period and its multiplicity.
    const PERIOD = 700;
    const predOf = (i: number) => (i % 4 === 0 ? 1 : 0);
    const targetOf = (i: number, ignoring: boolean) => (ignoring && i % 100 === 0 ? 9 : i % 7 === 0 ? 2 : predOf(i));
    const fill = (array: Uint8Array, of: (i: number) => number) => {
      for (let i = 0; i < PERIOD; i++) array[i] = of(i);
      for (let filled = PERIOD; filled < n; filled *= 2) array.copyWithin(filled, 0, Math.min(filled, n - filled));
      return array;
    };
    const expectedCounts = (ignoring: boolean) => {
      const tp = [0, 0, 0],
        fp = [0, 0, 0],
        fn = [0, 0, 0];
      let valid = 0;
      for (let r = 0; r < PERIOD; r++) {
        const times = Math.floor((n - 1 - r) / PERIOD) + 1; // voxels i < n with i mod 700 = r
        const p = predOf(r),
          t = targetOf(r, ignoring);
        if (t === 9) continue;
        valid += times;
        if (p === t) tp[p] += times;
        else {
          fp[p] += times;
          fn[t] += times;
        }
      }
      return { tp, fp, fn, tn: tp.map((_, c) => valid - tp[c] - fp[c] - fn[c]) };
    };
    const pred = fill(new Uint8Array(n), predOf);
    const plain = expectedCounts(false);
    expect(plain.tp[0]).toBeGreaterThan(2 ** 24);
    expect(plain.tn[2]).toBeGreaterThan(2 ** 24);
    const target = fill(new Uint8Array(n), (i) => targetOf(i, false));
    for (const k of kernels) expect(asLists(k.confusion(pred, target, { numClasses: 3 })), k.backend).toEqual(plain);
    fill(target, (i) => targetOf(i, true));
    const ignoring = expectedCounts(true);
    for (const k of kernels)
      expect(asLists(k.confusion(pred, target, { numClasses: 3, ignoreIndex: 9 })), k.backend).toEqual(ignoring);
  });
});

describe('confusion counts in WebAssembly memory', () => {
  it('keep the memory flat over many calls with copied-in and converted arrays', () => {
    for (const k of kernels.filter((x) => x.backend !== 'js')) {
      const random = rng(12);
      const pred = Uint16Array.from({ length: 5000 }, () => Math.floor(random() * 4));
      const target = Uint8Array.from({ length: 5000 }, () => Math.floor(random() * 4));
      const scores = Float32Array.from({ length: 4 * 5000 }, () => random());
      const call = () => {
        k.confusion(pred, target, { numClasses: 4 });
        k.confusion(scores, target, { shape: [1, 5000, 4], layout: 'NHWC' });
      };
      for (let i = 0; i < 10; i++) call();
      const bytes = k.memory!.buffer.byteLength;
      for (let i = 0; i < 1000; i++) call();
      expect(k.memory!.buffer.byteLength, k.backend).toBe(bytes);
    }
  });
});
