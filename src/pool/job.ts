// One call of kernels 1 and 2 (statistics, gradient) split across the pool's workers (kernel 3,
// the pointwise losses of reduction 'none', runs on the calling thread: pool.ts). The arrays are
// in the shared memory whole (arrays from alloc in place, plain ones copied in by the main
// thread); the tensor's voxels are cut into contiguous pieces, several per worker (regions.ts),
// which the workers take as they come free. Kernel 1: each piece adds into statistics records of its own,
// which the main thread sums in piece order (the same sums whichever worker ran which piece).
// Kernel 2: each piece maps its part of the gradient (disjoint ranges).
import { COEF_STRIDE, STATS_STRIDE } from '../core/constants.js';
import { gradCall, statsCall, type KernelCall, type Piece } from '../backends/wasm/calls.js';
import type { Placed, WasmEngine } from '../backends/wasm/engine.js';
import { deliverGradient } from '../backends/wasm/gradient.js';
import { alignment, classOffset, splitRegions, voxelOffset, type Region } from '../backends/wasm/regions.js';
import type { OverlapCall } from '../losses/run.js';
import { piecesFor, type Crew } from './crew.js';

const LINE = 64;
const roundUp = (n: number): number => Math.ceil(n / LINE) * LINE;

export class ParallelJob {
  private readonly placed: Placed;
  /** The regions of each piece. */
  private readonly pieces: Region[][];
  private readonly recordBytes: number;
  private readonly coef: number;
  /** The workers' scratch areas: one of scratchBytes each, from `scratch`. */
  private readonly scratch: number;
  private readonly scratchBytes: number;

  constructor(
    private readonly engine: WasmEngine,
    private readonly crew: Crew,
    private readonly call: OverlapCall,
  ) {
    const { B, C, S } = call.plan;
    const pieces = piecesFor(crew.size);
    this.recordBytes = roundUp(B * C * STATS_STRIDE * 8);
    this.scratchBytes = roundUp(engine.kernels.scratchBytes(C));
    const coefBytes = roundUp(B * C * COEF_STRIDE * 8);
    this.placed = engine.placeWhole(
      call.spec.fn,
      call.inputs,
      call.out,
      pieces * this.recordBytes + coefBytes + crew.size * this.scratchBytes,
    );
    this.coef = this.placed.work + pieces * this.recordBytes;
    this.scratch = this.coef + coefBytes;
    this.pieces = splitRegions(B, S, pieces, alignment(engine.kernels.tileLength(C)));
  }

  async stats(): Promise<Float64Array> {
    const { B, C } = this.call.plan;
    const length = B * C * STATS_STRIDE;
    const records = (p: number) =>
      new Float64Array(this.engine.memory.buffer, this.placed.work + p * this.recordBytes, length);
    for (let p = 0; p < this.pieces.length; p++) records(p).fill(0); // kernel 1 adds to its records
    await this.run((region, p) =>
      statsCall(
        this.call.plan,
        this.piece(region, this.placed.work + p * this.recordBytes + region.b0 * C * STATS_STRIDE * 8),
      ),
    );
    const sum = new Float64Array(length);
    for (let p = 0; p < this.pieces.length; p++) {
      const part = records(p);
      for (let i = 0; i < length; i++) sum[i] += part[i];
    }
    return sum;
  }

  async grad(coef: Float64Array): Promise<Float32Array> {
    const { B, C, S } = this.call.plan;
    new Float64Array(this.engine.memory.buffer, this.coef, coef.length).set(coef);
    await this.run((region) =>
      gradCall(this.call.plan, this.piece(region, this.coef + region.b0 * C * COEF_STRIDE * 8)),
    );
    return deliverGradient(
      this.engine.memory.buffer,
      this.placed.out,
      B * C * S,
      this.call.out,
      this.placed.outResident,
    );
  }

  /** Frees the call's blocks, unless the workers failed: one may still be writing into them until it has ended. */
  close(): void {
    if (!this.crew.failed) this.placed.release();
  }

  /** Runs the call of every region of every piece on the workers. */
  private run(callOf: (region: Region, piece: number) => KernelCall): Promise<void> {
    const calls = this.pieces.flatMap((regions, p) => regions.map((region) => callOf(region, p)));
    return this.crew.run(calls, this.scratch, this.scratchBytes);
  }

  /** A region of the arrays where they are (in place); each worker puts its own scratch in the call. */
  private piece(region: Region, records: number): Piece {
    const { plan, inputs } = this.call;
    const { C, S, layout } = plan;
    const at = this.placed,
      classes = classOffset(region, C, S, layout),
      voxels = voxelOffset(region, S);
    return {
      pred: at.pred + classes * 4,
      target: at.target + (plan.targetKind === 'dense' ? classes : voxels) * inputs.target.BYTES_PER_ELEMENT,
      mask: at.mask === 0 ? 0 : at.mask + (plan.mask === 'shared' ? region.s0 : voxels),
      out: at.out === 0 ? 0 : at.out + classes * 4,
      records,
      scratch: 0,
      samples: region.b1 - region.b0,
      S,
      count: region.s1 - region.s0,
    };
  }
}
