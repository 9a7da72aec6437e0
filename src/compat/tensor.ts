// Tensors of the Python-compatible layer (docs/porting.md, "Tensors, calls and results"): in
// as { data, shape }, nested arrays, or a list of channel-first tensors stacked into a batch; out
// as { data, shape } with the Python output shape, or a number for a scalar. The readers below
// turn them into the typed arrays the native API takes.
import { describe, list, rangeError, typeError } from '../core/errors.js';
import { revoked } from '../core/options.js';

/** Axes a tensor may have: more is no image (and a cyclic nested array would never end). */
const MAX_RANK = 32;

type NumericArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | readonly number[];

/** A tensor as the compat layer returns it. */
export interface Tensor {
  /** The values, in row-major (C) order. */
  data: Float64Array;
  /** The dimensions, outermost first. */
  shape: number[];
}

/** What the compat layer accepts wherever Python takes a tensor. */
export type TensorInput =
  | {
      /** The values, in row-major (C) order. */
      data: NumericArray | readonly boolean[];
      /** The dimensions, outermost first. */
      shape: readonly number[];
    }
  | NestedArray
  | readonly TensorInput[];
type NestedArray = readonly (number | boolean | NestedArray)[];

/** A tensor read from the caller: its values (as given, or numbers) and its shape. */
export interface TensorData {
  /** The values, in row-major (C) order. */
  data: NumericArray;
  /** The dimensions, outermost first. */
  shape: number[];
}

/** The number of elements of a tensor of `shape`. */
export const product = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

function isTensorObject(value: unknown): value is { data: unknown; shape: unknown } {
  return (
    value !== null &&
    typeof value === 'object' &&
    !revoked(value) &&
    !Array.isArray(value) &&
    'data' in value &&
    'shape' in value
  );
}

/** Reads a tensor argument; `name` is the Python parameter name for error messages. */
export function readTensor(fn: string, name: string, value: unknown): TensorData {
  if (revoked(value)) throw typeError(fn, name, 'is a revoked Proxy');
  if (isTensorObject(value)) return readObject(fn, name, value);
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isTensorObject))
      return stack(
        fn,
        name,
        value.map((v, i) => readObject(fn, `${name}[${i}]`, v)),
      );
    return readNested(fn, name, value);
  }
  throw typeError(
    fn,
    name,
    `must be a tensor: { data, shape }, a nested array, or a list of channel-first tensors; got ${describe(value)}`,
  );
}

function readObject(fn: string, name: string, value: { data: unknown; shape: unknown }): TensorData {
  const { data, shape: given } = value;
  // The shape read once (entry by entry), then checked: what is checked is what is used.
  const shape: unknown[] | null = !revoked(given) && Array.isArray(given) && given.length <= MAX_RANK ? [] : null;
  if (shape !== null) for (let i = 0, n = (given as unknown[]).length; i < n; i++) shape.push((given as unknown[])[i]);
  if (shape === null || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw rangeError(
      fn,
      `${name}.shape`,
      `must be an array of at most ${MAX_RANK} non-negative integers; got ${describe(given)}`,
    );
  }
  if (revoked(data)) throw typeError(fn, `${name}.data`, 'is a revoked Proxy');
  let values: NumericArray;
  if (
    ArrayBuffer.isView(data) &&
    !(data instanceof DataView) &&
    !(data instanceof BigInt64Array) &&
    !(data instanceof BigUint64Array)
  ) {
    values = data as NumericArray;
  } else if (Array.isArray(data)) {
    values = data.map((v: unknown, i) => scalar(fn, `${name}.data[${i}]`, v));
  } else {
    throw typeError(fn, `${name}.data`, `must be a typed array or an array of numbers; got ${describe(data)}`);
  }
  const dims = shape as number[];
  if (values.length !== product(dims)) {
    throw rangeError(fn, name, `has ${values.length} values but shape ${list(dims)} holds ${product(dims)}`);
  }
  return { data: values, shape: dims };
}

function scalar(fn: string, name: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw typeError(fn, name, `must be a number or a boolean; got ${describe(v)}`);
}

function readNested(fn: string, name: string, value: NestedArray): TensorData {
  const shape: number[] = [];
  for (let level: unknown = value; !revoked(level) && Array.isArray(level); level = level[0]) {
    if (shape.length === MAX_RANK) throw rangeError(fn, name, `is nested more than ${MAX_RANK} deep`);
    shape.push(level.length);
  }
  const data: number[] = [];
  const walk = (node: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      data.push(scalar(fn, at, node));
      return;
    }
    if (revoked(node) || !Array.isArray(node) || node.length !== shape[depth]) {
      throw rangeError(
        fn,
        name,
        `is a ragged nested array: ${at} should have ${shape[depth]} entries (shape ${list(shape)})`,
      );
    }
    for (const [i, child] of node.entries()) walk(child, depth + 1, `${at}[${i}]`);
  };
  walk(value, 0, name);
  return { data, shape };
}

/** MONAI: a list of channel-first tensors is stacked along a new batch axis. */
function stack(fn: string, name: string, items: TensorData[]): TensorData {
  const shape = items[0].shape;
  items.forEach((item, i) => {
    if (item.shape.length !== shape.length || item.shape.some((d, j) => d !== shape[j])) {
      throw rangeError(
        fn,
        `${name}[${i}]`,
        `has shape ${list(item.shape)} but ${name}[0] has ${list(shape)}; a list is stacked into one batch`,
      );
    }
  });
  const data = new Float64Array(items.length * product(shape));
  for (const [i, item] of items.entries()) data.set(item.data as ArrayLike<number>, i * product(shape));
  return { data, shape: [items.length, ...shape] };
}

/** Float scores for argmax or thresholds: a Float32Array (converted if needed). */
export function asScores(t: TensorData): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
}

/** A dense target as the kernels take it: Float32Array and Uint8Array as they are, anything else as float32. */
export function asDense(t: TensorData): Float32Array | Uint8Array {
  return t.data instanceof Float32Array || t.data instanceof Uint8Array ? t.data : Float32Array.from(t.data);
}

/** A mask where non-zero means "yes": Float32Array and Uint8Array as they are, anything else as 0/1 bytes. */
export function asMask(t: TensorData): Float32Array | Uint8Array {
  const d = t.data;
  if (d instanceof Float32Array || d instanceof Uint8Array) return d;
  if (d instanceof Int8Array) return new Uint8Array(d.buffer, d.byteOffset, d.length);
  return Uint8Array.from(d, (v) => (v !== 0 ? 1 : 0));
}

/** A label map: integer arrays as they are, floats holding integers (MONAI does this) as Int32Array. */
export function asLabels(fn: string, name: string, t: TensorData): Uint8Array | Uint16Array | Int32Array {
  const d = t.data;
  if (d instanceof Uint8Array || d instanceof Uint16Array || d instanceof Int32Array) return d;
  const labels = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
      throw rangeError(fn, name, `is read as a label map but holds ${v} at index ${i}, which is not an integer label`);
    }
    labels[i] = v;
  }
  return labels;
}

/** Whether the values are floats (torchmetrics treats float one-hot input as scores). */
export function isFloating(t: TensorData): boolean {
  return (
    t.data instanceof Float32Array ||
    t.data instanceof Float64Array ||
    (Array.isArray(t.data) && t.data.some((v) => !Number.isInteger(v)))
  );
}

export function tensor(data: ArrayLike<number>, shape: number[]): Tensor {
  return { data: Float64Array.from(data), shape };
}
