// Handing the gradient (or kernel 3's losses) that the kernels wrote in WebAssembly memory to the caller.

/**
 * What the kernels wrote at `out` (`length` f32): the caller's array when it lives
 * there, or copied into the caller's array, or into a new one.
 */
export function deliverGradient(
  buffer: ArrayBuffer,
  out: number,
  length: number,
  gradOut: Float32Array | null | undefined,
  outResident: boolean,
): Float32Array {
  if (outResident) return gradOut as Float32Array;
  const result = new Float32Array(buffer, out, length);
  if (gradOut) {
    gradOut.set(result);
    return gradOut;
  }
  return result.slice();
}
