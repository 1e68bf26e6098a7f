/* The sampling spread of a Monte Carlo R, computed from the source law.
 *
 * R = sqrt(sum e_i / sum x_i^2), e = (x - s Q(x / s))^2, over n iid draws
 * of a known law d quantised with one scale s (tensor scaling, or s = 1).
 * Its standard deviation over independent samples is, to first order
 * (delta method on the ratio),
 *   sd(R) = sqrt(E g^2 / n) / (2 R E x^2),   g = e - R^2 x^2,
 * with every expectation an integral over d.  Under heavy tails this is
 * what an error bar must say: E g^2 is dominated by values so rare that a
 * sample of n seldom holds one, so any estimate from the sample itself
 * (jackknife, bootstrap, replications) is usually far too small -- for a
 * Student-t with nu = 5, half the jackknife estimates are below 40 % of
 * the spread over seeds.  It needs E x^4 < inf. */
#ifndef QRD_QUANT_SAMPLING_SD_H
#define QRD_QUANT_SAMPLING_SD_H

#include <stddef.h>

#include "dist/dist.h"
#include "quant/codebook.h"

/* *sd <- sd(R) for n draws of d quantised to s * c (cells as c's, outer
 * cells unbounded), *r <- the population R.  QRD_EDOM when d has no
 * finite fourth moment (the spread is then not a standard deviation),
 * QRD_EINTEG when a tail integral fails. */
int qrd_rel_rmse_sd(const qrd_dist *d, const qrd_codebook *c, double s, double n, double *r,
                    double *sd);

#endif
