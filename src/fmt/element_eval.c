#include "fmt/element_eval.h"

#include <stdlib.h>

#include "core/bigalloc.h"
#include "core/error.h"

size_t qrd_element_steps(const qrd_element *e, double *step)
{
  for (size_t i = 0; i + 1 < e->cb->n; i++)
    step[i] = e->cb->level[i + 1] - e->cb->level[i];
  return e->cb->n - 1;
}

int qrd_element_eval_all(const double *x, size_t n, const qrd_dist *source,
                         const qrd_scaling *sc, qrd_element *const *e, size_t k,
                         qrd_block_result *r)
{
  qrd_block_sample *bs = NULL;
  int st = QRD_OK;
  for (size_t f = 0; !st && f < k; f++) {
    if (!bs || (sc->kind != QRD_SCALING_NONE &&
                (e[f]->lo != e[f - 1]->lo || e[f]->hi != e[f - 1]->hi))) {
      qrd_block_sample_free(bs);
      bs = NULL;
      st = qrd_block_sample_alloc(x, n, sc, e[f]->lo, e[f]->hi, 0.0, &bs);
      if (!st && source)
        qrd_block_sample_set_source(bs, source, 0.0);
    }
    if (!st)
      st = qrd_block_eval(bs, e[f]->cb, e[f]->bits, &r[f]);
  }
  qrd_block_sample_free(bs);
  return st;
}

int qrd_element_lloyd_max_normalised(const double *x, size_t n, const qrd_scaling *sc,
                                     double b, const qrd_lm_params *p, qrd_element **out)
{
  if (sc->kind == QRD_SCALING_NONE)
    return qrd_element_lloyd_max(x, NULL, n, b, p, out, NULL);
  double *y = qrd_big_alloc(n, sizeof *y), *w = qrd_big_alloc(n, sizeof *w);
  int st = y && w ? qrd_block_normalise(x, n, sc, -1.0, 1.0, y, w)
                  : qrd_error_set(QRD_ENOMEM, "normalised training sample");
  if (!st)
    st = qrd_element_lloyd_max(y, NULL, n, b, p, out, NULL);
  qrd_big_free(y);
  qrd_big_free(w);
  return st;
}

int qrd_crd_params_for_spec(const char *spec, qrd_crd_params *p)
{
  qrd_dist d;
  int st = qrd_dist_parse(spec, &d);
  return st ? st : qrd_crd_params_for_dist(&d, p, NULL, NULL, 0);
}

int qrd_crd_eval_scaled(const qrd_block_sample *data, const qrd_crd_params *p, double b,
                        const double *mult, size_t n, qrd_block_result *r)
{
  qrd_element *e;
  int st = qrd_element_crd(p, b, &e);
  if (st)
    return st;
  qrd_codebook *cb = qrd_codebook_alloc(e->cb->n);
  if (!cb)
    st = qrd_error_set(QRD_ENOMEM, "codebook");
  for (size_t i = 0; !st && i < n; i++) {
    for (size_t l = 0; l < cb->n; l++)
      cb->level[l] = mult[i] * e->cb->level[l];
    qrd_codebook_set_midpoints(cb);
    st = qrd_block_eval(data, cb, e->bits, &r[i]);
  }
  qrd_codebook_free(cb);
  qrd_element_free(e);
  return st;
}
