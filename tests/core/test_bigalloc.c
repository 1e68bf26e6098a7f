/* core/bigalloc: sizes that cannot be represented fail, every other size
 * gives writable memory that free() takes back, and arrays of a huge page
 * or more start on a huge-page boundary (the advice covers only them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
      ck_assert_uint_eq((uintptr_t)p % ((size_t)2 << 20), 0);
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

Suite *qrd_suite_bigalloc(void)
{
  Suite *s = suite_create("bigalloc");
  TCase *tc = tcase_create("bigalloc");
  tcase_add_test(tc, test_overflow);
  tcase_add_test(tc, test_sizes);
  suite_add_tcase(s, tc);
  return s;
}
