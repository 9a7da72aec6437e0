// The per-(sample, class) driver of the instance metrics: the arrays are read and checked as by
// the confusion counts (which also say which terms have voxels), the spatial grid and spacing
// follow from the shape, and each term with voxels is measured on its class mask cropped to its
// box (Engine.classCrops); a term without voxels on either side gets `empty`.
import type { HardPrediction, Spacing, Target } from '../../core/api.js';
import { rangeError } from '../../core/errors.js';
import type { Engine } from '../../backends/engine.js';
import { countConfusion } from '../counts.js';
import type { ConfusionSpec } from '../options.js';
import { planConfusion } from '../plan.js';
import { squaredSpacing } from '../surface-plan.js';
import { checkConnectivity, CONNECTIVITIES, gridOf } from './components.js';
import type { ClassCrop, CropPlan } from '../../core/plans.js';

/** What one term's measurement gets besides its crop. */
export interface TermContext {
  b: number;
  c: number;
  /** Spatial axes: 1, 2 or 3. */
  rank: number;
  /** The connectivity, resolved for the rank. */
  connectivity: number;
  /** Squared spacing along x, y, z (memory order). */
  weights: Float64Array;
  /** The volume of one voxel. */
  voxelVolume: number;
}

export interface TermSpec {
  fn: string;
  spacing: Spacing;
  /** null: the default of `defaultConnectivity`. */
  connectivity: number | null;
  includeBackground: boolean;
}

/** Per (sample, class), sample-major: the measurement, or null for a term not measured (class excluded). */
export interface Measured<T> {
  values: (T | null)[];
  numSamples: number;
  numClasses: number;
}

export function measureTerms<T>(
  engine: Engine,
  confusion: ConfusionSpec,
  spec: TermSpec,
  defaultConnectivity: 'faces' | 'full',
  pred: HardPrediction,
  target: Target,
  shape: readonly number[],
  measure: (term: TermContext, crop: ClassCrop | null) => T,
): Measured<T> {
  const { fn } = spec;
  const counts = countConfusion(engine, confusion, pred, target, shape);
  const arrays = planConfusion(confusion, pred, target, shape);
  const { B, C } = arrays;
  const spatial =
    arrays.pred.kind === 'labels' ? shape.slice(1) : arrays.layout === 'NCHW' ? shape.slice(2) : shape.slice(1, -1);
  if (spatial.length < 1 || spatial.length > 3) {
    throw rangeError(
      fn,
      'shape',
      `[${shape.join(', ')}] has ${spatial.length} spatial axes; instance metrics take 1 to 3`,
    );
  }
  const rank = spatial.length;
  const choices = CONNECTIVITIES[rank];
  const connectivity =
    spec.connectivity === null
      ? choices[defaultConnectivity === 'faces' ? 0 : choices.length - 1]
      : checkConnectivity(fn, spec.connectivity, rank);
  if (!spec.includeBackground && C < 2) {
    throw rangeError(fn, 'includeBackground', `false needs at least 2 classes (there are ${C})`);
  }
  const weights = squaredSpacing(fn, spec.spacing, B, rank);
  const context = (b: number, c: number): TermContext => {
    const w = weights.subarray(b * 3, b * 3 + 3);
    return { b, c, rank, connectivity, weights: w, voxelVolume: Math.sqrt(w[0] * w[1] * w[2]) };
  };
  const first = spec.includeBackground || C === 1 ? 0 : 1;
  const values: (T | null)[] = new Array(B * C).fill(null);
  const terms = new Uint8Array(B * C);
  for (let k = 0; k < B * C; k++) {
    const b = Math.floor(k / C),
      c = k % C;
    if (c < first) continue;
    if (counts.tp[k] + counts.fp[k] + counts.fn[k] === 0) values[k] = measure(context(b, c), null);
    else terms[k] = 1;
  }
  const plan: CropPlan = { arrays, dims: gridOf(spatial), rank, terms };
  engine.classCrops(fn, plan, pred, target, (b, c, crop) => {
    values[b * C + c] = measure(context(b, c), crop);
  });
  return { values, numSamples: B, numClasses: C };
}
