// The WebAssembly module's exports (assembly/index.ts), typed.

type Ptr = number;
type StatsDense = (
  stats: Ptr,
  pred: Ptr,
  target: Ptr,
  mask: Ptr,
  maskStride: number,
  B: number,
  C: number,
  S: number,
  count: number,
  layout: number,
  act: number,
  flags: number,
  point: number,
  gamma: number,
  scratch: Ptr,
) => void;
type StatsLabels = (
  stats: Ptr,
  pred: Ptr,
  labels: Ptr,
  mask: Ptr,
  maskStride: number,
  B: number,
  C: number,
  S: number,
  count: number,
  layout: number,
  act: number,
  flags: number,
  ignoreIndex: number,
  hasIgnore: number,
  point: number,
  gamma: number,
  scratch: Ptr,
) => void;
type GradDense = (
  out: Ptr,
  pred: Ptr,
  target: Ptr,
  mask: Ptr,
  maskStride: number,
  coef: Ptr,
  B: number,
  C: number,
  S: number,
  count: number,
  layout: number,
  act: number,
  point: number,
  gamma: number,
  scratch: Ptr,
) => void;
type GradLabels = (
  out: Ptr,
  pred: Ptr,
  labels: Ptr,
  mask: Ptr,
  maskStride: number,
  coef: Ptr,
  B: number,
  C: number,
  S: number,
  count: number,
  layout: number,
  act: number,
  ignoreIndex: number,
  hasIgnore: number,
  point: number,
  gamma: number,
  scratch: Ptr,
) => void;
type HingeErrors = (
  pairs: Ptr,
  list: Ptr,
  pred: Ptr,
  target: Ptr,
  n: number,
  first: number,
  ignoreIndex: number,
  hasIgnore: number,
) => void;
type LabelErrors = (
  pairs: Ptr,
  list: Ptr,
  prob: Ptr,
  labels: Ptr,
  n: number,
  first: number,
  c: number,
  C: number,
  ignoreIndex: number,
  hasIgnore: number,
) => void;
type DenseErrors = (pairs: Ptr, list: Ptr, prob: Ptr, target: Ptr, stride: number, n: number, first: number) => void;

export interface DiceExports extends ConfusionExports, SurfaceExports, TopologyExports {
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
  /** Kernel 3 takes kernel 2's arguments. */
  pointLossDense_f32: GradDense;
  pointLossDense_u8: GradDense;
  pointLossLabels_u8: GradLabels;
  pointLossLabels_u16: GradLabels;
  pointLossLabels_i32: GradLabels;
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
  lovaszProbabilities(
    prob: Ptr,
    pred: Ptr,
    B: number,
    C: number,
    S: number,
    layout: number,
    act: number,
    scratch: Ptr,
  ): void;
  lovaszBackward(
    out: Ptr,
    dp: Ptr,
    prob: Ptr,
    scale: Ptr,
    B: number,
    C: number,
    S: number,
    layout: number,
    act: number,
    scratch: Ptr,
  ): void;
}

type ConfusionLabels = (
  out: Ptr,
  pred: Ptr,
  target: Ptr,
  B: number,
  C: number,
  S: number,
  ignoreIndex: number,
  hasIgnore: number,
) => void;
type ConfusionMasks = (
  out: Ptr,
  pred: Ptr,
  target: Ptr,
  B: number,
  C: number,
  S: number,
  layout: number,
  decide: number,
  threshold: number,
  scratch: Ptr,
) => void;
type ConfusionMaskLabels = (
  out: Ptr,
  pred: Ptr,
  labels: Ptr,
  B: number,
  C: number,
  S: number,
  layout: number,
  decide: number,
  threshold: number,
  ignoreIndex: number,
  hasIgnore: number,
  scratch: Ptr,
) => void;
type ConfusionArgmaxLabels = (
  out: Ptr,
  pred: Ptr,
  labels: Ptr,
  B: number,
  C: number,
  S: number,
  layout: number,
  ignoreIndex: number,
  hasIgnore: number,
  scratch: Ptr,
) => void;
type ConfusionArgmaxMasks = (
  out: Ptr,
  pred: Ptr,
  target: Ptr,
  B: number,
  C: number,
  S: number,
  layout: number,
  scratch: Ptr,
) => void;

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

type MarkLabels = (
  mask: Ptr,
  labels: Ptr,
  n: number,
  c: number,
  bit: number,
  ignoreIndex: number,
  hasIgnore: number,
) => void;
type MarkValues = (
  mask: Ptr,
  values: Ptr,
  n: number,
  stride: number,
  bit: number,
  decide: number,
  threshold: number,
) => void;
type ArgmaxLabels = (out: Ptr, pred: Ptr, b: number, C: number, S: number, layout: number, scratch: Ptr) => void;

/** The class-mask and surface-distance kernels (assembly/boundary.ts, assembly/edt.ts). */
export interface SurfaceExports {
  markLabels_u8: MarkLabels;
  markLabels_u16: MarkLabels;
  markLabels_i32: MarkLabels;
  markValues_u8: MarkValues;
  markValues_f32: MarkValues;
  argmaxLabels_u8: ArgmaxLabels;
  argmaxLabels_u16: ArgmaxLabels;
  argmaxLabels_i32: ArgmaxLabels;
  maskBox(box: Ptr, mask: Ptr, nx: number, ny: number, nz: number): void;
  surfaceBits(rec: Ptr, mask: Ptr, box: Ptr, nx: number, ny: number, nz: number, rank: number): void;
  distanceWorkBytes(cx: number, cy: number, cz: number): number;
  distancesToSurface(
    rec: Ptr,
    pairs: Ptr,
    list: number,
    mask: Ptr,
    feature: number,
    query: number,
    box: Ptr,
    nx: number,
    ny: number,
    nz: number,
    w0: number,
    w1: number,
    w2: number,
    tolerance: number,
    work: Ptr,
  ): void;
}

/**
 * The topology kernels: skeletons and boundary bands of class masks (assembly/skeleton.ts,
 * assembly/band.ts, boundary.ts's maskCounts), distance fields (edt.ts), the soft skeleton
 * (assembly/softskel.ts) and probabilities for the spatial losses (assembly/probabilities.ts).
 */
export interface TopologyExports {
  skeletonWorkBytes(cx: number, cy: number, cz: number): number;
  skeletonBits(
    mask: Ptr,
    bit: number,
    skeleton: number,
    box: Ptr,
    nx: number,
    ny: number,
    nz: number,
    preserving: number,
    work: Ptr,
  ): void;
  bandWorkBytes(cx: number, cy: number, cz: number): number;
  bandBitsChessboard(
    mask: Ptr,
    box: Ptr,
    nx: number,
    ny: number,
    nz: number,
    rx: number,
    ry: number,
    rz: number,
    work: Ptr,
  ): void;
  bandBitsEuclidean(
    mask: Ptr,
    box: Ptr,
    nx: number,
    ny: number,
    nz: number,
    rank: number,
    w0: number,
    w1: number,
    w2: number,
    limit: number,
    work: Ptr,
  ): void;
  maskCounts(rec: Ptr, mask: Ptr, box: Ptr, nx: number, ny: number, nz: number): void;
  distanceFieldWorkBytes(nx: number, ny: number, nz: number): number;
  distanceField(
    out: Ptr,
    grid: Ptr,
    feature: number,
    nx: number,
    ny: number,
    nz: number,
    w0: number,
    w1: number,
    w2: number,
    work: Ptr,
  ): void;
  softErode(out: Ptr, img: Ptr, nx: number, ny: number, nz: number, rank: number): void;
  softDilate(out: Ptr, img: Ptr, nx: number, ny: number, nz: number, rank: number, work: Ptr): void;
  softErodeBackward(gIn: Ptr, gOut: Ptr, img: Ptr, nx: number, ny: number, nz: number, rank: number): void;
  softDilateBackward(
    gIn: Ptr,
    gOut: Ptr,
    img: Ptr,
    nx: number,
    ny: number,
    nz: number,
    rank: number,
    scale: number,
  ): void;
  softSkeletonStep(skel: Ptr, img: Ptr, open: Ptr, n: number, first: number): void;
  softSkeletonStepBackward(gs: Ptr, gImg: Ptr, prev: Ptr, img: Ptr, open: Ptr, n: number, first: number): void;
  dotSums(rec: Ptr, a: Ptr, b: Ptr, n: number): void;
  affineMap(out: Ptr, y: Ptr, n: number, a: number, b: number): void;
  addDirectTerms(dp: Ptr, g: Ptr, s: Ptr, y: Ptr, n: number, c: number, d: number, e: number): void;
  probabilities(prob: Ptr, pred: Ptr, B: number, C: number, S: number, layout: number, act: number, scratch: Ptr): void;
  labelVolume_u8(out: Ptr, labels: Ptr, n: number, c: number): void;
  labelVolume_u16(out: Ptr, labels: Ptr, n: number, c: number): void;
  labelVolume_i32(out: Ptr, labels: Ptr, n: number, c: number): void;
  denseVolume_f32(out: Ptr, values: Ptr, n: number, stride: number): void;
  denseVolume_u8(out: Ptr, values: Ptr, n: number, stride: number): void;
  maskBits(grid: Ptr, v: Ptr, n: number): number;
  distancePower(w: Ptr, toOutside: Ptr, toInside: Ptr, n: number, alpha: number, add: number): void;
  signedDistance(phi: Ptr, toOutside: Ptr, toInside: Ptr, grid: Ptr, n: number): void;
  weightedSquaredError(p: Ptr, y: Ptr, w: Ptr, n: number): number;
  distanceGrad(dp: Ptr, p: Ptr, y: Ptr, w: Ptr, n: number, k: number, squared: number): void;
  probabilitiesBackward(
    out: Ptr,
    dp: Ptr,
    prob: Ptr,
    scale: Ptr,
    B: number,
    C: number,
    S: number,
    layout: number,
    act: number,
    scratch: Ptr,
  ): void;
}
