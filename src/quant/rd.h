/* Rate-distortion bookkeeping: bounds, high-rate theory and the gap of a
 * designed quantiser to the bound.
 *
 * The bound is the Shannon lower bound R(D) >= h - 1/2 log2(2 pi e D), which
 * is Shannon's D(R) itself for a Gaussian source. */
#ifndef QRD_RD_H
#define QRD_RD_H

#include "quant/quantiser.h"

/* Lower bound on the rate (bits) at MSE D, clipped at 0. */
double qrd_bound_rate(const qrd_dist *d, double mse);
/* The MSE the bound allows at rate R. */
double qrd_bound_mse(const qrd_dist *d, double rate);
/* "shannon" for a Gaussian (where the bound is tight), otherwise "slb". */
const char *qrd_bound_name(const qrd_dist *d);

typedef struct {
  qrd_codebook_stats s;
  double rate;       /* log2 levels (fixed-length) or entropy (entropy-coded) */
  double bound_rate; /* qrd_bound_rate at s.mse */
  double gap;        /* rate - bound_rate, bits */
  double theory_gap; /* high-rate gap of the design, NAN where none */
} qrd_rd_point;

/* Target: a level count or a rate in bits, as q's type takes. */
int qrd_rd_evaluate(const qrd_quantiser *q, const qrd_dist *d, double target,
                    qrd_rd_point *p);

/* The high-rate gap 1/2 log2(K 2 pi e / 2^{2h}) of q to the bound, from its
 * constant K = lim D 2^{2R}; NAN when q has none. */
double qrd_theory_gap(const qrd_quantiser *q, const qrd_dist *d);

/* A target for q from a rate: fixed-length designs take round(2^rate)
 * levels, entropy-coded ones the rate itself. */
double qrd_target_for_rate(const qrd_quantiser *q, double rate);

#endif
