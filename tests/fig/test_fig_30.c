/* fig-30 at reduced size (2^18 values per source): the bits of every
 * format equal their hand counts (OCP MX 4.25 / 6.25 / 8.25, NVFP4 4.5 +
 * 32/n, affine INT4 4.625 / 4.15625, NF4-DQ 4.127 + 32/n); searched
 * clipping and the MSE exponent never do worse than their plain formats;
 * the rotation leaves the Normal within 3 SE and helps INT4 on t(5); the
 * contract checks (1 vs 2 threads, a bad key is one line). */
#include <math.h>

#include "fig_run.h"
#include "suites.h"

#define N 262144.0

static qrd_test_fig fig;

static void sandbox_open(void)
{
  qrd_test_fig_open(&fig, "fig-30");
  qrd_test_fig_make(&fig, "--threads 2",
                    "seed = 1\nsamples = 262144\ndists = gaussian student-t:nu=5\nreal_weights = 0\n");
}

static void sandbox_close(void) { qrd_test_fig_close(&fig); }

static double point(const char *panel, const char *curve, const char *set)
{
  double v;
  qrd_test_fig_curve(&fig, panel, curve, set, &v, 1);
  return v;
}

START_TEST(test_bits)
{
  static const double want[12] = {4.25, 4.25, 4.25, 4.5 + 32 / N, 6.25, 8.25, 4.625, 4.15625,
                                  4.25, 4.0 + 8.0 / 64 + 32.0 / 16384 + 32 / N, 4.25, 4.25};
  double bits[12];
  qrd_test_fig_curve(&fig, "bits", "bits", "y", bits, 12);
  for (size_t k = 0; k < 12; k++)
    ck_assert_msg(fabs(bits[k] - want[k]) < 1e-12, "format %zu: %.10f vs %.10f", k, bits[k],
                  want[k]);
}
END_TEST

START_TEST(test_orderings)
{
  const char *src[] = {"normal", "t-nu-5"};
  for (size_t s = 0; s < 2; s++) {
    ck_assert(point(src[s], "int4-clip", "y") <= point(src[s], "int4", "y"));
    ck_assert(point(src[s], "mxfp4-mse", "y") <= point(src[s], "mxfp4", "y"));
    ck_assert(point(src[s], "mxfp4-mse", "y") <= point(src[s], "mxfp4-ceil", "y"));
  }
  double a = point("normal", "int4", "y"), sa = point("normal", "int4", "y_err");
  double b = point("normal", "int4-rot", "y"), sb = point("normal", "int4-rot", "y_err");
  ck_assert_msg(fabs(a - b) <= 3 * sqrt(sa * sa + sb * sb), "normal: %.4f vs rotated %.4f", a,
                b);
  ck_assert(point("t-nu-5", "int4-rot", "y") < point("t-nu-5", "int4", "y"));
}
END_TEST

Suite *qrd_suite_fig30(void)
{
  Suite *s = suite_create("fig-30");
  TCase *tc = tcase_create("driver");
  tcase_set_timeout(tc, 120);
  tcase_add_unchecked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_bits);
  tcase_add_test(tc, test_orderings);
  qrd_test_fig_add_checks(tc, &fig, "seed = 1\nsamples = 1000\ndists = gaussian\nreal_weights = 0\n", "samples");
  suite_add_tcase(s, tc);
  return s;
}
