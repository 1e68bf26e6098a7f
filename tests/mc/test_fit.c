/* mc/fit.h against closed forms and known truths: the Gaussian ML scale
 * (location 0) is the RMS, the Laplace ML scale is the mean |x|; a large
 * Student-t sample gives back its nu and scale; summaries against
 * hand-computed moments; bad data is refused. */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "mc/fit.h"
#include "mc/sample.h"
#include "suites.h"

/* n <= QRD_FIT_MAX_POINTS: the optimiser sees every value. */
#define N 65536

static double *draw(const char *spec, unsigned long seed, size_t n)
{
  qrd_dist d;
  ck_assert_int_eq(qrd_dist_parse(spec, &d), QRD_OK);
  double *x = qrd_sample_alloc(&d, seed, n);
  ck_assert_ptr_nonnull(x);
  return x;
}

START_TEST(test_gaussian_scale_is_rms)
{
  double *x = draw("gaussian:scale=0.02", 1, N);
  double sq = 0.0;
  for (size_t i = 0; i < N; i++)
    sq += x[i] * x[i];
  qrd_fit f;
  ck_assert_int_eq(qrd_fit_family(qrd_dist_type_find("gaussian"), x, N, &f), QRD_OK);
  double rms = sqrt(sq / N);
  /* the spec prints 6 digits */
  ck_assert_double_eq_tol(f.dist.scale, rms, 1e-5 * rms);
  ck_assert_uint_eq(f.fit_points, N);
  /* mean log-likelihood of N(0, s): -1/2 log(2 pi s^2) - 1/2 at s = rms */
  ck_assert_double_eq_tol(f.loglik, -0.5 * log(2.0 * M_PI * rms * rms) - 0.5, 1e-8);
  free(x);
}
END_TEST

START_TEST(test_laplace_scale_is_mean_abs)
{
  double *x = draw("laplace:scale=0.5", 2, N);
  double a = 0.0;
  for (size_t i = 0; i < N; i++)
    a += fabs(x[i]);
  a /= N;
  qrd_fit f;
  ck_assert_int_eq(qrd_fit_family(qrd_dist_type_find("laplace"), x, N, &f), QRD_OK);
  ck_assert_double_eq_tol(f.dist.scale, a, 1e-5 * a);
  ck_assert_double_eq_tol(f.loglik, -log(2.0 * a) - 1.0, 1e-8);
  free(x);
}
END_TEST

/* 2^20 draws of t(nu = 5) at scale 0.02: nu within 0.5, scale within 2 %,
 * and t is the best of the registered families; a Gaussian sample picks
 * the Gaussian (or a t with nu > 50, which is the same law). */
START_TEST(test_student_t_recovered)
{
  size_t n = (size_t)1 << 20;
  double *x = draw("student-t:nu=5,scale=0.02", 3, n);
  qrd_fit fits[8];
  size_t k, best;
  ck_assert_int_eq(qrd_fit_all(x, n, fits, 8, &k, &best), QRD_OK);
  ck_assert_str_eq(fits[best].dist.type->name, "student-t");
  ck_assert_double_le(fabs(fits[best].dist.shape[0] - 5.0), 0.5);
  ck_assert_double_le(fabs(fits[best].dist.scale / 0.02 - 1.0), 0.02);
  ck_assert_uint_le(fits[best].fit_points, QRD_FIT_MAX_POINTS);
  free(x);
  x = draw("gaussian", 4, N);
  ck_assert_int_eq(qrd_fit_all(x, N, fits, 8, &k, &best), QRD_OK);
  const qrd_fit *b = &fits[best];
  ck_assert_msg(b->dist.type == qrd_dist_type_find("gaussian") ||
                    (b->dist.type == qrd_dist_type_find("student-t") && b->dist.shape[0] > 50),
                "Gaussian sample fitted best by %s", b->dist.spec);
  free(x);
}
END_TEST

START_TEST(test_summary)
{
  const double x[] = {1.0, -1.0, 2.0, -2.0};
  qrd_fit_summary s;
  qrd_fit_summarise(x, 4, &s);
  ck_assert_double_eq(s.mean, 0.0);
  ck_assert_double_eq_tol(s.rms, sqrt(2.5), 1e-15);
  ck_assert_double_eq(s.max_abs, 2.0);
  /* m4 / m2^2 - 3 = 8.5 / 6.25 - 3 */
  ck_assert_double_eq_tol(s.excess_kurtosis, 8.5 / 6.25 - 3.0, 1e-14);
  const double bad[] = {1.0, NAN, INFINITY};
  qrd_fit_summarise(bad, 3, &s);
  ck_assert_uint_eq(s.non_finite, 2);
  qrd_fit f;
  ck_assert_int_eq(qrd_fit_family(qrd_dist_type_find("gaussian"), bad, 3, &f), QRD_EINVAL);
  const double zero[] = {0.0, 0.0, 0.0};
  ck_assert_int_eq(qrd_fit_family(qrd_dist_type_find("gaussian"), zero, 3, &f), QRD_EINVAL);
}
END_TEST

Suite *qrd_suite_fit(void)
{
  Suite *s = suite_create("fit");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_gaussian_scale_is_rms);
  tcase_add_test(tc, test_laplace_scale_is_mean_abs);
  tcase_add_test(tc, test_student_t_recovered);
  tcase_add_test(tc, test_summary);
  suite_add_tcase(s, tc);
  return s;
}
