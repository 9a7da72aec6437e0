// The surface kernels on their own, on every implementation (the SIMD and scalar WebAssembly
// builds called through their exports, and the TypeScript reference): the box of a class mask,
// its surfaces against a brute-force neighbour check, and the exact Euclidean distance
// transform against a brute-force O(n²) search, on random 1D–3D masks with random spacing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BOX_STRIDE,
  DIST_COUNT,
  DIST_MAX,
  DIST_STRIDE,
  DIST_SUM,
  DIST_WITHIN,
  EDGE_PRED,
  EDGE_TARGET,
  MASK_PRED,
  MASK_TARGET,
} from '../../src/core/constants.js';
import { distancesToSurface, maskBox, surfaceBits, type Grid } from '../../src/backends/js/surface.js';
import type { DiceExports } from '../../src/backends/wasm/exports.generated.js';
import { wasmBytes } from '../../src/runtime/binaries.js';
import { bruteDistances, bruteSurface, coordinates, withinRange } from '../reference/surface.js';

interface Measured {
  sum: number;
  max: number;
  within: number;
  distances: Map<number, number>;
}

/** The three kernels as each implementation runs them, on masks in plain arrays. */
interface SurfaceKernels {
  name: string;
  box(mask: Uint8Array, grid: Grid): Int32Array;
  /** Returns the mask with its edge bits, and the edge counts. */
  surface(mask: Uint8Array, box: Int32Array, grid: Grid): { mask: Uint8Array; pred: number; target: number };
  /** The listed distances by box index. */
  distances(
    mask: Uint8Array,
    feature: number,
    query: number,
    box: Int32Array,
    grid: Grid,
    weights: number[],
    tolerance: number,
  ): Measured;
}

const typescript: SurfaceKernels = {
  name: 'js',
  box: (mask, grid) => maskBox(mask, grid),
  surface: (mask, box, grid) => {
    const copy = mask.slice();
    return { mask: copy, ...surfaceBits(copy, box, grid) };
  },
  distances: (mask, feature, query, box, grid, weights, tolerance) => {
    const m = distancesToSurface(mask, feature, query, box, grid, weights, tolerance, true);
    return {
      sum: m.sum,
      max: m.max,
      within: m.within,
      distances: new Map(Array.from(m.voxels!, (v, i) => [v, m.distances![i]])),
    };
  },
};

function webAssembly(flavor: 'simd' | 'scalar'): SurfaceKernels {
  const k = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(flavor)), {}).exports as unknown as DiceExports;
  const base = Math.ceil(k.heapBase() / 64) * 64;
  /** Lays out the call's areas after the module's data, growing the memory to hold them. */
  const layout = (S: number, grid: Grid) => {
    const end0 = base + Math.ceil(S / 64) * 64;
    const at = { mask: base, box: end0, rec: end0 + 64, pairs: end0 + 128, work: 0 };
    at.work = at.pairs + 8 * S + 64;
    const end = at.work + k.distanceWorkBytes(grid.nx, grid.ny, grid.nz);
    if (end > k.memory.buffer.byteLength) k.memory.grow(Math.ceil((end - k.memory.buffer.byteLength) / 65536));
    return at;
  };
  const put = (mask: Uint8Array, box: Int32Array | null, grid: Grid) => {
    const at = layout(mask.length, grid);
    new Uint8Array(k.memory.buffer, at.mask, mask.length).set(mask);
    if (box) new Int32Array(k.memory.buffer, at.box, BOX_STRIDE).set(box);
    return at;
  };
  return {
    name: flavor,
    box: (mask, grid) => {
      const at = put(mask, null, grid);
      k.maskBox(at.box, at.mask, grid.nx, grid.ny, grid.nz);
      return new Int32Array(k.memory.buffer, at.box, BOX_STRIDE).slice();
    },
    surface: (mask, box, grid) => {
      const at = put(mask, box, grid);
      k.surfaceBits(at.rec, at.mask, at.box, grid.nx, grid.ny, grid.nz, grid.rank);
      const rec = new Float64Array(k.memory.buffer, at.rec, 2 * DIST_STRIDE);
      return {
        mask: new Uint8Array(k.memory.buffer, at.mask, mask.length).slice(),
        pred: rec[DIST_COUNT],
        target: rec[DIST_STRIDE + DIST_COUNT],
      };
    },
    distances: (mask, feature, query, box, grid, weights, tolerance) => {
      const at = put(mask, box, grid);
      let queries = 0;
      for (let i = 0; i < mask.length; i++) if (mask[i] & query) queries++;
      k.distancesToSurface(
        at.rec,
        at.pairs,
        1,
        at.mask,
        feature,
        query,
        at.box,
        grid.nx,
        grid.ny,
        grid.nz,
        weights[0],
        weights[1],
        weights[2],
        tolerance,
        at.work,
      );
      const rec = new Float64Array(k.memory.buffer, at.rec, DIST_STRIDE);
      const pairs = new DataView(k.memory.buffer, at.pairs, 8 * queries);
      const distances = new Map<number, number>();
      for (let i = 0; i < queries; i++) distances.set(pairs.getUint32(8 * i, true), pairs.getFloat32(8 * i + 4, true));
      return { sum: rec[DIST_SUM], max: rec[DIST_MAX], within: rec[DIST_WITHIN], distances };
    },
  };
}

const IMPLEMENTATIONS = [webAssembly('simd'), webAssembly('scalar'), typescript];

/** The grid (fastest axis first) of an image of `shape` (row-major, last axis fastest). */
function gridOf(shape: readonly number[]): Grid {
  const r = [...shape].reverse();
  return { nx: r[0], ny: r[1] ?? 1, nz: r[2] ?? 1, rank: shape.length };
}

/** Images of 1–3 axes; the last (fastest) axis long enough for whole SIMD vectors and tails. */
const shapes = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 40 })),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 40 })),
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 37 })),
);

/** A mask of `shape` with bits drawn at `density` (0 and 1 included: empty and full masks). */
function randomBits(shape: readonly number[], density: number, seed: number, bits: number[]): Uint8Array {
  let a = seed >>> 0;
  const random = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
  const S = shape.reduce((x, d) => x * d, 1);
  return Uint8Array.from({ length: S }, () => bits.reduce((m, bit) => m | (random() < density ? bit : 0), 0));
}

const densities = fc.constantFrom(0, 0.03, 0.2, 0.6, 0.95, 1);

describe.each(IMPLEMENTATIONS)('surface kernels ($name)', (k) => {
  it('box: the smallest half-open ranges holding every marked voxel, all 0 for an empty mask', () => {
    fc.assert(
      fc.property(shapes, densities, fc.integer(), (shape, density, seed) => {
        const mask = randomBits(shape, density * 0.1, seed, [MASK_PRED, MASK_TARGET]);
        const marked = Array.from(mask.keys())
          .filter((i) => mask[i] !== 0)
          .map((i) => coordinates(i, shape));
        const r = [...shape].reverse();
        const expected = new Int32Array(BOX_STRIDE);
        if (marked.length > 0) {
          for (let axis = 0; axis < r.length; axis++) {
            const along = marked.map((at) => at[shape.length - 1 - axis]);
            expected[2 * axis] = Math.min(...along);
            expected[2 * axis + 1] = Math.max(...along) + 1;
          }
          for (let axis = r.length; axis < 3; axis++) expected[2 * axis + 1] = 1;
        }
        expect(Array.from(k.box(mask, gridOf(shape)))).toEqual(Array.from(expected));
      }),
      { numRuns: 150 },
    );
  });

  it('surface: the voxels of each mask with a face neighbour outside it or outside the image', () => {
    fc.assert(
      fc.property(shapes, densities, densities, fc.integer(), (shape, dp, dt, seed) => {
        const pred = randomBits(shape, dp, seed, [MASK_PRED]);
        const target = randomBits(shape, dt, seed + 1, [MASK_TARGET]);
        const mask = pred.map((p, i) => p | target[i]);
        const grid = gridOf(shape);
        const got = k.surface(mask, k.box(mask, grid), grid);
        const predEdges = bruteSurface(
          Array.from(mask, (m) => (m & MASK_PRED) !== 0),
          shape,
        );
        const targetEdges = bruteSurface(
          Array.from(mask, (m) => (m & MASK_TARGET) !== 0),
          shape,
        );
        const expected = mask.slice();
        for (const i of predEdges) expected[i] |= EDGE_PRED;
        for (const i of targetEdges) expected[i] |= EDGE_TARGET;
        expect(Array.from(got.mask)).toEqual(Array.from(expected));
        expect([got.pred, got.target]).toEqual([predEdges.length, targetEdges.length]);
      }),
      { numRuns: 200 },
    );
  });

  // Each query voxel's distance to the nearest feature voxel, with spacing, in a box inside a larger image.
  it('distance transform: the distances a brute-force search finds', () => {
    const spacings = fc.array(fc.double({ min: 0.2, max: 4, noNaN: true }), { minLength: 3, maxLength: 3 });
    // Also volumes with long columns along z (≥ 16 bytes of marks per column, and tails; more
    // query voxels than the direct minimum takes, so the envelope runs down z too).
    const boxShapes = fc.oneof(
      shapes,
      fc.tuple(fc.integer({ min: 9, max: 21 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 20 })),
    );
    // Empty voxels around the box on each side of each axis: rows start at odd addresses.
    const margins = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 });
    // Queries everywhere (the whole transform: columns along z with many take the envelope), or
    // sparse (a column with few queries takes the direct minimum).
    const queryDensities = fc.constantFrom(1, 0.05);
    fc.assert(
      fc.property(
        boxShapes,
        margins,
        fc.constantFrom(0, 0.02, 0.1, 0.5, 1),
        queryDensities,
        spacings,
        fc.integer(),
        (shape, margin, density, queryDensity, spacing3, seed) => {
          // Features (EDGE_TARGET) and queries (EDGE_PRED) at random inside the box.
          const inBox = randomBits(shape, density, seed, [EDGE_TARGET]).map(
            (m, i, all) =>
              m | (queryDensity === 1 || (i * 7919 + seed) % 20 === 0 || i === all.length - 1 ? EDGE_PRED : 0),
          );
          const image = shape.map((extent, a) => margin[2 * a] + extent + margin[2 * a + 1]);
          const toImage = (i: number) =>
            coordinates(i, shape).reduce((at, v, a) => at * image[a] + v + margin[2 * a], 0);
          const mask = new Uint8Array(image.reduce((n, extent) => n * extent, 1));
          inBox.forEach((m, i) => {
            mask[toImage(i)] = m;
          });
          const spacing = spacing3.slice(0, shape.length);
          const grid = gridOf(image);
          const box = new Int32Array(BOX_STRIDE);
          for (let axis = 0; axis < 3; axis++) {
            const a = shape.length - 1 - axis; // x is the last axis of the shape
            box[2 * axis] = a >= 0 ? margin[2 * a] : 0;
            box[2 * axis + 1] = a >= 0 ? margin[2 * a] + shape[a] : 1;
          }
          const weights = [...spacing]
            .reverse()
            .map((s) => s * s)
            .concat([1, 1, 1])
            .slice(0, 3);
          // 1.37, or (ties) a distance that occurs in the image: 1 or 2 steps along its first axis.
          const tolerance = [1.37, spacing[0], 2 * spacing[0]][((seed % 3) + 3) % 3];
          const got = k.distances(mask, EDGE_TARGET, EDGE_PRED, box, grid, weights, tolerance);
          // The kernel indexes voxels in the box, x fastest: the box's own row-major index.
          const all = Array.from(inBox.keys());
          const queries = all.filter((i) => inBox[i] & EDGE_PRED);
          const features = all.filter((i) => inBox[i] & EDGE_TARGET);
          const expected = bruteDistances(queries.map(toImage), features.map(toImage), image, spacing);
          expect(got.distances.size).toBe(queries.length);
          for (const [j, i] of queries.entries()) {
            const d = got.distances.get(i) as number;
            if (expected[j] === Number.POSITIVE_INFINITY) expect(d).toBe(Number.POSITIVE_INFINITY);
            else expect(Math.abs(d - expected[j])).toBeLessThanOrEqual(1e-6 * Math.max(1, expected[j]));
          }
          const sum = expected.reduce((s, v) => s + v, 0);
          if (Number.isFinite(sum)) expect(Math.abs(got.sum - sum)).toBeLessThanOrEqual(1e-6 * Math.max(1, sum));
          else expect(got.sum).toBe(sum);
          expect(got.max).toBeCloseTo(Math.max(0, ...expected), 5);
          // Distances within 1e-9 of the tolerance are near-ties, which either side may take.
          const { low, high } = withinRange(expected, tolerance);
          expect(got.within, `within in [${low}, ${high}]`).toBeGreaterThanOrEqual(low);
          expect(got.within, `within in [${low}, ${high}]`).toBeLessThanOrEqual(high);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('distance transform inside a box: queries and features of the box only, indices local to it', () => {
    // A 5×7 image; box x ∈ [2, 6), y ∈ [1, 4). Feature at (y 1, x 2); queries at (y 3, x 5) and (y 2, x 2).
    const grid = { nx: 7, ny: 5, nz: 1, rank: 2 };
    const mask = new Uint8Array(35);
    mask[1 * 7 + 2] = EDGE_TARGET;
    mask[3 * 7 + 5] = EDGE_PRED;
    mask[2 * 7 + 2] = EDGE_PRED;
    const got = k.distances(mask, EDGE_TARGET, EDGE_PRED, Int32Array.of(2, 6, 1, 4, 0, 1), grid, [0.25, 4, 1], 2);
    // Spacing x 0.5, y 2: (Δy 2, Δx 3) → √(16 + 2.25); (Δy 1, Δx 0) → 2. Box indices (y − 1)·4 + (x − 2).
    expect(new Map([...got.distances].map(([i, d]) => [i, Number(d.toFixed(6))]))).toEqual(
      new Map([
        [2 * 4 + 3, Number(Math.sqrt(18.25).toFixed(6))],
        [1 * 4 + 0, 2],
      ]),
    );
    expect(got.within).toBe(1);
  });
});
