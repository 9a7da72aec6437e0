// How MONAI's metrics read their inputs, translated into the native confusion options.
// MONAI: y_pred and y are (B, C, ...spatial) or (B, 1, ...spatial); a single-channel tensor is a
// label map compared with `== c` when there are several classes; multi-channel tensors are
// masks (non-zero = true); DiceHelper may first take the argmax or threshold y_pred at 0.5.
import type { ConfusionOptions, HardPrediction, Target } from '../../core/api.js';
import { rangeError } from '../../core/errors.js';
import { asLabels, asMask, asScores, readTensor, type TensorData } from '../tensor.js';

/** One call's inputs, ready for k.confusion, and which native classes MONAI reports. */
export interface MonaiInputs {
  pred: HardPrediction;
  target: Target;
  options: ConfusionOptions;
  /** Native class indices MONAI reports, in its order (the channels it keeps). */
  classes: number[];
  /** The native includeBackground that reduces over exactly `classes`. */
  includeBackground: boolean;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

function readBatch(fn: string, yPred: unknown, y: unknown, minRank: number): { p: TensorData; t: TensorData } {
  const p = readTensor(fn, 'y_pred', yPred),
    t = readTensor(fn, 'y', y);
  if (p.shape.length < minRank) {
    throw rangeError(
      fn,
      'y_pred',
      `must have at least ${minRank} dimensions ` +
        `(${minRank > 2 ? 'batch, channel, spatial' : 'batch, channel'}); got shape ` +
        `[${p.shape.join(', ')}]`,
    );
  }
  if (
    t.shape.length !== p.shape.length ||
    t.shape[0] !== p.shape[0] ||
    t.shape.slice(2).some((d, i) => d !== p.shape[2 + i])
  ) {
    throw rangeError(
      fn,
      'y',
      `has shape [${t.shape.join(', ')}], which does not match y_pred's [${p.shape.join(', ')}] (batch ` +
        'and spatial axes must agree)',
    );
  }
  return { p, t };
}

/** The label-map shape of a batch: [B, S] (always two axes, so that B = 1 is not mistaken for "no batch"). */
function mapShape(shape: number[]): number[] {
  return [shape[0], shape.slice(2).reduce((a, d) => a * d, 1)];
}

export interface DiceReading {
  numClasses: number | null;
  threshold: boolean;
  applyArgmax: boolean;
  activate: boolean;
  includeBackground: boolean;
}

/** DiceHelper's reading (MONAI 1.5): compute_dice, DiceMetric and DiceHelper. */
export function readDiceInputs(fn: string, yPred: unknown, y: unknown, o: DiceReading, minRank = 2): MonaiInputs {
  const { p, t } = readBatch(fn, yPred, y, minRank);
  const predChannels = p.shape[1];
  let { applyArgmax: argmax, threshold } = o;
  const n = o.numClasses ?? predChannels;
  if (o.numClasses !== null && predChannels === 1 && n > 1) argmax = threshold = false; // y_pred holds labels
  if (predChannels > 1 && n !== predChannels) {
    throw rangeError(fn, 'num_classes', `is ${n} but y_pred has ${predChannels} channels`);
  }
  let pred: HardPrediction;
  const options: ConfusionOptions = {};
  if (predChannels === 1 && n > 1) {
    pred = asLabels(fn, 'y_pred', p);
    Object.assign(options, { decision: 'labels', numClasses: n, shape: mapShape(p.shape) });
  } else if (argmax && n > 1) {
    pred = asScores(p);
    Object.assign(options, { decision: 'argmax', shape: p.shape });
  } else if (threshold) {
    pred = asScores(p);
    Object.assign(options, {
      decision: 'threshold',
      threshold: 0.5,
      activation: o.activate ? 'sigmoid' : 'none',
      shape: p.shape,
    });
  } else {
    pred = asMask(p);
    Object.assign(options, { decision: 'nonzero', shape: p.shape });
  }
  let target: Target;
  if (t.shape[1] === 1 && n > 1) {
    target = asLabels(fn, 'y', t);
    options.target = 'labels';
  } else if (t.shape[1] === n) {
    target = asMask(t);
    options.target = 'dense';
  } else {
    throw rangeError(
      fn,
      'y',
      `has ${t.shape[1]} channels; it must be one-hot with ${n} channels or a single-channel label map`,
    );
  }
  // One class: MONAI scores the single channel as class 1 whatever include_background says.
  const first = n > 1 && !o.includeBackground ? 1 : 0;
  return { pred, target, options, classes: range(first, n), includeBackground: first === 0 };
}

/** compute_iou, compute_generalized_dice, get_confusion_matrix: two binarised tensors of one shape. */
export function readSameShape(
  fn: string,
  yPred: unknown,
  y: unknown,
  includeBackground: boolean,
  minRank: number,
): MonaiInputs {
  const { p, t } = readBatch(fn, yPred, y, minRank);
  if (t.shape[1] !== p.shape[1]) {
    throw rangeError(
      fn,
      'y',
      `has shape [${t.shape.join(', ')}] but y_pred has [${p.shape.join(', ')}]; they must be the same`,
    );
  }
  const C = p.shape[1];
  const first = C > 1 && !includeBackground ? 1 : 0;
  return {
    pred: asMask(p),
    target: asMask(t),
    options: { decision: 'nonzero', target: 'dense', shape: p.shape },
    classes: range(first, C),
    includeBackground: first === 0,
  };
}
