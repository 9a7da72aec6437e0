// The dice-wasm/compat losses beyond the shared vectors: the Python output shapes of reduction
// 'none' (MONAI's and smp's elementwise focal and soft losses too), the quirks each class
// reproduces (MONAI's unnormalised class weights, its focal 'sum', masked logits that still count;
// smp's class subsets, class_weights and (mean)^gamma, its focal and Lovász losses, its dims; Keras'
// kept axes), MONAI's warnings, and the package entry point.
// Expected values are worked out by hand in the comments.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { keras, monai, smp, useKernel, type Tensor } from '../../src/compat/index.js';
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
afterEach(() => {
  vi.restoreAllMocks();
});

const close = (got: number | Tensor, want: number[], shape: number[] | null) => {
  if (shape === null) {
    expect(typeof got).toBe('number');
    expect(got as number).toBeCloseTo(want[0], 6);
    return;
  }
  const tensor = got as Tensor;
  expect(tensor.shape).toEqual(shape);
  expect(tensor.data.length).toBe(want.length);
  for (const [i, w] of want.entries()) expect(tensor.data[i], `[${i}]`).toBeCloseTo(w, 6);
};

// One sample, two classes, 2×2, probabilities: p₀ = [1, 0, 0, 1], p₁ = [0, 1, 1, 0]; one-hot target
// y₀ = [1, 0, 1, 0], y₁ = [0, 1, 0, 1]. Each class: I = 1, P = 2, G = 2.
const P = { data: [1, 0, 0, 1, 0, 1, 1, 0], shape: [1, 2, 2, 2] };
const Y = { data: [1, 0, 1, 0, 0, 1, 0, 1], shape: [1, 2, 2, 2] };
const NO_SMOOTHING = { smooth_nr: 0, smooth_dr: 0 };

describe.each(['simd', 'scalar', 'js'])('on the %s backend', (backend) => {
  beforeAll(() => useKernel(kernels.find((k) => k.backend === backend)!));

  it("MONAI reduction 'none': Dice (B, C', 1, 1), Tversky (B, C'), GeneralizedDice (B, 1, 1, 1); batch drops B", () => {
    // Dice 2·1/(2 + 2) = ½ per class; Jaccard 2·1/(2·(2 + 2 − 1)) = ⅓; Tversky 1/(1 + ½ + ½) = ½;
    // Generalized Dice with w = 1/G² = ¼: 2·(¼ + ¼)/(¼·4 + ¼·4) = ½.
    close(new monai.DiceLoss({ ...NO_SMOOTHING, reduction: 'none' }).forward(P, Y), [0.5, 0.5], [1, 2, 1, 1]);
    close(
      new monai.DiceLoss({ ...NO_SMOOTHING, reduction: 'none', include_background: false }).forward(P, Y),
      [0.5],
      [1, 1, 1, 1],
    );
    close(
      new monai.DiceLoss({ ...NO_SMOOTHING, reduction: 'none', batch: true, jaccard: true }).forward(P, Y),
      [2 / 3, 2 / 3],
      [2, 1, 1],
    );
    close(new monai.TverskyLoss({ ...NO_SMOOTHING, reduction: 'none' }).forward(P, Y), [0.5, 0.5], [1, 2]);
    close(new monai.TverskyLoss({ ...NO_SMOOTHING, reduction: 'none', batch: true }).forward(P, Y), [0.5, 0.5], [2]);
    close(new monai.GeneralizedDiceLoss({ ...NO_SMOOTHING, reduction: 'none' }).forward(P, Y), [0.5], [1, 1, 1, 1]);
    close(
      new monai.GeneralizedDiceLoss({ ...NO_SMOOTHING, reduction: 'none', batch: true }).forward(P, Y),
      [0.5],
      [1, 1, 1],
    );
  });

  it("MONAI's class weight multiplies each class's loss and 'mean' still divides by the number of classes", () => {
    // (½·1 + ½·3)/2 = 1.
    close(new monai.DiceLoss({ ...NO_SMOOTHING, weight: [1, 3] }).forward(P, Y), [1], null);
    // A weight of one number weighs every class; with one class left it is ignored, as in MONAI.
    close(new monai.DiceLoss({ ...NO_SMOOTHING, weight: 3 }).forward(P, Y), [1.5], null);
    close(new monai.DiceLoss({ ...NO_SMOOTHING, weight: 3, include_background: false }).forward(P, Y), [0.5], null);
  });

  it("MONAI FocalLoss: 'sum' is the spatial mean summed over batch and channels; softmax of one channel: 0", () => {
    // Logits 0: BCE ln 2, (1 − p_t)² = ¼ per element. 'mean' ¼·ln 2; 'sum' = 2 channels × ¼·ln 2.
    const zeros = { data: new Array<number>(8).fill(0), shape: [1, 2, 2, 2] };
    close(new monai.FocalLoss().forward(zeros, Y), [0.25 * Math.LN2], null);
    close(new monai.FocalLoss({ reduction: 'sum' }).forward(zeros, Y), [0.5 * Math.LN2], null);
    // Two channels without background: MONAI's softmax runs over the one channel left, p = 1.
    const loss = new monai.FocalLoss({ use_softmax: true, include_background: false });
    const x = { data: [3, -1, 0.5, 2, -2, 1, 0, 4], shape: [1, 2, 2, 2] };
    expect(loss.forward(x, Y)).toBe(0);
    expect(Array.from(loss.forwardWithGrad(x, Y).grad.data)).toEqual(new Array<number>(8).fill(0));
  });

  it("MONAI FocalLoss 'none': the elementwise loss (B, C', H, W) without background, class weights included", () => {
    // Logits 0: (1 − p_t)²·BCE = ¼ ln 2 per element; alpha 0.25 weighs positives ¼, negatives ¾.
    const q = 0.25 * Math.LN2;
    // Three classes, two voxels: labels 1 and 2 (a one-hot target, or the label map with to_onehot_y).
    const zeros = { data: new Array<number>(6).fill(0), shape: [1, 3, 1, 2] };
    const onehot = { data: [0, 0, 1, 0, 0, 1], shape: [1, 3, 1, 2] };
    const want = [2 * 0.25 * q, 2 * 0.75 * q, 3 * 0.75 * q, 3 * 0.25 * q];
    const loss = (p: object) =>
      new monai.FocalLoss({ reduction: 'none', include_background: false, alpha: 0.25, weight: [2, 3], ...p });
    close(loss({}).forward(zeros, onehot), want, [1, 2, 1, 2]);
    close(loss({ to_onehot_y: true }).forward(zeros, { data: [1, 2], shape: [1, 1, 1, 2] }), want, [1, 2, 1, 2]);
    // With background: every channel, channel 0 negative in both voxels.
    close(new monai.FocalLoss({ reduction: 'none' }).forward(zeros, onehot), [q, q, q, q, q, q], [1, 3, 1, 2]);
    // Softmax without background runs over channels 1 and 2: logits (0, ln 3) give p = (¼, ¾); label 2
    // gives −(1 − ¾)²·log ¾ = ln(4/3)/16 in channel 2, 0 in channel 1.
    const x = { data: [5, 0, Math.log(3)], shape: [1, 3, 1] };
    close(
      new monai.FocalLoss({ reduction: 'none', use_softmax: true, include_background: false }).forward(x, {
        data: [0, 0, 1],
        shape: [1, 3, 1],
      }),
      [0, Math.log(4 / 3) / 16],
      [1, 2, 1],
    );
    // A softmax over the one channel left is 1: zeros of (B, 1, H, W).
    close(
      new monai.FocalLoss({ reduction: 'none', use_softmax: true, include_background: false }).forward(
        { data: [3, -1, 0.5, 2, -2, 1, 0, 4], shape: [1, 2, 2, 2] },
        Y,
      ),
      [0, 0, 0, 0],
      [1, 1, 2, 2],
    );
  });

  it("MONAI FocalLoss: 'mean' is the mean of the 'none' elements, 'sum' their sum over the voxels per sample", () => {
    const x = { data: [3, -1, 0.5, 2, -2, 1, 0, 4], shape: [1, 2, 2, 2] };
    const p = { gamma: 1.5, alpha: 0.3, weight: [0.5, 2] };
    const none = new monai.FocalLoss({ ...p, reduction: 'none' }).forward(x, Y) as Tensor;
    const total = none.data.reduce((a, v) => a + v, 0);
    close(new monai.FocalLoss(p).forward(x, Y), [total / 8], null);
    close(new monai.FocalLoss({ ...p, reduction: 'sum' }).forward(x, Y), [total / 4], null);
  });

  it("smp FocalLoss 'none': binary the elements kept (N,), multiclass each voxel's sum over the classes", () => {
    const q = 0.25 * Math.LN2; // logits 0, as above
    close(new smp.FocalLoss({ mode: 'binary', reduction: 'none' }).forward([0, 0], [1, 0]), [q, q], [2]);
    // smp drops ignored elements: y_pred[y_true != ignore_index].
    close(
      new smp.FocalLoss({ mode: 'binary', reduction: 'none', ignore_index: 255, alpha: 0.25 }).forward(
        [0, 3, 0],
        [1, 255, 0],
      ),
      [0.25 * q, 0.75 * q],
      [2],
    );
    // Two classes, two voxels: each voxel 2·¼ ln 2; y_pred (1, 2, 2) gives (1, 2), or (1,) with voxel 1 ignored.
    const x = { data: [0, 0, 0, 0], shape: [1, 2, 2] };
    close(
      new smp.FocalLoss({ mode: 'multiclass', reduction: 'none' }).forward(x, { data: [0, 1], shape: [1, 2] }),
      [2 * q, 2 * q],
      [1, 2],
    );
    close(
      new smp.FocalLoss({ mode: 'multiclass', reduction: 'none', ignore_index: 9 }).forward(x, {
        data: [1, 9],
        shape: [1, 2],
      }),
      [2 * q],
      [1],
    );
  });

  it("smp SoftBCEWithLogitsLoss and SoftCrossEntropyLoss reduction 'none': y_pred's shape, ignored positions 0", () => {
    const softplus = (v: number) => Math.log(1 + Math.exp(v));
    // Logit 0 gives ln 2 for any target; logit 2 against the smoothed target 0.9: 0.9·softplus(−2) + 0.1·softplus(2).
    const bce = new smp.SoftBCEWithLogitsLoss({ reduction: 'none', smooth_factor: 0.1 }).forward(
      { data: [0, 0, 2, 0], shape: [2, 2] },
      { data: [1, 0, 1, -100], shape: [2, 2] },
    );
    const values = [Math.LN2, Math.LN2, 0.9 * softplus(-2) + 0.1 * softplus(2), 0];
    close(bce, values, [2, 2]);
    close(
      new smp.SoftBCEWithLogitsLoss({ smooth_factor: 0.1 }).forward(
        { data: [0, 0, 2, 0], shape: [2, 2] },
        { data: [1, 0, 1, -100], shape: [2, 2] },
      ),
      [values.reduce((a, v) => a + v, 0) / 4],
      null,
    );
    // Rows (0, 0, 0) with label 0: ln 3; (0, ln 2, 0) with label 1 (p = ¼, ½, ¼): with ε = 0.3,
    // 0.7·ln 2 + 0.1·(ln 4 + ln 2 + ln 4) = 1.2 ln 2. ignore_index set: smp keeps the class axis.
    const logits = { data: [0, 0, 0, 0, Math.LN2, 0], shape: [2, 3] };
    close(
      new smp.SoftCrossEntropyLoss({ reduction: 'none', smooth_factor: 0.3 }).forward(logits, [0, 1]),
      [Math.log(3), 1.2 * Math.LN2],
      [2, 1],
    );
    close(
      new smp.SoftCrossEntropyLoss({ reduction: 'none', ignore_index: null }).forward(logits, [0, 1]),
      [Math.log(3), Math.LN2],
      [2],
    );
    close(new smp.SoftCrossEntropyLoss({ reduction: 'none' }).forward(logits, [0, -100]), [Math.log(3), 0], [2, 1]);
    // Classes last (dim −1): (1, 2, 3) gives (1, 2, 1).
    close(
      new smp.SoftCrossEntropyLoss({ reduction: 'none', dim: -1 }).forward(
        { ...logits, shape: [1, 2, 3] },
        { data: [0, 1], shape: [1, 2] },
      ),
      [Math.log(3), Math.LN2],
      [1, 2, 1],
    );
  });

  it('MONAI MaskedDiceLoss masks the logits before the sigmoid: a masked logit counts as ½', () => {
    // x = [2, −2, 3, 0.5] masked by [1, 1, 0, 0] → σ = [σ(2), σ(−2), ½, ½], target [1, 0, 0, 0]:
    // I = σ(2), P = σ(2) + σ(−2) + 1 = 2, G = 1 → 1 − (2σ(2) + 1e-5)/(3 + 1e-5).
    const sigma2 = 1 / (1 + Math.exp(-2));
    const loss = new monai.MaskedDiceLoss({ sigmoid: true });
    const got = loss.forward(
      { data: [2, -2, 3, 0.5], shape: [1, 1, 2, 2] },
      { data: [1, 0, 1, 1], shape: [1, 1, 2, 2] },
      { data: [1, 1, 0, 0], shape: [1, 1, 2, 2] },
    );
    close(got, [1 - (2 * sigma2 + 1e-5) / (3 + 1e-5)], null);
  });

  it('MONAI other_act receives the whole tensor with its shape', () => {
    const seen: number[][] = [];
    const loss = new monai.DiceLoss({
      ...NO_SMOOTHING,
      other_act: ({ data, shape }) => {
        seen.push(shape);
        return { data, shape };
      },
    });
    close(loss.forward(P, Y), [0.5], null);
    expect(seen).toEqual([[1, 2, 2, 2]]);
  });

  // smp, multiclass: labels [0, 1, 2, 2], probabilities p₀ = [1, 0, 0, 0], p₁ = [0, 1, 0, 1],
  // p₂ = [0, 0, 1, 0]. Jaccard: class 0 I = 1, P = 1, G = 1 → loss 0; class 1 I = 1, P = 2, G = 1 →
  // ½; class 2 I = 1, P = 1, G = 2 → ½.
  const SMP_P = { data: [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0], shape: [1, 3, 4] };
  const SMP_Y = { data: [0, 1, 2, 2], shape: [1, 4] };

  it('smp classes average the listed classes (repeats count twice); TverskyLoss raises the mean to gamma', () => {
    const jaccard = (classes?: number[]) =>
      new smp.JaccardLoss({ mode: 'multiclass', from_logits: false, ...(classes ? { classes } : {}) }).forward(
        SMP_P,
        SMP_Y,
      );
    close(jaccard(), [1 / 3], null);
    close(jaccard([0, 2]), [0.25], null);
    close(jaccard([2, 2, 0]), [1 / 3], null);
    // Tversky(1, 1) is Jaccard: (⅓)² with gamma 2.
    close(
      new smp.TverskyLoss({ mode: 'multiclass', from_logits: false, alpha: 1, beta: 1, gamma: 2 }).forward(
        SMP_P,
        SMP_Y,
      ),
      [1 / 9],
      null,
    );
  });

  it('smp class_weights: the weighted mean Σw·loss/Σw of the classes averaged (all, or those in classes)', () => {
    const jaccard = (p: object) =>
      new smp.JaccardLoss({ mode: 'multiclass', from_logits: false, ...p }).forward(SMP_P, SMP_Y);
    // (1·0 + 1·½ + 2·½)/4 = ⅜; classes [0, 2] weighted 3, 1: (3·0 + 1·½)/4 = ⅛; uniform weights change nothing.
    close(jaccard({ class_weights: [1, 1, 2] }), [3 / 8], null);
    close(jaccard({ classes: [0, 2], class_weights: [3, 1] }), [1 / 8], null);
    close(jaccard({ class_weights: [5, 5, 5] }), [1 / 3], null);
  });

  // smp's multiclass FocalLoss is the sum over the classes of each one's mean.
  it('smp FocalLoss: the sigmoid focal loss, per class in multiclass mode; LovaszLoss binary is the hinge', () => {
    // Logits 0: p_t = ½, BCE = ln 2, (1 − ½)²·ln 2 = ¼ ln 2 per element; gamma 0 is BCE itself.
    close(new smp.FocalLoss({ mode: 'binary' }).forward([0, 0], [1, 0]), [0.25 * Math.LN2], null);
    close(new smp.FocalLoss({ mode: 'binary', gamma: 0 }).forward([0, 0], [1, 0]), [Math.LN2], null);
    // One voxel, two channels, label 0: each channel's mean is ¼ ln 2, their sum ½ ln 2.
    close(
      new smp.FocalLoss({ mode: 'multiclass' }).forward(
        { data: [0, 0], shape: [1, 2, 1] },
        { data: [0], shape: [1, 1] },
      ),
      [0.5 * Math.LN2],
      null,
    );
    // Hinge errors 1 − x(2y − 1) = [0.5, 1.5]; sorted 1.5 (background), 0.5 (foreground), G = 1:
    // J₁ = 1 − 1/2, J₂ = 1, so g = [½, ½] and the loss is 1.5·½ + 0.5·½ = 1.
    close(
      new smp.LovaszLoss({ mode: 'binary' }).forward(
        { data: [0.5, 0.5], shape: [1, 1, 2] },
        { data: [1, 0], shape: [1, 1, 2] },
      ),
      [1],
      null,
    );
  });

  it('keras Dice keeps the axes not in axis: (B, C) with axis [1, 2] and reduction null, their mean by default', () => {
    // Channels last (1, 1, 2, 2): channel 0 y = [1, 0], p = [1, 1] → 1 − 2·1/(1 + 2 + 1e-7) ≈ ⅓;
    // channel 1 y = [0, 1], p = [0, 0] → 1 − 0/(1 + 1e-7) = 1.
    const yTrue = [
        [
          [
            [1, 0],
            [0, 1],
          ],
        ],
      ],
      yPred = [
        [
          [
            [1, 0],
            [1, 0],
          ],
        ],
      ];
    close(new keras.Dice({ axis: [1, 2], reduction: null }).call(yTrue, yPred), [1 / 3, 1], [1, 2]);
    close(new keras.Dice({ axis: [1, 2] }).call(yTrue, yPred), [2 / 3], null);
    close(new keras.Dice({ axis: [1, 2], reduction: 'sum' }).call(yTrue, yPred), [4 / 3], null);
    // Tversky(½, ½) without smoothing is Dice: 1 − 1/(1 + ½·1 + 0 + 1e-7) = ⅓ for channel 0.
    close(new keras.Tversky({ axis: [1, 2], reduction: null }).call(yTrue, yPred), [1 / 3, 1], [1, 2]);
  });

  it('smp soft_dice_score over dims: one number (null) or one score per kept index', () => {
    const target = { data: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1], shape: [1, 3, 4] };
    // Per class (dims [0, 2]): 2·1/(1 + 1) = 1, 2·1/(2 + 1) = ⅔, 2·1/(1 + 2) = ⅔; all: 2·3/(4 + 4) = ¾.
    close(smp.soft_dice_score(SMP_P, target, { dims: [0, 2] }), [1, 2 / 3, 2 / 3], [3]);
    close(smp.soft_dice_score(SMP_P, target), [0.75], null);
    close(smp.soft_jaccard_score(SMP_P, target, { dims: [0, -1] }), [1, 0.5, 0.5], [3]);
  });
});

describe("MONAI's warnings", () => {
  it('are shown once per object, where MONAI warns and ignores an option', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const one = { data: [0.2, 0.7], shape: [1, 1, 2] },
      y = { data: [0, 1], shape: [1, 1, 2] };
    const loss = new monai.DiceLoss({ softmax: true, include_background: false });
    loss.forward(one, y);
    loss.forward(one, y);
    expect(warn.mock.calls.map(([m]) => m)).toEqual([
      'DiceLoss: single channel prediction, `softmax=True` ignored.',
      'DiceLoss: single channel prediction, `include_background=False` ignored.',
    ]);
    new monai.MaskedDiceLoss().forward(one, y);
    new monai.FocalLoss({ use_softmax: true, include_background: false, alpha: 0.25 }).forward(P, Y);
    expect(warn.mock.calls.slice(2).map(([m]) => m)).toEqual([
      'MaskedDiceLoss: No mask value specified for the MaskedLoss.',
      'FocalLoss: `include_background=False`, `alpha` ignored when using softmax.',
    ]);
  });
});

describe('the package entry point', () => {
  it('dice-wasm/compat exposes the losses of monai, smp and keras', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const names = {
      monai: [
        'DiceLoss',
        'MaskedDiceLoss',
        'GeneralizedDiceLoss',
        'TverskyLoss',
        'DiceCELoss',
        'DiceFocalLoss',
        'FocalLoss',
        'GeneralizedDiceFocalLoss',
      ],
      smp: [
        'DiceLoss',
        'JaccardLoss',
        'TverskyLoss',
        'FocalLoss',
        'LovaszLoss',
        'MCCLoss',
        'SoftBCEWithLogitsLoss',
        'SoftCrossEntropyLoss',
        'soft_dice_score',
        'soft_jaccard_score',
        'soft_tversky_score',
      ],
      keras: ['Dice', 'Tversky'],
    };
    assertFreshDist();
    const script = `const c = await import('dice-wasm/compat'); const names = ${JSON.stringify(names)};
      const missing = ([ns, list]) => list.filter((n) => typeof c[ns][n] !== 'function').map((n) => ns + '.' + n);
      console.log(JSON.stringify(Object.entries(names).flatMap(missing)));
      console.log(c.smp.soft_dice_score([1, 0], [1, 0]) === 1);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(['[]', 'true']);
  });
});
