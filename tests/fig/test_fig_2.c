/* fig-2 (Orr et al. F-S1): the 4-bit codepoints for N(0,1) against their
 * closed forms, and the Monte-Carlo R of every codebook against R computed
 * here by exact integration over N(0,1) (closed-form cell moments), plus
 * the paper's legend.  One reduced run (2^20 samples) shared by the tests. */
#include <math.h>
#include <stdio.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "fig_run.h"
#include "suites.h"

#define LEVELS 16
#define CONFIG "seed = 1\ntrain_seed = 2\nsamples = 1048576\nbits = 4\n"

static const char *const CURVES[3] = {"crd-alpha-1", "crd-alpha-1-3", "lloyd-max"};

static qrd_test_fig fig;

static void sandbox_open(void)
{
  qrd_test_fig_open(&fig, "fig-2");
  qrd_test_fig_make(&fig, "", CONFIG);
}

static void sandbox_close(void) { qrd_test_fig_close(&fig); }

/* E (X - q)^2 over a < X <= b for X ~ N(0, 1):
 * (1 + q^2) P + a phi(a) - b phi(b) + 2 q (phi(b) - phi(a)). */
static double cell_sse(double a, double b, double q)
{
  double pa = isinf(a) ? 0.0 : gsl_ran_ugaussian_pdf(a);
  double pb = isinf(b) ? 0.0 : gsl_ran_ugaussian_pdf(b);
  double xa = isinf(a) ? 0.0 : a * pa, xb = isinf(b) ? 0.0 : b * pb;
  double p = gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
  return (1.0 + q * q) * p + xa - xb + 2.0 * q * (pb - pa);
}

/* R of nearest-level quantisation of N(0, 1) to levels q[0 .. n). */
static double exact_r(const double *q, size_t n)
{
  double sse = 0.0;
  for (size_t i = 0; i < n; i++) {
    double a = i ? 0.5 * (q[i - 1] + q[i]) : -INFINITY;
    double b = i + 1 < n ? 0.5 * (q[i] + q[i + 1]) : INFINITY;
    sse += cell_sse(a, b, q[i]);
  }
  return sqrt(sse);
}

/* density ∝ p^alpha of N(0, 1) is N(0, 1/alpha): Q_i = Phi^{-1}(i/17) / sqrt(alpha). */
START_TEST(test_crd_codepoints_closed_form)
{
  static const double alpha[2] = {1.0, 1.0 / 3.0};
  for (size_t c = 0; c < 2; c++) {
    double q[LEVELS];
    qrd_test_fig_curve(&fig, "codepoints", CURVES[c], "y", q, LEVELS);
    for (size_t i = 0; i < LEVELS; i++) {
      double want = gsl_cdf_ugaussian_Pinv((i + 1.0) / (LEVELS + 1.0)) / sqrt(alpha[c]);
      ck_assert_msg(fabs(q[i] - want) < 1e-9, "%s[%zu] = %.12f, closed form %.12f", CURVES[c],
                    i, q[i], want);
    }
  }
}
END_TEST

/* Every codebook's Monte-Carlo R within 3 SE of the exact integral, and
 * the exact values within rounding of the paper's legend. */
START_TEST(test_r_monte_carlo_vs_integral)
{
  static const double paper[3] = {0.206, 0.097, 0.097};
  double r[3], se[3];
  qrd_test_fig_curve(&fig, "r", "r", "y", r, 3);
  qrd_test_fig_curve(&fig, "r", "r", "y_err", se, 3);
  for (size_t c = 0; c < 3; c++) {
    double q[LEVELS];
    qrd_test_fig_curve(&fig, "codepoints", CURVES[c], "y", q, LEVELS);
    double exact = exact_r(q, LEVELS);
    ck_assert_msg(se[c] > 0 && fabs(r[c] - exact) <= 3.0 * se[c],
                  "%s: R %.5f +- %.5f, integral %.5f", CURVES[c], r[c], se[c], exact);
    ck_assert_msg(fabs(exact - paper[c]) <= 5e-4 + 3.0 * se[c], "%s: R %.5f, paper %.3f",
                  CURVES[c], exact, paper[c]);
  }
}
END_TEST

/* The density panel: N(0, 1) and N(0, 3) at x = -4 .. 4. */
START_TEST(test_density_closed_form)
{
  double x[161], pdf[161], cube[161];
  qrd_test_fig_curve(&fig, "density", "pdf", "x", x, 161);
  qrd_test_fig_curve(&fig, "density", "pdf", "y", pdf, 161);
  qrd_test_fig_curve(&fig, "density", "cube-root", "y", cube, 161);
  for (size_t i = 0; i < 161; i++) {
    ck_assert(fabs(pdf[i] - gsl_ran_gaussian_pdf(x[i], 1.0)) < 1e-15);
    ck_assert(fabs(cube[i] - gsl_ran_gaussian_pdf(x[i], sqrt(3.0))) < 1e-15);
  }
}
END_TEST

Suite *qrd_suite_fig2(void)
{
  Suite *s = suite_create("fig-2");
  TCase *tc = tcase_create("driver");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_crd_codepoints_closed_form);
  tcase_add_test(tc, test_r_monte_carlo_vs_integral);
  tcase_add_test(tc, test_density_closed_form);
  qrd_test_fig_add_checks(tc, &fig, "seed = 1\ntrain_seed = 2\nsamples = 100\nbits = 4\n",
                          "samples");
  suite_add_tcase(s, tc);
  return s;
}
