// An independent float64 reference of the pointwise losses, written from the PyTorch / MONAI
// definitions (nothing here imports src/): binary cross-entropy with logits (pos_weight), cross-
// entropy from logits (class weights, label smoothing, torch's weighted mean for class indices),
// and MONAI's focal loss (sigmoid: α_t·(1 − p_t)^γ·BCE written as σ(−x·(2y − 1))^γ·BCE; softmax:
// −α_c·(1 − p_c)^γ·y_c·log p_c). Straight loops over every element; the reduced loss is the sum of
// the elements' losses (PyTorch's reduction='none'), divided by their count for 'mean'.
import { elementIndex, shapeAxes, type RefLayout } from './dice.js';

export interface PointRefOptions {
  kind: 'bce' | 'ce' | 'focal';
  shape: readonly number[];
  layout?: RefLayout;
  /** sigmoid (bce, focal) or softmax (ce, focal). */
  activation: 'sigmoid' | 'softmax';
  targetKind: 'dense' | 'labels';
  ignoreIndex?: number;
  /** Per voxel, B·S values or S shared; 0 drops the voxel. */
  mask?: ArrayLike<number>;
  weight?: readonly number[];
  posWeight?: readonly number[];
  labelSmoothing?: number;
  gamma?: number;
  alpha?: number | null;
  reduction?: 'mean' | 'sum';
  includeBackground?: boolean;
}

const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Each counted element's loss (BCE, focal: every class, in pred's layout) or voxel's loss
 * (cross-entropy, [B, S]), 0 elsewhere; the classes the reductions take (`first` on: class 0 is
 * out with includeBackground false) and the count 'mean' divides by.
 */
export function pointwiseElementsReference(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  o: PointRefOptions,
): { values: Float64Array; reduced: Float64Array; count: number } {
  const layout = o.layout ?? 'NCHW';
  const { B, C, S } = shapeAxes(o.shape, layout);
  const at = (b: number, c: number, s: number) => elementIndex(layout, C, S, b, c, s);
  const w = (c: number) => o.weight?.[c] ?? 1;
  const gamma = o.gamma ?? 2;
  const alpha = o.alpha ?? null;
  const first = o.kind !== 'ce' && o.includeBackground === false ? 1 : 0;
  const values = new Float64Array(o.kind === 'ce' ? B * S : B * C * S);
  // The values the reductions take: every voxel of cross-entropy, classes ≥ first of the others.
  const reduced = new Float64Array(values.length);
  let count = 0;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (o.mask && o.mask[o.mask.length === S ? s : b * S + s] === 0) continue;
      const label = o.targetKind === 'labels' ? target[b * S + s] : -1;
      if (o.targetKind === 'labels' && label === o.ignoreIndex) continue;
      const y = (c: number) => (o.targetKind === 'labels' ? (label === c ? 1 : 0) : target[at(b, c, s)]);
      const put = (i: number, c: number, v: number) => {
        values[i] += v;
        if (c >= first) reduced[i] += v;
      };
      if (o.activation === 'softmax') {
        const x = Array.from({ length: C }, (_, c) => pred[at(b, c, s)]);
        const max = Math.max(...x);
        const logZ = Math.log(x.reduce((a, v) => a + Math.exp(v - max), 0));
        const logp = x.map((v) => v - max - logZ);
        if (o.kind === 'ce') {
          const eps = o.labelSmoothing ?? 0;
          for (let c = 0; c < C; c++) put(b * S + s, c, -w(c) * ((1 - eps) * y(c) + eps / C) * logp[c]);
          count += o.targetKind === 'labels' ? w(label) : 1;
        } else {
          for (let c = 0; c < C; c++) {
            const a = alpha === null ? 1 : c === 0 ? 1 - alpha : alpha;
            // 1 − p_c = −expm1(log p_c), accurate where p_c rounds to 1.
            put(at(b, c, s), c, -a * w(c) * (-Math.expm1(logp[c])) ** gamma * y(c) * logp[c]);
          }
          count += C - first;
        }
      } else {
        for (let c = 0; c < C; c++) {
          const x = pred[at(b, c, s)];
          const t = y(c);
          const pw = o.posWeight?.[c] ?? 1;
          // BCE = −[pw·t·log σ(x) + (1 − t)·log(1 − σ(x))], log σ(x) = −softplus(−x), log(1 − σ(x)) = −softplus(x).
          const bce = pw * t * softplus(-x) + (1 - t) * softplus(x);
          if (o.kind === 'bce') {
            put(at(b, c, s), c, w(c) * bce);
          } else {
            const balance = alpha === null ? 1 : alpha * t + (1 - alpha) * (1 - t);
            // (1 − p_t)^γ with p_t = t·σ(x) + (1 − t)·(1 − σ(x)): for t ∈ {0, 1}, 1 − p_t is σ(−x) or
            // σ(x), which is σ(−x·(2t − 1)) — MONAI's exp(γ·logsigmoid(−x·(2t − 1))), its definition
            // for soft t too. Taken in that form, it keeps its relative accuracy where p_t rounds to 1.
            const modulation = sigmoid(-x * (2 * t - 1)) ** gamma;
            put(at(b, c, s), c, w(c) * balance * modulation * bce);
          }
        }
        count += C - first;
      }
    }
  }
  return { values, reduced, count };
}

/** The reduced loss: the sum of the values the reduction takes, divided by the count for 'mean'. */
export function pointwiseReference(pred: ArrayLike<number>, target: ArrayLike<number>, o: PointRefOptions): number {
  const { reduced, count } = pointwiseElementsReference(pred, target, o);
  const sum = reduced.reduce((a, v) => a + v, 0);
  if (o.reduction === 'sum') return sum;
  return count > 0 ? sum / count : 0;
}
