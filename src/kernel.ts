// DiceKernel: the public object. It resolves options, hands tensors to its engine (SIMD or
// scalar WebAssembly, or the TypeScript reference) and applies the formulas.
import type {
  AllocatableConstructor,
  BackendName,
  BceLossOptions,
  ConfusionCounts,
  ConfusionOptions,
  CreateLossOptions,
  CreateMetricOptions,
  CrossEntropyLossOptions,
  DiceCELossOptions,
  HardPrediction,
  MetricsOptions,
  MetricsResult,
  StreamingMetric,
  CreatePointLossOptions,
  CreateTermLossOptions,
  DiceFocalLossOptions,
  DiceLossOptions,
  DiceScoreOptions,
  FocalLossOptions,
  FocalTverskyLossOptions,
  GeneralizedDiceFocalLossOptions,
  GeneralizedDiceLossOptions,
  JaccardLossOptions,
  Loss,
  LossAndGrad,
  MccLossOptions,
  Target,
  TverskyLossOptions,
  WithGrad,
  AllocScope,
  CreateLovaszLossOptions,
  LovaszHingeLossOptions,
  LovaszSoftmaxLossOptions,
  CreateSurfaceMetricOptions,
  StreamingSurfaceMetric,
  SurfaceMetricsOptions,
  BoundaryLossOptions,
  ClDiceLossOptions,
  DiceClDiceLossOptions,
  HausdorffDTLossOptions,
} from './core/api.js';
import type { Engine } from './backends/engine.js';
import { checkOptionNames, revoked } from './core/options.js';
import { lossOf, resolveCreateLoss, runLoss, runLossWithGrad, scoreSpec } from './losses/calls.js';
import { overlapValue } from './losses/run.js';
import { countConfusion } from './metrics/counts.js';
import { evaluateCounts } from './metrics/evaluate.js';
import { CONFUSION_OPTION_NAMES, resolveConfusion, resolveMetricsCall } from './metrics/options.js';
import { MetricStream } from './metrics/stream.js';
import { runScope } from './runtime/scope.js';
import { evaluateSurfaces, measureSurfaces } from './metrics/surface.js';
import { resolveSurfaceCall } from './metrics/surface-options.js';
import { SurfaceMetricStream } from './metrics/surface-stream.js';
import { countMeasured } from './metrics/topology.js';
import { assembleComponents, planComponents } from './metrics/instances/components.js';
import type {
  ComponentsInput,
  ConnectedComponents,
  ConnectedComponentsOptions,
  InstanceMap,
  CreateInstanceMetricOptions,
  InstanceMetricName,
  LesionMetricsOptions,
  ObjectMetricsOptions,
  PanopticQualityOptions,
  StreamingInstanceMetric,
} from './metrics/instances/types.js';
import { asksForInstanceMetrics, InstanceMetricStream } from './metrics/instances/stream.js';
import { countPanoptic, evaluatePanoptic, resolvePanoptic } from './metrics/instances/panoptic.js';
import { evaluateObjects, measureObjects, resolveObjectCall } from './metrics/instances/objects.js';
import { evaluateLesions, measureLesions, resolveLesionCall } from './metrics/instances/lesions.js';

/**
 * The losses, gradients and metrics on one backend, with its own memory: made by `loadDice()` or
 * `loadDiceSync()`, never with `new`. Every method checks its arguments and options first (a
 * `TypeError` or `RangeError` naming the method and the argument), so a failed call writes nothing
 * and the kernel stays usable.
 *
 * @example
 * ```ts
 * const k = await loadDice();
 * const { loss, grad } = k.diceLossWithGrad(logits, labels, { shape: [2, 4, 64, 64], activation: 'softmax' });
 * ```
 */
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
   * `smooth: 0` that term is 0/0 and the call throws a RangeError; `empty` changes the rule.
   *
   * @returns the reduced loss, or a Float64Array of B·C losses (sample-major) for `reduction: 'none'`.
   * @example
   * const k = await loadDice();
   * const loss = k.diceLoss(probs, mask);                              // one map, smooth 1
   * const l2 = k.diceLoss(logits, labels, { shape: [2, 4, 64, 64], activation: 'softmax' });
   */
  diceLoss(pred: Float32Array, target: Target, options?: DiceLossOptions): number | Float64Array {
    return runLoss(this.engine, 'dice', pred, target, options) as number | Float64Array;
  }

  /**
   * The Dice loss and its exact gradient with respect to `pred` (through the activation).
   * `options.out` receives the gradient if given (a Float32Array of pred's length).
   * @example
   * const { loss, grad } = k.diceLossWithGrad(logits, labels, { shape: [1, 3, 128, 128], activation: 'softmax' });
   */
  diceLossWithGrad(pred: Float32Array, target: Target, options?: WithGrad<DiceLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'dice', pred, target, options);
  }

  /**
   * The soft Dice coefficient `D = (2I + sNr) / (P + G + sDr)` (the loss without `1 −`, weights
   * or `logLoss`), reduced like the loss. Equals F1 for binary inputs with no smoothing.
   * @example
   * k.diceCoefficient(probs, mask, { smooth: 0 });
   */
  diceCoefficient(pred: Float32Array, target: Target, options?: DiceScoreOptions): number | Float64Array {
    const { spec, mask } = scoreSpec(options);
    return overlapValue(this.engine, spec, 'score', pred, target, mask);
  }

  /**
   * Soft Jaccard (IoU) loss: `J = (I + sNr) / (P + G − I + sDr)` per term, loss `1 − J`
   * (`logLoss`: `−log J`). Options and shapes as `diceLoss`.
   * @example
   * k.jaccardLoss(logits, labels, { shape: [4, 3, 96, 96], activation: 'softmax', smooth: 0 });
   */
  jaccardLoss(pred: Float32Array, target: Target, options?: JaccardLossOptions): number | Float64Array {
    return runLoss(this.engine, 'jaccard', pred, target, options) as number | Float64Array;
  }

  /** The Jaccard loss and its exact gradient (see `jaccardLoss`, `diceLossWithGrad`). */
  jaccardLossWithGrad(pred: Float32Array, target: Target, options?: WithGrad<JaccardLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'jaccard', pred, target, options);
  }

  /**
   * Tversky loss (Salehi et al. 2017): `T = (I + sNr) / (I + α·(P − I) + β·(G − I) + sDr)` per
   * term, loss `1 − T`; `alpha` weighs false positives, `beta` false negatives (both 0.5 by
   * default: Dice with the smoothing counted once, MONAI's convention).
   * @example
   * k.tverskyLoss(probs, mask, { alpha: 0.3, beta: 0.7 });
   */
  tverskyLoss(pred: Float32Array, target: Target, options?: TverskyLossOptions): number | Float64Array {
    return runLoss(this.engine, 'tversky', pred, target, options) as number | Float64Array;
  }

  /** The Tversky loss and its exact gradient. */
  tverskyLossWithGrad(pred: Float32Array, target: Target, options?: WithGrad<TverskyLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'tversky', pred, target, options);
  }

  /**
   * Focal Tversky loss (Abraham & Khan 2019): `(1 − T)^γ` per (sample, class) term — the focal
   * exponent applies to each class, not to their mean — with defaults α = 0.7, β = 0.3,
   * γ = 0.75 (the paper's 1/γ, γ = 4/3). A perfect term (T = 1) has loss 0 and gradient 0.
   * @example
   * k.focalTverskyLoss(logits, labels, { shape: [2, 3, 64, 64], activation: 'softmax' });
   */
  focalTverskyLoss(pred: Float32Array, target: Target, options?: FocalTverskyLossOptions): number | Float64Array {
    return runLoss(this.engine, 'focalTversky', pred, target, options) as number | Float64Array;
  }

  /** The focal Tversky loss and its exact gradient. */
  focalTverskyLossWithGrad(
    pred: Float32Array,
    target: Target,
    options?: WithGrad<FocalTverskyLossOptions>,
  ): LossAndGrad {
    return runLossWithGrad(this.engine, 'focalTversky', pred, target, options);
  }

  /**
   * Generalized Dice loss (Sudre et al. 2017), one term per sample (or one with `batch`):
   * `1 − (2·Σ_c w_c·I_c + sNr) / (Σ_c w_c·(P_c + G_c) + sDr)` with `w_c = 1/G_c²` (`weightType`
   * `'square'`, default), `1/G_c` or 1. A class absent from the target gets the largest finite
   * weight of its term (MONAI); if every class is absent the weights are 0 and the loss is
   * `1 − sNr/sDr`. `reduction: 'none'` gives B values (1 with `batch`).
   * @example
   * k.generalizedDiceLoss(logits, labels, { shape: [2, 4, 64, 64], activation: 'softmax' });
   */
  generalizedDiceLoss(pred: Float32Array, target: Target, options?: GeneralizedDiceLossOptions): number | Float64Array {
    return runLoss(this.engine, 'generalizedDice', pred, target, options) as number | Float64Array;
  }

  /**
   * The Generalized Dice loss and its exact gradient (the class weights are constants: they depend on the target only).
   */
  generalizedDiceLossWithGrad(
    pred: Float32Array,
    target: Target,
    options?: WithGrad<GeneralizedDiceLossOptions>,
  ): LossAndGrad {
    return runLossWithGrad(this.engine, 'generalizedDice', pred, target, options);
  }

  /**
   * Soft Matthews correlation loss (smp's MCCLoss) per (sample, class) term: with soft counts
   * tp = Σp·y, fp = Σp·(1 − y), fn = Σ(1 − p)·y, tn = Σ(1 − p)·(1 − y), each plus `smooth`
   * (default 1e-5, smp's eps), loss `1 − (tp·tn − fp·fn)/√((tp+fp)(tp+fn)(tn+fp)(tn+fn))`.
   * @example
   * k.mccLoss(probs, mask01);   // one term over the whole tensor, as smp
   */
  mccLoss(pred: Float32Array, target: Target, options?: MccLossOptions): number | Float64Array {
    return runLoss(this.engine, 'mcc', pred, target, options) as number | Float64Array;
  }

  /** The MCC loss and its exact gradient. */
  mccLossWithGrad(pred: Float32Array, target: Target, options?: WithGrad<MccLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'mcc', pred, target, options);
  }

  /**
   * Binary cross-entropy from logits, per element, numerically stable:
   * `softplus(−x) + (1 − y)·x` (`posWeight` w: `(1 − y)·x + (1 + (w − 1)·y)·softplus(−x)`), times the
   * class weight, averaged over the counted elements (`'sum'`: summed; `'none'`: each element's
   * loss, a Float32Array in pred's shape and layout, 0 where nothing counts, into `options.out` if
   * given). `activation` must be `'sigmoid'`.
   * @example
   * k.bceLoss(logits, mask01, { posWeight: 3 });
   * k.bceLoss(logits, mask01, { reduction: 'none' });                 // Float32Array, one per element
   */
  bceLoss(pred: Float32Array, target: Target, options: BceLossOptions & { reduction: 'none' }): Float32Array;
  bceLoss(pred: Float32Array, target: Target, options?: BceLossOptions): number;
  bceLoss(pred: Float32Array, target: Target, options?: BceLossOptions): number | Float32Array {
    return runLoss(this.engine, 'bce', pred, target, options) as number | Float32Array;
  }

  /** Binary cross-entropy and its gradient `σ(x)·(1 + (w − 1)·y) − w·y` (scaled by the reduction). */
  bceLossWithGrad(pred: Float32Array, target: Target, options?: WithGrad<BceLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'bce', pred, target, options);
  }

  /**
   * Cross-entropy from logits over the class axis (torch's `cross_entropy`): `−Σ_c w_c·y_c·log p_c`
   * per voxel with log p from a max-shifted log-softmax; a label map gives the class-index form,
   * whose `'mean'` divides by `Σ w[label]` over counted voxels (torch's weighted mean), a dense
   * (soft) target divides by the voxel count; `labelSmoothing` ε mixes y with ε/C. `'none'` gives
   * each voxel's loss (torch's `reduction='none'`): a Float32Array of shape [B, ...spatial], 0 for
   * ignored voxels, into `options.out` if given.
   * @example
   * k.crossEntropyLoss(logits, labels, { shape: [4, 3, 64, 64], ignoreIndex: 255 });
   * k.crossEntropyLoss(logits, labels, { shape: [4, 3, 64, 64], reduction: 'none' });   // 4·64·64 values
   */
  crossEntropyLoss(
    pred: Float32Array,
    target: Target,
    options: CrossEntropyLossOptions & { reduction: 'none' },
  ): Float32Array;
  crossEntropyLoss(pred: Float32Array, target: Target, options?: CrossEntropyLossOptions): number;
  crossEntropyLoss(pred: Float32Array, target: Target, options?: CrossEntropyLossOptions): number | Float32Array {
    return runLoss(this.engine, 'crossEntropy', pred, target, options) as number | Float32Array;
  }

  /** Cross-entropy and its gradient `p_c·Σ_k v_k − v_c`, v = weighted (smoothed) target. */
  crossEntropyLossWithGrad(
    pred: Float32Array,
    target: Target,
    options?: WithGrad<CrossEntropyLossOptions>,
  ): LossAndGrad {
    return runLossWithGrad(this.engine, 'crossEntropy', pred, target, options);
  }

  /**
   * Focal loss (Lin et al. 2017) from logits, MONAI's FocalLoss: sigmoid (default)
   * `α_t·(1 − p_t)^γ·BCE` per element, or with `activation: 'softmax'` `−α_c·(1 − p_c)^γ·y_c·log p_c`;
   * γ = 2 by default, α off by default; mean over the counted elements (`'none'`: each element's
   * loss, a Float32Array in pred's shape and layout, into `options.out` if given).
   * @example
   * k.focalLoss(logits, mask01, { gamma: 2, alpha: 0.25 });
   */
  focalLoss(pred: Float32Array, target: Target, options: FocalLossOptions & { reduction: 'none' }): Float32Array;
  focalLoss(pred: Float32Array, target: Target, options?: FocalLossOptions): number;
  focalLoss(pred: Float32Array, target: Target, options?: FocalLossOptions): number | Float32Array {
    return runLoss(this.engine, 'focal', pred, target, options) as number | Float32Array;
  }

  /** The focal loss and its exact gradient. */
  focalLossWithGrad(pred: Float32Array, target: Target, options?: WithGrad<FocalLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'focal', pred, target, options);
  }

  /**
   * `λ_overlap·Dice + λ_point·CE` (MONAI's DiceCELoss): the Dice loss on act(pred) with all its
   * options, plus cross-entropy (softmax, the default) or binary cross-entropy (sigmoid) from the
   * same logits, summed in one pass over the data. `weight` applies to both parts;
   * `includeBackground` only to Dice (as in MONAI).
   * @example
   * k.diceCELoss(logits, labels, { shape: [2, 4, 96, 96], includeBackground: false });
   */
  diceCELoss(pred: Float32Array, target: Target, options?: DiceCELossOptions): number {
    return runLoss(this.engine, 'diceCE', pred, target, options) as number;
  }

  /** Dice + cross-entropy and its exact gradient. */
  diceCELossWithGrad(pred: Float32Array, target: Target, options?: WithGrad<DiceCELossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'diceCE', pred, target, options);
  }

  /** `λ_overlap·Dice + λ_point·focal` (MONAI's DiceFocalLoss); sigmoid by default. */
  diceFocalLoss(pred: Float32Array, target: Target, options?: DiceFocalLossOptions): number {
    return runLoss(this.engine, 'diceFocal', pred, target, options) as number;
  }

  /** Dice + focal and its exact gradient. */
  diceFocalLossWithGrad(pred: Float32Array, target: Target, options?: WithGrad<DiceFocalLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'diceFocal', pred, target, options);
  }

  /**
   * `λ_overlap·GeneralizedDice + λ_point·focal` (MONAI's GeneralizedDiceFocalLoss); `weight` applies to the focal part.
   */
  generalizedDiceFocalLoss(pred: Float32Array, target: Target, options?: GeneralizedDiceFocalLossOptions): number {
    return runLoss(this.engine, 'generalizedDiceFocal', pred, target, options) as number;
  }

  /** Generalized Dice + focal and its exact gradient. */
  generalizedDiceFocalLossWithGrad(
    pred: Float32Array,
    target: Target,
    options?: WithGrad<GeneralizedDiceFocalLossOptions>,
  ): LossAndGrad {
    return runLossWithGrad(this.engine, 'generalizedDiceFocal', pred, target, options);
  }

  /**
   * A loss with its options resolved once, for training loops; the mask, if any, is passed per call.
   * @example
   * const loss = k.createLoss({ loss: 'dice', shape: [8, 4, 96, 96], activation: 'softmax' });
   * const grad = new Float32Array(8 * 4 * 96 * 96);
   * const { loss: value } = loss.valueAndGrad(logits, labels, grad);
   */
  createLoss(options: CreateTermLossOptions | CreateLovaszLossOptions): Loss;
  createLoss(options: CreatePointLossOptions): Loss<Float32Array>;
  createLoss(options: CreateLossOptions | CreateLovaszLossOptions): Loss<Float64Array | Float32Array>;
  createLoss(options: CreateLossOptions | CreateLovaszLossOptions): Loss<Float64Array | Float32Array> {
    return lossOf(this.engine, resolveCreateLoss(options));
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
   * `iou` `TP/(TP+FP+FN)`, `recall`, `precision`, `specificity`, `fbeta`, `mcc`, ... (docs/metrics.md,
   * "Metrics", with MONAI's names and aliases). A class absent from the target scores NaN by default
   * (`empty`); `reduction` (MONAI) or `average` + `aggregation` (torchmetrics) reduce the table.
   *
   * @returns per metric name: B·C values (sample-major, every class) for `reduction: 'none'`,
   *   else `{ value, notNans }`.
   * @example
   * const r = k.metrics(predLabels, trueLabels, { numClasses: 4, metrics: ['dice', 'iou'] });
   * r.dice; // Float64Array of 4 per sample
   * k.metrics(probs, labels, {
   *   shape: [8, 4, 96, 96], metrics: ['dice'], reduction: 'mean_batch', includeBackground: false,
   * });
   */
  metrics(
    pred: HardPrediction,
    target: Target,
    options: MetricsOptions & { reduction?: 'none'; average?: undefined },
  ): Record<string, Float64Array>;
  metrics(pred: HardPrediction, target: Target, options: MetricsOptions): MetricsResult;
  metrics(pred: HardPrediction, target: Target, options: MetricsOptions): MetricsResult {
    const { confusion, evaluation, topology } = resolveMetricsCall('metrics', options);
    const counts = countMeasured(this.engine, confusion, topology, evaluation.includeBackground, pred, target);
    return evaluateCounts(evaluation, counts);
  }

  /**
   * A streaming metric: `update` it batch by batch (or tile by tile, with a sample key), `merge`
   * others (workers, processes, `toJSON` output), `compute` at the end. Counts add exactly, so
   * any split of the data gives the one-pass result.
   * @example
   * const m = k.createMetric({ numClasses: 4, metrics: ['dice'], reduction: 'mean_batch' });
   * for (const [pred, labels] of batches) m.update(pred, labels, { shape: [2, 256, 256] });
   * m.compute().dice; // { value: Float64Array(4), notNans: Float64Array(4) }
   *
   * With instance-level names (`lesion_dice`, `lesion_hd95`, `lesion_f1`, `lesion_sensitivity`,
   * `lesion_precision`, `lesion_tp`, `lesion_fp`, `lesion_fn`, `pq`, `sq`, `rq`) it returns a
   * StreamingInstanceMetric instead: each update measures whole samples (as `lesionMetrics`, whose
   * options it takes) and keeps their lesion tables; they cannot be mixed with count metrics.
   * @example
   * const m = k.createMetric({ metrics: ['lesion_dice', 'lesion_hd95', 'pq'], dilation: 3, minSize: 51 });
   * for (const c of cases) m.update(c.pred, c.truth, { shape: [1, ...c.dims], spacing: c.spacing });
   * m.compute({ reduction: 'mean_batch' }).lesion_dice; // { value: Float64Array(1), notNans }
   */
  createMetric(
    options: CreateInstanceMetricOptions & { metrics: readonly InstanceMetricName[] },
  ): StreamingInstanceMetric;
  createMetric(options: CreateMetricOptions): StreamingMetric;
  createMetric(options: CreateMetricOptions | CreateInstanceMetricOptions): StreamingMetric | StreamingInstanceMetric {
    // Each option read once (issue 14, D13): the choice of stream and its checks see one copy.
    const opts = isPlainOptions(options) ? { ...options } : options;
    if (asksForInstanceMetrics(opts)) {
      return new InstanceMetricStream(this.engine, opts as CreateInstanceMetricOptions);
    }
    return new MetricStream(this.engine, opts as CreateMetricOptions);
  }

  /**
   * A typed array inside this kernel's memory: passed to any function it is used in place
   * (no copy). With a shared memory (the default in Node and cross-origin isolated pages) it
   * stays valid when the memory grows. Growing a non-shared memory (a bigger call, another
   * alloc) detaches earlier views; such an array then throws when used, and `reserve()` up front
   * avoids it. For the `'js'` backend this is a plain typed array.
   */
  alloc<C extends AllocatableConstructor>(type: C, length: number): InstanceType<C> {
    return this.engine.alloc(type, length);
  }

  /** Returns an array from `alloc` to the arena; a call that gets it afterwards throws. */
  free(array: ArrayBufferView): void {
    this.engine.free(array);
  }

  /**
   * Runs `fn` with a scoped allocator: every array `scope.alloc` gave out is freed when `fn`
   * returns or throws (or, if it returns a promise, when that settles). A training loop that
   * allocates per step in a scope keeps the memory flat.
   * @example
   * const loss = k.scope((scope) => {
   *   const logits = scope.alloc(Float32Array, n);
   *   model.writeLogits(logits);
   *   return k.diceLossWithGrad(logits, labels, { shape, activation: 'softmax', out: grad }).loss;
   * });
   */
  scope<T>(fn: (scope: AllocScope) => T): T {
    return runScope(this.engine, fn);
  }

  /** Grows the memory now so that `bytes` more can be allocated without growing later. */
  reserve(bytes: number): void {
    this.engine.reserve(bytes);
  }

  /**
   * Lovász hinge loss (Berman, Triki & Blaschko 2018), binary, from logits: with
   * `e_i = 1 − x_i·(2y_i − 1)` over the elements that are not `ignoreIndex`, sorted so that
   * `e_π1 ≥ e_π2 ≥ …`, the loss is `Σ_k max(e_πk, 0)·g_k` where `g_k = J_k − J_(k−1)` and
   * `J_k = 1 − (Σy − F_k)/(Σy + B_k)` is the Jaccard loss of the k largest errors (F_k, B_k: how
   * many of them are foreground, background) — the Lovász extension of the Jaccard loss.
   * One loss over the whole batch, or with `perImage` one per sample and their mean
   * (segmentation_models_pytorch's `LovaszLoss('binary')`).
   *
   * Shapes: `pred` is a Float32Array of `shape` (default `[n]`); `target` has pred's length:
   * 0 (background) or 1 (foreground) per element, as a Float32Array or Uint8Array mask or a
   * Uint8Array/Uint16Array/Int32Array label map of one class; `ignoreIndex` works with every type.
   * Empty sets: a sample (or batch) whose elements are all ignored has loss 0; one without
   * foreground has loss `max(e_max, 0)`.
   * @example
   * const k = await loadDice();
   * k.lovaszHingeLoss(logits, mask);                                   // one image, smp's default
   * k.lovaszHingeLoss(logits, mask, { shape: [8, 1, 256, 256], perImage: true, ignoreIndex: 255 });
   */
  lovaszHingeLoss(pred: Float32Array, target: Target, options?: LovaszHingeLossOptions): number {
    return runLoss(this.engine, 'lovaszHinge', pred, target, options) as number;
  }

  /**
   * The Lovász hinge loss and its gradient with respect to the logits: `−(2y_i − 1)·g_k` for
   * the element of rank k when `e_i > 0`, else 0 (ignored elements: 0). The loss is piecewise
   * linear; at ties (equal errors) it is the gradient of the piece of the order used: errors
   * sorted descending as float32, equal errors in the order of their index in `pred`, and
   * `max(e, 0)` has slope 0 at e = 0 (as PyTorch's relu).
   * @example
   * const { loss, grad } = k.lovaszHingeLossWithGrad(logits, mask, { shape: [8, 1, 256, 256] });
   */
  lovaszHingeLossWithGrad(pred: Float32Array, target: Target, options?: WithGrad<LovaszHingeLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'lovaszHinge', pred, target, options);
  }

  /**
   * Lovász-Softmax loss (Berman, Triki & Blaschko 2018): for each class c taken, with
   * `e_i = |y_ic − p_ic|` over the voxels that are not `ignoreIndex` (p = softmax of the logits,
   * or pred itself with `activation: 'none'`), the Lovász extension of the Jaccard loss of c,
   * `Σ_k e_πk·g_k` (see `lovaszHingeLoss`); the loss is the mean over the classes taken, over the
   * batch or, with `perImage`, per sample and then the mean over samples
   * (segmentation_models_pytorch's `LovaszLoss('multiclass')`, which applies the softmax).
   * `classes`: `'present'` (default) takes the classes that occur in the target of the batch
   * (sample), `'all'` every class, or a list of class indices (taken even when absent).
   *
   * Shapes: as `diceLoss`, C ≥ 2; the target is a label map or a dense 0/1 (one-hot) tensor.
   * Empty sets: a batch (sample) with no class present, or with every voxel ignored, has loss 0
   * (and still counts in the mean over samples, as in smp); an absent class taken by `'all'` or
   * a list has loss `max_i p_ic`.
   * @example
   * k.lovaszSoftmaxLoss(logits, labels, { shape: [4, 5, 128, 128], ignoreIndex: 255 });
   */
  lovaszSoftmaxLoss(pred: Float32Array, target: Target, options?: LovaszSoftmaxLossOptions): number {
    return runLoss(this.engine, 'lovaszSoftmax', pred, target, options) as number;
  }

  /**
   * The Lovász-Softmax loss and its gradient with respect to `pred`: `±g_k` (the sign of
   * `p_ic − y_ic`) for the voxel of rank k in class c's order, times 1/(classes taken) (and
   * 1/B with `perImage`), through the softmax Jacobian. Ties as for `lovaszHingeLossWithGrad`,
   * with equal errors of a class in voxel order (sample, then position); `|e|` has slope 0 at 0.
   * @example
   * const { loss, grad } = k.lovaszSoftmaxLossWithGrad(logits, labels, { shape: [4, 5, 128, 128] });
   */
  lovaszSoftmaxLossWithGrad(
    pred: Float32Array,
    target: Target,
    options?: WithGrad<LovaszSoftmaxLossOptions>,
  ): LossAndGrad {
    return runLossWithGrad(this.engine, 'lovaszSoftmax', pred, target, options);
  }

  /**
   * Soft clDice loss (Shit et al., CVPR 2021; MONAI's SoftclDiceLoss): with skel the soft skeleton
   * (`iterations` soft erosions, MONAI's soft_skel; README "Topology and boundaries"), per term
   * Tprec = (Σ skel(p)·y + s)/(Σ skel(p) + s), Tsens = (Σ skel(y)·p + s)/(Σ skel(y) + s), loss
   * 1 − 2·Tprec·Tsens/(Tprec + Tsens). Terms per (sample, class), pooled over the batch with
   * `batch` and over the included classes with `poolClasses` (MONAI pools both and leaves class 0
   * out).
   *
   * Shapes: `pred` [B, C, ...spatial] with 2 or 3 spatial axes (`shape` required; probabilities,
   * or logits with `activation`); `target` dense or a label map.
   * @returns the reduced loss, or per term for `reduction: 'none'`.
   * @example
   * k.clDiceLoss(probs, vessels, { shape: [2, 1, 128, 128, 64] });
   */
  clDiceLoss(pred: Float32Array, target: Target, options: ClDiceLossOptions): number | Float64Array {
    return runLoss(this.engine, 'clDice', pred, target, options) as number | Float64Array;
  }

  /**
   * The soft clDice loss and its exact gradient: ∂L/∂skel(p) routed back through the soft
   * skeleton (a pooling window passes its gradient to its first extreme element, torch.min splits
   * ties in halves, relu passes it where its output is > 0: PyTorch's rules), then the activation.
   * @example
   * const { loss, grad } = k.clDiceLossWithGrad(logits, labels, { shape: [4, 2, 96, 96], activation: 'softmax' });
   */
  clDiceLossWithGrad(pred: Float32Array, target: Target, options: WithGrad<ClDiceLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'clDice', pred, target, options);
  }

  /**
   * (1 − α)·Dice + α·clDice per term (MONAI's SoftDiceclDiceLoss, α = 0.5), with the soft Dice
   * 1 − (2Σp·y + s)/(Σp + Σy + s) of the same terms. Options as `clDiceLoss`, and `alpha`.
   * @example
   * k.diceClDiceLoss(probs, vessels, { shape: [2, 1, 128, 128, 64], alpha: 0.3 });
   */
  diceClDiceLoss(pred: Float32Array, target: Target, options: DiceClDiceLossOptions): number | Float64Array {
    return runLoss(this.engine, 'diceClDice', pred, target, options) as number | Float64Array;
  }

  /** Dice + clDice and its exact gradient (see `clDiceLossWithGrad`). */
  diceClDiceLossWithGrad(pred: Float32Array, target: Target, options: WithGrad<DiceClDiceLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'diceClDice', pred, target, options);
  }

  /**
   * Hausdorff-DT loss (Karimi & Salcudean 2019; MONAI's HausdorffDTLoss): per term the mean over
   * voxels of (p − y)²·(d_p^α + d_y^α), d_m the exact Euclidean distance map of the mask m > ½
   * (each voxel's distance to the nearest voxel on the other side, in `spacing` units; 0 when the
   * mask is empty or fills the image), α = 2; `logLoss`: log(1 + loss) (LogHausdorffDTLoss).
   * Shapes as `clDiceLoss`, with 1 to 3 spatial axes.
   * @example
   * k.hausdorffDTLoss(logits, labels, { shape: [2, 3, 64, 64, 64], activation: 'softmax', includeBackground: false });
   */
  hausdorffDTLoss(pred: Float32Array, target: Target, options: HausdorffDTLossOptions): number | Float64Array {
    return runLoss(this.engine, 'hausdorffDT', pred, target, options) as number | Float64Array;
  }

  /** The Hausdorff-DT loss and its gradient 2·(p − y)·(d_p^α + d_y^α)/N, the distance maps constants (as MONAI). */
  hausdorffDTLossWithGrad(pred: Float32Array, target: Target, options: WithGrad<HausdorffDTLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'hausdorffDT', pred, target, options);
  }

  /**
   * Boundary loss (Kervadec et al. 2019): per term the mean over voxels of p·φ, φ the signed
   * distance map of the target (their one_hot2dist: outside, the distance to the target; inside,
   * −(the distance to the outside − 1); 0 when the class is empty or fills the image). Shapes as
   * `hausdorffDTLoss`.
   * @example
   * k.boundaryLoss(probs, labels, { shape: [8, 2, 256, 256], includeBackground: false });
   */
  boundaryLoss(pred: Float32Array, target: Target, options: BoundaryLossOptions): number | Float64Array {
    return runLoss(this.engine, 'boundary', pred, target, options) as number | Float64Array;
  }

  /** The boundary loss and its gradient φ/N (φ a constant). */
  boundaryLossWithGrad(pred: Float32Array, target: Target, options: WithGrad<BoundaryLossOptions>): LossAndGrad {
    return runLossWithGrad(this.engine, 'boundary', pred, target, options);
  }

  /**
   * Surface-distance metrics per (sample, class), from the surfaces ∂P of the prediction and ∂G
   * of the target: the voxels of each mask with a face neighbour outside it or outside the image
   * (MONAI's get_mask_edges). With D(P→G) the distances from each voxel of ∂P to the nearest of
   * ∂G (an exact Euclidean distance transform, in `spacing` units) and D(G→P) the reverse:
   * `hausdorff` max(max D(P→G), max D(G→P)), `hausdorff95` the larger of the two directions'
   * `percentile`-th percentiles (95; linear interpolation as numpy), `assd` the mean of both
   * lists, `asd` the mean of D(P→G), `nsd` the share of both lists within `tolerance` (Nikolov et
   * al. 2021). `directed` keeps P→G only for the Hausdorff distances.
   *
   * Inputs are read as by `metrics` (label maps, argmax or thresholded scores, masks); `shape`
   * is required, with 1 to 3 spatial axes. Empty masks: one empty surface makes every distance
   * +∞ and NSD 0, two make every metric NaN; a class absent from the target is NaN by default
   * (`empty`; `'formula'` is MONAI's rule). `includeBackground: false` skips class 0 (NaN).
   *
   * @returns per metric name: B·C values (sample-major, every class) for `reduction: 'none'`
   *   (the default), else `{ value, notNans }`.
   * @example
   * const r = k.surfaceMetrics(predLabels, trueLabels, {
   *   numClasses: 3, shape: [1, 160, 192, 192], spacing: [2.5, 0.8, 0.8],
   *   metrics: ['hausdorff95', 'assd', 'nsd'], tolerance: 1, includeBackground: false,
   * });
   * r.hausdorff95; // Float64Array(3): NaN, then classes 1 and 2 in mm
   */
  surfaceMetrics(
    pred: HardPrediction,
    target: Target,
    options: SurfaceMetricsOptions & { reduction?: 'none' },
  ): Record<string, Float64Array>;
  surfaceMetrics(pred: HardPrediction, target: Target, options: SurfaceMetricsOptions): MetricsResult;
  surfaceMetrics(pred: HardPrediction, target: Target, options: SurfaceMetricsOptions): MetricsResult {
    const { confusion, surface, shape } = resolveSurfaceCall('surfaceMetrics', options);
    return evaluateSurfaces(surface, measureSurfaces(this.engine, confusion, surface, pred, target, shape));
  }

  /**
   * Surface metrics over a dataset, case by case: `update` measures each batch (its shape and,
   * if it differs, its spacing per call) and keeps the per-sample surface records; `compute`
   * scores and reduces all of them; `merge` / `toJSON` combine workers and processes. Surface
   * distances do not add up, so a volume must arrive whole (no tiles).
   * @example
   * const m = k.createSurfaceMetric({
   *   numClasses: 3, metrics: ['hausdorff95'], includeBackground: false, reduction: 'mean_batch',
   * });
   * for (const c of cases) m.update(c.pred, c.labels, { shape: [1, ...c.dims], spacing: c.spacing });
   * m.compute().hausdorff95; // { value: Float64Array(2), notNans }
   */
  createSurfaceMetric(options: CreateSurfaceMetricOptions): StreamingSurfaceMetric {
    return new SurfaceMetricStream(this.engine, options);
  }

  /**
   * Connected components of a mask (non-zero voxels), or with `perClass` of each class of a label
   * map, per sample: the voxels joined through `connectivity` (2 in 1D; 4 or 8 in 2D; 6, 18 or 26
   * in 3D; default faces only, scipy.ndimage.label's default) get one label, numbered 1, 2, … in
   * the raster order of each component's first voxel (scipy's numbering); background is 0. With
   * `minSize`, smaller components are dropped and the others renumbered in order.
   *
   * Shapes: `mask` holds `shape` = [B, ...spatial] (1 to 3 spatial axes); labels restart at 1 in
   * each sample. Sizes, boxes (per spatial axis in the order of shape: start, stop) and, with
   * perClass, each component's label come with the labels.
   * @example
   * const { labels, counts, sizes } = k.connectedComponents(mask, { shape: [1, 160, 192, 192], connectivity: 26 });
   * counts[0]; // components of sample 0; sizes[j] the voxels of component j + 1
   */
  connectedComponents(mask: ComponentsInput, options: ConnectedComponentsOptions): ConnectedComponents {
    const { plan, out } = planComponents('connectedComponents', mask, options);
    this.engine.checkAttached('connectedComponents', 'mask', mask);
    if (out !== null) this.engine.checkAttached('connectedComponents', 'out', out);
    const labels = out ?? new Int32Array(plan.B * plan.S);
    return assembleComponents(plan, labels, this.engine.components('connectedComponents', plan, mask, labels));
  }

  /**
   * Lesion-wise metrics per (sample, class), the BraTS 2023 protocol (README, "Lesion-wise
   * metrics"): truth lesions are the components of the truth mask (parts whose `dilation`-step
   * dilations touch are one lesion), predicted lesions those of the prediction; a predicted
   * lesion matches a truth lesion it overlaps (in the truth lesion's dilated region), or with
   * `match: { iou: τ }` one it overlaps with IoU > τ. Per truth lesion, the Dice and HD95 between
   * it and the union of its matches; unmatched predicted lesions are false positives (Dice 0,
   * HD95 `fpPenalty`). Returned per term: `tp`, `fp`, `fn` (lesion counts), `lesionDice`,
   * `lesionHd95` (means over the truth lesions kept and the false positives), `sensitivity`,
   * `precision`, `f1`. Truth lesions below `minSize` voxels or `minVolume` are left out.
   *
   * Inputs are read as by `metrics` (a label map without numClasses is a binary mask: class 1 the
   * lesions); `shape` is required, 1 to 3 spatial axes. Class 0 is not scored unless
   * `includeBackground`. A term with no lesion on either side scores lesion Dice 1, HD95 0, and
   * NaN rates.
   * @returns per name: B·C values (sample-major, every class) for `reduction: 'none'` (the
   *   default), else `{ value, notNans }`.
   * @example
   * const r = k.lesionMetrics(predMask, truthMask, { shape: [1, 155, 240, 240], dilation: 3, minSize: 51 });
   * r.lesionDice[1]; r.lesionHd95[1]; r.tp[1]; r.fp[1]; r.fn[1];
   */
  lesionMetrics(
    pred: HardPrediction,
    target: Target,
    options: LesionMetricsOptions & { reduction?: 'none' },
  ): Record<string, Float64Array>;
  lesionMetrics(pred: HardPrediction, target: Target, options: LesionMetricsOptions): MetricsResult;
  lesionMetrics(pred: HardPrediction, target: Target, options: LesionMetricsOptions): MetricsResult {
    const { confusion, lesions, shape } = resolveLesionCall('lesionMetrics', pred, options);
    return evaluateLesions(lesions, measureLesions(this.engine, confusion, lesions, pred, target, shape));
  }

  /**
   * Panoptic quality (Kirillov et al. 2019) per (sample, class), counted as MONAI's
   * compute_panoptic_quality: instances are the voxels of one id (of one class, with class maps);
   * a predicted and a truth instance match when their IoU exceeds `matchIou` (0.5; below 0.5 the
   * assignment of largest total IoU is taken first). Returned per term: `tp`, `fp`, `fn`,
   * `iouSum`, `rq` = TP/(TP + FP/2 + FN/2), `sq` = ΣIoU/TP, `pq` = SQ·RQ (NaN where a denominator
   * is 0). Without class maps there is one class; with them class 0 (background) is NaN.
   * @returns per name: B·C values for `reduction: 'none'` (default), else MONAI's aggregate:
   *   `{ value, notNans }` from the reduced counts.
   * @example
   * const r = k.panopticQuality(predIds, truthIds, { shape: [1, 256, 256] });
   * r.pq[0]; r.sq[0]; r.rq[0];
   */
  panopticQuality(
    predInstances: InstanceMap,
    truthInstances: InstanceMap,
    options: PanopticQualityOptions & { reduction?: 'none' },
  ): Record<string, Float64Array>;
  panopticQuality(
    predInstances: InstanceMap,
    truthInstances: InstanceMap,
    options: PanopticQualityOptions,
  ): MetricsResult;
  panopticQuality(
    predInstances: InstanceMap,
    truthInstances: InstanceMap,
    options: PanopticQualityOptions,
  ): MetricsResult {
    const { spec, pred, truth } = resolvePanoptic('panopticQuality', predInstances, truthInstances, options);
    return evaluatePanoptic(spec.reduction, countPanoptic(spec, pred, truth));
  }

  /**
   * Object-wise rates and surface distances per (sample, class) as MedPy computes them
   * (medpy.metric.binary obj_tpr, obj_fpr, obj_asd, obj_assd, with `pred` as MedPy's `result` and
   * `target` as its `reference`; README "Object-wise metrics (MedPy)"): objects are the components
   * of each mask (`connectivity`, default faces only as MedPy's 1, which also decides their
   * surfaces), matched one to one where they overlap; `objTpr`, `objFpr`, `objAsd`, `objAssd`
   * (NaN where MedPy divides by zero or averages nothing).
   * @returns per name: B·C values (sample-major, every class) for `reduction: 'none'` (default).
   * @example
   * const r = k.objectMetrics(result, reference, { shape: [1, 64, 64], spacing: [0.5, 0.5] });
   * r.objAssd[1];
   */
  objectMetrics(
    pred: HardPrediction,
    target: Target,
    options: ObjectMetricsOptions & { reduction?: 'none' },
  ): Record<string, Float64Array>;
  objectMetrics(pred: HardPrediction, target: Target, options: ObjectMetricsOptions): MetricsResult;
  objectMetrics(pred: HardPrediction, target: Target, options: ObjectMetricsOptions): MetricsResult {
    const { confusion, objects, shape } = resolveObjectCall('objectMetrics', pred, options);
    return evaluateObjects(objects, measureObjects(this.engine, confusion, objects, pred, target, shape));
  }
}

/** An options object whose own properties can be copied (not null, a revoked Proxy, an array or a view). */
function isPlainOptions(options: unknown): options is object {
  return (
    options !== null &&
    typeof options === 'object' &&
    !revoked(options) &&
    !Array.isArray(options) &&
    !ArrayBuffer.isView(options)
  );
}
