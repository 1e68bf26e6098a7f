/* Wishart sample covariance (1/T) sum x_t x_t^T, x_t ~ N(0, Sigma_0) with
 * Sigma_0 = AR(1) rho (I for rho = 0), and optionally dead features that are
 * 0 in every sample (the WaterSIC/HRQMM-II papers).  T < n gives a singular Sigma. */
#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"
#include "mc/sample.h"

/* Samples are drawn this many at a time (each block from its own stream),
 * which bounds the memory at large T without changing the result. */
#define BLOCK 512

static const qrd_param_def params[] = {
  {.name = "ratio", .def = 4.0, .min = 0.0, .max = 1e6, .min_open = 1,
   .doc = "samples per dimension T/n (T = max(1, round(ratio n)))"},
  {.name = "rho", .def = 0.0, .min = -1.0, .max = 1.0, .min_open = 1, .max_open = 1,
   .doc = "AR(1) correlation of Sigma_0 (0: Sigma_0 = I)"},
  {.name = "dead", .def = 0.0, .min = 0.0, .max = 1.0, .max_open = 1,
   .doc = "fraction of dead features (round(dead n), chosen at random)"},
};

/* S <- (1/T) X X^T accumulated over blocks X = L0 G, G Gaussian. */
static int accumulate(size_t n, size_t T, const double *L0, unsigned long seed,
                      double *G, double *S)
{
  memset(S, 0, n * n * sizeof *S);
  for (size_t b = 0, done = 0; done < T; b++, done += BLOCK) {
    size_t m = T - done < BLOCK ? T - done : BLOCK;
    int st = qrd_cov_gaussian(qrd_sample_stream(seed, b), 1.0, G, n * m);
    if (st)
      return st;
    if (L0)
      cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)n,
                  (int)m, 1.0, L0, (int)n, G, (int)n);
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, (int)n, (int)m, 1.0 / (double)T, G,
                (int)n, 1.0, S, (int)n);
  }
  qrd_cov_mirror_lower(n, S);
  return QRD_OK;
}

static int kill_features(size_t n, double dead, unsigned long seed, double *S)
{
  size_t k = (size_t)round(dead * (double)n);
  if (k == 0)
    return QRD_OK;
  size_t *idx = malloc(k * sizeof *idx);
  int st = idx ? qrd_cov_random_subset(n, k, seed, idx)
               : qrd_error_set(QRD_ENOMEM, "dead features");
  for (size_t t = 0; !st && t < k; t++)
    for (size_t i = 0; i < n; i++)
      S[idx[t] * n + i] = S[i * n + idx[t]] = 0.0;
  free(idx);
  return st;
}

static int build(const double *th, size_t n, unsigned long seed, double *S)
{
  size_t T = (size_t)fmax(1.0, round(th[0] * (double)n));
  size_t m = T < BLOCK ? T : BLOCK;
  double *G = malloc(n * m * sizeof *G), *L0 = NULL;
  int st = G ? QRD_OK : qrd_error_set(QRD_ENOMEM, "Wishart covariance of order %zu", n);
  if (!st && th[1] != 0.0) {
    if (!(L0 = malloc(n * n * sizeof *L0)))
      st = qrd_error_set(QRD_ENOMEM, "Wishart covariance of order %zu", n);
    if (!st) {
      qrd_cov_ar1_fill(n, th[1], S);
      st = qrd_cov_cholesky(n, S, L0);
    }
  }
  if (!st)
    st = accumulate(n, T, L0, qrd_sample_stream(seed, 0), G, S);
  if (!st)
    st = kill_features(n, th[2], qrd_sample_stream(seed, 1), S);
  free(G);
  free(L0);
  return st;
}

const qrd_cov_type qrd_cov_wishart = {
  .name = "wishart",
  .doc = "(1/T) sum x_t x_t^T, x_t ~ N(0, AR(1) rho), T = ratio n, round(dead n) dead",
  .n_param = 3, .param = params,
  .build = build,
};
