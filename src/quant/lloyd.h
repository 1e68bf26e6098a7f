/* The Lloyd-Max iteration under a known density, split GSL-style into
 * init / iterate / test so callers can watch, limit or resume it. */
#ifndef QRD_LLOYD_H
#define QRD_LLOYD_H

#include "dist/dist.h"
#include "quant/codebook.h"

typedef struct {
  const qrd_dist *d;
  qrd_codebook *cb;
  double change; /* largest level move of the last iteration */
  size_t iter;
  double *work;  /* 8 n doubles for the Newton system */
} qrd_lloyd;

qrd_lloyd *qrd_lloyd_alloc(size_t levels);
void qrd_lloyd_free(qrd_lloyd *w);

/* Starts from `level` (ascending, w->cb->n values). */
int qrd_lloyd_init(qrd_lloyd *w, const qrd_dist *d, const double *level);

/* One step towards the fixed point c_i = centroid of c_i's nearest-neighbour
 * cell (Newton, or a Lloyd step where Newton would disorder the levels). */
int qrd_lloyd_iterate(qrd_lloyd *w);

/* QRD_OK once the last step moved no level by more than tol (absolute),
 * QRD_CONTINUE otherwise. */
int qrd_lloyd_test(const qrd_lloyd *w, double tol);

#endif
