#include "law/lineup_errors.h"

#include <math.h>

int qrd_lineup_errors(const qrd_lineup_code *c, const qrd_dist *d, double block,
                      const qrd_law_metric *metric, size_t n_metric, qrd_codebook **cb,
                      double *err)
{
  qrd_law *law = NULL;
  *cb = NULL;
  int st = qrd_lineup_design(c, d, block, cb);
  if (!st)
    st = qrd_law_alloc(d, block, c->scaling, INFINITY, &law);
  for (size_t i = 0; !st && i < n_metric; i++)
    st = qrd_law_error(law, *cb, metric[i], &err[i]);
  qrd_law_free(law);
  return st;
}
