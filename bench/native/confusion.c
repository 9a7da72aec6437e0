/* Confusion counts of two u8 label maps with 4 classes. Per run of RUN voxels, one counting pass
 * per class in byte counters (gcc keeps them in byte lanes: a run adds at most RUN to any
 * counter), added to the u32 totals after each run. */
#include "ceiling.h"

#define C 4
#define RUN 240

double confusion4_u8(const uint8_t *pred, const uint8_t *truth, size_t n, uint32_t counts[12]) {
  for (int k = 0; k < 3 * C; k++) counts[k] = 0;
  size_t s0 = 0;
  for (; s0 + RUN <= n; s0 += RUN) {
    const uint8_t *pr = pred + s0, *tr = truth + s0;
    for (uint8_t c = 0; c < C; c++) {
      uint8_t tp = 0, predicted = 0, actual = 0;
#pragma omp simd reduction(+ : tp, predicted, actual)
      for (int i = 0; i < RUN; i++) {
        const uint8_t p = (uint8_t)(pr[i] ^ c) == 0, t = (uint8_t)(tr[i] ^ c) == 0;
        tp += p & t;
        predicted += p;
        actual += t;
      }
      counts[3 * c] += tp;
      counts[3 * c + 1] += predicted;
      counts[3 * c + 2] += actual;
    }
  }
  for (size_t i = s0; i < n; i++) {
    const uint8_t p = pred[i], t = truth[i];
    if (p < C) counts[3 * p + 1]++;
    if (t < C) counts[3 * t + 2]++;
    if (p == t && p < C) counts[3 * p]++;
  }
  return counts[0];
}
