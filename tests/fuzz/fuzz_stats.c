/* The allocate statistics TSV (alloc/stats.c): read, check, and the
 * per-type positions the bits panel draws from the names. */
#include <stdlib.h>

#include "alloc/alloc.h"
#include "core/error.h"
#include "fuzz.h"

int qrd_fuzz_stats(const uint8_t *data, size_t size)
{
  char path[256];
  qrd_fuzz_write("stats.tsv", data, size, path, sizeof path);
  qrd_error_clear();
  qrd_alloc_stats *s;
  if (qrd_fuzz_status(qrd_alloc_stats_read(path, &s), "qrd_alloc_stats_read"))
    return 0;
  qrd_fuzz_assert(s->n >= 1, "statistics without tensors");
  qrd_fuzz_assert(qrd_fuzz_status(qrd_alloc_stats_check(s), "check") == QRD_OK,
                  "read statistics fail their check");
  if (s->n > 64) { /* the names' layers: quadratic in the tensors */
    qrd_alloc_stats_free(s);
    return 0;
  }
  double *x = malloc(s->n * sizeof *x), *lo = malloc(s->n * sizeof *lo),
         *hi = malloc(s->n * sizeof *hi);
  qrd_fuzz_assert(x && lo && hi, "no memory");
  qrd_alloc_layer_positions(s, x, lo, hi);
  char type[QRD_ALLOC_NAME_MAX];
  for (size_t t = 0; t < s->n; t++)
    if (qrd_alloc_first_of_type(s, t, type, sizeof type))
      qrd_alloc_type_points(s, type, x, x, lo, hi);
  free(x);
  free(lo);
  free(hi);
  qrd_alloc_stats_free(s);
  return 0;
}

QRD_FUZZ_MAIN(stats)
