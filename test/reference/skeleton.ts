// An independent reference of the thinning of Lee, Kashyap & Chu (1994) as published and as
// ImageJ's Skeletonize3D and scikit-image's skeletonize(method='lee') carry it out, written from
// the algorithm's steps with the textbook form of each test instead of lookup tables:
//
// - Euler invariance: the Euler characteristic V − E + F − C of the union of the closed unit
//   cubes of the object voxels in the 3×3×3 block around v, counted cell by cell on a grid of
//   doubled coordinates, is the same with and without v.
// - Simple (Lee's condition on objects): the object voxels among the 26 neighbours of v form at
//   most one 26-connected set (breadth-first search on coordinates).
// - End point: exactly one object voxel among the 26 neighbours.
// - Order: six border directions, y−1, y+1, x+1, x−1, z+1, z−1 (four for one plane); for each, the
//   candidates in raster order, then deleted one by one if still simple; repeat until a sweep
//   deletes nothing. "Still simple" is ImageJ's (at most one set of object neighbours), or with
//   `preserving` Lee's whole test (Euler-invariant, exactly one set).

type Point = [number, number, number];

export function referenceThin(volume: Uint8Array, nx: number, ny: number, nz: number, preserving = false): Uint8Array {
  const object = (x: number, y: number, z: number, img: Uint8Array): boolean =>
    x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz && img[(z * ny + y) * nx + x] !== 0;
  const img = Uint8Array.from(volume, (v) => (v !== 0 ? 1 : 0));
  const directions: Point[] = [
    [0, -1, 0],
    [0, 1, 0],
    [1, 0, 0],
    [-1, 0, 0],
    [0, 0, 1],
    [0, 0, -1],
  ].slice(0, nz === 1 ? 4 : 6) as Point[];
  let quietSweep = false;
  while (!quietSweep) {
    quietSweep = true;
    for (const [dx, dy, dz] of directions) {
      const candidates: Point[] = [];
      for (let z = 0; z < nz; z++) {
        for (let y = 0; y < ny; y++) {
          for (let x = 0; x < nx; x++) {
            if (!object(x, y, z, img) || object(x + dx, y + dy, z + dz, img)) continue;
            const block = blockAround(x, y, z, img, object);
            if (neighbours(block) === 1 || !eulerInvariant(block) || !simple(block)) continue;
            candidates.push([x, y, z]);
          }
        }
      }
      for (const [x, y, z] of candidates) {
        const block = blockAround(x, y, z, img, object);
        const still = preserving ? neighbours(block) > 0 && simple(block) && eulerInvariant(block) : simple(block);
        if (still) {
          img[(z * ny + y) * nx + x] = 0;
          quietSweep = false;
        }
      }
    }
  }
  return img;
}

/** The 3×3×3 block around (x, y, z): block[i][j][k] for the voxel (x + i − 1, y + j − 1, z + k − 1). */
function blockAround(
  x: number,
  y: number,
  z: number,
  img: Uint8Array,
  object: (x: number, y: number, z: number, img: Uint8Array) => boolean,
): boolean[][][] {
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => [0, 1, 2].map((k) => object(x + i - 1, y + j - 1, z + k - 1, img))));
}

function neighbours(block: boolean[][][]): number {
  let n = 0;
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) if (block[i][j][k] && !(i === 1 && j === 1 && k === 1)) n++;
  return n;
}

/**
 * χ of the union of closed unit cubes of the block's object voxels: on doubled coordinates a
 * voxel (i, j, k) covers the cells [2i, 2i + 2] × [2j, 2j + 2] × [2k, 2k + 2]; a cell with d odd
 * coordinates is a d-dimensional cell and counts (−1)^d.
 */
export function eulerCharacteristic(block: boolean[][][]): number {
  const covered = new Set<string>();
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      for (let k = 0; k < 3; k++) {
        if (!block[i][j][k]) continue;
        for (let a = 2 * i; a <= 2 * i + 2; a++)
          for (let b = 2 * j; b <= 2 * j + 2; b++)
            for (let c = 2 * k; c <= 2 * k + 2; c++) covered.add(`${a},${b},${c}`);
      }
    }
  }
  let chi = 0;
  for (const key of covered) {
    const odd = key.split(',').filter((v) => Number(v) % 2 === 1).length;
    chi += odd % 2 === 0 ? 1 : -1;
  }
  return chi;
}

export function eulerInvariant(block: boolean[][][]): boolean {
  const without = block.map((plane) => plane.map((row) => row.slice()));
  without[1][1][1] = false;
  return eulerCharacteristic(block) === eulerCharacteristic(without);
}

/** At most one 26-connected set of object voxels among the 26 neighbours. */
export function simple(block: boolean[][][]): boolean {
  const cells: Point[] = [];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 3; k++) if (block[i][j][k] && !(i === 1 && j === 1 && k === 1)) cells.push([i, j, k]);
  if (cells.length === 0) return true;
  const seen = new Set<number>([0]);
  const queue = [0];
  while (queue.length > 0) {
    const [a, b, c] = cells[queue.shift() as number];
    cells.forEach(([i, j, k], n) => {
      if (!seen.has(n) && Math.max(Math.abs(i - a), Math.abs(j - b), Math.abs(k - c)) === 1) {
        seen.add(n);
        queue.push(n);
      }
    });
  }
  return seen.size === cells.length;
}
