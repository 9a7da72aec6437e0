// Public types of the instance-level functions (connected components, lesion-wise metrics,
// panoptic quality) and the record layout of the components kernel (assembly/constants.ts,
// checked by test/instances/contract.test.ts).
import type { MetricReduction, Spacing } from '../../api.js';

/** A mask (non-zero = in it) or a label map whose components are wanted. */
export type ComponentsInput = Uint8Array | Uint16Array | Int32Array | Float32Array;

/** Which neighbours join a voxel: 2 in 1D; 4 (faces) or 8 (and corners) in 2D; 6, 18 (and edges) or 26 (and corners) in 3D. */
export type Connectivity = 2 | 4 | 6 | 8 | 18 | 26;

export interface ConnectedComponentsOptions {
  /** `[B, ...spatial]`, 1 to 3 spatial axes (required). */
  shape: readonly number[];
  /** Default: faces only (2, 4 or 6: scipy.ndimage.label's default structuring element). */
  connectivity?: number;
  /** Components of fewer voxels are dropped (labelled 0; the others renumbered in order). Default 1. */
  minSize?: number;
  /**
   * Components of each class of a label map (Uint8Array, Uint16Array, Int32Array): voxels join only
   * neighbours of the same non-zero label (scikit-image's `label`). Default false: every non-zero
   * voxel is one mask (scipy's `label`).
   */
  perClass?: boolean;
  /** An Int32Array of B·S voxels to write the labels to (e.g. from `k.alloc`), instead of a new one. */
  out?: Int32Array;
}

export interface ConnectedComponents {
  /** Per voxel (B·S, as the input): 0 for background, else 1…counts[b] in the raster order of each component's first voxel. */
  labels: Int32Array;
  /** Components per sample (B). */
  counts: Int32Array;
  /** Voxels of each component, sample after sample: component j of sample b at index Σ_{b' < b} counts[b'] + j − 1. */
  sizes: Int32Array;
  /** Per component (same order), its half-open box along each spatial axis in the order of `shape`: start, stop, start, stop, … */
  boxes: Int32Array;
  /** Per component, the label of its voxels (only with `perClass`). */
  values?: Int32Array;
}

export const COMP_SIZE = 0;
export const COMP_X0 = 1;
export const COMP_X1 = 2;
export const COMP_Y0 = 3;
export const COMP_Y1 = 4;
export const COMP_Z0 = 5;
export const COMP_Z1 = 6;
export const COMP_VALUE = 7;
export const COMP_STRIDE = 8;

/** Reductions of lesion-wise metrics: MONAI's, over the (sample × class) table. */
export type InstanceReduction = MetricReduction;
export type { Spacing };
