/* Information-theoretic limits (src/mat/limits.h) against
 * closed-form constants and a reverse-waterfilling table worked by hand, and the
 * root-finding water level against an exact enumeration of the active set
 * (an independent algorithm). */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "dist/dist.h"
#include "mat/limits.h"
#include "suites.h"

#define ASSERT_NEAR(x, ref, tol, what) \
  ck_assert_msg(fabs((x) - (ref)) <= (tol), "%s: %.12g, expected %.12g (tol %g)", what, \
                (double)(x), (double)(ref), (double)(tol))

static const double LAMBDA[4] = {4, 1, 0.25, 0.0625};

START_TEST(test_rwf_table)
{
  /* theta, D, R worked by hand (D exact binary fractions, R to 6 decimals). */
  static const double rows[][3] = {
    {2, 0.828125, 0.125}, {0.5, 0.328125, 0.5}, {0.125, 0.109375, 1.125}, {0.01, 0.01, 2.821928}};
  for (int k = 0; k < 4; k++) {
    double theta = rows[k][0];
    ASSERT_NEAR(qrd_rwf_distortion(4, LAMBDA, theta), rows[k][1], 1e-15, "D(theta)");
    ASSERT_NEAR(qrd_rwf_rate(4, LAMBDA, theta), rows[k][2], 5e-7, "R(theta)");
    /* And back: the solver finds theta from R. */
    double R = qrd_rwf_rate(4, LAMBDA, theta), th, D;
    ck_assert_int_eq(qrd_rwf_solve(4, LAMBDA, R, &th, &D), QRD_OK);
    ASSERT_NEAR(th / theta, 1.0, 1e-12, "theta(R)");
    ASSERT_NEAR(D, rows[k][1], 1e-12, "D(R)");
  }
  /* High rate: D = GM 2^{-2R} with GM = 0.5, from R >= 1/2 log2(0.5/0.0625). */
  ASSERT_NEAR(qrd_rwf_highrate_min_rate(0.5, 0.0625), 1.5, 1e-15, "high-rate threshold");
  for (double R = 1.5; R <= 8.0; R += 0.5) {
    double th, D;
    ck_assert_int_eq(qrd_rwf_solve(4, LAMBDA, R, &th, &D), QRD_OK);
    ASSERT_NEAR(D / qrd_rwf_highrate(0.5, R), 1.0, 1e-14, "high-rate form");
  }
  ASSERT_NEAR(qrd_rwf_highrate(0.5, 2.821928094887362), 0.01, 1e-15, "0.5 2^{-2R}");
}
END_TEST

/* The water level by enumeration: with the m largest mu active,
 * theta = (prod of them)^{1/m} 2^{-2Rn/m}, valid when it lies between the
 * (m+1)-th and m-th largest. */
static double theta_by_enumeration(size_t n, const double *desc, double R)
{
  double log_prod = 0.0;
  for (size_t m = 1; m <= n; m++) {
    log_prod += log(desc[m - 1]);
    double theta = exp((log_prod - 2.0 * M_LN2 * R * (double)n) / (double)m);
    double below = m < n ? desc[m] : 0.0;
    if (theta <= desc[m - 1] && theta >= below)
      return theta;
  }
  return NAN;
}

START_TEST(test_rwf_against_enumeration)
{
  const size_t n = 100;
  double mu[100];
  for (size_t i = 0; i < n; i++)
    mu[i] = pow((double)(i + 1), -2.0); /* descending */
  for (double R = 0.01; R < 10.0; R *= 1.3) {
    double th, D, ref = theta_by_enumeration(n, mu, R);
    ck_assert_int_eq(qrd_rwf_solve(n, mu, R, &th, &D), QRD_OK);
    ck_assert_msg(fabs(th / ref - 1.0) < 1e-11, "R=%g: theta %.15g vs %.15g", R, th, ref);
    ASSERT_NEAR(D, qrd_rwf_distortion(n, mu, ref), 1e-12 * D, "D");
    /* The Gaussian high-rate form is a lower bound everywhere. */
    double gm = exp(-2.0 * (lgamma(n + 1.0) / (double)n));
    ck_assert(D >= qrd_rwf_highrate(gm, R) * (1.0 - 1e-12));
  }
}
END_TEST

/* Zero eigenvalues cost no rate but stay in the 1/n normalisation:
 * mu = (1, 0), R = 1 bit per entry puts 2 bits on the live coordinate,
 * theta = 1/16 and D = (1/16 + 0)/2. */
START_TEST(test_rwf_zero_eigenvalues)
{
  const double mu[2] = {1.0, 0.0};
  double th, D;
  ck_assert_int_eq(qrd_rwf_solve(2, mu, 1.0, &th, &D), QRD_OK);
  ASSERT_NEAR(th, 1.0 / 16.0, 1e-14, "theta");
  ASSERT_NEAR(D, 1.0 / 32.0, 1e-14, "D");
  ck_assert_int_eq(qrd_rwf_solve(2, mu, 0.0, &th, &D), QRD_OK);
  ASSERT_NEAR(D, 0.5, 1e-15, "D at R = 0 is the mean variance");
  ck_assert_int_eq(qrd_rwf_solve(2, mu, -1.0, &th, &D), QRD_EINVAL);
  /* Rounding-level negatives (a singular Sigma's dsyevd output) are zeros;
   * real ones are errors. */
  const double tiny[2] = {1.0, -1e-17}, negative[2] = {1.0, -0.1};
  ck_assert_int_eq(qrd_rwf_solve(2, tiny, 1.0, &th, &D), QRD_OK);
  ASSERT_NEAR(D, 1.0 / 32.0, 1e-14, "D with a rounding-level negative");
  ck_assert_int_eq(qrd_rwf_solve(2, negative, 1.0, &th, &D), QRD_EINVAL);
  const double zero[2] = {0.0, 0.0};
  ck_assert_int_eq(qrd_rwf_solve(2, zero, 1.0, &th, &D), QRD_EINVAL);
}
END_TEST

static double entropy_bits(const char *spec)
{
  qrd_dist d;
  ck_assert_int_eq(qrd_dist_parse(spec, &d), QRD_OK);
  return qrd_dist_entropy_bits(&d);
}

START_TEST(test_constants)
{
  double h_gauss = entropy_bits("gaussian"), h_laplace = entropy_bits("laplace");
  ASSERT_NEAR(h_gauss, 2.0470955852, 5e-11, "Gaussian h");
  ASSERT_NEAR(h_laplace, 1.9426950409, 5e-11, "Laplace h");
  /* WaterSIC over the limit: 2 pi e / 12 and its half-log. */
  double gm = 0.37, R = 3.3;
  double ratio = qrd_highrate_sic(h_gauss, gm, R) / qrd_rwf_highrate(gm, R);
  ASSERT_NEAR(ratio, 1.4232890371, 5e-11, "2 pi e / 12");
  ASSERT_NEAR(qrd_gap_bits(qrd_highrate_sic(h_gauss, gm, R), qrd_rwf_highrate(gm, R)),
              0.2546143348, 5e-11, "1/2 log2(2 pi e/12)");
  /* The SLB of a Gaussian is the Gaussian limit; of a unit Laplace e/pi. */
  ASSERT_NEAR(qrd_slb(h_gauss, gm, R) / qrd_rwf_highrate(gm, R), 1.0, 1e-14, "Gaussian SLB");
  ASSERT_NEAR(qrd_slb(h_laplace, 1.0, 0.0), M_E / M_PI, 1e-14, "Laplace SLB");
  /* An entropy-coded uniform quantiser sits 0.2546 bit above the SLB for any
   * law: here for Laplace weights. */
  ASSERT_NEAR(qrd_gap_bits(qrd_highrate_sic(h_laplace, gm, R), qrd_slb(h_laplace, gm, R)),
              0.2546143348, 5e-11, "SIC over SLB");
  /* GPTQ over WaterSIC is 1/2 log2(AM/GM): two-level eps = 0.1 (E2). */
  double eps = 0.1, am = (1.0 + eps) / 2.0, g = sqrt(eps);
  ASSERT_NEAR(qrd_gap_bits(qrd_highrate_sic(h_gauss, am, R), qrd_highrate_sic(h_gauss, g, R)),
              0.399234, 5e-7, "E2 excess");
}
END_TEST

Suite *qrd_suite_limits(void)
{
  Suite *s = suite_create("limits");
  TCase *tc = tcase_create("limits");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_rwf_table);
  tcase_add_test(tc, test_rwf_against_enumeration);
  tcase_add_test(tc, test_rwf_zero_eigenvalues);
  tcase_add_test(tc, test_constants);
  suite_add_tcase(s, tc);
  return s;
}
