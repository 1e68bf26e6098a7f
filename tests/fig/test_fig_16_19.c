/* fig-16 .. fig-19 (the NF4/AF4 study's figures A .. D): the drivers run once at
 * reduced size in a sandbox shared by the tests (from the repository root,
 * after make has built them), and their HDF5 output is checked against
 * independent values and the claims each figure makes:
 *   fig-16  exact bins and f_B against the closed forms for B = 2, 3,
 *           the published peaks f_B(0) and F-P1's end-bin spike, total mass
 *           1, and the histograms against the exact law in standard errors;
 *   fig-17  AF4-pub against the published tables, NF4 against
 *           QLoRA's, the compression of the levels towards 0 with B, the
 *           wider 0 cell of AF4-exact, BOF4-S's positive half = BOF4's;
 *   fig-18  AF4-exact below AF4-pub in L1 of X at every B; BOF4 below every
 *           other absmax code in R, BOF4-S below BOF4; exact vs Monte Carlo
 *           within 3 SE; AF4-exact inside the Adam loss ranges of
 *           with AF4-pub above; closed-form L1 at B = 2;
 *   fig-19  closed-form cell probabilities at B = 2; NF4's entropy falls
 *           with B; AF4-pub's 0 cell is the smallest;
 * plus thread-count independence of the sampled figures and bad configs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fig_run.h"
#include "published_codes.h"
#include "suites.h"


enum { FIG16, FIG17, FIG18, FIG19, N_FIGS };

static const char *const FIG_NAME[N_FIGS] = {"fig-16", "fig-17", "fig-18", "fig-19"};

/* Reduced runs, with samples (fig-16) and block_min (fig-18) left to fill
 * in.  fig-16: samples a multiple of 64 B for B = 3 and 4096. */
#define CONFIG16(samples) \
  "seed = 1\nsamples = " samples "\nblocks = 2 3 16 64 4096\nbins = 100\npoints = 201\n"
#define CONFIG18(block_min) \
  "seed = 1\nsamples = 1048576\nblock_min = " block_min "\nblock_max = 4096\n" \
  "codes = nf4 af4-pub af4-exact bof4 bof4s int4 uniform\n"
static const char *const CONFIG[N_FIGS] = {
  CONFIG16("1572864"),
  "seed = 1\nblock_min = 32\nblock_max = 4096\ncodes = nf4 af4-pub af4-exact bof4 bof4s\n",
  CONFIG18("2"),
  "seed = 1\nblock_min = 2\nblock_max = 4096\ncodes = nf4 af4-pub af4-exact int4 uniform\n",
};

#define BINS 100
#define POINTS 201
#define LEVELS 16
#define N_B18 12 /* fig-18, fig-19: B = 2 .. 4096 */

static qrd_test_fig fig[N_FIGS];

static void sandbox_open(void)
{
  for (int k = 0; k < N_FIGS; k++) {
    qrd_test_fig_open(&fig[k], FIG_NAME[k]);
    qrd_test_fig_make(&fig[k], "--threads 2", "%s", CONFIG[k]);
  }
}

static void sandbox_close(void)
{
  for (int k = 0; k < N_FIGS; k++)
    qrd_test_fig_close(&fig[k]);
}

/* ---- closed forms for B = 2 and 3 (the exact block law) ---- */

/* Continuous mass of the non-maximum elements on [-1, x] less that on
 * [-1, 0] (odd in x). */
static double closed_cdf(int block, double x)
{
  return block == 2 ? atan(x) / M_PI : 2.0 / M_PI * atan(x / sqrt(2.0 + x * x));
}

static double closed_pdf(int block, double x)
{
  return block == 2 ? 1.0 / (M_PI * (1.0 + x * x))
                    : 2.0 / (M_PI * (1.0 + x * x) * sqrt(2.0 + x * x));
}

/* P(X <= x) at B = 2 with the atoms 1/4 at -1 and +1. */
static double cdf2(double x)
{
  return x < -1.0 ? 0.0 : x >= 1.0 ? 1.0 : 0.5 + closed_cdf(2, x);
}

/* int_a^b |x - c| dx / (pi (1 + x^2)) over [a, b] within [-1, 1]: the
 * antiderivative of (x - c) f_2 is ln(1 + x^2) / (2 pi) - c atan(x) / pi. */
static double l1_cell2(double a, double c, double b)
{
#define G(x) (log1p((x) * (x)) / (2.0 * M_PI) - c * atan(x) / M_PI)
  double m = fmin(fmax(c, a), b);
  return (G(b) - G(m)) - (G(m) - G(a));
#undef G
}

/* E|X - Q(X)| at B = 2 for a code with levels at -1 and +1 (the atoms
 * cost nothing), nearest-level cells cut to [-1, 1]. */
static double l1_closed2(const double *level)
{
  double sum = 0.0;
  for (size_t i = 0; i < LEVELS; i++) {
    double a = i ? fmax(0.5 * (level[i - 1] + level[i]), -1.0) : -1.0;
    double b = i + 1 < LEVELS ? fmin(0.5 * (level[i] + level[i + 1]), 1.0) : 1.0;
    if (a < b)
      sum += l1_cell2(a, level[i], b);
  }
  return sum;
}

static void int4_levels(double *level)
{
  for (size_t i = 0; i < LEVELS; i++)
    level[i] = ((double)i - 8.0) / 7.0;
}

static void uniform_levels(double *level)
{
  for (size_t i = 0; i < LEVELS; i++)
    level[i] = -1.0 + 2.0 * (double)i / 15.0;
}

/* ---- fig-16 ---- */

START_TEST(test_fig16_closed_forms)
{
  for (int block = 2; block <= 3; block++) {
    char panel[8], curve[8];
    double x[BINS], y[BINS], gx[POINTS], gy[POINTS];
    snprintf(panel, sizeof panel, "b%d", block);
    qrd_test_fig_curve(&fig[FIG16], panel, "exact", "x", x, BINS);
    qrd_test_fig_curve(&fig[FIG16], panel, "exact", "y", y, BINS);
    for (size_t k = 0; k < BINS; k++) {
      double a = -1.0 + 2.0 * (double)k / BINS, b = a + 2.0 / BINS;
      double want = closed_cdf(block, b) - closed_cdf(block, a);
      if (k == 0 || k == BINS - 1)
        want += 0.5 / block;
      ck_assert_msg(fabs(y[k] * 2.0 / BINS - want) < 1e-12, "B=%d bin %zu: %.15f vs %.15f",
                    block, k, y[k] * 2.0 / BINS, want);
    }
    snprintf(curve, sizeof curve, "b%d", block);
    qrd_test_fig_curve(&fig[FIG16], "density", curve, "x", gx, POINTS);
    qrd_test_fig_curve(&fig[FIG16], "density", curve, "y", gy, POINTS);
    for (size_t i = 0; i < POINTS; i++)
      ck_assert_msg(fabs(gy[i] - closed_pdf(block, gx[i])) < 1e-12, "f_%d(%g) = %.15f vs %.15f",
                    block, gx[i], gy[i], closed_pdf(block, gx[i]));
  }
}
END_TEST

/* f_B(0) = 0.8182 (B = 16), 1.0335 (64), 1.5169 (4096); F-P1's end-bin
 * spike of about 1.68 at B = 16 (100 bins). */
START_TEST(test_fig16_published)
{
  static const struct {
    const char *curve;
    double f0;
  } peak[] = {{"b16", 0.8182}, {"b64", 1.0335}, {"b4096", 1.5169}};
  for (size_t p = 0; p < 3; p++) {
    double x[POINTS], y[POINTS];
    qrd_test_fig_curve(&fig[FIG16], "density", peak[p].curve, "x", x, POINTS);
    qrd_test_fig_curve(&fig[FIG16], "density", peak[p].curve, "y", y, POINTS);
    ck_assert_double_eq(x[POINTS / 2], 0.0);
    ck_assert_msg(fabs(y[POINTS / 2] - peak[p].f0) < 5e-5, "%s: f(0) = %.6f vs %.4f",
                  peak[p].curve, y[POINTS / 2], peak[p].f0);
  }
  double e[BINS];
  qrd_test_fig_curve(&fig[FIG16], "b16", "exact", "y", e, BINS);
  ck_assert_msg(fabs(e[0] - 1.68) < 0.005 && fabs(e[BINS - 1] - 1.68) < 0.005, "%.4f %.4f", e[0],
                e[BINS - 1]);
}
END_TEST

/* Mass 1 per block size; the histogram agrees with the exact law: mean
 * squared z near 1 (the batch SE is right) and no bin beyond 5 SE (500
 * bins). */
START_TEST(test_fig16_histograms)
{
  static const char *const panels[] = {"b2", "b3", "b16", "b64", "b4096"};
  for (size_t p = 0; p < 5; p++) {
    double h[BINS], se[BINS], e[BINS], mass = 0.0, z2 = 0.0;
    qrd_test_fig_curve(&fig[FIG16], panels[p], "histogram", "y", h, BINS);
    qrd_test_fig_curve(&fig[FIG16], panels[p], "histogram", "y_err", se, BINS);
    qrd_test_fig_curve(&fig[FIG16], panels[p], "exact", "y", e, BINS);
    for (size_t k = 0; k < BINS; k++) {
      double z = (h[k] - e[k]) / se[k];
      ck_assert_msg(se[k] > 0 && fabs(z) < 5.0, "%s bin %zu: %.5f +- %.5f vs %.5f", panels[p], k,
                    h[k], se[k], e[k]);
      mass += e[k] * 2.0 / BINS;
      z2 += z * z / BINS;
    }
    ck_assert_msg(fabs(mass - 1.0) < 1e-9, "%s: mass %.12f", panels[p], mass);
    ck_assert_msg(z2 > 0.6 && z2 < 1.5, "%s: mean z^2 %.3f", panels[p], z2);
  }
}
END_TEST

/* ---- fig-17 ---- */

#define N_B17 8 /* B = 32 .. 4096 */

static void read_levels(const char *code, double (*level)[LEVELS])
{
  for (size_t i = 0; i < LEVELS; i++) {
    char curve[8];
    double y[N_B17];
    snprintf(curve, sizeof curve, "c%zu", i);
    qrd_test_fig_curve(&fig[FIG17], code, curve, "y", y, N_B17);
    for (size_t j = 0; j < N_B17; j++)
      level[j][i] = y[j];
  }
}


START_TEST(test_fig17_published_tables)
{
  double pub[N_B17][LEVELS], nf4[N_B17][LEVELS], x[N_B17];
  qrd_test_fig_curve(&fig[FIG17], "af4-pub", "c0", "x", x, N_B17);
  read_levels("af4-pub", pub);
  read_levels("nf4", nf4);
  for (size_t j = 0; j < N_B17; j++) {
    ck_assert_double_eq(x[j], 32.0 * exp2((double)j));
    for (size_t i = 0; i < LEVELS; i++) {
      ck_assert_msg(fabs(pub[j][i] - qrd_test_af4_table[j][i]) <= 5e-9, "B=%g c%zu: %.10f vs %.8f", x[j], i,
                    pub[j][i], qrd_test_af4_table[j][i]);
      ck_assert_msg(fabs(nf4[j][i] - qrd_test_nf4_table[i]) < 1e-15, "NF4 c%zu at B=%g", i, x[j]);
    }
  }
}
END_TEST

/* The law narrows with B, so every free level of the B-designed codes
 * moves towards 0; AF4-exact gives the level 0 a wider cell than AF4-pub
 * (c6, c8 further out); with 0 pinned the signed optimum's positive half is
 * the unsigned one's. */
START_TEST(test_fig17_shapes)
{
  static const char *const codes[] = {"af4-pub", "af4-exact", "bof4", "bof4s"};
  double lv[N_B17][LEVELS], pub[N_B17][LEVELS], exact[N_B17][LEVELS], bof4[N_B17][LEVELS];
  for (size_t c = 0; c < 4; c++) {
    read_levels(codes[c], lv);
    for (size_t i = 0; i < LEVELS; i++)
      for (size_t j = 1; j < N_B17; j++)
        if (fabs(lv[j][i]) != 1.0 && lv[j][i] != 0.0)
          ck_assert_msg(fabs(lv[j][i]) < fabs(lv[j - 1][i]), "%s c%zu: %.6f then %.6f", codes[c],
                        i, lv[j - 1][i], lv[j][i]);
  }
  read_levels("af4-pub", pub);
  read_levels("af4-exact", exact);
  read_levels("bof4", bof4);
  read_levels("bof4s", lv);
  for (size_t j = 0; j < N_B17; j++) {
    ck_assert(exact[j][6] < pub[j][6] && exact[j][8] > pub[j][8]);
    for (size_t i = 7; i < LEVELS; i++)
      ck_assert_msg(fabs(lv[j][i] - bof4[j][i]) < 1e-9, "c%zu: %.12f vs %.12f", i, lv[j][i],
                    bof4[j][i]);
  }
}
END_TEST

/* ---- fig-18 ---- */

typedef struct {
  double x[N_B18], y[N_B18], mc[N_B18], se[N_B18];
} err_curve;

static err_curve read_err(const char *panel, const char *code)
{
  err_curve e;
  char mc[32];
  snprintf(mc, sizeof mc, "%s-mc", code);
  qrd_test_fig_curve(&fig[FIG18], panel, code, "x", e.x, N_B18);
  qrd_test_fig_curve(&fig[FIG18], panel, code, "y", e.y, N_B18);
  qrd_test_fig_curve(&fig[FIG18], panel, mc, "y", e.mc, N_B18);
  qrd_test_fig_curve(&fig[FIG18], panel, mc, "y_err", e.se, N_B18);
  return e;
}

static const char *const FIG18_CODES[] = {"nf4", "af4-pub", "af4-exact", "bof4", "bof4s",
                                          "int4", "uniform"};
#define N_CODES18 7

START_TEST(test_fig18_orderings)
{
  err_curve pub = read_err("l1", "af4-pub"), exact = read_err("l1", "af4-exact");
  err_curve bof4 = read_err("r", "bof4"), bof4s = read_err("r", "bof4s");
  for (size_t j = 0; j < N_B18; j++) {
    ck_assert_msg(exact.y[j] < pub.y[j], "B=%g: L1 AF4-exact %.6e, AF4-pub %.6e", exact.x[j],
                  exact.y[j], pub.y[j]);
    ck_assert_msg(bof4s.y[j] < bof4.y[j], "B=%g: R BOF4-S %.6f, BOF4 %.6f", bof4.x[j],
                  bof4s.y[j], bof4.y[j]);
  }
  /* every other absmax code: -1, 0, +1 pinned, or (uniform) not even 0 */
  for (size_t c = 0; c < N_CODES18; c++) {
    if (strncmp(FIG18_CODES[c], "bof4", 4) == 0)
      continue;
    err_curve o = read_err("r", FIG18_CODES[c]);
    for (size_t j = 0; j < N_B18; j++)
      ck_assert_msg(bof4.y[j] < o.y[j], "B=%g: R BOF4 %.6f, %s %.6f", bof4.x[j], bof4.y[j],
                    FIG18_CODES[c], o.y[j]);
  }
}
END_TEST

START_TEST(test_fig18_monte_carlo)
{
  static const char *const panels[] = {"l1", "r"};
  for (size_t p = 0; p < 2; p++)
    for (size_t c = 0; c < N_CODES18; c++) {
      err_curve e = read_err(panels[p], FIG18_CODES[c]);
      for (size_t j = 0; j < N_B18; j++)
        ck_assert_msg(e.se[j] > 0 && fabs(e.mc[j] - e.y[j]) <= 3.0 * e.se[j],
                      "%s %s B=%g: Monte Carlo %.7f +- %.7f vs exact %.7f", panels[p],
                      FIG18_CODES[c], e.x[j], e.mc[j], e.se[j], e.y[j]);
    }
}
END_TEST

/* the author's Adam-optimised codes pinned at -1, 0, 1 reach mean
 * |X - Q(X)| in these ranges (4096 blocks each, so sampled); AF4-exact
 * lies in them (up to the last printed digit), AF4-pub above. */
START_TEST(test_fig18_adam_ranges)
{
  static const struct {
    size_t j; /* index of B in 2 .. 4096 */
    double lo, hi;
  } adam[] = {{5, 2.832e-2, 2.843e-2}, {6, 2.727e-2, 2.742e-2}, {9, 2.405e-2, 2.412e-2},
              {11, 2.213e-2, 2.216e-2}};
  err_curve pub = read_err("l1", "af4-pub"), exact = read_err("l1", "af4-exact");
  for (size_t k = 0; k < 4; k++) {
    size_t j = adam[k].j;
    ck_assert_msg(exact.y[j] > adam[k].lo - 1e-5 && exact.y[j] < adam[k].hi + 1e-5,
                  "B=%g: AF4-exact %.6e outside [%.4e, %.4e]", exact.x[j], exact.y[j],
                  adam[k].lo, adam[k].hi);
    ck_assert_msg(pub.y[j] > adam[k].hi, "B=%g: AF4-pub %.6e", pub.x[j], pub.y[j]);
  }
}
END_TEST

START_TEST(test_fig18_closed_form_b2)
{
  double nf4[N_B18], int4[N_B18], uni[N_B18], level[LEVELS];
  err_curve e = read_err("l1", "nf4");
  memcpy(nf4, e.y, sizeof nf4);
  ck_assert_double_eq(e.x[0], 2.0);
  qrd_test_fig_curve(&fig[FIG18], "l1", "int4", "y", int4, N_B18);
  qrd_test_fig_curve(&fig[FIG18], "l1", "uniform", "y", uni, N_B18);
  ck_assert_msg(fabs(nf4[0] - l1_closed2(qrd_test_nf4_table)) < 1e-12, "NF4: %.15f vs %.15f", nf4[0],
                l1_closed2(qrd_test_nf4_table));
  int4_levels(level);
  ck_assert_msg(fabs(int4[0] - l1_closed2(level)) < 1e-12, "INT4: %.15f vs %.15f", int4[0],
                l1_closed2(level));
  uniform_levels(level);
  ck_assert_msg(fabs(uni[0] - l1_closed2(level)) < 1e-12, "uniform: %.15f vs %.15f", uni[0],
                l1_closed2(level));
}
END_TEST

/* ---- fig-19 ---- */

START_TEST(test_fig19_closed_form_b2)
{
  static const char *const codes[] = {"nf4", "int4", "uniform"};
  double level[LEVELS], p[LEVELS], h[N_B18];
  for (size_t c = 0; c < 3; c++) {
    if (c == 0)
      memcpy(level, qrd_test_nf4_table, sizeof level);
    else if (c == 1)
      int4_levels(level);
    else
      uniform_levels(level);
    qrd_test_fig_curve(&fig[FIG19], "cells-b2", codes[c], "y", p, LEVELS);
    qrd_test_fig_curve(&fig[FIG19], "entropy", codes[c], "y", h, N_B18);
    double want_h = 0.0;
    for (size_t i = 0; i < LEVELS; i++) {
      double a = i ? cdf2(0.5 * (level[i - 1] + level[i])) : 0.0;
      double b = i + 1 < LEVELS ? cdf2(0.5 * (level[i] + level[i + 1])) : 1.0;
      ck_assert_msg(fabs(p[i] - (b - a)) < 1e-12, "%s cell %zu: %.15f vs %.15f", codes[c], i,
                    p[i], b - a);
      if (b > a)
        want_h -= (b - a) * log2(b - a);
    }
    ck_assert_msg(fabs(h[0] - want_h) < 1e-11, "%s: H %.12f vs %.12f", codes[c], h[0], want_h);
  }
}
END_TEST

/* Over the figure's range B = 16 .. 4096 (indices 3 .. 11): NF4's entropy
 * falls with B; AF4-pub's 0 cell is below equal use and smaller than NF4's
 * and AF4-exact's. */
START_TEST(test_fig19_must_show)
{
  double h[N_B18], z_pub[N_B18], z_nf4[N_B18], z_exact[N_B18];
  qrd_test_fig_curve(&fig[FIG19], "entropy", "nf4", "y", h, N_B18);
  qrd_test_fig_curve(&fig[FIG19], "zero", "af4-pub", "y", z_pub, N_B18);
  qrd_test_fig_curve(&fig[FIG19], "zero", "nf4", "y", z_nf4, N_B18);
  qrd_test_fig_curve(&fig[FIG19], "zero", "af4-exact", "y", z_exact, N_B18);
  for (size_t j = 3; j < N_B18; j++) {
    ck_assert(h[j] < 4.0);
    if (j > 3)
      ck_assert_msg(h[j] < h[j - 1], "NF4 entropy %.6f then %.6f", h[j - 1], h[j]);
    ck_assert_msg(z_pub[j] < 1.0 / 16 && z_pub[j] < z_nf4[j] && z_pub[j] < z_exact[j],
                  "index %zu: AF4-pub %.4f, NF4 %.4f, AF4-exact %.4f", j, z_pub[j], z_nf4[j],
                  z_exact[j]);
  }
}
END_TEST

/* ---- bad configs ---- */

/* One stderr line naming the file, the key and what is allowed (for codes
 * the known names), exit 2, no output. */
START_TEST(test_bad_configs)
{
  qrd_test_fig_write(&fig[FIG18], "bad.cfg",
                     "seed = 1\nsamples = 1000000\nblock_min = 16\nblock_max = 4096\n"
                     "codes = nf4\n");
  qrd_test_fig_rejects(&fig[FIG18], "bad.cfg", "samples", "64", NULL);
  qrd_test_fig_write(&fig[FIG17], "bad.cfg",
                     "seed = 1\nblock_min = 16\nblock_max = 4096\ncodes = nf4 af5\n");
  qrd_test_fig_rejects(&fig[FIG17], "bad.cfg", "codes", "af4-exact", NULL);
  qrd_test_fig_write(&fig[FIG19], "bad.cfg",
                     "seed = 1\nblock_min = 16\nblock_max = 1000\ncodes = nf4\n");
  qrd_test_fig_rejects(&fig[FIG19], "bad.cfg", "block_max", "power of two", NULL);
}
END_TEST

Suite *qrd_suite_fig1619(void)
{
  Suite *s = suite_create("fig1619");
  TCase *tc = tcase_create("drivers");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_fig16_closed_forms);
  tcase_add_test(tc, test_fig16_published);
  tcase_add_test(tc, test_fig16_histograms);
  tcase_add_test(tc, test_fig17_published_tables);
  tcase_add_test(tc, test_fig17_shapes);
  tcase_add_test(tc, test_fig18_orderings);
  tcase_add_test(tc, test_fig18_monte_carlo);
  tcase_add_test(tc, test_fig18_adam_ranges);
  tcase_add_test(tc, test_fig18_closed_form_b2);
  tcase_add_test(tc, test_fig19_closed_form_b2);
  tcase_add_test(tc, test_fig19_must_show);
  tcase_add_test(tc, test_bad_configs);
  /* the sampled figures: samples not a multiple of 64 B for B = 3, a
   * block_min that is not a power of two */
  qrd_test_fig_add_checks(tc, &fig[FIG16], CONFIG16("1048576"), "samples");
  qrd_test_fig_add_checks(tc, &fig[FIG18], CONFIG18("3"), "block_min");
  suite_add_tcase(s, tc);
  return s;
}
