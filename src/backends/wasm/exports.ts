// The WebAssembly module's exports (assembly/index.ts), typed.

type Ptr = number;
type StatsDense = (stats: Ptr, pred: Ptr, target: Ptr, mask: Ptr, maskStride: number, B: number, C: number, S: number, layout: number, act: number, flags: number, point: number, gamma: number, scratch: Ptr) => void;
type StatsLabels = (stats: Ptr, pred: Ptr, labels: Ptr, mask: Ptr, maskStride: number, B: number, C: number, S: number, layout: number, act: number, flags: number, ignoreIndex: number, hasIgnore: number, point: number, gamma: number, scratch: Ptr) => void;
type GradDense = (out: Ptr, pred: Ptr, target: Ptr, mask: Ptr, maskStride: number, coef: Ptr, B: number, C: number, S: number, layout: number, act: number, point: number, gamma: number, scratch: Ptr) => void;
type GradLabels = (out: Ptr, pred: Ptr, labels: Ptr, mask: Ptr, maskStride: number, coef: Ptr, B: number, C: number, S: number, layout: number, act: number, ignoreIndex: number, hasIgnore: number, point: number, gamma: number, scratch: Ptr) => void;

export interface DiceExports {
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
