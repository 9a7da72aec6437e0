// One call of kernels 1 to 3 (statistics, gradient, pointwise losses) on the WebAssembly
// backend. An array that lives in the memory (from alloc) is used in place; any other is streamed
// through a staging area the size of a core's L2 cache: a chunk is copied in and reduced while it
// is in cache (kernel 1), or mapped into staging and copied out (kernels 2 and 3), so a copied
// call moves each byte between main memory and the core about as often as an in-place one.
import { COEF_STRIDE, STATS_STRIDE } from '../../core/constants.js';
import type { TensorPlan } from '../../core/tensors.js';
import type { KernelJob } from '../engine.js';
import { gradCall, gradReadsPred, pointLossCall, statsCall, type KernelCall, type Piece } from './calls.js';
import type { DiceExports } from './exports.generated.js';
import { classOffset, streamRegions, voxelOffset, type Region } from './regions.js';

/** One array of a call: where it is and how its part of a region is found. */
export interface Operand {
  /** The caller's array: the source of an input, the destination of the gradient (null: a new array). */
  array: ArrayBufferView | null;
  /** Its address when it lives in the memory (it is then read or written there), else null. */
  at: number | null;
  /** Bytes per element. */
  bytes: number;
  /** `class`: pred's shape; `voxel`: one value per voxel of each sample; `shared`: one per voxel, for every sample. */
  shape: 'class' | 'voxel' | 'shared';
  /** Its part of the staging area (0 when nothing is staged). */
  staging: number;
}

export interface Operands {
  pred: Operand;
  target: Operand;
  mask: Operand | null;
  /** The gradient's destination; null when no gradient is asked for. */
  out: Operand | null;
}

/** The workspace of a call: statistics records, coefficients, kernel scratch. */
export interface Workspace {
  stats: number;
  coef: number;
  scratch: number;
}

/** Bytes of the stagger pattern that memcpy is sensitive to (see `runs`). */
const PAGE = 4096;
/**
 * Staged class rows are a multiple of this many elements farther apart than their source rows, so every row keeps the
 * first row's distance modulo PAGE (4-byte elements).
 */
const ROW_PERIOD = PAGE / 4;

/** Distance between staged class rows of `count` voxels whose source rows are S apart. */
function rowStride(count: number, S: number): number {
  return count + ((((S - count) % ROW_PERIOD) + ROW_PERIOD) % ROW_PERIOD);
}

/**
 * The staging area of an operand for chunks of `capacity` voxels: the chunk itself, the padding
 * between class rows (rowStride) and the room to start half a page away from the source.
 */
export function stagingArea(plan: TensorPlan, op: Operand, capacity: number): number {
  const values = op.shape === 'class' ? plan.C : 1;
  const rows = op.shape === 'class' && plan.layout === 'NCHW' ? plan.C : 1;
  return (capacity * values + (rows - 1) * (ROW_PERIOD - 1)) * op.bytes + PAGE;
}

/** A contiguous run of elements of an operand and where it goes in its staging area. */
interface Run {
  index: number;
  length: number;
  staged: number;
}

export class StreamJob implements KernelJob {
  constructor(
    private readonly kernels: DiceExports,
    private readonly plan: TensorPlan,
    private readonly ops: Operands,
    private readonly work: Workspace,
    /** Voxels per chunk when something is staged. */
    private readonly capacity: number,
  ) {}

  stats(): Float64Array {
    const { B, C } = this.plan;
    const length = B * C * STATS_STRIDE;
    new Float64Array(this.kernels.memory.buffer, this.work.stats, length).fill(0); // kernel 1 adds to its records
    const inputs = this.inputs();
    const memory = new Uint8Array(this.kernels.memory.buffer);
    for (const region of this.regions(inputs)) {
      const { piece } = this.stage(memory, region, inputs, this.work.stats + region.b0 * C * STATS_STRIDE * 8);
      this.call(statsCall(this.plan, piece));
    }
    return new Float64Array(this.kernels.memory.buffer, this.work.stats, length).slice();
  }

  grad(coef: Float64Array): Float32Array {
    return this.map(gradCall, coef, gradReadsPred(this.plan, coef));
  }

  /** Kernel 3: the pointwise losses of reduction 'none' into `out` (an array of pointLossLength values). */
  pointLoss(coef: Float64Array): Float32Array {
    return this.map(pointLossCall, coef, true);
  }

  /** Kernel 2 or 3 over the call's regions, into `out` (staged runs copied out). */
  private map(
    kernel: (plan: TensorPlan, piece: Piece) => KernelCall,
    coef: Float64Array,
    readsPred: boolean,
  ): Float32Array {
    const { B, C, S } = this.plan;
    const out = this.ops.out as Operand;
    const memory = new Uint8Array(this.kernels.memory.buffer);
    new Float64Array(memory.buffer, this.work.coef, coef.length).set(coef);
    const destination = (out.array ?? new Float32Array(B * C * S)) as Float32Array;
    const operands = [...this.inputs().filter((op) => op !== this.ops.pred || readsPred), out];
    for (const region of this.regions(operands)) {
      const { piece, outRuns } = this.stage(memory, region, operands, this.work.coef + region.b0 * C * COEF_STRIDE * 8);
      this.call(kernel(this.plan, piece));
      for (const run of outRuns ?? []) copyOut(memory, out, destination, run);
    }
    return destination;
  }

  close(): void {}

  private inputs(): Operand[] {
    const { pred, target, mask } = this.ops;
    return mask ? [pred, target, mask] : [pred, target];
  }

  /** The whole call in one piece when every operand is in place, else chunks that fit the staging area. */
  private regions(ops: readonly Operand[]): Region[] {
    const { B, S } = this.plan;
    return ops.every((op) => op.at !== null) ? [{ b0: 0, b1: B, s0: 0, s1: S }] : streamRegions(B, S, this.capacity);
  }

  /**
   * Where the kernels find a region's operands: in place, or copied into staging (inputs). The
   * kernels take one distance between class rows: in a piece of one sample of channels-first
   * classes, either every class-shaped operand is in place (rows S apart) or each is staged
   * (rows `rowStride` apart). Returns the piece and the staged runs of `out`, if it is staged.
   */
  private stage(
    memory: Uint8Array,
    region: Region,
    ops: readonly Operand[],
    records: number,
  ): { piece: Piece; outRuns: Run[] | null } {
    const { C, S, layout } = this.plan;
    const count = region.s1 - region.s0;
    const rowsFree = count === S || C === 1 || layout === 'NHWC';
    const classesResident = ops.every((op) => op.shape !== 'class' || op.at !== null);
    const inPlace = (op: Operand): boolean => op.at !== null && (op.shape !== 'class' || rowsFree || classesResident);
    const stride = ops.every((op) => op.shape !== 'class' || inPlace(op)) ? S : rowStride(count, S);
    let outRuns: Run[] | null = null;
    const address = (op: Operand | null): number => {
      if (op === null || !ops.includes(op)) return 0;
      if (inPlace(op)) return (op.at as number) + this.offset(op, region) * op.bytes;
      const runs = this.runs(op, region, stride);
      if (op === this.ops.out) outRuns = runs;
      else for (const run of runs) copyIn(memory, op, run);
      return runs[0].staged;
    };
    const { pred, target, mask, out } = this.ops;
    const piece: Piece = {
      pred: address(pred),
      target: address(target),
      mask: address(mask),
      out: address(out),
      records,
      scratch: this.work.scratch,
      samples: region.b1 - region.b0,
      S: stride,
      count,
    };
    return { piece, outRuns };
  }

  private offset(op: Operand, region: Region): number {
    const { C, S, layout } = this.plan;
    if (op.shape === 'class') return classOffset(region, C, S, layout);
    return op.shape === 'voxel' ? voxelOffset(region, S) : region.s0;
  }

  /**
   * The runs of an operand that make up a region, and where each goes in staging (class rows
   * `stride` apart). Staged runs start half a page away, modulo 4 KiB, from where their elements
   * live: memcpy (x86 \`rep movsb\`) slows down up to 7× when source and destination are within
   * a few dozen bytes of each other modulo 4 KiB (measured here: 1.3–1.7 against 8–11 GB/s).
   * Where a plain array lives is only known modulo its buffer's start, which large buffers have
   * on a page boundary (or a few bytes after).
   */
  private runs(op: Operand, region: Region, stride: number): Run[] {
    const { C, S, layout } = this.plan;
    const count = region.s1 - region.s0,
      samples = region.b1 - region.b0;
    const index = this.offset(op, region);
    const at = (op.at ?? op.array?.byteOffset ?? 0) + index * op.bytes;
    const staged = op.staging + (((((at + PAGE / 2 - op.staging) % PAGE) + PAGE) % PAGE) & ~15);
    if (op.shape === 'class' && layout === 'NCHW' && C > 1 && count < S) {
      return Array.from({ length: C }, (_, c) => ({
        index: index + c * S,
        length: count,
        staged: staged + c * stride * op.bytes,
      }));
    }
    const length = op.shape === 'class' ? samples * C * count : op.shape === 'voxel' ? samples * count : count;
    return [{ index, length, staged }];
  }

  private call(call: KernelCall): void {
    (this.kernels[call.kernel] as (...args: number[]) => void)(...call.args);
  }
}

/** Copies a run of an input into staging, from the memory itself when the input lives there. */
function copyIn(memory: Uint8Array, op: Operand, run: Run): void {
  const bytes = run.length * op.bytes;
  if (op.at !== null) {
    const from = op.at + run.index * op.bytes;
    memory.copyWithin(run.staged, from, from + bytes);
  } else {
    const array = op.array as ArrayBufferView;
    memory.set(new Uint8Array(array.buffer, array.byteOffset + run.index * op.bytes, bytes), run.staged);
  }
}

/** Copies a run of the staged gradient to its destination (in the memory when the destination lives there). */
function copyOut(memory: Uint8Array, op: Operand, destination: Float32Array, run: Run): void {
  const bytes = run.length * op.bytes;
  if (op.at !== null) {
    memory.copyWithin(op.at + run.index * op.bytes, run.staged, run.staged + bytes);
  } else {
    new Uint8Array(destination.buffer, destination.byteOffset + run.index * op.bytes, bytes).set(
      memory.subarray(run.staged, run.staged + bytes),
    );
  }
}
