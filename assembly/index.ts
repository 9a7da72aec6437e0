// The module's exports: positional, total functions over pointers (no optional parameters,
// no allocation) and the constants the TypeScript side checks itself against.
export * from "./constants";
export { tileLength, scratchBytes } from "./tile";
export {
  statsDense_f32, statsDense_u8, statsLabels_u8, statsLabels_u16, statsLabels_i32,
} from "./stats";
export {
  gradDense_f32, gradDense_u8, gradLabels_u8, gradLabels_u16, gradLabels_i32,
} from "./grad";

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
