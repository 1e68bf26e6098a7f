#include "io/h5read.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "core/error.h"
#include "io/h5lookup.h"
#include "io/h5probe.h"

struct qrd_h5read {
  hid_t file;
  char path[]; /* for messages */
};

/* Every public function below does its libhdf5 work through
 * qrd_h5probe_call(), with its arguments in one of these. */
typedef struct {
  const qrd_h5read *f;
  const char *obj;
  hid_t file;                    /* open */
  int found;                     /* exists */
  qrd_h5read_shape_info *shape;  /* shape */
  size_t count;                  /* doubles */
  double *out;                   /* doubles */
  int (*each)(const char *obj, void *ctx); /* datasets */
  void *ctx;                     /* datasets */
} call;

static int open_now(void *p)
{
  call *c = p;
  c->file = H5Fopen(c->obj, H5F_ACC_RDONLY, H5P_DEFAULT);
  return c->file < 0 ? qrd_error_set(QRD_EIO, "%s: cannot open", c->obj) : QRD_OK;
}

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
  /* a search for the signature at a few fixed offsets, safe on any bytes */
  if (H5Fis_hdf5(path) <= 0)
    return qrd_error_set(QRD_EIO, "%s: not an HDF5 file", path);
  size_t len = strlen(path) + 1;
  qrd_h5read *f = malloc(sizeof *f + len);
  if (!f)
    return qrd_error_set(QRD_ENOMEM, "%s: cannot open", path);
  memcpy(f->path, path, len);
  call c = {.obj = path};
  int st = qrd_h5probe_call(path, NULL, open_now, &c);
  if (st) {
    free(f);
    return st;
  }
  f->file = c.file;
  *out = f;
  return QRD_OK;
}

static int close_now(void *p)
{
  H5Fclose(((call *)p)->f->file);
  return QRD_OK;
}

void qrd_h5read_close(qrd_h5read *f)
{
  if (!f)
    return;
  /* a close the rehearsal did not survive is left undone */
  call c = {.f = f};
  qrd_h5probe_call(f->path, NULL, close_now, &c);
  free(f);
}

static int exists_now(const qrd_h5read *f, const char *obj)
{
  return qrd_h5lookup_path(f->file, obj);
}

static int exists_call(void *p)
{
  call *c = p;
  c->found = exists_now(c->f, c->obj);
  return QRD_OK;
}

int qrd_h5read_exists(const qrd_h5read *f, const char *obj)
{
  call c = {.f = f, .obj = obj};
  return qrd_h5probe_call(f->path, NULL, exists_call, &c) == QRD_OK && c.found;
}

static int group_now(void *p)
{
  const qrd_h5read *f = ((call *)p)->f;
  const char *group = ((call *)p)->obj;
  hid_t g = exists_now(f, group) ? H5Gopen2(f->file, group, H5P_DEFAULT)
                                         : H5I_INVALID_HID;
  if (g < 0)
    return qrd_error_set(QRD_ENOTFOUND, "%s: no group '%s'", f->path, group);
  H5Gclose(g);
  return QRD_OK;
}

int qrd_h5read_group(const qrd_h5read *f, const char *group)
{
  call c = {.f = f, .obj = group};
  return qrd_h5probe_call(f->path, NULL, group_now, &c);
}

/* The dataset and its dataspace (negative if HDF5 cannot give it), for
 * close_dataset(). */
static int open_dataset(const qrd_h5read *f, const char *obj, hid_t *dset, hid_t *space)
{
  if (!exists_now(f, obj))
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

/* The dataspace into out (rank, dims, count). */
static int check_space(const qrd_h5read *f, const char *obj, hid_t space,
                       qrd_h5read_shape_info *out)
{
  H5S_class_t kind = space < 0 ? H5S_NO_CLASS : H5Sget_simple_extent_type(space);
  if (kind == H5S_NULL) {
    out->rank = 0;
    out->count = 0;
    return QRD_OK;
  }
  int rank = kind == H5S_SCALAR || kind == H5S_SIMPLE ? H5Sget_simple_extent_ndims(space) : -1;
  if (rank < 0 || rank > QRD_H5READ_MAX_RANK)
    return qrd_error_set(QRD_EIO, "%s: dataset '%s': unreadable dataspace (rank %d)", f->path,
                         obj, rank);
  hsize_t h[H5S_MAX_RANK];
  if (rank > 0 && H5Sget_simple_extent_dims(space, h, NULL) != rank)
    return qrd_error_set(QRD_EIO, "%s: dataset '%s': unreadable dims", f->path, obj);
  size_t count = 1;
  for (int i = 0; i < rank; i++) {
    if (h[i] > SIZE_MAX || (h[i] != 0 && count > SIZE_MAX / sizeof(double) / h[i]))
      return qrd_error_set(QRD_EIO, "%s: dataset '%s': dims overflow (dimension %d is %llu)",
                           f->path, obj, i, (unsigned long long)h[i]);
    out->dims[i] = (size_t)h[i];
    count *= (size_t)h[i];
  }
  out->rank = rank;
  out->count = count;
  return QRD_OK;
}

/* An IEEE half, single or double of either byte order, or an integer of
 * 1, 2, 4 or 8 bytes using all its bits: what HDF5 converts to double
 * without trusting odd bit fields. */
static int check_type(const qrd_h5read *f, const char *obj, hid_t type,
                      qrd_h5read_shape_info *out)
{
  H5T_class_t cls = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
  out->cls = cls == H5T_FLOAT ? QRD_H5READ_FLOAT
           : cls == H5T_INTEGER ? QRD_H5READ_INTEGER : QRD_H5READ_OTHER;
  out->type_size = type < 0 ? 0 : H5Tget_size(type);
  if (out->cls == QRD_H5READ_OTHER)
    return QRD_OK;
  size_t size = out->type_size, prec = H5Tget_precision(type);
  int off = H5Tget_offset(type);
  H5T_order_t order = H5Tget_order(type);
  int ok = prec == 8 * size && off == 0 && (order == H5T_ORDER_LE || order == H5T_ORDER_BE ||
                                            (size == 1 && order == H5T_ORDER_NONE));
  if (out->cls == QRD_H5READ_INTEGER)
    ok = ok && (size == 1 || size == 2 || size == 4 || size == 8);
  else {
    size_t spos, epos, esize, mpos, msize;
    ok = ok && H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) >= 0 &&
         H5Tget_norm(type) == H5T_NORM_IMPLIED && mpos == 0 &&
         ((size == 2 && spos == 15 && epos == 10 && esize == 5 && msize == 10) ||
          (size == 4 && spos == 31 && epos == 23 && esize == 8 && msize == 23) ||
          (size == 8 && spos == 63 && epos == 52 && esize == 11 && msize == 52));
  }
  if (!ok)
    return qrd_error_set(QRD_EINVAL, "%s: dataset '%s': a %zu-byte %s type qrd does not read "
                         "(allowed: integers of 1, 2, 4, 8 bytes; IEEE float16, 32, 64)",
                         f->path, obj, size,
                         out->cls == QRD_H5READ_FLOAT ? "floating-point" : "integer");
  return QRD_OK;
}

/* Storage in the file itself, enough for the declared elements. */
static int check_storage(const qrd_h5read *f, const char *obj, hid_t dset,
                         const qrd_h5read_shape_info *info)
{
  hid_t dcpl = H5Dget_create_plist(dset);
  if (dcpl < 0)
    return qrd_error_set(QRD_EIO, "%s: dataset '%s': unreadable creation properties", f->path,
                         obj);
  H5D_layout_t layout = H5Pget_layout(dcpl);
  int filters = H5Pget_nfilters(dcpl), external = H5Pget_external_count(dcpl);
  H5Pclose(dcpl);
  if (layout == H5D_VIRTUAL || external != 0)
    return qrd_error_set(QRD_EINVAL, "%s: dataset '%s': %s storage (qrd reads datasets stored "
                         "in the file itself)", f->path, obj,
                         layout == H5D_VIRTUAL ? "virtual" : "external");
  if (layout < 0 || filters < 0)
    return qrd_error_set(QRD_EIO, "%s: dataset '%s': unreadable layout", f->path, obj);
  if (info->count == 0)
    return QRD_OK;
  /* count * 8 fits in a size_t, so count * type_size (<= 8) does too */
  unsigned long long need = (unsigned long long)info->count * info->type_size;
  unsigned long long stored = H5Dget_storage_size(dset);
  hsize_t file_size = 0;
  if (H5Fget_filesize(f->file, &file_size) < 0)
    return qrd_error_set(QRD_EIO, "%s: cannot tell its size", f->path);
  if (stored > file_size)
    return qrd_error_set(QRD_EIO, "%s: dataset '%s': %llu bytes of storage in a file of %llu",
                         f->path, obj, stored, (unsigned long long)file_size);
  int short_ = filters == 0 ? stored < need : stored < need / 1100 + (need % 1100 != 0);
  if (short_ || stored == 0)
    return qrd_error_set(QRD_EIO, "%s: dataset '%s': declares %zu elements (%llu bytes) but "
                         "stores %llu bytes%s (a damaged or partly written file)", f->path, obj,
                         info->count, need, stored, filters ? " compressed" : "");
  return QRD_OK;
}

static int shape_now(const qrd_h5read *f, const char *obj, qrd_h5read_shape_info *out)
{
  memset(out, 0, sizeof *out);
  hid_t dset, space;
  int st = open_dataset(f, obj, &dset, &space);
  if (st)
    return st;
  hid_t type = H5Dget_type(dset);
  st = check_space(f, obj, space, out);
  if (!st)
    st = check_type(f, obj, type, out);
  if (!st && out->cls != QRD_H5READ_OTHER)
    st = check_storage(f, obj, dset, out);
  if (type >= 0)
    H5Tclose(type);
  close_dataset(dset, space);
  return st;
}

static int shape_call(void *p)
{
  call *c = p;
  return shape_now(c->f, c->obj, c->shape);
}

int qrd_h5read_shape(const qrd_h5read *f, const char *obj, qrd_h5read_shape_info *out)
{
  call c = {.f = f, .obj = obj, .shape = out};
  return qrd_h5probe_call(f->path, NULL, shape_call, &c);
}

int qrd_h5read_dims(const qrd_h5read *f, const char *obj, int rank, size_t *dims)
{
  qrd_h5read_shape_info info;
  int st = qrd_h5read_shape(f, obj, &info);
  if (st)
    return st;
  if (info.rank != rank)
    return qrd_error_set(QRD_EINVAL, "%s: dataset '%s' has rank %d (allowed: %s)", f->path,
                         obj, info.rank, rank == 1 ? "a 1-D vector" : "a 2-D matrix");
  if (info.cls == QRD_H5READ_OTHER)
    return qrd_error_set(QRD_EINVAL, "%s: dataset '%s' is not numeric", f->path, obj);
  for (int i = 0; i < rank; i++)
    dims[i] = info.dims[i];
  return QRD_OK;
}

static int doubles_now(const qrd_h5read *f, const char *obj, size_t count, double *out)
{
  qrd_h5read_shape_info info;
  int st = shape_now(f, obj, &info);
  if (st)
    return st;
  if (info.cls == QRD_H5READ_OTHER) /* HDF5 converts no strings or compounds to double */
    return qrd_error_set(QRD_EIO, "%s: cannot read dataset '%s'", f->path, obj);
  if (info.count != count)
    return qrd_error_set(QRD_EINVAL, "%s: dataset '%s' has %zu elements, not %zu", f->path, obj,
                         info.count, count);
  if (count == 0)
    return QRD_OK;
  hid_t dset, space;
  if ((st = open_dataset(f, obj, &dset, &space)))
    return st;
  if (H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    st = qrd_error_set(QRD_EIO, "%s: cannot read dataset '%s'", f->path, obj);
  close_dataset(dset, space);
  return st;
}

static int doubles_call(void *p)
{
  call *c = p;
  return doubles_now(c->f, c->obj, c->count, c->out);
}

int qrd_h5read_doubles(const qrd_h5read *f, const char *obj, size_t count, double *out)
{
  call c = {.f = f, .obj = obj, .count = count, .out = out};
  return qrd_h5probe_call(f->path, NULL, doubles_call, &c);
}

typedef struct {
  int (*each)(const char *obj, void *ctx);
  void *ctx;
  int status;
} visit_ctx;

static herr_t visit(hid_t obj, const char *name, const H5O_info_t *oi, void *p)
{
  (void)obj;
  visit_ctx *v = p;
  if (oi->type != H5O_TYPE_DATASET)
    return 0;
  size_t len = strlen(name) + 2;
  char *path = malloc(len);
  if (!path) {
    v->status = qrd_error_set(QRD_ENOMEM, "dataset name");
    return -1;
  }
  snprintf(path, len, "/%s", name);
  v->status = v->each(path, v->ctx);
  free(path);
  return v->status ? -1 : 0;
}

static int datasets_call(void *p)
{
  call *c = p;
  const qrd_h5read *f = c->f;
  visit_ctx v = {.each = c->each, .ctx = c->ctx};
  herr_t h = H5Ovisit2(f->file, H5_INDEX_NAME, H5_ITER_INC, visit, &v, H5O_INFO_BASIC);
  if (v.status)
    return v.status;
  if (h < 0)
    return qrd_error_set(QRD_EIO, "%s: cannot list its datasets", f->path);
  return QRD_OK;
}

int qrd_h5read_datasets(const qrd_h5read *f, int (*each)(const char *obj, void *ctx),
                        void *ctx)
{
  call c = {.f = f, .each = each, .ctx = ctx};
  return qrd_h5probe_call(f->path, NULL, datasets_call, &c);
}

static int attr_now(void *p)
{
  call *c = p;
  const qrd_h5read *f = c->f;
  const char *name = c->obj;
  double *out = c->out;
  if (!qrd_h5lookup_attr(f->file, ".", name))
    return qrd_error_set(QRD_ENOTFOUND, "%s: no root attribute '%s'", f->path, name);
  hid_t a = H5Aopen(f->file, name, H5P_DEFAULT);
  if (a < 0)
    return qrd_error_set(QRD_EIO, "%s: cannot read root attribute '%s'", f->path, name);
  hid_t type = H5Aget_type(a), space = H5Aget_space(a);
  H5T_class_t cls = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
  hssize_t np = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
  int st = QRD_OK;
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    st = qrd_error_set(QRD_EINVAL, "%s: root attribute '%s' is not a number", f->path, name);
  else if (np != 1)
    st = qrd_error_set(QRD_EINVAL, "%s: root attribute '%s' is not a scalar", f->path, name);
  else if (H5Aread(a, H5T_NATIVE_DOUBLE, out) < 0)
    st = qrd_error_set(QRD_EIO, "%s: cannot read root attribute '%s'", f->path, name);
  if (space >= 0)
    H5Sclose(space);
  if (type >= 0)
    H5Tclose(type);
  H5Aclose(a);
  return st;
}

int qrd_h5read_attr_double(const qrd_h5read *f, const char *name, double *out)
{
  call c = {.f = f, .obj = name, .out = out};
  return qrd_h5probe_call(f->path, NULL, attr_now, &c);
}
