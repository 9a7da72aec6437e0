// DiceKernel: the public object. It resolves options, hands tensors to its engine (SIMD or
// scalar WebAssembly, or the TypeScript reference) and applies the formulas.
import type {
  AllocatableConstructor, BackendName, ConfusionCounts, ConfusionOptions, CreateLossOptions, CreateMetricOptions,
  DiceLossGradOptions, DiceLossOptions, DiceScoreOptions, HardPrediction, Loss, LossAndGrad, MetricsOptions,
  MetricsResult, StreamingMetric, Target,
} from './api.js';
import type { Engine } from './backends/engine.js';
import { describe, rangeError, typeError } from './errors.js';
import {
  DICE_GRAD_OPTION_NAMES, DICE_LOSS_OPTION_NAMES, DICE_SCORE_OPTION_NAMES, resolveDice,
} from './losses/overlap.js';
import { checkOptionNames } from './losses/options.js';
import { overlapValue, overlapValueAndGrad } from './losses/run.js';
import { countConfusion } from './metrics/counts.js';
import { evaluateCounts } from './metrics/evaluate.js';
import { CONFUSION_OPTION_NAMES, resolveConfusion, resolveMetricsCall } from './metrics/options.js';
import { MetricStream } from './metrics/stream.js';

export class DiceKernel {
  /** Which implementation runs the kernels. */
  readonly backend: BackendName;
  /** The instance's WebAssembly memory (undefined for the `'js'` backend). */
  readonly memory: WebAssembly.Memory | undefined;

  /** @internal use loadDice() / loadDiceSync() */
  constructor(private readonly engine: Engine) {
    this.backend = engine.name;
    this.memory = engine.memory;
  }

  /**
   * Soft Dice loss (Milletari et al. 2016, V-Net): per (sample, class)
   * `D = (2·Σp·y + sNr) / (Σp + Σy + sDr)` (`squared`: `Σp² + Σy²`), loss `1 − D` (`logLoss`: `−log D`),
   * times the class weight, then reduced over the included classes.
   *
   * Shapes: `pred` is a Float32Array of `shape` (default `[n]`: one sample, one class); `target`
   * is dense (same shape) or a label map (no class axis). Empty masks: with the default
   * smoothing of 1, an empty prediction of an empty target scores D = 1 (loss 0); with
   * `smooth: 0` that term is 0/0 and the call throws a RangeError.
   *
   * @returns the reduced loss, or a Float64Array of B·C losses (sample-major) for `reduction: 'none'`.
   * @example
   * const k = await loadDice();
   * const loss = k.diceLoss(probs, mask);                              // one map, smooth 1
   * const l2 = k.diceLoss(logits, labels, { shape: [2, 4, 64, 64], activation: 'softmax' });
   */
  diceLoss(pred: Float32Array, target: Target, options?: DiceLossOptions): number | Float64Array {
    const spec = resolveDice('diceLoss', options, DICE_LOSS_OPTION_NAMES, false);
    return overlapValue(this.engine, spec, 'loss', pred, target);
  }

  /**
   * The Dice loss and its exact gradient with respect to `pred` (through the activation).
   * `options.out` receives the gradient if given (a Float32Array of pred's length).
   * @example
   * const { loss, grad } = k.diceLossWithGrad(logits, labels, { shape: [1, 3, 128, 128], activation: 'softmax' });
   */
  diceLossWithGrad(pred: Float32Array, target: Target, options?: DiceLossGradOptions): LossAndGrad {
    const spec = resolveDice('diceLossWithGrad', options, DICE_GRAD_OPTION_NAMES, true);
    return overlapValueAndGrad(this.engine, spec, pred, target, options?.out);
  }

  /**
   * The soft Dice coefficient `D = (2I + sNr) / (P + G + sDr)` (the loss without `1 −`, weights
   * or `logLoss`), reduced like the loss. Equals F1 for binary inputs with no smoothing.
   * @example
   * k.diceCoefficient(probs, mask, { smooth: 0 });
   */
  diceCoefficient(pred: Float32Array, target: Target, options?: DiceScoreOptions): number | Float64Array {
    const spec = resolveDice('diceCoefficient', options, DICE_SCORE_OPTION_NAMES, false);
    return overlapValue(this.engine, spec, 'score', pred, target);
  }

  /**
   * A loss with its options resolved once, for training loops.
   * @example
   * const loss = k.createLoss({ loss: 'dice', shape: [8, 4, 96, 96], activation: 'softmax' });
   * const grad = new Float32Array(8 * 4 * 96 * 96);
   * const { loss: value } = loss.valueAndGrad(logits, labels, grad);
   */
  createLoss(options: CreateLossOptions): Loss {
    if (options === null || typeof options !== 'object') {
      throw typeError('createLoss', 'options', `must be an object with a 'loss' name; got ${describe(options)}`);
    }
    const { loss, ...rest } = options;
    if (loss !== 'dice') {
      throw rangeError('createLoss', 'loss', `must be one of 'dice'; got ${describe(loss)}`);
    }
    const valueSpec = resolveDice('createLoss', rest, DICE_LOSS_OPTION_NAMES, false);
    const gradSpec = valueSpec.reduction === 'none' ? null : { ...valueSpec, fn: 'valueAndGrad' };
    const engine = this.engine;
    return {
      value: (pred, target) => overlapValue(engine, { ...valueSpec, fn: 'value' }, 'loss', pred, target),
      valueAndGrad: (pred, target, out) => {
        if (gradSpec === null) {
          throw rangeError('valueAndGrad', 'reduction', `'none' gives one loss per term, which has no single gradient; use 'mean' or 'sum'`);
        }
        return overlapValueAndGrad(engine, gradSpec, pred, target, out);
      },
    };
  }

  /**
   * Confusion counts per (sample, class): TP, FP, FN, TN as exact integers (counted in integer
   * lanes, so any size is exact), every class including background, sample-major (`[b·C + c]`).
   *
   * `pred` is a label map (`numClasses` given), dense scores reduced by argmax or a threshold
   * (`decision`, `threshold`, `activation: 'sigmoid'` for logits), or dense masks (non-zero = yes);
   * `target` a label map or dense masks. Target voxels labelled `ignoreIndex` are not counted.
   * @example
   * const { tp, fp, fn } = k.confusion(predLabels, trueLabels, { numClasses: 4, shape: [2, 512, 512] });
   * k.confusion(probs, trueLabels, { shape: [2, 4, 512, 512] });       // argmax over the class axis
   * k.confusion(logits, masks, { shape: [1, 3, 64, 64, 64], decision: 'threshold', activation: 'sigmoid' });
   */
  confusion(pred: HardPrediction, target: Target, options?: ConfusionOptions): ConfusionCounts {
    const opts = checkOptionNames('confusion', options, CONFUSION_OPTION_NAMES);
    return countConfusion(this.engine, resolveConfusion('confusion', opts), pred, target);
  }

  /**
   * Hard metrics per (sample, class) from the confusion counts: `dice` (= F1) `2TP/(2TP+FP+FN)`,
   * `iou` `TP/(TP+FP+FN)`, `recall`, `precision`, `specificity`, `fbeta`, `mcc`, ... (README,
   * "Metrics", with MONAI's names and aliases). A class absent from the target scores NaN by default
   * (`empty`); `reduction` (MONAI) or `average` + `aggregation` (torchmetrics) reduce the table.
   *
   * @returns per metric name: B·C values (sample-major, every class) for `reduction: 'none'`,
   *   else `{ value, notNans }`.
   * @example
   * const r = k.metrics(predLabels, trueLabels, { numClasses: 4, metrics: ['dice', 'iou'] });
   * r.dice; // Float64Array of 4 per sample
   * k.metrics(probs, labels, { shape: [8, 4, 96, 96], metrics: ['dice'], reduction: 'mean_batch', includeBackground: false });
   */
  metrics(pred: HardPrediction, target: Target, options: MetricsOptions & { reduction?: 'none'; average?: undefined }): Record<string, Float64Array>;
  metrics(pred: HardPrediction, target: Target, options: MetricsOptions): MetricsResult;
  metrics(pred: HardPrediction, target: Target, options: MetricsOptions): MetricsResult {
    const { confusion, evaluation } = resolveMetricsCall('metrics', options);
    return evaluateCounts(evaluation, countConfusion(this.engine, confusion, pred, target));
  }

  /**
   * A streaming metric: `update` it batch by batch (or tile by tile, with a sample key), `merge`
   * others (workers, processes, `toJSON` output), `compute` at the end. Counts add exactly, so
   * any split of the data gives the one-pass result.
   * @example
   * const m = k.createMetric({ numClasses: 4, metrics: ['dice'], reduction: 'mean_batch' });
   * for (const [pred, labels] of batches) m.update(pred, labels, { shape: [2, 256, 256] });
   * m.compute().dice; // { value: Float64Array(4), notNans: Float64Array(4) }
   */
  createMetric(options: CreateMetricOptions): StreamingMetric {
    return new MetricStream(this.engine, options);
  }

  /**
   * A typed array inside this kernel's memory: passed to any function it is used in place
   * (no copy). Growing the memory (a bigger call, another alloc) detaches earlier views of a
   * non-shared memory; such an array then throws when used. `reserve()` up front avoids it.
   * For the `'js'` backend this is a plain typed array.
   */
  alloc<C extends AllocatableConstructor>(type: C, length: number): InstanceType<C> {
    return this.engine.alloc(type, length);
  }

  /** Returns an array from `alloc` to the arena; the array must not be used afterwards. */
  free(array: ArrayBufferView): void {
    this.engine.free(array);
  }

  /** Grows the memory now so that `bytes` more can be allocated without growing later. */
  reserve(bytes: number): void {
    this.engine.reserve(bytes);
  }
}
