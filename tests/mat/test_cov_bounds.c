/* Issue 16 at the library level: sizes of Sigma and W are bounded and
 * multiplied with overflow checks, an allocation failure names what was
 * asked for, and a built Sigma with unusable values is refused. */
#include <check.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "mat/cov.h"

START_TEST(test_alloc_overflow)
{
  size_t bytes = 7;
  ck_assert_int_eq(qrd_mat_bytes((size_t)1 << 31, (size_t)1 << 31, 8, "Sigma", &bytes),
                   QRD_ENOMEM);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "Sigma"));
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "overflow"));
  ck_assert_uint_eq(bytes, 7); /* untouched */
  ck_assert_int_eq(qrd_mat_bytes(SIZE_MAX, 2, 1, "W", &bytes), QRD_ENOMEM);
  ck_assert_int_eq(qrd_mat_bytes(3, 5, 8, "W", &bytes), QRD_OK);
  ck_assert_uint_eq(bytes, 120);
  ck_assert_int_eq(qrd_mat_bytes(0, SIZE_MAX, 8, "W", &bytes), QRD_OK);
  ck_assert_uint_eq(bytes, 0);
  qrd_error_clear();
  ck_assert_ptr_null(qrd_mat_doubles_alloc((size_t)1 << 31, (size_t)1 << 31, "the matrix"));
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "the matrix"));
  /* fits size_t but not any memory: 2^60 bytes */
  qrd_error_clear();
  ck_assert_ptr_null(qrd_mat_doubles_alloc((size_t)1 << 30, (size_t)1 << 27, "big W"));
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "big W"));
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "GiB"));
  double *x = qrd_mat_doubles_alloc(4, 4, "small");
  ck_assert_ptr_nonnull(x);
  free(x);
}
END_TEST

START_TEST(test_dim_bounds)
{
  qrd_cov c;
  size_t n = 99;
  ck_assert_int_eq(qrd_cov_parse("identity", &c), QRD_OK); /* no parameters: no memcpy(NULL) */
  ck_assert_int_eq(qrd_cov_parse("randcorr", &c), QRD_OK);
  ck_assert_int_eq(qrd_cov_dim(&c, 0, &n), QRD_EINVAL);
  ck_assert_int_eq(qrd_cov_dim(&c, QRD_COV_MAX_N + 1, &n), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "16384"));
  ck_assert_int_eq(qrd_cov_dim(&c, (size_t)1 << 31, &n), QRD_EINVAL);
  ck_assert_int_eq(qrd_cov_dim(&c, QRD_COV_MAX_N, &n), QRD_OK);
  ck_assert_uint_eq(n, QRD_COV_MAX_N);
  double S[1];
  ck_assert_int_eq(qrd_cov_build(&c, (size_t)1 << 31, 1, S), QRD_EINVAL);
  ck_assert_int_eq(qrd_cov_build(&c, 0, 1, S), QRD_EINVAL);
  ck_assert_int_eq(qrd_cov_build(&c, 1, 1, S), QRD_OK);
  ck_assert(S[0] == 1.0);
}
END_TEST

START_TEST(test_check_values)
{
  double S[4] = {1, 0, 0, 1};
  ck_assert_int_eq(qrd_cov_check(2, S, "x"), QRD_OK);
  S[3] = 0.0; /* a dead coordinate is allowed */
  ck_assert_int_eq(qrd_cov_check(2, S, "x"), QRD_OK);
  S[3] = 1e-310;
  ck_assert_int_eq(qrd_cov_check(2, S, "fam"), QRD_EDOM);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "Sigma[1][1] = 1e-310"));
  S[3] = 1e200;
  ck_assert_int_eq(qrd_cov_check(2, S, "fam"), QRD_EDOM);
  S[3] = 1.0;
  S[1] = NAN;
  ck_assert_int_eq(qrd_cov_check(2, S, "fam"), QRD_EDOM);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "not finite"));
  S[1] = 1e-300; /* a tiny correlation off the diagonal is fine */
  ck_assert_int_eq(qrd_cov_check(2, S, "fam"), QRD_OK);
}
END_TEST

/* W of a file: NaN refused by position; a W declaring 2^62 rows refused
 * before anything is allocated or read. */
START_TEST(test_file_w)
{
  char dir[64] = "/tmp/qrd-covb-XXXXXX", path[128], spec[160];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/w.h5", dir);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(f >= 0);
  static const double I3[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  double W[6] = {1, 2, 3, 4, NAN, 6};
  hsize_t d33[2] = {3, 3}, d23[2] = {2, 3};
  ck_assert(H5Gclose(H5Gcreate2(f, "nan", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0);
  ck_assert(H5Gclose(H5Gcreate2(f, "huge", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0);
  ck_assert(H5LTmake_dataset_double(f, "nan/Sigma", 2, d33, I3) >= 0);
  ck_assert(H5LTmake_dataset_double(f, "nan/W", 2, d23, W) >= 0);
  ck_assert(H5LTmake_dataset_double(f, "huge/Sigma", 2, d33, I3) >= 0);
  hsize_t dh[2] = {(hsize_t)1 << 62, 3}, ch[2] = {1, 3};
  hid_t s = H5Screate_simple(2, dh, NULL), p = H5Pcreate(H5P_DATASET_CREATE);
  ck_assert(H5Pset_chunk(p, 2, ch) >= 0);
  hid_t ds = H5Dcreate2(f, "huge/W", H5T_IEEE_F64LE, s, H5P_DEFAULT, p, H5P_DEFAULT);
  ck_assert(ds >= 0);
  H5Dclose(ds);
  H5Pclose(p);
  H5Sclose(s);
  ck_assert(H5Fclose(f) >= 0);
  qrd_cov c;
  size_t a = 5;
  double *w = (double *)1;
  snprintf(spec, sizeof spec, "file:%s:nan", path);
  ck_assert_int_eq(qrd_cov_parse(spec, &c), QRD_OK);
  ck_assert_int_eq(qrd_cov_read_w(&c, 3, &a, &w), QRD_EINVAL);
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "[1][1] = nan"));
  ck_assert(a == 0 && w == NULL);
  snprintf(spec, sizeof spec, "file:%s:huge", path);
  ck_assert_int_eq(qrd_cov_parse(spec, &c), QRD_OK);
  int st = qrd_cov_read_w(&c, 3, &a, &w);
  ck_assert_msg(st == QRD_EINVAL || st == QRD_EIO, "status %d: %s", st, qrd_error_detail());
  ck_assert_ptr_nonnull(strstr(qrd_error_detail(), "/huge/W"));
  ck_assert(a == 0 && w == NULL);
  unlink(path);
  rmdir(dir);
}
END_TEST

Suite *qrd_suite_cov_bounds(void)
{
  Suite *s = suite_create("cov_bounds");
  TCase *tc = tcase_create("cov_bounds");
  tcase_add_test(tc, test_alloc_overflow);
  tcase_add_test(tc, test_dim_bounds);
  tcase_add_test(tc, test_check_values);
  tcase_add_test(tc, test_file_w);
  suite_add_tcase(s, tc);
  return s;
}
