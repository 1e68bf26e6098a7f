/* Figure configuration files: syntax, getters, and error messages that name
 * the file, the line, the key and the bad value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/error.h"
#include "suites.h"

#define assert_has(hay, needle)                                                \
  ck_assert_msg(strstr((hay), (needle)) != NULL, "expected '%s' in '%s'",      \
                (needle), (hay))

/* The config file last written.  Loading keeps the text in memory, so the
 * file is removed right after (nothing is left behind when a test fails);
 * the name stays here for the messages. */
static char path[64];

/* Writes `text` to a fresh temporary file and returns its path. */
static const char *write_config(const char *text)
{
  strcpy(path, "/tmp/qrd-config-XXXXXX");
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  size_t len = strlen(text);
  ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
  ck_assert_int_eq(close(fd), 0);
  return path;
}

/* Loads `text`, which must be valid. */
static qrd_config *load_ok(const char *text)
{
  qrd_config *c = NULL;
  int st = qrd_config_load(write_config(text), &c);
  unlink(path);
  ck_assert_msg(st == QRD_OK, "load failed (%d): %s", st, qrd_error_detail());
  ck_assert_ptr_nonnull(c);
  return c;
}

/* Loads `text`, which must fail with `status`; returns the detail. */
static const char *load_fails(const char *text, int status)
{
  qrd_config *c = (qrd_config *)1;
  qrd_error_clear();
  int st = qrd_config_load(write_config(text), &c);
  unlink(path);
  ck_assert_int_eq(st, status);
  ck_assert_ptr_null(c);
  assert_has(qrd_error_detail(), path);
  return qrd_error_detail();
}

/* ---- syntax ---- */

START_TEST(test_comments_and_blank_lines)
{
  qrd_config *c = load_ok("# a figure\n"
                          "\n"
                          "   \n"
                          "\t# indented comment\n"
                          "seed = 7   # trailing comment\n"
                          "  rate_max=8.5\r\n"
                          "name\t=\tgaussian\n"
                          "\n"
                          "last = 3"); /* no final newline */
  unsigned long seed = 0;
  double r = 0.0, last = 0.0;
  ck_assert_int_eq(qrd_config_ulong(c, "seed", &seed), QRD_OK);
  ck_assert_uint_eq(seed, 7);
  ck_assert_int_eq(qrd_config_double(c, "rate_max", 0, 16, &r), QRD_OK);
  ck_assert_double_eq(r, 8.5);
  const char *w[QRD_CONFIG_MAX_LIST];
  size_t n = 0;
  ck_assert_int_eq(qrd_config_list(c, "name", w, &n), QRD_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_str_eq(w[0], "gaussian");
  ck_assert_int_eq(qrd_config_double(c, "last", 0, 16, &last), QRD_OK);
  ck_assert_double_eq(last, 3.0);
  ck_assert_int_eq(qrd_config_check_unused(c), QRD_OK);
  qrd_config_free(c);
}
END_TEST

START_TEST(test_empty_file)
{
  qrd_config *c = load_ok("");
  ck_assert_int_eq(qrd_config_check_unused(c), QRD_OK);
  qrd_config_free(c);
  c = load_ok("# only comments\n\n");
  ck_assert_int_eq(qrd_config_check_unused(c), QRD_OK);
  qrd_config_free(c);
}
END_TEST

/* Line numbers count blank and comment lines, also past the reader's first
 * buffer (4 KB). */
START_TEST(test_line_numbers_large_file)
{
  size_t cap = 64 * 1024;
  char *text = malloc(cap), *p = text;
  ck_assert_ptr_nonnull(text);
  for (int i = 0; i < 300; i++)
    p += i % 3 ? sprintf(p, "# comment line %d, padding padding padding\n", i)
               : sprintf(p, "\n");
  p += sprintf(p, "seed = 11\n");       /* line 301 */
  p += sprintf(p, "rate_max = 99\n");   /* line 302 */
  qrd_config *c = load_ok(text);
  free(text);
  unsigned long seed;
  double r;
  ck_assert_int_eq(qrd_config_ulong(c, "seed", &seed), QRD_OK);
  ck_assert_uint_eq(seed, 11);
  qrd_error_clear();
  ck_assert_int_eq(qrd_config_double(c, "rate_max", 0, 16, &r), QRD_ECONFIG);
  char where[96];
  snprintf(where, sizeof where, "%s:302:", path);
  assert_has(qrd_error_detail(), where);
  qrd_config_free(c);
}
END_TEST

/* ---- lists ---- */

START_TEST(test_list)
{
  qrd_config *c = load_ok("dists = gaussian laplace student-t:nu=5\n"
                          "quantisers =  uniform\t lloyd-max   crd:alpha=0.5  \n"
                          "one = ecsq\n");
  const char *w[QRD_CONFIG_MAX_LIST];
  size_t n = 0;
  ck_assert_int_eq(qrd_config_list(c, "dists", w, &n), QRD_OK);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(w[0], "gaussian");
  ck_assert_str_eq(w[1], "laplace");
  ck_assert_str_eq(w[2], "student-t:nu=5");
  ck_assert_int_eq(qrd_config_list(c, "quantisers", w, &n), QRD_OK);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(w[0], "uniform");
  ck_assert_str_eq(w[1], "lloyd-max");
  ck_assert_str_eq(w[2], "crd:alpha=0.5");
  ck_assert_int_eq(qrd_config_list(c, "one", w, &n), QRD_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_str_eq(w[0], "ecsq");
  ck_assert_int_eq(qrd_config_check_unused(c), QRD_OK);
  qrd_config_free(c);
}
END_TEST

START_TEST(test_list_too_long)
{
  char text[1024] = "names =";
  for (int i = 0; i <= QRD_CONFIG_MAX_LIST; i++)
    sprintf(text + strlen(text), " w%d", i);
  strcat(text, "\n");
  qrd_config *c = load_ok(text);
  const char *w[QRD_CONFIG_MAX_LIST];
  size_t n;
  qrd_error_clear();
  ck_assert_int_eq(qrd_config_list(c, "names", w, &n), QRD_ECONFIG);
  assert_has(qrd_error_detail(), path);
  assert_has(qrd_error_detail(), ":1:");
  assert_has(qrd_error_detail(), "'names'");
  assert_has(qrd_error_detail(), "more than 64 items");
  qrd_config_free(c);
}
END_TEST

/* ---- numbers ---- */

START_TEST(test_double_in_range)
{
  qrd_config *c = load_ok("lo = 0.01\nhi = 16\nmid = 2.5e0\nneg = -1\n");
  double v;
  ck_assert_int_eq(qrd_config_double(c, "lo", 0.01, 16, &v), QRD_OK); /* bounds inclusive */
  ck_assert_double_eq(v, 0.01);
  ck_assert_int_eq(qrd_config_double(c, "hi", 0.01, 16, &v), QRD_OK);
  ck_assert_double_eq(v, 16.0);
  ck_assert_int_eq(qrd_config_double(c, "mid", 0.01, 16, &v), QRD_OK);
  ck_assert_double_eq(v, 2.5);
  ck_assert_int_eq(qrd_config_double(c, "neg", -5, 0, &v), QRD_OK);
  ck_assert_double_eq(v, -1.0);
  qrd_config_free(c);
}
END_TEST

/* `key`'s value in `text` (on `line`) must be rejected with a message naming
 * file, line, key, value and the allowed range. */
static void check_bad_double(const char *text, const char *key, int line,
                             const char *value)
{
  qrd_config *c = load_ok(text);
  double v;
  qrd_error_clear();
  ck_assert_int_eq(qrd_config_double(c, key, 1, 16, &v), QRD_ECONFIG);
  const char *e = qrd_error_detail();
  char where[96], k[64], val[64];
  snprintf(where, sizeof where, "%s:%d:", path, line);
  snprintf(k, sizeof k, "'%s'", key);
  snprintf(val, sizeof val, "'%s'", value);
  assert_has(e, where);
  assert_has(e, k);
  assert_has(e, val);
  assert_has(e, "from 1 to 16");
  qrd_config_free(c);
}

START_TEST(test_double_bad)
{
  check_bad_double("seed = 1\nrate_max = 17\n", "rate_max", 2, "17");
  check_bad_double("rate_max = 0.999\n", "rate_max", 1, "0.999");
  check_bad_double("\n\nrate_max = abc\n", "rate_max", 3, "abc");
  check_bad_double("rate_max = 8 bits\n", "rate_max", 1, "8 bits");
  check_bad_double("rate_max = nan\n", "rate_max", 1, "nan");
  check_bad_double("rate_max = inf\n", "rate_max", 1, "inf");
  check_bad_double("rate_max = 1e999\n", "rate_max", 1, "1e999");
}
END_TEST

START_TEST(test_ulong)
{
  qrd_config *c = load_ok("seed = 12345\nzero = 0\nbig = 18446744073709551615\n");
  unsigned long v;
  ck_assert_int_eq(qrd_config_ulong(c, "seed", &v), QRD_OK);
  ck_assert_uint_eq(v, 12345);
  ck_assert_int_eq(qrd_config_ulong(c, "zero", &v), QRD_OK);
  ck_assert_uint_eq(v, 0);
  ck_assert_int_eq(qrd_config_ulong(c, "big", &v), QRD_OK);
  ck_assert_uint_eq(v, 18446744073709551615UL);
  qrd_config_free(c);
}
END_TEST

START_TEST(test_ulong_bad)
{
  const char *bad[] = {"-1", "abc", "12abc", "1.5", "12345L", "18446744073709551616"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char text[128];
    snprintf(text, sizeof text, "# seeds\nseed = %s\n", bad[i]);
    qrd_config *c = load_ok(text);
    unsigned long v;
    qrd_error_clear();
    ck_assert_int_eq(qrd_config_ulong(c, "seed", &v), QRD_ECONFIG);
    const char *e = qrd_error_detail();
    char where[96], val[64];
    snprintf(where, sizeof where, "%s:2:", path);
    snprintf(val, sizeof val, "'%s'", bad[i]);
    assert_has(e, where);
    assert_has(e, "'seed'");
    assert_has(e, val);
    assert_has(e, "whole number");
    qrd_config_free(c);
  }
}
END_TEST

/* ---- structural errors ---- */

START_TEST(test_malformed_line)
{
  const char *e = load_fails("seed = 1\n# fine\nrate_max 8\n", QRD_ECONFIG);
  char where[96];
  snprintf(where, sizeof where, "%s:3:", path);
  assert_has(e, where);
  assert_has(e, "rate_max 8");
  assert_has(e, "key = value");
}
END_TEST

START_TEST(test_empty_value)
{
  const char *e = load_fails("seed = 1\nrate_max =   # none\n", QRD_ECONFIG);
  char where[96];
  snprintf(where, sizeof where, "%s:2:", path);
  assert_has(e, where);
  assert_has(e, "empty value");
  assert_has(e, "rate_max"); /* which key has no value */
}
END_TEST

START_TEST(test_empty_key)
{
  const char *e = load_fails("\n = 5\n", QRD_ECONFIG);
  char where[96];
  snprintf(where, sizeof where, "%s:2:", path);
  assert_has(e, where);
  assert_has(e, "empty key");
}
END_TEST

START_TEST(test_repeated_key)
{
  const char *e = load_fails("seed = 1\nrate_max = 8\n\nrate_max = 9\n", QRD_ECONFIG);
  char where[96];
  snprintf(where, sizeof where, "%s:4:", path);
  assert_has(e, where);
  assert_has(e, "'rate_max'");
  assert_has(e, "line 2");
}
END_TEST

START_TEST(test_missing_key)
{
  qrd_config *c = load_ok("seed = 1\n");
  double d;
  unsigned long u;
  const char *w[QRD_CONFIG_MAX_LIST];
  size_t n;
  qrd_error_clear();
  ck_assert_int_eq(qrd_config_double(c, "rate_max", 0, 16, &d), QRD_ECONFIG);
  assert_has(qrd_error_detail(), path);
  assert_has(qrd_error_detail(), "missing key 'rate_max'");
  qrd_error_clear();
  ck_assert_int_eq(qrd_config_ulong(c, "threads", &u), QRD_ECONFIG);
  assert_has(qrd_error_detail(), path);
  assert_has(qrd_error_detail(), "missing key 'threads'");
  qrd_error_clear();
  ck_assert_int_eq(qrd_config_list(c, "dists", w, &n), QRD_ECONFIG);
  assert_has(qrd_error_detail(), path);
  assert_has(qrd_error_detail(), "missing key 'dists'");
  qrd_config_free(c);
}
END_TEST

START_TEST(test_unknown_key)
{
  qrd_config *c = load_ok("seed = 1\n# misspelt:\nrate_mx = 8\nrate_max = 8\n");
  unsigned long seed;
  double r;
  ck_assert_int_eq(qrd_config_ulong(c, "seed", &seed), QRD_OK);
  ck_assert_int_eq(qrd_config_double(c, "rate_max", 0, 16, &r), QRD_OK);
  qrd_error_clear();
  ck_assert_int_eq(qrd_config_check_unused(c), QRD_ECONFIG);
  char where[96];
  snprintf(where, sizeof where, "%s:3:", path);
  assert_has(qrd_error_detail(), where);
  assert_has(qrd_error_detail(), "unknown key 'rate_mx'");
  qrd_config_free(c);
}
END_TEST

/* A key whose value was rejected has still been looked at: the error is the
 * bad value, not an "unknown key". */
START_TEST(test_bad_value_counts_as_used)
{
  qrd_config *c = load_ok("rate_max = abc\n");
  double r;
  ck_assert_int_eq(qrd_config_double(c, "rate_max", 0, 16, &r), QRD_ECONFIG);
  ck_assert_int_eq(qrd_config_check_unused(c), QRD_OK);
  qrd_config_free(c);
}
END_TEST

START_TEST(test_missing_file)
{
  qrd_config *c = (qrd_config *)1;
  const char *missing = "/tmp/qrd-config-does-not-exist/none.cfg";
  qrd_error_clear();
  ck_assert_int_eq(qrd_config_load(missing, &c), QRD_ENOTFOUND);
  ck_assert_ptr_null(c);
  assert_has(qrd_error_detail(), missing);
  assert_has(qrd_error_detail(), "cannot open");
}
END_TEST

Suite *qrd_suite_config(void)
{
  Suite *s = suite_create("config");
  TCase *tc = tcase_create("syntax");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_comments_and_blank_lines);
  tcase_add_test(tc, test_empty_file);
  tcase_add_test(tc, test_line_numbers_large_file);
  tcase_add_test(tc, test_list);
  tcase_add_test(tc, test_list_too_long);
  tcase_add_test(tc, test_double_in_range);
  tcase_add_test(tc, test_double_bad);
  tcase_add_test(tc, test_ulong);
  tcase_add_test(tc, test_ulong_bad);
  suite_add_tcase(s, tc);

  tc = tcase_create("errors");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_malformed_line);
  tcase_add_test(tc, test_empty_value);
  tcase_add_test(tc, test_empty_key);
  tcase_add_test(tc, test_repeated_key);
  tcase_add_test(tc, test_missing_key);
  tcase_add_test(tc, test_unknown_key);
  tcase_add_test(tc, test_bad_value_counts_as_used);
  tcase_add_test(tc, test_missing_file);
  suite_add_tcase(s, tc);
  return s;
}
