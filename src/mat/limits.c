#include "mat/limits.h"

#include <math.h>
#include <stdio.h>

#include "core/error.h"
#include "core/solve.h"

double qrd_rwf_distortion(size_t n, const double *mu, double theta)
{
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += fmin(theta, fmax(mu[i], 0.0));
  return sum / (double)n;
}

double qrd_rwf_rate(size_t n, const double *mu, double theta)
{
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    if (mu[i] > theta)
      sum += 0.5 * log2(mu[i] / theta);
  return sum / (double)n;
}

typedef struct {
  size_t n;
  const double *mu;
  double rate;
} rwf_problem;

/* Decreasing in ln theta, so one sign change on the bracket. */
static double rate_excess(double log_theta, void *params)
{
  const rwf_problem *p = params;
  return qrd_rwf_rate(p->n, p->mu, exp(log_theta)) - p->rate;
}

/* GM and count of the positive mu (zero directions cost no rate), and the
 * smallest and largest mu. */
static void positive_stats(size_t n, const double *mu, double *gm_pos,
                           size_t *n_pos, double *mu_min, double *mu_max)
{
  double log_sum = 0.0;
  *n_pos = 0;
  *mu_min = INFINITY;
  *mu_max = 0.0;
  for (size_t i = 0; i < n; i++) {
    *mu_min = fmin(*mu_min, mu[i]);
    *mu_max = fmax(*mu_max, mu[i]);
    if (mu[i] > 0.0) {
      log_sum += log(mu[i]);
      ++*n_pos;
    }
  }
  *gm_pos = *n_pos ? exp(log_sum / (double)*n_pos) : 0.0;
}

int qrd_rwf_solve(size_t n, const double *mu, double rate, double *theta, double *D)
{
  if (!(rate >= 0.0) || !isfinite(rate))
    return qrd_error_set(QRD_EINVAL, "reverse waterfilling: rate %g (allowed: >= 0 bits)", rate);
  double gm_pos, mu_min, mu_max;
  size_t n_pos;
  positive_stats(n, mu, &gm_pos, &n_pos, &mu_min, &mu_max);
  if (n_pos == 0)
    return qrd_error_set(QRD_EINVAL, "reverse waterfilling: no positive variance among %zu", n);
  if (mu_min < -QRD_RWF_NEG_TOL * mu_max)
    return qrd_error_set(QRD_EINVAL, "reverse waterfilling: negative variance %g (allowed: "
                         ">= -%g max)", mu_min, QRD_RWF_NEG_TOL);
  double high = gm_pos * exp2(-2.0 * rate);
  if (n_pos == n && high <= mu_min) {
    *theta = high;
  } else if (rate == 0.0) {
    *theta = mu_max;
  } else {
    rwf_problem p = {n, mu, rate};
    double lo = log(gm_pos) - 2.0 * M_LN2 * rate * (double)n / (double)n_pos;
    double x;
    int st = qrd_root(rate_excess, &p, lo, log(mu_max), 1e-14, 1e-15, &x);
    if (st) { /* the detail is the buffer qrd_error_set writes: copy it first */
      char why[256];
      snprintf(why, sizeof why, "%s", qrd_error_detail());
      return qrd_error_set(st, "reverse waterfilling at R = %g bits: %s", rate, why);
    }
    *theta = exp(x);
  }
  *D = qrd_rwf_distortion(n, mu, *theta);
  return QRD_OK;
}

double qrd_rwf_highrate(double gm_mu, double rate) { return gm_mu * exp2(-2.0 * rate); }

double qrd_rwf_highrate_min_rate(double gm_mu, double min_mu)
{
  return 0.5 * log2(gm_mu / min_mu);
}

double qrd_slb(double h_bits, double det_root, double rate)
{
  return exp2(2.0 * (h_bits - rate)) / (2.0 * M_PI * M_E) * det_root;
}

double qrd_highrate_sic(double h_bits, double mean_d, double rate)
{
  return exp2(2.0 * (h_bits - rate)) / 12.0 * mean_d;
}

double qrd_gap_bits(double D, double D_ref) { return 0.5 * log2(D / D_ref); }
