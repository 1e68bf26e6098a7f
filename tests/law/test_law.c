/* The law of block-normalised values (law/blockmax.c) against closed forms,
 * published moments and independent second methods.
 *
 * Sources of the expected values (never the library's own output):
 *   [S3]  Yoshida (NF4 vs AF4): f_B, F_B for B = 2, 3 in closed
 *         form and at printed points, f_B(0) for B = 16, 64, 4096, and the
 *         table of E M, E M^2 and median M;
 *   adaptive GSL quadrature over x of the pointwise density (core/
 *   integrate.h), qrd_dist_block_absmax_mean (an independent integral in
 *   dist/), and Monte Carlo blocks normalised by fmt/block.h or by hand
 *   (OPQ's outlier threshold), compared within 3 standard errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#include "core/error.h"
#include "core/integrate.h"
#include "fmt/block.h"
#include "fmt/element.h"
#include "law/blockmax.h"
#include "mc/sample.h"

#define MC_BATCHES 64

static qrd_dist dist_of(const char *text)
{
  qrd_dist d;
  int st = qrd_dist_parse(text, &d);
  ck_assert_msg(st == QRD_OK, "dist '%s': %s", text, qrd_error_detail());
  return d;
}

static qrd_law *law_of(const char *dist, double block, qrd_law_scaling sc, double tau)
{
  qrd_dist d = dist_of(dist);
  qrd_law *law;
  int st = qrd_law_alloc(&d, block, sc, tau, &law);
  ck_assert_msg(st == QRD_OK, "law %s B=%g: %s", dist, block, qrd_error_detail());
  return law;
}

/* ---- closed forms (B = 2, 3) ---- */

static double f2(double x) { return 1.0 / (M_PI * (1.0 + x * x)); }
static double cdf2(double x) { return 0.25 + (atan(x) + M_PI / 4.0) / M_PI; }
static double f3(double x) { return 2.0 / (M_PI * (1.0 + x * x) * sqrt(2.0 + x * x)); }
static double cdf3(double x)
{
  return 1.0 / 6.0 + 2.0 / M_PI * (atan(x / sqrt(2.0 + x * x)) + M_PI / 6.0);
}

/* [S3]: f_2 and f_3 at the printed points and F_3(0.5), to 1e-12; both
 * against their closed forms on a grid over [-1, 1), to 1e-12. */
START_TEST(test_closed_forms)
{
  static const double x[4] = {0.0, 0.3, 0.7, 0.95};
  static const double f2_at[4] = {0.318309886184, 0.292027418517, 0.213630796097,
                                  0.167311372501};
  static const double f3_at[4] = {0.450158158079, 0.403999178468, 0.270766032290,
                                  0.196412599410};
  qrd_law *l2 = law_of("gaussian", 2, QRD_LAW_ABSMAX, INFINITY);
  qrd_law *l3 = law_of("gaussian", 3, QRD_LAW_ABSMAX, INFINITY);
  for (int i = 0; i < 4; i++) {
    ck_assert_double_eq_tol(qrd_law_pdf(l2, x[i]), f2_at[i], 1e-12);
    ck_assert_double_eq_tol(qrd_law_pdf(l3, x[i]), f3_at[i], 1e-12);
  }
  ck_assert_double_eq_tol(qrd_law_cdf(l3, 0.5), 0.704832764699, 1e-12);
  for (int i = 0; i < 200; i++) {
    double t = -1.0 + 0.01 * i;
    ck_assert_double_eq_tol(qrd_law_pdf(l2, t), f2(t), 1e-12);
    ck_assert_double_eq_tol(qrd_law_pdf(l3, t), f3(t), 1e-12);
    ck_assert_double_eq_tol(qrd_law_cdf(l2, t), cdf2(t), 1e-12);
    ck_assert_double_eq_tol(qrd_law_cdf(l3, t), cdf3(t), 1e-12);
  }
  ck_assert_double_eq(qrd_law_cdf(l2, 1.0), 1.0);
  ck_assert_double_eq(qrd_law_cdf(l2, -1.0 - 1e-9), 0.0);
  qrd_law_free(l2);
  qrd_law_free(l3);
}
END_TEST

/* ---- mass, symmetry, atoms ---- */

static double pdf_integrand(double x, void *law) { return qrd_law_pdf(law, x); }

/* Adaptive quadrature of the pointwise density over [-1, 1]. */
static double pdf_mass(const qrd_law *law)
{
  double v, err;
  int st = qrd_integrate(pdf_integrand, (void *)law, -1.0, 1.0, &v, &err);
  ck_assert_msg(st == QRD_OK, "%s", qrd_error_detail());
  return v;
}

/* [S3]: F(1-) - F(-1) = (B-1)/B to 1e-14 (the node rule), the pointwise
 * density integrates to the same by adaptive quadrature, F(0) = 1/2,
 * atoms 1/(2B), and f_B(0) = 0.8182, 1.0335, 1.5169 at B = 16, 64, 4096. */
START_TEST(test_mass)
{
  static const double blocks[] = {2, 3, 16, 64, 1024, 4096};
  for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
    double b = blocks[i], lo, hi;
    qrd_law *law = law_of("gaussian", b, QRD_LAW_ABSMAX, INFINITY);
    double cont = qrd_law_cdf(law, nextafter(1.0, 0.0)) - qrd_law_cdf(law, -1.0);
    ck_assert_double_eq_tol(cont, (b - 1.0) / b, 1e-14);
    ck_assert_double_eq_tol(pdf_mass(law), (b - 1.0) / b, 1e-10);
    ck_assert_double_eq_tol(qrd_law_cdf(law, 0.0), 0.5, 1e-14);
    qrd_law_atoms(law, &lo, &hi);
    ck_assert_double_eq_tol(lo, 0.5 / b, 1e-14);
    ck_assert_double_eq_tol(hi, 0.5 / b, 1e-14);
    double f0 = b == 16 ? 0.8182 : b == 64 ? 1.0335 : b == 4096 ? 1.5169 : NAN;
    if (!isnan(f0))
      ck_assert_double_eq_tol(qrd_law_pdf(law, 0.0), f0, 5e-5);
    qrd_law_free(law);
  }
}
END_TEST

/* Signmax: the maximum always lands on +1 (one atom 1/B), the rest keeps
 * f_B. */
START_TEST(test_signmax)
{
  qrd_law *a = law_of("gaussian", 64, QRD_LAW_ABSMAX, INFINITY);
  qrd_law *s = law_of("gaussian", 64, QRD_LAW_SIGNMAX, INFINITY);
  double lo, hi;
  qrd_law_atoms(s, &lo, &hi);
  ck_assert_double_eq(lo, 0.0);
  ck_assert_double_eq_tol(hi, 1.0 / 64.0, 1e-14);
  ck_assert_double_eq(qrd_law_cdf(s, -1.0), 0.0);
  ck_assert_double_eq_tol(qrd_law_cdf(s, nextafter(1.0, 0.0)), 63.0 / 64.0, 1e-14);
  for (double x = -0.95; x < 1.0; x += 0.1)
    ck_assert_double_eq_tol(qrd_law_pdf(s, x), qrd_law_pdf(a, x), 1e-15);
  qrd_law_free(a);
  qrd_law_free(s);
}
END_TEST

/* ---- the block maximum ---- */

/* [S3] table, to 1e-8, by two methods: adaptive quadrature of the tail of
 * M (qrd_law_block_max, with the closed-form median) and B times the node
 * rule's moments of the maximum element.  E M also by dist/'s own
 * qrd_dist_block_absmax_mean. */
START_TEST(test_block_max_table)
{
  static const double mean[9] = {2.07720448, 2.34707920, 2.59611077, 2.82755780,
                                 3.04422550, 3.24839054, 3.44187028, 3.62611594,
                                 3.80229531};
  static const double mean_sq[9] = {4.54947568, 5.70950530, 6.91389696, 8.14825181,
                                    9.40378275, 10.67498261, 11.95826333, 13.25118361,
                                    14.55200994};
  static const double median[9] = {2.02960487, 2.30035815, 2.55000987, 2.78211581,
                                   2.99953237, 3.20451825, 3.39886038, 3.58398348,
                                   3.76103601};
  qrd_dist d = dist_of("gaussian");
  for (int i = 0; i < 9; i++) {
    double b = 16 << i, m1, m2, med, other;
    qrd_law *law = law_of("gaussian", b, QRD_LAW_ABSMAX, INFINITY);
    ck_assert_int_eq(qrd_law_block_max(law, &m1, &m2, &med), QRD_OK);
    ck_assert_double_eq_tol(m1, mean[i], 1e-8);
    ck_assert_double_eq_tol(m2, mean_sq[i], 1e-8);
    ck_assert_double_eq_tol(med, median[i], 1e-8);
    ck_assert_double_eq_tol(b * law->atom[0], 1.0, 1e-13);
    ck_assert_double_eq_tol(b * law->atom[1], mean[i], 1e-8);
    ck_assert_double_eq_tol(b * law->atom[2], mean_sq[i], 1e-8);
    ck_assert_int_eq(qrd_dist_block_absmax_mean(&d, b, &other), QRD_OK);
    ck_assert_double_eq_tol(m1, other, 1e-10);
    qrd_law_free(law);
  }
}
END_TEST

/* ---- other distributions through the registry ---- */

/* Laplace and Student-t blocks: the density integrates with the atoms to
 * 1, F(0) = 1/2, and E M from the node rule equals dist/'s integral. */
START_TEST(test_heavy_tails)
{
  static const char *const dists[] = {"laplace", "student-t:nu=5", "student-t:nu=3"};
  static const double blocks[] = {2, 16, 256, 4096};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++) {
      qrd_dist d = dist_of(dists[i]);
      qrd_law *law = law_of(dists[i], blocks[j], QRD_LAW_ABSMAX, INFINITY);
      double lo, hi, mean;
      qrd_law_atoms(law, &lo, &hi);
      ck_assert_double_eq_tol(pdf_mass(law) + lo + hi, 1.0, 1e-10);
      ck_assert_double_eq_tol(qrd_law_cdf(law, 0.0), 0.5, 1e-13);
      ck_assert_int_eq(qrd_dist_block_absmax_mean(&d, blocks[j], &mean), QRD_OK);
      ck_assert_msg(fabs(blocks[j] * law->atom[1] - mean) < 1e-9 * mean,
                    "%s B=%g: E M %.12g vs %.12g", dists[i], blocks[j],
                    blocks[j] * law->atom[1], mean);
      qrd_law_free(law);
    }
}
END_TEST

/* ---- expected errors ---- */

static qrd_codebook *nf4_code(void)
{
  qrd_element *e;
  ck_assert_int_eq(qrd_element_nf4(&e), QRD_OK);
  qrd_codebook *c = e->cb;
  e->cb = NULL;
  qrd_element_free(e);
  return c;
}

struct weighted_error {
  const qrd_law *law;
  int k, power;
  double level;
};

static double weighted_error_integrand(double x, void *params)
{
  const struct weighted_error *p = params;
  double e = fabs(x - p->level);
  return (p->power == 1 ? e : e * e) * qrd_law_wpdf(p->law, p->k, x);
}

/* Every metric of the NF4 code at B = 64 and 1024 against adaptive
 * quadrature over x of the pointwise weighted density, cell by cell (split
 * at the level), plus the atoms' error at +-1 (0 here: +-1 are levels). */
START_TEST(test_error_vs_quadrature)
{
  qrd_codebook *c = nf4_code();
  static const double blocks[] = {64, 1024};
  for (int b = 0; b < 2; b++) {
    qrd_law *law = law_of("gaussian", blocks[b], QRD_LAW_ABSMAX, INFINITY);
    for (int m = QRD_LAW_L1N; m <= QRD_LAW_L2W; m++) {
      struct weighted_error p = {.law = law, .k = qrd_law_metric_weight(m),
                                 .power = qrd_law_metric_power(m)};
      double want = 0.0, got, v, err;
      for (size_t i = 0; i < c->n; i++) {
        double lo = fmax(c->edge[i], -1.0), hi = fmin(c->edge[i + 1], 1.0);
        p.level = c->level[i];
        ck_assert_int_eq(qrd_integrate(weighted_error_integrand, &p, lo, p.level, &v, &err),
                         QRD_OK);
        want += v;
        ck_assert_int_eq(qrd_integrate(weighted_error_integrand, &p, p.level, hi, &v, &err),
                         QRD_OK);
        want += v;
      }
      ck_assert_int_eq(qrd_law_error(law, c, m, &got), QRD_OK);
      ck_assert_msg(fabs(got - want) < 1e-10 * want, "B=%g %s: %.15g vs %.15g", blocks[b],
                    qrd_law_metric_name(m), got, want);
    }
    qrd_law_free(law);
  }
  qrd_codebook_free(c);
}
END_TEST

/* A code whose extreme levels are not +-1: the atoms carry error. */
START_TEST(test_atom_error)
{
  qrd_law *law = law_of("gaussian", 16, QRD_LAW_ABSMAX, INFINITY);
  qrd_codebook *c = qrd_codebook_alloc(2);
  c->level[0] = -0.5;
  c->level[1] = 0.5;
  qrd_codebook_set_midpoints(c);
  double l1, l2w, m1, m2, med;
  ck_assert_int_eq(qrd_law_error(law, c, QRD_LAW_L1N, &l1), QRD_OK);
  ck_assert_int_eq(qrd_law_error(law, c, QRD_LAW_L2W, &l2w), QRD_OK);
  ck_assert_int_eq(qrd_law_block_max(law, &m1, &m2, &med), QRD_OK);
  /* E|X - Q(X)| = E| |X| - 1/2 |: atoms 1/16 at distance 1/2, the rest
   * by quadrature of 2 f(x) |x - 1/2| on [0, 1). */
  struct weighted_error p = {.law = law, .k = 0, .power = 1, .level = 0.5};
  double v, err, want = 0.5 / 16.0;
  ck_assert_int_eq(qrd_integrate(weighted_error_integrand, &p, 0.0, 1.0, &v, &err), QRD_OK);
  want += 2.0 * v;
  ck_assert_double_eq_tol(l1, want, 1e-11);
  /* the atoms' share of L2w is E[M^2]/16 * 1/4 */
  p = (struct weighted_error){.law = law, .k = 2, .power = 2, .level = 0.5};
  ck_assert_int_eq(qrd_integrate(weighted_error_integrand, &p, 0.0, 1.0, &v, &err), QRD_OK);
  ck_assert_double_eq_tol(l2w, 2.0 * v + m2 / 16.0 * 0.25, 1e-10);
  qrd_codebook_free(c);
  qrd_law_free(law);
}
END_TEST

/* ---- Monte Carlo ---- */

/* Batch means of a per-element quantity over MC_BATCHES runs of whole
 * blocks: mean and standard error. */
typedef struct {
  double sum[MC_BATCHES];
  size_t count[MC_BATCHES];
} batches;

static void batches_add(batches *b, size_t k, double v)
{
  b->sum[k] += v;
  b->count[k]++;
}

static void batches_result(const batches *b, double *mean, double *se)
{
  double m[MC_BATCHES], total = 0.0, var = 0.0;
  size_t n = 0;
  for (int k = 0; k < MC_BATCHES; k++) {
    m[k] = b->sum[k] / (double)b->count[k];
    total += b->sum[k];
    n += b->count[k];
  }
  *mean = total / (double)n;
  for (int k = 0; k < MC_BATCHES; k++)
    var += (m[k] - *mean) * (m[k] - *mean);
  *se = sqrt(var / (MC_BATCHES - 1) / MC_BATCHES);
}

static void assert_within_3se(const char *what, double exact, const batches *b)
{
  double mean, se;
  batches_result(b, &mean, &se);
  ck_assert_msg(fabs(mean - exact) < 3.0 * se, "%s: exact %.8g, Monte Carlo %.8g +- %.2g",
                what, exact, mean, se);
}

/* Blocks of 64 normalised by fmt/block.h (absmax, fp32 scales): every
 * metric of NF4 and the probability of four cells within 3 standard
 * errors of the exact law. */
START_TEST(test_mc_absmax)
{
  size_t n = (size_t)1 << 21, block = 64, per = n / MC_BATCHES;
  qrd_dist d = dist_of("gaussian");
  double *x = qrd_sample_alloc(&d, 20250607, n), *y = malloc(n * sizeof *y);
  double *w = malloc(n * sizeof *w);
  ck_assert(x && y && w);
  qrd_scaling sc;
  ck_assert_int_eq(qrd_scaling_parse("absmax:64", "fp32", &sc), QRD_OK);
  ck_assert_int_eq(qrd_block_normalise(x, n, &sc, -1.0, 1.0, y, w), QRD_OK);
  qrd_element *e;
  ck_assert_int_eq(qrd_element_nf4(&e), QRD_OK);
  qrd_law *law = law_of("gaussian", (double)block, QRD_LAW_ABSMAX, INFINITY);
  static batches metric[4], cell[4];
  static const size_t cells[4] = {0, 6, 7, 15};
  for (size_t i = 0; i < n; i++) {
    size_t k = i / per, idx = qrd_element_index(e, y[i]);
    double err = y[i] - e->cb->level[idx];
    batches_add(&metric[QRD_LAW_L1N], k, fabs(err));
    batches_add(&metric[QRD_LAW_L2N], k, err * err);
    batches_add(&metric[QRD_LAW_L1W], k, sqrt(w[i]) * fabs(err));
    batches_add(&metric[QRD_LAW_L2W], k, w[i] * err * err);
    for (int j = 0; j < 4; j++)
      batches_add(&cell[j], k, idx == cells[j]);
  }
  for (int m = 0; m < 4; m++) {
    double v;
    ck_assert_int_eq(qrd_law_error(law, e->cb, m, &v), QRD_OK);
    assert_within_3se(qrd_law_metric_name(m), v, &metric[m]);
  }
  double prob[16];
  ck_assert_int_eq(qrd_law_cell_probs(law, e->cb, prob), QRD_OK);
  for (int j = 0; j < 4; j++)
    assert_within_3se("cell probability", prob[cells[j]], &cell[j]);
  qrd_law_free(law);
  qrd_element_free(e);
  free(x);
  free(y);
  free(w);
}
END_TEST

/* OPQ's law (signmax over the inliers |w| <= tau) against blocks
 * normalised by hand: outliers dropped, each block divided by its largest
 * inlier in magnitude, with its sign.  tau = 2.5 makes outliers common
 * (1.2 %) so that the threshold matters. */
START_TEST(test_mc_outliers)
{
  size_t n = (size_t)1 << 21, block = 64, per = n / MC_BATCHES;
  double tau = 2.5;
  qrd_dist d = dist_of("gaussian");
  double *x = qrd_sample_alloc(&d, 77, n);
  ck_assert_ptr_nonnull(x);
  qrd_element *e;
  ck_assert_int_eq(qrd_element_nf4(&e), QRD_OK);
  qrd_law *law = law_of("gaussian", (double)block, QRD_LAW_SIGNMAX, tau);
  static batches metric[4], below;
  for (size_t b = 0; b < n; b += block) {
    double ext = 0.0;
    for (size_t i = b; i < b + block; i++)
      if (fabs(x[i]) <= tau && fabs(x[i]) > fabs(ext))
        ext = x[i];
    for (size_t i = b; i < b + block; i++) {
      if (fabs(x[i]) > tau)
        continue;
      size_t k = i / per;
      double y = x[i] / ext, err = y - qrd_element_quantise(e, y);
      batches_add(&metric[QRD_LAW_L1N], k, fabs(err));
      batches_add(&metric[QRD_LAW_L2N], k, err * err);
      batches_add(&metric[QRD_LAW_L1W], k, fabs(ext) * fabs(err));
      batches_add(&metric[QRD_LAW_L2W], k, ext * ext * err * err);
      batches_add(&below, k, y <= -0.3);
    }
  }
  for (int m = 0; m < 4; m++) {
    double v;
    ck_assert_int_eq(qrd_law_error(law, e->cb, m, &v), QRD_OK);
    assert_within_3se(qrd_law_metric_name(m), v, &metric[m]);
  }
  assert_within_3se("P(X <= -0.3)", qrd_law_cdf(law, -0.3), &below);
  double lo, hi;
  qrd_law_atoms(law, &lo, &hi);
  ck_assert_double_eq_tol(pdf_mass(law) + hi, 1.0, 1e-10);
  qrd_law_free(law);
  qrd_element_free(e);
  free(x);
}
END_TEST

/* ---- bad input ---- */

START_TEST(test_bad_input)
{
  qrd_dist d = dist_of("gaussian");
  qrd_law *law;
  ck_assert_int_eq(qrd_law_alloc(&d, 1, QRD_LAW_ABSMAX, INFINITY, &law), QRD_EINVAL);
  ck_assert_ptr_null(law);
  ck_assert_int_eq(qrd_law_alloc(&d, 2.5, QRD_LAW_ABSMAX, INFINITY, &law), QRD_EINVAL);
  ck_assert_int_eq(qrd_law_alloc(&d, 64, QRD_LAW_ABSMAX, 0.0, &law), QRD_EINVAL);
  /* t with nu = 2.5: E M^2 converges too slowly for the node rule */
  qrd_dist t = dist_of("student-t:nu=2.5");
  ck_assert_int_eq(qrd_law_alloc(&t, 64, QRD_LAW_ABSMAX, INFINITY, &law), QRD_EDOM);
  qrd_law_metric m;
  ck_assert_int_eq(qrd_law_metric_parse("l2w", &m), QRD_OK);
  ck_assert_int_eq(m, QRD_LAW_L2W);
  ck_assert_int_eq(qrd_law_metric_parse("mse", &m), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "l1, l2, l1w, l2w"));
}
END_TEST

Suite *qrd_suite_law(void)
{
  Suite *s = suite_create("law");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_test(tc, test_closed_forms);
  tcase_add_test(tc, test_mass);
  tcase_add_test(tc, test_signmax);
  tcase_add_test(tc, test_block_max_table);
  tcase_add_test(tc, test_heavy_tails);
  tcase_add_test(tc, test_error_vs_quadrature);
  tcase_add_test(tc, test_atom_error);
  tcase_add_test(tc, test_mc_absmax);
  tcase_add_test(tc, test_mc_outliers);
  tcase_add_test(tc, test_bad_input);
  suite_add_tcase(s, tc);
  return s;
}
