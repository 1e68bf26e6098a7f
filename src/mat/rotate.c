#include "mat/rotate.h"

#include <gsl/gsl_cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"
#include "mc/sample.h"

/* The one stream every random rotation draws from (families use k < 16). */
#define ROTATION_STREAM 16

static const char *const kind_names[] = {"none", "haar", "hadamard", "sylvester", "act-order"};
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])

int qrd_rotate_parse(const char *name, qrd_rotate_kind *kind)
{
  for (size_t i = 0; i < N_KINDS; i++)
    if (strcmp(name, kind_names[i]) == 0) {
      *kind = (qrd_rotate_kind)i;
      return QRD_OK;
    }
  return qrd_error_set(QRD_EINVAL,
                       "unknown rotation '%s' (known: none, haar, hadamard, sylvester, act-order)",
                       name);
}

const char *qrd_rotate_name(qrd_rotate_kind kind)
{
  return (size_t)kind < N_KINDS ? kind_names[kind] : "?";
}

/* ---- Haar ---- */

int qrd_haar(size_t n, unsigned long seed, double *Q)
{
  double *tau = malloc(n * sizeof *tau);
  if (!tau)
    return qrd_error_set(QRD_ENOMEM, "Haar rotation of order %zu", n);
  int st = qrd_cov_gaussian(seed, 1.0, Q, n * n);
  lapack_int N = (lapack_int)n;
  if (!st && LAPACKE_dgeqrf(LAPACK_COL_MAJOR, N, N, Q, N, tau) != 0)
    st = qrd_error_set(QRD_EDOM, "Haar rotation: QR (dgeqrf) of a %zux%zu Gaussian failed", n, n);
  /* R's diagonal is overwritten by dorgqr, so its signs are kept in tau's
   * place once tau has been used. */
  double *sign = NULL;
  if (!st && !(sign = malloc(n * sizeof *sign)))
    st = qrd_error_set(QRD_ENOMEM, "Haar rotation of order %zu", n);
  if (!st) {
    for (size_t j = 0; j < n; j++)
      sign[j] = Q[j * n + j] < 0.0 ? -1.0 : 1.0;
    if (LAPACKE_dorgqr(LAPACK_COL_MAJOR, N, N, N, Q, N, tau) != 0)
      st = qrd_error_set(QRD_EDOM, "Haar rotation: dorgqr failed");
  }
  for (size_t j = 0; !st && j < n; j++)
    if (sign[j] < 0.0)
      cblas_dscal(N, -1.0, Q + j * n, 1);
  free(sign);
  free(tau);
  return st;
}

/* ---- Walsh-Hadamard ---- */

static int is_power_of_two(size_t n) { return n && !(n & (n - 1)); }

/* The transform acts on n pieces of m values each (piece k at x + k m):
 * level h pairs pieces j and j + h, (u, v) -> (u + v, u - v).  Two levels
 * h and 2h at a time: on the pieces a, b, c, d at j, j + h, j + 2h, j + 3h
 * the pair of levels gives exactly (a+b)+(c+d), (a-b)+(c-d), (a+b)-(c+d),
 * (a-b)-(c-d), the same operations as one level after the other, so the
 * same bits, in half the passes over the data. */
static inline void butterflies4(double *restrict a, double *restrict b, double *restrict c,
                                double *restrict d, size_t m)
{
#pragma omp simd
  for (size_t r = 0; r < m; r++) {
    double p = a[r] + b[r], q = a[r] - b[r], u = c[r] + d[r], v = c[r] - d[r];
    a[r] = p + u;
    b[r] = q + v;
    c[r] = p - u;
    d[r] = q - v;
  }
}

static inline void butterflies(double *restrict u, double *restrict v, size_t m)
{
#pragma omp simd
  for (size_t r = 0; r < m; r++) {
    double a = u[r], b = v[r];
    u[r] = a + b;
    v[r] = a - b;
  }
}

/* Every level of the transform on n pieces of m values (unscaled).  When
 * m is 1 the pieces of a level's group are contiguous runs of h values
 * instead, so the vector loops run over the group. */
static void fwht_pieces(size_t n, size_t m, double *x)
{
  size_t h = 1;
  for (; 4 * h <= n; h *= 4)
    for (size_t i = 0; i < n; i += 4 * h)
      if (m == 1)
        butterflies4(x + i, x + i + h, x + i + 2 * h, x + i + 3 * h, h);
      else
        for (size_t j = i; j < i + h; j++)
          butterflies4(x + j * m, x + (j + h) * m, x + (j + 2 * h) * m, x + (j + 3 * h) * m,
                       m);
  if (h < n) /* an odd number of levels: the last one alone */
    for (size_t j = 0; j < (m == 1 ? 1 : h); j++)
      butterflies(x + j * m, x + (j + h) * m, m == 1 ? h : m);
}

void qrd_fwht(size_t n, double *x)
{
  fwht_pieces(n, 1, x);
  double s = 1.0 / sqrt((double)n);
  for (size_t i = 0; i < n; i++)
    x[i] *= s;
}

/* Rows per strip of fwht_right: a strip of n * 16 doubles (256 KiB at
 * n = 2048) stays in a core's L2 through every level. */
#define FWHT_STRIP 16

/* X <- X H_n / sqrt(n) for X (rows x n) column-major.  Each row's
 * transform is independent of the others, so the rows go through in
 * strips, each copied to a buffer of contiguous pieces (a strip's pieces
 * in place lie n rows apart: at a power-of-two stride they share a few
 * cache sets and the strip did not stay in cache), transformed there and
 * copied back scaled.  Every value sees the same operations in the same
 * order as one level at a time over all rows. */
static void fwht_right(size_t rows, size_t n, double *X, double *buf)
{
  double s = 1.0 / sqrt((double)n);
  for (size_t r0 = 0; r0 < rows; r0 += FWHT_STRIP) {
    size_t m = rows - r0 < FWHT_STRIP ? rows - r0 : FWHT_STRIP;
    for (size_t j = 0; j < n; j++)
      memcpy(buf + j * m, X + j * rows + r0, m * sizeof *buf);
    fwht_pieces(n, m, buf);
    for (size_t j = 0; j < n; j++)
      for (size_t r = 0; r < m; r++)
        X[j * rows + r0 + r] = buf[j * m + r] * s;
  }
}

/* ---- permutations ---- */

typedef struct {
  double key;
  size_t index;
} keyed;

static int by_key_desc(const void *pa, const void *pb)
{
  const keyed *a = pa, *b = pb;
  if (a->key != b->key)
    return a->key > b->key ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

int qrd_act_order(size_t n, const double *S, size_t *p)
{
  keyed *k = malloc(n * sizeof *k);
  if (!k)
    return qrd_error_set(QRD_ENOMEM, "act-order of %zu columns", n);
  for (size_t i = 0; i < n; i++)
    k[i] = (keyed){S[i * n + i], i};
  qsort(k, n, sizeof *k, by_key_desc);
  for (size_t i = 0; i < n; i++)
    p[i] = k[i].index;
  free(k);
  return QRD_OK;
}

void qrd_permute_sym(size_t n, const size_t *p, double *S, double *work)
{
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++)
      work[j * n + i] = S[p[j] * n + p[i]];
  memcpy(S, work, n * n * sizeof *S);
}

void qrd_permute_cols(size_t a, size_t n, const size_t *p, double *W, double *work)
{
  for (size_t j = 0; j < n; j++)
    memcpy(work + j * a, W + p[j] * a, a * sizeof *W);
  memcpy(W, work, a * n * sizeof *W);
}

/* ---- rotation objects ---- */

static int draw_signed_permutation(qrd_rotation *r, unsigned long seed)
{
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  if (!g)
    return qrd_error_set(QRD_ENOMEM, "random number generator");
  gsl_rng_set(g, qrd_sample_chunk_seed(qrd_sample_stream(seed, ROTATION_STREAM), 0));
  gsl_ran_shuffle(g, r->perm, r->n, sizeof *r->perm);
  for (size_t i = 0; i < r->n; i++)
    r->sign[i] = gsl_rng_uniform_int(g, 2) ? -1.0 : 1.0;
  gsl_rng_free(g);
  return QRD_OK;
}

static int fill_rotation(qrd_rotation *r, unsigned long seed, const double *S)
{
  size_t n = r->n;
  switch (r->kind) {
  case QRD_ROTATE_HAAR:
    return qrd_haar(n, qrd_sample_stream(seed, ROTATION_STREAM), r->q);
  case QRD_ROTATE_HADAMARD:
    for (size_t i = 0; i < n; i++)
      r->perm[i] = i;
    return draw_signed_permutation(r, seed);
  case QRD_ROTATE_ACT_ORDER:
    if (!S)
      return qrd_error_set(QRD_EINVAL, "act-order needs Sigma");
    return qrd_act_order(n, S, r->perm);
  default:
    return QRD_OK;
  }
}

int qrd_rotation_alloc(qrd_rotate_kind kind, size_t n, unsigned long seed,
                       const double *S, qrd_rotation **out)
{
  *out = NULL;
  if ((size_t)kind >= N_KINDS)
    return qrd_error_set(QRD_EINVAL, "rotation kind %d unknown", (int)kind);
  if ((kind == QRD_ROTATE_HADAMARD || kind == QRD_ROTATE_SYLVESTER) && !is_power_of_two(n))
    return qrd_error_set(QRD_EINVAL,
                         "%s rotation needs n a power of two (n = %zu; use haar instead)",
                         qrd_rotate_name(kind), n);
  qrd_rotation *r = calloc(1, sizeof *r);
  if (!r)
    return qrd_error_set(QRD_ENOMEM, "rotation");
  r->kind = kind;
  r->n = n;
  int need_perm = kind == QRD_ROTATE_HADAMARD || kind == QRD_ROTATE_ACT_ORDER;
  int ok = (kind != QRD_ROTATE_HAAR || (r->q = qrd_big_alloc(n * n, sizeof *r->q))) &&
           (!need_perm || (r->perm = malloc(n * sizeof *r->perm))) &&
           (kind != QRD_ROTATE_HADAMARD || (r->sign = malloc(n * sizeof *r->sign)));
  int st = ok ? fill_rotation(r, seed, S)
              : qrd_error_set(QRD_ENOMEM, "%s rotation of order %zu", qrd_rotate_name(kind), n);
  if (st) {
    qrd_rotation_free(r);
    return st;
  }
  *out = r;
  return QRD_OK;
}

void qrd_rotation_free(qrd_rotation *r)
{
  if (!r)
    return;
  qrd_big_free(r->q);
  free(r->perm);
  free(r->sign);
  free(r);
}

/* X <- X D for X (rows x n) column-major. */
static void scale_cols(size_t rows, size_t n, const double *sign, double *X)
{
  for (size_t j = 0; j < n; j++)
    if (sign[j] < 0.0)
      cblas_dscal((int)rows, -1.0, X + j * rows, 1);
}

/* out <- D P^T S P D in one pass (qrd_permute_sym, then each entry times
 * sign_i sign_j). */
static void signed_permute_sym(size_t n, const size_t *p, const double *sign, const double *S,
                               double *out)
{
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++)
      out[j * n + i] = S[p[j] * n + p[i]] * (sign[i] * sign[j]);
}

/* S <- H S H / n for S symmetric: S H by rows, then H down each
 * contiguous column of it (no transpose).  The result is symmetric up to
 * rounding; its upper triangle has the bits the row-wise transform of the
 * transpose gives.  buf: FWHT_STRIP n doubles. */
static void hadamard_both_sides(size_t n, double *S, double *buf)
{
  fwht_right(n, n, S, buf);
  for (size_t j = 0; j < n; j++)
    qrd_fwht(n, S + j * n);
}

/* hadamard_both_sides of a diagonal S (signed and permuted by p, or not
 * when p is NULL), in O(n log n + n^2): H diag(u) H has entry (i, j)
 * WHT(u)[i XOR j].  The same bits: the rows' transform leaves row i at
 * +-S_ii s exactly (a single non-zero meets only zeros) and each
 * column's transform computes on a vector whose entries differ from u's by
 * the signs of a character of the group, which the butterflies carry
 * through exactly (a sign comes out of a rounded sum), so column j's
 * entry i is u's transform at i XOR j, then scaled by s again.  The
 * result is exactly symmetric.  u: n doubles. */
static void hadamard_diagonal(size_t n, const size_t *p, const double *S, double *out,
                              double *u)
{
  double s = 1.0 / sqrt((double)n);
  for (size_t k = 0; k < n; k++) {
    size_t q = p ? p[k] : k;
    u[k] = S[q * n + q] * s;
  }
  fwht_pieces(n, 1, u);
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++)
      out[j * n + i] = u[i ^ j] * s;
}

void qrd_rotation_apply_sigma(const qrd_rotation *r, double *S, double *work)
{
  size_t n = r->n;
  int N = (int)n;
  switch (r->kind) {
  case QRD_ROTATE_HAAR:
    cblas_dsymm(CblasColMajor, CblasLeft, CblasLower, N, N, 1.0, S, N, r->q, N, 0.0, work, N);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, N, N, N, 1.0, r->q, N, work, N,
                0.0, S, N);
    qrd_cov_mirror_lower(n, S);
    return;
  case QRD_ROTATE_HADAMARD:
    signed_permute_sym(n, r->perm, r->sign, S, work);
    memcpy(S, work, n * n * sizeof *S);
    /* fall through */
  case QRD_ROTATE_SYLVESTER:
    /* the upper triangle mirrored down makes the result exactly symmetric */
    hadamard_both_sides(n, S, work);
    qrd_cov_mirror_upper(n, S);
    return;
  case QRD_ROTATE_ACT_ORDER:
    qrd_permute_sym(n, r->perm, S, work);
    return;
  case QRD_ROTATE_NONE:
    return;
  }
}

/* ---- conditional variances of Q^T Sigma Q ---- */

static int not_positive(size_t j, double v)
{
  return qrd_error_set(QRD_EDOM,
                       "Sigma is not positive definite (diagonal entry %zu is %g): singular; "
                       "damp it (percdamp)",
                       j, v);
}

/* d <- R_ii^2 (in processing order) for R upper triangular n x n. */
static int r_cond_var(size_t n, const double *R, int reversed, double *d)
{
  for (size_t i = 0; i < n; i++) {
    double v = R[i * n + i] * R[i * n + i];
    if (!(v > 0.0))
      return qrd_error_set(QRD_EDOM, "Sigma (Haar-rotated) is not positive definite (pivot "
                           "%zu of %zu is %g): singular; damp it (percdamp)",
                           i + 1, n, v);
    d[reversed ? n - 1 - i : i] = v;
  }
  return QRD_OK;
}

/* d from a QR of M (n x n, overwritten; tau: n doubles). */
static int qr_cond_var(size_t n, double *M, double *tau, int reversed, double *d)
{
  lapack_int N = (lapack_int)n;
  if (LAPACKE_dgeqrf(LAPACK_COL_MAJOR, N, N, M, N, tau) != 0)
    return qrd_error_set(QRD_EDOM, "QR (dgeqrf) of the rotated Cholesky factor, n = %zu", n);
  return r_cond_var(n, M, reversed, d);
}

/* Haar: Q^T S Q = M^T M with M = G^T Q and S = G G^T (G = diag(sqrt(S_ii))
 * when S is diagonal, else S's Cholesky factor), so the Cholesky factor of
 * the rotated matrix in processing order is R^T from a QR of M, its columns
 * reversed for GPTQ's order.  About half the flops of forming Q^T S Q and
 * factoring it, and for a diagonal S the relative error of d is eps
 * sqrt(cond) instead of eps cond: M is exact to a rounding per entry and
 * Householder QR is backward stable on it. */
static int haar_cond_var(const qrd_rotation *r, const double *S, int diagonal,
                         qrd_cov_order order, double *work, double *d)
{
  size_t n = r->n;
  int reversed = order == QRD_ORDER_GPTQ;
  double *M = work, *G = work + n * n;
  for (size_t j = 0; j < n; j++)
    memcpy(M + j * n, r->q + (reversed ? n - 1 - j : j) * n, n * sizeof *M);
  if (diagonal) {
    for (size_t i = 0; i < n; i++) {
      if (!(S[i * n + i] > 0.0))
        return not_positive(i, S[i * n + i]);
      G[i] = sqrt(S[i * n + i]);
    }
    for (size_t j = 0; j < n; j++)
      for (size_t i = 0; i < n; i++)
        M[j * n + i] *= G[i];
  } else {
    int st = qrd_cov_cholesky(n, S, G);
    if (st)
      return st;
    cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, (int)n, (int)n,
                1.0, G, (int)n, M, (int)n);
  }
  return qr_cond_var(n, M, G, reversed, d);
}

/* Whether the diagonal S is c I. */
static int is_scalar(size_t n, const double *S)
{
  for (size_t j = 1; j < n; j++)
    if (S[j * n + j] != S[0])
      return 0;
  return 1;
}

/* qrd_rotation_cond_var with S's diagonality known. */
static int cond_var(const qrd_rotation *r, const double *S, int diagonal, qrd_cov_order order,
                    double *work, double *d)
{
  size_t n = r->n;
  int permutation = r->kind == QRD_ROTATE_NONE || r->kind == QRD_ROTATE_ACT_ORDER;
  if (diagonal && (permutation || is_scalar(n, S))) {
    /* Q^T S Q is S permuted (and Q^T c I Q = c I under every rotation): d
     * is its diagonal, exactly, where a computed rotation leaves rounding */
    for (size_t j = 0; j < n; j++) {
      size_t p = r->kind == QRD_ROTATE_ACT_ORDER ? r->perm[j] : j;
      if (!(S[p * n + p] > 0.0))
        return not_positive(p, S[p * n + p]);
      d[j] = S[p * n + p];
    }
    return QRD_OK;
  }
  if (r->kind == QRD_ROTATE_HAAR)
    return haar_cond_var(r, S, diagonal, order, work, d);
  if (permutation) /* gathered permuted, with no copy of S first */
    return qrd_cov_cond_var_permuted(n, S, r->kind == QRD_ROTATE_ACT_ORDER ? r->perm : NULL,
                                     order, work, d);
  /* qrd_rotation_apply_sigma on a copy, the signed permutation being the
   * copy; GPTQ's reversed gather reads the upper triangle only, which the
   * mirror would leave as it is */
  if (diagonal) {
    hadamard_diagonal(n, r->kind == QRD_ROTATE_HADAMARD ? r->perm : NULL, S, work,
                      work + n * n);
  } else {
    if (r->kind == QRD_ROTATE_HADAMARD)
      signed_permute_sym(n, r->perm, r->sign, S, work);
    else
      memcpy(work, S, n * n * sizeof *work);
    hadamard_both_sides(n, work, work + n * n);
    if (order != QRD_ORDER_GPTQ)
      qrd_cov_mirror_upper(n, work);
  }
  return qrd_cov_cond_var(n, work, order, work + n * n, d);
}

int qrd_rotation_cond_var(const qrd_rotation *r, const double *S, qrd_cov_order order,
                          double *work, double *d)
{
  return cond_var(r, S, qrd_cov_is_diagonal(r->n, S), order, work, d);
}

/* Column blocks of dtpqrt's compact WY form: its T is this many rows. */
#define TPQRT_NB 32

/* Haar through the family's root S = c I + F F^T: Q^T S Q = K^T K for K =
 * [c^1/2 I; F^T Q] (c^1/2 I being Q^T c^1/2 Q rotated back), so d is
 * R_jj^2 from a QR of K: dgeqrf of F^T Q (c = 0, m = n), or dtpqrt,
 * which takes the triangular head as it is, in O(m n^2). */
static int haar_root_cond_var(const qrd_rotation *r, const qrd_cov *cov, unsigned long seed,
                              qrd_cov_order order, double *work, double *d)
{
  size_t n = r->n, m = 0;
  int reversed = order == QRD_ORDER_GPTQ;
  double c = 0.0, *Y = work, *A = work + n * n;
  int st = cov->type->root(cov->theta, n, seed, n, r->q, Y, &m, &c);
  if (st)
    return st;
  if (reversed) /* GPTQ's order is Q's columns reversed */
    for (size_t j = 0; j < n / 2; j++)
      for (size_t i = 0; i < m; i++) {
        double t = Y[j * m + i];
        Y[j * m + i] = Y[(n - 1 - j) * m + i];
        Y[(n - 1 - j) * m + i] = t;
      }
  if (c == 0.0 && m == n)
    return qr_cond_var(n, Y, A, reversed, d);
  if (!(c > 0.0))
    return qrd_error_set(QRD_EDOM, "%s: Sigma is singular (rank %zu of %zu); damp it "
                         "(percdamp)", cov->spec, m, n);
  memset(A, 0, n * n * sizeof *A);
  for (size_t i = 0; i < n; i++)
    A[i * n + i] = sqrt(c);
  lapack_int nb = (lapack_int)(n < TPQRT_NB ? n : TPQRT_NB);
  double *T = m ? malloc((size_t)nb * n * sizeof *T) : NULL;
  if (m && !T)
    return qrd_error_set(QRD_ENOMEM, "QR (dtpqrt) for n = %zu", n);
  if (m && LAPACKE_dtpqrt(LAPACK_COL_MAJOR, (lapack_int)m, (lapack_int)n, 0, nb, A,
                          (lapack_int)n, Y, (lapack_int)m, T, nb) != 0)
    st = qrd_error_set(QRD_EDOM, "QR (dtpqrt) of %s's rotated root, n = %zu", cov->spec, n);
  free(T);
  return st ? st : r_cond_var(n, A, reversed, d);
}

int qrd_rotation_cond_var_cov(const qrd_rotation *r, const qrd_cov *cov, unsigned long seed,
                              const double *S, qrd_cov_order order, double *work, double *d)
{
  int diagonal = qrd_cov_is_diagonal(r->n, S);
  if (r->kind == QRD_ROTATE_HAAR && cov->type && cov->type->root && !cov->haar && !diagonal)
    return haar_root_cond_var(r, cov, seed, order, work, d);
  return cond_var(r, S, diagonal, order, work, d);
}

int qrd_rotation_blocks(const qrd_rotation *r, double *x, size_t m, int inverse, double *work)
{
  size_t n = r->n;
  if (r->kind != QRD_ROTATE_HADAMARD && r->kind != QRD_ROTATE_SYLVESTER)
    return qrd_error_set(QRD_EINVAL, "block rotation '%s': only hadamard or sylvester",
                         qrd_rotate_name(r->kind));
  if (m % n)
    return qrd_error_set(QRD_EINVAL, "%zu values are not whole rotation blocks of %zu", m, n);
  int signed_perm = r->kind == QRD_ROTATE_HADAMARD;
  for (size_t b = 0; b < m; b += n) {
    double *w = x + b;
    if (!inverse) { /* w P D, then H / sqrt(n) */
      for (size_t j = 0; j < n; j++)
        work[j] = signed_perm ? w[r->perm[j]] * r->sign[j] : w[j];
      qrd_fwht(n, work);
      memcpy(w, work, n * sizeof *w);
    } else { /* H^T = H, then D, then P^T */
      qrd_fwht(n, w);
      for (size_t j = 0; j < n; j++)
        work[j] = w[j];
      for (size_t j = 0; j < n; j++)
        if (signed_perm)
          w[r->perm[j]] = work[j] * r->sign[j];
        else
          w[j] = work[j];
    }
  }
  return QRD_OK;
}

void qrd_rotation_apply_w(const qrd_rotation *r, size_t a, double *W, double *work)
{
  size_t n = r->n;
  switch (r->kind) {
  case QRD_ROTATE_HAAR:
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)a, (int)n, (int)n, 1.0, W,
                (int)a, r->q, (int)n, 0.0, work, (int)a);
    memcpy(W, work, a * n * sizeof *W);
    return;
  case QRD_ROTATE_HADAMARD:
    qrd_permute_cols(a, n, r->perm, W, work);
    scale_cols(a, n, r->sign, W);
    /* fall through */
  case QRD_ROTATE_SYLVESTER:
    fwht_right(a, n, W, work);
    return;
  case QRD_ROTATE_ACT_ORDER:
    qrd_permute_cols(a, n, r->perm, W, work);
    return;
  case QRD_ROTATE_NONE:
    return;
  }
}
