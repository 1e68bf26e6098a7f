/* Reading numeric arrays from a user's HDF5 file, for modules that must not
 * see HDF5 themselves (mat/'s file: covariance).  Objects are named by
 * absolute path ("/group/name"); every error names the file and the object,
 * so that a caller can pass it on as its one-line message. */
#ifndef QRD_H5READ_H
#define QRD_H5READ_H

#include <stddef.h>

typedef struct qrd_h5read qrd_h5read;

/* Opens `path` read-only.  QRD_ENOTFOUND if it does not exist, QRD_EIO if it
 * cannot be read or is not HDF5.  The path is copied. */
int qrd_h5read_open(const char *path, qrd_h5read **out);
void qrd_h5read_close(qrd_h5read *f);

/* Whether `obj` names anything in the file (every component of the path
 * must exist). */
int qrd_h5read_exists(const qrd_h5read *f, const char *obj);

/* QRD_OK if `group` is a group of the file, QRD_ENOTFOUND otherwise. */
int qrd_h5read_group(const qrd_h5read *f, const char *group);

/* The dims of the numeric (integer or float) dataset `obj`, which must have
 * rank `rank` (1 or 2; row-major, dims[0] rows).  QRD_ENOTFOUND if absent,
 * QRD_EINVAL for another rank or a non-numeric type. */
int qrd_h5read_dims(const qrd_h5read *f, const char *obj, int rank, size_t *dims);

/* All `count` elements of `obj` as doubles, in the file's (row-major) order;
 * QRD_EINVAL if it holds another number of elements. */
int qrd_h5read_doubles(const qrd_h5read *f, const char *obj, size_t count, double *out);

#endif
