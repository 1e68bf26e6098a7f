/* Sigma = I: every scheme coincides (the WaterSIC/HRQMM-II papers). */
#include <string.h>

#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"

static int build(const double *th, size_t n, unsigned long seed, double *S)
{
  (void)th;
  (void)seed;
  memset(S, 0, n * n * sizeof *S);
  for (size_t i = 0; i < n; i++)
    S[i * n + i] = 1.0;
  return QRD_OK;
}

const qrd_cov_type qrd_cov_identity = {
  .name = "identity",
  .doc = "I",
  .build = build,
};
