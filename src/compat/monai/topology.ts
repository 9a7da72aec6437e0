// MONAI's clDice and Hausdorff-DT losses (monai.losses, 1.5) as thin translations onto the native
// losses on whole class volumes:
// - SoftclDiceLoss / SoftDiceclDiceLoss(iter_, alpha, smooth): forward(y_true, y_pred) — the
//   target first, as MONAI's — on probabilities, with class 0 left out and everything else pooled
//   into one term (MONAI sums over [:, 1:] of the whole batch): the native clDiceLoss /
//   diceClDiceLoss with includeBackground false, batch and poolClasses.
// - HausdorffDTLoss / LogHausdorffDTLoss: read as MONAI's other losses (loss-inputs.ts: sigmoid,
//   softmax or other_act, to_onehot_y, background removal), then the native hausdorffDTLoss.
import type { Reduction } from '../../core/api.js';
import { describe, rangeError } from '../../core/errors.js';
import { flag, nonNegative, oneOf } from '../../core/options.js';
import { REDUCTIONS } from '../../core/option-values.js';
import { compatKernel } from '../kernel.js';
import { readParams } from '../params.js';
import { runPlan, valueAndGradOf, type LossWithGrad, type Part, type Plan } from '../parts.js';
import { asScores, readTensor, type Tensor, type TensorInput } from '../tensor.js';
import { Warnings } from '../warnings.js';
import { activate, checkActivationParams, readLossInputs, type OtherAct } from './loss-inputs.js';

/** Parameters of `monai.SoftclDiceLoss`, under MONAI's names. */
export interface SoftclDiceLossParams {
  /** Erosion steps of the soft skeleton. Default 3. */
  iter_?: number;
  /** Added to numerator and denominator of Tprec and Tsens. Default 1. */
  smooth?: number;
}

/** Parameters of `monai.SoftDiceclDiceLoss`: SoftclDiceLoss's and `alpha`. */
export interface SoftDiceclDiceLossParams extends SoftclDiceLossParams {
  /** Weight of clDice; Dice weighs 1 − alpha. Default 0.5. */
  alpha?: number;
}

/** The two clDice losses: y_true first; the prediction holds probabilities (MONAI applies no activation). */
abstract class ClDiceLossBase {
  private readonly kernel = compatKernel();

  constructor(
    private readonly name: string,
    private readonly options: Record<string, unknown>,
  ) {}

  /** The loss of y_pred against y_true (both (B, C, H, W[, D]) probabilities / masks), over channels 1…. */
  forward(yTrue: TensorInput, yPred: TensorInput): number {
    return runPlan(this.kernel, this.plan(`${this.name}.forward`, yTrue, yPred)) as number;
  }

  /** The loss and its gradient with respect to y_pred. */
  forwardWithGrad(yTrue: TensorInput, yPred: TensorInput): LossWithGrad {
    const plan = this.plan(`${this.name}.forwardWithGrad`, yTrue, yPred);
    return valueAndGradOf(this.kernel, plan.parts, plan.shape);
  }

  private plan(fn: string, yTrue: unknown, yPred: unknown): Plan {
    const pred = readTensor(fn, 'y_pred', yPred);
    const truth = readTensor(fn, 'y_true', yTrue);
    const shape = pred.shape;
    if (shape.length !== 4 && shape.length !== 5) {
      throw rangeError(fn, 'y_pred', `must be (B, C, H, W) or (B, C, H, W, D); got shape [${shape.join(', ')}]`);
    }
    if (truth.shape.length !== shape.length || truth.shape.some((d, i) => d !== shape[i])) {
      throw rangeError(
        fn,
        'y_true',
        `has shape [${truth.shape.join(', ')}], different from y_pred's [${shape.join(', ')}]`,
      );
    }
    // One channel: MONAI's [:, 1:] is empty, every sum 0, Tprec = Tsens = smooth/smooth.
    if (shape[1] === 1) return { parts: [], shape, output: () => this.emptyValue() };
    const part: Part = {
      loss: this.loss(),
      pred: asScores(pred),
      target: asScores(truth),
      scale: 1,
      options: {
        ...this.options,
        shape,
        activation: 'none',
        target: 'dense',
        includeBackground: false,
        batch: true,
        poolClasses: true,
      },
    };
    return { parts: [part], shape };
  }

  protected abstract loss(): 'clDice' | 'diceClDice';

  /** Nothing after channel 0: every sum is 0, so Tprec = Tsens = smooth/smooth (NaN for smooth 0, as MONAI's 0/0). */
  private emptyValue(): number {
    return this.options.smooth === 0 ? Number.NaN : 0;
  }
}

function clDiceOptions(fn: string, params: SoftDiceclDiceLossParams | undefined, withAlpha: boolean) {
  const p = readParams(fn, params, withAlpha ? ['iter_', 'alpha', 'smooth'] : ['iter_', 'smooth']);
  const iterations = p.iter_ ?? 3;
  if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 0 || iterations > 100) {
    throw rangeError(fn, 'iter_', `must be an integer in [0, 100]; got ${describe(p.iter_)}`);
  }
  return {
    iterations,
    smooth: nonNegative(fn, 'smooth', p.smooth, 1),
    ...(withAlpha ? { alpha: nonNegative(fn, 'alpha', p.alpha, 0.5) } : {}),
  };
}

/**
 * monai.losses.SoftclDiceLoss (Shit et al. 2021): 1 − 2·Tprec·Tsens/(Tprec + Tsens) with
 * Tprec = (Σ skel(p)·y + smooth)/(Σ skel(p) + smooth), Tsens = (Σ skel(y)·p + smooth)/(Σ skel(y) +
 * smooth) over channels 1… of the whole batch; skel the soft skeleton of iter_ steps.
 * @example
 * new monai.SoftclDiceLoss({ iter_: 3 }).forward(yTrue, yPred);   // y_true first, as MONAI
 */
export class SoftclDiceLoss extends ClDiceLossBase {
  /**
   * Reads the parameters as MONAI's `SoftclDiceLoss` does; an unknown name or a bad value throws, naming the
   * Python parameter.
   */
  constructor(params?: SoftclDiceLossParams) {
    super('SoftclDiceLoss', clDiceOptions('SoftclDiceLoss', params, false));
  }

  protected loss(): 'clDice' {
    return 'clDice';
  }
}

/**
 * monai.losses.SoftDiceclDiceLoss: (1 − alpha)·soft Dice + alpha·SoftclDiceLoss, the soft Dice
 * 1 − (2Σp·y + smooth)/(Σp + Σy + smooth) over the same voxels.
 * @example
 * new monai.SoftDiceclDiceLoss({ alpha: 0.5 }).forwardWithGrad(yTrue, yPred).grad;
 */
export class SoftDiceclDiceLoss extends ClDiceLossBase {
  /**
   * Reads the parameters as MONAI's `SoftDiceclDiceLoss` does; an unknown name or a bad value throws, naming
   * the Python parameter.
   */
  constructor(params?: SoftDiceclDiceLossParams) {
    super('SoftDiceclDiceLoss', clDiceOptions('SoftDiceclDiceLoss', params, true));
  }

  protected loss(): 'diceClDice' {
    return 'diceClDice';
  }
}

/** Parameters of `monai.HausdorffDTLoss` and `monai.LogHausdorffDTLoss`, under MONAI's names. */
export interface HausdorffDTLossParams {
  /** Exponent of the distance maps. Default 2. */
  alpha?: number;
  /** Keep channel 0. Default `false` (MONAI's default for this loss). */
  include_background?: boolean;
  /** One-hot encode a label-map `y_true` to the prediction's channels. Default `false`. */
  to_onehot_y?: boolean;
  /** Apply a sigmoid to the prediction first. Default `false`. */
  sigmoid?: boolean;
  /** Apply a softmax over the channels first. Default `false`. */
  softmax?: boolean;
  /** Another activation applied to the prediction first (not with sigmoid or softmax). Default none. */
  other_act?: OtherAct | null;
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
  /** Sum over the batch before the per-channel mean (one term per channel). Default `false`. */
  batch?: boolean;
}

const HAUSDORFF_PARAMS = [
  'alpha',
  'include_background',
  'to_onehot_y',
  'sigmoid',
  'softmax',
  'other_act',
  'reduction',
  'batch',
];

/**
 * monai.losses.HausdorffDTLoss (Karimi & Salcudean 2019): per (sample, channel) the mean of
 * (p − y)²·(d_p^alpha + d_y^alpha), d the distance maps of p > ½ and y > ½ (unit spacing), on the
 * input after sigmoid / softmax / other_act, to_onehot_y and background removal (the default:
 * include_background=False). 'mean' (default), 'sum', or 'none': (B, C', 1, …) ((1, C', 1, …)
 * with batch).
 * @example
 * new monai.HausdorffDTLoss({ softmax: true, to_onehot_y: true }).forward(logits, labels);
 */
export class HausdorffDTLoss {
  protected readonly kernel = compatKernel();
  protected readonly warnings: Warnings;
  private readonly alpha: number;
  private readonly includeBackground: boolean;
  private readonly toOnehotY: boolean;
  private readonly activation: ReturnType<typeof checkActivationParams>;
  private readonly reduction: Reduction;
  private readonly batch: boolean;

  /**
   * Reads the parameters as MONAI's `HausdorffDTLoss` does; an unknown name or a bad value throws, naming the
   * Python parameter.
   * @param params MONAI's parameters.
   * @param name The class named in messages (`'LogHausdorffDTLoss'` for the subclass). Default `'HausdorffDTLoss'`.
   * @param logLoss log(1 + loss), as `LogHausdorffDTLoss`. Default `false`.
   */
  constructor(
    params?: HausdorffDTLossParams,
    protected readonly name = 'HausdorffDTLoss',
    private readonly logLoss = false,
  ) {
    const fn = name;
    const p = readParams(fn, params, HAUSDORFF_PARAMS);
    this.warnings = new Warnings(name);
    this.alpha = nonNegative(fn, 'alpha', p.alpha, 2);
    this.includeBackground = flag(fn, 'include_background', p.include_background, false);
    this.toOnehotY = flag(fn, 'to_onehot_y', p.to_onehot_y, false);
    this.activation = checkActivationParams(
      fn,
      p,
      flag(fn, 'sigmoid', p.sigmoid, false),
      flag(fn, 'softmax', p.softmax, false),
    );
    this.reduction = oneOf(fn, 'reduction', p.reduction, REDUCTIONS, 'mean');
    this.batch = flag(fn, 'batch', p.batch, false);
  }

  /** The loss: a number, or for reduction 'none' a tensor of MONAI's output shape. */
  forward(input: TensorInput, target: TensorInput): number | Tensor {
    return runPlan(this.kernel, this.plan(`${this.name}.forward`, input, target));
  }

  /** The loss and its gradient with respect to `input` (the distance maps are constants, as MONAI's). */
  forwardWithGrad(input: TensorInput, target: TensorInput): LossWithGrad {
    const fn = `${this.name}.forwardWithGrad`;
    if (this.reduction === 'none') {
      throw rangeError(
        fn,
        'reduction',
        "'none' gives one loss per term, which has no single gradient; use 'mean' or 'sum'",
      );
    }
    if (this.activation.otherAct !== null) {
      throw rangeError(
        fn,
        'other_act',
        'is a plain function, whose derivative is unknown here: the gradient needs sigmoid, softmax or no activation',
      );
    }
    const plan = this.plan(fn, input, target);
    return valueAndGradOf(this.kernel, plan.parts, plan.shape);
  }

  private plan(fn: string, input: unknown, target: unknown): Plan {
    const inputs = readLossInputs(fn, input, target, this.toOnehotY, this.warnings);
    if (inputs.shape.length !== 4 && inputs.shape.length !== 5) {
      throw rangeError(
        fn,
        'input',
        `must be 2D (B, C, H, W) or 3D (B, C, H, W, D); got shape [${inputs.shape.join(', ')}]`,
      );
    }
    const { pred, activation } = activate(fn, inputs, this.activation, this.warnings);
    if (!this.includeBackground && inputs.C === 1) {
      this.warnings.warn('single channel prediction, `include_background=False` ignored.');
    }
    const includeBackground = this.includeBackground || inputs.C === 1;
    const part: Part = {
      loss: 'hausdorffDT',
      pred,
      target: inputs.target,
      scale: 1,
      options: {
        shape: inputs.shape,
        activation,
        target: inputs.targetKind,
        includeBackground,
        batch: this.batch,
        reduction: this.reduction,
        alpha: this.alpha,
        logLoss: this.logLoss,
      },
    };
    const { B, C, shape } = inputs;
    const first = includeBackground ? 0 : 1;
    const out = [this.batch ? 1 : B, C - first, ...new Array<number>(shape.length - 2).fill(1)];
    return {
      parts: [part],
      shape,
      ...(this.reduction === 'none'
        ? { output: (terms: Float64Array) => ({ data: terms.filter((_, t) => t % C >= first), shape: out }) }
        : {}),
    };
  }
}

/**
 * monai.losses.LogHausdorffDTLoss: log(HausdorffDTLoss + 1), of the reduced loss (of each term
 * with reduction 'none').
 * @example
 * new monai.LogHausdorffDTLoss({ sigmoid: true }).forward(logits, target);
 */
export class LogHausdorffDTLoss extends HausdorffDTLoss {
  /**
   * Reads the parameters as MONAI's `LogHausdorffDTLoss` does; an unknown name or a bad value throws, naming
   * the Python parameter.
   */
  constructor(params?: HausdorffDTLossParams) {
    super(params, 'LogHausdorffDTLoss', true);
  }
}
