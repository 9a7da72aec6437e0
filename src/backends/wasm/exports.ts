// The WebAssembly module's exports (assembly/index.ts), typed.

type Ptr = number;
type StatsDense = (stats: Ptr, pred: Ptr, target: Ptr, B: number, C: number, S: number, layout: number, act: number, squared: number, scratch: Ptr) => void;
type StatsLabels = (stats: Ptr, pred: Ptr, labels: Ptr, B: number, C: number, S: number, layout: number, act: number, squared: number, ignoreIndex: number, hasIgnore: number, scratch: Ptr) => void;
type GradDense = (out: Ptr, pred: Ptr, target: Ptr, coef: Ptr, B: number, C: number, S: number, layout: number, act: number, scratch: Ptr) => void;
type GradLabels = (out: Ptr, pred: Ptr, labels: Ptr, coef: Ptr, B: number, C: number, S: number, layout: number, act: number, ignoreIndex: number, hasIgnore: number, scratch: Ptr) => void;

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
