#include "quant/quantiser.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

#define MAX_LEVELS QRD_QUANTISER_MAX_LEVELS
#define MAX_RATE QRD_QUANTISER_MAX_RATE

static int check_target(const qrd_quantiser_type *t, double target)
{
  if (t->target == QRD_TARGET_LEVELS) {
    if (!(target >= 2.0 && target <= MAX_LEVELS && target == floor(target)))
      return qrd_error_set(QRD_EINVAL,
                           "quantiser '%s': levels=%g invalid (allowed: a whole "
                           "number from 2 to %d: the design's cost grows with the levels)", t->name,
                           target, MAX_LEVELS);
  } else if (!(target > 0.0 && target <= MAX_RATE)) {
    return qrd_error_set(QRD_EINVAL,
                         "quantiser '%s': rate=%g invalid (allowed: 0 < rate <= %g bits: the "
                         "design's cost grows as 2^rate)",
                         t->name, target, MAX_RATE);
  }
  return QRD_OK;
}

int qrd_quantiser_design(const qrd_quantiser *q, const qrd_dist *d,
                         double target, qrd_codebook **out)
{
  *out = NULL;
  int st = check_target(q->type, target);
  if (st)
    return st;
  if (!isfinite(qrd_dist_variance(d)))
    return qrd_error_set(QRD_EDOM,
                         "distribution '%s' has infinite variance: every quantiser "
                         "has infinite MSE", d->spec);
  qrd_dist fixed;
  if (q->type->design_law && (st = qrd_dist_parse(q->type->design_law, &fixed)))
    return st;
  return q->type->design(q->type->design_law ? &fixed : d, q->params, target, out);
}

const char *qrd_quantiser_design_law(const qrd_quantiser *q, const qrd_dist *d)
{
  return q->type->design_law ? q->type->design_law : d->spec;
}

int qrd_quantiser_high_rate_constant(const qrd_quantiser *q, const qrd_dist *d,
                                     double *k)
{
  if (!q->type->high_rate_constant)
    return qrd_error_set(QRD_ENOTFOUND, "quantiser '%s' has no high-rate constant",
                         q->spec);
  return q->type->high_rate_constant(d, q->params, k);
}
