/* HDF5 files as tensor files: every floating-point dataset, named by its
 * absolute path ("/layer3/W"), any rank up to QRD_TENSOR_MAX_DIMS; read
 * through HDF5's own conversion to double.  2-D weights are taken as
 * [out, in] (h5py writes PyTorch's order). */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/tensor.h"

static const unsigned char SIGNATURE[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

static int probe(const char *path, const unsigned char *head, size_t n)
{
  (void)path;
  return n >= sizeof SIGNATURE && memcmp(head, SIGNATURE, sizeof SIGNATURE) == 0;
}

typedef struct {
  const char *path;
  qrd_tensor_info *info;
  size_t n, cap;
  int status;
} listing;

static int add(listing *l, const char *name, hid_t dset)
{
  hid_t type = H5Dget_type(dset), space = H5Dget_space(dset);
  int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
  int is_float = type >= 0 && H5Tget_class(type) == H5T_FLOAT;
  size_t size = type >= 0 ? H5Tget_size(type) : 0;
  hsize_t dims[H5S_MAX_RANK];
  if (rank >= 0)
    H5Sget_simple_extent_dims(space, dims, NULL);
  if (type >= 0)
    H5Tclose(type);
  if (space >= 0)
    H5Sclose(space);
  if (!is_float || (size != 2 && size != 4 && size != 8))
    return QRD_OK; /* not a weight: left out of the listing */
  if (rank < 0 || rank > QRD_TENSOR_MAX_DIMS)
    return qrd_error_set(QRD_EIO, "%s: dataset '%s': rank %d (at most %d)", l->path, name, rank,
                         QRD_TENSOR_MAX_DIMS);
  if (strlen(name) >= QRD_TENSOR_NAME_LEN)
    return qrd_error_set(QRD_EIO, "%s: dataset name '%.40s...' too long", l->path, name);
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    qrd_tensor_info *p = realloc(l->info, cap * sizeof *p);
    if (!p)
      return qrd_error_set(QRD_ENOMEM, "%s: tensor list", l->path);
    l->info = p;
    l->cap = cap;
  }
  qrd_tensor_info *t = &l->info[l->n++];
  memset(t, 0, sizeof *t);
  snprintf(t->name, sizeof t->name, "%s", name);
  t->ndim = (size_t)rank;
  t->dtype = size == 2 ? QRD_DTYPE_F16 : size == 4 ? QRD_DTYPE_F32 : QRD_DTYPE_F64;
  t->count = 1;
  for (int d = 0; d < rank; d++) {
    t->shape[d] = dims[d];
    t->count *= dims[d];
  }
  return QRD_OK;
}

static herr_t visit(hid_t obj, const char *name, const H5O_info_t *oi, void *ctx)
{
  listing *l = ctx;
  if (oi->type != H5O_TYPE_DATASET || name[0] == '.')
    return 0;
  char path[QRD_TENSOR_NAME_LEN + 2];
  snprintf(path, sizeof path, "/%s", name);
  hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
  l->status = d < 0 ? qrd_error_set(QRD_EIO, "%s: cannot open dataset '%s'", l->path, path)
                    : add(l, path, d);
  if (d >= 0)
    H5Dclose(d);
  return l->status ? -1 : 0;
}

static int list(const char *path, qrd_tensor_info **info, size_t *n)
{
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0)
    return qrd_error_set(QRD_EIO, "%s: not a readable HDF5 file", path);
  listing l = {.path = path};
  herr_t h = H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, visit, &l);
  H5Fclose(f);
  if (!l.status && h < 0)
    l.status = qrd_error_set(QRD_EIO, "%s: cannot list its datasets", path);
  if (l.status) {
    free(l.info);
    return l.status;
  }
  *info = l.info;
  *n = l.n;
  return QRD_OK;
}

static int read(const char *path, const qrd_tensor_info *t, double *out)
{
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t d = f < 0 ? H5I_INVALID_HID : H5Dopen2(f, t->name, H5P_DEFAULT);
  int ok = d >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0;
  if (d >= 0)
    H5Dclose(d);
  if (f >= 0)
    H5Fclose(f);
  return ok ? QRD_OK
            : qrd_error_set(QRD_EIO, "%s: tensor '%s': cannot read its values", path, t->name);
}

const qrd_tensor_reader qrd_tensor_reader_hdf5 = {
  .name = "hdf5",
  .doc = "HDF5 file: every floating-point dataset, by its path (FILE.h5:/group/W)",
  .layout = QRD_LAYOUT_OUT_IN,
  .probe = probe,
  .list = list,
  .read = read,
};
