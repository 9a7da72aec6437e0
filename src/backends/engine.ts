// What a backend provides: the two kernels over one call's tensors, and memory for them.
import type { AllocatableConstructor, BackendName, HardPrediction, Target } from '../api.js';
import type { TensorPlan } from '../losses/tensors.js';
import type { ConfusionPlan } from '../metrics/plan.js';

/** One call's tensors, marshalled once for both kernels. */
export interface KernelJob {
  /** Kernel 1: statistics, B·C records of STATS_STRIDE f64 (see api.ts). */
  stats(): Float64Array;
  /** Kernel 2 with coefficients B·C × COEF_STRIDE; returns the gradient (the `out` given to `open`, or a new array). */
  grad(coef: Float64Array): Float32Array;
  /** Releases whatever the job holds; the job is unusable afterwards. */
  close(): void;
}

export interface Engine {
  readonly name: BackendName;
  readonly memory: WebAssembly.Memory | undefined;
  /**
   * Prepares a call: checks where the arrays live and marshals them. `gradOut` is undefined when
   * no gradient will be asked for, null for a new gradient array, or the caller's array.
   */
  open(fn: string, plan: TensorPlan, pred: Float32Array, target: Target, gradOut: Float32Array | null | undefined): KernelJob;
  /** Confusion counts: B·C records of CONF_STRIDE f64 (see api.ts), exact integers. */
  confusion(fn: string, plan: ConfusionPlan, pred: HardPrediction, target: Target): Float64Array;
  /** Throws if `array` came from this engine's alloc() but no longer views its memory (detached by a grow). */
  checkAttached(fn: string, name: string, array: unknown): void;
  alloc<C extends AllocatableConstructor>(ctor: C, length: number): InstanceType<C>;
  free(array: ArrayBufferView): void;
  reserve(bytes: number): void;
}
