/* Binary Dice, value and gradient: probabilities (f32 or u8 target) and logits (sigmoid). */
#include <math.h>
#include "ceiling.h"

/* Loss and gradient coefficients a, b (∂L/∂p = a·y + b) from the sums, smooth 1. */
static double coefficients(double I, double P, double G, float *a, float *b) {
  const double D = P + G + 1.0;
  *a = (float)(-2.0 / D);
  *b = (float)((2.0 * I + 1.0) / (D * D));
  return 1.0 - (2.0 * I + 1.0) / D;
}

double dice_binary_f32(const float *p, const float *y, float *out, size_t n) {
  float I = 0, P = 0, G = 0, a, b;
#pragma omp simd reduction(+ : I, P, G)
  for (size_t i = 0; i < n; i++) {
    I += p[i] * y[i];
    P += p[i];
    G += y[i];
  }
  const double loss = coefficients(I, P, G, &a, &b);
#pragma omp simd
  for (size_t i = 0; i < n; i++) out[i] = a * y[i] + b;
  return loss;
}

double dice_binary_u8(const float *p, const uint8_t *y, float *out, size_t n) {
  float I = 0, P = 0, G = 0, a, b;
#pragma omp simd reduction(+ : I, P, G)
  for (size_t i = 0; i < n; i++) {
    const float v = y[i];
    I += p[i] * v;
    P += p[i];
    G += v;
  }
  const double loss = coefficients(I, P, G, &a, &b);
#pragma omp simd
  for (size_t i = 0; i < n; i++) out[i] = a * (float)y[i] + b;
  return loss;
}

double dice_sigmoid_u8(const float *x, const uint8_t *y, float *out, size_t n) {
  float I = 0, P = 0, G = 0, a, b;
#pragma omp simd reduction(+ : I, P, G)
  for (size_t i = 0; i < n; i++) {
    const float p = 1.0f / (1.0f + expf(-x[i])), v = y[i];
    I += p * v;
    P += p;
    G += v;
  }
  const double loss = coefficients(I, P, G, &a, &b);
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const float s = 1.0f / (1.0f + expf(-x[i]));
    out[i] = (a * (float)y[i] + b) * s * (1.0f - s);
  }
  return loss;
}
