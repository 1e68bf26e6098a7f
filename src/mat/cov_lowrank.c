/* Low rank plus noise B B^T + eps I, B n x k iid N(0, 1/k): already
 * rotation-invariant, so rotations cannot help GPTQ. */
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

static int build(const double *th, size_t n, unsigned long seed, double *S)
{
  size_t k = (size_t)fmax(1.0, round(th[0] * (double)n));
  double *B = malloc(n * k * sizeof *B);
  int st = B ? qrd_cov_gaussian(qrd_sample_stream(seed, 0), 1.0, B, n * k)
             : qrd_error_set(QRD_ENOMEM, "low-rank covariance of order %zu", n);
  if (!st) {
    qrd_cov_gram(n, k, B, S);
    for (size_t i = 0; i < n; i++)
      S[i * n + i] += th[1];
  }
  free(B);
  return st;
}

const qrd_cov_type qrd_cov_lowrank = {
  .name = "lowrank",
  .doc = "B B^T + eps I, B n x round(frac n) iid N(0, 1/k)",
  .n_param = 2, .param = params,
  .build = build,
};
