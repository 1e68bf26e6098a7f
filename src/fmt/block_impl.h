/* Shared by the two block evaluators (block.c, block_direct.c). */
#ifndef QRD_FMT_BLOCK_IMPL_H
#define QRD_FMT_BLOCK_IMPL_H

#include <stddef.h>

#include "fmt/block.h"

/* R = sqrt(sum sse / sum x2) over nb batches (sse[b * stride]) and its
 * jackknife standard error over the batches. */
void qrd_block_jackknife(const double *sse, size_t stride, const double *x2, size_t nb,
                         qrd_block_result *r);

#endif
