#include "io/tensor.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"

/* Values decoded per chunk: bounds the raw buffer, not the tensor. */
#define CHUNK_VALUES 65536

const char *qrd_dtype_name(qrd_dtype t)
{
  static const char *const names[] = {"F16", "BF16", "F32", "F64", "I32"};
  return names[t];
}

size_t qrd_dtype_size(qrd_dtype t)
{
  static const size_t sizes[] = {2, 2, 4, 8, 4};
  return sizes[t];
}

double qrd_f16_to_double(uint16_t h)
{
  int sign = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v = e == 0    ? ldexp(m, -24)
           : e == 0x1f ? (m ? NAN : INFINITY)
                       : ldexp(m | 0x400, e - 25);
  return sign ? -v : v;
}

double qrd_bf16_to_double(uint16_t b)
{
  uint32_t u = (uint32_t)b << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

void qrd_dtype_decode(qrd_dtype t, const unsigned char *raw, size_t n, double *out)
{
  for (size_t i = 0; i < n; i++) {
    const unsigned char *p = raw + i * qrd_dtype_size(t);
    switch (t) {
    case QRD_DTYPE_F16:
      out[i] = qrd_f16_to_double((uint16_t)(p[0] | p[1] << 8));
      break;
    case QRD_DTYPE_BF16:
      out[i] = qrd_bf16_to_double((uint16_t)(p[0] | p[1] << 8));
      break;
    case QRD_DTYPE_F32: {
      uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                   (uint32_t)p[3] << 24;
      float f;
      memcpy(&f, &u, sizeof f);
      out[i] = f;
      break;
    }
    case QRD_DTYPE_I32: {
      uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                   (uint32_t)p[3] << 24;
      int32_t v;
      memcpy(&v, &u, sizeof v);
      out[i] = v;
      break;
    }
    case QRD_DTYPE_F64: {
      uint64_t u = 0;
      for (int k = 7; k >= 0; k--)
        u = u << 8 | p[k];
      memcpy(&out[i], &u, sizeof u);
      break;
    }
    }
  }
}

const char *qrd_tensor_layout_name(qrd_tensor_layout l)
{
  return l == QRD_LAYOUT_OUT_IN ? "out-in" : "in-out";
}

int qrd_tensor_layout_parse(const char *text, qrd_tensor_layout *l)
{
  if (strcmp(text, "out-in") == 0 || strcmp(text, "torch") == 0)
    *l = QRD_LAYOUT_OUT_IN;
  else if (strcmp(text, "in-out") == 0 || strcmp(text, "tf") == 0)
    *l = QRD_LAYOUT_IN_OUT;
  else
    return qrd_error_set(QRD_EINVAL, "layout '%s' (allowed: out-in or torch, in-out or tf)",
                         text);
  return QRD_OK;
}

/* ---- reading helpers ---- */

int qrd_tensor_file_size(const char *path, uint64_t *size)
{
  struct stat st;
  if (stat(path, &st) != 0)
    return qrd_error_set(errno == ENOENT ? QRD_ENOTFOUND : QRD_EIO, "%s: %s", path,
                         strerror(errno));
  if (!S_ISREG(st.st_mode))
    return qrd_error_set(QRD_EIO, "%s: not a regular file", path);
  *size = (uint64_t)st.st_size;
  return QRD_OK;
}

int qrd_tensor_read_bytes(const char *path, uint64_t offset, size_t n, unsigned char *buf,
                          const char *what)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return qrd_error_set(errno == ENOENT ? QRD_ENOTFOUND : QRD_EIO, "%s: %s", path,
                         strerror(errno));
  int ok = offset <= (uint64_t)INT64_MAX && fseeko(f, (off_t)offset, SEEK_SET) == 0 &&
           fread(buf, 1, n, f) == n;
  fclose(f);
  return ok ? QRD_OK
            : qrd_error_set(QRD_EIO, "%s: %s: truncated (%zu bytes at offset %llu)", path, what,
                            n, (unsigned long long)offset);
}

int qrd_tensor_check_extent(const char *path, qrd_tensor_info *t, uint64_t file_size)
{
  if (t->ndim > QRD_TENSOR_MAX_DIMS)
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': %zu dimensions (at most %d)", path,
                         t->name, t->ndim, QRD_TENSOR_MAX_DIMS);
  uint64_t count = 1, size = qrd_dtype_size(t->dtype);
  for (size_t d = 0; d < t->ndim; d++) {
    if (t->shape[d] != 0 && count > UINT64_MAX / size / t->shape[d])
      return qrd_error_set(QRD_EIO, "%s: tensor '%s': shape overflows 64 bits", path, t->name);
    count *= t->shape[d];
  }
  uint64_t bytes = count * size;
  if (t->offset > file_size || bytes > file_size - t->offset)
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': %llu bytes at offset %llu lie beyond the "
                         "end of the file (%llu bytes)", path, t->name,
                         (unsigned long long)bytes, (unsigned long long)t->offset,
                         (unsigned long long)file_size);
  t->count = count;
  return QRD_OK;
}

int qrd_tensor_read_contiguous(const char *path, uint64_t offset, const qrd_tensor_info *t,
                               double *out)
{
  size_t size = qrd_dtype_size(t->dtype);
  unsigned char *raw = malloc(CHUNK_VALUES * size);
  if (!raw)
    return qrd_error_set(QRD_ENOMEM, "%s: read buffer", path);
  FILE *f = fopen(path, "rb");
  int st = f ? QRD_OK : qrd_error_set(QRD_EIO, "%s: %s", path, strerror(errno));
  if (!st && fseeko(f, (off_t)offset, SEEK_SET) != 0)
    st = qrd_error_set(QRD_EIO, "%s: tensor '%s': cannot seek to %llu", path, t->name,
                       (unsigned long long)offset);
  for (uint64_t done = 0; !st && done < t->count;) {
    size_t k = t->count - done < CHUNK_VALUES ? (size_t)(t->count - done) : CHUNK_VALUES;
    if (fread(raw, size, k, f) != k)
      st = qrd_error_set(QRD_EIO, "%s: tensor '%s': truncated after %llu of %llu values", path,
                         t->name, (unsigned long long)done, (unsigned long long)t->count);
    else
      qrd_dtype_decode(t->dtype, raw, k, out + done);
    done += k;
  }
  if (f)
    fclose(f);
  free(raw);
  return st;
}

/* ---- files ---- */

int qrd_tensor_file_open(const char *path, qrd_tensor_file *f)
{
  memset(f, 0, sizeof *f);
  if (strlen(path) >= sizeof f->path)
    return qrd_error_set(QRD_EINVAL, "tensor file name too long (%zu bytes)", strlen(path));
  uint64_t size;
  int st = qrd_tensor_file_size(path, &size);
  if (st)
    return st;
  unsigned char head[512];
  size_t n = size < sizeof head ? (size_t)size : sizeof head;
  if ((st = qrd_tensor_read_bytes(path, 0, n, head, "header")))
    return st;
  for (size_t i = 0; i < qrd_tensor_reader_count(); i++) {
    const qrd_tensor_reader *r = qrd_tensor_reader_at(i);
    if (!r->probe(path, head, n))
      continue;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->reader = r;
    return r->list(path, &f->info, &f->n);
  }
  char names[256] = "";
  for (size_t i = 0; i < qrd_tensor_reader_count(); i++)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
             qrd_tensor_reader_at(i)->name);
  return qrd_error_set(QRD_EINVAL, "%s: not a tensor file qrd reads (%s)", path, names);
}

void qrd_tensor_file_close(qrd_tensor_file *f)
{
  free(f->info);
  f->info = NULL;
  f->n = 0;
}

int qrd_tensor_find(const qrd_tensor_file *f, const char *name, size_t *i)
{
  for (size_t k = 0; k < f->n; k++)
    if (strcmp(f->info[k].name, name) == 0) {
      *i = k;
      return QRD_OK;
    }
  char some[320] = "";
  for (size_t k = 0; k < f->n && k < 4; k++)
    snprintf(some + strlen(some), sizeof some - strlen(some), "%s'%s'", k ? ", " : "",
             f->info[k].name);
  return qrd_error_set(QRD_ENOTFOUND, "%s: no tensor '%s' (%zu tensors: %s%s; see qrd tensors)",
                       f->path, name, f->n, some, f->n > 4 ? ", ..." : "");
}

int qrd_tensor_read(const qrd_tensor_file *f, size_t i, double **out)
{
  const qrd_tensor_info *t = &f->info[i];
  *out = NULL;
  if (t->count == 0)
    return qrd_error_set(QRD_EINVAL, "%s: tensor '%s' is empty", f->path, t->name);
  if (t->count > SIZE_MAX / sizeof **out)
    return qrd_error_set(QRD_ENOMEM, "%s: tensor '%s': %llu values", f->path, t->name,
                         (unsigned long long)t->count);
  double *v = malloc((size_t)t->count * sizeof *v);
  if (!v)
    return qrd_error_set(QRD_ENOMEM, "%s: tensor '%s': %llu values", f->path, t->name,
                         (unsigned long long)t->count);
  int st = f->reader->read(f->path, t, v);
  if (st) {
    free(v);
    return st;
  }
  *out = v;
  return QRD_OK;
}

/* Splits "FILE:NAME" at the last ':' whose left side is an existing file. */
static int split_spec(const char *spec, char *file, size_t len, const char **name)
{
  struct stat st;
  *name = NULL;
  snprintf(file, len, "%s", spec);
  if (stat(file, &st) == 0)
    return QRD_OK;
  for (char *c = strrchr(file, ':'); c; c = strrchr(file, ':')) {
    *c = '\0';
    if (stat(file, &st) == 0) {
      *name = spec + (c - file) + 1;
      return QRD_OK;
    }
  }
  return qrd_error_set(QRD_ENOTFOUND, "tensor '%s': no such file (want FILE or FILE:NAME)",
                       spec);
}

int qrd_tensor_load(const char *spec, qrd_tensor_info *info, double **values,
                    qrd_tensor_layout *layout)
{
  char path[4096];
  const char *name;
  qrd_tensor_file f;
  int st = split_spec(spec, path, sizeof path, &name);
  if (!st)
    st = qrd_tensor_file_open(path, &f);
  if (st)
    return st;
  size_t i = 0;
  if (name)
    st = qrd_tensor_find(&f, name, &i);
  else if (f.n != 1)
    st = qrd_error_set(QRD_EINVAL, "%s holds %zu tensors: name one as %s:NAME (see qrd tensors "
                       "%s)", path, f.n, path, path);
  if (!st)
    st = qrd_tensor_read(&f, i, values);
  if (!st) {
    *info = f.info[i];
    *layout = f.reader->layout;
  }
  qrd_tensor_file_close(&f);
  return st;
}

int qrd_tensor_as_rows(const qrd_tensor_info *info, qrd_tensor_layout layout, double *values,
                       size_t *rows, size_t *cols)
{
  if (info->ndim < 2)
    return qrd_error_set(QRD_EINVAL, "tensor '%s' has %zu dimension%s: not a weight matrix",
                         info->name, info->ndim, info->ndim == 1 ? "" : "s");
  uint64_t last = info->shape[info->ndim - 1], lead = info->count / (last ? last : 1);
  if (layout == QRD_LAYOUT_OUT_IN) {
    /* [out, in...]: the first dim is the output; the rest is one row */
    *rows = (size_t)info->shape[0];
    *cols = (size_t)(info->count / (info->shape[0] ? info->shape[0] : 1));
    return QRD_OK;
  }
  for (size_t d = 0; d + 2 < info->ndim; d++)
    if (info->shape[d] != 1)
      return qrd_error_set(QRD_EINVAL, "tensor '%s' (in-out layout) has leading dimension %zu "
                           "of size %llu: only [1, ..., 1, in, out] kernels are matrices",
                           info->name, d, (unsigned long long)info->shape[d]);
  /* [in, out] -> [out, in] in place, by following the permutation's
   * cycles (a bit per element, not a second copy of the values) */
  size_t in = (size_t)lead, out = (size_t)last, n = (size_t)info->count;
  unsigned char *seen = calloc(n / 8 + 1, 1);
  if (!seen)
    return qrd_error_set(QRD_ENOMEM, "tensor '%s': transpose", info->name);
  for (size_t start = 1; n > 2 && start + 1 < n; start++) {
    if (seen[start / 8] & (1u << (start % 8)))
      continue;
    /* the value at k = i out + o goes to o in + i = k in mod (n - 1) */
    size_t k = start;
    double carry = values[k];
    do {
      size_t next = (size_t)(((unsigned __int128)k * in) % (n - 1));
      double v = values[next];
      values[next] = carry;
      carry = v;
      seen[k / 8] |= (unsigned char)(1u << (k % 8));
      k = next;
    } while (k != start);
  }
  free(seen);
  *rows = out;
  *cols = in;
  return QRD_OK;
}
