/* quant/sampling_sd.h and the standard errors of fmt/block.h under tensor
 * RMS scaling, against independent values: the spread of R over many
 * independent seeds (the quantity an error bar claims to be), and E g^2 by
 * adaptive quadrature of g^2 itself over each cell (the library expands
 * g in moments of x - q on a fixed Gauss-Legendre rule). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/integrate.h"
#include "fmt/block.h"
#include "fmt/element_eval.h"
#include "fmt/scale.h"
#include "mc/sample.h"
#include "quant/sampling_sd.h"
#include "suites.h"

/* The 5-bit RMS CRD of spec's family. */
static qrd_element *crd5(const char *spec, qrd_dist *d)
{
  qrd_crd_params p;
  qrd_element *e;
  ck_assert_int_eq(qrd_dist_parse(spec, d), QRD_OK);
  ck_assert_int_eq(qrd_crd_params_for_spec(spec, &p), QRD_OK);
  ck_assert_int_eq(qrd_element_crd(&p, 5.0, &e), QRD_OK);
  return e;
}

/* R of seed `seed` on n draws of d under tensor RMS (fp32 RMS rounded to
 * bf16, as fmt/block.h), by a direct pass written here, and the batch
 * jackknife's SE of it (64 batches sharing the scale). */
static void direct_r(const qrd_dist *d, const qrd_codebook *c, unsigned long seed, size_t n,
                     double *r, double *jack)
{
  enum { NB = 64 };
  qrd_scale_format bf16;
  ck_assert_int_eq(qrd_scale_parse("bf16", &bf16), QRD_OK);
  double *x = qrd_sample_alloc(d, seed, n);
  ck_assert_ptr_nonnull(x);
  double sum2 = 0.0;
  for (size_t i = 0; i < n; i++)
    sum2 += x[i] * x[i];
  double s = qrd_scale_quantise(&bf16, (float)sqrt(sum2 / (double)n));
  double sse[NB] = {0}, x2[NB] = {0};
  for (size_t i = 0; i < n; i++) {
    double v = s * c->level[qrd_codebook_cell(c, x[i] / s)] - x[i];
    sse[i / (n / NB)] += v * v;
    x2[i / (n / NB)] += x[i] * x[i];
  }
  qrd_block_result res;
  qrd_block_jackknife(sse, 1, x2, NB, &res);
  *r = res.rel_rmse;
  *jack = res.rel_rmse_se;
  free(x);
}

static int by_value(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The standard deviation of R over seeds 1 .. k of n draws (r[], jack[]:
 * each seed's R and jackknife SE), and the SE that fmt/block.h reports for
 * seed 1 given the source law. */
static void spread(const char *spec, size_t n, int k, double *r, double *jack, double *sd,
                   double *reported)
{
  qrd_dist d;
  qrd_element *e = crd5(spec, &d);
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < k; i++)
    direct_r(&d, e->cb, (unsigned long)i + 1, n, &r[i], &jack[i]);
  double sum = 0.0, sum2 = 0.0;
  for (int i = 0; i < k; i++)
    sum += r[i];
  for (int i = 0; i < k; i++)
    sum2 += (r[i] - sum / k) * (r[i] - sum / k);
  *sd = sqrt(sum2 / (k - 1));
  /* the library's own evaluation of seed 1: same R, the law's SE */
  qrd_scaling sc;
  qrd_block_sample *s;
  qrd_block_result res;
  double *x = qrd_sample_alloc(&d, 1, n);
  ck_assert_ptr_nonnull(x);
  ck_assert_int_eq(qrd_scaling_parse("rms", "bf16", &sc), QRD_OK);
  ck_assert_int_eq(qrd_block_sample_alloc(x, n, &sc, e->lo, e->hi, 0.0, &s), QRD_OK);
  qrd_block_sample_set_source(s, &d, 0.0);
  ck_assert_int_eq(qrd_block_eval(s, e->cb, e->bits, &res), QRD_OK);
  ck_assert_double_eq_tol(res.rel_rmse, r[0], 1e-12);
  *reported = res.rel_rmse_se;
  qrd_block_sample_free(s);
  free(x);
  qrd_element_free(e);
}

/* Student-t nu = 5, tensor RMS, CRD at 5 bits: the reported SE is within
 * 25 % of the standard deviation of R over 200 seeds of 2^20 values.  The
 * spread is made by rare values far out (E x^4 barely finite), so it needs
 * about 10^8 draws to show; the jackknife over batches, which saw only its
 * own sample's tail, is typically under half of it. */
START_TEST(test_t5_se_matches_seed_spread)
{
  enum { K = 200 };
  double r[K], jack[K], sd, se;
  spread("student-t:nu=5", (size_t)1 << 20, K, r, jack, &sd, &se);
  qsort(jack, K, sizeof jack[0], by_value);
  double median_jack = 0.5 * (jack[K / 2 - 1] + jack[K / 2]);
  fprintf(stderr, "t5: sd over %d seeds %.6g, reported %.6g, jackknife median %.6g\n", K, sd,
          se, median_jack);
  ck_assert_double_le(fabs(se / sd - 1.0), 0.25);
  ck_assert_double_le(median_jack, 0.5 * sd);
}
END_TEST

/* Light tails: the law's sd(R), the seed spread and the jackknife agree. */
START_TEST(test_gaussian_se_matches_seed_spread)
{
  enum { K = 100 };
  double r[K], jack[K], sd, se;
  spread("gaussian", (size_t)1 << 16, K, r, jack, &sd, &se);
  fprintf(stderr, "gaussian: sd over %d seeds %.6g, reported %.6g\n", K, sd, se);
  ck_assert_double_le(fabs(se / sd - 1.0), 0.25);
}
END_TEST

typedef struct {
  const qrd_dist *d;
  double q, r2;
} g2_ctx;

static double g2(double x, void *p)
{
  const g2_ctx *c = p;
  double g = (x - c->q) * (x - c->q) - c->r2 * x * x;
  return g * g * qrd_dist_pdf(c->d, x);
}

static double e_moment(double x, void *p)
{
  const g2_ctx *c = p;
  return (x - c->q) * (x - c->q) * qrd_dist_pdf(c->d, x);
}

/* sd(R) against E g^2 by adaptive quadrature of g^2 on each cell. */
START_TEST(test_sd_vs_adaptive_quadrature)
{
  const char *specs[] = {"gaussian", "laplace", "student-t:nu=5"};
  for (size_t k = 0; k < 3; k++) {
    qrd_dist d;
    qrd_crd_params p;
    qrd_element *e;
    ck_assert_int_eq(qrd_dist_parse(specs[k], &d), QRD_OK);
    ck_assert_int_eq(qrd_crd_params_for_spec(specs[k], &p), QRD_OK);
    ck_assert_int_eq(qrd_element_crd(&p, 3.0, &e), QRD_OK);
    const double s = 1.3, n = 1e6;
    double r, sd;
    ck_assert_int_eq(qrd_rel_rmse_sd(&d, e->cb, s, n, &r, &sd), QRD_OK);
    /* E e by quadrature, E x^2 = the variance */
    double ee = 0.0, eg2 = 0.0, v, err;
    const size_t m = e->cb->n;
    for (size_t i = 0; i < m; i++) {
      double a = i ? s * e->cb->edge[i] : -INFINITY, b = i + 1 < m ? s * e->cb->edge[i + 1] : INFINITY;
      g2_ctx c = {&d, s * e->cb->level[i], 0.0};
      ck_assert_int_eq(qrd_integrate(e_moment, &c, a, b, &v, &err), QRD_OK);
      ee += v;
    }
    double ex2 = qrd_dist_variance(&d);
    ck_assert_double_eq_tol(r, sqrt(ee / ex2), 1e-9 * r);
    for (size_t i = 0; i < m; i++) {
      double a = i ? s * e->cb->edge[i] : -INFINITY, b = i + 1 < m ? s * e->cb->edge[i + 1] : INFINITY;
      g2_ctx c = {&d, s * e->cb->level[i], ee / ex2};
      ck_assert_int_eq(qrd_integrate(g2, &c, a, b, &v, &err), QRD_OK);
      eg2 += v;
    }
    double want = sqrt(eg2 / n) / (2.0 * r * ex2);
    ck_assert_double_eq_tol(sd, want, 1e-7 * want);
    qrd_element_free(e);
  }
}
END_TEST

/* No finite fourth moment, no standard deviation: an error, and +inf as
 * the SE of a block evaluation. */
START_TEST(test_heavy_tail_without_fourth_moment)
{
  qrd_dist d;
  qrd_crd_params p;
  qrd_element *e;
  ck_assert_int_eq(qrd_dist_parse("student-t:nu=3.5", &d), QRD_OK);
  ck_assert_int_eq(qrd_crd_params_for_spec("student-t:nu=3.5", &p), QRD_OK);
  ck_assert_int_eq(qrd_element_crd(&p, 4.0, &e), QRD_OK);
  double r, sd;
  ck_assert_int_eq(qrd_rel_rmse_sd(&d, e->cb, 1.0, 1e6, &r, &sd), QRD_EDOM);
  qrd_element_free(e);
}
END_TEST

Suite *qrd_suite_sampling_sd(void)
{
  Suite *s = suite_create("sampling_sd");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_sd_vs_adaptive_quadrature);
  tcase_add_test(tc, test_heavy_tail_without_fourth_moment);
  tcase_add_test(tc, test_gaussian_se_matches_seed_spread);
  tcase_add_test(tc, test_t5_se_matches_seed_spread);
  suite_add_tcase(s, tc);
  return s;
}
