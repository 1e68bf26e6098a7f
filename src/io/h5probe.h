/* Keeping libhdf5's own failures on a damaged file out of qrd's process.
 *
 * libhdf5 1.10 trusts a file's metadata: a damaged link index, object
 * header or global heap can make it read through a NULL pointer, allocate
 * a size taken from the file, or loop for ever (docs/robustness.md lists
 * the inputs make fuzz found).  No check qrd could make before calling it
 * covers its whole format, so every reader of an HDF5 file qrd did not
 * just write calls qrd_h5probe() first: a child process opens the file
 * and reads all of it, the way the readers would — every group, link,
 * attribute (variable-length strings included) and dataset (all of its
 * values, in slabs) — and the caller opens the file only if that child
 * finished.  A child killed by a signal, or still reading after the time
 * limit, makes the file refused with one line; errors that libhdf5
 * reports cleanly are left to the caller's own reading, which reports
 * them with its usual message.
 *
 * A file probed once is not probed again in the same process while its
 * device, inode, size and modification time are unchanged. */
#ifndef QRD_H5PROBE_H
#define QRD_H5PROBE_H

#include <hdf5.h>

/* QRD_OK, or QRD_EIO with a detail naming `path` when libhdf5 crashed or
 * hung reading it; QRD_ENOTFOUND / QRD_EIO if it cannot be stat()ed;
 * QRD_ENOMEM / QRD_EIO if the child cannot be started. */
int qrd_h5probe(const char *path);

/* The time limit: `base` seconds plus one second per `bytes_per_second`
 * of the file's size (defaults 10 s and 50 MB/s, so a legitimate file of
 * any size is read in time).  The fuzz targets shorten it. */
void qrd_h5probe_limit_set(double base, double bytes_per_second);

/* Forgets every file probed: the fuzz targets rewrite one path with a new
 * input faster than the clock that stamps a file's modification time. */
void qrd_h5probe_forget(void);

/* Lookups by listing.  A lookup by name (H5Lexists, H5Aexists, H5Dopen2
 * of a name the file lacks) searches an index along a path the probe's
 * walk never takes: the walk lists every index in full and opens only the
 * names it lists (make fuzz found H5Lexists crashing on a damaged index
 * whose walk went well).  So readers of files qrd did not write ask
 * whether a name exists only through these, which list an index the way
 * the walk did, and then open only names that exist.  Each returns 1 if
 * the name is there, 0 if not or if the listing fails. */

/* A link `name` (one component) in group `group`. */
int qrd_h5probe_has_link(hid_t group, const char *name);

/* Every component of `path` ("/a/b" from the root, "a/b" from `loc`). */
int qrd_h5probe_has_path(hid_t loc, const char *path);

/* An attribute `name` of the object `obj` ("." for `loc` itself, "/" for
 * the root group). */
int qrd_h5probe_has_attr(hid_t loc, const char *obj, const char *name);

#endif
