/* Two-level diagonal spectrum: GPTQ's excess 1/2 log2((1+eps)/(2 sqrt eps))
 * is unbounded as eps -> 0 (docs/methods-watersic.md). */
#include <stdlib.h>

#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"

static const qrd_param_def params[] = {
  {.name = "eps", .def = 1e-3, .min = 0.0, .max = 1e300, .min_open = 1,
   .doc = "variance of the first floor(n/2) coordinates (the rest have 1)"},
};

static int build(const double *th, size_t n, unsigned long seed, double *S)
{
  (void)seed;
  double *v = malloc(n * sizeof *v);
  if (!v)
    return qrd_error_set(QRD_ENOMEM, "two-level covariance of order %zu", n);
  for (size_t i = 0; i < n; i++)
    v[i] = i < n / 2 ? th[0] : 1.0;
  qrd_cov_diagonal(n, v, S);
  free(v);
  return QRD_OK;
}

const qrd_cov_type qrd_cov_two_level = {
  .name = "two-level",
  .doc = "diag(eps, ..., eps, 1, ..., 1), first half eps",
  .n_param = 1, .param = params,
  .build = build,
};
