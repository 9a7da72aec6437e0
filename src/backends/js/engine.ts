// The pure-TypeScript backend: arrays stay where they are; memory is the JS heap.
import type { AllocatableConstructor, HardPrediction, Target } from '../../core/api.js';
import { describe, rangeError, typeError } from '../../core/errors.js';
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
import type { Engine, KernelJob, LovaszJob, SpatialInputs, SpatialJob } from '../engine.js';
import { confusionJS } from './confusion.js';
import { gradJS, pointLossJS, statsJS } from './kernels.js';
import { JsLovaszJob } from './lovasz.js';
import { surfaceJS } from './surface.js';
import { surfelsJS } from './surfels.js';
import { topologyJS } from './topology.js';
import { JsDistanceLossJob, JsSkeletonLossJob } from './spatial.js';
import { componentsJS, dilateJS } from './components.js';
import { classCropsJS, maskDistancesJS } from './instances.js';
import type { ClassCrop, CropPlan, MaskDistanceOptions, MaskDistances } from '../../core/plans.js';
import type { ComponentRecords, ComponentsPlan } from '../../core/plans.js';
import type { ComponentsInput } from '../../core/plans.js';

/** What alloc() makes, on every backend. */
export const ALLOCATABLE: readonly AllocatableConstructor[] = [
  Float32Array,
  Float64Array,
  Uint8Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
];

export function checkAllocatable(ctor: unknown): void {
  if (!ALLOCATABLE.includes(ctor as AllocatableConstructor)) {
    throw typeError(
      'alloc',
      'type',
      `must be one of ${ALLOCATABLE.map((c) => c.name).join(', ')}; got ${describe(ctor)}`,
    );
  }
}

export class JsEngine implements Engine {
  readonly name = 'js' as const;
  readonly memory = undefined;
  /** Arrays alloc() handed out that free() has not taken back. */
  private readonly allocated = new WeakSet<ArrayBufferView>();
  /** Buffers of the arrays freed since: a call that gets one (or a view of one) throws, as on WebAssembly. */
  private readonly released = new WeakSet<ArrayBufferLike>();

  open(_fn: string, plan: TensorPlan, inputs: Inputs, gradOut: Float32Array | null | undefined): KernelJob {
    return {
      stats: () => statsJS(plan, inputs),
      grad: (coef) => {
        const out = gradOut ?? new Float32Array(inputs.pred.length);
        gradJS(plan, inputs, coef, out);
        return out;
      },
      pointLoss: (coef) => {
        const out = gradOut as Float32Array; // kernel 3 always gets the array to write (Engine.pointLoss)
        pointLossJS(plan, inputs, coef, out);
        return out;
      },
      close: () => {},
    };
  }

  confusion(_fn: string, plan: ConfusionPlan, pred: HardPrediction, target: Target): Float64Array {
    return confusionJS(plan, pred, target);
  }

  checkAttached(fn: string, name: string, array: unknown): void {
    if (ArrayBuffer.isView(array) && this.released.has(array.buffer)) {
      throw typeError(fn, name, 'was freed (by free() or at the end of its scope); alloc() another');
    }
  }

  sameMemory(a: ArrayBufferView, b: ArrayBufferView): boolean {
    return a.buffer === b.buffer;
  }

  alloc<C extends AllocatableConstructor>(ctor: C, length: number): InstanceType<C> {
    checkAllocatable(ctor);
    checkLength('alloc', 'length', length);
    let array: InstanceType<C>;
    try {
      array = new ctor(length) as InstanceType<C>;
    } catch (error) {
      throw rangeError('alloc', 'length', `${length} cannot be allocated (${describe(error)})`);
    }
    this.allocated.add(array);
    return array;
  }

  /**
   * Plain arrays that the garbage collector frees; free() only marks them, so that a later use
   * throws as on WebAssembly.
   */
  free(array: ArrayBufferView): void {
    if (!ArrayBuffer.isView(array) || !this.allocated.has(array)) {
      throw typeError('free', 'array', "was not allocated by this kernel's alloc(), or was freed already");
    }
    this.allocated.delete(array);
    this.released.add(array.buffer);
  }

  live(array: ArrayBufferView): boolean {
    return this.allocated.has(array);
  }

  reserve(bytes: number): void {
    checkLength('reserve', 'bytes', bytes);
  }

  openLovasz(_fn: string, plan: LovaszPlan, inputs: LovaszInputs, gradOut: Float32Array | null | undefined): LovaszJob {
    return new JsLovaszJob(plan, inputs, gradOut);
  }

  surface(_fn: string, plan: SurfacePlan, pred: HardPrediction, target: Target): Float64Array {
    return plan.surfel ? surfelsJS(plan, pred, target) : surfaceJS(plan, pred, target);
  }

  topology(_fn: string, plan: TopologyPlan, pred: HardPrediction, target: Target): Float64Array {
    return topologyJS(plan, pred, target);
  }

  openSkeletonLoss(
    _fn: string,
    plan: SpatialPlan,
    inputs: SpatialInputs,
    iterations: number,
    gradOut: Float32Array | null | undefined,
  ): SpatialJob {
    return new JsSkeletonLossJob(plan, inputs, iterations, gradOut);
  }

  openDistanceLoss(
    _fn: string,
    plan: SpatialPlan,
    inputs: SpatialInputs,
    loss: DistanceLoss,
    gradOut: Float32Array | null | undefined,
  ): SpatialJob {
    return new JsDistanceLossJob(plan, inputs, loss, gradOut);
  }

  components(_fn: string, plan: ComponentsPlan, mask: ComponentsInput, labels: Int32Array): ComponentRecords {
    return componentsJS(plan, mask, labels);
  }

  dilate(mask: Uint8Array, dims: readonly number[], iterations: number): Uint8Array {
    let out = mask;
    for (let i = 0; i < iterations; i++) out = dilateJS(out, dims);
    return out;
  }

  classCrops(
    _fn: string,
    plan: CropPlan,
    pred: HardPrediction,
    target: Target,
    visit: (b: number, c: number, crop: ClassCrop) => void,
  ): void {
    classCropsJS(plan, pred, target, visit);
  }

  maskDistances(
    mask: Uint8Array,
    dims: readonly number[],
    rank: number,
    weights: ArrayLike<number>,
    opts: MaskDistanceOptions,
  ): MaskDistances {
    return maskDistancesJS(mask, dims, rank, weights, opts);
  }
}

export function checkLength(fn: string, arg: string, n: unknown): void {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw rangeError(fn, arg, `must be a non-negative integer; got ${describe(n)}`);
  }
}
