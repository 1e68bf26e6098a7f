/* The exact law of block-normalised values (Yoshida (NF4 vs AF4);
 * docs/methods-nf4.md).
 *
 * A block holds B iid weights W_i from a symmetric registered distribution.
 * Absmax scaling divides by M = max_i |W_i|, so X_i = W_i / M lies in
 * [-1, 1]: the maximum itself lands on an atom at -1 or +1 (mass 1/(2B)
 * each) and every other element has the continuous density
 *   f_B(x) = integral over m of w0(m) m p(mx) dm,
 *   w0(m)  = (B - 1) 2 p(m) G(m)^{B-2},  G(m) = P(|W| <= m),
 * w0 being the density of the largest |W| among the other B - 1 elements.
 * Signmax scaling divides by the signed extreme, so the maximum always
 * lands on +1 (one atom of mass 1/B) and f_B is unchanged.
 *
 * Optionally (OPQ) the weights with |W| > tau are outliers, stored aside:
 * the scale is the extreme of the remaining weights, so the other-maximum
 * law becomes (G(m) + 1 - G(tau))^{B-1} on [0, tau], and everything here is
 * per inlier element (conditional on |W| <= tau).
 *
 * Every expectation is one integral over m (the elementwise integral over x
 * is closed form through the distribution's partial moments).  The
 * integral over m uses a fixed rule built once per law: 20-point
 * Gauss-Legendre panels in s = log m, sized so that the integrand envelope
 * changes by at most e^4 per panel and cut where it falls below e^-40 of
 * its peak.  Log-spacing covers heavy tails (Student-t) and the m -> 0
 * end of small blocks alike; the tests check the rule against closed forms
 * (B = 2, 3), the published moments of M and adaptive quadrature.
 *
 * A law is read-only after qrd_law_alloc, so threads may share it. */
#ifndef QRD_LAW_BLOCKMAX_H
#define QRD_LAW_BLOCKMAX_H

#include <stddef.h>

#include "dist/dist.h"
#include "quant/codebook.h"

typedef enum {
  QRD_LAW_ABSMAX, /* divide by max |W|: atoms at -1 and +1 */
  QRD_LAW_SIGNMAX /* divide by the signed extreme: one atom at +1 */
} qrd_law_scaling;

/* Expected errors of a code under the law (Yoshida (NF4 vs AF4)), per element,
 * the maximum included; the weight-domain ones at the distribution's own
 * scale (unit variance by default). */
typedef enum {
  QRD_LAW_L1N, /* E |X - Q(X)|          ("l1")  */
  QRD_LAW_L2N, /* E (X - Q(X))^2        ("l2")  */
  QRD_LAW_L1W, /* E M |X - Q(X)| = E |W - W^|   ("l1w", BOF4's MAE) */
  QRD_LAW_L2W  /* E M^2 (X - Q(X))^2 = E (W - W^)^2 ("l2w", BOF4's MSE) */
} qrd_law_metric;

typedef struct {
  qrd_dist d;
  double block;      /* B */
  qrd_law_scaling scaling;
  double tau;        /* outlier threshold (INFINITY: none) */
  double inlier;     /* P(|W| <= tau) */
  size_t n;          /* quadrature nodes over m */
  double *m;         /* the nodes */
  double *w[3];      /* non-maximum weight at node j times m_j^k, k = 0, 1, 2 */
  double *neg;       /* P(W <= -m_j) */
  double atom[3];    /* E[M^k; the element is its block's maximum] */
  double near_zero;  /* nodes m <= this integrate each interval by Gauss-Legendre */
} qrd_law;

/* The law for blocks of `block` (a whole number >= 2) values of d.  tau >
 * 0 or INFINITY.  QRD_EDOM when the moments of M do not settle within m <
 * e^60 (tails too heavy for E M^2). */
int qrd_law_alloc(const qrd_dist *d, double block, qrd_law_scaling scaling, double tau,
                  qrd_law **out);
void qrd_law_free(qrd_law *law);

/* Continuous part f_B(x) on [-1, 1] (0 outside; mass 1 - 1/B for tau =
 * inf). */
double qrd_law_pdf(const qrd_law *law, double x);

/* P(X <= x), atoms included: F(-1) = mass of the -1 atom, F(1-) = 1 - mass
 * of the +1 atom, F = 1 from x = 1. */
double qrd_law_cdf(const qrd_law *law, double x);

/* Masses of the atoms at -1 and +1. */
void qrd_law_atoms(const qrd_law *law, double *lo, double *hi);

/* F^{-1}(v) as the AF4 generator defines it (Yoshida (NF4 vs AF4)): -1 at or
 * below the -1 atom, +1 at or above 1 - the +1 atom, else the Brent root of
 * F(x) = v (x to 2e-12, as scipy's brentq). */
int qrd_law_quantile(const qrd_law *law, double v, double *x);

/* M^k-weighted versions (k = 0, 1, 2): E[M^k | X = x] f_B(x) (continuous
 * part) and E[M^k 1{X <= x}] (atoms included). */
double qrd_law_wpdf(const qrd_law *law, int k, double x);
double qrd_law_wcdf(const qrd_law *law, int k, double x);

/* x with E[M^k 1{X <= x}] = v, for v strictly between the weighted masses
 * of -1 and of [-1, 1): Brent to 1e-15. */
int qrd_law_wquantile(const qrd_law *law, int k, double v, double *x);

/* mom[i][r] = E[M^k X^r 1{x_i < X <= x_{i+1}}], r = 0, 1, 2, for the
 * n - 1 intervals of an ascending list x[0..n-1] (entries may be +-inf;
 * an atom belongs to the interval containing it). */
int qrd_law_intervals(const qrd_law *law, int k, const double *x, size_t n,
                      double (*mom)[3]);

/* The block maximum M (for tau < inf: the largest inlier |W|, 0 when there
 * is none), by adaptive quadrature independent of the node rule:
 * E M = int (1 - H^B), E M^2 = int 2m (1 - H^B), median: H(m)^B = 1/2,
 * H(m) = G(m) + 1 - G(tau). */
int qrd_law_block_max(const qrd_law *law, double *mean, double *mean_sq, double *median);

/* Expected error of codebook c (its own cells, usually midpoints) under
 * the law. */
int qrd_law_error(const qrd_law *law, const qrd_codebook *c, qrd_law_metric metric,
                  double *value);

/* P(index = i) of c's cells under the law (prob holds c->n values); their
 * index entropy is qrd_entropy_bits(prob, c->n). */
int qrd_law_cell_probs(const qrd_law *law, const qrd_codebook *c, double *prob);

/* "l1", "l2", "l1w", "l2w"; QRD_EINVAL naming the allowed values. */
int qrd_law_metric_parse(const char *name, qrd_law_metric *m);
const char *qrd_law_metric_name(qrd_law_metric m);

/* The weight exponent k (0, 1, 2) and error power (1, 2) of a metric. */
int qrd_law_metric_weight(qrd_law_metric m);
int qrd_law_metric_power(qrd_law_metric m);

#endif
