/* Root attributes that the matrix-quantisation figures (fig-25, fig-26)
 * write alike: what Sigma and W were. */
#ifndef QRD_HARNESS_POINT_ATTRS_H
#define QRD_HARNESS_POINT_ATTRS_H

#include <stddef.h>

#include "io/results.h"
#include "mat/cov.h"

/* Root attributes of a run over panels of iid N(0, 1) weights and the
 * covariances covs[0..n_cov-1] (n x n, rows of W), judged against reverse
 * waterfilling: sigmas, weights, reference, n, rows, sample_generator. */
int qrd_matq_point_write_attrs(qrd_results *res, const qrd_cov *covs, size_t n_cov, size_t n,
                               size_t rows);

#endif
