/* Outlier channels (the WaterSIC/HRQMM-II papers): (a) a diagonal with ceil(frac n)
 * coordinates at `value`, (b) S C S with C a random correlation and
 * S_ii = sqrt(value) on k channels.  The channels are drawn at random, so
 * that natural order meets them wherever LLM activations might put them. */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"
#include "mc/sample.h"

static const qrd_param_def diag_params[] = {
  {.name = "frac", .def = 0.01, .min = 0.0, .max = 1.0,
   .doc = "fraction of outlier coordinates (ceil(frac n) of them)"},
  {.name = "value", .def = 1000.0, .min = 0.0, .max = 1e300, .min_open = 1,
   .doc = "variance of an outlier coordinate (the others have 1)"},
};

static const qrd_param_def corr_params[] = {
  /* k = 0 would be a random correlation without outliers: randcorr */
  {.name = "k", .def = 5.0, .min = 1.0, .max = 1e9,
   .doc = "number of outlier channels, 1 to n (none: randcorr)"},
  {.name = "value", .def = 1000.0, .min = 0.0, .max = 1e300, .min_open = 1,
   .doc = "variance of an outlier channel (the others have 1)"},
};

/* v <- 1 everywhere except `value` on k <= n random channels. */
static int channel_variances(size_t n, size_t k, double value, unsigned long seed,
                             double *v)
{
  size_t *idx = malloc((k ? k : 1) * sizeof *idx);
  if (!idx)
    return qrd_error_set(QRD_ENOMEM, "outlier channels");
  int st = qrd_cov_random_subset(n, k, qrd_sample_stream(seed, 0), idx);
  for (size_t i = 0; !st && i < n; i++)
    v[i] = 1.0;
  for (size_t i = 0; !st && i < k; i++)
    v[idx[i]] = value;
  free(idx);
  return st;
}

static int build_diag(const double *th, size_t n, unsigned long seed, double *S)
{
  double *v = malloc(n * sizeof *v);
  if (!v)
    return qrd_error_set(QRD_ENOMEM, "outlier covariance of order %zu", n);
  /* The tolerance keeps e.g. 0.01 * 100 at 1 outlier despite rounding. */
  size_t k = (size_t)ceil(th[0] * (double)n - 1e-9);
  int st = channel_variances(n, k, th[1], seed, v);
  if (!st)
    qrd_cov_diagonal(n, v, S);
  free(v);
  return st;
}

static int build_corr(const double *th, size_t n, unsigned long seed, double *S)
{
  if (th[0] != floor(th[0]) || th[0] > (double)n)
    return qrd_error_set(QRD_EINVAL, "covariance family 'outliers-corr': k=%g outlier "
                         "channels (allowed: a whole number from 1 to n = %zu)", th[0], n);
  double *v = malloc(n * sizeof *v);
  if (!v)
    return qrd_error_set(QRD_ENOMEM, "outlier covariance of order %zu", n);
  int st = channel_variances(n, (size_t)th[0], th[1], seed, v);
  if (!st)
    st = qrd_cov_random_correlation(n, qrd_sample_stream(seed, 1), S);
  if (!st)
    qrd_cov_scale_sym(n, v, S);
  free(v);
  return st;
}

const qrd_cov_type qrd_cov_outliers = {
  .name = "outliers",
  .doc = "diagonal: ceil(frac n) random coordinates at value, the rest 1",
  .n_param = 2, .param = diag_params,
  .build = build_diag,
};

const qrd_cov_type qrd_cov_outliers_corr = {
  .name = "outliers-corr",
  .doc = "S C S: C random correlation, S_ii = sqrt(value) on k random channels",
  .n_param = 2, .param = corr_params,
  .build = build_corr,
};
