#include "mat/point_grid.h"

#include <math.h>
#include <stdlib.h>

#include "core/error.h"

size_t qrd_matq_point_grid_size(const qrd_matq_point_grid *g)
{
  return g->n_panel * g->n_method * g->n_rate;
}

void qrd_matq_point_grid_coords(const qrd_matq_point_grid *g, size_t i, size_t *p, size_t *m,
                                size_t *r)
{
  *r = i % g->n_rate;
  *m = i / g->n_rate % g->n_method;
  *p = i / g->n_rate / g->n_method;
}

int qrd_matq_point_grid_jobs(const qrd_matq_point_grid *g, qrd_matq_point_job **out)
{
  size_t n = qrd_matq_point_grid_size(g);
  qrd_matq_point_job *jobs = calloc(n ? n : 1, sizeof *jobs);
  *out = jobs;
  if (!jobs)
    return qrd_error_set(QRD_ENOMEM, "%zu points", n);
  for (size_t i = 0; i < n; i++) {
    size_t p, m, r;
    qrd_matq_point_grid_coords(g, i, &p, &m, &r);
    qrd_matq_point_opts *o = &jobs[i].opts;
    qrd_matq_point_opts_default(o);
    o->method = &g->method[m];
    o->rotate = g->rotate ? g->rotate[m] : QRD_ROTATE_NONE;
    o->rotate_seed = g->rotate_seed;
    o->target = g->rate[r];
    o->nominal = g->nominal;
    jobs[i].lim = g->panel[p].lim;
    jobs[i].problem = &g->panel[p].p;
  }
  return QRD_OK;
}

const qrd_matq_point *qrd_matq_point_grid_at(const qrd_matq_point_grid *g,
                                             const qrd_matq_point_job *jobs, size_t p,
                                             size_t m, size_t r)
{
  return &jobs[(p * g->n_method + m) * g->n_rate + r].out;
}

void qrd_matq_point_grid_gap_stats(const qrd_matq_point_grid *g, const qrd_matq_point_job *jobs,
                                   size_t p, size_t m, size_t m2, double offset, double min_rate,
                                   double *mean, double *sd, size_t *count)
{
  double sum = 0.0, sum2 = 0.0;
  size_t k = 0;
  for (size_t r = 0; r < g->n_rate; r++) {
    const qrd_matq_point *pt = qrd_matq_point_grid_at(g, jobs, p, m, r);
    if (pt->col.bits < min_rate)
      continue;
    double other = m2 < g->n_method ? qrd_matq_point_grid_at(g, jobs, p, m2, r)->at_col.gap
                                    : 0.0;
    double v = pt->at_col.gap - other - offset;
    sum += v;
    sum2 += v * v;
    k++;
  }
  *count = k;
  *mean = k ? sum / (double)k : NAN;
  *sd = k > 1 ? sqrt(fmax(0.0, (sum2 - sum * sum / (double)k) / (double)(k - 1))) : 0.0;
}

int qrd_matq_point_waterfilling(const qrd_matq_point_limits *lim, double step, double r_max,
                                double shift, size_t max, double *x, double *db, size_t *n,
                                double *xs, double *dbs, double *gs, size_t *ns)
{
  int st = QRD_OK;
  *n = *ns = 0;
  for (size_t i = 0; !st && i < max && step * (double)i <= r_max; i++) {
    qrd_matq_point_ref at, shifted;
    double R = step * (double)i;
    st = qrd_matq_point_reference(lim, 1.0, R, &at);
    x[*n] = R;
    db[(*n)++] = 10.0 * log10(at.d_it);
    if (st || R < shift)
      continue;
    st = qrd_matq_point_reference(lim, 1.0, R - shift, &shifted);
    xs[*ns] = R;
    dbs[*ns] = 10.0 * log10(shifted.d_it);
    gs[(*ns)++] = 0.5 * log2(shifted.d_it / at.d_it);
  }
  return st;
}
