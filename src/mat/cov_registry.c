/* The list of covariance families.  Adding one: write src/mat/cov_NAME.c
 * defining `const qrd_cov_type qrd_cov_NAME`, then add it below.  (file: is
 * not a family of this list: it has a path instead of parameters.) */
#include "mat/cov.h"

extern const qrd_cov_type qrd_cov_identity;
extern const qrd_cov_type qrd_cov_ar1;
extern const qrd_cov_type qrd_cov_two_level;
extern const qrd_cov_type qrd_cov_power;
extern const qrd_cov_type qrd_cov_outliers;
extern const qrd_cov_type qrd_cov_outliers_corr;
extern const qrd_cov_type qrd_cov_lognormal;
extern const qrd_cov_type qrd_cov_lognormal_random;
extern const qrd_cov_type qrd_cov_lowrank;
extern const qrd_cov_type qrd_cov_wishart;
extern const qrd_cov_type qrd_cov_randcorr;

static const qrd_cov_type *const registry[] = {
  &qrd_cov_identity,
  &qrd_cov_ar1,
  &qrd_cov_two_level,
  &qrd_cov_power,
  &qrd_cov_outliers,
  &qrd_cov_outliers_corr,
  &qrd_cov_lognormal,
  &qrd_cov_lognormal_random,
  &qrd_cov_lowrank,
  &qrd_cov_wishart,
  &qrd_cov_randcorr,
};

size_t qrd_cov_count(void) { return sizeof registry / sizeof registry[0]; }

const qrd_cov_type *qrd_cov_type_at(size_t i)
{
  return i < qrd_cov_count() ? registry[i] : NULL;
}
