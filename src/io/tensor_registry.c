/* Every tensor reader, tried in this order (the first whose probe takes a
 * file reads it).  Adding one: its file plus one line here. */
#include "io/tensor.h"

extern const qrd_tensor_reader qrd_tensor_reader_hdf5;
extern const qrd_tensor_reader qrd_tensor_reader_safetensors;
extern const qrd_tensor_reader qrd_tensor_reader_npy;
extern const qrd_tensor_reader qrd_tensor_reader_tfjs;

static const qrd_tensor_reader *const readers[] = {
  &qrd_tensor_reader_hdf5,
  &qrd_tensor_reader_safetensors,
  &qrd_tensor_reader_npy,
  &qrd_tensor_reader_tfjs,
};

size_t qrd_tensor_reader_count(void) { return sizeof readers / sizeof readers[0]; }

const qrd_tensor_reader *qrd_tensor_reader_at(size_t i)
{
  return i < qrd_tensor_reader_count() ? readers[i] : NULL;
}
