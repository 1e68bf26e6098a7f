/* Student's t with nu degrees of freedom, standard form (scale 1). */
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "core/error.h"
#include "core/solve.h"
#include "dist/dist.h"
#include "dist/mt19937.h"

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

/* GSL's t CDF (gsl_cdf_tdist_P and _Q, through its incomplete beta)
 * computes log B(nu/2, 1/2) afresh in every call: 29% of fig-1, whose
 * ECSQ designs take about 6e7 tails at one nu.  libgsl calls
 * gsl_sf_lnbeta through its PLT, so this definition in the program takes
 * those calls (as a program's malloc takes a library's) and remembers, per
 * thread, the last arguments and their value.  A miss does what GSL's own
 * gsl_sf_lnbeta does: gsl_sf_lnbeta_e, reporting a failure to GSL's error
 * handler; the bits are GSL's (test_lnbeta_memo compares them with GSL's
 * function), and a failed call is not remembered, so each one reports. */
double gsl_sf_lnbeta(const double a, const double b)
{
  static _Thread_local double last[2], value;
  static _Thread_local int filled;
  double now[2] = {a, b};
  if (filled && memcmp(now, last, sizeof now) == 0)
    return value;
  gsl_sf_result r;
  int status = gsl_sf_lnbeta_e(a, b, &r);
  if (status) {
    gsl_error("gsl_sf_lnbeta_e(a, b, &result)", __FILE__, __LINE__, status);
    return r.val;
  }
  value = r.val;
  memcpy(last, now, sizeof now);
  filled = 1;
  return value;
}

static double pdf(double x, const double *th)
{
  double nu = th[0];
  return isinf(x) ? 0.0 : exp(log_norm(nu) - 0.5 * (nu + 1.0) * log1p(x * x / nu));
}
/* The last two (x, nu) -> value of one tail function, per thread.  A
 * codebook's evaluation splits each cell at its level and takes the
 * moments of both parts, so every edge and every level reaches the tails
 * twice in a row (a cell's right edge is the next one's left); each value
 * costs an incomplete beta, and a repeated argument gives the same bits. */
typedef struct {
  double x[2], nu[2], v[2];
  int filled, next;
} tail_memo;

/* a and b the same bits (-0 is not 0 here, and a NaN matches itself) */
static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static double memo_tail(tail_memo *m, double (*f)(double, double), double x, double nu)
{
  for (int i = 0; i < m->filled; i++)
    if (same_bits(m->x[i], x) && same_bits(m->nu[i], nu))
      return m->v[i];
  int i = m->next;
  m->next = 1 - i;
  m->filled += m->filled < 2;
  m->x[i] = x;
  m->nu[i] = nu;
  m->v[i] = f(x, nu);
  return m->v[i];
}

static double cdf(double x, const double *th)
{
  static _Thread_local tail_memo m;
  return memo_tail(&m, gsl_cdf_tdist_P, x, th[0]);
}

static double sf(double x, const double *th)
{
  static _Thread_local tail_memo m;
  return memo_tail(&m, gsl_cdf_tdist_Q, x, th[0]);
}
static double quantile(double p, const double *th) { return gsl_cdf_tdist_Pinv(p, th[0]); }
/* gsl_ran_tdist's algorithm for nu > 2 (Marsaglia's rejection from a
 * Gaussian and an exponential), inline on qrd's generator; GSL's own
 * sampler otherwise. */
static double sample(const gsl_rng *r, const double *th)
{
  double nu = th[0];
  qrd_mt19937 *g = qrd_mt19937_of(r);
  if (!g || !(nu > 2.0))
    return gsl_ran_tdist(r, nu);
  /* the exponential's mean as GSL writes it, once per draw, not per trial */
  double mu = 1.0 / (nu / 2.0 - 1.0), y1, y2, z;
  do {
    y1 = qrd_mt19937_ugaussian(g);
    y2 = qrd_mt19937_exponential(g, mu);
    z = y1 * y1 / (nu - 2.0);
  } while (1.0 - z < 0.0 || exp(-y2 - z) > 1.0 - z);
  return y1 / sqrt((1.0 - 2.0 / nu) * (1.0 - z));
}
static double variance(const double *th) { return th[0] > 2.0 ? th[0] / (th[0] - 2.0) : INFINITY; }

static double entropy(const double *th)
{
  double nu = th[0];
  return 0.5 * (nu + 1.0) * (gsl_sf_psi(0.5 * (nu + 1.0)) - gsl_sf_psi(0.5 * nu))
         + 0.5 * log(nu) + gsl_sf_lnbeta(0.5 * nu, 0.5);
}

/* Antiderivatives from d/dx[(nu + x^2) f] = (1 - nu) x f (integration by
 * parts), given f = pdf(x); both boundary terms vanish at infinity when
 * nu > 2.  The pdf is passed in: ECSQ designs call this for every edge of
 * up to 10^5 cells per iteration, and the pdf is most of the cost. */
static double g1(double x, double f, double nu) { return isinf(x) ? 0.0 : -(nu + x * x) / (nu - 1.0) * f; }
static double g2(double x, double f, double nu) { return isinf(x) ? 0.0 : -x * (nu + x * x) / (nu - 2.0) * f; }

static int partial_moments(double a, double b, const double *th, double m[3], double f[2])
{
  double nu = th[0];
  if (nu <= 2.0)
    return -1; /* second moment diverges: leave it to quadrature */
  f[0] = pdf(a, th);
  f[1] = pdf(b, th);
  m[0] = a >= 0.0 ? sf(a, th) - sf(b, th) : cdf(b, th) - cdf(a, th);
  m[1] = g1(b, f[1], nu) - g1(a, f[0], nu);
  m[2] = g2(b, f[1], nu) - g2(a, f[0], nu) + nu / (nu - 2.0) * m[0];
  return 0;
}

/* Orr et al.'s model of the expected block maximum of the scale-1 law,
 * (2 ln(B/pi))^{(nu-3)/(2 nu)} B^{1/nu} sqrt(nu/(nu-2)). */
static double block_absmax_model(double b, const double *th)
{
  double nu = th[0];
  return pow(2.0 * log(b / M_PI), (nu - 3.0) / (2.0 * nu)) * pow(b, 1.0 / nu)
         * sqrt(nu / (nu - 2.0));
}

struct t_target {
  double u, nu;
};

static double t_residual(double x, void *params)
{
  const struct t_target *t = params;
  return gsl_cdf_tdist_P(x, t->nu) / t->u - 1.0;
}

/* Lower-tail t quantile, u in (0, 1/2).  gsl_cdf_tdist_Pinv is only a start:
 * at nu = 1 it evaluates tan(pi (u - 1/2)) and loses ~1e-5
 * relative in the far tail.  gsl_cdf_tdist_P itself is good to ~1e-14 also
 * for nu < 1 (checked against quadrature of the pdf at nu = 1/3, 1/2, 0.9),
 * so Newton steps on P(x) = u polish the start, and a bracketed Brent
 * search takes over if they do not reach 1e-13 relative. */
static int t_lower_quantile(double u, double nu, double *x)
{
  double y = gsl_cdf_tdist_Pinv(u, nu);
  for (int i = 0; i < 8 && isfinite(y) && y < 0.0; i++) {
    double r = gsl_cdf_tdist_P(y, nu) - u;
    if (fabs(r) <= 4.0 * DBL_EPSILON * u)
      break;
    y -= r / gsl_ran_tdist_pdf(y, nu);
  }
  if (isfinite(y) && y < 0.0 && fabs(gsl_cdf_tdist_P(y, nu) / u - 1.0) <= 1e-13) {
    *x = y;
    return QRD_OK;
  }
  struct t_target t = {u, nu};
  double lo = -1.0, hi = 0.0;
  int st = qrd_bracket_root(t_residual, &t, &lo, &hi);
  return st ? st : qrd_root(t_residual, &t, lo, hi, 0.0, 4.0 * DBL_EPSILON, x);
}

/* p^alpha is a t of nu' = alpha (nu + 1) - 1 degrees of freedom: of scale
 * sqrt((nu-2)/nu') for the unit-variance law; block: of scale sqrt(nu/nu')
 * for the scale-1 law, truncated to [-M, M] and divided by M. */
static int crd_lower(double u, double alpha, double b, const double *th, double *x)
{
  double nu = th[0], nu1 = alpha * (nu + 1.0) - 1.0, t;
  if (!(nu1 > 0.0))
    return qrd_error_set(QRD_EINVAL, "CRD of student-t:nu=%g: p^alpha is not integrable for "
                         "alpha = %g (need alpha (nu + 1) > 1)", nu, alpha);
  if (b == 0.0) {
    int st = t_lower_quantile(u, nu1, &t);
    *x = sqrt((nu - 2.0) / nu1) * t;
    return st;
  }
  double m = block_absmax_model(b, th), s = sqrt(nu / nu1);
  double u0 = gsl_cdf_tdist_P(-m / s, nu1);
  int st = t_lower_quantile(u0 + u * (1.0 - 2.0 * u0), nu1, &t);
  *x = s * t / m;
  return st;
}

/* GSL computes the t's two tails by the same incomplete beta call with the
 * argument's square, so cdf(-x) is sf(x) bit for bit, except above 30
 * degrees of freedom (a Cornish-Fisher expansion into the normal's,
 * whose tails differ in the last bits); the closed-form moments (nu > 2)
 * reflect exactly: g1 is even and g2 odd in x. */
static int mirror_exact(const double *th) { return th[0] > 2.0 && th[0] <= 30.0; }

const qrd_dist_type qrd_dist_student_t = {
  .name = "student-t",
  .doc = "Student's t distribution",
  .n_shape = 1, .shape = shape,
  .pdf = pdf, .cdf = cdf, .sf = sf, .quantile = quantile, .sample = sample,
  .variance = variance, .entropy = entropy,
  .lo = -INFINITY, .hi = INFINITY,
  .partial_moments = partial_moments,
  .slug = "t-nu-%g", .label = "t[nu=%g]",
  .block_absmax_model = block_absmax_model, .crd_lower = crd_lower,
  .mirror_exact = mirror_exact,
};
