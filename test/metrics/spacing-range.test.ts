// D10 (issue 14): surface distances are right in any unit of spacing. The kernels measure in units
// of a power of two ≥ the largest spacing (exact scaling), so that float32 squared distances
// neither overflow (2e19 gave +∞) nor underflow (1e−23 gave 0); spacings outside [1e−100, 1e100],
// or more than 1e12 apart, are refused with a RangeError. Expected values: the brute-force
// reference (test/reference/surface.ts, float64 with Math.hypot), within the 1e−6 the float32
// kernels allow.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { bruteSurfaceMetrics } from '../reference/surface.js';
import { rng } from '../support/random.js';
import { BACKENDS, expectWorkedExample, thrownBy } from '../support/worked.js';

const kernels = new Map<string, DiceKernel>();
beforeAll(async () => {
  for (const backend of BACKENDS) kernels.set(backend, await loadDice({ backend }));
});

function close(got: number, want: number): void {
  if (!Number.isFinite(want)) expect(got).toBe(want);
  else expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * Math.abs(want) + Number.MIN_VALUE);
}

describe.each(BACKENDS)('spacing in any unit (%s)', (backend) => {
  const k = () => kernels.get(backend) as DiceKernel;

  it.each([2e19, 1e-23, 1e-90, 1e90, 1, 0.8])("d10's case at spacing %d: HD = s and √2·s", (s) => {
    const r = k().surfaceMetrics(Uint8Array.of(1, 0, 0, 0), Uint8Array.of(0, 0, 0, 1), {
      numClasses: 2,
      shape: [1, 2, 2],
      metrics: ['hd'],
      spacing: s,
    });
    close(r.hd[0], s);
    close(r.hd[1], Math.SQRT2 * s);
  });

  it('random masks, anisotropic spacings of every magnitude: every metric as brute force', () => {
    const random = rng(1014);
    const shapes = [
      [9, 7],
      [5, 6, 4],
    ];
    for (const unit of [3e-60, 1.7e-23, 1, 6.5e19, 2e80]) {
      for (const dims of shapes) {
        const n = dims.reduce((a, d) => a * d, 1);
        const pred = Uint8Array.from({ length: n }, () => (random() < 0.45 ? 1 : 0));
        const target = Uint8Array.from({ length: n }, () => (random() < 0.45 ? 1 : 0));
        const spacing = dims.map(() => unit * (0.25 + 4 * random()));
        const tolerance = 1.5 * unit;
        const r = k().surfaceMetrics(pred, target, {
          numClasses: 2,
          shape: [1, ...dims],
          spacing,
          tolerance,
          metrics: ['hausdorff', 'hausdorff95', 'assd', 'asd', 'nsd'],
        });
        const want = bruteSurfaceMetrics(
          Array.from(pred, (v) => v === 1),
          Array.from(target, (v) => v === 1),
          dims,
          spacing,
          tolerance,
        );
        close(r.hausdorff[1], want.hausdorff);
        close(r.hausdorff95[1], want.hausdorff95);
        close(r.assd[1], want.assd);
        close(r.asd[1], want.asd);
        expect(r.nsd[1]).toBeCloseTo(want.nsd, 12);
      }
    }
  });

  it.each([
    [1e300, /^surfaceMetrics: spacing must hold numbers in \[1e-100, 1e\+100\]; got 1e\+300$/],
    [1e-300, /^surfaceMetrics: spacing must hold numbers in \[1e-100, 1e\+100\]; got 1e-300$/],
    [[1, 1e13], /^surfaceMetrics: spacing has spacings 1 and 10000000000000, more than 1000000000000 times apart/],
    [
      [
        [1, 1],
        [1e-20, 1],
      ],
      /^surfaceMetrics: spacing has spacings 1e-20 and 1, more than/,
    ],
  ])('spacing %j is refused with a RangeError', (spacing, pattern) => {
    const thrown = thrownBy(() =>
      k().surfaceMetrics(new Uint8Array(8), new Uint8Array(8), {
        numClasses: 1,
        shape: [2, 2, 2],
        metrics: ['hd'],
        spacing,
      }),
    );
    expect(thrown).toBeInstanceOf(RangeError);
    expect(thrown.message).toMatch(pattern);
    expectWorkedExample(k());
  });
});
