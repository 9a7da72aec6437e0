// Label lanes at the label map's own width: 16 u8, 8 u16 or 4 i32 labels per v128, compared
// lane by lane. Comparisons give all-ones lanes (−1), so subtracting them counts; a lane of a
// u8 or u16 count holds at most 255 increments here before it is folded (see count.ts).

/** Labels per v128 for a label map of element type T. */
// @ts-ignore: decorator
@inline export function lanesOf<T>(): i32 {
  return 16 / sizeof<T>();
}

// @ts-ignore: decorator
@inline export function splatLabel<T>(value: i32): v128 {
  if (sizeof<T>() == 1) return i8x16.splat(<i8>value);
  if (sizeof<T>() == 2) return i16x8.splat(<i16>value);
  return i32x4.splat(value);
}

// @ts-ignore: decorator
@inline export function eqLabels<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 1) return i8x16.eq(a, b);
  if (sizeof<T>() == 2) return i16x8.eq(a, b);
  return i32x4.eq(a, b);
}

// @ts-ignore: decorator
@inline export function neLabels<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 1) return i8x16.ne(a, b);
  if (sizeof<T>() == 2) return i16x8.ne(a, b);
  return i32x4.ne(a, b);
}

/** acc + 1 in every lane where `mask` is all ones. */
// @ts-ignore: decorator
@inline export function countLanes<T>(acc: v128, mask: v128): v128 {
  if (sizeof<T>() == 1) return i8x16.sub(acc, mask);
  if (sizeof<T>() == 2) return i16x8.sub(acc, mask);
  return i32x4.sub(acc, mask);
}

/** Sum of the unsigned lane counts, widened so that nothing wraps. */
// @ts-ignore: decorator
@inline export function foldLanes<T>(acc: v128): f64 {
  let wide = acc;
  if (sizeof<T>() == 1) wide = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(acc));
  else if (sizeof<T>() == 2) wide = i32x4.extadd_pairwise_i16x8_u(acc);
  return sumLanesU32(wide);
}

/** Sum of four u32 lanes, exact in f64. */
// @ts-ignore: decorator
@inline export function sumLanesU32(v: v128): f64 {
  return <f64><u32>i32x4.extract_lane(v, 0) + <f64><u32>i32x4.extract_lane(v, 1)
    + (<f64><u32>i32x4.extract_lane(v, 2) + <f64><u32>i32x4.extract_lane(v, 3));
}
