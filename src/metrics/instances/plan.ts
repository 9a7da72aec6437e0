// What the instance-level metrics ask of an engine beyond connected components: the class masks
// of each (sample, class) term cropped to the box of their voxels, and the surface distances
// between the two masks of a small mask (the surface kernels of the surface metrics, reused).
import { EDGE_PRED, EDGE_TARGET, MASK_PRED, MASK_TARGET } from '../../core/api.js';
import type { Directed } from '../../math/surface.js';
import type { ConfusionPlan } from '../plan.js';

/** Which terms to crop, from which arrays, on which grid. */
export interface CropPlan {
  arrays: ConfusionPlan;
  /** Spatial extents fastest first (x = the last axis of the shape), 1 for axes the image has not. */
  dims: [number, number, number];
  /** Spatial axes: 1, 2 or 3. */
  rank: number;
  /** 1 where the (sample, class) term is wanted. */
  terms: Uint8Array;
}

/**
 * The class mask of one term (MASK_PRED where the prediction says the class, MASK_TARGET where
 * the target does; ignored voxels 0) inside the box of its marked voxels: `dims` voxels (x
 * fastest) whose first is at `origin` of the image. An empty term has dims [0, 0, 0].
 */
export interface ClassCrop {
  mask: Uint8Array;
  dims: [number, number, number];
  origin: [number, number, number];
}

export interface MaskDistanceOptions {
  /** NSD tolerance (within counts). */
  tolerance: number;
  /** Percentile of each direction's distances to compute, or null. */
  percentile: number | null;
  /** Return each direction's distances too. */
  list: boolean;
  /**
   * How many axes a neighbour that decides the surface may move along: 1 (faces: the surface
   * metrics' and MONAI's rule), 2 or 3 (scipy's generate_binary_structure(rank, reach), MedPy's
   * `connectivity`).
   */
  reach: number;
}

export interface DirectedDistances extends Directed {
  /** The distances (spacing units) when listed, else null. */
  distances: Float64Array | null;
}

/** From the prediction's surface to the target's (`pred`) and back (`target`). */
export interface MaskDistances {
  pred: DirectedDistances;
  target: DirectedDistances;
}

/**
 * Sets EDGE_PRED / EDGE_TARGET on each voxel of the two masks of `mask` (nx × ny × nz, x fastest)
 * that has a neighbour within `reach` axes outside that mask or outside the image (scipy's
 * binary_erosion with generate_binary_structure(rank, reach) and border 0, MedPy's surface);
 * returns how many each mask has.
 */
export function markEdges(
  mask: Uint8Array,
  [nx, ny, nz]: readonly number[],
  rank: number,
  reach: number,
): { pred: number; target: number } {
  const steps: [number, number, number][] = [];
  for (let dz = rank >= 3 ? -1 : 0; dz <= (rank >= 3 ? 1 : 0); dz++) {
    for (let dy = rank >= 2 ? -1 : 0; dy <= (rank >= 2 ? 1 : 0); dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const moved = (dx !== 0 ? 1 : 0) + (dy !== 0 ? 1 : 0) + (dz !== 0 ? 1 : 0);
        if (moved > 0 && moved <= reach) steps.push([dx, dy, dz]);
      }
    }
  }
  const edges = { pred: 0, target: 0 };
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const own = mask[i] & (MASK_PRED | MASK_TARGET);
        if (own === 0) continue;
        let inner = own;
        for (const [dx, dy, dz] of steps) {
          const X = x + dx,
            Y = y + dy,
            Z = z + dz;
          inner &= X < 0 || X >= nx || Y < 0 || Y >= ny || Z < 0 || Z >= nz ? 0 : mask[(Z * ny + Y) * nx + X];
          if (inner === 0) break;
        }
        const edge = own & ~inner;
        if (edge & MASK_PRED) {
          mask[i] |= EDGE_PRED;
          edges.pred++;
        }
        if (edge & MASK_TARGET) {
          mask[i] |= EDGE_TARGET;
          edges.target++;
        }
      }
    }
  }
  return edges;
}

/** A direction with no distance measured (one of the surfaces is empty). */
export function unmeasured(count: number, other: number): DirectedDistances {
  return { count, other, sum: 0, max: 0, within: 0, percentile: Number.NaN, distances: null };
}
