/* The command-line programs, run as a user would (from the repository root;
 * `make test` builds bin/qrd first): exit status, stdout and stderr.
 *
 * Contract (the command-line contract in docs/design.md): TSV on stdout, diagnostics on stderr; bad input
 * gives a non-zero exit, exactly one line on stderr naming the problem, and
 * nothing on stdout. */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "dist/dist.h"
#include "cli_run.h"
#include "published_codes.h"
#include "suites.h"

#define FIG1 "./" QRD_TEST_BIN "/fig-1"

#define assert_has(hay, needle)                                                \
  ck_assert_msg(strstr((hay), (needle)) != NULL, "expected '%s' in '%s'",      \
                (needle), (hay))

/* Field `col` (0-based) of tab-separated line `line` (0-based) of text, as a
 * fresh string. */
static char *tsv_field(const char *text, size_t line, size_t col)
{
  const char *p = text;
  for (size_t i = 0; i < line; i++) {
    p = strchr(p, '\n');
    ck_assert_msg(p != NULL, "no line %zu in '%s'", line, text);
    p++;
  }
  for (size_t i = 0; i < col; i++) {
    const char *tab = strpbrk(p, "\t\n");
    ck_assert_msg(tab != NULL && *tab == '\t', "no column %zu in '%s'", col, text);
    p = tab + 1;
  }
  size_t len = strcspn(p, "\t\n");
  char *f = strndup(p, len);
  ck_assert_ptr_nonnull(f);
  return f;
}

static size_t tsv_fields(const char *text, size_t line)
{
  const char *p = text;
  for (size_t i = 0; i < line; i++)
    p = strchr(p, '\n') + 1;
  size_t n = 1;
  for (; *p && *p != '\n'; p++)
    n += *p == '\t';
  return n;
}

/* The column of header line 0 named `name`. */
static size_t tsv_column(const char *text, const char *name)
{
  size_t n = tsv_fields(text, 0);
  for (size_t c = 0; c < n; c++) {
    char *f = tsv_field(text, 0, c);
    int hit = strcmp(f, name) == 0;
    free(f);
    if (hit)
      return c;
  }
  ck_abort_msg("no column '%s' in '%s'", name, text);
  return 0;
}

static double tsv_double(const char *text, size_t line, const char *column)
{
  char *f = tsv_field(text, line, tsv_column(text, column)), *end;
  double v = strtod(f, &end);
  ck_assert_msg(end != f && *end == '\0', "column %s: '%s' is not a number", column, f);
  free(f);
  return v;
}

/* ---- help ---- */

START_TEST(test_help)
{
  const char *args[] = {"--help", "dists --help", "eval --help", "gap --help",
                        "export --help", "code --help",
                        "eval --quantiser nf4 --scaling absmax:64 --help"};
  for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
    char *out = qrd_test_expect_ok(args[i]);
    ck_assert_msg(strncmp(out, "usage: qrd", 10) == 0, "qrd %s: '%s'", args[i], out);
    free(out);
  }
  /* the top-level usage lists every command */
  char *out = qrd_test_expect_ok("--help");
  const char *cmds[] = {"dists", "eval", "gap", "export", "code"};
  for (size_t i = 0; i < 5; i++)
    assert_has(out, cmds[i]);
  free(out);
}
END_TEST

START_TEST(test_no_command)
{
  qrd_test_require_binary(QRD);
  qrd_run_result r = qrd_test_run(QRD);
  ck_assert_int_ne(r.status, 0);
  ck_assert_str_eq(r.out, "");
  assert_has(r.err, "usage");
  qrd_test_run_free(&r);
}
END_TEST

/* ---- dists ---- */

START_TEST(test_dists)
{
  char *out = qrd_test_expect_ok("dists");
  size_t n = qrd_dist_count();
  ck_assert_uint_eq(qrd_test_count_lines(out), n + 1);
  ck_assert_uint_ge(n, 3);
  size_t cols = tsv_fields(out, 0);
  size_t name = tsv_column(out, "name");
  tsv_column(out, "parameters");
  tsv_column(out, "entropy_bits");
  int seen[3] = {0, 0, 0};
  const char *want[3] = {"gaussian", "laplace", "student-t"};
  for (size_t i = 0; i < n; i++) {
    ck_assert_uint_eq(tsv_fields(out, i + 1), cols);
    char *f = tsv_field(out, i + 1, name);
    ck_assert_str_eq(f, qrd_dist_type_at(i)->name);
    for (size_t k = 0; k < 3; k++)
      seen[k] |= strcmp(f, want[k]) == 0;
    free(f);
    /* the default instance has unit variance */
    ck_assert_double_eq_tol(tsv_double(out, i + 1, "variance"), 1.0, 1e-9);
  }
  for (size_t k = 0; k < 3; k++)
    ck_assert_msg(seen[k], "no row for %s in '%s'", want[k], out);
  /* gaussian: h = 0.5 log2(2 pi e) bits */
  for (size_t i = 0; i < n; i++)
    if (strcmp(qrd_dist_type_at(i)->name, "gaussian") == 0)
      ck_assert_double_eq_tol(tsv_double(out, i + 1, "entropy_bits"),
                              0.5 * log2(2.0 * M_PI * M_E), 1e-12);
  free(out);
}
END_TEST

/* ---- eval and gap ---- */

START_TEST(test_eval_lloyd_max)
{
  char *out = qrd_test_expect_ok("eval --dist gaussian --quantiser lloyd-max --levels 2");
  ck_assert_uint_eq(qrd_test_count_lines(out), 2);
  ck_assert_uint_eq(tsv_fields(out, 1), tsv_fields(out, 0));
  ck_assert_double_eq_tol(tsv_double(out, 1, "mse"), 1.0 - 2.0 / M_PI, 1e-9);
  ck_assert_double_eq_tol(tsv_double(out, 1, "nmse"), 1.0 - 2.0 / M_PI, 1e-9);
  ck_assert_double_eq(tsv_double(out, 1, "levels"), 2.0);
  ck_assert_double_eq(tsv_double(out, 1, "rate_fixed"), 1.0);
  ck_assert_double_eq_tol(tsv_double(out, 1, "entropy"), 1.0, 1e-9);
  free(out);
}
END_TEST

START_TEST(test_gap_uniform_ec)
{
  char *out = qrd_test_expect_ok("gap --dist gaussian --quantiser uniform-ec --rate 8");
  ck_assert_uint_eq(qrd_test_count_lines(out), 2);
  double theory = 0.5 * log2(2.0 * M_PI * M_E / 12.0);
  ck_assert_double_eq_tol(tsv_double(out, 1, "gap"), theory, 0.002);
  ck_assert_double_eq_tol(tsv_double(out, 1, "theory_gap"), theory, 1e-6);
  ck_assert_double_eq_tol(tsv_double(out, 1, "rate"), 8.0, 1e-6);
  free(out);
}
END_TEST

/* Block formats on a Monte Carlo sample: hand-worked bit counts
 *, R against the exact integral of the same CRD
 * (tensor RMS, fp32 scale) within 3 standard errors, and coded bits below
 * the fixed width with Huffman no better than the ideal code. */
START_TEST(test_eval_format)
{
  char *out = qrd_test_expect_ok("eval --dist gaussian --format int --bits 4,2.5 --scaling absmax:64 "
                        "--scale-format bf16 --samples 65536");
  ck_assert_uint_eq(qrd_test_count_lines(out), 3);
  ck_assert_double_eq(tsv_double(out, 1, "bits"), 4.25);
  /* 6 levels; the element total rounds up to whole bits */
  ck_assert_double_eq_tol(tsv_double(out, 2, "bits"), ceil(log2(6.0) * 65536) / 65536 + 0.25,
                          1e-9);
  free(out);
  out = qrd_test_expect_ok("eval --dist student-t:nu=5 --quantiser fp:e=2,m=1 --scaling signmax:32 "
                  "--scale-format e7m3 --outliers 0.0009765625 --samples 65536");
  /* 4 + 11/32 scale bits + 48 outlier bits (bf16 + index) 2^-10 of the time */
  ck_assert_double_eq_tol(tsv_double(out, 1, "bits"), 4.0 + 11.0 / 32 + 0.046875, 1e-9);
  free(out);

  out = qrd_test_expect_ok("eval --dist laplace --format crd --bits 4 --scaling rms --scale-format fp32");
  char *exact = qrd_test_expect_ok("eval --dist laplace --quantiser crd --levels 16");
  double r = tsv_double(out, 1, "rel_rmse"), se = tsv_double(out, 1, "rel_rmse_se");
  double ref = tsv_double(exact, 1, "rel_rmse");
  ck_assert_msg(se > 0 && fabs(r - ref) < 3 * se, "MC %.6f +- %.6f vs exact %.6f", r, se, ref);
  free(out);
  free(exact);

  char *ideal = qrd_test_expect_ok("eval --dist gaussian --format nf4 --scaling absmax:64 "
                          "--compress optimal --samples 262144");
  char *huff = qrd_test_expect_ok("eval --dist gaussian --format nf4 --scaling absmax:64 "
                         "--compress huffman --samples 262144");
  double bi = tsv_double(ideal, 1, "bits"), bh = tsv_double(huff, 1, "bits");
  ck_assert_msg(bi < 4.25 && bh >= bi && bh < 4.25, "ideal %.4f, huffman %.4f", bi, bh);
  ck_assert_double_eq(tsv_double(ideal, 1, "rel_rmse"), tsv_double(huff, 1, "rel_rmse"));
  free(ideal);
  free(huff);
}
END_TEST

/* Every qrd eval row names its method and carries the same core columns,
 * whichever path computes it: r2b = R 2^bits with its SE, SE 0 when
 * exact.  Closed checks: Lloyd-Max with 16 levels is 4 bits at Max's
 * converged MSE 0.009501; uniform-ec at rate 4 is 4 bits of entropy. */
START_TEST(test_eval_core_columns)
{
  static const char *const cmds[][2] = {
    {"eval --dist gaussian --quantiser lloyd-max --levels 16", "exact"},
    {"eval --dist gaussian --quantiser uniform-ec --rate 4", "exact"},
    {"eval --dist gaussian --quantiser nf4 --scaling absmax:64", "exact"},
    {"eval --dist gaussian --quantiser nf4 --scaling absmax:64 --samples 65536", "monte-carlo"},
    {"eval --dist gaussian --format int --bits 4 --scaling absmax:64 --samples 65536",
     "monte-carlo"},
    {"eval --dist gaussian --format mxfp4 --samples 65536", "monte-carlo"},
    {"eval --dist gaussian --format nvfp4 --samples 65536", "monte-carlo"}};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    char *out = qrd_test_expect_ok(cmds[i][0]);
    char *method = tsv_field(out, 1, tsv_column(out, "method"));
    ck_assert_msg(strcmp(method, cmds[i][1]) == 0, "%s: method %s", cmds[i][0], method);
    double b = tsv_double(out, 1, "bits"), r = tsv_double(out, 1, "rel_rmse");
    double se = tsv_double(out, 1, "rel_rmse_se");
    ck_assert_double_eq_tol(tsv_double(out, 1, "r2b"), r * exp2(b), 1e-9 * r * exp2(b));
    ck_assert_double_eq_tol(tsv_double(out, 1, "r2b_se"), se * exp2(b), 1e-9 * r * exp2(b));
    if (strcmp(cmds[i][1], "exact") == 0)
      ck_assert_double_eq(se, 0.0);
    else
      ck_assert_msg(se > 0.0 && se < 0.01 * r, "%s: se %g", cmds[i][0], se);
    if (i == 0) {
      ck_assert_double_eq(b, 4.0);
      ck_assert_double_eq_tol(r * r, 0.009501, 5e-7);
    }
    if (i == 1)
      ck_assert_double_eq_tol(b, 4.0, 1e-6);
    if (i == 5) /* MXFP4: 4 + 8/32 */
      ck_assert_double_eq(b, 4.25);
    if (i == 6) /* NVFP4: 4 + 8/16 + 32/numel */
      ck_assert_double_eq_tol(b, 4.5 + 32.0 / 65536.0, 1e-9);
    free(method);
    free(out);
  }
}
END_TEST

/* Defaults that cannot mislead: INT under tensor RMS runs when asked for,
 * with a note saying why R is 1/sqrt(12) (one RMS per step) whatever the
 * bits; NF4 without a scaling takes its definition, absmax:64, and says
 * so, giving exactly the explicit run's numbers. */
START_TEST(test_eval_notes)
{
  qrd_run_result r = qrd_test_run(QRD " eval --dist gaussian --format int --bits 8 --scaling rms "
                                  "--samples 65536");
  ck_assert_int_eq(r.status, 0);
  assert_has(r.err, "note");
  assert_has(r.err, "one RMS");
  ck_assert_double_eq_tol(tsv_double(r.out, 1, "rel_rmse"), 1.0 / sqrt(12.0), 3e-3);
  qrd_test_run_free(&r);
  r = qrd_test_run(QRD " eval --dist gaussian --format nf4 --samples 65536");
  char *given = qrd_test_expect_ok("eval --dist gaussian --format nf4 --scaling absmax:64 "
                                   "--samples 65536");
  ck_assert_int_eq(r.status, 0);
  assert_has(r.err, "absmax:64");
  assert_has(r.err, "definition");
  ck_assert_str_eq(r.out, given);
  free(given);
  qrd_test_run_free(&r);
}
END_TEST

/* qrd gap takes element formats with scalings (on a Monte Carlo sample),
 * and a block code without one is refused rather than measured on raw
 * values.  For a unit Gaussian the bound is Shannon's R(D) = 1/2 log2 1/D. */
START_TEST(test_gap_format)
{
  qrd_test_expect_bad("gap --dist gaussian --quantiser nf4 --levels 16", "nf4", "--scaling",
                      NULL);
  qrd_test_expect_bad("eval --dist gaussian --quantiser nf4 --levels 16", "nf4", "--scaling",
                      NULL);
  char *out = qrd_test_expect_ok("gap --dist gaussian --format nf4 --scaling absmax:64 "
                                 "--samples 262144");
  double r = tsv_double(out, 1, "rel_rmse"), b = tsv_double(out, 1, "bits");
  ck_assert_double_eq_tol(tsv_double(out, 1, "mse"), r * r, 1e-12);
  ck_assert_double_eq_tol(tsv_double(out, 1, "gap"), b - 0.5 * log2(1.0 / (r * r)), 1e-9);
  ck_assert_double_eq_tol(b, 4.25, 1e-12);
  free(out);
}
END_TEST

/* The published AF4 table is one design (the Gaussian law's) whatever the
 * source; the generator redesigned for the source is af4-shoot, and the
 * design column says which law each used. */
START_TEST(test_af4_design_law)
{
  char *pub_t = qrd_test_expect_ok("code --quantiser af4-pub --block 256 --dist student-t:nu=5");
  char *pub_g = qrd_test_expect_ok("code --quantiser af4-pub --block 256");
  char *shoot_g = qrd_test_expect_ok("code --quantiser af4-shoot --block 256");
  char *shoot_t = qrd_test_expect_ok("code --quantiser af4-shoot --block 256 "
                                     "--dist student-t:nu=5");
  ck_assert_str_eq(pub_t, pub_g);
  ck_assert_str_eq(shoot_g, pub_g);
  ck_assert_str_ne(shoot_t, pub_g);
  const char *q[] = {"af4-pub", "af4-shoot"}, *law[] = {"gaussian", "student-t:nu=5"};
  for (size_t i = 0; i < 2; i++) {
    char args[160];
    snprintf(args, sizeof args, "eval --dist student-t:nu=5 --quantiser %s --scaling absmax:256",
             q[i]);
    char *out = qrd_test_expect_ok(args);
    char *design = tsv_field(out, 1, tsv_column(out, "design"));
    ck_assert_str_eq(design, law[i]);
    free(design);
    free(out);
  }
  free(pub_t);
  free(pub_g);
  free(shoot_g);
  free(shoot_t);
}
END_TEST

START_TEST(test_eval_format_bad)
{
  qrd_test_expect_bad("eval --dist gaussian --format foo", "element format", "'foo'", "lut:FILE",
             NULL);
  qrd_test_expect_bad("eval --dist gaussian --format nf4 --bits 3", "nf4", "fixed width", NULL);
  qrd_test_expect_bad("eval --dist gaussian --format int --scaling absmax:64", "int", "--bits", NULL);
  /* no meaningful default scaling: asked for, with what is allowed */
  qrd_test_expect_bad("eval --dist gaussian --format int --bits 8", "'int'", "[-1, 1]", "--scaling",
                      "absmax:B", NULL);
  qrd_test_expect_bad("eval --dist gaussian --format fp:e=2,m=1", "fp:e=2,m=1", "--scaling", NULL);
  qrd_test_expect_bad("eval --dist gaussian --format int --bits 4 --scaling absmax:63", "--samples",
             "63", NULL);
  qrd_test_expect_bad("eval --dist gaussian --format int --bits 4 --scaling blockmax:64", "blockmax",
             NULL);
  qrd_test_expect_bad("eval --dist gaussian --format int --bits 4 --scaling absmax:64 --scale-format fp16", "fp16", NULL);
  qrd_test_expect_bad("eval --dist gaussian --format int --bits 4 --scaling absmax:64 --compress zip", "zip", "huffman",
             NULL);
  qrd_test_expect_bad("eval --dist gaussian --format int --bits 4 --scaling absmax:64 --outliers 1.5", "--outliers", "1.5",
             NULL);
  qrd_test_expect_bad("eval --dist gaussian --format lut:/nonexistent/table", "lut:/nonexistent/table",
             NULL);
  qrd_test_expect_bad("eval --dist gaussian --format crd-block --bits 4", "crd-block", "absmax:B",
             NULL);
}
END_TEST

/* the WaterSIC/HRQMM-II papers through the command line, to 6 digits: the E2
 * two-level excesses, the AR(1) table (n = 2 is the 2 x 2 case). */
START_TEST(test_sigma_closed_forms)
{
  static const struct {
    const char *args;
    double am, gm, excess; /* NAN: not tabulated */
  } CASES[] = {
    {"--family two-level:eps=0.1 --n 64", NAN, NAN, 0.399234},
    {"--family two-level:eps=0.01 --n 64", NAN, NAN, 1.168142},
    {"--family two-level:eps=0.001 --n 64", NAN, NAN, 1.992167},
    {"--family two-level:eps=1e-6 --n 64", NAN, NAN, 4.482893},
    {"--family ar1:rho=0.9 --n 64", 0.202656, 0.194995, 0.027799},
    {"--family ar1:rho=0.9 --n 128", 0.196328, 0.192481, 0.014275},
    {"--family ar1:rho=0.5 --n 64", 0.753906, 0.753379, 0.000505},
    {"--family ar1:rho=0.5 --n 2", NAN, NAN, 0.007437},
    {"--family ar1:rho=0.9 --n 2", NAN, NAN, 0.224463},
    {"--family ar1:rho=0.99 --n 2", NAN, NAN, 0.926986},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
    char args[128];
    snprintf(args, sizeof args, "sigma %s", CASES[i].args);
    char *out = qrd_test_expect_ok(args);
    double excess = tsv_double(out, 1, "excess_bits");
    ck_assert_msg(fabs(excess - CASES[i].excess) <= 5e-7, "%s: excess %.9f vs %.6f",
                  CASES[i].args, excess, CASES[i].excess);
    if (!isnan(CASES[i].am)) {
      ck_assert_double_eq_tol(tsv_double(out, 1, "am_d"), CASES[i].am, 5e-7);
      ck_assert_double_eq_tol(tsv_double(out, 1, "gm_d"), CASES[i].gm, 5e-7);
      ck_assert_double_eq_tol(tsv_double(out, 1, "det_root"), CASES[i].gm, 5e-7);
    }
    free(out);
  }
  qrd_test_expect_bad("sigma --family ar1:rho=1.5 --n 8", "rho", "1.5", NULL);
  qrd_test_expect_bad("sigma --family ar1:rho=0.5", "dimension n", NULL);
  qrd_test_expect_bad("sigma --family ar1 --n 12 --rotate hadamard", "power of two", NULL);
}
END_TEST

/* An n x n Sigma as dataset /Sigma of a fresh HDF5 file (the WaterSIC/HRQMM-II papers). */
static void write_sigma(const char *path, size_t n, const double *S)
{
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  hsize_t dims[2] = {n, n};
  ck_assert_int_ge(H5LTmake_dataset_double(f, "Sigma", 2, dims, S), 0);
  ck_assert_int_ge(H5Fclose(f), 0);
}

/* A 3 x 3 Sigma and reverse-waterfilling table through file:PATH,
 * to 6 digits. */
START_TEST(test_sigma_file_closed_forms)
{
  static const double S3[9] = {4, 2, 0.4, 2, 2, 0.2, 0.4, 0.2, 1};
  static const double D4[16] = {4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 0.0625};
  char path[64], args[160];
  strcpy(path, "/tmp/qrd-sigma-XXXXXX");
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  write_sigma(path, 3, S3);
  snprintf(args, sizeof args, "sigma --family file:%s", path);
  char *out = qrd_test_expect_ok(args);
  ck_assert_double_eq_tol(tsv_double(out, 1, "det_root"), 1.5659471, 5e-7);
  ck_assert_double_eq_tol(tsv_double(out, 1, "am_d"), 1.6397279, 5e-7);
  ck_assert_double_eq_tol(tsv_double(out, 1, "excess_bits"), 0.0332105, 5e-7);
  /* the printed value is 0.7558613; the root of l^3 - 7 l^2 + 9.8 l - 3.84 is
   * 0.75586124674 */
  ck_assert_double_eq_tol(tsv_double(out, 1, "lambda_min"), 0.7558612, 5e-7);
  ck_assert_double_eq_tol(tsv_double(out, 1, "lambda_max"), 5.2823980, 5e-7);
  free(out);
  static const double RATE[] = {0.125, 0.5, 1.125, 2.821928};
  static const double THETA[] = {2, 0.5, 0.125, 0.01}, DIST[] = {0.828125, 0.328125, 0.109375,
                                                                  0.01};
  write_sigma(path, 4, D4);
  snprintf(args, sizeof args, "sigma --family file:%s --rate 0.125,0.5,1.125,2.821928", path);
  out = qrd_test_expect_ok(args);
  for (size_t i = 0; i < 4; i++) {
    ck_assert_double_eq_tol(tsv_double(out, i + 1, "rate"), RATE[i], 1e-12);
    ck_assert_double_eq_tol(tsv_double(out, i + 1, "rwf_theta"), THETA[i], 5e-7);
    ck_assert_double_eq_tol(tsv_double(out, i + 1, "rwf_D"), DIST[i], 5e-7);
  }
  free(out);
  unlink(path);
  qrd_test_expect_bad("sigma --family ar1 --n 4 --rate -1", "--rate", "-1", NULL);
}
END_TEST

/* The n = 4096 row of the AR(1) table (eigenvalues of a 4096 x 4096
 * matrix: a few seconds on an idle machine). */
START_TEST(test_sigma_4096)
{
  char *out = qrd_test_expect_ok("sigma --family ar1:rho=0.9 --n 4096");
  ck_assert_double_eq_tol(tsv_double(out, 1, "am_d"), 0.190198, 5e-7);
  ck_assert_double_eq_tol(tsv_double(out, 1, "gm_d"), 0.190077, 5e-7);
  ck_assert_double_eq_tol(tsv_double(out, 1, "excess_bits"), 0.000458, 5e-7);
  free(out);
}
END_TEST

/* ---- block codes: qrd eval under the block law, qrd code ---- */

/* Every value column of `exact` (one row) against the Monte Carlo row of
 * `mc` (column, column_se) within 3 standard errors. */
static void expect_within_3se(const char *exact_args, const char *mc_args)
{
  static const char *const cols[] = {"entropy", "l1", "l2", "mae", "mse", "rel_rmse"};
  char *exact = qrd_test_expect_ok(exact_args), *mc = qrd_test_expect_ok(mc_args);
  for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
    char se_name[32];
    snprintf(se_name, sizeof se_name, "%s_se", cols[k]);
    double want = tsv_double(exact, 1, cols[k]);
    double got = tsv_double(mc, 1, cols[k]), se = tsv_double(mc, 1, se_name);
    ck_assert_msg(se > 0.0 && se < 0.05 * want && fabs(got - want) < 3.0 * se,
                  "%s: %s exact %.8g, Monte Carlo %.8g +- %.3g", exact_args, cols[k], want,
                  got, se);
  }
  free(exact);
  free(mc);
}

/* The law's quadrature against Monte Carlo blocks through the command
 * line: absmax and signmax, three distributions, a code evaluated at
 * another B than its own, OPQ's outliers. */
START_TEST(test_eval_law_vs_monte_carlo)
{
  static const char *const cases[] = {
    "eval --dist gaussian --quantiser nf4 --scaling absmax:64",
    "eval --dist laplace --quantiser af4-pub:B=64 --scaling signmax:256",
    "eval --dist student-t:nu=5 --quantiser bof4s --scaling signmax:32",
    "eval --dist gaussian --quantiser opq:tau=2.5 --scaling absmax:64",
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char mc[256];
    snprintf(mc, sizeof mc, "%s --samples 1048576 --seed %zu", cases[i], i + 1);
    expect_within_3se(cases[i], mc);
  }
}
END_TEST

/* Published and independent values: AF4-exact's L1 of X falls in the
 * author's Adam ranges for codes pinned at -1, 0, 1 (Yoshida (NF4 vs AF4),
 * printed to 4 digits: +-5e-6 at the edges), AF4-pub's above them; the
 * format path's R of NF4 on the same sample (fp32 scales, sorted
 * evaluator) equals the law path's Monte Carlo R. */
START_TEST(test_eval_law_published)
{
  static const struct { int block; double lo, hi; } adam[] = {
    {64, 2.832e-2, 2.843e-2}, {128, 2.727e-2, 2.742e-2},
    {1024, 2.405e-2, 2.412e-2}, {4096, 2.213e-2, 2.216e-2}};
  for (size_t i = 0; i < sizeof adam / sizeof adam[0]; i++) {
    char args[128];
    snprintf(args, sizeof args, "eval --dist gaussian --quantiser af4-exact --scaling "
             "absmax:%d --metric l1", adam[i].block);
    char *out = qrd_test_expect_ok(args);
    double l1 = tsv_double(out, 1, "l1");
    ck_assert_msg(l1 >= adam[i].lo - 5e-6 && l1 <= adam[i].hi + 5e-6, "%s: l1 %.6g", args, l1);
    free(out);
    snprintf(args, sizeof args, "eval --dist gaussian --quantiser af4-pub --scaling "
             "absmax:%d --metric l1", adam[i].block);
    out = qrd_test_expect_ok(args);
    ck_assert_msg(tsv_double(out, 1, "l1") > adam[i].hi, "%s: l1 %.6g", args,
                  tsv_double(out, 1, "l1"));
    free(out);
  }
  char *law = qrd_test_expect_ok("eval --dist gaussian --quantiser nf4 --scaling absmax:64 "
                                 "--samples 1048576 --seed 1 --metric rel_rmse");
  char *fmt = qrd_test_expect_ok("eval --dist gaussian --format nf4 --scaling absmax:64 "
                                 "--scale-format fp32 --samples 1048576 --seed 1");
  ck_assert_double_eq_tol(tsv_double(law, 1, "rel_rmse"), tsv_double(fmt, 1, "rel_rmse"),
                          1e-7);
  free(law);
  free(fmt);
}
END_TEST

/* --metric picks and orders the error columns; a code's B defaults to the
 * scaling's (so the code for 4096 beats the one for 64 at 4096, which
 * AF4-exact's optimality guarantees) and stays when given. */
START_TEST(test_eval_law_columns)
{
  char *all = qrd_test_expect_ok("eval --dist gaussian --quantiser af4-exact --scaling "
                                 "absmax:4096");
  char *two = qrd_test_expect_ok("eval --dist gaussian --quantiser af4-exact --scaling "
                                 "absmax:4096 --metric mse,l1");
  ck_assert_uint_eq(qrd_test_count_lines(two), 2);
  char *head = tsv_field(two, 0, 0);
  ck_assert_str_eq(head, "dist");
  free(head);
  ck_assert_uint_eq(tsv_column(two, "mse"), tsv_column(two, "entropy") + 1);
  ck_assert_uint_eq(tsv_column(two, "l1"), tsv_column(two, "mse") + 1);
  ck_assert_uint_eq(tsv_fields(two, 0), tsv_column(two, "l1") + 1);
  ck_assert_double_eq(tsv_double(two, 1, "mse"), tsv_double(all, 1, "mse"));
  ck_assert_double_eq(tsv_double(two, 1, "l1"), tsv_double(all, 1, "l1"));
  ck_assert_double_eq(tsv_double(all, 1, "levels"), 16.0);
  ck_assert_double_eq_tol(tsv_double(all, 1, "rel_rmse"), sqrt(tsv_double(all, 1, "mse")),
                          1e-9);
  char *q = tsv_field(all, 1, tsv_column(all, "quantiser"));
  ck_assert_str_eq(q, "af4-exact:B=4096");
  free(q);
  char *other = qrd_test_expect_ok("eval --dist gaussian --quantiser af4-exact:B=64 "
                                   "--scaling absmax:4096 --metric l1");
  q = tsv_field(other, 1, tsv_column(other, "quantiser"));
  ck_assert_str_eq(q, "af4-exact:B=64");
  ck_assert_msg(tsv_double(other, 1, "l1") > tsv_double(all, 1, "l1") + 1e-4,
                "B=64 code at 4096: %s", other);
  free(q);
  free(all);
  free(two);
  free(other);
}
END_TEST

/* Every level printed with %.17g against a published table. */
static void expect_levels(const char *out, size_t line0, size_t col, const double *table,
                          double tol)
{
  for (size_t i = 0; i < 16; i++) {
    char *f = tsv_field(out, line0 + i, col), *end;
    double v = strtod(f, &end);
    ck_assert_msg(end != f && *end == '\0', "level '%s'", f);
    ck_assert_msg(fabs(v - table[i]) <= tol, "level %zu: %.17g, published %.17g", i, v,
                  table[i]);
    free(f);
  }
}

START_TEST(test_code_published)
{
  char *out = qrd_test_expect_ok("code --quantiser af4-pub --block 64");
  ck_assert_uint_eq(qrd_test_count_lines(out), 17);
  ck_assert(strncmp(out, "index\tlevel\n", 12) == 0);
  expect_levels(out, 1, 1, qrd_test_af4_table[1], QRD_TEST_AF4_TOL);
  free(out);

  out = qrd_test_expect_ok("code --quantiser af4-pub --block 32,64,128,256,512,1024,2048,4096");
  ck_assert_uint_eq(qrd_test_count_lines(out), 1 + 8 * 16);
  ck_assert(strncmp(out, "block\tindex\tlevel\n", 18) == 0);
  for (size_t j = 0; j < 8; j++) {
    ck_assert_double_eq(tsv_double(out, 1 + 16 * j, "block"), qrd_test_af4_blocks[j]);
    expect_levels(out, 1 + 16 * j, 2, qrd_test_af4_table[j], QRD_TEST_AF4_TOL);
  }
  free(out);

  out = qrd_test_expect_ok("code --quantiser nf4");
  expect_levels(out, 1, 1, qrd_test_nf4_table, 0.0);
  free(out);
}
END_TEST

START_TEST(test_law_bad)
{
  const char *b = "eval --dist gaussian --quantiser";
  char args[256];
#define BAD(rest, ...)                                                         \
  (snprintf(args, sizeof args, "%s %s", b, rest), qrd_test_expect_bad(args, __VA_ARGS__, NULL))
  BAD("foo --scaling absmax:64", "'foo'", "af4-pub");
  BAD("nf4 --scaling absmax:64 --metric foo", "--metric", "'foo'", "l1, l2, mae, mse, rel_rmse");
  BAD("lloyd-max --scaling absmax:64", "lloyd-max", "af4-pub");
  BAD("nf4 --scaling absmax:1", "absmax:1", "from 2");
  BAD("nf4 --scaling absmax:2.5", "absmax:2.5", "whole");
  BAD("nf4 --metric l1", "--scaling");
  BAD("nf4 --scaling absmax:64 --samples 100", "--samples 100", "multiple of the block size 64");
  BAD("nf4 --scaling absmax:64 --seed 3", "--seed", "--samples");
  BAD("af4-pub --scaling absmax:64 --levels 7", "7 levels", "even");
  BAD("bof4:metric=foo --scaling absmax:64", "metric=foo", "mse");
  BAD("af4-pub --scaling absmax:64 --dist student-t:nu=2.5", "student-t:nu=2.5");
#undef BAD
  qrd_test_expect_bad("code --quantiser foo", "'foo'", "af4-pub", NULL);
  qrd_test_expect_bad("code --quantiser af4-pub --block 0", "--block 0", "whole", NULL);
  qrd_test_expect_bad("code --quantiser af4-pub --block 64,2.5", "'2.5'", "from 2", NULL);
  qrd_test_expect_bad("code --quantiser af4-pub:B=64 --block 128", "--block 128", "B=64", NULL);
  qrd_test_expect_bad("code --quantiser lloyd-max --block 64", "lloyd-max", "af4-pub", NULL);
  qrd_test_expect_bad("code --quantiser ecsq", "ecsq", "fixed-length", NULL);
  qrd_test_expect_bad("code --block 64", "--quantiser", NULL);
}
END_TEST

START_TEST(test_bad_dist)
{
  qrd_test_expect_bad("eval --dist foo --quantiser uniform --levels 4", "distribution", "'foo'",
             "gaussian", NULL);
  qrd_test_expect_bad("gap --dist foo --quantiser uniform-ec --rate 4", "distribution", "'foo'",
             NULL);
  qrd_test_expect_bad("eval --dist gaussian:nu=3 --quantiser uniform --levels 4",
             "unknown parameter 'nu'", NULL);
  qrd_test_expect_bad("eval --dist student-t:nu=abc --quantiser uniform --levels 4", "nu",
             "abc", NULL);
  qrd_test_expect_bad("eval --dist student-t:nu=2 --quantiser uniform --levels 4", "nu",
             "variance", NULL);
  qrd_test_expect_bad("gap --dist student-t:nu=2 --quantiser uniform-ec --rate 4", "nu",
             "variance", NULL);
}
END_TEST

START_TEST(test_bad_quantiser)
{
  qrd_test_expect_bad("eval --dist gaussian --quantiser bar --levels 4", "quantiser", "'bar'",
             "lloyd-max", NULL);
  qrd_test_expect_bad("gap --dist gaussian --quantiser bar --rate 4", "quantiser", "'bar'", NULL);
  qrd_test_expect_bad("eval --dist gaussian --quantiser uniform-ec --levels 4", "uniform-ec",
             "--rate", NULL);
}
END_TEST

START_TEST(test_bad_levels)
{
  qrd_test_expect_bad("eval --dist gaussian --quantiser lloyd-max --levels 1", "levels", ">= 2",
             NULL);
  qrd_test_expect_bad("eval --dist gaussian --quantiser lloyd-max --levels 0", "levels", NULL);
  qrd_test_expect_bad("eval --dist gaussian --quantiser lloyd-max --levels 2.5", "levels", "2.5",
             NULL);
  qrd_test_expect_bad("eval --dist gaussian --quantiser lloyd-max --levels four", "levels",
             "four", NULL);
  qrd_test_expect_bad("eval --dist gaussian --quantiser lloyd-max --bits 0.5", "levels", NULL);
}
END_TEST

START_TEST(test_bad_rate)
{
  qrd_test_expect_bad("gap --dist gaussian --quantiser uniform-ec --rate 0", "rate", "> 0", NULL);
  qrd_test_expect_bad("gap --dist gaussian --quantiser uniform-ec --rate -1", "rate", "-1", NULL);
  qrd_test_expect_bad("eval --dist gaussian --quantiser uniform-ec --rate 0", "rate", NULL);
  qrd_test_expect_bad("gap --dist gaussian --quantiser uniform-ec --rate abc", "rate", "abc",
             "not a number", NULL);
  qrd_test_expect_bad("gap --dist gaussian --quantiser uniform-ec --rate nan", "rate", NULL);
}
END_TEST

START_TEST(test_bad_usage)
{
  qrd_test_expect_bad("eval --dist gaussian --quantiser uniform --levels 4 --bogus", "--bogus",
             NULL);
  qrd_test_expect_bad("dists --bogus", "--bogus", NULL);
  qrd_test_expect_bad("eval --quantiser uniform --levels 4", "--dist", NULL);
  qrd_test_expect_bad("gap --quantiser uniform-ec --rate 4", "--dist", NULL);
  qrd_test_expect_bad("eval --dist gaussian --quantiser uniform", "--levels", NULL);
  qrd_test_expect_bad("eval --dist gaussian --quantiser uniform --levels", "--levels", "value",
             NULL);
  qrd_test_expect_bad("gap --dist gaussian --quantiser uniform-ec --rate", "--rate", "value",
             NULL);
  qrd_test_expect_bad("eval --dist", "--dist", NULL);
}
END_TEST

START_TEST(test_unknown_command)
{
  qrd_test_expect_bad("frobnicate", "frobnicate", NULL);
}
END_TEST

/* A scratch directory per test case: an unchecked fixture creates it in the
 * runner's process before the tests and removes it (flat) after them, also
 * when a test failed. */
static char sandbox[64];

static void sandbox_open(void)
{
  strcpy(sandbox, "/tmp/qrd-cli-XXXXXX");
  if (!mkdtemp(sandbox)) {
    perror("qrd tests: mkdtemp");
    sandbox[0] = '\0';
  }
}

static void sandbox_close(void)
{
  if (!sandbox[0])
    return;
  DIR *d = opendir(sandbox);
  struct dirent *e;
  char p[sizeof sandbox + 256];
  while (d != NULL && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(p, sizeof p, "%s/%s", sandbox, e->d_name);
    unlink(p);
  }
  if (d != NULL)
    closedir(d);
  rmdir(sandbox);
  sandbox[0] = '\0';
}

static void write_text(const char *file, const char *text)
{
  FILE *f = fopen(file, "wb");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
}

/* ---- export ---- */

START_TEST(test_export_bad_file)
{
  const char *missing = "/tmp/qrd-cli-does-not-exist.h5";
  char args[256];
  snprintf(args, sizeof args, "export %s", missing);
  qrd_test_expect_bad(args, missing, NULL);
  snprintf(args, sizeof args, "export --panels %s", missing);
  qrd_test_expect_bad(args, missing, NULL);

  char text[128];
  snprintf(text, sizeof text, "%s/text.h5", sandbox);
  write_text(text, "panel\tcurve\nnot hdf5\n");
  snprintf(args, sizeof args, "export %s", text);
  qrd_test_expect_bad(args, text, NULL);
  snprintf(args, sizeof args, "export --panel x %s", text);
  qrd_test_expect_bad(args, text, NULL);
  qrd_test_expect_bad("export", "FILE", NULL);
}
END_TEST

/* ---- figure drivers ---- */

/* A small valid fig-1 config (2 sweep points). */
#define FIG1_CONFIG                                                            \
  "seed = 1\n"                                                                 \
  "dists = gaussian\n"                                                         \
  "quantisers = uniform\n"                                                     \
  "rate_min = 1\n"                                                             \
  "rate_max = 2\n"                                                             \
  "rate_step = 1\n"                                                            \
  "ecsq_rate_max = 0\n"

typedef struct {
  const char *name;     /* config file name, "" for a missing file */
  const char *text;     /* NULL: not written */
  const char *keyword;  /* must appear in the one stderr line */
  const char *keyword2;
} fig_case;

static const fig_case FIG_CASES[] = {
  {"missing.cfg", NULL, "missing.cfg", "cannot open"},
  {"malformed.cfg", "seed = 1\n# next line is wrong\nrate_max 8\n", "malformed.cfg:3:",
   "rate_max 8"},
  {"unknown.cfg", FIG1_CONFIG "rate_mx = 4\n", "unknown.cfg:8:", "rate_mx"},
  {"abc.cfg",
   "seed = 1\ndists = gaussian\nquantisers = uniform\nrate_min = 1\nrate_max = abc\n"
   "rate_step = 1\necsq_rate_max = 0\n",
   "abc.cfg:5:", "'abc'"},
};
#define N_FIG_CASES (sizeof FIG_CASES / sizeof FIG_CASES[0])

/* A bad name inside a list value: config.h promises "FILE:LINE: key 'K': ..."
 * for every bad value, including the driver's own checks. */
static const fig_case FIG_BAD_SPEC = {
  "baddist.cfg",
  "seed = 1\ndists = gaussian foo\nquantisers = uniform\nrate_min = 1\nrate_max = 2\n"
  "rate_step = 1\necsq_rate_max = 0\n",
  "baddist.cfg:2:", "'foo'"};

/* Runs case c; OUT is sandbox/out.h5.  Checks the failure report and that no
 * temporary is left behind. */
static void fig_run_failing(const fig_case *c, const char *out)
{
  char cfg[256], tmp[256];
  snprintf(cfg, sizeof cfg, "%s/%s", sandbox, c->name);
  snprintf(tmp, sizeof tmp, "%s.tmp", out);
  if (c->text)
    write_text(cfg, c->text);
  qrd_run_result r = qrd_test_run(FIG1 " --config %s --out %s --quiet", cfg, out);
  ck_assert_msg(r.status > 0, "%s: exit %d", c->name, r.status);
  ck_assert_msg(r.out[0] == '\0', "%s: stdout '%s'", c->name, r.out);
  ck_assert_msg(qrd_test_count_lines(r.err) == 1 && r.err[strlen(r.err) - 1] == '\n',
                "%s: want one stderr line, got '%s'", c->name, r.err);
  assert_has(r.err, sandbox); /* the file, with its directory */
  assert_has(r.err, c->keyword);
  assert_has(r.err, c->keyword2);
  ck_assert_msg(access(tmp, F_OK) != 0, "%s: %s left behind", c->name, tmp);
  qrd_test_run_free(&r);
}

START_TEST(test_fig_driver_failures)
{
  qrd_test_require_binary(FIG1);
  char out[128];
  snprintf(out, sizeof out, "%s/out.h5", sandbox);
  unlink(out);
  for (size_t i = 0; i < N_FIG_CASES; i++) {
    fig_run_failing(&FIG_CASES[i], out);
    ck_assert_msg(access(out, F_OK) != 0, "%s: %s created", FIG_CASES[i].name, out);
  }
}
END_TEST

START_TEST(test_fig_driver_keeps_old_output)
{
  qrd_test_require_binary(FIG1);
  char out[128];
  snprintf(out, sizeof out, "%s/out.h5", sandbox);
  unlink(out);
  static const char old[] = "previous results\n\0binary\xff\x01 tail";
  for (size_t i = 0; i < N_FIG_CASES; i++) {
    FILE *f = fopen(out, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(old, 1, sizeof old, f), sizeof old);
    ck_assert_int_eq(fclose(f), 0);
    fig_run_failing(&FIG_CASES[i], out);
    f = fopen(out, "rb");
    ck_assert_msg(f != NULL, "%s: %s removed", FIG_CASES[i].name, out);
    char now[sizeof old + 16];
    size_t got = fread(now, 1, sizeof now, f);
    fclose(f);
    ck_assert_msg(got == sizeof old && memcmp(now, old, sizeof old) == 0,
                  "%s: %s changed", FIG_CASES[i].name, out);
  }
}
END_TEST

START_TEST(test_fig_driver_bad_spec)
{
  qrd_test_require_binary(FIG1);
  char out[128];
  snprintf(out, sizeof out, "%s/out.h5", sandbox);
  unlink(out);
  fig_run_failing(&FIG_BAD_SPEC, out);
  ck_assert_msg(access(out, F_OK) != 0, "%s created", out);
}
END_TEST

/* Control for the tests above: the same command line with a valid config
 * does write OUT (and no temporary). */
START_TEST(test_fig_driver_ok)
{
  qrd_test_require_binary(FIG1);
  char cfg[128], out[128], tmp[136];
  snprintf(cfg, sizeof cfg, "%s/ok.cfg", sandbox);
  snprintf(out, sizeof out, "%s/out.h5", sandbox);
  snprintf(tmp, sizeof tmp, "%s.tmp", out);
  unlink(out);
  write_text(cfg, FIG1_CONFIG);
  qrd_run_result r = qrd_test_run(FIG1 " --config %s --out %s --quiet", cfg, out);
  ck_assert_msg(r.status == 0, "exit %d, stderr '%s'", r.status, r.err);
  ck_assert_str_eq(r.out, "");
  struct stat sb;
  ck_assert_int_eq(stat(out, &sb), 0);
  ck_assert_int_gt(sb.st_size, 0);
  ck_assert_int_ne(access(tmp, F_OK), 0);
  qrd_test_run_free(&r);
}
END_TEST

/* Same config and seed with 1 and 2 threads: identical data (only the
 * provenance attributes at the root, time and thread counts, may differ). */
START_TEST(test_fig_driver_deterministic)
{
  qrd_test_require_binary(FIG1);
  char cfg[128], out1[128], out2[128];
  snprintf(cfg, sizeof cfg, "%s/det.cfg", sandbox);
  snprintf(out1, sizeof out1, "%s/t1.h5", sandbox);
  snprintf(out2, sizeof out2, "%s/t2.h5", sandbox);
  write_text(cfg, "seed = 7\n"
                  "dists = gaussian student-t:nu=5\n"
                  "quantisers = lloyd-max crd uniform-ec ecsq\n"
                  "rate_min = 1\nrate_max = 3\nrate_step = 0.5\necsq_rate_max = 2\n");
  qrd_run_result a = qrd_test_run(FIG1 " --config %s --out %s --quiet --threads 1", cfg, out1);
  qrd_run_result b = qrd_test_run(FIG1 " --config %s --out %s --quiet --threads 2", cfg, out2);
  ck_assert_msg(a.status == 0 && b.status == 0, "exit %d / %d: %s%s", a.status, b.status,
                a.err, b.err);
  qrd_run_result d = qrd_test_run("h5diff --exclude-attribute / %s %s", out1, out2);
  ck_assert_msg(d.status == 0, "h5diff found differences: %s", d.out);
  qrd_test_run_free(&a);
  qrd_test_run_free(&b);
  qrd_test_run_free(&d);
}
END_TEST

Suite *qrd_suite_cli(void)
{
  Suite *s = suite_create("cli");
  TCase *tc = tcase_create("qrd");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_help);
  tcase_add_test(tc, test_no_command);
  tcase_add_test(tc, test_dists);
  tcase_add_test(tc, test_eval_lloyd_max);
  tcase_add_test(tc, test_gap_uniform_ec);
  tcase_add_test(tc, test_eval_format);
  tcase_add_test(tc, test_eval_format_bad);
  tcase_add_test(tc, test_eval_core_columns);
  tcase_add_test(tc, test_eval_notes);
  tcase_add_test(tc, test_gap_format);
  tcase_add_test(tc, test_af4_design_law);
  tcase_add_test(tc, test_sigma_closed_forms);
  tcase_add_test(tc, test_sigma_file_closed_forms);
  tcase_add_test(tc, test_eval_law_vs_monte_carlo);
  tcase_add_test(tc, test_eval_law_published);
  tcase_add_test(tc, test_eval_law_columns);
  tcase_add_test(tc, test_code_published);
  tcase_add_test(tc, test_law_bad);
  tcase_add_test(tc, test_bad_dist);
  tcase_add_test(tc, test_bad_quantiser);
  tcase_add_test(tc, test_bad_levels);
  tcase_add_test(tc, test_bad_rate);
  tcase_add_test(tc, test_bad_usage);
  tcase_add_test(tc, test_unknown_command);
  tcase_add_test(tc, test_export_bad_file);
  suite_add_tcase(s, tc);

  tc = tcase_create("sigma-4096");
  tcase_set_tags(tc, "slow");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_sigma_4096);
  suite_add_tcase(s, tc);

  tc = tcase_create("fig-driver");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_fig_driver_failures);
  tcase_add_test(tc, test_fig_driver_keeps_old_output);
  tcase_add_test(tc, test_fig_driver_bad_spec);
  tcase_add_test(tc, test_fig_driver_ok);
  tcase_add_test(tc, test_fig_driver_deterministic);
  suite_add_tcase(s, tc);
  return s;
}
