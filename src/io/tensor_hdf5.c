/* HDF5 files as tensor files: every floating-point dataset, named by its
 * absolute path ("/layer3/W"), any rank up to QRD_TENSOR_MAX_DIMS; read
 * through io/h5read (one reader of numeric arrays), which checks each
 * dataset's dataspace, type and storage before anything is allocated, and
 * HDF5's own conversion to double.  2-D weights are taken as [out, in]
 * (h5py writes PyTorch's order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/h5probe.h"
#include "io/h5read.h"
#include "io/tensor.h"

static const unsigned char SIGNATURE[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

static int probe(const char *path, const unsigned char *head, size_t n)
{
  (void)path;
  return n >= sizeof SIGNATURE && memcmp(head, SIGNATURE, sizeof SIGNATURE) == 0;
}

typedef struct {
  const char *path;
  const qrd_h5read *file;
  qrd_tensor_info *info;
  size_t n, cap;
} listing;

static int add(const char *name, void *ctx)
{
  listing *l = ctx;
  qrd_h5read_shape_info s;
  int st = qrd_h5read_shape(l->file, name, &s);
  if (st)
    return st;
  if (s.cls != QRD_H5READ_FLOAT)
    return QRD_OK; /* not a weight: left out of the listing */
  if (s.rank > QRD_TENSOR_MAX_DIMS)
    return qrd_error_set(QRD_EIO, "%s: dataset '%s': rank %d (at most %d)", l->path, name,
                         s.rank, QRD_TENSOR_MAX_DIMS);
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
  t->ndim = (size_t)s.rank;
  /* check_type let through IEEE float16, 32 and 64 only */
  t->dtype = s.type_size == 2 ? QRD_DTYPE_F16 : s.type_size == 4 ? QRD_DTYPE_F32 : QRD_DTYPE_F64;
  for (int d = 0; d < s.rank; d++)
    t->shape[d] = s.dims[d];
  t->count = s.count;
  return QRD_OK;
}

static int list_now(const char *path, qrd_tensor_info **info, size_t *n)
{
  qrd_h5read *f;
  int st = qrd_h5read_open(path, &f);
  if (st)
    return st;
  listing l = {.path = path, .file = f};
  st = qrd_h5read_datasets(f, add, &l);
  qrd_h5read_close(f);
  if (st) {
    free(l.info);
    return st;
  }
  *info = l.info;
  *n = l.n;
  return QRD_OK;
}

static int read_now(const char *path, const qrd_tensor_info *t, double *out)
{
  qrd_h5read *f;
  int st = qrd_h5read_open(path, &f);
  if (st)
    return st;
  st = qrd_h5read_doubles(f, t->name, (size_t)t->count, out);
  qrd_h5read_close(f);
  return st;
}

/* One rehearsal (io/h5probe.h) for a whole listing or read instead of one
 * per h5read call: a fork costs milliseconds, and a model has hundreds of
 * tensors. */
typedef struct {
  const char *path;
  qrd_tensor_info **info;
  size_t *n;
  const qrd_tensor_info *t;
  double *out;
} call;

static int list_call(void *p)
{
  call *c = p;
  return list_now(c->path, c->info, c->n);
}

static int list(const char *path, qrd_tensor_info **info, size_t *n)
{
  call c = {.path = path, .info = info, .n = n};
  return qrd_h5probe_call(path, NULL, list_call, &c);
}

static int read_call(void *p)
{
  call *c = p;
  return read_now(c->path, c->t, c->out);
}

static int read(const char *path, const qrd_tensor_info *t, double *out)
{
  call c = {.path = path, .t = t, .out = out};
  return qrd_h5probe_call(path, NULL, read_call, &c);
}

const qrd_tensor_reader qrd_tensor_reader_hdf5 = {
  .name = "hdf5",
  .doc = "HDF5 file: every floating-point dataset, by its path (FILE.h5:/group/W)",
  .layout = QRD_LAYOUT_OUT_IN,
  .probe = probe,
  .list = list,
  .read = read,
};
