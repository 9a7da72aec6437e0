// The voxel spacing of the metrics measured in physical units (surface distances, Boundary IoU's
// band in mm): one number, one per spatial axis, or one such list per sample.
import type { Spacing } from './api.js';
import { describe, rangeError } from './errors.js';

const positive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** A spacing whose numbers are all finite and > 0 (lengths are the plan's to check). */
export function checkSpacing(fn: string, name: string, value: unknown): Spacing {
  if (positive(value)) return value as number;
  if (Array.isArray(value) && value.length > 0) {
    if (value.every(positive)) return value as number[];
    if (value.every((row) => Array.isArray(row) && row.length > 0 && row.every(positive))) return value as number[][];
    const bad = value.findIndex((v) => !positive(v) && !(Array.isArray(v) && v.every(positive)));
    const at = bad >= 0 ? `[${bad}]` : '';
    throw rangeError(
      fn,
      `${name}${at}`,
      `must hold finite numbers > 0 (one per spatial axis, or one such ` +
        `list per sample); got ${describe(bad >= 0 ? value[bad] : value)}`,
    );
  }
  throw rangeError(
    fn,
    name,
    `must be a number > 0, one per spatial axis, or one such list per sample; got ${describe(value)}`,
  );
}
