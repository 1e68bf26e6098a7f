/* Spec strings "name:key=value,...": parsing, binding against parameter
 * definitions, canonical formatting and the error messages. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/spec.h"
#include "suites.h"

#define assert_has(hay, needle)                                                \
  ck_assert_msg(strstr((hay), (needle)) != NULL, "expected '%s' in '%s'",      \
                (needle), (hay))

/* A family with one closed/open bound of each kind:
 *   nu    in (0, 1e6]   default 5
 *   alpha in [0, 1)     default 0.5
 *   scale in (0, inf]   no default (NAN) */
static const qrd_param_def DEFS[] = {
  {.name = "nu", .def = 5.0, .min = 0.0, .max = 1e6, .min_open = 1},
  {.name = "alpha", .def = 0.5, .min = 0.0, .max = 1.0, .max_open = 1},
  {.name = "scale", .def = NAN, .min = 0.0, .max = INFINITY, .min_open = 1},
};
#define N_DEFS (sizeof DEFS / sizeof DEFS[0])

/* Parses and binds `text`, returning the status of the first failing step. */
static int parse_bind(const char *text, double *theta, unsigned *given)
{
  qrd_spec s;
  int st = qrd_spec_parse(text, &s);
  return st ? st : qrd_spec_bind(&s, "distribution", DEFS, N_DEFS, theta, given);
}

/* ---- qrd_spec_parse ---- */

START_TEST(test_parse_name_only)
{
  qrd_spec s;
  ck_assert_int_eq(qrd_spec_parse("gaussian", &s), QRD_OK);
  ck_assert_str_eq(s.name, "gaussian");
  ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(test_parse_one_param)
{
  qrd_spec s;
  ck_assert_int_eq(qrd_spec_parse("student-t:nu=5", &s), QRD_OK);
  ck_assert_str_eq(s.name, "student-t");
  ck_assert_uint_eq(s.n, 1);
  ck_assert_str_eq(s.key[0], "nu");
  ck_assert_str_eq(s.value[0], "5");
}
END_TEST

START_TEST(test_parse_many_params)
{
  qrd_spec s;
  ck_assert_int_eq(qrd_spec_parse("fp:e=2,m=1,bias=-3.5", &s), QRD_OK);
  ck_assert_str_eq(s.name, "fp");
  ck_assert_uint_eq(s.n, 3);
  ck_assert_str_eq(s.key[0], "e");
  ck_assert_str_eq(s.value[0], "2");
  ck_assert_str_eq(s.key[1], "m");
  ck_assert_str_eq(s.value[1], "1");
  ck_assert_str_eq(s.key[2], "bias");
  ck_assert_str_eq(s.value[2], "-3.5");
}
END_TEST

START_TEST(test_parse_max_params)
{
  qrd_spec s;
  ck_assert_int_eq(qrd_spec_parse("x:a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8", &s), QRD_OK);
  ck_assert_uint_eq(s.n, QRD_SPEC_MAX_PARAMS);
  ck_assert_str_eq(s.key[7], "h");
  ck_assert_str_eq(s.value[7], "8");
}
END_TEST

START_TEST(test_parse_too_many_params)
{
  qrd_spec s;
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_parse("x:a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9", &s),
                   QRD_EINVAL);
  assert_has(qrd_error_detail(), "more than 8 parameters");
  assert_has(qrd_error_detail(), "x:a=1");
}
END_TEST

START_TEST(test_parse_empty_name)
{
  qrd_spec s;
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_parse("", &s), QRD_EINVAL);
  assert_has(qrd_error_detail(), "empty name");
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_parse(":nu=5", &s), QRD_EINVAL);
  assert_has(qrd_error_detail(), "empty name");
  assert_has(qrd_error_detail(), "':nu=5'");
}
END_TEST

START_TEST(test_parse_missing_equals)
{
  qrd_spec s;
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_parse("student-t:nu", &s), QRD_EINVAL);
  assert_has(qrd_error_detail(), "'student-t:nu'");
  assert_has(qrd_error_detail(), "parameter 'nu' has no value");
  /* the second of two parameters */
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_parse("crd:alpha=0.5,beta", &s), QRD_EINVAL);
  assert_has(qrd_error_detail(), "parameter 'beta' has no value");
}
END_TEST

START_TEST(test_parse_empty_parts)
{
  qrd_spec s;
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_parse("student-t:nu=", &s), QRD_EINVAL);
  assert_has(qrd_error_detail(), "empty parameter value");
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_parse("student-t:=5", &s), QRD_EINVAL);
  assert_has(qrd_error_detail(), "empty parameter name");
  /* a dangling colon or comma is an error, not silently ignored */
  ck_assert_int_ne(qrd_spec_parse("student-t:", &s), QRD_OK);
  ck_assert_int_ne(qrd_spec_parse("student-t:nu=5,", &s), QRD_OK);
}
END_TEST

START_TEST(test_parse_too_long)
{
  char text[2 * QRD_SPEC_NAME_LEN + 8];
  qrd_spec s;
  memset(text, 'a', QRD_SPEC_NAME_LEN);
  text[QRD_SPEC_NAME_LEN] = '\0';
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_parse(text, &s), QRD_EINVAL);
  assert_has(qrd_error_detail(), "name too long");
  /* one shorter fits */
  text[QRD_SPEC_NAME_LEN - 1] = '\0';
  ck_assert_int_eq(qrd_spec_parse(text, &s), QRD_OK);
  ck_assert_uint_eq(strlen(s.name), QRD_SPEC_NAME_LEN - 1);
}
END_TEST

/* ---- qrd_parse_double ---- */

START_TEST(test_parse_double)
{
  double v = -1.0;
  ck_assert_int_eq(qrd_parse_double("5", &v), 0);
  ck_assert_double_eq(v, 5.0);
  ck_assert_int_eq(qrd_parse_double("-2.5e-3", &v), 0);
  ck_assert_double_eq(v, -2.5e-3);
  ck_assert_int_eq(qrd_parse_double("1e300", &v), 0);
  ck_assert_double_eq(v, 1e300);
  v = 7.0;
  const char *bad[] = {"", "abc", "5x", "5 ", "1,5", "nan", "inf", "-inf", "1e400", "--1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_msg(qrd_parse_double(bad[i], &v) != 0, "'%s' accepted", bad[i]);
    ck_assert_double_eq(v, 7.0); /* untouched on failure */
  }
}
END_TEST

/* ---- qrd_spec_bind ---- */

START_TEST(test_bind_defaults)
{
  double theta[N_DEFS];
  unsigned given = 99;
  ck_assert_int_eq(parse_bind("student-t", theta, &given), QRD_OK);
  ck_assert_uint_eq(given, 0);
  ck_assert_double_eq(theta[0], 5.0);
  ck_assert_double_eq(theta[1], 0.5);
  ck_assert(isnan(theta[2]));
}
END_TEST

START_TEST(test_bind_given)
{
  double theta[N_DEFS];
  unsigned given;
  ck_assert_int_eq(parse_bind("student-t:scale=2,nu=3.5", theta, &given), QRD_OK);
  ck_assert_uint_eq(given, (1u << 0) | (1u << 2));
  ck_assert_double_eq(theta[0], 3.5);
  ck_assert_double_eq(theta[1], 0.5); /* default kept */
  ck_assert_double_eq(theta[2], 2.0);
}
END_TEST

START_TEST(test_bind_unknown_param)
{
  double theta[N_DEFS];
  unsigned given;
  qrd_error_clear();
  ck_assert_int_eq(parse_bind("student-t:mu=3", theta, &given), QRD_EINVAL);
  const char *e = qrd_error_detail();
  assert_has(e, "distribution 'student-t'");
  assert_has(e, "unknown parameter 'mu'");
  assert_has(e, "allowed: nu, alpha, scale");
  /* a family without parameters says so */
  qrd_spec s;
  ck_assert_int_eq(qrd_spec_parse("int:bits=4", &s), QRD_OK);
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_bind(&s, "quantiser", DEFS, 0, theta, &given), QRD_EINVAL);
  assert_has(qrd_error_detail(), "quantiser 'int'");
  assert_has(qrd_error_detail(), "allowed: none");
}
END_TEST

START_TEST(test_bind_not_a_number)
{
  double theta[N_DEFS];
  unsigned given;
  const char *bad[] = {"student-t:nu=abc", "student-t:nu=5x", "student-t:nu=nan",
                       "student-t:nu=inf"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    qrd_error_clear();
    ck_assert_int_eq(parse_bind(bad[i], theta, &given), QRD_EINVAL);
    assert_has(qrd_error_detail(), bad[i] + strlen("student-t:"));
    assert_has(qrd_error_detail(), "is not a number");
  }
}
END_TEST

START_TEST(test_bind_range)
{
  double theta[N_DEFS];
  unsigned given;
  /* open lower bound of nu: 0 is out, anything above is in */
  qrd_error_clear();
  ck_assert_int_eq(parse_bind("student-t:nu=0", theta, &given), QRD_EINVAL);
  assert_has(qrd_error_detail(), "nu=0 out of range");
  assert_has(qrd_error_detail(), "0 < nu <= 1e+06");
  ck_assert_int_eq(parse_bind("student-t:nu=1e-300", theta, &given), QRD_OK);
  ck_assert_int_eq(parse_bind("student-t:nu=-1", theta, &given), QRD_EINVAL);
  /* closed upper bound of nu */
  ck_assert_int_eq(parse_bind("student-t:nu=1e6", theta, &given), QRD_OK);
  ck_assert_double_eq(theta[0], 1e6);
  ck_assert_int_eq(parse_bind("student-t:nu=1000000.0001", theta, &given), QRD_EINVAL);
  /* closed lower and open upper bound of alpha */
  ck_assert_int_eq(parse_bind("crd:alpha=0", theta, &given), QRD_OK);
  ck_assert_double_eq(theta[1], 0.0);
  ck_assert_int_eq(parse_bind("crd:alpha=0.999999", theta, &given), QRD_OK);
  qrd_error_clear();
  ck_assert_int_eq(parse_bind("crd:alpha=1", theta, &given), QRD_EINVAL);
  assert_has(qrd_error_detail(), "crd");
  assert_has(qrd_error_detail(), "alpha=1 out of range");
  assert_has(qrd_error_detail(), "0 <= alpha < 1");
  ck_assert_int_eq(parse_bind("crd:alpha=-0.001", theta, &given), QRD_EINVAL);
}
END_TEST

START_TEST(test_bind_given_twice)
{
  double theta[N_DEFS];
  unsigned given;
  qrd_error_clear();
  ck_assert_int_eq(parse_bind("student-t:nu=5,nu=6", theta, &given), QRD_EINVAL);
  assert_has(qrd_error_detail(), "nu given twice");
  assert_has(qrd_error_detail(), "'student-t'");
  /* also when the two values are the same */
  ck_assert_int_eq(parse_bind("student-t:nu=5,alpha=0.1,nu=5", theta, &given),
                   QRD_EINVAL);
}
END_TEST

/* ---- qrd_spec_format ---- */

START_TEST(test_format_round_trip)
{
  const char *texts[] = {"student-t:nu=5", "student-t", "student-t:nu=3.5,scale=2",
                         "student-t:alpha=0.25"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    double theta[N_DEFS];
    unsigned given;
    qrd_spec s;
    char buf[128];
    ck_assert_int_eq(parse_bind(texts[i], theta, &given), QRD_OK);
    ck_assert_int_eq(qrd_spec_parse(texts[i], &s), QRD_OK);
    qrd_spec_format(buf, sizeof buf, s.name, DEFS, N_DEFS, theta, given);
    ck_assert_str_eq(buf, texts[i]);
  }
}
END_TEST

START_TEST(test_format_canonical)
{
  double theta[N_DEFS];
  unsigned given;
  char buf[128];
  /* canonical order (the definitions') and %g values; defaults omitted */
  ck_assert_int_eq(parse_bind("student-t:scale=2.50,nu=5.0", theta, &given), QRD_OK);
  qrd_spec_format(buf, sizeof buf, "student-t", DEFS, N_DEFS, theta, given);
  ck_assert_str_eq(buf, "student-t:nu=5,scale=2.5");
  /* a small buffer truncates without overflowing */
  char small[12];
  memset(small, 'z', sizeof small);
  qrd_spec_format(small, 8, "student-t", DEFS, N_DEFS, theta, given);
  ck_assert_str_eq(small, "student");
  ck_assert_int_eq(small[8], 'z');
  qrd_spec_format(small, 11, "student-t", DEFS, N_DEFS, theta, given);
  ck_assert_uint_lt(strlen(small), 11);
  ck_assert_int_eq(small[11], 'z');
}
END_TEST

/* ---- qrd_spec_unknown ---- */

static const char *fruit_at(size_t i)
{
  static const char *names[] = {"apple", "pear", "plum"};
  return names[i];
}

START_TEST(test_unknown_lists_names)
{
  qrd_error_clear();
  ck_assert_int_eq(qrd_spec_unknown("fruit", "foo", 3, fruit_at), QRD_ENOTFOUND);
  ck_assert_str_eq(qrd_error_detail(), "unknown fruit 'foo' (known: apple, pear, plum)");
}
END_TEST

Suite *qrd_suite_spec(void)
{
  Suite *s = suite_create("spec");
  TCase *tc = tcase_create("parse");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_parse_name_only);
  tcase_add_test(tc, test_parse_one_param);
  tcase_add_test(tc, test_parse_many_params);
  tcase_add_test(tc, test_parse_max_params);
  tcase_add_test(tc, test_parse_too_many_params);
  tcase_add_test(tc, test_parse_empty_name);
  tcase_add_test(tc, test_parse_missing_equals);
  tcase_add_test(tc, test_parse_empty_parts);
  tcase_add_test(tc, test_parse_too_long);
  tcase_add_test(tc, test_parse_double);
  suite_add_tcase(s, tc);

  tc = tcase_create("bind");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_bind_defaults);
  tcase_add_test(tc, test_bind_given);
  tcase_add_test(tc, test_bind_unknown_param);
  tcase_add_test(tc, test_bind_not_a_number);
  tcase_add_test(tc, test_bind_range);
  tcase_add_test(tc, test_bind_given_twice);
  suite_add_tcase(s, tc);

  tc = tcase_create("format");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_format_round_trip);
  tcase_add_test(tc, test_format_canonical);
  tcase_add_test(tc, test_unknown_lists_names);
  suite_add_tcase(s, tc);
  return s;
}
