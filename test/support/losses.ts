// The overlap losses of DiceKernel by name, so that tests can loop over the family: each
// one-shot loss and its ...WithGrad twin.
import type { DiceKernel, LossEmptyPolicy, LossAndGrad, OverlapOptions, Target } from '../../src/index.js';

/** The overlap family (the pointwise and combined losses are tested in test/losses/pointwise.test.ts). */
export type LossName = 'dice' | 'jaccard' | 'tversky' | 'focalTversky' | 'generalizedDice';

export const LOSS_NAMES: readonly LossName[] = ['dice', 'jaccard', 'tversky', 'focalTversky', 'generalizedDice'];

/** Every option of every loss of the family (each method takes its own subset). */
export interface LossOptions extends OverlapOptions {
  weight?: number[] | null;
  logLoss?: boolean;
  empty?: LossEmptyPolicy;
  alpha?: number;
  beta?: number;
  gamma?: number;
  weightType?: 'square' | 'simple' | 'uniform';
  out?: Float32Array;
}

export interface LossMethods {
  /** `k.<name>Loss` */
  value(k: DiceKernel, pred: Float32Array, target: Target, options?: LossOptions): number | Float64Array;
  /** `k.<name>LossWithGrad` */
  grad(k: DiceKernel, pred: Float32Array, target: Target, options?: LossOptions): LossAndGrad;
}

export const LOSSES: Readonly<Record<LossName, LossMethods>> = {
  dice: {
    value: (k, p, t, o) => k.diceLoss(p, t, o),
    grad: (k, p, t, o) => k.diceLossWithGrad(p, t, o),
  },
  jaccard: {
    value: (k, p, t, o) => k.jaccardLoss(p, t, o),
    grad: (k, p, t, o) => k.jaccardLossWithGrad(p, t, o),
  },
  tversky: {
    value: (k, p, t, o) => k.tverskyLoss(p, t, o),
    grad: (k, p, t, o) => k.tverskyLossWithGrad(p, t, o),
  },
  focalTversky: {
    value: (k, p, t, o) => k.focalTverskyLoss(p, t, o),
    grad: (k, p, t, o) => k.focalTverskyLossWithGrad(p, t, o),
  },
  generalizedDice: {
    value: (k, p, t, o) => k.generalizedDiceLoss(p, t, o),
    grad: (k, p, t, o) => k.generalizedDiceLossWithGrad(p, t, o),
  },
};
