#include "io/h5read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "core/error.h"

struct qrd_h5read {
  hid_t file;
  char path[]; /* for messages */
};

int qrd_h5read_open(const char *path, qrd_h5read **out)
{
  *out = NULL;
  /* HDF5 would print its error stack; the detail goes to qrd_error_set(). */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  /* stat() first: HDF5 says only "not HDF5" for a missing file. */
  struct stat sb;
  if (stat(path, &sb) != 0) {
    int e = errno;
    return qrd_error_set(e == ENOENT ? QRD_ENOTFOUND : QRD_EIO, "%s: %s", path, strerror(e));
  }
  if (H5Fis_hdf5(path) <= 0)
    return qrd_error_set(QRD_EIO, "%s: not an HDF5 file", path);
  size_t len = strlen(path) + 1;
  qrd_h5read *f = malloc(sizeof *f + len);
  if (!f)
    return qrd_error_set(QRD_ENOMEM, "%s: cannot open", path);
  memcpy(f->path, path, len);
  if ((f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
    free(f);
    return qrd_error_set(QRD_EIO, "%s: cannot open", path);
  }
  *out = f;
  return QRD_OK;
}

void qrd_h5read_close(qrd_h5read *f)
{
  if (!f)
    return;
  H5Fclose(f->file);
  free(f);
}

/* H5Lexists() fails, rather than saying no, when a parent is missing, so the
 * path is tried one component at a time. */
int qrd_h5read_exists(const qrd_h5read *f, const char *obj)
{
  char *prefix = strdup(obj);
  int found = prefix != NULL;
  for (char *p = prefix; found && *(p += strspn(p, "/"));) {
    p += strcspn(p, "/");
    char c = *p;
    *p = '\0';
    found = H5Lexists(f->file, prefix, H5P_DEFAULT) > 0;
    *p = c;
  }
  free(prefix);
  return found;
}

int qrd_h5read_group(const qrd_h5read *f, const char *group)
{
  hid_t g = qrd_h5read_exists(f, group) ? H5Gopen2(f->file, group, H5P_DEFAULT)
                                         : H5I_INVALID_HID;
  if (g < 0)
    return qrd_error_set(QRD_ENOTFOUND, "%s: no group '%s'", f->path, group);
  H5Gclose(g);
  return QRD_OK;
}

/* The dataset and its dataspace (negative if HDF5 cannot give it), for
 * close_dataset(). */
static int open_dataset(const qrd_h5read *f, const char *obj, hid_t *dset, hid_t *space)
{
  if (!qrd_h5read_exists(f, obj))
    return qrd_error_set(QRD_ENOTFOUND, "%s: no dataset '%s'", f->path, obj);
  if ((*dset = H5Dopen2(f->file, obj, H5P_DEFAULT)) < 0)
    return qrd_error_set(QRD_EIO, "%s: '%s' is not a readable dataset", f->path, obj);
  *space = H5Dget_space(*dset);
  return QRD_OK;
}

static void close_dataset(hid_t dset, hid_t space)
{
  if (space >= 0)
    H5Sclose(space);
  H5Dclose(dset);
}

int qrd_h5read_dims(const qrd_h5read *f, const char *obj, int rank, size_t *dims)
{
  hid_t dset, space;
  int st = open_dataset(f, obj, &dset, &space);
  if (st)
    return st;
  hid_t type = H5Dget_type(dset);
  int r = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
  H5T_class_t cls = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
  hsize_t h[H5S_MAX_RANK];
  if (r == rank)
    H5Sget_simple_extent_dims(space, h, NULL);
  if (type >= 0)
    H5Tclose(type);
  close_dataset(dset, space);
  if (r != rank)
    return qrd_error_set(QRD_EINVAL, "%s: dataset '%s' has rank %d (allowed: %s)", f->path,
                         obj, r, rank == 1 ? "a 1-D vector" : "a 2-D matrix");
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    return qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is not numeric", f->path, obj);
  for (int i = 0; i < rank; i++)
    dims[i] = (size_t)h[i];
  return QRD_OK;
}

int qrd_h5read_doubles(const qrd_h5read *f, const char *obj, size_t count, double *out)
{
  hid_t dset, space;
  int st = open_dataset(f, obj, &dset, &space);
  if (st)
    return st;
  hssize_t np = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
  if (np >= 0 && (size_t)np != count)
    st = qrd_error_set(QRD_EINVAL, "%s: dataset '%s' has %lld elements, not %zu", f->path,
                       obj, (long long)np, count);
  else if (np < 0 || H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    st = qrd_error_set(QRD_EIO, "%s: cannot read dataset '%s'", f->path, obj);
  close_dataset(dset, space);
  return st;
}
