/* Standard normal N(0, 1). */
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "dist/dist.h"

static double pdf(double x, const double *th)
{
  (void)th;
  return isinf(x) ? 0.0 : exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
}
static double cdf(double x, const double *th) { (void)th; return gsl_cdf_ugaussian_P(x); }
static double sf(double x, const double *th) { (void)th; return gsl_cdf_ugaussian_Q(x); }
static double quantile(double p, const double *th) { (void)th; return gsl_cdf_ugaussian_Pinv(p); }
static double sample(const gsl_rng *r, const double *th) { (void)th; return gsl_ran_gaussian_ziggurat(r, 1.0); }
static double variance(const double *th) { (void)th; return 1.0; }
static double entropy(const double *th) { (void)th; return 0.5 * log(2.0 * M_PI * M_E); }

/* x*phi(x), which vanishes at +-infinity. */
static double x_pdf(double x) { return isinf(x) ? 0.0 : x * pdf(x, NULL); }

static int partial_moments(double a, double b, const double *th, double m[3])
{
  m[0] = a >= 0.0 ? sf(a, th) - sf(b, th) : cdf(b, th) - cdf(a, th);
  m[1] = pdf(a, th) - pdf(b, th);
  m[2] = m[0] + x_pdf(a) - x_pdf(b);
  return 0;
}

const qrd_dist_type qrd_dist_gaussian = {
  .name = "gaussian",
  .doc = "normal distribution",
  .pdf = pdf, .cdf = cdf, .sf = sf, .quantile = quantile, .sample = sample,
  .variance = variance, .entropy = entropy,
  .lo = -INFINITY, .hi = INFINITY,
  .partial_moments = partial_moments,
};
