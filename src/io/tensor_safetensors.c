/* safetensors files: an 8-byte little-endian header length N, N bytes of
 * JSON
 *   {"NAME": {"dtype": "F32", "shape": [out, in], "data_offsets": [begin, end]},
 *    ..., "__metadata__": {...}}
 * and the data buffer, whose offsets are relative to its start, byte 8 + N.
 * The header is parsed by json-c and every field is checked against the
 * file's length before anything is read.
 *
 * Listed: F16, BF16, F32, F64 and I32 tensors, in data order (by begin
 * offset).  The other dtypes of the format (BOOL, U8, I8, I16, U16, U32,
 * I64, U64, the 8-bit floats, C64) are checked like the rest but left out
 * of the listing, as the HDF5 reader leaves out integer datasets; a dtype
 * the format does not define is an error (QRD_EINVAL). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/tensor.h"

/* The largest header qrd believes (the format's own reader caps it lower). */
#define MAX_HEADER ((uint64_t)100 * 1000 * 1000)

static const char SUFFIX[] = ".safetensors";

static uint64_t le64(const unsigned char *p)
{
  uint64_t v = 0;
  for (int k = 7; k >= 0; k--)
    v = v << 8 | p[k];
  return v;
}

static int probe(const char *path, const unsigned char *head, size_t n)
{
  size_t len = strlen(path), sl = sizeof SUFFIX - 1;
  if (len >= sl && strcmp(path + len - sl, SUFFIX) == 0)
    return 1;
  if (n < 9)
    return 0;
  uint64_t h = le64(head);
  return h >= 2 && h <= MAX_HEADER && head[8] == '{';
}

/* Dtypes qrd reads, then those it skips (with their sizes, to check them). */
static const struct {
  const char *name;
  int listed;
  qrd_dtype dtype;
  unsigned size;
} DTYPES[] = {
  {"F16", 1, QRD_DTYPE_F16, 2},  {"BF16", 1, QRD_DTYPE_BF16, 2}, {"F32", 1, QRD_DTYPE_F32, 4},
  {"F64", 1, QRD_DTYPE_F64, 8},  {"I32", 1, QRD_DTYPE_I32, 4},   {"BOOL", 0, 0, 1},
  {"U8", 0, 0, 1},               {"I8", 0, 0, 1},                {"I16", 0, 0, 2},
  {"U16", 0, 0, 2},              {"U32", 0, 0, 4},               {"I64", 0, 0, 8},
  {"U64", 0, 0, 8},              {"F8_E4M3", 0, 0, 1},           {"F8_E5M2", 0, 0, 1},
  {"F8_E8M0", 0, 0, 1},          {"C64", 0, 0, 8},
};
#define N_DTYPES (sizeof DTYPES / sizeof DTYPES[0])

/* A non-negative JSON integer (json-c saturates larger ones at
 * UINT64_MAX, which no extent check lets through). */
static int get_u64(json_object *v, uint64_t *out)
{
  if (!json_object_is_type(v, json_type_int))
    return 0;
  int64_t s = json_object_get_int64(v);
  if (s < 0)
    return 0;
  *out = s == INT64_MAX ? json_object_get_uint64(v) : (uint64_t)s;
  return 1;
}

typedef struct {
  const char *path;
  uint64_t base;      /* 8 + N: where the data buffer starts */
  uint64_t data_size; /* its length */
  uint64_t file_size;
} header_ctx;

typedef struct {
  qrd_tensor_info info;
  uint64_t begin, end;
  size_t order; /* position in the header, to keep sorting stable */
  int listed;
} entry;

/* One "NAME": {...} of the header into *e. */
static int parse_entry(const header_ctx *h, const char *name, json_object *obj, entry *e)
{
  const char *p = h->path;
  memset(e, 0, sizeof *e);
  if (strlen(name) >= QRD_TENSOR_NAME_LEN)
    return qrd_error_set(QRD_EINVAL, "%s: tensor name '%.40s...' too long (at most %d bytes)", p,
                         name, QRD_TENSOR_NAME_LEN - 1);
  snprintf(e->info.name, sizeof e->info.name, "%s", name);
  if (!json_object_is_type(obj, json_type_object))
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': entry is not a JSON object", p, name);

  json_object *dt, *shape, *offs;
  if (!json_object_object_get_ex(obj, "dtype", &dt) || !json_object_is_type(dt, json_type_string))
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': no \"dtype\" string", p, name);
  const char *dts = json_object_get_string(dt);
  size_t k = 0;
  while (k < N_DTYPES && strcmp(DTYPES[k].name, dts) != 0)
    k++;
  if (k == N_DTYPES)
    return qrd_error_set(QRD_EINVAL, "%s: tensor '%s': unsupported dtype '%.32s' (qrd reads F16, "
                         "BF16, F32, F64, I32)", p, name, dts);
  e->listed = DTYPES[k].listed;
  e->info.dtype = DTYPES[k].dtype;
  uint64_t size = DTYPES[k].size;

  if (!json_object_object_get_ex(obj, "shape", &shape) ||
      !json_object_is_type(shape, json_type_array))
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': no \"shape\" array", p, name);
  size_t ndim = json_object_array_length(shape);
  if (ndim > QRD_TENSOR_MAX_DIMS)
    return qrd_error_set(QRD_EINVAL, "%s: tensor '%s': %zu dimensions (at most %d)", p, name,
                         ndim, QRD_TENSOR_MAX_DIMS);
  e->info.ndim = ndim;
  for (size_t d = 0; d < ndim; d++)
    if (!get_u64(json_object_array_get_idx(shape, d), &e->info.shape[d]))
      return qrd_error_set(QRD_EIO, "%s: tensor '%s': shape entry %zu is %s, not a "
                           "non-negative integer", p, name, d,
                           json_object_to_json_string(json_object_array_get_idx(shape, d)));

  if (!json_object_object_get_ex(obj, "data_offsets", &offs) ||
      !json_object_is_type(offs, json_type_array) || json_object_array_length(offs) != 2 ||
      !get_u64(json_object_array_get_idx(offs, 0), &e->begin) ||
      !get_u64(json_object_array_get_idx(offs, 1), &e->end))
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': \"data_offsets\" is not [begin, end] of "
                         "non-negative integers", p, name);
  if (e->begin > e->end)
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': data_offsets [%llu, %llu] begin after they "
                         "end", p, name, (unsigned long long)e->begin,
                         (unsigned long long)e->end);
  if (e->end > h->data_size)
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': data_offsets [%llu, %llu] lie beyond the "
                         "data buffer (%llu bytes; truncated file?)", p, name,
                         (unsigned long long)e->begin, (unsigned long long)e->end,
                         (unsigned long long)h->data_size);

  /* the element count, safe from overflow, and the extent in the file; a
   * skipped dtype has no qrd_dtype, so a stand-in of at least its size
   * checks its count for overflow (its extent is end <= data_size above) */
  qrd_tensor_info t = e->info;
  t.offset = h->base + e->begin;
  uint64_t limit = h->file_size;
  if (!e->listed) {
    t.dtype = size <= 2 ? QRD_DTYPE_F16 : size == 4 ? QRD_DTYPE_F32 : QRD_DTYPE_F64;
    t.offset = 0;
    limit = UINT64_MAX;
  }
  int st = qrd_tensor_check_extent(p, &t, limit);
  if (st)
    return st;
  uint64_t bytes = t.count * size;
  if (e->end - e->begin != bytes)
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes, "
                         "but %llu values of %s need %llu", p, name,
                         (unsigned long long)e->begin, (unsigned long long)e->end,
                         (unsigned long long)(e->end - e->begin), (unsigned long long)t.count,
                         DTYPES[k].name, (unsigned long long)bytes);
  e->info.count = t.count;
  e->info.offset = h->base + e->begin;
  return QRD_OK;
}

static int by_offset(const void *a, const void *b)
{
  const entry *x = a, *y = b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* The header's tensors, checked, in data order, into a malloc'ed array. */
static int parse_header(const header_ctx *h, json_object *root, entry **out, size_t *n)
{
  size_t cap = (size_t)json_object_object_length(root), k = 0;
  entry *es = malloc((cap ? cap : 1) * sizeof *es);
  if (!es)
    return qrd_error_set(QRD_ENOMEM, "%s: tensor list", h->path);
  int st = QRD_OK;
  json_object_object_foreach(root, key, val)
  {
    if (st)
      break;
    if (strcmp(key, "__metadata__") == 0) {
      if (!json_object_is_type(val, json_type_object))
        st = qrd_error_set(QRD_EIO, "%s: \"__metadata__\" is not a JSON object", h->path);
      continue;
    }
    st = parse_entry(h, key, val, &es[k]);
    es[k].order = k;
    k++;
  }
  if (st) {
    free(es);
    return st;
  }
  qsort(es, k, sizeof *es, by_offset);
  /* the format's buffers do not overlap; one that does is corrupt */
  size_t last = k; /* the non-empty tensor ending last so far */
  for (size_t i = 0; i < k; i++) {
    if (es[i].begin == es[i].end)
      continue;
    if (last < k && es[last].end > es[i].begin) {
      st = qrd_error_set(QRD_EIO, "%s: tensors '%s' [%llu, %llu] and '%s' [%llu, %llu] overlap",
                         h->path, es[last].info.name, (unsigned long long)es[last].begin,
                         (unsigned long long)es[last].end, es[i].info.name,
                         (unsigned long long)es[i].begin, (unsigned long long)es[i].end);
      free(es);
      return st;
    }
    if (last == k || es[i].end > es[last].end)
      last = i;
  }
  *out = es;
  *n = k;
  return QRD_OK;
}

static int list(const char *path, qrd_tensor_info **info, size_t *n)
{
  uint64_t size;
  int st = qrd_tensor_file_size(path, &size);
  if (st)
    return st;
  unsigned char len8[8];
  if (size < 8)
    return qrd_error_set(QRD_EIO, "%s: truncated safetensors file (%llu bytes; the header "
                         "length alone is 8)", path, (unsigned long long)size);
  if ((st = qrd_tensor_read_bytes(path, 0, 8, len8, "safetensors header length")))
    return st;
  uint64_t hlen = le64(len8);
  if (hlen > size - 8 || hlen > MAX_HEADER)
    return qrd_error_set(QRD_EIO, "%s: safetensors header length %llu exceeds the file (%llu "
                         "bytes after the length)%s", path, (unsigned long long)hlen,
                         (unsigned long long)(size - 8),
                         hlen > MAX_HEADER ? " and qrd's limit of 100 MB" : "");
  if (hlen == 0)
    return qrd_error_set(QRD_EIO, "%s: empty safetensors header (not JSON)", path);
  char *text = malloc((size_t)hlen + 1);
  if (!text)
    return qrd_error_set(QRD_ENOMEM, "%s: safetensors header of %llu bytes", path,
                         (unsigned long long)hlen);
  if ((st = qrd_tensor_read_bytes(path, 8, (size_t)hlen, (unsigned char *)text,
                                  "safetensors header"))) {
    free(text);
    return st;
  }
  text[hlen] = '\0';

  json_tokener *tok = json_tokener_new();
  if (!tok) {
    free(text);
    return qrd_error_set(QRD_ENOMEM, "%s: JSON parser", path);
  }
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  json_object *root = json_tokener_parse_ex(tok, text, (int)hlen);
  enum json_tokener_error jerr = json_tokener_get_error(tok);
  size_t end = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  while (root && end < hlen && (text[end] == ' ' || text[end] == '\t' || text[end] == '\n' ||
                                text[end] == '\r'))
    end++; /* the format pads its header with spaces */
  if (!root || jerr != json_tokener_success || end != hlen) {
    st = qrd_error_set(QRD_EIO, "%s: safetensors header is not JSON (%s at byte %zu of %llu)",
                       path, root && end != hlen ? "trailing bytes" :
                       jerr == json_tokener_continue ? "unexpected end"
                                                     : json_tokener_error_desc(jerr),
                       end, (unsigned long long)hlen);
    json_object_put(root);
    free(text);
    return st;
  }
  free(text);
  if (!json_object_is_type(root, json_type_object)) {
    st = qrd_error_set(QRD_EIO, "%s: safetensors header is JSON but not a JSON object (%s)", path,
                       json_type_to_name(json_object_get_type(root)));
    json_object_put(root);
    return st;
  }

  header_ctx h = {.path = path, .base = 8 + hlen, .data_size = size - 8 - hlen,
                  .file_size = size};
  entry *es = NULL;
  size_t k = 0;
  st = parse_header(&h, root, &es, &k);
  json_object_put(root);
  if (st)
    return st;
  size_t m = 0;
  for (size_t i = 0; i < k; i++)
    m += es[i].listed != 0;
  qrd_tensor_info *ti = malloc((m ? m : 1) * sizeof *ti);
  if (!ti) {
    free(es);
    return qrd_error_set(QRD_ENOMEM, "%s: tensor list", path);
  }
  m = 0;
  for (size_t i = 0; i < k; i++)
    if (es[i].listed)
      ti[m++] = es[i].info;
  free(es);
  *info = ti;
  *n = m;
  return QRD_OK;
}

static int read(const char *path, const qrd_tensor_info *t, double *out)
{
  return qrd_tensor_read_contiguous(path, t->offset, t, out);
}

const qrd_tensor_reader qrd_tensor_reader_safetensors = {
  .name = "safetensors",
  .doc = "safetensors file: its F16, BF16, F32, F64 and I32 tensors, by name (FILE:NAME)",
  .layout = QRD_LAYOUT_OUT_IN,
  .probe = probe,
  .list = list,
  .read = read,
};
