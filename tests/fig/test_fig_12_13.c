/* fig-12 (Orr et al. F-S11, FP exponent bits) and fig-13 (F-S12, scale
 * mantissa bits): both drivers run once on 2^20 samples in a sandbox
 * shared by the tests.  Checked:
 *   - the drivers' direct passes (closed-form FP rounding, cell tables)
 *     give the R of the library path (qrd_block_sample_alloc +
 *     qrd_block_eval with qrd_element_fp / CRD / INT codebooks), so the
 *     shortcut changes nothing but the run time;
 *   - fig-12: under absmax E2M* is best and flat, each extra exponent bit
 *     about doubles R 2^b; under RMS E2 (and for t5 E3) blow up at high b
 *     by clipping while E4 and E5 stay flat (Orr et al.);
 *   - fig-13: every point is within 0.1 bit of its total; a few mantissa
 *     bits cut R well below R(m = 0), and past the optimum the lost
 *     element resolution costs again; the curves are step-like: where the
 *     level count stays put at large m, R hardly moves;
 *   - one thread gives the data of two, and a bad config is refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fig_run.h"
#include "fmt/bits.h"
#include "fmt/block.h"
#include "mc/sample.h"
#include "suites.h"


#define SAMPLES 1048576
#define MAX_VALUES 32

/* The configs, with exponent_bits and samples left to fill in. */
#define CONFIG12(exponents) \
  "seed = 1\nsamples = 1048576\n" \
  "dists = gaussian:scale=1 laplace:scale=1 student-t:nu=5,scale=1\n" \
  "exponent_bits = " exponents "\nelement_bits_min = 3\nelement_bits_max = 16\n" \
  "block = 128\nscale = e8m7\n"
#define CONFIG13(samples) \
  "seed = 1\nsamples = " samples "\ndist = student-t:nu=5,scale=1\n" \
  "total_bits = 4 8\nblocks = 32 64 128\nscale_exponent_bits = 7\n" \
  "scale_mantissa_min = 0\nscale_mantissa_max = 23\nrescalings = 11\n"

static qrd_test_fig fig12, fig13;

static const char *const PANELS12[] = {"normal", "laplace", "t-nu-5"};
static const char *const DISTS12[] = {"gaussian:scale=1", "laplace:scale=1",
                                      "student-t:nu=5,scale=1"};

static void sandbox_open(void)
{
  qrd_test_fig_open(&fig12, "fig-12");
  qrd_test_fig_make(&fig12, "--threads 2", CONFIG12("2 3 4 5"));
  qrd_test_fig_open(&fig13, "fig-13");
  qrd_test_fig_make(&fig13, "--threads 2", CONFIG13("1048576"));
}

static void sandbox_close(void)
{
  qrd_test_fig_close(&fig12);
  qrd_test_fig_close(&fig13);
}

/* R of element e on x[0..n-1] through the library's block evaluation;
 * bits (if not NULL) the achieved bits per parameter. */
static double library_r(const double *x, size_t n, const char *scaling, const char *scale,
                        const qrd_element *e, double *bits)
{
  qrd_scaling sc;
  qrd_block_sample *bs;
  qrd_block_result r;
  ck_assert_int_eq(qrd_scaling_parse(scaling, scale, &sc), 0);
  ck_assert_int_eq(qrd_block_sample_alloc(x, n, &sc, e->lo, e->hi, 0.0, &bs), 0);
  ck_assert_int_eq(qrd_block_eval(bs, e->cb, e->bits, &r), 0);
  qrd_block_sample_free(bs);
  if (bits)
    *bits = r.bits;
  return r.rel_rmse;
}

/* ---- fig-12 ---- */

/* fig-12's curve of exponent e: x (bits) and y (R 2^b); returns length. */
static size_t fig12_curve(const char *panel, const char *scaling, int e, double *x, double *y)
{
  char curve[64];
  snprintf(curve, sizeof curve, "%s-e%d", scaling, e);
  size_t n = qrd_test_fig_curve_upto(&fig12, panel, curve, "x", x, MAX_VALUES);
  qrd_test_fig_curve(&fig12, panel, curve, "y", y, n);
  return n;
}

/* Formats at widths 4, 8, 16 on every source, RMS and absmax: the same R
 * and bits as the library path (to summation order). */
START_TEST(test_fig12_matches_library)
{
  static const int fmt[][2] = {{2, 1}, {3, 4}, {5, 10}};
  static const char *const scalings[][2] = {{"rms", "rms"}, {"absmax-b128", "absmax:128"}};
  for (size_t p = 0; p < 3; p++) {
    qrd_dist d;
    ck_assert_int_eq(qrd_dist_parse(DISTS12[p], &d), 0);
    double *x = qrd_sample_alloc(&d, 1, SAMPLES);
    ck_assert_ptr_nonnull(x);
    for (size_t s = 0; s < 2; s++)
      for (size_t f = 0; f < 3; f++) {
        qrd_element *e;
        ck_assert_int_eq(qrd_element_fp(fmt[f][0], fmt[f][1], QRD_FP_NEAREST, &e), 0);
        double bits, r = library_r(x, SAMPLES, scalings[s][1], "e8m7", e, &bits);
        double bx[MAX_VALUES], y[MAX_VALUES];
        size_t n = fig12_curve(PANELS12[p], scalings[s][0], fmt[f][0], bx, y), k = n;
        for (size_t i = 0; i < n; i++)
          if (bx[i] == bits)
            k = i;
        ck_assert_msg(k < n, "%s %s E%dM%d: no point at %g bits", PANELS12[p],
                      scalings[s][0], fmt[f][0], fmt[f][1], bits);
        double rd = y[k] / exp2(bx[k]);
        ck_assert_msg(fabs(rd / r - 1.0) < 1e-9, "%s %s E%dM%d: driver %.12g, library %.12g",
                      PANELS12[p], scalings[s][0], fmt[f][0], fmt[f][1], rd, r);
        qrd_element_free(e);
      }
    free(x);
  }
}
END_TEST

/* Absmax: E2M* lowest at every width from 5 bits (where all four exist
 * from E4 on: compare where each exists), flat within 20% from 4 bits, and
 * each extra exponent bit multiplies R 2^b by 1.6..2.4 from 8 bits on. */
START_TEST(test_fig12_absmax_e2_best_flat)
{
  for (size_t p = 0; p < 3; p++) {
    double x[4][MAX_VALUES], y[4][MAX_VALUES];
    size_t n[4];
    for (int e = 2; e <= 5; e++)
      n[e - 2] = fig12_curve(PANELS12[p], "absmax-b128", e, x[e - 2], y[e - 2]);
    double lo = INFINITY, hi = 0.0;
    for (size_t i = 0; i < n[0]; i++)
      if (x[0][i] >= 4.0) {
        lo = fmin(lo, y[0][i]);
        hi = fmax(hi, y[0][i]);
      }
    ck_assert_msg(hi < 1.2 * lo, "%s: E2 absmax from %.3f to %.3f", PANELS12[p], lo, hi);
    /* curve e starts e - 2 widths after E2's */
    for (size_t e = 1; e < 4; e++)
      for (size_t i = 0; i < n[e]; i++) {
        const double *prev = y[e - 1] + 1;
        ck_assert_msg(y[0][i + e] < y[e][i], "%s: E%zu below E2 at %g bits", PANELS12[p],
                      e + 2, x[e][i]);
        if (x[e][i] >= 8.0) {
          double ratio = y[e][i] / prev[i];
          ck_assert_msg(ratio > 1.6 && ratio < 2.4, "%s: E%zu / E%zu = %.3f at %g bits",
                        PANELS12[p], e + 2, e + 1, ratio, x[e][i]);
        }
      }
  }
}
END_TEST

/* max / min of R 2^b over a curve. */
static double spread(const double *y, size_t n)
{
  double lo = INFINITY, hi = 0.0;
  for (size_t i = 0; i < n; i++) {
    lo = fmin(lo, y[i]);
    hi = fmax(hi, y[i]);
  }
  return hi / lo;
}

/* RMS: E2 ends more than 8x above its best (clipping at |x| ~ 4 RMS);
 * for t5 E3 too, but not for the lighter tails; E4 and E5 stay within
 * 10% (from 6 bits: the first points have few mantissa bits). */
START_TEST(test_fig12_rms_clipping)
{
  for (size_t p = 0; p < 3; p++) {
    double x[MAX_VALUES], y[MAX_VALUES];
    size_t n = fig12_curve(PANELS12[p], "rms", 2, x, y);
    ck_assert_msg(y[n - 1] > 8.0 * y[0], "%s: RMS E2 %.3f -> %.3f", PANELS12[p], y[0],
                  y[n - 1]);
    n = fig12_curve(PANELS12[p], "rms", 3, x, y);
    if (p == 2)
      ck_assert_msg(y[n - 1] > 8.0 * y[0], "t5: RMS E3 %.3f -> %.3f", y[0], y[n - 1]);
    else
      ck_assert_msg(spread(y, n) < 1.2, "%s: RMS E3 spread %.3f", PANELS12[p], spread(y, n));
    for (int e = 4; e <= 5; e++) {
      n = fig12_curve(PANELS12[p], "rms", e, x, y);
      ck_assert_msg(spread(y + 1, n - 1) < 1.1, "%s: RMS E%d spread %.3f", PANELS12[p], e,
                    spread(y + 1, n - 1));
    }
  }
}
END_TEST

/* ---- fig-13 ---- */

static const unsigned long BLOCKS13[] = {32, 64, 128};
static const char *const KINDS13[] = {"crd", "int"};

/* fig-13's element of kind k at total b, block B and mantissa width m. */
static qrd_element *fig13_element(int kind, double b, unsigned long block, int m)
{
  double eb = qrd_bits_fixed_total_element(b, 8.0 + m, (double)block);
  qrd_element *e;
  if (kind == 0) {
    qrd_dist d;
    qrd_crd_params p;
    ck_assert_int_eq(qrd_dist_parse("student-t:nu=5,scale=1", &d), 0);
    ck_assert_int_eq(qrd_crd_params_for_dist(&d, &p, NULL, NULL, 0), 0);
    p.scaling = QRD_CRD_ABSMAX;
    p.block = (double)block;
    ck_assert_int_eq(qrd_element_crd(&p, eb, &e), 0);
  } else {
    ck_assert_int_eq(qrd_element_int(eb, 0, &e), 0);
  }
  return e;
}

/* The library's mean over the 11 rescalings f_j = 1 + j/10, each on the
 * j-th of 11 runs of whole blocks (fig-13.c's split). */
static double library_mean_r(const double *x, int kind, double b, unsigned long block, int m)
{
  size_t nb = SAMPLES / block;
  char scaling[32], scale[16];
  snprintf(scaling, sizeof scaling, "absmax:%lu", block);
  snprintf(scale, sizeof scale, "e7m%d", m);
  qrd_element *e = fig13_element(kind, b, block, m);
  double *xf = malloc(SAMPLES * sizeof *xf), mean = 0.0;
  ck_assert_ptr_nonnull(xf);
  for (size_t j = 0; j < 11; j++) {
    size_t from = j * nb / 11 * block, to = (j + 1) * nb / 11 * block;
    double f = 1.0 + (double)j / 10.0;
    for (size_t i = from; i < to; i++)
      xf[i - from] = x[i] * f;
    mean += library_r(xf, to - from, scaling, scale, e, NULL) / 11.0;
  }
  free(xf);
  qrd_element_free(e);
  return mean;
}

/* fig-13's series <kind>-b<B> at total b in panel prefix "" (ratio),
 * "r-" (R) or the achieved bits; returns its length. */
static size_t fig13_series(const char *what, int kind, double b, unsigned long block,
                           double *m, double *y)
{
  char panel[32], curve[64];
  if (strcmp(what, "achieved") == 0) {
    snprintf(panel, sizeof panel, "achieved-bits");
    snprintf(curve, sizeof curve, "bits-%g-%s-b%lu", b, KINDS13[kind], block);
  } else {
    snprintf(panel, sizeof panel, "%sbits-%g", what, b);
    snprintf(curve, sizeof curve, "%s-b%lu", KINDS13[kind], block);
  }
  size_t n = qrd_test_fig_curve_upto(&fig13, panel, curve, "x", m, MAX_VALUES);
  qrd_test_fig_curve(&fig13, panel, curve, "y", y, n);
  return n;
}

START_TEST(test_fig13_matches_library)
{
  static const struct { int kind; double b; unsigned long block; int m; } pts[] = {
    {0, 4, 64, 3}, {1, 8, 32, 0}, {1, 4, 128, 12}, {0, 8, 32, 23},
  };
  qrd_dist d;
  ck_assert_int_eq(qrd_dist_parse("student-t:nu=5,scale=1", &d), 0);
  double *x = qrd_sample_alloc(&d, 1, SAMPLES);
  ck_assert_ptr_nonnull(x);
  for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
    double m[MAX_VALUES], r[MAX_VALUES];
    fig13_series("r-", pts[i].kind, pts[i].b, pts[i].block, m, r);
    double lib = library_mean_r(x, pts[i].kind, pts[i].b, pts[i].block, pts[i].m);
    ck_assert_msg(fabs(r[pts[i].m] / lib - 1.0) < 1e-9, "%s b=%g B=%lu m=%d: %.12g vs %.12g",
                  KINDS13[pts[i].kind], pts[i].b, pts[i].block, pts[i].m, r[pts[i].m], lib);
  }
  free(x);
}
END_TEST

/* Every point within 0.1 bit of its total (the reference asserts this). */
START_TEST(test_fig13_bits)
{
  for (int t = 4; t <= 8; t += 4)
    for (int k = 0; k < 2; k++)
      for (size_t bi = 0; bi < 3; bi++) {
        double m[MAX_VALUES], bits[MAX_VALUES];
        size_t n = fig13_series("achieved", k, t, BLOCKS13[bi], m, bits);
        ck_assert_uint_eq(n, 24);
        for (size_t i = 0; i < n; i++)
          ck_assert_msg(fabs(bits[i] - t) < 0.1, "%s B=%lu m=%g: %g bits", KINDS13[k],
                        BLOCKS13[bi], m[i], bits[i]);
      }
}
END_TEST

/* R / R(0) below 0.9 at m = 3 (a few mantissa bits help), the optimum at
 * m <= 14 and m = 23 at least 3% above it (the bits are then missed by
 * the elements); with the level count unchanged from m >= 12 on, R moves
 * by less than 0.5% per step (the steps come from level rounding). */
START_TEST(test_fig13_shape)
{
  for (int t = 4; t <= 8; t += 4)
    for (int k = 0; k < 2; k++)
      for (size_t bi = 0; bi < 3; bi++) {
        double m[MAX_VALUES], y[MAX_VALUES], bits[MAX_VALUES];
        size_t n = fig13_series("", k, t, BLOCKS13[bi], m, y), best = 0;
        fig13_series("achieved", k, t, BLOCKS13[bi], m, bits);
        for (size_t i = 0; i < n; i++)
          best = y[i] < y[best] ? i : best;
        ck_assert_msg(y[0] == 1.0 && y[3] < 0.9, "%s b=%d B=%lu: R(3)/R(0) = %.3f",
                      KINDS13[k], t, BLOCKS13[bi], y[3]);
        ck_assert_msg(best <= 14 && y[n - 1] > 1.03 * y[best],
                      "%s b=%d B=%lu: best m = %zu (%.3f), m = 23: %.3f", KINDS13[k], t,
                      BLOCKS13[bi], best, y[best], y[n - 1]);
        for (size_t i = 12; i + 1 < n; i++)
          if (fabs(bits[i + 1] - bits[i] - 1.0 / (double)BLOCKS13[bi]) < 1e-9)
            ck_assert_msg(fabs(y[i + 1] / y[i] - 1.0) < 0.005, "%s b=%d B=%lu m=%zu: %.4f -> %.4f",
                          KINDS13[k], t, BLOCKS13[bi], i, y[i], y[i + 1]);
      }
}
END_TEST

Suite *qrd_suite_fig1213(void)
{
  Suite *s = suite_create("fig-12-13");
  TCase *tc = tcase_create("drivers");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_fig12_matches_library);
  tcase_add_test(tc, test_fig12_absmax_e2_best_flat);
  tcase_add_test(tc, test_fig12_rms_clipping);
  tcase_add_test(tc, test_fig13_matches_library);
  tcase_add_test(tc, test_fig13_bits);
  tcase_add_test(tc, test_fig13_shape);
  /* exponent widths out of order; samples that are not whole blocks */
  qrd_test_fig_add_checks(tc, &fig12, CONFIG12("2 4 3 5"), "exponent_bits");
  qrd_test_fig_add_checks(tc, &fig13, CONFIG13("1000000"), "samples");
  suite_add_tcase(s, tc);
  return s;
}
