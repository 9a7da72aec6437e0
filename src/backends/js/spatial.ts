// The readable float64 reference of the losses on whole class volumes (backends/wasm/spatial.ts
// runs the same steps on the WebAssembly kernels): probabilities channels first, each term's
// target volume, then
// - the soft clDice loss: the soft skeletons of p and y (soft-skeleton.ts) and the sums SKEL_*;
//   the gradient routes ∂L/∂skel(p) back through the skeleton and adds the direct terms;
// - the distance-weighted losses: distance maps of the masks p > ½ and y > ½ (distance-field.ts,
//   the surface distances' exact transform), constants of the gradient as in MONAI and the papers.
import {
  SKEL_A,
  SKEL_B,
  SKEL_C,
  SKEL_COEF_STRIDE,
  SKEL_D,
  SKEL_G,
  SKEL_I,
  SKEL_P,
  SKEL_STRIDE,
  type DistanceLoss,
  type SpatialPlan,
} from '../../core/plans.js';
import { GRID_INSIDE, GRID_OUTSIDE } from '../../core/constants.js';
import type { SpatialInputs, SpatialJob } from '../engine.js';
import { distanceField } from './distance-field.js';
import { indexOf, softmaxAt } from './kernels.js';
import { softSkeleton, softSkeletonBackward, type Volume } from './soft-skeleton.js';

/** act(pred) channels first ((b·C + c)·S + s): softmax over the classes, sigmoid, or pred's values. */
export function probabilities(plan: SpatialPlan, pred: Float32Array): Float64Array {
  const { B, C, S } = plan;
  const prob = new Float64Array(B * C * S);
  const p = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (plan.activation === 'softmax') softmaxAt(plan, pred, b, s, p);
      else for (let c = 0; c < C; c++) p[c] = pred[indexOf(plan, b, c, s)];
      for (let c = 0; c < C; c++) {
        prob[(b * C + c) * S + s] = plan.activation === 'sigmoid' ? 1 / (1 + Math.exp(-p[c])) : p[c];
      }
    }
  }
  return prob;
}

/** ∂L/∂pred in pred's layout from ∂L/∂p channels first, through the activation's Jacobian. */
export function activationBackward(plan: SpatialPlan, prob: Float64Array, dp: Float64Array, out: Float32Array): void {
  const { B, C, S } = plan;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      let dot = 0;
      if (plan.activation === 'softmax')
        for (let c = 0; c < C; c++) dot += prob[(b * C + c) * S + s] * dp[(b * C + c) * S + s];
      for (let c = 0; c < C; c++) {
        const at = (b * C + c) * S + s;
        const p = prob[at];
        out[indexOf(plan, b, c, s)] =
          plan.activation === 'softmax'
            ? p * (dp[at] - dot)
            : plan.activation === 'sigmoid'
              ? dp[at] * p * (1 - p)
              : dp[at];
      }
    }
  }
}

/** The target of term (b, c) as a volume: a dense target's values, or 1 where the label is c. */
export function targetVolume(plan: SpatialPlan, target: SpatialInputs['target'], b: number, c: number): Float64Array {
  const { S } = plan;
  const y = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    y[s] = plan.targetKind === 'dense' ? target[indexOf(plan, b, c, s)] : target[b * S + s] === c ? 1 : 0;
  }
  return y;
}

const volumeOf = (plan: SpatialPlan): Volume => {
  const [nx, ny, nz] = plan.dims;
  return { nx, ny, nz, rank: plan.rank };
};

export class JsSkeletonLossJob implements SpatialJob {
  private readonly prob: Float64Array;
  /** skel(y) of each term, kept from sums() for the gradient. */
  private readonly targetSkeletons = new Map<number, Float64Array>();

  constructor(
    private readonly plan: SpatialPlan,
    private readonly inputs: SpatialInputs,
    private readonly iterations: number,
    private readonly gradOut: Float32Array | null | undefined,
  ) {
    this.prob = probabilities(plan, inputs.pred);
  }

  sums(): Float64Array {
    const { plan, prob } = this;
    const { B, C, S } = plan;
    const volume = volumeOf(plan);
    const records = new Float64Array(B * C * SKEL_STRIDE);
    for (let k = 0; k < B * C; k++) {
      if (plan.terms[k] === 0) continue;
      const p = prob.subarray(k * S, (k + 1) * S);
      const y = targetVolume(plan, this.inputs.target, Math.floor(k / C), k % C);
      const skelP = softSkeleton(p, volume, this.iterations, false).skel;
      const skelY = softSkeleton(y, volume, this.iterations, false).skel;
      this.targetSkeletons.set(k, skelY);
      const at = k * SKEL_STRIDE;
      for (let s = 0; s < S; s++) {
        records[at + SKEL_A] += skelP[s] * y[s];
        records[at + SKEL_B] += skelP[s];
        records[at + SKEL_C] += skelY[s] * p[s];
        records[at + SKEL_D] += skelY[s];
        records[at + SKEL_I] += p[s] * y[s];
        records[at + SKEL_P] += p[s];
        records[at + SKEL_G] += y[s];
      }
    }
    return records;
  }

  grad(coef: Float64Array): Float32Array {
    const { plan, prob } = this;
    const { B, C, S } = plan;
    const volume = volumeOf(plan);
    const dp = new Float64Array(B * C * S);
    for (let k = 0; k < B * C; k++) {
      if (plan.terms[k] === 0) continue;
      const at = k * SKEL_COEF_STRIDE;
      const [cA, cB, cC, , cI, cP] = coef.subarray(at, at + SKEL_COEF_STRIDE);
      const p = prob.subarray(k * S, (k + 1) * S);
      const y = targetVolume(plan, this.inputs.target, Math.floor(k / C), k % C);
      const skelY = this.targetSkeletons.get(k) as Float64Array;
      const kept = softSkeleton(p, volume, this.iterations, true);
      const gSkel = Float64Array.from(y, (v) => cA * v + cB);
      const gx = softSkeletonBackward(gSkel, kept, volume, this.iterations);
      for (let s = 0; s < S; s++) dp[k * S + s] = gx[s] + cC * skelY[s] + cI * y[s] + cP;
    }
    const out = this.gradOut ?? new Float32Array(this.inputs.pred.length);
    activationBackward(plan, prob, dp, out);
    return out;
  }

  close(): void {}
}

export class JsDistanceLossJob implements SpatialJob {
  private readonly prob: Float64Array;
  /** The weight of each voxel of each term, kept from sums(): w for Hausdorff-DT, φ for the boundary loss. */
  private readonly weights = new Map<number, Float64Array>();

  constructor(
    private readonly plan: SpatialPlan,
    private readonly inputs: SpatialInputs,
    private readonly loss: DistanceLoss,
    private readonly gradOut: Float32Array | null | undefined,
  ) {
    this.prob = probabilities(plan, inputs.pred);
  }

  sums(): Float64Array {
    const { plan, prob, loss } = this;
    const { B, C, S } = plan;
    const sums = new Float64Array(B * C);
    for (let k = 0; k < B * C; k++) {
      if (plan.terms[k] === 0) continue;
      const b = Math.floor(k / C);
      const spacing = loss.weights.subarray(b * 3, b * 3 + 3);
      const p = prob.subarray(k * S, (k + 1) * S);
      const y = targetVolume(plan, this.inputs.target, b, k % C);
      let w: Float64Array;
      if (loss.kind === 'hausdorff') {
        const dp = distanceMap(p, plan.dims, spacing),
          dy = distanceMap(y, plan.dims, spacing);
        w = Float64Array.from(dp, (d, s) => d ** loss.alpha + dy[s] ** loss.alpha);
        for (let s = 0; s < S; s++) sums[k] += (p[s] - y[s]) ** 2 * w[s];
      } else {
        w = signedDistance(y, plan.dims, spacing);
        for (let s = 0; s < S; s++) sums[k] += p[s] * w[s];
      }
      this.weights.set(k, w);
    }
    return sums;
  }

  grad(coef: Float64Array): Float32Array {
    const { plan, prob, loss } = this;
    const { B, C, S } = plan;
    const dp = new Float64Array(B * C * S);
    for (let k = 0; k < B * C; k++) {
      if (plan.terms[k] === 0) continue;
      const w = this.weights.get(k) as Float64Array;
      const y = targetVolume(plan, this.inputs.target, Math.floor(k / C), k % C);
      for (let s = 0; s < S; s++) {
        const p = prob[k * S + s];
        dp[k * S + s] = loss.kind === 'hausdorff' ? coef[k] * 2 * (p - y[s]) * w[s] : coef[k] * w[s];
      }
    }
    const out = this.gradOut ?? new Float32Array(this.inputs.pred.length);
    activationBackward(plan, prob, dp, out);
    return out;
  }

  close(): void {}
}

/** The mask v > ½ as grid bits. */
function maskBits(v: Float64Array): Uint8Array {
  return Uint8Array.from(v, (x) => (x > 0.5 ? GRID_INSIDE : GRID_OUTSIDE));
}

/**
 * MONAI's distance_field of HausdorffDTLoss: for each voxel of the mask v > ½ its distance to the
 * nearest voxel outside, for each voxel outside its distance to the nearest voxel inside (voxels
 * beyond the image do not count); 0 everywhere when the mask is empty or full.
 */
export function distanceMap(v: Float64Array, dims: readonly number[], weights: ArrayLike<number>): Float64Array {
  const bits = maskBits(v);
  const inside = bits.reduce((n, b) => n + (b === GRID_INSIDE ? 1 : 0), 0);
  if (inside === 0 || inside === bits.length) return new Float64Array(v.length);
  const toOutside = distanceField(bits, GRID_OUTSIDE, dims, weights),
    toInside = distanceField(bits, GRID_INSIDE, dims, weights);
  return Float64Array.from(toOutside, (d, s) => Math.sqrt(d) + Math.sqrt(toInside[s]));
}

/**
 * Kervadec's signed distance map (one_hot2dist) of the mask y > ½: outside, the distance to the
 * nearest voxel inside; inside, −(the distance to the nearest voxel outside − 1); 0 everywhere
 * when the mask is empty or fills the image.
 */
export function signedDistance(y: Float64Array, dims: readonly number[], weights: ArrayLike<number>): Float64Array {
  const bits = maskBits(y);
  const inside = bits.reduce((n, b) => n + (b === GRID_INSIDE ? 1 : 0), 0);
  if (inside === 0 || inside === bits.length) return new Float64Array(y.length);
  const toOutside = distanceField(bits, GRID_OUTSIDE, dims, weights),
    toInside = distanceField(bits, GRID_INSIDE, dims, weights);
  return Float64Array.from(bits, (b, s) =>
    b === GRID_INSIDE ? -(Math.sqrt(toOutside[s]) - 1) : Math.sqrt(toInside[s]),
  );
}
