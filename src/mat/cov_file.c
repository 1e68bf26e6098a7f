/* file:PATH[:GROUP]: a user's Sigma (n x n) and optional W (a x n) from
 * HDF5 (watersic.md §10), checked before use so that a bad file fails with
 * one line naming the file, the dataset and the problem. */
#include <errno.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "core/error.h"
#include "mat/cov.h"
#include "mat/cov_impl.h"

typedef struct {
  const char *path;
  hid_t file, group;
  char where[300]; /* "/GROUP/NAME" of the dataset being read */
} source;

static void close_source(source *s)
{
  if (s->group >= 0)
    H5Gclose(s->group);
  if (s->file >= 0)
    H5Fclose(s->file);
}

static int open_source(const char *path, const char *group, source *s)
{
  *s = (source){.path = path, .file = H5I_INVALID_HID, .group = H5I_INVALID_HID};
  /* HDF5 would print its error stack; the detail goes to qrd_error_set(). */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  struct stat sb;
  if (stat(path, &sb) != 0) {
    int e = errno;
    return qrd_error_set(e == ENOENT ? QRD_ENOTFOUND : QRD_EIO, "%s: %s", path, strerror(e));
  }
  if (H5Fis_hdf5(path) <= 0)
    return qrd_error_set(QRD_EIO, "%s: not an HDF5 file", path);
  if ((s->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
    return qrd_error_set(QRD_EIO, "%s: cannot open", path);
  if ((s->group = H5Gopen2(s->file, group[0] ? group : "/", H5P_DEFAULT)) < 0) {
    close_source(s);
    return qrd_error_set(QRD_ENOTFOUND, "%s: no group '%s'", path, group);
  }
  return QRD_OK;
}

/* Opens dataset `name` of the group and checks it is a 2-D numeric array.
 * *dset < 0 (and QRD_OK) when it is absent and optional. */
static int open_matrix(source *s, const char *group, const char *name, int required,
                       hid_t *dset, hsize_t dims[2])
{
  snprintf(s->where, sizeof s->where, "%s%s/%s", group[0] == '/' ? "" : "/", group, name);
  *dset = H5I_INVALID_HID;
  if (H5Lexists(s->group, name, H5P_DEFAULT) <= 0)
    return required ? qrd_error_set(QRD_ENOTFOUND, "%s: no dataset '%s'", s->path, s->where)
                    : QRD_OK;
  if ((*dset = H5Dopen2(s->group, name, H5P_DEFAULT)) < 0)
    return qrd_error_set(QRD_EIO, "%s: '%s' is not a readable dataset", s->path, s->where);
  hid_t space = H5Dget_space(*dset), type = H5Dget_type(*dset);
  int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
  H5T_class_t cls = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
  if (rank == 2)
    H5Sget_simple_extent_dims(space, dims, NULL);
  if (space >= 0)
    H5Sclose(space);
  if (type >= 0)
    H5Tclose(type);
  int st = QRD_OK;
  if (rank != 2)
    st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' has rank %d (allowed: a 2-D matrix)",
                       s->path, s->where, rank);
  else if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is not numeric", s->path, s->where);
  if (st) {
    H5Dclose(*dset);
    *dset = H5I_INVALID_HID;
  }
  return st;
}

static int read_doubles(source *s, hid_t dset, double *out)
{
  herr_t e = H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
  H5Dclose(dset);
  return e < 0 ? qrd_error_set(QRD_EIO, "%s: cannot read dataset '%s'", s->path, s->where)
               : QRD_OK;
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
  double *A = malloc(n * n * sizeof *A), *lambda = malloc(n * sizeof *lambda);
  if (!A || !lambda) {
    free(A);
    free(lambda);
    return qrd_error_set(QRD_ENOMEM, "%s: PSD check of %zux%zu", s->path, n, n);
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

static int sigma_dims(source *s, const char *group, hid_t *dset, size_t *n)
{
  hsize_t dims[2];
  int st = open_matrix(s, group, "Sigma", 1, dset, dims);
  if (!st && dims[0] != dims[1]) {
    H5Dclose(*dset);
    st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is %llux%llu (allowed: square n x n)",
                       s->path, s->where, (unsigned long long)dims[0],
                       (unsigned long long)dims[1]);
  }
  if (!st)
    *n = (size_t)dims[0];
  return st;
}

int qrd_cov_file_dim(const char *path, const char *group, size_t *n)
{
  source s;
  hid_t dset;
  int st = open_source(path, group, &s);
  if (!st && !(st = sigma_dims(&s, group, &dset, n)))
    H5Dclose(dset);
  close_source(&s);
  return st;
}

int qrd_cov_file_sigma(const char *path, const char *group, size_t n, double *S)
{
  source s;
  hid_t dset;
  size_t m;
  int st = open_source(path, group, &s);
  if (!st && !(st = sigma_dims(&s, group, &dset, &m))) {
    if (m != n) {
      H5Dclose(dset);
      st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is %zux%zu, not %zux%zu", path,
                         s.where, m, m, n, n);
    } else {
      st = read_doubles(&s, dset, S);
    }
  }
  if (!st)
    st = check_finite(&s, n, n, S);
  if (!st)
    st = check_symmetric(&s, n, S);
  if (!st)
    st = check_psd(&s, n, S);
  close_source(&s);
  return st;
}

/* The file holds W row-major (a x n); callers want it column-major. */
static int read_w(source *s, hid_t dset, size_t a, size_t n, double **W)
{
  double *rows = malloc(a * n * sizeof *rows), *cols = malloc(a * n * sizeof *cols);
  int st = rows && cols ? read_doubles(s, dset, rows)
                        : qrd_error_set(QRD_ENOMEM, "%s: W of %zux%zu", s->path, a, n);
  if (!rows || !cols)
    H5Dclose(dset);
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

int qrd_cov_file_w(const char *path, const char *group, size_t n, size_t *a, double **W)
{
  source s;
  hid_t dset;
  hsize_t dims[2];
  *a = 0;
  *W = NULL;
  int st = open_source(path, group, &s);
  if (!st)
    st = open_matrix(&s, group, "W", 0, &dset, dims);
  if (!st && dset >= 0) {
    if (dims[1] != n || dims[0] == 0) {
      H5Dclose(dset);
      st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is %llux%llu (allowed: a x %zu, a >= 1, "
                         "to match Sigma)", path, s.where, (unsigned long long)dims[0],
                         (unsigned long long)dims[1], n);
    } else if (!(st = read_w(&s, dset, (size_t)dims[0], n, W))) {
      *a = (size_t)dims[0];
    }
  }
  close_source(&s);
  return st;
}
