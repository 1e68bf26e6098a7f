#include "law/blockmax.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>

#include "core/error.h"
#include "core/integrate.h"
#include "core/solve.h"

#define GL_POINTS 20
#define S_MIN (-60.0)   /* log m range searched for the envelope */
#define S_MAX 60.0
#define SCAN_STEP 0.25
#define CUT 40.0        /* e-folds of the envelope kept below its peak */
#define PANEL_RISE 4.0  /* largest envelope change (e-folds) in one panel */
#define PANEL_MAX 1.0
#define PANEL_MIN 1e-3
#define MAX_BLOCK 16777216.0

/* ---- the quadrature rule over m ---- */

typedef struct {
  const qrd_dist *d;
  double block, sf_tau;
} envelope;

/* log H(m), H(m) = P(another element is below m or an outlier). */
static double log_h(const envelope *e, double m)
{
  return log1p(-2.0 * (qrd_dist_sf(e->d, m) - e->sf_tau));
}

/* H^power without 0 * log 0 = NaN at B = 2. */
static double h_pow(double lh, double power) { return power == 0.0 ? 1.0 : exp(power * lh); }

/* Log of an upper bound on every integrand over s = log m: Jacobian m,
 * at most a factor (1 + m)^2 from M^2 weights and second moments, and the
 * density B 2 p(m) H^{B-2} that bounds both the other-maximum and the
 * maximum densities (constants dropped). */
static double log_envelope(const envelope *e, double s)
{
  double m = exp(s), p = qrd_dist_pdf(e->d, m);
  if (!(p > 0.0))
    return -INFINITY;
  double lh = e->block > 2.0 ? (e->block - 2.0) * log_h(e, m) : 0.0;
  return s + 2.0 * log1p(m) + log(p) + lh;
}

/* Envelope range [*lo, *hi] in s where it is within CUT e-folds of its
 * peak, from a scan; the top is log tau when tau truncates it. */
static int envelope_range(const envelope *e, double s_top, double *lo, double *hi,
                          double *peak)
{
  enum { SCAN_MAX = (int)((S_MAX - S_MIN) / SCAN_STEP) + 1 };
  double v[SCAN_MAX], best = -INFINITY;
  if (!(s_top > S_MIN + SCAN_STEP))
    return qrd_error_set(QRD_EDOM, "block law of %s: tau=%g is too small", e->d->spec,
                         exp(s_top));
  size_t n = (size_t)floor((s_top - S_MIN) / SCAN_STEP) + 1;
  for (size_t i = 0; i < n; i++)
    best = fmax(best, v[i] = log_envelope(e, S_MIN + SCAN_STEP * (double)i));
  if (!isfinite(best))
    return qrd_error_set(QRD_EDOM, "block law of %s: density vanishes on (0, %g)",
                         e->d->spec, exp(s_top));
  size_t first = n, last = 0;
  for (size_t i = 0; i < n; i++)
    if (v[i] >= best - CUT) {
      first = i < first ? i : first;
      last = i;
    }
  if (first == 0 || (last == n - 1 && s_top >= S_MAX))
    return qrd_error_set(QRD_EDOM,
                         "block law of %s, B=%g: the moments of the block maximum do "
                         "not settle within %g < m < %g", e->d->spec, e->block,
                         exp(S_MIN), exp(S_MAX));
  *lo = S_MIN + SCAN_STEP * (double)(first - 1);
  *hi = last == n - 1 ? s_top : fmin(s_top, S_MIN + SCAN_STEP * (double)(last + 1));
  *peak = best;
  return QRD_OK;
}

/* Range of the envelope over [s, s + h] on 5 points, values below the cut
 * clamped (they need no resolution). */
static double variation(const envelope *e, double s, double h, double floor_)
{
  double lo = INFINITY, hi = -INFINITY;
  for (int j = 0; j <= 4; j++) {
    double v = fmax(log_envelope(e, s + h * j / 4.0), floor_);
    lo = fmin(lo, v);
    hi = fmax(hi, v);
  }
  return hi - lo;
}

/* Panels [edge[i], edge[i+1]] covering [lo, hi]; returns their count and
 * writes the edges when edge is not NULL. */
static size_t march(const envelope *e, double lo, double hi, double floor_, double *edge)
{
  size_t n = 0;
  double s = lo;
  if (edge)
    edge[0] = lo;
  while (s < hi) {
    double h = fmin(PANEL_MAX, hi - s);
    while (h > PANEL_MIN && variation(e, s, h, floor_) > PANEL_RISE)
      h *= 0.5;
    s = hi - s - h < 0.5 * PANEL_MIN ? hi : s + h;
    n++;
    if (edge)
      edge[n] = s;
  }
  return n;
}

static int alloc_nodes(qrd_law *law, size_t n)
{
  law->n = n;
  law->m = malloc(n * sizeof *law->m);
  law->neg = malloc(n * sizeof *law->neg);
  int ok = law->m && law->neg;
  for (int k = 0; k < 3; k++)
    ok = (law->w[k] = malloc(n * sizeof *law->w[k])) && ok;
  return ok ? QRD_OK : qrd_error_set(QRD_ENOMEM, "block law: %zu nodes", n);
}

/* Node j: weight omega (Gauss-Legendre in s, times the Jacobian m) of the
 * other-maximum density (B - 1) 2 p H^{B-2} and of the maximum's own
 * density 2 p H^{B-1}, per inlier element. */
static void set_node(qrd_law *law, const envelope *e, size_t j, double s, double omega)
{
  double m = exp(s), b = law->block;
  double lh = log_h(e, m), p2 = 2.0 * qrd_dist_pdf(&law->d, m) * omega * m / law->inlier;
  double w0 = (b - 1.0) * p2 * h_pow(lh, b - 2.0), w_max = p2 * h_pow(lh, b - 1.0);
  law->m[j] = m;
  law->neg[j] = qrd_dist_cdf(&law->d, -m);
  law->w[0][j] = w0;
  law->w[1][j] = w0 * m;
  law->w[2][j] = w0 * m * m;
  law->atom[0] += w_max;
  law->atom[1] += w_max * m;
  law->atom[2] += w_max * m * m;
}

static int build_rule(qrd_law *law)
{
  envelope e = {.d = &law->d, .block = law->block,
                .sf_tau = isinf(law->tau) ? 0.0 : qrd_dist_sf(&law->d, law->tau)};
  double lo = 0.0, hi = 0.0, peak = 0.0, s_top = fmin(S_MAX, log(law->tau));
  int st = envelope_range(&e, s_top, &lo, &hi, &peak);
  if (st)
    return st;
  double floor_ = peak - CUT - 10.0;
  size_t panels = march(&e, lo, hi, floor_, NULL);
  double *edge = malloc((panels + 1) * sizeof *edge);
  gsl_integration_glfixed_table *gl = gsl_integration_glfixed_table_alloc(GL_POINTS);
  st = edge && gl ? alloc_nodes(law, panels * GL_POINTS)
                  : qrd_error_set(QRD_ENOMEM, "block law quadrature");
  if (!st) {
    march(&e, lo, hi, floor_, edge);
    for (size_t p = 0; p < panels; p++)
      for (size_t i = 0; i < GL_POINTS; i++) {
        double s, omega;
        gsl_integration_glfixed_point(edge[p], edge[p + 1], i, &s, &omega, gl);
        set_node(law, &e, p * GL_POINTS + i, s, omega);
      }
  }
  free(edge);
  if (gl)
    gsl_integration_glfixed_table_free(gl);
  return st;
}

int qrd_law_alloc(const qrd_dist *d, double block, qrd_law_scaling scaling, double tau,
                  qrd_law **out)
{
  *out = NULL;
  if (!(block >= 2.0 && block <= MAX_BLOCK && block == floor(block)))
    return qrd_error_set(QRD_EINVAL, "block law: B=%g invalid (allowed: a whole number "
                         "from 2 to %g)", block, MAX_BLOCK);
  if (!(tau > 0.0))
    return qrd_error_set(QRD_EINVAL, "block law: tau=%g invalid (allowed: tau > 0)", tau);
  if (scaling != QRD_LAW_ABSMAX && scaling != QRD_LAW_SIGNMAX)
    return qrd_error_set(QRD_EINVAL, "block law: unknown scaling %d", (int)scaling);
  qrd_law *law = calloc(1, sizeof *law);
  if (!law)
    return qrd_error_set(QRD_ENOMEM, "block law");
  law->d = *d;
  law->block = block;
  law->scaling = scaling;
  law->tau = tau;
  law->inlier = isinf(tau) ? 1.0 : 1.0 - 2.0 * qrd_dist_sf(d, tau);
  /* A quarter of the upper quartile: there the density is smooth on each
   * side of 0 (20 Gauss-Legendre points are exact to rounding) and the
   * closed forms lose at most ~1e-14 relative.  A family without closed
   * forms already integrates each interval directly. */
  law->near_zero = d->type->partial_moments ? 0.25 * qrd_dist_quantile(d, 0.75) : 0.0;
  if (!(law->near_zero > 0.0 && isfinite(law->near_zero)))
    law->near_zero = 0.0;
  int st = build_rule(law);
  if (st) {
    qrd_law_free(law);
    return st;
  }
  *out = law;
  return QRD_OK;
}

void qrd_law_free(qrd_law *law)
{
  if (!law)
    return;
  free(law->m);
  free(law->neg);
  for (int k = 0; k < 3; k++)
    free(law->w[k]);
  free(law);
}

/* ---- pointwise functions ---- */

static void weighted_atoms(const qrd_law *law, int k, double *lo, double *hi)
{
  int signmax = law->scaling == QRD_LAW_SIGNMAX;
  *lo = signmax ? 0.0 : 0.5 * law->atom[k];
  *hi = signmax ? law->atom[k] : 0.5 * law->atom[k];
}

void qrd_law_atoms(const qrd_law *law, double *lo, double *hi)
{
  weighted_atoms(law, 0, lo, hi);
}

double qrd_law_wpdf(const qrd_law *law, int k, double x)
{
  if (!(x >= -1.0 && x <= 1.0))
    return 0.0;
  double f = 0.0;
  for (size_t j = 0; j < law->n; j++)
    f += law->w[k][j] * law->m[j] * qrd_dist_pdf(&law->d, law->m[j] * x);
  return f;
}

double qrd_law_pdf(const qrd_law *law, double x) { return qrd_law_wpdf(law, 0, x); }

/* E[M^k 1{-1 < X <= x}] of the non-maximum elements, x in [-1, 1]. */
static double continuous_wcdf(const qrd_law *law, int k, double x)
{
  double f = 0.0;
  for (size_t j = 0; j < law->n; j++)
    f += law->w[k][j] * (qrd_dist_cdf(&law->d, law->m[j] * x) - law->neg[j]);
  return f;
}

double qrd_law_wcdf(const qrd_law *law, int k, double x)
{
  if (x < -1.0)
    return 0.0;
  double lo, hi;
  weighted_atoms(law, k, &lo, &hi);
  return lo + continuous_wcdf(law, k, fmin(x, 1.0)) + (x >= 1.0 ? hi : 0.0);
}

double qrd_law_cdf(const qrd_law *law, double x)
{
  if (x >= 1.0)
    return 1.0;
  return qrd_law_wcdf(law, 0, x);
}

struct level_set {
  const qrd_law *law;
  int k;
  double v;
};

static double wcdf_residual(double x, void *params)
{
  const struct level_set *p = params;
  return (p->k == 0 ? qrd_law_cdf(p->law, x) : qrd_law_wcdf(p->law, p->k, x)) - p->v;
}

int qrd_law_quantile(const qrd_law *law, double v, double *x)
{
  double lo, hi;
  qrd_law_atoms(law, &lo, &hi);
  if (v <= lo) {
    *x = -1.0;
    return QRD_OK;
  }
  if (v >= 1.0 - hi) {
    *x = 1.0;
    return QRD_OK;
  }
  struct level_set p = {.law = law, .k = 0, .v = v};
  return qrd_root(wcdf_residual, &p, -1.0, 1.0, 2e-12, 4.0 * DBL_EPSILON, x);
}

int qrd_law_wquantile(const qrd_law *law, int k, double v, double *x)
{
  struct level_set p = {.law = law, .k = k, .v = v};
  return qrd_root(wcdf_residual, &p, -1.0, 1.0, 1e-15, 0.0, x);
}

/* ---- interval moments ---- */

/* Gauss-Legendre on [a, b] with 0 <= a < b of w^r p(w), r = 0, 1, 2. */
static void near_zero_half(const qrd_dist *d, const gsl_integration_glfixed_table *gl,
                           double a, double b, double m[3])
{
  for (size_t i = 0; i < gl->n; i++) {
    double w, omega;
    gsl_integration_glfixed_point(a, b, i, &w, &omega, gl);
    double p = omega * qrd_dist_pdf(d, w);
    m[0] += p;
    m[1] += p * w;
    m[2] += p * w * w;
  }
}

/* Partial moments over [a, b] near 0 (|a|, |b| <= law->near_zero), by
 * quadrature on each side of 0 (a density may have a kink there, as the
 * Laplace does).  The closed forms of dist/ are differences of O(1)
 * quantities (cdf(b) - cdf(a), m0 + a p(a) - b p(b)), whose rounding,
 * O(1e-16), dwarfs a second moment of order b^3 once b < 1e-5; the
 * interval moments divide it by m^2, and at B = 2 the nodes reach m ~
 * 1e-17 (the other element's maximum has density 2 p(0) > 0 at m = 0),
 * which made E (X - Q(X))^2 come out as -1.46 for a Gaussian. */
static void near_zero_moments(const qrd_dist *d, const gsl_integration_glfixed_table *gl,
                              double a, double b, double m[3])
{
  m[0] = m[1] = m[2] = 0.0;
  if (b > 0.0)
    near_zero_half(d, gl, fmax(a, 0.0), b, m);
  if (a < 0.0) {
    double neg[3] = {0.0, 0.0, 0.0};
    near_zero_half(d, gl, -fmin(b, 0.0), -a, neg); /* mirror: p(-w) */
    m[0] += neg[0];
    m[1] -= neg[1];
    m[2] += neg[2];
  }
}

/* Each interval's partial moments are taken on their own rather than as
 * differences of shared tails (qrd_dist_cell_moments): an edge at exactly 0
 * -- the pinned level of every code here -- would pair a lower tail with
 * the upper tail at 0 there.  Nodes with m <= law->near_zero use
 * near_zero_moments instead of the closed forms. */
int qrd_law_intervals(const qrd_law *law, int k, const double *x, size_t n,
                      double (*mom)[3])
{
  if (n < 2)
    return QRD_OK;
  double *y = malloc(n * sizeof *y);
  gsl_integration_glfixed_table *gl = gsl_integration_glfixed_table_alloc(GL_POINTS);
  int st = y && gl ? QRD_OK : qrd_error_set(QRD_ENOMEM, "interval moments");
  memset(mom, 0, (n - 1) * sizeof *mom);
  for (size_t j = 0; !st && j < law->n; j++) {
    double m = law->m[j], scale[3] = {law->w[k][j], law->w[k][j] / m,
                                      law->w[k][j] / (m * m)};
    int near = m <= law->near_zero;
    for (size_t i = 0; i < n; i++)
      y[i] = m * fmin(fmax(x[i], -1.0), 1.0);
    for (size_t i = 0; !st && i + 1 < n; i++) {
      double cell[3] = {0.0, 0.0, 0.0};
      if (!(y[i] < y[i + 1]))
        continue;
      if (near)
        near_zero_moments(&law->d, gl, y[i], y[i + 1], cell);
      else
        st = qrd_dist_partial_moments(&law->d, y[i], y[i + 1], cell);
      for (int r = 0; !st && r < 3; r++)
        mom[i][r] += scale[r] * cell[r];
    }
  }
  if (gl)
    gsl_integration_glfixed_table_free(gl);
  double lo, hi;
  weighted_atoms(law, k, &lo, &hi);
  for (size_t i = 0; !st && i + 1 < n; i++) {
    if (x[i] < -1.0 && -1.0 <= x[i + 1]) {
      mom[i][0] += lo;
      mom[i][1] -= lo;
      mom[i][2] += lo;
    }
    if (x[i] < 1.0 && 1.0 <= x[i + 1])
      for (int r = 0; r < 3; r++)
        mom[i][r] += hi;
  }
  free(y);
  return st;
}

/* ---- the block maximum ---- */

struct block_max {
  const qrd_law *law;
  double sf_tau;
  int power; /* 0: E M, 1: E M^2 */
};

/* (2m)^power P(M > m), as -expm1 to keep the far tail. */
static double max_tail(double m, void *params)
{
  const struct block_max *p = params;
  double sf = qrd_dist_sf(&p->law->d, m) - p->sf_tau;
  double tail = -expm1(p->law->block * log1p(-2.0 * sf));
  return p->power ? 2.0 * m * tail : tail;
}

int qrd_law_block_max(const qrd_law *law, double *mean, double *mean_sq, double *median)
{
  struct block_max p = {.law = law,
                        .sf_tau = isinf(law->tau) ? 0.0 : qrd_dist_sf(&law->d, law->tau)};
  double err;
  int st = qrd_integrate(max_tail, &p, 0.0, law->tau, mean, &err);
  p.power = 1;
  if (!st)
    st = qrd_integrate(max_tail, &p, 0.0, law->tau, mean_sq, &err);
  /* H(m)^B = 1/2: sf(m) = (1 - 2^{-1/B}) / 2 + sf(tau) */
  double sf = -0.5 * expm1(-M_LN2 / law->block) + p.sf_tau;
  *median = sf >= 0.5 ? 0.0 : qrd_dist_quantile(&law->d, 1.0 - sf);
  return st;
}

/* ---- errors of a codebook ---- */

/* Ascending points edge_0, level_0, edge_1, ..., level_{n-1}, edge_n: cell
 * i splits into (edge_i, level_i] and (level_i, edge_{i+1}]. */
static int split_points(const qrd_codebook *c, double *x)
{
  for (size_t i = 0; i < c->n; i++) {
    if (!(c->edge[i] <= c->level[i] && c->level[i] <= c->edge[i + 1]))
      return qrd_error_set(QRD_EINVAL, "codebook level %zu = %g lies outside its cell "
                           "(%g, %g]", i, c->level[i], c->edge[i], c->edge[i + 1]);
    x[2 * i] = c->edge[i];
    x[2 * i + 1] = c->level[i];
  }
  x[2 * c->n] = c->edge[c->n];
  return QRD_OK;
}

int qrd_law_error(const qrd_law *law, const qrd_codebook *c, qrd_law_metric metric,
                  double *value)
{
  size_t n = 2 * c->n + 1;
  double *x = malloc(n * sizeof *x);
  double (*mom)[3] = malloc((n - 1) * sizeof *mom);
  int st = x && mom ? split_points(c, x) : qrd_error_set(QRD_ENOMEM, "law error");
  int k = qrd_law_metric_weight(metric), power = qrd_law_metric_power(metric);
  if (!st)
    st = qrd_law_intervals(law, k, x, n, mom);
  *value = 0.0;
  for (size_t i = 0; !st && i < c->n; i++) {
    double q = c->level[i];
    const double *l = mom[2 * i], *r = mom[2 * i + 1];
    if (power == 1)
      *value += (q * l[0] - l[1]) + (r[1] - q * r[0]);
    else
      *value += (l[2] + r[2]) - 2.0 * q * (l[1] + r[1]) + q * q * (l[0] + r[0]);
  }
  free(x);
  free(mom);
  return st;
}

int qrd_law_cell_probs(const qrd_law *law, const qrd_codebook *c, double *prob)
{
  double (*mom)[3] = malloc(c->n * sizeof *mom);
  int st = mom ? qrd_law_intervals(law, 0, c->edge, c->n + 1, mom)
               : qrd_error_set(QRD_ENOMEM, "cell probabilities");
  for (size_t i = 0; !st && i < c->n; i++)
    prob[i] = mom[i][0];
  free(mom);
  return st;
}

/* ---- metric names ---- */

static const char *const metric_names[] = {"l1", "l2", "l1w", "l2w"};

int qrd_law_metric_parse(const char *name, qrd_law_metric *m)
{
  for (int i = 0; i < 4; i++)
    if (strcmp(name, metric_names[i]) == 0) {
      *m = (qrd_law_metric)i;
      return QRD_OK;
    }
  return qrd_error_set(QRD_EINVAL, "metric '%s' unknown (allowed: l1, l2, l1w, l2w)", name);
}

const char *qrd_law_metric_name(qrd_law_metric m) { return metric_names[m]; }

int qrd_law_metric_weight(qrd_law_metric m)
{
  return m == QRD_LAW_L1W ? 1 : m == QRD_LAW_L2W ? 2 : 0;
}

int qrd_law_metric_power(qrd_law_metric m)
{
  return m == QRD_LAW_L1N || m == QRD_LAW_L1W ? 1 : 2;
}
