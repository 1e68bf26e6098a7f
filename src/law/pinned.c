#include "law/pinned.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "core/error.h"

/* work: 12 arrays of n doubles and the 2 n + 1 interval ends, carved up
 * in iterate(). */
#define WORK_ARRAYS 12

qrd_law_lloyd *qrd_law_lloyd_alloc(size_t n)
{
  qrd_law_lloyd *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->n = n;
  w->level = malloc(n * sizeof *w->level);
  w->pinned = malloc(n);
  w->work = malloc((WORK_ARRAYS * n + 2 * n + 1) * sizeof *w->work);
  w->mom = malloc(2 * n * sizeof *w->mom);
  if (!w->level || !w->pinned || !w->work || !w->mom) {
    qrd_law_lloyd_free(w);
    return NULL;
  }
  return w;
}

void qrd_law_lloyd_free(qrd_law_lloyd *w)
{
  if (!w)
    return;
  free(w->level);
  free(w->pinned);
  free(w->work);
  free(w->mom);
  free(w);
}

static int ordered(const double *c, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!(c[i] >= -1.0 && c[i] <= 1.0) || (i > 0 && !(c[i] > c[i - 1])))
      return 0;
  return 1;
}

int qrd_law_lloyd_init(qrd_law_lloyd *w, const qrd_law *law, qrd_law_metric metric,
                       const double *level, const unsigned char *pinned)
{
  if (w->n < 2 || !ordered(level, w->n))
    return qrd_error_set(QRD_EINVAL, "pinned lloyd: %zu starting levels must ascend "
                         "strictly within [-1, 1]", w->n);
  w->law = law;
  w->metric = metric;
  w->iter = 0;
  w->change = INFINITY;
  memcpy(w->level, level, w->n * sizeof *level);
  memcpy(w->pinned, pinned, w->n);
  return QRD_OK;
}

/* Per cell i of levels c: the weighted mass, the weighted mass below it
 * and the residual r_i of its condition (0 for pinned levels):
 *   power 1: half the mass left of c_i minus half the mass right of it;
 *   power 2: E[M^k X; cell] - c_i E[M^k; cell]. */
typedef struct {
  double *r, *mass, *below;
} residuals;

static int residual(qrd_law_lloyd *w, const double *c, double *x, residuals *out)
{
  size_t n = w->n;
  int k = qrd_law_metric_weight(w->metric), power = qrd_law_metric_power(w->metric);
  x[0] = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    x[2 * i + 1] = c[i];
    x[2 * i + 2] = i + 1 < n ? 0.5 * (c[i] + c[i + 1]) : INFINITY;
  }
  int st = qrd_law_intervals(w->law, k, x, 2 * n + 1, w->mom);
  double cum = 0.0;
  for (size_t i = 0; !st && i < n; i++) {
    const double *l = w->mom[2 * i], *r = w->mom[2 * i + 1];
    out->mass[i] = l[0] + r[0];
    out->below[i] = cum;
    cum += out->mass[i];
    out->r[i] = w->pinned[i] ? 0.0
              : power == 1 ? 0.5 * (l[0] - r[0])
                           : (l[1] + r[1]) - c[i] * out->mass[i];
  }
  return st;
}

/* How far from the fixed point: the largest |r_i| / mass_i. */
static double imbalance(const residuals *res, size_t n)
{
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    if (res->mass[i] > 0.0)
      worst = fmax(worst, fabs(res->r[i]) / res->mass[i]);
  return worst;
}

/* Tridiagonal Jacobian of r in the levels (boundary t_i = midpoint of
 * c_i, c_{i+1}, rho the weighted density):
 *   median:   dr_i/dc_i = rho(c_i) - (rho(t_{i-1}) + rho(t_i))/4,
 *             dr_i/dc_{i+-1} = -rho(t)/4;
 *   centroid: dr_i/dc_i = -mass_i + ((t_i - c_i) rho(t_i) - (t_{i-1} - c_i) rho(t_{i-1}))/2,
 *             dr_i/dc_{i+1} = (t_i - c_i) rho(t_i)/2,
 *             dr_i/dc_{i-1} = -(t_{i-1} - c_i) rho(t_{i-1})/2.
 * Pinned rows are the identity (their residual is 0). upper[i] =
 * dr_i/dc_{i+1}, lower[i] = dr_{i+1}/dc_i (GSL's layout). */
static void jacobian(const qrd_law_lloyd *w, const residuals *res, double *rho_t,
                     double *diag, double *upper, double *lower)
{
  size_t n = w->n;
  const double *c = w->level;
  int k = qrd_law_metric_weight(w->metric), power = qrd_law_metric_power(w->metric);
  for (size_t i = 0; i + 1 < n; i++) {
    rho_t[i] = qrd_law_wpdf(w->law, k, 0.5 * (c[i] + c[i + 1]));
    upper[i] = lower[i] = 0.0;
  }
  for (size_t i = 0; i < n; i++) {
    if (w->pinned[i]) {
      diag[i] = 1.0;
      continue;
    }
    double rl = i > 0 ? rho_t[i - 1] : 0.0, rr = i + 1 < n ? rho_t[i] : 0.0;
    if (power == 1) {
      diag[i] = qrd_law_wpdf(w->law, k, c[i]) - 0.25 * (rl + rr);
      if (i > 0)
        lower[i - 1] = -0.25 * rl;
      if (i + 1 < n)
        upper[i] = -0.25 * rr;
    } else {
      double dl = i > 0 ? -0.5 * (0.5 * (c[i - 1] + c[i]) - c[i]) * rl : 0.0;
      double du = i + 1 < n ? 0.5 * (0.5 * (c[i] + c[i + 1]) - c[i]) * rr : 0.0;
      diag[i] = -res->mass[i] + du + dl;
      if (i > 0)
        lower[i - 1] = dl;
      if (i + 1 < n)
        upper[i] = du;
    }
  }
}

/* The plain Lloyd update: each free level to its cell's weighted median or
 * centroid (empty cells keep theirs). */
static int lloyd_step(const qrd_law_lloyd *w, const residuals *res, const double *saved,
                      double *c)
{
  int k = qrd_law_metric_weight(w->metric), power = qrd_law_metric_power(w->metric);
  for (size_t i = 0; i < w->n; i++) {
    c[i] = saved[i];
    if (w->pinned[i] || !(res->mass[i] > 0.0))
      continue;
    if (power == 2) {
      c[i] = saved[i] + res->r[i] / res->mass[i];
      continue;
    }
    int st = qrd_law_wquantile(w->law, k, res->below[i] + 0.5 * res->mass[i], &c[i]);
    if (st)
      return st;
  }
  return QRD_OK;
}

int qrd_law_lloyd_iterate(qrd_law_lloyd *w)
{
  size_t n = w->n;
  double *a = w->work;
  residuals res = {a, a + n, a + 2 * n}, trial = {a + 3 * n, a + 4 * n, a + 5 * n};
  double *diag = a + 6 * n, *upper = a + 7 * n, *lower = a + 8 * n, *step = a + 9 * n;
  double *saved = a + 10 * n, *rho_t = a + 11 * n, *x = a + WORK_ARRAYS * n;
  int st = residual(w, w->level, x, &res);
  double before = st ? 0.0 : imbalance(&res, n);
  memcpy(saved, w->level, n * sizeof *saved);
  int newton = 0;
  if (!st) {
    jacobian(w, &res, rho_t, diag, upper, lower);
    gsl_vector_view vd = gsl_vector_view_array(diag, n), vr = gsl_vector_view_array(res.r, n);
    gsl_vector_view vu = gsl_vector_view_array(upper, n - 1);
    gsl_vector_view vl = gsl_vector_view_array(lower, n - 1);
    gsl_vector_view vs = gsl_vector_view_array(step, n);
    newton = gsl_linalg_solve_tridiag(&vd.vector, &vu.vector, &vl.vector, &vr.vector,
                                      &vs.vector) == GSL_SUCCESS;
    for (size_t i = 0; newton && i < n; i++)
      w->level[i] = saved[i] - step[i];
    newton = newton && ordered(w->level, n);
  }
  if (!st && newton) {
    st = residual(w, w->level, x, &trial);
    newton = imbalance(&trial, n) < before;
  }
  if (!st && !newton)
    st = lloyd_step(w, &res, saved, w->level);
  if (st)
    return st;
  double change = 0.0;
  for (size_t i = 0; i < n; i++)
    change = fmax(change, fabs(w->level[i] - saved[i]));
  w->change = change;
  w->iter++;
  return QRD_OK;
}

int qrd_law_lloyd_test(const qrd_law_lloyd *w, double tol)
{
  return w->change <= tol ? QRD_OK : QRD_CONTINUE;
}

int qrd_law_lloyd_run(qrd_law_lloyd *w, double tol, size_t max_iter)
{
  while (w->iter < max_iter) {
    int st = qrd_law_lloyd_iterate(w);
    if (st)
      return st;
    if (qrd_law_lloyd_test(w, tol) == QRD_OK)
      return QRD_OK;
  }
  return qrd_error_set(QRD_EMAXITER,
                       "pinned %s code, %zu levels, B=%g of %s: no convergence in %zu "
                       "iterations (last move %g)", qrd_law_metric_name(w->metric), w->n,
                       w->law->block, w->law->d.spec, max_iter, w->change);
}

/* ---- layouts ---- */

static int layout_pins(qrd_pin_layout layout, size_t n, double *level,
                       unsigned char *pinned)
{
  memset(pinned, 0, n);
  if (layout == QRD_PINS_SYMMETRIC) {
    if (n < 4 || n % 2)
      return qrd_error_set(QRD_EINVAL, "%zu levels invalid for pins -1, 0, +1 (allowed: "
                           "an even number >= 4)", n);
    pinned[0] = pinned[n / 2 - 1] = pinned[n - 1] = 1;
    level[0] = -1.0;
    level[n / 2 - 1] = 0.0;
  } else {
    if (n < 3)
      return qrd_error_set(QRD_EINVAL, "%zu levels invalid for pins 0, +1 (allowed: >= 3)",
                           n);
    pinned[(n - 1) / 2] = pinned[n - 1] = 1;
    level[(n - 1) / 2] = 0.0;
  }
  level[n - 1] = 1.0;
  return QRD_OK;
}

int qrd_pinned_start(const qrd_law *law, qrd_pin_layout layout, size_t n, double *level,
                     unsigned char *pinned)
{
  int st = layout_pins(layout, n, level, pinned);
  double atom_lo, atom_hi;
  qrd_law_atoms(law, &atom_lo, &atom_hi);
  for (size_t i = 0; !st && i < n;) {
    if (pinned[i]) {
      i++;
      continue;
    }
    size_t j = i; /* free run [i, j) between pins (or the ends) */
    while (j < n && !pinned[j])
      j++;
    double lo = i > 0 ? qrd_law_cdf(law, level[i - 1]) : atom_lo;
    double hi = j < n && level[j] < 1.0 ? qrd_law_cdf(law, level[j]) : 1.0 - atom_hi;
    for (size_t r = i; !st && r < j; r++)
      st = qrd_law_quantile(law, lo + (hi - lo) * (double)(r - i + 1) / (double)(j - i + 1),
                            &level[r]);
    i = j;
  }
  return st;
}

int qrd_pinned_code(const qrd_law *law, qrd_law_metric metric, qrd_pin_layout layout,
                    size_t n, qrd_codebook **out)
{
  *out = NULL;
  qrd_law_lloyd *w = qrd_law_lloyd_alloc(n);
  double *level = malloc(n * sizeof *level);
  unsigned char *pinned = malloc(n);
  int st = w && level && pinned ? QRD_OK : qrd_error_set(QRD_ENOMEM, "pinned code");
  if (!st)
    st = qrd_pinned_start(law, layout, n, level, pinned);
  if (!st)
    st = qrd_law_lloyd_init(w, law, metric, level, pinned);
  if (!st)
    st = qrd_law_lloyd_run(w, QRD_PINNED_TOL, QRD_PINNED_MAX_ITER);
  qrd_codebook *c = st ? NULL : qrd_codebook_alloc(n);
  if (!st && !c)
    st = qrd_error_set(QRD_ENOMEM, "pinned code");
  if (!st) {
    memcpy(c->level, w->level, n * sizeof *c->level);
    qrd_codebook_set_midpoints(c);
    *out = c;
  }
  free(level);
  free(pinned);
  qrd_law_lloyd_free(w);
  return st;
}
