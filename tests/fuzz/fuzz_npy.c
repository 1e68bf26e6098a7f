/* NumPy .npy files (io/tensor_npy.c): the input as a file
 * named weights.npy, through io/tensor.h as qrd tensors and qrd eval use it. */
#include "fuzz.h"

int qrd_fuzz_npy(const uint8_t *data, size_t size)
{
  char path[256];
  qrd_fuzz_write("weights.npy", data, size, path, sizeof path);
  return qrd_fuzz_tensor_file(path);
}

QRD_FUZZ_MAIN(npy)
