// `eval`'s metrics measured on the masks (--metrics cldice, biou, tprec, tsens): one pair's label
// maps as one sample of k.metrics, its axes in row-major order (the last fastest), the band of
// biou given by --boundary-width (voxels) or --boundary-width-mm (with the spacing of
// surface.ts's spacingOf) and --boundary-distance.
import type { DiceKernel } from '../kernel.js';
import type { EvalOptions } from './eval-options.js';
import { formatShape, trimShape } from './formats/volume.js';
import { spacingOf, type LabelVolume } from './surface.js';

/** Metric (as asked for) → value of each class 0..numClasses − 1 (NaN for a class not measured). */
export type TopologyValues = Record<string, Float64Array>;

export function topologyValues(
  k: DiceKernel,
  pred: LabelVolume,
  truth: LabelVolume,
  truthPath: string,
  numClasses: number,
  opts: EvalOptions,
): TopologyValues {
  const shape = trimShape(truth.shape);
  const rank = shape.length;
  if (rank > 3)
    throw new Error(
      `${truthPath} has ${rank} axes (${formatShape(shape)}); cldice and biou take images of 1 to 3 axes`,
    );
  if (numClasses < 2 && !opts.includeBackground) {
    return Object.fromEntries(opts.topologyMetrics.map((m) => [m, new Float64Array(numClasses).fill(Number.NaN)]));
  }
  // A NIfTI's first axis (x) is the fastest in memory: reversed, its axes are row-major.
  const axes = [...shape.keys()];
  if (truth.firstAxisFastest) axes.reverse();
  const band = opts.boundaryWidthMm === null ? {} : { boundaryWidthMm: opts.boundaryWidthMm };
  const spacing =
    opts.boundaryWidthMm === null ? {} : { spacing: axes.map((a) => spacingOf(truth, shape, truthPath, opts)[a]) };
  return k.metrics(pred.labels, truth.labels, {
    numClasses,
    shape: [1, ...axes.map((a) => shape[a])],
    metrics: opts.topologyMetrics,
    ...band,
    ...spacing,
    ...(opts.boundaryWidth === null ? {} : { boundaryWidth: opts.boundaryWidth }),
    ...(opts.boundaryDistance === null ? {} : { boundaryDistance: opts.boundaryDistance }),
    ...(opts.skeleton === null ? {} : { skeleton: opts.skeleton }),
    ...(opts.ignoreIndex === null ? {} : { ignoreIndex: opts.ignoreIndex }),
    includeBackground: opts.includeBackground,
    empty: opts.empty,
  });
}
