// The readable reference of assembly/skeleton.ts: topology-preserving thinning of a binary
// volume by the algorithm of Lee, Kashyap & Chu (1994), in the variant of ImageJ's Skeletonize3D
// that scikit-image's `skeletonize(method='lee')` (its 3D default) follows step for step:
//
// Sweeps over the six border directions (y−1, y+1, x+1, x−1, z+1, z−1; the first four only for
// an image of one plane) until a whole sweep deletes nothing. For one direction: (1) list, in
// raster order (z, then y, then x fastest), the object voxels whose neighbour in that direction
// is background and that are not end points (exactly one object voxel among their 26
// neighbours), are Euler-invariant (math/euler.ts) and simple (their 26 object neighbours form
// one 26-connected set); (2) go through the list in order and delete each voxel that is still
// simple, given the deletions made so far. Voxels outside the image are background.
//
// In (2) ImageJ and scikit-image test only that the object neighbours form at most one set, so a
// voxel whose neighbours were all deleted goes too and a component can vanish (scikit-image
// issue #3757): `preserving` keeps Lee's whole test there (Euler-invariant and exactly one set).
import { eulerOctantTable } from '../../math/euler.js';

const EULER = eulerOctantTable();
const CENTRE = 13;

/** Bit of the neighbour at (dx, dy, dz) ∈ {−1, 0, 1}³ in a neighbourhood word. */
const bitOf = (dx: number, dy: number, dz: number): number => (dz + 1) * 9 + (dy + 1) * 3 + (dx + 1);

/** For each bit of a neighbourhood word, the word of its 26-neighbours within the 3×3×3 block, centre excluded. */
const ADJACENT: readonly number[] = (() => {
  const adjacent: number[] = [];
  for (let k = 0; k < 27; k++) {
    const [x, y, z] = [(k % 3) - 1, (Math.floor(k / 3) % 3) - 1, Math.floor(k / 9) - 1];
    let word = 0;
    for (let j = 0; j < 27; j++) {
      const [u, v, w] = [(j % 3) - 1, (Math.floor(j / 3) % 3) - 1, Math.floor(j / 9) - 1];
      const near = Math.max(Math.abs(u - x), Math.abs(v - y), Math.abs(w - z)) === 1;
      if (near && j !== CENTRE) word |= 1 << j;
    }
    adjacent.push(word);
  }
  return adjacent;
})();

/** For each octant (8), the neighbourhood bit of its voxel (a, b, c), index a + 2b + 4c. */
const OCTANTS: readonly (readonly number[])[] = (() => {
  const octants: number[][] = [];
  for (const sz of [-1, 1]) {
    for (const sy of [-1, 1]) {
      for (const sx of [-1, 1]) {
        const bits: number[] = [];
        for (let k = 0; k < 8; k++) bits.push(bitOf((k & 1) * sx, ((k >> 1) & 1) * sy, ((k >> 2) & 1) * sz));
        octants.push(bits);
      }
    }
  }
  return octants;
})();

function popcount(word: number): number {
  let n = 0;
  for (let w = word; w !== 0; w &= w - 1) n++;
  return n;
}

/** An end point has exactly one object voxel among its 26 neighbours. */
function isEndPoint(word: number): boolean {
  return popcount(word) === 2;
}

function isEulerInvariant(word: number): boolean {
  let change = 0;
  for (const bits of OCTANTS) {
    let pattern = 0;
    for (let k = 0; k < 8; k++) pattern |= ((word >> bits[k]) & 1) << k;
    change += EULER[pattern];
  }
  return change === 0;
}

/**
 * At most one 26-connected set among the 26 neighbours (Lee's condition on the number of objects,
 * as ImageJ tests it); `one`: exactly one.
 */
function isSimple(word: number, one: boolean): boolean {
  const rest = word & ~(1 << CENTRE);
  if (rest === 0) return !one;
  let reached = rest & -rest;
  for (;;) {
    let grown = reached;
    for (let bits = reached; bits !== 0; bits &= bits - 1) grown |= ADJACENT[31 - Math.clz32(bits & -bits)];
    grown &= rest;
    if (grown === reached) return reached === rest;
    reached = grown;
  }
}

/**
 * Thins `volume` in place: nx × ny × nz bytes, x fastest, non-zero = object; afterwards 1 on
 * the skeleton, 0 elsewhere.
 */
export function thinLee(volume: Uint8Array, nx: number, ny: number, nz: number, preserving = false): void {
  // A copy with one voxel of background on every side: every voxel looked at has 26 neighbours.
  const px = nx + 2,
    py = ny + 2;
  const sx = 1,
    sy = px,
    sz = px * py;
  const img = new Uint8Array(px * py * (nz + 2));
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++)
        img[(z + 1) * sz + (y + 1) * sy + x + 1] = volume[(z * ny + y) * nx + x] !== 0 ? 1 : 0;
    }
  }
  const offsets: number[] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) offsets.push(dz * sz + dy * sy + dx * sx);
    }
  }
  const neighbourhood = (i: number): number => {
    let word = 0;
    for (let k = 0; k < 27; k++) word |= img[i + offsets[k]] << k;
    return word;
  };
  const borders = [-sy, sy, sx, -sx, sz, -sz];
  const directions = nz === 1 ? 4 : 6;
  const candidates: number[] = [];
  let unchanged = 0;
  while (unchanged < directions) {
    unchanged = 0;
    for (let d = 0; d < directions; d++) {
      candidates.length = 0;
      for (let z = 1; z <= nz; z++) {
        for (let y = 1; y <= ny; y++) {
          for (let x = 1; x <= nx; x++) {
            const i = z * sz + y * sy + x;
            if (img[i] !== 1 || img[i + borders[d]] !== 0) continue;
            const word = neighbourhood(i);
            if (isEndPoint(word) || !isEulerInvariant(word) || !isSimple(word, false)) continue;
            candidates.push(i);
          }
        }
      }
      let deleted = false;
      for (const i of candidates) {
        const word = neighbourhood(i);
        if (preserving ? isSimple(word, true) && isEulerInvariant(word) : isSimple(word, false)) {
          img[i] = 0;
          deleted = true;
        }
      }
      if (!deleted) unchanged++;
    }
  }
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) volume[(z * ny + y) * nx + x] = img[(z + 1) * sz + (y + 1) * sy + x + 1];
    }
  }
}
