// One call of the two kernels split across the pool's workers. The arrays are in the shared
// memory whole (arrays from alloc in place, plain ones copied in by the main thread); the
// tensor's voxels are cut into one contiguous share per worker (regions.ts). Kernel 1: each
// worker adds its share into statistics records of its own, which the main thread sums in worker
// order. Kernel 2: each worker maps its share into the gradient (disjoint ranges).
import { COEF_STRIDE, STATS_STRIDE } from '../api.js';
import { gradCall, statsCall, type KernelCall, type Piece } from '../backends/wasm/calls.js';
import type { Placed, WasmEngine } from '../backends/wasm/engine.js';
import { deliverGradient } from '../backends/wasm/gradient.js';
import { alignment, classOffset, splitRegions, voxelOffset, type Region } from '../backends/wasm/regions.js';
import type { OverlapCall } from '../losses/run.js';
import type { Crew } from './crew.js';

const LINE = 64;
const roundUp = (n: number): number => Math.ceil(n / LINE) * LINE;

export class ParallelJob {
  private readonly placed: Placed;
  private readonly shares: Region[][];
  private readonly recordBytes: number;
  private readonly coef: number;
  private readonly scratch: number;
  private readonly scratchBytes: number;

  constructor(private readonly engine: WasmEngine, private readonly crew: Crew, private readonly call: OverlapCall) {
    const { B, C, S } = call.plan;
    const threads = crew.size;
    this.recordBytes = roundUp(B * C * STATS_STRIDE * 8);
    this.scratchBytes = roundUp(engine.kernels.scratchBytes(C));
    const coefBytes = roundUp(B * C * COEF_STRIDE * 8);
    this.placed = engine.placeWhole(call.spec.fn, call.inputs, call.out, threads * this.recordBytes + coefBytes + threads * this.scratchBytes);
    this.coef = this.placed.work + threads * this.recordBytes;
    this.scratch = this.coef + coefBytes;
    this.shares = splitRegions(B, S, threads, alignment(engine.kernels.tileLength(C)));
  }

  async stats(): Promise<Float64Array> {
    const { B, C } = this.call.plan;
    const length = B * C * STATS_STRIDE;
    const records = (w: number) => new Float64Array(this.engine.memory.buffer, this.placed.work + w * this.recordBytes, length);
    for (let w = 0; w < this.crew.size; w++) records(w).fill(0); // kernel 1 adds to its records
    await this.crew.run(this.tasks((region, w) => statsCall(this.call.plan, this.piece(region, this.placed.work + w * this.recordBytes + region.b0 * C * STATS_STRIDE * 8, w))));
    const sum = new Float64Array(length);
    for (let w = 0; w < this.crew.size; w++) {
      const part = records(w);
      for (let i = 0; i < length; i++) sum[i] += part[i];
    }
    return sum;
  }

  async grad(coef: Float64Array): Promise<Float32Array> {
    const { B, C, S } = this.call.plan;
    new Float64Array(this.engine.memory.buffer, this.coef, coef.length).set(coef);
    await this.crew.run(this.tasks((region, w) => gradCall(this.call.plan, this.piece(region, this.coef + region.b0 * C * COEF_STRIDE * 8, w))));
    return deliverGradient(this.engine.memory.buffer, this.placed.out, B * C * S, this.call.out, this.placed.outResident);
  }

  /** Frees the call's blocks, unless the workers failed: one may still be writing into them until it has ended. */
  close(): void {
    if (!this.crew.failed) this.placed.release();
  }

  private tasks(callOf: (region: Region, w: number) => KernelCall): KernelCall[][] {
    return this.shares.map((regions, w) => regions.map((region) => callOf(region, w)));
  }

  /** A region of the arrays where they are (in place), with worker w's scratch. */
  private piece(region: Region, records: number, w: number): Piece {
    const { plan, inputs } = this.call;
    const { C, S, layout } = plan;
    const at = this.placed, classes = classOffset(region, C, S, layout), voxels = voxelOffset(region, S);
    return {
      pred: at.pred + classes * 4,
      target: at.target + (plan.targetKind === 'dense' ? classes : voxels) * inputs.target.BYTES_PER_ELEMENT,
      mask: at.mask === 0 ? 0 : at.mask + (plan.mask === 'shared' ? region.s0 : voxels),
      out: at.out === 0 ? 0 : at.out + classes * 4,
      records,
      scratch: this.scratch + w * this.scratchBytes,
      samples: region.b1 - region.b0,
      S,
      count: region.s1 - region.s0,
    };
  }
}
