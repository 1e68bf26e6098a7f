/* The rates and gaps a figure reads off an evaluated point (src/mat/point.h)
 * against hand-set points: each rate kind picks its own field, side
 * information adds only when asked, and on Sigma = I with unit-variance
 * Gaussian weights the reference is D_IT(R) = 2^{-2R}, so D = 4 D_IT has
 * a gap of exactly 1 bit. */
#include <math.h>

#include "core/error.h"
#include "mat/point.h"
#include "suites.h"

START_TEST(test_rate_of)
{
  qrd_matq_point pt = {.col = {.bits = 2.0}, .pool = {.bits = 3.0}, .fixed = {.bits = 4.0},
                       .side_bits = 0.5};
  qrd_rate_opts how = {.kind = QRD_RATE_ENTROPY_COL, .miller_madow = 1, .side_info = 0};
  ck_assert(qrd_matq_point_rate_of(&pt, &how) == 2.0);
  how.kind = QRD_RATE_ENTROPY_POOLED;
  ck_assert(qrd_matq_point_rate_of(&pt, &how) == 3.0);
  how.kind = QRD_RATE_FIXED;
  how.side_info = 1;
  ck_assert(qrd_matq_point_rate_of(&pt, &how) == 4.5);
}
END_TEST

START_TEST(test_gap_of)
{
  const double I[4] = {1, 0, 0, 1};
  qrd_dist g;
  qrd_matq_point_limits *lim;
  ck_assert_int_eq(qrd_dist_parse("gaussian", &g), QRD_OK);
  ck_assert_int_eq(qrd_matq_point_limits_alloc(&g, 2, I, &lim), QRD_OK);
  qrd_matq_point pt = {.col = {.bits = 3.0}, .side_bits = 0.25, .D = 4.0 * exp2(-6.5)};
  qrd_rate_opts how = {.kind = QRD_RATE_ENTROPY_COL, .miller_madow = 1, .side_info = 1};
  double rate, gap;
  ck_assert_int_eq(qrd_matq_point_gap_of(lim, &pt, &how, &rate, &gap), QRD_OK);
  ck_assert(rate == 3.25);
  ck_assert_msg(fabs(gap - 1.0) < 1e-12, "gap %.15g", gap);
  qrd_matq_point_limits_free(lim);
}
END_TEST

START_TEST(test_scaled_identity)
{
  const double twice[4] = {2, 0, 0, 2}, diag[4] = {1, 0, 0, 2}, off[4] = {1, 1e-300, 1e-300, 1};
  ck_assert(qrd_matq_point_scaled_identity(2, twice));
  ck_assert(!qrd_matq_point_scaled_identity(2, diag));
  ck_assert(!qrd_matq_point_scaled_identity(2, off));
}
END_TEST

Suite *qrd_suite_point_rate(void)
{
  Suite *s = suite_create("point_rate");
  TCase *tc = tcase_create("point_rate");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_rate_of);
  tcase_add_test(tc, test_gap_of);
  tcase_add_test(tc, test_scaled_identity);
  suite_add_tcase(s, tc);
  return s;
}
