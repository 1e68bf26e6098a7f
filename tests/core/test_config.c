/* Figure configuration files: syntax, getters (core/config.h and the
 * name-aware readers of io/driver_config.h), and error messages that name
 * the file, the line, the key and the bad value. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/error.h"
#include "harness/driver_config.h"
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

/* The last error: status ECONFIG and a detail naming file:line, the key,
 * the value and each further fragment (NULL ends the list). */
static void check_rejected(int st, int line, const char *key, const char *value, ...)
{
  ck_assert_int_eq(st, QRD_ECONFIG);
  const char *e = qrd_error_detail();
  char where[96], k[64], val[160];
  snprintf(where, sizeof where, "%s:%d:", path, line);
  snprintf(k, sizeof k, "'%s'", key);
  snprintf(val, sizeof val, "'%s'", value);
  assert_has(e, where);
  assert_has(e, k);
  assert_has(e, val);
  va_list ap;
  va_start(ap, value);
  for (const char *f; (f = va_arg(ap, const char *)) != NULL;)
    assert_has(e, f);
  va_end(ap);
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
  check_rejected(qrd_config_double(c, key, 1, 16, &v), line, key, value, "from 1 to 16", NULL);
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
    check_rejected(qrd_config_ulong(c, "seed", &v), 2, "seed", bad[i], "whole number", NULL);
    qrd_config_free(c);
  }
}
END_TEST

/* ---- readers ---- */

START_TEST(test_whole)
{
  qrd_config *c = load_ok("block = 128\nsamples = 1e6\nlo = 1\nhalf = 12.5\nbig = 1048577\n"
                          "word = many\n");
  unsigned long v;
  ck_assert_int_eq(qrd_config_whole(c, "block", 1, 1 << 20, &v), QRD_OK);
  ck_assert_uint_eq(v, 128);
  ck_assert_int_eq(qrd_config_whole(c, "samples", 1024, 1 << 28, &v), QRD_OK);
  ck_assert_uint_eq(v, 1000000);
  ck_assert_int_eq(qrd_config_whole(c, "lo", 1, 1 << 20, &v), QRD_OK); /* bounds inclusive */
  ck_assert_uint_eq(v, 1);
  check_rejected(qrd_config_whole(c, "half", 1, 1 << 20, &v), 4, "half", "12.5",
                 "whole number from 1 to 1048576", NULL);
  check_rejected(qrd_config_whole(c, "big", 1, 1 << 20, &v), 5, "big", "1048577",
                 "whole number from 1 to 1048576", NULL);
  check_rejected(qrd_config_whole(c, "word", 1, 1 << 20, &v), 6, "word", "many", NULL);
  qrd_config_free(c);
}
END_TEST

START_TEST(test_power_of_two)
{
  qrd_config *c = load_ok("block = 4096\nsmall = 4\nodd = 48\nfrac = 0.5\nhuge = 8192\n");
  unsigned long v;
  ck_assert_int_eq(qrd_config_power_of_two(c, "block", 4, 4096, &v), QRD_OK);
  ck_assert_uint_eq(v, 4096);
  ck_assert_int_eq(qrd_config_power_of_two(c, "small", 4, 4096, &v), QRD_OK);
  ck_assert_uint_eq(v, 4);
  check_rejected(qrd_config_power_of_two(c, "odd", 4, 4096, &v), 3, "odd", "48",
                 "power of two from 4 to 4096", NULL);
  check_rejected(qrd_config_power_of_two(c, "frac", 0, 4096, &v), 4, "frac", "0.5", NULL);
  check_rejected(qrd_config_power_of_two(c, "huge", 4, 4096, &v), 5, "huge", "8192", NULL);
  qrd_config_free(c);
}
END_TEST

/* Numbers, whole numbers, and whole numbers that ascend (a sweep's points,
 * each once: a step back and a repeat are refused, naming the item). */
START_TEST(test_number_lists)
{
  qrd_config *c = load_ok("total_bits = 4 8.5\nblocks = 8 16 4096\nbad = 8 12.5 16\n"
                          "long = 8 16 32\nback = 8 32 16\nrepeat = 8 8\n");
  double b[4];
  unsigned long k[4];
  size_t n;
  ck_assert_int_eq(qrd_config_numbers(c, "total_bits", 2, 16, b, 4, &n), QRD_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert_double_eq(b[0], 4.0);
  ck_assert_double_eq(b[1], 8.5);
  ck_assert_int_eq(qrd_config_wholes(c, "blocks", 4, 1 << 20, k, 4, &n), QRD_OK);
  ck_assert_uint_eq(n, 3);
  ck_assert_uint_eq(k[0], 8);
  ck_assert_uint_eq(k[2], 4096);
  /* the bad item is named, and what every item may be */
  check_rejected(qrd_config_wholes(c, "bad", 4, 1 << 20, k, 4, &n), 3, "bad", "8 12.5 16",
                 "'12.5'", "whole numbers from 4 to 1048576", NULL);
  check_rejected(qrd_config_numbers(c, "long", 4, 64, b, 2, &n), 4, "long", "8 16 32",
                 "1 to 2 numbers", NULL);
  ck_assert_int_eq(qrd_config_ascending_wholes(c, "blocks", 4, 1 << 20, k, 4, &n), QRD_OK);
  ck_assert_uint_eq(k[1], 16);
  ck_assert_int_eq(qrd_config_wholes(c, "back", 4, 64, k, 4, &n), QRD_OK);
  check_rejected(qrd_config_ascending_wholes(c, "back", 4, 64, k, 4, &n), 5, "back", "8 32 16",
                 "'16'", "ascending whole numbers from 4 to 64", NULL);
  check_rejected(qrd_config_ascending_wholes(c, "repeat", 4, 64, k, 4, &n), 6, "repeat", "8 8",
                 "'8'", NULL);
  qrd_config_free(c);
}
END_TEST

/* STEM_min + k STEM_step up to STEM_max: the count is (max - min)/step + 1
 * even where k step overshoots the span by a rounding (0.1 * 3 > 0.3). */
START_TEST(test_range)
{
  qrd_config *c = load_ok("b_min = 2.5\nb_max = 6.5\nb_step = 0.5\n"
                          "t_min = 0\nt_max = 0.3\nt_step = 0.1\n"
                          "z_min = 1\nz_max = 2\nz_step = 0\n"
                          "d_min = 3\nd_max = 2\nd_step = 1\n");
  double v[16];
  size_t n;
  ck_assert_int_eq(qrd_config_range(c, "b", 1, 12, v, 16, &n), QRD_OK);
  ck_assert_uint_eq(n, 9);
  for (size_t k = 0; k < n; k++)
    ck_assert_double_eq(v[k], 2.5 + 0.5 * (double)k);
  ck_assert_int_eq(qrd_config_range(c, "t", 0, 1, v, 16, &n), QRD_OK);
  ck_assert_uint_eq(n, 4);
  ck_assert_double_eq_tol(v[3], 0.3, 1e-15);
  /* more points than room: refused, naming the step, not cut short */
  check_rejected(qrd_config_range(c, "b", 1, 12, v, 8, &n), 3, "b_step", "0.5",
                 "at most 8 points", NULL);
  check_rejected(qrd_config_range(c, "z", 1, 12, v, 16, &n), 9, "z_step", "0",
                 "at most 16 points", NULL);
  check_rejected(qrd_config_range(c, "d", 1, 12, v, 16, &n), 11, "d_max", "2",
                 "from 3 to 12", NULL);
  qrd_config_free(c);
}
END_TEST

/* A parser's refusal becomes the config error, with file, line and key. */
START_TEST(test_invalid_error)
{
  qrd_config *c = load_ok("seed = 1\ndists = gaussian frob\n");
  qrd_error_set(QRD_ENOTFOUND, "unknown distribution 'frob'");
  check_rejected(qrd_config_invalid_error(c, "dists"), 2, "dists", "gaussian frob",
                 "unknown distribution 'frob'", NULL);
  qrd_config_free(c);
}
END_TEST

/* Sources get the CRD of their distribution, with the results names and
 * legend labels of their families (qrd_dist_slug, qrd_dist_label). */
START_TEST(test_read_sources)
{
  qrd_config *c = load_ok("dists = gaussian laplace:scale=1 student-t:nu=5\nthree = gaussian "
                          "laplace student-t:nu=7\nbad = gaussian frob\n");
  qrd_driver_source src[3];
  size_t n;
  ck_assert_int_eq(qrd_driver_read_sources(c, "dists", src, 3, &n), QRD_OK);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(src[0].crd.dist.spec, "gaussian");
  ck_assert_str_eq(src[1].crd.dist.spec, "laplace:scale=1");
  ck_assert_str_eq(src[2].crd.dist.spec, "student-t:nu=5");
  ck_assert_str_eq(src[0].slug, "normal");
  ck_assert_str_eq(src[2].slug, "t-nu-5");
  ck_assert_str_eq(src[1].label, "Laplace");
  ck_assert_str_eq(src[2].label, "t[nu=5]");
  /* Laplace at scale b has variance 2 b^2; without scale= it is 1 */
  ck_assert_double_eq_tol(qrd_dist_variance(&src[1].dist), 2.0, 1e-12);
  ck_assert_double_eq_tol(qrd_dist_variance(&src[0].dist), 1.0, 1e-12);
  check_rejected(qrd_driver_read_sources(c, "three", src, 2, &n), 2, "three",
                 "gaussian laplace student-t:nu=7", "at most 2 distributions", NULL);
  check_rejected(qrd_driver_read_sources(c, "three", src, 1, &n), 2, "three",
                 "gaussian laplace student-t:nu=7", "want one distribution", NULL);
  check_rejected(qrd_driver_read_sources(c, "bad", src, 3, &n), 3, "bad", "gaussian frob",
                 "frob", NULL);
  qrd_config_free(c);
}
END_TEST

START_TEST(test_read_dists)
{
  qrd_config *c = load_ok("light = gaussian:scale=1 laplace:scale=1\n");
  qrd_dist d[2];
  size_t n;
  ck_assert_int_eq(qrd_driver_read_dists(c, "light", d, 2, &n), QRD_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert_str_eq(d[0].type->name, "gaussian");
  ck_assert_double_eq_tol(qrd_dist_variance(&d[1]), 2.0, 1e-12);
  check_rejected(qrd_driver_read_dists(c, "light", d, 1, &n), 1, "light",
                 "gaussian:scale=1 laplace:scale=1", "want one distribution", NULL);
  qrd_config_free(c);
}
END_TEST

/* Names are parsed (case-insensitive) and stored canonical; signmax needs
 * a format with a sign, which E8M0 (powers of two) has not. */
START_TEST(test_read_scales)
{
  qrd_config *c = load_ok("scales = BF16 e8m0\nscale = fp32\ntwo = bf16 fp32\nbad = fp8x\n"
                          "unsigned = e8m0\n");
  char names[4][QRD_DRIVER_NAME_LEN], one[32];
  size_t n;
  ck_assert_int_eq(qrd_driver_read_scales(c, "scales", 0, names, 4, &n), QRD_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert_str_eq(names[0], "bf16");
  ck_assert_str_eq(names[1], "e8m0");
  ck_assert_int_eq(qrd_driver_read_scale(c, "scale", 1, one, sizeof one), QRD_OK);
  ck_assert_str_eq(one, "fp32");
  check_rejected(qrd_driver_read_scale(c, "two", 0, one, sizeof one), 3, "two", "bf16 fp32",
                 "want one scale format", NULL);
  check_rejected(qrd_driver_read_scale(c, "bad", 0, one, sizeof one), 4, "bad", "fp8x",
                 "known: fp32, bf16", NULL);
  check_rejected(qrd_driver_read_scale(c, "unsigned", 1, one, sizeof one), 5, "unsigned", "e8m0",
                 "sign", NULL);
  qrd_config_free(c);
}
END_TEST

/* 10^6 = 2^6 5^6: whole blocks of 8 and 64, not of 128, which is named. */
START_TEST(test_read_samples)
{
  qrd_config *c = load_ok("samples = 1000000\nfew = 512\n");
  const unsigned long ok[] = {8, 64}, bad[] = {8, 64, 128};
  unsigned long n;
  ck_assert_int_eq(qrd_driver_read_samples(c, "samples", ok, 2, &n), QRD_OK);
  ck_assert_uint_eq(n, 1000000);
  check_rejected(qrd_driver_read_samples(c, "samples", bad, 3, &n), 1, "samples", "1000000",
                 "whole number of blocks of 128", NULL);
  check_rejected(qrd_driver_read_samples(c, "few", ok, 2, &n), 2, "few", "512",
                 "from 1024 to 268435456", NULL);
  qrd_config_free(c);
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

  tc = tcase_create("readers");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_whole);
  tcase_add_test(tc, test_power_of_two);
  tcase_add_test(tc, test_number_lists);
  tcase_add_test(tc, test_range);
  tcase_add_test(tc, test_invalid_error);
  tcase_add_test(tc, test_read_sources);
  tcase_add_test(tc, test_read_dists);
  tcase_add_test(tc, test_read_scales);
  tcase_add_test(tc, test_read_samples);
  suite_add_tcase(s, tc);
  return s;
}
