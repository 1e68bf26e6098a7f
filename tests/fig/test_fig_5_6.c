/* fig-5 and fig-6 (Orr et al. F-S4, F-S5), run as `make fig-N` runs them
 * (from the repository root, after `make test` has built the drivers), with
 * their HDF5 output checked against independent values:
 *   fig-5  every codepoint against the 5-decimal quantile tables of the CRD grids;
 *   fig-6  the exact bin masses against the closed forms for B = 2, 3
 *          (the law of the non-maximum element), total mass 1, and the Monte-Carlo histogram
 *          against the exact masses within a few standard errors. */
#include <math.h>
#include <stdio.h>

#include "fig_run.h"
#include "suites.h"


#define BINS 40

/* ---- fig-5 ---- */

static const char fig5_config[] =
  "seed = 1\nbits = 3\nblock = 64\nfamily = gaussian\n"
  "rows = rms-sym rms-asym absmax-sym absmax-asym signmax-asym\n";

/* The 5-decimal tables, 3-bit Normal rows (B = 64), in row order. */
static const struct {
  const char *curve;
  double level[8];
} fig5_expected[] = {
  {"rms-sym", {-2.11421, -1.32452, -0.74604, -0.24199, 0.24199, 0.74604, 1.32452, 2.11421}},
  {"rms-asym", {-1.99246, -1.16825, -0.5519, 0, 0.43881, 0.90829, 1.45773, 2.21971}},
  {"absmax-sym", {-1, -0.59703, -0.33149, -0.10697, 0.10697, 0.33149, 0.59703, 1}},
  {"absmax-asym", {-1, -0.54766, -0.25403, 0, 0.18871, 0.39228, 0.63606, 1}},
  {"signmax-asym", {-0.63606, -0.39228, -0.18871, 0, 0.18871, 0.39228, 0.63606, 1}},
};

START_TEST(test_fig5_matches_tables)
{
  qrd_test_fig fig;
  qrd_test_fig_open(&fig, "fig-5");
  qrd_test_fig_make(&fig, "", "%s", fig5_config);
  for (size_t r = 0; r < sizeof fig5_expected / sizeof fig5_expected[0]; r++) {
    double x[8], y[8];
    qrd_test_fig_curve(&fig, "codepoints", fig5_expected[r].curve, "x", x, 8);
    qrd_test_fig_curve(&fig, "codepoints", fig5_expected[r].curve, "y", y, 8);
    for (size_t i = 0; i < 8; i++) {
      /* the table is rounded to 5 decimals */
      ck_assert_msg(fabs(x[i] - fig5_expected[r].level[i]) <= 5e-6, "%s[%zu] = %.7f, table %.5f",
                    fig5_expected[r].curve, i, x[i], fig5_expected[r].level[i]);
      ck_assert_double_eq(y[i], (double)r);
    }
  }
  /* zeros: the three asymmetric rows */
  const double zero_rows[3] = {1, 3, 4};
  double zx[3], zy[3];
  qrd_test_fig_curve(&fig, "codepoints", "zero", "x", zx, 3);
  qrd_test_fig_curve(&fig, "codepoints", "zero", "y", zy, 3);
  for (size_t i = 0; i < 3; i++) {
    ck_assert_double_eq(zx[i], 0.0);
    ck_assert_double_eq(zy[i], zero_rows[i]);
  }
  qrd_test_fig_close(&fig);
}
END_TEST

/* ---- fig-6 ---- */

static void run_fig6(qrd_test_fig *fig, unsigned block, unsigned long samples)
{
  qrd_test_fig_make(fig, "", "seed = 1\nsamples = %lu\nblock = %u\nbins = %d\nscale = fp32\n"
                    "scalings = absmax signmax\n", samples, block, BINS);
}

/* Interior mass of the non-maximum elements below x (without the atom at
 * -1), in closed form: B = 2, F = 1/4 + (atan x + pi/4)/pi; B = 3,
 * F = 1/6 + (2/pi)(atan(x/sqrt(2+x^2)) + pi/6). */
static double closed_form_cdf(unsigned block, double x)
{
  if (block == 2)
    return atan(x) / M_PI;
  return 2.0 / M_PI * atan(x / sqrt(2.0 + x * x));
}

START_TEST(test_fig6_exact_closed_forms)
{
  qrd_test_fig fig;
  qrd_test_fig_open(&fig, "fig-6");
  for (unsigned block = 2; block <= 3; block++) {
    run_fig6(&fig, block, 2048ul * block);
    double m[BINS], s[BINS];
    qrd_test_fig_curve(&fig, "absmax", "exact", "y", m, BINS);
    qrd_test_fig_curve(&fig, "signmax", "exact", "y", s, BINS);
    for (size_t k = 0; k < BINS; k++) {
      double a = -1.0 + 2.0 * (double)k / BINS, b = a + 2.0 / BINS;
      double want = closed_form_cdf(block, b) - closed_form_cdf(block, a);
      double absmax_atom = (k == 0 || k == BINS - 1) ? 0.5 / block : 0.0;
      double signmax_atom = k == BINS - 1 ? 1.0 / block : 0.0;
      ck_assert_msg(fabs(m[k] - want - absmax_atom) < 1e-10, "B=%u bin %zu: %.15f vs %.15f",
                    block, k, m[k], want + absmax_atom);
      ck_assert_msg(fabs(s[k] - want - signmax_atom) < 1e-10, "B=%u bin %zu", block, k);
    }
    /* 2 ln(B/pi) <= 0: the model has no variance, so there is no curve */
    ck_assert(!qrd_test_fig_has(&fig, "/absmax/model"));
  }
  qrd_test_fig_close(&fig);
}
END_TEST

START_TEST(test_fig6_histogram_matches_exact)
{
  qrd_test_fig fig;
  qrd_test_fig_open(&fig, "fig-6");
  run_fig6(&fig, 64, 1ul << 22);
  for (int p = 0; p < 2; p++) {
    const char *panel = p ? "signmax" : "absmax";
    double h[BINS], se[BINS], e[BINS], model[BINS], sum_e = 0, sum_h = 0, sum_m = 0;
    qrd_test_fig_curve(&fig, panel, "histogram", "y", h, BINS);
    qrd_test_fig_curve(&fig, panel, "histogram", "y_err", se, BINS);
    qrd_test_fig_curve(&fig, panel, "exact", "y", e, BINS);
    qrd_test_fig_curve(&fig, panel, "model", "y", model, BINS);
    for (size_t k = 0; k < BINS; k++) {
      ck_assert_msg(fabs(h[k] - e[k]) < 4.5 * se[k], "%s bin %zu: %.6f +- %.6f vs exact %.6f",
                    panel, k, h[k], se[k], e[k]);
      sum_e += e[k];
      sum_h += h[k];
      sum_m += model[k];
    }
    ck_assert_msg(fabs(sum_e - 1.0) < 1e-9, "%s exact mass %.12f", panel, sum_e);
    ck_assert_msg(fabs(sum_h - 1.0) < 1e-12, "%s histogram mass %.15f", panel, sum_h);
    /* the model is a midpoint rule on a normalised density: close to 1 */
    ck_assert_msg(fabs(sum_m - 1.0) < 1e-3, "%s model mass %.6f", panel, sum_m);
  }
  qrd_test_fig_close(&fig);
}
END_TEST

Suite *qrd_suite_fig56(void)
{
  Suite *s = suite_create("fig56");
  TCase *tc = tcase_create("fig56");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_fig5_matches_tables);
  tcase_add_test(tc, test_fig6_exact_closed_forms);
  tcase_add_test(tc, test_fig6_histogram_matches_exact);
  suite_add_tcase(s, tc);
  return s;
}
