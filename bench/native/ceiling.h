/* The native references of `npm run bench:ceiling` (bench/ceiling.bench.ts): the same work as
 * dice-wasm's kernels, written as a C programmer would for speed, so that the benchmark can say
 * how far the WebAssembly is from the native ceiling on this machine.
 *
 * Every value+gradient reference makes two passes, as the issue describing the ceiling asks:
 * pass 1 sums I = Σ p·y, P = Σ p and G = Σ y per class in f32 accumulators (gcc spreads them
 * over vector lanes: -ffast-math allows the reassociation), pass 2 writes the gradient, with the
 * activation computed again (expf and logf are glibc's vector versions, libmvec). The loss is
 * returned so that the benchmark can check it against dice-wasm's on the same data. */
#ifndef CEILING_H
#define CEILING_H
#include <stddef.h>
#include <stdint.h>

/* Binary Dice (one class, smooth 1), probabilities, dense 0/1 target. */
double dice_binary_f32(const float *p, const float *y, float *out, size_t n);
double dice_binary_u8(const float *p, const uint8_t *y, float *out, size_t n);
/* The same from logits: p = σ(x); pass 2 writes (a·y + b)·σ(1 − σ). */
double dice_sigmoid_u8(const float *x, const uint8_t *y, float *out, size_t n);
/* Softmax Dice over 4 classes (mean of the class losses, smooth 1), u8 label map of S voxels. */
double dice_softmax4_nchw(const float *x, const uint8_t *labels, float *out, size_t S);
double dice_softmax4_nhwc(const float *x, const uint8_t *labels, float *out, size_t S);
/* The same plus cross-entropy (mean over voxels), channels first (MONAI's DiceCELoss). */
double dicece_softmax4_nchw(const float *x, const uint8_t *labels, float *out, size_t S);
/* Confusion counts of two u8 label maps with 4 classes: tp, pred and target counts per class. */
double confusion4_u8(const uint8_t *pred, const uint8_t *truth, size_t n, uint32_t counts[12]);
/* Read bandwidth: the sum of n floats. */
double probe_sum(const float *a, size_t n);
#endif
