// dice-wasm/compat's MONAI surface metrics against values derived by hand: output shapes
// (B, C'), include_background, percentile (and MONAI's NaN for a percentile of infinite
// distances), directed, symmetric, spacing in MONAI's three forms, and the empty-mask rules.
import { beforeAll, describe, expect, it } from 'vitest';
import { monai, useKernel, type Tensor } from '../../src/compat/index.js';
import { loadDice, type DiceKernel } from '../../src/index.js';

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

const H = 6,
  W = 6;
/** A one-hot (B, 2, H, W) tensor: channel 1 where `inside(b, y, x)`, channel 0 elsewhere. */
function oneHot(
  B: number,
  inside: (b: number, y: number, x: number) => boolean,
): { data: Float32Array; shape: number[] } {
  const data = new Float32Array(B * 2 * H * W);
  for (let b = 0; b < B; b++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const fg = inside(b, y, x) ? 1 : 0;
        data[((b * 2 + 1) * H + y) * W + x] = fg;
        data[(b * 2 * H + y) * W + x] = 1 - fg;
      }
  return { data, shape: [B, 2, H, W] };
}

// Sample 0: the squares x, y ∈ [1, 3] (pred) and x ∈ [2, 4], y ∈ [1, 3] (y): D(P→G) and
// D(G→P) are each four 1s and four 0s (test/metrics/surface.test.ts): HD 1, ASD = ASSD = 1/2,
// NSD(0.5) = 1/2. Sample 1: nothing predicted, the same y: HD +∞ (NaN with a percentile, as
// MONAI's torch.quantile of +∞ values), ASD +∞, NSD 0. Sample 2: both empty: NaN everywhere.
const Y_PRED = oneHot(3, (b, y, x) => b === 0 && y >= 1 && y <= 3 && x >= 1 && x <= 3);
const Y = oneHot(3, (b, y, x) => b < 2 && y >= 1 && y <= 3 && x >= 2 && x <= 4);
const inf = Number.POSITIVE_INFINITY,
  nan = Number.NaN;
const values = (t: Tensor) => ({ data: Array.from(t.data), shape: t.shape });

describe.each(['simd', 'scalar', 'js'])('MONAI surface metrics (%s)', (backend) => {
  beforeAll(() => useKernel(kernels.find((k) => k.backend === backend)!));

  it('compute_hausdorff_distance: (B, C − 1) by default, percentile, directed, the empty rules', () => {
    expect(values(monai.compute_hausdorff_distance(Y_PRED, Y))).toEqual({ data: [1, inf, nan], shape: [3, 1] });
    expect(values(monai.compute_hausdorff_distance(Y_PRED, Y, { percentile: 95 }))).toEqual({
      data: [1, nan, nan],
      shape: [3, 1],
    });
    // MONAI's `if not percentile`: 0 is the maximum, as None.
    expect(values(monai.compute_hausdorff_distance(Y_PRED, Y, { percentile: 0 }))).toEqual({
      data: [1, inf, nan],
      shape: [3, 1],
    });
    // The 40th percentile of four 0s and four 1s: rank 2.8 → 0.
    expect(values(monai.compute_hausdorff_distance(Y_PRED, Y, { percentile: 40, directed: true }))).toEqual({
      data: [0, nan, nan],
      shape: [3, 1],
    });
    // The 50th: rank 3.5 between 0 and 1.
    expect(monai.compute_hausdorff_distance(Y_PRED, Y, { percentile: 50 }).data[0]).toBe(0.5);
  });

  it('include_background keeps channel 0 (the complement: the same shift, and the image border on both sides)', () => {
    const both = monai.compute_hausdorff_distance(Y_PRED, Y, { include_background: true });
    expect(both.shape).toEqual([3, 2]);
    expect([both.data[1], both.data[3], both.data[5]]).toEqual([1, inf, nan]);
    // Sample 2's background is the whole image on both sides: distance 0.
    expect(both.data[4]).toBe(0);
  });

  it('spacing: a number, one per axis, one per image', () => {
    // The shift is along x: spacing x 0.4 scales every distance by 0.4.
    expect(monai.compute_hausdorff_distance(Y_PRED, Y, { spacing: 0.4 }).data[0]).toBeCloseTo(0.4, 6);
    expect(monai.compute_hausdorff_distance(Y_PRED, Y, { spacing: [3, 0.4] }).data[0]).toBeCloseTo(0.4, 6);
    expect(
      monai.compute_hausdorff_distance(Y_PRED, Y, {
        spacing: [
          [3, 0.4],
          [1, 1],
          [1, 1],
        ],
      }).data[0],
    ).toBeCloseTo(0.4, 6);
    // The 3 pred voxels at x = 1 are 1 along x from the target; (3, 2) is 1 along x or y from its nearest.
    expect(monai.compute_average_surface_distance(Y_PRED, Y, { spacing: [3, 0.4] }).data[0]).toBeCloseTo(
      (4 * 0.4) / 8,
      6,
    );
  });

  it('compute_surface_dice: class_thresholds per kept class; 0 for one empty mask, NaN for two', () => {
    expect(values(monai.compute_surface_dice(Y_PRED, Y, [0.5]))).toEqual({ data: [0.5, 0, nan], shape: [3, 1] });
    expect(values(monai.compute_surface_dice(Y_PRED, Y, [1]))).toEqual({ data: [1, 0, nan], shape: [3, 1] });
    expect(monai.compute_surface_dice(Y_PRED, Y, [0, 1], { include_background: true }).shape).toEqual([3, 2]);
  });

  it('compute_average_surface_distance: from y_pred by default, over both directions with symmetric', () => {
    expect(values(monai.compute_average_surface_distance(Y_PRED, Y))).toEqual({ data: [0.5, inf, nan], shape: [3, 1] });
    // A voxel at the centre of a 3×3×3 cube (5×5×5): from the voxel 1; over both, (1 + 6 + 12√2 + 8√3) / 27.
    const cube = (centreOnly: boolean) => {
      const data = new Float32Array(2 * 125);
      for (let i = 0; i < 125; i++) {
        const z = Math.floor(i / 25),
          y = Math.floor(i / 5) % 5,
          x = i % 5;
        const inCube = [z, y, x].every((v) => v >= 1 && v <= 3);
        const fg = centreOnly ? z === 2 && y === 2 && x === 2 : inCube;
        data[125 + i] = fg ? 1 : 0;
        data[i] = fg ? 0 : 1;
      }
      return { data, shape: [1, 2, 5, 5, 5] };
    };
    expect(monai.compute_average_surface_distance(cube(true), cube(false)).data[0]).toBe(1);
    expect(monai.compute_average_surface_distance(cube(true), cube(false), { symmetric: true }).data[0]).toBeCloseTo(
      (1 + 6 + 12 * Math.SQRT2 + 8 * Math.sqrt(3)) / 27,
      6,
    );
  });
});
