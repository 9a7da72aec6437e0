// What a backend provides: the kernels over one call's tensors (1: statistics, 2: gradient,
// 3: pointwise losses), the confusion, surface and Lovász kernels, and memory for them.
import type { AllocatableConstructor, BackendName, HardPrediction, Target } from '../core/api.js';
import type { ArrayOwner } from '../core/arrays.js';
import type {
  ClassCrop,
  ComponentRecords,
  ComponentsInput,
  ComponentsPlan,
  ConfusionPlan,
  CropPlan,
  DistanceLoss,
  LovaszInputs,
  LovaszPlan,
  MaskDistanceOptions,
  MaskDistances,
  SpatialPlan,
  SurfacePlan,
  TopologyPlan,
} from '../core/plans.js';
import type { Inputs, TensorPlan } from '../core/tensors.js';

/** One call's tensors, marshalled once for kernels 1 to 3. */
export interface KernelJob {
  /** Kernel 1: statistics, B·C records of STATS_STRIDE f64 (see core/constants.ts). */
  stats(): Float64Array;
  /** Kernel 2 with coefficients B·C × COEF_STRIDE; returns the gradient (the `out` given to `open`, or a new array). */
  grad(coef: Float64Array): Float32Array;
  /**
   * Kernel 3 with coefficients B·C × COEF_STRIDE (e, f): each element's pointwise loss, or each
   * voxel's for cross-entropy, written to the array given to `open` as `gradOut` (which must be
   * one, of pointLossLength(plan) values); returns it.
   */
  pointLoss(coef: Float64Array): Float32Array;
  /** Releases whatever the job holds; the job is unusable afterwards. */
  close(): void;
}

export interface Engine extends ArrayOwner {
  readonly name: BackendName;
  readonly memory: WebAssembly.Memory | undefined;
  /**
   * Prepares a call: checks where the arrays live and marshals them. `gradOut` is undefined when
   * no gradient will be asked for, null for a new gradient array, or the caller's array (of the
   * gradient, or of kernel 3's losses).
   */
  open(fn: string, plan: TensorPlan, inputs: Inputs, gradOut: Float32Array | null | undefined): KernelJob;
  /** Confusion counts: B·C records of CONF_STRIDE f64 (see core/constants.ts), exact integers. */
  confusion(fn: string, plan: ConfusionPlan, pred: HardPrediction, target: Target): Float64Array;
  alloc<C extends AllocatableConstructor>(ctor: C, length: number): InstanceType<C>;
  free(array: ArrayBufferView): void;
  /** True for an array from alloc that was not freed yet. */
  live(array: ArrayBufferView): boolean;
  reserve(bytes: number): void;
  /** Prepares a call of a Lovász loss; `gradOut` as for `open`. */
  openLovasz(fn: string, plan: LovaszPlan, inputs: LovaszInputs, gradOut: Float32Array | null | undefined): LovaszJob;
  /**
   * Surface records (SURF_STRIDE f64 per (sample, class), core/plans.ts) of the
   * terms the plan marks; the others are left 0 (no surface on either side).
   */
  surface(fn: string, plan: SurfacePlan, pred: HardPrediction, target: Target): Float64Array;
  /**
   * Connected components of each sample of `mask` (src/metrics/instances/components.ts): labels
   * written to `labels` (B·S), the counts and the component records (COMP_STRIDE i32 each) returned.
   */
  components(fn: string, plan: ComponentsPlan, mask: ComponentsInput, labels: Int32Array): ComponentRecords;
  /**
   * `iterations` ≥ 1 steps of binary dilation of a byte mask of dims (x fastest; connectivity 2): a
   * new mask of 0 and 1.
   */
  dilate(mask: Uint8Array, dims: readonly number[], iterations: number): Uint8Array;
  /**
   * Calls `visit` with the class mask of each term the plan marks, cropped to its box
   * (src/metrics/instances/plan.ts).
   */
  classCrops(
    fn: string,
    plan: CropPlan,
    pred: HardPrediction,
    target: Target,
    visit: (b: number, c: number, crop: ClassCrop) => void,
  ): void;
  /**
   * Surface distances between the MASK_PRED and MASK_TARGET masks of a small mask of dims (x fastest);
   * `weights` the squared spacings along x, y, z.
   */
  maskDistances(
    mask: Uint8Array,
    dims: readonly number[],
    rank: number,
    weights: ArrayLike<number>,
    opts: MaskDistanceOptions,
  ): MaskDistances;
  /**
   * Topology records (TOPO_STRIDE f64 per (sample, class), core/constants.ts) of the terms the
   * plan marks: skeleton and boundary-band counts of each term's class mask; the others are 0.
   */
  topology(fn: string, plan: TopologyPlan, pred: HardPrediction, target: Target): Float64Array;
  /**
   * Prepares a call of the soft clDice loss: the soft skeletons (`iterations`) of each term's
   * probabilities and target; `gradOut` as for `open`.
   */
  openSkeletonLoss(
    fn: string,
    plan: SpatialPlan,
    inputs: SpatialInputs,
    iterations: number,
    gradOut: Float32Array | null | undefined,
  ): SpatialJob;
  /** Prepares a call of a distance-weighted loss (Hausdorff-DT, boundary); `gradOut` as for `open`. */
  openDistanceLoss(
    fn: string,
    plan: SpatialPlan,
    inputs: SpatialInputs,
    loss: DistanceLoss,
    gradOut: Float32Array | null | undefined,
  ): SpatialJob;
}

/** The arrays of a call of a loss on whole class volumes. */
export interface SpatialInputs {
  pred: Float32Array;
  target: Target;
}

/**
 * One call of a loss on whole class volumes: sums per (sample, class) term, then the gradient
 * from coefficients per term.
 */
export interface SpatialJob {
  /**
   * The sums of each (sample, class) term the plan marks: SKEL_STRIDE values for the soft
   * clDice loss (core/plans.ts), one for a distance loss (Σ (p − y)²·w, or Σ p·φ); others 0.
   */
  sums(): Float64Array;
  /**
   * The gradient, for coefficients per term (SKEL_COEF_STRIDE for clDice: ∂L/∂ each sum; one for
   * a distance loss: ∂L/∂ its sum): the `out` given when opening, or a new array.
   */
  grad(coef: Float64Array): Float32Array;
  close(): void;
}

/** What one list of Lovász errors holds (see assembly/lovasz.ts). */
export interface LovaszCounts {
  /** Listed voxels of the foreground (of the class). */
  foreground: number;
  /** Listed voxels whose target is none of the values expected (bad input). */
  other: number;
}

/**
 * One call of a Lovász loss: the errors of one (set of samples, class) at a time are listed,
 * sorted and walked; ∂loss/∂p accumulates in the job until `grad`.
 */
export interface LovaszJob {
  /** Lists the errors of class c over samples [b0, b1) (class 0 for the hinge). */
  list(b0: number, b1: number, c: number): LovaszCounts;
  /**
   * Sorts the listed errors, descending, and returns Σ_k max(e_k, 0)·g_k (the Lovász extension
   * of the Jaccard loss); with a gradient, ±g_k goes to ∂/∂p of each listed voxel with e_k > 0.
   */
  walk(foreground: number): number;
  /** The gradient, out = J_act(scale[b·C + c] · ∂/∂p): the `out` given to `openLovasz`, or a new array. */
  grad(scale: Float64Array): Float32Array;
  /** Releases whatever the job holds; the job is unusable afterwards. */
  close(): void;
}
