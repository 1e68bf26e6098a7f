/* Scalar quantisers: exact values against published tables and closed
 * forms.
 *
 * Sources of the expected values (never the library's own output):
 *   [S42]  Orr et al. (quadrature constants and
 *          the Gaussian Lloyd-Max / CRD / entropy-coded uniform tables);
 *   [S43]  Orr et al. (CRD codepoint tables, 5 decimals);
 *   [S24]  Orr et al. (CRD closed forms for Normal, Laplace, t);
 *   [Max]  J. Max, "Quantizing for minimum distortion", IRE Trans. IT-6
 *          (1960), tables of the optimum and of the optimum uniform
 *          quantiser for a unit Gaussian;
 *   [PD]   Panter & Dite (1951): fixed-length high-rate D N^2 ->
 *          (int p^{1/3})^3 / 12; Gish & Pierce (1968): entropy-coded uniform
 *          D 2^{2H} -> 2^{2h}/12;
 *   [CLG]  Chou, Lookabaugh & Gray (1989): each ECSQ step does not increase
 *          D + lambda H;
 *   closed forms derived in the comments, and independent evaluations with
 *   GSL's Gaussian cdf (the segment integrals of [S42]). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "core/error.h"
#include "law/registry.h"
#include "quant/codebook.h"
#include "quant/designs.h"
#include "quant/ecsq.h"
#include "quant/lloyd.h"
#include "quant/quantiser.h"
#include "quant/rd.h"
#include "suites.h"

/* ---- helpers ---- */

static void dist_of(const char *text, qrd_dist *d)
{
  int st = qrd_dist_parse(text, d);
  ck_assert_msg(st == QRD_OK, "dist '%s': %s", text, qrd_error_detail());
}

static void quant_of(const char *text, qrd_quantiser *q)
{
  int st = qrd_quantiser_parse(text, q);
  ck_assert_msg(st == QRD_OK, "quantiser '%s': %s", text, qrd_error_detail());
}

static qrd_codebook *design(const char *qtext, const qrd_dist *d, double target)
{
  qrd_quantiser q;
  qrd_codebook *c = NULL;
  quant_of(qtext, &q);
  int st = qrd_quantiser_design(&q, d, target, &c);
  ck_assert_msg(st == QRD_OK && c != NULL, "%s on %s at %g: %s", qtext, d->spec, target,
                qrd_error_detail());
  return c;
}

static qrd_codebook_stats design_stats(const char *qtext, const qrd_dist *d, double target)
{
  qrd_codebook *c = design(qtext, d, target);
  qrd_codebook_stats s;
  int st = qrd_codebook_eval(c, d, &s);
  ck_assert_msg(st == QRD_OK, "eval: %s", qrd_error_detail());
  qrd_codebook_free(c);
  return s;
}

static qrd_rd_point rd_point(const char *qtext, const char *dtext, double target)
{
  qrd_quantiser q;
  qrd_dist d;
  qrd_rd_point p;
  quant_of(qtext, &q);
  dist_of(dtext, &d);
  int st = qrd_rd_evaluate(&q, &d, target, &p);
  ck_assert_msg(st == QRD_OK, "%s on %s at %g: %s", qtext, dtext, target, qrd_error_detail());
  return p;
}

/* x agrees with a value printed to `dec` decimals: it rounds to it. */
#define ASSERT_DECIMALS(x, printed, dec, what)                                         \
  do {                                                                                 \
    double x_ = (x), p_ = (printed);                                                   \
    ck_assert_msg(fabs(x_ - p_) <= 0.5 * pow(10.0, -(dec)) * (1.0 + 1e-9),             \
                  "%s: %.9g does not round to %.*f", (what), x_, (dec), p_);           \
  } while (0)

/* x agrees with a value printed to `sig` significant digits. */
#define ASSERT_SIGNIFICANT(x, printed, sig, what)                                      \
  do {                                                                                 \
    double p__ = (printed);                                                            \
    int dec__ = (sig) - 1 - (int)floor(log10(fabs(p__)));                              \
    ASSERT_DECIMALS((x), p__, dec__, (what));                                          \
  } while (0)

/* Gaussian segment integrals with GSL's Phi and phi: m_k = int_a^b x^k phi. */
static double phi(double x) { return isinf(x) ? 0.0 : exp(-0.5 * x * x) / sqrt(2.0 * M_PI); }
static double xphi(double x) { return isinf(x) ? 0.0 : x * phi(x); }

static void gauss_moments(double a, double b, double m[3])
{
  m[0] = a >= 0.0 ? gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b)
                  : gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
  m[1] = phi(a) - phi(b);
  m[2] = m[0] + xphi(a) - xphi(b);
}

/* ---- Gaussian Lloyd-Max and CRD tables ---- */

/* Lloyd-Max MSE for N = 2..32 to 4 significant digits: the converged values
 * of [S42] (0.117482, 0.034548, 0.009501, 0.002505 for b = 2..5).  [Max]
 * printed 0.1175, 0.03454 and 0.009497 for 4, 8 and 16 levels: the last is
 * Max's own rounding error (a fully converged 16-level iteration gives
 * 0.009501, [S42]), so the converged value is the expectation.  N = 2 is
 * closed form: levels +-sqrt(2/pi), MSE 1 - 2/pi. */
START_TEST(test_lloyd_max_gaussian_mse)
{
  static const struct { int n; double mse; } T[] = {
    {2, 0.3634}, {4, 0.1175}, {8, 0.03455}, {16, 0.009501}, {32, 0.002505},
  };
  qrd_dist d;
  dist_of("gaussian", &d);
  for (size_t k = 0; k < sizeof T / sizeof T[0]; k++) {
    qrd_codebook_stats s = design_stats("lloyd-max", &d, T[k].n);
    char what[64];
    snprintf(what, sizeof what, "lloyd-max N=%d MSE", T[k].n);
    ASSERT_SIGNIFICANT(s.mse, T[k].mse, 4, what);
    ck_assert_uint_eq(s.levels, (size_t)T[k].n);
  }
  qrd_codebook *c = design("lloyd-max", &d, 2);
  qrd_codebook_stats s;
  ck_assert_int_eq(qrd_codebook_eval(c, &d, &s), QRD_OK);
  ck_assert_double_eq_tol(s.mse, 1.0 - 2.0 / M_PI, 1e-9);
  ck_assert_double_eq_tol(c->level[1], sqrt(2.0 / M_PI), 1e-9);
  ck_assert_double_eq_tol(c->level[0], -sqrt(2.0 / M_PI), 1e-9);
  qrd_codebook_free(c);
}
END_TEST

/* [S42] Normal table, b = 2..6: R of CRD-Normal RMS sym and of Lloyd-Max
 * (5 decimals), and the Lloyd-Max MSE column (6 decimals). */
START_TEST(test_gaussian_r_table)
{
  static const struct { int b; double crd_r, lm_r, lm_mse; } T[] = {
    {2, 0.34345, 0.34276, 0.117482}, {3, 0.18599, 0.18587, 0.034548},
    {4, 0.09749, 0.09747, 0.009501}, {5, 0.05005, 0.05005, 0.002505},
    {6, 0.02538, 0.02538, 0.000644},
  };
  qrd_dist d;
  dist_of("gaussian", &d);
  for (size_t k = 0; k < sizeof T / sizeof T[0]; k++) {
    double n = exp2(T[k].b);
    char what[64];
    qrd_codebook_stats lm = design_stats("lloyd-max", &d, n);
    qrd_codebook_stats crd = design_stats("crd", &d, n);
    snprintf(what, sizeof what, "lloyd-max b=%d R", T[k].b);
    ASSERT_DECIMALS(lm.rel_rmse, T[k].lm_r, 5, what);
    snprintf(what, sizeof what, "lloyd-max b=%d MSE", T[k].b);
    ASSERT_DECIMALS(lm.mse, T[k].lm_mse, 6, what);
    snprintf(what, sizeof what, "crd b=%d R", T[k].b);
    ASSERT_DECIMALS(crd.rel_rmse, T[k].crd_r, 5, what);
  }
}
END_TEST

/* The Lloyd-Max fixed point checked by a second method: every level is the
 * centroid of its nearest-neighbour cell, by the Gaussian segment integrals
 * of [S42]; and the outer 16-level codepoint is 2.7326 ([S42]). */
START_TEST(test_lloyd_max_is_centroidal)
{
  qrd_dist d;
  dist_of("gaussian", &d);
  for (int n = 2; n <= 64; n *= 2) {
    qrd_codebook *c = design("lloyd-max", &d, n);
    for (size_t i = 0; i < c->n; i++) {
      double a = i == 0 ? -INFINITY : 0.5 * (c->level[i - 1] + c->level[i]);
      double b = i + 1 == c->n ? INFINITY : 0.5 * (c->level[i] + c->level[i + 1]);
      double m[3];
      ck_assert_msg(c->edge[i + 1] == b || fabs(c->edge[i + 1] - b) < 1e-14 * fmax(1.0, fabs(b)),
                    "N=%d edge %zu = %.17g, midpoint %.17g", n, i + 1, c->edge[i + 1], b);
      gauss_moments(a, b, m);
      ck_assert_msg(fabs(c->level[i] - m[1] / m[0]) < 1e-9,
                    "N=%d level %zu = %.12g, centroid %.12g", n, i, c->level[i], m[1] / m[0]);
      ck_assert_double_eq_tol(c->level[i], -c->level[c->n - 1 - i], 1e-9);
    }
    if (n == 16)
      ASSERT_DECIMALS(c->level[15], 2.7326, 4, "lloyd-max N=16 outer codepoint");
    qrd_codebook_free(c);
  }
}
END_TEST

/* ---- entropy-coded uniform quantiser, [S42] table ---- */

/* Mid-tread cells ((k - 1/2) D, (k + 1/2) D] over a range far beyond any
 * double-precision mass: MSE with reconstruction at the grid points k D
 * (the table's quantiser: "zero a codepoint") or at the centroids, and the
 * index entropy; all by Gaussian segment integrals. */
static void grid_eval(double step, double *mse_grid, double *mse_centroid, double *h)
{
  long kmax = (long)ceil(40.0 / step);
  *mse_grid = *mse_centroid = *h = 0.0;
  for (long k = -kmax; k <= kmax; k++) {
    double a = k == -kmax ? -INFINITY : ((double)k - 0.5) * step;
    double b = k == kmax ? INFINITY : ((double)k + 0.5) * step, q = (double)k * step, m[3];
    gauss_moments(a, b, m);
    if (m[0] <= 0.0)
      continue;
    *mse_grid += m[2] - 2.0 * q * m[1] + q * q * m[0];
    *mse_centroid += m[2] - m[1] * m[1] / m[0];
    *h -= m[0] * log2(m[0]);
  }
}

/* [S42]: H = 2..6 bits, step D and R (grid-point codepoints).  The step is
 * that of the designed cells, edge[2] - edge[1].  qrd's uniform-ec puts its
 * levels at the cell centroids (src/quant/uniform_ec.c), which the table
 * does not: the table's R is therefore checked for the grid-point
 * reconstruction on the designed cells, and the library's centroid R
 * against our own centroid evaluation (and must not exceed the table's). */
START_TEST(test_uniform_ec_table)
{
  static const struct { double h, step, r; } T[] = {
    {2, 1.08245, 0.31248}, {3, 0.52243, 0.15081}, {4, 0.25902, 0.07477},
    {5, 0.12924, 0.03731}, {6, 0.06459, 0.01864},
  };
  qrd_dist d;
  dist_of("gaussian", &d);
  for (size_t k = 0; k < sizeof T / sizeof T[0]; k++) {
    qrd_codebook *c = design("uniform-ec", &d, T[k].h);
    qrd_codebook_stats s;
    ck_assert_int_eq(qrd_codebook_eval(c, &d, &s), QRD_OK);
    double step = c->edge[2] - c->edge[1];
    char what[64];
    snprintf(what, sizeof what, "uniform-ec H=%g step", T[k].h);
    ASSERT_DECIMALS(step, T[k].step, 5, what);
    /* all finite cells have the same width; one is centred on 0 and its
     * level (the centroid of a symmetric cell) is 0 */
    int centred = 0;
    for (size_t i = 1; i + 1 < c->n; i++) {
      ck_assert_double_eq_tol(c->edge[i + 1] - c->edge[i], step, 1e-12);
      if (fabs(c->edge[i] + 0.5 * step) < 1e-12 && fabs(c->edge[i + 1] - 0.5 * step) < 1e-12) {
        centred = 1;
        ck_assert_double_eq_tol(c->level[i], 0.0, 1e-15);
      }
    }
    ck_assert_msg(centred, "H=%g: no cell centred on 0", T[k].h);
    ck_assert_double_eq_tol(s.entropy, T[k].h, 1e-9);
    /* our own evaluation of the same step */
    double mse_grid, mse_centroid, h;
    grid_eval(step, &mse_grid, &mse_centroid, &h);
    ck_assert_double_eq_tol(h, T[k].h, 1e-9);
    snprintf(what, sizeof what, "uniform-ec H=%g R (grid codepoints)", T[k].h);
    ASSERT_DECIMALS(sqrt(mse_grid), T[k].r, 5, what);
    ck_assert_msg(fabs(s.mse - mse_centroid) <= 1e-9 * mse_centroid,
                  "H=%g: library MSE %.12g, centroid MSE by segment integrals %.12g",
                  T[k].h, s.mse, mse_centroid);
    ck_assert_double_le(s.rel_rmse, sqrt(mse_grid));
    qrd_codebook_free(c);
  }
}
END_TEST

/* ---- CRD codepoints, [S43] and closed forms of [S24] ---- */

static void check_table(const char *qtext, const char *dtext, size_t n, const double *pos,
                        const char *name)
{
  qrd_dist d;
  dist_of(dtext, &d);
  qrd_codebook *c = design(qtext, &d, (double)n);
  ck_assert_uint_eq(c->n, n);
  for (size_t k = 0; k < n / 2; k++) {
    char what[96];
    snprintf(what, sizeof what, "%s codepoint +%zu", name, k);
    ck_assert_msg(fabs(c->level[n / 2 + k] - pos[k]) <= 6e-6, "%s: %.9g vs %.5f", what,
                  c->level[n / 2 + k], pos[k]);
    ck_assert_msg(fabs(c->level[n / 2 - 1 - k] + pos[k]) <= 6e-6, "%s (negative): %.9g",
                  what, c->level[n / 2 - 1 - k]);
  }
  qrd_codebook_free(c);
}

START_TEST(test_crd_tables)
{
  static const double NORMAL4[] = {0.12781, 0.38626, 0.65366, 0.93772,
                                   1.24971, 1.6089,  2.05565, 2.71019};
  static const double NORMAL3[] = {0.24199, 0.74604, 1.32452, 2.11421};
  static const double LAPLACE4[] = {0.1286,  0.41187, 0.73887, 1.12563,
                                    1.59899, 2.20926, 3.06938, 4.53977};
  static const double T5_4[] = {0.1605,  0.49281, 0.86246, 1.30798,
                                1.89997, 2.79736, 4.47094, 9.26565};
  check_table("crd", "gaussian", 16, NORMAL4, "CRD Normal RMS 4-bit");
  check_table("crd", "gaussian", 8, NORMAL3, "CRD Normal RMS 3-bit");
  check_table("crd", "laplace", 16, LAPLACE4, "CRD Laplace RMS 4-bit");
  check_table("crd", "student-t:nu=5", 16, T5_4, "CRD t5 RMS 4-bit");
}
END_TEST

/* [S24]: with p_i = i/(n+1), the codepoints of p^alpha are quantiles of a
 * member of the same family:
 *   Normal:  N(0, 1/alpha)            -> Phi^{-1}(p) / sqrt(alpha)
 *   Laplace: scale 1/(alpha sqrt2)    -> -b ln(2(1-p)) for p >= 1/2
 *   t(nu) unit variance: t(nu') with nu' = alpha(nu+1) - 1 and scale
 *            sqrt((nu-2)/nu'); nu = 5: alpha = 1/3 is Cauchy(sqrt3),
 *            sqrt3 tan(pi (p - 1/2)); alpha = 1/2 is t2(sqrt(3/2)), whose
 *            quantile is (2p-1)/sqrt(2p(1-p)). */
static double q_normal(double p, double alpha) { return gsl_cdf_ugaussian_Pinv(p) / sqrt(alpha); }
static double q_laplace(double p, double alpha)
{
  double b = 1.0 / (alpha * sqrt(2.0));
  return p < 0.5 ? b * log(2.0 * p) : -b * log(2.0 * (1.0 - p));
}
static double q_t5(double p, double alpha)
{
  if (alpha < 0.4)
    return sqrt(3.0) * tan(M_PI * (p - 0.5));
  return sqrt(1.5) * (2.0 * p - 1.0) / sqrt(2.0 * p * (1.0 - p));
}

START_TEST(test_crd_closed_forms)
{
  static const struct {
    const char *q, *d;
    double alpha;
    double (*quantile)(double p, double alpha);
  } C[] = {
    {"crd", "gaussian", 1.0 / 3.0, q_normal},
    {"crd:alpha=1", "gaussian", 1.0, q_normal},
    {"crd:alpha=0.5", "gaussian", 0.5, q_normal},
    {"crd", "laplace", 1.0 / 3.0, q_laplace},
    {"crd:alpha=0.5", "laplace", 0.5, q_laplace},
    {"crd", "student-t:nu=5", 1.0 / 3.0, q_t5},
    {"crd:alpha=0.5", "student-t:nu=5", 0.5, q_t5},
  };
  static const int N[] = {2, 7, 16, 64};
  for (size_t k = 0; k < sizeof C / sizeof C[0]; k++) {
    qrd_dist d;
    dist_of(C[k].d, &d);
    for (size_t j = 0; j < sizeof N / sizeof N[0]; j++) {
      qrd_codebook *c = design(C[k].q, &d, N[j]);
      for (int i = 0; i < N[j]; i++) {
        double want = C[k].quantile((double)(i + 1) / (double)(N[j] + 1), C[k].alpha);
        ck_assert_msg(fabs(c->level[i] - want) <= 1e-9 * fmax(1.0, fabs(want)),
                      "%s on %s, n=%d, level %d: %.15g, closed form %.15g", C[k].q, C[k].d,
                      N[j], i, c->level[i], want);
        if (i > 0)
          ck_assert_double_eq_tol(c->edge[i], 0.5 * (c->level[i - 1] + c->level[i]), 1e-12);
      }
      qrd_codebook_free(c);
    }
  }
}
END_TEST

/* ---- high-rate constants and theory gaps ---- */

/* sqrt K = lim R 2^b, [S42] (5 decimals), and closed forms:
 *   fixed-length [PD] sqrt((int p^{1/3})^3/12):
 *     Normal sqrt(sqrt3 pi/2); Laplace 3/sqrt2;
 *     t5 (unit variance, p = C (1+x^2/3)^{-3}, C = 8/(3 sqrt3 pi)):
 *       int p^{1/3} = C^{1/3} sqrt3 pi, cube 8 pi^2, so sqrt K = pi sqrt(2/3);
 *     t7 (p = C (1+x^2/5)^{-4}, C = Gamma(4)/(sqrt(5 pi) Gamma(7/2))):
 *       int p^{1/3} = C^{1/3} sqrt5 B(1/2, 5/6).
 *   entropy-coded uniform [PD] sqrt(2^{2h}/12) = e^{h_nats}/sqrt12:
 *     Normal sqrt(pi e/6); Laplace e/sqrt6; t5 12 pi e^{-7/2}
 *     (h = 3 ln2 - 7/2 + ln(3 sqrt3 pi), see test_dist.c). */
static double t7_fixed(void)
{
  double c = gsl_sf_gamma(4.0) / (sqrt(5.0 * M_PI) * gsl_sf_gamma(3.5));
  double z = cbrt(c) * sqrt(5.0) * gsl_sf_beta(0.5, 5.0 / 6.0);
  return sqrt(z * z * z / 12.0);
}

START_TEST(test_high_rate_constants)
{
  const struct {
    const char *d;
    double fixed, ec;          /* [S42], 5 decimals */
    double fixed_cf, ec_cf;    /* closed forms, NAN where none derived */
    double gap;                /* [S42] "gap (bits)" column */
  } C[] = {
    {"gaussian", 1.64945, 1.19302, sqrt(sqrt(3.0) * M_PI / 2.0), sqrt(M_PI * M_E / 6.0), 0.46737},
    {"laplace", 2.12132, 1.10973, 3.0 / sqrt(2.0), M_E / sqrt(6.0), 0.93475},
    {"student-t:nu=5", 2.56510, 1.13841, M_PI * sqrt(2.0 / 3.0), 12.0 * M_PI * exp(-3.5), 1.17199},
    {"student-t:nu=7", 2.18480, 1.16846, t7_fixed(), NAN, 0.90289},
  };
  qrd_quantiser lm, crd, uec, ecsq;
  quant_of("lloyd-max", &lm);
  quant_of("crd", &crd);
  quant_of("uniform-ec", &uec);
  quant_of("ecsq", &ecsq);
  for (size_t k = 0; k < sizeof C / sizeof C[0]; k++) {
    qrd_dist d;
    double k_lm, k_crd, k_uec, k_ecsq;
    char what[96];
    dist_of(C[k].d, &d);
    ck_assert_int_eq(qrd_quantiser_high_rate_constant(&lm, &d, &k_lm), QRD_OK);
    ck_assert_int_eq(qrd_quantiser_high_rate_constant(&crd, &d, &k_crd), QRD_OK);
    ck_assert_int_eq(qrd_quantiser_high_rate_constant(&uec, &d, &k_uec), QRD_OK);
    ck_assert_int_eq(qrd_quantiser_high_rate_constant(&ecsq, &d, &k_ecsq), QRD_OK);
    snprintf(what, sizeof what, "%s lloyd-max sqrt K", C[k].d);
    ASSERT_DECIMALS(sqrt(k_lm), C[k].fixed, 5, what);
    /* CRD at alpha = 1/3 has the Panter-Dite point density itself */
    snprintf(what, sizeof what, "%s crd sqrt K", C[k].d);
    ASSERT_DECIMALS(sqrt(k_crd), C[k].fixed, 5, what);
    snprintf(what, sizeof what, "%s uniform-ec sqrt K", C[k].d);
    ASSERT_DECIMALS(sqrt(k_uec), C[k].ec, 5, what);
    /* ECSQ and uniform-EC coincide at high rate (Gish-Pierce) */
    ck_assert_double_eq_tol(k_ecsq, k_uec, 1e-12 * k_uec);
    ck_assert_msg(fabs(sqrt(k_lm) - C[k].fixed_cf) < 1e-9, "%s: sqrt K lloyd-max %.15g, "
                  "closed form %.15g", C[k].d, sqrt(k_lm), C[k].fixed_cf);
    if (!isnan(C[k].ec_cf))
      ck_assert_msg(fabs(sqrt(k_uec) - C[k].ec_cf) < 1e-9, "%s: sqrt K uniform-ec %.15g, "
                    "closed form %.15g", C[k].d, sqrt(k_uec), C[k].ec_cf);
    /* theory gaps: the entropy-coded one is 1/2 log2(2 pi e/12) for every
     * source; fixed minus entropy-coded is [S42]'s gap column */
    double g_lm = qrd_theory_gap(&lm, &d), g_uec = qrd_theory_gap(&uec, &d);
    ck_assert_double_eq_tol(g_uec, 0.5 * log2(2.0 * M_PI * M_E / 12.0), 1e-12);
    snprintf(what, sizeof what, "%s fixed - entropy-coded gap", C[k].d);
    ASSERT_DECIMALS(g_lm - g_uec, C[k].gap, 5, what);
  }
  /* Panter-Dite gap of the Gaussian: 1/2 log2(sqrt3 pi/2) = 0.7220 */
  qrd_dist g;
  dist_of("gaussian", &g);
  ck_assert_double_eq_tol(qrd_theory_gap(&lm, &g), 0.5 * log2(sqrt(3.0) * M_PI / 2.0), 1e-9);
  /* a uniform fixed-length grid has no high-rate constant */
  qrd_quantiser u;
  double k_u;
  quant_of("uniform", &u);
  ck_assert_int_eq(qrd_quantiser_high_rate_constant(&u, &g, &k_u), QRD_ENOTFOUND);
  ck_assert(isnan(qrd_theory_gap(&u, &g)));
}
END_TEST

/* ---- rate-distortion facts ---- */

static const char *const SOURCES[] = {"gaussian", "laplace", "student-t:nu=5"};

/* [PD]: entropy-coded uniform cells sit 1/2 log2(2 pi e/12) = 0.254614 bit
 * above the Shannon (lower) bound at high rate, for any smooth source; the
 * optimal entropy-coded quantiser (ECSQ) is uniform there, so it tends to
 * the same gap. */
static void check_ec_gap_rate8(const char *quantiser, const char *src)
{
  const double gap = 0.5 * log2(2.0 * M_PI * M_E / 12.0);
  qrd_rd_point p = rd_point(quantiser, src, 8.0);
  ck_assert_double_eq_tol(p.rate, 8.0, 1e-9);
  ck_assert_msg(fabs(p.gap - gap) < 0.002, "%s on %s: gap at rate 8 = %.6f, theory %.6f",
                quantiser, src, p.gap, gap);
  ck_assert_double_eq_tol(p.theory_gap, gap, 1e-12);
}

/* ECSQ is the entropy-constrained optimum, so at equal rate it is never
 * worse than entropy-coded uniform cells; neither beats the bound. */
static void check_ecsq_vs_uniform_ec(const char *src, double rate)
{
  qrd_rd_point e = rd_point("ecsq", src, rate);
  qrd_rd_point u = rd_point("uniform-ec", src, rate);
  ck_assert_double_eq_tol(e.rate, rate, 1e-9);
  ck_assert_double_eq_tol(u.rate, rate, 1e-9);
  ck_assert_msg(e.gap <= u.gap + 1e-9, "%s rate %g: ecsq gap %.9f > uniform-ec gap %.9f", src,
                rate, e.gap, u.gap);
  ck_assert_msg(e.gap >= 0.0, "%s rate %g: ecsq beats the bound (gap %g)", src, rate, e.gap);
}

/* The Student-t cases of the two checks above are split by cost: the t5
 * tails need a quarter of a million uniform cells at rate 8 (about 4 s for
 * uniform-ec, 2 s for ECSQ), so those run in the "slow" TCase. */
static const struct { const char *src; double rate; } ECSQ_FAST[] = {
  {"gaussian", 0.5}, {"gaussian", 1.0}, {"gaussian", 2.0}, {"gaussian", 3.0}, {"gaussian", 4.0},
  {"gaussian", 6.0}, {"gaussian", 8.0},
  {"laplace", 0.5},  {"laplace", 1.0},  {"laplace", 2.0},  {"laplace", 3.0},  {"laplace", 4.0},
  {"laplace", 6.0},  {"laplace", 8.0},
  {"student-t:nu=5", 0.5}, {"student-t:nu=5", 1.0}, {"student-t:nu=5", 2.0},
  {"student-t:nu=5", 3.0}, {"student-t:nu=5", 4.0},
};
static const struct { const char *src; double rate; } ECSQ_SLOW[] = {
  {"student-t:nu=5", 6.0}, {"student-t:nu=5", 8.0},
};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

START_TEST(test_uniform_ec_gap_rate8) { check_ec_gap_rate8("uniform-ec", _i ? "laplace" : "gaussian"); }
END_TEST
START_TEST(test_uniform_ec_gap_rate8_t5) { check_ec_gap_rate8("uniform-ec", "student-t:nu=5"); }
END_TEST
START_TEST(test_ecsq_beats_uniform_ec)
{
  check_ecsq_vs_uniform_ec(ECSQ_FAST[_i].src, ECSQ_FAST[_i].rate);
}
END_TEST
START_TEST(test_ecsq_gap_rate8) { check_ec_gap_rate8("ecsq", _i ? "laplace" : "gaussian"); }
END_TEST
START_TEST(test_ecsq_gap_rate8_t5) { check_ec_gap_rate8("ecsq", "student-t:nu=5"); }
END_TEST
START_TEST(test_ecsq_beats_uniform_ec_slow)
{
  check_ecsq_vs_uniform_ec(ECSQ_SLOW[_i].src, ECSQ_SLOW[_i].rate);
}
END_TEST

/* Lloyd-Max and CRD gaps at N = 16, 64, 256 approach the Panter-Dite gap.
 * They approach it from below (D N^2 grows towards K, as the R 2^b column
 * of [S42] does: 1.5596, 1.6015, 1.6244 -> 1.64945), so the gaps increase
 * and stay under it.  Tolerance at N = 256: [S42]'s Gaussian deficit
 * log2(1.64945 / R 2^b) is 0.0426 bit at b = 5 and 0.0221 at b = 6, about
 * halving per bit, so about 0.006 bit at b = 8: 0.01 for the Gaussian;
 * 0.02 for the heavier-tailed sources, whose convergence is slower and for
 * which no table is published. */
START_TEST(test_fixed_gaps_converge)
{
  static const char *const Q[] = {"lloyd-max", "crd"};
  static const double TOL[] = {0.01, 0.02, 0.02};
  for (int j = 0; j < 2; j++) {
    double prev = -INFINITY, last = NAN, theory = NAN;
    for (int n = 16; n <= 256; n *= 4) {
      qrd_rd_point p = rd_point(Q[j], SOURCES[_i], n);
      theory = p.theory_gap;
      ck_assert_double_eq_tol(p.rate, log2(n), 1e-12);
      ck_assert_msg(p.gap > prev && p.gap < theory, "%s on %s, N=%d: gap %.6f (previous %.6f, "
                    "theory %.6f)", Q[j], SOURCES[_i], n, p.gap, prev, theory);
      prev = last = p.gap;
    }
    ck_assert_msg(theory - last < TOL[_i], "%s on %s: gap at N=256 %.6f, theory %.6f", Q[j],
                  SOURCES[_i], last, theory);
  }
}
END_TEST

/* Lloyd-Max is the MSE optimum among fixed-length quantisers: never worse
 * than CRD or the best uniform grid at the same N. */
START_TEST(test_lloyd_max_optimal)
{
  qrd_dist d;
  dist_of(SOURCES[_i], &d);
  for (int n = 2; n <= 256; n = n < 8 ? n + 1 : 2 * n) {
    double lm = design_stats("lloyd-max", &d, n).mse;
    double crd = design_stats("crd", &d, n).mse;
    ck_assert_msg(lm <= crd * (1.0 + 1e-12), "%s N=%d: lloyd-max %.12g > crd %.12g",
                  SOURCES[_i], n, lm, crd);
    if (n <= 32) {
      double u = design_stats("uniform", &d, n).mse;
      ck_assert_msg(lm <= u * (1.0 + 1e-12), "%s N=%d: lloyd-max %.12g > uniform %.12g",
                    SOURCES[_i], n, lm, u);
    }
  }
}
END_TEST

/* [Max] optimum uniform quantiser for N(0,1): step and MSE to 4 digits.
 * N = 2 is also closed form: levels +-sqrt(2/pi) (= Lloyd-Max), step
 * 2 sqrt(2/pi) = 1.5958. */
START_TEST(test_uniform_max_table)
{
  static const struct { int n; double step, mse; } T[] = {
    {2, 1.596, 0.3634}, {4, 0.9957, 0.1188}, {8, 0.5860, 0.03744},
  };
  qrd_dist d;
  dist_of("gaussian", &d);
  for (size_t k = 0; k < sizeof T / sizeof T[0]; k++) {
    qrd_codebook *c = design("uniform", &d, T[k].n);
    qrd_codebook_stats s;
    ck_assert_int_eq(qrd_codebook_eval(c, &d, &s), QRD_OK);
    char what[64];
    double step = c->level[1] - c->level[0];
    for (size_t i = 1; i < c->n; i++)
      ck_assert_double_eq_tol(c->level[i] - c->level[i - 1], step, 1e-12);
    snprintf(what, sizeof what, "uniform N=%d step", T[k].n);
    ASSERT_SIGNIFICANT(step, T[k].step, 4, what);
    snprintf(what, sizeof what, "uniform N=%d MSE", T[k].n);
    ASSERT_SIGNIFICANT(s.mse, T[k].mse, 4, what);
    if (T[k].n == 2)
      ck_assert_double_eq_tol(step, 2.0 * sqrt(2.0 / M_PI), 1e-5);
    qrd_codebook_free(c);
  }
}
END_TEST

/* Shannon: a unit Gaussian has D(R) = 2^{-2R}, R(D) = 1/2 log2(1/D)
 * clipped at 0; for Laplace(1/sqrt2) the lower bound is
 * h - 1/2 log2(2 pi e D) with h = log2(2e/sqrt2). */
START_TEST(test_bounds)
{
  static const double R[] = {0.1, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0};
  qrd_dist g, l;
  dist_of("gaussian", &g);
  dist_of("laplace", &l);
  for (size_t k = 0; k < sizeof R / sizeof R[0]; k++) {
    ck_assert_double_eq_tol(qrd_bound_rate(&g, exp2(-2.0 * R[k])), R[k], 1e-12);
    ck_assert_double_eq_tol(qrd_bound_mse(&g, R[k]), exp2(-2.0 * R[k]), 1e-12 * exp2(-2.0 * R[k]));
    double d = exp2(-2.0 * R[k]), h = log2(2.0 * M_E / sqrt(2.0));
    ck_assert_double_eq_tol(qrd_bound_rate(&l, d), fmax(0.0, h - 0.5 * log2(2.0 * M_PI * M_E * d)),
                            1e-12);
  }
  ck_assert_double_eq(qrd_bound_rate(&g, 1.0), 0.0);
  ck_assert_double_eq(qrd_bound_rate(&g, 2.0), 0.0);
  ck_assert_str_eq(qrd_bound_name(&g), "shannon");
  ck_assert_str_eq(qrd_bound_name(&l), "slb");
}
END_TEST

/* Every registered design on every source: a valid codebook (ascending
 * levels inside their cells, edges from -inf to +inf), the requested level
 * count or rate, and a rate at or above the (Shannon lower) bound. */
START_TEST(test_every_design)
{
  const qrd_quantiser_type *t = qrd_quantiser_type_at((size_t)_i);
  ck_assert_ptr_nonnull(t);
  qrd_quantiser q;
  quant_of(t->name, &q);
  ck_assert_str_eq(q.spec, t->name);
  for (size_t k = 0; k < 3; k++) {
    qrd_dist d;
    dist_of(SOURCES[k], &d);
    double target = t->target == QRD_TARGET_LEVELS ? 8.0 : 2.5;
    qrd_codebook *c = NULL;
    int st = qrd_quantiser_design(&q, &d, target, &c);
    ck_assert_msg(st == QRD_OK, "%s on %s: %s", t->name, d.spec, qrd_error_detail());
    ck_assert_msg(isinf(c->edge[0]) && c->edge[0] < 0 && isinf(c->edge[c->n]) &&
                  c->edge[c->n] > 0, "%s on %s: outer edges", t->name, d.spec);
    for (size_t i = 0; i < c->n; i++) {
      ck_assert_msg(c->edge[i] < c->edge[i + 1], "%s: edges not ascending at %zu", t->name, i);
      ck_assert_msg(c->level[i] >= c->edge[i] && c->level[i] <= c->edge[i + 1],
                    "%s on %s: level %zu outside its cell", t->name, d.spec, i);
    }
    qrd_codebook_stats s;
    ck_assert_int_eq(qrd_codebook_eval(c, &d, &s), QRD_OK);
    if (t->target == QRD_TARGET_LEVELS)
      ck_assert_uint_eq(c->n, 8);
    else
      ck_assert_double_eq_tol(s.entropy, target, 1e-9);
    double rate = t->target == QRD_TARGET_LEVELS ? 3.0 : target;
    ck_assert_msg(rate >= qrd_bound_rate(&d, s.mse) - 1e-12, "%s on %s beats the bound",
                  t->name, d.spec);
    ck_assert_double_le(s.mse, 1.0);
    qrd_codebook_free(c);
  }
}
END_TEST

/* ---- iteration APIs ---- */

/* From a poor start (a uniform grid much too narrow), the Lloyd iteration
 * run to qrd_lloyd_test(w, 1e-10) == QRD_OK lands on the Lloyd-Max design
 * ([S42]: 0.034548 for N = 8); one iteration from there is not converged. */
START_TEST(test_lloyd_api)
{
  static const struct { const char *d; size_t n; double lo, hi, mse; } C[] = {
    {"gaussian", 8, -0.5, 0.5, 0.034548},
    {"laplace", 16, -3.0, 0.2, NAN},
    {"student-t:nu=5", 12, -0.1, 0.1, NAN},
  };
  for (size_t k = 0; k < sizeof C / sizeof C[0]; k++) {
    qrd_dist d;
    dist_of(C[k].d, &d);
    double start[16];
    for (size_t i = 0; i < C[k].n; i++)
      start[i] = C[k].lo + (C[k].hi - C[k].lo) * (double)i / (double)(C[k].n - 1);
    qrd_lloyd *w = qrd_lloyd_alloc(C[k].n);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(qrd_lloyd_init(w, &d, start), QRD_OK);
    ck_assert_int_eq(qrd_lloyd_iterate(w), QRD_OK);
    ck_assert_uint_eq(w->iter, 1);
    ck_assert_int_eq(qrd_lloyd_test(w, 1e-10), QRD_CONTINUE);
    while (qrd_lloyd_test(w, 1e-10) != QRD_OK) {
      ck_assert_msg(w->iter < 20000, "%s: no convergence (change %g)", C[k].d, w->change);
      ck_assert_int_eq(qrd_lloyd_iterate(w), QRD_OK);
    }
    qrd_codebook_set_midpoints(w->cb);
    qrd_codebook_stats s;
    ck_assert_int_eq(qrd_codebook_eval(w->cb, &d, &s), QRD_OK);
    qrd_codebook *ref = design("lloyd-max", &d, (double)C[k].n);
    qrd_codebook_stats rs;
    ck_assert_int_eq(qrd_codebook_eval(ref, &d, &rs), QRD_OK);
    ck_assert_msg(fabs(s.mse - rs.mse) <= 1e-9 * rs.mse, "%s N=%zu: iterated MSE %.15g, "
                  "design %.15g (%zu iterations)", C[k].d, C[k].n, s.mse, rs.mse, w->iter);
    for (size_t i = 0; i < C[k].n; i++)
      ck_assert_double_eq_tol(w->cb->level[i], ref->level[i], 1e-7);
    if (!isnan(C[k].mse))
      ASSERT_DECIMALS(s.mse, C[k].mse, 6, "iterated Lloyd-Max N=8 MSE");
    qrd_codebook_free(ref);
    qrd_lloyd_free(w);
  }
}
END_TEST

/* Checks that w->cb is a partition of the line with each level in its
 * cell, and returns D + lambda H evaluated from it by qrd_codebook_eval. */
static double ecsq_cost(const qrd_ecsq *w, const qrd_dist *d, const char *what, size_t it)
{
  const qrd_codebook *c = w->cb;
  ck_assert_msg(c->edge[0] == -INFINITY && c->edge[c->n] == INFINITY,
                "%s, after iteration %zu: outer edges %g, %g (n = %zu)", what, it, c->edge[0],
                c->edge[c->n], c->n);
  for (size_t i = 0; i < c->n; i++)
    ck_assert_msg(c->edge[i] < c->edge[i + 1] && c->level[i] >= c->edge[i] &&
                  c->level[i] <= c->edge[i + 1],
                  "%s, after iteration %zu: cell %zu (%.9g, %.9g] with level %.9g (n = %zu)",
                  what, it, i, c->edge[i], c->edge[i + 1], c->level[i], c->n);
  qrd_codebook_stats s;
  ck_assert_int_eq(qrd_codebook_eval(c, d, &s), QRD_OK);
  double cost = s.mse + w->lambda * s.entropy;
  ck_assert_msg(fabs(cost - w->cost) <= 1e-9 * cost, "%s, after iteration %zu: evaluated "
                "D + lambda H = %.15g, the iteration's cost %.15g", what, it, cost, w->cost);
  return cost;
}

/* [CLG]: at fixed lambda, each ECSQ iteration (Lagrangian edges, centroid
 * levels, code lengths -log2 p) does not increase D + lambda H.  D and H are
 * re-evaluated from the current cells by qrd_codebook_eval, not taken from
 * the iteration's own bookkeeping (which must agree with them).  Starts:
 * uniform cells whose step is off the one lambda wants (too fine: cells
 * close; too coarse: cells spread), at most 150 iterations each. */
static void ecsq_descent(const qrd_dist *d, double step, double lambda, size_t max_iter)
{
  char what[256];
  snprintf(what, sizeof what, "ecsq on %s from step %g, lambda %g", d->spec, step, lambda);
  qrd_codebook *start = NULL;
  ck_assert_int_eq(qrd_uniform_cells(d, step, &start), QRD_OK);
  qrd_codebook_stats s;
  ck_assert_int_eq(qrd_codebook_eval(start, d, &s), QRD_OK);
  double prev = s.mse + lambda * s.entropy;
  qrd_ecsq *w = qrd_ecsq_alloc(start);
  ck_assert_ptr_nonnull(w);
  ck_assert_int_eq(qrd_ecsq_init(w, d, start, lambda), QRD_OK);
  ck_assert_double_eq_tol(w->cost, prev, 1e-9 * prev);
  size_t it;
  for (it = 0; it < max_iter && qrd_ecsq_test(w, 1e-13) != QRD_OK; it++) {
    ck_assert_int_eq(qrd_ecsq_iterate(w), QRD_OK);
    double cost = ecsq_cost(w, d, what, it + 1);
    ck_assert_msg(cost <= prev * (1.0 + 1e-12), "%s, iteration %zu: D + lambda H rose from "
                  "%.15g to %.15g", what, it + 1, prev, cost);
    prev = cost;
  }
  ck_assert_msg(it > 10, "%s: converged at once: a poor start was intended", what);
  qrd_ecsq_free(w);
  qrd_codebook_free(start);
}

/* Starts too coarse (cells spread) and too fine (cells close). */
static const struct { const char *src; double step, lambda; } DESCENT[] = {
  {"gaussian", 0.5, 0.05}, {"gaussian", 1.5, 0.01}, {"gaussian", 0.1, 0.01},
  {"laplace", 0.5, 0.05},  {"laplace", 1.5, 0.01},  {"laplace", 0.1, 0.01},
  {"laplace", 0.05, 0.6},
  {"student-t:nu=5", 0.5, 0.05}, {"student-t:nu=5", 1.5, 0.01}, {"student-t:nu=5", 1.0, 0.3},
};

START_TEST(test_ecsq_descent)
{
  qrd_dist d;
  dist_of(DESCENT[_i].src, &d);
  ecsq_descent(&d, DESCENT[_i].step, DESCENT[_i].lambda, 150);
}
END_TEST

/* The same from starts whose iteration (a) spreads cells into the far
 * Gaussian tail until a cell's probability underflows to 0 and the cell is
 * dropped, (b) squeezes t5 tail cells far out until their moments, as
 * differences of tail moments, lose their precision.  The public state
 * must still be cells with their levels inside (ecsq.h: "cb: current
 * cells"). */
static const struct { const char *src; double step, lambda; } STATE[] = {
  {"gaussian", 0.2, 0.15}, {"student-t:nu=5", 0.2, 0.15},
};

START_TEST(test_ecsq_state_valid)
{
  qrd_dist d;
  dist_of(STATE[_i].src, &d);
  ecsq_descent(&d, STATE[_i].step, STATE[_i].lambda, 150);
}
END_TEST

/* Two workspaces from the same uniform cells at multiplier lambda (the
 * high-rate step for it), descended together until an iteration changes
 * the cost by at most 1e-3: where Newton takes over. */
static void ecsq_twins(const qrd_dist *d, double lambda, qrd_codebook **start, qrd_ecsq **a,
                       qrd_ecsq **b)
{
  ck_assert_int_eq(qrd_uniform_cells(d, sqrt(6.0 * lambda / M_LN2), start), QRD_OK);
  *a = qrd_ecsq_alloc(*start);
  *b = qrd_ecsq_alloc(*start);
  ck_assert_ptr_nonnull(*a);
  ck_assert_ptr_nonnull(*b);
  ck_assert_int_eq(qrd_ecsq_init(*a, d, *start, lambda), QRD_OK);
  ck_assert_int_eq(qrd_ecsq_init(*b, d, *start, lambda), QRD_OK);
  while (qrd_ecsq_test(*a, 1e-3) != QRD_OK) {
    ck_assert_int_eq(qrd_ecsq_iterate(*a), QRD_OK);
    ck_assert_int_eq(qrd_ecsq_iterate(*b), QRD_OK);
  }
}

/* Newton on the edge conditions, against the descent it accelerates, at
 * a fixed multiplier: from uniform cells of the step lambda wants, both
 * first descend until an iteration changes the cost by at most 1e-3;
 * then one side takes Newton steps until settled, the other descends until
 * an iteration changes the cost by at most 1e-14 (thousands of
 * iterations).  The first full Newton step must shrink the squared
 * gradient by two orders of magnitude or more (a wrong Jacobian converges
 * linearly: a factor of a few), every step must keep a valid partition
 * whose cost qrd_codebook_eval confirms, and the two designs must cost the
 * same to `tol`: 1e-10 where every edge takes part, 1e-8 on Student-t,
 * whose far-tail edges (cells under 1e-16) Newton leaves where they are
 * and the long descent still moves (measured: 1.2e-9 at lambda 0.01). */
static void ecsq_newton_vs_descent(const char *src, double lambda, double tol)
{
  qrd_dist d;
  dist_of(src, &d);
  char what[256];
  snprintf(what, sizeof what, "ecsq newton on %s, lambda %g", src, lambda);
  qrd_codebook *start;
  qrd_ecsq *a, *b;
  ecsq_twins(&d, lambda, &start, &a, &b);
  double first_gain = 0.0;
  size_t steps = 0;
  while (steps < 50 && qrd_ecsq_newton(a) == QRD_OK) {
    double cost = ecsq_cost(a, &d, what, a->iter);
    ck_assert_msg(steps > 0 || cost <= b->cost * (1.0 + 1e-10), "%s: first step raised the cost",
                  what);
    if (steps++ == 0)
      first_gain = a->gain;
    if (qrd_ecsq_newton_test(a) == QRD_OK)
      break;
  }
  ck_assert_msg(steps >= 1 && first_gain > 100.0,
                "%s: the first Newton step shrank the squared gradient %g times", what,
                first_gain);
  for (size_t it = 0; it < 20000 && qrd_ecsq_test(b, 1e-14) != QRD_OK; it++)
    ck_assert_int_eq(qrd_ecsq_iterate(b), QRD_OK);
  ck_assert_msg(fabs(a->cost - b->cost) <= tol * b->cost,
                "%s: Newton's cost %.15g, the descent's %.15g", what, a->cost, b->cost);
  qrd_ecsq_free(a);
  qrd_ecsq_free(b);
  qrd_codebook_free(start);
}

/* A Newton step starts from the merit the last accepted one computed at
 * the same cells (qrd_ecsq.grad_known); a workspace made to recompute it
 * every time (with a descent step in between, which moves the cells) must
 * take the same steps, bit for bit. */
static void ecsq_merit_reuse(const char *src, double lambda)
{
  qrd_dist d;
  dist_of(src, &d);
  qrd_codebook *start;
  qrd_ecsq *a, *b;
  ecsq_twins(&d, lambda, &start, &a, &b);
  int reused = 0;
  for (int step = 0; step < 12; step++) {
    if (step == 3) {
      ck_assert_int_eq(qrd_ecsq_iterate(a), QRD_OK);
      ck_assert_int_eq(qrd_ecsq_iterate(b), QRD_OK);
    }
    reused += a->grad_known;
    b->grad_known = 0;
    int sa = qrd_ecsq_newton(a), sb = qrd_ecsq_newton(b);
    size_t n = a->cb->n;
    ck_assert_int_eq(sa, sb);
    ck_assert_int_eq(n, b->cb->n);
    ck_assert_msg(memcmp(a->cb->edge, b->cb->edge, (n + 1) * sizeof(double)) == 0 &&
                    memcmp(a->cb->level, b->cb->level, n * sizeof(double)) == 0 &&
                    memcmp(&a->cost, &b->cost, sizeof a->cost) == 0,
                  "%s lambda %g: step %d differs (cost %.17g vs %.17g)", src, lambda, step,
                  a->cost, b->cost);
    if (sa != QRD_OK)
      break;
  }
  ck_assert_msg(reused > 0, "%s lambda %g: no step started from the last one's merit", src,
                lambda);
  qrd_ecsq_free(a);
  qrd_ecsq_free(b);
  qrd_codebook_free(start);
}

/* About 2 and 4 bits on each source (lambda from the high-rate slope). */
static const struct { const char *src; double lambda, tol; } NEWTON[] = {
  {"gaussian", 0.01, 1e-10}, {"gaussian", 6e-4, 1e-10}, {"laplace", 0.01, 1e-10},
  {"laplace", 6e-4, 1e-10},  {"student-t:nu=5", 0.01, 1e-8},
};

START_TEST(test_ecsq_newton)
{
  ecsq_newton_vs_descent(NEWTON[_i].src, NEWTON[_i].lambda, NEWTON[_i].tol);
}
END_TEST

START_TEST(test_ecsq_merit_reuse)
{
  ecsq_merit_reuse(NEWTON[_i].src, NEWTON[_i].lambda);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_errors)
{
  qrd_dist g, inf;
  qrd_quantiser q;
  qrd_codebook *c = (qrd_codebook *)&c;
  dist_of("gaussian", &g);
  dist_of("student-t:nu=2,scale=1", &inf);

  static const double BAD_LEVELS[] = {1.0, 2.5, 0.0, -4.0, NAN, INFINITY};
  static const char *const FIXED[] = {"uniform", "lloyd-max", "crd"};
  for (size_t j = 0; j < 3; j++) {
    quant_of(FIXED[j], &q);
    for (size_t k = 0; k < sizeof BAD_LEVELS / sizeof BAD_LEVELS[0]; k++) {
      qrd_error_clear();
      ck_assert_msg(qrd_quantiser_design(&q, &g, BAD_LEVELS[k], &c) == QRD_EINVAL,
                    "%s levels=%g", FIXED[j], BAD_LEVELS[k]);
      ck_assert_ptr_null(c);
      ck_assert(qrd_error_detail()[0] != '\0');
    }
    ck_assert_int_eq(qrd_quantiser_design(&q, &inf, 4, &c), QRD_EDOM);
  }
  static const double BAD_RATES[] = {0.0, -1.0, NAN, INFINITY};
  static const char *const EC[] = {"uniform-ec", "ecsq"};
  for (size_t j = 0; j < 2; j++) {
    quant_of(EC[j], &q);
    for (size_t k = 0; k < sizeof BAD_RATES / sizeof BAD_RATES[0]; k++) {
      qrd_error_clear();
      ck_assert_msg(qrd_quantiser_design(&q, &g, BAD_RATES[k], &c) == QRD_EINVAL,
                    "%s rate=%g", EC[j], BAD_RATES[k]);
      ck_assert(qrd_error_detail()[0] != '\0');
    }
    ck_assert_int_eq(qrd_quantiser_design(&q, &inf, 2.0, &c), QRD_EDOM);
  }
  /* a design the grid cannot hold fails with that reason, not with the
   * rate search's "no sign change" that used to replace it */
  qrd_dist t3;
  dist_of("student-t:nu=3", &t3);
  quant_of("ecsq", &q);
  ck_assert_int_eq(qrd_quantiser_design(&q, &t3, 6.0, &c), QRD_EINVAL);
  ck_assert_msg(strstr(qrd_error_detail(), "needs more than") != NULL, "detail: %s",
                qrd_error_detail());
  static const struct { const char *text; int status; } P[] = {
    {"vector-quantiser", QRD_ENOTFOUND},
    {"Lloyd-Max", QRD_ENOTFOUND},
    {"crd:alpha=0", QRD_EINVAL},
    {"crd:alpha=-1", QRD_EINVAL},
    {"crd:alpha=x", QRD_EINVAL},
    {"crd:foo=1", QRD_EINVAL},
    {"lloyd-max:alpha=0.5", QRD_EINVAL},
    {"crd:alpha=0.5,alpha=0.25", QRD_EINVAL},
  };
  for (size_t k = 0; k < sizeof P / sizeof P[0]; k++) {
    qrd_error_clear();
    int st = qrd_quantiser_parse(P[k].text, &q);
    ck_assert_msg(st == P[k].status, "'%s': %d (%s), expected %d", P[k].text, st,
                  qrd_error_detail(), P[k].status);
    ck_assert(qrd_error_detail()[0] != '\0');
  }
  ck_assert_int_eq(qrd_quantiser_parse("crd:alpha=0.5", &q), QRD_OK);
  ck_assert_double_eq(q.params[0], 0.5);
}
END_TEST

Suite *qrd_suite_quant(void)
{
  Suite *s = suite_create("quant");
  TCase *tc;

  tc = tcase_create("tables");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_lloyd_max_gaussian_mse);
  tcase_add_test(tc, test_gaussian_r_table);
  tcase_add_test(tc, test_lloyd_max_is_centroidal);
  tcase_add_test(tc, test_uniform_ec_table);
  tcase_add_test(tc, test_crd_tables);
  tcase_add_test(tc, test_crd_closed_forms);
  tcase_add_test(tc, test_uniform_max_table);
  suite_add_tcase(s, tc);

  tc = tcase_create("theory");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_high_rate_constants);
  tcase_add_test(tc, test_bounds);
  tcase_add_loop_test(tc, test_uniform_ec_gap_rate8, 0, 2);
  tcase_add_loop_test(tc, test_ecsq_beats_uniform_ec, 0, N_OF(ECSQ_FAST));
  tcase_add_loop_test(tc, test_ecsq_gap_rate8, 0, 2);
  tcase_add_loop_test(tc, test_fixed_gaps_converge, 0, 3);
  tcase_add_loop_test(tc, test_lloyd_max_optimal, 0, 3);
  tcase_add_loop_test(tc, test_every_design, 0, (int)qrd_quantiser_count());
  suite_add_tcase(s, tc);

  tc = tcase_create("theory-t5");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_set_tags(tc, "slow");
  tcase_add_test(tc, test_uniform_ec_gap_rate8_t5);
  tcase_add_loop_test(tc, test_ecsq_beats_uniform_ec_slow, 0, N_OF(ECSQ_SLOW));
  tcase_add_test(tc, test_ecsq_gap_rate8_t5);
  suite_add_tcase(s, tc);

  tc = tcase_create("api");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_lloyd_api);
  tcase_add_loop_test(tc, test_ecsq_descent, 0, N_OF(DESCENT));
  tcase_add_loop_test(tc, test_ecsq_state_valid, 0, N_OF(STATE));
  tcase_add_loop_test(tc, test_ecsq_newton, 0, N_OF(NEWTON));
  tcase_add_loop_test(tc, test_ecsq_merit_reuse, 0, N_OF(NEWTON));
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return s;
}
