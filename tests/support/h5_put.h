/* Small HDF5 files for tests: a rows x cols matrix of doubles, or one that
 * only declares its size. */
#ifndef QRD_TEST_H5_PUT_H
#define QRD_TEST_H5_PUT_H

#include <hdf5.h>

/* Dataset `name` of loc <- x (rows x cols, row-major). */
void qrd_test_h5_put(hid_t loc, const char *name, hsize_t rows, hsize_t cols, const double *x);

/* A dataset that declares rows x cols doubles but stores none (chunked,
 * never written): a small file claiming a huge matrix. */
void qrd_test_h5_put_declared(hid_t loc, const char *name, hsize_t rows, hsize_t cols);

#endif
