/* Cube-root-density quantiser: codepoints at equal-probability positions of
 * the density proportional to p^alpha (alpha = 1/3 is the Panter-Dite
 * optimum for fixed-length codes at high rate). */
#include <math.h>

#include "core/error.h"
#include "core/integrate.h"
#include "core/solve.h"
#include "quant/designs.h"
#include "quant/power_law.h"
#include "quant/quantiser.h"

static double power_pdf(double x, void *params)
{
  const qrd_power_law *w = params;
  double f = qrd_dist_pdf(w->d, x);
  return f > 0.0 ? pow(f, w->alpha) : 0.0;
}

int qrd_power_law_init(qrd_power_law *w, const qrd_dist *d, double alpha, double lo,
                       double hi)
{
  double s_lo, s_hi, err;
  qrd_dist_support(d, &s_lo, &s_hi);
  *w = (qrd_power_law){.d = d, .alpha = alpha, .lo = fmax(lo, s_lo), .hi = fmin(hi, s_hi)};
  int st = qrd_integrate(power_pdf, w, w->lo, w->hi, &w->z, &err);
  if (!st && !(w->z > 0.0 && isfinite(w->z)))
    st = qrd_error_set(QRD_EDOM, "%s: p^%g is not integrable", d->spec, alpha);
  return st;
}

int qrd_power_integral(const qrd_dist *d, double alpha, double *z)
{
  qrd_power_law w;
  int st = qrd_power_law_init(&w, d, alpha, -INFINITY, INFINITY);
  *z = w.z;
  return st;
}

struct target {
  const qrd_power_law *w;
  double u;
  int status;
};

/* Mass of the law below x minus u, from the lower or the upper tail as u
 * needs: integrating the short way keeps the tails precise. */
static double tail_residual(double x, void *params)
{
  struct target *t = params;
  const qrd_power_law *w = t->w;
  double m, err;
  int upper = t->u > 0.5;
  x = fmin(fmax(x, w->lo), w->hi);
  int st = upper ? qrd_integrate(power_pdf, (void *)w, x, w->hi, &m, &err)
                 : qrd_integrate(power_pdf, (void *)w, w->lo, x, &m, &err);
  if (st && !t->status)
    t->status = st;
  m /= w->z;
  return upper ? (1.0 - t->u) - m : m - t->u;
}

int qrd_power_law_quantile(const qrd_power_law *w, double u, double *x)
{
  struct target t = {.w = w, .u = u};
  double sd = sqrt(qrd_dist_variance(w->d)), lo = w->lo, hi = w->hi;
  if (!(isfinite(lo) && isfinite(hi))) { /* bracket about the law's own quantile */
    double guess = qrd_dist_quantile(w->d, u);
    lo = guess - sd;
    hi = guess + sd;
  }
  int st = qrd_bracket_root(tail_residual, &t, &lo, &hi);
  if (!st)
    st = qrd_root(tail_residual, &t, lo, hi, 1e-14 * sd, 1e-13, x);
  return t.status ? t.status : st;
}

int qrd_crd_levels(const qrd_dist *d, double alpha, size_t n, double *level)
{
  qrd_power_law w;
  int st = qrd_power_law_init(&w, d, alpha, -INFINITY, INFINITY);
  for (size_t i = 0; !st && i < n; i++)
    st = qrd_power_law_quantile(&w, (double)(i + 1) / (double)(n + 1), &level[i]);
  return st;
}

/* Point density lambda = p^alpha / Z gives D N^2 -> (1/12) int p / lambda^2
 * = Z^2 int p^{1-2 alpha} / 12 (Panter-Dite's (int p^{1/3})^3 / 12 at 1/3). */
static int high_rate_constant(const qrd_dist *d, const double *th, double *k)
{
  double z = 0.0, w = 0.0; /* read even when a quadrature fails */
  int st = qrd_power_integral(d, th[0], &z);
  if (!st)
    st = qrd_power_integral(d, 1.0 - 2.0 * th[0], &w);
  *k = z * z * w / 12.0;
  return st;
}

/* alpha >= 0.05: p^alpha of a unit-variance Normal is N(0, 1/alpha), and
 * below 0.05 (sd > 4.5) the outer codepoints of a design sit where the
 * quadratures of the design and of its evaluation lose the tails
 * (alpha = 1e-300 once gave levels at +-30 of a flat "density"); 0.05
 * designs Normal and Laplace codes of 2 to 65536 levels. */
#define CRD_ALPHA_MIN 0.05

static const qrd_param_def params[] = {
  {.name = "alpha", .def = 1.0 / 3.0, .min = CRD_ALPHA_MIN, .max = 4.0,
   .doc = "power of the density the codepoints follow (1/3: cube root)"},
};

/* p^alpha must be integrable: a family with a closed-form CRD says so
 * (student-t: alpha (nu + 1) > 1) before any quadrature diverges. */
static int check_integrable(const qrd_dist *d, double alpha)
{
  double x;
  if (!d->type->crd_lower)
    return QRD_OK;
  return d->type->crd_lower(0.25, alpha, 0.0, d->shape, &x);
}

static int design(const qrd_dist *d, const double *th, double levels,
                  qrd_codebook **out)
{
  if (!(th[0] >= CRD_ALPHA_MIN && th[0] <= 4.0))
    return qrd_error_set(QRD_EINVAL, "crd: alpha=%g out of range (allowed: %g <= alpha <= 4)",
                         th[0], CRD_ALPHA_MIN);
  int st = check_integrable(d, th[0]);
  if (st)
    return st;
  qrd_codebook *c = qrd_codebook_alloc((size_t)levels);
  if (!c)
    return qrd_error_set(QRD_ENOMEM, "crd codebook");
  st = qrd_crd_levels(d, th[0], c->n, c->level);
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
