/* fmt/element_eval.h and law/normalised_hist.h against independent values:
 * codepoint steps and R of CRDs on N(0,1) against closed forms, the
 * stretched-CRD evaluator against a codebook stretched by hand, and the
 * exact bin masses of block-normalised N(0,1) against the B = 2 closed
 * form F(x) = 1/4 + (atan x + pi/4)/pi of the non-maximum element. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "core/error.h"
#include "fmt/element_eval.h"
#include "law/normalised_hist.h"
#include "mc/sample.h"
#include "suites.h"

#define N 262144

/* Q_i = sqrt 3 Phi^{-1}(i/17) for the 4-bit Normal RMS CRD. */
START_TEST(test_steps_closed_form)
{
  qrd_crd_params p;
  qrd_element *e;
  double step[15];
  ck_assert_int_eq(qrd_crd_params_for_spec("gaussian", &p), QRD_OK);
  ck_assert_int_eq(qrd_element_crd(&p, 4.0, &e), QRD_OK);
  ck_assert_uint_eq(qrd_element_steps(e, step), 15);
  for (size_t i = 0; i < 15; i++) {
    double want = sqrt(3.0) * (gsl_cdf_ugaussian_Pinv((i + 2.0) / 17.0) -
                               gsl_cdf_ugaussian_Pinv((i + 1.0) / 17.0));
    ck_assert_double_eq_tol(step[i], want, 1e-9);
  }
  qrd_element_free(e);
}
END_TEST

/* A CRD stretched by n' = 1 is the CRD; by 2 it is a codebook with every
 * level doubled (evaluated by qrd_element_eval_all on a LUT). */
START_TEST(test_eval_scaled_matches_stretched_lut)
{
  qrd_dist d;
  qrd_crd_params p;
  qrd_element *e[2] = {NULL, NULL};
  qrd_scaling raw;
  qrd_block_sample *bs;
  double mult[2] = {1.0, 2.0}, twice[16];
  qrd_block_result r[2], direct[2];
  ck_assert_int_eq(qrd_dist_parse("gaussian", &d), QRD_OK);
  ck_assert_int_eq(qrd_crd_params_for_dist(&d, &p, NULL, NULL, 0), QRD_OK);
  ck_assert_int_eq(qrd_element_crd(&p, 4.0, &e[0]), QRD_OK);
  for (size_t i = 0; i < 16; i++)
    twice[i] = 2.0 * e[0]->cb->level[i];
  ck_assert_int_eq(qrd_element_lut(twice, 16, "twice", &e[1]), QRD_OK);
  double *x = qrd_sample_alloc(&d, 7, N);
  ck_assert_ptr_nonnull(x);
  ck_assert_int_eq(qrd_scaling_parse("none", "fp32", &raw), QRD_OK);
  ck_assert_int_eq(qrd_block_sample_alloc(x, N, &raw, -1.0, 1.0, 0.0, &bs), QRD_OK);
  ck_assert_int_eq(qrd_crd_eval_scaled(bs, &p, 4.0, mult, 2, r), QRD_OK);
  ck_assert_int_eq(qrd_element_eval_all(x, N, NULL, &raw, e, 2, direct), QRD_OK);
  for (size_t k = 0; k < 2; k++)
    ck_assert_double_eq_tol(r[k].rel_rmse, direct[k].rel_rmse, 1e-12);
  /* the 4-bit Normal CRD's R is 0.097 (Orr et al. F-S1 legend) */
  ck_assert_msg(fabs(r[0].rel_rmse - 0.097) < 5e-4 + 3.0 * r[0].rel_rmse_se, "R %g",
                r[0].rel_rmse);
  qrd_block_sample_free(bs);
  free(x);
  qrd_element_free(e[0]);
  qrd_element_free(e[1]);
}
END_TEST

/* B = 2: the non-maximum element's law is F(x) = 1/4 + (atan x + pi/4)/pi
 * on [-1, 1], plus the atoms 1/4 at each end (absmax). */
START_TEST(test_exact_bins_b2)
{
  double mass[8], total = 0.0;
  ck_assert_int_eq(qrd_normalised_exact(2.0, QRD_LAW_ABSMAX, 8, mass), QRD_OK);
  for (size_t k = 0; k < 8; k++) {
    double a = -1.0 + k / 4.0, b = a + 0.25;
    double want = (atan(b) - atan(a)) / M_PI + (k == 0 || k == 7 ? 0.25 : 0.0);
    ck_assert_double_eq_tol(mass[k], want, 1e-9);
    total += mass[k];
  }
  ck_assert_double_eq_tol(total, 1.0, 1e-9);
}
END_TEST

/* The histogram of a sample within 5 SE of the exact masses (B = 16). */
START_TEST(test_histogram_vs_exact)
{
  qrd_dist d;
  qrd_scaling sc;
  double frac[20], se[20], mass[20];
  ck_assert_int_eq(qrd_dist_parse("gaussian", &d), QRD_OK);
  ck_assert_int_eq(qrd_scaling_parse("signmax:16", "fp32", &sc), QRD_OK);
  double *x = qrd_sample_alloc(&d, 3, N);
  ck_assert_int_eq(qrd_normalised_histogram(x, N, &sc, 20, frac, se), QRD_OK);
  ck_assert_int_eq(qrd_normalised_exact(16.0, QRD_LAW_SIGNMAX, 20, mass), QRD_OK);
  ck_assert_double_lt(qrd_normalised_max_z(frac, se, mass, 20), 5.0);
  free(x);
}
END_TEST

Suite *qrd_suite_element_eval(void)
{
  Suite *s = suite_create("element_eval");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_steps_closed_form);
  tcase_add_test(tc, test_eval_scaled_matches_stretched_lut);
  tcase_add_test(tc, test_exact_bins_b2);
  tcase_add_test(tc, test_histogram_vs_exact);
  suite_add_tcase(s, tc);
  return s;
}
