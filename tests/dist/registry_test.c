/* The families the test build adds to src/dist/registry.c's list: linked
 * before libqrd.a, this definition keeps src/dist/registry_extra.c's empty
 * one out of the test programs. */
#include "dist/dist.h"

extern const qrd_dist_type qrd_dist_gengauss;

const qrd_dist_type *const qrd_dist_types_extra[] = {&qrd_dist_gengauss, NULL};
