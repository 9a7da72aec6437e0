// dice-wasm: Dice-family losses, their exact gradients, and segmentation metrics, computed by
// SIMD WebAssembly kernels (with a scalar build and a pure TypeScript fallback).
export { loadDice, loadDiceSync } from './runtime/load.js';
export { DiceKernel } from './kernel.js';
export { metricsFromCounts } from './metrics/evaluate.js';
export type {
  Activation, AllocatableConstructor, BackendName, CreateLossOptions, DenseTarget, DiceLossGradOptions,
  DiceLossOptions, DiceScoreOptions, LabelMap, Layout, LoadOptions, Loss, LossAndGrad, LossName,
  Reduction, Target, TargetKind, TensorOptions,
} from './api.js';
export type {
  ConfusionCounts, ConfusionOptions, CreateMetricOptions, Decision, EmptyPolicy, HardPrediction, MetricAggregation,
  MetricAverage, MetricJSON, MetricOptions, MetricReduction, MetricsOptions, MetricsResult, MetricUpdateOptions,
  ReducedMetric, SampleKey, StreamingMetric, WeightType,
} from './api.js';
