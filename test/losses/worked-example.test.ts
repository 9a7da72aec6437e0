// The worked example of the specification (3×3 probabilities against a 0/1 mask) on every
// backend: the literal values, the intersection and sums by hand, and the gradient against
// its hand-derived formula  ∂L/∂p_i = −(2y_i(P+G+s) − (2I+s)) / (P+G+s)².
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type BackendName, type DiceKernel } from '../../src/index.js';
import type { Engine } from '../../src/backends/engine.js';
import { JsEngine } from '../../src/backends/js/engine.js';
import { WasmEngine } from '../../src/backends/wasm/engine.js';
import { planTensors, resolveTensorOptions } from '../../src/core/tensors.js';
import { wasmBytes } from '../../src/runtime/binaries.js';
import { DEFAULT_STAGING_BYTES } from '../../src/load.js';
import { diceReference } from '../reference/dice.js';
import { maxAbsRelativeError, relativeError } from '../reference/finite-differences.js';

const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'js'];

const PRED_VALUES = [
  0.38574776, 0.08795848, 0.83927506, 0.21592768, 0.44453627, 0.10463644, 0.8793516, 0.65118235, 0.5184219,
];
const TARGET_VALUES = [1, 0, 0, 0, 0, 0, 1, 1, 1];

// The literals of the specification (printed to 8 significant digits from a float32 computation).
const LITERAL = {
  intersection: 2.4347036,
  smooth1: { coefficient: 0.64307916, loss: 0.35692084 },
  smooth0: { coefficient: 0.59916145, loss: 0.40083855 },
};
/** The library returns doubles computed from float32 inputs; the literals carry ~1e-7 of their own. */
const REL = 1e-6;

const pred = Float32Array.from(PRED_VALUES);
const target = Float32Array.from(TARGET_VALUES);

/** I, P, G of the example by hand, in float64 from the float32 inputs the library sees. */
function handSums(): { I: number; P: number; G: number } {
  let I = 0;
  let P = 0;
  let G = 0;
  for (let i = 0; i < pred.length; i++) {
    if (TARGET_VALUES[i] === 1) I += pred[i]; // p·y is p where y = 1 and 0 elsewhere
    P += pred[i];
    G += TARGET_VALUES[i];
  }
  return { I, P, G };
}

/** ∂L/∂p_i of L = 1 − (2I + s)/(P + G + s): −(2y_i(P+G+s) − (2I+s)) / (P+G+s)². */
function handGradient(s: number): Float64Array {
  const { I, P, G } = handSums();
  const den = P + G + s;
  return Float64Array.from(TARGET_VALUES, (y) => -(2 * y * den - (2 * I + s)) / (den * den));
}

function expectClose(got: number, want: number, rel: number, what: string): void {
  expect(relativeError(got, want), `${what}: got ${got}, expected ${want}`).toBeLessThanOrEqual(rel);
}

function engineFor(backend: BackendName): Engine {
  if (backend === 'js') return new JsEngine();
  return new WasmEngine(
    backend,
    new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(backend)), {}),
    DEFAULT_STAGING_BYTES,
  );
}

describe('worked example by hand', () => {
  it('intersection = sum of pred where the target is 1 = 2.4347036; G = 4', () => {
    const { I, G } = handSums();
    expect(G).toBe(4);
    expectClose(I, LITERAL.intersection, 1e-7, 'hand intersection');
    // Spelled out: the four foreground probabilities.
    expectClose(pred[0] + pred[6] + pred[7] + pred[8], LITERAL.intersection, 1e-7, 'pred[0]+pred[6]+pred[7]+pred[8]');
  });

  it('the literal coefficients and losses follow from the hand sums', () => {
    const { I, P, G } = handSums();
    expectClose((2 * I + 1) / (P + G + 1), LITERAL.smooth1.coefficient, REL, 'D, smooth 1');
    expectClose(1 - (2 * I + 1) / (P + G + 1), LITERAL.smooth1.loss, REL, 'loss, smooth 1');
    expectClose((2 * I) / (P + G), LITERAL.smooth0.coefficient, REL, 'D, smooth 0');
    expectClose(1 - (2 * I) / (P + G), LITERAL.smooth0.loss, REL, 'loss, smooth 0');
  });

  it('the float64 reference reproduces the literals', () => {
    const r1 = diceReference(PRED_VALUES, TARGET_VALUES, { smooth: 1 });
    expectClose(r1.terms[0].I, LITERAL.intersection, 1e-7, 'reference I');
    expectClose(r1.coefficient as number, LITERAL.smooth1.coefficient, REL, 'reference D, smooth 1');
    expectClose(r1.loss as number, LITERAL.smooth1.loss, REL, 'reference loss, smooth 1');
    const r0 = diceReference(PRED_VALUES, TARGET_VALUES, { smooth: 0 });
    expectClose(r0.coefficient as number, LITERAL.smooth0.coefficient, REL, 'reference D, smooth 0');
    expectClose(r0.loss as number, LITERAL.smooth0.loss, REL, 'reference loss, smooth 0');
  });
});

describe.each(BACKENDS)('worked example on the %s backend', (backend) => {
  let k: DiceKernel;
  beforeAll(async () => {
    k = await loadDice({ backend });
  });

  it('runs on the backend it asked for', () => {
    expect(k.backend).toBe(backend);
  });

  it('smooth 1 (the default): coefficient 0.64307916, loss 0.35692084', () => {
    expectClose(k.diceCoefficient(pred, target) as number, LITERAL.smooth1.coefficient, REL, 'diceCoefficient');
    expectClose(k.diceLoss(pred, target) as number, LITERAL.smooth1.loss, REL, 'diceLoss');
    expectClose(k.diceLoss(pred, target, { smooth: 1 }) as number, LITERAL.smooth1.loss, REL, 'diceLoss smooth 1');
  });

  it('smooth 0: coefficient 0.59916145, loss 0.40083855', () => {
    expectClose(
      k.diceCoefficient(pred, target, { smooth: 0 }) as number,
      LITERAL.smooth0.coefficient,
      REL,
      'diceCoefficient',
    );
    expectClose(k.diceLoss(pred, target, { smooth: 0 }) as number, LITERAL.smooth0.loss, REL, 'diceLoss');
  });

  it('the same numbers as a 3×3 image [1, 1, 3, 3] in either layout, and with a Uint8Array mask', () => {
    const mask = Uint8Array.from(TARGET_VALUES);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const shape = layout === 'NCHW' ? [1, 1, 3, 3] : [1, 3, 3, 1];
      expectClose(k.diceLoss(pred, target, { shape, layout }) as number, LITERAL.smooth1.loss, REL, `${layout} f32`);
      expectClose(k.diceLoss(pred, mask, { shape, layout }) as number, LITERAL.smooth1.loss, REL, `${layout} u8`);
      expectClose(
        k.diceCoefficient(pred, mask, { shape, layout, smooth: 0 }) as number,
        LITERAL.smooth0.coefficient,
        REL,
        `${layout} u8 smooth 0`,
      );
    }
  });

  it('kernel 1 finds the intersection 2.4347036 and the hand sums P, G and N = 9', () => {
    const engine = engineFor(backend);
    const { plan, inputs } = planTensors(
      'test',
      resolveTensorOptions('test', {}),
      { squared: false, softLabel: false },
      pred,
      target,
    );
    const job = engine.open('test', plan, inputs, undefined);
    try {
      const [I, P, G, N] = job.stats();
      const hand = handSums();
      expectClose(I, LITERAL.intersection, REL, 'I');
      expectClose(I, hand.I, REL, 'I vs hand');
      expectClose(P, hand.P, REL, 'P vs hand');
      expect(G).toBe(4);
      expect(N).toBe(9);
    } finally {
      job.close();
    }
  });

  for (const s of [1, 0]) {
    it(`gradient matches −(2y(P+G+s) − (2I+s))/(P+G+s)² with smooth ${s}`, () => {
      const want = handGradient(s);
      const { loss, grad } = k.diceLossWithGrad(pred, target, { smooth: s });
      expectClose(loss, s === 1 ? LITERAL.smooth1.loss : LITERAL.smooth0.loss, REL, 'loss with the gradient');
      expect(grad).toBeInstanceOf(Float32Array);
      expect(grad.length).toBe(9);
      expect(maxAbsRelativeError(grad, want), `grad ${Array.from(grad)} vs ${Array.from(want)}`).toBeLessThanOrEqual(
        REL,
      );
      // The gradient takes two values: one on the foreground, one on the background.
      expect(want[0]).toBeLessThan(0);
      expect(want[1]).toBeGreaterThan(0);
    });
  }

  it("createLoss gives the same loss and gradient, also into a caller's array", () => {
    const dice = k.createLoss({ loss: 'dice' });
    expectClose(dice.value(pred, target) as number, LITERAL.smooth1.loss, REL, 'value');
    const out = new Float32Array(9);
    const { loss, grad } = dice.valueAndGrad(pred, target, out);
    expectClose(loss, LITERAL.smooth1.loss, REL, 'valueAndGrad loss');
    expect(grad).toBe(out);
    expect(maxAbsRelativeError(out, handGradient(1))).toBeLessThanOrEqual(REL);
  });
});
