// The loss registry: one entry per loss that createLoss knows, from which the rest is derived —
// the option names each method accepts, DiceKernel's `<name>Loss` / `<name>LossWithGrad` and
// createLoss (calls.ts), the pool's methods and which of them it splits, dice-wasm/tfjs's
// default activation. An entry says how its loss is computed (entry.ts):
//
// - sumsLoss: from kernel 1's sums. `overlap` names a score formula of overlap.ts (TERM_SCORES,
//   or Generalized Dice) and its parameters; `point` a pointwise term of pointwise.ts; a loss may
//   have both (λ_overlap·overlap + λ_point·pointwise). A new Tversky-shaped loss is one entry here.
// - ownLoss: a loss with its own code (resolve, value, valueAndGrad), as the Lovász losses.
//
// The public types follow core/api.ts's LossOptionsByName, which must name the same losses
// (the type of LOSSES checks it both ways).
import type { LossOptionsByName } from '../core/api.js';
import { TENSOR_OPTION_NAMES } from '../core/tensors.js';
import { type LossEntry, ownLoss, sumsLoss } from './entry.js';
import { lovaszPath } from './lovasz.js';
import { CLDICE_OPTION_NAMES, clDicePath, DICE_CLDICE_OPTION_NAMES } from './cldice.js';
import { DISTANCE_OPTION_NAMES, distancePath } from './distance.js';

/** Every loss's name, the public type's keys. */
export type AnyLossName = keyof LossOptionsByName;

/** The options of the overlap losses and of the Dice coefficient. */
export const SCORE_OPTION_NAMES: readonly string[] = [
  ...TENSOR_OPTION_NAMES,
  'includeBackground',
  'batch',
  'reduction',
  'smooth',
  'smoothNr',
  'smoothDr',
  'squared',
  'softLabel',
];
const DICE = [...SCORE_OPTION_NAMES, 'weight', 'logLoss', 'empty'];
const GENERALIZED = [...SCORE_OPTION_NAMES, 'weightType'];
const LAMBDAS = ['lambdaOverlap', 'lambdaPoint'];

/** Dice: the Tversky index with α = β = ½ and half the smoothing (see OverlapPart.smoothScale). */
const DICE_SCORE = { score: 'tversky', alpha: 0.5, beta: 0.5, smoothScale: 0.5 } as const;
const GENERALIZED_SCORE = { score: 'generalizedDice' } as const;

export const LOSSES: { readonly [Name in AnyLossName]: LossEntry } = {
  dice: sumsLoss({ options: DICE, overlap: DICE_SCORE }),
  jaccard: sumsLoss({ options: DICE, overlap: { score: 'tversky', alpha: 1, beta: 1 } }),
  tversky: sumsLoss({
    options: [...DICE, 'alpha', 'beta'],
    overlap: { score: 'tversky', alpha: 0.5, beta: 0.5, tunable: true },
  }),
  // Abraham & Khan 2019: α 0.7, β 0.3, and the paper's 1/γ with γ = 4/3.
  focalTversky: sumsLoss({
    options: [...SCORE_OPTION_NAMES, 'weight', 'empty', 'alpha', 'beta', 'gamma'],
    overlap: { score: 'tversky', alpha: 0.7, beta: 0.3, tunable: true, gamma: 0.75 },
  }),
  generalizedDice: sumsLoss({ options: GENERALIZED, overlap: GENERALIZED_SCORE }),
  // MCC adds its smoothing to each of four counts: smp's eps = 1e-5.
  mcc: sumsLoss({
    options: [...TENSOR_OPTION_NAMES, 'includeBackground', 'batch', 'reduction', 'smooth', 'weight', 'empty'],
    overlap: { score: 'mcc', smooth: 1e-5 },
  }),
  // The pointwise terms take logits.
  bce: sumsLoss({
    options: [...TENSOR_OPTION_NAMES, 'weight', 'posWeight', 'reduction', 'includeBackground'],
    activation: 'sigmoid',
    point: 'bce',
  }),
  crossEntropy: sumsLoss({
    options: [...TENSOR_OPTION_NAMES, 'weight', 'labelSmoothing', 'reduction'],
    activation: 'softmax',
    point: 'ce',
  }),
  focal: sumsLoss({
    options: [...TENSOR_OPTION_NAMES, 'weight', 'gamma', 'alpha', 'reduction', 'includeBackground'],
    activation: 'sigmoid',
    point: 'focal',
  }),
  diceCE: sumsLoss({
    options: [...DICE, 'labelSmoothing', 'posWeight', ...LAMBDAS],
    activation: 'softmax',
    overlap: DICE_SCORE,
    point: 'either',
  }),
  diceFocal: sumsLoss({
    options: [...DICE, 'gamma', 'alpha', ...LAMBDAS],
    activation: 'sigmoid',
    overlap: DICE_SCORE,
    point: 'focal',
  }),
  generalizedDiceFocal: sumsLoss({
    options: [...GENERALIZED, 'weight', 'gamma', 'alpha', ...LAMBDAS],
    activation: 'sigmoid',
    overlap: GENERALIZED_SCORE,
    point: 'focal',
  }),
  lovaszHinge: ownLoss({ options: ['shape', 'perImage', 'ignoreIndex'], mask: false, ...lovaszPath('hinge') }),
  lovaszSoftmax: ownLoss({
    options: [...TENSOR_OPTION_NAMES, 'classes', 'perImage'],
    mask: false,
    ...lovaszPath('softmax'),
  }),
  // Losses on whole class volumes (no mask: skeletons and distance maps need every voxel).
  clDice: ownLoss({ options: CLDICE_OPTION_NAMES, mask: false, ...clDicePath(false) }),
  diceClDice: ownLoss({ options: DICE_CLDICE_OPTION_NAMES, mask: false, ...clDicePath(true) }),
  hausdorffDT: ownLoss({ options: DISTANCE_OPTION_NAMES.hausdorff, mask: false, ...distancePath('hausdorff') }),
  boundary: ownLoss({ options: DISTANCE_OPTION_NAMES.boundary, mask: false, ...distancePath('boundary') }),
};

/** The names, in the order errors list them. */
export const LOSS_NAMES = Object.keys(LOSSES) as AnyLossName[];

/** The name of a loss's method: `<name>Loss`, or `<name>LossWithGrad`. */
export function methodName(name: AnyLossName, withGrad: boolean): string {
  return `${name}Loss${withGrad ? 'WithGrad' : ''}`;
}
