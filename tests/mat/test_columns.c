/* Per-column rates against their predicted allocations (src/mat/columns.h)
 * checked against hand-computed values: the high-rate allocation and the
 * reverse-waterfilling water level of spectra that are powers of 2, histograms
 * counted by hand, and WaterSIC on a diagonal Sigma, whose d are exactly
 * the diagonal (no damping). */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "mat/columns.h"
#include "suites.h"

#define ASSERT_NEAR(x, ref, tol, what) \
  ck_assert_msg(fabs((x) - (ref)) <= (tol), "%s: %.12g, expected %.12g (tol %g)", what, \
                (double)(x), (double)(ref), (double)(tol))

/* d = 1, 4, 16, 64: GM(d) = 8, so R_i = R + 1/2 log2(d_i / 8) = R - 1.5,
 * R - 0.5, R + 0.5, R + 1.5. */
static const double D4[4] = {1.0, 4.0, 16.0, 64.0};

START_TEST(test_highrate)
{
  double pred[4];
  qrd_matq_columns_highrate(4, D4, 3.0, pred);
  for (int i = 0; i < 4; i++)
    ASSERT_NEAR(pred[i], 3.0 - 1.5 + i, 1e-12, "R + 1/2 log2(d_i/GM)");
}
END_TEST

START_TEST(test_waterfilling)
{
  /* At R = 3 every high-rate allocation is positive, so reverse
   * waterfilling gives them unchanged. */
  double alloc[4];
  ck_assert_int_eq(qrd_matq_columns_waterfilling(4, D4, 3.0, alloc), QRD_OK);
  for (int i = 0; i < 4; i++)
    ASSERT_NEAR(alloc[i], 1.5 + i, 1e-9, "all columns active");
  /* At R = 1/4 only d = 64 is above the water level theta: 1/2 log2(64 /
   * theta) / 4 = 1/4 gives theta = 16, and 1 bit for that column. */
  ck_assert_int_eq(qrd_matq_columns_waterfilling(4, D4, 0.25, alloc), QRD_OK);
  for (int i = 0; i < 4; i++)
    ASSERT_NEAR(alloc[i], i == 3 ? 1.0 : 0.0, 1e-9, "one active column");
}
END_TEST

START_TEST(test_histogram)
{
  /* [0, 1] in 4 bins; -1 and 1.0 are counted in the end bins. */
  const double v[6] = {-1.0, 0.0, 0.1, 0.5, 0.99, 1.0};
  const double want[4] = {3, 0, 1, 2}, centre[4] = {0.125, 0.375, 0.625, 0.875};
  double x[4], count[4];
  qrd_histogram(6, v, 0.0, 1.0, 4, x, count);
  for (int b = 0; b < 4; b++) {
    ASSERT_NEAR(count[b], want[b], 0.0, "count");
    ASSERT_NEAR(x[b], centre[b], 1e-15, "centre");
  }
}
END_TEST

START_TEST(test_column_histograms)
{
  /* Equal d: every prediction is the rate 2.5.  The common range is the
   * measured [1, 4] in 3 bins of width 1: measured 1 | 2 | 3, 4;
   * predicted all in the middle bin. */
  double h[4] = {1, 2, 3, 4}, d[4] = {2, 2, 2, 2}, pred[4], x[3], m[3], p[3];
  qrd_matq_columns c = {4, h, d, 2.5};
  qrd_matq_columns_hist out = {x, m, p, 0.0, 0.0};
  qrd_matq_columns_histogram(&c, 3, pred, &out);
  const double want_m[3] = {1, 1, 2}, want_p[3] = {0, 4, 0};
  for (int b = 0; b < 3; b++) {
    ASSERT_NEAR(x[b], 1.5 + b, 1e-15, "centre");
    ASSERT_NEAR(m[b], want_m[b], 0.0, "measured");
    ASSERT_NEAR(p[b], want_p[b], 0.0, "predicted");
  }
  ASSERT_NEAR(out.mean, 2.5, 1e-15, "mean");
  ASSERT_NEAR(out.top, 2.0, 0.0, "top");
}
END_TEST

START_TEST(test_diagonal)
{
  /* WaterSIC without damping on diag(0.5^k): its d are the eigenvalues
   * themselves, and at 4 bits the columns sit near R + 1/2 log2(d_k/GM). */
  qrd_matq m;
  qrd_matq_columns c;
  ck_assert_int_eq(qrd_matq_parse("watersic:damp=0", &m), QRD_OK);
  ck_assert_int_eq(qrd_matq_columns_alloc(4, &c), QRD_OK);
  ck_assert_int_eq(qrd_matq_columns_diagonal(&m, 20000, 0.5, 7, 4.0, &c), QRD_OK);
  double hr[4], wf[4], dev[4], mean = 0.0;
  ck_assert_int_eq(qrd_matq_columns_predict(&c, hr, wf, dev), QRD_OK);
  for (int k = 0; k < 4; k++) {
    ASSERT_NEAR(c.d[k], ldexp(1.0, -k), 1e-12, "d_k = lambda_k");
    ASSERT_NEAR(hr[k], c.rate + 0.5 * (1.5 - k), 1e-9, "GM = 2^-1.5");
    ASSERT_NEAR(c.h[k], hr[k], 0.05, "high-rate allocation");
    ASSERT_NEAR(dev[k], c.h[k] - wf[k], 0.0, "deviation");
    mean += c.h[k] / 4.0;
  }
  ASSERT_NEAR(c.rate, 4.0, 0.02, "tuned mean entropy");
  ASSERT_NEAR(mean, c.rate, 1e-9, "rate is the mean column entropy");
  qrd_matq_columns_free(&c);
}
END_TEST

Suite *qrd_suite_columns(void)
{
  Suite *s = suite_create("columns");
  TCase *tc = tcase_create("columns");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_highrate);
  tcase_add_test(tc, test_waterfilling);
  tcase_add_test(tc, test_histogram);
  tcase_add_test(tc, test_column_histograms);
  tcase_add_test(tc, test_diagonal);
  suite_add_tcase(s, tc);
  return s;
}
