/* make bench: samples per second of the raw quantise-and-measure kernel.
 *
 * Two ways to get R of a 4-bit format on 2^24 Gaussian samples (block
 * absmax, B = 64, bf16 scales): a direct pass that quantises every sample
 * (binary search on the edges) and sums squared errors, and the sorted
 * path of fmt/block.h (normalise and sort once, then O(levels log N) per
 * format).  Prints one TSV line per kernel: samples/s for the direct pass,
 * and for the sorted path both its one-off preparation and the
 * per-format evaluation, as equivalent samples/s (N / time per format). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <omp.h>

#include "core/error.h"
#include "fmt/block.h"
#include "fmt/element.h"
#include "mc/sample.h"

#define N ((size_t)1 << 24)
#define BLOCK 64
#define SORTED_REPEATS 2000

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The direct pass: every sample normalised by its block's bf16 absmax
 * scale, quantised and measured; R is returned so the work is kept. */
static double direct_pass(const double *x, const qrd_element *e, const qrd_scaling *sc)
{
  double sse = 0.0, sx2 = 0.0;
#pragma omp parallel for reduction(+ : sse, sx2) schedule(static)
  for (size_t b = 0; b < N; b += BLOCK) {
    double m = 0.0;
    for (size_t i = b; i < b + BLOCK; i++)
      m = fmax(m, fabs(x[i]));
    double s = qrd_scale_quantise(&sc->scale, m / fmin(-e->lo, e->hi));
    for (size_t i = b; i < b + BLOCK; i++) {
      double d = x[i] - s * qrd_element_quantise(e, x[i] / s);
      sse += d * d;
      sx2 += x[i] * x[i];
    }
  }
  return sqrt(sse / sx2);
}

static void report(const char *kernel, double samples, double seconds, double r)
{
  printf("bench\tkernel\t%s\t%.3g samples/s\t(R = %.5f, %d threads)\n", kernel,
         samples / seconds, r, omp_get_max_threads());
}

int main(void)
{
  qrd_dist d;
  qrd_scaling sc;
  qrd_element *e;
  if (qrd_dist_parse("gaussian", &d) || qrd_scaling_parse("absmax:64", "bf16", &sc) ||
      qrd_element_int(4.0, 1, &e)) {
    fprintf(stderr, "bench: %s\n", qrd_error_detail());
    return 1;
  }
  double *x = qrd_sample_alloc(&d, 1, N);
  if (!x) {
    fprintf(stderr, "bench: %s\n", qrd_error_detail());
    return 1;
  }
  double t0 = now(), r = direct_pass(x, e, &sc), t1 = now();
  report("direct quantise+measure", (double)N, t1 - t0, r);

  qrd_block_sample *s;
  if (qrd_block_sample_alloc(x, N, &sc, e->lo, e->hi, 0.0, &s)) {
    fprintf(stderr, "bench: %s\n", qrd_error_detail());
    return 1;
  }
  double t2 = now();
  report("sorted: normalise+sort (once)", (double)N, t2 - t1, NAN);
  qrd_block_result res = {0};
  for (int k = 0; k < SORTED_REPEATS; k++)
    if (qrd_block_eval(s, e->cb, e->bits, &res)) {
      fprintf(stderr, "bench: %s\n", qrd_error_detail());
      return 1;
    }
  report("sorted: evaluate one format", (double)N * SORTED_REPEATS, now() - t2, res.rel_rmse);
  qrd_block_sample_free(s);
  qrd_element_free(e);
  free(x);
  return 0;
}
