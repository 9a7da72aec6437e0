// The Euler characteristic test of Lee, Kashyap & Chu (1994), "Building skeleton models via 3-D
// medial surface/axis thinning algorithms", Table 2 (δG26), derived rather than transcribed.
//
// A 26-connected object is the union of the closed unit cubes of its voxels. Its Euler
// characteristic χ = V − E + F − C (vertices, edges, faces, cubes of that union) splits over the
// lattice points: a point takes all of a vertex, half of each of the 6 edges, a quarter of each
// of the 12 faces and an eighth of each of the 8 cubes around it, counting those cells that
// belong to some voxel. A voxel v touches 8 lattice points (its corners), one per octant of its
// 3×3×3 neighbourhood, and the octant's 2×2×2 voxels decide that point's share; so deleting v
// changes χ by Σ over its 8 octants of [share with v − share without v]. Lee's δG26 is that
// difference times 8 (so that it is an integer), and v is Euler-invariant when the sum is 0.

/**
 * The table of δG26 by octant pattern: bit a + 2b + 4c is set when the voxel at (a, b, c) of the
 * octant is in the object, (0, 0, 0) being v itself and (1, 1, 1) the voxel diagonally opposite
 * (the octant's axes pointing away from v). Entries without bit 0 are 0.
 */
export function eulerOctantTable(): Int8Array {
  const table = new Int8Array(256);
  for (let pattern = 1; pattern < 256; pattern += 2) {
    table[pattern] = 8 * (cornerShare(pattern) - cornerShare(pattern & ~1));
  }
  return table;
}

/**
 * The share of χ that the lattice point shared by an octant's 8 voxels takes, for the voxels
 * of `pattern` (bit a + 2b + 4c for the voxel on side a of the point along x, b along y, c along z).
 */
function cornerShare(pattern: number): number {
  const has = (a: number, b: number, c: number): boolean => ((pattern >> (a + 2 * b + 4 * c)) & 1) === 1;
  if (pattern === 0) return 0;
  let edges = 0;
  let faces = 0;
  let cubes = 0;
  for (let side = 0; side < 2; side++) {
    // The edge leaving the point along x on this side belongs to the 4 voxels on that side of x.
    if (has(side, 0, 0) || has(side, 1, 0) || has(side, 0, 1) || has(side, 1, 1)) edges++;
    if (has(0, side, 0) || has(1, side, 0) || has(0, side, 1) || has(1, side, 1)) edges++;
    if (has(0, 0, side) || has(1, 0, side) || has(0, 1, side) || has(1, 1, side)) edges++;
  }
  for (let s = 0; s < 2; s++) {
    for (let t = 0; t < 2; t++) {
      // The face in the plane x = point with its corner at the point, on side s of y and t of z,
      // belongs to the two voxels on either side of that plane; likewise for y and z.
      if (has(0, s, t) || has(1, s, t)) faces++;
      if (has(s, 0, t) || has(s, 1, t)) faces++;
      if (has(s, t, 0) || has(s, t, 1)) faces++;
    }
  }
  for (let bits = pattern; bits !== 0; bits &= bits - 1) cubes++;
  return 1 - edges / 2 + faces / 4 - cubes / 8;
}
