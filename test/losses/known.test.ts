// Hand-derived values and identities of the loss family, on every backend. Each expected value
// is derived in the comment next to it from the formulas (issue 3):
//   dice D = (2I + sNr)/(P + G + sDr)   jaccard J = (I + sNr)/(P + G − I + sDr)
//   tversky T = (I + sNr)/(I + α(P − I) + β(G − I) + sDr)   focal (1 − T)^γ
//   generalized dice GD = (2Σw·I + sNr)/(Σw·(P + G) + sDr)
// Inputs written as decimals (0.9, 0.2, ...) are rounded to float32, so values derived from
// them are compared within 1e-6; identities that hold exactly in floating point are compared
// exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type BackendName, type DiceKernel } from '../../src/index.js';
import { maxAbsRelativeError, relativeError } from '../reference/finite-differences.js';
import { LOSS_NAMES, LOSSES, type LossName, type LossOptions } from '../support/losses.js';
import { rng } from '../support/random.js';

const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'js'];
/** Values derived by hand from decimal inputs that float32 rounds (relative ~1e-8). */
const HAND_TOL = 1e-6;

const kernels = {} as Record<BackendName, DiceKernel>;
beforeAll(async () => {
  for (const backend of BACKENDS) kernels[backend] = await loadDice({ backend });
});

const f32 = (values: number[]): Float32Array => Float32Array.from(values);
const allZero = (grad: Float32Array): boolean => grad.every((v) => v === 0);
const loss = (
  k: DiceKernel,
  name: LossName,
  pred: Float32Array,
  target: Float32Array | Uint8Array,
  options: LossOptions,
): number => LOSSES[name].value(k, pred, target, options) as number;

function randomLogits(seed: number, n: number): Float32Array {
  const random = rng(seed);
  return Float32Array.from({ length: n }, () => -3 + 6 * random());
}

describe.each(BACKENDS)('on the %s backend', (backend) => {
  const k = (): DiceKernel => kernels[backend];

  describe('soft labels (MONAI soft_label): a soft target predicted exactly has loss exactly 0', () => {
    // p = y: Σ|p − y| = 0 and P = G, so I = (P + G − 0)/2 = P. Then
    //   D = (2P + s)/(P + P + s) = 1,  J = (P + s)/(P + P − P + s) = 1,
    //   T = (P + s)/(P + α·0 + β·0 + s) = 1  for any α, β, and every loss is 0 — exactly: 2I = P + G
    // and P − I = 0 hold in floating point too (halving and doubling are exact).
    const soft = f32([0.3, 0.4, 0.7, 0.9, 1, 0.1, 0.5, 0.3]); // MONAI test_dice_loss case 2
    const shape = [2, 1, 2, 2];
    const smoothings: LossOptions[] = [{}, { smoothNr: 1e-4, smoothDr: 1e-4 }, { smooth: 0 }];
    const cases: [LossName, LossOptions][] = [
      ['dice', {}],
      ['jaccard', {}],
      ['tversky', {}],
      ['tversky', { alpha: 0.7, beta: 0.3 }],
      ['tversky', { alpha: 0.2, beta: 1.5 }],
      ['focalTversky', {}],
      ['generalizedDice', {}],
    ];
    it.each(cases)('%s %j', (name, extra) => {
      for (const smoothing of smoothings) {
        const options = { shape, softLabel: true, ...smoothing, ...extra };
        expect(loss(k(), name, soft, soft, options), JSON.stringify(smoothing)).toBe(0);
        expect(loss(k(), name, soft, soft, { ...options, reduction: 'sum' }), JSON.stringify(smoothing)).toBe(0);
      }
    });

    it('while the classic intersection Σp·y does not score it 1 (p = y = [0.5, 0.5], smooth 0)', () => {
      // Σp·y = 0.5, P = G = 1: D = 1/2 → loss 1/2; J = 0.5/(2 − 0.5) = 1/3 → loss 2/3;
      // T(½,½) = 0.5/(0.5 + 0.25 + 0.25) = 1/2 → loss 1/2. With softLabel I = (1 + 1 − 0)/2 = 1: loss 0.
      const half = f32([0.5, 0.5]);
      expect(loss(k(), 'dice', half, half, { smooth: 0 })).toBe(0.5);
      expect(loss(k(), 'jaccard', half, half, { smooth: 0 })).toBeCloseTo(2 / 3, 15);
      expect(loss(k(), 'tversky', half, half, { smooth: 0 })).toBe(0.5);
      for (const name of ['dice', 'jaccard', 'tversky'] as const)
        expect(loss(k(), name, half, half, { smooth: 0, softLabel: true })).toBe(0);
    });

    it('a soft-label gradient vs the classic one (p = [0.2, 0.6], y = [0.5, 0.5], smooth 0)', () => {
      // softLabel Dice: I = (P + G − Σ|p − y|)/2 = (0.8 + 1 − 0.4)/2 = 0.7, D = 1.4/1.8.
      // ∂I/∂p_i = (1 − sign(p_i − y_i))/2 = [1, 0]; ∂D/∂p_i = (2·∂I/∂p_i·(P + G) − 2I)/(P + G)²
      //   = [(3.6 − 1.4)/3.24, −1.4/3.24] = [2.2/3.24, −1.4/3.24]; loss 1 − D: the negatives.
      const { loss: value, grad } = LOSSES.dice.grad(k(), f32([0.2, 0.6]), f32([0.5, 0.5]), {
        smooth: 0,
        softLabel: true,
      });
      expect(relativeError(value, 1 - 1.4 / 1.8)).toBeLessThanOrEqual(HAND_TOL);
      expect(maxAbsRelativeError(grad, [-2.2 / 3.24, 1.4 / 3.24])).toBeLessThanOrEqual(HAND_TOL);
    });
  });

  describe('Tversky(½, ½) is Dice with both smoothings doubled; Jaccard is Tversky(1, 1)', () => {
    // p = [0.2, 0.6, 0.9], y = [0, 1, 1]: I = 1.5, P = 1.7, G = 2.
    const p = f32([0.2, 0.6, 0.9]);
    const y = f32([0, 1, 1]);

    it('by hand', () => {
      // Tversky(½,½), s = 1: T = 2.5/(1.5 + 0.1 + 0.25 + 1) = 2.5/2.85 → loss 0.35/2.85.
      // Dice with s = 2: D = (3 + 2)/(3.7 + 2) = 5/5.7 → loss 0.7/5.7 = 0.35/2.85.
      expect(relativeError(loss(k(), 'tversky', p, y, {}), 0.35 / 2.85)).toBeLessThanOrEqual(HAND_TOL);
      expect(relativeError(loss(k(), 'dice', p, y, { smooth: 2 }), 0.35 / 2.85)).toBeLessThanOrEqual(HAND_TOL);
      // Jaccard, s = 1: J = 2.5/(1.7 + 2 − 1.5 + 1) = 2.5/3.2 → loss 0.7/3.2 = 0.21875.
      // Tversky(1, 1): 2.5/(1.5 + 0.2 + 0.5 + 1) = 2.5/3.2, the same.
      expect(relativeError(loss(k(), 'jaccard', p, y, {}), 0.21875)).toBeLessThanOrEqual(HAND_TOL);
      expect(relativeError(loss(k(), 'tversky', p, y, { alpha: 1, beta: 1 }), 0.21875)).toBeLessThanOrEqual(HAND_TOL);
    });

    // On random multi-class inputs, with every option that applies, values and gradients agree to
    // rounding: the same statistics go through algebraically equal formulas.
    const shape = [2, 3, 11];
    const pred = randomLogits(31, 66);
    const labels = Uint8Array.from({ length: 22 }, (_, i) => (i * 7) % 3);
    const variants: [string, LossOptions][] = [
      ['default smoothing', {}],
      ['smoothNr 0.25, smoothDr 0.75', { smoothNr: 0.25, smoothDr: 0.75 }],
      ['smooth 0, batch, sum', { smooth: 0, batch: true, reduction: 'sum' }],
      ['logLoss, weights, no background', { logLoss: true, weight: [0.5, 1, 2], includeBackground: false }],
      ['squared, smooth 1e-5', { squared: true, smooth: 1e-5 }],
      [
        "empty 'skip', a shared mask",
        { empty: 'skip', mask: Uint8Array.from({ length: 11 }, (_, i) => (i % 4 === 0 ? 0 : 1)) },
      ],
    ];
    it.each(variants)('on random inputs: %s', (_name, variant) => {
      const common: LossOptions = { shape, activation: 'softmax', ...variant };
      const sNr = variant.smoothNr ?? variant.smooth ?? 1;
      const sDr = variant.smoothDr ?? variant.smooth ?? 1;
      const tversky = LOSSES.tversky.grad(k(), pred, labels, common);
      const dice = LOSSES.dice.grad(k(), pred, labels, {
        ...common,
        smooth: undefined,
        smoothNr: 2 * sNr,
        smoothDr: 2 * sDr,
      });
      expect(relativeError(tversky.loss, dice.loss)).toBeLessThanOrEqual(1e-12);
      expect(maxAbsRelativeError(tversky.grad, dice.grad)).toBeLessThanOrEqual(1e-6);
      const jaccard = LOSSES.jaccard.grad(k(), pred, labels, common);
      const t11 = LOSSES.tversky.grad(k(), pred, labels, { ...common, alpha: 1, beta: 1 });
      expect(relativeError(jaccard.loss, t11.loss)).toBeLessThanOrEqual(1e-12);
      expect(maxAbsRelativeError(jaccard.grad, t11.grad)).toBeLessThanOrEqual(1e-6);
    });
  });

  describe('focal Tversky at a perfect term: loss 0 and gradient 0', () => {
    // p = y = [1, 0, 1]: I = P = G = 2, so P − I = G − I = 0.
    //   smooth 1:                T = 3/3 = 1        → (1 − 1)^0.75 = 0;
    //   smoothNr 2, smoothDr 1:  T = 4/3 > 1        → max(1 − 4/3, 0)^0.75 = 0.
    // The slope is 0 there (for γ < 1 the one-sided derivative at T = 1 would be infinite).
    const p = f32([1, 0, 1]);
    it.each([[{}], [{ smoothNr: 2, smoothDr: 1 }], [{ smoothNr: 2, smoothDr: 1, gamma: 2 }]] as [LossOptions][])(
      '%j',
      (options) => {
        const { loss: value, grad } = LOSSES.focalTversky.grad(k(), p, p, options);
        expect(value).toBe(0);
        expect(allZero(grad), `gradient ${Array.from(grad).join(', ')}`).toBe(true);
      },
    );
  });

  describe('Generalized Dice with every class empty: 1 − sNr/sDr, gradient 0', () => {
    // G_c = 0 for every included class: every weight 1/G² (or 1/G) is infinite, there is no finite
    // one to take, so all weights are 0 and GD = (0 + sNr)/(0 + sDr) whatever the prediction.
    const pred = randomLogits(41, 24);
    const shape = [2, 3, 4];
    it.each(['square', 'simple'] as const)('weightType %s, dense all-zero target', (weightType) => {
      const zeros = new Float32Array(24);
      const options: LossOptions = { shape, activation: 'sigmoid', weightType, smoothNr: 0.25, smoothDr: 1 };
      // Per sample 1 − 0.25/1 = 0.75: mean 0.75, sum 1.5, none [0.75, 0.75]; batch: one term 0.75.
      expect(loss(k(), 'generalizedDice', pred, zeros, options)).toBe(0.75);
      expect(loss(k(), 'generalizedDice', pred, zeros, { ...options, reduction: 'sum' })).toBe(1.5);
      expect(
        Array.from(LOSSES.generalizedDice.value(k(), pred, zeros, { ...options, reduction: 'none' }) as Float64Array),
      ).toEqual([0.75, 0.75]);
      expect(loss(k(), 'generalizedDice', pred, zeros, { ...options, batch: true })).toBe(0.75);
      const { loss: value, grad } = LOSSES.generalizedDice.grad(k(), pred, zeros, options);
      expect(value).toBe(0.75);
      expect(allZero(grad), `gradient ${Array.from(grad).join(', ')}`).toBe(true);
    });

    it('all-background label map without background (MONAI: all-empty foreground)', () => {
      // Classes 1 and 2 are empty in both samples: 1 − sNr/sDr = 1 − 1e-5/1e-5 = 0 (MONAI's case),
      // and with sNr 0, sDr 1e-3: 1 − 0 = 1.
      const background = new Uint8Array(8);
      const options: LossOptions = { shape, activation: 'softmax', includeBackground: false };
      expect(loss(k(), 'generalizedDice', pred, background, { ...options, smooth: 1e-5 })).toBe(0);
      expect(loss(k(), 'generalizedDice', pred, background, { ...options, smoothNr: 0, smoothDr: 1e-3 })).toBe(1);
      expect(
        allZero(LOSSES.generalizedDice.grad(k(), pred, background, { ...options, smoothNr: 0, smoothDr: 1e-3 }).grad),
      ).toBe(true);
    });

    it('uniform weights are never infinite, so the prediction counts', () => {
      // One sample, classes 0 and 1, labels all 0, no background: class 1 has P = 0.25 + 0.5 + 0.25 + 0 = 1,
      // G = 0. uniform: GD = (0 + 1)/(1·(1 + 0) + 1) = 1/2 → loss 0.5; square: w = 0 → 1 − 1/1 = 0.
      const p = f32([0.75, 0.5, 0.75, 1, 0.25, 0.5, 0.25, 0]);
      const background = new Uint8Array(4);
      const options: LossOptions = { shape: [1, 2, 4], includeBackground: false };
      expect(loss(k(), 'generalizedDice', p, background, { ...options, weightType: 'uniform' })).toBe(0.5);
      expect(loss(k(), 'generalizedDice', p, background, { ...options, weightType: 'square' })).toBe(0);
    });

    it('an absent class takes the largest finite weight of its sample', () => {
      // One sample, 3 classes, 4 voxels, probabilities (no activation); labels [0, 0, 0, 1]: class 2 absent.
      // G = [3, 1, 0], I = [Σ p0 over label 0, p1 at label 1, 0], P = Σ p per class.
      // p0 = [0.5, 0.5, 0.5, 0]    → I0 = 1.5, P0 = 1.5
      // p1 = [0.25, 0.25, 0.25, 1] → I1 = 1,   P1 = 1.75
      // p2 = [0.25, 0.25, 0.25, 0] → I2 = 0,   P2 = 0.75
      // square: w = [1/9, 1, inf → 1]; smooth 0:
      //   GD = 2(1.5/9 + 1)/( (1.5 + 3)/9 + (1.75 + 1) + 0.75 ) = (2/6 + 2)/(0.5 + 3.5) = (7/3)/4 = 7/12
      const p = f32([0.5, 0.5, 0.5, 0, 0.25, 0.25, 0.25, 1, 0.25, 0.25, 0.25, 0]);
      const labels = Uint8Array.from([0, 0, 0, 1]);
      expect(
        relativeError(loss(k(), 'generalizedDice', p, labels, { shape: [1, 3, 4], smooth: 0 }), 1 - 7 / 12),
      ).toBeLessThanOrEqual(1e-12);
    });
  });

  describe("empty 'zero': an all-wrong prediction of an empty target scores 0 (smp's worst-case vectors)", () => {
    // pred [1, 1, 1] (probabilities), target [0, 0, 0], smooth 0: I = 0, P = 3, G = 0.
    // 'smooth' (no special case): D = 0/3 = 0, J = 0/3 = 0, T = 0/(0 + α·3 + 0) = 0 → loss 1 (focal 1^γ = 1).
    // 'zero': the term's loss is 0; 'skip': the only term is skipped → loss 0. Gradient 0 either way.
    const ones = f32([1, 1, 1]);
    const empty = f32([0, 0, 0]);
    const classLosses = ['dice', 'jaccard', 'tversky', 'focalTversky'] as const;
    it.each(classLosses)('%s', (name) => {
      expect(loss(k(), name, ones, empty, { smooth: 0 })).toBe(1);
      for (const policy of ['zero', 'skip'] as const) {
        expect(loss(k(), name, ones, empty, { smooth: 0, empty: policy })).toBe(0);
        const { loss: value, grad } = LOSSES[name].grad(k(), ones, empty, {
          smooth: 0,
          empty: policy,
          activation: 'none',
        });
        expect(value).toBe(0);
        expect(allZero(grad)).toBe(true);
      }
    });

    it.each(classLosses)(
      '%s with an empty prediction too and smooth 0 (smp test_*_loss_binary case 2): 0, not 0/0',
      (name) => {
        // smp: loss_c · [Σy > 0] = 0 whatever the score, which is 0/max(0, eps) there. Under 'zero' and
        // 'skip' the term's loss is 0 by the policy; only 'smooth' leaves 0/0 (a RangeError).
        expect(() => loss(k(), name, empty, empty, { smooth: 0 })).toThrow(RangeError);
        for (const policy of ['zero', 'skip'] as const) {
          expect(loss(k(), name, empty, empty, { smooth: 0, empty: policy }), policy).toBe(0);
          const { loss: value, grad } = LOSSES[name].grad(k(), empty, empty, { smooth: 0, empty: policy });
          expect(value, policy).toBe(0);
          expect(allZero(grad), policy).toBe(true);
        }
      },
    );

    it('with a non-empty class beside it: zero counts the term, skip drops it', () => {
      // shape [1, 2, 3]: class 0 pred [1, 1, 1] on target [0, 0, 0]; class 1 pred [0.5, 0, 0] on [1, 0, 0].
      // smooth 0, class 1: I = 0.5, P = 0.5, G = 1 → D = 1/1.5 = 2/3, loss 1/3.
      //   mean: smooth (1 + 1/3)/2 = 2/3, zero (0 + 1/3)/2 = 1/6, skip 1/3;  sum: 4/3, 1/3, 1/3.
      // focal Tversky (0.7, 0.3, 0.75), class 1: T = 0.5/(0.5 + 0 + 0.3·0.5) = 10/13 → (3/13)^0.75.
      const pred = f32([1, 1, 1, 0.5, 0, 0]);
      const target = f32([0, 0, 0, 1, 0, 0]);
      const shape = [1, 2, 3];
      const expected = { smooth: [2 / 3, 4 / 3], zero: [1 / 6, 1 / 3], skip: [1 / 3, 1 / 3] };
      const focal1 = (3 / 13) ** 0.75;
      const focalExpected = {
        smooth: [(1 + focal1) / 2, 1 + focal1],
        zero: [focal1 / 2, focal1],
        skip: [focal1, focal1],
      };
      for (const policy of ['smooth', 'zero', 'skip'] as const) {
        for (const [r, reduction] of (['mean', 'sum'] as const).entries()) {
          const options: LossOptions = { shape, smooth: 0, empty: policy, reduction };
          expect(
            relativeError(loss(k(), 'dice', pred, target, options), expected[policy][r]),
            `${policy} ${reduction}`,
          ).toBeLessThanOrEqual(1e-12);
          expect(
            relativeError(loss(k(), 'focalTversky', pred, target, options), focalExpected[policy][r]),
            `focal ${policy} ${reduction}`,
          ).toBeLessThanOrEqual(1e-12);
        }
      }
      // skip with mean is the loss of class 1 alone, gradient included; class 0's gradient is 0.
      const skipped = LOSSES.dice.grad(k(), pred, target, { shape, smooth: 0, empty: 'skip' });
      const alone = LOSSES.dice.grad(k(), pred.subarray(3), target.subarray(3), { smooth: 0 });
      expect(skipped.loss).toBe(alone.loss);
      expect(allZero(skipped.grad.subarray(0, 3))).toBe(true);
      expect(Array.from(skipped.grad.subarray(3))).toEqual(Array.from(alone.grad));
    });

    it('pooled over the batch (smp pools batch and space): a class empty in one sample only is not empty', () => {
      // shape [2, 1, 2], pred [[1, 1], [1, 0]], target [[0, 0], [1, 0]], smooth 0, batch:
      // pooled I = 1, P = 3, G = 1 → D = 2/4 → loss 0.5 under every policy.
      // Per sample (no batch): sample 0 is empty → zero: (0 + 0)/2 = 0 (sample 1: D = 2/2 = 1 → 0).
      const pred = f32([1, 1, 1, 0]);
      const target = f32([0, 0, 1, 0]);
      for (const policy of ['smooth', 'zero', 'skip'] as const) {
        expect(loss(k(), 'dice', pred, target, { shape: [2, 1, 2], smooth: 0, batch: true, empty: policy })).toBe(0.5);
      }
      expect(loss(k(), 'dice', pred, target, { shape: [2, 1, 2], smooth: 0, empty: 'zero' })).toBe(0);
      expect(loss(k(), 'dice', pred, target, { shape: [2, 1, 2], smooth: 0 })).toBe(0.5);
    });
  });

  describe('a masked-out region changes nothing, whatever pred and target hold there', () => {
    // shape [4], mask [1, 1, 0, 0]: only p = [0.9, 0.2], y = [1, 0] count. I = 0.9, P = 1.1, G = 1, smooth 1:
    //   dice     D = 2.8/3.1            → 0.3/3.1
    //   jaccard  J = 1.9/(1.1 + 1 − 0.9 + 1) = 1.9/2.2 → 0.3/2.2
    //   tversky  T = 1.9/(0.9 + 0.5·0.2 + 0.5·0.1 + 1) = 1.9/2.05 → 0.15/2.05
    //   focal    T = 1.9/(0.9 + 0.7·0.2 + 0.3·0.1 + 1) = 1.9/2.07 → (0.17/2.07)^0.75
    //   GDL      w = 1/G² = 1: GD = 2.8/3.1 → 0.3/3.1
    const hand: Record<LossName, number> = {
      dice: 0.3 / 3.1,
      jaccard: 0.3 / 2.2,
      tversky: 0.15 / 2.05,
      focalTversky: (0.17 / 2.07) ** 0.75,
      generalizedDice: 0.3 / 3.1,
    };
    const outside: [number[], number[]][] = [
      [
        [0, 0],
        [0, 0],
      ],
      [
        [1, 1],
        [1, 1],
      ],
      [
        [0.5, 0.7],
        [1, 0],
      ],
      [
        [-5, 40],
        [0.25, 3],
      ],
    ];

    it.each(LOSS_NAMES)('%s', (name) => {
      const reference = LOSSES[name].grad(k(), f32([0.9, 0.2, 0, 0]), f32([1, 0, 0, 0]), {
        mask: Uint8Array.from([1, 1, 0, 0]),
      });
      expect(relativeError(reference.loss, hand[name])).toBeLessThanOrEqual(HAND_TOL);
      for (const [p, y] of outside) {
        for (const mask of [Uint8Array.from([1, 1, 0, 0]), f32([1, 1, 0, 0])]) {
          const pred = f32([0.9, 0.2, ...p]);
          const target = f32([1, 0, ...y]);
          expect(loss(k(), name, pred, target, { mask })).toBe(reference.loss);
          const { loss: value, grad } = LOSSES[name].grad(k(), pred, target, { mask });
          expect(value).toBe(reference.loss);
          expect(Array.from(grad.subarray(0, 2))).toEqual(Array.from(reference.grad.subarray(0, 2)));
          expect(grad[2] === 0 && grad[3] === 0, `gradient at masked voxels: ${grad[2]}, ${grad[3]}`).toBe(true);
        }
      }
    });

    it.each(LOSS_NAMES)('%s with softmax, a shared and a per-sample mask, and soft labels', (name) => {
      // 2 samples, 3 classes, 6 voxels (NHWC); new logits and targets at the masked voxels (every class).
      const shape = [2, 6, 3];
      const random = rng(53);
      const pred = Float32Array.from({ length: 36 }, () => -3 + 6 * random());
      const target = Float32Array.from({ length: 36 }, () => random());
      const shared = Uint8Array.from([1, 0, 1, 1, 0, 1]);
      const perSample = Float32Array.from([1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0]);
      for (const mask of [shared, perSample]) {
        const masked = (b: number, s: number): boolean => mask[mask.length === 6 ? s : b * 6 + s] === 0;
        const options: LossOptions = { shape, layout: 'NHWC', activation: 'softmax', softLabel: true, mask };
        const before = LOSSES[name].grad(k(), pred, target, options);
        const pred2 = pred.map((v, i) => (masked(Math.floor(i / 18), Math.floor(i / 3) % 6) ? 10 * Math.sin(i) : v));
        const target2 = target.map((v, i) => (masked(Math.floor(i / 18), Math.floor(i / 3) % 6) ? 1 - v : v));
        const after = LOSSES[name].grad(k(), pred2, target2, options);
        expect(after.loss).toBe(before.loss);
        expect(Array.from(after.grad)).toEqual(Array.from(before.grad));
        before.grad.forEach((g, i) => {
          if (masked(Math.floor(i / 18), Math.floor(i / 3) % 6))
            expect(g === 0, `gradient ${g} at masked element ${i}`).toBe(true);
        });
      }
    });

    it.each(LOSS_NAMES)('%s: a mask of ones is no mask; a mask over a label map is ignoreIndex', (name) => {
      const shape = [2, 3, 7];
      const pred = randomLogits(61, 42);
      const labels = Uint8Array.from({ length: 14 }, (_, i) => (i % 5 === 2 ? 255 : (i * 2) % 3));
      const keep = Uint8Array.from(labels, (l) => (l === 255 ? 0 : 1));
      const zeroed = Uint8Array.from(labels, (l) => (l === 255 ? 0 : l)); // the masked voxels relabelled 0
      const options: LossOptions = { shape, activation: 'softmax' };
      const ones = LOSSES[name].grad(k(), pred, zeroed, { ...options, mask: new Uint8Array(14).fill(1) });
      const none = LOSSES[name].grad(k(), pred, zeroed, options);
      expect(ones.loss).toBe(none.loss);
      expect(Array.from(ones.grad)).toEqual(Array.from(none.grad));
      const masked = LOSSES[name].grad(k(), pred, zeroed, { ...options, mask: keep });
      const ignored = LOSSES[name].grad(k(), pred, labels, { ...options, ignoreIndex: 255 });
      expect(relativeError(masked.loss, ignored.loss)).toBeLessThanOrEqual(1e-12);
      expect(maxAbsRelativeError(masked.grad, ignored.grad)).toBeLessThanOrEqual(1e-6);
    });
  });
});
