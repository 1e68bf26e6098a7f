/* Generalised Gaussian (exponential power) law, standard form
 * beta / (2 Gamma(1/beta)) exp(-|x|^beta): a test-only family with no
 * closed-form partial moments, CRD table or block-maximum model, so every
 * generic (quadrature) path of the library runs on it.  beta = 2 is a
 * Normal of variance 1/2, beta = 1 the Laplace law. */
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "dist/dist.h"

static const qrd_param_def shape[] = {
  {.name = "beta", .def = 1.5, .min = 0.2, .max = 50.0, .doc = "shape (2: Normal, 1: Laplace)"},
};

static double pdf(double x, const double *th)
{
  return isinf(x) ? 0.0 : gsl_ran_exppow_pdf(x, 1.0, th[0]);
}
static double cdf(double x, const double *th) { return gsl_cdf_exppow_P(x, 1.0, th[0]); }
static double sf(double x, const double *th) { return gsl_cdf_exppow_Q(x, 1.0, th[0]); }

/* |x|^beta is Gamma(1/beta, 1) distributed. */
static double quantile(double p, const double *th)
{
  double b = th[0], t = p < 0.5 ? 2.0 * p : 2.0 * (1.0 - p);
  double x = pow(gsl_cdf_gamma_Qinv(t, 1.0 / b, 1.0), 1.0 / b);
  return p < 0.5 ? -x : x;
}
static double sample(const gsl_rng *r, const double *th) { return gsl_ran_exppow(r, 1.0, th[0]); }
static double variance(const double *th)
{
  return exp(gsl_sf_lngamma(3.0 / th[0]) - gsl_sf_lngamma(1.0 / th[0]));
}
static double entropy(const double *th)
{
  double b = th[0];
  return 1.0 / b - log(b / 2.0) + gsl_sf_lngamma(1.0 / b);
}

const qrd_dist_type qrd_dist_gengauss = {
  .name = "gengauss",
  .doc = "generalised Gaussian exp(-|x|^beta) (test build only)",
  .n_shape = 1, .shape = shape,
  .pdf = pdf, .cdf = cdf, .sf = sf, .quantile = quantile, .sample = sample,
  .variance = variance, .entropy = entropy,
  .lo = -INFINITY, .hi = INFINITY,
};
