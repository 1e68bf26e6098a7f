/* file:PATH[:GROUP]: a user's Sigma (n x n) and optional W (a x n) from an
 * HDF5 file (read through io/h5read.h), checked before use so that a bad
 * file fails with one line naming the file, the dataset and the problem. */
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/h5probe.h"
#include "io/h5read.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"

typedef struct {
  const char *path;
  const char *group;
  qrd_h5read *file;
  char where[300]; /* "/GROUP/NAME" of the dataset being read */
} source;

static int open_source(const char *path, const char *group, source *s)
{
  *s = (source){.path = path, .group = group};
  int st = qrd_h5read_open(path, &s->file);
  if (!st)
    st = qrd_h5read_group(s->file, group[0] ? group : "/");
  return st;
}

/* Points s->where at dataset `name` of the group. */
static const char *dataset(source *s, const char *name)
{
  const char *g = s->group;
  size_t len = strlen(g);
  snprintf(s->where, sizeof s->where, "%s%s%s%s", g[0] == '/' ? "" : "/", g,
           len && g[len - 1] != '/' ? "/" : "", name);
  return s->where;
}

/* x is rows x cols in the file's (row-major) order. */
static int check_finite(const source *s, size_t rows, size_t cols, const double *x)
{
  for (size_t i = 0; i < rows * cols; i++)
    if (!isfinite(x[i]))
      return qrd_error_set(QRD_EINVAL, "%s: dataset '%s': element [%zu][%zu] = %g is not finite",
                           s->path, s->where, i / cols, i % cols, x[i]);
  return QRD_OK;
}

/* Symmetric to QRD_COV_SYM_TOL relative, then made exactly symmetric. */
static int check_symmetric(const source *s, size_t n, double *S)
{
  double scale = 0.0;
  for (size_t i = 0; i < n * n; i++)
    scale = fmax(scale, fabs(S[i]));
  for (size_t j = 0; j < n; j++)
    for (size_t i = j + 1; i < n; i++) {
      double a = S[j * n + i], b = S[i * n + j];
      if (fabs(a - b) > QRD_COV_SYM_TOL * scale)
        return qrd_error_set(QRD_EINVAL,
                             "%s: dataset '%s' is not symmetric: [%zu][%zu] = %.17g but "
                             "[%zu][%zu] = %.17g (allowed difference: %g of the largest "
                             "|entry|)", s->path, s->where, j, i, a, i, j, b, QRD_COV_SYM_TOL);
      S[j * n + i] = S[i * n + j] = 0.5 * (a + b);
    }
  return QRD_OK;
}

/* chol(S + tol max(diag) I) exists iff lambda_min(S) > -tol max(diag); on
 * failure the eigenvalue goes into the message. */
static int check_psd(const source *s, size_t n, const double *S)
{
  double top = 0.0;
  for (size_t i = 0; i < n; i++) {
    double v = S[i * n + i];
    if (v < 0.0)
      return qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is not positive semidefinite: "
                           "diagonal element [%zu][%zu] = %g < 0", s->path, s->where, i, i, v);
    top = fmax(top, v);
  }
  if (top == 0.0)
    return qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is all zero", s->path, s->where);
  double *A = qrd_mat_doubles_alloc(n, n, "Sigma's positive-semidefiniteness check");
  double *lambda = A ? malloc(n * sizeof *lambda) : NULL;
  if (!A || !lambda) {
    free(A);
    free(lambda);
    return A ? qrd_error_set(QRD_ENOMEM, "%s: PSD check of %zux%zu", s->path, n, n)
             : QRD_ENOMEM;
  }
  memcpy(A, S, n * n * sizeof *A);
  double delta = QRD_COV_PSD_TOL * top;
  for (size_t i = 0; i < n; i++)
    A[i * n + i] += delta;
  int st = QRD_OK;
  if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)n, A, (lapack_int)n) != 0) {
    st = qrd_cov_eigenvalues(n, S, A, lambda);
    if (!st)
      st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is not positive semidefinite: "
                         "smallest eigenvalue %.6g < -%g (%g of the largest diagonal element)",
                         s->path, s->where, lambda[0], delta, QRD_COV_PSD_TOL);
  }
  free(A);
  free(lambda);
  return st;
}

static int sigma_dims(source *s, size_t *n)
{
  size_t dims[2];
  int st = qrd_h5read_dims(s->file, dataset(s, "Sigma"), 2, dims);
  if (!st && (dims[0] != dims[1] || dims[0] == 0 || dims[0] > QRD_COV_MAX_N))
    st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is %zux%zu (allowed: square n x n, n "
                       "from 1 to %zu)", s->path, s->where, dims[0], dims[1], QRD_COV_MAX_N);
  if (!st)
    *n = dims[0];
  return st;
}

static int dim_now(const char *path, const char *group, size_t *n)
{
  source s;
  int st = open_source(path, group, &s);
  if (!st)
    st = sigma_dims(&s, n);
  qrd_h5read_close(s.file);
  return st;
}

static int sigma_now(const char *path, const char *group, size_t n, double *S)
{
  source s;
  size_t m;
  int st = open_source(path, group, &s);
  if (!st && !(st = sigma_dims(&s, &m))) {
    if (m != n || n == 0 || n > QRD_COV_MAX_N)
      st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is %zux%zu, not %zux%zu", path,
                         s.where, m, m, n, n);
    else
      st = qrd_h5read_doubles(s.file, s.where, n * n, S);
  }
  qrd_h5read_close(s.file);
  return st;
}

/* The file holds W row-major (a x n); callers want it column-major. */
static int read_w(source *s, size_t a, size_t n, double **W)
{
  char what[400];
  snprintf(what, sizeof what, "%s: dataset '%s'", s->path, s->where);
  double *rows = qrd_mat_doubles_alloc(a, n, what);
  double *cols = rows ? qrd_mat_doubles_alloc(a, n, what) : NULL;
  int st = rows && cols ? qrd_h5read_doubles(s->file, s->where, a * n, rows) : QRD_ENOMEM;
  if (!st)
    st = check_finite(s, a, n, rows);
  for (size_t r = 0; !st && r < a; r++)
    for (size_t c = 0; c < n; c++)
      cols[c * a + r] = rows[r * n + c];
  free(rows);
  if (st)
    free(cols);
  else
    *W = cols;
  return st;
}

static int w_now(const char *path, const char *group, size_t n, size_t *a, double **W)
{
  source s;
  size_t dims[2];
  *a = 0;
  *W = NULL;
  int st = open_source(path, group, &s);
  /* W is optional: no dataset, no W. */
  if (!st && qrd_h5read_exists(s.file, dataset(&s, "W")) &&
      !(st = qrd_h5read_dims(s.file, s.where, 2, dims))) {
    if (dims[1] != n || n == 0 || dims[0] == 0 || dims[0] > QRD_COV_MAX_W_ENTRIES / n)
      st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is %zux%zu (allowed: a x %zu to match "
                         "Sigma, a from 1 to %zu: at most %zu entries)", path, s.where, dims[0],
                         dims[1], n, n ? QRD_COV_MAX_W_ENTRIES / n : 0, QRD_COV_MAX_W_ENTRIES);
    else if (!(st = read_w(&s, dims[0], n, W)))
      *a = dims[0];
  }
  qrd_h5read_close(s.file);
  return st;
}

/* Each read is one rehearsal of io/h5probe.h (a fork), not one per h5read
 * call. */
typedef struct {
  const char *path, *group;
  size_t n, *dim, *a;
  double *S, **W;
} call;

static int dim_call(void *p)
{
  call *c = p;
  return dim_now(c->path, c->group, c->dim);
}

int qrd_cov_file_dim(const char *path, const char *group, size_t *n)
{
  call c = {.path = path, .group = group, .dim = n};
  return qrd_h5probe_call(path, NULL, dim_call, &c);
}

static int sigma_call(void *p)
{
  call *c = p;
  return sigma_now(c->path, c->group, c->n, c->S);
}

/* The checks run once, after the rehearsed read: an eigendecomposition
 * of n = 4096 takes seconds. */
int qrd_cov_file_sigma(const char *path, const char *group, size_t n, double *S)
{
  call c = {.path = path, .group = group, .n = n, .S = S};
  int st = qrd_h5probe_call(path, NULL, sigma_call, &c);
  source s = {.path = path, .group = group};
  dataset(&s, "Sigma");
  if (!st)
    st = check_finite(&s, n, n, S);
  if (!st)
    st = check_symmetric(&s, n, S);
  if (!st)
    st = check_psd(&s, n, S);
  return st;
}

static int w_call(void *p)
{
  call *c = p;
  return w_now(c->path, c->group, c->n, c->a, c->W);
}

int qrd_cov_file_w(const char *path, const char *group, size_t n, size_t *a, double **W)
{
  call c = {.path = path, .group = group, .n = n, .a = a, .W = W};
  return qrd_h5probe_call(path, NULL, w_call, &c);
}
