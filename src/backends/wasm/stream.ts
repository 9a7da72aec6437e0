// One call of kernels 1 to 3 (statistics, gradient, pointwise losses) on the WebAssembly
// backend. An array that lives in the memory (from alloc) is used in place; any other is streamed
// through a staging area the size of a core's L2 cache: a chunk is copied in and reduced while it
// is in cache (kernel 1), or mapped into staging and copied out (kernels 2 and 3), so a copied
// call moves each byte between main memory and the core about as often as an in-place one.
import { ACTIVATION_CODE, COEF_STRIDE, LAYOUT_CODE, POINT_CODE, STATS_STRIDE } from '../../core/constants.js';
import type { TensorPlan } from '../../core/tensors.js';
import type { KernelJob } from '../engine.js';
import { gradCall, gradReadsPred, invoke, pointLossCall, statsCall, type KernelCall, type Piece } from './calls.js';
import type { DiceExports } from './exports.generated.js';
import { classOffset, streamRegions, voxelOffset, type Region } from './regions.js';
import type { MemoryViews } from './views.js';

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
  /** In one piece (`whole`) and activated: a block of out's size where kernel 1 leaves the activation (0: none). */
  kept: number;
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
  /**
   * Kernel 1 leaves the activation in `out` for kernel 2 (assembly/stats.ts `activated`), which
   * then computes none and reads no pred: where the kernels keep it (keepsActivation) and `out`
   * has pred's shape (a gradient). Streamed, each chunk of it is copied out to the destination
   * after kernel 1 and back in before kernel 2: 8 bytes per element copied, where kernel 2 would
   * otherwise copy pred in again (4) and compute the activation again (an exp per element).
   * The activation never goes into an array the caller can see before kernel 1's checks
   * (losses/checks.ts) passed: streamed, it is copied out to `kept` (the caller's `out` only when
   * there is none, i.e. the gradient array is new); in one piece (`whole`), into the workspace
   * block `kept`, copied into `out` (memory.copyWithin) after the checks, before kernel 2.
   */
  private readonly activated: boolean;
  /** Streamed and activated: the activation between kernel 1 and kernel 2 (see `keptArray`). */
  private kept: Float32Array | null = null;
  /** Every input is used in place (out too, when there is one): the call is one piece, nothing is staged. */
  private readonly whole: boolean;
  /** Where the gradient goes: the caller's array, or a new one (made by kernel 1 when it is activated). */
  private destination: Float32Array | null;
  /**
   * `out` as the kernels of a streamed call see it: staged even when it lives in the memory (from
   * alloc) if the call is activated, so that kernel 1's activation goes to `kept`, not into the
   * caller's `out` before the checks, and comes back through staging for kernel 2.
   */
  private readonly outOp: Operand | null;

  constructor(
    private readonly kernels: DiceExports,
    private readonly views: MemoryViews,
    private readonly plan: TensorPlan,
    private readonly ops: Operands,
    private readonly work: Workspace,
    /** Voxels per chunk when something is staged. */
    private readonly capacity: number,
  ) {
    const out = ops.out;
    const inputsInPlace = ops.pred.at !== null && ops.target.at !== null && (ops.mask === null || ops.mask.at !== null);
    this.whole = inputsInPlace && (out === null || out.at !== null);
    this.activated =
      (!this.whole || work.kept !== 0) &&
      out !== null &&
      out.shape === 'class' &&
      kernels.keepsActivation(
        plan.C,
        LAYOUT_CODE[plan.layout],
        ACTIVATION_CODE[plan.activation],
        POINT_CODE[plan.point],
      ) !== 0;
    this.destination = (out?.array as Float32Array | null | undefined) ?? null;
    this.outOp = out !== null && this.activated && !this.whole ? unplaced(out) : out;
  }

  stats(): Float64Array {
    const { B, C } = this.plan;
    const length = B * C * STATS_STRIDE;
    const first = this.work.stats / 8;
    this.views.f64(this.work.stats + length * 8).fill(0, first, first + length); // kernel 1 adds to its records
    if (this.whole) {
      const piece = this.wholePiece(this.work.stats);
      if (this.activated) piece.out = this.work.kept;
      invoke(this.kernels, statsCall(this.plan, piece, this.activated));
    } else {
      const out = this.outOp as Operand;
      const ops = this.activated ? [...this.inputs(), out] : this.inputs();
      const memory = this.views.all();
      for (const region of this.regions(ops)) {
        const { piece, outRuns } = this.stage(
          memory,
          region,
          ops,
          this.work.stats + region.b0 * C * STATS_STRIDE * 8,
          false,
        );
        invoke(this.kernels, statsCall(this.plan, piece, this.activated));
        for (const run of outRuns ?? []) copyOut(memory, unplaced(out), this.keptArray(), run);
      }
    }
    return this.views.f64().slice(first, first + length);
  }

  /** The gradient's destination, made the first time it is needed when the caller gave none. */
  private gradientArray(): Float32Array {
    const { B, C, S } = this.plan;
    this.destination ??= new Float32Array(B * C * S);
    return this.destination;
  }

  /**
   * Where kernel 1's activation waits for kernel 2: the gradient array when it is a new one (the
   * caller gave no `out`), else a private array of its size, so that an error found after kernel 1
   * leaves the caller's `out` as it was. Its memory, not more copies: each element is copied out
   * and back in once either way.
   */
  private keptArray(): Float32Array {
    if (this.kept === null) {
      const { B, C, S } = this.plan;
      const length = B * C * S;
      if (!this.ops.out?.array) this.kept = this.gradientArray();
      else {
        // Kept between calls (they are synchronous): a new array each call costs its zeroing and the collector's time.
        if (spare === null || spare.length < length) spare = new Float32Array(length);
        this.kept = spare.subarray(0, length);
      }
    }
    return this.kept;
  }

  /** The call in one piece, every array in place (`whole`). */
  private wholePiece(records: number): Piece {
    const { pred, target, mask, out } = this.ops;
    return {
      pred: pred.at as number,
      target: target.at as number,
      mask: mask === null ? 0 : (mask.at as number),
      out: out === null ? 0 : (out.at as number),
      records,
      scratch: this.work.scratch,
      samples: this.plan.B,
      S: this.plan.S,
      count: this.plan.S,
    };
  }

  grad(coef: Float64Array): Float32Array {
    const activated = this.activated;
    return this.map(
      (plan, piece) => gradCall(plan, piece, activated),
      coef,
      !activated && gradReadsPred(this.plan, coef),
      activated,
    );
  }

  /** Kernel 3: the pointwise losses of reduction 'none' into `out` (an array of pointLossLength values). */
  pointLoss(coef: Float64Array): Float32Array {
    return this.map(pointLossCall, coef, true, false);
  }

  /**
   * Kernel 2 or 3 over the call's regions, into `out` (staged runs copied out, and copied in
   * first when kernel 1 left the activation there: `outIn`).
   */
  private map(
    kernel: (plan: TensorPlan, piece: Piece) => KernelCall,
    coef: Float64Array,
    readsPred: boolean,
    outIn: boolean,
  ): Float32Array {
    const { C } = this.plan;
    const out = this.outOp as Operand;
    this.views.f64(this.work.coef + coef.length * 8).set(coef, this.work.coef / 8);
    const destination = this.gradientArray();
    if (this.whole) {
      if (outIn) {
        const at = out.at as number;
        const bytes = destination.length * 4;
        this.views.all().copyWithin(at, this.work.kept, this.work.kept + bytes);
      }
      invoke(this.kernels, kernel(this.plan, this.wholePiece(this.work.coef)));
      return destination;
    }
    const memory = this.views.all();
    const operands = [...this.inputs().filter((op) => op !== this.ops.pred || readsPred), out];
    for (const region of this.regions(operands)) {
      const records = this.work.coef + region.b0 * C * COEF_STRIDE * 8;
      const { piece, outRuns } = this.stage(memory, region, operands, records, outIn);
      invoke(this.kernels, kernel(this.plan, piece));
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
   * (rows `rowStride` apart). Returns the piece and the staged runs of `out`, if it is staged
   * (copied in from the destination first with `outIn`).
   */
  private stage(
    memory: Uint8Array,
    region: Region,
    ops: readonly Operand[],
    records: number,
    outIn: boolean,
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
      if (op === this.outOp) {
        outRuns = runs;
        if (outIn) for (const run of runs) copyIn(memory, unplaced(op), run, this.keptArray());
      } else {
        for (const run of runs) copyIn(memory, op, run, op.array as ArrayBufferView);
      }
      return runs[0].staged;
    };
    const { pred, target, mask } = this.ops;
    const piece: Piece = {
      pred: address(pred),
      target: address(target),
      mask: address(mask),
      out: address(this.outOp),
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
}

/** The private array of `keptArray`, reused by the next call that needs no more. */
let spare: Float32Array | null = null;

/** `op` as if it were not in the memory: its runs copied to and from an array outside it. */
function unplaced(op: Operand): Operand {
  return op.at === null ? op : { ...op, at: null };
}

/** Copies a run of an input (`array`) into staging, from the memory itself when the input lives there. */
function copyIn(memory: Uint8Array, op: Operand, run: Run, array: ArrayBufferView): void {
  const bytes = run.length * op.bytes;
  if (op.at !== null) {
    const from = op.at + run.index * op.bytes;
    memory.copyWithin(run.staged, from, from + bytes);
  } else {
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
