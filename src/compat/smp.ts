// segmentation_models_pytorch's losses (smp.losses, v0.4+) as thin translations onto the native
// losses. smp's scores (`_functional.soft_tversky_score`) use the soft-label intersection
// I = (Σo + Σt − Σ|o − t|)/2 (native `softLabel`), Dice being Tversky(½, ½) and Jaccard
// Tversky(1, 1); its Dice, Jaccard and Tversky losses pool batch and space per class (native
// `batch`), give a class without target pixels the loss 0 (native `empty: 'zero'`) and average the
// classes. `eps` clamps denominators from below: the same numbers unless a denominator is ≤ eps
// (a term of zeros), where smp returns 0/eps and the native call throws.
import { describe, rangeError, typeError } from '../core/errors.js';
import { flag, nonNegative, oneOf } from '../core/options.js';
import { groupPair } from './axes.js';
import { compatKernel } from './kernel.js';
import { runPlan, valueAndGradOf, type LossWithGrad, type Part, type Plan } from './parts.js';
import { fractionOf, readParams } from './params.js';
import { asDense, asLabels, asScores, readTensor, type Tensor, type TensorData, type TensorInput } from './tensor.js';
import { REDUCTIONS } from '../core/option-values.js';

/**
 * smp's `mode`: how prediction and target are laid out (binary (B, 1, …), multilabel (B, C, …), multiclass with a label
 * map).
 */
export type Mode = 'binary' | 'multiclass' | 'multilabel';
const MODES: readonly Mode[] = ['binary', 'multiclass', 'multilabel'];

function modeOf(fn: string, value: unknown): Mode {
  if (value === undefined) throw typeError(fn, 'mode', "is required: 'binary', 'multiclass' or 'multilabel'");
  return oneOf(fn, 'mode', value, MODES, 'binary');
}

function ignoreIndexOf(fn: string, value: unknown, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw rangeError(fn, 'ignore_index', `must be an integer or null; got ${describe(value)}`);
  return value;
}

/** y_pred and y_true with one batch axis and, unless `labels`, as many values. */
function readPair(
  fn: string,
  yPred: unknown,
  yTrue: unknown,
  minRank: number,
): { p: TensorData; t: TensorData; B: number } {
  const p = readTensor(fn, 'y_pred', yPred);
  const t = readTensor(fn, 'y_true', yTrue);
  if (p.shape.length < minRank)
    throw rangeError(fn, 'y_pred', `must have at least ${minRank} dimensions; got shape [${p.shape.join(', ')}]`);
  if (t.shape[0] !== p.shape[0])
    throw rangeError(fn, 'y_true', `has ${t.shape[0]} samples but y_pred has ${p.shape[0]}`);
  return { p, t, B: p.shape[0] };
}

function sameCount(fn: string, p: TensorData, t: TensorData): void {
  if (t.data.length !== p.data.length) {
    throw rangeError(
      fn,
      'y_true',
      `has ${t.data.length} values (shape [${t.shape.join(', ')}]) but y_pred has ${p.data.length}; they must match`,
    );
  }
}

/** Values equal to ignore_index: a keep-mask (1 = counted) and the target with them set to 0. */
function withoutIgnored(values: ArrayLike<number>, ignore: number): { target: Float32Array; mask: Uint8Array } {
  const target = new Float32Array(values.length);
  const mask = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (values[i] === ignore) continue;
    target[i] = values[i];
    mask[i] = 1;
  }
  return { target, mask };
}

// ---------------------------------------------------------------------------------------------
// Dice, Jaccard, Tversky

type Score = 'dice' | 'jaccard' | 'tversky';

/** smp's score as native options: Dice = Tversky(½, ½) is (2I + 2s)/(P + G + 2s), the native Dice with 2s. */
function scoreOptions(score: Score, smooth: number, alpha: number, beta: number): Record<string, unknown> {
  const s = score === 'dice' ? 2 * smooth : smooth;
  return { softLabel: true, smoothNr: s, smoothDr: s, ...(score === 'tversky' ? { alpha, beta } : {}) };
}

/** The parameters of smp's `DiceLoss`, `JaccardLoss`, under their Python names; an absent one takes smp's default. */
export interface SmpOverlapParams {
  /** `'binary'` (B, 1, …), `'multilabel'` (B, C, …) or `'multiclass'` (a label map target). */
  mode: Mode;
  /** The classes to average (their indices). Default `null`: every class. */
  classes?: readonly number[] | null;
  /** The loss is `−log score` instead of `1 − score`. Default `false`. */
  log_loss?: boolean;
  /** The prediction is logits: a sigmoid (binary, multilabel) or softmax (multiclass) first. Default `true`. */
  from_logits?: boolean;
  /** Added to numerator and denominator. Default 0. */
  smooth?: number;
  /** Target value whose voxels are left out. Default `null` (none). */
  ignore_index?: number | null;
  /** Lower clamp of the denominator. Default 1e-7. */
  eps?: number;
  /** Weights of the classes averaged (normalised: Σw·loss/Σw). Default `null` (equal). */
  class_weights?: readonly number[] | null;
}

/** The parameters of smp's `TverskyLoss`, under their Python names; an absent one takes smp's default. */
export interface SmpTverskyParams extends SmpOverlapParams {
  /** Weight of false positives. Default 0.5. */
  alpha?: number;
  /** Weight of false negatives. Default 0.5. */
  beta?: number;
  /** Exponent of the mean over classes (focal Tversky). Default 1. */
  gamma?: number;
}

const OVERLAP_PARAMS = ['mode', 'classes', 'log_loss', 'from_logits', 'smooth', 'ignore_index', 'eps', 'class_weights'];

function classesOf(fn: string, value: unknown, mode: Mode): number[] | null {
  if (value === undefined || value === null) return null;
  if (mode === 'binary')
    throw rangeError(fn, 'classes', "cannot be used with mode='binary' (smp: masking classes is not supported)");
  if (!Array.isArray(value) || value.length === 0 || !value.every((c) => Number.isInteger(c) && c >= 0)) {
    throw rangeError(fn, 'classes', `must be null or a non-empty list of class indices; got ${describe(value)}`);
  }
  return value as number[];
}

function classWeightsOf(fn: string, value: unknown, mode: Mode): number[] | null {
  if (value === undefined || value === null) return null;
  if (mode === 'binary')
    throw rangeError(fn, 'class_weights', "cannot be used with mode='binary' (smp: one class has nothing to weigh)");
  if (!Array.isArray(value) || value.length === 0)
    throw rangeError(fn, 'class_weights', `must be null or a non-empty list of numbers; got ${describe(value)}`);
  const weights = value.map((w: unknown, i) => nonNegative(fn, `class_weights[${i}]`, w, 0));
  if (!weights.some((w) => w > 0))
    throw rangeError(fn, 'class_weights', 'must not be all 0 (smp divides by their sum)');
  return weights;
}

/**
 * The classes smp averages (those in `classes`, repeats included, or every channel) and the share
 * of each in the mean: `class_weights` normalised (Σw·loss/Σw), or equal shares.
 */
function sharesOf(
  fn: string,
  classes: readonly number[] | null,
  classWeights: readonly number[] | null,
  C: number,
): { c: number; share: number }[] {
  const list = classes ?? Array.from({ length: C }, (_, c) => c);
  const beyond = list.find((c) => c >= C);
  if (beyond !== undefined) throw rangeError(fn, 'classes', `names class ${beyond}, but y_pred has ${C}`);
  if (classWeights !== null && classWeights.length !== list.length) {
    throw rangeError(
      fn,
      'class_weights',
      `has ${classWeights.length} values; it needs one per class averaged ` +
        `(${list.length}${classes ? ', the length of classes' : ', the channels of y_pred'})`,
    );
  }
  const total = classWeights?.reduce((a, w) => a + w, 0) ?? list.length;
  return list.map((c, k) => ({ c, share: (classWeights?.[k] ?? 1) / total }));
}

/**
 * The shares as a native class weight: the native mean over C classes weighs class c by
 * C·(its shares), which is smp's mean over the listed classes, weighted or not. Null when every
 * class has the share 1/C (the native mean itself).
 */
function nativeWeights(shares: readonly { c: number; share: number }[], C: number): number[] | null {
  const w = new Array<number>(C).fill(0);
  for (const { c, share } of shares) w[c] += C * share;
  return shares.length === C && shares.every(({ c, share }, k) => c === k && share === 1 / C) ? null : w;
}

/** An smp loss object: `forward(yPred, yTrue)` (Python's `__call__`) and `forwardWithGrad`. */
abstract class SmpLoss {
  protected readonly kernel = compatKernel();

  /** `reduction`: 'none' gives a tensor, which has no single gradient. */
  constructor(
    protected readonly name: string,
    protected readonly reduction: 'mean' | 'sum' | 'none' = 'mean',
  ) {}

  protected abstract plan(fn: string, yPred: unknown, yTrue: unknown): Plan;

  /** The loss: a number, or for reduction 'none' a tensor of smp's output shape. */
  forward(yPred: TensorInput, yTrue: TensorInput): number | Tensor {
    return runPlan(this.kernel, this.plan(`${this.name}.forward`, yPred, yTrue));
  }

  /** The loss and its gradient with respect to `yPred`. */
  forwardWithGrad(yPred: TensorInput, yTrue: TensorInput): LossWithGrad {
    const fn = `${this.name}.forwardWithGrad`;
    if (this.reduction === 'none')
      throw rangeError(
        fn,
        'reduction',
        "'none' gives one loss per element, which has no single gradient; use 'mean' or 'sum'",
      );
    const plan = this.plan(fn, yPred, yTrue);
    return valueAndGradOf(this.kernel, plan.parts, plan.shape);
  }
}

/** The Dice, Jaccard and Tversky losses of smp. */
abstract class OverlapLoss extends SmpLoss {
  private readonly mode: Mode;
  private readonly classes: number[] | null;
  private readonly classWeights: number[] | null;
  private readonly fromLogits: boolean;
  private readonly ignoreIndex: number | null;
  private readonly native: Record<string, unknown>;

  constructor(
    name: string,
    private readonly score: Score,
    p: Partial<SmpTverskyParams>,
    private readonly gamma = 1,
  ) {
    super(name);
    this.mode = modeOf(name, p.mode);
    this.classes = classesOf(name, p.classes, this.mode);
    this.classWeights = classWeightsOf(name, p.class_weights, this.mode);
    this.fromLogits = flag(name, 'from_logits', p.from_logits, true);
    this.ignoreIndex = ignoreIndexOf(name, p.ignore_index, null);
    nonNegative(name, 'eps', p.eps, 1e-7);
    const alpha = nonNegative(name, 'alpha', p.alpha, 0.5),
      beta = nonNegative(name, 'beta', p.beta, 0.5);
    this.native = {
      ...scoreOptions(score, nonNegative(name, 'smooth', p.smooth, 0), alpha, beta),
      logLoss: flag(name, 'log_loss', p.log_loss, false),
      batch: true,
      empty: 'zero',
      reduction: 'mean',
    };
  }

  override forward(yPred: TensorInput, yTrue: TensorInput): number {
    const mean = super.forward(yPred, yTrue) as number;
    return this.gamma === 1 ? mean : mean ** this.gamma;
  }

  override forwardWithGrad(yPred: TensorInput, yTrue: TensorInput): LossWithGrad {
    const { loss: mean, grad } = super.forwardWithGrad(yPred, yTrue);
    if (this.gamma === 1) return { loss: mean, grad };
    // smp's TverskyLoss: (mean over classes)^gamma; at a mean of 0 the slope is taken as 0.
    const slope = mean > 0 ? this.gamma * mean ** (this.gamma - 1) : 0;
    return { loss: mean ** this.gamma, grad: { data: grad.data.map((g) => slope * g), shape: grad.shape } };
  }

  protected plan(fn: string, yPred: unknown, yTrue: unknown): Plan {
    const { p, t, B } = readPair(fn, yPred, yTrue, this.mode === 'binary' ? 1 : 2);
    return { parts: this.parts(fn, p, t, B), shape: p.shape };
  }

  /** The native calls. */
  private parts(fn: string, p: TensorData, t: TensorData, B: number): Part[] {
    const pred = asScores(p);
    const activation = !this.fromLogits ? 'none' : this.mode === 'multiclass' ? 'softmax' : 'sigmoid';
    const base = { ...this.native, activation };
    const ignore = this.ignoreIndex;
    const C = this.mode === 'binary' ? 1 : p.shape[1];
    const S = p.data.length / (B * C);
    const shares = sharesOf(fn, this.classes, this.classWeights, C);
    const one = (part: Omit<Part, 'loss' | 'scale'>): Part[] => [{ ...part, loss: this.score, scale: 1 }];
    if (this.mode === 'multiclass') {
      if (t.data.length !== B * S)
        throw rangeError(
          fn,
          'y_true',
          `has ${t.data.length} values; a label map for y_pred [${p.shape.join(', ')}] has ${B * S}`,
        );
      const options = { ...base, shape: [B, C, S], weight: nativeWeights(shares, C) };
      if (this.fromLogits)
        return one({
          pred,
          target: asLabels(fn, 'y_true', t),
          options: { ...options, target: 'labels', ignoreIndex: ignore },
        });
      // Probabilities: the one-hot target, so that the soft-label intersection holds for any values.
      const { target, mask } = oneHot(fn, asLabels(fn, 'y_true', t), B, C, S, ignore);
      return one({ pred, target, ...(mask ? { mask } : {}), options: { ...options, target: 'dense' } });
    }
    sameCount(fn, p, t);
    if (ignore === null)
      return one({
        pred,
        target: asDense(t),
        options: { ...base, shape: [B, C, S], target: 'dense', weight: nativeWeights(shares, C) },
      });
    if (C === 1) {
      const { target, mask } = withoutIgnored(t.data, ignore);
      return one({ pred, target, mask, options: { ...base, shape: [B, 1, S], target: 'dense' } });
    }
    return shares.map(({ c, share }) => ({
      ...classPart(pred, t.data, B, C, S, c, ignore, base),
      loss: this.score,
      scale: share,
    }));
  }
}

/**
 * Multilabel with ignore_index: smp masks each element, the native mask each voxel. Class c
 * becomes a [1, 1, B·S] copy of its channel with its own mask, one term; its gradient is added
 * back where each element came from.
 */
function classPart(
  pred: Float32Array,
  values: ArrayLike<number>,
  B: number,
  C: number,
  S: number,
  c: number,
  ignore: number,
  base: Record<string, unknown>,
): Omit<Part, 'loss' | 'scale'> {
  const n = B * S;
  const at = (i: number) => (Math.floor(i / S) * C + c) * S + (i % S);
  const x = new Float32Array(n),
    y = new Float32Array(n),
    mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = pred[at(i)];
    const v = values[at(i)];
    if (v !== ignore) {
      y[i] = v;
      mask[i] = 1;
    }
  }
  return {
    pred: x,
    target: y,
    mask,
    options: { ...base, shape: [1, 1, n], target: 'dense' },
    pullback: (grad, into, scale) => {
      for (let i = 0; i < n; i++) into[at(i)] += scale * grad[i];
    },
  };
}

/** The one-hot of a label map (B, S) as bytes (B, C, S), and with ignore_index a voxel mask. */
function oneHot(
  fn: string,
  labels: ArrayLike<number>,
  B: number,
  C: number,
  S: number,
  ignore: number | null,
): { target: Uint8Array; mask: Uint8Array | null } {
  const target = new Uint8Array(B * C * S);
  const mask = ignore === null ? null : new Uint8Array(B * S);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const label = labels[b * S + s];
      if (label === ignore) continue;
      if (!(label >= 0 && label < C))
        throw rangeError(
          fn,
          'y_true',
          `holds label ${label} at index ${b * S + s}, outside [0, ${C}) and not ignore_index`,
        );
      target[(b * C + label) * S + s] = 1;
      if (mask) mask[b * S + s] = 1;
    }
  }
  return { target, mask };
}

function overlapParams(
  fn: string,
  params: object | undefined,
  extra: readonly string[] = [],
): Partial<SmpTverskyParams> {
  return readParams<SmpTverskyParams>(fn, params, [...OVERLAP_PARAMS, ...extra]);
}

/**
 * smp.losses.DiceLoss: per class, pooled over batch and space, `1 − (2I + 2·smooth)/(P + G + 2·smooth)`
 * (log_loss: `−log`), 0 for a class without target pixels, mean over the classes (or those in
 * `classes`; with `class_weights`, one per class averaged, the weighted mean Σw·loss/Σw). `mode`
 * 'binary' (sigmoid), 'multiclass' (softmax, label map target) or 'multilabel' (sigmoid);
 * `from_logits` (default true) applies the activation.
 * @example
 * new smp.DiceLoss({ mode: 'multiclass', ignore_index: 255 }).forward(logits, labels);
 */
export class DiceLoss extends OverlapLoss {
  /**
   * Reads the parameters as smp's `DiceLoss` does; an unknown name or a bad value throws, naming the Python parameter.
   */
  constructor(params: SmpOverlapParams) {
    super('DiceLoss', 'dice', overlapParams('DiceLoss', params));
  }
}

/** smp.losses.JaccardLoss: as DiceLoss with `1 − (I + smooth)/(P + G − I + smooth)`. */
export class JaccardLoss extends OverlapLoss {
  /**
   * Reads the parameters as smp's `JaccardLoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params: SmpOverlapParams) {
    super('JaccardLoss', 'jaccard', overlapParams('JaccardLoss', params));
  }
}

/**
 * smp.losses.TverskyLoss: as DiceLoss with `1 − (I + smooth)/(I + alpha·FP + beta·FN + smooth)`
 * (defaults 0.5, 0.5), and the mean over classes raised to `gamma` (default 1).
 * @example
 * new smp.TverskyLoss({ mode: 'binary', alpha: 0.3, beta: 0.7, gamma: 0.75 }).forward(logits, mask);
 */
export class TverskyLoss extends OverlapLoss {
  /**
   * Reads the parameters as smp's `TverskyLoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params: SmpTverskyParams) {
    const p = overlapParams('TverskyLoss', params, ['alpha', 'beta', 'gamma']);
    super('TverskyLoss', 'tversky', p, nonNegative('TverskyLoss', 'gamma', p.gamma, 1));
  }
}

// ---------------------------------------------------------------------------------------------
// Focal, Lovász, MCC, soft BCE and soft cross-entropy

/** A part that is one native call on y_pred itself. */
function planOf(p: TensorData, part: Omit<Part, 'pred' | 'scale'> & { scale?: number }): Plan {
  return { parts: [{ scale: 1, ...part, pred: asScores(p) }], shape: p.shape };
}

/** smp's focal term (1 − e^−BCE)^γ is the native (1 − p_t)^γ for 0/1 targets: other values are refused. */
function checkHard(fn: string, values: ArrayLike<number>, mask: Uint8Array | null): void {
  for (let i = 0; i < values.length; i++) {
    if ((mask === null || mask[i]) && values[i] !== 0 && values[i] !== 1) {
      throw rangeError(
        fn,
        'y_true',
        `holds ${values[i]} at index ${i}; the focal loss takes 0/1 targets here (smp's (1 − e^−BCE)^γ ` +
          'differs for soft targets)',
      );
    }
  }
}

/** The parameters of smp's `FocalLoss`, under their Python names; an absent one takes smp's default. */
export interface SmpFocalLossParams {
  /** `'binary'` (B, 1, …), `'multilabel'` (B, C, …) or `'multiclass'` (a label map target). */
  mode: Mode;
  /** Balance of positives, `α·y + (1 − α)(1 − y)`. Default `null` (none). */
  alpha?: number | null;
  /** Focusing exponent. Default 2. */
  gamma?: number;
  /** Target value whose voxels are left out. Default `null` (none). */
  ignore_index?: number | null;
  /** `'mean'` (default), `'sum'` or `'none'` (one value per element not ignored). */
  reduction?: 'mean' | 'sum' | 'none';
  /** smp's normalised focal loss; `true` is refused (not reproduced natively). Default `false`. */
  normalized?: boolean;
  /** smp's reduced focal loss; a number is refused (not reproduced natively). Default `null`. */
  reduced_threshold?: number | null;
}

/**
 * smp.losses.FocalLoss (Lin et al. 2017) from logits: binary and multilabel, the sigmoid focal
 * loss `(1 − p_t)^gamma·BCE` (alpha: `alpha·t + (1 − alpha)(1 − t)`) of every element not equal to
 * ignore_index, 'mean' or 'sum'; multiclass, the sum over classes c of the sigmoid focal loss of
 * channel c against `y_true == c` (each a mean over the voxels not ignored). Reduction 'none' gives
 * what smp's does: binary and multilabel, the loss of each element not ignored, (N,); multiclass,
 * each voxel's sum over the classes, y_pred's shape without the class axis (N,) with ignore_index.
 * @example
 * new smp.FocalLoss({ mode: 'multiclass', ignore_index: 255 }).forward(logits, labels);
 */
export class FocalLoss extends SmpLoss {
  private readonly mode: Mode;
  private readonly options: Record<string, unknown>;
  private readonly ignoreIndex: number | null;

  /**
   * Reads the parameters as smp's `FocalLoss` does; an unknown name or a bad value throws, naming the Python parameter.
   */
  constructor(params: SmpFocalLossParams) {
    const fn = 'FocalLoss';
    const p = readParams<SmpFocalLossParams>(fn, params, [
      'mode',
      'alpha',
      'gamma',
      'ignore_index',
      'reduction',
      'normalized',
      'reduced_threshold',
    ]);
    const reduction = oneOf(fn, 'reduction', p.reduction, REDUCTIONS, 'mean');
    super(fn, reduction);
    this.mode = modeOf(fn, p.mode);
    this.ignoreIndex = ignoreIndexOf(fn, p.ignore_index, null);
    if (flag(fn, 'normalized', p.normalized, false))
      throw rangeError(fn, 'normalized', 'true (focal terms divided by their sum, arXiv:1909.07829) is not supported');
    if (p.reduced_threshold !== undefined && p.reduced_threshold !== null)
      throw rangeError(fn, 'reduced_threshold', '(the reduced focal loss, arXiv:1903.01347) is not supported');
    this.options = {
      activation: 'sigmoid',
      gamma: nonNegative(fn, 'gamma', p.gamma, 2),
      alpha: fractionOf(fn, 'alpha', p.alpha),
      reduction,
    };
  }

  protected plan(fn: string, yPred: unknown, yTrue: unknown): Plan {
    const { p, t, B } = readPair(fn, yPred, yTrue, this.mode === 'multiclass' ? 2 : 1);
    const none = this.reduction === 'none';
    if (this.mode === 'multiclass') {
      // Σ_c (1/M)·Σ_i focal(x_ic, [y_i = c]) over the M voxels kept: C × the native mean over all (voxel, class).
      const C = p.shape[1];
      const S = p.data.length / (B * C);
      const labels = asLabels(fn, 'y_true', t);
      const options = { ...this.options, shape: [B, C, S], target: 'labels', ignoreIndex: this.ignoreIndex };
      const plan = planOf(p, { loss: 'focal', target: labels, options, scale: this.reduction === 'mean' ? C : 1 });
      return none ? { ...plan, output: classSums(p.shape, labels, this.ignoreIndex) } : plan;
    }
    sameCount(fn, p, t);
    const options = { ...this.options, shape: [p.data.length], target: 'dense' };
    if (this.ignoreIndex === null) {
      checkHard(fn, t.data, null);
      const plan = planOf(p, { loss: 'focal', target: asDense(t), options });
      return none ? { ...plan, output: keptElements(null) } : plan;
    }
    const { target, mask } = withoutIgnored(t.data, this.ignoreIndex);
    checkHard(fn, target, mask);
    const plan = planOf(p, { loss: 'focal', target, mask, options });
    return none ? { ...plan, output: keptElements(mask) } : plan;
  }
}

/** Reduction 'none' of smp's binary and multilabel FocalLoss: the flattened elements, those ignored dropped, (N,). */
function keptElements(mask: Uint8Array | null): NonNullable<Plan['output']> {
  return (values) => {
    const data = mask === null ? values : values.filter((_, i) => mask[i] === 1);
    return { data, shape: [data.length] };
  };
}

/**
 * Reduction 'none' of smp's multiclass FocalLoss from the (B, C, S) elements: each voxel's sum over
 * the classes, (B, ...spatial), or with ignore_index that of each voxel kept, (N,).
 */
function classSums(
  shape: readonly number[],
  labels: ArrayLike<number>,
  ignore: number | null,
): NonNullable<Plan['output']> {
  const [B, C] = shape;
  const S = labels.length / B;
  return (values) => {
    const sums = new Float64Array(B * S);
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) {
        for (let s = 0; s < S; s++) sums[b * S + s] += values[(b * C + c) * S + s];
      }
    }
    if (ignore === null) return { data: sums, shape: [B, ...shape.slice(2)] };
    const data = sums.filter((_, v) => labels[v] !== ignore);
    return { data, shape: [data.length] };
  };
}

/** The parameters of smp's `LovaszLoss`, under their Python names; an absent one takes smp's default. */
export interface SmpLovaszLossParams {
  /** `'binary'` (B, 1, …), `'multilabel'` (B, C, …) or `'multiclass'` (a label map target). */
  mode: Mode;
  /** One loss per image, then their mean. Default `false`. */
  per_image?: boolean;
  /** Target value whose voxels are left out. Default `null` (none). */
  ignore_index?: number | null;
  /** The prediction is logits: a sigmoid (binary, multilabel) or softmax (multiclass) first. Default `true`. */
  from_logits?: boolean;
}

/**
 * smp.losses.LovaszLoss (Berman et al. 2018): binary and multilabel, the Lovász hinge of the logits
 * with every element of a sample (or of the batch) pooled; multiclass, Lovász-Softmax of the
 * softmax of the logits over the classes present. smp reads `from_logits` and ignores it; so does this.
 * @example
 * new smp.LovaszLoss({ mode: 'multiclass', per_image: true }).forward(logits, labels);
 */
export class LovaszLoss extends SmpLoss {
  private readonly mode: Mode;
  private readonly options: Record<string, unknown>;

  /**
   * Reads the parameters as smp's `LovaszLoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params: SmpLovaszLossParams) {
    const fn = 'LovaszLoss';
    super(fn);
    const p = readParams<SmpLovaszLossParams>(fn, params, ['mode', 'per_image', 'ignore_index', 'from_logits']);
    this.mode = modeOf(fn, p.mode);
    flag(fn, 'from_logits', p.from_logits, true);
    this.options = {
      perImage: flag(fn, 'per_image', p.per_image, false),
      ignoreIndex: ignoreIndexOf(fn, p.ignore_index, null),
    };
  }

  protected plan(fn: string, yPred: unknown, yTrue: unknown): Plan {
    const { p, t, B } = readPair(fn, yPred, yTrue, this.mode === 'multiclass' ? 2 : 1);
    if (this.mode === 'multiclass') {
      return planOf(p, {
        loss: 'lovaszSoftmax',
        target: asLabels(fn, 'y_true', t),
        options: { ...this.options, shape: p.shape, target: 'labels' },
      });
    }
    sameCount(fn, p, t);
    const hinge = t.data instanceof Uint16Array || t.data instanceof Int32Array ? t.data : asDense(t);
    return planOf(p, {
      loss: 'lovaszHinge',
      target: hinge,
      options: { ...this.options, shape: [B, p.data.length / B] },
    });
  }
}

/** The parameters of smp's `MCCLoss`, under their Python names; an absent one takes smp's default. */
export interface SmpMCCLossParams {
  /** Added to each soft count. Default 1e-5. */
  eps?: number;
}

/**
 * smp.losses.MCCLoss: `1 − MCC` of soft counts over the whole tensor, `eps` (1e-5) added to each
 * of tp, tn, fp, fn; y_pred holds probabilities.
 * @example
 * new smp.MCCLoss().forward(probs, mask);
 */
export class MCCLoss extends SmpLoss {
  private readonly eps: number;

  /**
   * Reads the parameters as smp's `MCCLoss` does; an unknown name or a bad value throws, naming the Python parameter.
   */
  constructor(params?: SmpMCCLossParams) {
    super('MCCLoss');
    this.eps = nonNegative('MCCLoss', 'eps', readParams<SmpMCCLossParams>('MCCLoss', params, ['eps']).eps, 1e-5);
  }

  protected plan(fn: string, yPred: unknown, yTrue: unknown): Plan {
    const { p, t } = readPair(fn, yPred, yTrue, 1);
    sameCount(fn, p, t);
    return planOf(p, { loss: 'mcc', target: asDense(t), options: { smooth: this.eps } });
  }
}

/** One weight for every element: null, a number, or a one-element list. */
function elementWeightOf(fn: string, name: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof v !== 'number')
    throw rangeError(fn, name, `must be null or one number (the same for every element); got ${describe(value)}`);
  return nonNegative(fn, name, v, 1);
}

/**
 * The native reduction and scale of smp's soft losses: their 'mean' divides the native sum by
 * every element, ignored ones included (smp counts them); 'none' is the native 'none'.
 */
function softReduction(
  reduction: 'mean' | 'sum' | 'none',
  elements: number,
): { reduction: 'sum' | 'none'; scale: number } {
  return { reduction: reduction === 'none' ? 'none' : 'sum', scale: reduction === 'mean' ? 1 / elements : 1 };
}

/** The parameters of smp's `SoftBCEWithLogitsLoss`, under their Python names; an absent one takes smp's default. */
export interface SoftBCEWithLogitsLossParams {
  /** Weight of each element's loss (a number, or one per class). Default `null` (none). */
  weight?: number | readonly number[] | null;
  /** Target value whose elements count 0 (they stay in the mean's denominator). Default −100. */
  ignore_index?: number | null;
  /** `'mean'` (default; over all elements), `'sum'` or `'none'`. */
  reduction?: 'mean' | 'sum' | 'none';
  /** Label smoothing ε: target `(1 − t)·ε + t·(1 − ε)`. Default `null` (none). */
  smooth_factor?: number | null;
  /** Weight of positives, one number (a per-class list is refused). Default `null` (none). */
  pos_weight?: number | readonly number[] | null;
}

/**
 * smp.losses.SoftBCEWithLogitsLoss: binary cross-entropy from logits against smoothed targets
 * `(1 − t)·smooth_factor + t·(1 − smooth_factor)`; elements equal to ignore_index (−100) add 0 and
 * still count in the mean. `weight` and `pos_weight`: one number each. Reduction 'none': the loss
 * of every element in y_pred's shape (0 where ignored).
 * @example
 * new smp.SoftBCEWithLogitsLoss({ smooth_factor: 0.1 }).forward(logits, mask);
 */
export class SoftBCEWithLogitsLoss extends SmpLoss {
  private readonly options: Record<string, unknown>;
  private readonly ignoreIndex: number | null;
  private readonly smoothFactor: number | null;

  /**
   * Reads the parameters as smp's `SoftBCEWithLogitsLoss` does; an unknown name or a bad value throws, naming the
   * Python parameter.
   */
  constructor(params?: SoftBCEWithLogitsLossParams) {
    const fn = 'SoftBCEWithLogitsLoss';
    const p = readParams<SoftBCEWithLogitsLossParams>(fn, params, [
      'weight',
      'ignore_index',
      'reduction',
      'smooth_factor',
      'pos_weight',
    ]);
    super(fn, oneOf(fn, 'reduction', p.reduction, REDUCTIONS, 'mean'));
    const weight = elementWeightOf(fn, 'weight', p.weight);
    this.options = {
      weight: weight === null ? null : [weight],
      posWeight: elementWeightOf(fn, 'pos_weight', p.pos_weight),
      target: 'dense',
    };
    this.ignoreIndex = ignoreIndexOf(fn, p.ignore_index, -100);
    this.smoothFactor = fractionOf(fn, 'smooth_factor', p.smooth_factor);
  }

  protected plan(fn: string, yPred: unknown, yTrue: unknown): Plan {
    const { p, t } = readPair(fn, yPred, yTrue, 1);
    sameCount(fn, p, t);
    const n = p.data.length;
    const eps = this.smoothFactor;
    const { target, mask } =
      this.ignoreIndex === null
        ? { target: Float32Array.from(t.data), mask: undefined }
        : withoutIgnored(t.data, this.ignoreIndex);
    if (eps !== null)
      target.forEach((v, i) => {
        target[i] = (1 - v) * eps + v * (1 - eps);
      });
    const { reduction, scale } = softReduction(this.reduction, n);
    const plan = planOf(p, {
      loss: 'bce',
      target,
      ...(mask ? { mask } : {}),
      options: { ...this.options, reduction, shape: [n] },
      scale,
    });
    return reduction === 'none' ? { ...plan, output: (values) => ({ data: values, shape: p.shape }) } : plan;
  }
}

/** The parameters of smp's `SoftCrossEntropyLoss`, under their Python names; an absent one takes smp's default. */
export interface SoftCrossEntropyLossParams {
  /** `'mean'` (default; over all voxels), `'sum'` or `'none'` (one per voxel). */
  reduction?: 'mean' | 'sum' | 'none';
  /** Label smoothing ε. Default `null` (none). */
  smooth_factor?: number | null;
  /** Label whose voxels count 0 (they stay in the mean's denominator). Default −100. */
  ignore_index?: number | null;
  /** The class axis: 1 (channels first, default) or the last. */
  dim?: number;
}

/**
 * smp.losses.SoftCrossEntropyLoss: cross-entropy from logits over axis `dim` (1, or the last axis)
 * with label smoothing, `(1 − ε)·nll + ε/C·Σ_c(−log p_c)`; positions whose label is ignore_index
 * (−100) add 0 and still count in the mean. Reduction 'none': each position's loss, y_pred's shape
 * with the class axis of size 1 (smp keeps it when ignore_index is set), or without it (ignore_index null).
 * @example
 * new smp.SoftCrossEntropyLoss({ smooth_factor: 0.1 }).forward(logits, labels);
 */
export class SoftCrossEntropyLoss extends SmpLoss {
  private readonly smoothFactor: number;
  private readonly ignoreIndex: number | null;
  private readonly dim: number;

  /**
   * Reads the parameters as smp's `SoftCrossEntropyLoss` does; an unknown name or a bad value throws, naming the Python
   * parameter.
   */
  constructor(params?: SoftCrossEntropyLossParams) {
    const fn = 'SoftCrossEntropyLoss';
    const p = readParams<SoftCrossEntropyLossParams>(fn, params, ['reduction', 'smooth_factor', 'ignore_index', 'dim']);
    super(fn, oneOf(fn, 'reduction', p.reduction, REDUCTIONS, 'mean'));
    this.smoothFactor = fractionOf(fn, 'smooth_factor', p.smooth_factor) ?? 0;
    this.ignoreIndex = ignoreIndexOf(fn, p.ignore_index, -100);
    if (p.dim !== undefined && !Number.isInteger(p.dim))
      throw rangeError(fn, 'dim', `must be an axis; got ${describe(p.dim)}`);
    this.dim = p.dim ?? 1;
  }

  protected plan(fn: string, yPred: unknown, yTrue: unknown): Plan {
    const { p, t } = readPair(fn, yPred, yTrue, 2);
    const rank = p.shape.length;
    const dim = this.dim < 0 ? this.dim + rank : this.dim;
    if (dim !== 1 && dim !== rank - 1)
      throw rangeError(
        fn,
        'dim',
        `is ${this.dim}; the class axis must be 1 or the last axis of y_pred [${p.shape.join(', ')}]`,
      );
    const labels = asLabels(fn, 'y_true', t);
    const { reduction, scale } = softReduction(this.reduction, labels.length);
    const options = {
      shape: p.shape,
      layout: dim === 1 ? 'NCHW' : 'NHWC',
      target: 'labels',
      ignoreIndex: this.ignoreIndex,
      labelSmoothing: this.smoothFactor,
      reduction,
    };
    const plan = planOf(p, { loss: 'crossEntropy', target: labels, options, scale });
    if (reduction !== 'none') return plan;
    // smp's label_smoothed_nll_loss keeps the class axis (size 1) when it masks ignore_index.
    const shape =
      this.ignoreIndex === null
        ? p.shape.filter((_, axis) => axis !== dim)
        : p.shape.map((d, axis) => (axis === dim ? 1 : d));
    return { ...plan, output: (values) => ({ data: values, shape }) };
  }
}

// ---------------------------------------------------------------------------------------------
// The score functions of smp.losses._functional

/**
 * The parameters of smp's `soft_dice_score`, `soft_jaccard_score`, under their Python names; an absent one takes smp's
 * default.
 */
export interface SoftScoreParams {
  /** Added to numerator and denominator. Default 0. */
  smooth?: number;
  /** Lower clamp of the denominator. Default 1e-7. */
  eps?: number;
  /** Axes to sum over; null: the whole tensor (one score). */
  dims?: number | readonly number[] | null;
}

/** The parameters of smp's `soft_tversky_score`, under their Python names; an absent one takes smp's default. */
export interface SoftTverskyScoreParams extends SoftScoreParams {
  /** Weight of false positives. */
  alpha: number;
  /** Weight of false negatives. */
  beta: number;
}

function softScore(
  fn: string,
  score: Score,
  output: unknown,
  target: unknown,
  params: object | undefined,
  names: readonly string[],
): number | Tensor {
  const p = readParams<SoftTverskyScoreParams>(fn, params, ['smooth', 'eps', 'dims', ...names]);
  const required = (name: 'alpha' | 'beta') => {
    if (p[name] === undefined) throw typeError(fn, name, 'is required');
    return nonNegative(fn, name, p[name], 0);
  };
  const [alpha, beta] = score === 'tversky' ? [required('alpha'), required('beta')] : [0.5, 0.5];
  nonNegative(fn, 'eps', p.eps, 1e-7);
  const { g, pred, target: t } = groupPair(fn, ['output', 'target'], output, target, 'dims', p.dims);
  const part: Part = {
    loss: score,
    pred,
    target: t,
    scale: 1,
    options: {
      ...scoreOptions(score, nonNegative(fn, 'smooth', p.smooth, 0), alpha, beta),
      shape: g.native,
      target: 'dense',
      reduction: 'none',
    },
  };
  // Per term the native loss is 1 − score.
  const scoresOf = (terms: Float64Array): number | Tensor => {
    const scores = terms.map((v) => 1 - v);
    return g.kept.length === 0 ? scores[0] : { data: scores, shape: g.kept };
  };
  return runPlan(compatKernel(), { parts: [part], shape: [...g.shape], output: scoresOf });
}

/**
 * smp's soft_dice_score: `(2I + 2·smooth)/(Σo + Σt + 2·smooth)` with I = (Σo + Σt − Σ|o − t|)/2,
 * summed over `dims` (null: everything, one number; e.g. [0, 2]: one score per class of a (B, C, N) tensor).
 * @example
 * smp.soft_dice_score(probs, target, { dims: [0, 2] }); // { data, shape: [C] }
 */
export function soft_dice_score(output: TensorInput, target: TensorInput, params?: SoftScoreParams): number | Tensor {
  return softScore('soft_dice_score', 'dice', output, target, params, []);
}

/** smp's soft_jaccard_score: `(I + smooth)/(Σo + Σt − I + smooth)`, dims as soft_dice_score. */
export function soft_jaccard_score(
  output: TensorInput,
  target: TensorInput,
  params?: SoftScoreParams,
): number | Tensor {
  return softScore('soft_jaccard_score', 'jaccard', output, target, params, []);
}

/**
 * smp's soft_tversky_score: `(I + smooth)/(I + alpha·(Σo − I) + beta·(Σt − I) + smooth)`; alpha and beta are required.
 */
export function soft_tversky_score(
  output: TensorInput,
  target: TensorInput,
  params: SoftTverskyScoreParams,
): number | Tensor {
  return softScore('soft_tversky_score', 'tversky', output, target, params, ['alpha', 'beta']);
}
