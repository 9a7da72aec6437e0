// `eval`'s instance-level metrics (--metrics lesion_dice, lesion_hd95, lesion_f1, pq, …): one
// pair's label maps as one sample of a streaming instance metric (README "Lesion-wise metrics"),
// in row-major axis order with their spacing, and each class's lesion counts beside them.
import type { DiceKernel } from '../kernel.js';
import type { CreateInstanceMetricOptions, InstanceMetricName } from '../metrics/instances/types.js';
import type { EvalOptions } from './eval-options.js';
import { formatShape, trimShape } from './formats/volume.js';
import { spacingOf, type LabelVolume } from './surface.js';

/** The counts every case reports with instance metrics (README, "dice-wasm eval"). */
export const LESION_COUNTS = ['lesion_tp', 'lesion_fp', 'lesion_fn'] as const;

export interface InstanceValues {
  /** The spacing used, per axis of the truth file in its axis order. */
  spacing: number[];
  /**
   * Metric (as asked for, then the lesion counts) → value of each class 0..numClasses − 1 (NaN for a
   * class not measured).
   */
  values: Record<string, Float64Array>;
}

/** The metrics to measure: those asked for, and the lesion counts the report gives per case. */
export function instanceColumns(opts: Pick<EvalOptions, 'instanceMetrics'>): string[] {
  return [...opts.instanceMetrics, ...LESION_COUNTS.filter((m) => !opts.instanceMetrics.includes(m))];
}

/**
 * The metrics a record holds values of (measured per pair, not computed from its counts): the
 * surface distances, the topology metrics (clDice, Boundary IoU), then the instance metrics and the
 * lesion counts every case reports with them.
 */
export function measuredColumns(
  opts: Pick<EvalOptions, 'surfaceMetrics' | 'topologyMetrics' | 'instanceMetrics'>,
): string[] {
  return [
    ...opts.surfaceMetrics,
    ...opts.topologyMetrics,
    ...(opts.instanceMetrics.length > 0 ? instanceColumns(opts) : []),
  ];
}

export function instanceValues(
  k: DiceKernel,
  pred: LabelVolume,
  truth: LabelVolume,
  truthPath: string,
  numClasses: number,
  opts: EvalOptions,
): InstanceValues {
  const shape = trimShape(truth.shape);
  const rank = shape.length;
  if (rank > 3)
    throw new Error(`${truthPath} has ${rank} axes (${formatShape(shape)}); lesion metrics take images of 1 to 3 axes`);
  const spacing = spacingOf(truth, shape, truthPath, opts);
  const metrics = instanceColumns(opts);
  if (numClasses < 2 && !opts.includeBackground) {
    return {
      spacing,
      values: Object.fromEntries(metrics.map((m) => [m, new Float64Array(numClasses).fill(Number.NaN)])),
    };
  }
  const axes = [...shape.keys()];
  if (truth.firstAxisFastest) axes.reverse();
  const metric = k.createMetric({
    numClasses,
    metrics,
    ...(opts.connectivity === null ? {} : { connectivity: opts.connectivity }),
    minSize: opts.minLesionSize,
    dilation: opts.dilation,
    includeBackground: opts.includeBackground,
    ...(opts.ignoreIndex === null ? {} : { ignoreIndex: opts.ignoreIndex }),
  } as CreateInstanceMetricOptions & { metrics: readonly InstanceMetricName[] });
  metric.update(pred.labels, truth.labels, {
    shape: [1, ...axes.map((a) => shape[a])],
    spacing: axes.map((a) => spacing[a]),
  });
  return { spacing, values: metric.compute() as Record<string, Float64Array> };
}
