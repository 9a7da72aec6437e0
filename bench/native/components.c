// The native ceiling of bench/components.bench.ts: connected-component labelling of one 3D byte
// mask by the same algorithm as assembly/components.ts (a two-pass union-find over the runs of
// the rows, runs found 64 bytes at a time with 128-bit SIMD), written in C for
// `gcc -O3 -msse4.1 -mno-avx` (WebAssembly's vector width).
//
// Usage: components MASK_FILE NX NY NZ CONNECTIVITY CALLS
// Labels the mask CALLS times (the first calls warm the caches and touch the output's pages)
// and prints, on one line, the component count, then the time of each call in milliseconds.
#include <smmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NONE = 0, STRICT = 1, EXTENDED = 2 };

typedef struct {
  int32_t *starts, *ends, *parents, *labels, *rowFirst;
} Runs;

typedef struct {
  int32_t size, x0, x1, y0, y1, z0, z1;
} Component;

static uint64_t nonZero64(const uint8_t *at) {
  const __m128i zero = _mm_setzero_si128();
  uint64_t b0 = (uint16_t)~_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)at), zero));
  uint64_t b1 = (uint16_t)~_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(at + 16)), zero));
  uint64_t b2 = (uint16_t)~_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(at + 32)), zero));
  uint64_t b3 = (uint16_t)~_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(at + 48)), zero));
  return b0 | (b1 << 16) | (b2 << 32) | (b3 << 48);
}

static int32_t countRuns(const uint8_t *mask, int32_t nx, int32_t rows) {
  int32_t count = 0;
  for (int32_t r = 0; r < rows; r++) {
    const uint8_t *row = mask + (size_t)r * nx;
    uint64_t carry = 0;
    int32_t x = 0;
    for (; x + 64 <= nx; x += 64) {
      uint64_t bits = nonZero64(row + x);
      count += __builtin_popcountll(bits & ~((bits << 1) | carry));
      carry = bits >> 63;
    }
    for (; x < nx; x++)
      if (row[x] && (x == 0 || !row[x - 1])) count++;
  }
  return count;
}

static inline int32_t addRun(Runs *runs, int32_t r, int32_t start, int32_t end) {
  runs->starts[r] = start;
  runs->ends[r] = end;
  runs->parents[r] = r;
  return r + 1;
}

static int32_t scanRow(Runs *runs, int32_t r, const uint8_t *row, int32_t nx) {
  int inside = 0;
  int32_t start = 0, x = 0;
  for (; x + 64 <= nx; x += 64) {
    uint64_t bits = nonZero64(row + x);
    uint64_t edges = bits ^ ((bits << 1) | (uint64_t)inside);
    while (edges) {
      int32_t at = x + __builtin_ctzll(edges);
      if (inside) r = addRun(runs, r, start, at);
      else start = at;
      inside = !inside;
      edges &= edges - 1;
    }
  }
  for (; x < nx; x++) {
    int set = row[x] != 0;
    if (set == inside) continue;
    if (inside) r = addRun(runs, r, start, x);
    else start = x;
    inside = set;
  }
  if (inside) r = addRun(runs, r, start, nx);
  return r;
}

static inline int32_t find(int32_t *parents, int32_t r) {
  int32_t p = parents[r];
  while (p != r) {
    int32_t grand = parents[p];
    parents[r] = grand;
    r = grand;
    p = parents[r];
  }
  return r;
}

static void uniteRows(Runs *runs, int32_t a, int32_t aEnd, int32_t b, int32_t bEnd, int touch) {
  const int32_t slack = touch == EXTENDED ? 1 : 0;
  for (; a < aEnd; a++) {
    const int32_t sa = runs->starts[a], ea = runs->ends[a] + slack;
    while (b < bEnd && runs->ends[b] + slack <= sa) b++;
    int32_t root = -1;
    for (int32_t k = b; k < bEnd && runs->starts[k] < ea; k++) {
      if (root < 0) root = find(runs->parents, a);
      const int32_t other = find(runs->parents, k);
      if (other < root) {
        runs->parents[root] = other;
        root = other;
      } else if (root < other) {
        runs->parents[other] = root;
      }
    }
  }
}

static void fill32(int32_t *out, int32_t from, int32_t to, int32_t v) {
  const __m128i splat = _mm_set1_epi32(v);
  int32_t x = from;
  for (; x + 8 <= to; x += 8) {
    _mm_storeu_si128((__m128i *)(out + x), splat);
    _mm_storeu_si128((__m128i *)(out + x + 4), splat);
  }
  for (; x < to; x++) out[x] = v;
}

static inline void fillSpill(int32_t *out, int32_t from, int32_t to, int32_t v) {
  const __m128i splat = _mm_set1_epi32(v);
  for (int32_t x = from; x < to; x += 4) _mm_storeu_si128((__m128i *)(out + x), splat);
}

/** Labels of the components in raster order of their first voxel; returns their number. */
static int32_t label(int32_t *labels, Component *stats, const uint8_t *mask, int32_t nx, int32_t ny, int32_t nz,
                     int connectivity, Runs *runs) {
  const int inPlane = connectivity == 6 ? STRICT : EXTENDED;
  const int below = connectivity == 6 ? STRICT : EXTENDED;
  const int diagonal = connectivity == 26 ? EXTENDED : connectivity == 18 ? STRICT : NONE;
  int32_t r = 0;
  for (int32_t z = 0; z < nz; z++) {
    for (int32_t y = 0; y < ny; y++) {
      const int32_t row = z * ny + y, first = r;
      runs->rowFirst[row] = first;
      r = scanRow(runs, r, mask + (size_t)row * nx, nx);
      if (r == first) continue;
      if (y > 0) uniteRows(runs, first, r, runs->rowFirst[row - 1], first, inPlane);
      if (z > 0) {
        const int32_t back = row - ny, backFirst = runs->rowFirst[back], backEnd = runs->rowFirst[back + 1];
        uniteRows(runs, first, r, backFirst, backEnd, below);
        if (diagonal != NONE) {
          if (y > 0) uniteRows(runs, first, r, runs->rowFirst[back - 1], backFirst, diagonal);
          if (y + 1 < ny) uniteRows(runs, first, r, backEnd, runs->rowFirst[back + 2], diagonal);
        }
      }
    }
  }
  const int32_t total = r;
  runs->rowFirst[ny * nz] = total;
  int32_t count = 0;
  for (int32_t k = 0; k < total; k++) {
    const int32_t p = runs->parents[k];
    if (p == k) {
      Component *c = &stats[count];
      c->size = 0;
      c->x0 = nx, c->x1 = 0, c->y0 = ny, c->y1 = 0, c->z0 = nz, c->z1 = 0;
      runs->labels[k] = ++count;
    } else {
      runs->labels[k] = runs->labels[p];
    }
  }
  for (int32_t z = 0; z < nz; z++) {
    for (int32_t y = 0; y < ny; y++) {
      const int32_t row = z * ny + y;
      for (int32_t k = runs->rowFirst[row]; k < runs->rowFirst[row + 1]; k++) {
        Component *c = &stats[runs->labels[k] - 1];
        const int32_t s = runs->starts[k], e = runs->ends[k];
        c->size += e - s;
        if (s < c->x0) c->x0 = s;
        if (e > c->x1) c->x1 = e;
        if (y < c->y0) c->y0 = y;
        if (y + 1 > c->y1) c->y1 = y + 1;
        if (z < c->z0) c->z0 = z;
        c->z1 = z + 1;
      }
    }
  }
  // Labels row by row, 4 at a time: a segment may spill up to 3 voxels past its end, which the
  // next segment overwrites; the last row exactly.
  const int32_t rows = ny * nz;
  for (int32_t row = 0; row < rows; row++) {
    int32_t *out = labels + (size_t)row * nx;
    int32_t x = 0;
    const int exact = row + 1 == rows;
    for (int32_t k = runs->rowFirst[row]; k < runs->rowFirst[row + 1]; k++) {
      const int32_t s = runs->starts[k], e = runs->ends[k];
      if (exact) {
        fill32(out, x, s, 0);
        fill32(out, s, e, runs->labels[k]);
      } else {
        fillSpill(out, x, s, 0);
        fillSpill(out, s, e, runs->labels[k]);
      }
      x = e;
    }
    if (exact) fill32(out, x, nx, 0);
    else fillSpill(out, x, nx, 0);
  }
  return count;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s MASK_FILE NX NY NZ CONNECTIVITY CALLS\n", argv[0]);
    return 2;
  }
  const int32_t nx = atoi(argv[2]), ny = atoi(argv[3]), nz = atoi(argv[4]);
  const int connectivity = atoi(argv[5]), calls = atoi(argv[6]);
  const size_t n = (size_t)nx * ny * nz;
  uint8_t *mask = malloc(n);
  FILE *file = fopen(argv[1], "rb");
  if (!file || fread(mask, 1, n, file) != n) {
    fprintf(stderr, "cannot read %zu bytes from %s\n", n, argv[1]);
    return 1;
  }
  fclose(file);
  int32_t *labels = malloc(n * sizeof(int32_t));
  // Work blocks kept between calls and grown when a call needs more, as the WebAssembly arena
  // keeps its memory: no call but the first pays for fresh pages.
  Runs runs = {0};
  Component *stats = NULL;
  int32_t held = -1;
  runs.rowFirst = malloc(((size_t)ny * nz + 1) * 4);
  int32_t count = 0;
  printf("components");
  for (int call = 0; call < calls; call++) {
    const double t0 = now();
    // Counted first, then sized, as the WebAssembly kernel's caller does.
    const int32_t capacity = countRuns(mask, nx, ny * nz);
    if (capacity > held) {
      free(runs.starts), free(runs.ends), free(runs.parents), free(runs.labels), free(stats);
      runs.starts = malloc((size_t)capacity * 4 + 4), runs.ends = malloc((size_t)capacity * 4 + 4);
      runs.parents = malloc((size_t)capacity * 4 + 4), runs.labels = malloc((size_t)capacity * 4 + 4);
      stats = malloc((size_t)capacity * sizeof(Component) + sizeof(Component));
      held = capacity;
    }
    count = label(labels, stats, mask, nx, ny, nz, connectivity, &runs);
    const double t1 = now();
    if (call == 0) printf(" %d times", count);
    printf(" %.4f", t1 - t0);
  }
  printf("\n");
  free(runs.starts), free(runs.ends), free(runs.parents), free(runs.labels), free(runs.rowFirst), free(stats);
  free(mask), free(labels);
  return 0;
}
