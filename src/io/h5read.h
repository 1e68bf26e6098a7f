/* Reading numeric arrays from a user's HDF5 file, for modules that must not
 * see HDF5 themselves (mat/'s file: covariance).  Objects are named by
 * absolute path ("/group/name"); every error names the file and the object,
 * so that a caller can pass it on as its one-line message.  Every call
 * does its libhdf5 work through qrd_h5probe_call() (io/h5probe.h): a
 * damaged file that would crash or hang libhdf5 is refused instead. */
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

/* What a dataset declares, checked before anything is read: a simple (or
 * scalar, rank 0, or null, count 0) dataspace of at most
 * QRD_H5READ_MAX_RANK dims whose element count times 8 fits in a size_t;
 * for a numeric dataset also an integer of 1, 2, 4 or 8 bytes or an IEEE
 * half, single or double float (any byte order), stored in the file
 * itself (not external or virtual), and storage the declared size needs:
 * at least count x element size bytes when unfiltered, 1/1100 of it when
 * compressed (deflate's limit is 1032:1), and never more than the file
 * holds.  So a small file cannot make a caller allocate much more than
 * its size.  QRD_EIO naming the file and the dataset for a declaration
 * that does not hold, QRD_EINVAL for a numeric type qrd does not convert;
 * a dataset of another class (strings, compounds, ...) is not an error
 * here: its class says so and its storage is not checked. */
#define QRD_H5READ_MAX_RANK 32
typedef enum { QRD_H5READ_OTHER, QRD_H5READ_INTEGER, QRD_H5READ_FLOAT } qrd_h5read_class;
typedef struct {
  qrd_h5read_class cls;
  size_t type_size; /* bytes per element in the file */
  int rank;
  size_t dims[QRD_H5READ_MAX_RANK];
  size_t count; /* product of dims (1 for a scalar) */
} qrd_h5read_shape_info;

int qrd_h5read_shape(const qrd_h5read *f, const char *obj, qrd_h5read_shape_info *out);

/* A numeric (float or integer) scalar attribute of the root group as a
 * double: QRD_ENOTFOUND if absent, QRD_EINVAL if it is a string or not
 * scalar. */
int qrd_h5read_attr_double(const qrd_h5read *f, const char *name, double *out);

/* Calls each(obj, ctx) with the absolute path ("/group/name") of every
 * dataset of the file, in name order, until it returns non-zero, which is
 * then returned; QRD_EIO when the file's objects cannot be listed. */
int qrd_h5read_datasets(const qrd_h5read *f, int (*each)(const char *obj, void *ctx),
                        void *ctx);

#endif
