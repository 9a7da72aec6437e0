// Connected components on the WebAssembly backend (assembly/components.ts): per sample, the runs
// are counted, the work and record blocks sized to them, and the labels written in place (an
// `out` array that lives in the memory) or into a block copied out after each sample.
import type { ComponentRecords, ComponentsInput, ComponentsPlan } from '../../core/plans.js';
import { COMP_STRIDE } from '../../core/constants.js';
import type { Placement } from './confusion.js';
import type { DiceExports } from './exports.generated.js';

const CTORS = { u8: Uint8Array, u16: Uint16Array, i32: Int32Array, f32: Float32Array } as const;

export function componentsWasm(
  k: DiceExports,
  place: Placement,
  plan: ComponentsPlan,
  mask: ComponentsInput,
  labels: Int32Array,
): ComponentRecords {
  const { B, S, type } = plan;
  const [nx, ny, nz] = plan.dims;
  const rows = ny * nz;
  const bytes = CTORS[type].BYTES_PER_ELEMENT;
  // Addresses of resident arrays first: an allocation below may grow the memory and detach them.
  const maskAt = place.resident('mask', mask),
    labelsAt = place.resident('out', labels);
  const blocks: number[] = [];
  const take = (n: number): number => {
    const at = place.arena.alloc(Math.max(n, 16));
    blocks.push(at);
    return at;
  };
  try {
    const at = {
      mask: maskAt ?? take(mask.byteLength),
      labels: labelsAt ?? take(4 * S),
    };
    if (maskAt === null) new CTORS[type](place.memory.buffer, at.mask, mask.length).set(mask);
    const counts = new Int32Array(B);
    const records: Int32Array[] = [];
    for (let b = 0; b < B; b++) {
      const sample = at.mask + b * S * bytes;
      const runs = k[`countRuns_${type}`](sample, nx, rows, plan.perClass ? 1 : 0);
      const work = place.arena.alloc(Math.max(k.componentsWorkBytes(runs, rows), 16));
      const stats = place.arena.alloc(Math.max(runs * COMP_STRIDE * 4, 16));
      try {
        const labelsOut = labelsAt === null ? at.labels : at.labels + b * S * 4;
        const count = k[`labelComponents_${type}`](
          labelsOut,
          stats,
          sample,
          nx,
          ny,
          nz,
          plan.connectivity,
          plan.perClass ? 1 : 0,
          plan.minSize,
          runs,
          work,
        );
        counts[b] = count;
        records.push(new Int32Array(place.memory.buffer, stats, count * COMP_STRIDE).slice());
        if (labelsAt === null) labels.set(new Int32Array(place.memory.buffer, at.labels, S), b * S);
      } finally {
        place.arena.free(stats);
        place.arena.free(work);
      }
    }
    const all = new Int32Array(records.reduce((n, r) => n + r.length, 0));
    let offset = 0;
    for (const r of records) {
      all.set(r, offset);
      offset += r.length;
    }
    return { counts, records: all };
  } finally {
    for (const b of blocks) place.arena.free(b);
  }
}

/**
 * `iterations` steps of binary dilation (assembly/components.ts dilateMask) of a byte mask of
 * dims (x fastest): a new mask of 0 and 1.
 */
export function dilateWasm(
  k: DiceExports,
  place: Placement,
  mask: Uint8Array,
  dims: readonly number[],
  iterations: number,
): Uint8Array {
  const n = mask.length;
  const a = place.arena.alloc(Math.max(n, 16)),
    b = place.arena.alloc(Math.max(n, 16)),
    scratch = place.arena.alloc(Math.max(n, 16));
  try {
    new Uint8Array(place.memory.buffer, a, n).set(mask);
    let from = a,
      to = b;
    for (let i = 0; i < iterations; i++) {
      k.dilateMask(to, from, dims[0], dims[1], dims[2], scratch);
      [from, to] = [to, from];
    }
    return new Uint8Array(place.memory.buffer, from, n).slice();
  } finally {
    place.arena.free(scratch);
    place.arena.free(b);
    place.arena.free(a);
  }
}
