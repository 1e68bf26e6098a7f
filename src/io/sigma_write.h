/* Writing covariance files in the layout that `file:PATH:GROUP`
 * covariances read (mat/cov_file.c, through io/h5read.h): one group per
 * matrix, holding
 *
 *   Sigma   float64 n x n, symmetric (row-major = column-major)
 *   W       float64 a x n, optional: the weight as [out, in], one row per
 *           output channel (qrd_tensor_as_rows' orientation)
 *
 * and the group's attributes (qrd_sigma_group_attrs).  Written to a
 * temporary beside it, "<path>.tmp.<host>.<pid>.<random>", created
 * exclusively, and renamed over <path> on qrd_sigma_file_commit (which
 * replaces only a regular file: io/results.h's qrd_output_check), so an
 * interrupted run never leaves a half-written file under the real name
 * and a stale temporary never blocks the next run.  Object
 * timestamps are off: equal inputs give identical files. */
#ifndef QRD_IO_SIGMA_WRITE_H
#define QRD_IO_SIGMA_WRITE_H

#include <stddef.h>

typedef struct qrd_sigma_file qrd_sigma_file;

/* Checks <path> (qrd_output_check) and creates its temporary.  QRD_EINVAL
 * for a path that is not a regular file, QRD_EIO naming the file when it
 * cannot be created. */
int qrd_sigma_file_create(const char *path, qrd_sigma_file **out);

/* A string attribute of the root group (e.g. the model and the corpus). */
int qrd_sigma_file_attr_string(qrd_sigma_file *f, const char *name, const char *value);

typedef struct {
  const char *layer;   /* string attribute `layer` (NULL: none) */
  const char *weight;  /* string attribute `weight`: the tensor W came from (NULL: none) */
  long long tokens;    /* integer attribute `tokens`: rows of X behind Sigma (< 0: none) */
  long long sentences; /* integer attribute `sentences` (< 0: none) */
} qrd_sigma_group_attrs;

/* Group `group` (one path component, no '/') with Sigma (n x n) and, when
 * W is not NULL, W (a x n row-major), and the attributes.  QRD_EINVAL for
 * a bad name or size or a group written twice, QRD_EIO for a write that
 * fails; errors name the file and the group. */
int qrd_sigma_file_group(qrd_sigma_file *f, const char *group, size_t n, const double *Sigma,
                         size_t a, const double *W, const qrd_sigma_group_attrs *attrs);

/* Closes the temporary file and renames it to its path; f is freed either
 * way, and on failure (a full disk: an error, not a crash at exit) the
 * temporary file is deleted. */
int qrd_sigma_file_commit(qrd_sigma_file *f);

/* Closes and deletes the temporary file. */
void qrd_sigma_file_abort(qrd_sigma_file *f);

#endif
