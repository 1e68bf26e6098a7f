/* Input covariances Sigma = E[X X^T] (docs/methods-watersic.md) and their
 * diagnostics: conditional variances d, det^{1/n}, AM/GM of d,
 * eigenvalues.
 *
 * Matrices are n x n, column-major, with both triangles filled (symmetric
 * matrices are therefore also row-major).  Families are named like
 * distributions, "ar1:rho=0.9"; every synthetic family also takes haar=1
 * (Sigma -> Q^T Sigma Q with a Haar Q drawn from the same seed, identical to
 * qrd_rotation_alloc(QRD_ROTATE_HAAR, n, seed, ...)).  "file:PATH[:GROUP]"
 * reads a user's Sigma (and optional W) from HDF5; the group is whatever
 * follows the last ':' after PATH, so a path containing ':' needs a trailing
 * ':' (root group).  Adding a family is one new file defining a
 * `const qrd_cov_type` plus one line in cov_registry.c.
 *
 * Determinism: random draws are thread-count independent (mc/sample.h), but
 * OpenBLAS's dgemm, dsymm, dpotrf, dgeqrf and dsyevd round differently with
 * different OpenBLAS thread counts (measured on 0.3.21; dsyrk and dtrmm do
 * not), so Haar-rotated and wishart:rho!=0 matrices are bit-identical only
 * for a fixed OpenBLAS thread count; drivers that run draws in an OpenMP
 * loop with qrd_openblas_set_threads(1) are bit-identical for any number of
 * OpenMP threads. */
#ifndef QRD_MAT_COV_H
#define QRD_MAT_COV_H

#include <stddef.h>

#include "core/spec.h"

#define QRD_COV_MAX_PARAM 4
#define QRD_COV_PATH_LEN 1024

/* The largest order n of any Sigma (a family's or a file's): Sigma is then
 * 2 GiB and every n*n*sizeof(double) fits a size_t.  The figure sweeps
 * reach it (mat/excess.h's QRD_EXCESS_MAX_N); commands bound n lower by
 * their cost (qrd sigma, qrd matq: QRD_MATQ_POINT_MAX_N). */
#define QRD_COV_MAX_N ((size_t)16384)

/* The most entries a file's W (a x n) may have: 2^28 doubles, 2 GiB, more
 * than a 4096 x 11008 MLP weight of a 7B model has. */
#define QRD_COV_MAX_W_ENTRIES ((size_t)1 << 28)

/* What a built Sigma's diagonal may hold: 0 (a dead coordinate) or a
 * variance in [QRD_COV_MIN_VAR, QRD_COV_MAX_VAR], so that products of two
 * entries (Cholesky, rotations, quadratic forms) neither overflow nor lose
 * everything to subnormals. */
#define QRD_COV_MIN_VAR 1e-150
#define QRD_COV_MAX_VAR 1e150

typedef struct qrd_cov_type {
  const char *name;
  const char *doc;
  size_t n_param;
  const qrd_param_def *param;
  /* Writes the n x n matrix into S (both triangles).  Random families draw
   * from the streams qrd_sample_stream(seed, k), k < 16, so that equal
   * (th, n, seed) give identical matrices for any thread count. */
  int (*build)(const double *th, size_t n, unsigned long seed, double *S);
  /* Optional: a square root of the matrix build writes, S = c I + F F^T
   * with F n x m (m <= n) known in closed form, for Haar rotations
   * (qrd_rotation_cond_var_cov).  Sets *c and *m and writes F^T X (m x
   * cols, leading dimension m) into Y for X (n x cols, not overlapping Y),
   * from the same draws as build.  A factor exact to a rounding per entry
   * gives the rotated d a relative error of eps sqrt(cond) where factoring
   * the rounded S gives eps cond, and for m << n it costs O(m n^2). */
  int (*root)(const double *th, size_t n, unsigned long seed, size_t cols, const double *X,
              double *Y, size_t *m, double *c);
} qrd_cov_type;

/* A parsed family instance, or a file (type == NULL). */
typedef struct {
  const qrd_cov_type *type;
  double theta[QRD_COV_MAX_PARAM];
  int haar;
  char path[QRD_COV_PATH_LEN];  /* file: only */
  char group[256];              /* file: only; "" is the root group */
  char spec[QRD_COV_PATH_LEN + 320];
} qrd_cov;

size_t qrd_cov_count(void);
const qrd_cov_type *qrd_cov_type_at(size_t i);
const qrd_cov_type *qrd_cov_type_find(const char *name);

int qrd_cov_parse(const char *text, qrd_cov *c);

/* The dimension to build: n_req for a synthetic family (which must be
 * 1 .. QRD_COV_MAX_N), the file's n for a file (n_req must then be 0 or
 * equal to it; the file's n must be 1 .. QRD_COV_MAX_N). */
int qrd_cov_dim(const qrd_cov *c, size_t n_req, size_t *n);

/* S (n*n doubles) <- Sigma.  A file's Sigma is checked: finite, symmetric
 * to QRD_COV_SYM_TOL relative to max |Sigma_ij| (then averaged exactly
 * symmetric), and positive semidefinite, i.e. chol(Sigma + QRD_COV_PSD_TOL
 * max(diag) I) exists.  Errors name the file, the dataset and the
 * problem.  Every Sigma is checked after it is built (qrd_cov_check):
 * QRD_EINVAL for n outside 1 .. QRD_COV_MAX_N, QRD_EDOM for an entry
 * that is not finite or a diagonal element outside {0} and
 * [QRD_COV_MIN_VAR, QRD_COV_MAX_VAR]. */
int qrd_cov_build(const qrd_cov *c, size_t n, unsigned long seed, double *S);

/* The correlated families' random correlation (randcorr, outliers-corr,
 * lognormal-random) is made once per (n, seed) in a process and
 * remembered for the next build that needs it, within this many bytes
 * (default 256 MiB; 0: none), the least recently used going first.
 * Returns the previous budget.  Thread-safe. */
size_t qrd_cov_memo_budget(size_t bytes);

#define QRD_COV_SYM_TOL 1e-6
#define QRD_COV_PSD_TOL 1e-8

/* The file's optional W (a x n): *W is a new column-major array (free with
 * free()), or NULL with *a = 0 when the group has no W.  QRD_EINVAL for a
 * synthetic family. */
int qrd_cov_read_w(const qrd_cov *c, size_t n, size_t *a, double **W);

/* The check qrd_cov_build makes of every Sigma it built (what: the name
 * used in the message, e.g. the spec). */
int qrd_cov_check(size_t n, const double *S, const char *what);

/* ---- storage ---- */

/* A new array of rows x cols doubles (free with free()), or NULL with
 * QRD_ENOMEM's detail naming `what`, the shape and the bytes asked for;
 * rows x cols x sizeof(double) is checked for overflow first (then the
 * detail says the size does not fit). */
double *qrd_mat_doubles_alloc(size_t rows, size_t cols, const char *what);

/* rows * cols * size without overflow: 0 and *bytes set, or QRD_ENOMEM
 * with the detail naming `what` when the product does not fit a size_t. */
int qrd_mat_bytes(size_t rows, size_t cols, size_t size, const char *what, size_t *bytes);

/* ---- diagnostics ---- */

/* Whose conditional variances: GPTQ processes columns front to back, so
 * d_j = Var(X_j | X_{>j}) = 1 / U_jj^2 with U = chol(Sigma^{-1}) upper;
 * WaterSIC (SIC) processes back to front, d_i = Var(X_i | X_{<i}) = L_ii^2
 * with Sigma = L L^T.  Both multiply to det Sigma.  For another order,
 * permute Sigma first (rotate.h). */
typedef enum { QRD_ORDER_GPTQ, QRD_ORDER_SIC } qrd_cov_order;

/* L (n*n) <- the lower Cholesky factor of S (upper triangle zeroed).
 * QRD_EDOM, naming the failing pivot, when S is not positive definite. */
int qrd_cov_cholesky(size_t n, const double *S, double *L);

/* d[0..n-1] <- conditional variances in processing order's indexing (d[j]
 * belongs to column j).  work: n*n doubles.  QRD_EDOM when S is not
 * positive definite. */
int qrd_cov_cond_var(size_t n, const double *S, qrd_cov_order order,
                     double *work, double *d);

/* qrd_cov_cond_var of P^T S P, column j of which is column p[j] of S (as
 * qrd_permute_sym), gathered straight into the factor's place. */
int qrd_cov_cond_var_permuted(size_t n, const double *S, const size_t *p, qrd_cov_order order,
                              double *work, double *d);

/* Whether S (n x n) is zero off its diagonal. */
int qrd_cov_is_diagonal(size_t n, const double *S);

/* lambda[0..n-1] <- eigenvalues of S, ascending (LAPACK dsyevd; a diagonal
 * S's sorted diagonal, exactly).  work: n*n doubles. */
int qrd_cov_eigenvalues(size_t n, const double *S, double *work, double *lambda);

/* Arithmetic, geometric and harmonic mean of x[0..n-1] > 0 (GM and HM are
 * 0 when some x <= 0).  Any output pointer may be NULL. */
void qrd_means(size_t n, const double *x, double *am, double *gm, double *hm);

/* S += percdamp * mean(diag S) * I (GPTQ's damping). */
void qrd_cov_damp(size_t n, double *S, double percdamp);

typedef struct {
  size_t n;
  double logdet;      /* ln det Sigma = sum ln d */
  double det_root;    /* det^{1/n} */
  double am_d, gm_d, hm_d;  /* of GPTQ's (front-to-back) d; gm_d = det_root */
  double excess_bits; /* 1/2 log2(AM(d)/GM(d)): GPTQ over WaterSIC at high rate */
  double lambda_min, lambda_max;
} qrd_cov_summary;

/* GPTQ's d into d[0..n-1] and the eigenvalues into lambda[0..n-1]
 * (lambda may be NULL: no eigenvalues, lambda_min/max are NAN).  work: n*n
 * doubles. */
int qrd_cov_summarise(size_t n, const double *S, double *work, double *d,
                      double *lambda, qrd_cov_summary *s);

#endif
