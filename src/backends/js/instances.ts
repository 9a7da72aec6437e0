// The readable reference of the instance metrics' engine steps: class masks cropped to their box
// (classMask and maskBox of the surface reference), and the surface distances of a small mask.
import type { HardPrediction, Target } from '../../core/api.js';
import { BOX_X0, BOX_Y0, BOX_Z0, EDGE_PRED, EDGE_TARGET } from '../../core/constants.js';
import { percentileOfSorted } from '../../math/surface.js';
import type { ClassCrop, CropPlan, DirectedDistances, MaskDistanceOptions, MaskDistances } from '../../core/plans.js';
import { markEdges, unmeasured } from './edges.js';
import { classMask, distancesToSurface, maskBox, surfaceBits } from './surface.js';

export function classCropsJS(
  plan: CropPlan,
  pred: HardPrediction,
  target: Target,
  visit: (b: number, c: number, crop: ClassCrop) => void,
): void {
  const { B, C, S } = plan.arrays;
  const [nx, ny, nz] = plan.dims;
  const mask = new Uint8Array(S);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      if (plan.terms[b * C + c] === 0) continue;
      classMask(mask, plan, pred, target, b, c);
      const box = maskBox(mask, { nx, ny, nz, rank: plan.rank });
      visit(b, c, cropOf(mask, plan.dims, box));
    }
  }
}

/** The voxels of `box` (BOX_* slots) of a mask of dims, x fastest. */
export function cropOf(mask: Uint8Array, [nx, ny]: readonly number[], box: Int32Array): ClassCrop {
  const origin: [number, number, number] = [box[BOX_X0], box[BOX_Y0], box[BOX_Z0]];
  const dims: [number, number, number] = [
    box[BOX_X0 + 1] - origin[0],
    box[BOX_Y0 + 1] - origin[1],
    box[BOX_Z0 + 1] - origin[2],
  ];
  const crop = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let z = 0; z < dims[2]; z++) {
    for (let y = 0; y < dims[1]; y++) {
      const from = ((origin[2] + z) * ny + origin[1] + y) * nx + origin[0];
      crop.set(mask.subarray(from, from + dims[0]), (z * dims[1] + y) * dims[0]);
    }
  }
  return { mask: crop, dims, origin };
}

export function maskDistancesJS(
  mask: Uint8Array,
  dims: readonly number[],
  rank: number,
  weights: ArrayLike<number>,
  opts: MaskDistanceOptions,
): MaskDistances {
  const grid = { nx: dims[0], ny: dims[1], nz: dims[2], rank };
  const work = mask.slice();
  const box = maskBox(work, grid);
  const edges = opts.reach === 1 ? surfaceBits(work, box, grid) : markEdges(work, dims, rank, opts.reach);
  if (edges.pred === 0 || edges.target === 0) {
    return { pred: unmeasured(edges.pred, edges.target), target: unmeasured(edges.target, edges.pred) };
  }
  const direction = (feature: number, query: number, count: number, other: number): DirectedDistances => {
    const list = opts.list || opts.percentile !== null;
    const m = distancesToSurface(work, feature, query, box, grid, weights, opts.tolerance, list);
    const sorted = m.distances === null ? null : m.distances.slice().sort();
    return {
      count,
      other,
      sum: m.sum,
      max: m.max,
      within: m.within,
      percentile:
        opts.percentile === null || sorted === null
          ? Number.NaN
          : percentileOfSorted((i) => sorted[i], sorted.length, opts.percentile),
      distances: opts.list ? m.distances : null,
    };
  };
  return {
    pred: direction(EDGE_TARGET, EDGE_PRED, edges.pred, edges.target),
    target: direction(EDGE_PRED, EDGE_TARGET, edges.target, edges.pred),
  };
}
