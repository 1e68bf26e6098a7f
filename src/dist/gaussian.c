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

/* x phi(x) given phi(x), which vanishes at +-infinity. */
static double x_pdf(double x, double f) { return isinf(x) ? 0.0 : x * f; }

static int partial_moments(double a, double b, const double *th, double m[3], double f[2])
{
  f[0] = pdf(a, th);
  f[1] = pdf(b, th);
  m[0] = a >= 0.0 ? sf(a, th) - sf(b, th) : cdf(b, th) - cdf(a, th);
  m[1] = f[0] - f[1];
  m[2] = m[0] + x_pdf(a, f[0]) - x_pdf(b, f[1]);
  return 0;
}

/* 2 ln(B/pi): the square of Orr et al.'s model of the expected block maximum. */
static double max_sq(double b) { return 2.0 * log(b / M_PI); }

static double block_absmax_model(double b, const double *th)
{
  (void)th;
  return sqrt(max_sq(b));
}

/* p^alpha is N(0, 1/alpha); block: of scale 1/sqrt(alpha M^2) after dividing
 * by M, truncated to [-1, 1]. */
static int crd_lower(double u, double alpha, double b, const double *th, double *x)
{
  (void)th;
  if (b == 0.0) {
    *x = 1.0 / sqrt(alpha) * gsl_cdf_ugaussian_Pinv(u);
    return 0;
  }
  double s = 1.0 / sqrt(alpha * max_sq(b)), u0 = gsl_cdf_ugaussian_P(-1.0 / s);
  *x = s * gsl_cdf_ugaussian_Pinv(u0 + u * (1.0 - 2.0 * u0));
  return 0;
}

const qrd_dist_type qrd_dist_gaussian = {
  .name = "gaussian",
  .doc = "normal distribution",
  .pdf = pdf, .cdf = cdf, .sf = sf, .quantile = quantile, .sample = sample,
  .variance = variance, .entropy = entropy,
  .lo = -INFINITY, .hi = INFINITY,
  .partial_moments = partial_moments,
  .slug = "normal", .label = "Normal",
  .block_absmax_model = block_absmax_model, .crd_lower = crd_lower,
};
