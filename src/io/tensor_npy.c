/* NumPy .npy files (format versions 1.0, 2.0 and 3.0): "\x93NUMPY", the
 * major and minor version bytes, the header length (u16 little-endian in
 * 1.0, u32 in 2.0 and 3.0), a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
 * padded with spaces and a newline, then the values in C order.  One
 * tensor per file, named after the file's base name without ".npy".
 *
 * The dict is not JSON: a small parser takes exactly the literals numpy
 * writes (quoted strings, True/False, tuples of integers, Python 2's
 * "3L"), the three keys each once, and nothing else.  Little-endian
 * float16/32/64 only ('<f2', '<f4', '<f8'); big-endian, other types and
 * Fortran order (where it differs from C order, i.e. two or more
 * dimensions above 1) are refused with QRD_EINVAL naming what to do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/tensor.h"

static const unsigned char MAGIC[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
/* numpy itself refuses headers over 10000 bytes unless told otherwise */
#define MAX_HEADER (1u << 20)

static int has_suffix(const char *path, const char *suffix)
{
  size_t n = strlen(path), m = strlen(suffix);
  return n >= m && strcmp(path + n - m, suffix) == 0;
}

static int probe(const char *path, const unsigned char *head, size_t n)
{
  return (n >= sizeof MAGIC && memcmp(head, MAGIC, sizeof MAGIC) == 0) ||
         has_suffix(path, ".npy");
}

/* ---- the header dict ---- */

typedef struct {
  const char *path;
  const char *s; /* the header text, NUL-terminated */
  size_t i;
} cursor;

static void skip_space(cursor *c)
{
  while (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r')
    c->i++;
}

static int syntax(const cursor *c, const char *want)
{
  char near[24];
  snprintf(near, sizeof near, "%s", c->s + c->i);
  for (char *q = near; *q; q++)
    if (*q < 0x20 || *q > 0x7e)
      *q = '?';
  return qrd_error_set(QRD_EIO, "%s: npy header: expected %s at byte %zu (near \"%s\")", c->path,
                       want, c->i, near);
}

static int expect(cursor *c, char ch, const char *want)
{
  skip_space(c);
  if (c->s[c->i] != ch)
    return syntax(c, want);
  c->i++;
  return QRD_OK;
}

/* A quoted string (no escapes: numpy's keys and descr have none). */
static int string(cursor *c, char *out, size_t len)
{
  skip_space(c);
  char q = c->s[c->i];
  if (q != '\'' && q != '"')
    return syntax(c, "a quoted string");
  size_t start = ++c->i;
  while (c->s[c->i] && c->s[c->i] != q && c->s[c->i] != '\\')
    c->i++;
  if (c->s[c->i] != q)
    return syntax(c, "the end of a string");
  size_t n = c->i - start;
  c->i++;
  if (n >= len)
    return qrd_error_set(QRD_EIO, "%s: npy header: string '%.20s...' too long", c->path,
                         c->s + start);
  memcpy(out, c->s + start, n);
  out[n] = '\0';
  return QRD_OK;
}

static int boolean(cursor *c, int *v)
{
  skip_space(c);
  if (strncmp(c->s + c->i, "True", 4) == 0) {
    *v = 1;
    c->i += 4;
  } else if (strncmp(c->s + c->i, "False", 5) == 0) {
    *v = 0;
    c->i += 5;
  } else
    return syntax(c, "True or False for 'fortran_order'");
  return QRD_OK;
}

/* (d0, d1, ...) with an optional trailing comma: "()", "(3,)", "(3, 4)". */
static int shape(cursor *c, qrd_tensor_info *t)
{
  int st = expect(c, '(', "'(' opening 'shape'");
  if (st)
    return st;
  t->ndim = 0;
  for (;;) {
    skip_space(c);
    if (c->s[c->i] == ')') {
      c->i++;
      return QRD_OK;
    }
    if (c->s[c->i] == '-')
      return qrd_error_set(QRD_EIO, "%s: npy header: shape entry %zu is negative", c->path,
                           t->ndim);
    if (c->s[c->i] < '0' || c->s[c->i] > '9')
      return syntax(c, "a non-negative integer in 'shape'");
    uint64_t v = 0;
    for (; c->s[c->i] >= '0' && c->s[c->i] <= '9'; c->i++) {
      unsigned dgt = (unsigned)(c->s[c->i] - '0');
      if (v > (UINT64_MAX - dgt) / 10)
        return qrd_error_set(QRD_EIO, "%s: npy header: shape entry %zu overflows 64 bits",
                             c->path, t->ndim);
      v = v * 10 + dgt;
    }
    if (c->s[c->i] == 'L') /* Python 2's long */
      c->i++;
    if (t->ndim == QRD_TENSOR_MAX_DIMS)
      return qrd_error_set(QRD_EINVAL, "%s: npy shape has more than %d dimensions", c->path,
                           QRD_TENSOR_MAX_DIMS);
    t->shape[t->ndim++] = v;
    skip_space(c);
    if (c->s[c->i] == ',')
      c->i++;
    else if (c->s[c->i] != ')')
      return syntax(c, "',' or ')' in 'shape'");
  }
}

/* The dict into t (ndim, shape, dtype). */
static int parse_dict(const char *path, const char *text, qrd_tensor_info *t)
{
  cursor c = {.path = path, .s = text};
  char key[32], descr[64] = "";
  int fortran = 0, seen_descr = 0, seen_fortran = 0, seen_shape = 0;
  int st = expect(&c, '{', "'{' opening the header dict");
  for (int first = 1; !st; first = 0) {
    skip_space(&c);
    if (c.s[c.i] == '}') {
      c.i++;
      break;
    }
    if (!first && (st = expect(&c, ',', "',' or '}' after a value")))
      break;
    skip_space(&c);
    if (c.s[c.i] == '}') {
      c.i++;
      break;
    }
    if ((st = string(&c, key, sizeof key)) || (st = expect(&c, ':', "':' after a key")))
      break;
    int *seen = strcmp(key, "descr") == 0           ? &seen_descr
              : strcmp(key, "fortran_order") == 0 ? &seen_fortran
              : strcmp(key, "shape") == 0         ? &seen_shape
                                                  : NULL;
    if (!seen)
      st = qrd_error_set(QRD_EIO, "%s: npy header: unknown key '%s' (numpy writes descr, "
                         "fortran_order, shape)", path, key);
    else if (*seen)
      st = qrd_error_set(QRD_EIO, "%s: npy header: key '%s' given twice", path, key);
    else if (seen == &seen_descr) {
      skip_space(&c);
      if (c.s[c.i] == '[' || c.s[c.i] == '{')
        st = qrd_error_set(QRD_EINVAL, "%s: npy descr is a structured dtype (qrd reads '<f2', "
                           "'<f4', '<f8')", path);
      else
        st = string(&c, descr, sizeof descr);
    } else if (seen == &seen_fortran)
      st = boolean(&c, &fortran);
    else
      st = shape(&c, t);
    if (seen)
      *seen = 1;
  }
  if (st)
    return st;
  skip_space(&c);
  if (c.s[c.i] != '\0')
    return syntax(&c, "the end of the header after '}'");
  if (!seen_descr || !seen_fortran || !seen_shape)
    return qrd_error_set(QRD_EIO, "%s: npy header lacks '%s'", path,
                         !seen_descr ? "descr" : !seen_fortran ? "fortran_order" : "shape");
  if (strcmp(descr, "<f2") == 0)
    t->dtype = QRD_DTYPE_F16;
  else if (strcmp(descr, "<f4") == 0)
    t->dtype = QRD_DTYPE_F32;
  else if (strcmp(descr, "<f8") == 0)
    t->dtype = QRD_DTYPE_F64;
  else if (descr[0] == '>')
    return qrd_error_set(QRD_EINVAL, "%s: npy descr '%s' is big-endian (qrd reads little-endian "
                         "'<f2', '<f4', '<f8'; save with arr.astype('<f4'))", path, descr);
  else
    return qrd_error_set(QRD_EINVAL, "%s: npy descr '%s' is not supported (qrd reads '<f2', "
                         "'<f4', '<f8')", path, descr);
  /* with at most one dimension above 1 the two orders coincide */
  size_t wide = 0;
  for (size_t d = 0; d < t->ndim; d++)
    wide += t->shape[d] > 1;
  if (fortran && wide > 1)
    return qrd_error_set(QRD_EINVAL, "%s: Fortran order not supported; save with "
                         "np.ascontiguousarray", path);
  return QRD_OK;
}

/* ---- the reader ---- */

static int list(const char *path, qrd_tensor_info **info, size_t *n)
{
  uint64_t size;
  int st = qrd_tensor_file_size(path, &size);
  if (st)
    return st;
  unsigned char pre[12];
  if (size < 10)
    return qrd_error_set(QRD_EIO, "%s: truncated npy file (%llu bytes; the preamble alone is "
                         "10)", path, (unsigned long long)size);
  if ((st = qrd_tensor_read_bytes(path, 0, size < 12 ? 10 : 12, pre, "npy preamble")))
    return st;
  if (memcmp(pre, MAGIC, sizeof MAGIC) != 0)
    return qrd_error_set(QRD_EIO, "%s: not an npy file (bad magic; expected \"\\x93NUMPY\")",
                         path);
  int major = pre[6], minor = pre[7];
  if (major < 1 || major > 3 || minor != 0)
    return qrd_error_set(QRD_EINVAL, "%s: npy format version %d.%d (qrd reads 1.0, 2.0, 3.0)",
                         path, major, minor);
  uint64_t prefix = major == 1 ? 10 : 12;
  if (size < prefix)
    return qrd_error_set(QRD_EIO, "%s: truncated npy file (%llu bytes; the version %d.0 "
                         "preamble is %llu)", path, (unsigned long long)size, major,
                         (unsigned long long)prefix);
  uint64_t hlen = major == 1 ? (uint64_t)(pre[8] | pre[9] << 8)
                             : (uint64_t)pre[8] | (uint64_t)pre[9] << 8 |
                                   (uint64_t)pre[10] << 16 | (uint64_t)pre[11] << 24;
  if (hlen > size - prefix)
    return qrd_error_set(QRD_EIO, "%s: npy header of %llu bytes is truncated (the file has %llu "
                         "after the preamble)", path, (unsigned long long)hlen,
                         (unsigned long long)(size - prefix));
  if (hlen > MAX_HEADER)
    return qrd_error_set(QRD_EIO, "%s: npy header of %llu bytes (qrd's limit is %u)", path,
                         (unsigned long long)hlen, MAX_HEADER);
  char *text = malloc((size_t)hlen + 1);
  if (!text)
    return qrd_error_set(QRD_ENOMEM, "%s: npy header", path);
  if ((st = qrd_tensor_read_bytes(path, prefix, (size_t)hlen, (unsigned char *)text,
                                  "npy header"))) {
    free(text);
    return st;
  }
  text[hlen] = '\0';
  if (strlen(text) != hlen) {
    free(text);
    return qrd_error_set(QRD_EIO, "%s: npy header holds a NUL byte", path);
  }

  qrd_tensor_info *t = calloc(1, sizeof *t);
  if (!t) {
    free(text);
    return qrd_error_set(QRD_ENOMEM, "%s: tensor list", path);
  }
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t blen = strlen(base);
  if (has_suffix(base, ".npy") && blen > 4)
    blen -= 4;
  snprintf(t->name, sizeof t->name, "%.*s", (int)(blen < QRD_TENSOR_NAME_LEN - 1
                                                       ? blen : QRD_TENSOR_NAME_LEN - 1), base);
  st = parse_dict(path, text, t);
  free(text);
  t->offset = prefix + hlen;
  if (!st)
    st = qrd_tensor_check_extent(path, t, size);
  if (st) {
    free(t);
    return st;
  }
  *info = t;
  *n = 1;
  return QRD_OK;
}

static int read(const char *path, const qrd_tensor_info *t, double *out)
{
  return qrd_tensor_read_contiguous(path, t->offset, t, out);
}

const qrd_tensor_reader qrd_tensor_reader_npy = {
  .name = "npy",
  .doc = "NumPy .npy file (np.save): one little-endian float16/32/64 array, named after the "
         "file",
  .layout = QRD_LAYOUT_OUT_IN,
  .probe = probe,
  .list = list,
  .read = read,
};
