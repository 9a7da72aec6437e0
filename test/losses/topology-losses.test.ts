// The losses on whole class volumes (k.clDiceLoss, k.diceClDiceLoss, k.hausdorffDTLoss,
// k.boundaryLoss) on every backend: values against the independent float64 references of
// test/reference/spatial-losses.ts (js to 1e-12, WebAssembly to float32 rounding), values worked
// out by hand, gradients against central differences of those references, createLoss, `out`,
// and the refusals.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import {
  activate,
  referenceBoundary,
  referenceClDice,
  referenceHausdorff,
  type Volumes,
} from '../reference/spatial-losses.js';
import { rng } from '../support/random.js';

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

const tolerance = (k: DiceKernel): number => (k.backend === 'js' ? 1e-12 : 2e-5);

type LossName = 'clDice' | 'diceClDice' | 'hausdorffDT' | 'boundary';

/** A random case: logits, a label map and its one-hot (channels first). */
function randomCase(seed: number, shape: number[]) {
  const r = rng(seed);
  const [B, C, ...dims] = shape;
  const S = dims.reduce((a, d) => a * d, 1);
  const logits = Float32Array.from({ length: B * C * S }, () => 6 * r() - 3);
  // Blobs of labels: class of the nearest of a few random centres.
  const labels = new Uint8Array(B * S);
  for (let b = 0; b < B; b++) {
    const centres = Array.from({ length: 2 * C }, () => ({ at: dims.map((d) => r() * d), c: Math.floor(r() * C) }));
    for (let s = 0; s < S; s++) {
      const at: number[] = [];
      for (let a = dims.length - 1, i = s; a >= 0; a--) {
        at[a] = i % dims[a];
        i = Math.floor(i / dims[a]);
      }
      let best = centres[0];
      for (const centre of centres) {
        if (Math.hypot(...at.map((v, a) => v - centre.at[a])) < Math.hypot(...at.map((v, a) => v - best.at[a])))
          best = centre;
      }
      labels[b * S + s] = best.c;
    }
  }
  const onehot = new Float64Array(B * C * S);
  for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) onehot[(b * C + labels[b * S + s]) * S + s] = 1;
  return { logits, labels, onehot: { data: onehot, shape } as Volumes };
}

function reference(name: LossName, x: Volumes, y: Volumes, o: Record<string, unknown>): number {
  const p = activate(x, (o.activation as 'none' | 'sigmoid' | 'softmax') ?? 'none');
  const terms = {
    includeBackground: (o.includeBackground as boolean) ?? true,
    batch: (o.batch as boolean) ?? false,
    reduction: (o.reduction as 'mean' | 'sum') ?? 'mean',
  };
  const rank = x.shape.length - 2;
  const spacing =
    typeof o.spacing === 'number'
      ? new Array(rank).fill(o.spacing)
      : ((o.spacing as number[]) ?? new Array(rank).fill(1));
  if (name === 'clDice' || name === 'diceClDice') {
    return referenceClDice(p, y, {
      ...terms,
      poolClasses: (o.poolClasses as boolean) ?? false,
      smooth: (o.smooth as number) ?? 1,
      iterations: (o.iterations as number) ?? 3,
      ...(name === 'diceClDice' ? { alpha: (o.alpha as number) ?? 0.5 } : {}),
    });
  }
  if (name === 'hausdorffDT') {
    return referenceHausdorff(p, y, {
      ...terms,
      alpha: (o.alpha as number) ?? 2,
      spacing,
      logLoss: o.logLoss as boolean,
    });
  }
  return referenceBoundary(p, y, { ...terms, spacing });
}

const call = (k: DiceKernel, name: LossName, ...args: unknown[]) =>
  (k as unknown as Record<string, (...a: unknown[]) => unknown>)[`${name}Loss`](...args);
const callGrad = (k: DiceKernel, name: LossName, ...args: unknown[]) =>
  (k as unknown as Record<string, (...a: unknown[]) => { loss: number; grad: Float32Array }>)[`${name}LossWithGrad`](
    ...args,
  );

const CASES: { name: LossName; shape: number[]; options: Record<string, unknown> }[] = [
  { name: 'clDice', shape: [2, 3, 9, 11], options: { activation: 'softmax' } },
  {
    name: 'clDice',
    shape: [1, 2, 6, 7, 5],
    options: { activation: 'sigmoid', iterations: 2, includeBackground: false },
  },
  {
    name: 'clDice',
    shape: [2, 3, 8, 9],
    options: { activation: 'softmax', batch: true, poolClasses: true, smooth: 0.5 },
  },
  { name: 'diceClDice', shape: [2, 2, 10, 8], options: { activation: 'softmax', alpha: 0.3, reduction: 'sum' } },
  { name: 'hausdorffDT', shape: [2, 3, 7, 9], options: { activation: 'softmax', includeBackground: false } },
  { name: 'hausdorffDT', shape: [1, 2, 5, 6, 4], options: { activation: 'sigmoid', alpha: 1.5, spacing: [2, 1, 0.5] } },
  { name: 'hausdorffDT', shape: [3, 2, 13], options: { activation: 'softmax', batch: true, logLoss: true } },
  { name: 'boundary', shape: [2, 3, 8, 8], options: { activation: 'softmax', spacing: 0.5 } },
  {
    name: 'boundary',
    shape: [1, 2, 4, 5, 6],
    options: { activation: 'sigmoid', includeBackground: false, reduction: 'sum' },
  },
];

describe('values against the independent references', () => {
  CASES.forEach(({ name, shape, options }, n) => {
    it(`${name} ${JSON.stringify(options)} [${shape.join(', ')}]`, () => {
      const { logits, labels, onehot } = randomCase(100 + n, shape);
      const expected = reference(name, { data: Float64Array.from(logits), shape }, onehot, options);
      for (const k of kernels) {
        for (const target of [labels, Float32Array.from(onehot.data)]) {
          const value = call(k, name, logits, target, { shape, ...options }) as number;
          expect(Math.abs(value - expected), `${k.backend}`).toBeLessThanOrEqual(
            tolerance(k) * Math.max(1, Math.abs(expected)),
          );
          const { loss } = callGrad(k, name, logits, target, { shape, ...options });
          expect(loss).toBe(value);
        }
      }
    });
  });

  it('channels last gives the same values as channels first', () => {
    const shape = [2, 3, 6, 7];
    const { logits, labels } = randomCase(7, shape);
    const [B, C, H, W] = shape;
    const last = new Float32Array(logits.length);
    for (let b = 0; b < B; b++)
      for (let c = 0; c < C; c++)
        for (let s = 0; s < H * W; s++) last[(b * H * W + s) * C + c] = logits[(b * C + c) * H * W + s];
    for (const k of kernels) {
      for (const name of ['clDice', 'hausdorffDT', 'boundary'] as const) {
        const first = call(k, name, logits, labels, { shape, activation: 'softmax' }) as number;
        const nhwc = call(k, name, last, labels, {
          shape: [B, H, W, C],
          layout: 'NHWC',
          activation: 'softmax',
        }) as number;
        expect(nhwc).toBeCloseTo(first, 12);
      }
    }
  });
});

/** Central differences of the float64 reference at element i of the logits. */
function centralDifference(
  name: LossName,
  logits: Float32Array,
  y: Volumes,
  shape: number[],
  o: Record<string, unknown>,
  i: number,
): number {
  const h = 1e-6;
  const at = (delta: number) => {
    const x = Float64Array.from(logits);
    x[i] += delta;
    return reference(name, { data: x, shape }, y, o);
  };
  return (at(h) - at(-h)) / (2 * h);
}

describe('gradients against central differences of the reference', () => {
  CASES.forEach(({ name, shape, options }, n) => {
    it(`${name} ${JSON.stringify(options)}`, () => {
      const { logits, labels, onehot } = randomCase(200 + n, shape);
      const grads = kernels.map((k) => callGrad(k, name, logits, labels, { shape, ...options }).grad);
      const js = grads[2];
      const largest = js.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const r = rng(n);
      for (let t = 0; t < 6; t++) {
        const i = Math.floor(r() * logits.length);
        const fd = centralDifference(name, logits, onehot, shape, options, i);
        // The reference's differences are exact to ~1e-9 here; a kink within h of the point (a
        // tie of the pooling, a voxel crossing ½ for the distance maps) would show as a jump.
        expect(Math.abs(js[i] - fd), `element ${i}`).toBeLessThanOrEqual(1e-7 + 1e-6 * largest);
      }
      for (const grad of grads.slice(0, 2)) {
        grad.forEach((g, i) => {
          expect(Math.abs(g - js[i])).toBeLessThanOrEqual(1e-5 * Math.max(largest, 1e-3));
        });
      }
    });
  });

  it('writes the gradient into out, and createLoss gives the same', () => {
    const shape = [1, 2, 7, 8];
    const { logits, labels } = randomCase(5, shape);
    for (const k of kernels) {
      for (const name of ['clDice', 'diceClDice', 'hausdorffDT', 'boundary'] as const) {
        const out = new Float32Array(logits.length).fill(Number.NaN);
        const options = { shape, activation: 'softmax' as const };
        const direct = callGrad(k, name, logits, labels, { ...options, out });
        expect(direct.grad).toBe(out);
        const loss = k.createLoss({ loss: name, ...options });
        expect(loss.value(logits, labels)).toBe(direct.loss);
        const again = loss.valueAndGrad(logits, labels);
        expect(Array.from(again.grad)).toEqual(Array.from(out));
      }
    }
  });
});

describe('values worked out by hand', () => {
  it("MONAI's HausdorffDTLoss case: 2×2, σ(±1) against [[1, 0], [1, 1]] gives 0.509329", () => {
    // σ(1) = 0.7311, σ(−1) = 0.2689. The prediction's mask [[1, 0], [0, 1]] has every voxel at
    // distance 1 from the other side; the target's [[1, 0], [1, 1]] too but (1, 0), √2 from (0, 1).
    // (p − y)² is e = 0.2689² at three voxels and 0.7311² at (1, 0); w = 1 + d_y²: 2, 2, 3, 2.
    const e = (1 / (1 + Math.E)) ** 2,
      f = (1 - 1 / (1 + Math.E)) ** 2;
    const expected = (2 * e + 2 * e + 3 * f + 2 * e) / 4;
    expect(expected).toBeCloseTo(0.509329, 6);
    for (const k of kernels) {
      const v = k.hausdorffDTLoss(Float32Array.of(1, -1, -1, 1), Float32Array.of(1, 0, 1, 1), {
        shape: [1, 1, 2, 2],
        activation: 'sigmoid',
      }) as number;
      expect(v).toBeCloseTo(expected, 6);
    }
  });

  it('the boundary loss of a line segment: the signed distances of a 1D target', () => {
    // Target 0 0 1 1 1 0 0: φ = 2 1 0 −1 0 1 2 (inside: −(distance to the outside − 1)).
    // With p = target the loss is the mean of −1 over the middle voxel: −1/7.
    const target = Float32Array.of(0, 0, 1, 1, 1, 0, 0);
    for (const k of kernels) {
      expect(k.boundaryLoss(target, target, { shape: [1, 1, 7] })).toBeCloseTo(-1 / 7, 12);
      // p = ½ everywhere: ½·(2 + 1 + 0 − 1 + 0 + 1 + 2)/7.
      expect(k.boundaryLoss(new Float32Array(7).fill(0.5), target, { shape: [1, 1, 7] })).toBeCloseTo(2.5 / 7, 12);
      // Spacing 2: distances double, the 1 subtracted inside does not (one_hot2dist subtracts 1
      // whatever the spacing): φ = 4 2 −1 −3 −1 2 4.
      expect(k.boundaryLoss(target, target, { shape: [1, 1, 7], spacing: 2 })).toBeCloseTo(-5 / 7, 12);
      expect(k.boundaryLoss(new Float32Array(7).fill(1), target, { shape: [1, 1, 7], spacing: 2 })).toBeCloseTo(
        (4 + 2 - 1 - 3 - 1 + 2 + 4) / 7,
        12,
      );
    }
  });

  it('clDice of a perfect prediction is 0, and of a thin line kept as is', () => {
    // A probability map equal to a binary target: Tprec = (Σ skel·y + 1)/(Σ skel + 1) = 1 since
    // skel(y) ⊂ y for a binary y (relu(y − open(y)) is 0 outside y), and likewise Tsens.
    const shape = [1, 1, 9, 9];
    const target = new Float32Array(81);
    for (let x = 1; x < 8; x++) target[4 * 9 + x] = 1;
    for (const k of kernels) {
      expect(k.clDiceLoss(target, target, { shape })).toBeCloseTo(0, 12);
      expect(k.diceClDiceLoss(target, target, { shape })).toBeCloseTo(0, 12);
    }
  });

  it('clDice of a prediction that misses a thin line: 1 − 2·(1/(n + 1))/(1 + 1/(n + 1))', () => {
    // The target is a horizontal line of n = 7 voxels: soft erosion empties it (every voxel has a
    // 0 above), so its skeleton is the line itself: Σ skel(y) = 7. A prediction of the parallel
    // line below: skel(p) is that line, Σ skel(p) = 7, Σ skel(p)·y = 0 and Σ skel(y)·p = 0, so
    // Tprec = Tsens = 1/8 with smooth 1, and clDice = 1/8.
    const shape = [1, 1, 9, 9];
    const target = new Float32Array(81),
      pred = new Float32Array(81);
    for (let x = 1; x < 8; x++) {
      target[4 * 9 + x] = 1;
      pred[5 * 9 + x] = 1;
    }
    for (const k of kernels) expect(k.clDiceLoss(pred, target, { shape })).toBeCloseTo(1 - 1 / 8, 12);
  });
});

describe('refusals', () => {
  const logits = new Float32Array(2 * 16);
  const labels = new Uint8Array(16);
  it('need a shape of the spatial ranks they take', () => {
    for (const k of kernels) {
      expect(() => k.clDiceLoss(logits, labels, {} as never)).toThrow(/clDiceLoss: shape is required/);
      expect(() => k.clDiceLoss(logits, labels, { shape: [1, 2, 16] })).toThrow(
        /clDiceLoss: shape .* 1 spatial axes; this loss takes 2 or 3/,
      );
      expect(() => k.hausdorffDTLoss(logits, labels, { shape: [1, 2, 16] })).not.toThrow();
    }
  });

  it('name the option at fault', () => {
    const shape = [1, 2, 4, 4];
    for (const k of kernels) {
      expect(() => k.clDiceLoss(logits, labels, { shape, iterations: 1.5 })).toThrow(
        /clDiceLoss: iterations must be an integer in \[0, 100\]/,
      );
      expect(() => k.clDiceLoss(logits, labels, { shape, iterations: 101 })).toThrow(/iterations/);
      expect(() => k.diceClDiceLoss(logits, labels, { shape, alpha: 1.5 })).toThrow(
        /diceClDiceLoss: alpha must be in \[0, 1\]/,
      );
      expect(() => k.clDiceLoss(logits, labels, { shape, ignoreIndex: 3 } as never)).toThrow(
        /option 'ignoreIndex' is not an option of clDiceLoss/,
      );
      expect(() => k.boundaryLoss(logits, labels, { shape, alpha: 2 } as never)).toThrow(
        /option 'alpha' is not an option of boundaryLoss/,
      );
      expect(() => k.hausdorffDTLoss(logits, labels, { shape, spacing: [1, 2, 3] })).toThrow(
        /hausdorffDTLoss: spacing must be one number, or one per spatial axis \(2/,
      );
      expect(() => k.hausdorffDTLoss(logits, labels, { shape, spacing: 0 })).toThrow(
        /hausdorffDTLoss: spacing must be a number > 0/,
      );
      expect(() => k.clDiceLossWithGrad(logits, labels, { shape, reduction: 'none' })).toThrow(
        /reduction 'none' gives one loss per term/,
      );
      expect(() => k.clDiceLoss(logits, labels, { shape, smooth: 0 })).toThrow(
        /clDiceLoss: smooth is 0 and sample 0, class 0 has an empty skeleton/,
      );
    }
  });

  it('refuse a mask in createLoss, NaN in pred, and a short out — before writing anything', () => {
    const shape = [1, 2, 4, 4];
    for (const k of kernels) {
      const loss = k.createLoss({ loss: 'clDice', shape });
      expect(() => loss.value(logits, labels, new Uint8Array(16))).toThrow(/value: mask is not taken by this loss/);
      const bad = logits.slice();
      bad[3] = Number.NaN;
      expect(() => k.hausdorffDTLoss(bad, labels, { shape })).toThrow(/hausdorffDTLoss: pred holds NaN/);
      const out = new Float32Array(31).fill(7);
      expect(() => k.boundaryLossWithGrad(logits, labels, { shape, out })).toThrow(
        /boundaryLossWithGrad: out has length 31/,
      );
      expect(out.every((v) => v === 7)).toBe(true);
      // The kernel still works afterwards.
      expect(Number.isFinite(k.boundaryLoss(logits, labels, { shape }) as number)).toBe(true);
    }
  });
});

describe('property: every backend agrees with the reference on random volumes', () => {
  it('for random shapes, activations, terms and targets', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<LossName>('clDice', 'diceClDice', 'hausdorffDT', 'boundary'),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 2, max: 3 }),
        fc.array(fc.integer({ min: 2, max: 7 }), { minLength: 2, maxLength: 3 }),
        fc.constantFrom('none', 'sigmoid', 'softmax'),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (name, B, C, dims, activation, includeBackground, batch, seed) => {
          const shape = [B, C, ...dims];
          const { logits, labels, onehot } = randomCase(seed, shape);
          const pred = activation === 'none' ? Float32Array.from(logits, (v) => 1 / (1 + Math.exp(-v))) : logits;
          const options = { activation, includeBackground, batch };
          const expected = reference(name, { data: Float64Array.from(pred), shape }, onehot, options);
          for (const k of kernels) {
            const v = call(k, name, pred, labels, { shape, ...options }) as number;
            expect(Math.abs(v - expected)).toBeLessThanOrEqual(tolerance(k) * Math.max(1, Math.abs(expected)));
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
