/* core/bigalloc: sizes that cannot be represented fail, every other size
 * gives writable memory that free() and qrd_big_free take back, arrays of
 * QRD_BIG_ALLOC_MIN bytes or more start on a cache line (QRD_BIG_ALIGN),
 * and a block given back is handed out again for a request of about its
 * size, not for one it would dwarf; after qrd_big_keep_freed, an array
 * freed and allocated again is not faulted in again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "suites.h"

#include "core/bigalloc.h"

START_TEST(test_overflow)
{
  ck_assert_ptr_null(qrd_big_alloc(SIZE_MAX / 2 + 1, 2));
  ck_assert_ptr_null(qrd_big_alloc(2, SIZE_MAX));
  /* no product overflow, but no room for the rounding to whole pages */
  ck_assert_ptr_null(qrd_big_alloc(SIZE_MAX - 1, 1));
}
END_TEST

START_TEST(test_sizes)
{
  size_t sizes[] = {0, 1, QRD_BIG_ALLOC_MIN - 1, QRD_BIG_ALLOC_MIN, QRD_BIG_ALLOC_MIN + 1,
                    3 * QRD_BIG_ALLOC_MIN + 12345};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    unsigned char *p = qrd_big_alloc(sizes[i], 1);
    ck_assert_ptr_nonnull(p);
    if (sizes[i] >= QRD_BIG_ALLOC_MIN)
      ck_assert_uint_eq((uintptr_t)p % QRD_BIG_ALIGN, 0);
    memset(p, 0xA5, sizes[i]);
    if (sizes[i])
      ck_assert_uint_eq(p[sizes[i] - 1], 0xA5);
    free(p);
  }
  /* count and size multiply: 2^19 doubles = 4 MiB */
  double *d = qrd_big_alloc((size_t)1 << 19, sizeof *d);
  ck_assert_ptr_nonnull(d);
  d[((size_t)1 << 19) - 1] = 1.0;
  free(d);
}
END_TEST

START_TEST(test_reuse)
{
  size_t big = 8 * QRD_BIG_ALLOC_MIN;
  unsigned char *p = qrd_big_alloc(big, 1);
  ck_assert_ptr_nonnull(p);
  memset(p, 0x5A, big);
  qrd_big_free(p);
  /* a little smaller still rounds to a block it may take: the same one */
  unsigned char *q = qrd_big_alloc(big - QRD_BIG_ALLOC_MIN / 2, 1);
  ck_assert_ptr_eq(q, p);
  /* kept mapped, not handed back to the kernel (which would zero it) */
  ck_assert_uint_eq(q[big - 1], 0x5A);
  ck_assert_uint_eq((uintptr_t)q % QRD_BIG_ALIGN, 0);
  qrd_big_free(q);
  /* a quarter of it must not hold the block */
  unsigned char *r = qrd_big_alloc(big / 4, 1);
  ck_assert_ptr_nonnull(r);
  ck_assert_ptr_ne(r, p);
  r[big / 4 - 1] = 1;
  qrd_big_free(r);
  /* a small result goes to free(), and so does NULL */
  qrd_big_free(qrd_big_alloc(10, 1));
  qrd_big_free(NULL);
  /* Blocks given back through free() (the pool keeps a note of their
   * span until their address is handed out again) mixed with small and
   * big arrays given back through qrd_big_free: every array stays usable
   * (a small array taken for a stale big block would be parked and handed
   * out as one: the sanitizer build would see the overrun). */
  for (int round = 0; round < 64; round++) {
    unsigned char *b = qrd_big_alloc(big, 1);
    ck_assert_ptr_nonnull(b);
    free(b);
    unsigned char *s = qrd_big_alloc(1000, 1);
    ck_assert_ptr_nonnull(s);
    qrd_big_free(s); /* a stale span here would park 1000 bytes as a block */
  }
  unsigned char *again = qrd_big_alloc(big, 1);
  ck_assert_ptr_nonnull(again);
  memset(again, 1, big);
  qrd_big_free(again);
}
END_TEST

/* Many threads taking and giving back blocks of mixed sizes: every block
 * a thread holds is its own (its pattern survives the others' writes). */
START_TEST(test_threads)
{
  int bad = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(4) reduction(+ : bad)
  for (int i = 0; i < 64; i++) {
    size_t n = (size_t)(1 + i % 5) * QRD_BIG_ALLOC_MIN;
    unsigned char *p = qrd_big_alloc(n, 1);
    if (!p) {
      bad++;
      continue;
    }
    memset(p, i, n);
    for (size_t k = 0; k < n; k += 4096)
      bad += p[k] != (unsigned char)i;
    qrd_big_free(p);
  }
  ck_assert_int_eq(bad, 0);
}
END_TEST

static long minor_faults(void)
{
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

/* Page faults while writing every page of a fresh malloc of n bytes. */
static long faults_filling(size_t n)
{
  unsigned char *p = malloc(n);
  ck_assert_ptr_nonnull(p);
  long before = minor_faults();
  for (size_t k = 0; k < n; k += 4096)
    p[k] = 1;
  long faults = minor_faults() - before;
  free(p);
  return faults;
}

/* A step's arrays (here 1 MiB, the size of a batch's sort buffers, and
 * 16 MiB) allocated, filled and freed twice: with glibc's defaults the
 * second round faults every page in again (the array was unmapped, or
 * trimmed off the heap); kept, it finds them mapped.  (Not under
 * AddressSanitizer, whose allocator quarantines what is freed.) */
START_TEST(test_keep_freed)
{
#ifndef __SANITIZE_ADDRESS__
  qrd_big_keep_freed();
  static const size_t sizes[] = {(size_t)1 << 20, (size_t)16 << 20};
  for (size_t i = 0; i < 2; i++) {
    size_t pages = sizes[i] / 4096;
    faults_filling(sizes[i]);
    long again = faults_filling(sizes[i]);
    ck_assert_msg(again < (long)pages / 8, "%zu bytes: %ld of %zu pages faulted in again",
                  sizes[i], again, pages);
  }
#endif
}
END_TEST

Suite *qrd_suite_bigalloc(void)
{
  Suite *s = suite_create("bigalloc");
  TCase *tc = tcase_create("bigalloc");
  tcase_add_test(tc, test_overflow);
  tcase_add_test(tc, test_sizes);
  tcase_add_test(tc, test_reuse);
  tcase_add_test(tc, test_threads);
  tcase_add_test(tc, test_keep_freed);
  suite_add_tcase(s, tc);
  return s;
}
