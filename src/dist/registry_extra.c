/* Families beyond registry.c's list: none in the library.  The test build
 * links its own definition (tests/dist/registry_test.c) ahead of libqrd.a,
 * so this archive member is left out there. */
#include "dist/dist.h"

const qrd_dist_type *const qrd_dist_types_extra[] = {NULL};
