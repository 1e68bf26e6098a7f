/* What figure drivers share beyond the command line: a parallel sweep of
 * independent work items with progress, and the curve shapes and root
 * attributes that results files repeat (index curves, flat lines, the
 * marker at a curve's minimum). */
#ifndef QRD_HARNESS_CURVE_H
#define QRD_HARNESS_CURVE_H

#include <stddef.h>

#include "harness/driver.h"
#include "harness/shard.h"
#include "io/results.h"

/* ---- sweeps ---- */

/* Work item j of a sweep: names itself in what[0 .. len) (for the progress
 * line and any error) and returns a status, its detail set on failure. */
typedef int (*qrd_driver_item_fn)(void *ctx, size_t j, char *what, size_t len);

/* Runs items 0 .. n-1 on every thread, one progress step each (the caller
 * announces the total).  Items must write only their own results, item j
 * its slots in `out` (all of what the run needs of it afterwards: a shard
 * keeps those bytes and a merge restores them, harness/shard.h), so that
 * the results do not depend on the thread count, schedule or sharding.
 * They start from the last: drivers plan their costliest items last, and
 * starting those first balances the threads.  Returns the first failing
 * item's status, its detail prefixed with the item's name (a shard keeps
 * failures in its file and goes on). */
int qrd_driver_run_items(qrd_driver *drv, size_t n, qrd_driver_item_fn fn, void *ctx,
                         const qrd_driver_slots *out);

/* ---- results ---- */

/* Creates the results file, lets `write` fill it and commits it (or
 * aborts it on failure). */
typedef int (*qrd_driver_write_fn)(qrd_results *res, const void *ctx);
int qrd_driver_write_results(qrd_driver *drv, qrd_driver_write_fn write, const void *ctx);

/* The params attribute of the curves written next (qrd_results_describe),
 * printf-formatted: "source=%s; scaling=%s", ... */
int qrd_curve_params(qrd_results *res, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* A curve at x = 0, 1, ..., n-1 (y_err may be NULL). */
int qrd_curve_indexed(qrd_results *res, const char *panel, const char *curve,
                      const char *label, size_t n, const double *y, const double *y_err);

/* A flat line at height y from x0 to x1 (two points). */
int qrd_curve_flat(qrd_results *res, const char *panel, const char *curve, const char *label,
                   double x0, double x1, double y);

/* Index of the least y[0 .. n) (the first of equals). */
size_t qrd_curve_argmin(const double *y, size_t n);

/* Writes the single point i of a curve (y_err may be NULL), e.g. the
 * marker at its minimum. */
int qrd_curve_point(qrd_results *res, const char *panel, const char *curve, const char *label,
                    const double *x, const double *y, const double *y_err, size_t i);

/* Numeric root attributes, written in order. */
typedef struct {
  const char *name;
  double value;
} qrd_attr;

int qrd_driver_attrs(qrd_results *res, const qrd_attr *a, size_t n);

#endif
