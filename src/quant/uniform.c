/* Uniform fixed-length quantiser: n equally spaced levels centred on the
 * median, nearest-neighbour cells, step chosen to minimise the MSE. */
#include <math.h>

#include "core/error.h"
#include "core/solve.h"
#include "quant/quantiser.h"

struct step_params {
  const qrd_dist *d;
  qrd_codebook *c;
  int status;
};

static void set_grid(qrd_codebook *c, double centre, double step)
{
  for (size_t i = 0; i < c->n; i++)
    c->level[i] = centre + step * ((double)i - 0.5 * (double)(c->n - 1));
  qrd_codebook_set_midpoints(c);
}

static double mse_at_log_step(double log_step, void *params)
{
  struct step_params *p = params;
  qrd_codebook_stats s;
  set_grid(p->c, qrd_dist_quantile(p->d, 0.5), exp(log_step));
  int st = qrd_codebook_eval(p->c, p->d, &s);
  if (st && !p->status)
    p->status = st;
  return s.mse;
}

static int design(const qrd_dist *d, const double *th, double levels,
                  qrd_codebook **out)
{
  (void)th;
  struct step_params p = {.d = d, .c = qrd_codebook_alloc((size_t)levels)};
  if (!p.c)
    return qrd_error_set(QRD_ENOMEM, "uniform codebook");
  /* Optimal steps run from about 3 sd/n (n = 2) to 15 sd/n (heavy tails,
   * large n): this bracket holds them with room on both sides. */
  double sd = sqrt(qrd_dist_variance(d)), log_step;
  double lo = log(0.2 * sd / levels), hi = log(64.0 * sd / levels);
  int st = qrd_minimise(mse_at_log_step, &p, lo, hi, 64, 1e-6, &log_step);
  if (!st)
    st = p.status;
  if (st) {
    qrd_codebook_free(p.c);
    return st;
  }
  set_grid(p.c, qrd_dist_quantile(d, 0.5), exp(log_step));
  *out = p.c;
  return QRD_OK;
}

const qrd_quantiser_type qrd_quantiser_uniform = {
  .name = "uniform",
  .doc = "fixed-length, equally spaced levels with the MSE-optimal step",
  .target = QRD_TARGET_LEVELS,
  .design = design,
};
