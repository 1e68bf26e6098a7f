#include "quant/rd.h"

#include <math.h>
#include <string.h>

#include "core/error.h"

static double two_pi_e(void) { return 2.0 * M_PI * M_E; }

double qrd_bound_rate(const qrd_dist *d, double mse)
{
  return fmax(0.0, qrd_dist_entropy_bits(d) - 0.5 * log2(two_pi_e() * mse));
}

double qrd_bound_mse(const qrd_dist *d, double rate)
{
  return exp2(2.0 * (qrd_dist_entropy_bits(d) - rate)) / two_pi_e();
}

const char *qrd_bound_name(const qrd_dist *d)
{
  return strcmp(d->type->name, "gaussian") == 0 ? "shannon" : "slb";
}

double qrd_theory_gap(const qrd_quantiser *q, const qrd_dist *d)
{
  double k;
  if (qrd_quantiser_high_rate_constant(q, d, &k) != QRD_OK)
    return NAN;
  return 0.5 * log2(k / qrd_bound_mse(d, 0.0));
}

double qrd_target_for_rate(const qrd_quantiser *q, double rate)
{
  return q->type->target == QRD_TARGET_LEVELS ? round(exp2(rate)) : rate;
}

int qrd_rd_evaluate(const qrd_quantiser *q, const qrd_dist *d, double target,
                    qrd_rd_point *p)
{
  qrd_codebook *c = NULL;
  int st = qrd_quantiser_design(q, d, target, &c);
  if (!st)
    st = qrd_codebook_eval(c, d, &p->s);
  qrd_codebook_free(c);
  if (st)
    return st;
  p->rate = q->type->target == QRD_TARGET_LEVELS ? p->s.rate_fixed : p->s.entropy;
  p->bound_rate = qrd_bound_rate(d, p->s.mse);
  p->gap = p->rate - p->bound_rate;
  p->theory_gap = qrd_theory_gap(q, d);
  return QRD_OK;
}
