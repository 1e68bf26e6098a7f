/* Cube-root-density element formats (Orr et al.) of any registered
 * distribution: each codepoint is one quantile of the density proportional
 * to p^alpha (truncated to [-1, 1] under block scaling), from the family's
 * closed form where it has one (p^alpha of a Normal, Laplace or Student-t
 * is again of the same family), otherwise by quadrature and root finding
 * (quant/power_law.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fmt/bits.h"
#include "fmt/element.h"
#include "fmt/element_impl.h"
#include "quant/power_law.h"

void qrd_crd_params_default(qrd_crd_params *p)
{
  *p = (qrd_crd_params){.scaling = QRD_CRD_RMS, .symmetric = 1, .block = 64.0,
                        .alpha = 1.0 / 3.0};
  qrd_dist_parse("gaussian", &p->dist);
}

int qrd_crd_params_for_dist(const qrd_dist *d, qrd_crd_params *p, char *slug, char *label,
                            size_t len)
{
  qrd_crd_params_default(p);
  p->dist = *d;
  if (slug)
    qrd_dist_slug(d, slug, len);
  if (label)
    qrd_dist_label(d, label, len);
  return QRD_OK;
}

/* ---- probability grids (docs/methods-orr.md) ----
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
  int closed;        /* the family's crd_lower computes the codepoints */
  qrd_dist src;      /* quadrature: the source at unit variance (RMS) or
                      * divided by its expected block maximum (block) */
  qrd_power_law law; /* quadrature: p^alpha of src, on [-1, 1] under block */
} crd_law;

static int block_scaled(const qrd_crd_params *p) { return p->scaling != QRD_CRD_RMS; }

/* The source scaled to unit variance (RMS) or to an expected block
 * maximum of 1 (block), so that the codepoints are in the data's units. */
static int crd_source(const qrd_crd_params *p, qrd_dist *src)
{
  *src = p->dist;
  src->scale = 1.0;
  if (!block_scaled(p)) {
    src->scale = 1.0 / sqrt(qrd_dist_variance(src));
    return QRD_OK;
  }
  double m;
  int st = qrd_dist_block_absmax_expected(src, p->block, &m);
  src->scale = 1.0 / m;
  return st;
}

static int crd_law_init(const qrd_crd_params *p, crd_law *c)
{
  *c = (crd_law){.p = p, .closed = p->dist.type->crd_lower && !p->quadrature};
  int st = crd_source(p, &c->src);
  if (st || c->closed || p->alpha == 0.0)
    return st;
  double r = block_scaled(p) ? 1.0 : INFINITY;
  return qrd_power_law_init(&c->law, &c->src, p->alpha, -r, r);
}

/* Codepoint at lower-tail probability u in [0, 1/2) (negative values);
 * the upper half mirrors it. */
static int lower_codepoint(const crd_law *c, double u, double *q)
{
  const qrd_crd_params *p = c->p;
  if (block_scaled(p) && u == 0.0) { /* the -1 endpoint, exactly */
    *q = -1.0;
    return QRD_OK;
  }
  if (p->alpha == 0.0) { /* uniform grid 2p - 1 (block only) */
    *q = 2.0 * u - 1.0;
    return QRD_OK;
  }
  if (c->closed)
    return p->dist.type->crd_lower(u, p->alpha, block_scaled(p) ? p->block : 0.0,
                                   p->dist.shape, q);
  return qrd_power_law_quantile(&c->law, u, q);
}

static int crd_check(const qrd_crd_params *p, size_t n)
{
  const char *src = p->dist.spec;
  int block = block_scaled(p);
  if (!p->dist.type || p->scaling < QRD_CRD_RMS || p->scaling > QRD_CRD_SIGNMAX)
    return qrd_error_set(QRD_EINVAL, "CRD: no distribution or unknown scaling %d",
                         (int)p->scaling);
  if (!(p->alpha >= 0.0 && isfinite(p->alpha)))
    return qrd_error_set(QRD_EINVAL, "CRD of %s: alpha = %g must be finite and >= 0", src,
                         p->alpha);
  if (p->alpha == 0.0 && !block)
    return qrd_error_set(QRD_EINVAL, "CRD of %s: alpha = 0 needs absmax or signmax scaling"
                         " (p^0 does not normalise on an unbounded range)", src);
  if (!block && !isfinite(p->dist.type->variance(p->dist.shape)))
    return qrd_error_set(QRD_EINVAL, "CRD of %s: RMS scaling needs a finite variance "
                         "(student-t: nu > 2)", src);
  if (block && !(p->block > 1.0 && isfinite(p->block)))
    return qrd_error_set(QRD_EINVAL, "CRD of %s: block size %g must be finite and > 1", src,
                         p->block);
  if (p->scaling == QRD_CRD_SIGNMAX && p->symmetric)
    return qrd_error_set(QRD_EINVAL, "CRD of %s: signmax scaling is asymmetric only", src);
  if (p->scaling == QRD_CRD_ABSMAX && !p->symmetric && n < 4)
    return qrd_error_set(QRD_EINVAL, "CRD of %s: asymmetric absmax needs >= 4 levels "
                         "(got %zu)", src, n);
  return QRD_OK;
}

/* One codepoint tells: the family's closed form refuses shapes it does
 * not cover, and the quadrature fails where p^alpha does not normalise.
 * 4 levels: a count every grid takes. */
int qrd_crd_defined(const qrd_crd_params *p)
{
  crd_law law;
  double q;
  return crd_check(p, 4) == QRD_OK && crd_law_init(p, &law) == QRD_OK
         && lower_codepoint(&law, 0.25, &q) == QRD_OK;
}

/* "crd[t-nu-5,absmax,sym,B=128,n=16]", alpha appended unless 1/3. */
static void crd_name(const qrd_crd_params *p, size_t n, char *buf, size_t len)
{
  static const char *scaling[] = {"rms", "absmax", "signmax"};
  char slug[48], block[24] = "", alpha[32] = "";
  qrd_dist_slug(&p->dist, slug, sizeof slug);
  if (block_scaled(p))
    snprintf(block, sizeof block, ",B=%g", p->block);
  if (fabs(p->alpha - 1.0 / 3.0) > 1e-12)
    snprintf(alpha, sizeof alpha, ",alpha=%g", p->alpha);
  int full = snprintf(buf, len, "crd[%s,%s,%s%s,n=%zu%s]", slug, scaling[p->scaling],
                      p->symmetric ? "sym" : "asym", block, n, alpha);
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
  st = crd_law_init(p, &law);
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
