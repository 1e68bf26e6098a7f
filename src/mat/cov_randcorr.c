/* Random correlation matrix, the building block for correlated
 * families (the WaterSIC/HRQMM-II papers). */
#include "mat/cov.h"
#include "mat/cov_impl.h"
#include "mc/sample.h"

static int build(const double *th, size_t n, unsigned long seed, double *S)
{
  (void)th;
  return qrd_cov_random_correlation(n, qrd_sample_stream(seed, 0), S);
}

const qrd_cov_type qrd_cov_randcorr = {
  .name = "randcorr",
  .doc = "diag(G)^-1/2 G diag(G)^-1/2, G = A A^T/(2n), A n x 2n Gaussian",
  .build = build,
};
