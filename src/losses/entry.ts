// What the loss registry (registry.ts) holds for each loss: its option names and how it is
// computed. Two paths:
//
// - 'sums': from kernel 1's sums per (sample, class) — an overlap part (a score formula with its
//   parameters), a pointwise part (BCE, cross-entropy, focal), or both — then the formula, then
//   kernel 2 (overlap.ts, pointwise.ts, run.ts). The pool splits these calls across its workers.
// - 'own': a loss with a code path of its own (the Lovász losses sort and walk their errors): it
//   resolves its options once, then computes its value and gradient itself. The pool runs it on
//   its calling thread.
import type { Activation, LossAndGrad, Target } from '../core/api.js';
import type { Engine } from '../backends/engine.js';

/** The score formulas of the overlap part: per (sample, class) term, or per sample (Generalized Dice). */
export type ScoreName = 'tversky' | 'mcc' | 'generalizedDice';

/** The overlap part of a 'sums' loss: a score formula (overlap.ts) and its parameters. */
export interface OverlapPart {
  score: ScoreName;
  /** Default `smooth` (1; MCC adds it to four counts and takes smp's 1e-5). */
  smooth: number;
  /** Tversky's weights of false positives and negatives (Dice ½, ½; Jaccard 1, 1). */
  alpha: number;
  beta: number;
  /** `alpha` and `beta` are options (with the weights above as defaults). */
  tunable: boolean;
  /**
   * The smoothing is multiplied by this before it enters the score: Dice is the Tversky index with
   * α = β = ½ once numerator and denominator are halved, so its smoothing counts half.
   */
  smoothScale: number;
  /** The focal exponent of (1 − T)^γ, an option with this default; null: the loss is 1 − T (or −log T). */
  gamma: number | null;
}

/** The pointwise part: fixed BCE or cross-entropy, either one by activation (Dice + CE), or focal. */
export type PointFamily = 'bce' | 'ce' | 'either' | 'focal';

/** A loss computed from kernel 1's sums. */
export interface SumsLoss {
  readonly path: 'sums';
  /** Its option names, in the order errors list them (the per-call `mask` and `out` are added by the caller). */
  readonly options: readonly string[];
  /** The activation when none is given: a pointwise part is computed from logits. */
  readonly activation: Activation;
  /** The overlap part, or null for a pointwise loss alone. */
  readonly overlap: Readonly<OverlapPart> | null;
  /** The pointwise part, or null. */
  readonly point: PointFamily | null;
}

/** The per-call mask: undefined or null when not given. */
export type Mask = Uint8Array | Float32Array | null | undefined;

/**
 * A loss with a code path of its own. `Spec` is whatever `resolve` makes of the options, with the
 * name of the calling function (`fn`) that errors name: `createLoss` resolves once and calls
 * `value` and `valueAndGrad` with `fn` set to 'value' and 'valueAndGrad'.
 */
export interface OwnLoss<Spec extends { fn: string }> {
  readonly path: 'own';
  /** Its option names (the methods add `mask` when `mask` is true, and `out` for the gradient). */
  readonly options: readonly string[];
  /** Takes a per-voxel mask (an option of its methods, an argument of createLoss's calls). */
  readonly mask: boolean;
  /** Checks the option names against `names` and resolves the options, before any array is looked at. */
  resolve(fn: string, options: object | undefined, names: readonly string[], withGrad: boolean): Spec;
  /** The loss; `mask` is undefined unless the caller gave one (a loss that takes none refuses it). */
  value(engine: Engine, spec: Spec, pred: Float32Array, target: Target, mask: Mask): number | Float64Array;
  /** The loss and its gradient, written to `out` if given. */
  valueAndGrad(
    engine: Engine,
    spec: Spec,
    pred: Float32Array,
    target: Target,
    out: Float32Array | undefined,
    mask: Mask,
  ): LossAndGrad;
}

/** A registry entry: `OwnLoss` with its spec type erased (each entry's functions agree with their own resolve). */
export type LossEntry = SumsLoss | OwnLoss<{ fn: string }>;

/** A 'sums' entry; unset parts are null and the activation 'none'. */
export function sumsLoss(entry: {
  options: readonly string[];
  activation?: Activation;
  overlap?: Partial<OverlapPart> & { score: ScoreName };
  point?: PointFamily;
}): SumsLoss {
  return {
    path: 'sums',
    options: entry.options,
    activation: entry.activation ?? 'none',
    overlap:
      entry.overlap === undefined
        ? null
        : { smooth: 1, alpha: 0.5, beta: 0.5, tunable: false, smoothScale: 1, gamma: null, ...entry.overlap },
    point: entry.point ?? null,
  };
}

/** An 'own' entry, its spec type erased for the registry. */
export function ownLoss<Spec extends { fn: string }>(entry: Omit<OwnLoss<Spec>, 'path'>): LossEntry {
  return { path: 'own', ...entry };
}
