// The module's exports: positional, total functions over pointers (no optional parameters,
// no allocation) and the constants the TypeScript side checks itself against.
export * from "./constants";
export { keepsActivation, tileLength, scratchBytes } from "./tile";
export {
  statsDense_f32, statsDense_u8, statsLabels_u8, statsLabels_u16, statsLabels_i32,
} from "./stats";
export {
  gradDense_f32, gradDense_u8, gradLabels_u8, gradLabels_u16, gradLabels_i32,
} from "./grad";
export {
  pointLossDense_f32, pointLossDense_u8, pointLossLabels_u8, pointLossLabels_u16, pointLossLabels_i32,
} from "./pointloss";
export {
  confusionScratchBytes, confusionLabels_u8, confusionLabels_u16, confusionLabels_i32,
  confusionMasks_f32_f32, confusionMasks_f32_u8, confusionMasks_u8_f32, confusionMasks_u8_u8,
  confusionMaskLabels_f32_u8, confusionMaskLabels_f32_u16, confusionMaskLabels_f32_i32,
  confusionMaskLabels_u8_u8, confusionMaskLabels_u8_u16, confusionMaskLabels_u8_i32,
  confusionArgmaxLabels_u8, confusionArgmaxLabels_u16, confusionArgmaxLabels_i32,
  confusionArgmaxMasks_f32, confusionArgmaxMasks_u8,
} from "./confusion";

/** First byte the TypeScript arena may use: everything below belongs to the module. */
export function heapBase(): usize {
  return __heap_base;
}
export { argsortDesc_f32, argsortWorkBytes } from "./sort";
export {
  lovaszHingeErrors_f32, lovaszHingeErrors_u8, lovaszHingeErrors_u16, lovaszHingeErrors_i32,
  lovaszLabelErrors_u8, lovaszLabelErrors_u16, lovaszLabelErrors_i32, lovaszDenseErrors_f32, lovaszDenseErrors_u8,
  lovaszWalk, lovaszProbabilities, lovaszBackward,
} from "./lovasz";
export {
  markLabels_u8, markLabels_u16, markLabels_i32, markValues_u8, markValues_f32,
  argmaxLabels_u8, argmaxLabels_u16, argmaxLabels_i32, maskBox, surfaceBits, maskCounts,
} from "./boundary";
export { distanceWorkBytes, distancesToSurface, distanceFieldWorkBytes, distanceField } from "./edt";
export { skeletonWorkBytes, skeletonBits } from "./skeleton";
export { bandWorkBytes, bandBitsChessboard, bandBitsEuclidean } from "./band";
export {
  softErode, softDilate, softErodeBackward, softDilateBackward, softSkeletonStep, softSkeletonStepBackward, dotSums,
  affineMap, addDirectTerms,
} from "./softskel";
export {
  probabilities, probabilitiesBackward,
  labelVolume_u8, labelVolume_u16, labelVolume_i32, denseVolume_f32, denseVolume_u8,
} from "./probabilities";
export { maskBits, distancePower, signedDistance, weightedSquaredError, distanceGrad } from "./distloss";
export {
  componentsWorkBytes, countRuns_u8, countRuns_u16, countRuns_i32, countRuns_f32,
  labelComponents_u8, labelComponents_u16, labelComponents_i32, labelComponents_f32, dilateMask,
} from "./components";
