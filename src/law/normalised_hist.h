/* Block-normalised N(0,1) values binned on [-1, 1] (Orr et al. F-S5): the
 * histogram of a sample, the exact mass of each bin, and the mass under
 * the truncated-normal model that the block CRD formats are designed
 * from (Orr et al.).  Bin k is [-1 + 2k/bins, -1 + 2(k+1)/bins). */
#ifndef QRD_LAW_NORMALISED_HIST_H
#define QRD_LAW_NORMALISED_HIST_H

#include <stddef.h>

#include "fmt/block.h"
#include "law/blockmax.h"

/* The centre of bin k. */
double qrd_normalised_bin_centre(size_t bins, size_t k);

/* frac[k] <- the fraction of x[0 .. n) (n a whole number of blocks of
 * sc) normalised by sc that falls in bin k; se[k] <- its binomial standard
 * error sqrt(frac (1 - frac) / n).  Counts are summed over threads exactly,
 * so the result does not depend on the thread count. */
int qrd_normalised_histogram(const double *x, size_t n, const qrd_scaling *sc, size_t bins,
                             double *frac, double *se);

/* mass[k] <- the exact mass of bin k for N(0,1) blocks of `block` under
 * scaling g: for bin (a, b) of the non-maximum elements,
 *   (B-1) int_0^inf 2 phi(m) G(m)^{B-2} [Phi(m b) - Phi(m a)] dm,
 * G(m) = 2 Phi(m) - 1, plus the block maximum's atoms (1/(2B) in each end
 * bin under absmax, 1/B in the last under signmax). */
int qrd_normalised_exact(double block, qrd_law_scaling g, size_t bins, double *mass);

/* mass[k] <- pdf_trunc(centre) width (B-1)/B plus the same atoms, pdf_trunc
 * = N(0, 1/(2 ln(B/pi))) truncated to [-1, 1]; returns 0 (mass untouched)
 * when B <= pi, where that variance is not positive, else 1. */
int qrd_normalised_model(double block, qrd_law_scaling g, size_t bins, double *mass);

/* The largest |frac - mass| / se over bins with se > 0. */
double qrd_normalised_max_z(const double *frac, const double *se, const double *mass,
                            size_t bins);

#endif
