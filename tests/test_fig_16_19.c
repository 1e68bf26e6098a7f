/* fig-16 .. fig-19 (nf4-af4.md §7 fig-A .. fig-D): the drivers run once at
 * reduced size in a sandbox shared by the tests (from the repository root,
 * after make has built them), and their HDF5 output is checked against
 * independent values and the claims each figure makes:
 *   fig-16  exact bins and f_B against the closed forms for B = 2, 3 (§3),
 *           the published peaks f_B(0) and F-P1's end-bin spike, total mass
 *           1, and the histograms against the exact law in standard errors;
 *   fig-17  AF4-pub against the published tables (§4.4), NF4 against
 *           QLoRA's, the compression of the levels towards 0 with B, the
 *           wider 0 cell of AF4-exact, BOF4-S's positive half = BOF4's;
 *   fig-18  AF4-exact below AF4-pub in L1 of X at every B; BOF4 below every
 *           other absmax code in R, BOF4-S below BOF4; exact vs Monte Carlo
 *           within 3 SE; AF4-exact inside the Adam loss ranges of §6.3
 *           with AF4-pub above; closed-form L1 at B = 2;
 *   fig-19  closed-form cell probabilities at B = 2; NF4's entropy falls
 *           with B; AF4-pub's 0 cell is the smallest;
 * plus thread-count independence of the sampled figures and two bad
 * configs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "published_codes.h"
#include "suites.h"

Suite *qrd_suite_fig1619(void);

enum { FIG16, FIG17, FIG18, FIG19, N_FIGS };

static const char *const FIG_NAME[N_FIGS] = {"fig-16", "fig-17", "fig-18", "fig-19"};

/* Reduced runs.  fig-16: samples a multiple of 64 B for B = 3 and 4096. */
static const char *const CONFIG[N_FIGS] = {
  "seed = 1\nsamples = 1572864\nblocks = 2 3 16 64 4096\nbins = 100\npoints = 201\n",
  "seed = 1\nblock_min = 32\nblock_max = 4096\ncodes = nf4 af4-pub af4-exact bof4 bof4s\n",
  "seed = 1\nsamples = 1048576\nblock_min = 2\nblock_max = 4096\n"
  "codes = nf4 af4-pub af4-exact bof4 bof4s int4 uniform\n",
  "seed = 1\nblock_min = 2\nblock_max = 4096\ncodes = nf4 af4-pub af4-exact int4 uniform\n",
};

#define BINS 100
#define POINTS 201
#define LEVELS 16
#define N_B18 12 /* fig-18, fig-19: B = 2 .. 4096 */

static char sandbox[64];
static char h5[N_FIGS][128];


/* ---- sandbox ---- */

static void write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

/* Runs bin/<fig> on cfg; returns its exit status, stderr in err. */
static int run_fig(int fig, const char *cfg, const char *out, const char *flags, char *err,
                   size_t len)
{
  char cmd[640], errfile[160];
  snprintf(errfile, sizeof errfile, "%s/stderr", sandbox);
  snprintf(cmd, sizeof cmd, "./bin/%s --config %s --out %s --quiet %s </dev/null >/dev/null 2>%s",
           FIG_NAME[fig], cfg, out, flags, errfile);
  int st = system(cmd);
  FILE *f = fopen(errfile, "r");
  size_t got = f ? fread(err, 1, len - 1, f) : 0;
  err[got] = '\0';
  if (f)
    fclose(f);
  return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void config_path(int fig, char *path, size_t len)
{
  snprintf(path, len, "%s/%s.cfg", sandbox, FIG_NAME[fig]);
}

static void sandbox_open(void)
{
  strcpy(sandbox, "/tmp/qrd-fig1619-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(sandbox));
  for (int fig = 0; fig < N_FIGS; fig++) {
    char cfg[128], bin[32], err[1024];
    snprintf(bin, sizeof bin, "./bin/%s", FIG_NAME[fig]);
    ck_assert_msg(access(bin, X_OK) == 0, "%s not built (run from the repository root)", bin);
    config_path(fig, cfg, sizeof cfg);
    write_file(cfg, CONFIG[fig]);
    snprintf(h5[fig], sizeof h5[fig], "%s/%s.h5", sandbox, FIG_NAME[fig]);
    int st = run_fig(fig, cfg, h5[fig], "--threads 2", err, sizeof err);
    ck_assert_msg(st == 0, "%s exit %d: %s", FIG_NAME[fig], st, err);
  }
}

static void sandbox_close(void)
{
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", sandbox);
  ck_assert_int_eq(system(cmd), 0);
}

/* Dataset /<panel>/<curve>/<set> of a figure, which must hold n values. */
static void read_set(int fig, const char *panel, const char *curve, const char *set, size_t n,
                     double *v)
{
  char path[160];
  hsize_t dims[1];
  snprintf(path, sizeof path, "/%s/%s/%s", panel, curve, set);
  hid_t f = H5Fopen(h5[fig], H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  ck_assert_msg(H5LTget_dataset_info(f, path, dims, NULL, NULL) >= 0, "no %s", path);
  ck_assert_msg(dims[0] == n, "%s: %llu values, want %zu", path, (unsigned long long)dims[0], n);
  ck_assert_int_ge(H5LTread_dataset_double(f, path, v), 0);
  H5Fclose(f);
}

/* ---- closed forms for B = 2 and 3 (nf4-af4.md §3) ---- */

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
    read_set(FIG16, panel, "exact", "x", BINS, x);
    read_set(FIG16, panel, "exact", "y", BINS, y);
    for (size_t k = 0; k < BINS; k++) {
      double a = -1.0 + 2.0 * (double)k / BINS, b = a + 2.0 / BINS;
      double want = closed_cdf(block, b) - closed_cdf(block, a);
      if (k == 0 || k == BINS - 1)
        want += 0.5 / block;
      ck_assert_msg(fabs(y[k] * 2.0 / BINS - want) < 1e-12, "B=%d bin %zu: %.15f vs %.15f",
                    block, k, y[k] * 2.0 / BINS, want);
    }
    snprintf(curve, sizeof curve, "b%d", block);
    read_set(FIG16, "density", curve, "x", POINTS, gx);
    read_set(FIG16, "density", curve, "y", POINTS, gy);
    for (size_t i = 0; i < POINTS; i++)
      ck_assert_msg(fabs(gy[i] - closed_pdf(block, gx[i])) < 1e-12, "f_%d(%g) = %.15f vs %.15f",
                    block, gx[i], gy[i], closed_pdf(block, gx[i]));
  }
}
END_TEST

/* §3: f_B(0) = 0.8182 (B = 16), 1.0335 (64), 1.5169 (4096); F-P1's end-bin
 * spike of about 1.68 at B = 16 (100 bins). */
START_TEST(test_fig16_published)
{
  static const struct {
    const char *curve;
    double f0;
  } peak[] = {{"b16", 0.8182}, {"b64", 1.0335}, {"b4096", 1.5169}};
  for (size_t p = 0; p < 3; p++) {
    double x[POINTS], y[POINTS];
    read_set(FIG16, "density", peak[p].curve, "x", POINTS, x);
    read_set(FIG16, "density", peak[p].curve, "y", POINTS, y);
    ck_assert_double_eq(x[POINTS / 2], 0.0);
    ck_assert_msg(fabs(y[POINTS / 2] - peak[p].f0) < 5e-5, "%s: f(0) = %.6f vs %.4f",
                  peak[p].curve, y[POINTS / 2], peak[p].f0);
  }
  double e[BINS];
  read_set(FIG16, "b16", "exact", "y", BINS, e);
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
    read_set(FIG16, panels[p], "histogram", "y", BINS, h);
    read_set(FIG16, panels[p], "histogram", "y_err", BINS, se);
    read_set(FIG16, panels[p], "exact", "y", BINS, e);
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
    read_set(FIG17, code, curve, "y", N_B17, y);
    for (size_t j = 0; j < N_B17; j++)
      level[j][i] = y[j];
  }
}


START_TEST(test_fig17_published_tables)
{
  double pub[N_B17][LEVELS], nf4[N_B17][LEVELS], x[N_B17];
  read_set(FIG17, "af4-pub", "c0", "x", N_B17, x);
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
 * the unsigned one's (§5.2). */
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
  read_set(FIG18, panel, code, "x", N_B18, e.x);
  read_set(FIG18, panel, code, "y", N_B18, e.y);
  read_set(FIG18, panel, mc, "y", N_B18, e.mc);
  read_set(FIG18, panel, mc, "y_err", N_B18, e.se);
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

/* §6.3: the author's Adam-optimised codes pinned at -1, 0, 1 reach mean
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
  read_set(FIG18, "l1", "int4", "y", N_B18, int4);
  read_set(FIG18, "l1", "uniform", "y", N_B18, uni);
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
    read_set(FIG19, "cells-b2", codes[c], "y", LEVELS, p);
    read_set(FIG19, "entropy", codes[c], "y", N_B18, h);
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
  read_set(FIG19, "entropy", "nf4", "y", N_B18, h);
  read_set(FIG19, "zero", "af4-pub", "y", N_B18, z_pub);
  read_set(FIG19, "zero", "nf4", "y", N_B18, z_nf4);
  read_set(FIG19, "zero", "af4-exact", "y", N_B18, z_exact);
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

/* ---- all drivers ---- */

/* One thread gives the same data as two (only root provenance differs). */
START_TEST(test_thread_independent)
{
  static const int sampled[] = {FIG16, FIG18};
  for (size_t k = 0; k < 2; k++) {
    int fig = sampled[k];
    char cfg[128], out[160], err[1024], cmd[512];
    config_path(fig, cfg, sizeof cfg);
    snprintf(out, sizeof out, "%s/%s-one-thread.h5", sandbox, FIG_NAME[fig]);
    int st = run_fig(fig, cfg, out, "--threads 1", err, sizeof err);
    ck_assert_msg(st == 0, "%s exit %d: %s", FIG_NAME[fig], st, err);
    snprintf(cmd, sizeof cmd, "h5diff --exclude-attribute / %s %s >/dev/null 2>&1", h5[fig], out);
    ck_assert_msg(system(cmd) == 0, "%s: h5diff found differences", FIG_NAME[fig]);
  }
}
END_TEST

/* Bad configs: one stderr line naming the file and key (and for codes the
 * known names), exit 2, no output. */
START_TEST(test_bad_configs)
{
  static const struct {
    int fig;
    const char *config, *key, *hint;
  } bad[] = {
    {FIG18, "seed = 1\nsamples = 1000000\nblock_min = 16\nblock_max = 4096\ncodes = nf4\n",
     "samples", "64"},
    {FIG17, "seed = 1\nblock_min = 16\nblock_max = 4096\ncodes = nf4 af5\n", "codes",
     "af4-exact"},
    {FIG19, "seed = 1\nblock_min = 16\nblock_max = 1000\ncodes = nf4\n", "block_max",
     "power of two"},
  };
  for (size_t k = 0; k < 3; k++) {
    char cfg[128], out[128], err[1024];
    snprintf(cfg, sizeof cfg, "%s/bad.cfg", sandbox);
    snprintf(out, sizeof out, "%s/bad.h5", sandbox);
    write_file(cfg, bad[k].config);
    int st = run_fig(bad[k].fig, cfg, out, "", err, sizeof err);
    ck_assert_int_eq(st, 2);
    ck_assert_msg(strstr(err, "bad.cfg") && strstr(err, bad[k].key) && strstr(err, bad[k].hint),
                  "stderr '%s'", err);
    ck_assert_int_ne(access(out, F_OK), 0);
  }
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
  tcase_add_test(tc, test_thread_independent);
  tcase_add_test(tc, test_bad_configs);
  suite_add_tcase(s, tc);
  return s;
}
