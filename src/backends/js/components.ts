// The readable reference of the components kernel (assembly/components.ts): the same results by
// the textbook method, one voxel at a time. Pass 1 gives each voxel in raster order a provisional
// label — a new one, or the smallest among its neighbours already visited — and records that
// those neighbours' labels are equivalent (union-find, roots the smallest label); pass 2 numbers
// the roots in order, which is the raster order of each component's first voxel.
import type { ComponentRecords, ComponentsInput, ComponentsPlan } from '../../core/plans.js';
import {
  COMP_SIZE,
  COMP_STRIDE,
  COMP_VALUE,
  COMP_X0,
  COMP_X1,
  COMP_Y0,
  COMP_Y1,
  COMP_Z0,
  COMP_Z1,
} from '../../core/constants.js';

/**
 * The neighbours of a voxel that come before it in raster order (x fastest), as offsets
 * [dx, dy, dz]: those whose number of non-zero coordinates the connectivity allows (1 for
 * faces, 2 for edges or 2D corners, 3 for 3D corners).
 */
export function earlierNeighbours(connectivity: number): [number, number, number][] {
  const reach = { 2: 1, 4: 1, 8: 2, 6: 1, 18: 2, 26: 3 }[connectivity] ?? 1;
  const offsets: [number, number, number][] = [];
  for (let dz = -1; dz <= 0; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const earlier = dz < 0 || (dz === 0 && (dy < 0 || (dy === 0 && dx < 0)));
        const axes = (dx !== 0 ? 1 : 0) + (dy !== 0 ? 1 : 0) + (dz !== 0 ? 1 : 0);
        if (earlier && axes <= reach) offsets.push([dx, dy, dz]);
      }
    }
  }
  return offsets;
}

/** The root of label l; halves the path on the way. */
function find(parent: number[], l: number): number {
  while (parent[l] !== l) {
    parent[l] = parent[parent[l]];
    l = parent[l];
  }
  return l;
}

/** Labels every sample of `mask` into `labels` (B·S); returns the counts and the component records. */
export function componentsJS(plan: ComponentsPlan, mask: ComponentsInput, labels: Int32Array): ComponentRecords {
  const { B, S } = plan;
  const counts = new Int32Array(B);
  const records: number[] = [];
  for (let b = 0; b < B; b++) {
    const found = labelSample(plan, mask, b * S, labels.subarray(b * S, (b + 1) * S));
    counts[b] = found.length / COMP_STRIDE;
    for (const v of found) records.push(v);
  }
  return { counts, records: Int32Array.from(records) };
}

/** Labels one sample (its voxels from `first` in `mask`); returns its component records. */
function labelSample(plan: ComponentsPlan, mask: ComponentsInput, first: number, out: Int32Array): Int32Array {
  const [nx, ny, nz] = plan.dims;
  const valueAt = (i: number): number => (plan.perClass ? mask[first + i] : mask[first + i] !== 0 ? 1 : 0);
  const neighbours = earlierNeighbours(plan.connectivity);
  const parent: number[] = [0];
  // Pass 1: provisional labels, equivalences.
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const v = valueAt(i);
        out[i] = 0;
        if (v === 0) continue;
        let label = 0;
        for (const [dx, dy, dz] of neighbours) {
          const X = x + dx,
            Y = y + dy,
            Z = z + dz;
          if (X < 0 || X >= nx || Y < 0 || Y >= ny || Z < 0) continue;
          const j = (Z * ny + Y) * nx + X;
          if (out[j] === 0 || valueAt(j) !== v) continue;
          if (label === 0) {
            label = find(parent, out[j]);
          } else {
            const a = find(parent, label),
              c = find(parent, out[j]);
            label = Math.min(a, c);
            parent[Math.max(a, c)] = label;
          }
        }
        if (label === 0) {
          label = parent.length;
          parent.push(label);
        }
        out[i] = label;
      }
    }
  }
  // Pass 2: roots numbered in order, every voxel relabelled, records measured.
  const final = new Int32Array(parent.length);
  let count = 0;
  for (let l = 1; l < parent.length; l++) {
    const root = find(parent, l);
    final[l] = root === l ? ++count : final[root];
  }
  const records = new Int32Array(count * COMP_STRIDE);
  for (let c = 0; c < count; c++) {
    records.set([0, nx, 0, ny, 0, nz, 0, 0], c * COMP_STRIDE);
  }
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (out[i] === 0) continue;
        const label = final[out[i]];
        out[i] = label;
        const at = (label - 1) * COMP_STRIDE;
        records[at + COMP_SIZE]++;
        records[at + COMP_X0] = Math.min(records[at + COMP_X0], x);
        records[at + COMP_X1] = Math.max(records[at + COMP_X1], x + 1);
        records[at + COMP_Y0] = Math.min(records[at + COMP_Y0], y);
        records[at + COMP_Y1] = Math.max(records[at + COMP_Y1], y + 1);
        records[at + COMP_Z0] = Math.min(records[at + COMP_Z0], z);
        records[at + COMP_Z1] = Math.max(records[at + COMP_Z1], z + 1);
        records[at + COMP_VALUE] = valueAt(i);
      }
    }
  }
  return plan.minSize > 1 ? dropSmall(records, out, plan.minSize) : records;
}

/** Drops the components of fewer than minSize voxels and renumbers the others in order. */
function dropSmall(records: Int32Array, out: Int32Array, minSize: number): Int32Array {
  const count = records.length / COMP_STRIDE;
  const renumber = new Int32Array(count + 1);
  const kept: number[] = [];
  for (let c = 0; c < count; c++) {
    if (records[c * COMP_STRIDE + COMP_SIZE] < minSize) continue;
    renumber[c + 1] = kept.length / COMP_STRIDE + 1;
    for (let k = 0; k < COMP_STRIDE; k++) kept.push(records[c * COMP_STRIDE + k]);
  }
  for (let i = 0; i < out.length; i++) out[i] = renumber[out[i]];
  return Int32Array.from(kept);
}

/**
 * One step of binary dilation with scipy's generate_binary_structure(rank, 2) (a voxel and its
 * neighbours along at most two axes: 18 in 3D, the 3 × 3 square in 2D), outside = background:
 * out[i] = 1 where mask[i] or such a neighbour is non-zero. nx × ny × nz bytes, x fastest.
 */
export function dilateJS(mask: Uint8Array, [nx, ny, nz]: readonly number[]): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        let any = false;
        for (let dz = -1; dz <= 1 && !any; dz++) {
          for (let dy = -1; dy <= 1 && !any; dy++) {
            for (let dx = -1; dx <= 1 && !any; dx++) {
              if ((dx !== 0 ? 1 : 0) + (dy !== 0 ? 1 : 0) + (dz !== 0 ? 1 : 0) > 2) continue;
              const X = x + dx,
                Y = y + dy,
                Z = z + dz;
              if (X < 0 || X >= nx || Y < 0 || Y >= ny || Z < 0 || Z >= nz) continue;
              any = mask[(Z * ny + Y) * nx + X] !== 0;
            }
          }
        }
        out[i] = any ? 1 : 0;
      }
    }
  }
  return out;
}
