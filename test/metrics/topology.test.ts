// The topology metrics of k.metrics (cldice, topologyPrecision, topologySensitivity, biou) on every
// backend, against values computed here from their definitions: skeletons by the independent
// thinning reference (test/reference/skeleton.ts), boundary bands by brute force
// (test/reference/topology.ts), the Boundary IoU API's default width from the image diagonal by
// hand; label maps and one-hot input, 2-D and 3-D, batches; empty classes scored as NaN. Per-term
// tables hold every class (index b × C + c); without background, class 0's terms are NaN.
import { beforeAll, describe, expect, it } from 'vitest';
import { type DiceKernel, loadDice } from '../../src/index.js';
import { referenceThin } from '../reference/skeleton.js';
import { bruteChessboardBand, bruteEuclideanBand, shapeMask } from '../reference/topology.js';
import { rng } from '../support/random.js';

const BACKENDS = ['simd', 'scalar', 'js'] as const;
let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all(BACKENDS.map((backend) => loadDice({ backend })));
});

/** Blobs of random discs or balls (row-major). */
function blobs(shape: number[], count: number, radius: number, random: () => number): Uint8Array {
  const centres = Array.from({ length: count }, () => shape.map((n) => random() * n));
  return shapeMask(shape, (...at) => centres.some((c) => Math.hypot(...at.map((v, a) => v - c[a])) < radius));
}

/** The skeleton of a mask by the reference thinning (2-D masks as one plane). */
function skeleton(mask: Uint8Array, shape: number[]): Uint8Array {
  const [nz, ny, nx] = shape.length === 3 ? shape : [1, ...shape];
  return referenceThin(mask, nx, ny, nz);
}

const count = (a: ArrayLike<number | boolean>) => Array.from(a).filter(Boolean).length;
const both = (a: ArrayLike<number | boolean>, b: ArrayLike<number | boolean>) =>
  Array.from(a).filter((v, i) => v && b[i]).length;

/** clDice's parts from their definitions: Tprec = |S(P) ∩ G| / |S(P)|, Tsens = |S(G) ∩ P| / |S(G)|. */
function expectedClDice(pred: Uint8Array, target: Uint8Array, shape: number[]) {
  const sp = skeleton(pred, shape),
    sg = skeleton(target, shape);
  const tprec = both(sp, target) / count(sp);
  const tsens = both(sg, pred) / count(sg);
  return { tprec, tsens, cldice: (2 * tprec * tsens) / (tprec + tsens) };
}

/**
 * Boundary IoU: |band(G) ∩ band(P)| / |band(G) ∪ band(P)|, each band the mask's voxels within the
 * width of its outside.
 */
function expectedBiou(pred: Uint8Array, target: Uint8Array, band: (m: boolean[]) => boolean[]) {
  const bp = band(Array.from(pred, Boolean)),
    bg = band(Array.from(target, Boolean));
  const either = bp.filter((v, i) => v || bg[i]).length;
  return both(bp, bg) / either;
}

/** Two samples of a foreground class: the prediction a perturbed copy of the target (some blobs moved). */
function pairs(shape: number[], seed: number) {
  const random = rng(seed);
  const radius = shape.length === 2 ? 3.2 : 2.8;
  return [0, 1].map(() => {
    const target = blobs(shape, 4, radius, random);
    const pred = target.slice();
    const extra = blobs(shape, 2, radius, random);
    const hole = blobs(shape, 1, radius, random);
    for (let i = 0; i < pred.length; i++) pred[i] = (pred[i] || extra[i]) && !hole[i] ? 1 : 0;
    return { pred, target };
  });
}

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe.each([
  ['2-D', [28, 31]],
  ['3-D', [14, 15, 17]],
])('topology metrics, %s', (_, shape) => {
  const samples = pairs(shape, shape.length * 100 + shape[0]);
  const pred = concat(samples.map((s) => s.pred));
  const target = concat(samples.map((s) => s.target));
  const options = { numClasses: 2, includeBackground: false, shape: [2, ...shape], reduction: 'none' } as const;

  it('cldice, topologyPrecision and topologySensitivity equal the definitions on the reference skeletons', () => {
    const want = samples.map((s) => expectedClDice(s.pred, s.target, shape));
    for (const [b, k] of kernels.entries()) {
      const got = k.metrics(pred, target, {
        ...options,
        metrics: ['cldice', 'topologyPrecision', 'topologySensitivity'],
      });
      for (let n = 0; n < 2; n++) {
        // Not trivial: the skeletons overlap in part.
        expect(want[n].tprec).toBeGreaterThan(0.2);
        expect(want[n].tprec + want[n].tsens).toBeLessThan(2);
        expect(got.cldice[2 * n + 1], BACKENDS[b]).toBeCloseTo(want[n].cldice, 12);
        expect(got.topologyPrecision[2 * n + 1], BACKENDS[b]).toBeCloseTo(want[n].tprec, 12);
        expect(got.topologySensitivity[2 * n + 1], BACKENDS[b]).toBeCloseTo(want[n].tsens, 12);
      }
    }
  });

  it('biou: chessboard bands of width 2, Euclidean bands of 1.5 mm with a spacing, by brute force', () => {
    const spacing = shape.map((_, a) => 0.5 + 0.25 * a);
    const chessboard = samples.map((s) =>
      expectedBiou(s.pred, s.target, (m) =>
        bruteChessboardBand(
          m,
          shape,
          shape.map(() => 2),
        ),
      ),
    );
    const euclidean = samples.map((s) =>
      expectedBiou(s.pred, s.target, (m) => bruteEuclideanBand(m, shape, spacing, 1.5)),
    );
    for (const [b, k] of kernels.entries()) {
      const c = k.metrics(pred, target, { ...options, metrics: ['biou'], boundaryWidth: 2 });
      const e = k.metrics(pred, target, {
        ...options,
        metrics: ['biou'],
        boundaryDistance: 'euclidean',
        boundaryWidthMm: 1.5,
        spacing,
      });
      for (let n = 0; n < 2; n++) {
        expect(chessboard[n]).toBeGreaterThan(0.1);
        expect(chessboard[n]).toBeLessThan(1);
        expect(c.biou[2 * n + 1], BACKENDS[b]).toBeCloseTo(chessboard[n], 12);
        expect(e.biou[2 * n + 1], BACKENDS[b]).toBeCloseTo(euclidean[n], 12);
      }
    }
  });

  it("biou's default width is the Boundary IoU API's: round(0.02 × diagonal), at least 1", () => {
    // 28×31: diagonal 41.8 → 0.84 → 1; 14×15×17: diagonal 26.1 → 0.52 → 1 (rounded, then at least 1).
    const width = Math.max(1, Math.round(0.02 * Math.hypot(...shape)));
    expect(width).toBe(1);
    const want = samples.map((s) =>
      expectedBiou(s.pred, s.target, (m) =>
        bruteChessboardBand(
          m,
          shape,
          shape.map(() => width),
        ),
      ),
    );
    for (const k of kernels) {
      const got = k.metrics(pred, target, { ...options, metrics: ['biou'] });
      for (let n = 0; n < 2; n++) expect(got.biou[2 * n + 1]).toBeCloseTo(want[n], 12);
    }
  });

  it('one-hot input [B, C, ...spatial] gives what the label maps give, and the mean is over the samples', () => {
    const oneHot = (labels: Uint8Array) => {
      const S = labels.length / 2;
      const out = new Float32Array(labels.length * 2);
      for (let b = 0; b < 2; b++) for (let s = 0; s < S; s++) out[(b * 2 + labels[b * S + s]) * S + s] = 1;
      return out;
    };
    const want = samples.map((s) => expectedClDice(s.pred, s.target, shape).cldice);
    for (const k of kernels) {
      const got = k.metrics(oneHot(pred), oneHot(target), {
        includeBackground: false,
        shape: [2, 2, ...shape],
        decision: 'nonzero',
        reduction: 'mean',
        metrics: ['cldice'],
      });
      expect((got.cldice as { value: number }).value).toBeCloseTo((want[0] + want[1]) / 2, 12);
    }
  });
});

describe('empty classes', () => {
  it('a class absent from both masks is NaN (not scored), as the empty policy says', () => {
    const shape = [2, 12, 12];
    const target = new Uint8Array(2 * 144);
    const pred = new Uint8Array(2 * 144);
    // Sample 0: a bar in both; sample 1: nothing.
    for (let y = 4; y < 8; y++) for (let x = 2; x < 10; x++) target[y * 12 + x] = pred[y * 12 + x] = 1;
    for (const k of kernels) {
      const got = k.metrics(pred, target, {
        numClasses: 2,
        includeBackground: false,
        shape,
        reduction: 'none',
        metrics: ['cldice', 'biou'],
      });
      // Per-term tables hold every class (b × 2 + c); class 0 is left out (NaN).
      expect(got.cldice[1]).toBe(1);
      expect(got.biou[1]).toBe(1);
      expect(got.cldice[3]).toBeNaN();
      expect(got.biou[3]).toBeNaN();
      expect(got.cldice[0]).toBeNaN();
    }
  });
});

describe('streaming (k.createMetric) and the CLI', () => {
  const shape = [22, 25];
  const samples = pairs(shape, 77);
  const want = samples.map((s) => ({
    cldice: expectedClDice(s.pred, s.target, shape).cldice,
    biou: expectedBiou(s.pred, s.target, (m) => bruteChessboardBand(m, shape, [1, 1])),
  }));

  it('a metric updated one sample at a time, merged and through JSON, gives the per-sample values', () => {
    for (const k of kernels) {
      const options = { numClasses: 2, includeBackground: false, metrics: ['cldice', 'biou'] };
      const first = k.createMetric(options).update(samples[0].pred, samples[0].target, { shape: [1, ...shape] });
      const second = k.createMetric(options).update(samples[1].pred, samples[1].target, { shape: [1, ...shape] });
      const merged = k
        .createMetric(options)
        .fromJSON(JSON.parse(JSON.stringify(first.toJSON())))
        .merge(second);
      const got = merged.compute() as Record<string, Float64Array>;
      for (let n = 0; n < 2; n++) {
        expect(got.cldice[2 * n + 1]).toBeCloseTo(want[n].cldice, 12);
        expect(got.biou[2 * n + 1]).toBeCloseTo(want[n].biou, 12);
      }
      const mean = merged.compute({ reduction: 'mean' }) as Record<string, { value: number }>;
      expect(mean.cldice.value).toBeCloseTo((want[0].cldice + want[1].cldice) / 2, 12);
    }
  });

  it('refuses a tile of a sample measured before (topology metrics take whole samples)', () => {
    const k = kernels[0];
    const metric = k.createMetric({ numClasses: 2, metrics: ['cldice'] });
    metric.update(samples[0].pred, samples[0].target, { shape: [1, ...shape], sample: 'case-1' });
    expect(() => metric.update(samples[0].pred, samples[0].target, { shape: [1, ...shape], sample: 'case-1' })).toThrow(
      /whole samples/,
    );
    // Still usable: another sample.
    metric.update(samples[1].pred, samples[1].target, { shape: [1, ...shape], sample: 'case-2' });
    expect(metric.numSamples).toBe(2);
  });
});
