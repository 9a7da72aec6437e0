// MONAI's losses (monai.losses, 1.5) as thin translations onto the native losses. Each call is
// read as MONAI reads it (loss-inputs.ts: activation, to_onehot_y, background removal, in that
// order), then becomes one native call, or a sum of native calls where MONAI combines things no
// single call expresses (parts.ts): DiceCE without softmax is Dice on the activated input plus
// cross-entropy from the raw logits; a softmax focal loss without background takes its softmax
// over the channels left. `forward` is Python's `__call__`; `forwardWithGrad` adds ∂loss/∂input.
import type { Activation, Reduction, WeightType } from '../../core/api.js';
import { describe, rangeError, typeError } from '../../core/errors.js';
import { flag, nonNegative, oneOf } from '../../core/options.js';
import { compatKernel } from '../kernel.js';
import { fractionOf, readParams } from '../params.js';
import { runPlan, valueAndGradOf, type LossWithGrad, type Part, type Plan } from '../parts.js';
import type { Tensor, TensorInput } from '../tensor.js';
import { Warnings } from '../warnings.js';
import {
  activate,
  applyMask,
  checkActivationParams,
  readLossInputs,
  type ActivationParams,
  type LossInputs,
  type OtherAct,
} from './loss-inputs.js';
import { REDUCTIONS, WEIGHT_TYPES } from '../../core/option-values.js';

/** A class weight: one number for every class, or one per class left after background removal. */
export type MonaiWeight = number | readonly number[];

/** The reductions of DiceFocalLoss and GeneralizedDiceFocalLoss, whose 'none' is not offered here. */
function reducedOnly(fn: string, value: unknown): 'mean' | 'sum' {
  if (value === 'none') {
    throw rangeError(
      fn,
      'reduction',
      "'none' (MONAI adds the overlap terms (B, C, 1, ...) to the elementwise focal loss) is not " +
        "supported for the combined losses; use 'mean' or 'sum'",
    );
  }
  return oneOf(fn, 'reduction', value, ['mean', 'sum'], 'mean');
}

function weightOf(fn: string, name: string, value: unknown): MonaiWeight | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return nonNegative(fn, name, value, 0);
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
    throw typeError(fn, name, `must be null, a number, or an array with one number per class; got ${describe(value)}`);
  }
  const list = Array.from(value as ArrayLike<unknown>);
  list.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      throw rangeError(fn, `${name}[${i}]`, `must be a finite number ≥ 0; got ${describe(w)}`);
  });
  return list as number[];
}

/** The preprocessing of MONAI's overlap losses: activation, to_onehot_y, include_background. */
interface Preprocessing extends ActivationParams {
  includeBackground: boolean;
  toOnehotY: boolean;
}

interface PreprocessingParams {
  /** Keep channel 0 (background) in the loss; `false` drops it after the activation and one-hot. Default `true`. */
  include_background?: boolean;
  /** The target is a label map (B, 1, …), one-hot encoded over the input's channels. Default `false`. */
  to_onehot_y?: boolean;
  /** Apply a sigmoid to the input (logits). Default `false`. */
  sigmoid?: boolean;
  /** Apply a softmax over the input's channels (logits). Default `false`. */
  softmax?: boolean;
  /**
   * Another activation: a function of `{ data, shape }` applied to a copy of the input (no gradient through it).
   * Default `null`.
   */
  other_act?: OtherAct | null;
}

function preprocessingOf(fn: string, p: PreprocessingParams): Preprocessing {
  return {
    ...checkActivationParams(fn, p, flag(fn, 'sigmoid', p.sigmoid, false), flag(fn, 'softmax', p.softmax, false)),
    includeBackground: flag(fn, 'include_background', p.include_background, true),
    toOnehotY: flag(fn, 'to_onehot_y', p.to_onehot_y, false),
  };
}

/** include_background=False with one channel: MONAI warns and keeps the channel. */
function keepsBackground(includeBackground: boolean, inputs: LossInputs, warnings: Warnings): boolean {
  if (!includeBackground && inputs.C === 1)
    warnings.warn('single channel prediction, `include_background=False` ignored.');
  return includeBackground || inputs.C === 1;
}

/**
 * MONAI applies a class weight only when more than one class is left; the native weight covers
 * all C classes (class 0's is unused without background).
 */
function classWeights(
  fn: string,
  name: string,
  w: MonaiWeight | null,
  inputs: LossInputs,
  includeBackground: boolean,
): number[] | null {
  const kept = includeBackground ? inputs.C : inputs.C - 1;
  if (w === null || kept === 1) return null;
  const list = typeof w === 'number' ? new Array<number>(kept).fill(w) : w;
  if (list.length !== kept) {
    throw rangeError(
      fn,
      name,
      `has ${list.length} values but there are ${kept} classes` +
        (includeBackground ? '' : ' after background removal (include_background=False: leave class 0 out)'),
    );
  }
  return includeBackground ? [...list] : [1, ...list];
}

// ---------------------------------------------------------------------------------------------
// The overlap part: Dice, Jaccard, Tversky, Generalized Dice

interface OverlapSpec {
  loss: 'dice' | 'jaccard' | 'tversky' | 'generalizedDice';
  pre: Preprocessing;
  reduction: Reduction;
  smoothNr: number;
  smoothDr: number;
  batch: boolean;
  softLabel: boolean;
  squared: boolean;
  /** Dice and Jaccard. */
  weight: MonaiWeight | null;
  /** Tversky's alpha, beta; Generalized Dice's weightType. */
  native: Record<string, unknown>;
}

interface OverlapParams extends PreprocessingParams {
  /** `'mean'` (default), `'sum'`, or `'none'` (MONAI's own output shape). */
  reduction?: Reduction;
  /** Added to the numerator. Default 1e-5. */
  smooth_nr?: number;
  /** Added to the denominator. Default 1e-5. */
  smooth_dr?: number;
  /** Sum over the batch before the ratio: one term per class. Default `false`. */
  batch?: boolean;
  /**
   * Soft-label intersection `(Σp + Σy − Σ|p − y|)/2`, so that a soft target predicted exactly has loss 0. Default
   * `false`.
   */
  soft_label?: boolean;
}

function overlapSpecOf(
  fn: string,
  loss: OverlapSpec['loss'],
  p: OverlapParams & { squared_pred?: boolean },
  reduction: Reduction,
  weight: MonaiWeight | null,
  native: Record<string, unknown>,
): OverlapSpec {
  return {
    loss,
    pre: preprocessingOf(fn, p),
    reduction,
    smoothNr: nonNegative(fn, 'smooth_nr', p.smooth_nr, 1e-5),
    smoothDr: nonNegative(fn, 'smooth_dr', p.smooth_dr, 1e-5),
    batch: flag(fn, 'batch', p.batch, false),
    softLabel: flag(fn, 'soft_label', p.soft_label, false),
    squared: flag(fn, 'squared_pred', p.squared_pred, false),
    weight,
    native,
  };
}

/**
 * MONAI's soft_label intersection is (‖p‖₁ + ‖g‖₁ − ‖p − g‖₁)/2: the native softLabel (plain sums)
 * while p ≥ 0 and g ≥ 0, and for a label map Σp·g while p ≤ 1 too. Without sigmoid or softmax the
 * values are checked.
 */
function checkSoftLabel(fn: string, pred: Float32Array, inputs: LossInputs): void {
  const top = inputs.targetKind === 'labels' ? 1 : Infinity;
  const at = pred.findIndex((v) => v < 0 || v > top);
  if (at >= 0) {
    throw rangeError(
      fn,
      'soft_label',
      `needs predictions in [0, ${top === 1 ? '1' : '∞'}) here (MONAI's norms use |p|); the input holds ` +
        `${pred[at]} at index ${at} (use sigmoid or softmax)`,
    );
  }
  if (inputs.targetKind === 'dense' && inputs.target.some((v) => v < 0))
    throw rangeError(fn, 'soft_label', "needs a target ≥ 0 (MONAI's norms use |g|)");
}

function overlapPart(fn: string, spec: OverlapSpec, inputs: LossInputs, warnings: Warnings, scale: number): Part {
  const { pred, activation } = activate(fn, inputs, spec.pre, warnings);
  const includeBackground = keepsBackground(spec.pre.includeBackground, inputs, warnings);
  if (spec.softLabel && !spec.squared && activation === 'none') checkSoftLabel(fn, pred, inputs);
  // MONAI's Jaccard (2I + sNr)/(2(P + G − I) + sDr) is (I + sNr/2)/(P + G − I + sDr/2).
  const half = spec.loss === 'jaccard' ? 0.5 : 1;
  const perClass = spec.loss === 'dice' || spec.loss === 'jaccard';
  return {
    loss: spec.loss,
    pred,
    target: inputs.target,
    scale,
    options: {
      shape: inputs.shape,
      activation,
      target: inputs.targetKind,
      includeBackground,
      batch: spec.batch,
      reduction: spec.reduction,
      smoothNr: half * spec.smoothNr,
      smoothDr: half * spec.smoothDr,
      softLabel: spec.softLabel,
      ...(perClass
        ? { squared: spec.squared, weight: classWeights(fn, 'weight', spec.weight, inputs, includeBackground) }
        : {}),
      ...spec.native,
    },
  };
}

/**
 * Reduction 'none' as MONAI shapes it: Dice (B, C', 1, …), Tversky (B, C'), Generalized Dice
 * (B, 1, 1, …); batch drops B (Generalized Dice keeps its 1: (1, 1, …)).
 */
function perTermOutput(spec: OverlapSpec, inputs: LossInputs, part: Part): (terms: Float64Array) => Tensor {
  const { B, C, shape } = inputs;
  const ones = new Array<number>(shape.length - 2).fill(1);
  const rows = spec.batch ? [] : [B];
  if (spec.loss === 'generalizedDice')
    return (terms) => ({ data: terms, shape: spec.batch ? [1, ...ones] : [B, 1, ...ones] });
  const first = part.options.includeBackground ? 0 : 1;
  const kept = C - first;
  const shaped = spec.loss === 'tversky' ? [...rows, kept] : spec.batch ? [kept, ...ones] : [B, kept, ...ones];
  return (terms) => ({ data: terms.filter((_, t) => t % C >= first), shape: shaped });
}

// ---------------------------------------------------------------------------------------------
// The pointwise parts: focal, cross-entropy, binary cross-entropy

interface FocalSpec {
  includeBackground: boolean;
  gamma: number;
  alpha: number | null;
  weight: MonaiWeight | null;
  /** 'none': FocalLoss alone. */
  reduction: Reduction;
  useSoftmax: boolean;
}

/**
 * Channels 1… of the input and target (a label map becomes their one-hot, label 0 an empty row),
 * and the map of a gradient over them back onto the input (0 for channel 0).
 */
function withoutBackground(
  fn: string,
  inputs: LossInputs,
): { inputs: LossInputs; pullback: NonNullable<Part['pullback']> } {
  const { B, C, S, x, target } = inputs;
  const K = C - 1;
  const pred = new Float32Array(B * K * S);
  const dense =
    inputs.targetKind === 'labels' || target instanceof Uint8Array
      ? new Uint8Array(B * K * S)
      : new Float32Array(B * K * S);
  for (let b = 0; b < B; b++) {
    for (let c = 1; c < C; c++) {
      pred.set(x.subarray((b * C + c) * S, (b * C + c + 1) * S), (b * K + c - 1) * S);
      if (inputs.targetKind === 'dense')
        dense.set(target.subarray((b * C + c) * S, (b * C + c + 1) * S), (b * K + c - 1) * S);
    }
    if (inputs.targetKind === 'labels') {
      for (let s = 0; s < S; s++) {
        const label = target[b * S + s];
        if (!(label >= 0 && label < C))
          throw rangeError(fn, 'target', `holds label ${label} at index ${b * S + s}, outside [0, ${C})`);
        if (label > 0) dense[(b * K + label - 1) * S + s] = 1;
      }
    }
  }
  const pullback = (grad: Float32Array, into: Float64Array, scale: number) => {
    for (let b = 0; b < B; b++) {
      for (let c = 1; c < C; c++) {
        for (let s = 0; s < S; s++) into[(b * C + c) * S + s] += scale * grad[(b * K + c - 1) * S + s];
      }
    }
  };
  return {
    inputs: { ...inputs, x: pred, target: dense, targetKind: 'dense', C: K, shape: [B, K, ...inputs.shape.slice(2)] },
    pullback,
  };
}

/**
 * MONAI's FocalLoss from logits: sigmoid, or softmax over the channels (after background removal).
 * Its 'sum' is the spatial mean summed over batch and channels: the native sum divided by S.
 */
function focalParts(fn: string, spec: FocalSpec, inputs: LossInputs, warnings: Warnings, scale: number): Part[] {
  const includeBackground = keepsBackground(spec.includeBackground, inputs, warnings);
  const focal = (at: LossInputs, activation: Activation, alpha: number | null, keepBackground: boolean): Part => ({
    loss: 'focal',
    pred: at.x,
    target: at.target,
    scale: spec.reduction === 'sum' ? scale / at.S : scale,
    options: {
      shape: at.shape,
      activation,
      target: at.targetKind,
      includeBackground: keepBackground,
      gamma: spec.gamma,
      alpha,
      weight: classWeights(fn, 'weight', spec.weight, at, keepBackground),
      reduction: spec.reduction,
    },
  });
  if (!spec.useSoftmax) return [focal(inputs, 'sigmoid', spec.alpha, includeBackground)];
  if (!spec.includeBackground && spec.alpha !== null)
    warnings.warn('`include_background=False`, `alpha` ignored when using softmax.');
  // A softmax over a single channel is 1: that loss is 0 everywhere.
  if ((includeBackground ? inputs.C : inputs.C - 1) === 1) return [];
  if (includeBackground) return [focal(inputs, 'softmax', spec.alpha, true)];
  const sliced = withoutBackground(fn, inputs);
  return [{ ...focal(sliced.inputs, 'softmax', null, true), pullback: sliced.pullback }];
}

/**
 * FocalLoss reduction 'none': the elementwise loss (B, C', ...spatial) over the channels left after
 * background removal, from the focal part's values (every channel, or those left when its softmax
 * was taken over them); a softmax over one channel is 1, whose loss is 0 (no part).
 */
function elementwiseOutput(
  spec: FocalSpec,
  inputs: LossInputs,
  parts: readonly Part[],
): (values: Float64Array) => Tensor {
  const { B, C, S, shape } = inputs;
  const first = spec.includeBackground || C === 1 ? 0 : 1;
  const out = [B, C - first, ...shape.slice(2)];
  const partChannels = parts.length > 0 ? (parts[0].options.shape as number[])[1] : C - first;
  return (values) => {
    if (parts.length === 0) return { data: new Float64Array(B * (C - first) * S), shape: out };
    return { data: partChannels === C ? values.filter((_, i) => Math.floor(i / S) % C >= first) : values, shape: out };
  };
}

/**
 * torch's cross_entropy (C > 1) or binary_cross_entropy_with_logits (C = 1) of the raw logits, as
 * DiceCELoss computes it.
 */
function crossEntropyPart(
  inputs: LossInputs,
  weight: readonly number[] | null,
  labelSmoothing: number,
  reduction: 'mean' | 'sum',
  scale: number,
): Part {
  const common = { shape: inputs.shape, target: inputs.targetKind, reduction };
  return {
    loss: inputs.C > 1 ? 'crossEntropy' : 'bce',
    pred: inputs.x,
    target: inputs.target,
    scale,
    options: inputs.C > 1 ? { ...common, weight, labelSmoothing } : { ...common, posWeight: weight?.[0] ?? null },
  };
}

// ---------------------------------------------------------------------------------------------
// The classes

/** A MONAI loss object: `forward(input, target)` and `forwardWithGrad(input, target)`. */
abstract class MonaiLoss {
  protected readonly kernel = compatKernel();
  protected readonly warnings: Warnings;

  constructor(
    protected readonly name: string,
    private readonly reduction: string,
    private readonly otherAct: OtherAct | null,
  ) {
    this.warnings = new Warnings(name);
  }

  /** The native calls of one call (`mask`: MaskedDiceLoss only). */
  protected abstract plan(fn: string, input: unknown, target: unknown, mask: unknown): Plan;

  /** The loss: a number, or for reduction 'none' a tensor of MONAI's output shape. */
  forward(input: TensorInput, target: TensorInput): number | Tensor {
    return runPlan(this.kernel, this.plan(`${this.name}.forward`, input, target, undefined));
  }

  /** The loss and its gradient with respect to `input`. */
  forwardWithGrad(input: TensorInput, target: TensorInput): LossWithGrad {
    return this.withGrad(`${this.name}.forwardWithGrad`, input, target, undefined);
  }

  protected withGrad(fn: string, input: unknown, target: unknown, mask: unknown): LossWithGrad {
    if (this.reduction === 'none')
      throw rangeError(
        fn,
        'reduction',
        "'none' gives one loss per term, which has no single gradient; use 'mean' or 'sum'",
      );
    if (this.otherAct !== null)
      throw rangeError(
        fn,
        'other_act',
        'is a plain function, whose derivative is unknown here: the gradient needs sigmoid, softmax or no activation',
      );
    const plan = this.plan(fn, input, target, mask);
    return valueAndGradOf(this.kernel, plan.parts, plan.shape);
  }
}

/** A MONAI loss that is one overlap part: DiceLoss, MaskedDiceLoss, TverskyLoss, GeneralizedDiceLoss. */
abstract class OverlapLoss extends MonaiLoss {
  constructor(
    name: string,
    protected readonly spec: OverlapSpec,
  ) {
    super(name, spec.reduction, spec.pre.otherAct);
  }

  protected planOf(fn: string, inputs: LossInputs, pullback?: Part['pullback']): Plan {
    const part = { ...overlapPart(fn, this.spec, inputs, this.warnings, 1), ...(pullback ? { pullback } : {}) };
    return {
      parts: [part],
      shape: inputs.shape,
      ...(this.spec.reduction === 'none' ? { output: perTermOutput(this.spec, inputs, part) } : {}),
    };
  }

  protected plan(fn: string, input: unknown, target: unknown): Plan {
    return this.planOf(fn, readLossInputs(fn, input, target, this.spec.pre.toOnehotY, this.warnings));
  }
}

/** The parameters of MONAI's `DiceLoss`, under their Python names; an absent one takes MONAI's default. */
export interface DiceLossParams extends OverlapParams {
  /** Squared denominator `Σp² + Σy²` (V-Net). Default `false`. */
  squared_pred?: boolean;
  /** Jaccard (IoU) instead of Dice, in MONAI's form `(2I + s)/(2(P + G − I) + s)`. Default `false`. */
  jaccard?: boolean;
  /**
   * Class weights: one number for every class, or one per class left after background removal. Default `null` (none).
   */
  weight?: MonaiWeight | null;
}

const DICE_PARAMS = [
  'include_background',
  'to_onehot_y',
  'sigmoid',
  'softmax',
  'other_act',
  'squared_pred',
  'jaccard',
  'reduction',
  'smooth_nr',
  'smooth_dr',
  'batch',
  'weight',
  'soft_label',
];

function diceSpecOf(fn: string, params: DiceLossParams | undefined): OverlapSpec {
  const p = readParams(fn, params, DICE_PARAMS);
  const loss = flag(fn, 'jaccard', p.jaccard, false) ? 'jaccard' : 'dice';
  return overlapSpecOf(
    fn,
    loss,
    p,
    oneOf(fn, 'reduction', p.reduction, REDUCTIONS, 'mean'),
    weightOf(fn, 'weight', p.weight),
    {},
  );
}

/**
 * monai.losses.DiceLoss (Milletari et al. 2016): per (sample, class) `1 − (2I + smooth_nr)/(P + G + smooth_dr)`
 * (`jaccard`: `1 − (2I + smooth_nr)/(2(P + G − I) + smooth_dr)`), times `weight`, then 'mean' (default),
 * 'sum' or 'none' ((B, C', 1, …)). Defaults: smooth_nr = smooth_dr = 1e-5, everything else off.
 * @example
 * const loss = new monai.DiceLoss({ softmax: true, to_onehot_y: true, include_background: false });
 * loss.forward(logits, labels);                  // { data, shape: [B, C, H, W] }, { data, shape: [B, 1, H, W] }
 * const { grad } = loss.forwardWithGrad(logits, labels);
 */
export class DiceLoss extends OverlapLoss {
  /**
   * Reads the parameters as MONAI's `DiceLoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: DiceLossParams) {
    super('DiceLoss', diceSpecOf('DiceLoss', params));
  }
}

/**
 * monai.losses.MaskedDiceLoss: DiceLoss of `input ⊙ mask` and `target ⊙ mask`, with a
 * (B or 1, 1, ...spatial) mask multiplied into the raw input before the activation (a masked
 * logit becomes 0: σ(0) = ½ still counts). Without a mask, DiceLoss (with MONAI's warning).
 * @example
 * new monai.MaskedDiceLoss({ sigmoid: true }).forward(logits, target, mask);
 */
export class MaskedDiceLoss extends OverlapLoss {
  /**
   * Reads the parameters as MONAI's `MaskedDiceLoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: DiceLossParams) {
    super('MaskedDiceLoss', diceSpecOf('MaskedDiceLoss', params));
  }

  override forward(input: TensorInput, target: TensorInput, mask?: TensorInput | null): number | Tensor {
    return runPlan(this.kernel, this.plan('MaskedDiceLoss.forward', input, target, mask));
  }

  override forwardWithGrad(input: TensorInput, target: TensorInput, mask?: TensorInput | null): LossWithGrad {
    return this.withGrad('MaskedDiceLoss.forwardWithGrad', input, target, mask);
  }

  protected override plan(fn: string, input: unknown, target: unknown, mask?: unknown): Plan {
    if (mask === undefined || mask === null) {
      this.warnings.warn('No mask value specified for the MaskedLoss.');
      return super.plan(fn, input, target);
    }
    // The mask multiplies the raw target too: a label map before to_onehot_y makes it one-hot.
    const masked = applyMask(fn, readLossInputs(fn, input, target, this.spec.pre.toOnehotY, this.warnings), mask);
    return this.planOf(fn, masked.inputs, masked.pullback);
  }
}

/** The parameters of MONAI's `TverskyLoss`, under their Python names; an absent one takes MONAI's default. */
export interface TverskyLossParams extends OverlapParams {
  /** Weight of false positives. Default 0.5. */
  alpha?: number;
  /** Weight of false negatives. Default 0.5. */
  beta?: number;
}

/**
 * monai.losses.TverskyLoss (Salehi et al. 2017): per (sample, class)
 * `1 − (I + smooth_nr)/(I + alpha·FP + beta·FN + smooth_dr)`, alpha weighing false positives
 * (defaults 0.5, 0.5, smoothing 1e-5); reduction 'none' gives (B, C').
 * @example
 * new monai.TverskyLoss({ alpha: 0.3, beta: 0.7, sigmoid: true }).forward(logits, target);
 */
export class TverskyLoss extends OverlapLoss {
  /**
   * Reads the parameters as MONAI's `TverskyLoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: TverskyLossParams) {
    const fn = 'TverskyLoss';
    const p = readParams(fn, params, [
      'include_background',
      'to_onehot_y',
      'sigmoid',
      'softmax',
      'other_act',
      'alpha',
      'beta',
      'reduction',
      'smooth_nr',
      'smooth_dr',
      'batch',
      'soft_label',
    ]);
    const native = { alpha: nonNegative(fn, 'alpha', p.alpha, 0.5), beta: nonNegative(fn, 'beta', p.beta, 0.5) };
    super(fn, overlapSpecOf(fn, 'tversky', p, oneOf(fn, 'reduction', p.reduction, REDUCTIONS, 'mean'), null, native));
  }
}

/** The parameters of MONAI's `GeneralizedDiceLoss`, under their Python names; an absent one takes MONAI's default. */
export interface GeneralizedDiceLossParams extends OverlapParams {
  /** Class weights from the target volume G: `'square'` (1/G², default), `'simple'` (1/G) or `'uniform'`. */
  w_type?: WeightType;
}

const GDL_PARAMS = [
  'include_background',
  'to_onehot_y',
  'sigmoid',
  'softmax',
  'other_act',
  'w_type',
  'reduction',
  'smooth_nr',
  'smooth_dr',
  'batch',
];

/**
 * monai.losses.GeneralizedDiceLoss (Sudre et al. 2017): per sample (or once with batch)
 * `1 − (2·Σ_c w_c·I_c + smooth_nr)/(Σ_c w_c·(P_c + G_c) + smooth_dr)`, `w_c = 1/G_c²` (w_type 'square',
 * default), `1/G_c` ('simple') or 1 ('uniform'); an absent class takes the largest finite weight
 * of its sample. Reduction 'none' gives (B, 1, 1, …).
 * @example
 * new monai.GeneralizedDiceLoss({ softmax: true, to_onehot_y: true }).forward(logits, labels);
 */
export class GeneralizedDiceLoss extends OverlapLoss {
  /**
   * Reads the parameters as MONAI's `GeneralizedDiceLoss` does; an unknown name or a bad value throws, naming the
   * Python parameter.
   */
  constructor(params?: GeneralizedDiceLossParams) {
    const fn = 'GeneralizedDiceLoss';
    const p = readParams(fn, params, [...GDL_PARAMS, 'soft_label']);
    const native = { weightType: oneOf(fn, 'w_type', p.w_type, WEIGHT_TYPES, 'square') };
    super(
      fn,
      overlapSpecOf(fn, 'generalizedDice', p, oneOf(fn, 'reduction', p.reduction, REDUCTIONS, 'mean'), null, native),
    );
  }
}

/** The parameters of MONAI's `FocalLoss`, under their Python names; an absent one takes MONAI's default. */
export interface FocalLossParams {
  /** Keep channel 0 (background) in the loss; `false` drops it after the activation and one-hot. Default `true`. */
  include_background?: boolean;
  /** The target is a label map (B, 1, …), one-hot encoded over the input's channels. Default `false`. */
  to_onehot_y?: boolean;
  /** Focusing exponent of `(1 − p_t)^γ`. Default 2. */
  gamma?: number;
  /**
   * Balance of positives: `α·y + (1 − α)(1 − y)` (sigmoid), `1 − α` for class 0 and `α` for the others (softmax).
   * Default `null` (none).
   */
  alpha?: number | null;
  /**
   * Class weights: one number for every class, or one per class left after background removal. Default `null` (none).
   */
  weight?: MonaiWeight | null;
  /** `'mean'` (default), `'sum'`, or `'none'` (MONAI's own output shape). */
  reduction?: Reduction;
  /** A softmax over the channels instead of a sigmoid per channel. Default `false`. */
  use_softmax?: boolean;
}

/**
 * monai.losses.FocalLoss (Lin et al. 2017) from logits: sigmoid `(1 − p_t)^gamma·BCE` per element
 * (alpha: `alpha·t + (1 − alpha)(1 − t)`), or with use_softmax `−(1 − p)^gamma·t·log p` with the
 * softmax over the channels left after background removal (alpha: 1 − alpha for channel 0, alpha
 * for the others); `weight` per channel; 'mean' over all elements, MONAI's 'sum' (the spatial
 * mean summed over batch and channels), or 'none': the elementwise loss, (B, C', ...spatial) with
 * C' the channels left after background removal.
 * @example
 * new monai.FocalLoss({ to_onehot_y: true, use_softmax: true, gamma: 2 }).forward(logits, labels);
 * new monai.FocalLoss({ reduction: 'none' }).forward(logits, target);    // { data, shape: [B, C, H, W] }
 */
export class FocalLoss extends MonaiLoss {
  private readonly spec: FocalSpec;
  private readonly toOnehotY: boolean;

  /**
   * Reads the parameters as MONAI's `FocalLoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: FocalLossParams) {
    const fn = 'FocalLoss';
    const p = readParams(fn, params, [
      'include_background',
      'to_onehot_y',
      'gamma',
      'alpha',
      'weight',
      'reduction',
      'use_softmax',
    ]);
    const reduction = oneOf(fn, 'reduction', p.reduction, REDUCTIONS, 'mean');
    super(fn, reduction, null);
    this.toOnehotY = flag(fn, 'to_onehot_y', p.to_onehot_y, false);
    this.spec = {
      includeBackground: flag(fn, 'include_background', p.include_background, true),
      gamma: nonNegative(fn, 'gamma', p.gamma, 2),
      alpha: fractionOf(fn, 'alpha', p.alpha),
      weight: weightOf(fn, 'weight', p.weight),
      reduction,
      useSoftmax: flag(fn, 'use_softmax', p.use_softmax, false),
    };
  }

  protected plan(fn: string, input: unknown, target: unknown): Plan {
    const inputs = readLossInputs(fn, input, target, this.toOnehotY, this.warnings);
    const parts = focalParts(fn, this.spec, inputs, this.warnings, 1);
    return {
      parts,
      shape: inputs.shape,
      ...(this.spec.reduction === 'none' ? { output: elementwiseOutput(this.spec, inputs, parts) } : {}),
    };
  }
}

function lambdaOf(fn: string, name: string, value: unknown): number {
  return nonNegative(fn, name, value, 1);
}

/** The parameters of MONAI's `DiceCELoss`, under their Python names; an absent one takes MONAI's default. */
export interface DiceCELossParams extends Omit<DiceLossParams, 'reduction' | 'weight' | 'soft_label'> {
  /** `'mean'` (default) or `'sum'`. */
  reduction?: 'mean' | 'sum';
  /** Cross-entropy class weights (one channel: BCE's `pos_weight`). Default `null` (none). */
  weight?: readonly number[] | number | null;
  /** Weight of the Dice part. Default 1. */
  lambda_dice?: number;
  /** Weight of the cross-entropy part. Default 1. */
  lambda_ce?: number;
  /** Cross-entropy label smoothing ε: target `(1 − ε)·y + ε/C`. Default 0. */
  label_smoothing?: number;
}

/**
 * monai.losses.DiceCELoss: `lambda_dice·DiceLoss + lambda_ce·CE`, the cross-entropy from the raw
 * logits whatever the activation (torch's class-index form for a label map, probability targets
 * for a one-hot target; with one channel, binary cross-entropy with `pos_weight = weight`).
 * `weight` (one per class) weighs the cross-entropy and, without background, the Dice of classes 1….
 * @example
 * new monai.DiceCELoss({ softmax: true, to_onehot_y: true, lambda_ce: 2 }).forward(logits, labels);
 */
export class DiceCELoss extends MonaiLoss {
  private readonly dice: OverlapSpec;
  private readonly weight: MonaiWeight | null;
  private readonly lambdaDice: number;
  private readonly lambdaCe: number;
  private readonly labelSmoothing: number;

  /**
   * Reads the parameters as MONAI's `DiceCELoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: DiceCELossParams) {
    const fn = 'DiceCELoss';
    const p = readParams(fn, params, [
      ...DICE_PARAMS.filter((n) => n !== 'soft_label'),
      'lambda_dice',
      'lambda_ce',
      'label_smoothing',
    ]);
    const reduction = oneOf(fn, 'reduction', p.reduction, ['mean', 'sum'], 'mean');
    const weight = weightOf(fn, 'weight', p.weight);
    const spec = overlapSpecOf(fn, flag(fn, 'jaccard', p.jaccard, false) ? 'jaccard' : 'dice', p, reduction, null, {});
    super(fn, reduction, spec.pre.otherAct);
    // The Dice part takes weight[1:] without background.
    this.dice = { ...spec, weight: Array.isArray(weight) && !spec.pre.includeBackground ? weight.slice(1) : weight };
    this.weight = weight;
    this.lambdaDice = lambdaOf(fn, 'lambda_dice', p.lambda_dice);
    this.lambdaCe = lambdaOf(fn, 'lambda_ce', p.lambda_ce);
    this.labelSmoothing = fractionOf(fn, 'label_smoothing', p.label_smoothing) ?? 0;
  }

  /** torch's weight: C values for cross-entropy; BCE's pos_weight: one value. */
  private pointWeight(fn: string, C: number): number[] | null {
    const w = this.weight;
    if (w === null) return null;
    const n = Math.max(C, 1);
    const list = typeof w === 'number' ? new Array<number>(n).fill(w) : [...w];
    if (list.length !== n) {
      const needs =
        C > 1
          ? `cross-entropy needs one per class (${C})`
          : "with one channel it is binary cross-entropy's pos_weight, one value";
      throw rangeError(fn, 'weight', `has ${list.length} values; ${needs}`);
    }
    return list;
  }

  protected plan(fn: string, input: unknown, target: unknown): Plan {
    const inputs = readLossInputs(fn, input, target, this.dice.pre.toOnehotY, this.warnings);
    const weight = this.pointWeight(fn, inputs.C);
    const dice = overlapPart(fn, this.dice, inputs, this.warnings, this.lambdaDice);
    const lambdas = { lambdaOverlap: this.lambdaDice, lambdaPoint: this.lambdaCe };
    const kept = inputs.C - (dice.options.includeBackground ? 0 : 1);
    // One native diceCE call where its activation is the cross-entropy's own: softmax with
    // several channels (its weight serves both parts, as MONAI's weight and weight[1:] do, while
    // more than one class is left), sigmoid with one (BCE's pos_weight; Dice ignores weight).
    if (
      this.dice.loss === 'dice' &&
      inputs.C > 1 &&
      dice.options.activation === 'softmax' &&
      (weight === null || kept > 1)
    ) {
      return {
        parts: [
          {
            ...dice,
            loss: 'diceCE',
            scale: 1,
            options: { ...dice.options, weight, labelSmoothing: this.labelSmoothing, ...lambdas },
          },
        ],
        shape: inputs.shape,
      };
    }
    if (this.dice.loss === 'dice' && inputs.C === 1 && dice.options.activation === 'sigmoid') {
      return {
        parts: [
          {
            ...dice,
            loss: 'diceCE',
            scale: 1,
            options: { ...dice.options, posWeight: weight?.[0] ?? null, ...lambdas },
          },
        ],
        shape: inputs.shape,
      };
    }
    const ce = crossEntropyPart(
      inputs,
      weight,
      this.labelSmoothing,
      this.dice.reduction as 'mean' | 'sum',
      this.lambdaCe,
    );
    return { parts: [dice, ce], shape: inputs.shape };
  }
}

/** Dice or Generalized Dice plus the sigmoid focal loss of the raw logits (MONAI passes it no softmax). */
abstract class OverlapFocalLoss extends MonaiLoss {
  constructor(
    name: string,
    private readonly overlap: OverlapSpec,
    private readonly focal: FocalSpec,
    private readonly lambdaOverlap: number,
    private readonly lambdaFocal: number,
    private readonly fused: 'diceFocal' | 'generalizedDiceFocal',
  ) {
    super(name, overlap.reduction, overlap.pre.otherAct);
  }

  protected plan(fn: string, input: unknown, target: unknown): Plan {
    const inputs = readLossInputs(fn, input, target, this.overlap.pre.toOnehotY, this.warnings);
    const overlap = overlapPart(fn, this.overlap, inputs, this.warnings, this.lambdaOverlap);
    const [focal] = focalParts(fn, this.focal, inputs, this.warnings, this.lambdaFocal);
    // One native call when the overlap part's activation is the focal part's sigmoid (its focal
    // 'sum' quirk rides on lambdaPoint, the focal part's scale).
    if (this.overlap.loss !== 'jaccard' && overlap.options.activation === 'sigmoid') {
      const { gamma, alpha } = this.focal;
      const options = {
        ...overlap.options,
        weight: focal.options.weight,
        gamma,
        alpha,
        lambdaOverlap: this.lambdaOverlap,
        lambdaPoint: focal.scale,
      };
      return { parts: [{ ...overlap, loss: this.fused, scale: 1, options }], shape: inputs.shape };
    }
    return { parts: [overlap, focal], shape: inputs.shape };
  }
}

function focalSpecOf(
  fn: string,
  p: { gamma?: unknown; alpha?: unknown },
  includeBackground: boolean,
  weight: MonaiWeight | null,
  reduction: 'mean' | 'sum',
): FocalSpec {
  return {
    includeBackground,
    gamma: nonNegative(fn, 'gamma', p.gamma, 2),
    alpha: fractionOf(fn, 'alpha', p.alpha),
    weight,
    reduction,
    useSoftmax: false,
  };
}

/** The parameters of MONAI's `DiceFocalLoss`, under their Python names; an absent one takes MONAI's default. */
export interface DiceFocalLossParams extends Omit<DiceLossParams, 'reduction' | 'soft_label'> {
  /**
   * `'mean'` (default) or `'sum'`; `'none'` is refused (MONAI broadcasts the overlap terms over the elementwise focal
   * loss).
   */
  reduction?: 'mean' | 'sum';
  /** Focusing exponent of the focal part. Default 2. */
  gamma?: number;
  /** Balance of positives of the focal part (as FocalLoss). Default `null` (none). */
  alpha?: number | null;
  /** Weight of the Dice part. Default 1. */
  lambda_dice?: number;
  /** Weight of the focal part. Default 1. */
  lambda_focal?: number;
}

/**
 * monai.losses.DiceFocalLoss: `lambda_dice·DiceLoss + lambda_focal·FocalLoss`, both with
 * include_background, weight and reduction; the focal part is the sigmoid focal loss of the raw
 * logits whatever the Dice part's activation (MONAI 1.5 passes no softmax to it).
 * @example
 * new monai.DiceFocalLoss({ sigmoid: true, gamma: 2, lambda_focal: 0.5 }).forward(logits, target);
 */
export class DiceFocalLoss extends OverlapFocalLoss {
  /**
   * Reads the parameters as MONAI's `DiceFocalLoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: DiceFocalLossParams) {
    const fn = 'DiceFocalLoss';
    const p = readParams(fn, params, [
      ...DICE_PARAMS.filter((n) => n !== 'soft_label'),
      'gamma',
      'lambda_dice',
      'lambda_focal',
      'alpha',
    ]);
    const reduction = reducedOnly(fn, p.reduction);
    const weight = weightOf(fn, 'weight', p.weight);
    const dice = overlapSpecOf(
      fn,
      flag(fn, 'jaccard', p.jaccard, false) ? 'jaccard' : 'dice',
      p,
      reduction,
      weight,
      {},
    );
    const focal = focalSpecOf(fn, p, dice.pre.includeBackground, weight, reduction);
    super(
      fn,
      dice,
      focal,
      lambdaOf(fn, 'lambda_dice', p.lambda_dice),
      lambdaOf(fn, 'lambda_focal', p.lambda_focal),
      'diceFocal',
    );
  }
}

/**
 * The parameters of MONAI's `GeneralizedDiceFocalLoss`, under their Python names; an absent one takes MONAI's default.
 */
export interface GeneralizedDiceFocalLossParams extends Omit<GeneralizedDiceLossParams, 'reduction'> {
  /** `'mean'` (default) or `'sum'`; `'none'` is refused. */
  reduction?: 'mean' | 'sum';
  /** Focusing exponent of the focal part. Default 2. */
  gamma?: number;
  /** Class weights of the focal part. Default `null` (none). */
  weight?: MonaiWeight | null;
  /** Weight of the Generalized Dice part. Default 1. */
  lambda_gdl?: number;
  /** Weight of the focal part. Default 1. */
  lambda_focal?: number;
}

/**
 * monai.losses.GeneralizedDiceFocalLoss: `lambda_gdl·GeneralizedDiceLoss + lambda_focal·FocalLoss`
 * (sigmoid focal loss of the raw logits; `weight` is the focal part's).
 * @example
 * new monai.GeneralizedDiceFocalLoss({ sigmoid: true }).forward(logits, target);
 */
export class GeneralizedDiceFocalLoss extends OverlapFocalLoss {
  /**
   * Reads the parameters as MONAI's `GeneralizedDiceFocalLoss` does; an unknown name or a bad value throws, naming the
   * Python parameter.
   */
  constructor(params?: GeneralizedDiceFocalLossParams) {
    const fn = 'GeneralizedDiceFocalLoss';
    const p = readParams(fn, params, [...GDL_PARAMS, 'gamma', 'weight', 'lambda_gdl', 'lambda_focal']);
    const reduction = reducedOnly(fn, p.reduction);
    const gdl = overlapSpecOf(fn, 'generalizedDice', p, reduction, null, {
      weightType: oneOf(fn, 'w_type', p.w_type, WEIGHT_TYPES, 'square'),
    });
    const focal = focalSpecOf(fn, p, gdl.pre.includeBackground, weightOf(fn, 'weight', p.weight), reduction);
    super(
      fn,
      gdl,
      focal,
      lambdaOf(fn, 'lambda_gdl', p.lambda_gdl),
      lambdaOf(fn, 'lambda_focal', p.lambda_focal),
      'generalizedDiceFocal',
    );
  }
}
