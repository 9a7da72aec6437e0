// The WebAssembly backend: one instance, one memory, an arena over it. Arrays that live in
// that memory (from `alloc`) are used in place; any other array is copied in for the call.
import {
  ACTIVATION_CODE, COEF_STRIDE, LAYOUT_CODE, POINT_CODE, ROW_SOFT, ROW_SQUARED, STATS_STRIDE, type AllocatableConstructor,
  type HardPrediction, type Target,
} from '../../api.js';
import { describe, typeError } from '../../errors.js';
import type { LovaszInputs, LovaszPlan } from '../../losses/lovasz.js';
import type { Inputs, TensorPlan } from '../../losses/tensors.js';
import type { ConfusionPlan } from '../../metrics/plan.js';
import { Arena } from '../../runtime/arena.js';
import type { Engine, KernelJob, LovaszJob } from '../engine.js';
import { checkLength } from '../js/engine.js';
import { countConfusionWasm } from './confusion.js';
import type { DiceExports } from './exports.js';
import { deliverGradient } from './gradient.js';
import { lovaszWorkspace, WasmLovaszJob, type LovaszAddresses } from './lovasz.js';

const ALLOCATABLE: readonly AllocatableConstructor[] = [Float32Array, Float64Array, Uint8Array, Uint16Array, Int32Array, Uint32Array];

export class WasmEngine implements Engine {
  readonly memory: WebAssembly.Memory;
  private readonly kernels: DiceExports;
  private readonly arena: Arena;
  /** Arrays handed out by alloc, with their block address. */
  private readonly allocated = new WeakMap<ArrayBufferView, number>();
  /** Arrays from alloc that were freed since: a call that gets one throws (its block may be someone else's by now). */
  private readonly released = new WeakSet<ArrayBufferView>();
  /** Block for the statistics, coefficients and kernel scratch of a call; kept between calls. */
  private workspace = { at: 0, bytes: 0 };

  constructor(readonly name: 'simd' | 'scalar', instance: WebAssembly.Instance) {
    this.kernels = instance.exports as unknown as DiceExports;
    this.memory = this.kernels.memory;
    this.arena = new Arena(this.memory, this.kernels.heapBase());
  }

  open(fn: string, plan: TensorPlan, inputs: Inputs, gradOut: Float32Array | null | undefined): KernelJob {
    const { B, C } = plan;
    const statsBytes = B * C * STATS_STRIDE * 8;
    const coefBytes = B * C * COEF_STRIDE * 8;
    const placed = this.place(fn, inputs, gradOut, statsBytes + coefBytes + this.kernels.scratchBytes(C));
    const at: Addresses = {
      stats: placed.work,
      coef: placed.work + statsBytes,
      scratch: placed.work + statsBytes + coefBytes,
      pred: placed.pred,
      target: placed.target,
      mask: placed.mask,
      out: placed.out,
    };
    return new WasmJob(this.kernels, plan, at, placed.release, gradOut, placed.outResident, inputs.pred.length);
  }

  /**
   * Puts one call's arrays in memory: an array that lives there is used in place (those
   * addresses are taken first: growing the memory below detaches their views), any other gets
   * a block, and pred, target and mask are copied in; `out` is 0 when gradOut is undefined (no
   * gradient). Reserves the workspace of `workBytes` too. `release` frees the blocks taken.
   */
  private place(fn: string, inputs: { pred: Float32Array; target: Target; mask?: Uint8Array | null }, gradOut: Float32Array | null | undefined, workBytes: number): Placed {
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
        mask: mask ? maskAt ?? take(mask.byteLength) : 0,
        out: gradOut === undefined ? 0 : outAt ?? take(pred.byteLength),
        outResident: outAt !== null,
        release: () => { for (const b of blocks) this.arena.free(b); },
      };
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
    const placed = this.place(fn, inputs, gradOut, bytes);
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
    return countConfusionWasm(this.kernels, {
      memory: this.memory,
      arena: this.arena,
      resident: (name, array) => this.resident(fn, name, array),
      workspace: (bytes) => this.reserveWorkspace(bytes),
    }, plan, pred, target);
  }

  /** The workspace block, grown to at least `bytes` (calls are synchronous: one user at a time). */
  private reserveWorkspace(bytes: number): number {
    if (this.workspace.bytes < bytes) {
      if (this.workspace.bytes > 0) this.arena.free(this.workspace.at);
      this.workspace = { at: 0, bytes: 0 };
      this.workspace = { at: this.arena.alloc(bytes), bytes };
    }
    return this.workspace.at;
  }

  /** Address of an array that lives in this instance's memory, or null for one to copy in. */
  private resident(fn: string, name: string, array: ArrayBufferView): number | null {
    if (this.released.has(array)) {
      throw typeError(fn, name, 'was freed (by free() or at the end of its scope) and may share its memory with a newer array; alloc() another');
    }
    if (this.arena.ownsBuffer(array.buffer)) {
      if (!this.arena.contains(array.byteOffset, array.byteLength)) {
        throw typeError(fn, name, 'is a view of this kernel\'s memory outside any live block from alloc() (was it freed?)');
      }
      return array.byteOffset;
    }
    this.checkAttached(fn, name, array);
    return null;
  }

  checkAttached(fn: string, name: string, array: unknown): void {
    if (ArrayBuffer.isView(array) && this.allocated.has(array) && !this.arena.ownsBuffer(array.buffer)) {
      throw typeError(fn, name, 'was allocated with alloc() before the WebAssembly memory grew, which detached it; size the memory up front with reserve(bytes), or alloc() again');
    }
  }

  sameMemory(a: ArrayBufferView, b: ArrayBufferView): boolean {
    return a.buffer === b.buffer || (this.arena.ownsBuffer(a.buffer) && this.arena.ownsBuffer(b.buffer));
  }

  alloc<C extends AllocatableConstructor>(ctor: C, length: number): InstanceType<C> {
    if (!ALLOCATABLE.includes(ctor)) {
      throw typeError('alloc', 'type', `must be one of ${ALLOCATABLE.map((c) => c.name).join(', ')}; got ${describe(ctor)}`);
    }
    checkLength('alloc', length);
    const at = this.arena.alloc(length * ctor.BYTES_PER_ELEMENT);
    const array = new ctor(this.memory.buffer, at, length) as InstanceType<C>;
    this.allocated.set(array, at);
    return array;
  }

  free(array: ArrayBufferView): void {
    const at = this.allocated.get(array);
    if (at === undefined) throw typeError('free', 'array', 'was not allocated by this kernel\'s alloc(), or was freed already');
    this.allocated.delete(array);
    this.released.add(array);
    this.arena.free(at);
  }

  live(array: ArrayBufferView): boolean {
    return this.allocated.has(array);
  }

  reserve(bytes: number): void {
    checkLength('reserve', bytes);
    this.arena.reserve(bytes);
  }
}

/** Where `place` put one call's arrays (0: not needed), its workspace, and how to free the blocks. */
interface Placed { work: number; pred: number; target: number; mask: number; out: number; outResident: boolean; release: () => void }

/** Where one call's arrays and work areas are in the memory (0: not needed). */
interface Addresses { stats: number; coef: number; scratch: number; pred: number; target: number; mask: number; out: number }

/** Distance between the mask rows of consecutive samples: S, or 0 when all share one. */
const maskStride = (plan: TensorPlan): number => (plan.mask === 'perSample' ? plan.S : 0);

function sameTypeView(array: Target, buffer: ArrayBuffer | SharedArrayBuffer, at: number): Target {
  const ctor = array.constructor as new (buffer: ArrayBuffer | SharedArrayBuffer, byteOffset: number, length: number) => Target;
  return new ctor(buffer, at, array.length);
}

class WasmJob implements KernelJob {
  constructor(
    private readonly kernels: DiceExports,
    private readonly plan: TensorPlan,
    private readonly at: Addresses,
    readonly close: () => void,
    private readonly gradOut: Float32Array | null | undefined,
    private readonly outResident: boolean,
    private readonly length: number,
  ) {}

  stats(): Float64Array {
    const { kernels: k, plan, at } = this;
    const { B, C, S } = plan;
    const view = new Float64Array(k.memory.buffer, at.stats, B * C * STATS_STRIDE);
    view.fill(0); // kernel 1 adds to its records
    const layout = LAYOUT_CODE[plan.layout];
    const act = ACTIVATION_CODE[plan.activation];
    const flags = (plan.squared ? ROW_SQUARED : 0) | (plan.soft ? ROW_SOFT : 0);
    if (plan.targetKind === 'dense') {
      const kernel = plan.targetType === 'f32' ? k.statsDense_f32 : k.statsDense_u8;
      kernel(at.stats, at.pred, at.target, at.mask, maskStride(plan), B, C, S, S, layout, act, flags, POINT_CODE[plan.point], plan.gamma, at.scratch);
    } else {
      const kernel = plan.targetType === 'u8' ? k.statsLabels_u8 : plan.targetType === 'u16' ? k.statsLabels_u16 : k.statsLabels_i32;
      kernel(at.stats, at.pred, at.target, at.mask, maskStride(plan), B, C, S, S, layout, act, flags,
        plan.ignoreIndex ?? 0, plan.ignoreIndex === null ? 0 : 1, POINT_CODE[plan.point], plan.gamma, at.scratch);
    }
    return view.slice();
  }

  grad(coef: Float64Array): Float32Array {
    const { kernels: k, plan, at } = this;
    const { B, C, S } = plan;
    const buffer = k.memory.buffer;
    new Float64Array(buffer, at.coef, coef.length).set(coef);
    const layout = LAYOUT_CODE[plan.layout];
    const act = ACTIVATION_CODE[plan.activation];
    if (plan.targetKind === 'dense') {
      const kernel = plan.targetType === 'f32' ? k.gradDense_f32 : k.gradDense_u8;
      kernel(at.out, at.pred, at.target, at.mask, maskStride(plan), at.coef, B, C, S, S, layout, act, POINT_CODE[plan.point], plan.gamma, at.scratch);
    } else {
      const kernel = plan.targetType === 'u8' ? k.gradLabels_u8 : plan.targetType === 'u16' ? k.gradLabels_u16 : k.gradLabels_i32;
      kernel(at.out, at.pred, at.target, at.mask, maskStride(plan), at.coef, B, C, S, S, layout, act,
        plan.ignoreIndex ?? 0, plan.ignoreIndex === null ? 0 : 1, POINT_CODE[plan.point], plan.gamma, at.scratch);
    }
    return deliverGradient(buffer, at.out, this.length, this.gradOut, this.outResident);
  }
}
