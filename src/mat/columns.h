/* Per-column rates of one quantisation run against the allocations the
 * theory predicts for them (docs/methods-watersic.md): at mean rate
 * R the high-rate allocation R_i = R + 1/2 log2(d_i / GM(d)), and reverse
 * waterfilling on d, which sets the negative high-rate allocations to 0.
 *
 * W is iid N(0, 1); the step is tuned so that the mean per-column entropy
 * (plug-in + Miller-Madow, no side information: QRD_MATQ_COLUMNS_RATE) is
 * the target; every rate here is that per-column entropy. */
#ifndef QRD_MAT_COLUMNS_H
#define QRD_MAT_COLUMNS_H

#include <stddef.h>

#include "mat/cov.h"
#include "mat/matq.h"
#include "mat/rates.h"
#include "mat/rotate.h"

extern const qrd_rate_opts QRD_MATQ_COLUMNS_RATE;

typedef struct {
  size_t n;
  double *h;   /* n: the measured column entropies H(Z[:,i]) */
  double *d;   /* n: the method's conditional variances d */
  double rate; /* the mean column entropy reached */
} qrd_matq_columns;

int qrd_matq_columns_alloc(size_t n, qrd_matq_columns *c);
void qrd_matq_columns_free(qrd_matq_columns *c);

/* c <- `method` on Sigma (c->n x c->n) and W (rows x n) iid N(0, 1) drawn
 * with `seed` itself, tuned to a mean column entropy `rate`. */
int qrd_matq_columns_eval(const qrd_matq *method, size_t rows, const double *Sigma,
                          unsigned long seed, double rate, qrd_matq_columns *c);

/* The same with Sigma = diag(ratio^k), k = 0 .. c->n - 1. */
int qrd_matq_columns_diagonal(const qrd_matq *method, size_t rows, double ratio,
                              unsigned long seed, double rate, qrd_matq_columns *c);

/* The same with Sigma = Q^T S Q, S built from `family` at order c->n and
 * Q of kind `rot`, both from `seed` (W's law is rotation invariant, so
 * rotating Sigma alone is rotating the problem). */
int qrd_matq_columns_rotated(const qrd_matq *method, size_t rows, const qrd_cov *family,
                             qrd_rotate_kind rot, unsigned long seed, double rate,
                             qrd_matq_columns *c);

/* pred[i] <- rate + 1/2 log2(d_i / GM(d)); the pred sum to n rate. */
void qrd_matq_columns_highrate(size_t n, const double *d, double rate, double *pred);

/* alloc[i] <- max(0, 1/2 log2(d_i / theta)), theta the water level of
 * reverse waterfilling on d (sigma = 1) at `rate`. */
int qrd_matq_columns_waterfilling(size_t n, const double *d, double rate, double *alloc);

/* The column panel: hr and wf the two allocations at c->rate, dev = h - wf. */
int qrd_matq_columns_predict(const qrd_matq_columns *c, double *hr, double *wf, double *dev);

/* Histograms of the measured entropies and of their high-rate predictions
 * over `bins` equal bins of one common range (both sets' minimum to
 * maximum), x the bin centres. */
typedef struct {
  double *x, *measured, *predicted; /* bins each, the caller's */
  double mean; /* of the measured entropies */
  double top;  /* the largest measured count */
} qrd_matq_columns_hist;

/* pred: n scratch for the predictions. */
void qrd_matq_columns_histogram(const qrd_matq_columns *c, size_t bins, double *pred,
                                qrd_matq_columns_hist *out);

/* count[b] <- how many of v[0 .. n) fall in bin b of `bins` equal bins of
 * [lo, hi], values outside counted in the end bins; x[b] <- its centre. */
void qrd_histogram(size_t n, const double *v, double lo, double hi, size_t bins, double *x,
                   double *count);

#endif
