// The surface option hdConvention ('max-directed', MONAI's, the default; 'pooled', MedPy's hd95)
// and surfaceConnectivity (the neighbourhood that decides the surface), on every backend and in the
// streaming metric, on cases derived by hand in the comments: percentiles as numpy's linear
// interpolation, rank q/100·(n − 1) in the sorted list. Irrational values to 6 digits: the
// WebAssembly kernels compute distances in float32.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel, type SurfaceMetricsOptions } from '../../src/index.js';

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

/** Class 1's value of each metric asked for (two classes). */
function classOne(
  k: DiceKernel,
  pred: readonly number[],
  target: readonly number[],
  options: Omit<SurfaceMetricsOptions, 'numClasses'>,
): Record<string, number> {
  const r = k.surfaceMetrics(Uint8Array.from(pred), Uint8Array.from(target), { numClasses: 2, ...options });
  return Object.fromEntries(Object.entries(r).map(([name, v]) => [name, (v as Float64Array)[1]]));
}

describe.each(['simd', 'scalar', 'js'])('hdConvention (%s)', (backend) => {
  const k = () => kernels.find((x) => x.backend === backend)!;

  it('1D, pooled smaller: pred {0}, target {0, 3}', () => {
    // Surfaces: pred {0}; target {0, 3} (each voxel of a 1D run of length 1 is its own end).
    // D(P→G) = [0]; D(G→P) = [0, 3].
    // max-directed: max(p95 [0] = 0, p95 [0, 3] = 0 + 0.95·3 = 2.85) = 2.85.
    // pooled: p95 of [0, 0, 3]: rank 1.9 → 0 + 0.9·3 = 2.7. Hausdorff 3 either way.
    const pred = [1, 0, 0, 0],
      target = [1, 0, 0, 1],
      options = { shape: [1, 4], metrics: ['hausdorff', 'hausdorff95'] };
    const monai = classOne(k(), pred, target, options);
    expect(monai.hausdorff).toBe(3);
    expect(monai.hausdorff95).toBeCloseTo(2.85, 12);
    expect(classOne(k(), pred, target, { ...options, hdConvention: 'max-directed' })).toEqual(monai);
    const medpy = classOne(k(), pred, target, { ...options, hdConvention: 'pooled' });
    expect(medpy.hausdorff).toBe(3);
    expect(medpy.hausdorff95).toBeCloseTo(2.7, 12);
    // Percentile 50: max-directed max(0, 1.5) = 1.5; pooled rank 1 of [0, 0, 3] = 0.
    const half = { ...options, metrics: ['hausdorff95'], percentile: 50 };
    expect(classOne(k(), pred, target, half).hausdorff95).toBeCloseTo(1.5, 12);
    expect(classOne(k(), pred, target, { ...half, hdConvention: 'pooled' }).hausdorff95).toBe(0);
  });

  it('1D, pooled larger: pred {0, 1}, target {0} and {2}', () => {
    // Surfaces: pred's run [0, 1] has ends {0, 1}; target {0, 2}. D(P→G) = [0, 1] (1 is 1 from 0
    // and from 2); D(G→P) = [0, 1]. max-directed: p95 [0, 1] = 0.95 both ways → 0.95.
    // pooled: [0, 0, 1, 1], rank 0.95·3 = 2.85 between 1 and 1 → 1.
    const pred = [1, 1, 0, 0],
      target = [1, 0, 1, 0],
      options = { shape: [1, 4], metrics: ['hausdorff95'] };
    expect(classOne(k(), pred, target, options).hausdorff95).toBeCloseTo(0.95, 12);
    expect(classOne(k(), pred, target, { ...options, hdConvention: 'pooled' }).hausdorff95).toBe(1);
  });

  it('2D with spacing (y 2, x 1): pred (0, 0), target (0, 0) and (2, 3)', () => {
    // D(P→G) = [0]; D(G→P) = [0, √((2·2)² + 3²) = 5].
    // max-directed: max(0, p95 [0, 5] = 4.75) = 4.75; pooled: p95 [0, 0, 5], rank 1.9 → 0.9·5 = 4.5.
    // directed (prediction to target only, max-directed): p95 [0] = 0.
    const pred = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const target = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const options = { shape: [1, 3, 4], spacing: [2, 1], metrics: ['hausdorff95'] };
    expect(classOne(k(), pred, target, options).hausdorff95).toBeCloseTo(4.75, 12);
    expect(classOne(k(), pred, target, { ...options, hdConvention: 'pooled' }).hausdorff95).toBeCloseTo(4.5, 12);
    expect(classOne(k(), pred, target, { ...options, directed: true }).hausdorff95).toBe(0);
  });

  it('3D: the centre voxel of a 3×3×3 cube, at percentile 25', () => {
    // Pred: the centre of a 5×5×5 image; target: the 3×3×3 cube around it, whose surface is its 26
    // outer voxels. D(P→G) = [1]; D(G→P) = 6 faces at 1, 12 edges at √2, 8 corners at √3.
    // max-directed p25: D(G→P) rank 0.25·25 = 6.25 between indices 6 and 7, both √2 → max(1, √2) = √2.
    // pooled p25: 7 ones, 12 √2, 8 √3; rank 0.25·26 = 6.5 between 1 (index 6) and √2 (7) → (1 + √2)/2.
    // p95 agrees: max-directed rank 23.75 → √3; pooled rank 24.7 → √3.
    const inside = (i: number, lo: number, hi: number) =>
      [Math.floor(i / 25), Math.floor(i / 5) % 5, i % 5].every((v) => v >= lo && v <= hi) ? 1 : 0;
    const pred = Array.from({ length: 125 }, (_, i) => inside(i, 2, 2));
    const target = Array.from({ length: 125 }, (_, i) => inside(i, 1, 3));
    const options = { shape: [1, 5, 5, 5], metrics: ['hausdorff95'], percentile: 25 };
    expect(classOne(k(), pred, target, options).hausdorff95).toBeCloseTo(Math.SQRT2, 6);
    expect(classOne(k(), pred, target, { ...options, hdConvention: 'pooled' }).hausdorff95).toBeCloseTo(
      (1 + Math.SQRT2) / 2,
      6,
    );
    for (const hdConvention of ['max-directed', 'pooled'] as const) {
      expect(
        classOne(k(), pred, target, { ...options, percentile: 95, hdConvention }).hausdorff95,
        hdConvention,
      ).toBeCloseTo(Math.sqrt(3), 6);
    }
  });

  it('leaves the other metrics as they are', () => {
    const pred = [0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1],
      target = [1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1];
    const options = { shape: [1, 3, 4], metrics: ['hausdorff', 'assd', 'asd', 'nsd'], tolerance: 1 };
    expect(classOne(k(), pred, target, { ...options, hdConvention: 'pooled' })).toEqual(
      classOne(k(), pred, target, options),
    );
  });

  it('is an option of the streaming metric, whose states must agree on it', () => {
    const pred = Uint8Array.of(1, 0, 0, 0),
      target = Uint8Array.of(1, 0, 0, 1);
    const make = (hdConvention?: 'pooled' | 'max-directed') =>
      k()
        .createSurfaceMetric({ numClasses: 2, metrics: ['hausdorff95'], hdConvention })
        .update(pred, target, { shape: [1, 4] });
    const pooled = make('pooled');
    expect((pooled.compute().hausdorff95 as Float64Array)[1]).toBeCloseTo(2.7, 12);
    expect((make().compute().hausdorff95 as Float64Array)[1]).toBeCloseTo(2.85, 12);
    expect(() => pooled.merge(make('max-directed').toJSON())).toThrow(/made with other options/);
    expect(make('pooled').merge(pooled.toJSON()).numSamples).toBe(2);
  });
});

describe.each(['simd', 'scalar', 'js'])('surfaceConnectivity (%s)', (backend) => {
  const k = () => kernels.find((x) => x.backend === backend)!;

  it('decides whether a voxel whose faces are inside but a corner is not is on the surface', () => {
    // A 3×3 image. Pred: all but (0, 0); target: the centre (1, 1) alone (its own surface).
    // Faces (4, the default): the centre's four face neighbours are in pred, so pred's surface is
    // its 7 border voxels: 4 at distance 1 from (1, 1) and 3 at √2 → asd (4 + 3√2)/7.
    // 8-neighbourhood: (0, 0) is a missing corner of the centre, which joins the surface at
    // distance 0 → asd (4 + 3√2)/8. Hausdorff √2 both ways.
    const pred = [0, 1, 1, 1, 1, 1, 1, 1, 1],
      target = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    const options = { shape: [1, 3, 3], metrics: ['asd', 'hausdorff'] };
    const faces = classOne(k(), pred, target, options);
    expect(faces.asd).toBeCloseTo((4 + 3 * Math.SQRT2) / 7, 6);
    expect(faces.hausdorff).toBeCloseTo(Math.SQRT2, 6);
    expect(classOne(k(), pred, target, { ...options, surfaceConnectivity: 4 })).toEqual(faces);
    const corners = classOne(k(), pred, target, { ...options, surfaceConnectivity: 8 });
    expect(corners.asd).toBeCloseTo((4 + 3 * Math.SQRT2) / 8, 6);
    expect(corners.hausdorff).toBeCloseTo(Math.SQRT2, 6);
  });
});
