/* The curve most rate-distortion figures draw from a grid of points
 * (harness/jobs.h): one method on one panel, gap against rate, both at the
 * per-column rate the tuning targets. */
#ifndef QRD_HARNESS_GRID_CURVE_H
#define QRD_HARNESS_GRID_CURVE_H

#include <stddef.h>

#include "harness/jobs.h"

/* Writes curve (x = col.bits, y = at_col.gap) of method m on panel p over
 * the grid's rates; [*lo, *hi] grows to cover its x, for the flat
 * reference lines drawn after it. */
int qrd_driver_grid_gap_curve(qrd_results *res, const char *panel, const char *curve,
                              const char *label, const qrd_driver_grid_run *gr, size_t p,
                              size_t m, double *lo, double *hi);

#endif
