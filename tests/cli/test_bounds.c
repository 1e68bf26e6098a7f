/* Issue 16, bounded work and clean failures: every command that hung,
 * crashed or printed NaN with exit 0 in the matrix/covariance and
 * quantiser-design paths now fails at once with one line naming the
 * problem (or gives a documented defined result).  Each run is under
 * `timeout`, so a hang fails the test instead of stalling it; a signal
 * shows as a status of 124 or above. */
#include <check.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"
#include "h5_put.h"

#define LIMIT_S 30 /* a hang, as issue 16 measured it */

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* No token of stdout reads as nan or inf. */
static void assert_no_nonfinite(const char *args, const char *out)
{
  char *copy = strdup(out), *save;
  for (char *t = strtok_r(copy, "\t\n", &save); t; t = strtok_r(NULL, "\t\n", &save)) {
    char *end;
    double v = strtod(t, &end);
    ck_assert_msg(!(*end == '\0' && end != t && !isfinite(v)), "qrd %s: '%s' on stdout", args,
                  t);
  }
  free(copy);
}

/* `qrd ARGS` within the time limit: exit 1 or 2 (no signal, no timeout),
 * nothing on stdout, one stderr line holding every keyword. */
static void expect_bad(const char *args, ...)
{
  qrd_test_require_binary(QRD);
  double t0 = now();
  qrd_run_result r = qrd_test_run("timeout %d " QRD " %s", LIMIT_S, args);
  double dt = now() - t0;
  ck_assert_msg(r.status == 1 || r.status == 2, "qrd %s: exit %d (124: timed out; > 128: a "
                "signal), stderr '%s'", args, r.status, r.err);
  ck_assert_msg(dt < LIMIT_S, "qrd %s: %.1f s", args, dt);
  ck_assert_msg(r.out[0] == '\0', "qrd %s: stdout '%s'", args, r.out);
  ck_assert_msg(qrd_test_count_lines(r.err) == 1 && r.err[strlen(r.err) - 1] == '\n',
                "qrd %s: want one stderr line, got '%s'", args, r.err);
  ck_assert_msg(strncmp(r.err, "qrd ", 4) == 0, "qrd %s: '%s'", args, r.err);
  va_list ap;
  va_start(ap, args);
  for (const char *k; (k = va_arg(ap, const char *)) != NULL;)
    ck_assert_msg(strstr(r.err, k) != NULL, "qrd %s: expected '%s' in '%s'", args, k, r.err);
  va_end(ap);
  qrd_test_run_free(&r);
}

/* `qrd ARGS` succeeds within the limit with nothing non-finite on stdout;
 * returns stdout. */
static char *expect_ok(const char *args)
{
  qrd_test_require_binary(QRD);
  qrd_run_result r = qrd_test_run("timeout %d " QRD " %s", LIMIT_S, args);
  ck_assert_msg(r.status == 0 && r.err[0] == '\0', "qrd %s: exit %d, stderr '%s'", args,
                r.status, r.err);
  assert_no_nonfinite(args, r.out);
  free(r.err);
  return r.out;
}

/* ---- levels and rates of the scalar designs ---- */

START_TEST(test_levels_bounded)
{
  expect_bad("eval --dist gaussian --quantiser lloyd-max --levels 16777216", "--levels",
             "16777216", "16384", NULL);
  expect_bad("gap --dist gaussian --quantiser uniform --levels 16777216", "--levels", "16384",
             NULL);
  expect_bad("code --quantiser uniform --levels 16777216", "levels", "16384", NULL);
  expect_bad("code --quantiser lloyd-max --levels 16385", "levels", "16384", NULL);
  expect_bad("eval --dist gaussian --quantiser lloyd-max --bits 1e9", "--bits", "16384", NULL);
  expect_bad("eval --dist gaussian --quantiser uniform-ec --rate 24", "--rate", "14", NULL);
  expect_bad("gap --dist gaussian --quantiser ecsq --rate 20", "--rate", "14", NULL);
  /* the bound itself is allowed */
  char *out = expect_ok("code --quantiser uniform --levels 16384");
  ck_assert_uint_eq(qrd_test_count_lines(out), 16385);
  free(out);
}
END_TEST

/* A design without a high-rate limit has theory_gap NA, one with a limit
 * a number (lloyd-max: Panter-Dite, D 2^{2R} -> sqrt(3) pi / 2 for a unit
 * Gaussian, whose bound is 2^{-2R}: 1/2 log2(sqrt(3) pi / 2) = 0.7217
 * bit). */
START_TEST(test_gap_theory_na)
{
  char buf[64];
  char *out = expect_ok("gap --dist gaussian --quantiser uniform --levels 16");
  ck_assert_str_eq(qrd_test_tsv_field(out, 1, 7, buf, sizeof buf), "NA");
  free(out);
  out = expect_ok("gap --dist gaussian --quantiser lloyd-max --levels 16");
  ck_assert_double_eq_tol(atof(qrd_test_tsv_field(out, 1, 7, buf, sizeof buf)),
                          0.5 * log2(sqrt(3.0) * M_PI / 2.0), 1e-6);
  free(out);
}
END_TEST

/* ---- n of qrd sigma and qrd matq ---- */

START_TEST(test_n_bounded)
{
  expect_bad("sigma --family identity --n 50000", "--n 50000", "4096", NULL);
  expect_bad("sigma --family identity --n 4294967296", "--n 4294967296", "4096", NULL);
  expect_bad("sigma --family identity --n 2147483648", "--n 2147483648", "4096", NULL);
  expect_bad("sigma --family identity --n 0", "--n 0", "4096", NULL);
  expect_bad("matq --family identity --n 50000 --method rtn --rate 4", "--n 50000", "4096",
             NULL);
  expect_bad("matq --family identity --n 64 --rows 1000000 --method rtn --rate 4", "--rows",
             "1000000", NULL);
}
END_TEST

/* randcorr of order 1 is the 1x1 correlation matrix [1]. */
START_TEST(test_randcorr_one)
{
  char buf[64];
  char *out = expect_ok("sigma --family randcorr --n 1");
  for (int col = 4; col <= 9; col++)
    if (col != 7) /* det_root am_d gm_d . lambda_min lambda_max */
      ck_assert_double_eq_tol(atof(qrd_test_tsv_field(out, 1, col, buf, sizeof buf)), 1.0, 1e-12);
  ck_assert_double_eq_tol(atof(qrd_test_tsv_field(out, 1, 7, buf, sizeof buf)), 0.0, 1e-12);
  free(out);
}
END_TEST

/* ---- matq on a fixed grid ---- */

START_TEST(test_matq_fixed_grid)
{
  expect_bad("matq --family ar1:rho=0.9 --n 16 --rows 256 --method gptq:bits=4 --nominal",
             "--nominal", "gptq:bits=4", "fixed grid", NULL);
  char buf[64];
  char *out = expect_ok("matq --family ar1:rho=0.9 --n 16 --rows 256 --method gptq:bits=4");
  ck_assert_str_eq(qrd_test_tsv_field(out, 1, 7, buf, sizeof buf), "NA");  /* target */
  ck_assert_str_eq(qrd_test_tsv_field(out, 1, 8, buf, sizeof buf), "NA");  /* scale */
  ck_assert_str_eq(qrd_test_tsv_field(out, 1, 22, buf, sizeof buf), "NA"); /* excess_pred */
  ck_assert_double_eq(atof(qrd_test_tsv_field(out, 1, 12, buf, sizeof buf)), 4.0); /* R_fixed */
  ck_assert(atof(qrd_test_tsv_field(out, 1, 14, buf, sizeof buf)) > 0.0);           /* D */
  free(out);
}
END_TEST

/* A Sigma with a dead coordinate is singular: matq's references (log det)
 * are undefined, said in one line instead of inf on stdout. */
START_TEST(test_matq_singular_family)
{
  expect_bad("matq --family wishart:dead=0.25 --n 16 --rows 1000 --method "
             "gptq:percdamp=0.01 --rate 4", "wishart:dead=0.25", "singular", NULL);
  expect_bad("sigma --family wishart:dead=0.25 --n 16", "not positive definite", NULL);
}
END_TEST

/* ---- file: Sigma ---- */

static char dir[64], path[128];

static void make_file(void)
{
  strcpy(dir, "/tmp/qrd-bounds-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/s.h5", dir);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(f >= 0);
  static const char *groups[] = {"empty", "huge", "sing", "big", "denorm", "tiny"};
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
    hid_t g = H5Gcreate2(f, groups[i], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert(g >= 0);
    H5Gclose(g);
  }
  qrd_test_h5_put_declared(f, "empty/Sigma", 0, 0);
  qrd_test_h5_put_declared(f, "huge/Sigma", (hsize_t)1 << 31, (hsize_t)1 << 31);
  static const double sing[9] = {1, 1, 0, 1, 1, 0, 0, 0, 1};
  static const double big[9] = {1e300, 0, 0, 0, 1e300, 0, 0, 0, 1e300};
  static const double denorm[9] = {1e-310, 0, 0, 0, 1e-310, 0, 0, 0, 1e-310};
  static const double tiny[9] = {1e-300, 0, 0, 0, 1, 0, 0, 0, 1};
  qrd_test_h5_put(f, "sing/Sigma", 3, 3, sing);
  qrd_test_h5_put(f, "big/Sigma", 3, 3, big);
  qrd_test_h5_put(f, "denorm/Sigma", 3, 3, denorm);
  qrd_test_h5_put(f, "tiny/Sigma", 3, 3, tiny);
  ck_assert(H5Fclose(f) >= 0);
}

static void remove_file(void)
{
  unlink(path);
  rmdir(dir);
}

/* Both commands on group g fail in one line holding `what`. */
static void both_bad(const char *g, const char *what)
{
  char args[512], where[64];
  snprintf(where, sizeof where, "%s", g);
  snprintf(args, sizeof args, "sigma --family file:%s:%s", path, g);
  expect_bad(args, where, what, NULL);
  snprintf(args, sizeof args, "matq --family file:%s:%s --method gptq --rate 4 --rows 100",
           path, g);
  expect_bad(args, where, what, NULL);
}

START_TEST(test_file_sigma)
{
  make_file();
  both_bad("empty", "0x0");
  both_bad("huge", "/huge/Sigma");
  both_bad("big", "1e+300");
  both_bad("denorm", "1e-310");
  both_bad("tiny", "1e-300");
  char args[512];
  snprintf(args, sizeof args, "sigma --family file:%s:sing", path);
  expect_bad(args, "not positive definite", NULL);
  snprintf(args, sizeof args, "matq --family file:%s:sing --method gptq --rate 4 --rows 100",
           path);
  expect_bad(args, "singular", "eigenvalues", NULL);
  remove_file();
}
END_TEST

Suite *qrd_suite_bounds(void)
{
  Suite *s = suite_create("bounds");
  TCase *tc = tcase_create("bounds");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_levels_bounded);
  tcase_add_test(tc, test_gap_theory_na);
  tcase_add_test(tc, test_n_bounded);
  tcase_add_test(tc, test_randcorr_one);
  tcase_add_test(tc, test_matq_fixed_grid);
  tcase_add_test(tc, test_matq_singular_family);
  tcase_add_test(tc, test_file_sigma);
  suite_add_tcase(s, tc);
  return s;
}
