/* Softmax Dice over 4 classes from logits, u8 label map: channels first and last, and Dice +
 * cross-entropy. Pass 1 computes the softmax and the sums; pass 2 computes the softmax again and
 * writes ∂L/∂x_c = p_c·(g_c − Σ_k p_k·g_k) with g_c = ∂L/∂p_c = a_c·y_c + b_c. */
#include <math.h>
#include "ceiling.h"

#define C 4

/* Mean over the classes of 1 − (2I + 1)/(P + G + 1), and the a_c, b_c of its gradient. */
static double coefficients(const float I[C], const float P[C], const float G[C], float a[C], float b[C]) {
  double loss = 0;
  for (int c = 0; c < C; c++) {
    const double D = (double)P[c] + G[c] + 1.0, num = 2.0 * I[c] + 1.0;
    a[c] = (float)(-2.0 / D / C);
    b[c] = (float)(num / (D * D) / C);
    loss += (1.0 - num / D) / C;
  }
  return loss;
}

/* One voxel's softmax from its 4 logits, shifted by their max. */
static inline void softmax4(float x0, float x1, float x2, float x3, float *p0, float *p1, float *p2, float *p3) {
  const float m = fmaxf(fmaxf(x0, x1), fmaxf(x2, x3));
  const float e0 = expf(x0 - m), e1 = expf(x1 - m), e2 = expf(x2 - m), e3 = expf(x3 - m);
  const float r = 1.0f / (e0 + e1 + e2 + e3);
  *p0 = e0 * r;
  *p1 = e1 * r;
  *p2 = e2 * r;
  *p3 = e3 * r;
}

/* The sums of one voxel (p, label) into the class accumulators (written out so gcc keeps them in registers). */
#define ACCUMULATE(l)                                                                              \
  do {                                                                                             \
    const float y0 = (l) == 0, y1 = (l) == 1, y2 = (l) == 2, y3 = (l) == 3;                        \
    I0 += p0 * y0; I1 += p1 * y1; I2 += p2 * y2; I3 += p3 * y3;                                    \
    P0 += p0; P1 += p1; P2 += p2; P3 += p3;                                                        \
    G0 += y0; G1 += y1; G2 += y2; G3 += y3;                                                        \
  } while (0)

#define GRADIENT(l, o0, o1, o2, o3)                                                                \
  do {                                                                                             \
    const float g0 = a[0] * (float)((l) == 0) + b[0], g1 = a[1] * (float)((l) == 1) + b[1];        \
    const float g2 = a[2] * (float)((l) == 2) + b[2], g3 = a[3] * (float)((l) == 3) + b[3];        \
    const float t = p0 * g0 + p1 * g1 + p2 * g2 + p3 * g3;                                         \
    o0 = p0 * (g0 - t); o1 = p1 * (g1 - t); o2 = p2 * (g2 - t); o3 = p3 * (g3 - t);                \
  } while (0)

#define SUMS float I0 = 0, I1 = 0, I2 = 0, I3 = 0, P0 = 0, P1 = 0, P2 = 0, P3 = 0, G0 = 0, G1 = 0, G2 = 0, G3 = 0
#define REDUCTION reduction(+ : I0, I1, I2, I3, P0, P1, P2, P3, G0, G1, G2, G3)
#define GATHER const float I[C] = {I0, I1, I2, I3}, P[C] = {P0, P1, P2, P3}, G[C] = {G0, G1, G2, G3}

double dice_softmax4_nchw(const float *x, const uint8_t *labels, float *out, size_t S) {
  SUMS;
  float a[C], b[C];
#pragma omp simd REDUCTION
  for (size_t s = 0; s < S; s++) {
    float p0, p1, p2, p3;
    softmax4(x[s], x[S + s], x[2 * S + s], x[3 * S + s], &p0, &p1, &p2, &p3);
    ACCUMULATE(labels[s]);
  }
  GATHER;
  const double loss = coefficients(I, P, G, a, b);
#pragma omp simd
  for (size_t s = 0; s < S; s++) {
    float p0, p1, p2, p3;
    softmax4(x[s], x[S + s], x[2 * S + s], x[3 * S + s], &p0, &p1, &p2, &p3);
    GRADIENT(labels[s], out[s], out[S + s], out[2 * S + s], out[3 * S + s]);
  }
  return loss;
}

double dice_softmax4_nhwc(const float *x, const uint8_t *labels, float *out, size_t S) {
  SUMS;
  float a[C], b[C];
#pragma omp simd REDUCTION
  for (size_t s = 0; s < S; s++) {
    float p0, p1, p2, p3;
    const float *v = x + C * s;
    softmax4(v[0], v[1], v[2], v[3], &p0, &p1, &p2, &p3);
    ACCUMULATE(labels[s]);
  }
  GATHER;
  const double loss = coefficients(I, P, G, a, b);
#pragma omp simd
  for (size_t s = 0; s < S; s++) {
    float p0, p1, p2, p3;
    const float *v = x + C * s;
    softmax4(v[0], v[1], v[2], v[3], &p0, &p1, &p2, &p3);
    GRADIENT(labels[s], out[C * s], out[C * s + 1], out[C * s + 2], out[C * s + 3]);
  }
  return loss;
}

/* Dice + cross-entropy: L = Dice + mean over voxels of −log p_label; ∂CE/∂x_c = (p_c − y_c)/S. */
double dicece_softmax4_nchw(const float *x, const uint8_t *labels, float *out, size_t S) {
  SUMS;
  float a[C], b[C], ce = 0;
#pragma omp simd REDUCTION reduction(+ : ce)
  for (size_t s = 0; s < S; s++) {
    const float x0 = x[s], x1 = x[S + s], x2 = x[2 * S + s], x3 = x[3 * S + s];
    const float m = fmaxf(fmaxf(x0, x1), fmaxf(x2, x3));
    const float e0 = expf(x0 - m), e1 = expf(x1 - m), e2 = expf(x2 - m), e3 = expf(x3 - m);
    const float z = e0 + e1 + e2 + e3, r = 1.0f / z;
    const float p0 = e0 * r, p1 = e1 * r, p2 = e2 * r, p3 = e3 * r;
    const uint8_t l = labels[s];
    const float xl = l == 0 ? x0 : l == 1 ? x1 : l == 2 ? x2 : x3;
    ce += logf(z) + m - xl;
    ACCUMULATE(l);
  }
  GATHER;
  const double loss = coefficients(I, P, G, a, b) + (double)ce / (double)S;
  const float w = 1.0f / (float)S;
#pragma omp simd
  for (size_t s = 0; s < S; s++) {
    float p0, p1, p2, p3, o0, o1, o2, o3;
    softmax4(x[s], x[S + s], x[2 * S + s], x[3 * S + s], &p0, &p1, &p2, &p3);
    const uint8_t l = labels[s];
    GRADIENT(l, o0, o1, o2, o3);
    out[s] = o0 + w * (p0 - (float)(l == 0));
    out[S + s] = o1 + w * (p1 - (float)(l == 1));
    out[2 * S + s] = o2 + w * (p2 - (float)(l == 2));
    out[3 * S + s] = o3 + w * (p3 - (float)(l == 3));
  }
  return loss;
}
