// Topology records on the WebAssembly backend (assembly/skeleton.ts, assembly/band.ts): per
// (sample, class) term, mark the class mask as the surface kernels do (surface.ts), box it, set
// the skeleton bits of both sides, the band bits, and count (maskCounts).
import type { HardPrediction, Target } from '../../core/api.js';
import { BOX_STRIDE, MASK_PRED, MASK_TARGET, SKEL_PRED, SKEL_TARGET, TOPO_STRIDE } from '../../core/constants.js';
import type { TopologyPlan } from '../../core/plans.js';
import type { Placement } from './confusion.js';
import type { DiceExports } from './exports.generated.js';
import { MaskPass } from './surface.js';

export function topologyWasm(
  k: DiceExports,
  place: Placement,
  plan: TopologyPlan,
  pred: HardPrediction,
  target: Target,
): Float64Array {
  const { B, C } = plan.arrays;
  const [nx, ny, nz] = plan.dims;
  const records = new Float64Array(B * C * TOPO_STRIDE);
  const pass = new MaskPass(k, place, plan, pred, target);
  try {
    const workBytes = Math.max(
      plan.skeleton !== null ? k.skeletonWorkBytes(nx, ny, nz) : 0,
      plan.band !== null ? k.bandWorkBytes(nx, ny, nz) : 0,
    );
    const at = { ...pass.at, rec: pass.take(TOPO_STRIDE * 8 + BOX_STRIDE * 4), work: pass.take(workBytes) };
    const box = at.rec + TOPO_STRIDE * 8;
    for (let b = 0; b < B; b++) {
      pass.sample(b);
      for (let c = 0; c < C; c++) {
        if (plan.terms[b * C + c] === 0) continue;
        pass.term(b, c, box, plan.dims);
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
    pass.release();
  }
}
