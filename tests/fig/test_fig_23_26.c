/* fig-23 ... fig-26 (Ordentlich & Polyanskiy, E4, E5, E6, E8): the
 * drivers run once each at reduced size in a sandbox shared by the tests, then their data
 * are checked against closed forms (the two-level table, Bartlett's
 * decomposition, exact Gaussian cell probabilities) and the behaviour the papers describe
 * state, for thread-count independence and for bad configs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "fig_run.h"
#include "suites.h"


#define HIGH_RATE_GAP 0.2546143348 /* 1/2 log2(2 pi e / 12) */

enum { F23, F24, F25, F26, N_FIGS };
static const char *const FIG[N_FIGS] = {"fig-23", "fig-24", "fig-25", "fig-26"};
static qrd_test_fig fig[N_FIGS];

/* Reduced configs: each runs in a second or two. */
static const char *const CONFIG[N_FIGS] = {
  "seed = 1\n"
  "families = identity ar1:rho=0.9 two-level:eps=0.1 two-level:eps=0.01 "
  "two-level:eps=1e-3 two-level:eps=1e-6 power:beta=1 power:beta=2 outliers "
  "lowrank:frac=0.25,eps=1e-2\n"
  "sizes = 64 256\ndraws = 3 3\nrotations = none act-order haar hadamard sylvester\n"
  "profile_families = two-level:eps=0.01\nprofile_n = 256\nprofile_draws = 5\n"
  "wishart_n = 64\nwishart_ratios = 1 2 4 8\nwishart_rhos = 0 0.9\n"
  "wishart_percdamp = 1e-4\nwishart_draws = 20\n",
  "seed = 1\nmethod = watersic:damp=0\nrate = 4\ncolumn_n = 16\ncolumn_ratio = 0.5\n"
  "column_rows = 50000\nhist_family = power:beta=2\nhist_n = 64\nhist_rows = 5000\n"
  "hist_rotations = none haar\nhist_bins = 20\n",
  "seed = 1\nsigmas = identity ar1:rho=0.9\nn = 64\nrows = 5000\nrates = 0.5 1 2 3 4\n"
  "methods = watersic:lmmse=0 watersic:lmmse=1 watersic:lmmse=2\n",
  "seed = 1\nsigmas = identity ar1:rho=0.9\nn = 64\nrows = 4000\nbits = 2 4 6 8\n"
  "absmax_methods = rtn gptq\ncoded_methods = gptq watersic\n"
  "entropy_kind = entropy_pooled\n",
};

static void figs_make(void)
{
  for (int f = 0; f < N_FIGS; f++) {
    qrd_test_fig_open(&fig[f], FIG[f]);
    qrd_test_fig_make(&fig[f], "--threads 2", "%s", CONFIG[f]);
  }
}

static void figs_close(void)
{
  for (int f = 0; f < N_FIGS; f++)
    qrd_test_fig_close(&fig[f]);
}

/* ---- reading curves ---- */

typedef struct {
  size_t n;
  double *x, *y, *e; /* e: y_err, or NULL */
} curve;

#define MAX_CURVE 1024

static double *read_set(int f, const char *panel, const char *name, const char *set,
                        size_t *n)
{
  double *v = malloc(MAX_CURVE * sizeof *v);
  ck_assert_ptr_nonnull(v);
  *n = qrd_test_fig_curve_upto(&fig[f], panel, name, set, v, MAX_CURVE);
  return v;
}

static curve read_curve(int f, const char *panel, const char *name)
{
  char path[256];
  curve c;
  size_t ny, ne;
  c.x = read_set(f, panel, name, "x", &c.n);
  c.y = read_set(f, panel, name, "y", &ny);
  snprintf(path, sizeof path, "/%s/%s/y_err", panel, name);
  c.e = qrd_test_fig_has(&fig[f], path) ? read_set(f, panel, name, "y_err", &ne) : NULL;
  ck_assert_uint_eq(ny, c.n);
  return c;
}

static void curve_free(curve *c)
{
  free(c->x);
  free(c->y);
  free(c->e);
}

/* ---- fig-23 (E4) ---- */

enum { ROT_NONE, ROT_ACT, ROT_HAAR, ROT_HADAMARD, ROT_SYLVESTER, N_ROT };

static double table(const char *panel, const char *family, int rot)
{
  curve c = read_curve(F23, panel, family);
  ck_assert_uint_eq(c.n, N_ROT);
  double v = c.y[rot];
  curve_free(&c);
  return v;
}

static double excess(double am, double gm) { return 0.5 * log2(am / gm); }

/* AR(1) rho has GPTQ-order d = (1 - rho^2, ..., 1); two-level
 * (the two-level table) and power law are diagonal, d = lambda.  Natural order
 * must reproduce them, act-order too (same set of d), and the identity
 * has no excess under any rotation. */
START_TEST(test_e4_closed_forms)
{
  static const char *const panels[] = {"n-64", "n-256"};
  static const size_t sizes[] = {64, 256};
  static const char *const two_level[] = {"two-level-eps-0-1", "two-level-eps-0-01",
                                          "two-level-eps-0-001", "two-level-eps-1e-06"};
  static const double two_level_excess[] = {0.399234, 1.168142, 1.992167, 4.482893};
  for (int i = 0; i < 2; i++) {
    double n = (double)sizes[i], r2 = 1.0 - 0.81;
    double ar1 = excess((1.0 + (n - 1.0) * r2) / n, pow(r2, (n - 1.0) / n));
    ck_assert_double_eq_tol(table(panels[i], "ar1-rho-0-9", ROT_NONE), ar1, 1e-10);
    for (int e = 0; e < 4; e++)
      for (int r = ROT_NONE; r <= ROT_ACT; r++)
        ck_assert_double_eq_tol(table(panels[i], two_level[e], r), two_level_excess[e], 1e-6);
    for (int b = 1; b <= 2; b++) {
      double am = 0.0;
      for (size_t k = 1; k <= sizes[i]; k++)
        am += pow((double)k, -b) / n;
      double gm = exp(-b * gsl_sf_lngamma(n + 1.0) / n);
      const char *name = b == 1 ? "power-beta-1" : "power-beta-2";
      ck_assert_double_eq_tol(table(panels[i], name, ROT_NONE), excess(am, gm), 1e-10);
    }
    for (int r = 0; r < N_ROT; r++)
      ck_assert_double_lt(fabs(table(panels[i], "identity", r)), 1e-12);
  }
  /* the closed-form AR(1) excess at n = 64 */
  ck_assert_double_eq_tol(table("n-64", "ar1-rho-0-9", ROT_NONE), 0.027799, 1e-6);
}
END_TEST

/* What the families show, at n = 256: Haar fixes power beta = 1 and
 * the 1 % outliers, much less beta = 2; it helps two-level only partly and
 * low-rank + noise not at all; a fixed Sylvester H is much worse than
 * Haar on AR(1). */
START_TEST(test_e4_rotation_claims)
{
  const char *p = "n-256";
  ck_assert_double_gt(table(p, "power-beta-1", ROT_NONE), 0.4);
  ck_assert_double_lt(table(p, "power-beta-1", ROT_HAAR), 0.1);
  ck_assert_double_gt(table(p, "power-beta-2", ROT_HAAR), 0.3);
  ck_assert_double_gt(table(p, "outliers", ROT_NONE), 1.0);
  ck_assert_double_lt(table(p, "outliers", ROT_HAAR), 0.2);
  double nat = table(p, "two-level-eps-1e-06", ROT_NONE);
  double haar = table(p, "two-level-eps-1e-06", ROT_HAAR);
  ck_assert_msg(haar > 0.5 * nat && haar < nat - 0.3, "two-level 1e-6: %g vs %g", haar, nat);
  ck_assert_double_lt(fabs(table(p, "lowrank-frac-0-25-eps-0-01", ROT_HAAR) -
                           table(p, "lowrank-frac-0-25-eps-0-01", ROT_NONE)), 0.1);
  ck_assert_double_gt(table(p, "ar1-rho-0-9", ROT_SYLVESTER),
                      3.0 * table(p, "ar1-rho-0-9", ROT_HAAR));
}
END_TEST

/* The profile of the two-level spectrum (n = 256): a Sylvester or
 * randomised Hadamard basis puts columns of +-1/sqrt(n) first and last, so
 * d_0 = 1/mean(1/lambda) = HM and d_{n-1} = mean(lambda) = AM exactly;
 * under Haar they hold in expectation, here within 15 % for the mean
 * of 5 draws (the relative sd of one draw is about 9 %). */
START_TEST(test_e4_profile_ends)
{
  const char *p = "profile-two-level-eps-0-01";
  curve hm = read_curve(F23, p, "hm"), am = read_curve(F23, p, "am");
  static const char *const exact[] = {"hadamard", "sylvester"};
  for (int k = 0; k < 2; k++) {
    curve c = read_curve(F23, p, exact[k]);
    ck_assert_double_eq_tol(c.y[0] / hm.y[0], 1.0, 1e-9);
    ck_assert_double_eq_tol(c.y[c.n - 1] / am.y[0], 1.0, 1e-9);
    curve_free(&c);
  }
  curve h = read_curve(F23, p, "haar");
  ck_assert_msg(fabs(h.y[0] / hm.y[0] - 1.0) < 0.15, "Haar d_0 %g vs HM %g", h.y[0], hm.y[0]);
  ck_assert_msg(fabs(h.y[h.n - 1] / am.y[0] - 1.0) < 0.15, "Haar d_n-1 %g vs AM %g",
                h.y[h.n - 1], am.y[0]);
  curve_free(&h);
  curve_free(&hm);
  curve_free(&am);
}
END_TEST

/* Wishart (n = 64, 20 draws) against the driver's Bartlett expectation
 * for T >= 2n, where damping 1e-4 is negligible: within 4 standard errors
 * plus 3 % (the fluctuation of AM(d) is replaced by its mean). */
START_TEST(test_e4_wishart_bartlett)
{
  static const char *const pairs[2][2] = {{"rho-0-percdamp-0-0001", "bartlett-rho-0"},
                                          {"rho-0-9-percdamp-0-0001", "bartlett-rho-0-9"}};
  for (int k = 0; k < 2; k++) {
    curve m = read_curve(F23, "wishart", pairs[k][0]), b = read_curve(F23, "wishart",
                                                                      pairs[k][1]);
    ck_assert_uint_eq(b.n, m.n); /* ratios 1 2 4 8: all T >= n */
    for (size_t i = 1; i < m.n; i++) {
      double tol = 4.0 * m.e[i] / sqrt(20.0) + 0.03 * b.y[i];
      ck_assert_msg(fabs(m.y[i] - b.y[i]) < tol, "%s T/n = %g: %g vs %g", pairs[k][0], m.x[i],
                    m.y[i], b.y[i]);
    }
    /* fewer samples, more excess */
    for (size_t i = 1; i < m.n; i++)
      ck_assert_double_gt(m.y[i - 1], m.y[i]);
    curve_free(&m);
    curve_free(&b);
  }
}
END_TEST

/* ---- fig-24 (E5) ---- */

/* Entropy in bits of round(w / step), w ~ N(0, 1), from the cell
 * probabilities. */
static double gaussian_code_entropy(double step)
{
  double h = 0.0;
  for (int j = -(int)(12.0 / step) - 1; j <= (int)(12.0 / step) + 1; j++) {
    double p = gsl_cdf_ugaussian_P((j + 0.5) * step) - gsl_cdf_ugaussian_P((j - 0.5) * step);
    if (p > 0.0)
      h -= p * log2(p);
  }
  return h;
}

/* With Sigma = diag(2^-k) and no damping WaterSIC codes column k as
 * round(w / (c 2^{k/2})), independently of the others.  The exact
 * entropies, with c solved (bisection) so that their mean is the measured
 * mean, must match the measured ones within 0.02 bit (sd of a plug-in
 * entropy at 50000 samples: about 0.005). */
START_TEST(test_e5_exact_column_entropies)
{
  curve m = read_curve(F24, "columns", "measured");
  ck_assert_uint_eq(m.n, 16);
  double mean = 0.0, lo = log(1e-3), hi = log(1e3), h[16];
  for (size_t k = 0; k < m.n; k++)
    mean += m.y[k] / 16.0;
  ck_assert_double_eq_tol(mean, 4.0, 1e-3);
  for (int it = 0; it < 60; it++) {
    double lc = 0.5 * (lo + hi), s = 0.0;
    for (int k = 0; k < 16; k++)
      s += (h[k] = gaussian_code_entropy(exp(lc) * pow(2.0, 0.5 * k))) / 16.0;
    *(s > mean ? &lo : &hi) = lc;
  }
  for (int k = 0; k < 16; k++)
    ck_assert_msg(fabs(m.y[k] - h[k]) < 0.02, "column %d: %g measured, %g exact", k, m.y[k],
                  h[k]);
  curve_free(&m);
}
END_TEST

/* "measured per-column rates follow the prediction down to about 1
 * bit and lie above it below that" -- within 0.07 bit from 1.5 bits up
 * (the tuned mean puts the excess of the low columns on the others), at
 * least 0.08 above below 1 bit. */
START_TEST(test_e5_follows_allocation)
{
  curve d = read_curve(F24, "deviation", "measured");
  for (size_t k = 0; k < d.n; k++) {
    if (d.x[k] >= 1.5)
      ck_assert_msg(fabs(d.y[k]) < 0.07, "allocation %g: deviation %g", d.x[k], d.y[k]);
    if (d.x[k] < 1.0)
      ck_assert_msg(d.y[k] > 0.08, "allocation %g: deviation %g", d.x[k], d.y[k]);
  }
  curve_free(&d);
}
END_TEST

static double hist_sd(const curve *c, size_t *count)
{
  double n = 0.0, s = 0.0, s2 = 0.0;
  for (size_t b = 0; b < c->n; b++) {
    n += c->y[b];
    s += c->y[b] * c->x[b];
    s2 += c->y[b] * c->x[b] * c->x[b];
  }
  *count = (size_t)n;
  return sqrt(s2 / n - (s / n) * (s / n));
}

/* Every column lands in a bin; the mean line is the tuned rate; Haar
 * narrows the spread of the column rates (d between HM and AM). */
START_TEST(test_e5_histograms)
{
  curve nat = read_curve(F24, "hist-none", "measured"), haar = read_curve(F24, "hist-haar",
                                                                          "measured");
  curve mean = read_curve(F24, "hist-none", "mean");
  size_t n1, n2;
  double s1 = hist_sd(&nat, &n1), s2 = hist_sd(&haar, &n2);
  ck_assert_uint_eq(n1, 64);
  ck_assert_uint_eq(n2, 64);
  ck_assert_double_eq_tol(mean.x[0], 4.0, 1e-3);
  ck_assert_msg(s2 < 0.6 * s1, "spread: Haar %g, natural %g", s2, s1);
  curve_free(&nat);
  curve_free(&haar);
  curve_free(&mean);
}
END_TEST

/* ---- fig-25 (E6) ---- */

static const char *const E6_PANELS[] = {"identity", "ar1-rho-0-9"};
enum { OFF, UNCLAMPED, CLAMPED };
static const char *const E6_CURVES[] = {"watersic-lmmse-0", "watersic-lmmse-1",
                                        "watersic-lmmse-2"};

/* E6: the variants meet at about 0.2546 for R >= 3 (within 0.035 at
 * R = 3, where the step is half the conditional sd and the Delta^2/24
 * entropy term of the uncorrected variant is still 0.016 bit, 0.015 at
 * R = 4); every point sits at its target rate. */
START_TEST(test_e6_high_rate)
{
  static const double R[] = {0.5, 1, 2, 3, 4};
  for (int p = 0; p < 2; p++)
    for (int v = 0; v < 3; v++) {
      curve c = read_curve(F25, E6_PANELS[p], E6_CURVES[v]);
      ck_assert_uint_eq(c.n, 5);
      for (size_t i = 0; i < c.n; i++)
        ck_assert_double_eq_tol(c.x[i], R[i], 2e-3);
      ck_assert_msg(fabs(c.y[3] - HIGH_RATE_GAP) < 0.035, "%s %s R=3: %g", E6_PANELS[p],
                    E6_CURVES[v], c.y[3]);
      ck_assert_msg(fabs(c.y[4] - HIGH_RATE_GAP) < 0.015, "%s %s R=4: %g", E6_PANELS[p],
                    E6_CURVES[v], c.y[4]);
      curve_free(&c);
    }
}
END_TEST

/* E6: LMMSE helps at R <= 2; for Sigma = I its gap dips below 0.2546,
 * for AR(1) both variants exceed it at low rate, the one without LMMSE
 * more so. */
START_TEST(test_e6_lmmse_helps)
{
  for (int p = 0; p < 2; p++) {
    curve off = read_curve(F25, E6_PANELS[p], E6_CURVES[OFF]);
    curve on = read_curve(F25, E6_PANELS[p], E6_CURVES[UNCLAMPED]);
    for (size_t i = 0; i < 3; i++) {
      ck_assert_msg(on.y[i] < off.y[i] - 0.01, "%s R=%g: %g vs %g", E6_PANELS[p], on.x[i],
                    on.y[i], off.y[i]);
      if (p == 0 && i < 2) /* measured 0.10 below at R = 0.5, 0.016 at R = 1 */
        ck_assert_double_lt(on.y[i], HIGH_RATE_GAP - (i == 0 ? 0.05 : 0.005));
      if (p == 1 && i < 2)
        ck_assert_double_gt(on.y[i], HIGH_RATE_GAP + 0.1);
    }
    curve_free(&off);
    curve_free(&on);
  }
}
END_TEST

/* ---- fig-26 (E8) ---- */

/* Fixed rates are exactly b + 16/n; for Sigma = I GPTQ's codes are RTN's
 * (E7), so their curves coincide; absmax INT with its side information
 * sits above Panter-Dite's fixed-rate optimum and entropy coding of the
 * same codes brings it below it. */
START_TEST(test_e8_fixed_rates)
{
  static const double b[] = {2, 4, 6, 8};
  static const char *const kinds[] = {"fixed", "entropy"};
  for (int k = 0; k < 2; k++) {
    char rc[32], gc[32];
    snprintf(rc, sizeof rc, "rtn-%s", kinds[k]);
    snprintf(gc, sizeof gc, "gptq-%s", kinds[k]);
    curve r = read_curve(F26, "identity", rc), g = read_curve(F26, "identity", gc);
    for (size_t i = 0; i < r.n; i++) {
      ck_assert_double_eq(r.x[i], g.x[i]);
      ck_assert_double_eq(r.y[i], g.y[i]);
      if (k == 0) {
        ck_assert_double_eq_tol(r.x[i], b[i] + 16.0 / 64.0, 1e-12);
        ck_assert_double_gt(r.y[i], 0.7219886899);
      } else {
        ck_assert_double_lt(r.y[i], 0.7219886899);
      }
    }
    curve_free(&r);
    curve_free(&g);
  }
}
END_TEST

/* The entropy-coded baselines at high rate: on Sigma = I GPTQ-EC and
 * WaterSIC both sit 0.2546 above the limit, on AR(1) 0.9 (n = 64) GPTQ-EC
 * pays the closed-form excess 0.027799 on top, within 0.01. */
START_TEST(test_e8_coded_high_rate)
{
  curve g = read_curve(F26, "identity", "gptq-coded"), w = read_curve(F26, "identity",
                                                                      "watersic-coded");
  curve a = read_curve(F26, "ar1-rho-0-9", "gptq-coded");
  size_t last = g.n - 1;
  ck_assert_double_eq_tol(g.y[last], HIGH_RATE_GAP, 0.01);
  ck_assert_double_eq_tol(w.y[last], HIGH_RATE_GAP, 0.01);
  ck_assert_double_eq_tol(a.y[last], HIGH_RATE_GAP + 0.027799, 0.01);
  curve_free(&g);
  curve_free(&w);
  curve_free(&a);
}
END_TEST

/* ---- all drivers ---- */

/* Bad values: per driver CONFIG with `from` replaced by `to`, refused
 * naming `key` (the shared checks, with one thread vs two). */
static const struct {
  const char *from, *to, *key;
} BAD[N_FIGS] = {
  {"sizes = 64 256", "sizes = 64 100", "sizes"},
  {"method = watersic:damp=0", "method = gptq", "method"},
  {"methods = watersic:lmmse=0", "methods = rtn:bits=4", "methods"},
  {"entropy_kind = entropy_pooled", "entropy_kind = fixed", "entropy_kind"},
};

/* Also runs while the suite is built, outside any test: no ck_assert. */
static void substitute(char *buf, size_t len, const char *src, const char *from, const char *to)
{
  const char *at = strstr(src, from);
  if (!at) {
    fprintf(stderr, "test_fig_23_26: '%s' is not in its config\n", from);
    abort();
  }
  snprintf(buf, len, "%.*s%s%s", (int)(at - src), src, to, at + strlen(from));
}

START_TEST(test_fig23_one_draw_count_per_size)
{
  char text[1024];
  substitute(text, sizeof text, CONFIG[F23], "draws = 3 3", "draws = 3");
  qrd_test_fig_write(&fig[F23], "bad-draws.cfg", "%s", text);
  qrd_test_fig_rejects(&fig[F23], "bad-draws.cfg", "draws", NULL);
}
END_TEST

Suite *qrd_suite_fig2326(void)
{
  Suite *s = suite_create("fig-23-26");
  TCase *tc = tcase_create("drivers");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, figs_make, figs_close);
  tcase_add_test(tc, test_e4_closed_forms);
  tcase_add_test(tc, test_e4_rotation_claims);
  tcase_add_test(tc, test_e4_profile_ends);
  tcase_add_test(tc, test_e4_wishart_bartlett);
  tcase_add_test(tc, test_e5_exact_column_entropies);
  tcase_add_test(tc, test_e5_follows_allocation);
  tcase_add_test(tc, test_e5_histograms);
  tcase_add_test(tc, test_e6_high_rate);
  tcase_add_test(tc, test_e6_lmmse_helps);
  tcase_add_test(tc, test_e8_fixed_rates);
  tcase_add_test(tc, test_e8_coded_high_rate);
  tcase_add_test(tc, test_fig23_one_draw_count_per_size);
  static char bad[N_FIGS][1024];
  for (int f = 0; f < N_FIGS; f++) {
    substitute(bad[f], sizeof bad[f], CONFIG[f], BAD[f].from, BAD[f].to);
    qrd_test_fig_add_checks(tc, &fig[f], bad[f], BAD[f].key);
  }
  suite_add_tcase(s, tc);
  return s;
}
