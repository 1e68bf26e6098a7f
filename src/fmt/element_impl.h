/* Shared by the element constructors of src/fmt (not part of the API). */
#ifndef QRD_FMT_ELEMENT_IMPL_H
#define QRD_FMT_ELEMENT_IMPL_H

#include "fmt/element.h"

/* An element of n levels (2 <= n <= QRD_ELEMENT_MAX_LEVELS) with its
 * name set; the caller fills the levels and edges, then
 * qrd_element_finish records lo and hi. */
int qrd_element_alloc_levels(size_t n, double bits, const char *name,
                             qrd_element **out);
void qrd_element_finish(qrd_element *e);

/* n = round(2^b), checked against [2, QRD_ELEMENT_MAX_LEVELS]; the error
 * names `what`. */
int qrd_element_levels_for(double b, const char *what, size_t *n);

#endif
