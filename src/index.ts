// dice-wasm: Dice-family losses, their exact gradients, and segmentation metrics, computed by
// SIMD WebAssembly kernels (with a scalar build and a pure TypeScript fallback).
export { loadDice, loadDiceSync } from './runtime/load.js';
export { DiceKernel } from './kernel.js';
export { createDicePool, type DicePool, type PooledMethods } from './pool/pool.js';
export { metricsFromCounts } from './metrics/evaluate.js';
export { isSurfaceMetric } from './metrics/names.js';
export type {
  Activation, AllocatableConstructor, BackendName, BceLossOptions, CreateLossOptions, CreatePointLossOptions,
  CreateTermLossOptions, CrossEntropyLossOptions,
  DenseTarget, DiceCELossOptions, DiceFocalLossOptions, DiceLossGradOptions, FocalLossOptions,
  GeneralizedDiceFocalLossOptions, Lambdas, PointTensorOptions,
  DiceLossOptions, DiceScoreOptions, LossEmptyPolicy, FocalTverskyLossOptions, GeneralizedDiceLossOptions,
  JaccardLossOptions, LabelMap, Layout, MccLossOptions, LoadOptions, Loss, LossAndGrad, LossName, OverlapOptions,
  AllocScope, PoolLoss, PoolOptions,
  Reduction, Target, TargetKind, TensorOptions, TverskyLossOptions, WithGrad,
} from './api.js';
export type {
  CreateLovaszLossOptions, LovaszClasses, LovaszHingeLossOptions, LovaszLossName, LovaszSoftmaxLossOptions,
} from './api.js';
export type {
  ConfusionCounts, ConfusionOptions, CreateMetricOptions, Decision, MetricEmptyPolicy, HardPrediction, MetricAggregation,
  MetricAverage, MetricJSON, MetricOptions, MetricReduction, MetricsOptions, MetricsResult, MetricUpdateOptions,
  ReducedMetric, SampleKey, StreamingMetric, WeightType,
} from './api.js';
export type {
  CreateSurfaceMetricOptions, Spacing, StreamingSurfaceMetric, SurfaceMetricJSON, SurfaceMetricOptions, SurfaceMetricsOptions,
  SurfaceUpdateOptions,
} from './api.js';
