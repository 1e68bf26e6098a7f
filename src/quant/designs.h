/* Building blocks shared between quantiser designs. */
#ifndef QRD_DESIGNS_H
#define QRD_DESIGNS_H

#include "dist/dist.h"
#include "quant/codebook.h"

/* Codepoints Q_i = G^{-1}(i / (n + 1)), i = 1..n, of the density
 * proportional to p^alpha (Orr et al.'s symmetric RMS CRD grid), by
 * quadrature of p^alpha and Brent inversion. */
int qrd_crd_levels(const qrd_dist *d, double alpha, size_t n, double *level);

/* *z = integral of p(x)^alpha over the support (cubed at alpha = 1/3, the
 * Panter-Dite integral). */
int qrd_power_integral(const qrd_dist *d, double alpha, double *z);

/* Mid-tread uniform cells of width `step` centred on k*step, covering the
 * distribution to a tail mass of about 1e-16 (outer cells open), with
 * levels at the cell centroids.  The returned codebook is allocated. */
int qrd_uniform_cells(const qrd_dist *d, double step, qrd_codebook **out);

/* The same cells with their levels on the grid points k*step: all that a
 * search over the edges needs (the entropy depends on the edges only, and
 * an ECSQ iteration recomputes every level from them), without the cell
 * moments the centroids cost. */
int qrd_uniform_grid(const qrd_dist *d, double step, qrd_codebook **out);

/* 2^{2h} / 12: the high-rate limit of D 2^{2H} for entropy-coded uniform
 * cells (shared by uniform-ec and ecsq, which coincide at high rate). */
int qrd_entropy_coded_constant(const qrd_dist *d, const double *th, double *k);

#endif
