/* Student's t with nu degrees of freedom, standard form (scale 1). */
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "dist/dist.h"

static const qrd_param_def shape[] = {
  {.name = "nu", .def = 5.0, .min = 0.0, .max = 1e6, .min_open = 1,
   .doc = "degrees of freedom (unit variance needs nu > 2)"},
};

/* log of the normalising constant, cached per thread: the quantiser
 * designs evaluate the pdf millions of times at one nu. */
static double log_norm(double nu)
{
  static _Thread_local double cached_nu = -1.0, cached;
  if (nu != cached_nu) {
    cached = gsl_sf_lngamma(0.5 * (nu + 1.0)) - gsl_sf_lngamma(0.5 * nu)
             - 0.5 * log(nu * M_PI);
    cached_nu = nu;
  }
  return cached;
}

static double pdf(double x, const double *th)
{
  double nu = th[0];
  return isinf(x) ? 0.0 : exp(log_norm(nu) - 0.5 * (nu + 1.0) * log1p(x * x / nu));
}
static double cdf(double x, const double *th) { return gsl_cdf_tdist_P(x, th[0]); }
static double sf(double x, const double *th) { return gsl_cdf_tdist_Q(x, th[0]); }
static double quantile(double p, const double *th) { return gsl_cdf_tdist_Pinv(p, th[0]); }
static double sample(const gsl_rng *r, const double *th) { return gsl_ran_tdist(r, th[0]); }
static double variance(const double *th) { return th[0] > 2.0 ? th[0] / (th[0] - 2.0) : INFINITY; }

static double entropy(const double *th)
{
  double nu = th[0];
  return 0.5 * (nu + 1.0) * (gsl_sf_psi(0.5 * (nu + 1.0)) - gsl_sf_psi(0.5 * nu))
         + 0.5 * log(nu) + gsl_sf_lnbeta(0.5 * nu, 0.5);
}

/* Antiderivatives from d/dx[(nu + x^2) f] = (1 - nu) x f (integration by
 * parts); both boundary terms vanish at infinity when nu > 2. */
static double g1(double x, double nu) { return isinf(x) ? 0.0 : -(nu + x * x) / (nu - 1.0) * pdf(x, &nu); }
static double g2(double x, double nu) { return isinf(x) ? 0.0 : -x * (nu + x * x) / (nu - 2.0) * pdf(x, &nu); }

static int partial_moments(double a, double b, const double *th, double m[3])
{
  double nu = th[0];
  if (nu <= 2.0)
    return -1; /* second moment diverges: leave it to quadrature */
  m[0] = a >= 0.0 ? sf(a, th) - sf(b, th) : cdf(b, th) - cdf(a, th);
  m[1] = g1(b, nu) - g1(a, nu);
  m[2] = g2(b, nu) - g2(a, nu) + nu / (nu - 2.0) * m[0];
  return 0;
}

const qrd_dist_type qrd_dist_student_t = {
  .name = "student-t",
  .doc = "Student's t distribution",
  .n_shape = 1, .shape = shape,
  .pdf = pdf, .cdf = cdf, .sf = sf, .quantile = quantile, .sample = sample,
  .variance = variance, .entropy = entropy,
  .lo = -INFINITY, .hi = INFINITY,
  .partial_moments = partial_moments,
};
