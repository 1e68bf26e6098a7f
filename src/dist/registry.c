/* The list of distribution families.  Adding one: write src/dist/NAME.c
 * defining `const qrd_dist_type qrd_dist_NAME`, then add it below.  A build
 * may append families through qrd_dist_types_extra (registry_extra.c: none;
 * the test build links tests/dist/registry_test.c instead). */
#include "dist/dist.h"

extern const qrd_dist_type qrd_dist_gaussian;
extern const qrd_dist_type qrd_dist_laplace;
extern const qrd_dist_type qrd_dist_student_t;

/* NULL-terminated. */
extern const qrd_dist_type *const qrd_dist_types_extra[];

static const qrd_dist_type *const registry[] = {
  &qrd_dist_gaussian,
  &qrd_dist_laplace,
  &qrd_dist_student_t,
};

#define N_BUILTIN (sizeof registry / sizeof registry[0])

size_t qrd_dist_count(void)
{
  size_t n = N_BUILTIN;
  while (qrd_dist_types_extra[n - N_BUILTIN])
    n++;
  return n;
}

const qrd_dist_type *qrd_dist_type_at(size_t i)
{
  if (i < N_BUILTIN)
    return registry[i];
  return i < qrd_dist_count() ? qrd_dist_types_extra[i - N_BUILTIN] : NULL;
}
