#include "h5_put.h"

#include <check.h>
#include <hdf5_hl.h>

void qrd_test_h5_put(hid_t loc, const char *name, hsize_t rows, hsize_t cols, const double *x)
{
  hsize_t dims[2] = {rows, cols};
  ck_assert(H5LTmake_dataset_double(loc, name, 2, dims, x) >= 0);
}

void qrd_test_h5_put_declared(hid_t loc, const char *name, hsize_t rows, hsize_t cols)
{
  hsize_t dims[2] = {rows, cols}, chunk[2] = {1, cols < 64 ? cols : 64};
  hid_t s = H5Screate_simple(2, dims, NULL), p = H5Pcreate(H5P_DATASET_CREATE);
  ck_assert(s >= 0 && p >= 0);
  if (rows && cols) /* an empty one is contiguous: a chunk may not exceed it */
    ck_assert(H5Pset_chunk(p, 2, chunk) >= 0);
  hid_t d = H5Dcreate2(loc, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, p, H5P_DEFAULT);
  ck_assert(d >= 0);
  H5Dclose(d);
  H5Pclose(p);
  H5Sclose(s);
}
