/* Distributions: a registry of vtables.
 *
 * A family implements its *standard form* (location 0, scale 1) as plain
 * functions of x and its shape parameters; the generic layer here adds the
 * scale (unit variance by default, or an explicit `scale=`), parsing, and the
 * integrals every quantiser needs.  Adding a family is one new file defining a
 * `const qrd_dist_type` plus one line in registry.c; closed forms (partial
 * moments, CRD codepoints, the block-maximum model) are optional speed-ups
 * over the generic quadrature. */
#ifndef QRD_DIST_H
#define QRD_DIST_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "core/spec.h"

#define QRD_DIST_MAX_SHAPE 4

typedef struct qrd_dist_type {
  const char *name;
  const char *doc;
  /* Shape parameters only; "scale" is added by the generic layer. */
  size_t n_shape;
  const qrd_param_def *shape;

  /* Standard-form functions; `th` holds the shape parameters. */
  double (*pdf)(double x, const double *th);
  double (*cdf)(double x, const double *th);
  double (*quantile)(double p, const double *th);
  double (*sample)(const gsl_rng *r, const double *th);
  double (*variance)(const double *th);   /* +INFINITY when infinite */
  double (*entropy)(const double *th);    /* differential entropy, nats */
  double lo, hi;                          /* support of the standard form */

  /* Optional.  Upper tail 1 - cdf without cancellation (NULL: 1 - cdf). */
  double (*sf)(double x, const double *th);
  /* Optional closed form of m[k] = integral over [a, b] of x^k pdf(x),
   * k = 0, 1, 2 (a, b may be infinite); returns non-zero where it does not
   * apply.  NULL or non-zero: GSL quadrature is used.  A
   * closed form is a speed-up, and the tests compare it with quadrature.
   * f[0] and f[1] (set to NAN by the caller) receive pdf(a) and pdf(b)
   * where the closed form evaluates them (this family's pdf, the same
   * bits), and are left alone otherwise: an ECSQ design needs the pdf at
   * the edges whose tails it has just computed (the tests check the
   * bits). */
  int (*partial_moments)(double a, double b, const double *th, double m[3], double f[2]);

  /* Optional names in results and plots: printf formats given the shape
   * parameters as doubles ("t-nu-%g", "t[nu=%g]").  NULL: the family name
   * and each shape parameter ("gengauss-beta-1.5", "gengauss[beta=1.5]"). */
  const char *slug, *label;
  /* Optional closed-form model of E max|X| over a block of b iid
   * standard-form values (Orr et al.); NaN where it does not hold.
   * NULL: the exact integral stands in (qrd_dist_block_absmax_expected). */
  double (*block_absmax_model)(double b, const double *th);
  /* Optional closed form of a CRD codepoint (fmt/element.h): the quantile
   * at lower-tail probability u in (0, 1/2) of the density proportional to
   * p^alpha, alpha > 0, of the unit-variance form (b = 0: RMS scaling), or
   * of p(M y)^alpha restricted to |y| <= 1 with M = block_absmax_model(b)
   * (b > 0: absmax scaling).  Returns a qrd status.  NULL: quadrature and
   * root finding on the pdf, which the tests compare with this. */
  int (*crd_lower)(double u, double alpha, double b, const double *th, double *x);
  /* Optional: non-zero when the law and its functions are symmetric about
   * 0 bit for bit, for every x > 0: cdf(-x) is sf(x), and the lower tail
   * moments over (-inf, -x] are (m0, -m1, m2) of the upper ones over
   * [x, inf) (the tests check both).  The cell moments and probabilities
   * of a symmetric edge list then compute each tail once, for its
   * non-negative edge.  NULL: never. */
  int (*mirror_exact)(const double *th);
} qrd_dist_type;

/* An instance: a family, its shape and a scale. */
typedef struct {
  const qrd_dist_type *type;
  double shape[QRD_DIST_MAX_SHAPE];
  double scale;
  char spec[128]; /* canonical name, e.g. "student-t:nu=5" */
} qrd_dist;

/* Registry. */
size_t qrd_dist_count(void);
const qrd_dist_type *qrd_dist_type_at(size_t i);
const qrd_dist_type *qrd_dist_type_find(const char *name);

/* d->type <- the family spec names, after d was copied as bytes from
 * another process (whose registry lives at other addresses); an empty
 * spec (no distribution) gets NULL.  QRD_ENOTFOUND for an unknown family. */
int qrd_dist_relink(qrd_dist *d);

/* Parses "name[:param=value,...]" into *d.  Without `scale=` the
 * distribution has unit variance, which is an error (QRD_EDOM) when the
 * family's variance is infinite. */
int qrd_dist_parse(const char *text, qrd_dist *d);

double qrd_dist_pdf(const qrd_dist *d, double x);
double qrd_dist_cdf(const qrd_dist *d, double x);
double qrd_dist_sf(const qrd_dist *d, double x);
double qrd_dist_quantile(const qrd_dist *d, double p);
double qrd_dist_sample(const qrd_dist *d, const gsl_rng *r);
double qrd_dist_variance(const qrd_dist *d);
double qrd_dist_entropy_bits(const qrd_dist *d);
void qrd_dist_support(const qrd_dist *d, double *lo, double *hi);

/* P(a < X <= b), taking the upper tail from sf so small tail cells keep
 * their relative precision. */
double qrd_dist_prob(const qrd_dist *d, double a, double b);

/* p[i] = qrd_dist_prob(d, edge[i], edge[i + 1]) for the n cells of an
 * edge list, bit for bit, with each edge's tail value computed once
 * instead of twice (and a negative edge's not at all when its mirror
 * image is an edge too and the family is mirror_exact).  tail: workspace
 * of n + 1 doubles. */
void qrd_dist_cell_probs(const qrd_dist *d, const double *edge, size_t n, double *tail,
                         double *p);

/* m[k] = integral over [a, b] of x^k pdf(x) dx for k = 0, 1, 2: closed form
 * when the family has one, otherwise adaptive GSL quadrature. */
int qrd_dist_partial_moments(const qrd_dist *d, double a, double b,
                             double m[3]);

/* m[i][k] for the n cells (edge[i], edge[i+1]] of an ascending edge list:
 * each edge's tail moments are computed once and shared by its two cells
 * (half the cost of n qrd_dist_partial_moments calls, same numerics: cells
 * right of 0 use upper tails, left of 0 lower tails; for a mirror_exact
 * family, a lower tail whose edge's mirror image is an edge too is that
 * edge's upper tail reflected, the same bits).  tail: workspace of n + 1
 * triples. */
int qrd_dist_cell_moments(const qrd_dist *d, const double *edge, size_t n,
                          double (*tail)[3], double (*m)[3]);

/* The same, keeping the tails still valid: tail[i] was computed at edge
 * at[i] and is recomputed (and at[i] set) only where edge[i] differs;
 * at[i] = NAN forgets it.  For iterations that move few edges.  pdf (may
 * be NULL): pdf[i] is set with tail[i], to qrd_dist_pdf(d, at[i]) where
 * the family's closed form evaluated it on the way (the same bits), NAN
 * where it did not. */
int qrd_dist_cell_moments_reuse(const qrd_dist *d, const double *edge, size_t n,
                                double (*tail)[3], double *at, double *pdf, double (*m)[3]);

/* The same by quadrature only (for tests and for families without a closed
 * form). */
int qrd_dist_partial_moments_quad(const qrd_dist *d, double a, double b,
                                  double m[3]);

/* Names of d's shape (its scale left out) for results and plots: the
 * family's slug and label formats, or generic ones (qrd_dist_type). */
void qrd_dist_slug(const qrd_dist *d, char *buf, size_t len);
void qrd_dist_label(const qrd_dist *d, char *buf, size_t len);

/* The family's closed-form model of E max_i |X_i| over a block of b iid
 * values (scaled with d); NaN when it has none or it does not hold at b. */
double qrd_dist_block_absmax_model(const qrd_dist *d, double b);

/* The expected block maximum the block formats are designed for: the
 * closed-form model where the family has one (the published designs use
 * it), otherwise the exact mean qrd_dist_block_absmax_mean.  QRD_EINVAL
 * when the model does not hold at b (e.g. Normal B <= pi). */
int qrd_dist_block_absmax_expected(const qrd_dist *d, double b, double *m);

/* E max_i |X_i| over a block of b iid values, exactly:
 * integral over m > 0 of 1 - (1 - 2 sf(m))^b (symmetric distributions). */
int qrd_dist_block_absmax_mean(const qrd_dist *d, double b, double *mean);

#endif
