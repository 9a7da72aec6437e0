// k.connectedComponents: options and arrays checked, the engine labels each sample, the result
// is assembled from its component records (sizes, boxes in the order of the shape's axes).
import { describe, rangeError, typeError } from '../../core/errors.js';
import { checkOptionNames, flag } from '../../core/options.js';
import { checkShape } from '../../core/tensors.js';
import { COMP_SIZE, COMP_STRIDE, COMP_VALUE, COMP_X0, COMP_Y0, COMP_Z0 } from '../../core/constants.js';
import type { ComponentRecords, ComponentsInput, ComponentsPlan, ComponentsType } from '../../core/plans.js';
import type { ConnectedComponents } from './types.js';

export type { ComponentRecords, ComponentsPlan, ComponentsType };

export const COMPONENTS_OPTION_NAMES = ['shape', 'connectivity', 'minSize', 'perClass', 'out'] as const;

/** The connectivities of each number of spatial axes; the first is the default (faces only, as scipy). */
export const CONNECTIVITIES: Readonly<Record<number, readonly number[]>> = { 1: [2], 2: [4, 8], 3: [6, 18, 26] };

export function elementType(array: ComponentsInput): ComponentsType {
  return array instanceof Uint8Array
    ? 'u8'
    : array instanceof Uint16Array
      ? 'u16'
      : array instanceof Int32Array
        ? 'i32'
        : 'f32';
}

/** Spatial extents fastest first, from the spatial axes in shape order. */
export function gridOf(spatial: readonly number[]): [number, number, number] {
  const reversed = [...spatial].reverse();
  return [reversed[0], reversed[1] ?? 1, reversed[2] ?? 1];
}

/** A connectivity for `rank` spatial axes, checked; the faces-only one when not given. */
export function checkConnectivity(fn: string, value: unknown, rank: number): number {
  const allowed = CONNECTIVITIES[rank];
  if (value === undefined) return allowed[0];
  if (typeof value !== 'number' || !allowed.includes(value)) {
    throw rangeError(
      fn,
      'connectivity',
      `must be ${allowed.join(', ')} for ${rank} spatial ax${rank === 1 ? 'is' : 'es'} ` +
        `(neighbours that join a voxel); got ${describe(value)}`,
    );
  }
  return value;
}

/** A size threshold in voxels: an integer ≥ 0 (0 and 1 keep everything). */
export function checkMinSize(fn: string, name: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 0x7fffffff) {
    throw rangeError(fn, name, `must be an integer ≥ 0 (voxels); got ${describe(value)}`);
  }
  return Math.max(value, 1);
}

/** Checks the options and the mask of a connectedComponents call. */
export function planComponents(
  fn: string,
  mask: unknown,
  options: unknown,
): { plan: ComponentsPlan; out: Int32Array | null } {
  if (options === undefined || options === null) {
    throw typeError(fn, 'options', `must be an object with 'shape', e.g. { shape: [1, 256, 256], connectivity: 8 }`);
  }
  const opts = checkOptionNames(fn, options as object, COMPONENTS_OPTION_NAMES) as Record<string, unknown>;
  if (
    !(
      mask instanceof Uint8Array ||
      mask instanceof Uint16Array ||
      mask instanceof Int32Array ||
      mask instanceof Float32Array
    )
  ) {
    throw typeError(
      fn,
      'mask',
      `must be a Uint8Array, Uint16Array, Int32Array or Float32Array (non-zero = in the mask); got ${describe(mask)}`,
    );
  }
  if (opts.shape === undefined)
    throw rangeError(fn, 'shape', 'is required: [B, ...spatial] with 1 to 3 spatial axes, e.g. [1, 512, 512]');
  const shape = checkShape(fn, opts.shape);
  const rank = shape.length - 1;
  if (rank < 1 || rank > 3) {
    throw rangeError(fn, 'shape', `[${shape.join(', ')}] must be [B, ...spatial] with 1 to 3 spatial axes`);
  }
  const total = shape.reduce((a, d) => a * d, 1);
  if (total !== mask.length)
    throw rangeError(fn, 'mask', `has length ${mask.length} but shape [${shape.join(', ')}] holds ${total} voxels`);
  if (total > 0x7fffffff) throw rangeError(fn, 'shape', `holds ${total} voxels; at most 2^31 − 1 can be labelled`);
  const perClass = flag(fn, 'perClass', opts.perClass, false);
  if (perClass && mask instanceof Float32Array) {
    throw typeError(fn, 'mask', 'must be a label map (Uint8Array, Uint16Array or Int32Array) with perClass');
  }
  const out = opts.out ?? null;
  if (out !== null && !(out instanceof Int32Array && out.length === total)) {
    throw typeError(fn, 'out', `must be an Int32Array of ${total} labels (B·S); got ${describe(out)}`);
  }
  const spatial = shape.slice(1);
  return {
    plan: {
      B: shape[0],
      S: spatial.reduce((a, d) => a * d, 1),
      dims: gridOf(spatial),
      rank,
      connectivity: checkConnectivity(fn, opts.connectivity, rank),
      minSize: checkMinSize(fn, 'minSize', opts.minSize),
      perClass,
      type: elementType(mask),
    },
    out,
  };
}

/** The public result from the labels and the engine's records. */
export function assembleComponents(
  plan: ComponentsPlan,
  labels: Int32Array,
  found: ComponentRecords,
): ConnectedComponents {
  const total = found.records.length / COMP_STRIDE;
  const { rank } = plan;
  const sizes = new Int32Array(total);
  const boxes = new Int32Array(total * 2 * rank);
  const values = plan.perClass ? new Int32Array(total) : undefined;
  // Box slots of x, y, z; spatial axis a of the shape is memory axis rank − 1 − a.
  const firstSlot = [COMP_X0, COMP_Y0, COMP_Z0];
  for (let j = 0; j < total; j++) {
    const at = j * COMP_STRIDE;
    sizes[j] = found.records[at + COMP_SIZE];
    for (let a = 0; a < rank; a++) {
      const slot = firstSlot[rank - 1 - a];
      boxes[j * 2 * rank + 2 * a] = found.records[at + slot];
      boxes[j * 2 * rank + 2 * a + 1] = found.records[at + slot + 1];
    }
    if (values) values[j] = found.records[at + COMP_VALUE];
  }
  return values
    ? { labels, counts: found.counts, sizes, boxes, values }
    : { labels, counts: found.counts, sizes, boxes };
}
