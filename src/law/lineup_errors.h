/* A lined-up code's exact expected errors (law/lineup.h): the code
 * designed for blocks of B values and evaluated under the block law of
 * the same B and its own scaling (law/blockmax.h), no outliers: the exact
 * side of the block-law figures. */
#ifndef QRD_LAW_LINEUP_ERRORS_H
#define QRD_LAW_LINEUP_ERRORS_H

#include <stddef.h>

#include "law/blockmax.h"
#include "law/lineup.h"

/* *cb <- code c's design for blocks of `block` values of d (the caller
 * frees it, also on failure: NULL then or a design), err[i] <- its
 * expected error metric[i], i < n_metric. */
int qrd_lineup_errors(const qrd_lineup_code *c, const qrd_dist *d, double block,
                      const qrd_law_metric *metric, size_t n_metric, qrd_codebook **cb,
                      double *err);

#endif
