/* Read bandwidth: the sum of n floats in 32 independent partial sums, so that the adds never
 * wait for one another and only the memory limits the speed. */
#include "ceiling.h"

#define LANES 32

double probe_sum(const float *a, size_t n) {
  float s[LANES] = {0};
  size_t i = 0;
  for (; i + LANES <= n; i += LANES) {
#pragma omp simd
    for (int j = 0; j < LANES; j++) s[j] += a[i + j];
  }
  double total = 0;
  for (int j = 0; j < LANES; j++) total += s[j];
  for (; i < n; i++) total += a[i];
  return total;
}
