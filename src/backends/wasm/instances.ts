// The instance metrics' engine steps on the WebAssembly backend: class masks marked by the
// surface metrics' kernels (boundary.ts) and cropped to their box, and the surface distances of a
// small mask (surfaceBits and the exact EDT of edt.ts, the percentile by sort.ts).
import type { HardPrediction, Target } from '../../core/api.js';
import {
  BOX_STRIDE,
  DIST_MAX,
  DIST_STRIDE,
  DIST_SUM,
  DIST_WITHIN,
  EDGE_PRED,
  EDGE_TARGET,
  LAYOUT_CODE,
} from '../../core/constants.js';
import type {
  ClassCrop,
  CropPlan,
  DirectedDistances,
  LabelType,
  MaskDistanceOptions,
  MaskDistances,
} from '../../core/plans.js';
import { markEdges, unmeasured } from '../js/edges.js';
import { cropOf } from '../js/instances.js';
import type { Placement } from './confusion.js';
import type { DiceExports } from './exports.generated.js';
import { markPrediction, markTarget, PairBlock, typeOf } from './surface.js';

const CTORS = { u8: Uint8Array, u16: Uint16Array, i32: Int32Array, f32: Float32Array } as const;

export function classCropsWasm(
  k: DiceExports,
  place: Placement,
  plan: CropPlan,
  pred: HardPrediction,
  target: Target,
  visit: (b: number, c: number, crop: ClassCrop) => void,
): void {
  const { B, C, S } = plan.arrays;
  const [nx, ny, nz] = plan.dims;
  // Addresses of resident arrays first: any allocation below (or in `visit`) may grow the memory.
  const predAt = place.resident('pred', pred),
    targetAt = place.resident('target', target);
  const blocks: number[] = [];
  const take = (bytes: number): number => {
    const at = place.arena.alloc(Math.max(bytes, 16));
    blocks.push(at);
    return at;
  };
  try {
    const argmax = plan.arrays.pred.kind === 'dense' && plan.arrays.pred.decision === 'argmax';
    const labelType: LabelType = C - 1 <= 0xff ? 'u8' : C - 1 <= 0xffff ? 'u16' : 'i32';
    const at = {
      pred: predAt ?? take(pred.byteLength),
      target: targetAt ?? take(target.byteLength),
      mask: take(S),
      labels: argmax ? take(S * CTORS[labelType].BYTES_PER_ELEMENT) : 0,
      tile: argmax ? take(4 * 4096) : 0,
      box: take(BOX_STRIDE * 4),
    };
    if (predAt === null) new CTORS[typeOf(pred)](place.memory.buffer, at.pred, pred.length).set(pred);
    if (targetAt === null) new CTORS[typeOf(target)](place.memory.buffer, at.target, target.length).set(target);
    for (let b = 0; b < B; b++) {
      let labelled = false;
      for (let c = 0; c < C; c++) {
        if (plan.terms[b * C + c] === 0) continue;
        if (argmax && !labelled) {
          k[`argmaxLabels_${labelType}`](at.labels, at.pred, b, C, S, LAYOUT_CODE[plan.arrays.layout], at.tile);
          labelled = true;
        }
        new Uint8Array(place.memory.buffer, at.mask, S).fill(0);
        markPrediction(k, plan, at, pred, b, c, argmax ? labelType : null);
        markTarget(k, plan, at, target, b, c);
        k.maskBox(at.box, at.mask, nx, ny, nz);
        const box = new Int32Array(place.memory.buffer, at.box, BOX_STRIDE).slice();
        visit(b, c, cropOf(new Uint8Array(place.memory.buffer, at.mask, S), plan.dims, box));
      }
    }
  } finally {
    for (const block of blocks) place.arena.free(block);
  }
}

export function maskDistancesWasm(
  k: DiceExports,
  place: Placement,
  mask: Uint8Array,
  dims: readonly number[],
  rank: number,
  weights: ArrayLike<number>,
  opts: MaskDistanceOptions,
): MaskDistances {
  const [nx, ny, nz] = dims;
  const work = opts.reach === 1 ? mask : mask.slice();
  const edges = opts.reach === 1 ? null : markEdges(work, dims, rank, opts.reach);
  const blocks: number[] = [];
  const take = (bytes: number): number => {
    const at = place.arena.alloc(Math.max(bytes, 16));
    blocks.push(at);
    return at;
  };
  const pairs = new PairBlock(k, place);
  try {
    const at = {
      mask: take(work.length),
      rec: take(2 * DIST_STRIDE * 8 + BOX_STRIDE * 4),
      work: take(k.distanceWorkBytes(nx, ny, nz)),
    };
    const box = at.rec + 2 * DIST_STRIDE * 8;
    new Uint8Array(place.memory.buffer, at.mask, work.length).set(work);
    k.maskBox(box, at.mask, nx, ny, nz);
    let counts: { pred: number; target: number };
    if (edges === null) {
      k.surfaceBits(at.rec, at.mask, box, nx, ny, nz, rank);
      const rec = new Float64Array(place.memory.buffer, at.rec, 2 * DIST_STRIDE);
      counts = { pred: rec[0], target: rec[DIST_STRIDE] };
    } else {
      counts = edges;
    }
    if (counts.pred === 0 || counts.target === 0) {
      return { pred: unmeasured(counts.pred, counts.target), target: unmeasured(counts.target, counts.pred) };
    }
    const list = opts.list || opts.percentile !== null;
    const direction = (feature: number, query: number, count: number, other: number): DirectedDistances => {
      const pairsAt = list ? pairs.reserve(count) : 0;
      k.distancesToSurface(
        at.rec,
        pairsAt,
        list ? 1 : 0,
        at.mask,
        feature,
        query,
        box,
        nx,
        ny,
        nz,
        weights[0],
        weights[1],
        weights[2],
        opts.tolerance,
        at.work,
      );
      const rec = new Float64Array(place.memory.buffer, at.rec, DIST_STRIDE);
      const distances = opts.list ? pairs.distances(count) : null;
      return {
        count,
        other,
        sum: rec[DIST_SUM],
        max: rec[DIST_MAX],
        within: rec[DIST_WITHIN],
        percentile: opts.percentile === null ? Number.NaN : pairs.percentile(count, opts.percentile),
        distances,
      };
    };
    return {
      pred: direction(EDGE_TARGET, EDGE_PRED, counts.pred, counts.target),
      target: direction(EDGE_PRED, EDGE_TARGET, counts.target, counts.pred),
    };
  } finally {
    pairs.release();
    for (const block of blocks) place.arena.free(block);
  }
}
