// A pair of label volumes as the demo holds them: C order [z, y, x] (x fastest), whatever the
// file's axis order, with the voxel size along each of those axes. Shared by the page and its
// metrics worker.
import { trimShape, type Labels, type Volume } from '../src/cli/formats/volume.js';

export interface Grid3 {
  /** Extents [nz, ny, nx] (x fastest); a 2-D image has nz = 1. */
  dims: [number, number, number];
  /** Voxel size along z, y, x (1 where the file says nothing). */
  spacing: [number, number, number];
  /** Spatial axes the file has (1 to 3): the surfaces of a 2-D image have no z neighbours. */
  rank: number;
}

/** A file's grid: its axes (trailing axes of length 1 dropped) in row-major order, padded to 3. */
export function gridOf(volume: Volume): Grid3 {
  const shape = trimShape(volume.shape);
  if (shape.length > 3) throw new RangeError(`has ${shape.length} axes (${shape.join('×')}); the viewer shows 1 to 3`);
  const axes = [...shape.keys()];
  // A NIfTI's first axis (x) is the fastest in memory: reversed, its axes are row-major.
  if (volume.firstAxisFastest) axes.reverse();
  const dims = axes.map((a) => shape[a]);
  const spacing = axes.map((a) => volume.spacing?.[a] ?? 1).map((s) => (Number.isFinite(s) && s > 0 ? s : 1));
  while (dims.length < 3) {
    dims.unshift(1);
    spacing.unshift(1);
  }
  return { dims: dims as Grid3['dims'], spacing: spacing as Grid3['spacing'], rank: shape.length };
}

/** What the page asks the metrics worker. */
export interface MetricsRequest {
  id: number;
  pred: Labels;
  truth: Labels;
  grid: Grid3;
  numClasses: number;
  tolerance: number;
}

/** The metrics of one class (label ≥ 1 present in either volume). */
export interface ClassMetrics {
  label: number;
  values: Record<string, number>;
  /** The two voxels [z, y, x] that realise the Hausdorff distance (surface voxel, nearest on the other surface). */
  hausdorff: { from: [number, number, number]; to: [number, number, number]; distance: number } | null;
}

export type WorkerMessage =
  | { type: 'progress'; id: number; done: number; total: number; stage: string }
  | {
      type: 'result';
      id: number;
      classes: ClassMetrics[];
      /** Per voxel: the distance of a surface voxel to the other volume's surface of its class (NaN elsewhere). */
      distances: Float32Array;
      backend: string;
      ms: number;
    }
  | { type: 'error'; id: number; message: string };

/** The metrics shown, in table order. */
export const METRICS = ['dice', 'iou', 'precision', 'recall', 'hd', 'hd95', 'assd', 'nsd'] as const;
