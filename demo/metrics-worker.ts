// The demo's metrics worker: the overlap metrics (k.metrics), the surface distances
// (k.surfaceMetrics) and, for the page's distance colouring and Hausdorff marks, each surface
// voxel's distance to the other surface by the JS backend's exact distance transform (the
// reference the WebAssembly surface kernels are tested against). Off the page's thread, so the
// page never freezes; progress is posted per stage.
import { loadDice } from '../src/index.js';
import { distancesToSurface, maskBox, surfaceBits } from '../src/backends/js/surface.js';
import {
  BOX_X0,
  BOX_X1,
  BOX_Y0,
  BOX_Y1,
  BOX_Z0,
  EDGE_PRED,
  EDGE_TARGET,
  MASK_PRED,
  MASK_TARGET,
} from '../src/core/constants.js';
import { METRICS, type ClassMetrics, type MetricsRequest, type WorkerMessage } from './geometry.js';

const scope = self as unknown as {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<MetricsRequest>) => void) | null;
};
const kernel = loadDice();

scope.onmessage = (event) => {
  const request = event.data;
  measure(request).catch((error: unknown) =>
    scope.postMessage({
      type: 'error',
      id: request.id,
      message: error instanceof Error ? error.message : String(error),
    }),
  );
};

async function measure({ id, pred, truth, grid, numClasses, tolerance }: MetricsRequest): Promise<void> {
  const t0 = performance.now();
  const k = await kernel;
  const total = 2 + (numClasses - 1);
  const progress = (done: number, stage: string) => scope.postMessage({ type: 'progress', id, done, total, stage });
  progress(0, 'overlap metrics');
  const [nz, ny, nx] = grid.dims;
  const shape = [1, ...grid.dims.slice(3 - grid.rank)];
  const spacing = grid.spacing.slice(3 - grid.rank);
  const common = { numClasses, shape, includeBackground: false } as const;
  const counts = k.confusion(pred, truth, { numClasses });
  const overlap = k.metrics(pred, truth, { ...common, metrics: ['dice', 'iou', 'precision', 'recall'] });
  progress(1, 'surface distances');
  const surface = k.surfaceMetrics(pred, truth, {
    ...common,
    spacing,
    metrics: ['hd', 'hd95', 'assd', 'nsd'],
    tolerance,
  });
  const values = { ...overlap, ...surface } as Record<string, Float64Array>;
  const distances = new Float32Array(pred.length).fill(Number.NaN);
  const mask = new Uint8Array(pred.length);
  const weights = [grid.spacing[2] ** 2, grid.spacing[1] ** 2, grid.spacing[0] ** 2];
  const classes: ClassMetrics[] = [];
  for (let c = 1; c < numClasses; c++) {
    progress(1 + c, `distance map of class ${c}`);
    if (counts.tp[c] + counts.fp[c] + counts.fn[c] === 0) continue;
    for (let i = 0; i < mask.length; i++)
      mask[i] = (pred[i] === c ? MASK_PRED : 0) | (truth[i] === c ? MASK_TARGET : 0);
    const g = { nx, ny, nz, rank: grid.rank };
    const box = maskBox(mask, g);
    const edges = surfaceBits(mask, box, g);
    let hausdorff: ClassMetrics['hausdorff'] = null;
    if (edges.pred > 0 && edges.target > 0) {
      const cx = box[BOX_X1] - box[BOX_X0],
        cy = box[BOX_Y1] - box[BOX_Y0];
      const toVolume = (b: number) => {
        const x = box[BOX_X0] + (b % cx),
          y = box[BOX_Y0] + (Math.floor(b / cx) % cy),
          z = box[BOX_Z0] + Math.floor(b / (cx * cy));
        return (z * ny + y) * nx + x;
      };
      let worst = { at: -1, distance: -1, feature: 0 };
      for (const [feature, query] of [
        [EDGE_TARGET, EDGE_PRED],
        [EDGE_PRED, EDGE_TARGET],
      ]) {
        const m = distancesToSurface(mask, feature, query, box, g, weights, tolerance, true);
        const voxels = m.voxels as Uint32Array,
          list = m.distances as Float64Array;
        for (let j = 0; j < voxels.length; j++) {
          const at = toVolume(voxels[j]);
          distances[at] = Number.isNaN(distances[at]) ? list[j] : Math.max(distances[at], list[j]);
          if (list[j] > worst.distance) worst = { at, distance: list[j], feature };
        }
      }
      // The nearest voxel of the other surface to the farthest one: a search over that surface.
      const coords = (i: number): [number, number, number] => [
        Math.floor(i / (nx * ny)),
        Math.floor(i / nx) % ny,
        i % nx,
      ];
      const from = coords(worst.at);
      let best = { at: -1, d2: Number.POSITIVE_INFINITY };
      for (let i = 0; i < mask.length; i++) {
        if ((mask[i] & worst.feature) === 0) continue;
        const [z, y, x] = coords(i);
        const d2 = weights[2] * (z - from[0]) ** 2 + weights[1] * (y - from[1]) ** 2 + weights[0] * (x - from[2]) ** 2;
        if (d2 < best.d2) best = { at: i, d2 };
      }
      hausdorff = { from, to: coords(best.at), distance: worst.distance };
    }
    classes.push({ label: c, values: Object.fromEntries(METRICS.map((m) => [m, values[m][c]])), hausdorff });
  }
  progress(total, 'done');
  scope.postMessage({ type: 'result', id, classes, distances, backend: k.backend, ms: performance.now() - t0 }, [
    distances.buffer,
  ]);
}
