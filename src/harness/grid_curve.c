#include "harness/grid_curve.h"

#include <math.h>
#include <stdlib.h>

#include "core/error.h"

int qrd_driver_grid_gap_curve(qrd_results *res, const char *panel, const char *curve,
                              const char *label, const qrd_driver_grid_run *gr, size_t p,
                              size_t m, double *lo, double *hi)
{
  size_t n = gr->g.n_rate;
  double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
  int st = x && y ? QRD_OK : qrd_error_set(QRD_ENOMEM, "curve %s/%s", panel, curve);
  for (size_t r = 0; !st && r < n; r++) {
    const qrd_matq_point *pt = qrd_matq_point_grid_at(&gr->g, gr->jobs, p, m, r);
    x[r] = pt->col.bits;
    y[r] = pt->at_col.gap;
    *lo = fmin(*lo, x[r]);
    *hi = fmax(*hi, x[r]);
  }
  if (!st)
    st = qrd_results_curve(res, panel, curve, label, n, x, y, NULL);
  free(x);
  free(y);
  return st;
}
