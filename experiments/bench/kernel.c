/* make bench: samples per second of the raw quantise-and-measure kernel.
 *
 * Two ways to get R of a 4-bit format on 2^24 Gaussian samples (block
 * absmax, B = 64, bf16 scales): the one-pass evaluator of fmt/block.h
 * (scale each block, quantise every sample through a cell table, sum
 * squared errors), and the sorted path (normalise and sort once, then
 * O(levels log N) per format).  Prints one TSV line per kernel: samples/s
 * for the one pass,
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
  qrd_block_direct f;
  qrd_block_result direct;
  double t0 = now();
  if (qrd_block_direct_init(&f, &sc, e) || qrd_block_eval_direct(x, N, BLOCK, &f, 1, &direct)) {
    fprintf(stderr, "bench: %s\n", qrd_error_detail());
    return 1;
  }
  double t1 = now();
  qrd_block_direct_free(&f);
  report("one pass: scale+quantise+measure", (double)N, t1 - t0, direct.rel_rmse);

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
