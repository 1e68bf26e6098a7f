#include "mc/fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multimin.h>

#include "core/error.h"

#define MAX_ITER 4000
#define SIZE_TOL 1e-5 /* in log scale and transformed shapes: relative 1e-5 */

void qrd_fit_summarise(const double *x, size_t n, qrd_fit_summary *s)
{
  memset(s, 0, sizeof *s);
  s->n = n;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) {
      s->non_finite++;
      continue;
    }
    sum += x[i];
    s->max_abs = fmax(s->max_abs, fabs(x[i]));
  }
  if (s->non_finite || n == 0)
    return;
  s->mean = sum / (double)n;
  /* central moments in a second pass: no cancellation */
  double m2 = 0.0, m4 = 0.0, sq = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = x[i] - s->mean, d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
    sq += x[i] * x[i];
  }
  m2 /= (double)n;
  m4 /= (double)n;
  s->rms = sqrt(sq / (double)n);
  s->excess_kurtosis = m2 > 0.0 ? m4 / (m2 * m2) - 3.0 : 0.0;
}

/* ---- parameters: free coordinates u <-> the family's (shape, scale) ---- */

static double to_param(const qrd_param_def *p, double u)
{
  double v = p->max >= 1e5 ? p->min + exp(u) : p->min + (p->max - p->min) / (1.0 + exp(-u));
  return fmin(v, p->max);
}

static double from_param(const qrd_param_def *p, double v)
{
  if (p->max >= 1e5)
    return log(fmax(v - p->min, 1e-300));
  double f = (v - p->min) / (p->max - p->min);
  return log(f / (1.0 - f));
}

typedef struct {
  const qrd_dist_type *t;
  const double *x;
  size_t n;
  double *sub;   /* the values the optimiser sees */
  size_t n_sub;
} problem;

static void make_dist(const problem *p, const gsl_vector *u, qrd_dist *d)
{
  memset(d, 0, sizeof *d);
  d->type = p->t;
  for (size_t j = 0; j < p->t->n_shape; j++)
    d->shape[j] = to_param(&p->t->shape[j], gsl_vector_get(u, j));
  d->scale = exp(gsl_vector_get(u, p->t->n_shape));
}

/* Mean log-density of x[0 .. n) under d. */
static double mean_loglik(const qrd_dist *d, const double *x, size_t n)
{
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    double f = qrd_dist_pdf(d, x[i]);
    sum += f > 0.0 ? log(f) : -745.0; /* log of the smallest double */
  }
  return sum / (double)n;
}

static size_t gcd(size_t a, size_t b) { return b ? gcd(b, a % b) : a; }

/* At most QRD_FIT_MAX_POINTS values of x spread over the whole tensor:
 * index i k mod n for a k coprime to n near 0.618 n, so that no row or
 * column pattern (an embedding's 256-wide rows, say) is favoured, as an
 * even stride would. */
static int subsample(problem *p)
{
  if (p->n <= QRD_FIT_MAX_POINTS) {
    p->sub = NULL;
    p->n_sub = p->n;
    return QRD_OK;
  }
  p->n_sub = QRD_FIT_MAX_POINTS;
  p->sub = malloc(p->n_sub * sizeof *p->sub);
  if (!p->sub)
    return qrd_error_set(QRD_ENOMEM, "fit subsample");
  size_t k = (size_t)(0.6180339887 * (double)p->n) | 1;
  while (gcd(k, p->n) != 1)
    k += 2;
  for (size_t i = 0; i < p->n_sub; i++)
    p->sub[i] = p->x[(size_t)(((unsigned __int128)i * k) % p->n)];
  return QRD_OK;
}

static double objective(const gsl_vector *u, void *params)
{
  const problem *p = params;
  qrd_dist d;
  make_dist(p, u, &d);
  double ll = mean_loglik(&d, p->sub ? p->sub : p->x, p->n_sub);
  return isfinite(ll) ? -ll : 1e300;
}

/* The canonical spec of the fitted instance (parsed back, so its name
 * reads like any other distribution's). */
static int canonical(const qrd_dist_type *t, const qrd_dist *raw, qrd_dist *out)
{
  char text[256];
  int len = snprintf(text, sizeof text, "%s:", t->name);
  for (size_t j = 0; j < t->n_shape; j++)
    len += snprintf(text + len, sizeof text - (size_t)len, "%s=%.6g,", t->shape[j].name,
                    raw->shape[j]);
  snprintf(text + len, sizeof text - (size_t)len, "scale=%.6g", raw->scale);
  return qrd_dist_parse(text, out);
}

int qrd_fit_family(const qrd_dist_type *t, const double *x, size_t n, qrd_fit *out)
{
  qrd_fit_summary s;
  qrd_fit_summarise(x, n, &s);
  if (s.non_finite)
    return qrd_error_set(QRD_EINVAL, "fit of %s: %zu values are not finite", t->name,
                         s.non_finite);
  if (n < 2 || !(s.rms > 0.0))
    return qrd_error_set(QRD_EINVAL, "fit of %s: %zu values, RMS %g: nothing to fit", t->name,
                         n, s.rms);
  size_t dim = t->n_shape + 1;
  problem p = {t, x, n, NULL, 0};
  gsl_vector *u = gsl_vector_alloc(dim), *step = gsl_vector_alloc(dim);
  gsl_vector *best = gsl_vector_alloc(dim);
  gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2,
                                                              dim);
  int st = u && step && best && m ? subsample(&p) : qrd_error_set(QRD_ENOMEM, "fit of %s",
                                                                   t->name);
  if (!st) {
    /* start: the family's default shape at the data's RMS */
    qrd_dist start;
    memset(&start, 0, sizeof start);
    start.type = t;
    for (size_t j = 0; j < t->n_shape; j++)
      start.shape[j] = isnan(t->shape[j].def) ? 0.5 * (t->shape[j].min + t->shape[j].max)
                                              : t->shape[j].def;
    double var = t->variance(start.shape);
    double scale = isfinite(var) && var > 0.0 ? s.rms / sqrt(var) : s.rms;
    /* a likelihood in a shape (a t's nu) may have more than one local
     * optimum: start at the default and on either side of it, keep the
     * best converged end */
    static const double offset[] = {0.0, 2.0, -1.0};
    size_t starts = t->n_shape ? 3 : 1;
    double best_f = INFINITY;
    int converged = 0;
    for (size_t k = 0; !st && k < starts; k++) {
      for (size_t j = 0; j < t->n_shape; j++)
        gsl_vector_set(u, j, from_param(&t->shape[j], start.shape[j]) + offset[k]);
      gsl_vector_set(u, t->n_shape, log(scale));
      gsl_vector_set_all(step, 0.5);
      gsl_multimin_function f = {objective, dim, &p};
      gsl_multimin_fminimizer_set(m, &f, u, step);
      size_t iter = 0;
      int done = 0;
      while (!done && iter++ < MAX_ITER) {
        if (gsl_multimin_fminimizer_iterate(m))
          break;
        done = gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), SIZE_TOL) == GSL_SUCCESS;
      }
      if (done && m->fval < best_f) {
        best_f = m->fval;
        gsl_vector_memcpy(best, m->x);
        converged = 1;
      }
    }
    if (!converged)
      st = qrd_error_set(QRD_EMAXITER, "fit of %s: Nelder-Mead did not converge in %d "
                         "iterations from any of %zu starts", t->name, MAX_ITER, starts);
  }
  if (!st) {
    qrd_dist raw;
    make_dist(&p, best, &raw);
    st = canonical(t, &raw, &out->dist);
    out->fit_points = p.n_sub;
    if (!st)
      out->loglik = mean_loglik(&out->dist, x, n);
  }
  gsl_multimin_fminimizer_free(m);
  gsl_vector_free(u);
  gsl_vector_free(step);
  gsl_vector_free(best);
  free(p.sub);
  return st;
}

int qrd_fit_all(const double *x, size_t n, qrd_fit *fits, size_t cap, size_t *n_fits,
                size_t *best)
{
  size_t k = qrd_dist_count() < cap ? qrd_dist_count() : cap;
  int found = 0, st = QRD_OK;
  for (size_t i = 0; i < k; i++) {
    memset(&fits[i], 0, sizeof fits[i]);
    fits[i].status = qrd_fit_family(qrd_dist_type_at(i), x, n, &fits[i]);
    if (fits[i].status) {
      st = fits[i].status;
      snprintf(fits[i].dist.spec, sizeof fits[i].dist.spec, "%s", qrd_error_detail());
      continue;
    }
    if (!found || fits[i].loglik > fits[*best].loglik)
      *best = i;
    found = 1;
  }
  *n_fits = k;
  return found ? QRD_OK : qrd_error_set(st, "no family fits: %s", fits[k - 1].dist.spec);
}
