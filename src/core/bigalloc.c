#include "core/bigalloc.h"

#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* Blocks are whole multiples of GRAIN, so that requests of nearly the same
 * size share parked blocks. */
#define GRAIN ((size_t)2 << 20)

/* A block: where it starts and how long it is. */
typedef struct {
  void *p;
  size_t span;
} block;

/* The blocks handed out (so that qrd_big_free knows a block's span) and
 * the parked ones (freed, still mapped and touched), oldest first.  Both
 * are short: a figure holds tens of big arrays at a time. */
typedef struct {
  block *b;
  size_t n, cap;
} block_list;

static block_list live, parked;
static size_t parked_bytes;

static int list_push(block_list *l, block b)
{
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 64;
    block *nb = realloc(l->b, cap * sizeof *nb);
    if (!nb)
      return 0;
    l->b = nb;
    l->cap = cap;
  }
  l->b[l->n++] = b;
  return 1;
}

static block list_take(block_list *l, size_t i)
{
  block b = l->b[i];
  for (; i + 1 < l->n; i++)
    l->b[i] = l->b[i + 1];
  l->n--;
  return b;
}

/* 1 + the index of the newest entry of live at p, 0 if none. */
static size_t live_at(const void *p)
{
  size_t i = live.n;
  while (i > 0 && live.b[i - 1].p != p)
    i--;
  return i;
}

/* Drops the entries of live at p: the allocator just handed p out afresh,
 * so they are blocks given back through free() instead of qrd_big_free,
 * and must not lend p their span. */
static void forget(void *p)
{
  for (size_t i; (i = live_at(p));)
    list_take(&live, i - 1);
}

/* An eighth of the machine's memory: enough to keep one figure's samples
 * and sort buffers between the steps that reuse them, small beside what
 * they occupy while in use. */
static size_t park_limit(void)
{
  static size_t limit;
  if (!limit) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    limit = pages > 0 && page > 0 ? (size_t)pages / 8 * (size_t)page : (size_t)1 << 30;
  }
  return limit;
}

void qrd_big_keep_freed(void)
{
  /* 32 MiB is the largest threshold glibc takes; setting either value
   * stops glibc from adjusting them itself */
  size_t keep = park_limit();
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, keep > INT_MAX ? INT_MAX : (int)keep);
}

/* The smallest parked block of span at least `span` and at most twice it
 * (a far larger one would be held for a small array); NULL if none. */
static void *unpark(size_t span)
{
  size_t best = parked.n;
  for (size_t i = 0; i < parked.n; i++)
    if (parked.b[i].span >= span && parked.b[i].span <= 2 * span &&
        (best == parked.n || parked.b[i].span < parked.b[best].span))
      best = i;
  if (best == parked.n)
    return NULL;
  block b = list_take(&parked, best);
  parked_bytes -= b.span;
  if (!list_push(&live, b)) {
    free(b.p);
    return NULL;
  }
  return b.p;
}

static void *map_new(size_t span)
{
  void *p;
  if (posix_memalign(&p, QRD_BIG_ALIGN, span))
    return NULL;
  forget(p);
  if (!list_push(&live, (block){p, span})) {
    free(p);
    return NULL;
  }
  return p;
}

void *qrd_big_alloc(size_t count, size_t size)
{
  if (size && count > SIZE_MAX / size)
    return NULL;
  size_t bytes = count * size;
  if (bytes < QRD_BIG_ALLOC_MIN) {
    void *small = malloc(bytes ? bytes : 1);
#pragma omp critical(qrd_big_pool)
    forget(small);
    return small;
  }
  if (bytes > SIZE_MAX - GRAIN)
    return NULL;
  size_t span = (bytes + GRAIN - 1) / GRAIN * GRAIN;
  void *p;
#pragma omp critical(qrd_big_pool)
  {
    p = unpark(span);
    if (!p)
      p = map_new(span);
  }
  return p;
}

void qrd_big_free(void *p)
{
  if (!p)
    return;
  int mine = 0;
#pragma omp critical(qrd_big_pool)
  {
    size_t i = live_at(p);
    if (i > 0) {
      mine = 1;
      block b = list_take(&live, i - 1);
      if (b.span > park_limit()) {
        free(b.p);
      } else {
        while (parked_bytes + b.span > park_limit()) {
          block old = list_take(&parked, 0);
          parked_bytes -= old.span;
          free(old.p);
        }
        if (list_push(&parked, b))
          parked_bytes += b.span;
        else
          free(b.p);
      }
    }
  }
  if (!mine)
    free(p);
}
