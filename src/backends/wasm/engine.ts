// The WebAssembly backend: one instance, one memory, an arena over it. Arrays that live in
// that memory (from `alloc`) are used in place; any other array is copied in for the call.
import {
  ACTIVATION_CODE, COEF_STRIDE, LAYOUT_CODE, STATS_STRIDE, type AllocatableConstructor, type HardPrediction, type Target,
} from '../../api.js';
import { describe, typeError } from '../../errors.js';
import type { TensorPlan } from '../../losses/tensors.js';
import type { ConfusionPlan } from '../../metrics/plan.js';
import { Arena } from '../../runtime/arena.js';
import type { Engine, KernelJob } from '../engine.js';
import { checkLength } from '../js/engine.js';
import { countConfusionWasm } from './confusion.js';
import type { DiceExports } from './exports.js';

const ALLOCATABLE: readonly AllocatableConstructor[] = [Float32Array, Float64Array, Uint8Array, Uint16Array, Int32Array, Uint32Array];

export class WasmEngine implements Engine {
  readonly memory: WebAssembly.Memory;
  private readonly kernels: DiceExports;
  private readonly arena: Arena;
  /** Arrays handed out by alloc, with their block address. */
  private readonly allocated = new WeakMap<ArrayBufferView, number>();
  /** Block for the statistics, coefficients and kernel scratch of a call; kept between calls. */
  private workspace = { at: 0, bytes: 0 };

  constructor(readonly name: 'simd' | 'scalar', instance: WebAssembly.Instance) {
    this.kernels = instance.exports as unknown as DiceExports;
    this.memory = this.kernels.memory;
    this.arena = new Arena(this.memory, this.kernels.heapBase());
  }

  open(fn: string, plan: TensorPlan, pred: Float32Array, target: Target, gradOut: Float32Array | null | undefined): KernelJob {
    // Addresses of resident arrays first: growing the memory below detaches their views.
    const predAt = this.resident(fn, 'pred', pred);
    const targetAt = this.resident(fn, 'target', target);
    const outAt = gradOut ? this.resident(fn, 'out', gradOut) : null;
    const { B, C } = plan;
    const blocks: number[] = [];
    const take = (bytes: number): number => {
      const at = this.arena.alloc(bytes);
      blocks.push(at);
      return at;
    };
    try {
      const statsBytes = B * C * STATS_STRIDE * 8;
      const coefBytes = B * C * COEF_STRIDE * 8;
      const work = this.reserveWorkspace(statsBytes + coefBytes + this.kernels.scratchBytes(C));
      const at: Addresses = {
        stats: work,
        coef: work + statsBytes,
        scratch: work + statsBytes + coefBytes,
        pred: predAt ?? take(pred.byteLength),
        target: targetAt ?? take(target.byteLength),
        out: gradOut === undefined ? 0 : outAt ?? take(pred.byteLength),
      };
      const buffer = this.memory.buffer;
      if (predAt === null) new Float32Array(buffer, at.pred, pred.length).set(pred);
      if (targetAt === null) sameTypeView(target, buffer, at.target).set(target as never);
      const release = () => { for (const b of blocks) this.arena.free(b); };
      return new WasmJob(this.kernels, plan, at, release, gradOut, outAt !== null, pred.length);
    } catch (error) {
      for (const b of blocks) this.arena.free(b);
      throw error;
    }
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
    if (array.buffer === this.memory.buffer) {
      if (!this.arena.contains(array.byteOffset, array.byteLength)) {
        throw typeError(fn, name, 'is a view of this kernel\'s memory outside any live block from alloc() (was it freed?)');
      }
      return array.byteOffset;
    }
    this.checkAttached(fn, name, array);
    return null;
  }

  checkAttached(fn: string, name: string, array: unknown): void {
    if (ArrayBuffer.isView(array) && this.allocated.has(array) && array.buffer !== this.memory.buffer) {
      throw typeError(fn, name, 'was allocated with alloc() before the WebAssembly memory grew, which detached it; size the memory up front with reserve(bytes), or alloc() again');
    }
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
    if (at === undefined) throw typeError('free', 'array', 'was not allocated by this kernel\'s alloc()');
    this.allocated.delete(array);
    this.arena.free(at);
  }

  reserve(bytes: number): void {
    checkLength('reserve', bytes);
    this.arena.reserve(bytes);
  }
}

/** Where one call's arrays and work areas are in the memory (0: not needed). */
interface Addresses { stats: number; coef: number; scratch: number; pred: number; target: number; out: number }

function sameTypeView(array: Target, buffer: ArrayBuffer, at: number): Target {
  const ctor = array.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => Target;
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
    const squared = plan.squared ? 1 : 0;
    if (plan.targetKind === 'dense') {
      const kernel = plan.targetType === 'f32' ? k.statsDense_f32 : k.statsDense_u8;
      kernel(at.stats, at.pred, at.target, B, C, S, layout, act, squared, at.scratch);
    } else {
      const kernel = plan.targetType === 'u8' ? k.statsLabels_u8 : plan.targetType === 'u16' ? k.statsLabels_u16 : k.statsLabels_i32;
      kernel(at.stats, at.pred, at.target, B, C, S, layout, act, squared, plan.ignoreIndex ?? 0, plan.ignoreIndex === null ? 0 : 1, at.scratch);
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
      kernel(at.out, at.pred, at.target, at.coef, B, C, S, layout, act, at.scratch);
    } else {
      const kernel = plan.targetType === 'u8' ? k.gradLabels_u8 : plan.targetType === 'u16' ? k.gradLabels_u16 : k.gradLabels_i32;
      kernel(at.out, at.pred, at.target, at.coef, B, C, S, layout, act, plan.ignoreIndex ?? 0, plan.ignoreIndex === null ? 0 : 1, at.scratch);
    }
    if (this.outResident) return this.gradOut as Float32Array;
    const result = new Float32Array(buffer, at.out, this.length);
    if (this.gradOut) {
      this.gradOut.set(result);
      return this.gradOut;
    }
    return result.slice();
  }
}
