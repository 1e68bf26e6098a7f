#include "mat/columns.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mat/limits.h"
#include "mat/point.h"

const qrd_rate_opts QRD_MATQ_COLUMNS_RATE = {.kind = QRD_RATE_ENTROPY_COL, .miller_madow = 1,
                                             .side_info = 0};

int qrd_matq_columns_alloc(size_t n, qrd_matq_columns *c)
{
  c->n = n;
  c->h = malloc(n * sizeof *c->h);
  c->d = malloc(n * sizeof *c->d);
  c->rate = NAN;
  if (c->h && c->d)
    return QRD_OK;
  qrd_matq_columns_free(c);
  return qrd_error_set(QRD_ENOMEM, "column buffers of %zu", n);
}

void qrd_matq_columns_free(qrd_matq_columns *c)
{
  free(c->h);
  free(c->d);
  c->h = c->d = NULL;
}

int qrd_matq_columns_eval(const qrd_matq *method, size_t rows, const double *Sigma,
                          unsigned long seed, double rate, qrd_matq_columns *c)
{
  size_t n = c->n;
  qrd_dist g;
  qrd_matq_point_panel pn = {0};
  qrd_matq_point_work *w = qrd_matq_point_work_alloc(n, rows);
  qrd_matq_point_opts o;
  qrd_matq_point pt;
  qrd_matq_point_opts_default(&o);
  o.method = method;
  o.target = rate;
  o.tune_how = QRD_MATQ_COLUMNS_RATE;
  int st = w ? qrd_dist_parse("gaussian", &g) : qrd_error_set(QRD_ENOMEM, "point workspace");
  if (!st)
    st = qrd_matq_point_panel_alloc(&g, rows, n, Sigma, seed, &pn);
  if (!st)
    st = qrd_matq_point_eval(&o, pn.lim, &pn.p, w, &pt);
  if (!st) {
    const qrd_matq_result *res = qrd_matq_point_result(w);
    st = qrd_rate_column_entropies(res->Z, rows, n, QRD_MATQ_COLUMNS_RATE.miller_madow, c->h);
    memcpy(c->d, res->d, n * sizeof *c->d);
    c->rate = pt.col.bits;
  }
  qrd_matq_point_panel_free(&pn);
  qrd_matq_point_work_free(w);
  return st;
}

int qrd_matq_columns_diagonal(const qrd_matq *method, size_t rows, double ratio,
                              unsigned long seed, double rate, qrd_matq_columns *c)
{
  size_t n = c->n;
  double *S = calloc(n * n, sizeof *S);
  if (!S)
    return qrd_error_set(QRD_ENOMEM, "Sigma of order %zu", n);
  for (size_t k = 0; k < n; k++)
    S[k * n + k] = pow(ratio, (double)k);
  int st = qrd_matq_columns_eval(method, rows, S, seed, rate, c);
  free(S);
  return st;
}

int qrd_matq_columns_rotated(const qrd_matq *method, size_t rows, const qrd_cov *family,
                             qrd_rotate_kind rot, unsigned long seed, double rate,
                             qrd_matq_columns *c)
{
  size_t n = c->n;
  double *S = malloc(n * n * sizeof *S), *work = malloc(n * n * sizeof *work);
  qrd_rotation *q = NULL;
  int st = S && work ? qrd_cov_build(family, n, seed, S)
                     : qrd_error_set(QRD_ENOMEM, "Sigma of order %zu", n);
  if (!st)
    st = qrd_rotation_alloc(rot, n, seed, S, &q);
  if (!st) {
    qrd_rotation_apply_sigma(q, S, work);
    st = qrd_matq_columns_eval(method, rows, S, seed, rate, c);
  }
  qrd_rotation_free(q);
  free(S);
  free(work);
  return st;
}

void qrd_matq_columns_highrate(size_t n, const double *d, double rate, double *pred)
{
  double gm;
  qrd_means(n, d, NULL, &gm, NULL);
  double lg = log2(gm);
  for (size_t i = 0; i < n; i++)
    pred[i] = rate + 0.5 * (log2(d[i]) - lg);
}

int qrd_matq_columns_waterfilling(size_t n, const double *d, double rate, double *alloc)
{
  double theta, D;
  int st = qrd_rwf_solve(n, d, rate, &theta, &D);
  for (size_t i = 0; !st && i < n; i++)
    alloc[i] = fmax(0.0, 0.5 * log2(d[i] / theta));
  return st;
}

int qrd_matq_columns_predict(const qrd_matq_columns *c, double *hr, double *wf, double *dev)
{
  qrd_matq_columns_highrate(c->n, c->d, c->rate, hr);
  int st = qrd_matq_columns_waterfilling(c->n, c->d, c->rate, wf);
  for (size_t k = 0; !st && k < c->n; k++)
    dev[k] = c->h[k] - wf[k];
  return st;
}

void qrd_histogram(size_t n, const double *v, double lo, double hi, size_t bins, double *x,
                   double *count)
{
  double w = (hi - lo) / (double)bins;
  for (size_t b = 0; b < bins; b++) {
    x[b] = lo + ((double)b + 0.5) * w;
    count[b] = 0.0;
  }
  for (size_t i = 0; i < n; i++) {
    double t = floor((v[i] - lo) / w);
    size_t b = t < 0.0 ? 0 : t >= (double)bins ? bins - 1 : (size_t)t;
    count[b] += 1.0;
  }
}

/* One range for both: the rotated entropies crowd into a fraction of the
 * natural order's range, and a shared axis shows that. */
void qrd_matq_columns_histogram(const qrd_matq_columns *c, size_t bins, double *pred,
                                qrd_matq_columns_hist *out)
{
  size_t n = c->n;
  double lo = INFINITY, hi = -INFINITY;
  qrd_matq_columns_highrate(n, c->d, c->rate, pred);
  out->mean = 0.0;
  for (size_t i = 0; i < n; i++) {
    lo = fmin(lo, fmin(c->h[i], pred[i]));
    hi = fmax(hi, fmax(c->h[i], pred[i]));
    out->mean += c->h[i] / (double)n;
  }
  qrd_histogram(n, c->h, lo, hi, bins, out->x, out->measured);
  qrd_histogram(n, pred, lo, hi, bins, out->x, out->predicted);
  out->top = 0.0;
  for (size_t b = 0; b < bins; b++)
    out->top = fmax(out->top, out->measured[b]);
}
