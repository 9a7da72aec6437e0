// Python losses that reduce over a chosen set of axes (Keras `axis`, smp's `dims`): the tensor's
// axes are reordered so that the kept axes come first and the reduced ones last. Then each kept
// index is one native sample of one class, [K, 1, R], whose R voxels are the reduced elements.
import { describe, rangeError, typeError } from '../core/errors.js';
import type { Part } from './parts.js';
import { product, readTensor } from './tensor.js';

/** How a tensor of `shape` is seen when `reduced` axes are pooled. */
export interface Grouping {
  /** The tensor's own shape. */
  shape: readonly number[];
  /** The kept axes' sizes: the shape of the per-term result. */
  kept: number[];
  /** The native shape [K, 1, R]. */
  native: number[];
  /** Source axis of each axis of the reordered tensor (kept first). */
  order: number[];
}

/**
 * Reads an axis list (null: every axis; negative counts from the end) for a tensor of `rank`
 * axes; `name` is the Python parameter.
 */
function groupAxes(fn: string, name: string, value: unknown, shape: readonly number[]): Grouping {
  const rank = shape.length;
  let reduced: number[];
  if (value === undefined || value === null) reduced = shape.map((_, i) => i);
  else {
    const list = typeof value === 'number' ? [value] : value;
    if (!Array.isArray(list))
      throw typeError(fn, name, `must be null, an axis or a list of axes; got ${describe(value)}`);
    reduced = list.map((a: unknown) => {
      if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank) {
        throw rangeError(fn, name, `holds ${describe(a)}, which is not an axis of a tensor with ${rank} dimensions`);
      }
      return a < 0 ? a + rank : a;
    });
    if (new Set(reduced).size !== reduced.length)
      throw rangeError(fn, name, `names an axis twice: [${list.join(', ')}]`);
  }
  const keptAxes = shape.map((_, i) => i).filter((i) => !reduced.includes(i));
  const kept = keptAxes.map((i) => shape[i]);
  const order = [...keptAxes, ...reduced.sort((a, b) => a - b)];
  return { shape, kept, native: [product(kept), 1, product(reduced.map((i) => shape[i]))], order };
}

/**
 * A prediction and a target of one shape (names: their Python names), reordered kept axes first
 * for the axes `axes` names (its Python name `axesName`).
 */
export function groupPair(
  fn: string,
  names: [string, string],
  pred: unknown,
  target: unknown,
  axesName: string,
  axes: unknown,
): { g: Grouping; pred: Float32Array; target: Float32Array } {
  const p = readTensor(fn, names[0], pred);
  const t = readTensor(fn, names[1], target);
  if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    throw rangeError(fn, names[1], `has shape [${t.shape.join(', ')}] but ${names[0]} has [${p.shape.join(', ')}]`);
  }
  const g = groupAxes(fn, axesName, axes, p.shape);
  return { g, pred: grouped(g, p.data), target: grouped(g, t.data) };
}

/** A tensor of the grouping's shape, reordered kept axes first, as float32 (the tensor itself when nothing moves). */
function grouped(g: Grouping, data: ArrayLike<number>): Float32Array {
  if (isIdentity(g.order)) return data instanceof Float32Array ? data : Float32Array.from(data);
  return permute(data, g.shape, g.order, new Float32Array(data.length));
}

/** The map of a gradient over the reordered tensor back onto the tensor; none when nothing moves. */
export function ungroup(g: Grouping): Pick<Part, 'pullback'> {
  if (isIdentity(g.order)) return {};
  const back = inverse(g.order);
  const reorderedShape = g.order.map((a) => g.shape[a]);
  return {
    pullback: (grad, into, scale) => {
      const restored = permute(grad, reorderedShape, back, new Float32Array(grad.length));
      for (let i = 0; i < restored.length; i++) into[i] += scale * restored[i];
    },
  };
}

/** out[new index] = data[old index], where axis i of the new layout is axis order[i] of `shape`. */
function permute<T extends Float32Array>(
  data: ArrayLike<number>,
  shape: readonly number[],
  order: readonly number[],
  out: T,
): T {
  const strides = shape.map((_, i) => product(shape.slice(i + 1)));
  const sizes = order.map((a) => shape[a]);
  const steps = order.map((a) => strides[a]);
  const index = new Array<number>(order.length).fill(0);
  let from = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = data[from];
    for (let axis = order.length - 1; axis >= 0; axis--) {
      from += steps[axis];
      if (++index[axis] < sizes[axis]) break;
      from -= steps[axis] * sizes[axis];
      index[axis] = 0;
    }
  }
  return out;
}

/** Whether `order` leaves every axis in place (no copy needed). */
const isIdentity = (order: readonly number[]): boolean => order.every((a, i) => a === i);

/** The order that undoes `order`. */
function inverse(order: readonly number[]): number[] {
  const back = new Array<number>(order.length);
  order.forEach((a, i) => {
    back[a] = i;
  });
  return back;
}
