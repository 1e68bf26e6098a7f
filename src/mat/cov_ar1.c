/* AR(1): Sigma_ij = rho^|i-j|, with closed-form d (the WaterSIC/HRQMM-II papers). */
#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"

static const qrd_param_def params[] = {
  {.name = "rho", .def = 0.9, .min = -1.0, .max = 1.0, .min_open = 1, .max_open = 1,
   .doc = "correlation of neighbouring coordinates"},
};

static int build(const double *th, size_t n, unsigned long seed, double *S)
{
  (void)seed;
  qrd_cov_ar1_fill(n, th[0], S);
  return QRD_OK;
}

static int root(const double *th, size_t n, unsigned long seed, size_t cols, const double *X,
                double *Y, size_t *m, double *c)
{
  (void)seed;
  qrd_cov_ar1_root(n, th[0], NULL, cols, X, Y);
  *m = n;
  *c = 0.0;
  return QRD_OK;
}

const qrd_cov_type qrd_cov_ar1 = {
  .name = "ar1",
  .doc = "rho^|i-j|",
  .n_param = 1, .param = params,
  .build = build,
  .root = root,
};
