/* The entropy-constrained scalar quantiser (Chou, Lookabaugh & Gray 1989):
 * for a multiplier lambda, minimise D + lambda H by alternating
 *   edges   t_i = (c_{i-1} + c_i)/2 + lambda (l_i - l_{i-1}) / (2 (c_i - c_{i-1})),
 *   levels  c_i = centroid of cell i,  l_i = -log2 P(cell i),
 * dropping cells that close, and by Newton steps on the same edge
 * conditions, which converge where the alternation needs O(cells^2)
 * iterations to carry a change of scale across the grid.  Split into
 * init / iterate (or newton) / test. */
#ifndef QRD_ECSQ_H
#define QRD_ECSQ_H

#include "dist/dist.h"
#include "quant/codebook.h"

/* The most cell updates (cells times iterations, summed over the rate
 * search's runs) one design of the "ecsq" quantiser may take before it
 * stops with QRD_EDOM: a bound on its time, which grows with the cells
 * 2^rate spans and, for heavy tails, with how far out they reach.
 * A Newton step counts as one update per cell, like an alternating one. */
#define QRD_ECSQ_MAX_WORK ((size_t)1 << 26)

typedef struct {
  const qrd_dist *d;
  double lambda;
  qrd_codebook *cb; /* current cells; n shrinks as cells close */
  double *prob;
  double (*tail)[3], (*moment)[3]; /* cell-moment workspace */
  double *tail_at;                  /* the edge each tail was computed at */
  double *tail_pdf;                 /* the pdf there, or NAN (cell_moments_reuse) */
  double *nw;                       /* Newton workspace: 7 (n + 1) doubles */
  double cost;   /* D + lambda H after the last iteration */
  double change; /* relative change of cost in the last iteration */
  double moved;  /* the last Newton step's largest edge move, in widths of
                    the narrower neighbouring cell (INFINITY before one) */
  double gain;   /* how many times smaller the last Newton step made the
                    squared gradient, 0 if the step was damped */
  double grad0, grad; /* the squared gradient before the first Newton step
                         and before the last one */
  double grad_now;    /* the squared gradient at the current cells, with the
                         pdf at their edges in nw, when grad_known (a
                         Newton step's merit, which the next step starts
                         from) */
  int grad_known;
  size_t iter;
} qrd_ecsq;

/* Starts from a copy of `init` (whose cells must have positive
 * probability) with multiplier lambda. */
qrd_ecsq *qrd_ecsq_alloc(const qrd_codebook *init);
void qrd_ecsq_free(qrd_ecsq *w);
int qrd_ecsq_init(qrd_ecsq *w, const qrd_dist *d, const qrd_codebook *init,
                  double lambda);
int qrd_ecsq_iterate(qrd_ecsq *w);

/* One damped Newton step on the edge conditions (the gradient of
 * D + lambda H over the edges, levels at their centroids): a tridiagonal
 * solve, then the longest step of 1, 1/2, 1/4, ... that lowers the
 * gradient.
 * QRD_OK when it moved the edges (w->change set as by qrd_ecsq_iterate,
 * and w->moved, w->gain), QRD_CONTINUE when no step lowered the gradient
 * (then nothing changed).  The merit is the gradient, not the cost: near
 * the optimum the cost changes by the square of the edge moves, below its
 * own rounding long before the edges settle. */
int qrd_ecsq_newton(qrd_ecsq *w);
int qrd_ecsq_test(const qrd_ecsq *w, double tol);

/* QRD_OK once Newton has converged: its last step moved no edge by more
 * than 1e-8 of a cell width, or, taken whole, shrank the squared gradient
 * less than tenfold (the floor the rounding of the cell moments sets). */
int qrd_ecsq_newton_test(const qrd_ecsq *w);

#endif
