/* The entropy-constrained scalar quantiser (Chou, Lookabaugh & Gray 1989):
 * for a multiplier lambda, minimise D + lambda H by alternating
 *   edges   t_i = (c_{i-1} + c_i)/2 + lambda (l_i - l_{i-1}) / (2 (c_i - c_{i-1})),
 *   levels  c_i = centroid of cell i,  l_i = -log2 P(cell i),
 * dropping cells that close.  Split into init / iterate / test. */
#ifndef QRD_ECSQ_H
#define QRD_ECSQ_H

#include "dist/dist.h"
#include "quant/codebook.h"

/* The most cell updates (cells times iterations, summed over the rate
 * search's runs) one design of the "ecsq" quantiser may take before it
 * stops with QRD_EDOM: a bound on its time, which grows with the cells
 * 2^rate spans and, for heavy tails, with how far out they reach.
 * Measured: gaussian at 14 bits 2.4e7, student-t:nu=5 at 4 bits (fig-1's
 * default ecsq_rate_max) 5.9e7 updates; a cell update costs 0.3 us
 * (gaussian) to 1.5 us (student-t). */
#define QRD_ECSQ_MAX_WORK ((size_t)1 << 26)

typedef struct {
  const qrd_dist *d;
  double lambda;
  qrd_codebook *cb; /* current cells; n shrinks as cells close */
  double *prob;
  double (*tail)[3], (*moment)[3]; /* cell-moment workspace */
  double cost;   /* D + lambda H after the last iteration */
  double change; /* relative change of cost in the last iteration */
  size_t iter;
} qrd_ecsq;

/* Starts from a copy of `init` (whose cells must have positive
 * probability) with multiplier lambda. */
qrd_ecsq *qrd_ecsq_alloc(const qrd_codebook *init);
void qrd_ecsq_free(qrd_ecsq *w);
int qrd_ecsq_init(qrd_ecsq *w, const qrd_dist *d, const qrd_codebook *init,
                  double lambda);
int qrd_ecsq_iterate(qrd_ecsq *w);
int qrd_ecsq_test(const qrd_ecsq *w, double tol);

#endif
