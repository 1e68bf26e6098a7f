/* fig-8 (Orr et al. F-S7): the Monte-Carlo R of stretched RMS CRDs on
 * tensor-RMS-normalised t5 data against R computed here by integration
 * over the unit-variance t5 density, for codepoints in closed form
 * (p^{1/3} of a unit-variance Normal is N(0, 3), of a unit-variance
 * Laplace a Laplace of scale 3/sqrt 2):
 *   Normal CRD:   Q_i = n' sqrt(3) Phi^{-1}(i/33)
 *   Laplace CRD:  Q_i = n' (3/sqrt 2) sign(u - 1/2) (-ln(1 - |2u - 1|)), u = i/33.
 * Outer codepoints beyond 6 sit where the t5 sample is too sparse for a
 * 3-SE check (a few hundred values in 2^20 lie beyond, and the squared
 * error has no finite second moment there: its sample mean runs low), so
 * such points (the t5 CRD, Laplace at n' = sqrt 2) are checked only for
 * consistency.  The data's RMS scale is estimated from the
 * sample, which moves R by far less than its SE at 2^20 values; one
 * reduced run is shared by the tests. */
#include <math.h>
#include <stdio.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>

#include "fig_run.h"
#include "suites.h"

#define LEVELS 32
#define N_MULT 3
#define CONFIG \
  "seed = 1\nsamples = 1048576\nbits = 5\ndist = student-t:nu=5,scale=1\n" \
  "shapes = gaussian laplace student-t:nu=5\nmultiplier_log2_min = -0.5\n" \
  "multiplier_log2_max = 0.5\nmultiplier_points = %d\nnu_min = 5\nnu_max = 5\nnu_points = 1\n"

static qrd_test_fig fig;

static void sandbox_open(void)
{
  qrd_test_fig_open(&fig, "fig-8");
  qrd_test_fig_make(&fig, "", CONFIG, N_MULT);
}

static void sandbox_close(void) { qrd_test_fig_close(&fig); }

/* The unit-variance t5: scale sqrt(3/5). */
static const double T_SCALE = 0.7745966692414834;

typedef struct {
  double q;
} cell;

static double sq_err(double x, void *p)
{
  double q = ((const cell *)p)->q, d = x - q;
  return d * d * gsl_ran_tdist_pdf(x / T_SCALE, 5.0) / T_SCALE;
}

/* R of nearest-level quantisation of the unit-variance t5 to q[0 .. n). */
static double exact_r(const double *q, size_t n)
{
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
  double sse = 0.0;
  for (size_t i = 0; i < n; i++) {
    cell c = {q[i]};
    gsl_function f = {sq_err, &c};
    double a = i ? 0.5 * (q[i - 1] + q[i]) : 0, b = i + 1 < n ? 0.5 * (q[i] + q[i + 1]) : 0;
    double v, err;
    if (i == 0)
      gsl_integration_qagil(&f, b, 0, 1e-12, 1000, ws, &v, &err);
    else if (i + 1 == n)
      gsl_integration_qagiu(&f, a, 0, 1e-12, 1000, ws, &v, &err);
    else
      gsl_integration_qags(&f, a, b, 0, 1e-12, 1000, ws, &v, &err);
    sse += v;
  }
  gsl_integration_workspace_free(ws);
  return sqrt(sse);
}

static double normal_crd(size_t i)
{
  return sqrt(3.0) * gsl_cdf_ugaussian_Pinv((i + 1.0) / (LEVELS + 1.0));
}
static double laplace_crd(size_t i)
{
  double u = (i + 1.0) / (LEVELS + 1.0);
  return (u < 0.5 ? 1.0 : -1.0) * 3.0 / sqrt(2.0) * log(1.0 - fabs(2.0 * u - 1.0));
}

static const struct {
  const char *curve;
  double (*level)(size_t);
} SHAPES[] = {{"normal", normal_crd}, {"laplace", laplace_crd}};

START_TEST(test_r_vs_integral)
{
  double m[N_MULT], r[N_MULT], se[N_MULT];
  qrd_test_fig_curve(&fig, "multiplier", SHAPES[_i].curve, "x", m, N_MULT);
  qrd_test_fig_curve(&fig, "multiplier", SHAPES[_i].curve, "y", r, N_MULT);
  qrd_test_fig_curve(&fig, "multiplier", SHAPES[_i].curve, "y_err", se, N_MULT);
  size_t checked = 0;
  for (size_t k = 0; k < N_MULT; k++) {
    double q[LEVELS];
    for (size_t i = 0; i < LEVELS; i++)
      q[i] = m[k] * SHAPES[_i].level(i);
    if (q[LEVELS - 1] > 6.0)
      continue;
    checked++;
    double exact = exact_r(q, LEVELS);
    ck_assert_msg(se[k] > 0 && fabs(r[k] - exact) <= 3.0 * se[k],
                  "%s n'=%g: R %.5f +- %.5f, integral %.5f", SHAPES[_i].curve, m[k], r[k], se[k],
                  exact);
  }
  ck_assert_uint_ge(checked, 2);
}
END_TEST

/* The n' = 1 points: moment-matching holds each shape's middle point, and
 * the CRD-t(5) of the nu panel (nu = 2^log2 5, to rounding) is the t5
 * shape. */
START_TEST(test_moment_matching_points)
{
  static const char *const shapes[3] = {"normal", "laplace", "t-nu-5"};
  double mm[3], mid[N_MULT], nu_mom;
  qrd_test_fig_curve(&fig, "multiplier", "moment-matching", "y", mm, 3);
  for (size_t s = 0; s < 3; s++) {
    qrd_test_fig_curve(&fig, "multiplier", shapes[s], "y", mid, N_MULT);
    ck_assert_double_eq(mm[s], mid[N_MULT / 2]);
  }
  qrd_test_fig_curve(&fig, "nu", "moments", "y", &nu_mom, 1);
  ck_assert_double_eq_tol(nu_mom, mid[N_MULT / 2], 1e-9);
}
END_TEST

Suite *qrd_suite_fig8(void)
{
  Suite *s = suite_create("fig-8");
  TCase *tc = tcase_create("driver");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_loop_test(tc, test_r_vs_integral, 0, 2);
  tcase_add_test(tc, test_moment_matching_points);
  /* an even point count misses n' = 1 */
  static char bad[512];
  snprintf(bad, sizeof bad, CONFIG, 4);
  qrd_test_fig_add_checks(tc, &fig, bad, "multiplier_points");
  suite_add_tcase(s, tc);
  return s;
}
