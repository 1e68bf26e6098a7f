/* Status codes and error detail for qrd.
 *
 * Every fallible function returns an int status (QRD_OK on success).  The
 * generic meaning comes from qrd_strerror(); the specific cause (which key,
 * which value, what is allowed) is recorded by qrd_error_set() in a
 * thread-local buffer and read back with qrd_error_detail(), so a CLI can
 * print one precise line without every layer threading a message buffer. */
#ifndef QRD_ERROR_H
#define QRD_ERROR_H

#include <stddef.h>

enum {
  QRD_CONTINUE = -1, /* an iteration's test: not converged yet */
  QRD_OK = 0,
  QRD_EINVAL,    /* bad argument or parameter value */
  QRD_EDOM,      /* request has no finite answer (e.g. infinite variance) */
  QRD_ENOMEM,
  QRD_EMAXITER,  /* an iteration did not converge */
  QRD_EINTEG,    /* numerical integration failed to reach its tolerance */
  QRD_EIO,       /* file or HDF5 failure */
  QRD_ECONFIG,   /* malformed or invalid configuration */
  QRD_ENOTFOUND  /* unknown name (distribution, quantiser, key, file) */
};

const char *qrd_strerror(int status);

/* Records the detail for `status` and returns `status`, so callers can write
 * `return qrd_error_set(QRD_EINVAL, "...", ...);`. */
int qrd_error_set(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The detail is one printable line: control bytes and bytes that are not
 * well-formed UTF-8 (from a file name, a key or a value a user gave) are
 * written as \xNN, and a detail longer than QRD_ERROR_DETAIL_MAX bytes ends
 * in "...". */
#define QRD_ERROR_DETAIL_MAX 512

/* That escaping of in into out[0 .. len) (NUL-terminated, truncated with
 * "..." when it does not fit); returns the length written.  For a
 * command's own error lines that do not go through qrd_error_set. */
size_t qrd_error_escape(const char *in, char *out, size_t len);

/* The last detail recorded on this thread ("" if none). */
const char *qrd_error_detail(void);
void qrd_error_clear(void);

#endif
