// Object-wise metrics as MedPy computes them (medpy.metric.binary obj_tpr, obj_fpr, obj_asd,
// obj_assd; README "Object-wise metrics (MedPy)"), per (sample, class), with `pred` as MedPy's
// `result` and `target` as its `reference`. Objects are the components of each mask (MedPy's
// `connectivity`, which also decides their surfaces). A correspondence C(A → B) walks the objects of
// A in label order: an object overlapping exactly one object of B not taken yet takes it; objects
// overlapping several are settled afterwards, those with the fewest candidates left first (MedPy
// takes an arbitrary candidate, Python's set.pop(); here the lowest label). Then, as MedPy's code
// computes them (its docstring examples show some with the arguments swapped):
//   objTpr = |C(reference → result)| / #result objects,
//   objFpr = (#reference objects − |C(reference → result)|) / #reference objects,
//   objAsd = mean of D(∂g → ∂r) over the pairs (r, g) of C(result → reference),
//   objAssd = mean of those distances and of D(∂r → ∂g) over the pairs (g, r) of C(reference → result),
// D(∂a → ∂b) being the distances from the surface voxels of object a to the nearest of object b's.
import { METRIC_REDUCTIONS } from '../../core/option-values.js';
import type { HardPrediction, MetricReduction, MetricsResult, Target } from '../../core/api.js';
import { MASK_PRED, MASK_TARGET } from '../../core/constants.js';
import type { Engine } from '../../backends/engine.js';
import { typeError, rangeError } from '../../core/errors.js';
import { checkOptionNames, flag, oneOf } from '../../core/options.js';
import { checkShape } from '../../core/tensors.js';
import { CONFUSION_OPTION_NAMES, resolveConfusion, type ConfusionSpec } from '../options.js';
import { columns, reduceMonai } from '../reduce.js';
import { checkSpacing } from '../../core/spacing.js';
import { CONNECTIVITIES, type ComponentsPlan } from './components.js';
import { withBinaryDefault } from './lesions.js';
import type { ClassCrop } from '../../core/plans.js';
import { measureTerms, type Measured } from './terms.js';
import { COMP_STRIDE, COMP_X0, COMP_X1, COMP_Y0, COMP_Y1, COMP_Z0, COMP_Z1 } from '../../core/constants.js';
import type { Spacing } from './types.js';

export const OBJECT_OPTION_NAMES = ['spacing', 'connectivity', 'includeBackground', 'reduction'] as const;
export const OBJECT_NAMES = ['objTpr', 'objFpr', 'objAsd', 'objAssd'] as const;
export type ObjectMetricName = (typeof OBJECT_NAMES)[number];

export interface ObjectSpec {
  fn: string;
  spacing: Spacing;
  /** null: faces only (MedPy's default connectivity 1). */
  connectivity: number | null;
  includeBackground: boolean;
  reduction: MetricReduction;
}

export function resolveObjectCall(
  fn: string,
  pred: unknown,
  options: unknown,
): { confusion: ConfusionSpec; objects: ObjectSpec; shape: readonly number[] } {
  if (options === undefined || options === null) {
    throw typeError(fn, 'options', `must be an object with 'shape', e.g. { shape: [1, 128, 128] }`);
  }
  const opts = checkOptionNames(fn, options as object, [...CONFUSION_OPTION_NAMES, ...OBJECT_OPTION_NAMES]) as Record<
    string,
    unknown
  >;
  if (opts.shape === undefined) throw rangeError(fn, 'shape', 'is required: [B, ...spatial] (1 to 3 spatial axes)');
  const all = Object.values(CONNECTIVITIES).flat();
  if (opts.connectivity !== undefined && !all.includes(opts.connectivity as number)) {
    throw rangeError(fn, 'connectivity', `must be one of ${all.join(', ')}; got ${String(opts.connectivity)}`);
  }
  return {
    confusion: resolveConfusion(fn, withBinaryDefault(pred, opts)),
    objects: {
      fn,
      spacing: checkSpacing(fn, 'spacing', opts.spacing ?? 1),
      connectivity: (opts.connectivity as number | undefined) ?? null,
      includeBackground: flag(fn, 'includeBackground', opts.includeBackground, false),
      reduction: oneOf(fn, 'reduction', opts.reduction, METRIC_REDUCTIONS, 'none'),
    },
    shape: checkShape(fn, opts.shape),
  };
}

/** The scores of every (sample, class) term (null: not measured). */
export function measureObjects(
  engine: Engine,
  confusion: ConfusionSpec,
  spec: ObjectSpec,
  pred: HardPrediction,
  target: Target,
  shape: readonly number[],
): Measured<Record<ObjectMetricName, number>> {
  return measureTerms(engine, confusion, spec, 'faces', pred, target, shape, (term, crop) =>
    crop === null
      ? { objTpr: Number.NaN, objFpr: Number.NaN, objAsd: Number.NaN, objAssd: Number.NaN }
      : objectScores(engine, spec.fn, crop, term.connectivity, term.rank, term.weights),
  );
}

/** MedPy's correspondence C(A → B): for each object of A (index a − 1), the object of B it takes, or 0. */
export function correspondence(overlaps: readonly (readonly number[])[]): Int32Array {
  const mapping = new Int32Array(overlaps.length);
  const used = new Set<number>();
  let several: { a: number; candidates: number[] }[] = [];
  overlaps.forEach((ids, a) => {
    if (ids.length === 1) {
      if (!used.has(ids[0])) {
        mapping[a] = ids[0];
        used.add(ids[0]);
      }
    } else if (ids.length > 1) {
      several.push({ a, candidates: [...ids] });
    }
  });
  for (;;) {
    several = several
      .map(({ a, candidates }) => ({ a, candidates: candidates.filter((id) => !used.has(id)) }))
      .filter((s) => s.candidates.length > 0);
    // A stable sort by the number of candidates left, as Python's sorted.
    several.sort((x, y) => x.candidates.length - y.candidates.length);
    if (several.length === 0) break;
    const { a, candidates } = several[0];
    const id = Math.min(...candidates);
    mapping[a] = id;
    used.add(id);
    several = several.slice(1);
  }
  return mapping;
}

function objectScores(
  engine: Engine,
  fn: string,
  crop: ClassCrop,
  connectivity: number,
  rank: number,
  weights: Float64Array,
): Record<ObjectMetricName, number> {
  const { mask, dims } = crop;
  const n = mask.length;
  const resultMask = Uint8Array.from(mask, (v) => (v & MASK_PRED ? 1 : 0));
  const referenceMask = Uint8Array.from(mask, (v) => (v & MASK_TARGET ? 1 : 0));
  const plan: ComponentsPlan = { B: 1, S: n, dims, rank, connectivity, minSize: 1, perClass: false, type: 'u8' };
  const r = new Int32Array(n),
    g = new Int32Array(n);
  const rFound = engine.components(fn, plan, resultMask, r),
    gFound = engine.components(fn, plan, referenceMask, g);
  const nR = rFound.counts[0],
    nG = gFound.counts[0];
  const gToR: Set<number>[] = Array.from({ length: nG }, () => new Set()),
    rToG: Set<number>[] = Array.from({ length: nR }, () => new Set());
  for (let i = 0; i < n; i++) {
    if (r[i] === 0 || g[i] === 0) continue;
    gToR[g[i] - 1].add(r[i]);
    rToG[r[i] - 1].add(g[i]);
  }
  const sorted = (sets: Set<number>[]) => sets.map((s) => [...s].sort((x, y) => x - y));
  const referenceToResult = correspondence(sorted(gToR)),
    resultToReference = correspondence(sorted(rToG));
  const matched = referenceToResult.filter((id) => id !== 0).length;
  const reach = ({ 2: 1, 4: 1, 6: 1, 8: 2, 18: 2, 26: 3 } as Record<number, number>)[connectivity];
  // Σ D(∂b → ∂a) over the pairs (a → b) of a correspondence from labelling A to labelling B.
  const distances = (
    pairs: Int32Array,
    a: { labels: Int32Array; records: Int32Array },
    b: { labels: Int32Array; records: Int32Array },
  ): { sum: number; count: number } => {
    let sum = 0,
      count = 0;
    pairs.forEach((bId, index) => {
      if (bId === 0) return;
      const d = pairDistances(
        engine,
        dims,
        rank,
        weights,
        reach,
        b.labels,
        bId,
        b.records,
        a.labels,
        index + 1,
        a.records,
      );
      sum += d.sum;
      count += d.count;
    });
    return { sum, count };
  };
  const result = { labels: r, records: rFound.records },
    reference = { labels: g, records: gFound.records };
  // objAsd: the pairs (r → g) of C(result → reference), distances from ∂g to ∂r; objAssd adds
  // the pairs (g → r) of C(reference → result), distances from ∂r to ∂g.
  const forward = distances(resultToReference, result, reference);
  const backward = distances(referenceToResult, reference, result);
  const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);
  return {
    objTpr: ratio(matched, nR),
    objFpr: ratio(nG - matched, nG),
    objAsd: ratio(forward.sum, forward.count),
    objAssd: ratio(forward.sum + backward.sum, forward.count + backward.count),
  };
}

/** Sum and count of the distances from the surface of object `from` to the surface of object `to`. */
function pairDistances(
  engine: Engine,
  dims: readonly number[],
  rank: number,
  weights: Float64Array,
  reach: number,
  fromLabels: Int32Array,
  from: number,
  fromRecords: Int32Array,
  toLabels: Int32Array,
  to: number,
  toRecords: Int32Array,
): { sum: number; count: number } {
  const slots = [
    [COMP_X0, COMP_X1],
    [COMP_Y0, COMP_Y1],
    [COMP_Z0, COMP_Z1],
  ];
  const lo = slots.map(([s]) =>
    Math.min(fromRecords[(from - 1) * COMP_STRIDE + s], toRecords[(to - 1) * COMP_STRIDE + s]),
  );
  const hi = slots.map(([, s]) =>
    Math.max(fromRecords[(from - 1) * COMP_STRIDE + s], toRecords[(to - 1) * COMP_STRIDE + s]),
  );
  const box = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
  const local = new Uint8Array(box[0] * box[1] * box[2]);
  for (let z = 0, j = 0; z < box[2]; z++) {
    for (let y = 0; y < box[1]; y++) {
      const row = ((lo[2] + z) * dims[1] + lo[1] + y) * dims[0] + lo[0];
      for (let x = 0; x < box[0]; x++, j++) {
        local[j] = (fromLabels[row + x] === from ? MASK_PRED : 0) | (toLabels[row + x] === to ? MASK_TARGET : 0);
      }
    }
  }
  const d = engine.maskDistances(local, box, rank, weights, { tolerance: 0, percentile: null, list: false, reach });
  return { sum: d.pred.sum, count: d.pred.count };
}

/** Per name (OBJECT_NAMES): B·C values (sample-major, every class; NaN where not measured) or MONAI's reduction. */
export function evaluateObjects(
  spec: Pick<ObjectSpec, 'includeBackground' | 'reduction'>,
  measured: ReturnType<typeof measureObjects>,
): MetricsResult {
  const { values: scores, numSamples: B, numClasses: C } = measured;
  const result: MetricsResult = {};
  for (const name of OBJECT_NAMES) {
    const values = Float64Array.from(scores, (s) => (s === null ? Number.NaN : s[name]));
    const first = spec.includeBackground || C === 1 ? 0 : 1;
    result[name] =
      spec.reduction === 'none' ? values : reduceMonai(columns({ rows: B, cols: C, values }, first), spec.reduction);
  }
  return result;
}
