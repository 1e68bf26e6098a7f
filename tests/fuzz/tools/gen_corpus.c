/* Writes the binary seeds of tests/fuzz/corpus/ (the text seeds are
 * committed as they are): small valid files of every binary format the
 * fuzz targets read, and a few edge cases.  Run by `make fuzz-corpus`
 * from the repository root; the files it writes are committed, so the
 * regression suite and make fuzz need not run it.
 *
 * HDF5 files are written with the plain HDF5 API (and a results file with
 * io/results.h, as the figure drivers write them); object timestamps are
 * off so that the bytes do not change from run to run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "core/error.h"
#include "io/results.h"

#define DIR "tests/fuzz/corpus/"

static void die(const char *what)
{
  fprintf(stderr, "gen_corpus: %s: %s\n", what, qrd_error_detail());
  exit(1);
}

static void put(const char *path, const void *data, size_t n)
{
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
    die(path);
}

static hid_t create(const char *path)
{
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
  H5Pclose(fcpl);
  H5Pclose(fapl);
  if (f < 0)
    die(path);
  return f;
}

/* A dataset of `type` in the file holding `mem` (native doubles unless
 * mem_type says otherwise); chunk > 0: chunked in pieces of that many rows,
 * deflated. */
static void dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                    hid_t mem_type, const void *mem, int chunk)
{
  hid_t space = rank < 0 ? H5Screate(H5S_NULL) : rank == 0 ? H5Screate(H5S_SCALAR)
                                                            : H5Screate_simple(rank, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(dcpl, 0);
  if (chunk > 0) {
    hsize_t c[8];
    for (int i = 0; i < rank; i++)
      c[i] = i == 0 ? (hsize_t)chunk : dims[i];
    H5Pset_chunk(dcpl, rank, c);
    H5Pset_deflate(dcpl, 6);
  }
  hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (d < 0 || (mem && H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, mem) < 0))
    die(name);
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(space);
}

static hid_t group(hid_t f, const char *name)
{
  hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
  H5Pset_obj_track_times(gcpl, 0);
  hid_t g = H5Gcreate2(f, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
  H5Pclose(gcpl);
  if (g < 0)
    die(name);
  return g;
}

static const double SIGMA[9] = {2, 0.5, 0.1, 0.5, 1, 0.2, 0.1, 0.2, 1.5};
static const double W[6] = {1, -1, 0.5, 0.25, 2, -0.75};

static void h5cov(void)
{
  hsize_t nn[2] = {3, 3}, an[2] = {2, 3}, one[1] = {3}, zero[2] = {0, 0};
  hid_t f = create(DIR "h5cov/sigma-w.h5");
  dataset(f, "Sigma", H5T_IEEE_F64LE, 2, nn, H5T_NATIVE_DOUBLE, SIGMA, 0);
  dataset(f, "W", H5T_IEEE_F64LE, 2, an, H5T_NATIVE_DOUBLE, W, 0);
  H5Fclose(f);

  f = create(DIR "h5cov/sigma-f32-deflate.h5");
  dataset(f, "Sigma", H5T_IEEE_F32BE, 2, nn, H5T_NATIVE_DOUBLE, SIGMA, 2);
  dataset(f, "x", H5T_IEEE_F64LE, 1, one, H5T_NATIVE_DOUBLE, W, 0);
  H5Fclose(f);

  int ints[9] = {2, 1, 0, 1, 2, 1, 0, 1, 2};
  f = create(DIR "h5cov/sigma-int-group.h5");
  dataset(f, "Sigma", H5T_STD_I32LE, 2, nn, H5T_NATIVE_INT, ints, 0);
  hid_t g = group(f, "g");
  dataset(g, "Sigma", H5T_IEEE_F64LE, 2, nn, H5T_NATIVE_DOUBLE, SIGMA, 0);
  H5Gclose(g);
  H5Fclose(f);

  f = create(DIR "h5cov/sigma-empty.h5");
  dataset(f, "Sigma", H5T_IEEE_F64LE, 2, zero, H5T_NATIVE_DOUBLE, NULL, 0);
  dataset(f, "W", H5T_IEEE_F64LE, -1, NULL, H5T_NATIVE_DOUBLE, NULL, 0);
  H5Fclose(f);

  hid_t str = H5Tcopy(H5T_C_S1);
  H5Tset_size(str, 4);
  f = create(DIR "h5cov/sigma-string.h5");
  dataset(f, "Sigma", str, 1, one, str, "abcdefghijkl", 0);
  dataset(f, "W", H5T_IEEE_F64LE, 0, NULL, H5T_NATIVE_DOUBLE, W, 0);
  H5Fclose(f);
  H5Tclose(str);
}

static void tensor_hdf5(void)
{
  hsize_t m[2] = {2, 3}, v[1] = {4}, k[4] = {1, 1, 3, 2};
  hid_t f = create(DIR "tensor_hdf5/weights.h5");
  hid_t g = group(f, "layer");
  dataset(g, "W", H5T_IEEE_F32LE, 2, m, H5T_NATIVE_DOUBLE, W, 0);
  dataset(g, "b", H5T_IEEE_F64BE, 1, v, H5T_NATIVE_DOUBLE, SIGMA, 0);
  H5Gclose(g);
  int idx[4] = {0, 1, 2, 3};
  dataset(f, "index", H5T_STD_I32LE, 1, v, H5T_NATIVE_INT, idx, 0);
  dataset(f, "scale", H5T_IEEE_F64LE, 0, NULL, H5T_NATIVE_DOUBLE, W, 0);
  H5Fclose(f);

  f = create(DIR "tensor_hdf5/kernel-deflate.h5");
  dataset(f, "kernel", H5T_IEEE_F32LE, 4, k, H5T_NATIVE_DOUBLE, W, 1);
  /* IEEE half through HDF5's own type: float32 with 5/10-bit fields */
  hid_t half = H5Tcopy(H5T_IEEE_F32LE);
  H5Tset_fields(half, 15, 10, 5, 0, 10);
  H5Tset_precision(half, 16);
  H5Tset_size(half, 2);
  H5Tset_ebias(half, 15);
  dataset(f, "half", half, 1, v, H5T_NATIVE_DOUBLE, SIGMA, 0);
  H5Tclose(half);
  H5Fclose(f);
}

static void results(void)
{
  const char *path = DIR "export/results.h5";
  qrd_provenance prov = {.seed = 1, .rng = "mt19937", .threads = 1};
  qrd_results *r;
  double x[3] = {1, 2, 3}, y[3] = {0.5, 0.25, 0.125}, e[3] = {0.01, 0.02, 0.03};
  if (qrd_results_create(path, &prov, &r) ||
      qrd_results_panel(r, "p", "a panel", "bits", "mse") ||
      qrd_results_describe(r, "source=gaussian; bits=4", "standard error of the mean") ||
      qrd_results_curve(r, "p", "c", "a curve", 3, x, y, e) ||
      qrd_results_curve(r, "p", "d", "exact", 2, x, y, NULL) ||
      qrd_results_panel(r, "q-2", "another", "x", "y") ||
      qrd_results_curve(r, "q-2", "e", "one point", 1, x, y, NULL) ||
      qrd_results_attr_double(r, "target_bits", 4.5) ||
      qrd_results_attr_string(r, "note", "seed corpus") || qrd_results_commit(r))
    die(path);
  /* the curve reader reads the same files */
  FILE *in = fopen(path, "rb");
  if (!in)
    die(path);
  static unsigned char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, in);
  fclose(in);
  put(DIR "curve/results.h5", buf, n);
}

static void le64(unsigned char *p, unsigned long long v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static void safetensors(const char *name, const char *json, const void *data, size_t n)
{
  size_t h = strlen(json);
  unsigned char *buf = malloc(8 + h + n);
  le64(buf, h);
  memcpy(buf + 8, json, h);
  memcpy(buf + 8 + h, data, n);
  char path[256];
  snprintf(path, sizeof path, DIR "safetensors/%s", name);
  put(path, buf, 8 + h + n);
  free(buf);
}

static void npy(const char *name, int major, const char *dict, const void *data, size_t n)
{
  size_t pre = major == 1 ? 10 : 12, h = strlen(dict);
  size_t total = pre + h + 1, pad = (64 - total % 64) % 64;
  size_t hlen = h + pad + 1;
  unsigned char *buf = malloc(pre + hlen + n);
  memcpy(buf, "\x93NUMPY", 6);
  buf[6] = (unsigned char)major;
  buf[7] = 0;
  for (size_t i = 0; i < pre - 8; i++)
    buf[8 + i] = (unsigned char)(hlen >> (8 * i));
  memcpy(buf + pre, dict, h);
  memset(buf + pre + h, ' ', pad);
  buf[pre + hlen - 1] = '\n';
  memcpy(buf + pre + hlen, data, n);
  char path[256];
  snprintf(path, sizeof path, DIR "npy/%s", name);
  put(path, buf, pre + hlen + n);
  free(buf);
}

static void tfjs(const char *name, const char *json, const void *shard, size_t n)
{
  size_t j = strlen(json);
  unsigned char *buf = malloc(j + 1 + n);
  memcpy(buf, json, j);
  buf[j] = 0;
  memcpy(buf + j + 1, shard, n);
  char path[256];
  snprintf(path, sizeof path, DIR "tfjs/%s", name);
  put(path, buf, j + 1 + n);
  free(buf);
}

int main(void)
{
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  h5cov();
  tensor_hdf5();
  results();

  float f32[6] = {1, -2, 0.5f, 0.25f, 3, -0.125f};
  unsigned char mixed[6 * 4 + 4 * 2 + 8];
  memcpy(mixed, f32, sizeof f32);
  for (int i = 0; i < 4; i++) { /* bf16 1.0, -1.0, 0.5, 2.0 */
    static const unsigned short b[4] = {0x3f80, 0xbf80, 0x3f00, 0x4000};
    mixed[24 + 2 * i] = (unsigned char)b[i];
    mixed[25 + 2 * i] = (unsigned char)(b[i] >> 8);
  }
  le64(mixed + 32, 7);
  safetensors("weights.safetensors",
              "{\"__metadata__\":{\"format\":\"pt\"},"
              "\"layer.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
              "\"layer.bias\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[24,32]},"
              "\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[32,40]}}  ",
              mixed, sizeof mixed);
  safetensors("empty.safetensors", "{}", NULL, 0);
  safetensors("zero-size.safetensors",
              "{\"e\":{\"dtype\":\"F16\",\"shape\":[0,4],\"data_offsets\":[0,0]},"
              "\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}}",
              "\0\0\0\0\0\0\xf0\x3f", 8);

  double f64[4] = {1, 2, 3, 4};
  npy("weights.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f32,
      sizeof f32);
  npy("v2.npy", 2, "{'descr': '<f8', 'fortran_order': True, 'shape': (4,), }", f64, sizeof f64);
  npy("scalar.npy", 3, "{\"descr\": \"<f2\", \"fortran_order\": False, \"shape\": ()}",
      "\x00\x3c", 2);
  npy("py2.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 1L), }", f32, 12);

  int32_t ix[3] = {0, 5, -1};
  unsigned char shard[4 * 4 + 3 * 4];
  memcpy(shard, f32, 16);
  memcpy(shard + 16, ix, 12);
  tfjs("model.json",
       "{\"format\":\"graph-model\",\"weightsManifest\":[{\"paths\":[\"shard.bin\"],"
       "\"weights\":[{\"name\":\"dense/kernel\",\"shape\":[2,2],\"dtype\":\"float32\"},"
       "{\"name\":\"ids\",\"shape\":[3],\"dtype\":\"int32\"}]}]}",
       shard, sizeof shard);
  tfjs("two-groups.json",
       "{\"weightsManifest\":[{\"paths\":[\"shard.bin\"],\"weights\":[{\"name\":\"a\","
       "\"shape\":[1,1,2,2],\"dtype\":\"float32\"}]},{\"paths\":[\"shard.bin\",\"shard.bin\"],"
       "\"weights\":[{\"name\":\"b\",\"shape\":[14],\"dtype\":\"float32\"}]}]}",
       shard, sizeof shard);
  tfjs("quantized.json",
       "{\"weightsManifest\":[{\"paths\":[\"shard.bin\"],\"weights\":[{\"name\":\"q\","
       "\"shape\":[4],\"dtype\":\"float32\",\"quantization\":{\"dtype\":\"uint8\"}}]}]}",
       shard, 4);
  return 0;
}
