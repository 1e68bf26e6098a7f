/* Tensor files: safetensors, .npy and HDF5 files written here byte by byte
 * (HDF5 through its own API) with known values, read back exactly through
 * io/tensor.h; every malformed file gives a non-zero status and a detail
 * naming the file and the problem; qrd_tensor_as_rows transposes in-out
 * kernels. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "core/error.h"
#include "io/tensor.h"
#include "suites.h"

static char dir[64];

static void sandbox_open(void)
{
  strcpy(dir, "/tmp/qrd-tensors-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* The sandbox is flat: files only. */
static void sandbox_close(void)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[sizeof dir + 256];
  while (d != NULL && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  if (d != NULL)
    closedir(d);
  rmdir(dir);
}

/* ---- byte builders ---- */

/* A string literal and its length without the final NUL. */
#define LIT(s) s, sizeof s - 1

typedef struct {
  unsigned char b[4096];
  size_t n;
} bytes;

static void put_raw(bytes *o, const void *p, size_t n)
{
  ck_assert_uint_le(o->n + n, sizeof o->b);
  memcpy(o->b + o->n, p, n);
  o->n += n;
}

static void put_le(bytes *o, uint64_t v, int width)
{
  for (int k = 0; k < width; k++)
    o->b[o->n++] = (unsigned char)(v >> (8 * k));
}

static void put_f32(bytes *o, float f)
{
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  put_le(o, u, 4);
}

static void put_f64(bytes *o, double d)
{
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  put_le(o, u, 8);
}

/* path <- dir/name holding the given bytes (the first n of them). */
static void write_file(const char *name, const void *data, size_t n, char *path, size_t len)
{
  snprintf(path, len, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, n, f), n);
  ck_assert_int_eq(fclose(f), 0);
}

/* A safetensors file: header (padded with spaces to a multiple of 8, as
 * the format's writer does) and data. */
static void write_st(const char *name, const char *header, const bytes *data, char *path,
                     size_t len)
{
  static bytes f;
  f.n = 0;
  size_t h = strlen(header), padded = (h + 7) / 8 * 8;
  put_le(&f, padded, 8);
  put_raw(&f, header, h);
  while (f.n < 8 + padded)
    f.b[f.n++] = ' ';
  if (data)
    put_raw(&f, data->b, data->n);
  write_file(name, f.b, f.n, path, len);
}

/* A .npy file of format major.0 with the dict padded as numpy pads it. */
static void write_npy(const char *name, int major, const char *dict, const bytes *data,
                      char *path, size_t len)
{
  static bytes f;
  f.n = 0;
  size_t prefix = major == 1 ? 10 : 12, d = strlen(dict);
  size_t total = (prefix + d + 1 + 63) / 64 * 64;
  put_raw(&f, "\x93NUMPY", 6);
  f.b[f.n++] = (unsigned char)major;
  f.b[f.n++] = 0;
  put_le(&f, total - prefix, major == 1 ? 2 : 4);
  put_raw(&f, dict, d);
  while (f.n < total - 1)
    f.b[f.n++] = ' ';
  f.b[f.n++] = '\n';
  if (data)
    put_raw(&f, data->b, data->n);
  write_file(name, f.b, f.n, path, len);
}

static void check_values(const double *got, const double *want, size_t n, const char *what)
{
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(got[i] == want[i] && signbit(got[i]) == signbit(want[i]),
                  "%s[%zu] = %.17g, want %.17g", what, i, got[i], want[i]);
}

static void check_shape(const qrd_tensor_info *t, const char *name, qrd_dtype dtype,
                        size_t ndim, const uint64_t *shape, uint64_t count)
{
  ck_assert_str_eq(t->name, name);
  ck_assert_int_eq(t->dtype, dtype);
  ck_assert_uint_eq(t->ndim, ndim);
  for (size_t d = 0; d < ndim; d++)
    ck_assert_uint_eq(t->shape[d], shape[d]);
  ck_assert_uint_eq(t->count, count);
}

/* Opening `path` fails with `status` and a detail naming it and `needle`. */
static void expect_open_fails(const char *path, int status, const char *needle)
{
  qrd_tensor_file f;
  qrd_error_clear();
  int st = qrd_tensor_file_open(path, &f);
  if (st == QRD_OK)
    qrd_tensor_file_close(&f);
  ck_assert_msg(st == status, "%s: status %d, want %d (detail '%s')", path, st, status,
                qrd_error_detail());
  ck_assert_msg(strstr(qrd_error_detail(), path) != NULL, "detail '%s' does not name '%s'",
                qrd_error_detail(), path);
  ck_assert_msg(strstr(qrd_error_detail(), needle) != NULL, "detail '%s' does not say '%s'",
                qrd_error_detail(), needle);
  ck_assert_msg(strchr(qrd_error_detail(), '\n') == NULL, "detail '%s' is not one line",
                qrd_error_detail());
}

/* ---- safetensors ---- */

/* BF16 and F16 bit patterns and their values, computed here by ldexp. */
static const uint16_t BF16_BITS[8] = {0x3FC0, 0xBE80, 0x7F7F, 0x0001,
                                      0x007F, 0x4049, 0xC2F7, 0x7F00};
static double bf16_want(size_t i)
{
  switch (i) {
  case 0: return 1.5;
  case 1: return -0.25;
  case 2: return ldexp(255, 120);   /* largest finite: (2 - 2^-7) 2^127 */
  case 3: return ldexp(1, -133);    /* smallest subnormal */
  case 4: return ldexp(127, -133);  /* largest subnormal */
  case 5: return ldexp(201, -6);    /* 3.140625 */
  case 6: return -ldexp(247, -1);   /* -123.5 */
  default: return ldexp(1, 127);
  }
}

static const uint16_t F16_BITS[6] = {0x3E00, 0xB400, 0x7BFF, 0x0001, 0x03FF, 0xC500};
static double f16_want(size_t i)
{
  switch (i) {
  case 0: return 1.5;
  case 1: return -0.25;
  case 2: return ldexp(2047, 5);    /* 65504 */
  case 3: return ldexp(1, -24);     /* smallest subnormal */
  case 4: return ldexp(1023, -24);  /* largest subnormal */
  default: return -5.0;
  }
}

static const float F32_VALUES[12] = {1.5f, -0.25f, 0.1f, -7.0f, 3.0e38f, 1e-3f,
                                     0x1p-149f, 0x1.fffffep127f, 0.0f, -0.0f, 12345.678f,
                                     -1e-30f};

/* Data order a, b, mask, c, d, idx; the header lists them otherwise. */
static void write_model(const char *name, char *path, size_t len)
{
  bytes data = {.n = 0};
  for (size_t i = 0; i < 8; i++)
    put_le(&data, BF16_BITS[i], 2);   /* a.bf16 [0, 16) */
  for (size_t i = 0; i < 6; i++)
    put_le(&data, F16_BITS[i], 2);    /* b.f16 [16, 28) */
  put_raw(&data, "\1\0\1\1", 4);      /* mask [28, 32) */
  for (size_t i = 0; i < 12; i++)
    put_f32(&data, F32_VALUES[i]);    /* c.f32 [32, 80) */
  put_f64(&data, 0.1);                /* d.f64 [80, 96) */
  put_f64(&data, -1e300);
  put_le(&data, (uint32_t)-1, 4);     /* idx [96, 108) */
  put_le(&data, 0, 4);
  put_le(&data, 7, 4);
  write_st(name,
           "{\"d.f64\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[80,96]},"
           "\"c.f32\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[32,80]},"
           "\"__metadata__\":{\"format\":\"pt\"},"
           "\"idx\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[96,108]},"
           "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[4],\"data_offsets\":[28,32]},"
           "\"b.f16\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[16,28]},"
           "\"a.bf16\":{\"dtype\":\"BF16\",\"shape\":[2,2,2],\"data_offsets\":[0,16]}}",
           &data, path, len);
}

START_TEST(test_safetensors_values)
{
  char path[128];
  write_model("model.safetensors", path, sizeof path);
  qrd_tensor_file f;
  ck_assert_int_eq(qrd_tensor_file_open(path, &f), QRD_OK);
  ck_assert_str_eq(f.reader->name, "safetensors");
  ck_assert_int_eq(f.reader->layout, QRD_LAYOUT_OUT_IN);
  /* data order, not header order; BOOL left out, I32 listed */
  ck_assert_uint_eq(f.n, 5);
  check_shape(&f.info[0], "a.bf16", QRD_DTYPE_BF16, 3, (uint64_t[]){2, 2, 2}, 8);
  check_shape(&f.info[1], "b.f16", QRD_DTYPE_F16, 2, (uint64_t[]){2, 3}, 6);
  check_shape(&f.info[2], "c.f32", QRD_DTYPE_F32, 2, (uint64_t[]){3, 4}, 12);
  check_shape(&f.info[3], "d.f64", QRD_DTYPE_F64, 1, (uint64_t[]){2}, 2);
  check_shape(&f.info[4], "idx", QRD_DTYPE_I32, 1, (uint64_t[]){3}, 3);

  double want[12], *v;
  for (size_t i = 0; i < 8; i++)
    want[i] = bf16_want(i);
  ck_assert_int_eq(qrd_tensor_read(&f, 0, &v), QRD_OK);
  check_values(v, want, 8, "a.bf16");
  free(v);
  for (size_t i = 0; i < 6; i++)
    want[i] = f16_want(i);
  ck_assert_int_eq(qrd_tensor_read(&f, 1, &v), QRD_OK);
  check_values(v, want, 6, "b.f16");
  free(v);
  for (size_t i = 0; i < 12; i++)
    want[i] = F32_VALUES[i];
  ck_assert_int_eq(qrd_tensor_read(&f, 2, &v), QRD_OK);
  check_values(v, want, 12, "c.f32");
  free(v);
  ck_assert_int_eq(qrd_tensor_read(&f, 3, &v), QRD_OK);
  check_values(v, (double[]){0.1, -1e300}, 2, "d.f64");
  free(v);
  ck_assert_int_eq(qrd_tensor_read(&f, 4, &v), QRD_OK);
  check_values(v, (double[]){-1, 0, 7}, 3, "idx");
  free(v);

  size_t i;
  ck_assert_int_eq(qrd_tensor_find(&f, "c.f32", &i), QRD_OK);
  ck_assert_uint_eq(i, 2);
  ck_assert_int_eq(qrd_tensor_find(&f, "mask", &i), QRD_ENOTFOUND);
  qrd_tensor_file_close(&f);

  /* FILE:NAME */
  char spec[160];
  qrd_tensor_info info;
  qrd_tensor_layout layout = QRD_LAYOUT_IN_OUT;
  snprintf(spec, sizeof spec, "%s:b.f16", path);
  ck_assert_int_eq(qrd_tensor_load(spec, &info, &v, &layout), QRD_OK);
  ck_assert_int_eq(layout, QRD_LAYOUT_OUT_IN);
  check_shape(&info, "b.f16", QRD_DTYPE_F16, 2, (uint64_t[]){2, 3}, 6);
  for (size_t k = 0; k < 6; k++)
    want[k] = f16_want(k);
  check_values(v, want, 6, "load b.f16");
  free(v);
}
END_TEST

/* Without the suffix, the reader is chosen by the header's first bytes. */
START_TEST(test_safetensors_probe)
{
  char path[128];
  write_model("weights.bin", path, sizeof path);
  qrd_tensor_file f;
  ck_assert_int_eq(qrd_tensor_file_open(path, &f), QRD_OK);
  ck_assert_str_eq(f.reader->name, "safetensors");
  ck_assert_uint_eq(f.n, 5);
  qrd_tensor_file_close(&f);

  /* one tensor, an empty metadata and no padding needed: FILE alone */
  bytes data = {.n = 0};
  put_f32(&data, 2.5f);
  put_f32(&data, -1.0f);
  write_st("one.safetensors",
           "{\"__metadata__\":{},\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],"
           "\"data_offsets\":[0,8]}}", &data, path, sizeof path);
  qrd_tensor_info info;
  qrd_tensor_layout layout;
  double *v;
  ck_assert_int_eq(qrd_tensor_load(path, &info, &v, &layout), QRD_OK);
  check_values(v, (double[]){2.5, -1.0}, 2, "w");
  free(v);
}
END_TEST

typedef struct {
  const char *header;
  size_t data_bytes;
  int status;
  const char *needle;
} bad_st;

START_TEST(test_safetensors_malformed)
{
  static const bad_st cases[] = {
    /* truncated file: the data were cut after 20 of 48 bytes */
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[0,48]}}", 20, QRD_EIO,
     "beyond the data buffer"},
    {"{not json}", 0, QRD_EIO, "not JSON"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4, QRD_EIO, "not JSON"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} x", 4, QRD_EIO,
     "not JSON"},
    {"[1, 2, 3]", 0, QRD_EIO, "not a JSON object"},
    {"{\"w\": 7}", 0, QRD_EIO, "not a JSON object"},
    {"{\"__metadata__\": [1]}", 0, QRD_EIO, "__metadata__"},
    {"{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, QRD_EIO, "dtype"},
    {"{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, QRD_EIO, "dtype"},
    {"{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, QRD_EINVAL,
     "unsupported dtype 'Q7'"},
    {"{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, QRD_EIO, "shape"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[-2,2],\"data_offsets\":[0,16]}}", 16, QRD_EIO,
     "shape entry 0 is -2"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2,1.5],\"data_offsets\":[0,12]}}", 12, QRD_EIO,
     "shape entry 1"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
     QRD_EINVAL, "9 dimensions"},
    /* 2^40 x 2^40 values: the count overflows, nothing is allocated */
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],"
     "\"data_offsets\":[0,16]}}", 16, QRD_EIO, "overflows"},
    /* 2^30 x 2^30 values: no overflow, but 4 EiB are not in the file */
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1073741824,1073741824],"
     "\"data_offsets\":[0,16]}}", 16, QRD_EIO, "beyond the end of the file"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[250],\"data_offsets\":[0,1000]}}", 16, QRD_EIO,
     "beyond the data buffer"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[18446744073709551615,"
     "18446744073709551615]}}", 16, QRD_EIO, "beyond the data buffer"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 16, QRD_EIO,
     "need 16"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 16, QRD_EIO,
     "begin after"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 16, QRD_EIO,
     "data_offsets"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 16, QRD_EIO, "data_offsets"},
    {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
     "\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 16, QRD_EIO,
     "overlap"},
    /* a skipped dtype is checked all the same */
    {"{\"m\":{\"dtype\":\"U8\",\"shape\":[5],\"data_offsets\":[0,4]}}", 16, QRD_EIO, "need 5"},
  };
  static const bytes zeros = {.n = 1024};
  char path[128], name[64];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    bytes data = zeros;
    data.n = cases[i].data_bytes;
    snprintf(name, sizeof name, "bad%zu.safetensors", i);
    write_st(name, cases[i].header, &data, path, sizeof path);
    expect_open_fails(path, cases[i].status, cases[i].needle);
  }

  /* header lengths beyond the file, absurd, and no room for one */
  bytes f = {.n = 0};
  put_le(&f, 1000, 8);
  put_raw(&f, "{\"w\":{}}", 8);
  write_file("long.safetensors", f.b, f.n, path, sizeof path);
  expect_open_fails(path, QRD_EIO, "header length 1000 exceeds the file");
  write_file("long.bin", f.b, f.n, path, sizeof path); /* taken by the probe */
  expect_open_fails(path, QRD_EIO, "header length 1000 exceeds the file");
  f.n = 0;
  put_le(&f, (uint64_t)1 << 40, 8);
  put_raw(&f, "{}", 2);
  write_file("huge.safetensors", f.b, f.n, path, sizeof path);
  expect_open_fails(path, QRD_EIO, "exceeds the file");
  write_file("short.safetensors", LIT("\x02\0\0"), path, sizeof path);
  expect_open_fails(path, QRD_EIO, "truncated");
  write_file("zero.safetensors", LIT("\0\0\0\0\0\0\0\0"), path, sizeof path);
  expect_open_fails(path, QRD_EIO, "not JSON");
}
END_TEST

/* The file shrinks between listing and reading: the read fails cleanly. */
START_TEST(test_safetensors_truncated_later)
{
  char path[128];
  write_model("model.safetensors", path, sizeof path);
  qrd_tensor_file f;
  ck_assert_int_eq(qrd_tensor_file_open(path, &f), QRD_OK);
  struct stat sz;
  ck_assert_int_eq(stat(path, &sz), 0);
  ck_assert_int_eq(truncate(path, sz.st_size - 6), 0); /* half of 'idx' */
  double *v = (double *)1;
  int st = qrd_tensor_read(&f, 4, &v);
  ck_assert_int_eq(st, QRD_EIO);
  ck_assert_ptr_null(v);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), path));
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "'idx'"));
  qrd_tensor_file_close(&f);
}
END_TEST

/* ---- .npy ---- */

START_TEST(test_npy_values)
{
  char path[128];
  double want[12], *v;
  qrd_tensor_file f;

  /* v1.0 '<f4' (3, 4), as np.save writes it */
  bytes data = {.n = 0};
  for (size_t i = 0; i < 12; i++) {
    put_f32(&data, F32_VALUES[i]);
    want[i] = F32_VALUES[i];
  }
  write_npy("w.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", &data,
            path, sizeof path);
  ck_assert_int_eq(qrd_tensor_file_open(path, &f), QRD_OK);
  ck_assert_str_eq(f.reader->name, "npy");
  ck_assert_int_eq(f.reader->layout, QRD_LAYOUT_OUT_IN);
  ck_assert_uint_eq(f.n, 1);
  check_shape(&f.info[0], "w", QRD_DTYPE_F32, 2, (uint64_t[]){3, 4}, 12);
  ck_assert_int_eq(qrd_tensor_read(&f, 0, &v), QRD_OK);
  check_values(v, want, 12, "w.npy");
  free(v);
  qrd_tensor_file_close(&f);

  /* '<f8' 1-D, keys in another order, no trailing comma, double quotes */
  data.n = 0;
  double d[5] = {0.1, -1e300, ldexp(1, -1074), 3.0, -0.0};
  for (size_t i = 0; i < 5; i++)
    put_f64(&data, d[i]);
  write_npy("v.npy", 1, "{\"shape\": (5,), \"fortran_order\": False, \"descr\": \"<f8\"}",
            &data, path, sizeof path);
  qrd_tensor_info info;
  qrd_tensor_layout layout;
  ck_assert_int_eq(qrd_tensor_load(path, &info, &v, &layout), QRD_OK);
  check_shape(&info, "v", QRD_DTYPE_F64, 1, (uint64_t[]){5}, 5);
  check_values(v, d, 5, "v.npy");
  free(v);

  /* '<f2' (2, 3), Python 2's longs */
  data.n = 0;
  for (size_t i = 0; i < 6; i++) {
    put_le(&data, F16_BITS[i], 2);
    want[i] = f16_want(i);
  }
  write_npy("h.npy", 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2L, 3L), }", &data,
            path, sizeof path);
  char spec[160];
  snprintf(spec, sizeof spec, "%s:h", path);
  ck_assert_int_eq(qrd_tensor_load(spec, &info, &v, &layout), QRD_OK);
  check_shape(&info, "h", QRD_DTYPE_F16, 2, (uint64_t[]){2, 3}, 6);
  check_values(v, want, 6, "h.npy");
  free(v);

  /* v2.0 '<f4' (2, 3) with a 4-byte header length */
  data.n = 0;
  for (size_t i = 0; i < 6; i++) {
    put_f32(&data, (float)i - 2.5f);
    want[i] = (double)i - 2.5;
  }
  write_npy("big.npy", 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", &data,
            path, sizeof path);
  ck_assert_int_eq(qrd_tensor_load(path, &info, &v, &layout), QRD_OK);
  check_shape(&info, "big", QRD_DTYPE_F32, 2, (uint64_t[]){2, 3}, 6);
  check_values(v, want, 6, "v2 npy");
  free(v);

  /* v3.0, a scalar; a name without .npy found by its magic */
  data.n = 0;
  put_f64(&data, -42.25);
  write_npy("scalar.bin", 3, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", &data,
            path, sizeof path);
  ck_assert_int_eq(qrd_tensor_load(path, &info, &v, &layout), QRD_OK);
  check_shape(&info, "scalar.bin", QRD_DTYPE_F64, 0, NULL, 1);
  check_values(v, (double[]){-42.25}, 1, "scalar");
  free(v);

  /* Fortran order where it coincides with C order: (1, 4) */
  data.n = 0;
  for (size_t i = 0; i < 4; i++)
    put_f32(&data, (float)i);
  write_npy("row.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 4), }", &data,
            path, sizeof path);
  ck_assert_int_eq(qrd_tensor_load(path, &info, &v, &layout), QRD_OK);
  check_values(v, (double[]){0, 1, 2, 3}, 4, "row.npy");
  free(v);
}
END_TEST

typedef struct {
  const char *dict;
  size_t data_bytes;
  int status;
  const char *needle;
} bad_npy;

START_TEST(test_npy_malformed)
{
  static const bad_npy cases[] = {
    {"{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 16, QRD_EINVAL, "'<i8'"},
    {"{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, QRD_EINVAL, "big-endian"},
    {"{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", 8, QRD_EINVAL, "'|u1'"},
    {"{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8, QRD_EINVAL,
     "structured"},
    {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, QRD_EINVAL,
     "Fortran order not supported; save with np.ascontiguousarray"},
    /* the shape does not fit the file */
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (100, 100), }", 16, QRD_EIO,
     "beyond the end of the file"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }", 16,
     QRD_EIO, "overflows"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 16,
     QRD_EIO, "overflows"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", 16, QRD_EIO, "negative"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", 16, QRD_EIO, "shape"},
    {"{'descr': '<f4', 'fortran_order': False, }", 16, QRD_EIO, "lacks 'shape'"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", 16, QRD_EIO,
     "unknown key 'extra'"},
    {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 16, QRD_EIO,
     "twice"},
    {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}", 16, QRD_EIO, "True or False"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 16, QRD_EIO, "expected"},
    {"{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", 16, QRD_EIO, "expected"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk", 16, QRD_EIO,
     "after '}'"},
    {"['descr', '<f4']", 16, QRD_EIO, "'{'"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 16, QRD_EINVAL,
     "more than 8 dimensions"},
  };
  static const bytes zeros = {.n = 64};
  char path[128], name[64];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    bytes data = zeros;
    data.n = cases[i].data_bytes;
    snprintf(name, sizeof name, "bad%zu.npy", i);
    write_npy(name, 1, cases[i].dict, &data, path, sizeof path);
    expect_open_fails(path, cases[i].status, cases[i].needle);
  }

  /* bad magic (found by its name), a truncated header, a bad version */
  write_file("magic.npy", LIT("\x93NUMPZ\1\0\x10\0{}              \n"), path, sizeof path);
  expect_open_fails(path, QRD_EIO, "bad magic");
  write_file("cut.npy", LIT("\x93NUMPY\1\0\x76\0{'descr': '<f4', 'fortr"), path, sizeof path);
  expect_open_fails(path, QRD_EIO, "header of 118 bytes is truncated");
  write_file("cut2.npy", LIT("\x93NUMPY\2\0\0\0\0\1{'de"), path, sizeof path);
  expect_open_fails(path, QRD_EIO, "is truncated");
  write_file("tiny.npy", LIT("\x93NUM"), path, sizeof path);
  expect_open_fails(path, QRD_EIO, "truncated");
  write_file("v4.npy", LIT("\x93NUMPY\4\0\x10\0\0\0{}            \n"), path, sizeof path);
  expect_open_fails(path, QRD_EINVAL, "version 4.0");
}
END_TEST

/* ---- HDF5, through its own API ---- */

START_TEST(test_hdf5_values)
{
  char path[128];
  snprintf(path, sizeof path, "%s/w.h5", dir);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  hid_t g = H5Gcreate2(f, "layer", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(g, 0);
  float w[6] = {1.5f, -0.25f, 0.1f, 3.0e38f, 0x1p-149f, -7.0f};
  hsize_t dims[2] = {2, 3};
  ck_assert_int_ge(H5LTmake_dataset_float(g, "W", 2, dims, w), 0);
  int idx[2] = {4, 5};
  hsize_t n2 = 2;
  ck_assert_int_ge(H5LTmake_dataset_int(f, "idx", 1, &n2, idx), 0);
  H5Gclose(g);
  H5Fclose(f);

  qrd_tensor_file tf;
  ck_assert_int_eq(qrd_tensor_file_open(path, &tf), QRD_OK);
  ck_assert_str_eq(tf.reader->name, "hdf5");
  ck_assert_uint_eq(tf.n, 1); /* the integer dataset is no weight */
  check_shape(&tf.info[0], "/layer/W", QRD_DTYPE_F32, 2, (uint64_t[]){2, 3}, 6);
  double *v, want[6];
  for (size_t i = 0; i < 6; i++)
    want[i] = w[i];
  ck_assert_int_eq(qrd_tensor_read(&tf, 0, &v), QRD_OK);
  check_values(v, want, 6, "/layer/W");
  free(v);
  qrd_tensor_file_close(&tf);
}
END_TEST

/* ---- matrices ---- */

START_TEST(test_as_rows)
{
  /* an in-out kernel [1, 1, in = 3, out = 4]: element (i, o) = 10 i + o */
  qrd_tensor_info t = {.name = "k", .ndim = 4, .shape = {1, 1, 3, 4}, .count = 12};
  double v[12];
  for (size_t i = 0; i < 3; i++)
    for (size_t o = 0; o < 4; o++)
      v[i * 4 + o] = 10.0 * i + o;
  size_t rows, cols;
  ck_assert_int_eq(qrd_tensor_as_rows(&t, QRD_LAYOUT_IN_OUT, v, &rows, &cols), QRD_OK);
  ck_assert_uint_eq(rows, 4);
  ck_assert_uint_eq(cols, 3);
  for (size_t o = 0; o < 4; o++)
    for (size_t i = 0; i < 3; i++)
      ck_assert_msg(v[o * 3 + i] == 10.0 * i + o, "row %zu col %zu = %g", o, i, v[o * 3 + i]);

  /* [3, 4] out-in: rows as stored */
  qrd_tensor_info m = {.name = "m", .ndim = 2, .shape = {3, 4}, .count = 12};
  for (size_t k = 0; k < 12; k++)
    v[k] = (double)k;
  ck_assert_int_eq(qrd_tensor_as_rows(&m, QRD_LAYOUT_OUT_IN, v, &rows, &cols), QRD_OK);
  ck_assert_uint_eq(rows, 3);
  ck_assert_uint_eq(cols, 4);
  for (size_t k = 0; k < 12; k++)
    ck_assert(v[k] == (double)k);

  /* not matrices */
  qrd_tensor_info bad = {.name = "b", .ndim = 4, .shape = {2, 1, 3, 4}, .count = 24};
  double w[24] = {0};
  ck_assert_int_eq(qrd_tensor_as_rows(&bad, QRD_LAYOUT_IN_OUT, w, &rows, &cols), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "'b'"));
  qrd_tensor_info vec = {.name = "v", .ndim = 1, .shape = {4}, .count = 4};
  ck_assert_int_eq(qrd_tensor_as_rows(&vec, QRD_LAYOUT_OUT_IN, w, &rows, &cols), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "not a weight matrix"));
}
END_TEST

/* The same kernel from an .npy file, loaded and viewed as rows. */
START_TEST(test_as_rows_from_file)
{
  bytes data = {.n = 0};
  for (size_t i = 0; i < 3; i++)
    for (size_t o = 0; o < 4; o++)
      put_f32(&data, (float)(10 * i + o));
  char path[128];
  write_npy("kernel.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 3, 4), }",
            &data, path, sizeof path);
  qrd_tensor_info info;
  qrd_tensor_layout layout;
  double *v;
  ck_assert_int_eq(qrd_tensor_load(path, &info, &v, &layout), QRD_OK);
  size_t rows, cols;
  ck_assert_int_eq(qrd_tensor_as_rows(&info, QRD_LAYOUT_IN_OUT, v, &rows, &cols), QRD_OK);
  ck_assert_uint_eq(rows, 4);
  ck_assert_uint_eq(cols, 3);
  for (size_t o = 0; o < 4; o++)
    for (size_t i = 0; i < 3; i++)
      ck_assert(v[o * 3 + i] == 10.0 * i + o);
  free(v);
}
END_TEST

Suite *qrd_suite_tensor_files(void)
{
  Suite *s = suite_create("tensor_files");
  TCase *tc = tcase_create("tensor_files");
  tcase_set_timeout(tc, QRD_TEST_TIMEOUT);
  tcase_add_checked_fixture(tc, sandbox_open, sandbox_close);
  tcase_add_test(tc, test_safetensors_values);
  tcase_add_test(tc, test_safetensors_probe);
  tcase_add_test(tc, test_safetensors_malformed);
  tcase_add_test(tc, test_safetensors_truncated_later);
  tcase_add_test(tc, test_npy_values);
  tcase_add_test(tc, test_npy_malformed);
  tcase_add_test(tc, test_hdf5_values);
  tcase_add_test(tc, test_as_rows);
  tcase_add_test(tc, test_as_rows_from_file);
  suite_add_tcase(s, tc);
  return s;
}
