/* Config files (core/config.c): load, then every getter on the keys the
 * seeds use, then the check for unknown keys. */
#include <stdlib.h>

#include "core/config.h"
#include "core/error.h"
#include "fuzz.h"

int qrd_fuzz_config(const uint8_t *data, size_t size)
{
  char path[256];
  qrd_fuzz_write("fuzz.cfg", data, size, path, sizeof path);
  qrd_error_clear();
  qrd_config *c;
  if (qrd_fuzz_status(qrd_config_load(path, &c), "qrd_config_load"))
    return 0;
  double d, v[QRD_CONFIG_MAX_LIST];
  unsigned long u, w[QRD_CONFIG_MAX_LIST];
  const char *words[QRD_CONFIG_MAX_LIST];
  size_t n;
  qrd_fuzz_status(qrd_config_double(c, "rate", -1e300, 1e300, &d), "double");
  qrd_fuzz_status(qrd_config_ulong(c, "seed", &u), "ulong");
  qrd_fuzz_status(qrd_config_whole(c, "samples", 1, 1e12, &u), "whole");
  qrd_fuzz_status(qrd_config_power_of_two(c, "block", 1, 65536, &u), "power_of_two");
  if (qrd_fuzz_status(qrd_config_list(c, "dists", words, &n), "list") == QRD_OK)
    qrd_fuzz_assert(n <= QRD_CONFIG_MAX_LIST, "list too long");
  if (qrd_fuzz_status(qrd_config_numbers(c, "bits", 0, 64, v, 16, &n), "numbers") == QRD_OK)
    qrd_fuzz_assert(n <= 16, "numbers too long");
  if (qrd_fuzz_status(qrd_config_wholes(c, "levels", 2, 1 << 20, w, 32, &n), "wholes") ==
      QRD_OK)
    qrd_fuzz_assert(n <= 32, "wholes too long");
  if (qrd_fuzz_status(qrd_config_ascending_wholes(c, "sizes", 1, 1e9, w, QRD_CONFIG_MAX_LIST,
                                                  &n), "ascending_wholes") == QRD_OK)
    for (size_t i = 1; i < n; i++)
      qrd_fuzz_assert(w[i] > w[i - 1], "ascending wholes not ascending");
  if (qrd_fuzz_status(qrd_config_range(c, "x", -100, 100, v, 40, &n), "range") == QRD_OK)
    qrd_fuzz_assert(n >= 1 && n <= 40, "range of a wrong length");
  qrd_fuzz_status(qrd_config_invalid(c, "rate", "fuzz"), "invalid");
  qrd_fuzz_status(qrd_config_check_unused(c), "check_unused");
  qrd_config_free(c);
  return 0;
}

QRD_FUZZ_MAIN(config)
