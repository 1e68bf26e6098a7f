/* The HDF5 reader: files are written with the plain HDF5 API, so the reader
 * is checked against what HDF5 itself put there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "core/error.h"
#include "io/h5read.h"
#include "suites.h"

static const double VEC[3] = {0.5, -1.0, 1e-300};
static const double MAT[2][3] = {{1, 2, 3}, {4, 5, 6}};
static const int INTS[4] = {-2, 0, 7, 9};

/* The test's HDF5 file and a text file. */
#define TEMPLATE "/tmp/qrd-h5read-XXXXXX"
static char h5[sizeof TEMPLATE], text[sizeof TEMPLATE];

/* h5: /vec (3), /m/mat (2x3), /m/ints (4 ints), /m/names (2 strings). */
static void files_create(void)
{
  strcpy(h5, TEMPLATE);
  strcpy(text, TEMPLATE);
  int fd = mkstemp(h5);
  ck_assert(fd >= 0 && close(fd) == 0);
  hid_t f = H5Fcreate(h5, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(f >= 0);
  hsize_t n = 3, rc[2] = {2, 3}, k = 4, two = 2;
  ck_assert(H5LTmake_dataset_double(f, "vec", 1, &n, VEC) >= 0);
  hid_t g = H5Gcreate2(f, "m", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(g >= 0);
  ck_assert(H5LTmake_dataset_double(g, "mat", 2, rc, &MAT[0][0]) >= 0);
  ck_assert(H5LTmake_dataset_int(g, "ints", 1, &k, INTS) >= 0);
  hid_t str = H5Tcopy(H5T_C_S1);
  ck_assert(str >= 0 && H5Tset_size(str, 4) >= 0);
  ck_assert(H5LTmake_dataset(g, "names", 1, &two, str, "abcdefgh") >= 0);
  ck_assert(H5Tclose(str) >= 0 && H5Gclose(g) >= 0 && H5Fclose(f) >= 0);
  fd = mkstemp(text);
  ck_assert(fd >= 0);
  ck_assert(write(fd, "not hdf5\n", 9) == 9 && close(fd) == 0);
}

static void files_remove(void)
{
  unlink(h5);
  unlink(text);
}

static qrd_h5read *open_ok(void)
{
  qrd_h5read *f;
  ck_assert_int_eq(qrd_h5read_open(h5, &f), QRD_OK);
  return f;
}

/* The whole detail: "FILE: MESSAGE". */
static void assert_detail(const char *file, const char *message)
{
  char want[512];
  snprintf(want, sizeof want, "%s: %s", file, message);
  ck_assert_str_eq(qrd_error_detail(), want);
}

START_TEST(test_read_vector_and_matrix)
{
  qrd_h5read *f = open_ok();
  size_t dims[2];
  double v[3], m[6], ints[4];
  ck_assert_int_eq(qrd_h5read_dims(f, "/vec", 1, dims), QRD_OK);
  ck_assert_uint_eq(dims[0], 3);
  ck_assert_int_eq(qrd_h5read_doubles(f, "/vec", 3, v), QRD_OK);
  ck_assert(memcmp(v, VEC, sizeof v) == 0);
  ck_assert_int_eq(qrd_h5read_dims(f, "m/mat", 2, dims), QRD_OK);
  ck_assert(dims[0] == 2 && dims[1] == 3);
  ck_assert_int_eq(qrd_h5read_doubles(f, "/m/mat", 6, m), QRD_OK);
  ck_assert(memcmp(m, MAT, sizeof m) == 0); /* row-major, as written */
  ck_assert_int_eq(qrd_h5read_dims(f, "/m/ints", 1, dims), QRD_OK);
  ck_assert_int_eq(qrd_h5read_doubles(f, "/m/ints", 4, ints), QRD_OK);
  for (int i = 0; i < 4; i++)
    ck_assert(ints[i] == INTS[i]);
  qrd_h5read_close(f);
}
END_TEST

/* A missing parent is "no", not an HDF5 error. */
START_TEST(test_exists_and_groups)
{
  qrd_h5read *f = open_ok();
  ck_assert(qrd_h5read_exists(f, "/"));
  ck_assert(qrd_h5read_exists(f, "/m/mat"));
  ck_assert(qrd_h5read_exists(f, "m"));
  ck_assert(!qrd_h5read_exists(f, "/m/none"));
  ck_assert(!qrd_h5read_exists(f, "/none/mat"));
  ck_assert(!qrd_h5read_exists(f, "/vec/x"));
  ck_assert_int_eq(qrd_h5read_group(f, "/"), QRD_OK);
  ck_assert_int_eq(qrd_h5read_group(f, "m"), QRD_OK);
  ck_assert_int_eq(qrd_h5read_group(f, "/vec"), QRD_ENOTFOUND);
  assert_detail(h5, "no group '/vec'");
  ck_assert_int_eq(qrd_h5read_group(f, "gone/m"), QRD_ENOTFOUND);
  assert_detail(h5, "no group 'gone/m'");
  qrd_h5read_close(f);
}
END_TEST

/* Reads the file cannot serve: count 0 asks for the dims at `rank`, any
 * other count for that many doubles. */
static const struct {
  const char *obj;
  int rank;
  size_t count;
  int status;
  const char *message;
} BAD[] = {
    {"/m/none", 2, 0, QRD_ENOTFOUND, "no dataset '/m/none'"},
    {"/none/x", 0, 1, QRD_ENOTFOUND, "no dataset '/none/x'"},
    {"/m", 2, 0, QRD_EIO, "'/m' is not a readable dataset"},
    {"/vec", 2, 0, QRD_EINVAL, "dataset '/vec' has rank 1 (allowed: a 2-D matrix)"},
    {"/m/mat", 1, 0, QRD_EINVAL, "dataset '/m/mat' has rank 2 (allowed: a 1-D vector)"},
    {"/m/names", 1, 0, QRD_EINVAL, "dataset '/m/names' is not numeric"},
    {"/m/mat", 0, 5, QRD_EINVAL, "dataset '/m/mat' has 6 elements, not 5"},
    {"/m/names", 0, 2, QRD_EIO, "cannot read dataset '/m/names'"},
};

START_TEST(test_bad_reads)
{
  qrd_h5read *f = open_ok();
  size_t dims[2];
  double x[6];
  int st = BAD[_i].count ? qrd_h5read_doubles(f, BAD[_i].obj, BAD[_i].count, x)
                         : qrd_h5read_dims(f, BAD[_i].obj, BAD[_i].rank, dims);
  ck_assert_int_eq(st, BAD[_i].status);
  assert_detail(h5, BAD[_i].message);
  qrd_h5read_close(f);
}
END_TEST

START_TEST(test_open_errors)
{
  qrd_h5read *f;
  char missing[sizeof h5 + 8];
  snprintf(missing, sizeof missing, "%s.none", h5);
  ck_assert_int_eq(qrd_h5read_open(missing, &f), QRD_ENOTFOUND);
  ck_assert_ptr_null(f);
  assert_detail(missing, "No such file or directory");
  ck_assert_int_eq(qrd_h5read_open(text, &f), QRD_EIO);
  assert_detail(text, "not an HDF5 file");
  ck_assert_int_eq(qrd_h5read_open("/tmp", &f), QRD_EIO);
  assert_detail("/tmp", "not an HDF5 file");
  qrd_h5read_close(NULL);
}
END_TEST

Suite *qrd_suite_h5read(void)
{
  Suite *s = suite_create("h5read");
  TCase *tc = tcase_create("read");
  tcase_add_checked_fixture(tc, files_create, files_remove);
  tcase_add_test(tc, test_read_vector_and_matrix);
  tcase_add_test(tc, test_exists_and_groups);
  tcase_add_loop_test(tc, test_bad_reads, 0, sizeof BAD / sizeof BAD[0]);
  tcase_add_test(tc, test_open_errors);
  suite_add_tcase(s, tc);
  return s;
}
