// The WebAssembly backend: one instance, one memory, an arena over it. Arrays that live in that
// memory (from `alloc`) are used in place; any other array is streamed through a staging area
// (stream.ts), or, for the Lovász losses (which sort the whole input), copied in for the call.
import type { AllocatableConstructor, HardPrediction, Target } from '../../core/api.js';
import { ACTIVATION_CODE, COEF_STRIDE, LAYOUT_CODE, POINT_CODE, STATS_STRIDE } from '../../core/constants.js';
import { rangeError, typeError } from '../../core/errors.js';
import type {
  ConfusionPlan,
  DistanceLoss,
  LovaszInputs,
  LovaszPlan,
  SpatialPlan,
  SurfacePlan,
  TopologyPlan,
} from '../../core/plans.js';
import type { Inputs, TensorPlan } from '../../core/tensors.js';
import { Arena, MemoryExhausted } from '../../runtime/arena.js';
import type { Engine, KernelJob, LovaszJob, SpatialInputs, SpatialJob } from '../engine.js';
import { checkAllocatable, checkLength } from '../js/engine.js';
import { countConfusionWasm, type Placement } from './confusion.js';
import type { DiceExports } from './exports.generated.js';
import { lovaszWorkspace, WasmLovaszJob, type LovaszAddresses } from './lovasz.js';
import { surfaceWasm } from './surface.js';
import { topologyWasm } from './topology.js';
import { spatialWorkspace, WasmDistanceLossJob, WasmSkeletonLossJob } from './spatial.js';
import { componentsWasm, dilateWasm } from './components.js';
import { classCropsWasm, maskDistancesWasm } from './instances.js';
import type { ClassCrop, CropPlan, MaskDistanceOptions, MaskDistances } from '../../core/plans.js';
import type { ComponentRecords, ComponentsPlan } from '../../core/plans.js';
import type { ComponentsInput } from '../../core/plans.js';
import { alignment, chunkVoxels } from './regions.js';
import { stagingArea, StreamJob, type Operand, type Operands } from './stream.js';
import { MemoryViews } from './views.js';

/** Staging areas start on cache lines. */
const LINE = 64;
const roundUp = (n: number): number => Math.ceil(n / LINE) * LINE;

export class WasmEngine implements Engine {
  readonly memory: WebAssembly.Memory;
  readonly kernels: DiceExports;
  private readonly arena: Arena;
  private readonly views: MemoryViews;
  /** Arrays handed out by alloc, with their block address. */
  private readonly allocated = new WeakMap<ArrayBufferView, number>();
  /** Arrays from alloc that were freed since: a call that gets one throws (its block may be someone else's by now). */
  private readonly released = new WeakSet<ArrayBufferView>();
  /** Block for the statistics, coefficients, kernel scratch and staging of a call; kept between calls. */
  private workspace = { at: 0, bytes: 0 };
  private scratchFor = { C: 0, bytes: 0 };

  /** The engine of `plainInstance`, once made (see the constructor). */
  private plain: WasmEngine | null = null;

  /**
   * `plainInstance` (only with a shared memory): makes an instance of the same build with a
   * memory of its own, not shared, through which the calls whose arrays are all plain (none from
   * alloc) stream. V8 copies into and out of a SharedArrayBuffer word by word (measured here:
   * ~5 GB/s from an array in main memory, against ~19 GB/s into an ArrayBuffer), which made the
   * copies, not the kernels, the cost of a streamed call. Made on first use.
   */
  constructor(
    readonly name: 'simd' | 'scalar',
    instance: WebAssembly.Instance,
    private readonly stagingBytes: number,
    private readonly plainInstance?: () => WebAssembly.Instance,
  ) {
    this.kernels = instance.exports as unknown as DiceExports;
    this.memory = this.kernels.memory;
    this.arena = new Arena(this.memory, this.kernels.heapBase());
    this.views = new MemoryViews(this.memory, this.arena);
  }

  open(fn: string, plan: TensorPlan, inputs: Inputs, gradOut: Float32Array | null | undefined): KernelJob {
    return withinMemory(fn, 'shape', () => this.openJob(fn, plan, inputs, gradOut));
  }

  private openJob(fn: string, plan: TensorPlan, inputs: Inputs, gradOut: Float32Array | null | undefined): KernelJob {
    const { B, C, S } = plan;
    // Addresses of resident arrays first: growing the memory below detaches a non-shared memory's views.
    const operand = (name: string, array: ArrayBufferView, bytes: number, shape: Operand['shape']): Operand => ({
      array,
      at: this.resident(fn, name, array),
      bytes,
      shape,
      staging: 0,
    });
    const ops: Operands = {
      pred: operand('pred', inputs.pred, 4, 'class'),
      target: operand(
        'target',
        inputs.target,
        inputs.target.BYTES_PER_ELEMENT,
        plan.targetKind === 'dense' ? 'class' : 'voxel',
      ),
      mask: inputs.mask ? operand('mask', inputs.mask, 1, plan.mask === 'shared' ? 'shared' : 'voxel') : null,
      out:
        gradOut === undefined
          ? null
          : gradOut === null
            ? { array: null, at: null, bytes: 4, shape: 'class', staging: 0 }
            : operand('out', gradOut, 4, outShape(plan, gradOut)),
    };
    const statsBytes = roundUp(B * C * STATS_STRIDE * 8);
    const coefBytes = roundUp(B * C * COEF_STRIDE * 8);
    const scratchBytes = this.scratchBytes(C);
    const all = [ops.pred, ops.target, ops.mask, ops.out].filter((op): op is Operand => op !== null);
    const plain = this.plainEngine(all.every((op) => op.at === null));
    if (plain) return plain.open(fn, plan, inputs, gradOut);
    let capacity = 0;
    let areas: number[] = [];
    if (all.some((op) => op.at === null)) {
      // The chunk's share of the budget: what the areas take beyond the chunk itself is fixed.
      const perVoxel = all.reduce((sum, op) => sum + stagingArea(plan, op, 1) - stagingArea(plan, op, 0), 0);
      const fixed = all.reduce((sum, op) => sum + stagingArea(plan, op, 0), 0);
      capacity = chunkVoxels(
        Math.max(this.stagingBytes - fixed, 0),
        perVoxel,
        alignment(this.kernels.tileLength(C)),
        B * S,
      );
      areas = all.map((op) => roundUp(stagingArea(plan, op, capacity)));
    }
    // In one piece, kernel 1 leaves the activation in a block of out's size, not in out itself (stream.ts).
    const keptBytes =
      capacity === 0 &&
      ops.out !== null &&
      ops.out.shape === 'class' &&
      this.kernels.keepsActivation(
        C,
        LAYOUT_CODE[plan.layout],
        ACTIVATION_CODE[plan.activation],
        POINT_CODE[plan.point],
      )
        ? roundUp(B * C * S * 4)
        : 0;
    const work = this.reserveWorkspace(
      statsBytes + coefBytes + scratchBytes + keptBytes + areas.reduce((a, b) => a + b, 0),
    );
    if (gradOut) this.checkStillAttached(fn, gradOut, ops.out?.at ?? null);
    let staging = work + statsBytes + coefBytes + scratchBytes + keptBytes;
    areas.forEach((bytes, i) => {
      all[i].staging = staging;
      staging += bytes;
    });
    return new StreamJob(
      this.kernels,
      this.views,
      plan,
      ops,
      {
        stats: work,
        coef: work + statsBytes,
        scratch: work + statsBytes + coefBytes,
        kept: keptBytes === 0 ? 0 : work + statsBytes + coefBytes + scratchBytes,
      },
      capacity,
    );
  }

  /**
   * Puts one call's arrays in memory whole: an array that lives there is used in place (those
   * addresses are taken first: growing the memory below detaches a non-shared memory's views),
   * any other gets a block, and pred, target and mask are copied in; `out` is 0 when gradOut is
   * undefined (no gradient). Reserves the workspace of `workBytes` too. `release` frees the
   * blocks taken.
   */
  placeWhole(
    fn: string,
    inputs: { pred: Float32Array; target: Target; mask?: Uint8Array | null },
    gradOut: Float32Array | null | undefined,
    workBytes: number,
  ): Placed {
    const { pred, target } = inputs;
    const mask = inputs.mask ?? null;
    const predAt = this.resident(fn, 'pred', pred);
    const targetAt = this.resident(fn, 'target', target);
    const maskAt = mask ? this.resident(fn, 'mask', mask) : null;
    const outAt = gradOut ? this.resident(fn, 'out', gradOut) : null;
    const blocks: number[] = [];
    const take = (bytes: number): number => {
      const at = this.arena.alloc(bytes);
      blocks.push(at);
      return at;
    };
    try {
      const placed: Placed = {
        work: this.reserveWorkspace(workBytes),
        pred: predAt ?? take(pred.byteLength),
        target: targetAt ?? take(target.byteLength),
        mask: mask ? (maskAt ?? take(mask.byteLength)) : 0,
        out: gradOut === undefined ? 0 : (outAt ?? take(gradOut?.byteLength ?? pred.byteLength)),
        outResident: outAt !== null,
        release: () => {
          for (const b of blocks) this.arena.free(b);
        },
      };
      if (gradOut) this.checkStillAttached(fn, gradOut, outAt);
      const buffer = this.memory.buffer;
      if (predAt === null) new Float32Array(buffer, placed.pred, pred.length).set(pred);
      if (targetAt === null) sameTypeView(target, buffer, placed.target).set(target as never);
      if (mask && maskAt === null) new Uint8Array(buffer, placed.mask, mask.length).set(mask);
      return placed;
    } catch (error) {
      for (const b of blocks) this.arena.free(b);
      throw error;
    }
  }

  openLovasz(fn: string, plan: LovaszPlan, inputs: LovaszInputs, gradOut: Float32Array | null | undefined): LovaszJob {
    const { bytes, offsets } = lovaszWorkspace(this.kernels, plan, gradOut !== undefined);
    const placed = withinMemory(fn, 'pred', () => this.placeWhole(fn, inputs, gradOut, bytes));
    const area = (offset: number | undefined): number => (offset === undefined ? 0 : placed.work + offset);
    const at: LovaszAddresses = {
      pred: placed.pred,
      target: placed.target,
      out: placed.out,
      prob: plan.targetKind === 'binary' ? 0 : offsets.prob === undefined ? placed.pred : area(offsets.prob),
      dp: area(offsets.dp),
      pairs: area(offsets.pairs),
      sortWork: area(offsets.sortWork),
      list: area(offsets.list),
      scale: area(offsets.scale),
      scratch: area(offsets.scratch),
    };
    return new WasmLovaszJob(this.kernels, plan, at, placed.release, gradOut, placed.outResident, inputs.pred.length);
  }

  confusion(fn: string, plan: ConfusionPlan, pred: HardPrediction, target: Target): Float64Array {
    const plain = this.plainEngine(
      this.resident(fn, 'pred', pred) === null && this.resident(fn, 'target', target) === null,
    );
    if (plain) return plain.confusion(fn, plan, pred, target);
    return withinMemory(fn, 'pred', () => countConfusionWasm(this.kernels, this.placement(fn), plan, pred, target));
  }

  /** The engine of the non-shared instance, for a call whose arrays are `allPlain` (null: this one). */
  private plainEngine(allPlain: boolean): WasmEngine | null {
    if (!allPlain || !this.plainInstance || !this.arena.shared) return null;
    this.plain ??= new WasmEngine(this.name, this.plainInstance(), this.stagingBytes);
    return this.plain;
  }

  surface(fn: string, plan: SurfacePlan, pred: HardPrediction, target: Target): Float64Array {
    return withinMemory(fn, 'pred', () => surfaceWasm(this.kernels, this.placement(fn), plan, pred, target));
  }

  /**
   * `out` lives in this memory (at `at`) and must still view it once the call's memory is in
   * place: growing a memory that is not shared detaches every view of it, and the gradient
   * written at `at` would then reach no array of the caller's. Refused before anything is
   * computed or written.
   */
  private checkStillAttached(fn: string, out: Float32Array, at: number | null): void {
    if (at === null || this.views.owns(out.buffer)) return;
    throw typeError(
      fn,
      'out',
      'was detached by this call: it needed more WebAssembly memory, and growing a memory that is not ' +
        'shared detaches every view of it (nothing was computed or written); reserve(bytes) before alloc() ' +
        'keeps the memory from growing, or alloc() out again now that it has grown',
    );
  }

  topology(fn: string, plan: TopologyPlan, pred: HardPrediction, target: Target): Float64Array {
    return topologyWasm(this.kernels, this.placement(fn), plan, pred, target);
  }

  openSkeletonLoss(
    fn: string,
    plan: SpatialPlan,
    inputs: SpatialInputs,
    iterations: number,
    gradOut: Float32Array | null | undefined,
  ): SpatialJob {
    const { bytes, offsets } = spatialWorkspace(this.kernels, plan, { iterations }, gradOut !== undefined);
    const placed = this.placeWhole(fn, inputs, gradOut, bytes);
    return new WasmSkeletonLossJob(this.kernels, plan, placed, offsets, gradOut, inputs.pred.length, iterations);
  }

  openDistanceLoss(
    fn: string,
    plan: SpatialPlan,
    inputs: SpatialInputs,
    loss: DistanceLoss,
    gradOut: Float32Array | null | undefined,
  ): SpatialJob {
    const { bytes, offsets } = spatialWorkspace(this.kernels, plan, { loss }, gradOut !== undefined);
    const placed = this.placeWhole(fn, inputs, gradOut, bytes);
    return new WasmDistanceLossJob(this.kernels, plan, placed, offsets, gradOut, inputs.pred.length, loss);
  }

  components(fn: string, plan: ComponentsPlan, mask: ComponentsInput, labels: Int32Array): ComponentRecords {
    return componentsWasm(this.kernels, this.placement(fn), plan, mask, labels);
  }

  dilate(mask: Uint8Array, dims: readonly number[], iterations: number): Uint8Array {
    return dilateWasm(this.kernels, this.placement('dilate'), mask, dims, iterations);
  }

  classCrops(
    fn: string,
    plan: CropPlan,
    pred: HardPrediction,
    target: Target,
    visit: (b: number, c: number, crop: ClassCrop) => void,
  ): void {
    classCropsWasm(this.kernels, this.placement(fn), plan, pred, target, visit);
  }

  maskDistances(
    mask: Uint8Array,
    dims: readonly number[],
    rank: number,
    weights: ArrayLike<number>,
    opts: MaskDistanceOptions,
  ): MaskDistances {
    return maskDistancesWasm(this.kernels, this.placement('maskDistances'), mask, dims, rank, weights, opts);
  }

  /** What the engine lends to a call of `fn` that places its own arrays. */
  private placement(fn: string): Placement {
    return {
      memory: this.memory,
      views: this.views,
      arena: this.arena,
      resident: (name, array) => this.resident(fn, name, array),
      workspace: (bytes) => this.reserveWorkspace(bytes),
    };
  }

  /** The kernels' scratch for C classes, rounded up to a cache line (the last C asked for is remembered). */
  private scratchBytes(C: number): number {
    if (this.scratchFor.C !== C) this.scratchFor = { C, bytes: roundUp(this.kernels.scratchBytes(C)) };
    return this.scratchFor.bytes;
  }

  /** The workspace block, grown to at least `bytes` (calls are synchronous: one user at a time). */
  reserveWorkspace(bytes: number): number {
    if (this.workspace.bytes < bytes) {
      if (this.workspace.bytes > 0) this.arena.free(this.workspace.at);
      this.workspace = { at: 0, bytes: 0 };
      this.workspace = { at: this.arena.alloc(bytes), bytes };
    }
    return this.workspace.at;
  }

  /** Address of an array that lives in this instance's memory, or null for one to copy in. */
  private resident(fn: string, name: string, array: ArrayBufferView): number | null {
    // An array alloc() made, still attached, lies in its block by construction.
    if (this.allocated.has(array) && this.views.owns(array.buffer)) return array.byteOffset;
    this.refuseFreed(fn, name, array);
    if (this.views.owns(array.buffer)) {
      if (!this.arena.contains(array.byteOffset, array.byteLength)) {
        throw typeError(
          fn,
          name,
          "is a view of this kernel's memory outside any live block from alloc() (was it freed?)",
        );
      }
      return array.byteOffset;
    }
    this.checkAttached(fn, name, array);
    return null;
  }

  /** A freed array from alloc: its block may belong to a newer array by now. */
  private refuseFreed(fn: string, name: string, array: ArrayBufferView): void {
    if (this.released.has(array)) {
      throw typeError(
        fn,
        name,
        'was freed (by free() or at the end of its scope) and may share its memory with a newer array; alloc() another',
      );
    }
  }

  /**
   * Refuses, before any other check of a call, an array from alloc that was freed or that a growth
   * of a memory that is not shared detached (its length then reads 0, which the length checks
   * would otherwise report as the wrong argument's fault).
   */
  checkAttached(fn: string, name: string, array: unknown): void {
    if (!ArrayBuffer.isView(array)) return;
    this.refuseFreed(fn, name, array);
    if (this.allocated.has(array) && !this.views.owns(array.buffer)) {
      throw typeError(
        fn,
        name,
        'was allocated with alloc() before the WebAssembly memory grew, which detached it; size the ' +
          'memory up front with reserve(bytes), or alloc() again',
      );
    }
  }

  sameMemory(a: ArrayBufferView, b: ArrayBufferView): boolean {
    return a.buffer === b.buffer || (this.views.owns(a.buffer) && this.views.owns(b.buffer));
  }

  alloc<C extends AllocatableConstructor>(ctor: C, length: number): InstanceType<C> {
    checkAllocatable(ctor);
    checkLength('alloc', 'length', length);
    const at = withinMemory('alloc', 'length', () => this.arena.alloc(length * ctor.BYTES_PER_ELEMENT));
    const array = new ctor(this.memory.buffer, at, length) as InstanceType<C>;
    this.allocated.set(array, at);
    return array;
  }

  free(array: ArrayBufferView): void {
    const at = this.allocated.get(array);
    if (at === undefined)
      throw typeError('free', 'array', "was not allocated by this kernel's alloc(), or was freed already");
    this.allocated.delete(array);
    this.released.add(array);
    this.arena.free(at);
  }

  live(array: ArrayBufferView): boolean {
    return this.allocated.has(array);
  }

  reserve(bytes: number): void {
    checkLength('reserve', 'bytes', bytes);
    withinMemory('reserve', 'bytes', () => this.arena.reserve(bytes));
  }
}

/** Runs `body`; memory it cannot get is a RangeError of `fn` naming `arg`. */
function withinMemory<T>(fn: string, arg: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (!(error instanceof MemoryExhausted)) throw error;
    throw rangeError(
      fn,
      arg,
      `needs ${error.bytes} more bytes of WebAssembly memory than it can have (wasm32 holds at most 4 GiB, ` +
        'and the host may give less)',
    );
  }
}

/**
 * The shape of `out`: pred's (a gradient; BCE and focal losses of reduction 'none'), or one value
 * per voxel (cross-entropy's losses of reduction 'none', B·S values; with C = 1 the two agree).
 */
function outShape(plan: TensorPlan, out: Float32Array): Operand['shape'] {
  return plan.point === 'ce' && out.length === plan.B * plan.S ? 'voxel' : 'class';
}

/** Where `placeWhole` put one call's arrays (0: not needed), its workspace, and how to free the blocks. */
export interface Placed {
  work: number;
  pred: number;
  target: number;
  mask: number;
  out: number;
  outResident: boolean;
  release: () => void;
}

function sameTypeView(array: Target, buffer: ArrayBuffer | SharedArrayBuffer, at: number): Target {
  const ctor = array.constructor as new (
    buffer: ArrayBuffer | SharedArrayBuffer,
    byteOffset: number,
    length: number,
  ) => Target;
  return new ctor(buffer, at, array.length);
}
