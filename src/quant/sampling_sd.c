#include "quant/sampling_sd.h"

#include <math.h>

#include <gsl/gsl_integration.h>

#include "core/error.h"
#include "core/integrate.h"

#define GL_POINTS 16

/* mu[j] += integral over (a, b) of (x - q)^j pdf(x), j = 0 .. 4. */
typedef struct {
  const qrd_dist *d;
  double q;
  int j;
} centred;

static double centred_moment(double x, void *p)
{
  const centred *c = p;
  double u = x - c->q, f = qrd_dist_pdf(c->d, x);
  for (int k = 0; k < c->j; k++)
    f *= u;
  return f;
}

static int tail_moments(const qrd_dist *d, double a, double b, double q, double mu[5])
{
  centred c = {d, q, 0};
  for (c.j = 0; c.j < 5; c.j++) {
    double v, err;
    if (qrd_integrate(centred_moment, &c, a, b, &v, &err))
      return qrd_error_set(QRD_EDOM, "%s: E x^4 is not finite, so R has no standard "
                           "deviation", d->spec);
    mu[c.j] += v;
  }
  return QRD_OK;
}

/* A finite piece with no kink inside: Gauss-Legendre, all five at once
 * (a cell of a codebook with 2^16 levels costs 16 density values). */
static void piece_moments(const qrd_dist *d, const gsl_integration_glfixed_table *t, double a,
                          double b, double q, double mu[5])
{
  for (size_t i = 0; i < GL_POINTS; i++) {
    double x, w;
    gsl_integration_glfixed_point(a, b, i, &x, &w, t);
    double f = w * qrd_dist_pdf(d, x), u = x - q;
    for (int j = 0; j < 5; j++, f *= u)
      mu[j] += f;
  }
}

/* Densities may have a kink at 0 (Laplace): pieces never straddle it. */
static int cell_moments(const qrd_dist *d, const gsl_integration_glfixed_table *t, double a,
                        double b, double q, double mu[5])
{
  for (int j = 0; j < 5; j++)
    mu[j] = 0.0;
  if (isinf(a) || isinf(b))
    return tail_moments(d, a, b, q, mu);
  if (a < 0.0 && b > 0.0) {
    piece_moments(d, t, a, 0.0, q, mu);
    piece_moments(d, t, 0.0, b, q, mu);
  } else {
    piece_moments(d, t, a, b, q, mu);
  }
  return QRD_OK;
}

int qrd_rel_rmse_sd(const qrd_dist *d, const qrd_codebook *c, double s, double n, double *r,
                    double *sd)
{
  gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(GL_POINTS);
  if (!t)
    return qrd_error_set(QRD_ENOMEM, "quadrature table");
  /* E e, E e^2, E x^2, E x^4, E e x^2 from the moments of u = x - q. */
  double ee = 0.0, ee2 = 0.0, ex2 = 0.0, ex4 = 0.0, eex2 = 0.0;
  int st = QRD_OK;
  for (size_t i = 0; !st && i < c->n; i++) {
    double a = i == 0 ? -INFINITY : s * c->edge[i];
    double b = i + 1 == c->n ? INFINITY : s * c->edge[i + 1];
    double q = s * c->level[i], mu[5];
    if (!(b > a))
      continue;
    st = cell_moments(d, t, a, b, q, mu);
    ee += mu[2];
    ee2 += mu[4];
    ex2 += mu[2] + 2.0 * q * mu[1] + q * q * mu[0];
    ex4 += mu[4] + 4.0 * q * mu[3] + 6.0 * q * q * mu[2] + 4.0 * q * q * q * mu[1] +
           q * q * q * q * mu[0];
    eex2 += mu[4] + 2.0 * q * mu[3] + q * q * mu[2];
  }
  gsl_integration_glfixed_table_free(t);
  if (st)
    return st;
  double r2 = ee / ex2, eg2 = ee2 - 2.0 * r2 * eex2 + r2 * r2 * ex4;
  if (!(isfinite(eg2) && eg2 >= 0.0 && r2 > 0.0))
    return qrd_error_set(QRD_EDOM, "%s: the spread of R is not finite (E g^2 = %g)", d->spec,
                         eg2);
  *r = sqrt(r2);
  *sd = sqrt(eg2 / n) / (2.0 * *r * ex2);
  return QRD_OK;
}
