/* Log-normal channel scales D^1/2 C D^1/2, D_i = exp(s N(0,1))
 * (the WaterSIC/HRQMM-II papers): C = AR(1) with rho (rho = 0: identity), or a random
 * correlation. */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"
#include "mc/sample.h"

static const qrd_param_def ar1_params[] = {
  {.name = "s", .def = 1.0, .min = 0.0, .max = 20.0, .doc = "sd of ln D_i"},
  {.name = "rho", .def = 0.0, .min = -1.0, .max = 1.0, .min_open = 1, .max_open = 1,
   .doc = "AR(1) correlation of C (0: C = I)"},
};

static const qrd_param_def random_params[] = {
  {.name = "s", .def = 1.0, .min = 0.0, .max = 20.0, .doc = "sd of ln D_i"},
};

static int channel_scales(size_t n, double s, unsigned long seed, double *v)
{
  int st = qrd_cov_gaussian(qrd_sample_stream(seed, 0), s, v, n);
  for (size_t i = 0; !st && i < n; i++)
    v[i] = exp(v[i]);
  return st;
}

/* S <- D^1/2 C D^1/2 for the C already in S. */
static int scale_by_channels(size_t n, double s, unsigned long seed, double *S)
{
  double *v = malloc(n * sizeof *v);
  if (!v)
    return qrd_error_set(QRD_ENOMEM, "log-normal covariance of order %zu", n);
  int st = channel_scales(n, s, seed, v);
  if (!st)
    qrd_cov_scale_sym(n, v, S);
  free(v);
  return st;
}

static int build_ar1(const double *th, size_t n, unsigned long seed, double *S)
{
  qrd_cov_ar1_fill(n, th[1], S);
  return scale_by_channels(n, th[0], seed, S);
}

/* L^T D^1/2 X, L AR(1)'s Cholesky factor: D^1/2 L is the Cholesky factor of
 * D^1/2 C D^1/2. */
static int root_ar1(const double *th, size_t n, unsigned long seed, size_t cols,
                    const double *X, double *Y, size_t *m, double *c)
{
  double *e = malloc(n * sizeof *e);
  if (!e)
    return qrd_error_set(QRD_ENOMEM, "log-normal covariance's root of order %zu", n);
  int st = channel_scales(n, th[0], seed, e);
  for (size_t i = 0; !st && i < n; i++)
    e[i] = sqrt(e[i]);
  if (!st)
    qrd_cov_ar1_root(n, th[1], e, cols, X, Y);
  free(e);
  *m = n;
  *c = 0.0;
  return st;
}

static int build_random(const double *th, size_t n, unsigned long seed, double *S)
{
  int st = qrd_cov_random_correlation(n, qrd_sample_stream(seed, 1), S);
  return st ? st : scale_by_channels(n, th[0], seed, S);
}

const qrd_cov_type qrd_cov_lognormal = {
  .name = "lognormal",
  .doc = "D^1/2 C D^1/2, D_i = exp(s z_i), C = AR(1) rho (I for rho = 0)",
  .n_param = 2, .param = ar1_params,
  .build = build_ar1,
  .root = root_ar1,
};

const qrd_cov_type qrd_cov_lognormal_random = {
  .name = "lognormal-random",
  .doc = "D^1/2 C D^1/2, D_i = exp(s z_i), C a random correlation",
  .n_param = 1, .param = random_params,
  .build = build_random,
};
