/* make bench: samples per second of the raw quantise-and-measure kernel.
 *
 * Two ways to get R of a format on Gaussian samples (block absmax, B = 64,
 * bf16 scales): the one-pass evaluator of fmt/block.h (scale each block,
 * quantise every sample, sum squared errors), and the sorted path
 * (normalise and sort once, then O(levels log N) per format).  Sampling is
 * outside every timing.  TSV lines on stdout:
 *
 *   bench kernel bandwidth       bytes/s of a streaming read of 2^26 doubles
 *                                (the machine's memory bandwidth, all threads)
 *   bench kernel one-pass L      samples/s of the one pass with an L-level
 *                                INT code on 2^24 samples, and that rate's
 *                                bytes (8 per sample) as a fraction of the
 *                                bandwidth; "(chain)": the same code by the
 *                                compare chain (table over 32 levels) that
 *                                codes other than unit grids take
 *   bench kernel scaling N       the one pass (16 levels) on N = 2^20 ...
 *                                2^26 samples: seconds and samples/s
 *   bench kernel sorted ...      the sorted path: its one-off normalise+sort
 *                                and one format's evaluation, as samples/s
 *
 * Each time is the best of REPEATS runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <omp.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/block.h"
#include "fmt/element.h"
#include "mc/sample.h"

#define LOG2_N 24
#define LOG2_N_MAX 26
#define BLOCK 64
#define REPEATS 3
#define SORTED_REPEATS 2000

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(void)
{
  fprintf(stderr, "bench: %s\n", qrd_error_detail());
  return 1;
}

/* Bytes per second of summing n doubles, threads reading disjoint halves. */
static double bandwidth(const double *x, size_t n, double *sink)
{
  double best = INFINITY, s = 0.0;
  for (int r = 0; r < REPEATS; r++) {
    double t0 = now();
#pragma omp parallel for reduction(+ : s) schedule(static)
    for (size_t i = 0; i < n; i++)
      s += x[i];
    double t = now() - t0;
    best = t < best ? t : best;
  }
  *sink += s;
  return (double)n * sizeof *x / best;
}

/* Best seconds of the one pass of an L-level INT code over x[0..n-1],
 * by its unit grid or (chain) by the compare chain or cell table every
 * other code takes. */
static int one_pass(const double *x, size_t n, double bits, int chain, double *secs, double *r)
{
  qrd_scaling sc;
  qrd_element *e;
  if (qrd_scaling_parse("absmax:64", "bf16", &sc) || qrd_element_int(bits, 1, &e))
    return fail();
  qrd_block_direct f;
  if (qrd_block_direct_init(&f, &sc, e)) {
    qrd_element_free(e);
    return fail();
  }
  if (chain)
    f.grid = 0;
  qrd_block_result res;
  *secs = INFINITY;
  for (int k = 0; k < REPEATS; k++) {
    double t0 = now();
    if (qrd_block_eval_direct(x, n, BLOCK, &f, 1, &res)) {
      qrd_block_direct_free(&f);
      qrd_element_free(e);
      return fail();
    }
    double t = now() - t0;
    *secs = t < *secs ? t : *secs;
  }
  *r = res.rel_rmse;
  qrd_block_direct_free(&f);
  qrd_element_free(e);
  return 0;
}

static int sorted(const double *x, size_t n)
{
  qrd_scaling sc;
  qrd_element *e;
  qrd_block_sample *s;
  if (qrd_scaling_parse("absmax:64", "bf16", &sc) || qrd_element_int(4.0, 1, &e))
    return fail();
  double t0 = now();
  if (qrd_block_sample_alloc(x, n, &sc, e->lo, e->hi, 0.0, &s)) {
    qrd_element_free(e);
    return fail();
  }
  double t1 = now();
  printf("bench\tkernel\tsorted: normalise+sort (once)\t%.3g samples/s\n", (double)n / (t1 - t0));
  qrd_block_result res = {0};
  for (int k = 0; k < SORTED_REPEATS; k++)
    if (qrd_block_eval(s, e->cb, e->bits, &res)) {
      qrd_block_sample_free(s);
      qrd_element_free(e);
      return fail();
    }
  printf("bench\tkernel\tsorted: evaluate one format\t%.3g samples/s\t(R = %.5f)\n",
         (double)n * SORTED_REPEATS / (now() - t1), res.rel_rmse);
  qrd_block_sample_free(s);
  qrd_element_free(e);
  return 0;
}

int main(void)
{
  qrd_dist d;
  if (qrd_dist_parse("gaussian", &d))
    return fail();
  size_t n_max = (size_t)1 << LOG2_N_MAX, n = (size_t)1 << LOG2_N;
  double *x = qrd_sample_alloc(&d, 1, n_max);
  if (!x)
    return fail();
  double sink = 0.0, bw = bandwidth(x, n_max, &sink);
  printf("bench\tkernel\tbandwidth\t%.3g bytes/s\t(%d threads, read of %zu doubles%s)\n", bw,
         omp_get_max_threads(), n_max, sink == 0.0 ? ", sum 0" : "");
  static const double bits[] = {2, 3, 4, 5, 6};
  for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
    for (int chain = 0; chain < 2; chain++) {
      double t, r;
      if (one_pass(x, n, bits[i], chain, &t, &r))
        return 1;
      double rate = (double)n / t;
      printf("bench\tkernel\tone-pass %g levels%s\t%.3g samples/s\t%.2f of bandwidth\t(R = %.5f, "
             "%d threads)\n",
             exp2(bits[i]), chain ? " (chain)" : "", rate, rate * sizeof *x / bw, r,
             omp_get_max_threads());
    }
  }
  for (int k = 20; k <= LOG2_N_MAX; k++) {
    double t, r;
    if (one_pass(x, (size_t)1 << k, 4.0, 0, &t, &r))
      return 1;
    printf("bench\tkernel\tscaling 2^%d\t%.4f s\t%.3g samples/s\n", k, t,
           (double)((size_t)1 << k) / t);
  }
  int st = sorted(x, n);
  qrd_big_free(x);
  return st;
}
