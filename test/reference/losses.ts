// Every loss of the family by its library name, from the independent references alone (overlap.ts,
// pointwise.ts; nothing here imports src/), with the library's option names. The combined losses
// are λ_overlap·overlap + λ_point·pointwise (README, Functions), their options shared out as the
// README says: the overlap part takes the overlap options (Dice, or Generalized Dice with its
// weightType), the pointwise part — cross-entropy under softmax and BCE under sigmoid for Dice + CE,
// the focal loss for the others — takes weight, posWeight, labelSmoothing, gamma (default 2) and
// alpha; both take the tensor options, the mask and the reduction, and includeBackground applies
// to every part but cross-entropy (MONAI's DiceCE passes it to the Dice part only).
import { overlapReferenceLoss, type OverlapRefOptions, type RefLoss } from './overlap.js';
import { pointwiseReference, type PointRefOptions } from './pointwise.js';

export type ReferenceLossName =
  | RefLoss
  | 'bce'
  | 'crossEntropy'
  | 'focal'
  | 'diceCE'
  | 'diceFocal'
  | 'generalizedDiceFocal';

/** The library's options (README, Options), with the mask beside them. */
export type LibraryOptions = Record<string, unknown> & { mask?: ArrayLike<number> };

const SOFTMAX_BY_DEFAULT = new Set<ReferenceLossName>(['crossEntropy', 'diceCE']);
const SIGMOID_BY_DEFAULT = new Set<ReferenceLossName>(['bce', 'focal', 'diceFocal', 'generalizedDiceFocal']);

/** The reduced loss ('mean' or 'sum') of `loss` on pred and target, in float64. */
export function lossReference(
  loss: ReferenceLossName,
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  o: LibraryOptions,
): number {
  const shape = (o.shape as number[] | undefined) ?? [pred.length];
  const layout = (o.layout as 'NCHW' | 'NHWC' | undefined) ?? 'NCHW';
  const activation =
    (o.activation as 'none' | 'sigmoid' | 'softmax' | undefined) ??
    (SOFTMAX_BY_DEFAULT.has(loss) ? 'softmax' : SIGMOID_BY_DEFAULT.has(loss) ? 'sigmoid' : 'none');
  const targetKind =
    (o.target as 'dense' | 'labels' | undefined) ?? (target.length === pred.length ? 'dense' : 'labels');
  const reduction = (o.reduction as 'mean' | 'sum' | undefined) ?? 'mean';
  const C = shape.length < 2 ? 1 : layout === 'NCHW' ? shape[1] : shape[shape.length - 1];
  const weight = o.weight as number[] | undefined;
  const overlapOptions = (): OverlapRefOptions => ({
    shape,
    layout,
    activation,
    target: targetKind,
    ignoreIndex: o.ignoreIndex as number | undefined,
    mask: o.mask,
    includeBackground: o.includeBackground as boolean | undefined,
    batch: o.batch as boolean | undefined,
    reduction,
    smooth: o.smooth as number | undefined,
    smoothNr: o.smoothNr as number | undefined,
    smoothDr: o.smoothDr as number | undefined,
    squared: o.squared as boolean | undefined,
    softLabel: o.softLabel as boolean | undefined,
  });
  const pointOptions = (kind: PointRefOptions['kind']): PointRefOptions => {
    if (activation === 'none') throw new Error(`reference: ${loss} takes logits (activation sigmoid or softmax)`);
    const posWeight = o.posWeight as number | number[] | undefined;
    return {
      kind,
      shape,
      layout,
      activation,
      targetKind,
      ignoreIndex: o.ignoreIndex as number | undefined,
      mask: o.mask,
      weight,
      posWeight: typeof posWeight === 'number' ? new Array<number>(C).fill(posWeight) : posWeight,
      labelSmoothing: o.labelSmoothing as number | undefined,
      gamma: (o.gamma as number | undefined) ?? 2,
      alpha: (o.alpha as number | undefined) ?? null,
      reduction,
      includeBackground: kind === 'ce' ? undefined : (o.includeBackground as boolean | undefined),
    };
  };
  const lambdaOverlap = (o.lambdaOverlap as number | undefined) ?? 1;
  const lambdaPoint = (o.lambdaPoint as number | undefined) ?? 1;
  const dice = () =>
    overlapReferenceLoss('dice', pred, target, {
      ...overlapOptions(),
      weight,
      logLoss: o.logLoss as boolean | undefined,
      empty: o.empty as OverlapRefOptions['empty'],
    });
  switch (loss) {
    case 'bce':
      return pointwiseReference(pred, target, pointOptions('bce'));
    case 'crossEntropy':
      return pointwiseReference(pred, target, pointOptions('ce'));
    case 'focal':
      return pointwiseReference(pred, target, pointOptions('focal'));
    case 'diceCE':
      return (
        lambdaOverlap * dice() +
        lambdaPoint * pointwiseReference(pred, target, pointOptions(activation === 'softmax' ? 'ce' : 'bce'))
      );
    case 'diceFocal':
      return lambdaOverlap * dice() + lambdaPoint * pointwiseReference(pred, target, pointOptions('focal'));
    case 'generalizedDiceFocal':
      return (
        lambdaOverlap *
          overlapReferenceLoss('generalizedDice', pred, target, {
            ...overlapOptions(),
            weightType: o.weightType as OverlapRefOptions['weightType'],
          }) +
        lambdaPoint * pointwiseReference(pred, target, pointOptions('focal'))
      );
    case 'generalizedDice':
      return overlapReferenceLoss(loss, pred, target, {
        ...overlapOptions(),
        weightType: o.weightType as OverlapRefOptions['weightType'],
      });
    default:
      return overlapReferenceLoss(loss, pred, target, {
        ...overlapOptions(),
        weight,
        logLoss: o.logLoss as boolean | undefined,
        empty: o.empty as OverlapRefOptions['empty'],
        alpha: o.alpha as number | undefined,
        beta: o.beta as number | undefined,
        gamma: o.gamma as number | undefined,
      });
  }
}

/**
 * ∂f/∂x_i of a float64 function by the five-point stencil (−f(x + 2h) + 8f(x + h) − 8f(x − h) +
 * f(x − 2h)) / 12h, h = relStep·max(1, |x_i|), on a float64 copy of x (so the step is exact), and
 * the size of its rounding noise: the four values' rounding (up to 1000 ulp of the largest, for
 * sums over many elements) times 18/12h. Its truncation error, h⁴·f⁽⁵⁾/30, is far below that for
 * these smooth losses.
 */
export function fivePointDerivative(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  i: number,
  relStep = 1e-3,
): { derivative: number; noise: number } {
  const work = Float64Array.from(x);
  const x0 = work[i];
  const h = relStep * Math.max(1, Math.abs(x0));
  const at = (k: number) => {
    work[i] = x0 + k * h;
    return f(work);
  };
  const values = [at(2), at(1), at(-1), at(-2)];
  const largest = Math.max(...values.map(Math.abs));
  return {
    derivative: (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h),
    noise: (18 / (12 * h)) * 1000 * Number.EPSILON * largest,
  };
}
