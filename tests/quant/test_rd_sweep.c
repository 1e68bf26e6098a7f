/* quant/rd_sweep.h: the plan of a sweep against counts worked by hand, and
 * the bound curve against Shannon's D(R) = 2^{-2R} for a unit Gaussian. */
#include <math.h>

#include "core/error.h"
#include "law/registry.h"
#include "quant/rd_sweep.h"
#include "suites.h"

/* Rates 0.25 .. 2 step 0.25 give round(2^R) = 1, 1, 2, 2, 2, 3, 3, 4: a
 * fixed-length design is planned at the 4 distinct level counts, an
 * entropy-coded one capped at 1 bit at the 4 rates up to the cap. */
START_TEST(test_plan_counts)
{
  qrd_quantiser q[2];
  double rate[8], cap[2] = {INFINITY, 1.0};
  qrd_rd_sweep_point p[2 * 2 * 8];
  for (size_t i = 0; i < 8; i++)
    rate[i] = 0.25 * (double)(i + 1);
  ck_assert_int_eq(qrd_quantiser_parse("uniform", &q[0]), QRD_OK);
  ck_assert_int_eq(qrd_quantiser_parse("ecsq", &q[1]), QRD_OK);
  ck_assert_uint_eq(qrd_rd_sweep_plan(q, 2, 2, rate, 8, cap, p), 16);
  ck_assert_double_eq(p[3].target, 4.0);
  ck_assert_uint_eq(p[4].q, 1);
  ck_assert_double_eq(p[7].target, 1.0);
  ck_assert_uint_eq(p[8].d, 1);
}
END_TEST

START_TEST(test_bound_gaussian)
{
  qrd_dist d;
  double rate[3] = {1, 2, 4}, nmse[3];
  ck_assert_int_eq(qrd_dist_parse("gaussian", &d), QRD_OK);
  qrd_rd_bound_nmse(&d, rate, 3, nmse);
  for (size_t i = 0; i < 3; i++)
    ck_assert_double_eq_tol(nmse[i], exp2(-2.0 * rate[i]), 1e-12);
}
END_TEST

Suite *qrd_suite_rd_sweep(void)
{
  Suite *s = suite_create("rd_sweep");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_plan_counts);
  tcase_add_test(tc, test_bound_gaussian);
  suite_add_tcase(s, tc);
  return s;
}
