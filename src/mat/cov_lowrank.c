/* Low rank plus noise B B^T + eps I, B n x k iid N(0, 1/k): already
 * rotation-invariant, so rotations cannot help GPTQ. */
#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"
#include "mc/sample.h"

static const qrd_param_def params[] = {
  {.name = "frac", .def = 0.0625, .min = 0.0, .max = 1.0, .min_open = 1,
   .doc = "rank k / n (k = max(1, round(frac n)))"},
  {.name = "eps", .def = 1e-2, .min = 0.0, .max = 1e300, .doc = "noise variance"},
};

static size_t rank(const double *th, size_t n)
{
  return (size_t)fmax(1.0, round(th[0] * (double)n));
}

/* B (n x k) <- its draws. */
static int draw_b(size_t n, size_t k, unsigned long seed, double **B)
{
  *B = malloc(n * k * sizeof **B);
  return *B ? qrd_cov_gaussian(qrd_sample_stream(seed, 0), 1.0, *B, n * k)
            : qrd_error_set(QRD_ENOMEM, "low-rank covariance of order %zu", n);
}

static int build(const double *th, size_t n, unsigned long seed, double *S)
{
  size_t k = rank(th, n);
  double *B;
  int st = draw_b(n, k, seed, &B);
  if (!st) {
    qrd_cov_gram(n, k, B, S);
    for (size_t i = 0; i < n; i++)
      S[i * n + i] += th[1];
  }
  free(B);
  return st;
}

/* F = B / sqrt(k), c = eps. */
static int root(const double *th, size_t n, unsigned long seed, size_t cols, const double *X,
                double *Y, size_t *m, double *c)
{
  size_t k = rank(th, n);
  double *B;
  int st = draw_b(n, k, seed, &B);
  if (!st)
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, (int)cols, (int)n,
                1.0 / sqrt((double)k), B, (int)n, X, (int)n, 0.0, Y, (int)k);
  free(B);
  *m = k;
  *c = th[1];
  return st;
}

const qrd_cov_type qrd_cov_lowrank = {
  .name = "lowrank",
  .doc = "B B^T + eps I, B n x round(frac n) iid N(0, 1/k)",
  .n_param = 2, .param = params,
  .build = build,
  .root = root,
};
