/* Generic layer over the distribution vtables: parsing, scaling, and the
 * integrals the exact quantiser evaluation needs. */
#include "dist/dist.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/integrate.h"

/* Parameter list of an instance: the family's shape parameters, then scale. */
#define SCALE_DOC "scale of the standard form (default: unit variance)"

const qrd_dist_type *qrd_dist_type_find(const char *name)
{
  for (size_t i = 0; i < qrd_dist_count(); i++)
    if (strcmp(qrd_dist_type_at(i)->name, name) == 0)
      return qrd_dist_type_at(i);
  return NULL;
}

int qrd_dist_relink(qrd_dist *d)
{
  char name[sizeof d->spec];
  size_t n = strcspn(d->spec, ":");
  snprintf(name, sizeof name, "%.*s", (int)n, d->spec);
  d->type = n ? qrd_dist_type_find(name) : NULL;
  return n && !d->type ? qrd_error_set(QRD_ENOTFOUND, "distribution '%s' is not registered",
                                       name)
                       : QRD_OK;
}

static const char *name_at(size_t i) { return qrd_dist_type_at(i)->name; }

static size_t param_defs(const qrd_dist_type *t, qrd_param_def *defs)
{
  for (size_t i = 0; i < t->n_shape; i++)
    defs[i] = t->shape[i];
  defs[t->n_shape] = (qrd_param_def){.name = "scale", .def = NAN, .min = 0.0,
                                     .max = 1e300, .min_open = 1, .doc = SCALE_DOC};
  return t->n_shape + 1;
}

static int unit_variance_scale(const qrd_dist_type *t, const double *shape,
                               const char *text, double *scale)
{
  double v = t->variance(shape);
  if (!isfinite(v) || v <= 0.0)
    return qrd_error_set(QRD_EDOM,
                         "distribution '%s' has infinite variance, so it cannot be "
                         "scaled to unit variance (student-t needs nu > 2, or give scale=)",
                         text);
  *scale = 1.0 / sqrt(v);
  return QRD_OK;
}

int qrd_dist_parse(const char *text, qrd_dist *d)
{
  qrd_spec s;
  int st = qrd_spec_parse(text, &s);
  if (st)
    return st;
  const qrd_dist_type *t = qrd_dist_type_find(s.name);
  if (!t)
    return qrd_spec_unknown("distribution", s.name, qrd_dist_count(), name_at);
  qrd_param_def defs[QRD_DIST_MAX_SHAPE + 1];
  double theta[QRD_DIST_MAX_SHAPE + 1];
  unsigned given;
  size_t n = param_defs(t, defs);
  if ((st = qrd_spec_bind(&s, "distribution", defs, n, theta, &given)))
    return st;
  memset(d, 0, sizeof *d);
  d->type = t;
  memcpy(d->shape, theta, t->n_shape * sizeof *theta);
  d->scale = theta[t->n_shape];
  if (!(given & (1u << t->n_shape)) &&
      (st = unit_variance_scale(t, d->shape, text, &d->scale)))
    return st;
  qrd_spec_format(d->spec, sizeof d->spec, t->name, defs, n, theta, given);
  return QRD_OK;
}

double qrd_dist_pdf(const qrd_dist *d, double x)
{
  return d->type->pdf(x / d->scale, d->shape) / d->scale;
}

double qrd_dist_cdf(const qrd_dist *d, double x)
{
  return d->type->cdf(x / d->scale, d->shape);
}

double qrd_dist_sf(const qrd_dist *d, double x)
{
  double z = x / d->scale;
  return d->type->sf ? d->type->sf(z, d->shape) : 1.0 - d->type->cdf(z, d->shape);
}

double qrd_dist_quantile(const qrd_dist *d, double p)
{
  return d->scale * d->type->quantile(p, d->shape);
}

double qrd_dist_sample(const qrd_dist *d, const gsl_rng *r)
{
  return d->scale * d->type->sample(r, d->shape);
}

double qrd_dist_variance(const qrd_dist *d)
{
  return d->scale * d->scale * d->type->variance(d->shape);
}

double qrd_dist_entropy_bits(const qrd_dist *d)
{
  return (d->type->entropy(d->shape) + log(d->scale)) / M_LN2;
}

void qrd_dist_support(const qrd_dist *d, double *lo, double *hi)
{
  *lo = d->scale * d->type->lo;
  *hi = d->scale * d->type->hi;
}

double qrd_dist_prob(const qrd_dist *d, double a, double b)
{
  if (a >= b)
    return 0.0;
  return a >= 0.0 ? qrd_dist_sf(d, a) - qrd_dist_sf(d, b)
                  : qrd_dist_cdf(d, b) - qrd_dist_cdf(d, a);
}

static int mirror_exact(const qrd_dist *d)
{
  return d->type->mirror_exact && d->type->mirror_exact(d->shape);
}

/* Edge i of n + 1 when it is finite and negative and edge[n - i] is its
 * mirror image: a mirror_exact family's lower tail there is the upper
 * tail at edge[n - i], reflected.  The edges at or right of 0 are done
 * first (the `right` pass) so that the mirrored ones can read theirs. */
static int mirrored(int mirror, const double *edge, size_t n, size_t i)
{
  return mirror && edge[i] < 0.0 && isfinite(edge[i]) && edge[n - i] == -edge[i];
}

static int in_pass(double e, int right) { return right ? e >= 0.0 : !(e >= 0.0); }

void qrd_dist_cell_probs(const qrd_dist *d, const double *edge, size_t n, double *tail,
                         double *p)
{
  /* the value qrd_dist_prob takes at each edge: sf right of 0, cdf left */
  int mirror = mirror_exact(d);
  for (int right = 1; right >= 0; right--)
    for (size_t i = 0; i <= n; i++) {
      double e = edge[i];
      if (!in_pass(e, right))
        continue;
      tail[i] = right                        ? qrd_dist_sf(d, e)
                : mirrored(mirror, edge, n, i) ? tail[n - i]
                                               : qrd_dist_cdf(d, e);
    }
  for (size_t i = 0; i < n; i++) {
    double a = edge[i], b = edge[i + 1];
    if (a >= b)
      p[i] = 0.0;
    else if (a >= 0.0)
      p[i] = tail[i] - tail[i + 1];
    else /* the one cell across 0 needs the cdf at its right edge too */
      p[i] = (b < 0.0 ? tail[i + 1] : qrd_dist_cdf(d, b)) - tail[i];
  }
}

struct moment_integrand {
  const qrd_dist *d;
  int k;
};

static double moment_integrand(double x, void *params)
{
  const struct moment_integrand *p = params;
  double f = qrd_dist_pdf(p->d, x);
  return p->k == 0 ? f : p->k == 1 ? x * f : x * x * f;
}

/* Integral of x^k pdf over [a, b], split at 0: x^k changes sign there and
 * the mass of a symmetric law is centred there, so each piece has a definite
 * sign and the relative tolerance means something (a first moment over
 * [-c, c] is 0 up to round-off, which no relative tolerance can meet). */
static int moment_quad(const qrd_dist *d, int k, double a, double b, double *m)
{
  struct moment_integrand p = {.d = d, .k = k};
  double lo = 0.0, hi = 0.0, err;
  int st = a < 0.0 ? qrd_integrate(moment_integrand, &p, a, fmin(b, 0.0), &lo, &err) : QRD_OK;
  if (!st && b > 0.0)
    st = qrd_integrate(moment_integrand, &p, fmax(a, 0.0), b, &hi, &err);
  *m = lo + hi;
  return st;
}

int qrd_dist_partial_moments_quad(const qrd_dist *d, double a, double b,
                                  double m[3])
{
  for (int k = 0; k < 3; k++) {
    int st = moment_quad(d, k, a, b, &m[k]);
    if (st)
      return st;
  }
  return QRD_OK;
}

/* qrd_dist_partial_moments, and in f[0], f[1] (f may be NULL) the pdf at
 * a and b (qrd_dist_pdf's bits) where the family's closed form evaluated
 * them there, else NAN. */
static int partial_moments_pdf(const qrd_dist *d, double a, double b, double m[3], double f[2])
{
  double lo, hi, fs[2] = {NAN, NAN};
  qrd_dist_support(d, &lo, &hi);
  int clipped_a = a < lo, clipped_b = b > hi;
  a = fmax(a, lo);
  b = fmin(b, hi);
  if (f)
    f[0] = f[1] = NAN;
  if (a >= b) {
    m[0] = m[1] = m[2] = 0.0;
    return QRD_OK;
  }
  double s = d->scale;
  if (!d->type->partial_moments || d->type->partial_moments(a / s, b / s, d->shape, m, fs))
    return qrd_dist_partial_moments_quad(d, a, b, m);
  m[1] *= s;
  m[2] *= s * s;
  if (f) { /* qrd_dist_pdf(d, x) = pdf(x / s) / s, at the ends asked for */
    f[0] = clipped_a ? NAN : fs[0] / s;
    f[1] = clipped_b ? NAN : fs[1] / s;
  }
  return QRD_OK;
}

int qrd_dist_partial_moments(const qrd_dist *d, double a, double b, double m[3])
{
  return partial_moments_pdf(d, a, b, m, NULL);
}

int qrd_dist_cell_moments(const qrd_dist *d, const double *edge, size_t n,
                          double (*tail)[3], double (*m)[3])
{
  return qrd_dist_cell_moments_reuse(d, edge, n, tail, NULL, NULL, m);
}

int qrd_dist_cell_moments_reuse(const qrd_dist *d, const double *edge, size_t n,
                                double (*tail)[3], double *at, double *pdf, double (*m)[3])
{
  int mirror = mirror_exact(d);
  for (int right = 1; right >= 0; right--)
    for (size_t i = 0; i <= n; i++) {
      double e = edge[i], f[2] = {NAN, NAN};
      if (!in_pass(e, right) || (at && at[i] == e))
        continue;
      if (mirrored(mirror, edge, n, i)) {
        const double *u = tail[n - i];
        tail[i][0] = u[0];
        tail[i][1] = -u[1];
        tail[i][2] = u[2];
      } else {
        int st = right ? partial_moments_pdf(d, e, INFINITY, tail[i], f)
                       : partial_moments_pdf(d, -INFINITY, e, tail[i], f);
        if (st)
          return st;
      }
      if (at)
        at[i] = e;
      if (pdf)
        pdf[i] = right ? f[0] : f[1];
    }
  for (size_t i = 0; i < n; i++) {
    double a = edge[i], b = edge[i + 1];
    if (a >= 0.0) {
      for (int k = 0; k < 3; k++)
        m[i][k] = tail[i][k] - tail[i + 1][k];
    } else if (b < 0.0) { /* a cell ending at 0 needs the lower tail there: direct */
      for (int k = 0; k < 3; k++)
        m[i][k] = tail[i + 1][k] - tail[i][k];
    } else {
      int st = qrd_dist_partial_moments(d, a, b, m[i]);
      if (st)
        return st;
    }
  }
  return QRD_OK;
}

struct block_max {
  const qrd_dist *d;
  double b;
};

/* P(max |X| > m), as -expm1(b log1p(-2 sf)) to keep the far tail. */
static double block_absmax_sf(double m, void *params)
{
  const struct block_max *p = params;
  return -expm1(p->b * log1p(-2.0 * qrd_dist_sf(p->d, m)));
}

int qrd_dist_block_absmax_mean(const qrd_dist *d, double b, double *mean)
{
  struct block_max p = {.d = d, .b = b};
  double err;
  return qrd_integrate(block_absmax_sf, &p, 0.0, INFINITY, mean, &err);
}

/* The family's format given the shape, or the name and each shape
 * parameter: name OPEN k EQ v [BETWEEN k EQ v ...] CLOSE. */
typedef struct {
  const char *open, *eq, *between, *close;
} name_style;

static void shape_name(const qrd_dist *d, const char *fmt, const name_style *s, char *buf,
                       size_t len)
{
  const qrd_dist_type *t = d->type;
  const double *th = d->shape;
  if (fmt) {
    snprintf(buf, len, fmt, th[0], th[1], th[2], th[3]);
    return;
  }
  size_t n = (size_t)snprintf(buf, len, "%s", t->name);
  for (size_t i = 0; i < t->n_shape && n < len; i++)
    n += (size_t)snprintf(buf + n, len - n, "%s%s%s%g", i ? s->between : s->open,
                          t->shape[i].name, s->eq, th[i]);
  if (t->n_shape && n < len)
    snprintf(buf + n, len - n, "%s", s->close);
}

void qrd_dist_slug(const qrd_dist *d, char *buf, size_t len)
{
  static const name_style style = {"-", "-", "-", ""};
  shape_name(d, d->type->slug, &style, buf, len);
}

void qrd_dist_label(const qrd_dist *d, char *buf, size_t len)
{
  static const name_style style = {"[", "=", ",", "]"};
  shape_name(d, d->type->label, &style, buf, len);
}

double qrd_dist_block_absmax_model(const qrd_dist *d, double b)
{
  return d->type->block_absmax_model ? d->scale * d->type->block_absmax_model(b, d->shape)
                                     : NAN;
}

int qrd_dist_block_absmax_expected(const qrd_dist *d, double b, double *m)
{
  if (!d->type->block_absmax_model)
    return qrd_dist_block_absmax_mean(d, b, m);
  *m = qrd_dist_block_absmax_model(d, b);
  if (!(*m > 0.0 && isfinite(*m)))
    return qrd_error_set(QRD_EINVAL, "%s: the block-maximum model does not hold at block "
                         "size %g (Normal and Student-t need B > pi, Student-t nu > 2)",
                         d->spec, b);
  return QRD_OK;
}
