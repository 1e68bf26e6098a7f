/* Looking names up in an HDF5 file by listing, the way the readers list
 * members anyway: unlike H5Lexists, a missing parent is a plain "no", and
 * only the listing's code paths of libhdf5 are taken.  Each returns 1 if
 * the name is there, 0 if not or if the listing fails. */
#ifndef QRD_H5LOOKUP_H
#define QRD_H5LOOKUP_H

#include <hdf5.h>

/* A link `name` (one component) in group `group`. */
int qrd_h5lookup_link(hid_t group, const char *name);

/* Every component of `path` ("/a/b" from the root, "a/b" from `loc`). */
int qrd_h5lookup_path(hid_t loc, const char *path);

/* An attribute `name` of the object `obj` ("." for `loc` itself, "/" for
 * the root group). */
int qrd_h5lookup_attr(hid_t loc, const char *obj, const char *name);

#endif
