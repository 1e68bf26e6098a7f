/* Rate-distortion sweeps: designed quantisers on several sources over a
 * grid of rates, as points to evaluate one by one (each independent), and
 * the curves they make. */
#ifndef QRD_RD_SWEEP_H
#define QRD_RD_SWEEP_H

#include <stddef.h>

#include "quant/rd.h"

typedef struct {
  size_t d, q;     /* source and quantiser indices */
  double target;   /* level count or rate (qrd_target_for_rate) */
  qrd_rd_point p;  /* filled by qrd_rd_sweep_eval */
} qrd_rd_sweep_point;

/* The points of quantisers q[0 .. n_quant) on n_dist sources at rates
 * rate[0 .. n_rate), source by source, quantiser by quantiser, in rate
 * order.  Rates above rate_max[q] are left out, and so are fixed-length
 * targets already planned (round(2^R) repeats at low R).  out must hold
 * n_dist n_quant n_rate points; returns how many were planned. */
size_t qrd_rd_sweep_plan(const qrd_quantiser *q, size_t n_quant, size_t n_dist,
                         const double *rate, size_t n_rate, const double *rate_max,
                         qrd_rd_sweep_point *out);

/* Evaluates point p of quantisers q on sources d. */
int qrd_rd_sweep_eval(const qrd_quantiser *q, const qrd_dist *d, qrd_rd_sweep_point *p);

/* The planned points of source d and quantiser q among p[0 .. n): their
 * rates, MSE / variance and gaps to the bound; returns how many. */
size_t qrd_rd_sweep_collect(const qrd_rd_sweep_point *p, size_t n, size_t d, size_t q,
                            double *rate, double *nmse, double *gap);

/* nmse[i] <- the bound's MSE / variance of d at rate[i]. */
void qrd_rd_bound_nmse(const qrd_dist *d, const double *rate, size_t n, double *nmse);

/* "Shannon D(R)" where the bound is tight, "Shannon lower bound" elsewhere. */
const char *qrd_bound_label(const qrd_dist *d);

#endif
