/* Timing of one GPTQ pass against the machine's dgemm rate.
 *
 *   gptq [n [rows [block]]]      (defaults 4096 4096 128)
 *
 * Prints tab-separated lines "bench <what> <value> <unit>":
 *   dgemm-square     GFLOP/s of C -= A B, all n x n (2 n^3 flops);
 *   dgemm-trailing   GFLOP/s of GPTQ's trailing updates alone: the same
 *                    dgemm shapes (rows x (n - i2) x block, one per block)
 *                    on buffers of the same size;
 *   gptq-prepare     seconds for damping, chol, inverse, chol;
 *   gptq-quantise    seconds for one pass at a fixed step, and its rate
 *                    rows n^2 / t (the flops of the trailing updates plus
 *                    the in-block rank-1 updates);
 *   block-update     dgemm-trailing / dgemm-square: the rate of GPTQ's lazy
 *                    block updates (its BLAS-3 part) against plain dgemm;
 *   fraction         gptq-quantise rate / dgemm-square and / dgemm-trailing:
 *                    the whole pass, per-column quantisation included.
 * Sigma is AR(1) with rho = 0.9 (the pass does not depend on its values),
 * W is Gaussian.  Each timing is the best of `REPEATS` interleaved runs. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/error.h"
#include "io/blasinfo.h"
#include "mat/matq.h"
#include "mc/sample.h"

#define REPEATS 3

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double time_square_dgemm(size_t n, double *A, double *B, double *C)
{
  double t = now();
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, -1.0, A,
              (int)n, B, (int)n, 1.0, C, (int)n);
  return now() - t;
}

/* GPTQ's trailing updates W[:, i2:] -= Err U[i1:i2, i2:] with the same
 * operand layout (U's block read transposed). */
static double time_trailing(size_t n, size_t rows, size_t block, double *W, const double *U)
{
  double t = now();
  for (size_t i1 = 0; i1 + block < n; i1 += block) {
    size_t i2 = i1 + block;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)rows, (int)(n - i2),
                (int)block, -1.0, W + i1 * rows, (int)rows, U + i2 + i1 * n, (int)n, 1.0,
                W + i2 * rows, (int)rows);
  }
  return now() - t;
}

static double trailing_flops(size_t n, size_t rows, size_t block)
{
  double f = 0.0;
  for (size_t i2 = block; i2 < n; i2 += block)
    f += 2.0 * (double)rows * (double)block * (double)(n - i2);
  return f;
}

static double fmin_of(double a, double b) { return a < b ? a : b; }

int main(int argc, char **argv)
{
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 4096;
  size_t rows = argc > 2 ? strtoul(argv[2], NULL, 10) : 4096;
  size_t block = argc > 3 ? strtoul(argv[3], NULL, 10) : 128;
  if (n < 2 || rows < 1 || block < 1) {
    fprintf(stderr, "usage: gptq [n [rows [block]]]\n");
    return 2;
  }
  qrd_dist g;
  double *W = NULL, *S = malloc(n * n * sizeof *S);
  double *A = malloc(n * n * sizeof *A), *B = malloc(n * n * sizeof *B);
  double *C = calloc(n * n, sizeof *C), *Wt = calloc(rows * n, sizeof *Wt);
  if (qrd_dist_parse("gaussian", &g) || !(W = qrd_sample_alloc(&g, 1, rows * n)) || !S || !A ||
      !B || !C || !Wt) {
    fprintf(stderr, "gptq bench: %s\n", qrd_error_detail());
    return 1;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      S[i * n + j] = pow(0.9, fabs((double)i - (double)j));
  for (size_t i = 0; i < n * n; i++)
    A[i] = B[i] = 1.0 / (double)(1 + i % 97);
  printf("bench\topenblas\t%s (%s, %d threads)\n", qrd_openblas_config(),
         qrd_openblas_corename(), qrd_openblas_threads());

  char spec[64];
  snprintf(spec, sizeof spec, "gptq:block=%zu", block);
  qrd_matq m;
  qrd_matq_work *w = qrd_matq_work_alloc(n, rows);
  qrd_matq_result *res = qrd_matq_result_alloc(n, rows);
  qrd_matq_problem p = {.rows = rows, .n = n, .W = W, .Sigma = S};
  if (qrd_matq_parse(spec, &m) || !w || !res) {
    fprintf(stderr, "gptq bench: %s\n", qrd_error_detail());
    return 1;
  }
  /* Interleaved, so that load from other processes hits every timing. */
  double t_sq = INFINITY, t_tr = INFINITY, t_prep = INFINITY, t_q = INFINITY;
  for (int k = 0; k < REPEATS; k++) {
    t_sq = fmin_of(t_sq, time_square_dgemm(n, A, B, C));
    t_tr = fmin_of(t_tr, time_trailing(n, rows, block, Wt, A));
    double t = now();
    int st = qrd_matq_prepare(&m, w, &p);
    t_prep = fmin_of(t_prep, now() - t);
    t = now();
    if (!st)
      st = qrd_matq_quantise(w, 0.1, res);
    t_q = fmin_of(t_q, now() - t);
    if (st) {
      fprintf(stderr, "gptq bench: %s\n", qrd_error_detail());
      return 1;
    }
  }
  double r_sq = 2.0 * pow((double)n, 3) / t_sq * 1e-9;
  double r_tr = trailing_flops(n, rows, block) / t_tr * 1e-9;
  printf("bench\tdgemm-square\t%.1f\tGFLOP/s\n", r_sq);
  printf("bench\tdgemm-trailing\t%.1f\tGFLOP/s\n", r_tr);
  double r_q = (double)rows * (double)n * (double)n / t_q * 1e-9;
  printf("bench\tgptq-prepare\t%.3f\ts (n = %zu)\n", t_prep, n);
  printf("bench\tgptq-quantise\t%.3f\ts (rows = %zu, n = %zu, block = %zu): %.1f GFLOP/s\n",
         t_q, rows, n, block, r_q);
  printf("bench\tblock-update\t%.2f\tof dgemm-square (GPTQ's trailing-update shapes)\n",
         r_tr / r_sq);
  printf("bench\tfraction\t%.2f\tof dgemm-square (%.2f of dgemm-trailing): the whole pass\n",
         r_q / r_sq, r_q / r_tr);
  qrd_matq_work_free(w);
  qrd_matq_result_free(res);
  free(W), free(S), free(A), free(B), free(C), free(Wt);
  return 0;
}
