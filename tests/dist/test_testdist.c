/* The test-only family (tests/dist/dist_gengauss.c, registered by
 * tests/dist/registry_test.c) through the test variants of the programs in
 * QRD_TEST_BUILD/testbin/: a family with no closed form at all must work
 * wherever the three built-in ones do, on the generic (quadrature) paths.
 * Checks are against closed forms of the generalised Gaussian and against
 * computations written here directly on GSL. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>

#include "cli_run.h"
#include "fig_run.h"
#include "suites.h"

#define TESTBIN "./" QRD_TEST_BUILD "/testbin"
#define BETA 1.5
#define DIST "gengauss:beta=1.5"

/* E|X| of the unit-variance generalised Gaussian:
 * Gamma(2/beta) / sqrt(Gamma(1/beta) Gamma(3/beta)). */
static double mean_abs(double beta)
{
  return exp(gsl_sf_lngamma(2.0 / beta)
             - 0.5 * (gsl_sf_lngamma(1.0 / beta) + gsl_sf_lngamma(3.0 / beta)));
}

/* ---- TSV output of the programs ---- */

/* Field `column` of data row `row` (1 = the first after the header). */
static double tsv_value(const char *text, size_t row, const char *column)
{
  const char *line = text;
  int col = -1, k = 0;
  for (const char *p = text; *p && *p != '\n'; k++) {
    size_t n = strcspn(p, "\t\n");
    if (n == strlen(column) && strncmp(p, column, n) == 0)
      col = k;
    p += n + (p[n] == '\t');
  }
  ck_assert_msg(col >= 0, "no column %s in '%s'", column, text);
  for (size_t r = 0; r < row; r++) {
    line = strchr(line, '\n');
    ck_assert_msg(line && line[1], "no row %zu in '%s'", row, text);
    line++;
  }
  for (int c = 0; c < col; c++) {
    line = strpbrk(line, "\t\n");
    ck_assert_msg(line && *line == '\t', "row %zu has no column %s", row, column);
    line++;
  }
  char *end;
  double v = strtod(line, &end);
  ck_assert_msg(end != line, "column %s of row %zu is not a number", column, row);
  return v;
}

/* stdout of `TESTBIN/qrd ARGS`, which must succeed quietly. */
static char *qrd_ok(const char *args)
{
  qrd_run_result r = qrd_test_run(TESTBIN "/qrd %s", args);
  ck_assert_msg(r.status == 0 && r.err[0] == '\0', "qrd %s: status %d, stderr '%s'", args,
                r.status, r.err);
  char *out = r.out;
  r.out = NULL;
  qrd_test_run_free(&r);
  return out;
}

/* ---- qrd ---- */

/* The family is listed, and `qrd eval` under the exact block law agrees
 * with its Monte Carlo estimate. */
START_TEST(test_eval_exact_vs_mc)
{
  char *out = qrd_ok("dists");
  ck_assert_msg(strstr(out, "\ngengauss\t"), "gengauss not listed: '%s'", out);
  free(out);
  char *exact = qrd_ok("eval --dist " DIST " --quantiser nf4 --scaling absmax:64 "
                       "--metric rel_rmse,l2");
  char *mc = qrd_ok("eval --dist " DIST " --quantiser nf4 --scaling absmax:64 "
                    "--metric rel_rmse,l2 --samples 1048576");
  static const char *const metric[] = {"rel_rmse", "l2", "entropy"};
  for (size_t k = 0; k < 3; k++) {
    char se[32];
    snprintf(se, sizeof se, "%s_se", metric[k]);
    double x = tsv_value(exact, 1, metric[k]), y = tsv_value(mc, 1, metric[k]);
    double s = tsv_value(mc, 1, se);
    ck_assert_msg(fabs(x - y) <= 4.0 * s, "%s: exact %.8g, Monte Carlo %.8g +- %.2g",
                  metric[k], x, y, s);
  }
  free(exact);
  free(mc);
}
END_TEST

/* Exact designs on the generic quadrature: Lloyd-Max at 2 levels is
 * +-E|X| with MSE 1 - (E|X|)^2; 3 levels and uniform-ec at every rate from
 * 1 to 8 bits design without round-off failures; uniform-ec at 8 bits sits
 * at the high-rate gap 1/2 log2(2 pi e / 12). */
START_TEST(test_exact_designs)
{
  double m = mean_abs(BETA);
  char *out = qrd_ok("eval --dist " DIST " --quantiser lloyd-max --levels 2,3");
  ck_assert_double_eq_tol(tsv_value(out, 1, "mse"), 1.0 - m * m, 1e-9);
  ck_assert(tsv_value(out, 2, "mse") < 1.0 - m * m);
  free(out);
  out = qrd_ok("eval --dist " DIST " --quantiser uniform-ec --rate 1,2,3,4,5,6,7,8");
  for (size_t r = 1; r <= 8; r++)
    ck_assert_double_eq_tol(tsv_value(out, r, "entropy"), (double)r, 1e-6);
  free(out);
  out = qrd_ok("gap --dist " DIST " --quantiser uniform-ec --rate 8");
  ck_assert_double_eq_tol(tsv_value(out, 1, "gap"), 0.5 * log2(2.0 * M_PI * M_E / 12.0), 1e-3);
  free(out);
}
END_TEST

/* ---- figure drivers ---- */

/* Runs TESTBIN/<name> on `config` in a sandbox; f->h5 holds the results. */
static void fig_make(qrd_test_fig *f, const char *name, const char *config)
{
  snprintf(f->name, sizeof f->name, "%s", name);
  snprintf(f->dir, sizeof f->dir, "/tmp/qrd-test-%s-XXXXXX", name);
  ck_assert_ptr_nonnull(mkdtemp(f->dir));
  snprintf(f->h5, sizeof f->h5, "%s/%s.h5", f->dir, name);
  qrd_test_fig_write(f, "config.cfg", "%s", config);
  qrd_run_result r = qrd_test_run(TESTBIN "/%s --config %s/config.cfg --out %s --quiet",
                                  name, f->dir, f->h5);
  ck_assert_msg(r.status == 0, "%s: status %d, stderr '%s'", name, r.status, r.err);
  qrd_test_run_free(&r);
}

/* fig-1 at three rates: the Lloyd-Max point at 1 bit is the closed form. */
START_TEST(test_fig1)
{
  qrd_test_fig f;
  fig_make(&f, "fig-1", "seed = 1\ndists = " DIST "\nquantisers = lloyd-max uniform-ec crd\n"
                        "rate_min = 1\nrate_max = 3\nrate_step = 1\necsq_rate_max = 2\n");
  double x[3], y[3], m = mean_abs(BETA);
  qrd_test_fig_curve(&f, "gengauss-beta-1-5-nmse", "lloyd-max", "x", x, 3);
  qrd_test_fig_curve(&f, "gengauss-beta-1-5-nmse", "lloyd-max", "y", y, 3);
  ck_assert_double_eq(x[0], 1.0);
  ck_assert_double_eq_tol(y[0], 1.0 - m * m, 1e-9);
  qrd_test_fig_close(&f);
}
END_TEST

/* ---- an independent block CRD ---- */

typedef struct {
  double m, alpha, target, z;
} crd_ref;

/* 1 - (1 - 2 sf(x))^64: the tail of the block maximum of 64 values. */
static double max_tail(double x, void *params)
{
  (void)params;
  return 1.0 - pow(1.0 - 2.0 * gsl_cdf_exppow_Q(x, 1.0, BETA), 64.0);
}

static double power(double y, void *params)
{
  const crd_ref *c = params;
  return pow(gsl_ran_exppow_pdf(c->m * y, 1.0, BETA), c->alpha);
}

static double integral(gsl_function *fn, double a, double b, int upper)
{
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
  double v, err;
  int st = upper ? gsl_integration_qagiu(fn, a, 1e-14, 1e-12, 1000, w, &v, &err)
                 : gsl_integration_qags(fn, a, b, 1e-14, 1e-12, 1000, w, &v, &err);
  gsl_integration_workspace_free(w);
  ck_assert_int_eq(st, GSL_SUCCESS);
  return v;
}

static double mass_below(double x, void *params)
{
  crd_ref *c = params;
  gsl_function fn = {power, c};
  return integral(&fn, -1.0, x, 0) / c->z - c->target;
}

/* The second codepoint of the 4-bit symmetric absmax CRD at B = 64: the
 * point below which p(M y)^(1/3) on [-1, 1] has mass 1/15, M the exact
 * E max|X| of 64 values (scale-free, so at the standard form's scale). */
static double second_codepoint(void)
{
  crd_ref c = {.alpha = 1.0 / 3.0, .target = 1.0 / 15.0};
  gsl_function tail = {max_tail, NULL}, fn = {power, &c};
  c.m = integral(&tail, 0.0, 0.0, 1);
  c.z = integral(&fn, -1.0, 1.0, 0);
  gsl_function residual = {mass_below, &c};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  gsl_root_fsolver_set(s, &residual, -1.0, 0.0);
  double x = 0.0;
  for (int i = 0; i < 200; i++) {
    gsl_root_fsolver_iterate(s);
    x = gsl_root_fsolver_root(s);
    if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                               1e-14, 0.0) == GSL_SUCCESS)
      break;
  }
  gsl_root_fsolver_free(s);
  return x;
}

/* fig-3 with the family as its source: the block CRD's first step
 * Q_1 - Q_0 = Q_1 + 1 against the computation above. */
START_TEST(test_fig3_block_crd)
{
  qrd_test_fig f;
  fig_make(&f, "fig-3", "seed = 1\ntrain_seed = 2\nsamples = 1048576\nbits = 4\nblock = 64\n"
                        "scale = fp32\ndists = " DIST "\n");
  double step[15];
  qrd_test_fig_curve(&f, "absmax-b64", "gengauss-beta-1-5-crd", "y", step, 15);
  gsl_set_error_handler_off();
  double want = second_codepoint() + 1.0;
  ck_assert_msg(fabs(step[0] - want) <= 1e-8, "first step %.12g, independent %.12g", step[0],
                want);
  qrd_test_fig_close(&f);
}
END_TEST

/* fig-4: the exact E max|X| within a few standard errors of the Monte
 * Carlo mean, and no model curve for a family without a closed form. */
START_TEST(test_fig4_block_max)
{
  qrd_test_fig f;
  fig_make(&f, "fig-4", "seed = 1\nsamples = 1048576\nblock_min = 4\nblock_max = 256\n"
                        "light = " DIST "\nheavy = student-t:nu=5\n");
  double mc[7], se[7], exact[7];
  qrd_test_fig_curve(&f, "light", "gengauss-beta-1-5", "y", mc, 7);
  qrd_test_fig_curve(&f, "light", "gengauss-beta-1-5", "y_err", se, 7);
  qrd_test_fig_curve(&f, "light", "gengauss-beta-1-5-exact", "y", exact, 7);
  for (size_t j = 0; j < 7; j++)
    ck_assert_msg(fabs(mc[j] - exact[j]) <= 4.0 * se[j], "B = %d: Monte Carlo %.6g +- %.2g, "
                  "exact %.6g", 4 << j, mc[j], se[j], exact[j]);
  ck_assert(!qrd_test_fig_has(&f, "/light/gengauss-beta-1-5-model"));
  ck_assert(qrd_test_fig_has(&f, "/heavy/student-t-nu-5-model"));
  qrd_test_fig_close(&f);
}
END_TEST

Suite *qrd_suite_testdist(void)
{
  Suite *s = suite_create("testdist");
  TCase *tc = tcase_create("gengauss");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_eval_exact_vs_mc);
  tcase_add_test(tc, test_exact_designs);
  tcase_add_test(tc, test_fig1);
  tcase_add_test(tc, test_fig3_block_crd);
  tcase_add_test(tc, test_fig4_block_max);
  suite_add_tcase(s, tc);
  return s;
}
