/* Large work arrays, kept mapped between the steps that use them.
 *
 * Samples of 2^24 values, their sort buffers and n x n matrices are
 * allocated by one step of a figure and freed before the next allocates
 * arrays of the same sizes.  The kernel zeroes every page a new mapping
 * touches, and under this project's hypervisor that first touch costs
 * 0.6-1.9 s per GB on 4 KiB pages and 2.5-3.4 s per GB on transparent huge
 * pages (memory the guest freed goes back to the host, which must supply
 * it again); a page already touched costs nothing.  So qrd_big_free parks
 * a block instead of unmapping it (up to an eighth of the machine's
 * memory, the oldest going first) and the next qrd_big_alloc of a similar
 * size (the block at most twice the request) takes it back, already
 * mapped.  Such memory is not zeroed: like malloc's, it holds whatever was
 * there.
 *
 * The arrays are not advised onto huge pages (MADV_HUGEPAGE): with blocks
 * parked, their fewer TLB misses saved no measurable user time, and their
 * first touch cost more (fig-7, the largest, 10.6-11.8 -> 8.4-9.2 s in
 * alternating runs at two times of day; smaller figures such as fig-2 and
 * fig-24 went either way, with what the previous process left free). */
#ifndef QRD_CORE_BIGALLOC_H
#define QRD_CORE_BIGALLOC_H

#include <stddef.h>

/* Smaller requests are malloc's (see qrd_big_keep_freed). */
#define QRD_BIG_ALLOC_MIN ((size_t)2 << 20)
#define QRD_BIG_ALIGN 64 /* a cache line */

/* count * size bytes (at least 1), uninitialised, aligned to QRD_BIG_ALIGN
 * from QRD_BIG_ALLOC_MIN bytes up; NULL when the product overflows or the
 * memory is not there.  Thread-safe. */
void *qrd_big_alloc(size_t count, size_t size);

/* Tells glibc's malloc to keep what is freed for the next allocation:
 * arrays up to 32 MiB (a sample's batches and their sort buffers, a block
 * sample's marks) come from the heap instead of fresh mappings, and the
 * heap is not given back to the kernel until an eighth of the machine's
 * memory is free in it.  With glibc's defaults each such array came back
 * unmapped and was faulted in again, on 4 KiB pages, by the next step
 * that allocated it (fig-3 spent a third of its time in the kernel).
 * Called once, first thing, by the figure drivers and bin/qrd. */
void qrd_big_keep_freed(void);

/* Gives back a result of qrd_big_alloc (or NULL).  free() may take a
 * result back too, but then it is unmapped, not kept for reuse.  No other
 * pointer may be passed.  Thread-safe. */
void qrd_big_free(void *p);

#endif
