/* qrd eval --format with too few blocks for a standard error, and crd's
 * alpha range (issue 16): a one-line error naming the minimum or the range,
 * exit 2, nothing on stdout -- never NaN with exit 0; with the minimum of
 * 2 blocks every printed number is finite. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#include "cli_run.h"

START_TEST(test_too_few_blocks)
{
  qrd_test_expect_bad("eval --dist gaussian --format int --bits 4 --scaling absmax:64 "
                      "--samples 64", "--samples 64", "1 block", "at least 2 blocks", NULL);
  qrd_test_expect_bad("eval --dist gaussian --format nf4 --scaling absmax:1048576 "
                      "--samples 1048576", "at least 2 blocks", NULL);
  qrd_test_expect_bad("eval --dist gaussian --format int --bits 4 --scaling rms --samples 1",
                      "at least 2 values", NULL);
  qrd_test_expect_bad("eval --dist gaussian --format mxfp4 --samples 32", "at least 2 blocks",
                      NULL);
  qrd_test_expect_bad("gap --dist gaussian --format int --bits 4 --scaling absmax:64 "
                      "--samples 64", "at least 2 blocks", NULL);
}
END_TEST

/* Two blocks: a row whose every field after the names is a finite number. */
START_TEST(test_two_blocks_finite)
{
  char *out = qrd_test_expect_ok("eval --dist gaussian --format int --bits 4 --scaling "
                                 "absmax:64 --samples 128");
  char *row = strchr(out, '\n');
  ck_assert_ptr_nonnull(row);
  char *save, *f;
  int field = 0, numbers = 0;
  for (f = strtok_r(row + 1, "\t\n", &save); f; f = strtok_r(NULL, "\t\n", &save), field++) {
    if (field < 6)
      continue; /* dist format scaling scale_format outliers compress */
    char *end;
    double v = strtod(f, &end);
    if (*end == '\0') {
      ck_assert_msg(isfinite(v), "field %d '%s'", field, f);
      numbers++;
    }
  }
  ck_assert_int_ge(numbers, 6);
  free(out);
}
END_TEST

START_TEST(test_crd_alpha)
{
  qrd_test_expect_bad("eval --dist gaussian --quantiser crd:alpha=1e-300 --levels 16",
                      "alpha=1e-300", "0.05 <= alpha <= 4", NULL);
  qrd_test_expect_bad("code --quantiser crd:alpha=1e-300", "0.05 <= alpha <= 4", NULL);
  qrd_test_expect_bad("eval --dist student-t:nu=3 --quantiser crd:alpha=0.2 --levels 16",
                      "not integrable", "alpha (nu + 1) > 1", NULL);
  free(qrd_test_expect_ok("eval --dist gaussian --quantiser crd:alpha=0.05 --levels 16"));
}
END_TEST

Suite *qrd_suite_eval_guards(void)
{
  Suite *s = suite_create("eval_guards");
  TCase *tc = tcase_create("guards");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_too_few_blocks);
  tcase_add_test(tc, test_two_blocks_finite);
  tcase_add_test(tc, test_crd_alpha);
  suite_add_tcase(s, tc);
  return s;
}
