// Surfaces by a neighbourhood wider than the faces (MedPy's `connectivity`), for both engines,
// and the record of a direction with nothing measured.
import { EDGE_PRED, EDGE_TARGET, MASK_PRED, MASK_TARGET } from '../../core/constants.js';
import type { DirectedDistances } from '../../core/plans.js';

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
