/* TF.js models (io/tensor_tfjs.c): the input up to its first NUL byte is
 * model.json, the rest the shard file shard.bin beside it (the seeds'
 * manifests name it; a mutated one may name any other file). */
#include <string.h>

#include "fuzz.h"

int qrd_fuzz_tfjs(const uint8_t *data, size_t size)
{
  const uint8_t *nul = memchr(data, 0, size);
  size_t json = nul ? (size_t)(nul - data) : size;
  char path[256], shard[256];
  qrd_fuzz_write("shard.bin", nul ? nul + 1 : data, nul ? size - json - 1 : 0, shard,
                 sizeof shard);
  qrd_fuzz_write("model.json", data, json, path, sizeof path);
  return qrd_fuzz_tensor_file(path);
}

QRD_FUZZ_MAIN(tfjs)
