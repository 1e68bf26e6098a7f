/* Babai's nearest-plane algorithm for a general basis (docs/methods-watersic.md).
 *
 * It shares no code with the SIC: Gram-Schmidt comes from a Householder QR
 * of the basis vectors, so with a rotated basis it is a second route to
 * GPTQ's codes. */
#include <cblas.h>
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mat/matq_impl.h"

/* u: coordinates of one target in the Q basis; R: the basis, R[:,i] = b_i
 * in that basis (upper triangular, column-major). */
static int nearest_plane(size_t n, const double *R, double *u, int32_t *z)
{
  for (size_t i = n; i-- > 0;) {
    double c = nearbyint(u[i] / R[i + i * n]);
    if (!(fabs(c) <= INT32_MAX))
      return qrd_error_set(QRD_EDOM, "Babai: coefficient %g beyond int32", c);
    z[i] = (int32_t)c;
    cblas_daxpy((int)i, -c, R + i * n, 1, u, 1);
  }
  return QRD_OK;
}

int qrd_babai_nearest_plane(size_t n, const double *basis, size_t m, const double *targets,
                            int32_t *z)
{
  if (n == 0 || m == 0)
    return qrd_error_set(QRD_EINVAL, "Babai: n = %zu, m = %zu", n, m);
  /* Row-major rows b_i are the columns of a column-major B^T = Q R. */
  double *Q = malloc(n * n * sizeof *Q), *R = calloc(n * n, sizeof *R);
  double *tau = malloc(n * sizeof *tau), *U = malloc(n * m * sizeof *U);
  int st = Q && R && tau && U ? QRD_OK : qrd_error_set(QRD_ENOMEM, "Babai: n = %zu", n);
  if (!st) {
    memcpy(Q, basis, n * n * sizeof *Q);
    if (LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)n, (int)n, Q, (int)n, tau))
      st = qrd_error_set(QRD_EINVAL, "Babai: QR of the basis failed");
  }
  for (size_t i = 0; !st && i < n; i++) {
    memcpy(R + i * n, Q + i * n, (i + 1) * sizeof *R);
    if (R[i + i * n] == 0.0)
      st = qrd_error_set(QRD_EDOM, "Babai: basis vector %zu is dependent on the earlier ones",
                         i);
  }
  if (!st && LAPACKE_dorgqr(LAPACK_COL_MAJOR, (int)n, (int)n, (int)n, Q, (int)n, tau))
    st = qrd_error_set(QRD_EINVAL, "Babai: forming Q failed");
  if (!st)
    /* Column t of U (column-major n x m) = Q^T target_t. */
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)n, (int)m, (int)n, 1.0, Q,
                (int)n, targets, (int)n, 0.0, U, (int)n);
  for (size_t t = 0; !st && t < m; t++)
    st = nearest_plane(n, R, U + t * n, z + t * n);
  free(Q);
  free(R);
  free(tau);
  free(U);
  return st;
}
