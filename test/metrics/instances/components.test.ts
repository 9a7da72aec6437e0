// k.connectedComponents on every backend: scipy.ndimage.label's documented example, hand-counted
// 1D/2D/3D cases of each connectivity, and a seeded property test against a brute-force flood
// fill (test/reference/flood-fill.ts) on random masks and label maps of 1 to 3 spatial axes,
// batches, every element type, views at a byte offset, minSize and perClass; `out` in place;
// bad input refused before anything is written.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type ComponentsInput, type DiceKernel } from '../../../src/index.js';
import { floodFill } from '../../reference/flood-fill.js';
import { offsetView } from '../../support/random.js';

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

const BACKENDS = ['simd', 'scalar', 'js'] as const;
const kernelOf = (backend: string) => kernels.find((k) => k.backend === backend)!;

// scipy.ndimage.label's docstring example (test/fixtures/instances/README.md).
const SCIPY_EXAMPLE = [0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0];

describe.each(BACKENDS)('connected components, known cases (%s)', (backend) => {
  const k = () => kernelOf(backend);

  it("reproduces scipy.ndimage.label's example with the default and the full structuring element", () => {
    const mask = Uint8Array.from(SCIPY_EXAMPLE);
    const faces = k().connectedComponents(mask, { shape: [1, 4, 6] });
    expect(Array.from(faces.labels)).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 2, 2, 0, 0, 3, 0, 0, 0, 0, 4, 0, 0]);
    expect(Array.from(faces.counts)).toEqual([4]);
    expect(Array.from(faces.sizes)).toEqual([3, 2, 1, 1]);
    // Boxes: rows then columns, half-open.
    expect(Array.from(faces.boxes)).toEqual([0, 2, 2, 4, 2, 3, 0, 2, 2, 3, 4, 5, 3, 4, 3, 4]);
    const corners = k().connectedComponents(mask, { shape: [1, 4, 6], connectivity: 8 });
    expect(Array.from(corners.labels)).toEqual([
      0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 2, 2, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0,
    ]);
    expect(Array.from(corners.counts)).toEqual([2]);
    expect(Array.from(corners.sizes)).toEqual([5, 2]);
  });

  it('counts runs in 1D, and restarts the numbering in each sample', () => {
    const r = k().connectedComponents(Uint8Array.from([1, 1, 0, 1, 0, 0, 1, 0, 1, 1]), { shape: [2, 5] });
    expect(Array.from(r.labels)).toEqual([1, 1, 0, 2, 0, 0, 1, 0, 2, 2]);
    expect(Array.from(r.counts)).toEqual([2, 2]);
    expect(Array.from(r.sizes)).toEqual([2, 1, 1, 2]);
    expect(Array.from(r.boxes)).toEqual([0, 2, 3, 4, 1, 2, 3, 5]);
  });

  it('joins voxels that share a face, an edge or a corner as 6, 18 and 26 say', () => {
    // 2×2×2: voxel (0,0,0) with (0,0,1) (face), (0,1,1) (edge) or (1,1,1) (corner) — z, y, x.
    const pair = (other: number) => Uint8Array.from({ length: 8 }, (_, i) => (i === 0 || i === other ? 1 : 0));
    const count = (other: number, connectivity: number) =>
      k().connectedComponents(pair(other), { shape: [1, 2, 2, 2], connectivity }).counts[0];
    expect([6, 18, 26].map((c) => count(1, c))).toEqual([1, 1, 1]);
    expect([6, 18, 26].map((c) => count(3, c))).toEqual([2, 1, 1]);
    expect([6, 18, 26].map((c) => count(7, c))).toEqual([2, 2, 1]);
  });

  it('numbers components by their first voxel even when a later part joins them', () => {
    // A "U": the two arms start in row 0 (labels 1 and 2 provisionally) and meet in row 2; the
    // lone voxel at the end of row 0 is the second component.
    const mask = Uint8Array.from([1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0]);
    const r = k().connectedComponents(mask, { shape: [1, 3, 5] });
    expect(Array.from(r.labels)).toEqual([1, 0, 1, 0, 2, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0]);
    expect(Array.from(r.sizes)).toEqual([7, 1]);
  });

  it('drops components smaller than minSize and renumbers the others in order', () => {
    const r = k().connectedComponents(Uint8Array.from(SCIPY_EXAMPLE), { shape: [1, 4, 6], minSize: 2 });
    expect(Array.from(r.labels)).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(r.counts)).toEqual([2]);
    expect(Array.from(r.sizes)).toEqual([3, 2]);
  });

  it('labels each class of a label map apart with perClass', () => {
    // Two touching classes: without perClass one component, with it three (class 2 split in two).
    const map = Uint16Array.from([1, 1, 2, 0, 2, 1, 1, 2, 0, 0]);
    expect(k().connectedComponents(map, { shape: [1, 2, 5] }).counts[0]).toBe(2);
    const r = k().connectedComponents(map, { shape: [1, 2, 5], perClass: true });
    expect(Array.from(r.labels)).toEqual([1, 1, 2, 0, 3, 1, 1, 2, 0, 0]);
    expect(Array.from(r.values ?? [])).toEqual([1, 2, 2]);
  });

  it('writes the labels into out, also an array of its own memory', () => {
    const mask = Uint8Array.from(SCIPY_EXAMPLE);
    const out = k().alloc(Int32Array, 24);
    out.fill(-7);
    const r = k().connectedComponents(mask, { shape: [1, 4, 6], out });
    expect(r.labels).toBe(out);
    expect(Array.from(out)).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 2, 2, 0, 0, 3, 0, 0, 0, 0, 4, 0, 0]);
    k().free(out);
  });

  it('writes the labels of out and nothing around them (views at an offset, several samples)', () => {
    // Rows of 13: runs end at the row's end, so a write past a segment would show in the guards.
    const mask = Uint8Array.from({ length: 2 * 3 * 13 }, (_, i) => (i % 13 > 10 || i % 5 === 0 ? 1 : 0));
    const block = k().alloc(Int32Array, mask.length + 8);
    block.fill(-9);
    const out = block.subarray(4, 4 + mask.length);
    const r = k().connectedComponents(mask, { shape: [2, 3, 13], out });
    expect(Array.from(block.subarray(0, 4))).toEqual([-9, -9, -9, -9]);
    expect(Array.from(block.subarray(4 + mask.length))).toEqual([-9, -9, -9, -9]);
    const expected = [0, 1].flatMap((b) => Array.from(floodFill((i) => mask[b * 39 + i], [3, 13], 4).labels));
    expect(Array.from(r.labels)).toEqual(expected);
    k().free(block);
  });

  it('takes empty samples and empty batches', () => {
    expect(Array.from(k().connectedComponents(new Uint8Array(0), { shape: [2, 0, 3] }).counts)).toEqual([0, 0]);
    expect(k().connectedComponents(new Uint8Array(0), { shape: [0, 4, 4] }).counts.length).toBe(0);
    const none = k().connectedComponents(new Float32Array(12), { shape: [1, 3, 4] });
    expect([none.counts[0], none.sizes.length, Math.max(...none.labels)]).toEqual([0, 0, 0]);
  });
});

/** A random mask or label map: blobs of values 1…classes on a background of density `p`. */
function randomInput(random: () => number, n: number, p: number, classes: number): number[] {
  return Array.from({ length: n }, () => (random() < p ? 1 + Math.floor(random() * classes) : 0));
}

const CONNECTIVITY: Record<number, number[]> = { 1: [2], 2: [4, 8], 3: [6, 18, 26] };
const TYPES = [Uint8Array, Uint16Array, Int32Array, Float32Array] as const;

describe('connected components against a brute-force flood fill', () => {
  it('agree on random 1D–3D masks and label maps, every connectivity, type, backend and offset', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer(),
          rank: fc.integer({ min: 1, max: 3 }),
          B: fc.integer({ min: 1, max: 2 }),
          extents: fc.tuple(
            fc.integer({ min: 1, max: 70 }),
            fc.integer({ min: 1, max: 9 }),
            fc.integer({ min: 1, max: 6 }),
          ),
          density: fc.double({ min: 0, max: 1, noNaN: true }),
          classes: fc.integer({ min: 1, max: 3 }),
          perClass: fc.boolean(),
          minSize: fc.integer({ min: 0, max: 4 }),
          type: fc.integer({ min: 0, max: 3 }),
          offset: fc.integer({ min: 0, max: 3 }),
        }),
        ({ seed, rank, B, extents, density, classes, perClass, minSize, type, offset }) => {
          let state = seed >>> 0;
          const random = () => {
            state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
            return state / 2 ** 32;
          };
          // x (the last axis) the longest, so that runs cross the 64-voxel SIMD blocks.
          const spatial = [extents[2], extents[1], extents[0]].slice(3 - rank);
          const S = spatial.reduce((a, d) => a * d, 1);
          const values = randomInput(random, B * S, density, classes);
          const Ctor = perClass ? TYPES[type % 3] : TYPES[type];
          const mask = offsetView(Ctor as typeof Uint8Array, values, offset) as ComponentsInput;
          for (const connectivity of CONNECTIVITY[rank]) {
            const expected = Array.from({ length: B }, (_, b) =>
              floodFill(
                (i) => (perClass ? values[b * S + i] : values[b * S + i] !== 0 ? 1 : 0),
                spatial,
                connectivity,
                Math.max(minSize, 1),
              ),
            );
            for (const backend of BACKENDS) {
              const r = kernelOf(backend).connectedComponents(mask, {
                shape: [B, ...spatial],
                connectivity,
                minSize,
                perClass,
              });
              const where = `${backend}, ${rank}D ${spatial.join('×')}, connectivity ${connectivity}`;
              expect(Array.from(r.counts), where).toEqual(expected.map((e) => e.count));
              expect(Array.from(r.labels), where).toEqual(expected.flatMap((e) => Array.from(e.labels)));
              expect(Array.from(r.sizes), where).toEqual(expected.flatMap((e) => e.sizes));
              expect(Array.from(r.boxes), where).toEqual(expected.flatMap((e) => e.boxes.flat()));
              if (perClass) expect(Array.from(r.values ?? []), where).toEqual(expected.flatMap((e) => e.values));
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agree on long rows of long runs and full rows (the 64-voxel blocks and their carries)', () => {
    for (const nx of [63, 64, 65, 127, 128, 129, 200]) {
      const rows = 5;
      const values = Array.from({ length: nx * rows }, (_, i) => {
        const x = i % nx,
          y = Math.floor(i / nx);
        return y === 2 ? 1 : y === 4 ? (x % 70 < 66 ? 1 : 0) : x >= 60 && x < 70 + y ? 1 : 0;
      });
      for (const connectivity of [4, 8]) {
        const expected = floodFill((i) => values[i], [rows, nx], connectivity);
        for (const backend of BACKENDS) {
          const r = kernelOf(backend).connectedComponents(Uint8Array.from(values), {
            shape: [1, rows, nx],
            connectivity,
          });
          expect(Array.from(r.labels), `${backend} nx ${nx}`).toEqual(Array.from(expected.labels));
        }
      }
    }
  });
});

describe.each(BACKENDS)('connected components, bad input (%s)', (backend) => {
  const k = () => kernelOf(backend);
  const mask = new Uint8Array(24);
  const cases: [string, () => unknown, RegExp][] = [
    ['no options', () => k().connectedComponents(mask, undefined as never), /connectedComponents: options must be/],
    ['no shape', () => k().connectedComponents(mask, {} as never), /connectedComponents: shape is required/],
    ['4 spatial axes', () => k().connectedComponents(mask, { shape: [1, 2, 2, 3, 2] }), /shape .* 1 to 3 spatial/],
    ['a shape that does not fit', () => k().connectedComponents(mask, { shape: [1, 5, 5] }), /mask has length 24/],
    [
      '8 in 3D',
      () => k().connectedComponents(mask, { shape: [1, 2, 3, 4], connectivity: 8 }),
      /connectivity must be 6, 18, 26/,
    ],
    [
      '26 in 2D',
      () => k().connectedComponents(mask, { shape: [1, 4, 6], connectivity: 26 }),
      /connectivity must be 4, 8/,
    ],
    [
      'a string connectivity',
      () => k().connectedComponents(mask, { shape: [1, 24], connectivity: '2' as never }),
      /connectivity/,
    ],
    [
      'a negative minSize',
      () => k().connectedComponents(mask, { shape: [1, 24], minSize: -1 }),
      /minSize must be an integer/,
    ],
    ['a fractional minSize', () => k().connectedComponents(mask, { shape: [1, 24], minSize: 1.5 }), /minSize/],
    [
      'perClass on floats',
      () => k().connectedComponents(new Float32Array(24), { shape: [1, 24], perClass: true }),
      /label map/,
    ],
    [
      'a Float64Array',
      () => k().connectedComponents(new Float64Array(24) as never, { shape: [1, 24] }),
      /mask must be/,
    ],
    [
      'an unknown option',
      () => k().connectedComponents(mask, { shape: [1, 24], conectivity: 4 } as never),
      /did you mean 'connectivity'/,
    ],
    [
      'an out of the wrong length',
      () => k().connectedComponents(mask, { shape: [1, 24], out: new Int32Array(5) }),
      /out must be an Int32Array of 24/,
    ],
  ];
  it.each(cases)('refuses %s', (_, call, message) => {
    expect(call).toThrow(message);
  });

  it('writes nothing to out when the options are wrong, and still works afterwards', () => {
    const out = new Int32Array(24).fill(-5);
    expect(() => k().connectedComponents(mask, { shape: [1, 4, 6], connectivity: 6, out })).toThrow(RangeError);
    expect(out.every((v) => v === -5)).toBe(true);
    const r = k().connectedComponents(Uint8Array.from(SCIPY_EXAMPLE), { shape: [1, 4, 6], out });
    expect(r.counts[0]).toBe(4);
  });
});
