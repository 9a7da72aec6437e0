// The metrics measured on the masks themselves (README, "Topology and boundaries"): clDice on
// their skeletons, Boundary IoU on their boundary bands. Options are resolved once (the band's
// width and distance, the spacing for a width in mm); each call plans the terms, the grid and the
// band per sample, and the engine counts the topology records (TOPO_* per (sample, class)),
// which metrics/evaluate.ts turns into values beside the confusion counts.
import type { ConfusionCounts, HardPrediction, Spacing, Target } from '../core/api.js';
import type { Engine } from '../backends/engine.js';
import type { BandPlan, ConfusionPlan, TopologyPlan } from '../core/plans.js';
import { defaultBandWidth } from '../math/topology.js';
import { countConfusion } from './counts.js';
import type { MeasuredCounts } from './evaluate.js';
import { planConfusion } from './plan.js';
import type { ConfusionSpec } from './options.js';
import { spatialShape, squaredSpacing } from './surface-plan.js';
import type { TopologySpec } from './topology-options.js';

/** Relative slack on a Euclidean band's limit, so that distances equal to the width on the grid count in f32 too. */
const LIMIT_SLACK = 1e-6;
/** Relative slack on width / spacing before a chessboard radius is rounded down (0.3 / 0.1 is 2.9999…). */
const RADIUS_SLACK = 1e-9;

export function planTopology(
  spec: TopologySpec,
  arrays: ConfusionPlan,
  shape: readonly number[],
  counts: ConfusionCounts,
  includeBackground: boolean,
): TopologyPlan {
  const { fn } = spec;
  const { B, C } = arrays;
  const spatial = spatialShape(fn, arrays, shape, 'topology metrics (cldice, biou)');
  const rank = spatial.length;
  const reversed = [...spatial].reverse();
  const dims: [number, number, number] = [reversed[0], reversed[1] ?? 1, reversed[2] ?? 1];
  const first = includeBackground || C === 1 ? 0 : 1;
  const terms = new Uint8Array(B * C);
  for (let k = 0; k < B * C; k++) terms[k] = counts.tp[k] + counts.fp[k] + counts.fn[k] > 0 && k % C >= first ? 1 : 0;
  return { arrays, dims, rank, skeleton: spec.skeleton, band: planBand(spec, spatial, B, rank), terms };
}

function planBand(spec: TopologySpec, spatial: readonly number[], B: number, rank: number): BandPlan | null {
  const band = spec.band;
  if (band === null) return null;
  // Squared spacings in memory order (x first); 1 when the width is in voxels.
  const weights =
    band.widthMm === null ? new Float64Array(B * 3).fill(1) : squaredSpacing(spec.fn, spec.spacing as Spacing, B, rank);
  const width = band.widthMm ?? band.width ?? defaultBandWidth(spatial);
  if (band.distance === 'euclidean') {
    return { kind: 'euclidean', weights, limits: new Float64Array(B).fill(width * width * (1 + LIMIT_SLACK)) };
  }
  const radii = new Int32Array(B * 3);
  for (let k = 0; k < B * 3; k++) {
    const axis = k % 3;
    radii[k] = axis < rank ? Math.floor((width / Math.sqrt(weights[k])) * (1 + RADIUS_SLACK)) : 0;
  }
  return { kind: 'chessboard', radii };
}

/** The topology records of one call's terms (the confusion counts say which are present). */
export function measureTopology(
  engine: Engine,
  confusion: ConfusionSpec,
  spec: TopologySpec,
  pred: HardPrediction,
  target: Target,
  shape: readonly number[],
  counts: ConfusionCounts,
  includeBackground: boolean,
): Float64Array {
  const plan = planTopology(spec, planConfusion(confusion, pred, target, shape), shape, counts, includeBackground);
  return engine.topology(confusion.fn, plan, pred, target);
}

/**
 * The confusion counts of one call and, when a topology metric is asked for (`topology` not
 * null), the topology records of its terms (class 0 left out when not included).
 */
export function countMeasured(
  engine: Engine,
  confusion: ConfusionSpec,
  topology: TopologySpec | null,
  includeBackground: boolean,
  pred: HardPrediction,
  target: Target,
  shape?: readonly number[],
): MeasuredCounts {
  const counts = countConfusion(engine, confusion, pred, target, shape);
  if (topology === null) return counts;
  const at = shape ?? confusion.shape ?? [pred.length];
  return {
    ...counts,
    topology: measureTopology(engine, confusion, topology, pred, target, at, counts, includeBackground),
  };
}
