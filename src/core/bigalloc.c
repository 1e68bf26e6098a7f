#include "core/bigalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *qrd_big_alloc(size_t count, size_t size)
{
  if (size && count > SIZE_MAX / size)
    return NULL;
  size_t bytes = count * size;
  if (bytes < QRD_BIG_ALLOC_MIN)
    return malloc(bytes ? bytes : 1);
  if (bytes > SIZE_MAX - HUGE_PAGE)
    return NULL;
  /* whole huge pages, so that the advice covers only this array */
  size_t span = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
  void *p;
  if (posix_memalign(&p, HUGE_PAGE, span))
    return NULL;
#ifdef MADV_HUGEPAGE
  madvise(p, span, MADV_HUGEPAGE);
#endif
  return p;
}
