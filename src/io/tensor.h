/* Weight tensors from files: a registry of readers (safetensors, NumPy
 * .npy, HDF5 datasets, TF.js graph models), each listing a file's tensors
 * and reading one of them as doubles.
 *
 * A reader trusts nothing in a file: every size, offset, shape and dtype
 * is checked against the file's real length before anything is allocated,
 * so a header that lies gives a one-line error naming the file, the tensor
 * and the problem (QRD_EIO for a malformed or truncated file, QRD_EINVAL
 * for something well-formed that qrd does not take), never a crash and
 * never an allocation larger than the file justifies.  Values are read
 * in chunks and converted straight into the caller's doubles: reading a
 * tensor costs its doubles (two float32 copies) and nothing more.
 *
 * Adding a reader is one file defining a `const qrd_tensor_reader` plus
 * one line in io/tensor_registry.c. */
#ifndef QRD_IO_TENSOR_H
#define QRD_IO_TENSOR_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  QRD_DTYPE_F16,
  QRD_DTYPE_BF16,
  QRD_DTYPE_F32,
  QRD_DTYPE_F64,
  QRD_DTYPE_I32 /* listed and read exactly (e.g. TF.js index tensors), but no weights */
} qrd_dtype;

const char *qrd_dtype_name(qrd_dtype t); /* "F16", "BF16", "F32", "F64", "I32" */
size_t qrd_dtype_size(qrd_dtype t);

/* IEEE half and bfloat16 bit patterns to double (exact). */
double qrd_f16_to_double(uint16_t h);
double qrd_bf16_to_double(uint16_t b);

/* Little-endian raw values of dtype t to doubles: out[i] <- raw[i], i < n. */
void qrd_dtype_decode(qrd_dtype t, const unsigned char *raw, size_t n, double *out);

/* How a file stores a 2-D weight matrix: PyTorch's [out, in] (rows are
 * output channels, the usual safetensors/.npy/HDF5 convention) or
 * TensorFlow's [in, out] (Keras kernels, 1x1 convolutions [1, 1, in, out]). */
typedef enum { QRD_LAYOUT_OUT_IN, QRD_LAYOUT_IN_OUT } qrd_tensor_layout;

const char *qrd_tensor_layout_name(qrd_tensor_layout l); /* "out-in", "in-out" */
/* "out-in" | "torch" or "in-out" | "tf"; QRD_EINVAL otherwise. */
int qrd_tensor_layout_parse(const char *text, qrd_tensor_layout *l);

#define QRD_TENSOR_MAX_DIMS 8
#define QRD_TENSOR_NAME_LEN 256

typedef struct {
  char name[QRD_TENSOR_NAME_LEN];
  size_t ndim;
  uint64_t shape[QRD_TENSOR_MAX_DIMS];
  uint64_t count;       /* product of shape (1 for a scalar) */
  qrd_dtype dtype;
  /* where its reader finds it: a byte offset and a reader-specific index */
  uint64_t offset;
  size_t part;
} qrd_tensor_info;

typedef struct {
  const char *name; /* "safetensors" */
  const char *doc;
  qrd_tensor_layout layout; /* how its files store 2-D weights */
  /* Whether the reader takes `path`, from its name and its first n bytes
   * (head; n may be small for a short file). */
  int (*probe)(const char *path, const unsigned char *head, size_t n);
  /* *info <- a malloc'ed array of the file's *n tensors, in file order. */
  int (*list)(const char *path, qrd_tensor_info **info, size_t *n);
  /* out[0 .. t->count) <- tensor t (one of list's) as doubles, C order. */
  int (*read)(const char *path, const qrd_tensor_info *t, double *out);
} qrd_tensor_reader;

size_t qrd_tensor_reader_count(void);
const qrd_tensor_reader *qrd_tensor_reader_at(size_t i);

/* An open file: its reader and its tensors. */
typedef struct {
  char path[4096];
  const qrd_tensor_reader *reader;
  qrd_tensor_info *info;
  size_t n;
} qrd_tensor_file;

/* Finds the reader that takes `path` and lists its tensors; QRD_ENOTFOUND
 * when the file does not exist, QRD_EINVAL when no reader takes it. */
int qrd_tensor_file_open(const char *path, qrd_tensor_file *f);
void qrd_tensor_file_close(qrd_tensor_file *f);

/* The index of the tensor called `name`; QRD_ENOTFOUND (naming a few of
 * the tensors there are) otherwise. */
int qrd_tensor_find(const qrd_tensor_file *f, const char *name, size_t *i);

/* *out <- a malloc'ed copy of tensor i as doubles. */
int qrd_tensor_read(const qrd_tensor_file *f, size_t i, double **out);

/* "FILE" (a file holding one tensor) or "FILE:NAME": that tensor's info,
 * its values as doubles (malloc'ed) and the file's layout. */
int qrd_tensor_load(const char *spec, qrd_tensor_info *info, double **values,
                    qrd_tensor_layout *layout);

/* The matrix view of a weight tensor: rows = output channels, each row its
 * input-dimension elements, from a tensor of 2 or more dimensions stored
 * in `layout` ([..., in, out] kernels: leading dims of size 1 are
 * dropped).  Transposes values in place (one temporary copy) when the
 * layout is in-out, and sets *rows, *cols.  QRD_EINVAL for a tensor that
 * is not a matrix (one dimension, or leading dims > 1 for in-out). */
int qrd_tensor_as_rows(const qrd_tensor_info *info, qrd_tensor_layout layout, double *values,
                       size_t *rows, size_t *cols);

/* Reading helpers for readers: the file's length, and n bytes at offset
 * into buf, QRD_EIO (naming the file and `what`) when they are not all
 * there. */
int qrd_tensor_file_size(const char *path, uint64_t *size);
int qrd_tensor_read_bytes(const char *path, uint64_t offset, size_t n, unsigned char *buf,
                          const char *what);

/* Decodes t->count values of t->dtype stored contiguously from byte
 * `offset` of `path` into out, in chunks (no copy of the raw tensor). */
int qrd_tensor_read_contiguous(const char *path, uint64_t offset, const qrd_tensor_info *t,
                               double *out);

/* Checks that a shape's element count does not overflow and that
 * count * dtype size bytes from offset fit in a file of file_size bytes;
 * sets t->count.  QRD_EIO naming the file and tensor otherwise. */
int qrd_tensor_check_extent(const char *path, qrd_tensor_info *t, uint64_t file_size);

#endif
