/* Cube-root-density quantiser: codepoints at equal-probability positions of
 * the density proportional to p^alpha (alpha = 1/3 is the Panter-Dite
 * optimum for fixed-length codes at high rate). */
#include <math.h>

#include "core/error.h"
#include "core/integrate.h"
#include "core/solve.h"
#include "quant/designs.h"
#include "quant/quantiser.h"

struct power_params {
  const qrd_dist *d;
  double alpha, z, target;
  int status;
};

static double power_pdf(double x, void *params)
{
  const struct power_params *p = params;
  double f = qrd_dist_pdf(p->d, x);
  return f > 0.0 ? pow(f, p->alpha) : 0.0;
}

int qrd_power_integral(const qrd_dist *d, double alpha, double *z)
{
  struct power_params p = {.d = d, .alpha = alpha};
  double lo, hi, err;
  qrd_dist_support(d, &lo, &hi);
  int st = qrd_integrate(power_pdf, &p, lo, hi, z, &err);
  if (!st && !(*z > 0.0 && isfinite(*z)))
    st = qrd_error_set(QRD_EDOM, "%s: p^%g is not integrable", d->spec, alpha);
  return st;
}

/* Tail mass of p^alpha / z beyond x, lower or upper as the target needs:
 * integrating the short way keeps the tails precise. */
static double tail_residual(double x, void *params)
{
  struct power_params *p = params;
  double lo, hi, m, err;
  qrd_dist_support(p->d, &lo, &hi);
  int upper = p->target > 0.5;
  int st = upper ? qrd_integrate(power_pdf, p, x, hi, &m, &err)
                 : qrd_integrate(power_pdf, p, lo, x, &m, &err);
  if (st && !p->status)
    p->status = st;
  m /= p->z;
  return upper ? (1.0 - p->target) - m : m - p->target;
}

static int invert(struct power_params *p, double *x)
{
  double sd = sqrt(qrd_dist_variance(p->d));
  double guess = qrd_dist_quantile(p->d, p->target);
  double lo = guess - sd, hi = guess + sd;
  int st = qrd_bracket_root(tail_residual, p, &lo, &hi);
  if (!st)
    st = qrd_root(tail_residual, p, lo, hi, 1e-14 * sd, 1e-13, x);
  return p->status ? p->status : st;
}

int qrd_crd_levels(const qrd_dist *d, double alpha, size_t n, double *level)
{
  struct power_params p = {.d = d, .alpha = alpha};
  int st = qrd_power_integral(d, alpha, &p.z);
  for (size_t i = 0; !st && i < n; i++) {
    p.target = (double)(i + 1) / (double)(n + 1);
    st = invert(&p, &level[i]);
  }
  return st;
}

/* Point density lambda = p^alpha / Z gives D N^2 -> (1/12) int p / lambda^2
 * = Z^2 int p^{1-2 alpha} / 12 (Panter-Dite's (int p^{1/3})^3 / 12 at 1/3). */
static int high_rate_constant(const qrd_dist *d, const double *th, double *k)
{
  double z, w;
  int st = qrd_power_integral(d, th[0], &z);
  if (!st)
    st = qrd_power_integral(d, 1.0 - 2.0 * th[0], &w);
  *k = z * z * w / 12.0;
  return st;
}

static const qrd_param_def params[] = {
  {.name = "alpha", .def = 1.0 / 3.0, .min = 0.0, .max = 4.0, .min_open = 1,
   .doc = "power of the density the codepoints follow (1/3: cube root)"},
};

static int design(const qrd_dist *d, const double *th, double levels,
                  qrd_codebook **out)
{
  qrd_codebook *c = qrd_codebook_alloc((size_t)levels);
  if (!c)
    return qrd_error_set(QRD_ENOMEM, "crd codebook");
  int st = qrd_crd_levels(d, th[0], c->n, c->level);
  if (st) {
    qrd_codebook_free(c);
    return st;
  }
  qrd_codebook_set_midpoints(c);
  *out = c;
  return QRD_OK;
}

const qrd_quantiser_type qrd_quantiser_crd = {
  .name = "crd",
  .doc = "fixed-length, codepoints at quantiles i/(n+1) of p^alpha",
  .n_params = 1, .params = params,
  .target = QRD_TARGET_LEVELS,
  .high_rate_constant = high_rate_constant,
  .design = design,
};
