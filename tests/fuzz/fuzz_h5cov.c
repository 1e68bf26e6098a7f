/* The HDF5 reader of a user's arrays (io/h5read.c) as file: covariances
 * use it (mat/cov_file.c): Sigma's size, Sigma, the optional W; then
 * io/h5read's own calls on the datasets a Sigma file holds. */
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "fuzz.h"
#include "io/h5read.h"
#include "mat/cov.h"

/* Sigma is n x n with an O(n^3) check: the fuzz target reads small ones. */
#define MAX_N 64
#define MAX_READ 4096

static void direct(const char *path)
{
  static const char *const objs[] = {"/Sigma", "/W", "/g/Sigma", "/x"};
  qrd_h5read *f;
  if (qrd_fuzz_status(qrd_h5read_open(path, &f), "qrd_h5read_open"))
    return;
  qrd_fuzz_status(qrd_h5read_group(f, "/g"), "qrd_h5read_group");
  for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
    size_t dims[2];
    qrd_h5read_shape_info s;
    if (qrd_fuzz_status(qrd_h5read_shape(f, objs[i], &s), "qrd_h5read_shape") == QRD_OK) {
      size_t count = 1;
      for (int d = 0; d < s.rank; d++)
        count *= s.dims[d];
      qrd_fuzz_assert((count == s.count || (s.rank == 0 && s.count == 0)) && s.rank >= 0 && s.rank <= QRD_H5READ_MAX_RANK,
                      "shape disagrees with itself");
      if (s.cls != QRD_H5READ_OTHER && s.count <= MAX_READ) {
        double *v = malloc((s.count ? s.count : 1) * sizeof *v);
        qrd_fuzz_status(qrd_h5read_doubles(f, objs[i], s.count, v), "qrd_h5read_doubles");
        free(v);
      }
    }
    qrd_fuzz_status(qrd_h5read_dims(f, objs[i], 1, dims), "qrd_h5read_dims");
    qrd_fuzz_status(qrd_h5read_dims(f, objs[i], 2, dims), "qrd_h5read_dims");
  }
  qrd_h5read_close(f);
}

static int read_cov(const char *path)
{
  qrd_error_clear();
  qrd_cov c;
  size_t n;
  char spec[300];
  snprintf(spec, sizeof spec, "file:%s", path);
  if (qrd_fuzz_status(qrd_cov_parse(spec, &c), "qrd_cov_parse") == QRD_OK &&
      qrd_fuzz_status(qrd_cov_dim(&c, 0, &n), "qrd_cov_dim") == QRD_OK && n >= 1 &&
      n <= MAX_N) {
    double *S = malloc(n * n * sizeof *S);
    qrd_fuzz_assert(S != NULL, "no memory");
    if (qrd_fuzz_status(qrd_cov_build(&c, n, 0, S), "qrd_cov_build") == QRD_OK) {
      size_t a;
      double *W;
      if (qrd_fuzz_status(qrd_cov_read_w(&c, n, &a, &W), "qrd_cov_read_w") == QRD_OK)
        qrd_fuzz_assert((a == 0) == (W == NULL), "W and its rows disagree");
      free(W);
    }
    free(S);
  }
  direct(path);
  return 0;
}

int qrd_fuzz_h5cov(const uint8_t *data, size_t size)
{
  return qrd_fuzz_hdf5_input("sigma.h5", data, size, read_cov);
}

QRD_FUZZ_MAIN(h5cov)
