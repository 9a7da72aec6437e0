/* The native side of `npm run bench:ceiling`: a process that answers timing requests on stdin.
 *
 *   <case> <n> <calls>   →   <milliseconds per call> <loss>
 *
 * For a new (case, n) it makes that case's data (mulberry32 with the seeds of
 * bench/lib/ceiling-data.ts, so that both sides compute on the same numbers and their losses
 * can be compared) and makes one untimed call; then it times `calls` consecutive calls (warm).
 * n is the number of elements of pred (of each label map for confusion4-u8, of the array for
 * probe). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ceiling.h"

static uint32_t state;
static double next(void) { /* mulberry32, as test/support/random.ts */
  uint32_t t = state += 0x6d2b79f5u;
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

static void *pred, *target, *out;
static char current[64];
static size_t currentN;

static void *take(size_t bytes) {
  void *p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
  if (!p) { fprintf(stderr, "ceiling: out of memory\n"); exit(1); }
  memset(p, 0, bytes);
  return p;
}

static void uniform(float *a, size_t n, uint32_t seed, double scale, double shift) {
  state = seed;
  for (size_t i = 0; i < n; i++) a[i] = (float)(scale * next() + shift);
}

static void bytes(uint8_t *a, size_t n, uint32_t seed, int kind) { /* kind 0: 0/1, ~3/8 ones; else labels 0..kind−1 */
  state = seed;
  for (size_t i = 0; i < n; i++) {
    const double u = next();
    a[i] = kind == 0 ? u < 0.375 : (uint8_t)(u * kind);
  }
}

static int prepare(const char *name, size_t n) {
  free(pred); free(target); free(out);
  pred = target = out = NULL;
  if (!strcmp(name, "binary-f32")) {
    pred = take(4 * n); target = take(4 * n); out = take(4 * n);
    uniform(pred, n, 1, 1, 0);
    uint8_t *y = take(n);
    bytes(y, n, 2, 0);
    for (size_t i = 0; i < n; i++) ((float *)target)[i] = y[i];
    free(y);
  } else if (!strcmp(name, "binary-u8")) {
    pred = take(4 * n); target = take(n); out = take(4 * n);
    uniform(pred, n, 1, 1, 0); bytes(target, n, 2, 0);
  } else if (!strcmp(name, "sigmoid-u8")) {
    pred = take(4 * n); target = take(n); out = take(4 * n);
    uniform(pred, n, 3, 8, -4); bytes(target, n, 2, 0);
  } else if (!strcmp(name, "softmax4-nchw") || !strcmp(name, "softmax4-nhwc") || !strcmp(name, "dicece4-nchw")) {
    pred = take(4 * n); target = take(n / 4); out = take(4 * n);
    uniform(pred, n, 3, 8, -4); bytes(target, n / 4, 4, 4);
  } else if (!strcmp(name, "confusion4-u8")) {
    pred = take(n); target = take(n); out = take(64);
    bytes(pred, n, 5, 4); bytes(target, n, 6, 4);
  } else if (!strcmp(name, "probe")) {
    pred = take(4 * n); uniform(pred, n, 1, 1, 0);
  } else {
    return 0;
  }
  return 1;
}

static double call(const char *name, size_t n) {
  if (!strcmp(name, "binary-f32")) return dice_binary_f32(pred, target, out, n);
  if (!strcmp(name, "binary-u8")) return dice_binary_u8(pred, target, out, n);
  if (!strcmp(name, "sigmoid-u8")) return dice_sigmoid_u8(pred, target, out, n);
  if (!strcmp(name, "softmax4-nchw")) return dice_softmax4_nchw(pred, target, out, n / 4);
  if (!strcmp(name, "softmax4-nhwc")) return dice_softmax4_nhwc(pred, target, out, n / 4);
  if (!strcmp(name, "dicece4-nchw")) return dicece_softmax4_nchw(pred, target, out, n / 4);
  if (!strcmp(name, "confusion4-u8")) return confusion4_u8(pred, target, n, out);
  return probe_sum(pred, n);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

int main(void) {
  char name[64];
  size_t n, calls;
  while (scanf("%63s %zu %zu", name, &n, &calls) == 3) {
    if (strcmp(name, current) || n != currentN) {
      if (!prepare(name, n)) { printf("error unknown case %s\n", name); fflush(stdout); continue; }
      strcpy(current, name);
      currentN = n;
      call(name, n);
    }
    double loss = 0;
    const double t0 = now();
    for (size_t k = 0; k < calls; k++) loss = call(name, n);
    const double t1 = now();
    printf("%.9g %.17g\n", (t1 - t0) / (double)(calls ? calls : 1), loss);
    fflush(stdout);
  }
  return 0;
}
