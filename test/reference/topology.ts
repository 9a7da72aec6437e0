// Brute-force references for the topology kernels, from the definitions and independent of src/:
// boundary bands by searching every voxel's neighbourhood, distance fields by comparing every
// pair, connected components by flood fill; and the test shapes (lines, rings, tori, blobs).
import { coordinates } from './surface.js';

/** Row-major index of `at` in an image of `shape`. */
export function indexOf(at: readonly number[], shape: readonly number[]): number {
  return at.reduce((i, v, a) => i * shape[a] + v, 0);
}

/**
 * The chessboard band of a mask (row-major booleans): its voxels that have, within `radius[a]`
 * along every axis a, a voxel outside the mask or outside the image.
 */
export function bruteChessboardBand(
  mask: ArrayLike<boolean>,
  shape: readonly number[],
  radius: readonly number[],
): boolean[] {
  return Array.from({ length: mask.length }, (_, i) => {
    if (!mask[i]) return false;
    const at = coordinates(i, shape);
    let outside = false;
    const visit = (axis: number, q: number[]): void => {
      if (outside) return;
      if (axis === shape.length) {
        outside = q.some((v, a) => v < 0 || v >= shape[a]) || !mask[indexOf(q, shape)];
        return;
      }
      for (let d = -radius[axis]; d <= radius[axis]; d++) visit(axis + 1, [...q, at[axis] + d]);
    };
    visit(0, []);
    return outside;
  });
}

/**
 * The Euclidean band: voxels of the mask whose distance (axes scaled by `spacing`) to the nearest
 * voxel outside the mask, or to the nearest position just outside the image, is ≤ width.
 */
export function bruteEuclideanBand(
  mask: ArrayLike<boolean>,
  shape: readonly number[],
  spacing: readonly number[],
  width: number,
): boolean[] {
  const outside: number[][] = [];
  for (let i = 0; i < mask.length; i++) if (!mask[i]) outside.push(coordinates(i, shape));
  return Array.from({ length: mask.length }, (_, i) => {
    if (!mask[i]) return false;
    const p = coordinates(i, shape);
    // Beyond the image: one step past either end of an axis.
    let best = Math.min(...p.map((v, a) => Math.min(v + 1, shape[a] - v) * spacing[a]));
    for (const q of outside) best = Math.min(best, Math.hypot(...p.map((v, a) => (v - q[a]) * spacing[a])));
    return best <= width * (1 + 1e-9);
  });
}

/** Squared distance from every voxel to the nearest voxel of `feature` (+∞ when there is none). */
export function bruteSquaredField(
  feature: ArrayLike<boolean>,
  shape: readonly number[],
  spacing: readonly number[],
): number[] {
  const features: number[][] = [];
  for (let i = 0; i < feature.length; i++) if (feature[i]) features.push(coordinates(i, shape));
  return Array.from({ length: feature.length }, (_, i) => {
    const p = coordinates(i, shape);
    let best = Number.POSITIVE_INFINITY;
    for (const q of features)
      best = Math.min(
        best,
        p.reduce((s, v, a) => s + ((v - q[a]) * spacing[a]) ** 2, 0),
      );
    return best;
  });
}

/** Number of 26-connected (8 in 2D) components of a mask, by flood fill. */
export function components(mask: ArrayLike<boolean | number>, shape: readonly number[]): number {
  const seen = new Uint8Array(mask.length);
  let count = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || seen[i]) continue;
    count++;
    seen[i] = 1;
    const stack = [i];
    while (stack.length > 0) {
      const at = coordinates(stack.pop() as number, shape);
      const visit = (axis: number, q: number[]): void => {
        if (axis === shape.length) {
          if (q.some((v, a) => v < 0 || v >= shape[a])) return;
          const j = indexOf(q, shape);
          if (mask[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
          return;
        }
        for (let d = -1; d <= 1; d++) visit(axis + 1, [...q, at[axis] + d]);
      };
      visit(0, []);
    }
  }
  return count;
}

/** A mask of `shape` (row-major) true where `inside(...coordinates)`. */
export function shapeMask(shape: readonly number[], inside: (...at: number[]) => boolean): Uint8Array {
  const size = shape.reduce((a, d) => a * d, 1);
  return Uint8Array.from({ length: size }, (_, i) => (inside(...coordinates(i, shape)) ? 1 : 0));
}

/** The test shapes of the skeleton tests: name, shape (row-major) and mask. */
export function testShapes(random: () => number): { name: string; shape: number[]; mask: Uint8Array }[] {
  const blob = (shape: number[], count: number, radius: number): Uint8Array => {
    const centres = Array.from({ length: count }, () => shape.map((n) => random() * n));
    return shapeMask(shape, (...at) => centres.some((c) => Math.hypot(...at.map((v, a) => v - c[a])) < radius));
  };
  return [
    { name: 'a line along x (2D)', shape: [5, 17], mask: shapeMask([5, 17], (y, x) => y === 2 && x > 1 && x < 15) },
    { name: 'a diagonal line (2D)', shape: [12, 12], mask: shapeMask([12, 12], (y, x) => y === x && y > 0 && y < 11) },
    {
      name: 'a thick bar (2D)',
      shape: [9, 21],
      mask: shapeMask([9, 21], (y, x) => y >= 2 && y <= 6 && x >= 2 && x <= 18),
    },
    {
      name: 'a ring (2D)',
      shape: [19, 19],
      mask: shapeMask([19, 19], (y, x) => {
        const r = Math.hypot(y - 9, x - 9);
        return r >= 4 && r < 7.5;
      }),
    },
    {
      name: 'a line in 3D',
      shape: [7, 7, 20],
      mask: shapeMask([7, 7, 20], (z, y, x) => z === 3 && y === 3 && x > 1 && x < 18),
    },
    {
      name: 'a thick tube of odd width (3D)',
      shape: [9, 9, 24],
      mask: shapeMask([9, 9, 24], (z, y, x) => Math.abs(z - 4) <= 1 && Math.abs(y - 4) <= 2 && x >= 2 && x < 22),
    },
    {
      name: 'a tube 4 voxels thick (3D, scikit-image issue #3757)',
      shape: [8, 8, 16],
      mask: shapeMask([8, 8, 16], (z, y, x) => z >= 2 && z < 6 && y >= 2 && y < 6 && x >= 2 && x < 14),
    },
    {
      name: 'a ring in a plane (3D)',
      shape: [5, 17, 17],
      mask: shapeMask([5, 17, 17], (z, y, x) => {
        const r = Math.hypot(y - 8, x - 8);
        return z === 2 && r >= 4 && r < 6;
      }),
    },
    {
      name: 'a torus (3D)',
      shape: [11, 23, 23],
      mask: shapeMask([11, 23, 23], (z, y, x) => Math.hypot(Math.hypot(y - 11, x - 11) - 7, z - 5) < 2.6),
    },
    { name: 'random blobs (2D)', shape: [30, 34], mask: blob([30, 34], 6, 4) },
    { name: 'random blobs (3D)', shape: [18, 20, 22], mask: blob([18, 20, 22], 5, 4.5) },
  ];
}
