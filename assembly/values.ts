// Typed loads of targets: dense values (f32 or u8) as f32, label maps (u8, u16, i32) as i32.

// @ts-ignore: decorator
@inline export function value1<T>(ptr: usize): f32 {
  return <f32>load<T>(ptr);
}

/**
 * Four consecutive dense target values as f32x4. Bytes convert as signed i32 lanes, which they
 * fit (0..255): one instruction, where the unsigned conversion takes eight on x86.
 */
// @ts-ignore: decorator
@inline export function values4<T>(ptr: usize): v128 {
  if (isFloat<T>()) return v128.load(ptr);
  return f32x4.convert_i32x4_s(widenBytes(ptr));
}

/** Values i..i+3 (`half` 0) or i+4..i+7 (`half` 1) of the eight dense target values at ptr, from one load of bytes. */
// @ts-ignore: decorator
@inline export function values8<T>(ptr: usize, bytes8: v128, half: i32): v128 {
  if (isFloat<T>()) return v128.load(ptr + (<usize>half << 4));
  const wide = i16x8.extend_low_i8x16_u(bytes8);
  return f32x4.convert_i32x4_s(half == 0 ? i32x4.extend_low_i16x8_u(wide) : i32x4.extend_high_i16x8_u(wide));
}

/** The eight bytes at ptr (u8 targets) for values8; nothing is read for f32 targets. */
// @ts-ignore: decorator
@inline export function load8<T>(ptr: usize): v128 {
  if (isFloat<T>()) return i32x4.splat(0);
  return v128.load64_zero(ptr);
}

/** Four bytes zero-extended to i32x4; reads exactly 4 bytes (never past an array's end). */
// @ts-ignore: decorator
@inline function widenBytes(ptr: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(ptr)));
}

/** Mask bytes: true where the voxel counts (non-zero). */
// @ts-ignore: decorator
@inline export function keep1(ptr: usize): bool {
  return load<u8>(ptr) != 0;
}

/** Four mask bytes as an i32x4 lane mask: all ones where the voxel counts. */
// @ts-ignore: decorator
@inline export function keep4(ptr: usize): v128 {
  return i32x4.ne(widenBytes(ptr), i32x4.splat(0));
}

// @ts-ignore: decorator
@inline export function label1<T>(ptr: usize): i32 {
  return <i32>load<T>(ptr);
}

/** Four consecutive labels as i32x4 (u8 and u16 zero-extended). */
// @ts-ignore: decorator
@inline export function labels4<T>(ptr: usize): v128 {
  if (sizeof<T>() == 1) return widenBytes(ptr);
  if (sizeof<T>() == 2) return v128.load16x4_u(ptr);
  return v128.load(ptr);
}

/** Sum of the four f32 lanes, in f64. */
// @ts-ignore: decorator
@inline export function lanesum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)
    + (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}
