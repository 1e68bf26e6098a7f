/* Tensors as sources (issue 13) against the synthetic path, and fig-27 /
 * fig-28 on checkpoint files the tests write themselves:
 *   - an iid Gaussian tensor in a .npy file, evaluated with qrd eval
 *     --tensor, agrees with the synthetic Gaussian (an independent sample)
 *     within 3 combined standard errors for INT4 absmax B = 64, NF4 and
 *     the block CRD;
 *   - qrd tensors finds it at its RMS, its Gaussian fit as good as the best
 *     (to 1e-4 nats per value) and clearly better than the Laplace's;
 *   - fig-27's fitted Gaussian density at the histogram's central bins
 *     agrees with the histogram within 4 of its binomial SEs, and its nu
 *     panel names a t fit per tensor;
 *   - fig-28 on the Gaussian tensor: real and predicted (a sample of the
 *     fitted law) agree within 4 combined SEs for every format, and an
 *     orientation error (rows not whole blocks) is one line. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "fig_run.h"
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "suites.h"

#define ROWS 256
#define COLS 1024

static qrd_test_fig f27, f28;
static char npy[QRD_TEST_FIG_PATH + 16];

/* A .npy v1.0 '<f4' file of rows x cols values (written by hand: the
 * format is simple, and the reader is what is under test). */
static void write_npy(const char *path, const double *x, size_t rows, size_t cols)
{
  char header[128];
  int len = snprintf(header, sizeof header,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }", rows,
                     cols);
  size_t total = 10 + (size_t)len + 1, pad = (64 - total % 64) % 64;
  FILE *fp = fopen(path, "wb");
  ck_assert_ptr_nonnull(fp);
  unsigned short hlen = (unsigned short)(len + pad + 1);
  fwrite("\x93NUMPY\x01\x00", 1, 8, fp);
  fputc(hlen & 0xff, fp);
  fputc(hlen >> 8, fp);
  fwrite(header, 1, (size_t)len, fp);
  for (size_t i = 0; i < pad; i++)
    fputc(' ', fp);
  fputc('\n', fp);
  for (size_t i = 0; i < rows * cols; i++) {
    float v = (float)x[i];
    fwrite(&v, sizeof v, 1, fp);
  }
  fclose(fp);
}

static void sandbox_open(void)
{
  qrd_test_fig_open(&f27, "fig-27");
  qrd_test_fig_open(&f28, "fig-28");
  /* drawn here with GSL alone: this fixture runs in the runner itself,
   * which must not start OpenMP threads before Check forks the tests */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 77);
  double *x = malloc(ROWS * COLS * sizeof *x);
  ck_assert_ptr_nonnull(x);
  for (size_t i = 0; i < ROWS * COLS; i++)
    x[i] = gsl_ran_gaussian_ziggurat(rng, 0.02);
  gsl_rng_free(rng);
  snprintf(npy, sizeof npy, "%s/w.npy", f27.dir);
  write_npy(npy, x, ROWS, COLS);
  free(x);
}

static void sandbox_close(void)
{
  qrd_test_fig_close(&f27);
  qrd_test_fig_close(&f28);
}

static double column(const char *out, const char *name)
{
  /* header line, then one row: find the column by name */
  const char *nl = strchr(out, '\n');
  ck_assert_ptr_nonnull(nl);
  size_t col = 0;
  for (const char *p = out; p < nl;) {
    size_t len = strcspn(p, "\t\n");
    if (len == strlen(name) && strncmp(p, name, len) == 0) {
      const char *v = nl + 1;
      for (size_t k = 0; k < col; k++)
        v = strchr(v, '\t') + 1;
      return strtod(v, NULL);
    }
    p += len + 1;
    col++;
  }
  ck_abort_msg("no column %s in %s", name, out);
  return NAN;
}

START_TEST(test_tensor_source_matches_synthetic)
{
  static const char *const formats[] = {"--format int --bits 4 --scaling absmax:64",
                                        "--format nf4 --scaling absmax:64",
                                        "--format crd-block --bits 4 --scaling absmax:64 "
                                        "--dist gaussian"};
  for (size_t i = 0; i < 3; i++) {
    char *real = NULL, *syn = NULL;
    qrd_run_result r = qrd_test_run(QRD " eval --tensor %s %s", npy, formats[i]);
    ck_assert_msg(r.status == 0, "%s: %s", formats[i], r.err);
    real = strdup(r.out);
    qrd_test_run_free(&r);
    char dist[64] = "";
    if (!strstr(formats[i], "--dist"))
      snprintf(dist, sizeof dist, "--dist gaussian");
    r = qrd_test_run(QRD " eval %s %s --samples %d --seed 5", dist, formats[i], ROWS * COLS);
    ck_assert_msg(r.status == 0, "%s: %s", formats[i], r.err);
    syn = strdup(r.out);
    qrd_test_run_free(&r);
    double a = column(real, "rel_rmse"), sa = column(real, "rel_rmse_se");
    double b = column(syn, "rel_rmse"), sb = column(syn, "rel_rmse_se");
    ck_assert_double_eq(column(real, "bits"), column(syn, "bits"));
    ck_assert_msg(fabs(a - b) <= 3.0 * sqrt(sa * sa + sb * sb),
                  "%s: tensor %.6f +- %.6f vs synthetic %.6f +- %.6f", formats[i], a, sa, b, sb);
    free(real);
    free(syn);
  }
  /* blocks follow rows: a block that does not divide the rows is refused */
  qrd_run_result r = qrd_test_run(QRD " eval --tensor %s --format int --bits 4 --scaling "
                                  "absmax:768", npy);
  ck_assert_int_eq(r.status, 2);
  ck_assert_ptr_nonnull(strstr(r.err, "not whole blocks"));
  qrd_test_run_free(&r);
}
END_TEST

START_TEST(test_tensors_fits)
{
  qrd_run_result r = qrd_test_run(QRD " tensors %s --quiet", npy);
  ck_assert_msg(r.status == 0, "%s", r.err);
  ck_assert_ptr_nonnull(strstr(r.out, "256x1024\tF32\t262144"));
  double rms = column(r.out, "rms");
  ck_assert_double_eq_tol(rms, 0.02, 0.02 * 0.01);
  /* the Gaussian fit is as good as the best one (a t can only tie it, nu
   * large), and both beat the Laplace's */
  double best = column(r.out, "best_loglik"), g = column(r.out, "loglik_gaussian");
  ck_assert_msg(g >= best - 1e-4, "Gaussian %.6f vs best %.6f", g, best);
  ck_assert_double_gt(g, column(r.out, "loglik_laplace") + 0.01);
  qrd_test_run_free(&r);
}
END_TEST


START_TEST(test_fig27_histogram_vs_fit)
{
  qrd_test_fig_make(&f27, "--threads 2", "seed = 1\ncheckpoint = %s\nmin_count = 1000\n"
                    "bins = 81\nrange = 4\n", npy);
  double h[81], e[81], g[81], x[81];
  qrd_test_fig_curve(&f27, "w0", "histogram", "x", x, 81);
  qrd_test_fig_curve(&f27, "w0", "histogram", "y", h, 81);
  qrd_test_fig_curve(&f27, "w0", "histogram", "y_err", e, 81);
  qrd_test_fig_curve(&f27, "w0", "gaussian", "y", g, 81);
  /* the central bins (|z| < 2): the density over the bin vs at its centre
   * differs by O(width^2 p'') ~ 1e-3 relative, far below 4 SE */
  for (size_t b = 0; b < 81; b++)
    if (fabs(x[b]) < 2.0)
      ck_assert_msg(fabs(h[b] - g[b]) <= 4.0 * e[b] + 2e-3 * g[b],
                    "bin %.2f: histogram %.5f +- %.5f vs fitted %.5f", x[b], h[b], e[b], g[b]);
  double nu;
  qrd_test_fig_curve(&f27, "nu", "nu", "y", &nu, 1);
  ck_assert_double_gt(nu, 20.0);
}
END_TEST

START_TEST(test_fig28_real_vs_predicted)
{
  qrd_test_fig_make(&f28, "--threads 2", "seed = 1\ncheckpoint = %s\nmin_count = 1000\n", npy);
  static const char *const fmts[] = {"int4-b64", "int4-b128", "nf4", "af4", "bof4",
                                     "e2m1", "crd-absmax", "crd-signmax", "crd-outliers",
                                     "uniform-ec"};
  for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
    double a, sa, b, sb;
    qrd_test_fig_curve(&f28, "real", fmts[i], "y", &a, 1);
    qrd_test_fig_curve(&f28, "real", fmts[i], "y_err", &sa, 1);
    qrd_test_fig_curve(&f28, "predicted", fmts[i], "y", &b, 1);
    qrd_test_fig_curve(&f28, "predicted", fmts[i], "y_err", &sb, 1);
    ck_assert_msg(fabs(a - b) <= 4.0 * sqrt(sa * sa + sb * sb),
                  "%s: real %.4f +- %.4f vs predicted %.4f +- %.4f", fmts[i], a, sa, b, sb);
  }
  double bits;
  qrd_test_fig_curve(&f28, "bits", "nf4", "y", &bits, 1);
  ck_assert_double_eq(bits, 4.25);
}
END_TEST

/* An out_in fragment that is part of no selected tensor's name is a typo
 * (the layouts would silently stay as they are): one line naming it. */
START_TEST(test_out_in_fragment_refused)
{
  qrd_test_fig_write(&f28, "bad.cfg", "seed = 1\ncheckpoint = %s\nmin_count = 1000\n"
                     "out_in = w @@@\n", npy);
  qrd_test_fig_rejects(&f28, "bad.cfg", "out_in", "'@@@' is part of no selected tensor", NULL);
}
END_TEST

Suite *qrd_suite_fig2728(void)
{
  Suite *s = suite_create("fig-27-28");
  TCase *tc = tcase_create("tensors");
  tcase_set_timeout(tc, 120);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_tensor_source_matches_synthetic);
  tcase_add_test(tc, test_tensors_fits);
  tcase_add_test(tc, test_fig27_histogram_vs_fit);
  tcase_add_test(tc, test_fig28_real_vs_predicted);
  tcase_add_test(tc, test_out_in_fragment_refused);
  /* after the runs above: 1 vs 2 threads, and a bad key is one line */
  qrd_test_fig_add_checks(tc, &f27, "seed = 1\ncheckpoint = /nonexistent/w.npy\n"
                          "min_count = 1000\nbins = 81\nrange = 4\n", "checkpoint");
  qrd_test_fig_add_checks(tc, &f28, "seed = 1\ncheckpoint = x\nmin_count = 0\n", "min_count");
  suite_add_tcase(s, tc);
  return s;
}
