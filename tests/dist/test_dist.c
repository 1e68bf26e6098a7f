/* Distributions.
 *
 * One generic TCase runs every property over every registered family
 * (parsed by bare name, i.e. with default shape and unit variance) and over
 * a few explicit instances, so a newly registered family is tested without
 * touching this file.  Every expectation comes from a second method (our own
 * GSL quadrature, Monte Carlo with a standard-error bound) or from a closed
 * form derived below; nothing is the library's own output frozen. */
#define _GNU_SOURCE /* RTLD_NEXT, RTLD_DEFAULT */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_rng.h>

#include "core/error.h"
#include "dist/dist.h"
#include "suites.h"

/* Instances beyond the registered defaults: heavy and light t tails, and an
 * explicit scale (which switches off the unit-variance default). */
static const char *const EXTRA[] = {
  "student-t:nu=3", "student-t:nu=30", "student-t:nu=31", "laplace:scale=2",
  "gaussian:scale=0.5",
};
#define N_EXTRA (sizeof EXTRA / sizeof EXTRA[0])

static int n_instances(void) { return (int)(qrd_dist_count() + N_EXTRA); }

/* Instance i: registered family i by name, then EXTRA[i - count]. */
static const char *instance_text(int i)
{
  size_t n = qrd_dist_count();
  return (size_t)i < n ? qrd_dist_type_at((size_t)i)->name : EXTRA[(size_t)i - n];
}

static void instance(int i, qrd_dist *d)
{
  const char *text = instance_text(i);
  int st = qrd_dist_parse(text, d);
  ck_assert_msg(st == QRD_OK, "parse '%s': %s (%s)", text, qrd_strerror(st),
                qrd_error_detail());
}

/* Unit variance is the default whenever no scale= is given. */
static int unit_variance_expected(int i) { return strstr(instance_text(i), "scale=") == NULL; }

/* ---- our own quadrature (independent of core/integrate.c) ---- */

typedef double (*fn_of_pdf)(double x, double f);

struct integrand {
  const qrd_dist *d;
  fn_of_pdf g;
};

static double eval_integrand(double x, void *params)
{
  const struct integrand *p = params;
  double f = qrd_dist_pdf(p->d, x);
  return p->g(x, f);
}

static double g_pdf(double x, double f) { (void)x; return f; }
static double g_x(double x, double f) { return x * f; }
static double g_x2(double x, double f) { return x * x * f; }
static double g_negflogf(double x, double f) { (void)x; return f > 0.0 ? -f * log(f) : 0.0; }

/* Integral of g(x, pdf(x)) over [a, b] (infinite ends allowed). */
static double integrate(const qrd_dist *d, fn_of_pdf g, double a, double b)
{
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(4000);
  ck_assert_ptr_nonnull(w);
  struct integrand p = {.d = d, .g = g};
  gsl_function F = {.function = eval_integrand, .params = &p};
  double r = NAN, err;
  int st;
  if (isinf(a) && isinf(b))
    st = gsl_integration_qagi(&F, 0.0, 1e-12, 4000, w, &r, &err);
  else if (isinf(b))
    st = gsl_integration_qagiu(&F, a, 0.0, 1e-12, 4000, w, &r, &err);
  else if (isinf(a))
    st = gsl_integration_qagil(&F, b, 0.0, 1e-12, 4000, w, &r, &err);
  else
    st = gsl_integration_qags(&F, a, b, 0.0, 1e-12, 4000, w, &r, &err);
  gsl_integration_workspace_free(w);
  /* GSL may report roundoff trouble at 1e-12 while the value is fine; the
   * callers' tolerances are far looser than err in that case. */
  ck_assert_msg(st == 0 || (isfinite(r) && err < 1e-10 * fmax(1.0, fabs(r))),
                "own quadrature over [%g, %g] failed (status %d, err %g)", a, b, st, err);
  return r;
}

static double over_support(const qrd_dist *d, fn_of_pdf g)
{
  double lo, hi;
  qrd_dist_support(d, &lo, &hi);
  return integrate(d, g, lo, hi);
}

static int close_rel(double x, double y, double rel, double abs_floor)
{
  return fabs(x - y) <= rel * fmax(fabs(x), fabs(y)) + abs_floor;
}

/* ---- generic properties ---- */

START_TEST(test_pdf_normalised)
{
  qrd_dist d;
  instance(_i, &d);
  double z = over_support(&d, g_pdf);
  ck_assert_msg(fabs(z - 1.0) < 1e-9, "%s: integral of pdf = %.15g", d.spec, z);
}
END_TEST

START_TEST(test_cdf_quantile_roundtrip)
{
  static const double P[] = {1e-10, 1e-3, 0.1, 0.5, 0.9, 0.999};
  qrd_dist d;
  instance(_i, &d);
  for (size_t k = 0; k < sizeof P / sizeof P[0]; k++) {
    double x = qrd_dist_quantile(&d, P[k]), c = qrd_dist_cdf(&d, x);
    ck_assert_msg(isfinite(x) && close_rel(c, P[k], 1e-9, 0.0),
                  "%s: cdf(quantile(%g)) = %.17g (x = %.17g)", d.spec, P[k], c, x);
    /* and the upper tail through sf, without cancellation */
    double s = qrd_dist_sf(&d, x);
    ck_assert_msg(close_rel(s, 1.0 - P[k], 1e-9, 0.0), "%s: sf(quantile(%g)) = %.17g",
                  d.spec, P[k], s);
  }
}
END_TEST

START_TEST(test_sf_plus_cdf)
{
  static const double X[] = {-30.0, -5.0, -1.0, -0.1, 0.0, 0.3, 2.0, 7.0, 30.0};
  qrd_dist d;
  instance(_i, &d);
  for (size_t k = 0; k < sizeof X / sizeof X[0]; k++) {
    double x = X[k] * d.scale, s = qrd_dist_sf(&d, x), c = qrd_dist_cdf(&d, x);
    ck_assert_msg(fabs(s + c - 1.0) < 1e-14, "%s: sf + cdf at %g = 1 %+.3g", d.spec, x,
                  s + c - 1.0);
    ck_assert_msg(s >= 0.0 && c >= 0.0 && s <= 1.0 && c <= 1.0, "%s at %g", d.spec, x);
  }
}
END_TEST

/* Deep tails: sf and cdf keep their relative precision (a plain 1 - cdf
 * would not), checked against our own quadrature of the pdf; qrd_dist_prob
 * of a cell far out in the upper tail likewise. */
START_TEST(test_tails_relative)
{
  qrd_dist d;
  instance(_i, &d);
  double xl = qrd_dist_quantile(&d, 1e-9), xu = qrd_dist_quantile(&d, 1.0 - 1e-9);
  double left = integrate(&d, g_pdf, -INFINITY, xl);
  double right = integrate(&d, g_pdf, xu, INFINITY);
  ck_assert_msg(close_rel(qrd_dist_cdf(&d, xl), left, 1e-8, 0.0), "%s: cdf(%g) = %.12g vs %.12g",
                d.spec, xl, qrd_dist_cdf(&d, xl), left);
  ck_assert_msg(close_rel(qrd_dist_sf(&d, xu), right, 1e-8, 0.0), "%s: sf(%g) = %.12g vs %.12g",
                d.spec, xu, qrd_dist_sf(&d, xu), right);
  double a = xu, b = xu * 1.01, cell = integrate(&d, g_pdf, a, b);
  ck_assert_msg(close_rel(qrd_dist_prob(&d, a, b), cell, 1e-7, 0.0),
                "%s: prob(%g, %g) = %.12g vs %.12g", d.spec, a, b, qrd_dist_prob(&d, a, b), cell);
  ck_assert_double_eq(qrd_dist_prob(&d, b, a), 0.0);
}
END_TEST

START_TEST(test_variance_by_quadrature)
{
  qrd_dist d;
  instance(_i, &d);
  double mean = over_support(&d, g_x), m2 = over_support(&d, g_x2);
  double var = m2 - mean * mean, v = qrd_dist_variance(&d);
  ck_assert_msg(close_rel(var, v, 1e-9, 0.0), "%s: quadrature variance %.15g, library %.15g",
                d.spec, var, v);
  if (unit_variance_expected(_i))
    ck_assert_msg(fabs(v - 1.0) < 1e-12, "%s: default variance %.17g != 1", d.spec, v);
}
END_TEST

START_TEST(test_entropy_by_quadrature)
{
  qrd_dist d;
  instance(_i, &d);
  double h = over_support(&d, g_negflogf), lib = qrd_dist_entropy_bits(&d) * M_LN2;
  ck_assert_msg(fabs(h - lib) < 1e-9, "%s: -int p ln p = %.15g nats, library %.15g nats",
                d.spec, h, lib);
}
END_TEST

/* Closed-form partial moments against quadrature, on intervals (in units
 * of the scale) that are infinite, half-infinite, straddling the mode,
 * one-sided, deep in a tail and tiny. */
START_TEST(test_partial_moments)
{
  static const double IV[][2] = {
    {-INFINITY, INFINITY}, {-INFINITY, -1.0}, {-INFINITY, 0.7}, {0.5, INFINITY},
    {-2.0, INFINITY},      {-0.3, 1.7},       {2.0, 5.0},       {-8.0, -3.0},
    {0.0, 0.1},            {-1e-3, 1e-3},     {12.0, 40.0},     {1.0, 1.0},
  };
  qrd_dist d;
  instance(_i, &d);
  double s = d.scale;
  for (size_t k = 0; k < sizeof IV / sizeof IV[0]; k++) {
    double a = IV[k][0] * s, b = IV[k][1] * s, mc[3], mq[3];
    int st = qrd_dist_partial_moments(&d, a, b, mc);
    ck_assert_msg(st == QRD_OK, "%s [%g, %g]: %s", d.spec, a, b, qrd_error_detail());
    st = qrd_dist_partial_moments_quad(&d, a, b, mq);
    ck_assert_msg(st == QRD_OK, "%s [%g, %g] quad: %s", d.spec, a, b, qrd_error_detail());
    for (int j = 0; j < 3; j++)
      /* relative 1e-9; the floor only matters where the moment is 0 by
       * symmetry (m1 over a symmetric interval) */
      ck_assert_msg(close_rel(mc[j], mq[j], 1e-9, 1e-14 * pow(s, j)),
                    "%s: m%d over [%g, %g]: closed %.15g, quadrature %.15g", d.spec, j,
                    a, b, mc[j], mq[j]);
  }
}
END_TEST

/* Cell moments with shared tails equal direct quadrature per cell, with
 * edges at, left and right of 0 (a cell ending or starting at 0 uses the
 * tail on its own side). */
START_TEST(test_cell_moments)
{
  static const double EDGE[] = {-INFINITY, -2.0, -0.5, 0.0, 0.25, 1.0, 3.0, INFINITY};
  enum { N = sizeof EDGE / sizeof EDGE[0] - 1 };
  qrd_dist d;
  instance(_i, &d);
  double e[N + 1], tail[N + 1][3], m[N][3], mq[3];
  for (int i = 0; i <= N; i++)
    e[i] = EDGE[i] * d.scale;
  ck_assert_int_eq(qrd_dist_cell_moments(&d, e, N, tail, m), QRD_OK);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(qrd_dist_partial_moments_quad(&d, e[i], e[i + 1], mq), QRD_OK);
    for (int j = 0; j < 3; j++)
      ck_assert_msg(close_rel(m[i][j], mq[j], 1e-9, 1e-14 * pow(d.scale, j)),
                    "%s: cell %d m%d: %.15g vs quadrature %.15g", d.spec, i, j, m[i][j], mq[j]);
  }
  /* reusing tails: move two edges; the moments must be those computed
   * afresh, bit for bit (the tails kept are the same function values) */
  double at[N + 1], tail2[N + 1][3], m2[N][3], pdf[N + 1];
  for (int i = 0; i <= N; i++)
    at[i] = NAN;
  ck_assert_int_eq(qrd_dist_cell_moments_reuse(&d, e, N, tail2, at, pdf, m2), QRD_OK);
  e[2] *= 1.1;
  e[5] *= 0.9;
  pdf[2] = pdf[5] = 12345.0;
  ck_assert_int_eq(qrd_dist_cell_moments_reuse(&d, e, N, tail2, at, pdf, m2), QRD_OK);
  ck_assert_int_eq(qrd_dist_cell_moments(&d, e, N, tail, m), QRD_OK);
  ck_assert_int_eq(memcmp(m, m2, sizeof m), 0);
  ck_assert(at[2] == e[2] && at[5] == e[5]);
  /* the pdf the closed forms evaluated on the way, where they did, is
   * qrd_dist_pdf's at the edge of the tail, bit for bit (moved edges too);
   * Gaussian and t (nu > 2) tails give it at every finite edge */
  int given = strcmp(d.type->name, "gaussian") == 0 ||
              (strcmp(d.type->name, "student-t") == 0 && d.shape[0] > 2.0);
  for (int i = 1; i < N; i++) {
    double want = qrd_dist_pdf(&d, at[i]);
    ck_assert_msg(isnan(pdf[i]) ? !given : memcmp(&pdf[i], &want, sizeof want) == 0,
                  "%s: pdf at edge %d (%.17g): %.17g, qrd_dist_pdf %.17g", d.spec, i, at[i],
                  pdf[i], want);
  }
  /* cell probabilities from shared tails: qrd_dist_prob's, bit for bit,
   * also for an empty cell (two equal edges) */
  double p[N], t[N + 1];
  e[4] = e[3];
  qrd_dist_cell_probs(&d, e, N, t, p);
  for (int i = 0; i < N; i++)
    ck_assert_msg(p[i] == qrd_dist_prob(&d, e[i], e[i + 1]), "%s: cell %d: %.17g vs %.17g",
                  d.spec, i, p[i], qrd_dist_prob(&d, e[i], e[i + 1]));
}
END_TEST

/* A family that says it is mirror_exact at this shape: for x > 0 across
 * ten decades, cdf(-x) is sf(x) and the lower tail moments at -x are the
 * upper ones at x reflected, bit for bit (the cell moments rely on it). */
START_TEST(test_mirror_exact)
{
  qrd_dist d;
  instance(_i, &d);
  if (!d.type->mirror_exact || !d.type->mirror_exact(d.shape))
    return;
  for (int k = 0; k <= 4000; k++) {
    double x = d.scale * pow(10.0, -6.0 + 10.0 * k / 4000.0), lo[3], up[3];
    ck_assert_msg(qrd_dist_cdf(&d, -x) == qrd_dist_sf(&d, x), "%s: cdf(-%.17g) %.17g, sf %.17g",
                  d.spec, x, qrd_dist_cdf(&d, -x), qrd_dist_sf(&d, x));
    ck_assert_int_eq(qrd_dist_partial_moments(&d, -INFINITY, -x, lo), QRD_OK);
    ck_assert_int_eq(qrd_dist_partial_moments(&d, x, INFINITY, up), QRD_OK);
    ck_assert_msg(lo[0] == up[0] && lo[1] == -up[1] && lo[2] == up[2],
                  "%s: tails at -+%.17g: (%.17g %.17g %.17g) vs (%.17g %.17g %.17g)", d.spec, x,
                  lo[0], lo[1], lo[2], up[0], up[1], up[2]);
  }
}
END_TEST

/* Cell moments of a symmetric edge list (the lower tails then mirrored
 * for a mirror_exact family) and of one made asymmetric, against each
 * edge's tail computed directly (upper right of 0, lower left of it) and
 * differenced: the same bits; the probabilities are qrd_dist_prob's. */
START_TEST(test_cell_moments_symmetric)
{
  static const double EDGE[] = {-INFINITY, -3.0, -1.0, -0.25, 0.25, 1.0, 3.0, INFINITY};
  enum { N = sizeof EDGE / sizeof EDGE[0] - 1 };
  qrd_dist d;
  instance(_i, &d);
  double e[N + 1], tail[N + 1][3], m[N][3], ref[N][3], t[N + 1][3], p[N], tp[N + 1];
  for (int asym = 0; asym < 2; asym++) {
    for (int i = 0; i <= N; i++)
      e[i] = EDGE[i] * d.scale * (asym && i == 2 ? 1.1 : 1.0);
    for (int i = 0; i <= N; i++)
      ck_assert_int_eq(e[i] >= 0.0 ? qrd_dist_partial_moments(&d, e[i], INFINITY, t[i])
                                   : qrd_dist_partial_moments(&d, -INFINITY, e[i], t[i]),
                       QRD_OK);
    for (int i = 0; i < N; i++)
      for (int k = 0; k < 3; k++)
        ref[i][k] = e[i] >= 0.0 ? t[i][k] - t[i + 1][k] : t[i + 1][k] - t[i][k];
    ck_assert_int_eq(qrd_dist_partial_moments(&d, e[3], e[4], ref[3]), QRD_OK); /* across 0 */
    ck_assert_int_eq(qrd_dist_cell_moments(&d, e, N, tail, m), QRD_OK);
    qrd_dist_cell_probs(&d, e, N, tp, p);
    for (int i = 0; i < N; i++) {
      ck_assert_msg(memcmp(m[i], ref[i], sizeof ref[i]) == 0,
                    "%s (%s edges): cell %d (%.17g %.17g %.17g) vs direct (%.17g %.17g %.17g)",
                    d.spec, asym ? "asymmetric" : "symmetric", i, m[i][0], m[i][1], m[i][2],
                    ref[i][0], ref[i][1], ref[i][2]);
      ck_assert_msg(p[i] == qrd_dist_prob(&d, e[i], e[i + 1]), "%s: p[%d] %.17g vs %.17g",
                    d.spec, i, p[i], qrd_dist_prob(&d, e[i], e[i + 1]));
    }
  }
}
END_TEST

/* Monte Carlo: mean and variance of 2^18 draws within 5 standard errors;
 * the variance's SE is sqrt((m4 - s^4) / n) from the sample's own 4th
 * central moment. */
START_TEST(test_sample_moments)
{
  const size_t n = 1u << 18;
  qrd_dist d;
  instance(_i, &d);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  ck_assert_ptr_nonnull(r);
  gsl_rng_set(r, 20250213ul + (unsigned long)_i);
  static double x[1u << 18];
  double sum = 0.0;
  for (size_t k = 0; k < n; k++) {
    x[k] = qrd_dist_sample(&d, r);
    sum += x[k];
  }
  gsl_rng_free(r);
  double mean = sum / (double)n, m2 = 0.0, m4 = 0.0;
  for (size_t k = 0; k < n; k++) {
    double e = x[k] - mean;
    m2 += e * e;
    m4 += e * e * e * e;
  }
  m2 /= (double)n;
  m4 /= (double)n;
  double mu = over_support(&d, g_x), var = qrd_dist_variance(&d);
  double se_mean = sqrt(var / (double)n), se_var = sqrt((m4 - m2 * m2) / (double)n);
  ck_assert_msg(fabs(mean - mu) <= 5.0 * se_mean, "%s: sample mean %g, expected %g (SE %g)",
                d.spec, mean, mu, se_mean);
  ck_assert_msg(fabs(m2 - var) <= 5.0 * se_var, "%s: sample variance %g, expected %g (SE %g)",
                d.spec, m2, var, se_var);
}
END_TEST

/* ---- specific facts ---- */

START_TEST(test_registry)
{
  ck_assert_uint_ge(qrd_dist_count(), 3);
  for (size_t i = 0; i < qrd_dist_count(); i++) {
    const qrd_dist_type *t = qrd_dist_type_at(i);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_eq(qrd_dist_type_find(t->name), t);
    for (size_t j = 0; j < i; j++)
      ck_assert_str_ne(qrd_dist_type_at(j)->name, t->name);
  }
  ck_assert_ptr_null(qrd_dist_type_at(qrd_dist_count()));
  ck_assert_ptr_null(qrd_dist_type_find("no-such-family"));
}
END_TEST

/* Student-t variance nu/(nu-2) is infinite for nu <= 2: no unit-variance
 * scale exists, but an explicit scale is a valid distribution. */
START_TEST(test_t_infinite_variance)
{
  static const char *const BAD[] = {"student-t:nu=2", "student-t:nu=1.5"};
  static const char *const OK[] = {"student-t:nu=2,scale=1", "student-t:nu=1.5,scale=1"};
  qrd_dist d;
  for (int k = 0; k < 2; k++) {
    qrd_error_clear();
    ck_assert_int_eq(qrd_dist_parse(BAD[k], &d), QRD_EDOM);
    ck_assert_msg(qrd_error_detail()[0] != '\0', "%s: no error detail", BAD[k]);
    ck_assert_int_eq(qrd_dist_parse(OK[k], &d), QRD_OK);
    double v = qrd_dist_variance(&d);
    ck_assert_msg(isinf(v) && v > 0.0, "%s: variance %g", OK[k], v);
    ck_assert_double_eq(d.scale, 1.0);
  }
}
END_TEST

/* The t's tail functions remember their last arguments (a codebook's
 * evaluation asks for each edge twice in a row): whatever the order of
 * the calls, across two laws at the same points, each value is GSL's. */
START_TEST(test_t_tails_repeated)
{
  static const double X[] = {0.5, 0.5, -2.0, 3.0, -2.0, 3.0, 0.0, -0.0, 0.5, 40.0, 40.0};
  static const double NU[] = {5.0, 7.0};
  qrd_dist d[2];
  ck_assert_int_eq(qrd_dist_parse("student-t:nu=5,scale=1", &d[0]), QRD_OK);
  ck_assert_int_eq(qrd_dist_parse("student-t:nu=7,scale=1", &d[1]), QRD_OK);
  for (size_t i = 0; i < sizeof X / sizeof X[0]; i++)
    for (int k = 0; k < 2; k++) {
      double p = qrd_dist_cdf(&d[k], X[i]), q = qrd_dist_sf(&d[k], X[i]);
      ck_assert_msg(p == gsl_cdf_tdist_P(X[i], NU[k]) && q == gsl_cdf_tdist_Q(X[i], NU[k]),
                    "nu = %g, x = %g (call %zu): P %.17g Q %.17g, GSL %.17g %.17g", NU[k],
                    X[i], i, p, q, gsl_cdf_tdist_P(X[i], NU[k]), gsl_cdf_tdist_Q(X[i], NU[k]));
    }
}
END_TEST

/* The program's gsl_sf_lnbeta (dist/student_t.c) stands in for GSL's in
 * GSL's own calls, which go through the global lookup; and whatever the
 * order of the arguments (repeated, one of them changed, swapped, -0 after
 * +0, NaN, outside the domain), it gives the bits of GSL's own function
 * and reports to GSL's error handler when it does.  The calls run on a
 * thread of their own, so that the first one meets an empty memo (a NaN
 * sentinel would pass NaN arguments off as remembered, unreported). */
static const double LNBETA_ARGS[][2] = {
  {NAN, NAN}, {2.5, 0.5},  {2.5, 0.5}, {2.5, 1.5},  {3.5, 0.5}, {2.5, 0.5}, {0.5, 2.5},
  {1e-300, 0.5}, {1e6, 0.5}, {0.0, 0.5}, {-0.0, 0.5}, {-1.5, 0.5}, {NAN, 0.5}, {NAN, 0.5},
  {2.5, 0.5},
};
#define N_LNBETA (sizeof LNBETA_ARGS / sizeof LNBETA_ARGS[0])

typedef struct {
  double (*gsl)(double, double);
  double got[N_LNBETA], want[N_LNBETA];
  int got_reports[N_LNBETA], want_reports[N_LNBETA];
} lnbeta_run;

static int lnbeta_reports;

static void count_report(const char *reason, const char *file, int line, int gsl_errno)
{
  (void)reason, (void)file, (void)line, (void)gsl_errno;
  lnbeta_reports++;
}

static void *lnbeta_calls(void *arg)
{
  lnbeta_run *r = arg;
  for (size_t i = 0; i < N_LNBETA; i++) {
    int before = lnbeta_reports;
    r->got[i] = gsl_sf_lnbeta(LNBETA_ARGS[i][0], LNBETA_ARGS[i][1]);
    r->got_reports[i] = lnbeta_reports - before;
    before = lnbeta_reports;
    r->want[i] = r->gsl(LNBETA_ARGS[i][0], LNBETA_ARGS[i][1]);
    r->want_reports[i] = lnbeta_reports - before;
  }
  return NULL;
}

START_TEST(test_lnbeta_memo)
{
  lnbeta_run r = {.gsl = (double (*)(double, double))dlsym(RTLD_NEXT, "gsl_sf_lnbeta")};
  ck_assert_ptr_nonnull(r.gsl);
  ck_assert(r.gsl != gsl_sf_lnbeta);
  ck_assert(dlsym(RTLD_DEFAULT, "gsl_sf_lnbeta") == (void *)gsl_sf_lnbeta);
  gsl_error_handler_t *old = gsl_set_error_handler(count_report);
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, lnbeta_calls, &r), 0);
  ck_assert_int_eq(pthread_join(t, NULL), 0);
  gsl_set_error_handler(old);
  for (size_t i = 0; i < N_LNBETA; i++)
    ck_assert_msg(memcmp(&r.got[i], &r.want[i], sizeof r.got[i]) == 0 &&
                    r.got_reports[i] == r.want_reports[i],
                  "call %zu: lnbeta(%g, %g) = %.17g (%d reports), GSL %.17g (%d)", i,
                  LNBETA_ARGS[i][0], LNBETA_ARGS[i][1], r.got[i], r.got_reports[i], r.want[i],
                  r.want_reports[i]);
}
END_TEST

/* Unit-variance scales: Laplace(b) has variance 2 b^2, so b = 1/sqrt 2;
 * t(nu) with scale s has variance s^2 nu/(nu-2), so s = sqrt((nu-2)/nu):
 * sqrt(3/5) at nu = 5, sqrt(1/3) at nu = 3. */
START_TEST(test_unit_variance_scales)
{
  static const struct { const char *text; double scale; } C[] = {
    {"gaussian", 1.0},
    {"laplace", 0.70710678118654752440},
    {"student-t:nu=5", 0.77459666924148337704},
    {"student-t:nu=3", 0.57735026918962576451},
    {"student-t:nu=30", 0.96609178307929590485}, /* sqrt(28/30) */
    {"laplace:scale=2", 2.0},
  };
  for (size_t k = 0; k < sizeof C / sizeof C[0]; k++) {
    qrd_dist d;
    ck_assert_int_eq(qrd_dist_parse(C[k].text, &d), QRD_OK);
    ck_assert_msg(fabs(d.scale - C[k].scale) < 1e-15, "%s: scale %.17g, expected %.17g",
                  C[k].text, d.scale, C[k].scale);
  }
}
END_TEST

/* Differential entropies in closed form (nats), unit variance unless a
 * scale is given:
 *   N(0, s^2):           1/2 ln(2 pi e s^2)
 *   Laplace(b):          1 + ln(2b); b = 1/sqrt2 gives ln(sqrt2 e) = ln(2e/sqrt2)
 *   t(nu), scale s:      (nu+1)/2 [psi((nu+1)/2) - psi(nu/2)] + ln(sqrt(nu) B(nu/2, 1/2)) + ln s
 *     nu = 5: psi(3) - psi(5/2) = 2 ln2 - 7/6, B(5/2, 1/2) = 3 pi/8, s = sqrt(3/5)
 *             -> 3 ln2 - 7/2 + ln(3 sqrt3 pi)
 *     nu = 3: psi(2) - psi(3/2) = 2 ln2 - 1, B(3/2, 1/2) = pi/2, s = sqrt(1/3)
 *             -> 4 ln2 - 2 + ln(pi/2)
 *     nu = 1 (Cauchy), s = 1: ln(4 pi)
 * Cross-check of nu = 5: docs/methods-orr.md gives sqrt(2^{2h}/12) = 1.13841,
 * i.e. h = 1.97950 bits, and 3 ln2 - 7/2 + ln(3 sqrt3 pi) = 1.372090 nats
 * = 1.979496 bits. */
START_TEST(test_entropy_closed_forms)
{
  const double ln2 = M_LN2, pi = M_PI, e = M_E;
  const struct { const char *text; double nats; } C[] = {
    {"gaussian", 0.5 * log(2.0 * pi * e)},
    {"gaussian:scale=0.5", 0.5 * log(2.0 * pi * e * 0.25)},
    {"laplace", log(2.0 * e / sqrt(2.0))},
    {"laplace:scale=2", 1.0 + log(4.0)},
    {"student-t:nu=5", 3.0 * ln2 - 3.5 + log(3.0 * sqrt(3.0) * pi)},
    {"student-t:nu=3", 4.0 * ln2 - 2.0 + log(pi / 2.0)},
    {"student-t:nu=1,scale=1", log(4.0 * pi)},
  };
  for (size_t k = 0; k < sizeof C / sizeof C[0]; k++) {
    qrd_dist d;
    ck_assert_int_eq(qrd_dist_parse(C[k].text, &d), QRD_OK);
    double bits = qrd_dist_entropy_bits(&d), want = C[k].nats / ln2;
    ck_assert_msg(fabs(bits - want) < 1e-12, "%s: entropy %.15g bits, expected %.15g",
                  C[k].text, bits, want);
  }
  /* the 5-decimal value of sqrt(2^{2h}/12) for t5 */
  qrd_dist d;
  ck_assert_int_eq(qrd_dist_parse("student-t:nu=5", &d), QRD_OK);
  ck_assert_double_eq_tol(exp2(qrd_dist_entropy_bits(&d)) / sqrt(12.0), 1.13841, 6e-6);
}
END_TEST

START_TEST(test_parse_errors)
{
  static const struct { const char *text; int status; } C[] = {
    {"weibull", QRD_ENOTFOUND},
    {"Gaussian", QRD_ENOTFOUND},
    {"gaussian:nu=3", QRD_EINVAL},        /* unknown parameter */
    {"student-t:df=3", QRD_EINVAL},       /* unknown parameter */
    {"student-t:nu=abc", QRD_EINVAL},     /* non-numeric */
    {"student-t:nu=5x", QRD_EINVAL},      /* trailing junk */
    {"student-t:nu=", QRD_EINVAL},        /* empty value */
    {"student-t:nu", QRD_EINVAL},         /* no value */
    {"student-t:nu=-1", QRD_EINVAL},      /* out of range */
    {"student-t:nu=0", QRD_EINVAL},
    {"laplace:scale=0", QRD_EINVAL},
    {"gaussian:scale=-1", QRD_EINVAL},
    {"gaussian:scale=inf", QRD_EINVAL},
    {"gaussian:scale=nan", QRD_EINVAL},
    {"student-t:nu=5,nu=6", QRD_EINVAL},  /* given twice */
  };
  for (size_t k = 0; k < sizeof C / sizeof C[0]; k++) {
    qrd_dist d;
    qrd_error_clear();
    int st = qrd_dist_parse(C[k].text, &d);
    ck_assert_msg(st == C[k].status, "'%s': status %d (%s), expected %d", C[k].text, st,
                  qrd_error_detail(), C[k].status);
    ck_assert_msg(qrd_error_detail()[0] != '\0', "'%s': no error detail", C[k].text);
  }
}
END_TEST

/* E[M] of the absmax of B standard normals: Yoshida (NF4 vs AF4)'s table (8
 * decimals), and for B = 2 the closed form 2/sqrt(pi); Laplace (scale 1):
 * E max of B iid Exp(1) = the harmonic number H_B. */
START_TEST(test_block_absmax_mean)
{
  static const struct { double b, mean; } T[] = {
    {16, 2.07720448}, {32, 2.34707920}, {64, 2.59611077}, {128, 2.82755780},
    {256, 3.04422550}, {512, 3.24839054}, {1024, 3.44187028}, {2048, 3.62611594},
    {4096, 3.80229531},
  };
  qrd_dist g, l;
  ck_assert_int_eq(qrd_dist_parse("gaussian", &g), QRD_OK);
  ck_assert_int_eq(qrd_dist_parse("laplace:scale=1", &l), QRD_OK);
  double m;
  for (size_t k = 0; k < sizeof T / sizeof T[0]; k++) {
    ck_assert_int_eq(qrd_dist_block_absmax_mean(&g, T[k].b, &m), QRD_OK);
    ck_assert_msg(fabs(m - T[k].mean) <= 5e-9, "B=%g: %.10f vs %.8f", T[k].b, m, T[k].mean);
  }
  ck_assert_int_eq(qrd_dist_block_absmax_mean(&g, 2, &m), QRD_OK);
  ck_assert_double_eq_tol(m, 2.0 / sqrt(M_PI), 1e-10);
  double h = 0.0;
  for (int b = 1; b <= 256; b++) {
    h += 1.0 / b;
    if (b == 1 || b == 7 || b == 64 || b == 256) {
      ck_assert_int_eq(qrd_dist_block_absmax_mean(&l, b, &m), QRD_OK);
      ck_assert_msg(fabs(m - h) <= 1e-10 * h, "laplace B=%d: %.12f vs H_B %.12f", b, m, h);
    }
  }
}
END_TEST

Suite *qrd_suite_dist(void)
{
  Suite *s = suite_create("dist");

  TCase *tc = tcase_create("generic");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  int n = n_instances();
  tcase_add_loop_test(tc, test_pdf_normalised, 0, n);
  tcase_add_loop_test(tc, test_cdf_quantile_roundtrip, 0, n);
  tcase_add_loop_test(tc, test_sf_plus_cdf, 0, n);
  tcase_add_loop_test(tc, test_tails_relative, 0, n);
  tcase_add_loop_test(tc, test_variance_by_quadrature, 0, n);
  tcase_add_loop_test(tc, test_entropy_by_quadrature, 0, n);
  tcase_add_loop_test(tc, test_partial_moments, 0, n);
  tcase_add_loop_test(tc, test_cell_moments, 0, n);
  tcase_add_loop_test(tc, test_mirror_exact, 0, n);
  tcase_add_loop_test(tc, test_cell_moments_symmetric, 0, n);
  tcase_add_loop_test(tc, test_sample_moments, 0, n);
  suite_add_tcase(s, tc);

  tc = tcase_create("specific");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_registry);
  tcase_add_test(tc, test_t_infinite_variance);
  tcase_add_test(tc, test_t_tails_repeated);
  tcase_add_test(tc, test_lnbeta_memo);
  tcase_add_test(tc, test_unit_variance_scales);
  tcase_add_test(tc, test_entropy_closed_forms);
  tcase_add_test(tc, test_parse_errors);
  tcase_add_test(tc, test_block_absmax_mean);
  suite_add_tcase(s, tc);
  return s;
}
