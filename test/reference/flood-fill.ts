// Connected components by brute force, from the definition and independent of src/: a voxel's
// neighbours are the voxels at most one step away along every axis and moving along at most
// `reach` axes (1: faces, 2: edges — 2D corners —, 3: 3D corners); scanning the voxels in
// raster order (last axis fastest), each unvisited voxel of the mask starts a component that a
// breadth-first flood fill collects, so components are numbered in the raster order of their
// first voxel.

/** The number of axes a neighbour may move along, for a connectivity of `rank` spatial axes. */
export function reachOf(connectivity: number, rank: number): number {
  const table: Record<number, Record<number, number>> = { 1: { 2: 1 }, 2: { 4: 1, 8: 2 }, 3: { 6: 1, 18: 2, 26: 3 } };
  const reach = table[rank]?.[connectivity];
  if (reach === undefined) throw new Error(`no connectivity ${connectivity} in ${rank}D`);
  return reach;
}

export interface Flooded {
  labels: Int32Array;
  count: number;
  sizes: number[];
  /** Per component, per spatial axis (shape order): [start, stop). */
  boxes: number[][];
  /** Per component, the value of its voxels. */
  values: number[];
}

/**
 * Labels one sample of `spatial` extents. `value(i)` is 0 outside the mask; voxels join when
 * their values are equal (pass values 0/1 for a plain mask).
 */
export function floodFill(
  value: (i: number) => number,
  spatial: readonly number[],
  connectivity: number,
  minSize = 1,
): Flooded {
  const rank = spatial.length;
  const reach = reachOf(connectivity, rank);
  const n = spatial.reduce((a, d) => a * d, 1);
  const steps: number[][] = [];
  for (let code = 0; code < 3 ** rank; code++) {
    const step = Array.from({ length: rank }, (_, a) => (Math.floor(code / 3 ** a) % 3) - 1);
    const moved = step.filter((s) => s !== 0).length;
    if (moved > 0 && moved <= reach) steps.push(step);
  }
  const coords = (i: number): number[] => {
    const at = new Array<number>(rank);
    for (let a = rank - 1; a >= 0; a--) {
      at[a] = i % spatial[a];
      i = Math.floor(i / spatial[a]);
    }
    return at;
  };
  const index = (at: number[]): number => at.reduce((i, v, a) => i * spatial[a] + v, 0);
  const labels = new Int32Array(n);
  const members: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (value(i) === 0 || labels[i] !== 0) continue;
    const label = members.length + 1;
    const queue = [i];
    labels[i] = label;
    for (let head = 0; head < queue.length; head++) {
      const at = coords(queue[head]);
      for (const step of steps) {
        const next = at.map((v, a) => v + step[a]);
        if (next.some((v, a) => v < 0 || v >= spatial[a])) continue;
        const j = index(next);
        if (labels[j] === 0 && value(j) === value(i)) {
          labels[j] = label;
          queue.push(j);
        }
      }
    }
    members.push(queue);
  }
  // Drop the small ones, keep the order.
  const kept = members.filter((m) => m.length >= minSize);
  labels.fill(0);
  kept.forEach((m, c) => {
    for (const i of m) labels[i] = c + 1;
  });
  return {
    labels,
    count: kept.length,
    sizes: kept.map((m) => m.length),
    boxes: kept.map((m) => {
      const at = m.map(coords);
      return Array.from({ length: rank }, (_, a) => [
        Math.min(...at.map((p) => p[a])),
        Math.max(...at.map((p) => p[a])) + 1,
      ]).flat();
    }),
    values: kept.map((m) => value(m[0])),
  };
}
