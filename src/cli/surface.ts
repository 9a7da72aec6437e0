// `eval`'s surface distances (--metrics hd, hd95, assd, asd, nsd): one pair's label maps as one
// sample of k.surfaceMetrics, its axes in row-major order (the last fastest) with their spacing.
import type { DiceKernel } from '../kernel.js';
import type { EvalOptions } from './eval-options.js';
import { formatShape, trimShape, type Labels, type Volume } from './formats/volume.js';

/** A file's voxels as labels, with the geometry its reader found. */
export type LabelVolume = Omit<Volume, 'voxels'> & { labels: Labels };

export interface SurfaceValues {
  /** The spacing used, per axis of the truth file in its axis order. */
  spacing: number[];
  /** Metric (as asked for) → value of each class 0..numClasses − 1 (NaN for a class not measured). */
  values: Record<string, Float64Array>;
}

/**
 * The surface metrics of every class of one pair (same shapes). The spacing is --spacing, else
 * the truth file's (NIfTI pixdim), else 1 per axis.
 */
export function surfaceValues(
  k: DiceKernel,
  pred: LabelVolume,
  truth: LabelVolume,
  truthPath: string,
  numClasses: number,
  opts: EvalOptions,
): SurfaceValues {
  const shape = trimShape(truth.shape);
  const rank = shape.length;
  if (rank > 3)
    throw new Error(
      `${truthPath} has ${rank} axes (${formatShape(shape)}); surface distances take images of 1 to 3 axes`,
    );
  const spacing = spacingOf(truth, shape, truthPath, opts);
  if (numClasses < 2 && !opts.includeBackground) {
    // Only label 0, which is not reported: nothing to measure.
    return {
      spacing,
      values: Object.fromEntries(opts.surfaceMetrics.map((m) => [m, new Float64Array(numClasses).fill(Number.NaN)])),
    };
  }
  // A NIfTI's first axis (x) is the fastest in memory: reversed, its axes are row-major.
  const axes = [...shape.keys()];
  if (truth.firstAxisFastest) axes.reverse();
  const values = k.surfaceMetrics(pred.labels, truth.labels, {
    numClasses,
    shape: [1, ...axes.map((a) => shape[a])],
    spacing: axes.map((a) => spacing[a]),
    metrics: opts.surfaceMetrics,
    percentile: opts.percentile,
    ...(opts.hdConvention === null ? {} : { hdConvention: opts.hdConvention }),
    ...(opts.surfel ? { surfel: true } : {}),
    ...(opts.tolerance === null ? {} : { tolerance: opts.tolerance }),
    ...(opts.ignoreIndex === null ? {} : { ignoreIndex: opts.ignoreIndex }),
    includeBackground: opts.includeBackground,
    empty: opts.empty,
  });
  return { spacing, values };
}

export function spacingOf(
  truth: LabelVolume,
  shape: readonly number[],
  truthPath: string,
  opts: EvalOptions,
): number[] {
  const rank = shape.length;
  if (opts.spacing !== null) {
    if (opts.spacing.length !== rank) {
      throw new Error(
        `--spacing gives ${opts.spacing.length} value${opts.spacing.length === 1 ? '' : 's'} ` +
          `(${opts.spacing.join(',')}) but ${truthPath} has ${rank} ax${rank === 1 ? 'is' : 'es'} ` +
          `(${formatShape(shape)})`,
      );
    }
    return opts.spacing;
  }
  if (truth.spacing === undefined) return new Array<number>(rank).fill(1);
  const spacing = truth.spacing.slice(0, rank);
  const bad = spacing.findIndex((s) => !(Number.isFinite(s) && s > 0));
  if (bad >= 0)
    throw new Error(
      `${truthPath} has pixdim[${bad + 1}] = ${spacing[bad]}, not a voxel size; give the spacing with --spacing`,
    );
  return spacing;
}
