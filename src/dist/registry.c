/* The list of distribution families.  Adding one: write src/dist/NAME.c
 * defining `const qrd_dist_type qrd_dist_NAME`, then add it below. */
#include "dist/dist.h"

extern const qrd_dist_type qrd_dist_gaussian;
extern const qrd_dist_type qrd_dist_laplace;
extern const qrd_dist_type qrd_dist_student_t;

static const qrd_dist_type *const registry[] = {
  &qrd_dist_gaussian,
  &qrd_dist_laplace,
  &qrd_dist_student_t,
};

size_t qrd_dist_count(void) { return sizeof registry / sizeof registry[0]; }

const qrd_dist_type *qrd_dist_type_at(size_t i)
{
  return i < qrd_dist_count() ? registry[i] : NULL;
}
