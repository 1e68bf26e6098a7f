/* The rate tuner (mc/rate_tune.h) against independent answers on
 * monotone rates with closed forms: QRD_RATE_LEVELS against a brute-force
 * scan of every level count, QRD_RATE_GRID against bisection of the
 * closed form; the init / iterate / test protocol; errors on targets out
 * of reach.  (The grid strategy's step functions, plateaus and failing
 * bits() are in the mc suite.) */
#include <math.h>

#include "core/error.h"
#include "mc/rate_tune.h"
#include "suites.h"

#define NUMEL 1000

/* Rate log2(n) + c log2(log2(n) + 1): increasing, not linear in log2 n. */
static int rate_bits(double n, void *ctx, double *bits)
{
  double c = *(const double *)ctx, l = log2(n);
  *bits = NUMEL * (l + c * log2(l + 1.0));
  return QRD_OK;
}

static size_t brute_force(double c, double target, size_t max_levels)
{
  size_t best = 2;
  double best_d = INFINITY;
  for (size_t n = 2; n <= max_levels; n++) {
    double b;
    rate_bits((double)n, &c, &b);
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
      qrd_rate_fit fit;
      ck_assert_int_eq(qrd_rate_tune(QRD_RATE_LEVELS, rate_bits, &c, NUMEL, target, 1 << 14,
                                     &fit), QRD_OK);
      size_t want = brute_force(c, target, 1 << 14);
      double b;
      rate_bits((double)want, &c, &b);
      /* equal distance on both sides is a tie either way may take */
      ck_assert_msg(fit.t == (double)want || fabs(fabs(fit.bits - NUMEL * target) -
                                                  fabs(b - NUMEL * target)) < 1e-9,
                    "c=%g target=%g: %g vs brute force %zu", c, target, fit.t, want);
      ck_assert_double_eq_tol(fit.rate, fit.bits / NUMEL, 1e-15 * fit.rate);
    }
}
END_TEST

/* From any first count (the smallest, next to the answer, far above it,
 * the cap, beyond the cap) the search ends at the brute force's count:
 * the start changes the probes, not the answer. */
START_TEST(test_levels_any_start)
{
  const double cs[] = {0.0, 0.5, -0.3};
  for (size_t i = 0; i < 3; i++)
    for (double target = 1.3; target < 11.0; target += 0.83) {
      double c = cs[i];
      size_t want = brute_force(c, target, 1 << 14);
      const size_t starts[] = {2,        want > 2 ? want - 1 : 2, want, want + 1, 4 * want,
                               1 << 14, (1 << 14) + 5};
      for (size_t k = 0; k < sizeof starts / sizeof *starts; k++) {
        qrd_rate_fit fit;
        ck_assert_int_eq(qrd_rate_tune_from(QRD_RATE_LEVELS, rate_bits, &c, NUMEL, target,
                                            1 << 14, starts[k], &fit), QRD_OK);
        double b;
        rate_bits((double)want, &c, &b);
        ck_assert_msg(fit.t == (double)want || fabs(fabs(fit.bits - NUMEL * target) -
                                                    fabs(b - NUMEL * target)) < 1e-9,
                      "c=%g target=%g start %zu: %g vs brute force %zu", c, target, starts[k],
                      fit.t, want);
      }
    }
}
END_TEST

/* A smooth increasing rate b0 - 0.3 + 0.2 sin(3 b0) (slope 1 + 0.6 cos >
 * 0): the tuned b0 is the root of rate = target, found independently by
 * bisection. */
static double smooth_rate(double b0) { return b0 - 0.3 + 0.2 * sin(3.0 * b0); }

static int smooth_bits(double b0, void *ctx, double *bits)
{
  int *calls = ctx;
  (*calls)++;
  *bits = NUMEL * smooth_rate(b0);
  return QRD_OK;
}

static double bisect_root(double target, double lo, double hi)
{
  for (int i = 0; i < 200 && hi - lo > 1e-14; i++) {
    double mid = 0.5 * (lo + hi);
    if (smooth_rate(mid) < target)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

START_TEST(test_grid_vs_bisection)
{
  for (double target = 1.5; target < 9.0; target += 0.61) {
    int calls = 0;
    qrd_rate_fit fit;
    ck_assert_int_eq(qrd_rate_tune(QRD_RATE_GRID, smooth_bits, &calls, NUMEL, target, 0, &fit),
                     QRD_OK);
    double want = bisect_root(target, target, target + 8.0);
    ck_assert_msg(fabs(fit.t - want) < 1e-5, "target %g: b0 %.9g, bisection %.9g", target,
                  fit.t, want);
    ck_assert_double_eq_tol(fit.rate, smooth_rate(fit.t), 1e-12);
    ck_assert_int_eq(fit.evals, calls);
  }
}
END_TEST

/* Driven step by step: test says QRD_CONTINUE until the search ends, each
 * step is one call of bits() but the one that starts Brent (whose set-up
 * probes a point of its own), and the outcome stays put afterwards. */
START_TEST(test_protocol)
{
  const qrd_rate_strategy strategies[] = {QRD_RATE_GRID, QRD_RATE_LEVELS};
  qrd_rate_tuner *t = qrd_rate_tuner_alloc();
  ck_assert_ptr_nonnull(t);
  for (size_t k = 0; k < 2; k++) {
    int calls = 0, steps = 0, extra = 0;
    ck_assert_int_eq(qrd_rate_tuner_init(t, strategies[k], smooth_bits, &calls, NUMEL, 4.0,
                                         1 << 14), QRD_OK);
    while (qrd_rate_tuner_test(t) == QRD_CONTINUE) {
      ck_assert_int_eq(qrd_rate_tuner_iterate(t), QRD_OK);
      extra = calls - ++steps;
      ck_assert_msg(extra == 0 || (k == 0 && extra == 1), "strategy %zu: %d calls in %d steps",
                    k, calls, steps);
    }
    ck_assert_int_eq(qrd_rate_tuner_test(t), QRD_OK);
    ck_assert_int_eq(qrd_rate_tuner_iterate(t), QRD_OK);
    ck_assert_int_eq(calls, steps + extra);
    qrd_rate_fit fit;
    qrd_rate_tuner_fit(t, &fit);
    ck_assert_int_eq(fit.evals, calls);
    ck_assert_msg(fabs(fit.rate - 4.0) < (k == 0 ? 1e-5 : 1.0), "%g", fit.rate);
  }
  int calls = 0;
  ck_assert_int_eq(qrd_rate_tuner_init(t, QRD_RATE_GRID, smooth_bits, &calls, 0, 4.0, 0),
                   QRD_EINVAL);
  ck_assert_int_eq(qrd_rate_tuner_test(t), QRD_EINVAL);
  ck_assert_int_eq(qrd_rate_tuner_init(t, QRD_RATE_GRID, smooth_bits, &calls, NUMEL, NAN, 0),
                   QRD_EINVAL);
  qrd_rate_tuner_free(t);
}
END_TEST

START_TEST(test_out_of_reach)
{
  double c = 0.0;
  qrd_rate_fit fit;
  ck_assert_int_eq(qrd_rate_tune(QRD_RATE_LEVELS, rate_bits, &c, NUMEL, 12.0, 1000, &fit),
                   QRD_EMAXITER);
  /* log2 b0 stays below 5 bits up to b0 = 20 */
  ck_assert_int_eq(qrd_rate_tune(QRD_RATE_GRID, rate_bits, &c, NUMEL, 12.0, 0, &fit),
                   QRD_EMAXITER);
  ck_assert(fit.rate < 5.0 && fit.t > 19.8 && fit.t < 20.0);
}
END_TEST

Suite *qrd_suite_rate_tune(void)
{
  Suite *s = suite_create("rate_tune");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_closest_count);
  tcase_add_test(tc, test_levels_any_start);
  tcase_add_test(tc, test_grid_vs_bisection);
  tcase_add_test(tc, test_protocol);
  tcase_add_test(tc, test_out_of_reach);
  suite_add_tcase(s, tc);
  return s;
}
