/* Reading back what a figure wrote: the curves and numeric root attributes
 * of a results file (layout of io/results.h), for the command line's
 * reproduction report.  Every error names the file and the object through
 * qrd_error_set(), so a caller can print it as its one-line message. */
#ifndef QRD_CURVE_READ_H
#define QRD_CURVE_READ_H

#include <stddef.h>

typedef struct qrd_curve_file qrd_curve_file;

/* One curve: n points, x and y, and y_err (NULL when the curve has none,
 * i.e. its values are exact). */
typedef struct {
  size_t n;
  double *x, *y, *y_err;
} qrd_curve;

/* Opens a results file read-only.  QRD_ENOTFOUND if it does not exist,
 * QRD_EIO if it cannot be read or is not HDF5. */
int qrd_curve_file_open(const char *path, qrd_curve_file **out);
void qrd_curve_file_close(qrd_curve_file *f);

/* /<panel>/<curve>: QRD_ENOTFOUND if the panel or the curve is absent,
 * QRD_EINVAL if x, y (and y_err) are not 1-D numeric datasets of one
 * length (1 ... QRD_CURVE_MAX_POINTS).  On success `out` owns its arrays
 * (qrd_curve_free); on failure it is left empty. */
#define QRD_CURVE_MAX_POINTS ((size_t)1 << 26)
int qrd_curve_file_read(const qrd_curve_file *f, const char *panel, const char *curve,
                        qrd_curve *out);
void qrd_curve_free(qrd_curve *c);

/* A numeric (float or integer) scalar root attribute as a double:
 * QRD_ENOTFOUND if absent, QRD_EINVAL if it is a string or not scalar. */
int qrd_curve_file_attr(const qrd_curve_file *f, const char *name, double *out);

/* One curve of the file at `path`, opening and closing it. */
int qrd_results_read_curve(const char *path, const char *panel, const char *curve,
                           qrd_curve *out);

#endif
