// The lesion-wise protocol by brute force, literally as the BraTS 2023 evaluation script does it
// (README "Lesion-wise metrics"; test/fixtures/instances/README.md) and independent of src/:
// components by flood fill; the truth mask dilated `dilation` times (each step: a voxel joins when
// a neighbour along at most two axes is in the mask); truth lesion t = the truth voxels in
// component t of the dilated mask; then for each truth lesion on its own: its own dilation, the
// predicted components that meet it (or, by IoU, those with IoU > τ), Dice and HD95 (brute-force
// surfaces and distances) against their union; predicted components matched by no lesion are
// false positives. Only for the full connectivity (BraTS's 26; 8 in 2D), where the per-lesion
// dilation of the script and the dilated component are the same region.
import { floodFill } from './flood-fill.js';
import { bruteDistances, brutePercentile, bruteSurface } from './surface.js';

export interface BruteLesionOptions {
  connectivity: number;
  dilation: number;
  match: 'overlap' | { iou: number };
  minSize: number;
  minVolume: number;
  fpPenalty: number;
  spacing: readonly number[];
}

export interface BruteLesionScores {
  tp: number;
  fp: number;
  fn: number;
  lesionDice: number;
  lesionHd95: number;
  sensitivity: number;
  precision: number;
  f1: number;
}

function dilateOnce(mask: boolean[], shape: readonly number[]): boolean[] {
  const rank = shape.length;
  const out = mask.slice();
  const coords = (i: number) => {
    const at: number[] = [];
    for (let a = rank - 1; a >= 0; a--) {
      at[a] = i % shape[a];
      i = Math.floor(i / shape[a]);
    }
    return at;
  };
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const at = coords(i);
    for (let code = 0; code < 3 ** rank; code++) {
      const step = Array.from({ length: rank }, (_, a) => (Math.floor(code / 3 ** a) % 3) - 1);
      if (step.filter((s) => s !== 0).length > 2) continue;
      const next = at.map((v, a) => v + step[a]);
      if (next.some((v, a) => v < 0 || v >= shape[a])) continue;
      out[next.reduce((j, v, a) => j * shape[a] + v, 0)] = true;
    }
  }
  return out;
}

function dilate(mask: boolean[], shape: readonly number[], times: number): boolean[] {
  let out = mask;
  for (let k = 0; k < times; k++) out = dilateOnce(out, shape);
  return out;
}

export function bruteLesions(
  pred: ArrayLike<boolean>,
  truth: ArrayLike<boolean>,
  shape: readonly number[],
  o: BruteLesionOptions,
): BruteLesionScores {
  const n = pred.length;
  const truthMask = Array.from(truth);
  const predCC = floodFill((i) => (pred[i] ? 1 : 0), shape, o.connectivity);
  const dilated = dilate(truthMask, shape, o.dilation);
  const dilatedCC = floodFill((i) => (dilated[i] ? 1 : 0), shape, o.connectivity);
  const voxelVolume = o.spacing.reduce((a, s) => a * s, 1);
  const matchedPred = new Set<number>();
  let tp = 0,
    fn = 0,
    dice = 0,
    hd = 0;
  for (let t = 1; t <= dilatedCC.count; t++) {
    const lesion = truthMask.map((v, i) => v && dilatedCC.labels[i] === t);
    const region = dilate(lesion, shape, o.dilation);
    const size = lesion.filter(Boolean).length;
    const matches = new Set<number>();
    for (let p = 1; p <= predCC.count; p++) {
      const inter = lesion.filter((v, i) => v && predCC.labels[i] === p).length;
      const meets = region.some((v, i) => v && predCC.labels[i] === p);
      const ok = o.match === 'overlap' ? meets : inter / (size + predCC.sizes[p - 1] - inter) > o.match.iou;
      if (ok) matches.add(p);
    }
    for (const p of matches) matchedPred.add(p);
    if (size < o.minSize || size * voxelVolume < o.minVolume) continue;
    const union = Array.from({ length: n }, (_, i) => matches.has(predCC.labels[i]));
    const inter = lesion.filter((v, i) => v && union[i]).length;
    dice += (2 * inter) / (size + union.filter(Boolean).length);
    if (matches.size === 0) {
      fn++;
      hd += o.fpPenalty;
    } else {
      tp++;
      const ps = bruteSurface(union, shape),
        gs = bruteSurface(lesion, shape);
      hd += Math.max(
        brutePercentile(bruteDistances(ps, gs, shape, o.spacing), 95),
        brutePercentile(bruteDistances(gs, ps, shape, o.spacing), 95),
      );
    }
  }
  const fp = predCC.count - matchedPred.size;
  const lesions = tp + fn + fp;
  const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);
  return {
    tp,
    fp,
    fn,
    lesionDice: lesions === 0 ? 1 : dice / lesions,
    lesionHd95: lesions === 0 ? 0 : (hd + fp * o.fpPenalty) / lesions,
    sensitivity: ratio(tp, tp + fn),
    precision: ratio(tp, tp + fp),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}
