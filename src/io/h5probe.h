/* Keeping libhdf5's own failures on a damaged file out of qrd's process.
 *
 * libhdf5 1.10 trusts a file's metadata: a damaged link index, object
 * header or global heap can make it read through a NULL pointer, allocate
 * a size taken from the file, or loop for ever (docs/robustness.md lists
 * the inputs make fuzz found).  No check qrd could make before calling it
 * covers its whole format, and whether a damaged file crashes it depends
 * on the order of the calls and on the state of its caches (make fuzz
 * found a file that a child reading every object survived and the reader
 * then crashed on).  So every reader of an HDF5 file qrd did not just
 * write does its libhdf5 work through qrd_h5probe_call(): the work runs
 * first in a child forked at that moment, from the very state of memory
 * and of libhdf5 that the caller has, and runs in the caller only if the
 * child ended normally.  libhdf5 being deterministic, the caller then does
 * exactly what the child survived.  A child killed by a signal, or still
 * working after the time limit, makes the file refused with one line
 * (kept for the process while the file's device, inode, size and
 * modification time are unchanged); errors libhdf5 reports cleanly are
 * the work's own, reported by the caller as usual.  The cost is a fork
 * and the work done twice. */
#ifndef QRD_H5PROBE_H
#define QRD_H5PROBE_H

#include <stdio.h>

/* fn(ctx)'s status, after it ran in a child first; QRD_EIO with a detail
 * naming `path` when the child crashed or hung (fn then does not run
 * here); QRD_ENOTFOUND / QRD_EIO if `path` cannot be stat()ed; QRD_ENOMEM
 * / QRD_EIO if the child cannot be started.  Output fn writes to `quiet`
 * (NULL: none) is written once, by the caller.  Inside fn, further calls
 * run fn directly: the outer rehearsal covered them. */
int qrd_h5probe_call(const char *path, FILE *quiet, int (*fn)(void *ctx), void *ctx);

/* The time limit: `base` seconds plus one second per `bytes_per_second`
 * of the file's size (defaults 10 s and 50 MB/s, so a legitimate file of
 * any size is read in time).  The fuzz targets shorten it. */
void qrd_h5probe_limit_set(double base, double bytes_per_second);

/* Forgets every file refused: the fuzz targets rewrite one path with a
 * new input faster than the clock that stamps a file's modification time. */
void qrd_h5probe_forget(void);

#endif
