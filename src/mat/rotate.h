/* Orthogonal changes of basis for the weight-only problem
 * (docs/methods-watersic.md): W -> W Q and Sigma -> Q^T Sigma Q, which
 * leave tr(E Sigma E^T) unchanged.
 *
 *   haar       Q from the QR of an n x n Gaussian matrix, column j scaled by
 *              sign(R_jj) (without it Q is not Haar-distributed);
 *   hadamard   Q = P D H_n / sqrt(n): random permutation P, random signs D,
 *              Sylvester H_n (n a power of two), applied by the fast
 *              Walsh-Hadamard transform in O(n^2 log n) for Sigma;
 *   sylvester  Q = H_n / sqrt(n), fixed (no randomness);
 *   act-order  Q = P sorting diag(Sigma) in decreasing order (stable);
 *   none       Q = I.
 *
 * Permutations are index arrays: with p = perm, (W P)[:, j] = W[:, p[j]] and
 * (P^T Sigma P)[i][j] = Sigma[p[i]][p[j]], so column j of the rotated
 * problem is column p[j] of the original one. */
#ifndef QRD_MAT_ROTATE_H
#define QRD_MAT_ROTATE_H

#include <stddef.h>

#include "mat/cov.h"

typedef enum {
  QRD_ROTATE_NONE,
  QRD_ROTATE_HAAR,
  QRD_ROTATE_HADAMARD,
  QRD_ROTATE_SYLVESTER,
  QRD_ROTATE_ACT_ORDER
} qrd_rotate_kind;

/* "none", "haar", "hadamard", "sylvester", "act-order". */
int qrd_rotate_parse(const char *name, qrd_rotate_kind *kind);
const char *qrd_rotate_name(qrd_rotate_kind kind);

typedef struct {
  qrd_rotate_kind kind;
  size_t n;
  double *q;      /* haar: Q, n x n column-major; NULL otherwise */
  size_t *perm;   /* hadamard, act-order: p; NULL otherwise */
  double *sign;   /* hadamard: the +-1 diagonal of D; NULL otherwise */
} qrd_rotation;

/* Draws the rotation for dimension n.  Random kinds use the stream
 * qrd_sample_stream(seed, 16) only, so equal seeds give equal rotations.
 * S (n x n) is read by act-order only (may be NULL otherwise).  Hadamard
 * and Sylvester need n a power of two (QRD_EINVAL otherwise). */
int qrd_rotation_alloc(qrd_rotate_kind kind, size_t n, unsigned long seed,
                       const double *S, qrd_rotation **out);
void qrd_rotation_free(qrd_rotation *r);

/* S <- Q^T S Q (S symmetric, n x n; the result is exactly symmetric).
 * work: n*n doubles. */
void qrd_rotation_apply_sigma(const qrd_rotation *r, double *S, double *work);

/* d[0..n-1] <- the conditional variances of Q^T S Q in `order`
 * (qrd_cov_cond_var), S left as it was.  Haar goes through a QR of
 * G^T Q (S = G G^T) instead of forming Q^T S Q, a diagonal S under none
 * or act-order gives its (permuted) diagonal exactly, and S = c I gives
 * d = c under every rotation; all more accurate than factoring the formed
 * matrix.  A diagonal S under hadamard or sylvester is transformed once
 * (entry (i, j) of H diag(u) H is WHT(u)[i XOR j]), with the bits of the
 * two-sided transform.  work: 2 n*n doubles.
 * QRD_EDOM when S is not positive definite. */
int qrd_rotation_cond_var(const qrd_rotation *r, const double *S, qrd_cov_order order,
                          double *work, double *d);

/* qrd_rotation_cond_var for S = qrd_cov_build(cov, n, seed): a Haar
 * rotation of a non-diagonal S whose family has a closed-form root
 * (qrd_cov_type.root) goes through the root instead of S's Cholesky factor
 * (see there: more accurate, and cheaper).  work: 2 n*n doubles. */
int qrd_rotation_cond_var_cov(const qrd_rotation *r, const qrd_cov *cov, unsigned long seed,
                              const double *S, qrd_cov_order order, double *work, double *d);

/* W <- W Q for W a x n column-major.  work: a*n doubles. */
void qrd_rotation_apply_w(const qrd_rotation *r, size_t a, double *W, double *work);

/* Each consecutive block of r->n values of x[0 .. m) (m a multiple of
 * r->n), taken as a row vector w, becomes w Q (inverse != 0: w Q^T): a
 * block rotation of a tensor's rows before quantising, undone after.
 * Hadamard and Sylvester only (O(n log n) per block); QRD_EINVAL
 * otherwise.  work: r->n doubles. */
int qrd_rotation_blocks(const qrd_rotation *r, double *x, size_t m, int inverse, double *work);

/* ---- the pieces ---- */

/* Q (n*n) <- a Haar-distributed orthogonal matrix drawn with this seed (used
 * as the seed of the Gaussian sample, mc/sample.h). */
int qrd_haar(size_t n, unsigned long seed, double *Q);

/* x[0..n-1] <- H_n x / sqrt(n) for n a power of two (Sylvester order:
 * H_ij = (-1)^popcount(i & j)). */
void qrd_fwht(size_t n, double *x);

/* p[0..n-1] <- indices sorting diag(S) in decreasing order, ties in
 * increasing index order (GPTQ's act-order). */
int qrd_act_order(size_t n, const double *S, size_t *p);

/* S <- P^T S P; work: n*n doubles. */
void qrd_permute_sym(size_t n, const size_t *p, double *S, double *work);

/* W <- W P for W a x n column-major; work: a*n doubles. */
void qrd_permute_cols(size_t a, size_t n, const size_t *p, double *W, double *work);

#endif
