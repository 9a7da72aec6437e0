// dice-wasm/compat beyond the shared vectors: every accepted tensor form gives the same numbers,
// results have the Python shapes, metric objects accumulate across calls and reset, NaN stays
// NaN, and the package entry point `dice-wasm/compat` loads in Node. Expected values are worked
// out by hand in the comments.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { monai, torchmetrics, useKernel, type Tensor } from '../../src/compat/index.js';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { assertFreshDist } from '../support/fresh-build.js';

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

const plain = (t: Tensor) => ({ data: Array.from(t.data), shape: t.shape });

// One sample, two classes, 2×2: y_pred class 0 [[1,0],[0,1]], class 1 [[0,1],[1,0]];
// y class 0 [[1,0],[1,0]], class 1 [[0,1],[0,1]]. Class 0: TP 1 (top left), |p| 2, |y| 2 → Dice 1/2,
// IoU 1/3; class 1: TP 1 (top right) → the same.
const Y_PRED = [
  [
    [
      [1, 0],
      [0, 1],
    ],
    [
      [0, 1],
      [1, 0],
    ],
  ],
];
const Y = [
  [
    [
      [1, 0],
      [1, 0],
    ],
    [
      [0, 1],
      [0, 1],
    ],
  ],
];
const FLAT_PRED = [1, 0, 0, 1, 0, 1, 1, 0];
const FLAT_Y = [1, 0, 1, 0, 0, 1, 0, 1];

describe.each(['simd', 'scalar', 'js'])('dice-wasm/compat on the %s backend', (backend) => {
  beforeAll(() => useKernel(kernels.find((k) => k.backend === backend)!));

  it('reads nested arrays, { data, shape } of any dtype, and lists of channel-first tensors alike', () => {
    const forms: [string, unknown, unknown][] = [
      ['nested arrays', Y_PRED, Y],
      ['number arrays', { data: FLAT_PRED, shape: [1, 2, 2, 2] }, { data: FLAT_Y, shape: [1, 2, 2, 2] }],
      [
        'Float32Array',
        { data: Float32Array.from(FLAT_PRED), shape: [1, 2, 2, 2] },
        { data: Float32Array.from(FLAT_Y), shape: [1, 2, 2, 2] },
      ],
      [
        'Float64Array',
        { data: Float64Array.from(FLAT_PRED), shape: [1, 2, 2, 2] },
        { data: Float64Array.from(FLAT_Y), shape: [1, 2, 2, 2] },
      ],
      [
        'Int8Array',
        { data: Int8Array.from(FLAT_PRED), shape: [1, 2, 2, 2] },
        { data: Int8Array.from(FLAT_Y), shape: [1, 2, 2, 2] },
      ],
      [
        'Int32Array',
        { data: Int32Array.from(FLAT_PRED), shape: [1, 2, 2, 2] },
        { data: Int32Array.from(FLAT_Y), shape: [1, 2, 2, 2] },
      ],
      [
        'Uint8Array',
        { data: Uint8Array.from(FLAT_PRED), shape: [1, 2, 2, 2] },
        { data: Uint8Array.from(FLAT_Y), shape: [1, 2, 2, 2] },
      ],
      [
        'booleans',
        { data: FLAT_PRED.map(Boolean), shape: [1, 2, 2, 2] },
        { data: FLAT_Y.map(Boolean), shape: [1, 2, 2, 2] },
      ],
      [
        'a list of channel-first tensors',
        [{ data: FLAT_PRED, shape: [2, 2, 2] }],
        [{ data: FLAT_Y, shape: [2, 2, 2] }],
      ],
    ];
    for (const [what, p, y] of forms) {
      expect(plain(monai.compute_dice(p as never, y as never)), what).toEqual({ data: [0.5, 0.5], shape: [1, 2] });
      expect(plain(monai.compute_iou(p as never, y as never)), what).toEqual({ data: [1 / 3, 1 / 3], shape: [1, 2] });
    }
  });

  it('reads a single-channel y as a label map and a single-channel y_pred with num_classes as labels', () => {
    // Labels: y_pred [[0,1],[1,0]] (argmax of Y_PRED), y [[0,1],[0,1]]: as above, Dice 1/2 per class.
    const labelPred = { data: [0, 1, 1, 0], shape: [1, 1, 2, 2] },
      labelY = { data: [0, 1, 0, 1], shape: [1, 1, 2, 2] };
    expect(plain(monai.compute_dice(Y_PRED, labelY))).toEqual({ data: [0.5, 0.5], shape: [1, 2] });
    expect(plain(monai.compute_dice(labelPred, labelY, { num_classes: 2 }))).toEqual({
      data: [0.5, 0.5],
      shape: [1, 2],
    });
    expect(plain(monai.compute_dice(labelPred, Y, { num_classes: 2, include_background: false }))).toEqual({
      data: [0.5],
      shape: [1, 1],
    });
  });

  it('DiceHelper: argmax of scores by default, or a threshold on σ(logits) with activate', () => {
    // Scores whose argmax is Y_PRED's labels [[0,1],[1,0]]; include_background defaults to
    // `threshold` (false), so only class 1 is scored.
    const scores = { data: [0.9, 0.2, 0.4, 0.7, 0.1, 0.8, 0.6, 0.3], shape: [1, 2, 2, 2] };
    const [f, notNans] = new monai.DiceHelper().forward(scores, { data: [0, 1, 0, 1], shape: [1, 1, 2, 2] }) as [
      Tensor,
      Tensor,
    ];
    expect([plain(f), plain(notNans)]).toEqual([
      { data: [0.5], shape: [1] },
      { data: [1], shape: [1] },
    ]);
    const both = new monai.DiceHelper({ include_background: true, get_not_nans: false }).forward(scores, {
      data: [0, 1, 0, 1],
      shape: [1, 1, 2, 2],
    }) as Tensor;
    expect(plain(both)).toEqual({ data: [0.5, 0.5], shape: [2] });
    // One channel of logits: σ > 0.5 where the logit is > 0 → [[1,0],[0,1]]; y [[1,0],[1,1]]:
    // TP 2, |p| 2, |y| 3 → Dice 4/5, reported as the single class (MONAI's class 1).
    const helper = new monai.DiceHelper({ threshold: true, activate: true, get_not_nans: false });
    expect(
      plain(
        helper.forward(
          { data: [2, -2, -3, 0.5], shape: [1, 1, 2, 2] },
          { data: [1, 0, 1, 1], shape: [1, 1, 2, 2] },
        ) as Tensor,
      ),
    ).toEqual({ data: [0.8], shape: [1] });
  });

  it('DiceMetric accumulates batches, aggregates with any reduction, resets', () => {
    const m = new monai.DiceMetric({ reduction: 'mean_batch', get_not_nans: true });
    // Batch 2: a perfect prediction of class 1 only, class 0 empty in y (NaN, ignore_empty).
    const emptyBackground = [
      [
        [
          [0, 0],
          [0, 0],
        ],
        [
          [1, 1],
          [1, 1],
        ],
      ],
    ];
    expect(plain(m.forward(Y_PRED, Y))).toEqual({ data: [0.5, 0.5], shape: [1, 2] });
    expect(Array.from(m.forward(emptyBackground, emptyBackground).data)).toEqual([Number.NaN, 1]);
    const [f, notNans] = m.aggregate() as [Tensor, Tensor];
    expect([plain(f), plain(notNans)]).toEqual([
      { data: [0.5, 0.75], shape: [2] },
      { data: [1, 2], shape: [2] },
    ]);
    const [all] = m.aggregate('none') as [Tensor, Tensor];
    expect(plain(all)).toEqual({ data: [0.5, 0.5, Number.NaN, 1], shape: [2, 2] });
    // 'mean': sample 0 (0.5 + 0.5)/2, sample 1 1 → 0.75, over 2 samples.
    expect(m.aggregate('mean')).toEqual([0.75, 2]);
    m.reset();
    expect(() => m.aggregate()).toThrow(/buffer is empty/);
  });

  it('keeps NaN as NaN and gives 1 for empty-vs-empty with ignore_empty false', () => {
    const empty = [
      [
        [
          [0, 0],
          [0, 0],
        ],
      ],
    ];
    expect(Array.from(monai.compute_dice(empty, empty).data)).toEqual([Number.NaN]);
    expect(Array.from(monai.compute_dice(empty, empty, { ignore_empty: false }).data)).toEqual([1]);
    expect(
      Array.from(
        monai.compute_iou(
          [
            [
              [
                [1, 0],
                [0, 0],
              ],
            ],
          ],
          empty,
          { ignore_empty: false },
        ).data,
      ),
    ).toEqual([0]);
  });

  it('ConfusionMatrixMetric: (B, C, 4) per batch, one result per metric name', () => {
    const m = new monai.ConfusionMatrixMetric({ metric_name: ['sensitivity', 'Precision'], get_not_nans: true });
    // Class 0: TP 1, FP 1, TN 1, FN 1; class 1 the same.
    expect(plain(m.forward(Y_PRED, Y))).toEqual({ data: [1, 1, 1, 1, 1, 1, 1, 1], shape: [1, 2, 4] });
    const results = m.aggregate() as [number, Tensor][];
    expect(results.map(([f]) => f)).toEqual([0.5, 0.5]);
    expect(plain(results[0][1])).toEqual({ data: [1, 1, 1, 1], shape: [4] });
    expect(m.aggregate(true, 'mean_batch').map((r) => plain((r as [Tensor, Tensor])[0]))).toEqual([
      { data: [0.5, 0.5], shape: [2] },
      { data: [0.5, 0.5], shape: [2] },
    ]);
  });

  it('torchmetrics DiceScore reads one-hot, index, mixed and float one-hot input alike', () => {
    const labelsPred = [
        [0, 1],
        [1, 0],
      ],
      labelsY = [
        [0, 1],
        [0, 1],
      ];
    const expectations: [string, unknown, unknown][] = [
      ['one-hot', Y_PRED, Y],
      ['index', [labelsPred], [labelsY]],
      ['mixed', Y_PRED, [labelsY]],
      [
        'float one-hot (argmax-ed)',
        { data: Float32Array.from(FLAT_PRED, (v) => 0.2 + 0.6 * v), shape: [1, 2, 2, 2] },
        Y,
      ],
    ];
    for (const [format, p, t] of expectations) {
      const input_format = format === 'index' ? 'index' : format === 'mixed' ? 'mixed' : 'one-hot';
      const m = new torchmetrics.DiceScore({ num_classes: 2, average: 'none', input_format });
      expect(plain(m.forward(p as never, t as never) as Tensor), format).toEqual({ data: [0.5, 0.5], shape: [2] });
    }
    expect(plain(torchmetrics.dice_score(Y_PRED, Y, { num_classes: 2 }))).toEqual({ data: [0.5], shape: [1] });
    expect(
      plain(torchmetrics.dice_score(Y_PRED, Y, { num_classes: 2, average: 'none', aggregation_level: 'global' })),
    ).toEqual({ data: [0.5, 0.5], shape: [1, 2] });
  });

  it('torchmetrics MeanIoU: per class with −1 for absent classes, or over all present terms', () => {
    // Three classes, class 2 absent everywhere: IoU 1/3 for classes 0 and 1.
    const m = new torchmetrics.MeanIoU({ num_classes: 3, per_class: true, input_format: 'index' });
    m.update(
      [
        [0, 1],
        [1, 0],
      ],
      [
        [0, 1],
        [0, 1],
      ],
    );
    expect(plain(m.compute() as Tensor)).toEqual({ data: [1 / 3, 1 / 3, -1], shape: [3] });
    const overall = new torchmetrics.MeanIoU({ num_classes: 3, input_format: 'index' });
    overall.update(
      [
        [0, 1],
        [1, 0],
      ],
      [
        [0, 1],
        [0, 1],
      ],
    );
    expect(overall.compute()).toBeCloseTo(1 / 3, 14);
    expect(
      plain(
        torchmetrics.mean_iou(
          [
            [0, 1],
            [1, 0],
          ],
          [
            [0, 1],
            [0, 1],
          ],
          { num_classes: 3, per_class: true, input_format: 'index' },
        ),
      ),
    ).toEqual({ data: [1 / 3, 1 / 3, -1], shape: [1, 3] });
  });
});

describe('the package entry point', () => {
  it("dice-wasm/compat loads through package.json's exports in Node", () => {
    assertFreshDist();
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const script =
      "const c = await import('dice-wasm/compat'); console.log(typeof c.monai.DiceMetric, typeof " +
      'c.torchmetrics.DiceScore, typeof c.useKernel);';
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(out.trim()).toBe('function function function');
  });
});
