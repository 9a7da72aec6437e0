// k.lesionMetrics on every backend: hand-counted cases of the BraTS protocol (matching, Dice,
// HD95, false positives, the penalty, the size and volume thresholds, dilation merging nearby
// parts, IoU matching, empty terms) and a seeded property test against a brute-force reference
// that follows the BraTS script literally (test/reference/lesions.ts).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel, type LesionMetricsOptions } from '../../../src/index.js';
import { bruteLesions } from '../../reference/lesions.js';

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

/** A binary mask of rows × cols with 1 at the (row, col) given. */
function grid(rows: number, cols: number, on: [number, number][]): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  for (const [r, c] of on) mask[r * cols + c] = 1;
  return mask;
}

const square = (r: number, c: number): [number, number][] => [
  [r, c],
  [r, c + 1],
  [r + 1, c],
  [r + 1, c + 1],
];

/** Class 1's scores. */
function scores(k: DiceKernel, pred: Uint8Array, truth: Uint8Array, options: LesionMetricsOptions) {
  const r = k.lesionMetrics(pred, truth, options);
  return Object.fromEntries(Object.entries(r).map(([name, v]) => [name, (v as Float64Array)[1]]));
}

// Truth: a 2×2 lesion at rows 1–2, cols 1–2, and a one-voxel lesion at (6, 9). Prediction: the
// 2×2 square moved one column right (overlap 2 of 4 voxels: Dice 0.5; every voxel of a 2×2 square
// is on its surface, and each direction's distances are 0, 0, 1, 1, whose 95th percentile is 1),
// and a false-positive voxel at (5, 4).
const TRUTH = grid(8, 12, [...square(1, 1), [6, 9]]);
const PRED = grid(8, 12, [...square(1, 2), [5, 4]]);
const SHAPE = [1, 8, 12];

describe.each(BACKENDS)('lesion-wise metrics, hand-counted (%s)', (backend) => {
  const k = () => kernelOf(backend);

  it('scores a found lesion, a missed one and a false positive', () => {
    // tp 1, fn 1, fp 1. Dice (0.5 + 0 + 0)/3; HD95 (1 + 374 + 374)/3; sensitivity 1/2,
    // precision 1/2, F1 2/(2 + 1 + 1).
    const s = scores(k(), PRED, TRUTH, { shape: SHAPE });
    expect(s.tp).toBe(1);
    expect(s.fp).toBe(1);
    expect(s.fn).toBe(1);
    expect(s.lesionDice).toBeCloseTo(0.5 / 3, 12);
    expect(s.lesionHd95).toBeCloseTo(749 / 3, 12);
    expect([s.sensitivity, s.precision, s.f1]).toEqual([0.5, 0.5, 0.5]);
  });

  it('leaves truth lesions below minSize or minVolume out, and takes another penalty', () => {
    // Without the one-voxel lesion: tp 1, fn 0, fp 1: Dice 0.5/2, HD95 (1 + 374)/2, F1 2/3.
    const small = scores(k(), PRED, TRUTH, { shape: SHAPE, minSize: 2 });
    expect([small.tp, small.fp, small.fn]).toEqual([1, 1, 0]);
    expect(small.lesionDice).toBeCloseTo(0.25, 12);
    expect(small.lesionHd95).toBeCloseTo(187.5, 12);
    expect(small.f1).toBeCloseTo(2 / 3, 12);
    // Spacing 2 × 1: voxels of 2 units², the single voxel's volume is 2 (< 3), the square's 8.
    const volume = scores(k(), PRED, TRUTH, { shape: SHAPE, spacing: [2, 1], minVolume: 3 });
    expect([volume.tp, volume.fp, volume.fn]).toEqual([1, 1, 0]);
    expect(scores(k(), PRED, TRUTH, { shape: SHAPE, fpPenalty: 100 }).lesionHd95).toBeCloseTo(201 / 3, 12);
  });

  it('matches by IoU when asked', () => {
    // IoU of the squares is 2/6 = 1/3: a match above τ = 0.3, none at τ = 0.5 (then both
    // predicted lesions are false positives and both truth lesions missed).
    const loose = scores(k(), PRED, TRUTH, { shape: SHAPE, match: { iou: 0.3 } });
    expect([loose.tp, loose.fp, loose.fn]).toEqual([1, 1, 1]);
    const strict = scores(k(), PRED, TRUTH, { shape: SHAPE, match: { iou: 0.5 } });
    expect([strict.tp, strict.fp, strict.fn]).toEqual([0, 2, 2]);
    expect(strict.lesionDice).toBe(0);
    expect(strict.lesionHd95).toBe(374);
  });

  it('merges truth parts whose dilations touch, and matches in the dilated region', () => {
    // Truth voxels at (2, 2) and (2, 5); prediction at (2, 3). Without dilation: two missed
    // lesions and a false positive. With one step the parts' 3×3 neighbourhoods touch (cols 3
    // and 4): one lesion of 2 voxels, matched (the prediction is in its dilated region) with
    // Dice 0 and HD95 max(p95 of [1], p95 of [1, 2]) = 1.95.
    const truth = grid(5, 8, [
      [2, 2],
      [2, 5],
    ]);
    const pred = grid(5, 8, [[2, 3]]);
    const plain = scores(k(), pred, truth, { shape: [1, 5, 8] });
    expect([plain.tp, plain.fp, plain.fn, plain.lesionDice, plain.lesionHd95]).toEqual([0, 1, 2, 0, 374]);
    const merged = scores(k(), pred, truth, { shape: [1, 5, 8], dilation: 1 });
    expect([merged.tp, merged.fp, merged.fn, merged.lesionDice]).toEqual([1, 0, 0, 0]);
    expect(merged.lesionHd95).toBeCloseTo(1.95, 6);
  });

  it('joins lesions through corners by default (BraTS), through faces with connectivity 4', () => {
    // Truth: two voxels touching at a corner; prediction: the first one only.
    const truth = grid(3, 3, [
      [0, 0],
      [1, 1],
    ]);
    const pred = grid(3, 3, [[0, 0]]);
    expect(scores(k(), pred, truth, { shape: [1, 3, 3] }).tp).toBe(1);
    const faces = scores(k(), pred, truth, { shape: [1, 3, 3], connectivity: 4 });
    expect([faces.tp, faces.fn]).toEqual([1, 1]);
  });

  it('scores an empty term Dice 1, HD95 0 (BraTS), and rates NaN; class 0 is not scored by default', () => {
    const empty = new Uint8Array(96);
    const r = k().lesionMetrics(empty, empty, { shape: SHAPE });
    expect(Array.from(r.lesionDice)).toEqual([Number.NaN, 1]);
    expect(Array.from(r.lesionHd95)).toEqual([Number.NaN, 0]);
    expect(Array.from(r.f1)).toEqual([Number.NaN, Number.NaN]);
    expect(Array.from(r.tp)).toEqual([Number.NaN, 0]);
  });

  it('reduces over samples and classes as MONAI', () => {
    const pred = new Uint8Array(192),
      truth = new Uint8Array(192);
    pred.set(PRED, 0);
    truth.set(TRUTH, 0);
    pred.set(TRUTH, 96);
    truth.set(TRUTH, 96);
    const r = k().lesionMetrics(pred, truth, { shape: [2, 8, 12], reduction: 'mean_batch' });
    // Sample 1 is perfect: Dice 1, HD95 0; the mean with sample 0, for class 1 (the only class reduced).
    const dice = r.lesionDice as { value: Float64Array; notNans: Float64Array };
    expect(dice.value[0]).toBeCloseTo((0.5 / 3 + 1) / 2, 12);
    expect(Array.from(dice.notNans)).toEqual([2]);
  });
});

describe('lesion-wise metrics against the BraTS script followed literally', () => {
  it('agree on random 2D and 3D masks, dilation, both match rules, thresholds and spacing', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer(),
          rank: fc.integer({ min: 2, max: 3 }),
          density: fc.double({ min: 0.05, max: 0.5, noNaN: true }),
          dilation: fc.integer({ min: 0, max: 2 }),
          iou: fc.option(fc.constantFrom(0.1, 0.3, 0.5), { nil: undefined }),
          minSize: fc.integer({ min: 1, max: 3 }),
          spacing: fc.tuple(fc.constantFrom(1, 0.5, 2), fc.constantFrom(1, 1.5), fc.constantFrom(1, 3)),
        }),
        ({ seed, rank, density, dilation, iou, minSize, spacing }) => {
          let state = seed >>> 0;
          const random = () => {
            state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
            return state / 2 ** 32;
          };
          const spatial = rank === 2 ? [9, 11] : [4, 5, 6];
          const n = spatial.reduce((a, d) => a * d, 1);
          const pred = Uint8Array.from({ length: n }, () => (random() < density ? 1 : 0));
          const truth = Uint8Array.from({ length: n }, () => (random() < density ? 1 : 0));
          const s = spacing.slice(0, rank);
          const expected = bruteLesions(Array.from(pred, Boolean), Array.from(truth, Boolean), spatial, {
            connectivity: rank === 2 ? 8 : 26,
            dilation,
            match: iou === undefined ? 'overlap' : { iou },
            minSize,
            minVolume: 0,
            fpPenalty: 50,
            spacing: s,
          });
          for (const backend of BACKENDS) {
            const got = scores(kernelOf(backend), pred, truth, {
              shape: [1, ...spatial],
              spacing: s,
              dilation,
              minSize,
              fpPenalty: 50,
              ...(iou === undefined ? {} : { match: { iou } }),
            });
            for (const [name, value] of Object.entries(expected)) {
              // Distances pass through float32 in the WebAssembly percentile.
              if (Number.isNaN(value)) expect(got[name], `${backend} ${name}`).toBeNaN();
              else expect(got[name], `${backend} ${name}`).toBeCloseTo(value, 5);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
