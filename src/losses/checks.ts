// Checks of kernel 1's output that stand for checks of the inputs: a non-finite sum means a
// non-finite input, and a label map whose per-class counts do not add up to its valid-voxel
// count holds a label outside [0, C). Run before any formula, so nothing is written on error.
import type { Target } from '../core/api.js';
import { STAT_G, STAT_I, STAT_N, STAT_P, STATS_STRIDE } from '../core/constants.js';
import { rangeError } from '../core/errors.js';
import type { TensorPlan } from '../core/tensors.js';

export function checkStats(fn: string, plan: TensorPlan, stats: Float64Array, target: Target): void {
  const { B, C } = plan;
  for (let k = 0; k < B * C; k++) {
    const at = k * STATS_STRIDE;
    if (!Number.isFinite(stats[at + STAT_G]))
      throw rangeError(fn, 'target', 'contains non-finite values (NaN or ±Infinity)');
    if (!Number.isFinite(stats[at + STAT_P]) || !Number.isFinite(stats[at + STAT_I])) {
      throw rangeError(
        fn,
        'pred',
        'contains non-finite values (NaN or ±Infinity), or values so large that their sums overflow',
      );
    }
  }
  if (plan.targetKind !== 'labels') return;
  for (let b = 0; b < B; b++) {
    let counted = 0;
    for (let c = 0; c < C; c++) counted += stats[(b * C + c) * STATS_STRIDE + STAT_G];
    if (counted !== stats[b * C * STATS_STRIDE + STAT_N]) throw outOfRange(fn, plan, target, b);
  }
}

function outOfRange(fn: string, plan: TensorPlan, target: Target, b: number): RangeError {
  const { C, S, ignoreIndex } = plan;
  for (let s = 0; s < S; s++) {
    const label = target[b * S + s];
    if (label !== ignoreIndex && !(label >= 0 && label < C)) {
      const hint = C === 1 ? ' (with one class, pass a 0/1 mask as a dense target instead)' : '';
      return rangeError(
        fn,
        'target',
        `holds label ${label} at index ${b * S + s}, outside [0, ${C}) and not ignoreIndex${hint}`,
      );
    }
  }
  return rangeError(fn, 'target', `sample ${b}: per-class counts do not add up to the voxel count`);
}
