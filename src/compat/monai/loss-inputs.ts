// How MONAI's losses read a call (monai.losses, 1.5): the input (B, C, ...spatial) as float32, the
// target one-hot or made one-hot from a (B, 1, ...spatial) label map by `to_onehot_y`, the
// activation of the overlap part (sigmoid, softmax over channels, or `other_act`), and
// MaskedDiceLoss's mask multiplied into the raw input and target. Where MONAI warns and ignores
// an option (one channel), the option is ignored with the same warning.
import type { Activation, Target } from '../../core/api.js';
import { describe, rangeError, typeError } from '../../core/errors.js';
import type { Part } from '../parts.js';
import { asDense, asLabels, asScores, readTensor } from '../tensor.js';
import type { Warnings } from '../warnings.js';

/** MONAI's `other_act`: a function of the whole (B, C, ...spatial) tensor, e.g. tanh or a log-softmax. */
export type OtherAct = (input: { data: Float32Array; shape: number[] }) => unknown;

/** One call's input and target as MONAI reads them, before any activation. */
export interface LossInputs {
  /** The raw input as float32 (logits, or probabilities), in `shape`. */
  x: Float32Array;
  shape: number[];
  B: number;
  C: number;
  /** Voxels per sample (1 without spatial axes). */
  S: number;
  target: Target;
  /** 'labels': a (B, 1, ...spatial) label map that `to_onehot_y` makes one-hot. */
  targetKind: 'dense' | 'labels';
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);
const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

export function readLossInputs(
  fn: string,
  input: unknown,
  target: unknown,
  toOnehotY: boolean,
  warnings: Warnings,
): LossInputs {
  const x = readTensor(fn, 'input', input);
  const t = readTensor(fn, 'target', target);
  const shape = x.shape;
  if (shape.length < 2)
    throw rangeError(
      fn,
      'input',
      `must have at least 2 dimensions (batch, channel, ...spatial); got shape ${shapeText(shape)}`,
    );
  if (t.shape.length !== shape.length) {
    throw rangeError(
      fn,
      'target',
      `has ${t.shape.length} dimensions but input has ${shape.length}; a label map keeps its channel ` +
        'axis of size 1, (B, 1, ...spatial)',
    );
  }
  const [B, C] = shape;
  const S = shape.slice(2).reduce((a, d) => a * d, 1);
  const inputs = { x: asScores(x), shape, B, C, S };
  if (toOnehotY && C === 1) warnings.warn('single channel prediction, `to_onehot_y=True` ignored.');
  if (toOnehotY && C > 1) {
    if (!sameShape(t.shape, [B, 1, ...shape.slice(2)])) {
      throw rangeError(
        fn,
        'target',
        `has shape ${shapeText(t.shape)}; to_onehot_y=True needs a label map of shape ` +
          `${shapeText([B, 1, ...shape.slice(2)])}`,
      );
    }
    return { ...inputs, target: asLabels(fn, 'target', t), targetKind: 'labels' };
  }
  if (!sameShape(t.shape, shape)) {
    throw rangeError(
      fn,
      'target',
      `has shape ${shapeText(t.shape)}, different from input ` +
        `${shapeText(shape)}${t.shape[1] === 1 ? ' (a label map needs to_onehot_y=True)' : ''}`,
    );
  }
  return { ...inputs, target: asDense(t), targetKind: 'dense' };
}

/** The activations MONAI applies before the overlap part: at most one of them. */
export interface ActivationParams {
  sigmoid: boolean;
  softmax: boolean;
  otherAct: OtherAct | null;
}

export function checkActivationParams(
  fn: string,
  p: { other_act?: unknown },
  sigmoid: boolean,
  softmax: boolean,
): ActivationParams {
  const otherAct = p.other_act ?? null;
  if (otherAct !== null && typeof otherAct !== 'function') {
    throw typeError(
      fn,
      'other_act',
      `must be null or a function ({ data, shape }) => { data, shape }; got ${describe(otherAct)}`,
    );
  }
  if (Number(sigmoid) + Number(softmax) + Number(otherAct !== null) > 1) {
    throw rangeError(
      fn,
      'sigmoid',
      'softmax and other_act are incompatible: use at most one of sigmoid=True, softmax=True, other_act',
    );
  }
  return { sigmoid, softmax, otherAct: otherAct as OtherAct | null };
}

/**
 * The prediction the overlap part sees: the input with the native activation ('sigmoid',
 * 'softmax'), or other_act applied here to a copy ('none').
 */
export function activate(
  fn: string,
  inputs: LossInputs,
  a: ActivationParams,
  warnings: Warnings,
): { pred: Float32Array; activation: Activation } {
  if (a.sigmoid) return { pred: inputs.x, activation: 'sigmoid' };
  if (a.softmax && inputs.C === 1) warnings.warn('single channel prediction, `softmax=True` ignored.');
  if (a.softmax && inputs.C > 1) return { pred: inputs.x, activation: 'softmax' };
  if (a.otherAct === null) return { pred: inputs.x, activation: 'none' };
  const out = readTensor(fn, 'other_act', a.otherAct({ data: inputs.x.slice(), shape: inputs.shape.slice() }));
  if (!sameShape(out.shape, inputs.shape)) {
    throw rangeError(
      fn,
      'other_act',
      `returned shape ${shapeText(out.shape)}; it must keep the input's shape ${shapeText(inputs.shape)}`,
    );
  }
  return { pred: asScores(out), activation: 'none' };
}

/**
 * MaskedDiceLoss: the raw input and target times a (B or 1, 1, ...spatial) mask, before the
 * activation (a masked logit becomes 0, σ(0) = ½; a masked label becomes 0, as torch's .long()
 * truncates). The gradient with respect to the input is mask ⊙ the gradient at the masked input.
 */
export function applyMask(
  fn: string,
  inputs: LossInputs,
  mask: unknown,
): { inputs: LossInputs; pullback: NonNullable<Part['pullback']> } {
  const m = readTensor(fn, 'mask', mask);
  const { B, C, S, shape } = inputs;
  if (!sameShape(m.shape.slice(1), [1, ...shape.slice(2)]) || (m.shape[0] !== B && m.shape[0] !== 1)) {
    throw rangeError(
      fn,
      'mask',
      `has shape ${shapeText(m.shape)}; it must be ${shapeText([B, 1, ...shape.slice(2)])} or ` +
        `${shapeText([1, 1, ...shape.slice(2)])}`,
    );
  }
  const stride = m.shape[0] === B ? S : 0; // one mask per sample, or one shared
  const at = (b: number, s: number) => m.data[b * stride + s];
  const x = inputs.x.map((v, i) => v * at(Math.floor(i / (C * S)), i % S));
  let target: Target;
  if (inputs.targetKind === 'labels') {
    target = Int32Array.from(inputs.target, (v, i) => Math.trunc(v * at(Math.floor(i / S), i % S)));
  } else {
    target = Float32Array.from(inputs.target, (v, i) => v * at(Math.floor(i / (C * S)), i % S));
  }
  const pullback = (grad: Float32Array, into: Float64Array, scale: number) => {
    for (let i = 0; i < grad.length; i++) into[i] += scale * at(Math.floor(i / (C * S)), i % S) * grad[i];
  };
  return { inputs: { ...inputs, x, target }, pullback };
}
