#include "harness/curve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "harness/shard.h"

typedef struct {
  int status;
  char error[512];
} item_status;

/* The first failure, in index order; a shard's failures are in its file
 * and the sweep goes on. */
static int first_failure(const qrd_driver *drv, const item_status *it, size_t n)
{
  for (size_t j = 0; !qrd_shard_keeps_going(drv) && j < n; j++)
    if (it[j].status)
      return qrd_error_set(it[j].status, "%s", it[j].error);
  return QRD_OK;
}

int qrd_driver_run_items(qrd_driver *drv, size_t n, qrd_driver_item_fn fn, void *ctx,
                         const qrd_driver_slots *out)
{
  item_status *it = calloc(n ? n : 1, sizeof *it);
  unsigned char *todo = malloc(n ? n : 1);
  int st = it && todo ? qrd_shard_sweep_begin(drv, n, out, todo)
                      : qrd_error_set(QRD_ENOMEM, "%zu sweep items", n);
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < (st ? 0 : n); k++) {
    size_t j = n - 1 - k;
    if (!todo[j])
      continue;
    char what[256] = "";
    it[j].status = fn(ctx, j, what, sizeof what);
    if (it[j].status)
      snprintf(it[j].error, sizeof it[j].error, "%s: %s", what, qrd_error_detail());
#pragma omp critical(progress)
    {
      qrd_driver_progress_step(drv, what);
      qrd_shard_point_done(drv, j, it[j].status, what, it[j].error);
    }
  }
  if (!st)
    st = first_failure(drv, it, n);
  free(todo);
  free(it);
  return st;
}

int qrd_driver_write_results(qrd_driver *drv, qrd_driver_write_fn write, const void *ctx)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  return st ? st : qrd_driver_close_results(res, write(res, ctx));
}

int qrd_curve_params(qrd_results *res, const char *fmt, ...)
{
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (len < 0 || (size_t)len >= sizeof buf)
    return qrd_error_set(QRD_EINVAL, "curve params '%.40s...' longer than %zu bytes", buf,
                         sizeof buf - 1);
  return qrd_results_describe(res, buf, NULL);
}

int qrd_curve_indexed(qrd_results *res, const char *panel, const char *curve,
                      const char *label, size_t n, const double *y, const double *y_err)
{
  double *x = malloc((n ? n : 1) * sizeof *x);
  if (!x)
    return qrd_error_set(QRD_ENOMEM, "curve %s/%s", panel, curve);
  for (size_t i = 0; i < n; i++)
    x[i] = (double)i;
  int st = qrd_results_curve(res, panel, curve, label, n, x, y, y_err);
  free(x);
  return st;
}

int qrd_curve_flat(qrd_results *res, const char *panel, const char *curve, const char *label,
                   double x0, double x1, double y)
{
  double x[2] = {x0, x1}, v[2] = {y, y};
  return qrd_results_curve(res, panel, curve, label, 2, x, v, NULL);
}

size_t qrd_curve_argmin(const double *y, size_t n)
{
  size_t k = 0;
  for (size_t i = 1; i < n; i++)
    if (y[i] < y[k])
      k = i;
  return k;
}

int qrd_curve_point(qrd_results *res, const char *panel, const char *curve, const char *label,
                    const double *x, const double *y, const double *y_err, size_t i)
{
  return qrd_results_curve(res, panel, curve, label, 1, &x[i], &y[i], y_err ? &y_err[i] : NULL);
}

int qrd_driver_attrs(qrd_results *res, const qrd_attr *a, size_t n)
{
  int st = QRD_OK;
  for (size_t i = 0; !st && i < n; i++)
    st = qrd_results_attr_double(res, a[i].name, a[i].value);
  return st;
}
