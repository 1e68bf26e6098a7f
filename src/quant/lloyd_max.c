/* Lloyd-Max: the MSE-optimal fixed-length quantiser.  Plain Lloyd converges
 * linearly with a rate that approaches 1 as N grows (heavy tails worst), so
 * the iteration takes Newton steps on the fixed-point equations, started
 * from the cube-root-density grid, which is already near the optimum. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "core/error.h"
#include "quant/designs.h"
#include "quant/lloyd.h"
#include "quant/quantiser.h"

#define MAX_ITER 10000
#define TOL_REL 1e-10

qrd_lloyd *qrd_lloyd_alloc(size_t levels)
{
  qrd_lloyd *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->cb = qrd_codebook_alloc(levels);
  w->work = malloc(8 * levels * sizeof *w->work);
  if (!w->cb || !w->work) {
    qrd_lloyd_free(w);
    return NULL;
  }
  return w;
}

void qrd_lloyd_free(qrd_lloyd *w)
{
  if (!w)
    return;
  qrd_codebook_free(w->cb);
  free(w->work);
  free(w);
}

int qrd_lloyd_init(qrd_lloyd *w, const qrd_dist *d, const double *level)
{
  w->d = d;
  w->iter = 0;
  w->change = INFINITY;
  memcpy(w->cb->level, level, w->cb->n * sizeof *level);
  return QRD_OK;
}

/* Residual r_i = integral over cell i of (c_i - x) p(x) dx, which vanishes
 * at a Lloyd-Max fixed point, and its tridiagonal Jacobian (cell i's edges
 * are the midpoints next to c_i, so only c_{i-1}, c_i, c_{i+1} enter). */
static int residual(qrd_lloyd *w, double *r, double *mass, double *diag,
                    double *lower, double *upper)
{
  qrd_codebook *c = w->cb;
  qrd_codebook_set_midpoints(c);
  for (size_t i = 0; i < c->n; i++) {
    double m[3], a = c->edge[i], b = c->edge[i + 1], q = c->level[i];
    int st = qrd_dist_partial_moments(w->d, a, b, m);
    if (st)
      return st;
    double pa = isinf(a) ? 0.0 : 0.5 * (q - a) * qrd_dist_pdf(w->d, a);
    double pb = isinf(b) ? 0.0 : 0.5 * (q - b) * qrd_dist_pdf(w->d, b);
    r[i] = q * m[0] - m[1];
    mass[i] = m[0];
    diag[i] = m[0] + pb - pa;
    if (i > 0)
      lower[i - 1] = -pa;
    if (i + 1 < c->n)
      upper[i] = pb;
  }
  return QRD_OK;
}

/* Largest Lloyd move |r_i / m0_i|: how far the levels are from centroids. */
static double lloyd_move(const double *r, const double *mass, size_t n)
{
  double move = 0.0;
  for (size_t i = 0; i < n; i++)
    if (mass[i] > 0.0)
      move = fmax(move, fabs(r[i] / mass[i]));
  return move;
}

/* One step: a Newton step on r = 0 (quadratic convergence near the
 * optimum) where it keeps the levels ordered and shrinks the Lloyd move,
 * otherwise the plain Lloyd update (every level to its centroid), which
 * never increases the MSE. */
int qrd_lloyd_iterate(qrd_lloyd *w)
{
  size_t n = w->cb->n;
  double *level = w->cb->level, *work = w->work;
  double *r = work, *diag = work + n, *lower = work + 2 * n, *upper = work + 3 * n;
  double *step = work + 4 * n, *mass = work + 5 * n, *saved = work + 6 * n;
  double *trial_mass = work + 7 * n;
  int st = residual(w, r, mass, diag, lower, upper);
  if (st)
    return st;
  double move = lloyd_move(r, mass, n);
  memcpy(saved, level, n * sizeof *level);
  gsl_vector_view vd = gsl_vector_view_array(diag, n), vr = gsl_vector_view_array(r, n);
  gsl_vector_view vl = gsl_vector_view_array(lower, n - 1), vu = gsl_vector_view_array(upper, n - 1);
  gsl_vector_view vs = gsl_vector_view_array(step, n);
  int newton = gsl_linalg_solve_tridiag(&vd.vector, &vu.vector, &vl.vector,
                                        &vr.vector, &vs.vector) == GSL_SUCCESS;
  for (size_t i = 0; newton && i < n; i++)
    level[i] = saved[i] - step[i];
  if (newton && qrd_strictly_increasing(level, n)) {
    /* the residual at the trial point decides; diag etc. are scratch now */
    if ((st = residual(w, diag, trial_mass, lower, upper, step)))
      return st;
    newton = lloyd_move(diag, trial_mass, n) < move;
  } else {
    newton = 0;
  }
  if (!newton)
    for (size_t i = 0; i < n; i++)
      level[i] = mass[i] > 0.0 ? saved[i] - r[i] / mass[i] : saved[i];
  double change = 0.0;
  for (size_t i = 0; i < n; i++)
    change = fmax(change, fabs(level[i] - saved[i]));
  w->change = change;
  w->iter++;
  return QRD_OK;
}

int qrd_lloyd_test(const qrd_lloyd *w, double tol)
{
  return w->change <= tol ? QRD_OK : QRD_CONTINUE;
}

static int run(qrd_lloyd *w, const qrd_dist *d)
{
  double tol = TOL_REL * sqrt(qrd_dist_variance(d));
  while (w->iter < MAX_ITER) {
    int st = qrd_lloyd_iterate(w);
    if (st)
      return st;
    if (qrd_lloyd_test(w, tol) == QRD_OK)
      return QRD_OK;
  }
  return qrd_error_set(QRD_EMAXITER,
                       "lloyd-max: %zu levels for %s did not converge in %d "
                       "iterations (last move %g)", w->cb->n, d->spec, MAX_ITER,
                       w->change);
}

static int design(const qrd_dist *d, const double *th, double levels,
                  qrd_codebook **out)
{
  (void)th;
  size_t n = (size_t)levels;
  qrd_lloyd *w = qrd_lloyd_alloc(n);
  double *init = malloc(n * sizeof *init);
  int st = (!w || !init) ? qrd_error_set(QRD_ENOMEM, "lloyd-max workspace") : QRD_OK;
  if (!st)
    st = qrd_crd_levels(d, 1.0 / 3.0, n, init);
  if (!st)
    st = qrd_lloyd_init(w, d, init);
  if (!st)
    st = run(w, d);
  free(init);
  if (!st) {
    qrd_codebook_set_midpoints(w->cb);
    *out = w->cb;
    w->cb = NULL;
  }
  qrd_lloyd_free(w);
  return st;
}

/* Lloyd-Max's point density tends to the Panter-Dite optimum p^{1/3}. */
static int high_rate_constant(const qrd_dist *d, const double *th, double *k)
{
  (void)th;
  double z;
  int st = qrd_power_integral(d, 1.0 / 3.0, &z);
  *k = z * z * z / 12.0;
  return st;
}

const qrd_quantiser_type qrd_quantiser_lloyd_max = {
  .name = "lloyd-max",
  .doc = "fixed-length, MSE-optimal levels (Lloyd iteration to convergence)",
  .target = QRD_TARGET_LEVELS,
  .high_rate_constant = high_rate_constant,
  .design = design,
};
