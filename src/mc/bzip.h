/* bzip2 as a practical lossless code for quantiser indices (Orr et al.,
 * F-S13).
 *
 * The bit count follows the reference implementation: the cell indices of
 * the whole tensor, in their original order, serialised as little-endian
 * uint32 and compressed as ONE bzip2 stream at level 9 (900 kB blocks,
 * default work factor, as Python's bz2.compress); bits = 8 x the
 * compressed byte length.  Nothing is split into chunks compressed
 * separately: that would change the block boundaries and add stream
 * headers, so the count would no longer be the reference's.  One call is
 * single-threaded; run independent streams in parallel instead. */
#ifndef QRD_MC_BZIP_H
#define QRD_MC_BZIP_H

#include <stddef.h>

#include "quant/codebook.h"

/* Bytes per index of the serialised stream. */
#define QRD_INDEX_BYTES 4

/* *bits <- 8 x the size of buf[0..n-1] compressed as one bzip2 stream at
 * level 9.  The compressed bytes are counted and discarded.  QRD_ENOMEM
 * when libbz2 cannot allocate its ~8 MB of state, QRD_EINVAL for other
 * libbz2 failures (with its code in the detail). */
int qrd_bzip2_bits(const unsigned char *buf, size_t n, double *bits);

/* buf[0 .. QRD_INDEX_BYTES n - 1] <- the cell index of each y[i] under c
 * (cells (edge[i], edge[i+1]], outer edges +-inf, so a value on an edge
 * takes the lower index, as qrd_sorted_eval counts it) as little-endian
 * uint32.  y must be finite.  QRD_EINVAL when c has more levels than a
 * uint32 can index. */
int qrd_index_stream(const double *y, size_t n, const qrd_codebook *c, unsigned char *buf);

#endif
