/* Fisher-optimal bit allocation (Orr et al.); see alloc.h. */
#include "alloc/alloc.h"

#include <math.h>

#include "core/error.h"

double qrd_alloc_delta(const qrd_alloc_tensor *t)
{
  return log2(t->rms) + 0.5 * log2(t->fisher_sum / t->numel);
}

const char *qrd_alloc_kind_name(qrd_alloc_kind kind)
{
  static const char *const name[QRD_ALLOC_N_KINDS] = {"flat", "optimal", "clamped",
                                                      "rounded"};
  return kind < QRD_ALLOC_N_KINDS ? name[kind] : "?";
}

static int check_request(const qrd_alloc_stats *s, double target, double min_bits,
                         qrd_alloc_kind kind)
{
  int st = qrd_alloc_stats_check(s);
  if (st)
    return st;
  if (kind >= QRD_ALLOC_N_KINDS)
    return qrd_error_set(QRD_EINVAL, "unknown allocation kind %d", (int)kind);
  if (!(isfinite(min_bits) && min_bits >= 0.0 && min_bits <= QRD_ALLOC_MAX_BITS))
    return qrd_error_set(QRD_EINVAL, "minimum width %g bits out of range (allowed: 0 to %d "
                         "bits)", min_bits, QRD_ALLOC_MAX_BITS);
  if (!(target <= QRD_ALLOC_MAX_BITS))
    return qrd_error_set(QRD_EDOM, "target mean %g bits out of range (allowed: the minimum "
                         "width %g to %d bits)", target, min_bits, QRD_ALLOC_MAX_BITS);
  if (!(isfinite(target) && target >= min_bits))
    return qrd_error_set(QRD_EDOM, "target mean %g bits is below the minimum width %g "
                         "bits (allowed: target >= minimum width)", target, min_bits);
  return QRD_OK;
}

/* The Lagrangian optimum over the tensors with Fisher; the others sit at
 * min_bits, which only raises the width the rest share. */
static void optimal(const qrd_alloc_stats *s, double target, double min_bits, double *bits)
{
  double n_all = 0.0, n_fisher = 0.0, delta_sum = 0.0;
  for (size_t t = 0; t < s->n; t++) {
    n_all += s->tensor[t].numel;
    if (s->tensor[t].fisher_sum > 0.0) {
      n_fisher += s->tensor[t].numel;
      delta_sum += s->tensor[t].numel * qrd_alloc_delta(&s->tensor[t]);
    }
  }
  /* without Fisher anywhere every allocation predicts D = 0: stay flat */
  if (n_fisher == 0.0) {
    for (size_t t = 0; t < s->n; t++)
      bits[t] = target;
    return;
  }
  double shared = (target * n_all - min_bits * (n_all - n_fisher)) / n_fisher;
  double delta_mean = delta_sum / n_fisher;
  for (size_t t = 0; t < s->n; t++)
    bits[t] = s->tensor[t].fisher_sum > 0.0
                  ? shared + qrd_alloc_delta(&s->tensor[t]) - delta_mean
                  : min_bits;
}

int qrd_alloc_bits(const qrd_alloc_stats *s, double target, double min_bits,
                   qrd_alloc_kind kind, double *bits)
{
  int st = check_request(s, target, min_bits, kind);
  if (st)
    return st;
  if (kind == QRD_ALLOC_FLAT) {
    for (size_t t = 0; t < s->n; t++)
      bits[t] = target;
    return QRD_OK;
  }
  optimal(s, target, min_bits, bits);
  for (size_t t = 0; kind != QRD_ALLOC_OPTIMAL && t < s->n; t++)
    /* rint: round half to even in the default rounding mode, as Python's
     * round() in the reference */
    bits[t] = fmax(kind == QRD_ALLOC_ROUNDED ? rint(bits[t]) : bits[t], min_bits);
  return QRD_OK;
}

double qrd_alloc_mean_bits(const qrd_alloc_stats *s, const double *bits)
{
  double n = 0.0, sum = 0.0;
  for (size_t t = 0; t < s->n; t++) {
    n += s->tensor[t].numel;
    sum += s->tensor[t].numel * bits[t];
  }
  return sum / n;
}

/* log2 of Σ_t f̄_t |T_t| σ_t² 2^{−2 b_t} (f̄_t |T_t| = fisher_sum; bits NULL
 * means b_t = 0), summed as log2 of its largest term plus log2 of the sum
 * of the others relative to it, so that statistics of 1e300 or widths of
 * -1000 bits neither overflow nor give inf - inf; -inf when no tensor
 * has Fisher. */
static double log2_kl_sum(const qrd_alloc_stats *s, const double *bits)
{
  double top = -INFINITY, rel = 0.0;
  for (size_t t = 0; t < s->n; t++) {
    const qrd_alloc_tensor *x = &s->tensor[t];
    if (!(x->fisher_sum > 0.0))
      continue;
    double l = log2(x->fisher_sum) + 2.0 * log2(x->rms) - 2.0 * (bits ? bits[t] : 0.0);
    if (l > top) {
      rel = rel * exp2(top - l) + 1.0;
      top = l;
    } else {
      rel += exp2(l - top);
    }
  }
  return top + log2(rel);
}

/* log2 of ½ ε² Σ_t ... */
static double log2_kl(const qrd_alloc_stats *s, const double *bits, double epsilon)
{
  return log2_kl_sum(s, bits) + 2.0 * log2(epsilon) - 1.0;
}

double qrd_alloc_predicted_kl(const qrd_alloc_stats *s, const double *bits, double epsilon)
{
  return exp2(log2_kl(s, bits, epsilon));
}

double qrd_alloc_flat_bits(const qrd_alloc_stats *s, double kl, double epsilon)
{
  double at_zero = log2_kl(s, NULL, epsilon);
  return isfinite(at_zero) ? 0.5 * (at_zero - log2(kl)) : NAN;
}

qrd_alloc_summary qrd_alloc_summarise(const qrd_alloc_stats *s, const double *bits,
                                      double epsilon)
{
  qrd_alloc_summary r;
  r.mean_bits = qrd_alloc_mean_bits(s, bits);
  r.kl = qrd_alloc_predicted_kl(s, bits, epsilon);
  /* from the logs, not from r.kl: independent of ε and of any overflow */
  double at_zero = log2_kl_sum(s, NULL);
  r.flat_bits = isfinite(at_zero) ? 0.5 * (at_zero - log2_kl_sum(s, bits)) : NAN;
  r.saving = isnan(r.flat_bits) ? 0.0 : r.flat_bits - r.mean_bits;
  return r;
}

int qrd_alloc_summarise_kinds(const qrd_alloc_stats *s, double target, double min_bits,
                              double epsilon, double *bits,
                              qrd_alloc_summary sum[QRD_ALLOC_N_KINDS])
{
  for (int k = 0; k < QRD_ALLOC_N_KINDS; k++) {
    int st = qrd_alloc_bits(s, target, min_bits, (qrd_alloc_kind)k, bits);
    if (st)
      return st;
    sum[k] = qrd_alloc_summarise(s, bits, epsilon);
  }
  return QRD_OK;
}
