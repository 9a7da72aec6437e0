// Accuracy at scale: 16M voxels (one 4096×4096 image), p ~ U(0.9, 1), ~90 % foreground. The
// design folds float32x4 lane sums into float64 blockwise, so the sums — and the coefficient —
// must match a float64 accumulation within 1e-8 relative. A single float32 accumulator drifts by
// ~1e-2 here (checked below, so this test can tell the two apart).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type DiceKernel } from '../../src/index.js';
import type { Engine } from '../../src/backends/engine.js';
import { WasmEngine } from '../../src/backends/wasm/engine.js';
import { planTensors, resolveTensorOptions } from '../../src/core/tensors.js';
import { wasmBytes } from '../../src/runtime/binaries.js';
import { DEFAULT_STAGING_BYTES } from '../../src/load.js';
import { relativeError } from '../reference/finite-differences.js';
import { rng } from '../support/random.js';

const SIDE = 4096;
const N = SIDE * SIDE; // 16 777 216
const SHAPE = [1, 1, SIDE, SIDE];
const REL = 1e-8;
// The WebAssembly builds; the 'js' backend accumulates in float64 (and takes ~16 s here).
const BACKENDS = ['simd', 'scalar'] as const;

let pred: Float32Array;
let target: Float32Array;
let mask: Uint8Array;

/** Neumaier-compensated float64 sum, so the reference itself carries no drift. */
class Sum {
  private s = 0;
  private c = 0;
  add(x: number): void {
    const t = this.s + x;
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

interface Sums {
  I: number;
  P: number;
  G: number;
}

/** I, P, G in float64 straight from the float32 arrays (squared: Σp², Σy²). */
function float64Sums(squared: boolean): Sums {
  const I = new Sum();
  const P = new Sum();
  const G = new Sum();
  for (let i = 0; i < N; i++) {
    const p = pred[i];
    const y = target[i];
    I.add(p * y);
    P.add(squared ? p * p : p);
    G.add(squared ? y * y : y);
  }
  return { I: I.value, P: P.value, G: G.value };
}

let plain: Sums;
let squaredSums: Sums;

beforeAll(() => {
  const random = rng(20240611);
  pred = new Float32Array(N);
  target = new Float32Array(N);
  mask = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    pred[i] = 0.9 + 0.1 * random();
    const y = random() < 0.9 ? 1 : 0;
    target[i] = y;
    mask[i] = y;
  }
  plain = float64Sums(false);
  squaredSums = float64Sums(true);
});

function engineFor(backend: 'simd' | 'scalar'): Engine {
  return new WasmEngine(
    backend,
    new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(backend)), {}),
    DEFAULT_STAGING_BYTES,
  );
}

describe('the inputs', () => {
  it('are what the test claims: 16M voxels, p in [0.9, 1], ~90 % foreground', () => {
    expect(pred.length).toBe(16_777_216);
    const foreground = plain.G / N;
    expect(foreground).toBeGreaterThan(0.89);
    expect(foreground).toBeLessThan(0.91);
    expect(plain.P / N).toBeGreaterThan(0.94);
    expect(plain.P / N).toBeLessThan(0.96);
  });

  it('defeat a single float32 accumulator (so 1e-8 tells a blockwise f64 fold from a naive sum)', () => {
    let naive = 0;
    for (let i = 0; i < N; i++) naive = Math.fround(naive + pred[i]);
    expect(relativeError(naive, plain.P)).toBeGreaterThan(1e-4);
  });
});

describe.each(BACKENDS)('accuracy at 16M voxels, %s backend', (backend) => {
  let k: DiceKernel;
  beforeAll(async () => {
    k = await loadDice({ backend });
  });

  it('diceCoefficient with smooth 0 matches float64 within 1e-8 (Float32Array and Uint8Array targets)', () => {
    const want = (2 * plain.I) / (plain.P + plain.G);
    const fromFloat = k.diceCoefficient(pred, target, { shape: SHAPE, smooth: 0 }) as number;
    expect(relativeError(fromFloat, want), `f32 target: got ${fromFloat}, float64 ${want}`).toBeLessThanOrEqual(REL);
    const fromMask = k.diceCoefficient(pred, mask, { shape: [N], smooth: 0 }) as number;
    expect(relativeError(fromMask, want), `u8 target: got ${fromMask}, float64 ${want}`).toBeLessThanOrEqual(REL);
  });

  it('the squared coefficient (Σp² + Σy²) matches float64 within 1e-8', () => {
    const want = (2 * squaredSums.I) / (squaredSums.P + squaredSums.G);
    const got = k.diceCoefficient(pred, target, { shape: SHAPE, smooth: 0, squared: true }) as number;
    expect(relativeError(got, want), `got ${got}, float64 ${want}`).toBeLessThanOrEqual(REL);
  });

  it.each([false, true])('kernel 1 sums I, P, G (squared %s) match float64 within 1e-8, and N is exact', (squared) => {
    const want = squared ? squaredSums : plain;
    const engine = engineFor(backend);
    const spec = resolveTensorOptions('test', { shape: SHAPE });
    for (const t of [target, mask]) {
      const { plan, inputs } = planTensors('test', spec, { squared, softLabel: false }, pred, t);
      const job = engine.open('test', plan, inputs, undefined);
      try {
        const [I, P, G, count] = job.stats();
        const kind = t instanceof Uint8Array ? 'u8' : 'f32';
        expect(relativeError(I, want.I), `${kind} I: got ${I}, float64 ${want.I}`).toBeLessThanOrEqual(REL);
        expect(relativeError(P, want.P), `${kind} P: got ${P}, float64 ${want.P}`).toBeLessThanOrEqual(REL);
        expect(relativeError(G, want.G), `${kind} G: got ${G}, float64 ${want.G}`).toBeLessThanOrEqual(REL);
        expect(count).toBe(N);
      } finally {
        job.close();
      }
    }
  });
});
