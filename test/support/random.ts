// Deterministic pseudo-random numbers for test inputs (mulberry32), so failures reproduce.

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A typed array of `length` elements that is a view at a non-zero byte offset into a larger
 * buffer (the padding around it holds garbage, so a kernel reading outside its view shows).
 */
export function offsetView<T extends Float32Array | Uint8Array | Uint16Array | Int32Array>(
  ctor: { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number },
  values: ArrayLike<number>,
  offsetElements: number,
): T {
  const size = ctor.BYTES_PER_ELEMENT;
  const buffer = new ArrayBuffer((values.length + offsetElements + 7) * size);
  new Uint8Array(buffer).fill(0xff); // NaN as f32, 255 as bytes, −1 as i32: poison outside the view
  const view = new ctor(buffer, offsetElements * size, values.length);
  for (let i = 0; i < values.length; i++) view[i] = values[i];
  return view;
}
