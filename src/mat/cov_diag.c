/* Diagnostics of a covariance: conditional variances, determinant,
 * eigenvalues (docs/methods-watersic.md). */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mat/cov.h"

/* dpotrf('L') in place; QRD_EDOM naming the pivot on failure.  Without
 * LAPACKE's scan for NaNs (a pass over the triangle): a NaN reaches a
 * pivot, which dpotrf reports as not positive. */
static int potrf_lower(size_t n, double *A, const char *what)
{
  lapack_int info =
    LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', (lapack_int)n, A, (lapack_int)n);
  if (info > 0)
    return qrd_error_set(QRD_EDOM,
                         "%s is not positive definite (Cholesky pivot %d of %zu is not "
                         "positive): singular or indefinite; damp it (percdamp)",
                         what, (int)info, n);
  if (info < 0)
    return qrd_error_set(QRD_EINVAL, "dpotrf: argument %d invalid", (int)-info);
  return QRD_OK;
}

int qrd_cov_cholesky(size_t n, const double *S, double *L)
{
  memcpy(L, S, n * n * sizeof *L);
  int st = potrf_lower(n, L, "Sigma");
  for (size_t j = 1; !st && j < n; j++)
    memset(L + j * n, 0, j * sizeof *L);
  return st;
}

int qrd_cov_cond_var(size_t n, const double *S, qrd_cov_order order, double *work,
                     double *d)
{
  return qrd_cov_cond_var_permuted(n, S, NULL, order, work, d);
}

/* GPTQ's front-to-back d are the back-to-front d of the reversed matrix,
 * read backwards: one Cholesky, no inverse.  Only the lower triangle is
 * gathered: dpotrf('L') reads nothing else. */
int qrd_cov_cond_var_permuted(size_t n, const double *S, const size_t *p, qrd_cov_order order,
                              double *work, double *d)
{
  int reversed = order == QRD_ORDER_GPTQ;
  for (size_t j = 0; j < n; j++) {
    size_t pj = reversed ? n - 1 - j : j;
    const double *col = S + (p ? p[pj] : pj) * n;
    for (size_t i = j; i < n; i++) {
      size_t pi = reversed ? n - 1 - i : i;
      work[j * n + i] = col[p ? p[pi] : pi];
    }
  }
  int st = potrf_lower(n, work, reversed ? "Sigma (in GPTQ's order)" : "Sigma");
  for (size_t i = 0; !st && i < n; i++) {
    double l = work[i * n + i];
    d[reversed ? n - 1 - i : i] = l * l;
  }
  return st;
}

int qrd_cov_is_diagonal(size_t n, const double *S)
{
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++)
      if (i != j && S[j * n + i] != 0.0)
        return 0;
  return 1;
}

static int ascending(const void *pa, const void *pb)
{
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

int qrd_cov_eigenvalues(size_t n, const double *S, double *work, double *lambda)
{
  /* A diagonal S's are its diagonal, exactly, in O(n^2) instead of O(n^3):
   * dsyevd finds the same bits unless it rescales an extreme matrix */
  if (qrd_cov_is_diagonal(n, S)) {
    for (size_t i = 0; i < n; i++)
      lambda[i] = S[i * n + i];
    qsort(lambda, n, sizeof *lambda, ascending);
    return QRD_OK;
  }
  memcpy(work, S, n * n * sizeof *work);
  lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, work,
                                   (lapack_int)n, lambda);
  if (info > 0)
    return qrd_error_set(QRD_EMAXITER, "eigenvalues (dsyevd) of a %zux%zu matrix did not "
                         "converge (%d off-diagonal elements left)", n, n, (int)info);
  if (info < 0)
    return qrd_error_set(QRD_EINVAL, "dsyevd: argument %d invalid", (int)-info);
  return QRD_OK;
}

void qrd_means(size_t n, const double *x, double *am, double *gm, double *hm)
{
  double sum = 0.0, log_sum = 0.0, inv_sum = 0.0;
  int positive = 1;
  for (size_t i = 0; i < n; i++) {
    sum += x[i];
    positive = positive && x[i] > 0.0;
    if (positive) {
      log_sum += log(x[i]);
      inv_sum += 1.0 / x[i];
    }
  }
  if (am)
    *am = sum / (double)n;
  if (gm)
    *gm = positive ? exp(log_sum / (double)n) : 0.0;
  if (hm)
    *hm = positive ? (double)n / inv_sum : 0.0;
}

void qrd_cov_damp(size_t n, double *S, double percdamp)
{
  double trace = 0.0;
  for (size_t i = 0; i < n; i++)
    trace += S[i * n + i];
  double damp = percdamp * trace / (double)n;
  for (size_t i = 0; i < n; i++)
    S[i * n + i] += damp;
}

int qrd_cov_summarise(size_t n, const double *S, double *work, double *d,
                      double *lambda, qrd_cov_summary *s)
{
  int st = qrd_cov_cond_var(n, S, QRD_ORDER_GPTQ, work, d);
  if (st)
    return st;
  s->n = n;
  s->logdet = 0.0;
  for (size_t i = 0; i < n; i++)
    s->logdet += log(d[i]);
  s->det_root = exp(s->logdet / (double)n);
  qrd_means(n, d, &s->am_d, &s->gm_d, &s->hm_d);
  s->excess_bits = 0.5 * log2(s->am_d / s->gm_d);
  s->lambda_min = s->lambda_max = NAN;
  if (lambda) {
    if ((st = qrd_cov_eigenvalues(n, S, work, lambda)))
      return st;
    s->lambda_min = lambda[0];
    s->lambda_max = lambda[n - 1];
  }
  return QRD_OK;
}
