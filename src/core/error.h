/* Status codes and error detail for qrd.
 *
 * Every fallible function returns an int status (QRD_OK on success).  The
 * generic meaning comes from qrd_strerror(); the specific cause (which key,
 * which value, what is allowed) is recorded by qrd_error_set() in a
 * thread-local buffer and read back with qrd_error_detail(), so a CLI can
 * print one precise line without every layer threading a message buffer. */
#ifndef QRD_ERROR_H
#define QRD_ERROR_H

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

/* The last detail recorded on this thread ("" if none). */
const char *qrd_error_detail(void);
void qrd_error_clear(void);

#endif
