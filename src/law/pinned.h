/* Optimal codes under a block law with some levels pinned (Yoshida (NF4 vs AF4);
 * docs/methods-nf4.md): AF4-exact (L1 of X, cell medians), BOF4 (weight-domain
 * MSE: M^2-weighted centroids; MAE: M-weighted medians), BOF4-S / OPQ
 * (the same under signmax scaling), split GSL-style into init / iterate /
 * test.
 *
 * Boundaries stay at midpoints (nearest level in x is nearest in w).  At
 * a fixed point every free level is its cell's weighted median (power 1)
 * or weighted centroid (power 2).  Plain Lloyd converges linearly and
 * slowly, so each iteration takes a Newton step on those conditions (the
 * Jacobian is tridiagonal) where it keeps the levels ordered and reduces
 * the residual, and the plain Lloyd update otherwise. */
#ifndef QRD_LAW_PINNED_H
#define QRD_LAW_PINNED_H

#include <stddef.h>

#include "law/blockmax.h"
#include "quant/codebook.h"

/* Stop when no level moves more than 1e-13, within 4000 iterations. */
#define QRD_PINNED_TOL 1e-13
#define QRD_PINNED_MAX_ITER 4000

typedef enum {
  QRD_PINS_SYMMETRIC, /* -1, 0, +1 pinned; n/2 - 2 negative, n/2 - 1 positive free */
  QRD_PINS_SIGNED     /* 0, +1 pinned; (n-1)/2 negative, the rest positive free */
} qrd_pin_layout;

typedef struct {
  const qrd_law *law;
  qrd_law_metric metric; /* the error minimised */
  size_t n;
  double *level;         /* n, ascending */
  unsigned char *pinned; /* n flags */
  double change;         /* largest level move of the last iteration */
  size_t iter;
  double *work;
  double (*mom)[3];
} qrd_law_lloyd;

qrd_law_lloyd *qrd_law_lloyd_alloc(size_t n);
void qrd_law_lloyd_free(qrd_law_lloyd *w);

/* Starts from level[] (ascending, within [-1, 1]) with pinned[i] != 0 for
 * the levels that stay. */
int qrd_law_lloyd_init(qrd_law_lloyd *w, const qrd_law *law, qrd_law_metric metric,
                       const double *level, const unsigned char *pinned);
int qrd_law_lloyd_iterate(qrd_law_lloyd *w);

/* QRD_OK once the last iteration moved no level by more than tol,
 * QRD_CONTINUE otherwise. */
int qrd_law_lloyd_test(const qrd_law_lloyd *w, double tol);

/* Iterates to tol; QRD_EMAXITER after max_iter iterations. */
int qrd_law_lloyd_run(qrd_law_lloyd *w, double tol, size_t max_iter);

/* Pins of a layout and, between them, free levels at equal steps of the
 * law's cdf (the starting point of qrd_pinned_code).  QRD_EINVAL when n
 * does not fit the layout (symmetric: even n >= 4; signed: n >= 3). */
int qrd_pinned_start(const qrd_law *law, qrd_pin_layout layout, size_t n, double *level,
                     unsigned char *pinned);

/* The optimum of `metric` with the layout's pins: levels and midpoint
 * cells (outer edges +-inf), to QRD_PINNED_TOL in QRD_PINNED_MAX_ITER
 * iterations. */
int qrd_pinned_code(const qrd_law *law, qrd_law_metric metric, qrd_pin_layout layout,
                    size_t n, qrd_codebook **out);

#endif
