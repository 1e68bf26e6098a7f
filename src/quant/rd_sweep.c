#include "quant/rd_sweep.h"

#include <string.h>

size_t qrd_rd_sweep_plan(const qrd_quantiser *q, size_t n_quant, size_t n_dist,
                         const double *rate, size_t n_rate, const double *rate_max,
                         qrd_rd_sweep_point *out)
{
  size_t n = 0;
  for (size_t d = 0; d < n_dist; d++)
    for (size_t k = 0; k < n_quant; k++) {
      double last = -1.0;
      for (size_t r = 0; r < n_rate; r++) {
        double target = qrd_target_for_rate(&q[k], rate[r]);
        /* the tolerance lets a cap on the rate grid keep its own point */
        if (target == last || rate[r] > rate_max[k] + 1e-9)
          continue;
        out[n++] = (qrd_rd_sweep_point){.d = d, .q = k, .target = target};
        last = target;
      }
    }
  return n;
}

int qrd_rd_sweep_eval(const qrd_quantiser *q, const qrd_dist *d, qrd_rd_sweep_point *p)
{
  return qrd_rd_evaluate(&q[p->q], &d[p->d], p->target, &p->p);
}

size_t qrd_rd_sweep_collect(const qrd_rd_sweep_point *p, size_t n, size_t d, size_t q,
                            double *rate, double *nmse, double *gap)
{
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (p[i].d == d && p[i].q == q) {
      rate[k] = p[i].p.rate;
      nmse[k] = p[i].p.s.nmse;
      gap[k] = p[i].p.gap;
      k++;
    }
  return k;
}

void qrd_rd_bound_nmse(const qrd_dist *d, const double *rate, size_t n, double *nmse)
{
  for (size_t i = 0; i < n; i++)
    nmse[i] = qrd_bound_mse(d, rate[i]) / qrd_dist_variance(d);
}

const char *qrd_bound_label(const qrd_dist *d)
{
  return strcmp(qrd_bound_name(d), "shannon") ? "Shannon lower bound" : "Shannon D(R)";
}
