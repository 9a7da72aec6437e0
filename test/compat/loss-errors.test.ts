// Bad parameters and bad calls of the dice-wasm/compat losses: a TypeError or RangeError whose
// message names the Python parameter (or argument) at fault, as MONAI's, smp's and Keras' own
// errors do; options the compat layer cannot reproduce are refused the same way, never ignored.
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { keras, monai, smp, useKernel } from '../../src/compat/index.js';
import { loadDice } from '../../src/index.js';
import { expectThrowsNaming, type BadCall } from '../support/bad-input.js';

beforeAll(async () => {
  useKernel(await loadDice({ backend: 'js' }));
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterAll(() => {
  vi.restoreAllMocks();
});

/** `names`: the Python parameter (or argument) the message must name. */
type Bad = Omit<BadCall, 'call' | 'length'> & { call: () => unknown };

// Two classes, 2×2: logits, a one-hot target and the same as a (B, 1, H, W) label map.
const X = { data: [1, -1, 0.5, 2, -1, 1, -0.5, -2], shape: [1, 2, 2, 2] };
const Y = { data: [1, 0, 1, 0, 0, 1, 0, 1], shape: [1, 2, 2, 2] };
const LABELS = { data: [0, 1, 0, 1], shape: [1, 1, 2, 2] };
const SMP_LABELS = { data: [0, 1, 0, 1], shape: [1, 2, 2] };

const CASES: Bad[] = [
  // MONAI
  {
    name: 'an unknown parameter, with a suggestion',
    error: TypeError,
    names: /smoth_nr.*did you mean 'smooth_nr'/,
    call: () => new monai.DiceLoss({ smoth_nr: 1 } as never),
  },
  {
    name: 'sigmoid and softmax together',
    error: RangeError,
    names: 'sigmoid',
    call: () => new monai.DiceLoss({ sigmoid: true, softmax: true }),
  },
  {
    name: 'softmax and other_act together',
    error: RangeError,
    names: 'other_act',
    call: () => new monai.TverskyLoss({ softmax: true, other_act: (x) => x }),
  },
  {
    name: 'other_act that is not a function',
    error: TypeError,
    names: 'other_act',
    call: () => new monai.DiceLoss({ other_act: 'tanh' as never }),
  },
  {
    name: 'other_act that changes the shape',
    error: RangeError,
    names: 'other_act',
    call: () => new monai.DiceLoss({ other_act: () => [1] }).forward(X, Y),
  },
  {
    name: 'an unknown reduction',
    error: RangeError,
    names: 'reduction',
    call: () => new monai.GeneralizedDiceLoss({ reduction: 'avg' as never }),
  },
  {
    name: 'a negative smooth_nr',
    error: RangeError,
    names: 'smooth_nr',
    call: () => new monai.DiceLoss({ smooth_nr: -1 }),
  },
  {
    name: 'a non-finite smooth_dr',
    error: RangeError,
    names: 'smooth_dr',
    call: () => new monai.TverskyLoss({ smooth_dr: Infinity }),
  },
  {
    name: 'a negative weight',
    error: RangeError,
    names: 'weight[1]',
    call: () => new monai.DiceLoss({ weight: [1, -2] }),
  },
  {
    name: 'a weight of the wrong length',
    error: RangeError,
    names: /weight has 3 values but there are 2 classes/,
    call: () => new monai.DiceLoss({ weight: [1, 2, 3] }).forward(X, Y),
  },
  {
    name: 'a weight that counts the background it removes',
    error: RangeError,
    names: /weight.*after background removal/,
    call: () =>
      new monai.FocalLoss({ weight: [1, 2, 3], include_background: false }).forward(
        { data: [...X.data, 0, 0, 0, 0], shape: [1, 3, 2, 2] },
        { data: [...Y.data, 0, 0, 0, 0], shape: [1, 3, 2, 2] },
      ),
  },
  {
    name: 'a non-boolean flag',
    error: TypeError,
    names: 'batch',
    call: () => new monai.DiceLoss({ batch: 1 as never }),
  },
  { name: 'a negative alpha', error: RangeError, names: 'alpha', call: () => new monai.TverskyLoss({ alpha: -0.1 }) },
  {
    name: 'an unknown w_type',
    error: RangeError,
    names: 'w_type',
    call: () => new monai.GeneralizedDiceLoss({ w_type: 'cubic' as never }),
  },
  {
    name: "FocalLoss forwardWithGrad with reduction 'none'",
    error: RangeError,
    names: 'reduction',
    call: () => new monai.FocalLoss({ reduction: 'none' }).forwardWithGrad(X, Y),
  },
  {
    name: "DiceFocalLoss reduction 'none'",
    error: RangeError,
    names: 'reduction',
    call: () => new monai.DiceFocalLoss({ reduction: 'none' as never }),
  },
  { name: 'FocalLoss alpha above 1', error: RangeError, names: 'alpha', call: () => new monai.FocalLoss({ alpha: 2 }) },
  {
    name: 'FocalLoss gamma below 0',
    error: RangeError,
    names: 'gamma',
    call: () => new monai.FocalLoss({ gamma: -1 }),
  },
  {
    name: 'DiceCELoss lambda_ce below 0',
    error: RangeError,
    names: 'lambda_ce',
    call: () => new monai.DiceCELoss({ lambda_ce: -1 }),
  },
  {
    name: 'DiceCELoss label_smoothing above 1',
    error: RangeError,
    names: 'label_smoothing',
    call: () => new monai.DiceCELoss({ label_smoothing: 2 }),
  },
  {
    name: "DiceCELoss reduction 'none'",
    error: RangeError,
    names: 'reduction',
    call: () => new monai.DiceCELoss({ reduction: 'none' as never }),
  },
  {
    name: 'DiceCELoss weight without one value per class',
    error: RangeError,
    names: /weight.*cross-entropy needs one per class/,
    call: () => new monai.DiceCELoss({ weight: [1] }).forward(X, Y),
  },
  {
    name: 'DiceFocalLoss lambda_focal not finite',
    error: RangeError,
    names: 'lambda_focal',
    call: () => new monai.DiceFocalLoss({ lambda_focal: Infinity }),
  },
  {
    name: 'GeneralizedDiceFocalLoss lambda_gdl NaN',
    error: RangeError,
    names: 'lambda_gdl',
    call: () => new monai.GeneralizedDiceFocalLoss({ lambda_gdl: NaN }),
  },
  {
    name: 'a target of another shape',
    error: RangeError,
    names: 'target',
    call: () => new monai.DiceLoss().forward(X, { data: [1, 0], shape: [1, 2, 1, 1] }),
  },
  {
    name: 'a label map without to_onehot_y',
    error: RangeError,
    names: /target.*needs to_onehot_y=True/,
    call: () => new monai.DiceLoss().forward(X, LABELS),
  },
  {
    name: 'to_onehot_y with a one-hot target',
    error: RangeError,
    names: /target.*to_onehot_y=True needs a label map/,
    call: () => new monai.DiceLoss({ to_onehot_y: true }).forward(X, Y),
  },
  {
    name: 'a label outside the classes',
    error: RangeError,
    names: 'target',
    call: () => new monai.DiceLoss({ to_onehot_y: true }).forward(X, { data: [0, 1, 2, 0], shape: [1, 1, 2, 2] }),
  },
  {
    name: 'an input without a channel axis',
    error: RangeError,
    names: 'input',
    call: () => new monai.DiceLoss().forward([1, 0], [1, 0]),
  },
  {
    name: 'a mask of the wrong shape',
    error: RangeError,
    names: 'mask',
    call: () => new monai.MaskedDiceLoss().forward(X, Y, { data: [1, 0, 1, 0, 1, 0, 1, 0], shape: [1, 2, 2, 2] }),
  },
  {
    name: 'soft_label with negative predictions',
    error: RangeError,
    names: 'soft_label',
    call: () => new monai.DiceLoss({ soft_label: true }).forward(X, Y),
  },
  {
    name: "forwardWithGrad with reduction 'none'",
    error: RangeError,
    names: 'reduction',
    call: () => new monai.DiceLoss({ reduction: 'none' }).forwardWithGrad(X, Y),
  },
  {
    name: 'forwardWithGrad with other_act',
    error: RangeError,
    names: 'other_act',
    call: () => new monai.DiceLoss({ other_act: (x) => x }).forwardWithGrad(X, Y),
  },

  // smp
  { name: 'smp without a mode', error: TypeError, names: 'mode', call: () => new smp.DiceLoss({} as never) },
  {
    name: 'smp with an unknown mode',
    error: RangeError,
    names: 'mode',
    call: () => new smp.JaccardLoss({ mode: 'binar' as never }),
  },
  {
    name: 'smp classes in binary mode',
    error: RangeError,
    names: 'classes',
    call: () => new smp.DiceLoss({ mode: 'binary', classes: [0] }),
  },
  {
    name: 'smp classes beyond the channels',
    error: RangeError,
    names: 'classes',
    call: () => new smp.DiceLoss({ mode: 'multiclass', classes: [5] }).forward(X, SMP_LABELS),
  },
  {
    name: 'smp classes beyond the channels, multilabel with ignore_index',
    error: RangeError,
    names: 'classes',
    call: () => new smp.DiceLoss({ mode: 'multilabel', classes: [2], ignore_index: 9 }).forward(X, Y),
  },
  {
    name: 'smp classes not a list',
    error: RangeError,
    names: 'classes',
    call: () => new smp.DiceLoss({ mode: 'multilabel', classes: 1 as never }),
  },
  {
    name: 'smp class_weights in binary mode',
    error: RangeError,
    names: 'class_weights',
    call: () => new smp.DiceLoss({ mode: 'binary', class_weights: [1] }),
  },
  {
    name: 'smp class_weights all 0',
    error: RangeError,
    names: 'class_weights',
    call: () => new smp.DiceLoss({ mode: 'multilabel', class_weights: [0, 0] }),
  },
  {
    name: 'smp class_weights a negative weight',
    error: RangeError,
    names: 'class_weights[1]',
    call: () => new smp.JaccardLoss({ mode: 'multilabel', class_weights: [1, -1] }),
  },
  {
    name: 'smp class_weights not one per class averaged',
    error: RangeError,
    names: 'class_weights',
    call: () => new smp.DiceLoss({ mode: 'multiclass', classes: [1], class_weights: [1, 2] }).forward(X, SMP_LABELS),
  },
  {
    name: 'smp a negative smooth',
    error: RangeError,
    names: 'smooth',
    call: () => new smp.DiceLoss({ mode: 'binary', smooth: -1 }),
  },
  {
    name: 'smp a negative eps',
    error: RangeError,
    names: 'eps',
    call: () => new smp.TverskyLoss({ mode: 'binary', eps: -1 }),
  },
  {
    name: 'smp from_logits not a boolean',
    error: TypeError,
    names: 'from_logits',
    call: () => new smp.DiceLoss({ mode: 'binary', from_logits: 'yes' as never }),
  },
  {
    name: 'smp ignore_index not an integer',
    error: RangeError,
    names: 'ignore_index',
    call: () => new smp.DiceLoss({ mode: 'binary', ignore_index: 1.5 }),
  },
  {
    name: 'smp TverskyLoss gamma below 0',
    error: RangeError,
    names: 'gamma',
    call: () => new smp.TverskyLoss({ mode: 'binary', gamma: -1 }),
  },
  {
    name: 'smp y_true with another batch size',
    error: RangeError,
    names: 'y_true',
    call: () => new smp.DiceLoss({ mode: 'binary' }).forward(X, { data: [0, 1], shape: [2, 1] }),
  },
  {
    name: 'smp a multiclass label outside the classes',
    error: RangeError,
    names: 'y_true',
    call: () =>
      new smp.DiceLoss({ mode: 'multiclass', from_logits: false }).forward(X, { data: [0, 1, 3, 1], shape: [1, 2, 2] }),
  },
  {
    name: 'smp FocalLoss normalized',
    error: RangeError,
    names: 'normalized',
    call: () => new smp.FocalLoss({ mode: 'binary', normalized: true }),
  },
  {
    name: 'smp FocalLoss reduced_threshold',
    error: RangeError,
    names: 'reduced_threshold',
    call: () => new smp.FocalLoss({ mode: 'binary', reduced_threshold: 0.5 }),
  },
  {
    name: "smp FocalLoss forwardWithGrad with reduction 'none'",
    error: RangeError,
    names: 'reduction',
    call: () => new smp.FocalLoss({ mode: 'binary', reduction: 'none' }).forwardWithGrad([[0.5, 1]], [[0, 1]]),
  },
  {
    name: 'smp FocalLoss an unknown reduction',
    error: RangeError,
    names: 'reduction',
    call: () => new smp.FocalLoss({ mode: 'binary', reduction: 'batchwise_mean' as never }),
  },
  {
    name: 'smp FocalLoss soft targets',
    error: RangeError,
    names: 'y_true',
    call: () => new smp.FocalLoss({ mode: 'binary' }).forward([[0.5, 1]], [[0.3, 1]]),
  },
  {
    name: 'smp LovaszLoss per_image not a boolean',
    error: TypeError,
    names: 'per_image',
    call: () => new smp.LovaszLoss({ mode: 'binary', per_image: 1 as never }),
  },
  { name: 'smp MCCLoss a negative eps', error: RangeError, names: 'eps', call: () => new smp.MCCLoss({ eps: -1 }) },
  {
    name: 'smp SoftBCEWithLogitsLoss pos_weight per class',
    error: RangeError,
    names: 'pos_weight',
    call: () => new smp.SoftBCEWithLogitsLoss({ pos_weight: [1, 2] }),
  },
  {
    name: 'smp SoftBCEWithLogitsLoss smooth_factor above 1',
    error: RangeError,
    names: 'smooth_factor',
    call: () => new smp.SoftBCEWithLogitsLoss({ smooth_factor: 1.5 }),
  },
  {
    name: "smp SoftCrossEntropyLoss forwardWithGrad with reduction 'none'",
    error: RangeError,
    names: 'reduction',
    call: () => new smp.SoftCrossEntropyLoss({ reduction: 'none' }).forwardWithGrad(X, SMP_LABELS),
  },
  {
    name: "smp SoftBCEWithLogitsLoss forwardWithGrad with reduction 'none'",
    error: RangeError,
    names: 'reduction',
    call: () => new smp.SoftBCEWithLogitsLoss({ reduction: 'none' }).forwardWithGrad(X, Y),
  },
  {
    name: 'smp SoftCrossEntropyLoss a middle dim',
    error: RangeError,
    names: 'dim',
    call: () => new smp.SoftCrossEntropyLoss({ dim: 2 }).forward(X, { data: [0, 1, 0, 1], shape: [1, 2, 2] }),
  },
  {
    name: 'smp soft_tversky_score without alpha',
    error: TypeError,
    names: 'alpha',
    call: () => smp.soft_tversky_score([1, 0], [1, 0], { beta: 0.5 } as never),
  },
  {
    name: 'smp soft_dice_score dims beyond the rank',
    error: RangeError,
    names: 'dims',
    call: () => smp.soft_dice_score([[1, 0]], [[1, 0]], { dims: [2] }),
  },
  {
    name: 'smp soft_dice_score output and target of other shapes',
    error: RangeError,
    names: 'target',
    call: () => smp.soft_dice_score([1, 0], [1, 0, 1]),
  },

  // Keras
  {
    name: 'keras an unknown reduction',
    error: RangeError,
    names: 'reduction',
    call: () => new keras.Dice({ reduction: 'avg' as never }),
  },
  {
    name: 'keras Tversky alpha below 0',
    error: RangeError,
    names: 'alpha',
    call: () => new keras.Tversky({ alpha: -0.1 }),
  },
  {
    name: 'keras Tversky beta not a number',
    error: RangeError,
    names: 'beta',
    call: () => new keras.Tversky({ beta: '0.5' as never }),
  },
  {
    name: 'keras an unknown parameter',
    error: TypeError,
    names: 'smooth',
    call: () => new keras.Dice({ smooth: 1 } as never),
  },
  {
    name: 'keras dtype other than float32',
    error: RangeError,
    names: 'dtype',
    call: () => new keras.Dice({ dtype: 'float16' as never }),
  },
  {
    name: 'keras an axis beyond the rank',
    error: RangeError,
    names: 'axis',
    call: () => new keras.Dice({ axis: [1, 4] }).call(Y, X),
  },
  {
    name: 'keras an axis twice',
    error: RangeError,
    names: 'axis',
    call: () => new keras.Dice({ axis: [1, -3] }).call(Y, X),
  },
  {
    name: 'keras y_true and y_pred of other shapes',
    error: RangeError,
    names: 'y_true',
    call: () => new keras.Dice().call([1, 0], [1, 0, 1]),
  },
  {
    name: 'keras callWithGrad with reduction null',
    error: RangeError,
    names: 'reduction',
    call: () => new keras.Tversky({ reduction: null, axis: [1, 2, 3] }).callWithGrad(Y, X),
  },
];

describe('bad parameters and calls of the compat losses', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, { error, names, call }) => {
    expectThrowsNaming(call, error, names);
  });
});
