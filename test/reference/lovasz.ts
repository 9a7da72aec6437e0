// An independent float64 reference of the Lovász losses, written from Berman, Triki & Blaschko
// 2018 (Alg. 1) and the behaviour of segmentation_models_pytorch's LovaszLoss: flatten the
// set (the batch, or one image with perImage), drop ignored voxels, sort the errors with
// Array.prototype.sort, difference the Jaccard losses of the prefixes. Plain arrays of numbers;
// nothing from src/.

/** Jaccard loss of each prefix of the sorted foreground indicators, differenced (Berman's lovasz_grad). */
export function lovaszGrad(foregroundSorted: readonly number[]): number[] {
  const total = foregroundSorted.reduce((a, v) => a + v, 0);
  let inside = 0;
  let outside = 0;
  const jaccard = foregroundSorted.map((v) => {
    inside += v;
    outside += 1 - v;
    return 1 - (total - inside) / (total + outside);
  });
  for (let k = jaccard.length - 1; k > 0; k--) jaccard[k] -= jaccard[k - 1];
  return jaccard;
}

/** Σ_k relu(e_πk)·g_k for errors sorted descending (ties in any order: the value does not depend on it). */
function lovaszExtension(errors: readonly number[], foreground: readonly number[]): number {
  const order = errors.map((_, i) => i).sort((a, b) => errors[b] - errors[a]);
  const g = lovaszGrad(order.map((i) => foreground[i]));
  return order.reduce((sum, i, k) => sum + Math.max(errors[i], 0) * g[k], 0);
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((a, v) => a + v, 0) / values.length;

export interface HingeReferenceCase {
  pred: ArrayLike<number>;
  target: ArrayLike<number>;
  /** Samples: pred is B equal slices. */
  B: number;
  perImage: boolean;
  ignoreIndex?: number;
}

/** One list per set (the batch, or each image): the errors 1 − x·(2y − 1) of the kept elements and their targets. */
export function lovaszHingeLists({ pred, target, B, perImage, ignoreIndex }: HingeReferenceCase): ErrorList[] {
  const list = (lo: number, hi: number): ErrorList => {
    const list: ErrorList = { errors: [], foreground: [], voxel: [] };
    for (let i = lo; i < hi; i++) {
      if (target[i] === ignoreIndex) continue;
      list.errors.push(1 - pred[i] * (2 * target[i] - 1));
      list.foreground.push(target[i]);
      list.voxel.push(i);
    }
    return list;
  };
  if (!perImage) return [list(0, pred.length)];
  const S = pred.length / B;
  return Array.from({ length: B }, (_, b) => list(b * S, (b + 1) * S));
}

/** The Lovász hinge: one set, or one per image and then their mean. */
export function lovaszHingeReference(c: HingeReferenceCase): number {
  return mean(lovaszHingeLists(c).map((l) => lovaszExtension(l.errors, l.foreground)));
}

export interface SoftmaxReferenceCase {
  pred: ArrayLike<number>;
  target: ArrayLike<number>;
  B: number;
  C: number;
  /** Voxels per sample. */
  S: number;
  layout: 'NCHW' | 'NHWC';
  activation: 'softmax' | 'none';
  /** Label map (B·S) or dense one-hot (pred's shape and layout). */
  targetKind: 'labels' | 'dense';
  classes: 'present' | 'all' | readonly number[];
  perImage: boolean;
  ignoreIndex?: number;
}

export interface ErrorList {
  errors: number[];
  foreground: number[];
  /** Which voxel (b·S + s; the hinge: index in pred) each error is of. */
  voxel: number[];
}

interface Voxel {
  p: number[];
  y: number[];
  index: number;
}

/** Per set (the batch, or each image), one list per class taken: the errors |y − p| of the kept voxels. */
export function lovaszSoftmaxLists(c: SoftmaxReferenceCase): ErrorList[][] {
  const { B, C, S } = c;
  const at = (b: number, k: number, s: number): number =>
    c.layout === 'NCHW' ? (b * C + k) * S + s : (b * S + s) * C + k;
  const voxels = (b: number): Voxel[] => {
    const list: Voxel[] = [];
    for (let s = 0; s < S; s++) {
      if (c.targetKind === 'labels' && c.target[b * S + s] === c.ignoreIndex) continue;
      const x = Array.from({ length: C }, (_, k) => c.pred[at(b, k, s)]);
      const y = Array.from({ length: C }, (_, k) =>
        c.targetKind === 'labels' ? (c.target[b * S + s] === k ? 1 : 0) : c.target[at(b, k, s)],
      );
      list.push({ p: c.activation === 'softmax' ? softmax(x) : x, y, index: b * S + s });
    }
    return list;
  };
  const lists = (set: Voxel[]): ErrorList[] => {
    const classes = c.classes === 'present' || c.classes === 'all' ? Array.from({ length: C }, (_, k) => k) : c.classes;
    return classes
      .map((k) => ({
        errors: set.map((v) => Math.abs(v.y[k] - v.p[k])),
        foreground: set.map((v) => v.y[k]),
        voxel: set.map((v) => v.index),
      }))
      .filter((l) => c.classes !== 'present' || l.foreground.some((v) => v === 1));
  };
  const samples = Array.from({ length: B }, (_, b) => voxels(b));
  return c.perImage ? samples.map(lists) : [lists(samples.flat())];
}

/** The Lovász-Softmax loss: per set, the mean over the classes taken (0 when none); then the mean over sets. */
export function lovaszSoftmaxReference(c: SoftmaxReferenceCase): number {
  return mean(lovaszSoftmaxLists(c).map((lists) => mean(lists.map((l) => lovaszExtension(l.errors, l.foreground)))));
}

function softmax(x: readonly number[]): number[] {
  const max = Math.max(...x);
  const e = x.map((v) => Math.exp(v - max));
  const z = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / z);
}
