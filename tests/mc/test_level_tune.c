/* qrd_level_tune against a brute-force scan of every level count, on
 * monotone rates with closed forms. */
#include <math.h>

#include "core/error.h"
#include "mc/level_tune.h"
#include "suites.h"

#define NUMEL 1000

/* Rate log2(n) + c log2(log2(n) + 1): increasing, not linear in log2 n. */
static int rate_bits(size_t n, void *ctx, double *bits)
{
  double c = *(const double *)ctx, l = log2((double)n);
  *bits = NUMEL * (l + c * log2(l + 1.0));
  return QRD_OK;
}

static size_t brute_force(double c, double target, size_t max_levels)
{
  size_t best = 2;
  double best_d = INFINITY;
  for (size_t n = 2; n <= max_levels; n++) {
    double b;
    rate_bits(n, &c, &b);
    double d = fabs(b / NUMEL - target);
    if (d < best_d) {
      best_d = d;
      best = n;
    }
  }
  return best;
}

START_TEST(test_closest_count)
{
  const double cs[] = {0.0, 0.5, -0.3};
  for (size_t i = 0; i < 3; i++)
    for (double target = 1.05; target < 11.0; target += 0.37) {
      double c = cs[i];
      qrd_level_fit fit;
      ck_assert_int_eq(qrd_level_tune(rate_bits, &c, NUMEL, target, 1 << 14, &fit), QRD_OK);
      size_t want = brute_force(c, target, 1 << 14);
      double b;
      rate_bits(want, &c, &b);
      /* equal distance on both sides is a tie either way may take */
      ck_assert_msg(fit.n == want || fabs(fabs(fit.bits - NUMEL * target) -
                                          fabs(b - NUMEL * target)) < 1e-9,
                    "c=%g target=%g: %zu vs brute force %zu", c, target, fit.n, want);
    }
}
END_TEST

START_TEST(test_out_of_reach)
{
  double c = 0.0;
  qrd_level_fit fit;
  ck_assert_int_eq(qrd_level_tune(rate_bits, &c, NUMEL, 12.0, 1000, &fit), QRD_EMAXITER);
}
END_TEST

Suite *qrd_suite_level_tune(void)
{
  Suite *s = suite_create("level_tune");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_closest_count);
  tcase_add_test(tc, test_out_of_reach);
  suite_add_tcase(s, tc);
  return s;
}
