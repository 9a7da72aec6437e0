// Synthetic inputs of the two benchmark cases, deterministic (seeded) so that every run times
// the same numbers.
//
// Masks are made of runs (in memory order) rather than independent voxels: real segmentation
// masks are spatially coherent, and independent random labels would make every branch on the
// label unpredictable, which penalises branchy JavaScript more than real data does.

import { rng } from '../../test/support/random.js';

export { rng };

/** Mean length of a run of equal labels, in voxels (a few rows' worth of a blob in a 2-D image). */
const MEAN_RUN = 128;

/**
 * Fills `labels` with runs whose lengths are uniform in [1, 2·MEAN_RUN) and whose label is drawn
 * from `classWeights` (so each class covers about its weight's share of the voxels).
 */
export function fillRuns(labels: Uint8Array, classWeights: readonly number[], random: () => number): void {
  const total = classWeights.reduce((a, w) => a + w, 0);
  let i = 0;
  while (i < labels.length) {
    let u = random() * total;
    let label = 0;
    while (label < classWeights.length - 1 && u >= classWeights[label]) u -= classWeights[label++];
    const end = Math.min(labels.length, i + 1 + Math.floor(random() * (2 * MEAN_RUN - 1)));
    labels.fill(label, i, end);
    i = end;
  }
}

export interface BinaryData {
  /** Probabilities in (0.05, 0.95), higher on the foreground. */
  pred: Float32Array;
  /** 0/1 mask, ~30 % foreground. */
  target: Float32Array;
}

/** Case "binary": n probabilities and a dense 0/1 mask of the same length. */
export function binaryData(n: number, seed: number): BinaryData {
  const random = rng(seed);
  const mask = new Uint8Array(n);
  fillRuns(mask, [0.7, 0.3], random);
  const pred = new Float32Array(n);
  const target = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    target[i] = mask[i];
    // A prediction that mostly agrees with the mask, with noise: Dice ≈ 0.7, far from 0 and 1.
    pred[i] = 0.05 + 0.9 * (0.6 * mask[i] + 0.4 * random());
  }
  return { pred, target };
}

export interface SoftmaxData {
  /** Logits, channels first: `[1, C, S]`. */
  logits: Float32Array;
  /** One class index per voxel, length S. */
  labels: Uint8Array;
  classes: number;
  /** Voxels (S = n / C). */
  voxels: number;
}

/** Case "softmaxC": logits `[1, C, n / C]` and a label map of n / C voxels. */
export function softmaxData(n: number, classes: number, seed: number): SoftmaxData {
  if (n % classes !== 0) throw new RangeError(`n = ${n} is not a multiple of ${classes} classes`);
  const random = rng(seed);
  const voxels = n / classes;
  const labels = new Uint8Array(voxels);
  // Background covers about half the image, the other classes share the rest.
  fillRuns(labels, [classes - 1, ...new Array<number>(classes - 1).fill(1)], random);
  const logits = new Float32Array(n);
  for (let c = 0; c < classes; c++) {
    const row = c * voxels;
    for (let s = 0; s < voxels; s++) {
      // The true class gets +2, every logit gets noise in [−1.5, 1.5): mostly right, not certain.
      logits[row + s] = (labels[s] === c ? 2 : 0) + 3 * (random() - 0.5);
    }
  }
  return { logits, labels, classes, voxels };
}

/**
 * The surface benchmarks' case (surface, surfel), u8 label maps of n³ voxels. Target: a sphere of
 * radius 0.3·n at the centre; prediction: radius 0.28·n, centre moved by (3, −2, 1) voxels.
 */
export function spheres(n: number): { pred: Uint8Array; target: Uint8Array } {
  const pred = new Uint8Array(n * n * n),
    target = new Uint8Array(n * n * n);
  const c = n / 2,
    rt = 0.3 * n,
    rp = 0.28 * n;
  for (let z = 0; z < n; z++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const i = (z * n + y) * n + x;
        target[i] = (x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 <= rt * rt ? 1 : 0;
        pred[i] = (x - c - 3) ** 2 + (y - c + 2) ** 2 + (z - c - 1) ** 2 <= rp * rp ? 1 : 0;
      }
    }
  }
  return { pred, target };
}
