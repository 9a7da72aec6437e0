// The losses on whole class volumes on the WebAssembly kernels (backends/js/spatial.ts is the
// float64 reference): probabilities channels first (probabilities.ts), each term's target volume,
// then the soft skeletons (softskel.ts) or the distance maps (edt.ts, distloss.ts), sums per term,
// and the gradient through the activation. Everything a call needs is placed when it opens, so no
// view goes stale: pred, target and out (in place when they live in the memory), the workspace.
import { ACTIVATION_CODE, GRID_INSIDE, GRID_OUTSIDE, LAYOUT_CODE } from '../../core/constants.js';
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
import type { SpatialJob } from '../engine.js';
import type { DiceExports } from './exports.generated.js';
import { deliverGradient } from './gradient.js';

const TARGET_BYTES = { f32: 4, u8: 1, u16: 2, i32: 4 } as const;

/** Sizes of a call's work areas, in bytes, and where each starts in the workspace (16-byte aligned). */
export function spatialWorkspace(
  k: DiceExports,
  plan: SpatialPlan,
  what: { iterations: number } | { loss: DistanceLoss },
  withGrad: boolean,
): { bytes: number; offsets: Record<string, number> } {
  const { B, C, S } = plan;
  const volume = 4 * S;
  const all = B * C * volume;
  const sizes: [string, number][] = [
    ['prob', all],
    ['keep', all],
    ['scale', 8 * B * C],
    ['scratch', k.scratchBytes(C)],
    ['rec', 16],
    ['y', volume],
  ];
  if (withGrad) sizes.push(['dp', all]);
  if ('iterations' in what) {
    const levels = what.iterations + 2;
    sizes.push(['levels', levels * volume], ['open', volume], ['work', volume], ['skel', volume]);
    if (withGrad) sizes.push(['skels', what.iterations * volume], ['gradients', 4 * volume]);
  } else {
    const [nx, ny, nz] = plan.dims;
    sizes.push(
      ['grid', S],
      ['toOutside', volume],
      ['toInside', volume],
      ['line', k.distanceFieldWorkBytes(nx, ny, nz)],
    );
  }
  const offsets: Record<string, number> = {};
  let bytes = 0;
  for (const [name, size] of sizes) {
    offsets[name] = bytes;
    bytes += Math.ceil(size / 16) * 16;
  }
  return { bytes, offsets };
}

/** Where a call's arrays are: pred, target, out (0 without a gradient) and the workspace. */
export interface SpatialPlacement {
  pred: number;
  target: number;
  out: number;
  outResident: boolean;
  work: number;
  release: () => void;
}

abstract class WasmSpatialJob implements SpatialJob {
  protected readonly at: Record<string, number> = {};

  constructor(
    protected readonly k: DiceExports,
    protected readonly plan: SpatialPlan,
    private readonly placed: SpatialPlacement,
    offsets: Record<string, number>,
    private readonly gradOut: Float32Array | null | undefined,
    private readonly length: number,
  ) {
    for (const [name, offset] of Object.entries(offsets)) this.at[name] = placed.work + offset;
    const { B, C, S } = plan;
    // The probabilities are pred itself when it already holds them channels first.
    if (plan.activation === 'none' && plan.layout === 'NCHW') this.at.prob = placed.pred;
    else
      k.probabilities(
        this.at.prob,
        placed.pred,
        B,
        C,
        S,
        LAYOUT_CODE[plan.layout],
        ACTIVATION_CODE[plan.activation],
        this.at.scratch,
      );
  }

  abstract sums(): Float64Array;
  abstract grad(coef: Float64Array): Float32Array;

  close(): void {
    this.placed.release();
  }

  protected get buffer(): ArrayBuffer {
    return this.k.memory.buffer;
  }

  /** Address of volume (b, c) of a B·C·S channels-first area. */
  protected volume(area: number, k: number): number {
    return area + 4 * k * this.plan.S;
  }

  /** Writes the target of term k as an f32 volume at `y`. */
  protected targetVolume(k: number): number {
    const { plan, placed } = this;
    const { C, S } = plan;
    const b = Math.floor(k / C),
      c = k % C;
    const size = TARGET_BYTES[plan.targetType];
    const y = this.at.y;
    if (plan.targetKind === 'labels') {
      const kernel =
        plan.targetType === 'u8'
          ? this.k.labelVolume_u8
          : plan.targetType === 'u16'
            ? this.k.labelVolume_u16
            : this.k.labelVolume_i32;
      kernel(y, placed.target + b * S * size, S, c);
    } else {
      const nchw = plan.layout === 'NCHW';
      const first = nchw ? (b * C + c) * S : b * S * C + c;
      const kernel = plan.targetType === 'f32' ? this.k.denseVolume_f32 : this.k.denseVolume_u8;
      kernel(y, placed.target + first * size, S, nchw ? 1 : C);
    }
    return y;
  }

  /** The gradient from ∂L/∂p channels first at `dp`, through the activation, delivered to the caller. */
  protected deliver(): Float32Array {
    const { k, plan, placed } = this;
    const { B, C, S } = plan;
    new Float64Array(this.buffer, this.at.scale, B * C).fill(1);
    k.probabilitiesBackward(
      placed.out,
      this.at.dp,
      this.at.prob,
      this.at.scale,
      B,
      C,
      S,
      LAYOUT_CODE[plan.layout],
      ACTIVATION_CODE[plan.activation],
      this.at.scratch,
    );
    return deliverGradient(this.buffer, placed.out, this.length, this.gradOut, placed.outResident);
  }
}

export class WasmSkeletonLossJob extends WasmSpatialJob {
  constructor(
    k: DiceExports,
    plan: SpatialPlan,
    placed: SpatialPlacement,
    offsets: Record<string, number>,
    gradOut: Float32Array | null | undefined,
    length: number,
    private readonly iterations: number,
  ) {
    super(k, plan, placed, offsets, gradOut, length);
  }

  sums(): Float64Array {
    const { k, plan, at } = this;
    const { B, C, S } = plan;
    const records = new Float64Array(B * C * SKEL_STRIDE);
    const sum = (a: number, b: number): [number, number] => {
      k.dotSums(at.rec, a, b, S);
      const rec = new Float64Array(this.buffer, at.rec, 2);
      return [rec[0], rec[1]];
    };
    for (let t = 0; t < B * C; t++) {
      if (plan.terms[t] === 0) continue;
      const p = this.volume(at.prob, t);
      const y = this.targetVolume(t);
      const skelY = this.volume(at.keep, t);
      this.skeleton(y, skelY, false);
      this.skeleton(p, at.skel, false);
      const r = t * SKEL_STRIDE;
      [records[r + SKEL_A], records[r + SKEL_B]] = sum(at.skel, y);
      [records[r + SKEL_C], records[r + SKEL_D]] = sum(skelY, p);
      [records[r + SKEL_I], records[r + SKEL_P]] = sum(p, y);
      records[r + SKEL_G] = sum(y, y)[1];
    }
    return records;
  }

  grad(coef: Float64Array): Float32Array {
    const { k, plan, at } = this;
    const { B, C, S } = plan;
    new Float32Array(this.buffer, at.dp, B * C * S).fill(0);
    const [nx, ny, nz] = plan.dims;
    const volume = 4 * S;
    const [g0, g1, g2, gs] = [0, 1, 2, 3].map((i) => at.gradients + i * volume);
    for (let t = 0; t < B * C; t++) {
      if (plan.terms[t] === 0) continue;
      const c = t * SKEL_COEF_STRIDE;
      const p = this.volume(at.prob, t);
      const y = this.targetVolume(t);
      this.skeleton(p, at.skel, true);
      // ∂L/∂skel(p), then back through the skeleton (see js/soft-skeleton.ts's softSkeletonBackward).
      k.affineMap(gs, y, S, coef[c + SKEL_A], coef[c + SKEL_B]);
      const level = (i: number): number => (i === 0 ? p : at.levels + (i - 1) * volume);
      let gUp = g0;
      let gUp2 = 0;
      let gCur = g1;
      let spare = g2;
      new Float32Array(this.buffer, gUp, S).fill(0);
      for (let i = this.iterations; i >= 0; i--) {
        const img = level(i),
          next = level(i + 1);
        if (gUp2 !== 0) k.softErodeBackward(gUp, gUp2, next, nx, ny, nz, plan.rank);
        k.softDilate(at.open, next, nx, ny, nz, plan.rank, at.work);
        const prev = i > 0 ? at.skels + (i - 1) * volume : 0;
        k.softSkeletonStepBackward(gs, gCur, prev, img, at.open, S, i === 0 ? 1 : 0);
        k.softDilateBackward(gUp, gCur, next, nx, ny, nz, plan.rank, -1);
        const free = gUp2 === 0 ? spare : gUp2;
        gUp2 = gUp;
        gUp = gCur;
        gCur = free;
        spare = 0;
      }
      k.softErodeBackward(gUp, gUp2, p, nx, ny, nz, plan.rank);
      k.addDirectTerms(
        this.volume(at.dp, t),
        gUp,
        this.volume(at.keep, t),
        y,
        S,
        coef[c + SKEL_C],
        coef[c + SKEL_I],
        coef[c + SKEL_P],
      );
    }
    return this.deliver();
  }

  /**
   * The soft skeleton of the volume at x, into `skel`. With `keep`, the levels E(x), E²(x), … go
   * to `levels` and the skeleton before each step to `skels`; without, two levels alternate.
   */
  private skeleton(x: number, skel: number, keep: boolean): void {
    const { k, plan, at } = this;
    const [nx, ny, nz] = plan.dims;
    const S = plan.S;
    const volume = 4 * S;
    const rolling = [at.levels, at.levels + volume];
    let img = x;
    let next = keep ? at.levels : rolling[0];
    k.softErode(next, img, nx, ny, nz, plan.rank);
    for (let i = 0; i <= this.iterations; i++) {
      if (i > 0) {
        img = next;
        next = keep ? at.levels + i * volume : rolling[i % 2];
        k.softErode(next, img, nx, ny, nz, plan.rank);
      }
      k.softDilate(at.open, next, nx, ny, nz, plan.rank, at.work);
      if (keep && i > 0) {
        const buffer = this.buffer;
        new Float32Array(buffer, at.skels + (i - 1) * volume, S).set(new Float32Array(buffer, skel, S));
      }
      k.softSkeletonStep(skel, img, at.open, S, i === 0 ? 1 : 0);
    }
  }
}

export class WasmDistanceLossJob extends WasmSpatialJob {
  constructor(
    k: DiceExports,
    plan: SpatialPlan,
    placed: SpatialPlacement,
    offsets: Record<string, number>,
    gradOut: Float32Array | null | undefined,
    length: number,
    private readonly loss: DistanceLoss,
  ) {
    super(k, plan, placed, offsets, gradOut, length);
  }

  sums(): Float64Array {
    const { k, plan, at, loss } = this;
    const { B, C, S } = plan;
    const sums = new Float64Array(B * C);
    for (let t = 0; t < B * C; t++) {
      if (plan.terms[t] === 0) continue;
      const b = Math.floor(t / C);
      const p = this.volume(at.prob, t);
      const y = this.targetVolume(t);
      const w = this.volume(at.keep, t);
      if (loss.kind === 'hausdorff') {
        new Float32Array(this.buffer, w, S).fill(0);
        this.addDistancePower(w, p, b);
        this.addDistancePower(w, y, b);
        sums[t] = k.weightedSquaredError(p, y, w, S);
      } else {
        if (this.fields(y, b)) k.signedDistance(w, at.toOutside, at.toInside, at.grid, S);
        else new Float32Array(this.buffer, w, S).fill(0);
        k.dotSums(at.rec, p, w, S);
        sums[t] = new Float64Array(this.buffer, at.rec, 1)[0];
      }
    }
    return sums;
  }

  grad(coef: Float64Array): Float32Array {
    const { k, plan, at, loss } = this;
    const { B, C, S } = plan;
    new Float32Array(this.buffer, at.dp, B * C * S).fill(0);
    for (let t = 0; t < B * C; t++) {
      if (plan.terms[t] === 0) continue;
      const y = loss.kind === 'hausdorff' ? this.targetVolume(t) : at.y;
      const squared = loss.kind === 'hausdorff' ? 1 : 0;
      k.distanceGrad(this.volume(at.dp, t), this.volume(at.prob, t), y, this.volume(at.keep, t), S, coef[t], squared);
    }
    return this.deliver();
  }

  /** w += MONAI's distance field of the mask v > ½, raised to α (nothing when the mask is empty or full). */
  private addDistancePower(w: number, v: number, b: number): void {
    if (!this.fields(v, b)) return;
    const alpha = (this.loss as { alpha: number }).alpha;
    this.k.distancePower(w, this.at.toOutside, this.at.toInside, this.plan.S, alpha, 1);
  }

  /**
   * The squared distances of the mask v > ½ of sample b: of its voxels to the nearest outside, and
   * of the others to the nearest inside. False (nothing written) when the mask is empty or full.
   */
  private fields(v: number, b: number): boolean {
    const { k, plan, at } = this;
    const [nx, ny, nz] = plan.dims;
    const inside = k.maskBits(at.grid, v, plan.S);
    if (inside === 0 || inside === plan.S) return false;
    const [w0, w1, w2] = this.loss.weights.subarray(b * 3, b * 3 + 3);
    k.distanceField(at.toOutside, at.grid, GRID_OUTSIDE, nx, ny, nz, w0, w1, w2, at.line);
    k.distanceField(at.toInside, at.grid, GRID_INSIDE, nx, ny, nz, w0, w1, w2, at.line);
    return true;
  }
}
