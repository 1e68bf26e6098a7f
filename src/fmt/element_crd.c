/* Cube-root-density element formats (Orr et al. §2.4) from closed forms:
 * p^alpha of a Normal, Laplace or Student-t is again of the same family, so
 * each codepoint is one quantile of a (possibly truncated) known law. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "core/error.h"
#include "core/solve.h"
#include "fmt/bits.h"
#include "fmt/element.h"
#include "fmt/element_impl.h"

#define EULER_GAMMA 0.57721566 /* as in §2.4 (and the reference) */

void qrd_crd_params_default(qrd_crd_params *p)
{
  *p = (qrd_crd_params){.family = QRD_CRD_NORMAL, .nu = 5.0, .scaling = QRD_CRD_RMS,
                        .symmetric = 1, .block = 64.0, .alpha = 1.0 / 3.0};
}

int qrd_crd_params_for_dist(const qrd_dist *d, qrd_crd_params *p, char *slug, char *label,
                            size_t len)
{
  static const struct {
    const char *dist, *slug, *label;
    qrd_crd_family family;
  } known[] = {
    {"gaussian", "normal", "Normal", QRD_CRD_NORMAL},
    {"laplace", "laplace", "Laplace", QRD_CRD_LAPLACE},
    {"student-t", "t-nu-%g", "t[nu=%g]", QRD_CRD_STUDENT_T},
  };
  qrd_crd_params_default(p);
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    if (strcmp(d->type->name, known[i].dist) != 0)
      continue;
    p->family = known[i].family;
    if (p->family == QRD_CRD_STUDENT_T)
      p->nu = d->shape[0];
    if (slug)
      snprintf(slug, len, known[i].slug, p->nu);
    if (label)
      snprintf(label, len, known[i].label, p->nu);
    return QRD_OK;
  }
  return qrd_error_set(QRD_EINVAL, "'%s' has no CRD shape (allowed: gaussian, laplace, "
                       "student-t)", d->spec);
}

/* ---- probability grids (§2.4 table) ----
 * Kept as exact fractions num/den so that p and 1 - p are both exact and
 * mirrored codepoints come out exactly antisymmetric. */

typedef struct {
  double num, den;
} frac;

/* Appends (off + k) / den for k = k0..k1. */
static void add_run(frac *p, size_t *m, size_t k0, size_t k1, size_t off, size_t den)
{
  for (size_t k = k0; k <= k1; k++)
    p[(*m)++] = (frac){(double)(off + k), (double)den};
}

/* n fractions, ascending.  Asymmetric grids split n into nn = floor(n/2)
 * negative-half and np = n - nn positive-half points (n/2 each for even n,
 * as in the table). */
static void crd_grid(const qrd_crd_params *c, size_t n, frac *p)
{
  size_t m = 0, nn = n / 2, np = n - nn;
  if (c->symmetric) {
    if (c->scaling == QRD_CRD_RMS)
      add_run(p, &m, 1, n, 0, n + 1);      /* i/(n+1): no 0 (n even), no +-inf */
    else
      add_run(p, &m, 0, n - 1, 0, n - 1);  /* i/(n-1): +-1 included */
    return;
  }
  switch (c->scaling) {
  case QRD_CRD_RMS:     /* k/n up to 1/2 (zero), then 1/2 + k/(2(np+1)) */
    add_run(p, &m, 1, nn, 0, 2 * nn);
    add_run(p, &m, 1, np, np + 1, 2 * (np + 1));
    break;
  case QRD_CRD_ABSMAX:  /* -1 .. 0, then up to +1 */
    add_run(p, &m, 0, nn - 1, 0, 2 * (nn - 1));
    add_run(p, &m, 1, np, np, 2 * np);
    break;
  case QRD_CRD_SIGNMAX: /* 0 but not -1, then up to +1 */
    add_run(p, &m, 1, nn, 0, 2 * nn);
    add_run(p, &m, 1, np, np, 2 * np);
    break;
  }
}

/* ---- the p^alpha laws ---- */

typedef struct {
  const qrd_crd_params *p;
  double s;   /* scale of p^alpha's law (RMS) or of the truncated law (block) */
  double nu;  /* t: nu' = alpha (nu + 1) - 1, the dof of p^alpha */
  double u0;  /* block: mass of p^alpha's law below -1 (normalised units) */
  double m;   /* t block: expected block maximum M of the scale-1 source */
} crd_law;

static const char *family_name(qrd_crd_family f)
{
  return f == QRD_CRD_NORMAL ? "normal" : f == QRD_CRD_LAPLACE ? "laplace" : "t";
}

struct t_target {
  double u, nu;
};

static double t_residual(double x, void *params)
{
  const struct t_target *t = params;
  return gsl_cdf_tdist_P(x, t->nu) / t->u - 1.0;
}

/* Lower-tail t quantile, u in (0, 1/2).  gsl_cdf_tdist_Pinv is only a start
 * (§5 pitfall 12): at nu = 1 it evaluates tan(pi (u - 1/2)) and loses ~1e-5
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

/* Codepoint at lower-tail probability u in [0, 1/2) (negative values);
 * the upper half mirrors it. */
static int lower_codepoint(const crd_law *c, double u, double *q)
{
  const qrd_crd_params *p = c->p;
  int block = p->scaling != QRD_CRD_RMS;
  if (block && u == 0.0) { /* the -1 endpoint, exactly */
    *q = -1.0;
    return QRD_OK;
  }
  if (p->alpha == 0.0) { /* uniform grid 2p - 1 (block only) */
    *q = 2.0 * u - 1.0;
    return QRD_OK;
  }
  /* Block laws are truncated to [-1, 1]: map u into the untruncated law. */
  double v = block ? c->u0 + u * (1.0 - 2.0 * c->u0) : u;
  switch (p->family) {
  case QRD_CRD_NORMAL:
    *q = c->s * gsl_cdf_ugaussian_Pinv(v);
    return QRD_OK;
  case QRD_CRD_LAPLACE:
    *q = c->s * log(2.0 * v);
    return QRD_OK;
  case QRD_CRD_STUDENT_T: {
    double t;
    int st = t_lower_quantile(v, c->nu, &t);
    *q = c->s * t / (block ? c->m : 1.0);
    return st;
  }
  }
  return qrd_error_set(QRD_EINVAL, "CRD: unknown family %d", (int)p->family);
}

/* Scales of §2.4.  RMS (unit-variance source): Normal N(0, 1/alpha);
 * Laplace of scale 1/(alpha sqrt 2); t with dof nu' and scale
 * sqrt((nu-2)/nu').  Block (absmax-normalised, §2.5): Normal of scale
 * alpha^{-1/2} / sqrt(2 ln(B/pi)) and Laplace of scale 1/(alpha (gamma +
 * ln B)), truncated to [-1, 1]; t: the scale-1 source's p^alpha, a t of dof
 * nu' and scale c = sqrt(nu/nu'), truncated to [-M, M] and divided by M.
 * (The reference's Laplace block formula, s ln(2q(1 - e^{-1/s}) +
 * e^{-1/s}), is this truncation written out.) */
static void crd_law_init(const qrd_crd_params *p, crd_law *c)
{
  double a = p->alpha, nu = p->nu, lb = log(p->block / M_PI);
  *c = (crd_law){.p = p};
  c->nu = a * (nu + 1.0) - 1.0;
  if (p->scaling == QRD_CRD_RMS) {
    c->s = p->family == QRD_CRD_NORMAL ? 1.0 / sqrt(a)
         : p->family == QRD_CRD_LAPLACE ? 1.0 / (a * M_SQRT2)
                                        : sqrt((nu - 2.0) / c->nu);
    return;
  }
  switch (p->family) {
  case QRD_CRD_NORMAL:
    c->s = 1.0 / sqrt(a * 2.0 * lb);
    c->u0 = gsl_cdf_ugaussian_P(-1.0 / c->s);
    break;
  case QRD_CRD_LAPLACE:
    c->s = 1.0 / (a * (EULER_GAMMA + log(p->block)));
    c->u0 = 0.5 * exp(-1.0 / c->s);
    break;
  case QRD_CRD_STUDENT_T:
    c->m = pow(2.0 * lb, (nu - 3.0) / (2.0 * nu)) * pow(p->block, 1.0 / nu)
           * sqrt(nu / (nu - 2.0));
    c->s = sqrt(nu / c->nu);
    c->u0 = gsl_cdf_tdist_P(-c->m / c->s, c->nu);
    break;
  }
}

static int crd_check(const qrd_crd_params *p, size_t n)
{
  const char *fam = family_name(p->family);
  int block = p->scaling != QRD_CRD_RMS;
  if (p->family < QRD_CRD_NORMAL || p->family > QRD_CRD_STUDENT_T
      || p->scaling < QRD_CRD_RMS || p->scaling > QRD_CRD_SIGNMAX)
    return qrd_error_set(QRD_EINVAL, "CRD: unknown family %d or scaling %d",
                         (int)p->family, (int)p->scaling);
  if (!(p->alpha >= 0.0 && isfinite(p->alpha)))
    return qrd_error_set(QRD_EINVAL, "CRD %s: alpha = %g must be finite and >= 0", fam,
                         p->alpha);
  if (p->alpha == 0.0 && !block)
    return qrd_error_set(QRD_EINVAL, "CRD %s: alpha = 0 needs absmax or signmax scaling"
                         " (p^0 does not normalise on an unbounded range)", fam);
  if (p->family == QRD_CRD_STUDENT_T && !(p->nu > 2.0 && isfinite(p->nu)))
    return qrd_error_set(QRD_EINVAL, "CRD t: nu = %g must be finite and > 2", p->nu);
  if (p->family == QRD_CRD_STUDENT_T && p->alpha > 0.0 && !(p->alpha * (p->nu + 1.0) > 1.0))
    return qrd_error_set(QRD_EINVAL, "CRD t: p^alpha is not integrable for alpha = %g,"
                         " nu = %g (need alpha (nu + 1) > 1)", p->alpha, p->nu);
  if (block && !(p->block > (p->family == QRD_CRD_LAPLACE ? 1.0 : M_PI)
                 && isfinite(p->block)))
    return qrd_error_set(QRD_EINVAL, "CRD %s: block size %g too small for the block-max"
                         " model (need B > %s)", fam, p->block,
                         p->family == QRD_CRD_LAPLACE ? "1" : "pi");
  if (p->scaling == QRD_CRD_SIGNMAX && p->symmetric)
    return qrd_error_set(QRD_EINVAL, "CRD %s: signmax scaling is asymmetric only", fam);
  if (p->scaling == QRD_CRD_ABSMAX && !p->symmetric && n < 4)
    return qrd_error_set(QRD_EINVAL, "CRD %s: asymmetric absmax needs >= 4 levels (got %zu)",
                         fam, n);
  return QRD_OK;
}

/* "crd[t,nu=5,absmax,sym,B=128,n=16]", alpha appended unless 1/3. */
static void crd_name(const qrd_crd_params *p, size_t n, char *buf, size_t len)
{
  static const char *scaling[] = {"rms", "absmax", "signmax"};
  char nu[24] = "", block[24] = "", alpha[32] = "";
  if (p->family == QRD_CRD_STUDENT_T)
    snprintf(nu, sizeof nu, ",nu=%g", p->nu);
  if (p->scaling != QRD_CRD_RMS)
    snprintf(block, sizeof block, ",B=%g", p->block);
  if (fabs(p->alpha - 1.0 / 3.0) > 1e-12)
    snprintf(alpha, sizeof alpha, ",alpha=%g", p->alpha);
  int full = snprintf(buf, len, "crd[%s%s,%s,%s%s,n=%zu%s]", family_name(p->family), nu,
                      scaling[p->scaling], p->symmetric ? "sym" : "asym", block, n, alpha);
  if (full >= (int)len && len > 1)
    buf[len - 2] = '~'; /* only extreme parameters get here: mark the cut */
}

int qrd_element_crd(const qrd_crd_params *p, double b, qrd_element **out)
{
  size_t n;
  char name[QRD_ELEMENT_NAME_LEN];
  *out = NULL;
  int st = qrd_element_levels_for(b, "CRD", &n);
  if (st || (st = crd_check(p, n)))
    return st;
  crd_name(p, n, name, sizeof name);
  frac *grid = malloc(n * sizeof *grid);
  if (!grid)
    return qrd_error_set(QRD_ENOMEM, "%s", name);
  crd_grid(p, n, grid);
  if ((st = qrd_element_alloc_levels(n, qrd_bits_of_levels(n), name, out))) {
    free(grid);
    return st;
  }

  crd_law law;
  crd_law_init(p, &law);
  qrd_codebook *c = (*out)->cb;
  for (size_t i = 0; !st && i < n; i++) {
    double num = grid[i].num, den = grid[i].den, q = 0.0; /* p = 1/2: 0 exactly */
    if (2.0 * num != den) {
      st = lower_codepoint(&law, fmin(num, den - num) / den, &q);
      q = 2.0 * num < den ? q : -q;
    }
    c->level[i] = q;
  }
  free(grid);
  if (st) {
    qrd_element_free(*out);
    *out = NULL;
    return st;
  }
  qrd_codebook_set_midpoints(c);
  qrd_element_finish(*out);
  return QRD_OK;
}
