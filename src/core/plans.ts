// The plans the engines carry out: what a backend needs to know about one call's arrays, made
// by losses/ and metrics/ once the options are resolved and the arrays checked (the overlap and
// pointwise losses' plan, TensorPlan, is in tensors.ts), and the surface record the engines fill.
import type { Layout, SkeletonMethod, Target, TargetKind } from './api.js';
import { DIST_STRIDE } from './constants.js';
import type { TargetType } from './tensors.js';

// ---------------------------------------------------------------------------------------------
// Confusion counts (metrics/plan.ts plans them).

export type LabelType = 'u8' | 'u16' | 'i32';

/** How the prediction is read. `threshold` is already in pred's units (a logit under 'sigmoid') and rounded to f32. */
export type PredPlan =
  | { kind: 'labels'; type: LabelType }
  | { kind: 'dense'; type: 'u8' | 'f32'; decision: 'argmax' | 'threshold' | 'nonzero'; threshold: number };

export type TargetPlan =
  | { kind: 'labels'; type: LabelType; ignoreIndex: number | null }
  | { kind: 'dense'; type: 'u8' | 'f32' };

/** Everything a backend needs to count one call's arrays. */
export interface ConfusionPlan {
  B: number;
  C: number;
  /** Voxels per sample. */
  S: number;
  /** Where the class axis of the dense tensors is. */
  layout: Layout;
  pred: PredPlan;
  target: TargetPlan;
}

// ---------------------------------------------------------------------------------------------
// Surface distances (metrics/surface-plan.ts plans them).

/**
 * The surface record of one (sample, class), f64 slots: the distance record (DIST_*) of the
 * prediction's surface towards the target's, the target's towards the prediction's, then the
 * percentile of each direction's distances (NaN when not asked for or not measured).
 */
export const SURF_PRED = 0;
export const SURF_TARGET = DIST_STRIDE;
export const SURF_PRED_PERCENTILE = 2 * DIST_STRIDE;
export const SURF_TARGET_PERCENTILE = 2 * DIST_STRIDE + 1;
export const SURF_STRIDE = 2 * DIST_STRIDE + 2;

export interface SurfacePlan {
  arrays: ConfusionPlan;
  /** Spatial extents fastest first (x = the last axis of the shape), 1 for axes the image has not. */
  dims: [number, number, number];
  /** Spatial axes: 1, 2 or 3. */
  rank: number;
  /**
   * Per sample, the squared spacing along x, y, z (memory order), in units of `scale`: B × 3.
   * Distances are measured in those units and multiplied by `scale` afterwards
   * (metrics/surface-plan.ts rescaleRecords).
   */
  weights: Float64Array;
  /**
   * A power of two ≥ the largest spacing: the kernels measure in its units, so that squared
   * distances stay in float32's range whatever the spacing's unit (scaling by a power of two is
   * exact: the numbers are those of the spacing as given).
   */
  scale: number;
  /** NSD tolerance of each class (0 when NSD is not asked for), in units of `scale`. */
  tolerance: Float64Array;
  /** The percentile to report per direction, or null. */
  percentile: number | null;
  /** The percentile of both directions' distances pooled, reported in both slots (MedPy's hd95). */
  pooled: boolean;
  /** How many axes a neighbour that decides the surface may move along: 1 (faces), 2 or 3. */
  reach: number;
  /**
   * Surfels (DeepMind's surface-distance): distances between the corners of the voxel grid whose
   * 2 × 2 (× 2) cell the surface crosses, each weighted by its surface's measure (math/surfels.ts).
   */
  surfel: boolean;
  /** Measure the target's surface towards the prediction's too (else only P → G). */
  symmetric: boolean;
  /** 1 where the (sample, class) term is measured: some voxel of the class on either side, and the class included. */
  terms: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// The Lovász losses (losses/lovasz.ts plans them).

/** Everything the engines need to know about one Lovász call's tensors. */
export interface LovaszPlan {
  B: number;
  /** Classes; 1 for the hinge. */
  C: number;
  /** Voxels per sample; for the hinge, elements of pred per sample. */
  S: number;
  layout: Layout;
  activation: 'none' | 'softmax';
  /** `'binary'`: one 0/1 value per element of pred (the hinge); else as the other losses. */
  targetKind: TargetKind | 'binary';
  targetType: TargetType;
  ignoreIndex: number | null;
  /** Voxels of the largest set: S with perImage, else B·S. */
  setLength: number;
}

export interface LovaszInputs {
  pred: Float32Array;
  target: Target;
}

// ---------------------------------------------------------------------------------------------
// Topology and boundary metrics (metrics/topology-plan.ts plans them): skeletons (clDice) and
// boundary bands (Boundary IoU) of each term's class mask, counted in TOPO_STRIDE records.

/** How the boundary band of a mask is measured: its voxels within a distance of the outside. */
export type BandPlan =
  | { kind: 'chessboard' /** Per sample, the erosion radii along x, y, z (memory order): B × 3. */; radii: Int32Array }
  | {
      kind: 'euclidean';
      /** Per sample, the squared spacing along x, y, z: B × 3. */
      weights: Float64Array;
      /** Per sample, the largest squared distance in the band. */
      limits: Float64Array;
    };

export interface TopologyPlan {
  arrays: ConfusionPlan;
  /** Spatial extents fastest first (x = the last axis of the shape), 1 for axes the image has not. */
  dims: [number, number, number];
  rank: number;
  /** Count skeleton voxels (clDice), thinning by that method; null: no skeletons. */
  skeleton: SkeletonMethod | null;
  /** Count band voxels (Boundary IoU), or not. */
  band: BandPlan | null;
  /** 1 where the (sample, class) term is measured. */
  terms: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Losses on whole class volumes: the soft clDice loss (losses/cldice.ts) and the distance-weighted
// losses (losses/distance.ts) plan them.

/** The tensors of a call of a loss that works on whole class volumes. */
export interface SpatialPlan {
  B: number;
  C: number;
  /** Voxels per sample. */
  S: number;
  /** Spatial extents fastest first (x = the last axis of the shape), 1 for axes the image has not. */
  dims: [number, number, number];
  /** Spatial axes: 1, 2 or 3. */
  rank: number;
  layout: Layout;
  activation: 'none' | 'sigmoid' | 'softmax';
  targetKind: TargetKind;
  targetType: TargetType;
  /** 1 where the (sample, class) term is computed (its class is included). */
  terms: Uint8Array;
}

/** The record of one (sample, class) of the soft clDice loss (SKEL_* slots, f64). */
export const SKEL_A = 0; // Σ skel(p)·y
export const SKEL_B = 1; // Σ skel(p)
export const SKEL_C = 2; // Σ skel(y)·p
export const SKEL_D = 3; // Σ skel(y)
export const SKEL_I = 4; // Σ p·y
export const SKEL_P = 5; // Σ p
export const SKEL_G = 6; // Σ y
export const SKEL_STRIDE = 7;
/** Coefficients of one (sample, class): ∂L/∂ each of the first six sums (SKEL_A … SKEL_P). */
export const SKEL_COEF_STRIDE = 6;

/** A distance-weighted loss: its kind and, per sample, the squared spacing along x, y, z (B × 3). */
export type DistanceLoss =
  | { kind: 'hausdorff'; alpha: number; weights: Float64Array }
  | { kind: 'boundary'; weights: Float64Array };

// ---------------------------------------------------------------------------------------------
// Instance-level metrics: connected components (metrics/instances/components.ts plans them), class
// masks cropped to their box and the surface distances of a small mask (metrics/instances/).

/** A mask (non-zero = in it) or a label map whose components are wanted. */
export type ComponentsInput = Uint8Array | Uint16Array | Int32Array | Float32Array;
export type ComponentsType = 'u8' | 'u16' | 'i32' | 'f32';

/** One labelling: how many samples of which grid, and the rule. */
export interface ComponentsPlan {
  B: number;
  /** Voxels per sample. */
  S: number;
  /** Spatial extents fastest first (x = the last axis of the shape), 1 for axes the image has not. */
  dims: [number, number, number];
  /** Spatial axes: 1, 2 or 3. */
  rank: number;
  connectivity: number;
  minSize: number;
  perClass: boolean;
  type: ComponentsType;
}

/** What an engine returns: components per sample, and their records (COMP_STRIDE i32 each, sample after sample). */
export interface ComponentRecords {
  counts: Int32Array;
  records: Int32Array;
}

/** Which terms to crop, from which arrays, on which grid. */
export interface CropPlan {
  arrays: ConfusionPlan;
  /** Spatial extents fastest first (x = the last axis of the shape), 1 for axes the image has not. */
  dims: [number, number, number];
  /** Spatial axes: 1, 2 or 3. */
  rank: number;
  /** 1 where the (sample, class) term is wanted. */
  terms: Uint8Array;
}

/**
 * The class mask of one term (MASK_PRED where the prediction says the class, MASK_TARGET where
 * the target does; ignored voxels 0) inside the box of its marked voxels: `dims` voxels (x
 * fastest) whose first is at `origin` of the image. An empty term has dims [0, 0, 0].
 */
export interface ClassCrop {
  mask: Uint8Array;
  dims: [number, number, number];
  origin: [number, number, number];
}

export interface MaskDistanceOptions {
  /** NSD tolerance (within counts). */
  tolerance: number;
  /** Percentile of each direction's distances to compute, or null. */
  percentile: number | null;
  /** Return each direction's distances too. */
  list: boolean;
  /**
   * How many axes a neighbour that decides the surface may move along: 1 (faces: the surface
   * metrics' and MONAI's rule), 2 or 3 (scipy's generate_binary_structure(rank, reach), MedPy's
   * `connectivity`).
   */
  reach: number;
}

/**
 * The distances of one direction, from the `count` voxels of one surface to another of `other` voxels
 * (math/surface.ts's Directed).
 */
export interface DirectedDistances {
  count: number;
  other: number;
  sum: number;
  max: number;
  within: number;
  /** The percentile asked for (NaN when none was). */
  percentile: number;
  /** The distances (spacing units) when listed, else null. */
  distances: Float64Array | null;
}

/** From the prediction's surface to the target's (`pred`) and back (`target`). */
export interface MaskDistances {
  pred: DirectedDistances;
  target: DirectedDistances;
}
