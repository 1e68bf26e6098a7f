#include "io/shard.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "core/error.h"
#include "io/h5lookup.h"
#include "io/h5probe.h"
#include "io/results.h"

#define FORMAT "qrd-shard-1"

static size_t find(const qrd_shard_file *f, size_t point)
{
  size_t lo = 0, hi = f->n_rec;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (f->rec[mid].point < point)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

const qrd_shard_record *qrd_shard_file_get(const qrd_shard_file *f, size_t point)
{
  size_t k = find(f, point);
  return k < f->n_rec && f->rec[k].point == point ? &f->rec[k] : NULL;
}

/* r <- a record owning one buffer: what, error, bytes. */
static int record_make(qrd_shard_record *r, size_t point, int status, const char *what,
                       const char *error, const void *bytes, size_t size)
{
  size_t lw = strlen(what) + 1, le = strlen(error) + 1;
  unsigned char *buf = malloc(lw + le + size + 1);
  if (!buf)
    return qrd_error_set(QRD_ENOMEM, "shard record of %zu bytes", size);
  memcpy(buf, what, lw);
  memcpy(buf + lw, error, le);
  if (size)
    memcpy(buf + lw + le, bytes, size);
  *r = (qrd_shard_record){.point = point, .status = status, .what = (char *)buf,
                          .error = (char *)buf + lw, .bytes = buf + lw + le, .size = size};
  return QRD_OK;
}

int qrd_shard_file_put(qrd_shard_file *f, size_t point, int status, const char *what,
                       const char *error, const void *bytes, size_t size)
{
  qrd_shard_record r;
  int st = record_make(&r, point, status, what ? what : "", error ? error : "", bytes, size);
  if (st)
    return st;
  size_t k = find(f, point);
  if (k < f->n_rec && f->rec[k].point == point) {
    free(f->rec[k].what);
    f->rec[k] = r;
    return QRD_OK;
  }
  if (f->n_rec == f->cap_rec) {
    size_t cap = f->cap_rec ? 2 * f->cap_rec : 16;
    qrd_shard_record *g = realloc(f->rec, cap * sizeof *g);
    if (!g) {
      free(r.what);
      return qrd_error_set(QRD_ENOMEM, "shard records");
    }
    f->rec = g;
    f->cap_rec = cap;
  }
  memmove(f->rec + k + 1, f->rec + k, (f->n_rec - k) * sizeof *f->rec);
  f->rec[k] = r;
  f->n_rec++;
  return QRD_OK;
}

void qrd_shard_file_clear(qrd_shard_file *f)
{
  for (size_t k = 0; k < f->n_rec; k++)
    free(f->rec[k].what);
  free(f->rec);
  free(f->driver);
  free(f->config);
  free(f->config_path);
  free(f->out_path);
  free(f->commit);
  free(f->build);
  memset(f, 0, sizeof *f);
}

/* ---- writing ---- */

typedef struct {
  uint64_t *point, *offset, *length;
  int32_t *status;
  unsigned char *data;
  size_t n_data;
} columns;

static void columns_free(columns *c)
{
  free(c->point);
  free(c->offset);
  free(c->length);
  free(c->status);
  free(c->data);
}

static size_t record_bytes(const qrd_shard_record *r)
{
  return strlen(r->what) + 1 + strlen(r->error) + 1 + r->size;
}

static int columns_make(const qrd_shard_file *f, columns *c)
{
  size_t n = f->n_rec ? f->n_rec : 1, total = 1;
  for (size_t k = 0; k < f->n_rec; k++)
    total += record_bytes(&f->rec[k]);
  *c = (columns){malloc(n * sizeof *c->point), malloc(n * sizeof *c->offset),
                 malloc(n * sizeof *c->length), malloc(n * sizeof *c->status),
                 malloc(total), 0};
  if (!c->point || !c->offset || !c->length || !c->status || !c->data) {
    columns_free(c);
    return qrd_error_set(QRD_ENOMEM, "shard file of %zu bytes", total);
  }
  for (size_t k = 0; k < f->n_rec; k++) {
    const qrd_shard_record *r = &f->rec[k];
    size_t len = record_bytes(r);
    c->point[k] = r->point;
    c->status[k] = r->status;
    c->offset[k] = c->n_data;
    c->length[k] = len;
    /* what, error and bytes are one buffer (record_make) */
    memcpy(c->data + c->n_data, r->what, len);
    c->n_data += len;
  }
  return QRD_OK;
}

static int put_string(hid_t file, const char *name, const char *value)
{
  return H5LTset_attribute_string(file, "/", name, value ? value : "") < 0 ? -1 : 0;
}

static int put_header(hid_t file, const qrd_shard_file *f)
{
  char created[32] = "unknown";
  time_t t = time(NULL);
  struct tm tm;
  if (gmtime_r(&t, &tm))
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
  unsigned long seed = f->seed;
  unsigned ij[2] = {f->shard, f->shards};
  if (put_string(file, "format", FORMAT) || put_string(file, "driver", f->driver) ||
      put_string(file, "build", f->build) ||
      put_string(file, "config", f->config) || put_string(file, "config_path", f->config_path) ||
      put_string(file, "out_path", f->out_path) || put_string(file, "git_commit", f->commit) ||
      put_string(file, "created_utc", created))
    return -1;
  if (H5LTset_attribute_ulong(file, "/", "seed", &seed, 1) < 0 ||
      H5LTset_attribute_uint(file, "/", "shard", &ij[0], 1) < 0 ||
      H5LTset_attribute_uint(file, "/", "shards", &ij[1], 1) < 0)
    return -1;
  return 0;
}

/* Non-empty datasets are chunked with HDF5's Fletcher-32 checksum, which
 * every read verifies (the root attribute dataset_checksums says so). */
static int make_dataset(hid_t file, const char *name, hsize_t n, hid_t type, const void *v)
{
  hsize_t chunk = n < ((hsize_t)1 << 20) ? n : (hsize_t)1 << 20;
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), space = H5Screate_simple(1, &n, NULL);
  hid_t d = H5I_INVALID_HID;
  herr_t ok = -1;
  if (dcpl >= 0 && space >= 0 &&
      (n == 0 || (H5Pset_chunk(dcpl, 1, &chunk) >= 0 && H5Pset_fletcher32(dcpl) >= 0)) &&
      (d = H5Dcreate2(file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) >= 0)
    ok = n == 0 ? 0 : H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  if (d >= 0 && H5Dclose(d) < 0)
    ok = -1;
  if (space >= 0)
    H5Sclose(space);
  if (dcpl >= 0)
    H5Pclose(dcpl);
  return ok < 0 ? -1 : 0;
}

static int put_columns(hid_t file, const qrd_shard_file *f, const columns *c)
{
  hsize_t n = f->n_rec, nd = c->n_data;
  if (make_dataset(file, "/point", n, H5T_NATIVE_UINT64, c->point) ||
      make_dataset(file, "/status", n, H5T_NATIVE_INT32, c->status) ||
      make_dataset(file, "/offset", n, H5T_NATIVE_UINT64, c->offset) ||
      make_dataset(file, "/length", n, H5T_NATIVE_UINT64, c->length) ||
      make_dataset(file, "/data", nd, H5T_NATIVE_UCHAR, c->data) ||
      put_string(file, "dataset_checksums", "fletcher32"))
    return -1;
  return 0;
}

/* Built in memory and written by qrd_output_write: a regular file only
 * (never a device, a link or the config), a temporary of its own created
 * exclusively, removed on any failure, renamed when whole. */
int qrd_shard_file_write(const char *path, const qrd_shard_file *f)
{
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  int st = qrd_output_check(path, f->config_path);
  if (st)
    return st;
  columns c;
  if ((st = columns_make(f, &c)))
    return st;
  hid_t fapl = qrd_output_mem_fapl();
  hid_t file = fapl < 0 ? H5I_INVALID_HID : H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (fapl >= 0)
    H5Pclose(fapl);
  int bad = file < 0 || put_header(file, f) || put_columns(file, f, &c);
  columns_free(&c);
  void *image = NULL;
  size_t size = 0;
  if (file >= 0) {
    int ist = qrd_output_mem_image(file, path, &image, &size);
    bad = bad || ist;
  }
  if (bad)
    st = qrd_error_set(QRD_EIO, "%s: cannot build the shard file", path);
  else
    st = qrd_output_write(path, f->config_path, image, size);
  free(image);
  return st;
}

/* ---- reading ---- */

static int get_string(hid_t file, const char *name, char **out)
{
  H5T_class_t cls;
  size_t size;
  hsize_t dims[1] = {0};
  int rank = -1;
  if (!qrd_h5lookup_attr(file, "/", name) || H5LTget_attribute_ndims(file, "/", name, &rank) < 0 ||
      H5LTget_attribute_info(file, "/", name, dims, &cls, &size) < 0 || cls != H5T_STRING)
    return -1;
  *out = malloc(size + 1);
  if (!*out || H5LTget_attribute_string(file, "/", name, *out) < 0)
    return -1;
  (*out)[size] = '\0';
  return 0;
}

static int get_header(hid_t file, qrd_shard_file *f)
{
  char *format = NULL;
  int bad = get_string(file, "format", &format) || strcmp(format, FORMAT) != 0;
  free(format);
  unsigned long seed = 0;
  if (bad || get_string(file, "driver", &f->driver) || get_string(file, "build", &f->build) ||
      get_string(file, "config", &f->config) ||
      get_string(file, "config_path", &f->config_path) ||
      get_string(file, "out_path", &f->out_path) ||
      get_string(file, "git_commit", &f->commit) ||
      H5LTget_attribute_ulong(file, "/", "seed", &seed) < 0 ||
      H5LTget_attribute_uint(file, "/", "shard", &f->shard) < 0 ||
      H5LTget_attribute_uint(file, "/", "shards", &f->shards) < 0)
    return -1;
  f->seed = seed;
  return f->shards == 0 || f->shard < 1 || f->shard > f->shards ? -1 : 0;
}

/* Whether non-empty dataset `name` lacks the checksum the file declares. */
static int checksum_missing(hid_t file, const char *name, hsize_t n)
{
  if (n == 0 || !qrd_h5lookup_attr(file, "/", "dataset_checksums"))
    return 0;
  hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
  hid_t dcpl = d < 0 ? H5I_INVALID_HID : H5Dget_create_plist(d);
  int missing = dcpl < 0 || H5Pget_filter_by_id2(dcpl, H5Z_FILTER_FLETCHER32, NULL, NULL, NULL,
                                                 0, NULL, NULL) < 0;
  if (dcpl >= 0)
    H5Pclose(dcpl);
  if (d >= 0)
    H5Dclose(d);
  return missing;
}

/* The length of 1-d dataset `name` (which must be of integer class, of a
 * size that fits in memory, and checksummed where the file says so). */
static int get_length(hid_t file, const char *name, size_t *n)
{
  int rank;
  hsize_t dims[1];
  H5T_class_t cls;
  size_t size;
  if (H5LTget_dataset_ndims(file, name, &rank) < 0 || rank != 1 ||
      H5LTget_dataset_info(file, name, dims, &cls, &size) < 0 || cls != H5T_INTEGER ||
      dims[0] > ((hsize_t)1 << 40) / 8 || checksum_missing(file, name, dims[0]))
    return -1;
  *n = (size_t)dims[0];
  return 0;
}

/* Every record lies inside /data and holds two terminated strings. */
static int get_records(hid_t file, qrd_shard_file *f)
{
  size_t n, n2, n3, n4, nd;
  if (get_length(file, "/point", &n) || get_length(file, "/status", &n2) ||
      get_length(file, "/offset", &n3) || get_length(file, "/length", &n4) ||
      get_length(file, "/data", &nd) || n2 != n || n3 != n || n4 != n)
    return -1;
  columns c = {malloc((n ? n : 1) * sizeof *c.point), malloc((n ? n : 1) * sizeof *c.offset),
               malloc((n ? n : 1) * sizeof *c.length), malloc((n ? n : 1) * sizeof *c.status),
               malloc(nd ? nd : 1), nd};
  int bad = !c.point || !c.offset || !c.length || !c.status || !c.data ||
            H5LTread_dataset(file, "/point", H5T_NATIVE_UINT64, c.point) < 0 ||
            H5LTread_dataset(file, "/status", H5T_NATIVE_INT32, c.status) < 0 ||
            H5LTread_dataset(file, "/offset", H5T_NATIVE_UINT64, c.offset) < 0 ||
            H5LTread_dataset(file, "/length", H5T_NATIVE_UINT64, c.length) < 0 ||
            (nd && H5LTread_dataset(file, "/data", H5T_NATIVE_UCHAR, c.data) < 0);
  for (size_t k = 0; !bad && k < n; k++) {
    uint64_t o = c.offset[k], l = c.length[k];
    const unsigned char *r = c.data + o;
    const unsigned char *w_end = o <= nd && l <= nd - o ? memchr(r, '\0', l) : NULL;
    const unsigned char *e_end =
      w_end ? memchr(w_end + 1, '\0', l - (size_t)(w_end + 1 - r)) : NULL;
    bad = !e_end || (k > 0 && c.point[k] <= c.point[k - 1]) ||
          qrd_shard_file_put(f, c.point[k], c.status[k], (const char *)r,
                             (const char *)w_end + 1, e_end + 1,
                             l - (size_t)(e_end + 1 - r)) != QRD_OK;
  }
  columns_free(&c);
  return bad ? -1 : 0;
}

typedef struct {
  const char *path;
  qrd_shard_file *f;
} read_call;

static int read_now(void *p)
{
  const char *path = ((read_call *)p)->path;
  qrd_shard_file *f = ((read_call *)p)->f;
  memset(f, 0, sizeof *f);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0)
    return qrd_error_set(QRD_EIO, "%s: not an HDF5 file", path);
  int bad = get_header(file, f);
  const char *what = bad ? "its header (format, driver, config, shard, shards, ...)"
                         : "its records (/point, /status, /offset, /length, /data)";
  bad = bad || get_records(file, f);
  H5Fclose(file);
  if (bad) {
    qrd_shard_file_clear(f);
    return qrd_error_set(QRD_EIO, "%s: not a whole qrd shard file: %s", path, what);
  }
  return QRD_OK;
}

int qrd_shard_file_read(const char *path, qrd_shard_file *f)
{
  memset(f, 0, sizeof *f);
  if (access(path, F_OK) != 0)
    return qrd_error_set(QRD_ENOTFOUND, "%s: no shard file", path);
  /* shard files come from other processes and machines */
  read_call c = {path, f};
  return qrd_h5probe_call(path, NULL, read_now, &c);
}
