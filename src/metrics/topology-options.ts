// Resolution of the options of the metrics measured on the masks themselves (clDice, Boundary
// IoU), once per call or per metric object: which of skeletons and boundary bands are needed, and
// the band's width (voxels, or spacing units with a spacing) and distance.
import type { BoundaryDistance, SkeletonMethod, Spacing, TopologyMetricOptions } from '../core/api.js';
import { describe, rangeError } from '../core/errors.js';
import { oneOf } from '../core/options.js';
import { BOUNDARY_DISTANCES, SKELETON_METHODS } from '../core/option-values.js';
import { topologyNeeds, type MetricEntry } from './names.js';
import { checkSpacing } from '../core/spacing.js';

export const TOPOLOGY_OPTION_NAMES = [
  'skeleton',
  'boundaryWidth',
  'boundaryWidthMm',
  'boundaryDistance',
  'spacing',
] as const;

/** What the topology metrics asked for need measured, and how. */
export interface TopologySpec {
  fn: string;
  /** The thinning of clDice's skeletons, or null when no skeleton metric is asked for. */
  skeleton: SkeletonMethod | null;
  /** The boundary band (for 'biou'), or null. */
  band: {
    distance: BoundaryDistance;
    /** Width in voxels, in spacing units (with `spacing`), or null for the default. */
    width: number | null;
    widthMm: number | null;
  } | null;
  spacing: Spacing | null;
}

/**
 * The topology options checked against the metrics asked for: null when none of them needs the
 * masks measured (and then none of the options may be given).
 */
export function resolveTopology(
  fn: string,
  opts: TopologyMetricOptions,
  metrics: readonly MetricEntry[],
): TopologySpec | null {
  const needs = topologyNeeds(metrics);
  if (!needs.skeleton && opts.skeleton !== undefined) {
    throw rangeError(fn, 'skeleton', `applies to 'cldice' (and its parts), which metrics does not list`);
  }
  const skeleton = needs.skeleton ? oneOf(fn, 'skeleton', opts.skeleton, SKELETON_METHODS, 'lee') : null;
  const given = TOPOLOGY_OPTION_NAMES.filter((name) => name !== 'skeleton' && opts[name] !== undefined);
  if (!needs.band && given.length > 0) {
    throw rangeError(fn, given[0], `applies to 'biou' (Boundary IoU), which metrics does not list`);
  }
  if (!needs.skeleton && !needs.band) return null;
  if (!needs.band) return { fn, skeleton, band: null, spacing: null };
  if (opts.boundaryWidth !== undefined && opts.boundaryWidthMm !== undefined) {
    throw rangeError(fn, 'boundaryWidthMm', 'and boundaryWidth are two ways to give the width: give one');
  }
  const width = positive(fn, 'boundaryWidth', opts.boundaryWidth);
  const widthMm = positive(fn, 'boundaryWidthMm', opts.boundaryWidthMm);
  if (widthMm !== null && opts.spacing === undefined) {
    throw rangeError(fn, 'spacing', 'is required with boundaryWidthMm (the voxel size, one number per spatial axis)');
  }
  if (widthMm === null && opts.spacing !== undefined) {
    throw rangeError(fn, 'spacing', 'applies to boundaryWidthMm; boundaryWidth and the default width are in voxels');
  }
  return {
    fn,
    skeleton,
    band: {
      distance: oneOf(fn, 'boundaryDistance', opts.boundaryDistance, BOUNDARY_DISTANCES, 'chessboard'),
      width,
      widthMm,
    },
    spacing: opts.spacing === undefined ? null : checkSpacing(fn, 'spacing', opts.spacing),
  };
}

function positive(fn: string, name: string, value: unknown): number | null {
  if (value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) {
    throw rangeError(fn, name, `must be a finite number > 0; got ${describe(value)}`);
  }
  return value;
}
