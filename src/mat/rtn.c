/* Round to nearest (docs/methods-watersic.md): GPTQ's grid without feedback. */
#include "core/error.h"
#include "mat/matq_impl.h"

static const qrd_param_def params[] = {QRD_MATQ_GRID_PARAMS};

static int rtn_prepare(qrd_matq_work *w)
{
  const double *th = w->m.params;
  for (size_t j = 0; j < w->p->n; j++) {
    w->order[j] = j;
    w->dead[j] = 0;
  }
  if (qrd_matq_fixed_grid(th))
    qrd_matq_absmax_rows(w, th[QRD_MATQ_GRID_BITS], th[QRD_MATQ_GRID_SYM] != 0.0);
  return QRD_OK;
}

static int rtn_quantise(qrd_matq_work *w, double scale, qrd_matq_result *out)
{
  const double *th = w->m.params;
  const qrd_matq_problem *p = w->p;
  size_t rows = p->rows, n = p->n;
  qrd_matq_grid g;
  int st = qrd_matq_grid_setup(w, th, scale, &g), overflow = 0;
  if (st)
    return st;
  for (size_t r = 0; r < rows; r++)
    for (size_t j = 0; j < n; j++)
      overflow |= qrd_matq_grid_code(&g, r, p->W[r * n + j], out->Z + r * n + j,
                                     w->Wh + j * rows + r);
  if (overflow)
    return qrd_error_set(QRD_EDOM, "%s: step %g gives codes beyond int32", w->m.spec, scale);
  /* Without feedback column j's error weighs Sigma_jj. */
  for (size_t j = 0; j < n; j++) {
    w->scratch[j] = g.absmax ? 1.0 : scale;
    w->scratch[n + j] = 1.0;
    w->scratch[2 * n + j] = p->Sigma[j * n + j];
  }
  qrd_matq_finish(w, g.absmax ? NAN : scale, out);
  out->side_bits = qrd_matq_grid_side_bits(w, th);
  return QRD_OK;
}

const qrd_matq_type qrd_matq_rtn = {
  .name = "rtn",
  .doc = "round to nearest on GPTQ's grid, no feedback",
  .n_params = sizeof params / sizeof params[0],
  .params = params,
  .integer_params = QRD_MATQ_GRID_INTEGERS,
  .fixed_grid = qrd_matq_fixed_grid,
  .prepare = rtn_prepare,
  .quantise = rtn_quantise,
};
