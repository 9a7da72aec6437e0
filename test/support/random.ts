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

/** The tensors of a random loss case: B samples of C classes over `spatial`, and what to draw. */
export interface TensorCase {
  B: number;
  C: number;
  spatial: number[];
  layout: 'NCHW' | 'NHWC';
  target: 'f32' | 'u8' | 'labels-u8' | 'labels-u16' | 'labels-i32';
  ignore: boolean;
  mask: boolean;
  weighted: boolean;
  seed: number;
  /**
   * The share of logits drawn far out, |x| in [20, 100] (either sign): float32 e^x overflows past
   * 88.7, e^−x underflows, log1p(e^x) is x to the last bit, and σ and softmax saturate. 0 by default.
   */
  extreme?: number;
}

/** A logit: mostly in [−6, 6), and with probability `extreme` of magnitude 20 to 100. */
export function randomLogit(random: () => number, extreme = 0): number {
  if (extreme > 0 && random() < extreme) return (random() < 0.5 ? -1 : 1) * (20 + 80 * random());
  return 12 * random() - 6;
}

/**
 * Logits in [−6, 6) (a share `extreme` of them of magnitude 20 to 100), a target (soft f32 values, 0/1 bytes, or a
 * label map whose ignored voxels hold
 * C, a label outside [0, C) used only as ignoreIndex), a per-sample mask and class weights, each
 * at a non-zero byte offset; `random` goes on drawing for the case's options.
 */
export function randomTensors(c: TensorCase) {
  const random = rng(c.seed);
  const S = c.spatial.reduce((a, d) => a * d, 1);
  const n = c.B * c.C * S;
  const shape = c.layout === 'NCHW' ? [c.B, c.C, ...c.spatial] : [c.B, ...c.spatial, c.C];
  const pred = offsetView(
    Float32Array,
    Array.from({ length: n }, () => randomLogit(random, c.extreme)),
    1 + (c.seed % 5),
  );
  const labels = c.target.startsWith('labels');
  const ignoreIndex = labels && c.ignore ? c.C : undefined;
  let target: Float32Array | Uint8Array | Uint16Array | Int32Array;
  if (labels) {
    const values = Array.from({ length: c.B * S }, () =>
      ignoreIndex !== undefined && random() < 0.2 ? ignoreIndex : Math.floor(random() * c.C),
    );
    target =
      c.target === 'labels-u8'
        ? offsetView(Uint8Array, values, 3)
        : c.target === 'labels-u16'
          ? offsetView(Uint16Array, values, 1)
          : offsetView(Int32Array, values, 2);
  } else if (c.target === 'u8') {
    target = offsetView(
      Uint8Array,
      Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0)),
      2,
    );
  } else {
    target = offsetView(
      Float32Array,
      Array.from({ length: n }, () => random()),
      1,
    );
  }
  const mask = c.mask
    ? offsetView(
        Uint8Array,
        Array.from({ length: c.B * S }, () => (random() < 0.25 ? 0 : 1)),
        5,
      )
    : undefined;
  const weight = c.weighted ? Array.from({ length: c.C }, () => 0.2 + random()) : undefined;
  return { random, S, shape, pred, labels, ignoreIndex, target, mask, weight };
}
