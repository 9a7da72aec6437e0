// What a JavaScript user would write without the library: one loop for the sums, one loop for
// the gradient, plain numbers (float64) throughout. No SIMD, no tiling, no tricks; written for
// the benchmark's two cases only (one sample; the class axis first).
//
// Per (sample, class): D = (2I + s) / (P + G + s), with I = Σp·y, P = Σp, G = Σy, and the loss is
// the mean over classes of 1 − D. With num = 2I + s and den = P + G + s:
//   ∂(1 − D)/∂p_i = −(2·y_i·den − num) / den²

/** Binary Dice loss of probabilities `pred` against a 0/1 `target`; the gradient goes to `grad`. */
export function naiveBinaryDice(pred: Float32Array, target: Float32Array, smooth: number, grad: Float32Array): number {
  let intersection = 0;
  let predSum = 0;
  let targetSum = 0;
  for (let i = 0; i < pred.length; i++) {
    intersection += pred[i] * target[i];
    predSum += pred[i];
    targetSum += target[i];
  }
  const num = 2 * intersection + smooth;
  const den = predSum + targetSum + smooth;
  for (let i = 0; i < pred.length; i++) {
    grad[i] = -(2 * target[i] * den - num) / (den * den);
  }
  return 1 - num / den;
}

/**
 * Softmax Dice loss of logits `[1, C, S]` (channels first) against a label map of S voxels;
 * the gradient with respect to the logits goes to `grad`. The softmax of each voxel is computed
 * in both loops rather than stored, as a straightforward version would (no n-sized buffer).
 */
export function naiveSoftmaxDice(
  logits: Float32Array,
  labels: Uint8Array,
  classes: number,
  smooth: number,
  grad: Float32Array,
): number {
  const voxels = labels.length;
  const intersection = new Float64Array(classes);
  const predSum = new Float64Array(classes);
  const targetSum = new Float64Array(classes);
  const p = new Float64Array(classes);

  for (let s = 0; s < voxels; s++) {
    softmaxAt(logits, voxels, s, p);
    for (let c = 0; c < classes; c++) {
      const y = labels[s] === c ? 1 : 0;
      intersection[c] += p[c] * y;
      predSum[c] += p[c];
      targetSum[c] += y;
    }
  }

  // ∂loss/∂p_c at a voxel, for y_c = 1 and y_c = 0 (the mean over classes brings the 1/C).
  const slopeIfTarget = new Float64Array(classes);
  const slopeIfNot = new Float64Array(classes);
  let loss = 0;
  for (let c = 0; c < classes; c++) {
    const num = 2 * intersection[c] + smooth;
    const den = predSum[c] + targetSum[c] + smooth;
    loss += (1 - num / den) / classes;
    slopeIfTarget[c] = -(2 * den - num) / (den * den) / classes;
    slopeIfNot[c] = num / (den * den) / classes;
  }

  // Through the softmax: ∂loss/∂x_c = p_c · (g_c − Σ_k p_k·g_k), with g = ∂loss/∂p.
  const g = new Float64Array(classes);
  for (let s = 0; s < voxels; s++) {
    softmaxAt(logits, voxels, s, p);
    let dot = 0;
    for (let c = 0; c < classes; c++) {
      g[c] = labels[s] === c ? slopeIfTarget[c] : slopeIfNot[c];
      dot += p[c] * g[c];
    }
    for (let c = 0; c < classes; c++) grad[c * voxels + s] = p[c] * (g[c] - dot);
  }
  return loss;
}

/** Softmax over the classes of voxel `s` of channels-first logits, written to `p`. */
function softmaxAt(logits: Float32Array, voxels: number, s: number, p: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < p.length; c++) max = Math.max(max, logits[c * voxels + s]);
  let sum = 0;
  for (let c = 0; c < p.length; c++) sum += p[c] = Math.exp(logits[c * voxels + s] - max);
  for (let c = 0; c < p.length; c++) p[c] /= sum;
}
