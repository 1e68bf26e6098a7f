/* Absmax-normalised histograms against the exact law (src/law/blockmax_hist.h),
 * checked against independent values: at B = 2 the other value over the
 * maximum is W1/|W2| given |W1| < |W2|, a Cauchy variable cut to (-1, 1),
 * so bin (a, b) has mass (atan b - atan a)/pi and f_2(x) = 1/(pi (1 + x^2));
 * bin counts by a direct comparison with the bin edges; batch statistics
 * of hand-made counts. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

#include "core/error.h"
#include "law/blockmax_hist.h"
#include "suites.h"

#define ASSERT_NEAR(x, ref, tol, what) \
  ck_assert_msg(fabs((x) - (ref)) <= (tol), "%s: %.12g, expected %.12g (tol %g)", what, \
                (double)(x), (double)(ref), (double)(tol))

#define BATCHES QRD_BLOCK_BATCHES
#define BINS 8

START_TEST(test_exact_b2)
{
  unsigned long count[BATCHES * BINS] = {0};
  double hist[BINS], se[BINS], exact[BINS], pdf[9];
  qrd_blockmax_hist h = {.bins = BINS, .hist = hist, .se = se, .exact = exact};
  ck_assert_int_eq(qrd_blockmax_hist_eval(count, 1, 2.0, 9, pdf, &h), QRD_OK);
  double width = 2.0 / BINS;
  for (size_t k = 0; k < BINS; k++) {
    double a = -1.0 + width * (double)k, b = a + width;
    double mass = (atan(b) - atan(a)) / M_PI + (k == 0 || k == BINS - 1 ? 0.25 : 0.0);
    ASSERT_NEAR(exact[k] * width, mass, 1e-9, "Cauchy mass + atom 1/(2B)");
  }
  for (size_t i = 1; i + 1 < 9; i++) {
    double x = qrd_blockmax_grid_point(9, i);
    ASSERT_NEAR(x, -1.0 + 0.25 * (double)i, 1e-15, "grid");
    ASSERT_NEAR(pdf[i], 1.0 / (M_PI * (1.0 + x * x)), 1e-9, "f_2");
  }
}
END_TEST

/* The bin of y found by walking the edges: the last bin is closed. */
static size_t bin_by_edges(double y, size_t bins)
{
  for (size_t k = 0; k + 1 < bins; k++)
    if (y < -1.0 + 2.0 * (double)(k + 1) / (double)bins)
      return k;
  return bins - 1;
}

START_TEST(test_count)
{
  enum { N = BATCHES * 12 };
  const unsigned long block[2] = {3, 4};
  double *x = malloc(N * sizeof *x);
  unsigned long *count[2] = {calloc(BATCHES * BINS, sizeof(unsigned long)),
                             calloc(BATCHES * BINS, sizeof(unsigned long))};
  unsigned long *want = calloc(BATCHES * BINS, sizeof *want);
  ck_assert(x && count[0] && count[1] && want);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  for (size_t i = 0; i < N; i++)
    x[i] = gsl_ran_ugaussian(rng);
  gsl_rng_free(rng);
  qrd_blockmax_count(x, N, block, 2, BINS, count);
  for (size_t j = 0; j < 2; j++) {
    size_t per = N / BATCHES, b = block[j];
    for (size_t k = 0; k < BATCHES * BINS; k++)
      want[k] = 0;
    for (size_t i = 0; i < N; i++) {
      double m = 0.0;
      for (size_t l = i / b * b; l < i / b * b + b; l++)
        m = fmax(m, fabs(x[l]));
      want[i / per * BINS + bin_by_edges(x[i] / m, BINS)]++;
    }
    for (size_t k = 0; k < BATCHES * BINS; k++)
      ck_assert_uint_eq(count[j][k], want[k]);
  }
  free(x);
  free(count[0]);
  free(count[1]);
  free(want);
}
END_TEST

START_TEST(test_density)
{
  /* Batches of 10 values: bin 0 holds 2 in every batch (fraction 0.2, no
   * spread), bin 1 alternately 1 and 3 (fractions 0.1, 0.3: mean 0.2,
   * sample variance 0.01 64/63). */
  unsigned long count[BATCHES * 2];
  for (size_t b = 0; b < BATCHES; b++) {
    count[b * 2] = 2;
    count[b * 2 + 1] = b % 2 ? 3 : 1;
  }
  double hist[2], se[2], exact[2] = {0.2, 0.1};
  qrd_blockmax_hist h = {.bins = 2, .hist = hist, .se = se, .exact = exact};
  qrd_blockmax_hist_density(count, 10, &h);
  ASSERT_NEAR(hist[0], 0.2, 1e-15, "constant bin");
  /* the variance is a difference of equal sums: zero up to rounding,
   * which the square root magnifies */
  ASSERT_NEAR(se[0], 0.0, 1e-7, "no spread");
  ASSERT_NEAR(hist[1], 0.2, 1e-15, "mean of 0.1 and 0.3");
  double want_se = sqrt(0.01 * 64.0 / 63.0 / 64.0);
  ASSERT_NEAR(se[1], want_se, 1e-12, "standard error");
  /* bin 0 without spread counts as z = 0, bin 1 has z = 0.1 / se */
  se[0] = 0.0;
  qrd_blockmax_hist_agreement(&h);
  double z = 0.1 / want_se;
  ASSERT_NEAR(h.max_z, z, 1e-9, "max z");
  ASSERT_NEAR(h.mean_z2, z * z / 2.0, 1e-9, "mean z^2");
}
END_TEST

Suite *qrd_suite_blockmax_hist(void)
{
  Suite *s = suite_create("blockmax_hist");
  TCase *tc = tcase_create("blockmax_hist");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_exact_b2);
  tcase_add_test(tc, test_count);
  tcase_add_test(tc, test_density);
  suite_add_tcase(s, tc);
  return s;
}
