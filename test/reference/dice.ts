// An independent float64 reference of the soft Dice loss, written from the formulas of the
// specification (not from the library: nothing here imports src/). Straight nested loops over
// samples, classes and voxels; pred values are used as given (no float32 rounding inside).
//
// Per term (sample b, class c — or class c pooled over samples with `batch`), over the valid voxels:
//   I = Σ p·y     P = Σ p  (Σ p² when squared)     G = Σ y  (Σ y² when squared)
//   D = (2I + smoothNr) / (P + G + smoothDr)
//   loss term = weight[c] · (1 − D)   (weight[c] · (−log D) with logLoss)
// with p = act(pred) (identity, elementwise sigmoid, or softmax over the class axis) and, for a
// label map, y = [label == c]; voxels whose label is ignoreIndex are not valid.
// 'mean' averages the terms of the included classes (class 0 is left out when
// includeBackground is false), 'sum' adds them, 'none' lists every term (every class).

export type RefActivation = 'none' | 'sigmoid' | 'softmax';
export type RefLayout = 'NCHW' | 'NHWC';
export type RefReduction = 'mean' | 'sum' | 'none';

export interface RefOptions {
  /** Default [n]: one sample, one class. With ≥ 2 axes: [B, C, ...spatial] (NCHW) or [B, ...spatial, C] (NHWC). */
  shape?: readonly number[];
  layout?: RefLayout;
  activation?: RefActivation;
  /** Default: dense when target has pred's length, else a label map. */
  target?: 'dense' | 'labels';
  ignoreIndex?: number | null;
  includeBackground?: boolean;
  weight?: ArrayLike<number> | null;
  batch?: boolean;
  reduction?: RefReduction;
  smooth?: number;
  smoothNr?: number;
  smoothDr?: number;
  squared?: boolean;
  logLoss?: boolean;
}

export interface RefTerm {
  /** Sample index, or -1 for a term pooled over the batch. */
  b: number;
  c: number;
  I: number;
  P: number;
  G: number;
  /** Number of valid voxels that went into the sums. */
  N: number;
  D: number;
  /** weight[c] · (1 − D) or weight[c] · (−log D). */
  loss: number;
}

export interface RefResult {
  B: number;
  C: number;
  S: number;
  /** B·C terms sample-major ([b·C + c]), or C terms with batch. */
  terms: RefTerm[];
  /** The loss reduced as asked; for 'none' the list of every term's loss. */
  loss: number | number[];
  /** The coefficient D reduced the same way (unweighted); for 'none' every term's D. */
  coefficient: number | number[];
}

/** B, C and the spatial size S of a shape. */
export function shapeAxes(shape: readonly number[], layout: RefLayout): { B: number; C: number; S: number } {
  if (shape.length === 1) return { B: 1, C: 1, S: shape[0] };
  const B = shape[0];
  const C = layout === 'NCHW' ? shape[1] : shape[shape.length - 1];
  let S = 1;
  const spatial = layout === 'NCHW' ? shape.slice(2) : shape.slice(1, shape.length - 1);
  for (const d of spatial) S *= d;
  return { B, C, S };
}

/** Position of element (b, c, s) of pred (and of a dense target). */
export function elementIndex(layout: RefLayout, C: number, S: number, b: number, c: number, s: number): number {
  return layout === 'NCHW' ? (b * C + c) * S + s : (b * S + s) * C + c;
}

export function diceReference(pred: ArrayLike<number>, target: ArrayLike<number>, options: RefOptions = {}): RefResult {
  const layout = options.layout ?? 'NCHW';
  const shape = options.shape ?? [pred.length];
  const { B, C, S } = shapeAxes(shape, layout);
  if (B * C * S !== pred.length)
    throw new Error(`reference: pred has ${pred.length} elements, shape holds ${B * C * S}`);
  const kind = options.target ?? (target.length === pred.length ? 'dense' : 'labels');
  if (target.length !== (kind === 'dense' ? B * C * S : B * S))
    throw new Error('reference: target length does not fit');
  const activation = options.activation ?? 'none';
  const smooth = options.smooth ?? 1;
  const smoothNr = options.smoothNr ?? smooth;
  const smoothDr = options.smoothDr ?? smooth;
  const squared = options.squared ?? false;
  const ignoreIndex = options.ignoreIndex ?? null;
  const at = (b: number, c: number, s: number): number => elementIndex(layout, C, S, b, c, s);

  // p = act(pred), element by element, in pred's layout.
  const p = new Float64Array(pred.length);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      if (activation === 'softmax') {
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, pred[at(b, c, s)]);
        let z = 0;
        for (let c = 0; c < C; c++) z += Math.exp(pred[at(b, c, s)] - max);
        for (let c = 0; c < C; c++) p[at(b, c, s)] = Math.exp(pred[at(b, c, s)] - max) / z;
      } else {
        for (let c = 0; c < C; c++) {
          const x = pred[at(b, c, s)];
          p[at(b, c, s)] = activation === 'sigmoid' ? 1 / (1 + Math.exp(-x)) : x;
        }
      }
    }
  }

  // Sums per (sample, class).
  const sums: { I: number; P: number; G: number; N: number }[] = [];
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      let I = 0;
      let P = 0;
      let G = 0;
      let N = 0;
      for (let s = 0; s < S; s++) {
        let y: number;
        if (kind === 'dense') {
          y = target[at(b, c, s)];
        } else {
          const label = target[b * S + s];
          if (ignoreIndex !== null && label === ignoreIndex) continue;
          y = label === c ? 1 : 0;
        }
        const pc = p[at(b, c, s)];
        I += pc * y;
        P += squared ? pc * pc : pc;
        G += squared ? y * y : y;
        N += 1;
      }
      sums.push({ I, P, G, N });
    }
  }

  // Terms: per (sample, class), or per class pooled over the samples.
  const pooled: { b: number; c: number; I: number; P: number; G: number; N: number }[] = [];
  if (options.batch) {
    for (let c = 0; c < C; c++) {
      const t = { b: -1, c, I: 0, P: 0, G: 0, N: 0 };
      for (let b = 0; b < B; b++) {
        const r = sums[b * C + c];
        t.I += r.I;
        t.P += r.P;
        t.G += r.G;
        t.N += r.N;
      }
      pooled.push(t);
    }
  } else {
    for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) pooled.push({ b, c, ...sums[b * C + c] });
  }
  const terms: RefTerm[] = pooled.map((t) => {
    const D = (2 * t.I + smoothNr) / (t.P + t.G + smoothDr);
    const w = options.weight ? options.weight[t.c] : 1;
    const loss = w * (options.logLoss ? -Math.log(D) : 1 - D);
    return { ...t, D, loss };
  });

  const reduction = options.reduction ?? 'mean';
  const first = options.includeBackground === false ? 1 : 0;
  const reduce = (values: number[]): number | number[] => {
    if (reduction === 'none') return values;
    let total = 0;
    let count = 0;
    terms.forEach((t, k) => {
      if (t.c >= first) {
        total += values[k];
        count += 1;
      }
    });
    return reduction === 'sum' ? total : total / count;
  };
  return {
    B,
    C,
    S,
    terms,
    loss: reduce(terms.map((t) => t.loss)),
    coefficient: reduce(terms.map((t) => t.D)),
  };
}

/** The reduced loss of the reference, for reductions 'mean' and 'sum'. */
export function referenceLoss(pred: ArrayLike<number>, target: ArrayLike<number>, options: RefOptions = {}): number {
  const { loss } = diceReference(pred, target, options);
  if (typeof loss !== 'number') throw new Error('referenceLoss: reduction none has no single value');
  return loss;
}
