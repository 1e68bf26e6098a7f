/* core/error: a detail is one printable line whatever the user typed.
 * Expected strings are written by hand from the rule (printable ASCII and
 * well-formed UTF-8 kept, every other byte as \xNN, "..." past the limit). */
#include <string.h>

#include "suites.h"

#include "core/error.h"

START_TEST(test_escape_bytes)
{
  qrd_error_set(QRD_EINVAL, "key '%s' bad", "a\nb\x1b[31m\xff\xfe\t\x7f");
  ck_assert_str_eq(qrd_error_detail(), "key 'a\\x0Ab\\x1B[31m\\xFF\\xFE\\x09\\x7F' bad");
  /* well-formed UTF-8 passes; an overlong form, a surrogate, a cut sequence do not */
  qrd_error_set(QRD_EINVAL, "%s", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  ck_assert_str_eq(qrd_error_detail(), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  qrd_error_set(QRD_EINVAL, "%s", "\xc0\xaf|\xed\xa0\x80|\xe2\x82");
  ck_assert_str_eq(qrd_error_detail(), "\\xC0\\xAF|\\xED\\xA0\\x80|\\xE2\\x82");
}
END_TEST

START_TEST(test_truncate)
{
  char big[5000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  qrd_error_set(QRD_EINVAL, "value %s", big);
  const char *d = qrd_error_detail();
  ck_assert_uint_eq(strlen(d), QRD_ERROR_DETAIL_MAX);
  ck_assert_str_eq(d + QRD_ERROR_DETAIL_MAX - 3, "...");
  ck_assert(strncmp(d, "value xxx", 9) == 0);
  /* an escape is never cut in half: 200 control bytes give whole \x01s */
  char ctl[201];
  memset(ctl, 1, 200);
  ctl[200] = '\0';
  qrd_error_set(QRD_EINVAL, "%s", ctl);
  d = qrd_error_detail();
  size_t n = strlen(d);
  ck_assert_uint_le(n, QRD_ERROR_DETAIL_MAX);
  ck_assert_str_eq(d + n - 3, "...");
  ck_assert_uint_eq((n - 3) % 4, 0);
  for (size_t i = 0; i + 3 < n; i += 4)
    ck_assert(strncmp(d + i, "\\x01", 4) == 0);
  /* small buffers */
  char out[8];
  ck_assert_uint_eq(qrd_error_escape("abcdefghij", out, sizeof out), 7);
  ck_assert_str_eq(out, "abcd...");
  ck_assert_uint_eq(qrd_error_escape("abc", out, sizeof out), 3);
  ck_assert_str_eq(out, "abc");
}
END_TEST

Suite *qrd_suite_error(void)
{
  Suite *s = suite_create("error");
  TCase *tc = tcase_create("escape");
  tcase_add_test(tc, test_escape_bytes);
  tcase_add_test(tc, test_truncate);
  suite_add_tcase(s, tc);
  return s;
}
