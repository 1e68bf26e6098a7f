/* Plots select curves by name, never by position: `qrd export --panel`
 * heads each block "# curve=<name>;" and the gnuplot scripts use
 * index "curve=<name>;".  So the order of a panel's blocks must not matter:
 * with the blocks reversed, gnuplot picks the same data and a figure script
 * draws the same PNG.  The curves are fig-18's, whose names are prefixes of
 * each other (nf4, nf4-mc): gnuplot matches a name as a prefix of the
 * comment, so only the ';' keeps "nf4" from selecting "nf4-mc".  Needs
 * gnuplot (the tests are left out without it) and the qrd binary (the
 * scripts list curves with it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "core/error.h"
#include "io/results.h"
#include "suites.h"

#define NPOINTS 3
#define NCURVES 4

static const double X[NPOINTS] = {16.0, 64.0, 256.0};

/* fig-18's layout: per code c the exact curve c and the Monte Carlo c-mc in
 * l1 and r; the rel panels hold the exact curves alone. */
static const char *const PANELS[] = {"l1", "r", "l1-rel", "r-rel"};
static const char *const CURVES[NCURVES] = {"nf4", "nf4-mc", "af4-pub",
                                            "af4-pub-mc"};

static char dir[32], stem[64];

static void sandbox_open(void)
{
  strcpy(dir, "/tmp/qrd-plots-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(stem, sizeof stem, "%s/fig-18", dir);
}

static void sandbox_close(void)
{
  qrd_run_result r = qrd_test_run("rm -rf '%s'", dir);
  qrd_test_run_free(&r);
}

static int is_mc(const char *curve)
{
  size_t n = strlen(curve);
  return n > 3 && strcmp(curve + n - 3, "-mc") == 0;
}

/* Distinct values per panel and curve, inside the rel panels' y range, so
 * a wrong pick shows. */
static void curve_y(size_t panel, size_t curve, double *y)
{
  for (size_t i = 0; i < NPOINTS; i++)
    y[i] = 0.85 + 0.07 * (double)curve + 0.01 * (double)panel + 0.002 * (double)i;
}

static void write_results(void)
{
  char h5[96];
  snprintf(h5, sizeof h5, "%s.h5", stem);
  qrd_provenance prov = {NULL, 1UL, "mt19937", 1, NULL};
  qrd_results *r = NULL;
  ck_assert_int_eq(qrd_results_create(h5, &prov, &r), QRD_OK);
  ck_assert_int_eq(qrd_results_describe(r, NULL, "standard error"), QRD_OK);
  const double err[NPOINTS] = {0.004, 0.003, 0.002};
  for (size_t p = 0; p < sizeof PANELS / sizeof *PANELS; p++) {
    ck_assert_int_eq(qrd_results_panel(r, PANELS[p], PANELS[p], "B", "y"), QRD_OK);
    for (size_t c = 0; c < NCURVES; c++) {
      if (is_mc(CURVES[c]) && strstr(PANELS[p], "-rel"))
        continue;
      double y[NPOINTS];
      curve_y(p, c, y);
      ck_assert_int_eq(qrd_results_curve(r, PANELS[p], CURVES[c], CURVES[c],
                                         NPOINTS, X, y,
                                         is_mc(CURVES[c]) ? err : NULL), QRD_OK);
    }
  }
  ck_assert_int_eq(qrd_results_commit(r), QRD_OK);
}

/* The blocks of an exported panel in reverse order. */
static char *reversed(const char *text)
{
  const char *start[NCURVES + 1];
  size_t n = 0;
  for (const char *p = text; (p = strstr(p, "# curve=")) != NULL; p++) {
    ck_assert_uint_lt(n, NCURVES);
    start[n++] = p;
  }
  ck_assert_uint_gt(n, 1);
  ck_assert_ptr_eq(start[0], text);
  start[n] = text + strlen(text);
  char *out = malloc(strlen(text) + 1);
  ck_assert_ptr_nonnull(out);
  out[0] = '\0';
  for (size_t i = n; i-- > 0;)
    strncat(out, start[i], (size_t)(start[i + 1] - start[i]));
  ck_assert_uint_eq(strlen(out), strlen(text));
  return out;
}

/* Writes <stem>-<panel>.tsv, the panel's blocks reversed or as exported. */
static void export_panel(const char *panel, int reverse)
{
  char h5[96], path[128];
  snprintf(h5, sizeof h5, "%s.h5", stem);
  snprintf(path, sizeof path, "%s-%s.tsv", stem, panel);
  FILE *f = fopen(path, "w+");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(qrd_results_export_panel(h5, panel, f), QRD_OK);
  ck_assert_int_eq(fflush(f), 0);
  if (reverse) {
    char *text = qrd_test_slurp(path), *swapped = reversed(text);
    ck_assert_str_ne(swapped, text);
    rewind(f);
    ck_assert_int_ge(fputs(swapped, f), 0);
    free(swapped);
    free(text);
  }
  ck_assert_int_eq(fclose(f), 0);
}

/* gnuplot's statistics of column 2 of the block `curve` of panel l1. */
static void stats(const char *curve, long *records, double *sum)
{
  qrd_run_result r = qrd_test_run(
      "gnuplot -e \"set print '-'; set datafile separator tab; stats '%s-l1.tsv' index "
      "'curve=%s;' using 2 nooutput; print sprintf('%%d %%.17g', "
      "STATS_records, STATS_sum)\"", stem, curve);
  ck_assert_msg(r.status == 0 && sscanf(r.out, "%ld %lf", records, sum) == 2,
                "gnuplot stats of %s: status %d, '%s' '%s'", curve, r.status,
                r.out, r.err);
  qrd_test_run_free(&r);
}

START_TEST(test_stats_by_name)
{
  write_results();
  for (int reverse = 0; reverse <= 1; reverse++) {
    export_panel("l1", reverse);
    for (size_t c = 0; c < NCURVES; c++) {
      double y[NPOINTS], want = 0.0, sum;
      long records;
      curve_y(0, c, y);
      for (size_t i = 0; i < NPOINTS; i++)
        want += y[i];
      stats(CURVES[c], &records, &sum);
      ck_assert_int_eq(records, NPOINTS);
      ck_assert_double_eq_tol(sum, want, 1e-12);
    }
  }
}
END_TEST

/* Draws fig-18 from its panel files into <dir>/<png>. */
static void draw(int reverse, const char *png)
{
  for (size_t p = 0; p < sizeof PANELS / sizeof *PANELS; p++)
    export_panel(PANELS[p], reverse);
  qrd_run_result r = qrd_test_run(
      "QRD=%s gnuplot -c experiments/plot/fig-18.gp '%s' '%s/%s'", QRD, stem,
      dir, png);
  ck_assert_msg(r.status == 0 && r.err[0] == '\0',
                "fig-18.gp: status %d, stderr '%s'", r.status, r.err);
  qrd_test_run_free(&r);
}

START_TEST(test_script_reordered)
{
  qrd_test_require_binary(QRD);
  write_results();
  draw(0, "exported.png");
  draw(1, "reversed.png");
  qrd_run_result r = qrd_test_run("test -s '%s/exported.png' && cmp '%s/exported.png' "
                                  "'%s/reversed.png'", dir, dir, dir);
  ck_assert_msg(r.status == 0, "PNGs differ: %s", r.out);
  qrd_test_run_free(&r);
}
END_TEST

Suite *qrd_suite_plots(void)
{
  Suite *s = suite_create("plots");
  TCase *tc = tcase_create("by-name");
  tcase_add_checked_fixture(tc, sandbox_open, sandbox_close);
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  /* Without gnuplot no figure can be drawn, so there is nothing to check. */
  if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
    tcase_add_test(tc, test_stats_by_name);
    tcase_add_test(tc, test_script_reordered);
  }
  suite_add_tcase(s, tc);
  return s;
}
