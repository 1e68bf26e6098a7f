/* GPTQ's excess over WaterSIC (src/mat/excess.h) and the point grid
 * (src/mat/point_grid.h) against independent values: the published
 * two-level excesses, the Bartlett expectation with E[ln chi2_k] by
 * quadrature instead of the digamma function, a sweep on matrices whose
 * conditional variances are known in closed form, and reverse
 * waterfilling on Sigma = I, where D_IT(R) = 2^{-2R}. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>

#include "core/error.h"
#include "mat/excess.h"
#include "mat/point_grid.h"
#include "suites.h"

#define ASSERT_NEAR(x, ref, tol, what) \
  ck_assert_msg(fabs((x) - (ref)) <= (tol), "%s: %.12g, expected %.12g (tol %g)", what, \
                (double)(x), (double)(ref), (double)(tol))

START_TEST(test_two_level)
{
  /* Ordentlich & Polyanskiy's two-level table: eps -> excess in bits. */
  static const double table[][2] = {
    {1e-1, 0.399234}, {1e-2, 1.168142}, {1e-3, 1.992167}, {1e-6, 4.482893}};
  for (int k = 0; k < 4; k++) {
    double d[8];
    for (int i = 0; i < 8; i++)
      d[i] = i < 4 ? table[k][0] : 1.0;
    ASSERT_NEAR(qrd_excess_two_level(table[k][0]), table[k][1], 5e-7, "closed form");
    ASSERT_NEAR(qrd_excess_bits(8, d), table[k][1], 5e-7, "AM/GM of the spectrum");
  }
}
END_TEST

START_TEST(test_mean_sd)
{
  double x[8] = {1, -9, 2, -9, 3, -9, 4, -9}, mean, sd;
  qrd_excess_mean_sd(x, 4, 2, &mean, &sd);
  ASSERT_NEAR(mean, 2.5, 1e-15, "mean");
  ASSERT_NEAR(sd, sqrt(5.0 / 3.0), 1e-15, "sd");
  qrd_excess_mean_sd(x, 1, 2, &mean, &sd);
  ck_assert(mean == 1.0 && sd == 0.0);
}
END_TEST

static double ln_chi2_integrand(double x, void *k)
{
  return log(x) * gsl_ran_chisq_pdf(x, *(double *)k);
}

/* E[ln chi2_k] by adaptive quadrature. */
static double mean_ln_chi2(double k)
{
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
  gsl_function f = {ln_chi2_integrand, &k};
  double a, b, err;
  gsl_integration_qags(&f, 0.0, k, 0.0, 1e-12, 1000, w, &a, &err);
  gsl_integration_qagiu(&f, k, 0.0, 1e-12, 1000, w, &b, &err);
  gsl_integration_workspace_free(w);
  return a + b;
}

START_TEST(test_bartlett)
{
  /* d_i = d0_i chi2_{T-i} / T independent; E[excess] with AM at its mean
   * 1/n sum d0_i (T-i)/T. */
  static const struct {
    size_t n, T;
    double rho;
  } cases[] = {{1, 5, 0.0}, {2, 4, 0.5}, {3, 12, 0.9}};
  for (int c = 0; c < 3; c++) {
    size_t n = cases[c].n, T = cases[c].T;
    double rho = cases[c].rho, am = 0.0, lgm = 0.0;
    for (size_t i = 0; i < n; i++) {
      double d0 = i == 0 ? 1.0 : 1.0 - rho * rho;
      am += d0 * (double)(T - i) / (double)T / (double)n;
      lgm += (log(d0) + mean_ln_chi2((double)(T - i)) - log((double)T)) / (double)n;
    }
    ASSERT_NEAR(qrd_excess_bartlett(n, T, rho), 0.5 * (log(am) - lgm) / M_LN2, 1e-9,
                "Bartlett expectation");
  }
}
END_TEST

/* A plan of two diagonal families at n = 8 and one Wishart point. */
static void small_plan(qrd_excess_plan *p)
{
  memset(p, 0, sizeof *p);
  ck_assert_int_eq(qrd_cov_parse("identity", &p->family[0]), QRD_OK);
  ck_assert_int_eq(qrd_cov_parse("two-level:eps=0.01", &p->family[1]), QRD_OK);
  p->n_family = 2;
  p->size[0] = 8;
  p->draws[0] = 3;
  p->n_size = 1;
  p->rot[0] = QRD_ROTATE_NONE;
  p->rot[1] = QRD_ROTATE_HAAR;
  p->n_rot = 2;
  ck_assert_int_eq(qrd_cov_parse("two-level:eps=0.01", &p->profile[0]), QRD_OK);
  p->n_profile = 1;
  p->profile_n = 8;
  p->profile_draws = 2;
  p->ratio[0] = 4.0;
  p->n_ratio = 1;
  p->n_rho = 1;
  p->damp[0] = 1e-2;
  p->n_damp = 1;
  p->wishart_n = 8;
  p->wishart_draws = 2;
}

START_TEST(test_sweep)
{
  qrd_excess_plan p;
  qrd_excess_sweep *sw;
  small_plan(&p);
  ck_assert_int_eq(qrd_excess_sweep_alloc(&p, 7, &sw), QRD_OK);
  /* points: 3 draws of each family (the Haar column needs them all), 2
   * profiles, 2 Wishart draws (the 3 shared Haar Q are not points) */
  ck_assert_uint_eq(qrd_excess_sweep_items(sw), 10);
  ck_assert_int_eq(qrd_excess_sweep_run(sw, NULL, NULL, NULL, NULL), QRD_OK);
  double mean, sd, m[8], s[8], hm, am;
  /* a diagonal Sigma in natural order: d is its diagonal */
  qrd_excess_table(sw, 0, 1, 0, &mean, &sd);
  ASSERT_NEAR(mean, qrd_excess_two_level(0.01), 1e-12, "two-level, natural");
  ck_assert(sd == 0.0 && qrd_excess_table_draws(sw, 0, 1, 0) == 1);
  /* Q^T I Q = I for any Q */
  qrd_excess_table(sw, 0, 0, 1, &mean, &sd);
  ck_assert_uint_eq(qrd_excess_table_draws(sw, 0, 0, 1), 3);
  ASSERT_NEAR(mean, 0.0, 1e-12, "identity, Haar");
  /* a Haar rotation mixes the two levels: GPTQ's excess falls */
  qrd_excess_table(sw, 0, 1, 1, &mean, &sd);
  ck_assert(mean >= 0.0 && mean < qrd_excess_two_level(0.01));
  /* profile: d_j / GM = eps / sqrt(eps), then 1 / sqrt(eps) */
  qrd_excess_profile(sw, 0, 0, m, s);
  for (int j = 0; j < 8; j++)
    ASSERT_NEAR(m[j], j < 4 ? 0.1 : 10.0, 1e-12, "profile");
  qrd_excess_profile_lines(sw, 0, &hm, &am);
  ASSERT_NEAR(am, 1.01 / 0.2, 1e-12, "AM/GM");
  ASSERT_NEAR(hm, 0.2 / 1.01, 1e-12, "HM/GM");
  qrd_excess_wishart(sw, 0, 0, 0, &mean, &sd);
  ck_assert(isfinite(mean) && mean > 0.0 && sd >= 0.0);
  qrd_excess_sweep_free(sw);
}
END_TEST

static void count_done(void *ctx, size_t j, int status, const char *what, const char *error)
{
  (void)j;
  (void)what;
  ck_assert_msg(status == QRD_OK, "%s", error);
  ++*(size_t *)ctx;
}

/* Bitwise equality of two doubles (memcmp: NaN equals itself). */
#define SAME(a, b, what) ck_assert_msg(memcmp(&(a), &(b), sizeof(a)) == 0, "%s", what)

/* The sweep as shards run it: the odd points run, the even ones skipped
 * and then restored from a whole run; every table, profile and Wishart
 * mean then equals the whole run's bit for bit. */
START_TEST(test_sweep_points)
{
  qrd_excess_plan p;
  qrd_excess_sweep *whole, *part;
  small_plan(&p);
  ck_assert_int_eq(qrd_excess_sweep_alloc(&p, 7, &whole), QRD_OK);
  ck_assert_int_eq(qrd_excess_sweep_alloc(&p, 7, &part), QRD_OK);
  ck_assert_int_eq(qrd_excess_sweep_run(whole, NULL, NULL, NULL, NULL), QRD_OK);
  size_t n = qrd_excess_sweep_items(part), ran = 0, failed, count, c2;
  unsigned char todo[16];
  for (size_t j = 0; j < n; j++)
    todo[j] = j % 2;
  ck_assert_int_eq(qrd_excess_sweep_run(part, todo, count_done, &ran, &failed), QRD_OK);
  ck_assert_uint_eq(ran, n / 2);
  for (size_t j = 0; j < n; j++) {
    double *a = qrd_excess_sweep_results(whole, j, &count);
    double *b = qrd_excess_sweep_results(part, j, &c2);
    ck_assert_uint_eq(count, c2);
    if (todo[j])
      ck_assert_msg(memcmp(a, b, count * sizeof *a) == 0, "point %zu", j);
    else
      memcpy(b, a, count * sizeof *a);
  }
  double m1[8], s1[8], m2[8], s2[8], v1[3], v2[3];
  for (size_t f = 0; f < p.n_family; f++)
    for (size_t r = 0; r < p.n_rot; r++) {
      qrd_excess_table(whole, 0, f, r, &m1[0], &s1[0]);
      qrd_excess_table(part, 0, f, r, &m2[0], &s2[0]);
      SAME(m1[0], m2[0], "table mean");
      SAME(s1[0], s2[0], "table sd");
      qrd_excess_table_values(whole, 0, f, r, v1);
      qrd_excess_table_values(part, 0, f, r, v2);
      for (size_t k = 0; k < qrd_excess_table_draws(part, 0, f, r); k++)
        SAME(v1[k], v2[k], "table draw");
    }
  for (size_t r = 0; r < p.n_rot; r++) {
    qrd_excess_profile(whole, 0, r, m1, s1);
    qrd_excess_profile(part, 0, r, m2, s2);
    for (int j = 0; j < 8; j++) {
      SAME(m1[j], m2[j], "profile mean");
      SAME(s1[j], s2[j], "profile sd");
    }
  }
  qrd_excess_profile_lines(whole, 0, &m1[0], &m1[1]);
  qrd_excess_profile_lines(part, 0, &m2[0], &m2[1]);
  SAME(m1[0], m2[0], "HM/GM");
  SAME(m1[1], m2[1], "AM/GM");
  qrd_excess_wishart(whole, 0, 0, 0, &m1[0], &s1[0]);
  qrd_excess_wishart(part, 0, 0, 0, &m2[0], &s2[0]);
  SAME(m1[0], m2[0], "Wishart mean");
  SAME(s1[0], s2[0], "Wishart sd");
  qrd_excess_sweep_free(whole);
  qrd_excess_sweep_free(part);
}
END_TEST

START_TEST(test_grid_gap_stats)
{
  /* 1 panel x 2 methods x 3 rates; method 0's rate 0 is below the range */
  qrd_matq_point_grid g = {.n_panel = 1, .n_method = 2, .n_rate = 3};
  qrd_matq_point_job jobs[6];
  memset(jobs, 0, sizeof jobs);
  static const double bits[6] = {1, 3, 4, 3, 3, 4}, gap[6] = {9, 0.5, 0.7, 0.1, 0.2, 0.4};
  for (int i = 0; i < 6; i++) {
    jobs[i].out.col.bits = bits[i];
    jobs[i].out.at_col.gap = gap[i];
  }
  size_t p, m, r, count;
  qrd_matq_point_grid_coords(&g, 4, &p, &m, &r);
  ck_assert(p == 0 && m == 1 && r == 1);
  ck_assert_ptr_eq(qrd_matq_point_grid_at(&g, jobs, 0, 1, 1), &jobs[4].out);
  double mean, sd;
  qrd_matq_point_grid_gap_stats(&g, jobs, 0, 0, 1, 0.0, 2.0, &mean, &sd, &count);
  /* differences 0.5 - 0.2, 0.7 - 0.4 */
  ck_assert_uint_eq(count, 2);
  ASSERT_NEAR(mean, 0.3, 1e-15, "mean difference");
  ASSERT_NEAR(sd, 0.0, 1e-7, "sd of equal differences");
  qrd_matq_point_grid_gap_stats(&g, jobs, 0, 0, 2, 0.25, 2.0, &mean, &sd, &count);
  ASSERT_NEAR(mean, 0.35, 1e-15, "mean minus offset");
  ASSERT_NEAR(sd, sqrt(0.02), 1e-12, "sd");
  qrd_matq_point_grid_gap_stats(&g, jobs, 0, 0, 2, 0.0, 10.0, &mean, &sd, &count);
  ck_assert(count == 0 && isnan(mean));
}
END_TEST

START_TEST(test_waterfilling_identity)
{
  double S[16] = {0};
  for (int i = 0; i < 4; i++)
    S[i * 5] = 1.0;
  qrd_dist g;
  qrd_matq_point_limits *lim;
  ck_assert_int_eq(qrd_dist_parse("gaussian", &g), QRD_OK);
  ck_assert_int_eq(qrd_matq_point_limits_alloc(&g, 4, S, &lim), QRD_OK);
  double x[64], db[64], xs[64], dbs[64], gs[64];
  size_t n, ns;
  ck_assert_int_eq(qrd_matq_point_waterfilling(lim, 0.25, 2.0, 0.3, 64, x, db, &n, xs, dbs,
                                               gs, &ns),
                   QRD_OK);
  ck_assert_uint_eq(n, 9);
  ck_assert_uint_eq(ns, 7); /* R = 0.5 .. 2 */
  for (size_t i = 0; i < n; i++)
    ASSERT_NEAR(db[i], -20.0 * x[i] * log10(2.0), 1e-12, "D_IT = 2^-2R");
  for (size_t k = 0; k < ns; k++) {
    ASSERT_NEAR(dbs[k], -20.0 * (xs[k] - 0.3) * log10(2.0), 1e-12, "shifted");
    ASSERT_NEAR(gs[k], 0.3, 1e-12, "gap of the shift");
  }
  qrd_matq_point_limits_free(lim);
}
END_TEST

Suite *qrd_suite_excess(void)
{
  Suite *s = suite_create("excess");
  TCase *tc = tcase_create("excess");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_two_level);
  tcase_add_test(tc, test_mean_sd);
  tcase_add_test(tc, test_bartlett);
  tcase_add_test(tc, test_sweep);
  tcase_add_test(tc, test_sweep_points);
  tcase_add_test(tc, test_grid_gap_stats);
  tcase_add_test(tc, test_waterfilling_identity);
  suite_add_tcase(s, tc);
  return s;
}
