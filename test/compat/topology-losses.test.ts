// dice-wasm/compat's MONAI clDice and Hausdorff-DT losses on every backend: MONAI's own test cases
// (test/fixtures/topology/monai-losses.json), its argument order and its one-channel behaviour,
// and gradients against central differences of the compat value.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { monai, useKernel, type Tensor } from '../../src/compat/index.js';
import { loadDice, type DiceKernel } from '../../src/index.js';
import { rng } from '../support/random.js';

interface TensorCase {
  shape: number[];
  data: number[];
}
interface HausdorffCase {
  params: Record<string, unknown>;
  input: TensorCase;
  target: TensorCase;
  expected: number | TensorCase;
}
const FIXTURES: {
  hausdorff: HausdorffCase[];
  cldice: { shape: number[]; fill: number; expected: number }[];
} = JSON.parse(readFileSync(new URL('../fixtures/topology/monai-losses.json', import.meta.url), 'utf8'));

/** torch.log_softmax(x, dim=1) of a (B, C, ...) tensor, as MONAI's other_act in its test. */
function logSoftmax({ data, shape }: { data: Float32Array; shape: number[] }) {
  const [B, C] = shape;
  const S = data.length / (B * C);
  const out = new Float32Array(data.length);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const at = (c: number) => (b * C + c) * S + s;
      const max = Math.max(...Array.from({ length: C }, (_, c) => data[at(c)]));
      const z = Array.from({ length: C }, (_, c) => Math.exp(data[at(c)] - max)).reduce((a, v) => a + v, 0);
      for (let c = 0; c < C; c++) out[at(c)] = data[at(c)] - max - Math.log(z);
    }
  }
  return { data: out, shape };
}

const OTHER_ACT: Record<string, (t: { data: Float32Array; shape: number[] }) => unknown> = {
  tanh: ({ data, shape }) => ({ data: data.map(Math.tanh), shape }),
  log_softmax: logSoftmax,
};

const paramsOf = (p: Record<string, unknown>) =>
  typeof p.other_act === 'string' ? { ...p, other_act: OTHER_ACT[p.other_act] } : p;

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});

describe.each(['simd', 'scalar', 'js'])('on the %s backend', (backend) => {
  beforeAll(() => useKernel(kernels.find((k) => k.backend === backend)!));

  it("reproduces MONAI's HausdorffDTLoss and LogHausdorffDTLoss test cases", () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    FIXTURES.hausdorff.forEach(({ params, input, target, expected }, n) => {
      for (const [Loss, transform] of [
        [monai.HausdorffDTLoss, (v: number) => v],
        [monai.LogHausdorffDTLoss, (v: number) => Math.log(v + 1)],
      ] as const) {
        const got = new Loss(paramsOf(params) as never).forward(input, target);
        if (typeof expected === 'number') {
          expect(Math.abs((got as number) - transform(expected)), `case ${n}`).toBeLessThanOrEqual(
            1e-5 * transform(expected),
          );
        } else {
          const tensor = got as Tensor;
          expect(tensor.shape, `case ${n}`).toEqual(expected.shape);
          expected.data.forEach((e, i) => {
            expect(Math.abs(tensor.data[i] - transform(e))).toBeLessThanOrEqual(1e-5 * transform(e));
          });
        }
      }
    });
    vi.restoreAllMocks();
  });

  it("reproduces MONAI's SoftclDiceLoss and SoftDiceclDiceLoss test cases (y_true first, as MONAI)", () => {
    for (const { shape, fill, expected } of FIXTURES.cldice) {
      const size = shape.reduce((a, d) => a * d, 1);
      const ones = { data: new Float32Array(size).fill(fill), shape };
      expect(Math.abs(new monai.SoftclDiceLoss().forward(ones, ones) - expected)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(new monai.SoftDiceclDiceLoss().forward(ones, ones) - expected)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('SoftclDiceLoss pools channels 1… of the whole batch, and takes y_true first', () => {
    // With one channel [:, 1:] is empty: every sum 0, Tprec = Tsens = 1, the loss 0 (NaN with smooth 0).
    const r = rng(3);
    const shape = [2, 1, 5, 6];
    const p = { data: Float32Array.from({ length: 60 }, r), shape };
    const y = { data: Float32Array.from({ length: 60 }, () => (r() > 0.5 ? 1 : 0)), shape };
    expect(new monai.SoftclDiceLoss().forward(y, p)).toBe(0);
    expect(new monai.SoftclDiceLoss({ smooth: 0 }).forward(y, p)).toBeNaN();
    // Two channels: the native loss of channel 1 with batch and poolClasses.
    const shape2 = [2, 2, 5, 6];
    const p2 = Float32Array.from({ length: 120 }, r);
    const y2 = Float32Array.from({ length: 120 }, () => (r() > 0.5 ? 1 : 0));
    const k = kernels.find((kk) => kk.backend === backend)!;
    const native = k.clDiceLoss(p2, y2, { shape: shape2, includeBackground: false, batch: true, poolClasses: true });
    expect(new monai.SoftclDiceLoss().forward({ data: y2, shape: shape2 }, { data: p2, shape: shape2 })).toBe(native);
    // clDice is symmetric in its arguments; which one is the prediction shows in the gradient.
    const native2 = k.clDiceLossWithGrad(p2, y2, {
      shape: shape2,
      includeBackground: false,
      batch: true,
      poolClasses: true,
    });
    const compat = new monai.SoftclDiceLoss().forwardWithGrad({ data: y2, shape: shape2 }, { data: p2, shape: shape2 });
    expect(compat.loss).toBe(native2.loss);
    expect(Array.from(compat.grad.data)).toEqual(Array.from(native2.grad));
    expect(compat.grad.shape).toEqual(shape2);
  });

  it('gradients with respect to the prediction match central differences of forward', () => {
    const r = rng(11);
    const shape = [1, 2, 7, 6];
    const n = 84;
    const cases: [string, (x: Float32Array) => number, (x: Float32Array) => Float32Array][] = [];
    const y = Float32Array.from({ length: n }, () => (r() > 0.5 ? 1 : 0));
    const cl = new monai.SoftDiceclDiceLoss({ iter_: 2 });
    cases.push([
      'SoftDiceclDiceLoss',
      (x) => cl.forward({ data: y, shape }, { data: x, shape }),
      (x) => cl.forwardWithGrad({ data: y, shape }, { data: x, shape }).grad.data,
    ]);
    const hd = new monai.HausdorffDTLoss({ softmax: true, include_background: true });
    cases.push([
      'HausdorffDTLoss',
      (x) => hd.forward({ data: x, shape }, { data: y, shape }) as number,
      (x) => hd.forwardWithGrad({ data: x, shape }, { data: y, shape }).grad.data,
    ]);
    for (const [name, value, grad] of cases) {
      const x = Float32Array.from({ length: n }, () => 0.2 + 0.6 * r());
      const g = grad(x);
      for (let t = 0; t < 5; t++) {
        const i = Math.floor(r() * n);
        const h = 1e-3;
        const up = x.slice(),
          down = x.slice();
        up[i] += h;
        down[i] -= h;
        const fd = (value(up) - value(down)) / (up[i] - down[i]);
        expect(Math.abs(fd - g[i]), `${name}[${i}]`).toBeLessThanOrEqual(2e-3 * Math.max(1e-2, Math.abs(g[i])) + 1e-5);
      }
    }
  });

  it("refuses what MONAI refuses, naming MONAI's parameters", () => {
    const t = { data: new Float32Array(12), shape: [1, 1, 12] };
    expect(() => new monai.HausdorffDTLoss().forward(t, t)).toThrow(/HausdorffDTLoss.forward: input must be 2D/);
    expect(() => new monai.HausdorffDTLoss({ sigmoid: true, softmax: true })).toThrow(/incompatible/);
    expect(() => new monai.HausdorffDTLoss({ reduction: 'unknown' as never })).toThrow(/reduction must be one of/);
    const a = { data: new Float32Array(4), shape: [1, 1, 2, 2] };
    const b = { data: new Float32Array(16), shape: [1, 4, 2, 2] };
    expect(() => new monai.HausdorffDTLoss().forward(a, b)).toThrow(
      /target has shape \[1, 4, 2, 2\], different from input/,
    );
    expect(() => new monai.SoftclDiceLoss({ iter_: -1 })).toThrow(/SoftclDiceLoss: iter_ must be an integer/);
    expect(() => new monai.SoftclDiceLoss().forward(a, b)).toThrow(/SoftclDiceLoss.forward: y_true has shape/);
  });
});
