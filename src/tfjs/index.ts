// dice-wasm/tfjs: the library's losses as TensorFlow.js losses. Each is a
// `(yTrue, yPred) => tf.Scalar` built with tf.customGrad on the library's value and exact
// gradient (one WebAssembly pass for the sums, one for the gradient): TF.js records no op of the
// loss, it receives the gradient as one tensor. Usable in model.compile({ loss }) and in custom
// training loops (tf.grad, tf.variableGrads, optimizer.minimize).
import * as tf from '@tensorflow/tfjs-core';
import type {
  BoundaryLossOptions,
  ClDiceLossOptions,
  DiceClDiceLossOptions,
  HausdorffDTLossOptions,
  CreateLossOptions,
  CreateTermLossOptions,
  DiceCELossOptions,
  DiceFocalLossOptions,
  DiceLossOptions,
  FocalTverskyLossOptions,
  GeneralizedDiceLossOptions,
  JaccardLossOptions,
  Loss,
  LossName,
  Target,
  TverskyLossOptions,
} from '../core/api.js';
import { describe, rangeError, typeError } from '../core/errors.js';
import type { DiceKernel } from '../kernel.js';
import { loadDiceSync } from '../load.js';
import { LOSSES } from '../losses/registry.js';

/**
 * The options of a TF.js loss: the library's options under their own names, but `shape` (taken
 * from yPred) and `mask`; `reduction` is `'mean'` or `'sum'` (a loss is one scalar); `kernel`
 * chooses the DiceKernel that computes it (default: one `loadDiceSync()` kernel shared by all).
 * Defaults differ from the library's where TF.js differs: `layout: 'NHWC'` (channels last),
 * `activation: 'none'` (the model ends with its softmax or sigmoid; the combined losses, whose
 * pointwise part needs logits, keep 'softmax' / 'sigmoid'), `reduction: 'mean'`.
 */
export type TfLossOptions<T> = Omit<T, 'shape' | 'mask' | 'reduction' | 'out'> & {
  /** `'mean'` (default) or `'sum'`: a TF.js loss is one scalar. */
  reduction?: 'mean' | 'sum';
  /** The kernel that computes the loss. Default: one `loadDiceSync()` kernel shared by every TF.js loss. */
  kernel?: DiceKernel;
};

/** A TF.js loss: yTrue (one-hot or soft, yPred's shape; or labels, one per voxel) and yPred → a scalar. */
export type TfLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/**
 * Soft Dice loss `1 − (2I + s)/(P + G + s)` per (sample, class), averaged (Milletari 2016).
 * @example
 * model.compile({ optimizer: 'adam', loss: tfDiceLoss({ includeBackground: false }) });
 */
export function tfDiceLoss(opts: TfLossOptions<DiceLossOptions> = {}): TfLoss {
  return tfLoss('tfDiceLoss', 'dice', opts);
}

/** Soft Jaccard (IoU) loss `1 − (I + s)/(P + G − I + s)`. */
export function tfJaccardLoss(opts: TfLossOptions<JaccardLossOptions> = {}): TfLoss {
  return tfLoss('tfJaccardLoss', 'jaccard', opts);
}

/** Tversky loss `1 − (I + s)/(I + α(P − I) + β(G − I) + s)` (Salehi 2017); α = β = 0.5 by default. */
export function tfTverskyLoss(opts: TfLossOptions<TverskyLossOptions> = {}): TfLoss {
  return tfLoss('tfTverskyLoss', 'tversky', opts);
}

/** Focal Tversky loss `(1 − T)^γ` (Abraham & Khan 2019); α 0.7, β 0.3, γ 0.75 by default. */
export function tfFocalTverskyLoss(opts: TfLossOptions<FocalTverskyLossOptions> = {}): TfLoss {
  return tfLoss('tfFocalTverskyLoss', 'focalTversky', opts);
}

/** Generalized Dice loss `1 − (2Σ w_c I_c + s)/(Σ w_c (P_c + G_c) + s)`, `w = 1/G²` (Sudre 2017). */
export function tfGeneralizedDiceLoss(opts: TfLossOptions<GeneralizedDiceLossOptions> = {}): TfLoss {
  return tfLoss('tfGeneralizedDiceLoss', 'generalizedDice', opts);
}

/**
 * Dice + cross-entropy, `λ_overlap·Dice + λ_point·CE`, from logits: yPred is the model's output
 * before its softmax (`activation: 'softmax'`, the default here; CE in the stable log-softmax
 * form), or before a sigmoid for multi-label (`activation: 'sigmoid'`: Dice + BCE).
 */
export function tfDiceCELoss(opts: TfLossOptions<DiceCELossOptions> = {}): TfLoss {
  return tfLoss('tfDiceCELoss', 'diceCE', opts);
}

/** Dice + focal loss (MONAI's DiceFocalLoss) from logits: `activation: 'sigmoid'` (default) or `'softmax'`. */
export function tfDiceFocalLoss(opts: TfLossOptions<DiceFocalLossOptions> = {}): TfLoss {
  return tfLoss('tfDiceFocalLoss', 'diceFocal', opts);
}

/**
 * Soft clDice loss (Shit et al. 2021): 1 − 2·Tprec·Tsens/(Tprec + Tsens) with the soft skeletons of
 * `iterations` steps, per (sample, class) of yPred [B, ...spatial, C] (2 or 3 spatial axes).
 * @example
 * model.compile({ optimizer: 'adam', loss: tfClDiceLoss({ includeBackground: false }) });
 */
export function tfClDiceLoss(opts: TfLossOptions<ClDiceLossOptions> = {}): TfLoss {
  return tfLoss('tfClDiceLoss', 'clDice', opts);
}

/** (1 − α)·Dice + α·clDice (MONAI's SoftDiceclDiceLoss); α 0.5 by default. */
export function tfDiceClDiceLoss(opts: TfLossOptions<DiceClDiceLossOptions> = {}): TfLoss {
  return tfLoss('tfDiceClDiceLoss', 'diceClDice', opts);
}

/** Hausdorff-DT loss (Karimi & Salcudean 2019, MONAI's HausdorffDTLoss): mean (p − y)²·(d_p^α + d_y^α). */
export function tfHausdorffDTLoss(opts: TfLossOptions<HausdorffDTLossOptions> = {}): TfLoss {
  return tfLoss('tfHausdorffDTLoss', 'hausdorffDT', opts);
}

/** Boundary loss (Kervadec et al. 2019): mean p·φ, φ the target's signed distance map. */
export function tfBoundaryLoss(opts: TfLossOptions<BoundaryLossOptions> = {}): TfLoss {
  return tfLoss('tfBoundaryLoss', 'boundary', opts);
}

type AnyLossOptions = Omit<CreateLossOptions, 'loss'>;

let sharedKernel: DiceKernel | undefined;

/** The kernel of the losses made without `kernel`: one, loaded at the first call that needs it. */
function theSharedKernel(): DiceKernel {
  sharedKernel ??= loadDiceSync();
  return sharedKernel;
}

function tfLoss(fn: string, name: LossName, opts: TfLossOptions<AnyLossOptions>): TfLoss {
  if (opts === null || typeof opts !== 'object')
    throw typeError(fn, 'options', `must be an object; got ${describe(opts)}`);
  const { kernel, ...native } = opts as TfLossOptions<AnyLossOptions> & Record<string, unknown>;
  for (const key of ['shape', 'mask', 'out'] as const) {
    if (native[key] !== undefined)
      throw typeError(
        fn,
        `option '${key}'`,
        key === 'shape' ? "comes from yPred's shape" : 'is not supported by the TF.js losses',
      );
  }
  if ((native.reduction as string | undefined) === 'none') {
    throw rangeError(fn, 'reduction', `must be 'mean' or 'sum': a TF.js loss is one scalar`);
  }
  // A pointwise part (of a combined loss) is computed from logits only, so those keep the
  // library's default activation ('softmax' for Dice + CE, 'sigmoid' for Dice + focal).
  const entry = LOSSES[name];
  const activation = entry.path === 'sums' && entry.point !== null ? {} : { activation: 'none' };
  const options = { layout: 'NHWC', ...activation, reduction: 'mean', ...native, loss: name } as const;
  // Options are resolved once per shape (and checked at once: unknown names, bad values).
  let resolved: { shape: string; loss: Loss } | null = null;
  const lossFor = (shape: readonly number[]): Loss => {
    const key = shape.join(',');
    if (resolved === null || resolved.shape !== key) {
      const k = kernel ?? theSharedKernel();
      resolved = { shape: key, loss: named(fn, () => k.createLoss({ ...options, shape } as CreateTermLossOptions)) };
    }
    return resolved.loss;
  };

  return (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar => {
    if (yPred.dtype !== 'float32') throw typeError(fn, 'yPred', `must be a float32 tensor; got ${yPred.dtype}`);
    const loss = lossFor(yPred.shape);
    const target = targetOf(fn, yTrue, yPred);
    const withGrad = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const pred = inputs[0] as tf.Tensor;
      const { loss: value, grad } = named(fn, () => loss.valueAndGrad(pred.dataSync() as Float32Array, target));
      return {
        value: tf.scalar(value),
        gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor(grad, pred.shape, 'float32')),
      };
    });
    return withGrad(yPred) as tf.Scalar;
  };
}

/**
 * `run()`, with the kernel's errors named after the TF.js loss the user called: the library names
 * the method it ran (`createLoss: alpha must be …`), here that is `tfTverskyLoss: alpha must be …`.
 */
function named<T>(fn: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const match = error instanceof Error ? /^(createLoss|valueAndGrad): /.exec(error.message) : null;
    if (match === null) throw error;
    const Kind = error instanceof RangeError ? RangeError : error instanceof TypeError ? TypeError : Error;
    throw new Kind(`${fn}: ${(error as Error).message.slice(match[0].length)}`, { cause: error });
  }
}

/**
 * yTrue as the library reads it: with yPred's size, a dense target (one-hot, multi-label or
 * soft); with yPred's size over its class count, a label map (integers, float or int32).
 */
function targetOf(fn: string, yTrue: tf.Tensor, yPred: tf.Tensor): Target {
  const data = yTrue.dataSync();
  if (yTrue.size === yPred.size)
    return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  if (data instanceof Int32Array) return data;
  const labels = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const label = Number(data[i]);
    if (!Number.isInteger(label)) {
      throw rangeError(
        fn,
        'yTrue',
        `has ${yTrue.size} values, yPred's size over its classes, so it is read as labels; it holds ` +
          `${label} at index ${i}`,
      );
    }
    labels[i] = label;
  }
  return labels;
}
