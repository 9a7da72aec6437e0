// The slice viewer: one plane of the pair (axial: z fixed; coronal: y fixed; sagittal: x fixed),
// each voxel coloured by what it is in the pair — true positive, false positive or false negative
// of its class, in that class's colour — or, with the distance map on, each surface voxel by its
// distance to the other surface. Drawn at the voxel spacing's aspect; the two voxels realising a
// class's Hausdorff distance are circled when the slice holds them.
import type { Labels } from '../src/cli/formats/volume.js';
import type { ClassMetrics, Grid3 } from './geometry.js';

export type Plane = 'axial' | 'coronal' | 'sagittal';
export type Kind = 'tp' | 'fp' | 'fn';

/** Hue of each class (label 1, 2, …: cycled), chosen apart and readable on the dark background. */
const HUES = [140, 30, 200, 300, 55, 0, 260, 170];
/** Lightness of each kind: TP the class colour, FP light, FN dark. */
const LIGHTNESS: Record<Kind, number> = { tp: 45, fp: 78, fn: 28 };
const BACKGROUND: [number, number, number] = [17, 17, 17];

export function classColour(label: number, kind: Kind): [number, number, number] {
  return hslToRgb(HUES[(label - 1) % HUES.length], 70, LIGHTNESS[kind]);
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** Distance colour ramp: 0 green, half the largest yellow, the largest red. */
export function distanceColour(d: number, max: number): [number, number, number] {
  const t = max > 0 ? Math.min(d / max, 1) : 0;
  return t < 0.5 ? [Math.round(510 * t), 200, 40] : [230, Math.round(200 * (2 - 2 * t)), 40];
}

export interface Scene {
  grid: Grid3;
  pred: Labels;
  truth: Labels;
  distances: Float32Array | null;
  classes: ClassMetrics[];
}

/** Slice count of each plane. */
export function slices(grid: Grid3, plane: Plane): number {
  const [nz, ny, nx] = grid.dims;
  return plane === 'axial' ? nz : plane === 'coronal' ? ny : nx;
}

/** The voxel index at column u, row v of slice s of the plane, and the plane's size and voxel aspect. */
function layout(grid: Grid3, plane: Plane) {
  const [nz, ny, nx] = grid.dims;
  const [sz, sy, sx] = grid.spacing;
  // Axial: x across, y down. Coronal and sagittal: z up (the last slice at the top).
  if (plane === 'axial')
    return { w: nx, h: ny, du: sx, dv: sy, at: (u: number, v: number, s: number) => (s * ny + v) * nx + u };
  if (plane === 'coronal')
    return { w: nx, h: nz, du: sx, dv: sz, at: (u: number, v: number, s: number) => ((nz - 1 - v) * ny + s) * nx + u };
  return { w: ny, h: nz, du: sy, dv: sz, at: (u: number, v: number, s: number) => ((nz - 1 - v) * ny + u) * nx + s };
}

/** Where voxel [z, y, x] falls in the plane: its slice and (column, row). */
function project(grid: Grid3, plane: Plane, [z, y, x]: readonly number[]): { s: number; u: number; v: number } {
  const nz = grid.dims[0];
  if (plane === 'axial') return { s: z, u: x, v: y };
  if (plane === 'coronal') return { s: y, u: x, v: nz - 1 - z };
  return { s: x, u: y, v: nz - 1 - z };
}

export interface Drawn {
  /** Voxels of each colour drawn, as 'r,g,b' → count (the test reads it). */
  tally: Record<string, number>;
  /** Hausdorff voxels circled in this slice. */
  marks: number;
}

/** Draws slice `s` of `plane` into `canvas`, `scale` screen pixels per spacing unit at most `maxWidth` wide. */
export function draw(
  canvas: HTMLCanvasElement,
  scene: Scene,
  plane: Plane,
  s: number,
  showDistances: boolean,
  maxWidth: number,
): Drawn {
  const { w, h, du, dv, at } = layout(scene.grid, plane);
  const image = new ImageData(w, h);
  const tally: Record<string, number> = {};
  let maxDistance = 0;
  if (showDistances && scene.distances) for (const d of scene.distances) if (d > maxDistance) maxDistance = d;
  for (let v = 0; v < h; v++) {
    for (let u = 0; u < w; u++) {
      const i = at(u, v, s);
      const p = scene.pred[i],
        t = scene.truth[i];
      let rgb = BACKGROUND;
      if (showDistances && scene.distances) {
        const d = scene.distances[i];
        if (!Number.isNaN(d)) rgb = distanceColour(d, maxDistance);
        else if (p !== 0 || t !== 0) rgb = [60, 60, 60];
      } else if (p !== 0 && p === t) rgb = classColour(p, 'tp');
      else if (p !== 0) rgb = classColour(p, 'fp');
      else if (t !== 0) rgb = classColour(t, 'fn');
      const key = rgb.join(',');
      tally[key] = (tally[key] ?? 0) + 1;
      image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * (v * w + u));
    }
  }
  // Screen size: the plane's physical size, scaled to fit maxWidth (at least 2 pixels per voxel where it fits).
  const physicalW = w * du,
    physicalH = h * dv;
  const scale = Math.min(maxWidth / physicalW, 640 / physicalH);
  canvas.width = Math.max(1, Math.round(physicalW * scale));
  canvas.height = Math.max(1, Math.round(physicalH * scale));
  const source = document.createElement('canvas');
  source.width = w;
  source.height = h;
  source.getContext('2d')?.putImageData(image, 0, 0);
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  context.imageSmoothingEnabled = false;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  let marks = 0;
  context.lineWidth = 2;
  for (const c of scene.classes) {
    if (c.hausdorff === null) continue;
    for (const voxel of [c.hausdorff.from, c.hausdorff.to]) {
      const p = project(scene.grid, plane, voxel);
      if (p.s !== s) continue;
      marks++;
      const r = Math.max(6, 1.5 * du * scale);
      context.strokeStyle = '#ffffff';
      context.beginPath();
      context.arc((p.u + 0.5) * du * scale, (p.v + 0.5) * dv * scale, r, 0, 2 * Math.PI);
      context.stroke();
    }
  }
  return { tally, marks };
}

/** The slice of `plane` that holds voxel [z, y, x]. */
export function sliceOf(grid: Grid3, plane: Plane, voxel: readonly number[]): number {
  return project(grid, plane, voxel).s;
}
