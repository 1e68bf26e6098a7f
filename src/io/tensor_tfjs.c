/* TF.js models as tensor files: model.json (a graph or layers model) and
 * its binary shards.  model.json's "weightsManifest" is a list of groups,
 * each with "paths" (its shard files, relative to model.json's directory)
 * and "weights" (entries {name, shape, dtype}); a group's tensors lie one
 * after the other in the byte stream that is its shards concatenated in
 * order, so a tensor may straddle a shard boundary.
 *
 * Every entry of every group is listed, in manifest order.  A tensor's
 * offset is its byte offset in the stream of all shards of all groups
 * concatenated in manifest order (its group's start plus its place in the
 * group), and part is its group's index.  "float32" is QRD_DTYPE_F32 and
 * "int32" QRD_DTYPE_I32; any other dtype, and any entry with a
 * "quantization" field (TF.js's uint8/uint16/float16 quantised weights), is
 * refused with QRD_EINVAL naming the tensor and the dtype, so a model is
 * never listed with tensors left out.  A manifest whose tensors need more
 * bytes than their group's shards hold is QRD_EIO naming the first tensor
 * that does not fit; a missing shard names the first tensor that needs it.
 * Kernels are TensorFlow's [in, out] (1x1 convolutions [1, 1, in, out]).
 *
 * probe: a name ending in "model.json" (then list explains what is wrong
 * with a broken one), or any other ".json" file whose top-level object has
 * "weightsManifest". */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/tensor.h"

/* Values decoded per chunk: bounds the raw buffer, not the tensor. */
#define CHUNK_VALUES 65536
#define PATH_LEN 4096

typedef struct {
  char path[PATH_LEN];
  uint64_t size;
} shard;

/* Whether a relative path has a ".." component: a manifest may only name
 * files under its own folder, not read /etc/passwd through ../../. */
static int climbs(const char *rel)
{
  for (const char *c = rel; *c; c += strcspn(c, "/"), c += *c == '/') {
    size_t n = strcspn(c, "/");
    if (n == 2 && c[0] == '.' && c[1] == '.')
      return 1;
  }
  return 0;
}

/* A parsed manifest: every tensor and every shard, in manifest order. */
typedef struct {
  qrd_tensor_info *info;
  size_t n;
  shard *shards;
  size_t ns;
} manifest;

static void manifest_free(manifest *m)
{
  free(m->info);
  free(m->shards);
  memset(m, 0, sizeof *m);
}

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* *root <- the parsed JSON of path (the caller puts it). */
static int load_json(const char *path, json_object **root)
{
  uint64_t size;
  int st = qrd_tensor_file_size(path, &size);
  if (st)
    return st;
  if (size > INT_MAX)
    return qrd_error_set(QRD_EINVAL, "%s: %llu bytes of JSON (at most %d)", path,
                         (unsigned long long)size, INT_MAX);
  char *text = malloc((size_t)size + 1);
  if (!text)
    return qrd_error_set(QRD_ENOMEM, "%s: %llu bytes of JSON", path, (unsigned long long)size);
  if ((st = qrd_tensor_read_bytes(path, 0, (size_t)size, (unsigned char *)text, "JSON"))) {
    free(text);
    return st;
  }
  text[size] = '\0';
  json_tokener *tok = json_tokener_new();
  if (!tok) {
    free(text);
    return qrd_error_set(QRD_ENOMEM, "%s: JSON parser", path);
  }
  *root = json_tokener_parse_ex(tok, text, (int)size);
  enum json_tokener_error e = json_tokener_get_error(tok);
  size_t end = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  free(text);
  if (*root && e == json_tokener_success)
    return QRD_OK;
  json_object_put(*root);
  *root = NULL;
  return qrd_error_set(QRD_EIO, "%s: not valid JSON (%s at byte %zu)", path,
                       e == json_tokener_continue ? "unexpected end" : json_tokener_error_desc(e),
                       end);
}

static json_object *member(json_object *obj, const char *key, json_type type)
{
  json_object *v;
  return json_object_is_type(obj, json_type_object) && json_object_object_get_ex(obj, key, &v) &&
                 json_object_is_type(v, type)
             ? v
             : NULL;
}

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
  if (n < *cap)
    return QRD_OK;
  size_t c = *cap ? 2 * *cap : 16;
  void *q = realloc(*p, c * size);
  if (!q)
    return QRD_ENOMEM;
  *p = q;
  *cap = c;
  return QRD_OK;
}

/* One manifest entry into *t, its offset within its group's stream `at`. */
static int parse_weight(const char *path, size_t g, size_t k, json_object *w, uint64_t at,
                        qrd_tensor_info *t)
{
  memset(t, 0, sizeof *t);
  json_object *name = member(w, "name", json_type_string);
  if (!name || json_object_get_string_len(name) == 0)
    return qrd_error_set(QRD_EIO, "%s: weightsManifest[%zu].weights[%zu]: no \"name\" string",
                         path, g, k);
  const char *s = json_object_get_string(name);
  if (strlen(s) >= QRD_TENSOR_NAME_LEN)
    return qrd_error_set(QRD_EIO, "%s: tensor '%.40s...': name longer than %d bytes", path, s,
                         QRD_TENSOR_NAME_LEN - 1);
  snprintf(t->name, sizeof t->name, "%s", s);
  json_object *dtype = member(w, "dtype", json_type_string), *q;
  const char *d = dtype ? json_object_get_string(dtype) : NULL;
  if (json_object_object_get_ex(w, "quantization", &q)) {
    json_object *qd = member(q, "dtype", json_type_string);
    return qrd_error_set(QRD_EINVAL, "%s: tensor '%s': quantized weights (dtype '%s', stored as "
                         "'%s'): qrd reads float32 and int32 only", path, t->name,
                         d ? d : "?", qd ? json_object_get_string(qd) : "?");
  }
  if (!d)
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': no \"dtype\" string", path, t->name);
  if (strcmp(d, "float32") == 0)
    t->dtype = QRD_DTYPE_F32;
  else if (strcmp(d, "int32") == 0)
    t->dtype = QRD_DTYPE_I32;
  else
    return qrd_error_set(QRD_EINVAL, "%s: tensor '%s': dtype '%s' (qrd reads float32 and int32)",
                         path, t->name, d);
  json_object *shape = member(w, "shape", json_type_array);
  if (!shape)
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': no \"shape\" array", path, t->name);
  t->ndim = json_object_array_length(shape);
  if (t->ndim > QRD_TENSOR_MAX_DIMS)
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': %zu dimensions (at most %d)", path, t->name,
                         t->ndim, QRD_TENSOR_MAX_DIMS);
  for (size_t i = 0; i < t->ndim; i++) {
    json_object *dim = json_object_array_get_idx(shape, i);
    int64_t v = json_object_is_type(dim, json_type_int) ? json_object_get_int64(dim) : -1;
    if (v < 0)
      return qrd_error_set(QRD_EIO, "%s: tensor '%s': shape[%zu] = %s is not a non-negative "
                           "integer", path, t->name, i, json_object_to_json_string(dim));
    t->shape[i] = (uint64_t)v;
  }
  /* the element count and its overflow, without a file length yet */
  int st = qrd_tensor_check_extent(path, t, UINT64_MAX);
  if (st)
    return st;
  if (t->count * qrd_dtype_size(t->dtype) > UINT64_MAX - at)
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': offset overflows 64 bits", path, t->name);
  t->offset = at;
  t->part = g;
  return QRD_OK;
}

/* The first tensor of group entries [first, last) whose bytes reach past
 * byte `at` of the group stream (the last one when none does). */
static const qrd_tensor_info *tensor_at(const manifest *m, size_t first, size_t last,
                                        uint64_t at)
{
  for (size_t i = first; i < last; i++)
    if (m->info[i].offset + m->info[i].count * qrd_dtype_size(m->info[i].dtype) > at)
      return &m->info[i];
  return &m->info[last - 1];
}

static int parse_group(const char *path, const char *dir, size_t g, json_object *group,
                       manifest *m, size_t *cap, size_t *scap, uint64_t *base)
{
  json_object *paths = member(group, "paths", json_type_array);
  json_object *weights = member(group, "weights", json_type_array);
  if (!paths || !weights)
    return qrd_error_set(QRD_EIO, "%s: weightsManifest[%zu]: no \"%s\" array", path, g,
                         paths ? "weights" : "paths");
  /* the tensors, at their offsets in the group's stream */
  size_t first = m->n;
  uint64_t at = 0;
  for (size_t k = 0; k < json_object_array_length(weights); k++) {
    if (grow((void **)&m->info, cap, m->n, sizeof *m->info))
      return qrd_error_set(QRD_ENOMEM, "%s: tensor list", path);
    qrd_tensor_info *t = &m->info[m->n];
    int st = parse_weight(path, g, k, json_object_array_get_idx(weights, k), at, t);
    if (st)
      return st;
    at += t->count * qrd_dtype_size(t->dtype);
    m->n++;
  }
  /* its shards */
  uint64_t held = 0;
  for (size_t k = 0; k < json_object_array_length(paths); k++) {
    json_object *p = json_object_array_get_idx(paths, k);
    const char *rel = json_object_is_type(p, json_type_string) ? json_object_get_string(p) : NULL;
    if (!rel || !*rel)
      return qrd_error_set(QRD_EIO, "%s: weightsManifest[%zu].paths[%zu] is not a file name",
                           path, g, k);
    if (rel[0] == '/' || strstr(rel, "://") || climbs(rel))
      return qrd_error_set(QRD_EINVAL, "%s: shard '%s': qrd reads shards by a path inside "
                           "the model.json's folder only (relative, no '..')", path, rel);
    if (grow((void **)&m->shards, scap, m->ns, sizeof *m->shards))
      return qrd_error_set(QRD_ENOMEM, "%s: shard list", path);
    shard *s = &m->shards[m->ns];
    if ((size_t)snprintf(s->path, sizeof s->path, "%s%s", dir, rel) >= sizeof s->path)
      return qrd_error_set(QRD_EINVAL, "%s: shard '%.40s...': path too long", path, rel);
    int st = qrd_tensor_file_size(s->path, &s->size);
    if (st) {
      /* qrd_tensor_file_size said "SHARD: why"; keep the why */
      char why[256];
      size_t pl = strlen(s->path);
      const char *d = qrd_error_detail();
      snprintf(why, sizeof why, "%s",
               strncmp(d, s->path, pl) == 0 && d[pl] == ':' ? d + pl + 2 : d);
      return qrd_error_set(st, "%s: shard %s, which holds tensor '%s': %s", path, s->path,
                           m->n > first ? tensor_at(m, first, m->n, held)->name : "(none)", why);
    }
    held += s->size;
    m->ns++;
  }
  if (at > held) {
    const qrd_tensor_info *t = tensor_at(m, first, m->n, held);
    return qrd_error_set(QRD_EIO, "%s: tensor '%s': %llu bytes at offset %llu of weightsManifest"
                         "[%zu], whose %zu shard%s hold%s only %llu bytes", path, t->name,
                         (unsigned long long)(t->count * qrd_dtype_size(t->dtype)),
                         (unsigned long long)t->offset, g, json_object_array_length(paths),
                         json_object_array_length(paths) == 1 ? "" : "s",
                         json_object_array_length(paths) == 1 ? "s" : "",
                         (unsigned long long)held);
  }
  /* offsets in the stream of every group's shards */
  for (size_t i = first; i < m->n; i++)
    m->info[i].offset += *base;
  *base += held;
  return QRD_OK;
}

static int manifest_read(const char *path, manifest *m)
{
  memset(m, 0, sizeof *m);
  char dir[PATH_LEN];
  const char *slash = strrchr(path, '/');
  size_t len = slash ? (size_t)(slash - path) + 1 : 0;
  if (len >= sizeof dir)
    return qrd_error_set(QRD_EINVAL, "%s: path too long", path);
  memcpy(dir, path, len);
  dir[len] = '\0';
  json_object *root;
  int st = load_json(path, &root);
  if (st)
    return st;
  json_object *groups = member(root, "weightsManifest", json_type_array);
  if (!groups)
    st = qrd_error_set(QRD_EIO, "%s: no \"weightsManifest\" array (not a TF.js model.json)",
                       path);
  size_t cap = 0, scap = 0;
  uint64_t base = 0;
  for (size_t g = 0; !st && g < json_object_array_length(groups); g++)
    st = parse_group(path, dir, g, json_object_array_get_idx(groups, g), m, &cap, &scap, &base);
  json_object_put(root);
  if (st)
    manifest_free(m);
  return st;
}

static int probe(const char *path, const unsigned char *head, size_t n)
{
  if (!ends_with(path, ".json"))
    return 0;
  if (ends_with(path, "model.json"))
    return 1;
  size_t i = 0;
  while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
    i++;
  if (i == n || head[i] != '{')
    return 0;
  json_object *root;
  if (load_json(path, &root))
    return 0;
  int yes = member(root, "weightsManifest", json_type_array) != NULL;
  json_object_put(root);
  return yes;
}

static int list(const char *path, qrd_tensor_info **info, size_t *n)
{
  manifest m;
  int st = manifest_read(path, &m);
  if (st)
    return st;
  free(m.shards);
  *info = m.info;
  *n = m.n;
  return QRD_OK;
}

/* Reads n bytes of the shard stream from shard *k, which has *left bytes
 * left at the position of *f, moving on to the next shards as needed. */
static int stream_read(const manifest *m, const char *path, const qrd_tensor_info *t, FILE **f,
                       size_t *k, uint64_t *left, unsigned char *buf, size_t n)
{
  while (n > 0) {
    while (*left == 0) {
      if (*f)
        fclose(*f);
      *f = NULL;
      if (++*k == m->ns)
        return qrd_error_set(QRD_EIO, "%s: tensor '%s': runs past the last shard", path,
                             t->name);
      *left = m->shards[*k].size;
    }
    if (!*f && !(*f = fopen(m->shards[*k].path, "rb")))
      return qrd_error_set(QRD_EIO, "%s: tensor '%s': shard %s: %s", path, t->name,
                           m->shards[*k].path, strerror(errno));
    size_t step = *left < n ? (size_t)*left : n;
    if (fread(buf, 1, step, *f) != step)
      return qrd_error_set(QRD_EIO, "%s: tensor '%s': shard %s is shorter than its %llu bytes",
                           path, t->name, m->shards[*k].path,
                           (unsigned long long)m->shards[*k].size);
    buf += step;
    n -= step;
    *left -= step;
  }
  return QRD_OK;
}

static int read(const char *path, const qrd_tensor_info *t, double *out)
{
  manifest m;
  int st = manifest_read(path, &m);
  if (st)
    return st;
  size_t size = qrd_dtype_size(t->dtype);
  unsigned char *raw = malloc(CHUNK_VALUES * size);
  if (!raw) {
    manifest_free(&m);
    return qrd_error_set(QRD_ENOMEM, "%s: read buffer", path);
  }
  /* the shard holding the tensor's first byte, and where in it */
  size_t k = 0;
  uint64_t start = t->offset;
  while (k < m.ns && start >= m.shards[k].size)
    start -= m.shards[k++].size;
  FILE *f = NULL;
  uint64_t left = 0;
  if (k < m.ns) {
    left = m.shards[k].size - start;
    if (!(f = fopen(m.shards[k].path, "rb")) || fseeko(f, (off_t)start, SEEK_SET) != 0)
      st = qrd_error_set(QRD_EIO, "%s: tensor '%s': shard %s: cannot read at %llu", path,
                         t->name, m.shards[k].path, (unsigned long long)start);
  } else if (t->count > 0) {
    st = qrd_error_set(QRD_EIO, "%s: tensor '%s': offset %llu is past the shards' end", path,
                       t->name, (unsigned long long)t->offset);
  }
  for (uint64_t done = 0; !st && done < t->count;) {
    size_t c = t->count - done < CHUNK_VALUES ? (size_t)(t->count - done) : CHUNK_VALUES;
    st = stream_read(&m, path, t, &f, &k, &left, raw, c * size);
    if (!st)
      qrd_dtype_decode(t->dtype, raw, c, out + done);
    done += c;
  }
  if (f)
    fclose(f);
  free(raw);
  manifest_free(&m);
  return st;
}

const qrd_tensor_reader qrd_tensor_reader_tfjs = {
  .name = "tfjs",
  .doc = "TF.js model.json and its shards (float32, int32 weights)",
  .layout = QRD_LAYOUT_IN_OUT,
  .probe = probe,
  .list = list,
  .read = read,
};
