// k.surfaceMetrics on every backend: hand-computed cases (squares, single voxels, a voxel in a
// cube, 1D runs, a full image) with exact expected distances, anisotropic spacing, percentile
// interpolation, the empty-mask rules of every `empty` policy, agreement with a brute-force
// reference on random label maps, every input form, ignoreIndex, reductions and streaming.
// Expected values are derived by hand in the comments or by test/reference/surface.ts.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadDice,
  type DiceKernel,
  type MetricEmptyPolicy,
  type ReducedMetric,
  type SurfaceMetricsOptions,
} from '../../src/index.js';
import { bruteSurfaceMetrics } from '../reference/surface.js';
import { rng } from '../support/random.js';

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

const ALL = ['hausdorff', 'hausdorff95', 'assd', 'asd', 'nsd'];

/** A label map of `shape` (row-major) with label 1 where `inside(...coordinates)`. */
function labels(shape: number[], inside: (...at: number[]) => boolean): Uint8Array {
  const S = shape.reduce((a, d) => a * d, 1);
  return Uint8Array.from({ length: S }, (_, i) => {
    const at: number[] = [];
    for (let a = shape.length - 1, r = i; a >= 0; a--) {
      at[a] = r % shape[a];
      r = Math.floor(r / shape[a]);
    }
    return inside(...at) ? 1 : 0;
  });
}

/** Class 1's value of every metric asked for. */
function classOne(
  k: DiceKernel,
  pred: Uint8Array,
  target: Uint8Array,
  options: Omit<SurfaceMetricsOptions, 'metrics'> & { metrics?: string[] },
): Record<string, number> {
  const r = k.surfaceMetrics(pred, target, { numClasses: 2, metrics: ALL, tolerance: 1, ...options });
  return Object.fromEntries(Object.entries(r).map(([name, v]) => [name, (v as Float64Array)[1]]));
}

describe.each(['simd', 'scalar', 'js'])('surface metrics, hand-computed (%s)', (backend) => {
  const k = () => kernels.find((x) => x.backend === backend)!;

  it('two 3×3 squares one voxel apart', () => {
    // Pred x, y ∈ [1, 3], target x ∈ [2, 4]: each surface is its square but the centre (8 voxels).
    // From pred: the 3 voxels of column x = 1 are 1 from target's column x = 2; (3, 2) is 1 from
    // (2, 2); the other 4 are on target's surface (0). So D(P→G) = 1,1,1,1,0,0,0,0 and by symmetry
    // D(G→P) the same: HD 1, HD95 (rank 0.95·7 = 6.65 among four 1s) 1, ASSD = ASD = 4/8, NSD(τ 0.5) = 8/16.
    const pred = labels([1, 6, 6], (_, y, x) => y >= 1 && y <= 3 && x >= 1 && x <= 3);
    const target = labels([1, 6, 6], (_, y, x) => y >= 1 && y <= 3 && x >= 2 && x <= 4);
    expect(classOne(k(), pred, target, { shape: [1, 6, 6], tolerance: 0.5 })).toEqual({
      hausdorff: 1,
      hausdorff95: 1,
      assd: 0.5,
      asd: 0.5,
      nsd: 0.5,
    });
    expect(classOne(k(), pred, target, { shape: [1, 6, 6], metrics: ['nsd'], tolerance: 1 })).toEqual({ nsd: 1 });
  });

  it('two single voxels, isotropic and anisotropic', () => {
    // (y 2, x 3) and (y 5, x 7): Δ = (3, 4), distance 5 both ways.
    const pred = labels([1, 8, 10], (_, y, x) => y === 2 && x === 3);
    const target = labels([1, 8, 10], (_, y, x) => y === 5 && x === 7);
    expect(classOne(k(), pred, target, { shape: [1, 8, 10] })).toEqual({
      hausdorff: 5,
      hausdorff95: 5,
      assd: 5,
      asd: 5,
      nsd: 0,
    });
    expect(classOne(k(), pred, target, { shape: [1, 8, 10], metrics: ['nsd'], tolerance: [0, 5] }).nsd).toBe(1);
    expect(classOne(k(), pred, target, { shape: [1, 8, 10], metrics: ['nsd'], tolerance: [0, 4.99] }).nsd).toBe(0);
    // Spacing (y 2, x 0.5): √(6² + 2²) = √40.
    const r = classOne(k(), pred, target, { shape: [1, 8, 10], spacing: [2, 0.5], metrics: ['hausdorff', 'assd'] });
    expect(r.hausdorff).toBeCloseTo(Math.sqrt(40), 6);
    expect(r.assd).toBeCloseTo(Math.sqrt(40), 6);
  });

  // The centre voxel of a 3×3×3 cube in a 5×5×5 image: the cube's surface is its 26 outer voxels.
  const shape = [1, 5, 5, 5];
  const centre = labels(shape, (_, z, y, x) => z === 2 && y === 2 && x === 2);
  const cube = labels(shape, (_, z, y, x) => [z, y, x].every((v) => v >= 1 && v <= 3));
  /** Distances of the 26 cube voxels to the centre, spacing (z, y, x). */
  const outer = (sz: number, sy: number, sx: number): number[] => {
    const d: number[] = [];
    for (const dz of [-1, 0, 1])
      for (const dy of [-1, 0, 1])
        for (const dx of [-1, 0, 1]) {
          if (dz || dy || dx) d.push(Math.hypot(dz * sz, dy * sy, dx * sx));
        }
    return d;
  };

  it('a voxel at the centre of a cube: the directions differ, and percentiles interpolate', () => {
    // D(P→G) = [1] (a face neighbour); D(G→P): 6 faces at 1, 12 edges at √2, 8 corners at √3.
    const iso = classOne(k(), centre, cube, { shape, metrics: ['hausdorff', 'assd', 'asd', 'nsd'], tolerance: 1 });
    expect(iso.hausdorff).toBeCloseTo(Math.sqrt(3), 6);
    expect(iso.assd).toBeCloseTo((1 + 6 + 12 * Math.SQRT2 + 8 * Math.sqrt(3)) / 27, 6);
    expect(iso.asd).toBe(1);
    expect(iso.nsd).toBeCloseTo(7 / 27, 12);
    const directed = classOne(k(), centre, cube, { shape, metrics: ['hausdorff', 'hausdorff95'], directed: true });
    expect(directed).toEqual({ hausdorff: 1, hausdorff95: 1 });
    // Percentiles of D(G→P) sorted (1 ×6, √2 ×12, √3 ×8), rank q/100·25, then the max with D(P→G)'s 1.
    const percentile = (q: number) =>
      classOne(k(), centre, cube, { shape, metrics: ['hausdorff95'], percentile: q }).hausdorff95;
    expect(percentile(95)).toBeCloseTo(Math.sqrt(3), 6); // rank 23.75: both neighbours √3
    expect(percentile(50)).toBeCloseTo(Math.SQRT2, 6); // rank 12.5: √2 and √2
    expect(percentile(22)).toBeCloseTo(1 + 0.5 * (Math.SQRT2 - 1), 6); // rank 5.5: 1 (index 5) and √2 (6)
    expect(percentile(20)).toBe(1); // rank 5: index 5
    // rank 17.5: √2 (index 17), √3 (18)
    expect(percentile(70)).toBeCloseTo(Math.SQRT2 + 0.5 * (Math.sqrt(3) - Math.SQRT2), 6);
    expect(percentile(0)).toBe(1);
    expect(percentile(100)).toBeCloseTo(Math.sqrt(3), 6);
  });

  it('a voxel at the centre of a cube with spacing (z 2, y 1, x 0.5)', () => {
    const d = outer(2, 1, 0.5);
    const r = classOne(k(), centre, cube, { shape, spacing: [2, 1, 0.5], metrics: ['hausdorff', 'assd', 'asd'] });
    expect(r.hausdorff).toBeCloseTo(Math.sqrt(4 + 1 + 0.25), 6);
    expect(r.asd).toBe(0.5); // the x neighbour
    expect(r.assd).toBeCloseTo((0.5 + d.reduce((s, v) => s + v, 0)) / 27, 6);
  });

  it('runs in 1D, and a mask filling the image (whose border is its surface)', () => {
    // Pred [0 1 1 1 0 0], target [0 0 1 1 1 0]: surfaces {1, 3} and {2, 4}; every distance 1.
    const pred = Uint8Array.of(0, 1, 1, 1, 0, 0),
      target = Uint8Array.of(0, 0, 1, 1, 1, 0);
    expect(classOne(k(), pred, target, { shape: [1, 6], tolerance: 0.5 })).toEqual({
      hausdorff: 1,
      hausdorff95: 1,
      assd: 1,
      asd: 1,
      nsd: 0,
    });
    // 4×4 all class 1 on both sides: the same 12-voxel ring, distance 0 everywhere.
    const full = new Uint8Array(16).fill(1);
    expect(classOne(k(), full, full, { shape: [1, 4, 4], tolerance: 0 })).toEqual({
      hausdorff: 0,
      hausdorff95: 0,
      assd: 0,
      asd: 0,
      nsd: 1,
    });
  });
});

describe.each(['simd', 'scalar', 'js'])('empty masks (%s)', (backend) => {
  const k = () => kernels.find((x) => x.backend === backend)!;
  const square = labels([1, 5, 5], (_, y, x) => y >= 1 && y <= 2 && x >= 1 && x <= 3);
  const none = new Uint8Array(25);
  const inf = Number.POSITIVE_INFINITY,
    nan = Number.NaN;
  const run = (pred: Uint8Array, target: Uint8Array, empty: MetricEmptyPolicy, metrics = ALL) =>
    classOne(k(), pred, target, { shape: [1, 5, 5], empty, metrics });

  it('an empty prediction of a present class: every distance +∞, NSD 0, whatever the policy', () => {
    for (const empty of ['nan', 'formula', 'zero'] as const) {
      expect(run(none, square, empty), empty).toEqual({
        hausdorff: inf,
        hausdorff95: inf,
        assd: inf,
        asd: inf,
        nsd: 0,
      });
    }
  });

  it('a class absent from the target but predicted: NaN by default, +∞ / NSD 0 with formula (MONAI)', () => {
    expect(run(square, none, 'nan')).toEqual({ hausdorff: nan, hausdorff95: nan, assd: nan, asd: nan, nsd: nan });
    for (const empty of ['formula', 'zero'] as const) {
      expect(run(square, none, empty), empty).toEqual({
        hausdorff: inf,
        hausdorff95: inf,
        assd: inf,
        asd: inf,
        nsd: 0,
      });
    }
  });

  it("both empty: NaN (default, and MONAI's formula), 0 with zero, NSD 1 with one", () => {
    expect(run(none, none, 'nan')).toEqual({ hausdorff: nan, hausdorff95: nan, assd: nan, asd: nan, nsd: nan });
    expect(run(none, none, 'formula')).toEqual({ hausdorff: nan, hausdorff95: nan, assd: nan, asd: nan, nsd: nan });
    expect(run(none, none, 'zero')).toEqual({ hausdorff: 0, hausdorff95: 0, assd: 0, asd: 0, nsd: 0 });
    expect(run(none, none, 'one', ['nsd'])).toEqual({ nsd: 1 });
  });
});

describe('agreement with a brute-force reference on random label maps', () => {
  // Label maps of 3 classes in 2D or 3D, made of random boxes (so surfaces have structure, and
  // classes are sometimes absent), random spacing and percentile.
  const cases = fc.record({
    shape: fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 2, max: 24 })),
      fc.tuple(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 2, max: 19 }),
      ),
    ),
    seed: fc.integer(),
    spacing: fc.array(fc.double({ min: 0.3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }),
    percentile: fc.double({ min: 0, max: 100, noNaN: true }),
  });

  function labelMap(shape: number[], seed: number, boxes: number): Uint8Array {
    const random = rng(seed);
    const spatial = shape.slice(1);
    const map = new Uint8Array(shape.reduce((a, d) => a * d, 1));
    const S = map.length / shape[0];
    for (let b = 0; b < shape[0]; b++) {
      for (let n = 0; n < boxes; n++) {
        const label = 1 + Math.floor(random() * 2);
        const lo = spatial.map((d) => Math.floor(random() * d)),
          hi = lo.map((l, a) => l + 1 + Math.floor(random() * (spatial[a] - l)));
        for (let s = 0; s < S; s++) {
          let r = s;
          let inside = true;
          for (let a = spatial.length - 1; a >= 0; a--) {
            const v = r % spatial[a];
            r = Math.floor(r / spatial[a]);
            inside &&= v >= lo[a] && v < hi[a];
          }
          if (inside) map[b * S + s] = label;
        }
      }
    }
    return map;
  }

  it('every metric of every (sample, class) on every backend', () => {
    fc.assert(
      fc.property(cases, ({ shape, seed, spacing: spacing3, percentile }) => {
        const spatial = shape.slice(1);
        const spacing = spacing3.slice(0, spatial.length);
        const pred = labelMap(shape, seed, 3),
          target = labelMap(shape, seed + 7, 3);
        // Tolerances, one of them a distance on the unit grid (ties), the others unlikely to equal one.
        const tolerance = [0.7713, 1.3137, 2];
        const options = { numClasses: 3, shape, spacing, percentile, tolerance, empty: 'formula' as const };
        const S = spatial.reduce((a, d) => a * d, 1);
        const expected = Array.from({ length: shape[0] * 3 }, (_, k) => {
          const b = Math.floor(k / 3),
            c = k % 3;
          const side = (map: Uint8Array) => Array.from(map.subarray(b * S, (b + 1) * S), (l) => l === c);
          return bruteSurfaceMetrics(side(pred), side(target), spatial, spacing, tolerance[c], percentile);
        });
        for (const k of kernels) {
          const r = k.surfaceMetrics(pred, target, { ...options, metrics: ALL }) as Record<string, Float64Array>;
          const directed = k.surfaceMetrics(pred, target, {
            ...options,
            metrics: ['hausdorff', 'hausdorff95'],
            directed: true,
          }) as Record<string, Float64Array>;
          const pooled = k.surfaceMetrics(pred, target, {
            ...options,
            metrics: ['hausdorff95'],
            hdConvention: 'pooled',
          }) as Record<string, Float64Array>;
          expected.forEach((e, i) => {
            const close = (got: number, want: number, what: string) => {
              if (!Number.isFinite(want)) expect(got, `${k.backend} ${what} [${i}]`).toBe(want);
              else
                expect(Math.abs(got - want), `${k.backend} ${what} [${i}]: ${got} vs ${want}`).toBeLessThanOrEqual(
                  1e-5 * Math.max(1, want),
                );
            };
            close(r.hausdorff[i], e.hausdorff, 'hausdorff');
            close(r.hausdorff95[i], e.hausdorff95, 'hausdorff95');
            close(r.assd[i], e.assd, 'assd');
            close(r.asd[i], e.asd, 'asd');
            // NSD counts distances within the tolerance: a near-tie may fall on either side.
            if (Number.isNaN(e.nsd)) expect(r.nsd[i], `${k.backend} nsd [${i}]`).toBe(e.nsd);
            else
              expect(r.nsd[i], `${k.backend} nsd [${i}] in [${e.nsdLow}, ${e.nsdHigh}]`).toBeGreaterThanOrEqual(
                e.nsdLow - 1e-12,
              );
            if (!Number.isNaN(e.nsd))
              expect(r.nsd[i], `${k.backend} nsd [${i}]`).toBeLessThanOrEqual(e.nsdHigh + 1e-12);
            close(directed.hausdorff[i], e.directedHausdorff, 'directed hausdorff');
            close(directed.hausdorff95[i], e.directedHausdorff95, 'directed hausdorff95');
            close(pooled.hausdorff95[i], e.pooledHausdorff95, 'pooled hausdorff95');
          });
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe.each(['simd', 'scalar', 'js'])('inputs, ignoreIndex, reductions and streaming (%s)', (backend) => {
  const k = () => kernels.find((x) => x.backend === backend)!;
  // Two samples of 6×8, 3 classes.
  const shape = [2, 6, 8];
  const S = 48;
  const random = rng(99);
  const target = Uint8Array.from(
    { length: 2 * S },
    (_, i) => (i % 8 < 3 ? 0 : i % 8 < 6 ? 1 : 2) + (random() < 0.15 ? 1 : 0),
  ).map((l) => l % 3);
  const pred = Uint8Array.from(target, (l) => (random() < 0.2 ? (l + 1) % 3 : l));
  const base = { numClasses: 3, metrics: ['hausdorff95', 'assd', 'nsd'], tolerance: 1, spacing: [1.5, 0.7] } as const;
  const plain = (r: Record<string, unknown>) =>
    JSON.stringify(r, (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v, String) : v));

  it('reads label maps of every type, one-hot masks (NCHW, NHWC), argmax scores and thresholds alike', () => {
    const expected = plain(k().surfaceMetrics(pred, target, { ...base, shape }));
    const oneHot = (map: Uint8Array, layout: 'NCHW' | 'NHWC') =>
      Uint8Array.from({ length: 6 * S }, (_, i) => {
        const [b, c, s] =
          layout === 'NCHW'
            ? [Math.floor(i / (3 * S)), Math.floor(i / S) % 3, i % S]
            : [Math.floor(i / (3 * S)), i % 3, Math.floor(i / 3) % S];
        return map[b * S + s] === c ? 1 : 0;
      });
    const scores = Float32Array.from(oneHot(pred, 'NCHW'), (v, i) => v * 2 + Math.sin(i) * 0.1);
    const forms: [string, unknown, unknown, { shape: number[] } & Record<string, unknown>][] = [
      ['u16 labels', Uint16Array.from(pred), Uint16Array.from(target), { shape }],
      ['i32 labels', Int32Array.from(pred), Int32Array.from(target), { shape }],
      // A Uint8Array with numClasses reads as a label map unless the decision says otherwise.
      ['one-hot NCHW', oneHot(pred, 'NCHW'), oneHot(target, 'NCHW'), { shape: [2, 3, 6, 8], decision: 'nonzero' }],
      [
        'one-hot NHWC, f32 target',
        oneHot(pred, 'NHWC'),
        Float32Array.from(oneHot(target, 'NHWC')),
        { shape: [2, 6, 8, 3], layout: 'NHWC', decision: 'nonzero' },
      ],
      ['argmax scores, label target', scores, target, { shape: [2, 3, 6, 8] }],
      [
        'thresholded scores',
        Float32Array.from(oneHot(pred, 'NCHW'), (v) => (v ? 0.9 : 0.1)),
        oneHot(target, 'NCHW'),
        { shape: [2, 3, 6, 8], decision: 'threshold' },
      ],
    ];
    for (const [what, p, t, o] of forms) {
      expect(
        plain(k().surfaceMetrics(p as Uint8Array, t as Uint8Array, { ...base, ...o } as SurfaceMetricsOptions)),
        what,
      ).toBe(expected);
    }
  });

  it('ignoreIndex: the voxels it marks belong to no class on either side', () => {
    const ignored = Uint8Array.from(target, (l, i) => (i % 8 === 4 && i < S ? 255 : l));
    // The same as one-hot masks that are 0 in every class there.
    const oneHot = (map: Uint8Array, skip: Uint8Array) =>
      Uint8Array.from({ length: 6 * S }, (_, i) => {
        const b = Math.floor(i / (3 * S)),
          c = Math.floor(i / S) % 3,
          s = i % S;
        return skip[b * S + s] !== 255 && map[b * S + s] === c ? 1 : 0;
      });
    const got = k().surfaceMetrics(pred, ignored, { ...base, shape, ignoreIndex: 255 });
    const expected = k().surfaceMetrics(oneHot(pred, ignored), oneHot(ignored, ignored), {
      ...base,
      shape: [2, 3, 6, 8],
      decision: 'nonzero',
    });
    expect(plain(got)).toBe(plain(expected));
    expect(plain(got)).not.toBe(plain(k().surfaceMetrics(pred, target, { ...base, shape })));
  });

  it('includeBackground false leaves class 0 unmeasured (NaN) and out of the reductions', () => {
    const all = k().surfaceMetrics(pred, target, { ...base, shape });
    const some = k().surfaceMetrics(pred, target, { ...base, shape, includeBackground: false });
    for (const name of base.metrics) {
      Array.from(some[name] as Float64Array).forEach((v, i) => {
        if (i % 3 === 0) expect(v).toBeNaN();
        else expect(v).toBe((all[name] as Float64Array)[i]);
      });
    }
    const table = some.assd as Float64Array;
    const reduced = k().surfaceMetrics(pred, target, {
      ...base,
      shape,
      includeBackground: false,
      reduction: 'mean_batch',
    }).assd as ReducedMetric;
    expect(Array.from(reduced.value as Float64Array)).toEqual([(table[1] + table[4]) / 2, (table[2] + table[5]) / 2]);
    const mean = k().surfaceMetrics(pred, target, { ...base, shape, includeBackground: false, reduction: 'mean' })
      .assd as ReducedMetric;
    expect(mean.value).toBeCloseTo(((table[1] + table[2]) / 2 + (table[4] + table[5]) / 2) / 2, 12);
  });

  it('streams case by case: updates, per-update spacing, merge and JSON give the one-call table', () => {
    const options = { ...base, empty: 'formula' as const };
    const whole = k().surfaceMetrics(pred, target, { ...options, shape });
    const m = k().createSurfaceMetric(options);
    m.update(pred.subarray(0, S), target.subarray(0, S), { shape: [1, 6, 8] });
    const other = k().createSurfaceMetric(options);
    other.update(pred.subarray(S), target.subarray(S), { shape: [1, 6, 8], spacing: [1.5, 0.7] });
    m.merge(JSON.parse(JSON.stringify(other)));
    expect(m.numSamples).toBe(2);
    expect(plain(m.compute())).toBe(plain(whole));
    expect(
      plain(
        k()
          .createSurfaceMetric(options)
          .fromJSON(JSON.parse(JSON.stringify(m)))
          .compute({ reduction: 'mean_batch' }),
      ),
    ).toBe(plain(k().surfaceMetrics(pred, target, { ...options, shape, reduction: 'mean_batch' })));
    // Another spacing for the second case changes its values only.
    const stretched = k().createSurfaceMetric(options);
    stretched.update(pred, target, {
      shape,
      spacing: [
        [1.5, 0.7],
        [3, 1.4],
      ],
    });
    const doubled = stretched.compute().assd as Float64Array;
    for (let c = 0; c < 3; c++) {
      expect(doubled[c]).toBe((whole.assd as Float64Array)[c]);
      const v = (whole.assd as Float64Array)[3 + c];
      if (Number.isFinite(v)) expect(doubled[3 + c]).toBeCloseTo(2 * v, 6);
    }
    m.reset();
    expect(m.numSamples).toBe(0);
  });
});
