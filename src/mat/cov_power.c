/* Power-law spectrum lambda_i = i^-beta, i = 1..n, on the diagonal
 * (haar=1 rotates it; the WaterSIC/HRQMM-II papers). */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"

static const qrd_param_def params[] = {
  {.name = "beta", .def = 1.0, .min = 0.0, .max = 100.0, .doc = "decay exponent"},
};

static int build(const double *th, size_t n, unsigned long seed, double *S)
{
  (void)seed;
  double *v = malloc(n * sizeof *v);
  if (!v)
    return qrd_error_set(QRD_ENOMEM, "power-law covariance of order %zu", n);
  for (size_t i = 0; i < n; i++)
    v[i] = pow((double)(i + 1), -th[0]);
  qrd_cov_diagonal(n, v, S);
  free(v);
  return QRD_OK;
}

const qrd_cov_type qrd_cov_power = {
  .name = "power",
  .doc = "diag(i^-beta), i = 1..n",
  .n_param = 1, .param = params,
  .build = build,
};
