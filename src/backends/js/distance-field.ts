// The readable reference of assembly/edt.ts's distanceField: the squared distance from every voxel
// of a grid to the nearest voxel with a feature bit, by the same separable exact transform as the
// surface distances (squaredRowDistances along x, then the lower envelopes of EnvelopeLine).
import { EnvelopeLine, squaredRowDistances } from './surface.js';

/**
 * Squared distances (spacing units²; `weights` are the squared spacings along x, y, z) from each
 * voxel of the nx × ny × nz grid (x fastest) to the nearest voxel whose byte has `feature`: 0 on
 * those, +∞ everywhere when there is none.
 */
export function distanceField(
  grid: Uint8Array,
  feature: number,
  [nx, ny, nz]: readonly number[],
  weights: ArrayLike<number>,
): Float64Array {
  const field = new Float64Array(nx * ny * nz);
  const line = new EnvelopeLine(Math.max(nx, ny, nz));
  const plane = nx * ny;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      const at = z * plane + y * nx;
      squaredRowDistances(field, at, grid, at, nx, feature, weights[0]);
    }
    if (ny > 1) for (let x = 0; x < nx; x++) line.pass(field, z * plane + x, nx, ny, weights[1]);
  }
  if (nz > 1) for (let i = 0; i < plane; i++) line.pass(field, i, plane, nz, weights[2]);
  return field;
}
