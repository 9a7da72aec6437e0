// The voxel spacing of the metrics measured in physical units (surface distances, Boundary IoU's
// band in mm): one number, one per spatial axis, or one such list per sample.
import type { Spacing } from './api.js';
import { describe, rangeError } from './errors.js';

const positive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The range of a spacing value: far wider than any unit needs, and where sums of distances stay finite in float64. */
export const SPACING_RANGE = [1e-100, 1e100] as const;
/**
 * How much larger one spacing of a call may be than another: the kernels measure in units of the
 * largest (a power of two), and the squares of the others must stay normal float32 numbers.
 */
export const SPACING_RATIO = 1e12;

/**
 * A spacing whose numbers are all finite and > 0, within SPACING_RANGE and SPACING_RATIO of each
 * other (lengths are the plan's to check).
 */
export function checkSpacing(fn: string, name: string, value: unknown): Spacing {
  const spacing = spacingShape(fn, name, value);
  const values = typeof spacing === 'number' ? [spacing] : (spacing as readonly (number | readonly number[])[]).flat();
  let smallest = Number.POSITIVE_INFINITY,
    largest = 0;
  for (const v of values) {
    if (v < SPACING_RANGE[0] || v > SPACING_RANGE[1]) {
      throw rangeError(fn, name, `must hold numbers in [${SPACING_RANGE[0]}, ${SPACING_RANGE[1]}]; got ${v}`);
    }
    smallest = Math.min(smallest, v);
    largest = Math.max(largest, v);
  }
  if (largest / smallest > SPACING_RATIO) {
    throw rangeError(
      fn,
      name,
      `has spacings ${smallest} and ${largest}, more than ${SPACING_RATIO} times apart; give them in one unit`,
    );
  }
  return spacing;
}

function spacingShape(fn: string, name: string, value: unknown): Spacing {
  if (positive(value)) return value as number;
  if (Array.isArray(value) && value.length > 0) {
    if (value.every(positive)) return value as number[];
    if (value.every((row) => Array.isArray(row) && row.length > 0 && row.every(positive))) return value as number[][];
    const bad = value.findIndex((v) => !positive(v) && !(Array.isArray(v) && v.every(positive)));
    const at = bad >= 0 ? `[${bad}]` : '';
    throw rangeError(
      fn,
      `${name}${at}`,
      'must hold finite numbers > 0 (one per spatial axis, or one such list per sample); got ' +
        `${describe(bad >= 0 ? value[bad] : value)}`,
    );
  }
  throw rangeError(
    fn,
    name,
    `must be a number > 0, one per spatial axis, or one such list per sample; got ${describe(value)}`,
  );
}
