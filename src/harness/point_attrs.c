#include "harness/point_attrs.h"

#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "mc/sample.h"

int qrd_matq_point_write_attrs(qrd_results *res, const qrd_cov *covs, size_t n_cov, size_t n,
                               size_t rows)
{
  char sigmas[QRD_CONFIG_MAX_LIST * 64] = "";
  for (size_t i = 0; i < n_cov; i++) {
    size_t l = strlen(sigmas);
    snprintf(sigmas + l, sizeof sigmas - l, "%s%s", i ? " " : "", covs[i].spec);
  }
  int st = qrd_results_attr_string(res, "sigmas", sigmas);
  if (!st)
    st = qrd_results_attr_string(res, "weights", "iid N(0, 1)");
  if (!st)
    st = qrd_results_attr_string(res, "reference", "reverse waterfilling on eig(Sigma)");
  if (!st)
    st = qrd_results_attr_double(res, "n", (double)n);
  if (!st)
    st = qrd_results_attr_double(res, "rows", (double)rows);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return st;
}
