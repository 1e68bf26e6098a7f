/* qrd allocate on degenerate and extreme inputs (issue 16): one-line
 * errors naming the allowed range, and, where a result is defined, the
 * result the closed form gives.
 *
 * Expected values: the allocation depends on the statistics only through
 * delta_t - mean(delta) (alloc.h), so multiplying every rms by 2^400 and
 * every fisher_sum by 2^-900 leaves the bits and the saving unchanged and
 * multiplies the predicted KL by 2^(800 - 900) exactly; two tensors of
 * equal size with f sigma^2 = 1 and 4 give optimal widths B -+ 1/2 and
 * saving 1/2 log2(AM/GM) = 1/2 log2(2.5 / 2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#include "alloc/alloc.h"
#include "cli_run.h"

static void write_stats(const char *path, const char *rows)
{
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "name\tnumel\trms\tfisher_sum\n%s", rows);
  fclose(f);
}

START_TEST(test_allocate_refusals)
{
  char zero[64], ok[64], huge[64], args[512];
  qrd_test_temp_file(zero);
  qrd_test_temp_file(ok);
  qrd_test_temp_file(huge);
  write_stats(zero, "a\t100\t0.5\t0\nb\t100\t0.25\t0\n");
  write_stats(ok, "a\t100\t0.5\t1\nb\t100\t0.25\t2\n");
  write_stats(huge, "a\t100\t1e150\t1e300\nb\t100\t1e150\t1e300\n");
  snprintf(args, sizeof args, "allocate %s --bits 4", zero);
  qrd_test_expect_bad(args, "fisher_sum", "fisher_sum > 0", NULL);
  snprintf(args, sizeof args, "allocate %s --bits 1e9", ok);
  qrd_test_expect_bad(args, "1e+09", "64", NULL);
  snprintf(args, sizeof args, "allocate %s --bits 4 --epsilon 1e308", ok);
  qrd_test_expect_bad(args, "--epsilon", "1e308", "1000", NULL);
  snprintf(args, sizeof args, "allocate %s --bits 4 --min-bits 1e300", ok);
  qrd_test_expect_bad(args, "minimum width", "64", NULL);
  snprintf(args, sizeof args, "allocate %s --bits 4 --summary", huge); /* KL = 1e600 */
  qrd_test_expect_bad(args, "not finite", NULL);
  remove(zero);
  remove(ok);
  remove(huge);
}
END_TEST

/* Extreme but representable statistics: the closed forms above. */
START_TEST(test_allocate_extreme_scale)
{
  qrd_alloc_tensor plain[2] = {{"a", 1000, 1.0, 1.0}, {"b", 1000, 1.0, 4.0}};
  qrd_alloc_tensor far[2] = {{"a", 1000, 0x1p400, 0x1p-900}, {"b", 1000, 0x1p400, 0x1p-898}};
  qrd_alloc_stats p = {2, plain}, f = {2, far};
  double bp[2], bf[2];
  ck_assert_int_eq(qrd_alloc_bits(&p, 4.0, 2.0, QRD_ALLOC_OPTIMAL, bp), 0);
  ck_assert_int_eq(qrd_alloc_bits(&f, 4.0, 2.0, QRD_ALLOC_OPTIMAL, bf), 0);
  ck_assert_double_eq_tol(bp[0], 3.5, 1e-12);
  ck_assert_double_eq_tol(bp[1], 4.5, 1e-12);
  ck_assert_double_eq_tol(bf[0], 3.5, 1e-12);
  ck_assert_double_eq_tol(bf[1], 4.5, 1e-12);
  qrd_alloc_summary sp = qrd_alloc_summarise(&p, bp, 1.0), sf = qrd_alloc_summarise(&f, bf, 1.0);
  double saving = 0.5 * log2(2.5 / 2.0);
  ck_assert_double_eq_tol(sp.saving, saving, 1e-12);
  ck_assert_double_eq_tol(sf.saving, saving, 1e-12);
  /* D = 1/2 (1 + 4) 2^-8 ... with f sigma^2 scaled by 2^-100 */
  ck_assert_double_eq_tol(sp.kl, 0.5 * (1.0 * exp2(-7.0) + 4.0 * exp2(-9.0)), 1e-15);
  ck_assert_double_eq_tol(sf.kl / sp.kl, 0x1p-100, 1e-12 * 0x1p-100);
  /* widths far below 0 (fisher 2^-900 vs 2^+900) stay finite, no inf - inf */
  qrd_alloc_tensor wide[2] = {{"a", 1, 1.0, 0x1p-900}, {"b", 1, 1.0, 0x1p900}};
  qrd_alloc_stats w = {2, wide};
  ck_assert_int_eq(qrd_alloc_bits(&w, 4.0, 2.0, QRD_ALLOC_OPTIMAL, bp), 0);
  ck_assert_double_eq_tol(bp[0], 4.0 - 450.0, 1e-9);
  ck_assert_double_eq_tol(bp[1], 4.0 + 450.0, 1e-9);
  sp = qrd_alloc_summarise(&w, bp, 1.0);
  ck_assert(isfinite(sp.kl) && isfinite(sp.flat_bits) && isfinite(sp.saving));
  /* D = 1/2 (2^-900 2^892 + 2^900 2^-908) = 2^-8; flat: 1/2 log2((2^900)/(2^-7)) */
  ck_assert_double_eq_tol(sp.kl, 0x1p-8, 1e-12 * 0x1p-8);
  ck_assert_double_eq_tol(sp.flat_bits, 0.5 * (900.0 + 7.0), 1e-9);
}
END_TEST

Suite *qrd_suite_alloc_guards(void)
{
  Suite *s = suite_create("alloc_guards");
  TCase *tc = tcase_create("guards");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_allocate_refusals);
  tcase_add_test(tc, test_allocate_extreme_scale);
  suite_add_tcase(s, tc);
  return s;
}
