/* The open cases of the bad-input battery (docs/robustness.md), kept in
 * make test: each bad command fails with one stderr line naming the
 * option, file, dataset or tensor and what is allowed, exit 1 or 2,
 * nothing on stdout; the good commands next to them still work.
 *
 *   - empty items of a comma-separated list (--levels 4,,8, --block 2,,4,
 *     --bits, --rate, --metric) and an empty list;
 *   - user text with control bytes is echoed escaped (\xNN);
 *   - outliers-corr:k=0 (k runs from 1 to n);
 *   - qrd matq on a file: group quantises the group's W (checked: finite,
 *     a x n, at most 2^28 entries);
 *   - fewer than 64 values under a whole-tensor scaling;
 *   - an allocate statistics file whose numel is beyond 2^53;
 *   - qrd tensors on a tensor with NaN (refused before any output or
 *     progress), with every value equal (kurtosis NA), with float64
 *     values whose statistics overflow. */
#include <check.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_run.h"
#include "h5_put.h"
#include "suites.h"

static char dir[64];

static void dir_open(void)
{
  strcpy(dir, "/tmp/qrd-bad-input-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_close(void)
{
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "bad_input: could not remove %s\n", dir);
}

static void path_of(char *path, size_t len, const char *name)
{
  snprintf(path, len, "%s/%s", dir, name);
}

/* `qrd ARGS` fails with one line holding every keyword and no raw
 * control byte. */
static void bad(const char *args, ...)
{
  qrd_test_require_binary(QRD);
  qrd_run_result r = qrd_test_run(QRD " %s </dev/null", args);
  ck_assert_msg(r.status == 1 || r.status == 2, "qrd %s: exit %d, stderr '%s'", args, r.status,
                r.err);
  ck_assert_msg(r.out[0] == '\0', "qrd %s: stdout '%s'", args, r.out);
  ck_assert_msg(qrd_test_count_lines(r.err) == 1 && r.err[strlen(r.err) - 1] == '\n',
                "qrd %s: want one stderr line, got '%s'", args, r.err);
  for (const char *p = r.err; *p; p++)
    ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n', "qrd %s: control byte 0x%02x in "
                  "'%s'", args, (unsigned char)*p, r.err);
  va_list ap;
  va_start(ap, args);
  for (const char *k; (k = va_arg(ap, const char *)) != NULL;)
    ck_assert_msg(strstr(r.err, k) != NULL, "qrd %s: expected '%s' in '%s'", args, k, r.err);
  va_end(ap);
  qrd_test_run_free(&r);
}


/* ---- lists ---- */

START_TEST(test_list_items)
{
  bad("eval --dist gaussian --quantiser uniform --levels 4,,8", "--levels 4,,8",
      "value 2 of the list is empty", NULL);
  bad("eval --dist gaussian --quantiser uniform --levels 4,", "--levels 4,", "value 2", NULL);
  bad("eval --dist gaussian --quantiser uniform --levels ,4", "--levels ,4", "value 1", NULL);
  bad("eval --dist gaussian --quantiser uniform --levels ''", "--levels ''", "no value", NULL);
  bad("code --quantiser af4-exact --block 2,,4", "--block 2,,4", "empty", NULL);
  bad("code --quantiser af4-exact --block ''", "--block ''", NULL);
  bad("eval --dist gaussian --format int --bits 4,,3 --scaling absmax:64", "--bits 4,,3",
      "empty", NULL);
  bad("eval --dist gaussian --quantiser nf4 --scaling absmax:64 --metric l1,,mse",
      "--metric l1,,mse", "empty", NULL);
  bad("sigma --family ar1 --n 4 --rate 2,,4", "--rate 2,,4", "empty", NULL);
  bad("allocate tests/cli/battery/alloc-good.tsv --bits 4,", "--bits 4,", "empty", NULL);
  bad("eval --dist gaussian --quantiser uniform "
      "--levels 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,"
      "2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2", "--levels", "more than 64", NULL);
  char *out = qrd_test_expect_ok("eval --dist gaussian --quantiser uniform --levels 4,8");
  ck_assert_uint_eq(qrd_test_count_lines(out), 3);
  free(out);
  out = qrd_test_expect_ok("code --quantiser af4-exact --block 2,4");
  free(out);
}
END_TEST

/* What was typed is echoed with its control bytes escaped. */
START_TEST(test_escaped)
{
  bad("\"$(printf 'fo\\033[31mo')\"", "'fo\\x1B[31mo'", NULL);
  bad("eval \"$(printf -- '--x\\001')\"", "'--x\\x01'", NULL);
  bad("eval --dist gaussian --quantiser uniform --levels \"$(printf '4,\\007')\"", "\\x07",
      NULL);
  bad("export \"$(printf -- '--p\\033')\"", "\\x1B", NULL);
  bad("merge \"$(printf -- '--q\\002')\"", "\\x02", NULL);
}
END_TEST

/* ---- covariance families ---- */

START_TEST(test_outliers_corr_k)
{
  bad("sigma --family outliers-corr:k=0 --n 8", "k=0", "1 <= k", NULL);
  bad("sigma --family outliers-corr:k=9 --n 8", "k=9", "from 1 to n = 8", NULL);
  free(qrd_test_expect_ok("sigma --family outliers-corr:k=8 --n 8"));
  free(qrd_test_expect_ok("sigma --family outliers-corr:k=1 --n 8"));
}
END_TEST

/* ---- matq on a file's W ---- */

enum { W_ROWS = 40 };

/* Groups: good (Sigma 3x3, W 40x3), noW, wnan, wcols (W 2x4), wzero,
 * whuge (W declared 2^31 x 3). */
static void write_w_file(const char *path)
{
  static const double S[9] = {2, 0.5, 0.1, 0.5, 2, 0.3, 0.1, 0.3, 2};
  double W[W_ROWS * 3], m[6] = {1, 2, 3, NAN, 5, 6}, z[6] = {0}, w8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  for (int i = 0; i < W_ROWS * 3; i++)
    W[i] = 0.05 * sin(1.7 * i);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(f >= 0);
  const char *groups[] = {"good", "noW", "wnan", "wcols", "wzero", "whuge"};
  for (size_t k = 0; k < sizeof groups / sizeof *groups; k++) {
    hid_t g = H5Gcreate2(f, groups[k], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert(g >= 0);
    qrd_test_h5_put(g, "Sigma", 3, 3, S);
    if (k == 0)
      qrd_test_h5_put(g, "W", W_ROWS, 3, W);
    else if (k == 2)
      qrd_test_h5_put(g, "W", 2, 3, m);
    else if (k == 3)
      qrd_test_h5_put(g, "W", 2, 4, w8);
    else if (k == 4)
      qrd_test_h5_put(g, "W", 2, 3, z);
    else if (k == 5)
      qrd_test_h5_put_declared(g, "W", (hsize_t)1 << 31, 3);
    H5Gclose(g);
  }
  ck_assert(H5Fclose(f) >= 0);
}

START_TEST(test_matq_file_w)
{
  char path[128], args[512], buf[64];
  path_of(path, sizeof path, "w.h5");
  write_w_file(path);
  /* the group's W itself: all its rows, the references at its RMS */
  snprintf(args, sizeof args, "matq --family file:%s:good --method gptq --rate 4", path);
  char *out = qrd_test_expect_ok(args);
  ck_assert_str_eq(qrd_test_tsv_field(out, 0, 2, buf, sizeof buf), "rows");
  ck_assert_int_eq(atoi(qrd_test_tsv_field(out, 1, 2, buf, sizeof buf)), W_ROWS);
  double ss = 0.0;
  for (int i = 0; i < W_ROWS * 3; i++)
    ss += 0.05 * sin(1.7 * i) * 0.05 * sin(1.7 * i);
  qrd_test_tsv_field(out, 1, 5, buf, sizeof buf);
  ck_assert_msg(strncmp(buf, "gaussian:scale=", 15) == 0, "dist '%s'", buf);
  ck_assert_double_eq_tol(atof(buf + 15), sqrt(ss / (W_ROWS * 3)), 1e-12);
  free(out);
  /* its first rows */
  snprintf(args, sizeof args, "matq --family file:%s:good --method gptq --rate 4 --rows 20",
           path);
  out = qrd_test_expect_ok(args);
  ck_assert_int_eq(atoi(qrd_test_tsv_field(out, 1, 2, buf, sizeof buf)), 20);
  free(out);
  /* no W: drawn, as before */
  snprintf(args, sizeof args, "matq --family file:%s:noW --method gptq --rate 4 --rows 100",
           path);
  out = qrd_test_expect_ok(args);
  ck_assert_str_eq(qrd_test_tsv_field(out, 1, 5, buf, sizeof buf), "gaussian");
  free(out);

  snprintf(args, sizeof args, "matq --family file:%s:good --method gptq --rate 4 --rows 41",
           path);
  bad(args, "--rows 41", "40 rows", NULL);
  snprintf(args, sizeof args, "matq --family file:%s:good --method gptq --rate 4 --dist laplace",
           path);
  bad(args, "--dist laplace", "W", NULL);
  snprintf(args, sizeof args, "matq --family file:%s:wnan --method gptq --rate 4", path);
  bad(args, path, "'/wnan/W'", "[1][0] = nan", "not finite", NULL);
  snprintf(args, sizeof args, "matq --family file:%s:wcols --method gptq --rate 4", path);
  bad(args, path, "'/wcols/W' is 2x4", "a x 3", NULL);
  snprintf(args, sizeof args, "matq --family file:%s:wzero --method gptq --rate 4", path);
  bad(args, "wzero", "RMS 0", NULL);
  snprintf(args, sizeof args, "matq --family file:%s:whuge --method gptq --rate 4", path);
  bad(args, path, "/whuge/W", NULL);
}
END_TEST

/* ---- sample sizes and statistics files ---- */

START_TEST(test_whole_tensor_samples)
{
  bad("eval --dist gaussian --format crd --bits 4 --samples 2", "--samples", "2 values",
      "at least 64", NULL);
  bad("eval --dist gaussian --format crd --bits 4 --samples 63", "63 values", NULL);
  bad("eval --dist gaussian --format crd --bits 4 --samples 1", "at least 2 values",
      "at least 64", NULL);
  bad("gap --dist gaussian --format int --bits 4 --scaling rms --samples 8", "8 values",
      "at least 64", NULL);
  free(qrd_test_expect_ok("eval --dist gaussian --format crd --bits 4 --samples 64"));
}
END_TEST

static void write_text(const char *name, const char *text, char *path, size_t len)
{
  path_of(path, len, name);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_allocate_numel)
{
  char path[128], args[256];
  write_text("huge.tsv", "name\tnumel\trms\tfisher_sum\na\t1e300\t0.1\t1\n", path, sizeof path);
  snprintf(args, sizeof args, "allocate %s --bits 4", path);
  bad(args, "huge.tsv:2", "numel 1e+300", "2^53", NULL);
  write_text("top.tsv", "name\tnumel\trms\tfisher_sum\na\t9007199254740992\t0.1\t1\n"
             "b\t100\t0.2\t3\n", path, sizeof path);
  snprintf(args, sizeof args, "allocate %s --bits 4", path);
  free(qrd_test_expect_ok(args));
}
END_TEST

/* ---- qrd tensors ---- */

/* A safetensors file of F64 tensors a and b, n values each. */
static void write_st(const char *name, const double *a, const double *b, size_t n, char *path,
                     size_t len)
{
  char header[256];
  int h = snprintf(header, sizeof header,
                   "{\"a\":{\"dtype\":\"F64\",\"shape\":[%zu],\"data_offsets\":[0,%zu]},"
                   "\"b\":{\"dtype\":\"F64\",\"shape\":[%zu],\"data_offsets\":[%zu,%zu]}}",
                   n, 8 * n, n, 8 * n, 16 * n);
  while (h % 8)
    header[h++] = ' ';
  path_of(path, len, name);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  uint64_t hl = (uint64_t)h; /* little-endian hosts only, as the readers */
  ck_assert_uint_eq(fwrite(&hl, 8, 1, f), 1);
  ck_assert_uint_eq(fwrite(header, 1, (size_t)h, f), (size_t)h);
  ck_assert_uint_eq(fwrite(a, 8, n, f), n);
  ck_assert_uint_eq(fwrite(b, 8, n, f), n);
  ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_tensors_bad_values)
{
  enum { N = 32 };
  double a[N], b[N], zero[N] = {0}, huge[N];
  for (int i = 0; i < N; i++) {
    a[i] = sin(1.3 * i + 0.5);
    b[i] = cos(0.7 * i);
    huge[i] = 1e200 * a[i];
  }
  b[5] = NAN;
  char path[128], args[256], buf[64];
  /* NaN in the second tensor: no progress line for the first, no table */
  write_st("nan.safetensors", a, b, N, path, sizeof path);
  snprintf(args, sizeof args, "tensors %s", path);
  bad(args, "tensor 'b'", "1 non-finite", NULL);
  write_st("huge.safetensors", huge, a, N, path, sizeof path);
  snprintf(args, sizeof args, "tensors %s --no-fit", path);
  bad(args, "tensor 'a'", "overflow", NULL);
  /* every value equal: the kurtosis is undefined (NA), the rest a number */
  write_st("zero.safetensors", zero, a, N, path, sizeof path);
  snprintf(args, sizeof args, "tensors %s --no-fit", path);
  char *out = qrd_test_expect_ok(args);
  ck_assert_str_eq(qrd_test_tsv_field(out, 0, 8, buf, sizeof buf), "excess_kurtosis");
  ck_assert_str_eq(qrd_test_tsv_field(out, 1, 0, buf, sizeof buf), "a");
  ck_assert_str_eq(qrd_test_tsv_field(out, 1, 8, buf, sizeof buf), "NA");
  ck_assert_str_eq(qrd_test_tsv_field(out, 1, 6, buf, sizeof buf), "0");
  ck_assert_double_eq_tol(atof(qrd_test_tsv_field(out, 2, 8, buf, sizeof buf)), -1.5, 0.5);
  free(out);
}
END_TEST

Suite *qrd_suite_bad_input(void)
{
  Suite *s = suite_create("bad_input");
  TCase *tc = tcase_create("bad_input");
  tcase_add_unchecked_fixture(tc, dir_open, dir_close);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_list_items);
  tcase_add_test(tc, test_escaped);
  tcase_add_test(tc, test_outliers_corr_k);
  tcase_add_test(tc, test_matq_file_w);
  tcase_add_test(tc, test_whole_tensor_samples);
  tcase_add_test(tc, test_allocate_numel);
  tcase_add_test(tc, test_tensors_bad_values);
  suite_add_tcase(s, tc);
  return s;
}
