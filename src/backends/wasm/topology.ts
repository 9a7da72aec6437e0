// Topology records on the WebAssembly backend (assembly/skeleton.ts, assembly/band.ts): per
// (sample, class) term, mark the class mask as the surface kernels do (surface.ts), box it, set
// the skeleton bits of both sides, the band bits, and count (maskCounts).
import type { HardPrediction, Target } from '../../core/api.js';
import {
  BOX_STRIDE,
  CONF_TILE,
  LAYOUT_CODE,
  MASK_PRED,
  MASK_TARGET,
  SKEL_PRED,
  SKEL_TARGET,
  TOPO_STRIDE,
} from '../../core/constants.js';
import type { LabelType, TopologyPlan } from '../../core/plans.js';
import type { Placement } from './confusion.js';
import type { DiceExports } from './exports.generated.js';
import { markPrediction, markTarget, typeOf } from './surface.js';

const CTORS = { u8: Uint8Array, u16: Uint16Array, i32: Int32Array, f32: Float32Array } as const;
const LARGEST: Readonly<Record<LabelType, number>> = { u8: 0xff, u16: 0xffff, i32: 0x7fffffff };

export function topologyWasm(
  k: DiceExports,
  place: Placement,
  plan: TopologyPlan,
  pred: HardPrediction,
  target: Target,
): Float64Array {
  const { B, C, S } = plan.arrays;
  const [nx, ny, nz] = plan.dims;
  const records = new Float64Array(B * C * TOPO_STRIDE);
  // Addresses of resident arrays first: any allocation below may grow the memory and detach them.
  const predAt = place.resident('pred', pred),
    targetAt = place.resident('target', target);
  const blocks: number[] = [];
  const take = (bytes: number): number => {
    const at = place.arena.alloc(bytes);
    blocks.push(at);
    return at;
  };
  try {
    const argmax = plan.arrays.pred.kind === 'dense' && plan.arrays.pred.decision === 'argmax';
    const labelType: LabelType = C - 1 <= LARGEST.u8 ? 'u8' : C - 1 <= LARGEST.u16 ? 'u16' : 'i32';
    const workBytes = Math.max(
      plan.skeleton !== null ? k.skeletonWorkBytes(nx, ny, nz) : 0,
      plan.band !== null ? k.bandWorkBytes(nx, ny, nz) : 0,
    );
    const at = {
      pred: predAt ?? take(pred.byteLength),
      target: targetAt ?? take(target.byteLength),
      mask: take(S),
      labels: argmax ? take(S * CTORS[labelType].BYTES_PER_ELEMENT) : 0,
      tile: argmax ? take(4 * CONF_TILE) : 0,
      rec: take(TOPO_STRIDE * 8 + BOX_STRIDE * 4),
      work: take(workBytes),
    };
    const box = at.rec + TOPO_STRIDE * 8;
    if (predAt === null) new CTORS[typeOf(pred)](place.memory.buffer, at.pred, pred.length).set(pred);
    if (targetAt === null) new CTORS[typeOf(target)](place.memory.buffer, at.target, target.length).set(target);
    for (let b = 0; b < B; b++) {
      if (argmax) k[`argmaxLabels_${labelType}`](at.labels, at.pred, b, C, S, LAYOUT_CODE[plan.arrays.layout], at.tile);
      for (let c = 0; c < C; c++) {
        if (plan.terms[b * C + c] === 0) continue;
        new Uint8Array(place.memory.buffer, at.mask, S).fill(0);
        markPrediction(k, plan, at, pred, b, c, argmax ? labelType : null);
        markTarget(k, plan, at, target, b, c);
        k.maskBox(box, at.mask, nx, ny, nz);
        if (plan.skeleton !== null) {
          const preserving = plan.skeleton === 'lee-preserving' ? 1 : 0;
          k.skeletonBits(at.mask, MASK_PRED, SKEL_PRED, box, nx, ny, nz, preserving, at.work);
          k.skeletonBits(at.mask, MASK_TARGET, SKEL_TARGET, box, nx, ny, nz, preserving, at.work);
        }
        const band = plan.band;
        if (band?.kind === 'chessboard') {
          const [rx, ry, rz] = band.radii.subarray(b * 3, b * 3 + 3);
          k.bandBitsChessboard(at.mask, box, nx, ny, nz, rx, ry, rz, at.work);
        } else if (band?.kind === 'euclidean') {
          const [w0, w1, w2] = band.weights.subarray(b * 3, b * 3 + 3);
          k.bandBitsEuclidean(at.mask, box, nx, ny, nz, plan.rank, w0, w1, w2, band.limits[b], at.work);
        }
        k.maskCounts(at.rec, at.mask, box, nx, ny, nz);
        records.set(new Float64Array(place.memory.buffer, at.rec, TOPO_STRIDE), (b * C + c) * TOPO_STRIDE);
      }
    }
    return records;
  } finally {
    for (const block of blocks) place.arena.free(block);
  }
}
