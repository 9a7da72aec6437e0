// The metrics computed from confusion counts: every formula and alias on a hand-worked
// confusion matrix, zero denominators, the empty-class policy, MONAI's reductions and
// torchmetrics' averages on a hand-worked table, the Generalized Dice score, and k.metrics on
// label maps. Every expected value below is derived by hand in the comments.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadDice,
  metricsFromCounts,
  type ConfusionCounts,
  type DiceKernel,
  type MetricOptions,
  type ReducedMetric,
} from '../../src/index.js';

const counts = (rows: [number, number, number, number][], C: number): ConfusionCounts => ({
  tp: Float64Array.from(rows, (r) => r[0]),
  fp: Float64Array.from(rows, (r) => r[1]),
  fn: Float64Array.from(rows, (r) => r[2]),
  tn: Float64Array.from(rows, (r) => r[3]),
  numSamples: rows.length / C,
  numClasses: C,
});

const one = (name: string, c: ConfusionCounts, extra: Partial<MetricOptions> = {}): number[] =>
  Array.from(metricsFromCounts(c, { metrics: [name], ...extra })[name] as Float64Array);

describe('metric formulas on TP 6, FP 2, FN 4, TN 8', () => {
  const c = counts([[6, 2, 4, 8]], 1);
  // P = TP + FN = 10, N = FP + TN = 10, predicted positive 8, predicted negative 12.
  const expected: Record<string, number> = {
    dice: 12 / 18, // 2TP / (2TP + FP + FN)
    iou: 6 / 12, // TP / (TP + FP + FN)
    precision: 6 / 8,
    recall: 6 / 10,
    specificity: 8 / 10,
    npv: 8 / 12,
    fpr: 2 / 10,
    fnr: 4 / 10,
    fdr: 2 / 8,
    for: 4 / 12,
    accuracy: 14 / 20,
    balancedAccuracy: (0.6 + 0.8) / 2,
    mcc: 1 / Math.sqrt(6), // (48 − 8) / √(8·10·10·12) = 40 / (40√6)
    fowlkesMallows: Math.sqrt(0.75 * 0.6),
    prevalenceThreshold: (Math.sqrt(3) - 1) / 2, // (√(0.6·0.2) − 0.2) / 0.4 = (0.2√3 − 0.2) / 0.4
    informedness: 0.6 + 0.8 - 1,
    markedness: 0.75 + 8 / 12 - 1,
    volumeSimilarity: 1 - 2 / 18, // 1 − |FN − FP| / (2TP + FP + FN)
    generalizedDice: 12 / 18, // one class: the weights cancel
  };

  it.each(Object.entries(expected))('%s', (name, value) => {
    expect(one(name, c, { empty: 'formula' })[0]).toBeCloseTo(value, 14);
  });

  it('fbeta with β = 2 is 5TP / (5TP + 4FN + FP), with β = 1 Dice, with β = 0 precision', () => {
    expect(one('fbeta', c, { beta: 2 })[0]).toBeCloseTo(30 / 48, 14);
    expect(one('fbeta', c)[0]).toBeCloseTo(12 / 18, 14);
    expect(one('fbeta', c, { beta: 0 })[0]).toBeCloseTo(0.75, 14);
  });

  // MONAI's 17 ConfusionMatrixMetric names and aliases (monai/metrics/confusion_matrix.py,
  // check_confusion_matrix_metric_name), each with the value of its formula here.
  const MONAI: Record<string, number> = {
    sensitivity: 0.6,
    recall: 0.6,
    hit_rate: 0.6,
    true_positive_rate: 0.6,
    tpr: 0.6,
    specificity: 0.8,
    selectivity: 0.8,
    true_negative_rate: 0.8,
    tnr: 0.8,
    precision: 0.75,
    positive_predictive_value: 0.75,
    ppv: 0.75,
    negative_predictive_value: 8 / 12,
    npv: 8 / 12,
    miss_rate: 0.4,
    false_negative_rate: 0.4,
    fnr: 0.4,
    fall_out: 0.2,
    false_positive_rate: 0.2,
    fpr: 0.2,
    false_discovery_rate: 0.25,
    fdr: 0.25,
    false_omission_rate: 4 / 12,
    for: 4 / 12,
    prevalence_threshold: (Math.sqrt(3) - 1) / 2,
    pt: (Math.sqrt(3) - 1) / 2,
    threat_score: 0.5,
    critical_success_index: 0.5,
    ts: 0.5,
    csi: 0.5,
    accuracy: 0.7,
    acc: 0.7,
    balanced_accuracy: 0.7,
    ba: 0.7,
    f1_score: 12 / 18,
    f1: 12 / 18,
    matthews_correlation_coefficient: 1 / Math.sqrt(6),
    mcc: 1 / Math.sqrt(6),
    fowlkes_mallows_index: Math.sqrt(0.45),
    fm: Math.sqrt(0.45),
    informedness: 0.4,
    bookmaker_informedness: 0.4,
    bm: 0.4,
    markedness: 0.75 + 8 / 12 - 1,
    deltap: 0.75 + 8 / 12 - 1,
    mk: 0.75 + 8 / 12 - 1,
  };

  it('knows every MONAI metric name and alias, with or without spaces', () => {
    const names = Object.keys(MONAI);
    const result = metricsFromCounts(c, { metrics: names, empty: 'formula' });
    for (const name of names) expect((result[name] as Float64Array)[0], name).toBeCloseTo(MONAI[name], 14);
    const spaced = names.filter((n) => n.includes('_')).map((n) => n.replace(/_/g, ' '));
    const again = metricsFromCounts(c, { metrics: spaced, empty: 'formula' });
    for (const name of spaced)
      expect((again[name] as Float64Array)[0], name).toBeCloseTo(MONAI[name.replace(/ /g, '_')], 14);
  });

  it('matches names regardless of case, spaces, underscores and hyphens', () => {
    const names = [
      'balancedAccuracy',
      'Balanced Accuracy',
      'BALANCED-ACCURACY',
      'balanced_accuracy',
      'jaccard',
      'Jaccard Index',
    ];
    const result = metricsFromCounts(c, { metrics: names });
    expect(names.map((n) => (result[n] as Float64Array)[0])).toEqual([0.7, 0.7, 0.7, 0.7, 0.5, 0.5]);
  });
});

describe('zero denominators and the empty policy', () => {
  it('a ratio whose denominator is 0 is NaN, never Infinity or 0 (empty: formula)', () => {
    const c = counts([[0, 0, 0, 5]], 1);
    const r = metricsFromCounts(c, {
      metrics: [
        'dice',
        'iou',
        'precision',
        'recall',
        'specificity',
        'accuracy',
        'mcc',
        'volumeSimilarity',
        'prevalenceThreshold',
      ],
      empty: 'formula',
    });
    expect(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, (v as Float64Array)[0]]))).toEqual({
      dice: Number.NaN,
      iou: Number.NaN,
      precision: Number.NaN,
      recall: Number.NaN,
      specificity: 1,
      accuracy: 1,
      mcc: Number.NaN,
      volumeSimilarity: Number.NaN,
      prevalenceThreshold: Number.NaN,
    });
  });

  // Class 0: absent from target and prediction; class 1: absent from the target, 3 false positives.
  const c = counts(
    [
      [0, 0, 0, 10],
      [0, 3, 0, 7],
    ],
    2,
  );
  it.each([
    ['nan', [Number.NaN, Number.NaN]],
    ['one', [1, 0]],
    ['zero', [0, 0]],
    ['formula', [Number.NaN, 0]],
  ] as const)('empty: %s', (empty, dice) => {
    expect(one('dice', c, { empty })).toEqual(dice);
  });

  it('applies to metrics that are defined on an empty target too (specificity, accuracy)', () => {
    expect(one('specificity', c, { empty: 'formula' })).toEqual([1, 0.7]);
    expect(one('specificity', c)).toEqual([Number.NaN, Number.NaN]);
    expect(one('accuracy', c, { empty: 'zero' })).toEqual([0, 0.7]);
  });

  it('is the default NaN (MONAI ignore_empty=True)', () => {
    expect(one('iou', c)).toEqual([Number.NaN, Number.NaN]);
  });
});

describe('reductions and averages of a (sample × class) table', () => {
  // b0: c0 TP 1 FP 1 → Dice 2/3; c1 empty on both sides; c2 TP 3 FN 1 → 6/7
  // b1: c0 FP 2 (empty target); c1 TP 2 → 1; c2 FP 1 FN 1 → 0
  const c = counts(
    [
      [1, 1, 0, 10],
      [0, 0, 0, 12],
      [3, 0, 1, 8],
      [0, 2, 0, 10],
      [2, 0, 0, 10],
      [0, 1, 1, 10],
    ],
    3,
  );
  const dice = (extra: Partial<MetricOptions>) => metricsFromCounts(c, { metrics: ['dice'], ...extra }).dice;
  const reduced = (extra: Partial<MetricOptions>) => {
    const r = dice(extra) as ReducedMetric;
    return {
      value: typeof r.value === 'number' ? r.value : Array.from(r.value),
      notNans: typeof r.notNans === 'number' ? r.notNans : Array.from(r.notNans),
    };
  };
  const close = (got: number | number[], want: number | number[]) => {
    const g = typeof got === 'number' ? [got] : got,
      w = typeof want === 'number' ? [want] : want;
    expect(g.length).toBe(w.length);
    for (const [i, v] of w.entries()) {
      if (Number.isNaN(v)) expect(g[i]).toBeNaN();
      else expect(g[i]).toBeCloseTo(v, 14);
    }
  };

  it("'none' gives every (sample, class) term, sample-major, with the empty policy (default NaN)", () => {
    close(Array.from(dice({}) as Float64Array), [2 / 3, Number.NaN, 6 / 7, Number.NaN, 1, 0]);
  });

  it("MONAI 'mean': each sample's valid classes, then the samples", () => {
    // b0: (2/3 + 6/7)/2 = 16/21; b1: (1 + 0)/2 = 1/2; mean 53/84 over 2 samples.
    const r = reduced({ reduction: 'mean' });
    close(r.value, 53 / 84);
    expect(r.notNans).toBe(2);
  });

  it("MONAI 'sum', 'mean_batch', 'sum_batch', 'mean_channel', 'sum_channel'", () => {
    close(reduced({ reduction: 'sum' }).value, 2 / 3 + 6 / 7 + 1);
    expect(reduced({ reduction: 'sum' }).notNans).toBe(4);
    close(reduced({ reduction: 'mean_batch' }).value, [2 / 3, 1, 3 / 7]);
    expect(reduced({ reduction: 'mean_batch' }).notNans).toEqual([1, 1, 2]);
    close(reduced({ reduction: 'sum_batch' }).value, [2 / 3, 1, 6 / 7]);
    close(reduced({ reduction: 'mean_channel' }).value, [16 / 21, 1 / 2]);
    expect(reduced({ reduction: 'mean_channel' }).notNans).toEqual([2, 2]);
    close(reduced({ reduction: 'sum_channel' }).value, [32 / 21, 1]);
  });

  it('includeBackground: false leaves class 0 out of reductions, not out of per-term results', () => {
    // b0: 6/7; b1: (1 + 0)/2; mean (6/7 + 1/2)/2 = 19/28.
    close(reduced({ reduction: 'mean', includeBackground: false }).value, 19 / 28);
    close(reduced({ reduction: 'mean_batch', includeBackground: false }).value, [1, 3 / 7]);
    expect((dice({ includeBackground: false }) as Float64Array).length).toBe(6);
  });

  it('MONAI reductions give 0 (not NaN) where no term is valid', () => {
    const empty = counts(
      [
        [0, 0, 0, 4],
        [0, 0, 0, 4],
      ],
      1,
    );
    const r = metricsFromCounts(empty, { metrics: ['dice'], reduction: 'mean_batch' }).dice as ReducedMetric;
    expect([Array.from(r.value as Float64Array), Array.from(r.notNans as Float64Array)]).toEqual([[0], [0]]);
    expect((metricsFromCounts(empty, { metrics: ['dice'], reduction: 'mean' }).dice as ReducedMetric).value).toBe(0);
  });

  it('torchmetrics averages, samplewise: micro, macro, weighted, none', () => {
    // empty 'formula' (torchmetrics): b1 c0 scores 0 (false positives only), b0 c1 is NaN.
    // micro: b0 pools TP 4 FP 1 FN 1 → 8/10; b1 TP 2 FP 3 FN 1 → 4/8; mean 0.65.
    close(reduced({ empty: 'formula', average: 'micro' }).value, 0.65);
    // macro: b0 NaN-mean(2/3, 6/7) = 16/21; b1 mean(0, 1, 0) = 1/3; mean 23/42.
    close(reduced({ empty: 'formula', average: 'macro' }).value, 23 / 42);
    // weighted by target volume: b0 (2/3·1 + 6/7·4)/5 = 86/105; b1 (0·0 + 1·2 + 0·1)/3 = 2/3; mean 26/35.
    close(reduced({ empty: 'formula', average: 'weighted' }).value, 26 / 35);
    // none: per class NaN-mean over samples: (2/3 + 0)/2, 1, (6/7 + 0)/2.
    const none = reduced({ empty: 'formula', average: 'none' });
    close(none.value, [1 / 3, 1, 3 / 7]);
    expect(none.notNans).toEqual([2, 1, 2]);
  });

  it('torchmetrics averages, global: counts pooled over samples first', () => {
    // pooled: c0 TP 1 FP 3 → 2/5; c1 TP 2 → 1; c2 TP 3 FP 1 FN 2 → 6/9; micro TP 6 FP 4 FN 2 → 12/18.
    close(reduced({ empty: 'formula', average: 'micro', aggregation: 'global' }).value, 2 / 3);
    close(reduced({ empty: 'formula', average: 'macro', aggregation: 'global' }).value, (2 / 5 + 1 + 2 / 3) / 3);
    close(reduced({ empty: 'formula', average: 'none', aggregation: 'global' }).value, [2 / 5, 1, 2 / 3]);
  });

  it("average with reduction 'none' keeps one value per sample (torchmetrics' functional form)", () => {
    close(Array.from(dice({ empty: 'formula', average: 'micro', reduction: 'none' }) as Float64Array), [0.8, 0.5]);
    close(
      Array.from(
        dice({ empty: 'formula', average: 'none', reduction: 'none', includeBackground: false }) as Float64Array,
      ),
      [Number.NaN, 6 / 7, 1, 0],
    );
  });

  it('torchmetrics NaN-means give NaN where no sample is valid', () => {
    const empty = counts(
      [
        [0, 0, 0, 4],
        [0, 0, 0, 4],
      ],
      1,
    );
    expect(
      (metricsFromCounts(empty, { metrics: ['dice'], empty: 'formula', average: 'macro' }).dice as ReducedMetric).value,
    ).toBeNaN();
  });

  it('the Generalized Dice score: one value per sample, absent classes weighted like the heaviest present one', () => {
    // b0: G = (1, 0, 4) → w = (1, max finite = 1, 1/16); 2Σw·TP = 2(1 + 3/16) = 38/16;
    //     Σw·(2TP + FP + FN) = 3 + 0 + 7/16 = 55/16 → 38/55.
    // b1: G = (0, 2, 1) → w = (max finite = 1, 1/4, 1); 2Σw·TP = 2·(1/4·2) = 1; Σ = 2 + 1 + 2 = 5 → 1/5.
    close(Array.from(metricsFromCounts(c, { metrics: ['generalizedDice'] }).generalizedDice as Float64Array), [
      38 / 55,
      1 / 5,
    ]);
    // 'simple' weights 1/G: b0 w = (1, 1, 1/4): 2(1 + 3/4) / (3 + 7/4) = 3.5/4.75.
    close(
      (metricsFromCounts(c, { metrics: ['generalizedDice'], weightType: 'simple' }).generalizedDice as Float64Array)[0],
      3.5 / 4.75,
    );
    // Reduced like any per-sample table: mean (38/55 + 1/5)/2.
    close(
      (metricsFromCounts(c, { metrics: ['gds'], reduction: 'mean' }).gds as ReducedMetric).value as number,
      (38 / 55 + 0.2) / 2,
    );
  });

  it('the Generalized Dice score of a sample with no class in the target: 1 with no prediction, else 0 (MONAI)', () => {
    const c2 = counts(
      [
        [0, 0, 0, 4],
        [0, 0, 0, 4],
        [0, 0, 0, 4],
        [0, 2, 0, 2],
      ],
      2,
    );
    expect(
      Array.from(
        metricsFromCounts(c2, { metrics: ['generalizedDice'], empty: 'formula' }).generalizedDice as Float64Array,
      ),
    ).toEqual([1, 0]);
    expect(Array.from(metricsFromCounts(c2, { metrics: ['generalizedDice'] }).generalizedDice as Float64Array)).toEqual(
      [Number.NaN, Number.NaN],
    );
  });
});

describe('k.metrics on arrays', () => {
  let kernels: DiceKernel[] = [];
  beforeAll(async () => {
    kernels = await Promise.all([
      loadDice({ backend: 'simd' }),
      loadDice({ backend: 'scalar' }),
      loadDice({ backend: 'js' }),
    ]);
  });

  it('scores two 2×4 label maps of 3 classes per (sample, class)', () => {
    // pred   0 0 1 1 | target 0 1 1 1    class 0: TP 1 FP 1 FN 0 → Dice 2/3, IoU 1/2
    //        2 2 2 0 |        2 2 0 0    class 1: TP 2 FP 0 FN 1 → 4/5, 2/3; class 2: TP 2 FP 1 → 4/5, 2/3
    const pred = Uint8Array.from([0, 0, 1, 1, 2, 2, 2, 0]);
    const target = Uint8Array.from([0, 1, 1, 1, 2, 2, 0, 0]);
    // Class 0 again: target 0 at 0, 6, 7; pred 0 at 0, 1, 7 → TP 2 FP 1 FN 1 → Dice 4/6, IoU 2/4.
    for (const k of kernels) {
      const r = k.metrics(pred, target, { numClasses: 3, shape: [1, 2, 4], metrics: ['dice', 'iou'] });
      expect(Array.from(r.dice)).toEqual([4 / 6, 4 / 5, 4 / 5].map((v) => expect.closeTo(v, 14)));
      expect(Array.from(r.iou)).toEqual([2 / 4, 2 / 3, 2 / 3].map((v) => expect.closeTo(v, 14)));
      const mean = k.metrics(pred, target, {
        numClasses: 3,
        shape: [1, 2, 4],
        metrics: ['dice'],
        reduction: 'mean',
        includeBackground: false,
      }).dice as ReducedMetric;
      expect(mean.value).toBeCloseTo(4 / 5, 14);
      expect(mean.notNans).toBe(1);
    }
  });
});
