/* Information-theoretic limits and high-rate predictions for weight-only
 * quantisation with known Sigma (the WaterSIC/HRQMM-II papers;
 * docs/methods-watersic.md).
 *
 * Units everywhere: D is the distortion per weight entry,
 * E||E X||^2/(a n) = tr(E Sigma E^T)/(a n); R is in bits per weight entry;
 * h is the differential entropy in bits of one weight (for N(0, s2) it is
 * 1/2 log2(2 pi e s2), see qrd_dist_entropy_bits()). */
#ifndef QRD_MAT_LIMITS_H
#define QRD_MAT_LIMITS_H

#include <stddef.h>

/* ---- reverse waterfilling over mu_i = sigma^2 lambda_i >= 0 ----
 *
 * mu_i down to -QRD_RWF_NEG_TOL max(mu) count as 0: eigenvalues of a
 * singular Sigma come out of dsyevd with rounding of either sign. */

#define QRD_RWF_NEG_TOL 1e-12

/* D(theta) = (1/n) sum min(theta, mu_i). */
double qrd_rwf_distortion(size_t n, const double *mu, double theta);

/* R(theta) = (1/n) sum max(0, 1/2 log2(mu_i/theta)), bits. */
double qrd_rwf_rate(size_t n, const double *mu, double theta);

/* The water level theta and D(theta) at rate R >= 0: the closed high-rate
 * form when GM(mu) 2^{-2R} <= min mu, else Brent's method on ln theta over
 * [GM_+ 2^{-2Rn/n_+}, max mu] (GM_+ and n_+ over the positive mu), which
 * brackets the root.  QRD_EMAXITER on non-convergence; QRD_EINVAL for R < 0
 * or no positive mu_i. */
int qrd_rwf_solve(size_t n, const double *mu, double rate, double *theta,
                  double *D);

/* The high-rate Gaussian limit D_IT(R) = GM(mu) 2^{-2R}
 * (= sigma^2 det(Sigma)^{1/n} 2^{-2R}), exact for
 * R >= qrd_rwf_highrate_min_rate(). */
double qrd_rwf_highrate(double gm_mu, double rate);
/* 1/2 log2(GM(mu)/min mu). */
double qrd_rwf_highrate_min_rate(double gm_mu, double min_mu);

/* ---- non-Gaussian weights and scalar SIC schemes ---- */

/* Shannon lower bound (2^{2h}/(2 pi e)) det(Sigma)^{1/n} 2^{-2R}: a lower
 * bound on D for iid weights of entropy h bits, tight as R -> infinity
 * (it equals qrd_rwf_highrate() for Gaussian weights). */
double qrd_slb(double h_bits, double det_root, double rate);

/* High-rate D of entropy-coded scalar SIC with conditional variances d:
 * (2^{2h}/12) mean_d 2^{-2R}, where mean_d = AM(d) for GPTQ (one step for
 * every column) and GM(d) = det^{1/n} for WaterSIC (step c/sqrt(d_i)).
 * For Gaussian weights 2^{2h} = 2 pi e sigma^2. */
double qrd_highrate_sic(double h_bits, double mean_d, double rate);

/* The gap 1/2 log2(D/D_ref) in bits. */
double qrd_gap_bits(double D, double D_ref);

#endif
