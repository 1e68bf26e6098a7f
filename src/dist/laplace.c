/* Standard Laplace, density exp(-|x|)/2 (variance 2). */
#include <math.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

#include "dist/dist.h"
#include "dist/mt19937.h"

static double pdf(double x, const double *th) { (void)th; return 0.5 * exp(-fabs(x)); }
static double cdf(double x, const double *th)
{
  (void)th;
  return x < 0.0 ? 0.5 * exp(x) : 1.0 - 0.5 * exp(-x);
}
static double sf(double x, const double *th) { return cdf(-x, th); }
static double quantile(double p, const double *th)
{
  (void)th;
  return p < 0.5 ? log(2.0 * p) : -log(2.0 * (1.0 - p));
}
/* gsl_ran_laplace's algorithm, inline on qrd's generator. */
static double sample(const gsl_rng *r, const double *th)
{
  (void)th;
  qrd_mt19937 *g = qrd_mt19937_of(r);
  if (!g)
    return gsl_ran_laplace(r, 1.0);
  double u;
  do
    u = 2.0 * qrd_mt19937_uniform(g) - 1.0;
  while (u == 0.0);
  return u < 0.0 ? log(-u) : -log(u);
}
static double variance(const double *th) { (void)th; return 2.0; }
static double entropy(const double *th) { (void)th; return 1.0 + M_LN2; }

/* Integral of x^k e^{-x}/2 from u to infinity, u >= 0. */
static void upper_tail(double u, double t[3])
{
  if (isinf(u)) {
    t[0] = t[1] = t[2] = 0.0;
    return;
  }
  double e = 0.5 * exp(-u);
  t[0] = e;
  t[1] = (u + 1.0) * e;
  t[2] = (u * u + 2.0 * u + 2.0) * e;
}

/* Moments over [a, b] with 0 <= a <= b. */
static void positive_part(double a, double b, double m[3])
{
  double ta[3], tb[3];
  upper_tail(a, ta);
  upper_tail(b, tb);
  for (int k = 0; k < 3; k++)
    m[k] = ta[k] - tb[k];
}

/* f is left NAN: the tails do evaluate exp(-|u|)/2 at the ends, but inside
 * positive_part's differences, and the pdf is one exp (the ECSQ's saving
 * is the t's log1p and exp). */
static int partial_moments(double a, double b, const double *th, double m[3], double f[2])
{
  (void)th;
  (void)f;
  double pos[3] = {0, 0, 0}, neg[3] = {0, 0, 0};
  if (b > 0.0)
    positive_part(fmax(a, 0.0), b, pos);
  if (a < 0.0) /* mirror [a, min(b,0)] onto the positive axis */
    positive_part(-fmin(b, 0.0), -a, neg);
  m[0] = pos[0] + neg[0];
  m[1] = pos[1] - neg[1];
  m[2] = pos[2] + neg[2];
  return 0;
}

/* Orr et al.'s model of the expected block maximum, gamma + ln B. */
static double block_absmax_model(double b, const double *th)
{
  (void)th;
  return M_EULER + log(b);
}

/* p^alpha of the unit-variance law is a Laplace of scale 1/(alpha sqrt 2);
 * block: of scale 1/(alpha M) after dividing by M, truncated to [-1, 1]. */
static int crd_lower(double u, double alpha, double b, const double *th, double *x)
{
  if (b == 0.0) {
    *x = 1.0 / (alpha * M_SQRT2) * log(2.0 * u);
    return 0;
  }
  double s = 1.0 / (alpha * block_absmax_model(b, th)), u0 = 0.5 * exp(-1.0 / s);
  *x = s * log(2.0 * (u0 + u * (1.0 - 2.0 * u0)));
  return 0;
}

/* sf is cdf reflected, and partial_moments reflects [a, 0] onto the
 * positive axis: both tails are the same expressions. */
static int mirror_exact(const double *th)
{
  (void)th;
  return 1;
}

const qrd_dist_type qrd_dist_laplace = {
  .name = "laplace",
  .doc = "Laplace (double exponential) distribution",
  .pdf = pdf, .cdf = cdf, .sf = sf, .quantile = quantile, .sample = sample,
  .variance = variance, .entropy = entropy,
  .lo = -INFINITY, .hi = INFINITY,
  .partial_moments = partial_moments,
  .slug = "laplace", .label = "Laplace",
  .block_absmax_model = block_absmax_model, .crd_lower = crd_lower,
  .mirror_exact = mirror_exact,
};
