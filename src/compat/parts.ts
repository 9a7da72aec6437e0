// How a Python loss becomes native calls. Most translate to one native loss; where the Python
// library combines things no single native call expresses (MONAI's DiceCELoss without softmax,
// a mask multiplied into the logits, smp's per-class sums), the loss is a sum of native calls,
// each with its share (`scale`) and, when the call saw a transformed copy of the input, the map
// of its gradient back onto the input (`pullback`): the chain rule, so gradients stay exact.
import type { CreateLossOptions, CreateLovaszLossOptions, LossName, LovaszLossName, Target } from '../core/api.js';
import type { DiceKernel } from '../kernel.js';
import type { Tensor } from './tensor.js';

/** A gradient as the compat layer returns it: float32, as the kernels compute it, in the input's shape. */
export interface GradTensor {
  /** The values, in row-major order. */
  data: Float32Array;
  /** The dimensions. */
  shape: number[];
}

/** What `forwardWithGrad` / `callWithGrad` return: the loss and its gradient in the prediction's shape. */
export interface LossWithGrad {
  /** The reduced loss. */
  loss: number;
  /** ∂loss/∂input. */
  grad: GradTensor;
}

/** One native loss call and its share of the Python loss. */
export interface Part {
  loss: LossName | LovaszLossName;
  pred: Float32Array;
  target: Target;
  /** The native options, without `mask`. */
  options: Record<string, unknown>;
  mask?: Uint8Array | Float32Array;
  /** The part contributes scale × its value (and gradient). */
  scale: number;
  /**
   * Adds scale × (∂ this call / ∂ input) to `into` (the input's length) from the call's gradient
   * with respect to its own `pred`. Absent: `pred` is the input itself.
   */
  pullback?: (grad: Float32Array, into: Float64Array, scale: number) => void;
}

function nativeLoss(kernel: DiceKernel, part: Part) {
  return kernel.createLoss({ loss: part.loss, ...part.options } as CreateLossOptions | CreateLovaszLossOptions);
}

/** Σ scale × value of the parts (each part with a reduced value). */
export function sumOfParts(kernel: DiceKernel, parts: readonly Part[]): number {
  let sum = 0;
  for (const part of parts)
    sum += part.scale * (nativeLoss(kernel, part).value(part.pred, part.target, part.mask) as number);
  return sum;
}

/** One part's values (the native reduction 'none': per term, or per element of a pointwise loss), times its scale. */
function termsOf(kernel: DiceKernel, part: Part): Float64Array {
  return Float64Array.from(
    nativeLoss(kernel, part).value(part.pred, part.target, part.mask) as ArrayLike<number>,
    (v) => part.scale * v,
  );
}

/** The parts' value and their gradient with respect to the input (of `shape`). */
export function valueAndGradOf(kernel: DiceKernel, parts: readonly Part[], shape: readonly number[]): LossWithGrad {
  const into = new Float64Array(shape.reduce((a, d) => a * d, 1));
  let loss = 0;
  for (const part of parts) {
    const { loss: value, grad } = nativeLoss(kernel, part).valueAndGrad(part.pred, part.target, undefined, part.mask);
    loss += part.scale * value;
    if (part.pullback) part.pullback(grad, into, part.scale);
    else for (let i = 0; i < grad.length; i++) into[i] += part.scale * grad[i];
  }
  return { loss, grad: { data: Float32Array.from(into), shape: shape.slice() } };
}

/** One call of a compat loss: its parts, the input's shape, and (reduction 'none') the Python output. */
export interface Plan {
  parts: Part[];
  shape: number[];
  /** Reduction 'none': the Python result from the values of the single part (empty when there is no part). */
  output?: (terms: Float64Array) => number | Tensor;
}

export function runPlan(kernel: DiceKernel, plan: Plan): number | Tensor {
  if (!plan.output) return sumOfParts(kernel, plan.parts);
  return plan.output(plan.parts.length > 0 ? termsOf(kernel, plan.parts[0]) : new Float64Array(0));
}
