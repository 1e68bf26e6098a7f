/* Building blocks shared by the covariance families (not for callers
 * outside src/mat/cov*.c). */
#ifndef QRD_MAT_COV_IMPL_H
#define QRD_MAT_COV_IMPL_H

#include <stddef.h>

/* x[0..count-1] <- iid N(0, sd^2) from the deterministic chunked sample of
 * mc/sample.h with this seed. */
int qrd_cov_gaussian(unsigned long seed, double sd, double *x, size_t count);

/* S <- (1/T) X X^T for X (n x T, column-major): the lower triangle by dsyrk,
 * then mirrored. */
void qrd_cov_gram(size_t n, size_t T, const double *X, double *S);

/* Side of the square tiles in which the mirrors below walk an n x n
 * matrix: two 32 x 32 tiles of doubles fit a core's L1. */
#define QRD_COV_TILE 32

/* Copies the lower triangle of S onto the upper one. */
void qrd_cov_mirror_lower(size_t n, double *S);

/* Copies the upper triangle of S onto the lower one. */
void qrd_cov_mirror_upper(size_t n, double *S);

/* S <- diag(v) (zero off the diagonal). */
void qrd_cov_diagonal(size_t n, const double *v, double *S);

/* S_ij <- rho^{|i-j|}. */
void qrd_cov_ar1_fill(size_t n, double rho, double *S);

/* Y (n x cols) <- L^T diag(e) X for X (n x cols), L the lower Cholesky
 * factor of AR(1)'s rho^{|i-j|}, L_ij = rho^{i-j} c_j (c_0 = 1, else
 * sqrt(1 - rho^2)): the root (qrd_cov_type.root) of diag(e) AR(1) diag(e).
 * e NULL: all ones.  O(n cols). */
void qrd_cov_ar1_root(size_t n, double rho, const double *e, size_t cols, const double *X,
                      double *Y);

/* S <- diag(G)^{-1/2} G diag(G)^{-1/2}, G = A A^T/(2n), A n x 2n Gaussian
 * (the "random correlation" family). */
int qrd_cov_random_correlation(size_t n, unsigned long seed, double *S);

/* S_ij <- sqrt(v_i v_j) S_ij. */
void qrd_cov_scale_sym(size_t n, const double *v, double *S);

/* idx[0..k-1] <- k distinct indices of 0..n-1, ascending, chosen uniformly
 * with this seed. */
int qrd_cov_random_subset(size_t n, size_t k, unsigned long seed, size_t *idx);

/* The file: family (cov_file.c). */
int qrd_cov_file_dim(const char *path, const char *group, size_t *n);
int qrd_cov_file_sigma(const char *path, const char *group, size_t n, double *S);
int qrd_cov_file_w(const char *path, const char *group, size_t n, size_t *a,
                   double **W);

#endif
