// Surface records on the WebAssembly backend (assembly/boundary.ts, assembly/edt.ts): per
// (sample, class) term, mark the class mask from each side's array (label maps and masks as
// they are; an argmax as a label map of the sample, once), box it, extract both surfaces, then
// measure each direction's distances (listing them and sorting with sort.ts for a percentile).
import type { HardPrediction, Target } from '../../core/api.js';
import {
  BOX_STRIDE,
  CONF_TILE,
  DECIDE_CODE,
  DIST_COUNT,
  DIST_MAX,
  DIST_STRIDE,
  DIST_SUM,
  DIST_WITHIN,
  EDGE_PRED,
  EDGE_TARGET,
  LAYOUT_CODE,
  MASK_PRED,
  MASK_TARGET,
} from '../../core/constants.js';
import { percentileOfSorted } from '../../math/surface.js';
import type { LabelType } from '../../core/plans.js';
import {
  SURF_PRED,
  SURF_PRED_PERCENTILE,
  SURF_STRIDE,
  SURF_TARGET,
  SURF_TARGET_PERCENTILE,
  type SurfacePlan,
} from '../../core/plans.js';
import type { Placement } from './confusion.js';
import { markEdges } from '../js/edges.js';
import { cornerBox, cornerGrid, sampleSpacing } from '../js/surfels.js';
import { surfelMeasures, weightedDistances } from '../../math/surfels.js';
import type { DiceExports } from './exports.generated.js';

const CTORS = { u8: Uint8Array, u16: Uint16Array, i32: Int32Array, f32: Float32Array } as const;
const LARGEST: Readonly<Record<LabelType, number>> = { u8: 0xff, u16: 0xffff, i32: 0x7fffffff };
/** The i32 argmax labels of one tile, before they are narrowed to the label type. */
const ARGMAX_TILE_BYTES = 4 * CONF_TILE;

type ElementType = keyof typeof CTORS;

export function typeOf(array: HardPrediction | Target): ElementType {
  return array instanceof Uint8Array
    ? 'u8'
    : array instanceof Uint16Array
      ? 'u16'
      : array instanceof Int32Array
        ? 'i32'
        : 'f32';
}

export function surfaceWasm(
  k: DiceExports,
  place: Placement,
  plan: SurfacePlan,
  pred: HardPrediction,
  target: Target,
): Float64Array {
  const { B, C } = plan.arrays;
  const [nx, ny, nz] = plan.dims;
  const records = new Float64Array(B * C * SURF_STRIDE);
  const pass = new MaskPass(k, place, plan, pred, target);
  try {
    const at = {
      ...pass.at,
      rec: pass.take(2 * DIST_STRIDE * 8 + 2 * BOX_STRIDE * 4),
      work: pass.take(plan.surfel ? k.distanceWorkBytes(nx + 1, ny + 1, nz + 1) : k.distanceWorkBytes(nx, ny, nz)),
      corners: plan.surfel ? pass.take((nx + 1) * (ny + 1) * (nz + 1)) : 0,
    };
    const box = at.rec + 2 * DIST_STRIDE * 8;
    const pairs = new PairBlock(k, place);
    try {
      for (let b = 0; b < B; b++) {
        pass.sample(b);
        for (let c = 0; c < C; c++) {
          if (plan.terms[b * C + c] === 0) continue;
          pass.term(b, c, box, plan.dims);
          if (plan.surfel) {
            surfelRecordWasm(k, place, plan, at, box, records, (b * C + c) * SURF_STRIDE, b, c, pairs);
            continue;
          }
          k.surfaceBits(at.rec, at.mask, box, nx, ny, nz, plan.rank);
          if (plan.reach !== 1) wideEdges(place, plan, at);
          const rec = new Float64Array(place.memory.buffer, at.rec, 2 * DIST_STRIDE);
          const term = (b * C + c) * SURF_STRIDE;
          records[term + SURF_PRED_PERCENTILE] = records[term + SURF_TARGET_PERCENTILE] = Number.NaN;
          records[term + SURF_PRED + DIST_COUNT] = rec[DIST_COUNT];
          records[term + SURF_TARGET + DIST_COUNT] = rec[DIST_STRIDE + DIST_COUNT];
          if (rec[DIST_COUNT] === 0 || rec[DIST_STRIDE + DIST_COUNT] === 0) continue;
          const w = plan.weights.subarray(b * 3, b * 3 + 3);
          const directions = plan.symmetric ? [SURF_PRED, SURF_TARGET] : [SURF_PRED];
          const list = plan.percentile !== null;
          // Pooled: both directions list into one block, the second after the first.
          const pooledCount = directions.reduce((n, from) => n + records[term + from + DIST_COUNT], 0);
          const pooledAt = list && plan.pooled ? pairs.reserve(pooledCount) : 0;
          let listed = 0;
          for (const from of directions) {
            const recAt = at.rec + from * 8;
            const count = records[term + from + DIST_COUNT];
            const pairsAt = !list ? 0 : plan.pooled ? pooledAt + listed * 8 : pairs.reserve(count);
            listed += count;
            const [feature, query] = from === SURF_PRED ? [EDGE_TARGET, EDGE_PRED] : [EDGE_PRED, EDGE_TARGET];
            k.distancesToSurface(
              recAt,
              pairsAt,
              list ? 1 : 0,
              at.mask,
              feature,
              query,
              box,
              nx,
              ny,
              nz,
              w[0],
              w[1],
              w[2],
              plan.tolerance[c],
              at.work,
            );
            records.set(new Float64Array(place.memory.buffer, recAt + 8, DIST_STRIDE - 1), term + from + 1);
            if (list && !plan.pooled) {
              const slot = from === SURF_PRED ? SURF_PRED_PERCENTILE : SURF_TARGET_PERCENTILE;
              records[term + slot] = pairs.percentile(count, plan.percentile as number);
            }
          }
          if (list && plan.pooled) {
            const value = pairs.percentile(pooledCount, plan.percentile as number);
            records[term + SURF_PRED_PERCENTILE] = records[term + SURF_TARGET_PERCENTILE] = value;
          }
        }
      }
    } finally {
      pairs.release();
    }
    return records;
  } finally {
    pass.release();
  }
}

/**
 * The surfel record of one (sample, class) (js/surfels.ts is the reference): surfelBits marks the
 * corner grid, distancesToSurface lists each direction's distances on it, argsortDesc_f32 orders
 * them for the percentile, and the surfels' measures weigh them here.
 */
function surfelRecordWasm(
  k: DiceExports,
  place: Placement,
  plan: SurfacePlan,
  at: { mask: number; rec: number; work: number; corners: number },
  box: number,
  records: Float64Array,
  term: number,
  b: number,
  c: number,
  pairs: PairBlock,
): void {
  const [nx, ny, nz] = plan.dims;
  const grid = { nx, ny, nz, rank: plan.rank };
  const corners = cornerGrid(grid);
  const cboxAt = box + BOX_STRIDE * 4;
  const cbox = cornerBox(new Int32Array(place.memory.buffer, box, BOX_STRIDE).slice(), plan.rank);
  new Int32Array(place.memory.buffer, cboxAt, BOX_STRIDE).set(cbox);
  k.surfelBits(at.rec, at.corners, at.mask, cboxAt, nx, ny, nz, plan.rank);
  const rec = new Float64Array(place.memory.buffer, at.rec, 2 * DIST_STRIDE);
  const counts = [rec[DIST_COUNT], rec[DIST_STRIDE + DIST_COUNT]];
  records[term + SURF_PRED_PERCENTILE] = records[term + SURF_TARGET_PERCENTILE] = Number.NaN;
  records[term + SURF_PRED + DIST_COUNT] = counts[0];
  records[term + SURF_TARGET + DIST_COUNT] = counts[1];
  if (counts[0] === 0 || counts[1] === 0) return;
  const w = plan.weights.subarray(b * 3, b * 3 + 3);
  const measures = surfelMeasures(plan.rank as 2 | 3, sampleSpacing(w));
  // The measure table, then room for each listed surfel's measure.
  const tableAt = place.arena.alloc(measures.byteLength + 8 * Math.max(counts[0], counts[1]));
  try {
    new Float64Array(place.memory.buffer, tableAt, measures.length).set(measures);
    const ownAt = tableAt + measures.byteLength;
    // Both directions always: each side's total measure is a record slot, whatever is asked for.
    for (const [from, bit, feature, query] of [
      [SURF_PRED, MASK_PRED, EDGE_TARGET, EDGE_PRED],
      [SURF_TARGET, MASK_TARGET, EDGE_PRED, EDGE_TARGET],
    ]) {
      const n = counts[from === SURF_PRED ? 0 : 1];
      const pairsAt = pairs.reserve(n);
      const recAt = at.rec + from * 8;
      const [cx, cy, cz] = [corners.nx, corners.ny, corners.nz];
      k.distancesToSurface(
        recAt,
        pairsAt,
        1,
        at.corners,
        feature,
        query,
        cboxAt,
        cx,
        cy,
        cz,
        w[0],
        w[1],
        w[2],
        plan.tolerance[c],
        at.work,
      );
      if (plan.percentile !== null) k.argsortDesc_f32(pairsAt, n, pairsAt + n * 8);
      k.surfelMeasuresOf(ownAt, pairsAt, n, at.mask, cboxAt, nx, ny, nz, plan.rank, bit, tableAt);
      // Listed in decreasing distance when sorted: the i-th smallest is pair n − 1 − i.
      const keys = new Float32Array(place.memory.buffer, pairsAt, 2 * n);
      const listed = new Float64Array(place.memory.buffer, ownAt, n);
      const own = plan.percentile === null ? listed : listed.slice().reverse();
      const distances = new Float64Array(n);
      for (let i = 0; i < n; i++) distances[i] = keys[2 * (plan.percentile === null ? i : n - 1 - i) + 1];
      const m = weightedDistances(own, distances, plan.tolerance[c], plan.percentile);
      records[term + from + DIST_COUNT] = m.area;
      records[term + from + DIST_SUM] = m.sum;
      records[term + from + DIST_MAX] = m.max;
      records[term + from + DIST_WITHIN] = m.within;
      records[term + (from === SURF_PRED ? SURF_PRED_PERCENTILE : SURF_TARGET_PERCENTILE)] = m.percentile;
    }
  } finally {
    place.arena.free(tableAt);
  }
}

/**
 * Surfaces by a wider neighbourhood than the faces (plan.reach 2 or 3): the edge bits and counts
 * that surfaceBits wrote are replaced by those of markEdges, on the class mask copied out and back.
 */
function wideEdges(place: Placement, plan: SurfacePlan, at: { mask: number; rec: number }): void {
  const { S } = plan.arrays;
  const mask = new Uint8Array(place.memory.buffer, at.mask, S).map((v) => v & (MASK_PRED | MASK_TARGET));
  const edges = markEdges(mask, plan.dims, plan.rank, plan.reach);
  new Uint8Array(place.memory.buffer, at.mask, S).set(mask);
  const rec = new Float64Array(place.memory.buffer, at.rec, 2 * DIST_STRIDE);
  rec[DIST_COUNT] = edges.pred;
  rec[DIST_STRIDE + DIST_COUNT] = edges.target;
}

export interface Addresses {
  pred: number;
  target: number;
  mask: number;
  labels: number;
}

/**
 * The blocks of a pass over the class masks of (sample, class) terms (surface and topology
 * records): pred and target in memory (resident, or copied in), the class mask, the argmax labels
 * of the sample when pred is dense under argmax, and blocks the caller takes; release() frees them.
 */
export class MaskPass {
  readonly at: Addresses & { tile: number };
  private readonly argmaxType: LabelType | null;
  private readonly blocks: number[] = [];

  constructor(
    private readonly k: DiceExports,
    private readonly place: Placement,
    private readonly plan: Pick<SurfacePlan, 'arrays'>,
    private readonly pred: HardPrediction,
    private readonly target: Target,
  ) {
    const { C, S } = plan.arrays;
    // Addresses of resident arrays first: any allocation below may grow the memory and detach them.
    const predAt = place.resident('pred', pred),
      targetAt = place.resident('target', target);
    const argmax = plan.arrays.pred.kind === 'dense' && plan.arrays.pred.decision === 'argmax';
    const labelType: LabelType = C - 1 <= LARGEST.u8 ? 'u8' : C - 1 <= LARGEST.u16 ? 'u16' : 'i32';
    this.argmaxType = argmax ? labelType : null;
    try {
      this.at = {
        pred: predAt ?? this.take(pred.byteLength),
        target: targetAt ?? this.take(target.byteLength),
        mask: this.take(S),
        labels: argmax ? this.take(S * CTORS[labelType].BYTES_PER_ELEMENT) : 0,
        tile: argmax ? this.take(ARGMAX_TILE_BYTES) : 0,
      };
      if (predAt === null) new CTORS[typeOf(pred)](place.memory.buffer, this.at.pred, pred.length).set(pred);
      if (targetAt === null) new CTORS[typeOf(target)](place.memory.buffer, this.at.target, target.length).set(target);
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** A block of the pass, freed by release(). */
  take(bytes: number): number {
    const at = this.place.arena.alloc(bytes);
    this.blocks.push(at);
    return at;
  }

  /** Before the terms of sample b: its argmax labels, when pred is dense under argmax. */
  sample(b: number): void {
    const { C, S, layout } = this.plan.arrays;
    if (this.argmaxType !== null)
      this.k[`argmaxLabels_${this.argmaxType}`](
        this.at.labels,
        this.at.pred,
        b,
        C,
        S,
        LAYOUT_CODE[layout],
        this.at.tile,
      );
  }

  /** The class mask of term (b, c) (MASK_PRED, MASK_TARGET; every other bit cleared) and its box at `box`. */
  term(b: number, c: number, box: number, dims: readonly number[]): void {
    new Uint8Array(this.place.memory.buffer, this.at.mask, this.plan.arrays.S).fill(0);
    markPrediction(this.k, this.plan, this.at, this.pred, b, c, this.argmaxType);
    markTarget(this.k, this.plan, this.at, this.target, b, c);
    this.k.maskBox(box, this.at.mask, dims[0], dims[1], dims[2]);
  }

  release(): void {
    for (const block of this.blocks.splice(0)) this.place.arena.free(block);
  }
}

export function markPrediction(
  k: DiceExports,
  plan: Pick<SurfacePlan, 'arrays'>,
  at: Addresses,
  pred: HardPrediction,
  b: number,
  c: number,
  argmaxType: LabelType | null,
): void {
  const { S } = plan.arrays;
  const p = plan.arrays.pred;
  if (argmaxType !== null) {
    k[`markLabels_${argmaxType}`](at.mask, at.labels, S, c, MASK_PRED, 0, 0);
  } else if (p.kind === 'labels') {
    k[`markLabels_${p.type}`](at.mask, at.pred + b * S * pred.BYTES_PER_ELEMENT, S, c, MASK_PRED, 0, 0);
  } else {
    const decide = p.decision === 'threshold' ? DECIDE_CODE.threshold : DECIDE_CODE.nonzero;
    const [first, stride] = denseClass(plan, b, c);
    k[`markValues_${p.type}`](
      at.mask,
      at.pred + first * pred.BYTES_PER_ELEMENT,
      S,
      stride,
      MASK_PRED,
      decide,
      p.threshold,
    );
  }
}

export function markTarget(
  k: DiceExports,
  plan: Pick<SurfacePlan, 'arrays'>,
  at: Addresses,
  target: Target,
  b: number,
  c: number,
): void {
  const { S } = plan.arrays;
  const t = plan.arrays.target;
  if (t.kind === 'labels') {
    // An ignoreIndex the label type cannot hold matches no voxel.
    const ignore = t.ignoreIndex;
    const hasIgnore = ignore !== null && ignore >= 0 && ignore <= LARGEST[t.type];
    k[`markLabels_${t.type}`](
      at.mask,
      at.target + b * S * target.BYTES_PER_ELEMENT,
      S,
      c,
      MASK_TARGET,
      hasIgnore ? ignore : 0,
      hasIgnore ? 1 : 0,
    );
  } else {
    const [first, stride] = denseClass(plan, b, c);
    k[`markValues_${t.type}`](
      at.mask,
      at.target + first * target.BYTES_PER_ELEMENT,
      S,
      stride,
      MASK_TARGET,
      DECIDE_CODE.nonzero,
      0,
    );
  }
}

/** Index of element (b, c, 0) of a dense tensor and the step between voxels of class c. */
function denseClass(plan: Pick<SurfacePlan, 'arrays'>, b: number, c: number): [number, number] {
  const { C, S, layout } = plan.arrays;
  return layout === 'NCHW' ? [(b * C + c) * S, 1] : [b * S * C + c, C];
}

/** The block of distance pairs and their sort work, grown to the largest list of the call. */
export class PairBlock {
  private at = 0;
  private capacity = 0;

  constructor(
    private readonly k: DiceExports,
    private readonly place: Placement,
  ) {}

  /** Address of room for n pairs (8 bytes each) followed by the sort's work. */
  reserve(n: number): number {
    if (n > this.capacity) {
      this.release();
      this.at = this.place.arena.alloc(n * 8 + this.k.argsortWorkBytes(n));
      this.capacity = n;
    }
    return this.at;
  }

  /** The q-th percentile of the n distances listed (sorted descending, so the i-th smallest is pair n − 1 − i). */
  percentile(n: number, q: number): number {
    this.k.argsortDesc_f32(this.at, n, this.at + n * 8);
    const keys = new Float32Array(this.place.memory.buffer, this.at, 2 * n);
    return percentileOfSorted((i) => keys[2 * (n - 1 - i) + 1], n, q);
  }

  /** The n distances listed (unsorted, as float32), copied out. */
  distances(n: number): Float64Array {
    const keys = new Float32Array(this.place.memory.buffer, this.at, 2 * n);
    return Float64Array.from({ length: n }, (_, i) => keys[2 * i + 1]);
  }

  release(): void {
    if (this.capacity > 0) this.place.arena.free(this.at);
    this.capacity = 0;
  }
}
