#include "mc/stats.h"

#include <math.h>

void qrd_moments_mean_se(const qrd_moments *m, double *mean, double *se)
{
  double n = (double)m->n;
  *mean = m->sum / n;
  double var = (m->sum2 - m->sum * *mean) / (n - 1.0);
  *se = sqrt(fmax(var, 0.0) / n);
}

double qrd_jackknife_se(const double *loo, size_t stride, size_t n)
{
  if (n < 2)
    return NAN;
  double mean = 0.0, var = 0.0;
  for (size_t k = 0; k < n; k++)
    mean += loo[k * stride] / (double)n;
  for (size_t k = 0; k < n; k++)
    var += (loo[k * stride] - mean) * (loo[k * stride] - mean);
  return sqrt(var * (double)(n - 1) / (double)n);
}

void qrd_jackknife(qrd_jackknife_fn stat, void *ctx, size_t n, size_t dim, double *loo,
                   double *value, double *se)
{
  for (size_t k = 0; k < n; k++)
    stat(ctx, k, loo + k * dim);
  stat(ctx, n, value);
  for (size_t j = 0; j < dim; j++)
    se[j] = qrd_jackknife_se(loo + j, dim, n);
}

void qrd_mc_block_absmax_stats(const double *x, size_t n, size_t b, double *mean, double *se)
{
  qrd_moments m = {0};
  for (size_t k = 0; k < n / b; k++) {
    qrd_moments_add(&m, qrd_max_abs(x + k * b, b));
  }
  qrd_moments_mean_se(&m, mean, se);
}
