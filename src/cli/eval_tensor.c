#include "cli/eval_tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/tensor.h"
#include "mc/fit.h"

#define MAX_FAMILIES 16

static int fail(const char *cmd, int st)
{
  fprintf(stderr, "qrd %s: %s\n", cmd, qrd_error_detail());
  return st == QRD_ENOMEM || st == QRD_EMAXITER ? 1 : 2;
}

int qrd_eval_tensor_load(const char *cmd, const char *spec, const char *layout_text,
                         qrd_eval_tensor *t)
{
  memset(t, 0, sizeof *t);
  qrd_tensor_info info;
  qrd_tensor_layout layout;
  int st = qrd_tensor_load(spec, &info, &t->x, &layout);
  if (!st && layout_text)
    st = qrd_tensor_layout_parse(layout_text, &layout);
  if (!st && info.dtype == QRD_DTYPE_I32)
    st = qrd_error_set(QRD_EINVAL, "tensor '%s' holds integers, not weights", info.name);
  if (!st)
    st = qrd_tensor_as_rows(&info, layout, t->x, &t->rows, &t->cols);
  qrd_fit_summary s;
  if (!st) {
    qrd_fit_summarise(t->x, t->rows * t->cols, &s);
    if (s.non_finite)
      st = qrd_error_set(QRD_EINVAL, "tensor '%s' holds %zu non-finite values", info.name,
                         s.non_finite);
  }
  /* R divides by E W^2: an all-zero tensor has no relative error */
  if (!st && !(s.max_abs > 0.0))
    st = qrd_error_set(QRD_EINVAL, "tensor '%s' is all zeros (%zu values): relative errors "
                       "are undefined", info.name, t->rows * t->cols);
  if (st) {
    qrd_eval_tensor_free(t);
    return fail(cmd, st);
  }
  snprintf(t->label, sizeof t->label, "tensor:%s", spec);
  return 0;
}

void qrd_eval_tensor_free(qrd_eval_tensor *t)
{
  free(t->x);
  t->x = NULL;
}

int qrd_eval_tensor_fit(const char *cmd, const qrd_eval_tensor *t, qrd_dist *d)
{
  qrd_fit fits[MAX_FAMILIES];
  size_t n, best;
  int st = qrd_fit_all(t->x, t->rows * t->cols, fits, MAX_FAMILIES, &n, &best);
  if (st)
    return fail(cmd, st);
  *d = fits[best].dist;
  fprintf(stderr, "qrd %s: note: designs for the best-fitting family of %s, %s (mean "
          "log-likelihood %.6g; give --dist to choose)\n", cmd, t->label, d->spec,
          fits[best].loglik);
  return 0;
}

void qrd_eval_tensor_scaling(const qrd_eval_tensor *t, const char *text, char *buf, size_t len)
{
  const char *colon = strchr(text, ':');
  if (colon && strcmp(colon + 1, "row") == 0)
    snprintf(buf, len, "%.*s:%zu", (int)(colon - text), text, t->cols);
  else
    snprintf(buf, len, "%s", text);
}
