// The WebAssembly module's exports (assembly/index.ts), typed.

type Ptr = number;
type StatsDense = (stats: Ptr, pred: Ptr, target: Ptr, mask: Ptr, maskStride: number, B: number, C: number, S: number, count: number, layout: number, act: number, flags: number, point: number, gamma: number, scratch: Ptr) => void;
type StatsLabels = (stats: Ptr, pred: Ptr, labels: Ptr, mask: Ptr, maskStride: number, B: number, C: number, S: number, count: number, layout: number, act: number, flags: number, ignoreIndex: number, hasIgnore: number, point: number, gamma: number, scratch: Ptr) => void;
type GradDense = (out: Ptr, pred: Ptr, target: Ptr, mask: Ptr, maskStride: number, coef: Ptr, B: number, C: number, S: number, count: number, layout: number, act: number, point: number, gamma: number, scratch: Ptr) => void;
type GradLabels = (out: Ptr, pred: Ptr, labels: Ptr, mask: Ptr, maskStride: number, coef: Ptr, B: number, C: number, S: number, count: number, layout: number, act: number, ignoreIndex: number, hasIgnore: number, point: number, gamma: number, scratch: Ptr) => void;
type HingeErrors = (pairs: Ptr, list: Ptr, pred: Ptr, target: Ptr, n: number, first: number, ignoreIndex: number, hasIgnore: number) => void;
type LabelErrors = (pairs: Ptr, list: Ptr, prob: Ptr, labels: Ptr, n: number, first: number, c: number, C: number, ignoreIndex: number, hasIgnore: number) => void;
type DenseErrors = (pairs: Ptr, list: Ptr, prob: Ptr, target: Ptr, stride: number, n: number, first: number) => void;

export interface DiceExports extends ConfusionExports {
  memory: WebAssembly.Memory;
  heapBase(): Ptr;
  tileLength(C: number): number;
  scratchBytes(C: number): number;
  statsDense_f32: StatsDense;
  statsDense_u8: StatsDense;
  statsLabels_u8: StatsLabels;
  statsLabels_u16: StatsLabels;
  statsLabels_i32: StatsLabels;
  gradDense_f32: GradDense;
  gradDense_u8: GradDense;
  gradLabels_u8: GradLabels;
  gradLabels_u16: GradLabels;
  gradLabels_i32: GradLabels;
  argsortWorkBytes(n: number): number;
  argsortDesc_f32(pairs: Ptr, n: number, work: Ptr): void;
  lovaszHingeErrors_f32: HingeErrors;
  lovaszHingeErrors_u8: HingeErrors;
  lovaszHingeErrors_u16: HingeErrors;
  lovaszHingeErrors_i32: HingeErrors;
  lovaszLabelErrors_u8: LabelErrors;
  lovaszLabelErrors_u16: LabelErrors;
  lovaszLabelErrors_i32: LabelErrors;
  lovaszDenseErrors_f32: DenseErrors;
  lovaszDenseErrors_u8: DenseErrors;
  lovaszWalk(pairs: Ptr, n: number, foreground: number, dp: Ptr): number;
  lovaszProbabilities(prob: Ptr, pred: Ptr, B: number, C: number, S: number, layout: number, act: number, scratch: Ptr): void;
  lovaszBackward(out: Ptr, dp: Ptr, prob: Ptr, scale: Ptr, B: number, C: number, S: number, layout: number, act: number, scratch: Ptr): void;
}

type ConfusionLabels = (out: Ptr, pred: Ptr, target: Ptr, B: number, C: number, S: number, ignoreIndex: number, hasIgnore: number) => void;
type ConfusionMasks = (out: Ptr, pred: Ptr, target: Ptr, B: number, C: number, S: number, layout: number, decide: number, threshold: number, scratch: Ptr) => void;
type ConfusionMaskLabels = (out: Ptr, pred: Ptr, labels: Ptr, B: number, C: number, S: number, layout: number, decide: number, threshold: number, ignoreIndex: number, hasIgnore: number, scratch: Ptr) => void;
type ConfusionArgmaxLabels = (out: Ptr, pred: Ptr, labels: Ptr, B: number, C: number, S: number, layout: number, ignoreIndex: number, hasIgnore: number, scratch: Ptr) => void;
type ConfusionArgmaxMasks = (out: Ptr, pred: Ptr, target: Ptr, B: number, C: number, S: number, layout: number, scratch: Ptr) => void;

/** The confusion kernels (assembly/confusion.ts), named `<kernel>_<pred type>[_<target type>]`. */
export interface ConfusionExports {
  confusionScratchBytes(): number;
  confusionLabels_u8: ConfusionLabels;
  confusionLabels_u16: ConfusionLabels;
  confusionLabels_i32: ConfusionLabels;
  confusionMasks_f32_f32: ConfusionMasks;
  confusionMasks_f32_u8: ConfusionMasks;
  confusionMasks_u8_f32: ConfusionMasks;
  confusionMasks_u8_u8: ConfusionMasks;
  confusionMaskLabels_f32_u8: ConfusionMaskLabels;
  confusionMaskLabels_f32_u16: ConfusionMaskLabels;
  confusionMaskLabels_f32_i32: ConfusionMaskLabels;
  confusionMaskLabels_u8_u8: ConfusionMaskLabels;
  confusionMaskLabels_u8_u16: ConfusionMaskLabels;
  confusionMaskLabels_u8_i32: ConfusionMaskLabels;
  confusionArgmaxLabels_u8: ConfusionArgmaxLabels;
  confusionArgmaxLabels_u16: ConfusionArgmaxLabels;
  confusionArgmaxLabels_i32: ConfusionArgmaxLabels;
  confusionArgmaxMasks_f32: ConfusionArgmaxMasks;
  confusionArgmaxMasks_u8: ConfusionArgmaxMasks;
}
