// One surface measurement: confusion counts (which check the labels and say which classes are
// present) → plan → the engine's surface records → metric tables → the empty policy and MONAI's
// reduction, shared with the confusion metrics.
import type { HardPrediction, MetricsResult, Target } from '../core/api.js';
import { DIST_COUNT, DIST_MAX, DIST_SUM, DIST_WITHIN } from '../core/constants.js';
import type { Engine } from '../backends/engine.js';
import { rangeError } from '../core/errors.js';
import { asd, assd, hausdorff, nsd, percentileHausdorff, type Directed } from '../math/surface.js';
import { countConfusion } from './counts.js';
import { withEmptyPolicy } from './evaluate.js';
import type { SurfaceMetricId } from './names.js';
import type { ConfusionSpec } from './options.js';
import { planConfusion } from './plan.js';
import { columns, reduceMonai } from './reduce.js';
import type { SurfaceSpec } from './surface-options.js';
import { planSurface, rescaleRecords } from './surface-plan.js';
import { SURF_PRED, SURF_PRED_PERCENTILE, SURF_STRIDE, SURF_TARGET, SURF_TARGET_PERCENTILE } from '../core/plans.js';

/** Surface records of every (sample, class) of one call (SURF_STRIDE each, sample-major). */
export interface SurfaceRecords {
  records: Float64Array;
  numSamples: number;
  numClasses: number;
}

export function measureSurfaces(
  engine: Engine,
  confusion: ConfusionSpec,
  surface: SurfaceSpec,
  pred: HardPrediction,
  target: Target,
  shape: readonly number[],
): SurfaceRecords {
  const counts = countConfusion(engine, confusion, pred, target, shape);
  const plan = planSurface(surface, planConfusion(confusion, pred, target, shape), shape, counts);
  const records = engine.surface(confusion.fn, plan, pred, target);
  rescaleRecords(records, plan.scale);
  return {
    records,
    numSamples: plan.arrays.B,
    numClasses: plan.arrays.C,
  };
}

function directed(records: Float64Array, at: number, from: number, to: number, percentile: number): Directed {
  return {
    count: records[at + from + DIST_COUNT],
    other: records[at + to + DIST_COUNT],
    sum: records[at + from + DIST_SUM],
    max: records[at + from + DIST_MAX],
    within: records[at + from + DIST_WITHIN],
    percentile: records[at + percentile],
  };
}

function metricOf(id: SurfaceMetricId, pg: Directed, gp: Directed, isDirected: boolean): number {
  switch (id) {
    case 'hausdorff':
      return hausdorff(pg, gp, isDirected);
    case 'hausdorff95':
      return percentileHausdorff(pg, gp, isDirected);
    case 'assd':
      return assd(pg, gp);
    case 'asd':
      return asd(pg);
    case 'nsd':
      return nsd(pg, gp);
  }
}

/**
 * Per metric: B·C values (sample-major, every class; NaN for terms not measured because the
 * class is excluded), or the MONAI reduction over the included classes.
 */
export function evaluateSurfaces(
  spec: Pick<SurfaceSpec, 'fn' | 'metrics' | 'directed' | 'includeBackground' | 'reduction' | 'empty'>,
  measured: SurfaceRecords,
): MetricsResult {
  const { records, numSamples: B, numClasses: C } = measured;
  if (!spec.includeBackground && C < 2) {
    throw rangeError(spec.fn, 'includeBackground', `false needs at least 2 classes (there are ${C})`);
  }
  const result: MetricsResult = {};
  for (const { key, id } of spec.metrics) {
    const values = new Float64Array(B * C);
    for (let k = 0; k < B * C; k++) {
      if (!spec.includeBackground && k % C === 0) {
        values[k] = Number.NaN;
        continue;
      }
      const at = k * SURF_STRIDE;
      const pg = directed(records, at, SURF_PRED, SURF_TARGET, SURF_PRED_PERCENTILE);
      const gp = directed(records, at, SURF_TARGET, SURF_PRED, SURF_TARGET_PERCENTILE);
      // An empty surface is an empty mask: the policy sees TP 0, FP |∂P|, FN |∂G|.
      values[k] = withEmptyPolicy(metricOf(id, pg, gp, spec.directed), 0, pg.count, gp.count, spec.empty);
    }
    const first = spec.includeBackground ? 0 : 1;
    result[key] =
      spec.reduction === 'none' ? values : reduceMonai(columns({ rows: B, cols: C, values }, first), spec.reduction);
  }
  return result;
}
