/* HDF5 files as tensor files (io/tensor_hdf5.c through io/h5read.c): the input as a file
 * named weights.h5, through io/tensor.h as qrd tensors and qrd eval use it. */
#include "fuzz.h"

int qrd_fuzz_tensor_hdf5(const uint8_t *data, size_t size)
{
  return qrd_fuzz_hdf5_input("weights.h5", data, size, qrd_fuzz_tensor_file);
}

QRD_FUZZ_MAIN(tensor_hdf5)
