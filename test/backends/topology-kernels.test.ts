// The topology kernels on their own, on every implementation (the SIMD and scalar WebAssembly
// builds called through their exports, and the TypeScript reference): Lee's thinning against the
// independent reference of test/reference/skeleton.ts (and scikit-image's published outputs),
// boundary bands and distance fields against brute force, and the topology record's counts.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BAND_PRED,
  BAND_TARGET,
  MASK_PRED,
  MASK_TARGET,
  SKEL_PRED,
  SKEL_TARGET,
  TOPO_BAND_BOTH,
  TOPO_BAND_EITHER,
  TOPO_SKEL_PRED,
  TOPO_SKEL_PRED_IN_TARGET,
  TOPO_SKEL_TARGET,
  TOPO_SKEL_TARGET_IN_PRED,
  TOPO_STRIDE,
} from '../../src/core/constants.js';
import { distanceField } from '../../src/backends/js/distance-field.js';
import { maskBox } from '../../src/backends/js/surface.js';
import { bandBitsChessboard, bandBitsEuclidean, maskCounts, skeletonBits } from '../../src/backends/js/topology.js';
import type { DiceExports } from '../../src/backends/wasm/exports.generated.js';
import { wasmBytes } from '../../src/runtime/binaries.js';
import { referenceThin } from '../reference/skeleton.js';
import {
  bruteChessboardBand,
  bruteEuclideanBand,
  bruteSquaredField,
  components,
  testShapes,
} from '../reference/topology.js';
import { rng } from '../support/random.js';

/** The kernels as each implementation runs them, on masks in plain arrays (x fastest, dims = [nx, ny, nz]). */
interface TopologyKernels {
  name: string;
  /** The mask with `skeleton` set on the skeleton of the voxels with `bit`. */
  skeleton(mask: Uint8Array, bit: number, skeleton: number, dims: number[], preserving: boolean): Uint8Array;
  chessboard(mask: Uint8Array, dims: number[], radii: number[]): Uint8Array;
  euclidean(mask: Uint8Array, dims: number[], rank: number, weights: number[], limit: number): Uint8Array;
  field(grid: Uint8Array, feature: number, dims: number[], weights: number[]): Float64Array;
  counts(mask: Uint8Array, dims: number[]): Float64Array;
}

const boxOf = (mask: Uint8Array, [nx, ny, nz]: number[]): Int32Array => maskBox(mask, { nx, ny, nz, rank: 3 });

const typescript: TopologyKernels = {
  name: 'js',
  skeleton: (mask, bit, skeleton, dims, preserving) => {
    const copy = mask.slice();
    skeletonBits(copy, bit, skeleton, boxOf(copy, dims), dims, preserving);
    return copy;
  },
  chessboard: (mask, dims, radii) => {
    const copy = mask.slice();
    bandBitsChessboard(copy, boxOf(copy, dims), dims, radii);
    return copy;
  },
  euclidean: (mask, dims, rank, weights, limit) => {
    const copy = mask.slice();
    bandBitsEuclidean(copy, boxOf(copy, dims), dims, rank, weights, limit);
    return copy;
  },
  field: (grid, feature, dims, weights) => distanceField(grid, feature, dims, weights),
  counts: (mask, dims) => maskCounts(mask, boxOf(mask, dims), dims),
};

function webAssembly(flavor: 'simd' | 'scalar'): TopologyKernels {
  const k = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(flavor)), {}).exports as unknown as DiceExports;
  const base = Math.ceil(k.heapBase() / 64) * 64;
  const align = (n: number): number => Math.ceil(n / 64) * 64;
  /** The mask, its box, a record, then `work` bytes (and a field of S f32 when asked). */
  const put = (mask: Uint8Array, dims: number[], work: number, field = false) => {
    const S = mask.length;
    const at = { mask: base, box: base + align(S), rec: base + align(S) + 64, field: 0, work: 0 };
    at.field = at.rec + 64;
    at.work = at.field + (field ? align(4 * S) : 0);
    const end = at.work + work;
    if (end > k.memory.buffer.byteLength) k.memory.grow(Math.ceil((end - k.memory.buffer.byteLength) / 65536));
    new Uint8Array(k.memory.buffer, at.mask, S).set(mask);
    k.maskBox(at.box, at.mask, dims[0], dims[1], dims[2]);
    return at;
  };
  const maskOut = (at: { mask: number }, n: number) => new Uint8Array(k.memory.buffer, at.mask, n).slice();
  return {
    name: flavor,
    skeleton: (mask, bit, skeleton, [nx, ny, nz], preserving) => {
      const at = put(mask, [nx, ny, nz], k.skeletonWorkBytes(nx, ny, nz));
      k.skeletonBits(at.mask, bit, skeleton, at.box, nx, ny, nz, preserving ? 1 : 0, at.work);
      return maskOut(at, mask.length);
    },
    chessboard: (mask, [nx, ny, nz], [rx, ry, rz]) => {
      const at = put(mask, [nx, ny, nz], k.bandWorkBytes(nx, ny, nz));
      k.bandBitsChessboard(at.mask, at.box, nx, ny, nz, rx, ry, rz, at.work);
      return maskOut(at, mask.length);
    },
    euclidean: (mask, [nx, ny, nz], rank, [w0, w1, w2], limit) => {
      const at = put(mask, [nx, ny, nz], k.bandWorkBytes(nx, ny, nz));
      k.bandBitsEuclidean(at.mask, at.box, nx, ny, nz, rank, w0, w1, w2, limit, at.work);
      return maskOut(at, mask.length);
    },
    field: (grid, feature, [nx, ny, nz], [w0, w1, w2]) => {
      const at = put(grid, [nx, ny, nz], k.distanceFieldWorkBytes(nx, ny, nz), true);
      k.distanceField(at.field, at.mask, feature, nx, ny, nz, w0, w1, w2, at.work);
      return Float64Array.from(new Float32Array(k.memory.buffer, at.field, grid.length));
    },
    counts: (mask, [nx, ny, nz]) => {
      const at = put(mask, [nx, ny, nz], 0);
      k.maskCounts(at.rec, at.mask, at.box, nx, ny, nz);
      return new Float64Array(k.memory.buffer, at.rec, TOPO_STRIDE).slice();
    },
  };
}

const IMPLEMENTATIONS = [webAssembly('simd'), webAssembly('scalar'), typescript];

/** [nx, ny, nz] of an image of `shape` (row-major, last axis fastest). */
const dimsOf = (shape: readonly number[]): number[] => {
  const r = [...shape].reverse();
  return [r[0], r[1] ?? 1, r[2] ?? 1];
};

const bits = (mask: Uint8Array, bit: number): Uint8Array => mask.map((v) => (v & bit ? 1 : 0));

interface SkimageCase {
  name: string;
  image: number[][];
  expected: number[][];
}

const SKIMAGE: SkimageCase[] = JSON.parse(
  readFileSync(new URL('../fixtures/topology/skimage-lee.json', import.meta.url), 'utf8'),
).cases;

describe("Lee's thinning", () => {
  for (const kernels of IMPLEMENTATIONS) {
    it(`reproduces scikit-image's published outputs of skeletonize(method='lee') (${kernels.name})`, () => {
      for (const c of SKIMAGE) {
        const shape = [c.image.length, c.image[0].length];
        const mask = Uint8Array.from(c.image.flat());
        const out = kernels.skeleton(mask, 1, SKEL_PRED, dimsOf(shape), false);
        expect(Array.from(bits(out, SKEL_PRED)), c.name).toEqual(c.expected.flat());
        // The mask bits are left as they were.
        expect(Array.from(bits(out, 1)), c.name).toEqual(Array.from(mask));
      }
    });
  }

  it('the independent reference reproduces them too', () => {
    for (const c of SKIMAGE) {
      const out = referenceThin(Uint8Array.from(c.image.flat()), c.image[0].length, c.image.length, 1);
      expect(Array.from(out), c.name).toEqual(c.expected.flat());
    }
  });

  for (const preserving of [false, true]) {
    const variant = preserving ? "'lee-preserving'" : "'lee'";
    it(`equals the reference thinning on lines, rings, tori and random blobs (${variant})`, () => {
      for (const { name, shape, mask } of testShapes(rng(11))) {
        const [nx, ny, nz] = dimsOf(shape);
        const expected = Array.from(referenceThin(mask, nx, ny, nz, preserving));
        for (const kernels of IMPLEMENTATIONS) {
          const out = kernels.skeleton(mask, 1, SKEL_PRED, [nx, ny, nz], preserving);
          expect(Array.from(bits(out, SKEL_PRED)), `${name} (${kernels.name})`).toEqual(expected);
        }
      }
    });
  }

  it('keeps lines as they are (2D, diagonal, 3D)', () => {
    for (const { name, shape, mask } of testShapes(rng(3)).filter((s) => /line/.test(s.name))) {
      const out = typescript.skeleton(mask, 1, SKEL_PRED, dimsOf(shape), false);
      expect(Array.from(bits(out, SKEL_PRED)), name).toEqual(Array.from(mask));
    }
  });

  it("'lee-preserving' keeps every component and every ring's hole; 'lee' loses scikit-image #3757's tube", () => {
    for (const { name, shape, mask } of testShapes(rng(5))) {
      const [nx, ny, nz] = dimsOf(shape);
      const preserved = typescript.skeleton(mask, 1, SKEL_PRED, [nx, ny, nz], true);
      expect(components(bits(preserved, SKEL_PRED), shape), name).toBe(components(mask, shape));
      if (name.includes('#3757')) {
        const lost = typescript.skeleton(mask, 1, SKEL_PRED, [nx, ny, nz], false);
        expect(bits(lost, SKEL_PRED).every((v) => v === 0)).toBe(true);
      }
    }
  });

  it('thins the prediction and the target of one class mask apart, inside its box', () => {
    // Two overlapping bars 3 voxels thick in a 2D image with other labels around them: each
    // skeleton is the middle line of its own bar (scikit-image's 3 × 4 case, extended).
    const shape = [12, 16];
    const mask = new Uint8Array(12 * 16);
    for (let x = 2; x < 14; x++) for (let y = 3; y < 6; y++) mask[y * 16 + x] |= MASK_PRED;
    for (let x = 2; x < 14; x++) for (let y = 4; y < 7; y++) mask[y * 16 + x] |= MASK_TARGET;
    for (const kernels of IMPLEMENTATIONS) {
      let out = kernels.skeleton(mask, MASK_PRED, SKEL_PRED, dimsOf(shape), false);
      out = kernels.skeleton(out, MASK_TARGET, SKEL_TARGET, dimsOf(shape), false);
      const row = (y: number, bit: number) => Array.from({ length: 16 }, (_, x) => (out[y * 16 + x] & bit ? 1 : 0));
      const line = Array.from({ length: 16 }, (_, x) => (x >= 2 && x < 14 ? 1 : 0));
      expect(row(4, SKEL_PRED), kernels.name).toEqual(line);
      expect(row(5, SKEL_TARGET), kernels.name).toEqual(line);
      const counts = kernels.counts(out, dimsOf(shape));
      expect(counts[TOPO_SKEL_PRED]).toBe(12);
      expect(counts[TOPO_SKEL_PRED_IN_TARGET]).toBe(12); // row 4 is inside the target's rows 4–6
      expect(counts[TOPO_SKEL_TARGET]).toBe(12);
      expect(counts[TOPO_SKEL_TARGET_IN_PRED]).toBe(12); // row 5 is inside the prediction's rows 3–5
    }
  });
});

/** Random two-sided class masks of 1–3 axes, the fastest long enough for SIMD bodies and tails. */
const maskCase = fc
  .record({
    rank: fc.integer({ min: 1, max: 3 }),
    nx: fc.integer({ min: 1, max: 37 }),
    ny: fc.integer({ min: 1, max: 9 }),
    nz: fc.integer({ min: 1, max: 6 }),
    fill: fc.double({ min: 0.2, max: 0.9, noNaN: true }),
    seed: fc.integer(),
  })
  .map(({ rank, nx, ny, nz, fill, seed }) => {
    const shape = [nz, ny, nx].slice(3 - rank);
    const r = rng(seed);
    const size = shape.reduce((a, d) => a * d, 1);
    const mask = Uint8Array.from({ length: size }, () => (r() < fill ? MASK_PRED : 0) | (r() < fill ? MASK_TARGET : 0));
    return { shape, mask };
  });

describe('boundary bands', () => {
  it('chessboard: the voxels the erosion by a box removes, against brute force', () => {
    fc.assert(
      fc.property(
        maskCase,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }),
        ({ shape, mask }, r) => {
          const dims = dimsOf(shape);
          const radii = r.map((v, a) => (a < shape.length ? v : 0));
          // Radii in the order of shape for the brute force (row-major), in memory order for the kernels.
          const rowMajor = [...radii.slice(0, shape.length)].reverse();
          const expectP = bruteChessboardBand(
            Array.from(mask, (v) => (v & MASK_PRED) !== 0),
            shape,
            rowMajor,
          );
          const expectT = bruteChessboardBand(
            Array.from(mask, (v) => (v & MASK_TARGET) !== 0),
            shape,
            rowMajor,
          );
          for (const kernels of IMPLEMENTATIONS) {
            const out = kernels.chessboard(mask, dims, radii);
            expect(
              Array.from(out, (v) => (v & BAND_PRED) !== 0),
              kernels.name,
            ).toEqual(expectP);
            expect(
              Array.from(out, (v) => (v & BAND_TARGET) !== 0),
              kernels.name,
            ).toEqual(expectT);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('Euclidean: the voxels within the width of the outside, against brute force', () => {
    fc.assert(
      fc.property(
        maskCase,
        fc.array(fc.constantFrom(0.5, 0.75, 1, 1.25, 2), { minLength: 3, maxLength: 3 }),
        fc.double({ min: 0.3, max: 3.3, noNaN: true }),
        ({ shape, mask }, spacing, width) => {
          const dims = dimsOf(shape);
          const rowMajor = spacing.slice(0, shape.length);
          const weights = [...rowMajor].reverse().map((s) => s * s);
          while (weights.length < 3) weights.push(1);
          const limit = width * width * (1 + 1e-6);
          const expectP = bruteEuclideanBand(
            Array.from(mask, (v) => (v & MASK_PRED) !== 0),
            shape,
            rowMajor,
            width,
          );
          const expectT = bruteEuclideanBand(
            Array.from(mask, (v) => (v & MASK_TARGET) !== 0),
            shape,
            rowMajor,
            width,
          );
          for (const kernels of IMPLEMENTATIONS) {
            const out = kernels.euclidean(mask, dims, shape.length, weights, limit);
            expect(
              Array.from(out, (v) => (v & BAND_PRED) !== 0),
              kernels.name,
            ).toEqual(expectP);
            expect(
              Array.from(out, (v) => (v & BAND_TARGET) !== 0),
              kernels.name,
            ).toEqual(expectT);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('counts the voxels in both bands and in either', () => {
    const mask = Uint8Array.from([
      BAND_PRED | MASK_PRED,
      BAND_PRED | BAND_TARGET | MASK_PRED | MASK_TARGET,
      BAND_TARGET | MASK_TARGET,
      MASK_PRED | MASK_TARGET,
      0,
      BAND_PRED | BAND_TARGET | MASK_PRED | MASK_TARGET,
    ]);
    for (const kernels of IMPLEMENTATIONS) {
      const counts = kernels.counts(mask, [6, 1, 1]);
      expect(counts[TOPO_BAND_BOTH], kernels.name).toBe(2);
      expect(counts[TOPO_BAND_EITHER], kernels.name).toBe(4);
    }
  });
});

describe('distance field', () => {
  it('is the exact squared distance to the nearest feature voxel, against brute force', () => {
    fc.assert(
      fc.property(
        maskCase,
        fc.array(fc.constantFrom(0.5, 0.8, 1, 2.5), { minLength: 3, maxLength: 3 }),
        ({ shape, mask }, spacing) => {
          const rowMajor = spacing.slice(0, shape.length);
          const weights = [...rowMajor].reverse().map((s) => s * s);
          while (weights.length < 3) weights.push(1);
          const expected = bruteSquaredField(
            Array.from(mask, (v) => (v & MASK_PRED) !== 0),
            shape,
            rowMajor,
          );
          for (const kernels of IMPLEMENTATIONS) {
            const field = kernels.field(mask, MASK_PRED, dimsOf(shape), weights);
            field.forEach((d, i) => {
              if (expected[i] === Number.POSITIVE_INFINITY) expect(d).toBe(Number.POSITIVE_INFINITY);
              else expect(Math.abs(d - expected[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, expected[i]));
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
