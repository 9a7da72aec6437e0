// Probabilities channels first for the losses that work on whole class volumes (the soft
// skeleton, the distance-weighted losses), and the activation's backward pass: lovasz.ts's two
// kernels, which know softmax and the identity, with the sigmoid added element by element.
import { ACT_NONE, ACT_SIGMOID } from "./constants";
import { sigmoid1 } from "./activation";
import { lovaszBackward, lovaszProbabilities } from "./lovasz";

/**
 * WRITES prob = act(pred) channels first (B·C·S f32, element (b, c, s) at (b·C + c)·S + s) for
 * pred in `layout`: softmax over the classes, sigmoid, or pred's values. `scratch` holds
 * scratchBytes(C) bytes.
 */
export function probabilities(prob: usize, pred: usize, B: i32, C: i32, S: i32, layout: i32, act: i32, scratch: usize): void {
  lovaszProbabilities(prob, pred, B, C, S, layout, act == ACT_SIGMOID ? ACT_NONE : act, scratch);
  if (act != ACT_SIGMOID) return;
  const n = <usize>B * <usize>C * <usize>S;
  for (let i: usize = 0; i < n; i++) store<f32>(prob + (i << 2), sigmoid1(load<f32>(prob + (i << 2))));
}

/**
 * WRITES out = J_act(dp) in pred's layout, dp being ∂L/∂p channels first (as prob) and scaled by
 * scale[b·C + c] (f64 per row), J_act the softmax Jacobian, σ' = p·(1 − p), or the identity. dp
 * is work space (overwritten). `scratch` holds scratchBytes(C) bytes.
 */
export function probabilitiesBackward(
  out: usize, dp: usize, prob: usize, scale: usize, B: i32, C: i32, S: i32, layout: i32, act: i32, scratch: usize,
): void {
  if (act == ACT_SIGMOID) {
    const n = <usize>B * <usize>C * <usize>S;
    for (let i: usize = 0; i < n; i++) {
      const at = i << 2, p = load<f32>(prob + at);
      store<f32>(dp + at, load<f32>(dp + at) * (p * (1 - p)));
    }
  }
  lovaszBackward(out, dp, prob, scale, B, C, S, layout, act == ACT_SIGMOID ? ACT_NONE : act, scratch);
}

/** WRITES out[s] = 1 where labels[s] == c, else 0, for s < n (one class of a label map, as f32). */
function labelVolume<T>(out: usize, labels: usize, n: i32, c: i32): void {
  const size = <usize>sizeof<T>();
  for (let s = 0; s < n; s++) store<f32>(out + (<usize>s << 2), <i32>load<T>(labels + <usize>s * size) == c ? 1 : 0);
}

/** WRITES out[s] = values[s·stride] as f32, for s < n (one class of a dense target). */
function denseVolume<T>(out: usize, values: usize, n: i32, stride: i32): void {
  const step = <usize>stride * sizeof<T>();
  for (let s = 0; s < n; s++) store<f32>(out + (<usize>s << 2), <f32>load<T>(values + <usize>s * step));
}

export function labelVolume_u8(out: usize, labels: usize, n: i32, c: i32): void {
  labelVolume<u8>(out, labels, n, c);
}
export function labelVolume_u16(out: usize, labels: usize, n: i32, c: i32): void {
  labelVolume<u16>(out, labels, n, c);
}
export function labelVolume_i32(out: usize, labels: usize, n: i32, c: i32): void {
  labelVolume<i32>(out, labels, n, c);
}
export function denseVolume_f32(out: usize, values: usize, n: i32, stride: i32): void {
  denseVolume<f32>(out, values, n, stride);
}
export function denseVolume_u8(out: usize, values: usize, n: i32, stride: i32): void {
  denseVolume<u8>(out, values, n, stride);
}
