/* Large work arrays on transparent huge pages.
 *
 * Samples of 2^24 values, their sort buffers and n x n matrices are
 * written once and then scanned or scattered over (radix passes, blocked
 * matrix products).  On 4 KiB pages every first touch is a page fault
 * (expensive under a hypervisor) and a radix scatter over 128 MiB misses
 * the TLB at nearly every store; on 2 MiB pages both nearly vanish
 * (fig-7: 33 s -> 18 s).  Linux gives huge pages to a mapping only when
 * asked (transparent_hugepage=madvise, Debian's default), so arrays of at
 * least QRD_BIG_ALLOC_MIN bytes (one huge page) are aligned to 2 MiB and advised.  The
 * advice is a hint: where it is refused the memory is ordinary.
 *
 * Even on huge pages, the kernel zeroes every page a new mapping touches,
 * and under a hypervisor that runs at 1-2 GB/s: fig-7 spent a third of its
 * CPU time zeroing the 10 GB its sort buffers and samples took one after
 * the other.  So qrd_big_free parks a block instead of unmapping it (up to
 * an eighth of the machine's memory, the oldest going first) and the next
 * qrd_big_alloc of a similar size (the block at most twice the request)
 * takes it back, already mapped.  Such memory is not zeroed: like malloc's,
 * it holds whatever was there. */
#ifndef QRD_CORE_BIGALLOC_H
#define QRD_CORE_BIGALLOC_H

#include <stddef.h>

#define QRD_BIG_ALLOC_MIN ((size_t)2 << 20)

/* count * size bytes (at least 1), uninitialised; NULL when the product
 * overflows or the memory is not there.  Thread-safe. */
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
