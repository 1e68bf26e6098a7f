/* fig-3 (Orr et al. F-S2): the driver's R values against the paper's
 * legend, its CRD steps against the exact codepoint tables
 * (quantiles to 5 decimals), and its refusal of sources without unit variance.
 * The driver runs once (2^20 samples) in a sandbox shared by the tests. */
#include <math.h>
#include <stdio.h>

#include "fig_run.h"
#include "suites.h"

#define N_STEPS 15
#define CONFIG \
  "seed = 1\ntrain_seed = 2\nsamples = 1048576\nbits = 4\nblock = 64\nscale = bf16\n" \
  "dists = %s\n"

static qrd_test_fig fig;

/* Runs the default figure once at 2^20 samples. */
static void sandbox_open(void)
{
  qrd_test_fig_open(&fig, "fig-3");
  qrd_test_fig_make(&fig, "", CONFIG, "gaussian laplace student-t:nu=7");
}

static void sandbox_close(void) { qrd_test_fig_close(&fig); }

/* The paper's legend (Orr et al. F-S2), normal, laplace, t7, each to 3
 * decimals: met within rounding + 4 SE (the paper used 2^22 draws from
 * another generator). */
START_TEST(test_legend_matches_paper)
{
  static const char *const curves[] = {"crd-rms", "lm-rms", "crd-absmax", "lm-absmax"};
  static const double paper[4][3] = {
    {0.097, 0.124, 0.125}, {0.097, 0.124, 0.123}, {0.089, 0.101, 0.098}, {0.089, 0.101, 0.098}};
  for (size_t c = 0; c < 4; c++) {
    double r[3], se[3];
    qrd_test_fig_curve(&fig, "legend", curves[c], "y", r, 3);
    qrd_test_fig_curve(&fig, "legend", curves[c], "y_err", se, 3);
    for (size_t d = 0; d < 3; d++) {
      ck_assert_msg(se[d] > 0 && se[d] < 0.01 * r[d], "%s[%zu]: SE %g", curves[c], d, se[d]);
      ck_assert_msg(fabs(r[d] - paper[c][d]) <= 5e-4 + 4.0 * se[d],
                    "%s[%zu]: R %.5f +- %.5f, paper %.3f", curves[c], d, r[d], se[d],
                    paper[c][d]);
    }
  }
}
END_TEST

/* Positive half of a symmetric 16-level table (5 decimals). */
typedef struct {
  const char *panel, *curve;
  double half[8];
} crd_table;

static const crd_table TABLES[] = {
  {"rms", "gaussian-crd",
   {0.12781, 0.38626, 0.65366, 0.93772, 1.24971, 1.6089, 2.05565, 2.71019}},
  {"rms", "laplace-crd",
   {0.1286, 0.41187, 0.73887, 1.12563, 1.59899, 2.20926, 3.06938, 4.53977}},
  {"absmax-b64", "gaussian-crd",
   {0.04977, 0.15032, 0.25403, 0.36357, 0.48273, 0.61761, 0.78008, 1}},
  {"absmax-b64", "laplace-crd",
   {0.03444, 0.1095, 0.19467, 0.29309, 0.40967, 0.55266, 0.73764, 1}},
  {"absmax-b64", "student-t-nu-7-crd",
   {0.04161, 0.12625, 0.21543, 0.31308, 0.42492, 0.56049, 0.73805, 1}},
};

/* CRD steps are the differences of the exact tables (two roundings of
 * 5e-6 each), and every step curve has 15 positive steps. */
START_TEST(test_crd_steps_match_tables)
{
  const crd_table *t = &TABLES[_i];
  double q[16], x[N_STEPS], y[N_STEPS];
  for (size_t i = 0; i < 8; i++) {
    q[8 + i] = t->half[i];
    q[7 - i] = -t->half[i];
  }
  qrd_test_fig_curve(&fig, t->panel, t->curve, "x", x, N_STEPS);
  qrd_test_fig_curve(&fig, t->panel, t->curve, "y", y, N_STEPS);
  for (size_t i = 0; i < N_STEPS; i++) {
    ck_assert_double_eq(x[i], (double)i);
    ck_assert_msg(fabs(y[i] - (q[i + 1] - q[i])) < 1.1e-5, "%s/%s step %zu: %.6f, table %.6f",
                  t->panel, t->curve, i, y[i], q[i + 1] - q[i]);
  }
}
END_TEST

START_TEST(test_lm_steps_positive)
{
  static const char *const panels[] = {"rms", "absmax-b64"};
  static const char *const dists[] = {"gaussian", "laplace", "student-t-nu-7"};
  for (size_t p = 0; p < 2; p++)
    for (size_t d = 0; d < 3; d++) {
      char curve[64];
      double y[N_STEPS];
      snprintf(curve, sizeof curve, "%s-lm", dists[d]);
      qrd_test_fig_curve(&fig, panels[p], curve, "y", y, N_STEPS);
      for (size_t i = 0; i < N_STEPS; i++)
        ck_assert_msg(y[i] > 0, "%s/%s step %zu = %g", panels[p], curve, i, y[i]);
    }
}
END_TEST

/* The RMS CRDs assume unit variance: a scale-1 Laplace is refused with a
 * one-line error naming the config key, and no output is written. */
START_TEST(test_rejects_non_unit_variance)
{
  qrd_test_fig_write(&fig, "bad.cfg", CONFIG, "gaussian laplace:scale=1");
  qrd_test_fig_rejects(&fig, "bad.cfg", "dists", "unit variance", NULL);
}
END_TEST

Suite *qrd_suite_fig3(void)
{
  Suite *s = suite_create("fig-3");
  TCase *tc = tcase_create("driver");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_legend_matches_paper);
  tcase_add_loop_test(tc, test_crd_steps_match_tables, 0,
                      (int)(sizeof TABLES / sizeof TABLES[0]));
  tcase_add_test(tc, test_lm_steps_positive);
  tcase_add_test(tc, test_rejects_non_unit_variance);
  suite_add_tcase(s, tc);
  return s;
}
