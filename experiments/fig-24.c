/* fig-24 (Ordentlich & Polyanskiy's experiment E5, the analogue of the
 * WaterSIC appendix histogram): WaterSIC's per-column rates against the waterfilling
 * allocation R_i = R + 1/2 log2(d_i / GM(d)).
 *
 * W is iid N(0, 1) (rows x n); WaterSIC's step c is tuned so that the mean
 * per-column entropy (plug-in + Miller-Madow, no side information) is
 * `rate`; every rate here is that per-column entropy.  d are the
 * conditional variances WaterSIC factorised (its result's d).
 *
 * Panels:
 *   columns     Sigma = diag(ratio^k), k = 0..column_n-1: curves measured
 *               (H(Z[:,k])), high-rate (R + 1/2 log2(d_k/GM(d))) and
 *               waterfilling (reverse waterfilling on d at rate R: the
 *               high-rate form with negative allocations set to 0)
 *   deviation   measured - waterfilling against the waterfilling rate
 *   hist-<rot>  one per hist_rotations entry, hist_family at hist_n with
 *               Sigma -> Q^T Sigma Q (W's law is rotation invariant):
 *               hist_bins-bin histograms (common edges) of the measured
 *               column entropies and of their high-rate predictions, and
 *               the vertical line `mean` at the mean measured entropy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/curve.h"
#include "mat/columns.h"
#include "mat/point.h"
#include "mc/sample.h"

#define MAX_ROTATIONS 5
#define MAX_BINS 1000

static const char doc[] =
  "Per-column rates of WaterSIC vs the waterfilling allocation.  Config keys:\n"
  "seed, method (a method spec such as watersic:lmmse=0), rate (mean per-column entropy),\n"
  "column_n, column_ratio (Sigma = diag(ratio^k)), column_rows,\n"
  "hist_family, hist_n, hist_rows, hist_rotations, hist_bins.";

typedef struct {
  qrd_matq method;
  double rate, column_ratio;
  size_t column_n, column_rows;
  qrd_cov hist_family;
  size_t hist_n, hist_rows, hist_bins;
  qrd_rotate_kind rot[MAX_ROTATIONS];
  size_t n_rot;
} setup;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long column_n, column_rows, hist_n, hist_rows, hist_bins;
  size_t one;
  int st;
  if ((st = qrd_matq_point_config_method(cfg, "method", "watersic", &s->method)) ||
      (st = qrd_config_double(cfg, "rate", 0.05, 16.0, &s->rate)) ||
      (st = qrd_config_whole(cfg, "column_n", 2, 64, &column_n)) ||
      (st = qrd_config_double(cfg, "column_ratio", 1e-3, 1.0, &s->column_ratio)) ||
      (st = qrd_config_whole(cfg, "column_rows", 100, 1e7, &column_rows)) ||
      (st = qrd_matq_point_config_covs(cfg, "hist_family", 0, &s->hist_family, 1, &one)) ||
      (st = qrd_config_whole(cfg, "hist_n", 2, 4096, &hist_n)) ||
      (st = qrd_config_whole(cfg, "hist_rows", 100, 1e7, &hist_rows)) ||
      (st = qrd_matq_point_config_rotations(cfg, "hist_rotations", s->rot, MAX_ROTATIONS,
                                            &s->n_rot)) ||
      (st = qrd_config_whole(cfg, "hist_bins", 2, MAX_BINS, &hist_bins)))
    return st;
  s->column_n = column_n;
  s->column_rows = column_rows;
  s->hist_n = hist_n;
  s->hist_rows = hist_rows;
  s->hist_bins = hist_bins;
  return QRD_OK;
}

/* ---- results ---- */

static int write_columns(qrd_results *res, const setup *s, const qrd_matq_columns *c)
{
  size_t n = c->n;
  double x[64], hr[64], wf[64], dev[64];
  char xlabel[96];
  int st = qrd_matq_columns_predict(c, hr, wf, dev);
  for (size_t k = 0; k < n; k++)
    x[k] = (double)k;
  snprintf(xlabel, sizeof xlabel, "column k (lambda_k = %g^k)", s->column_ratio);
  if (!st)
    st = qrd_results_panel(res, "columns", "WaterSIC per-column entropy, diagonal Sigma",
                           xlabel, "H(Z[:,k]) (bits, plug-in + Miller-Madow)");
  if (!st)
    st = qrd_results_curve(res, "columns", "measured", "measured H(Z[:,k])", n, x, c->h, NULL);
  if (!st)
    st = qrd_results_curve(res, "columns", "high-rate", "R + 1/2 log2(d_k/GM(d))", n, x, hr,
                           NULL);
  if (!st)
    st = qrd_results_curve(res, "columns", "waterfilling", "reverse waterfilling on d", n, x,
                           wf, NULL);
  if (!st)
    st = qrd_results_panel(res, "deviation", "measured minus waterfilling allocation",
                           "waterfilling allocation (bits)", "measured - allocation (bits)");
  if (!st)
    st = qrd_results_curve(res, "deviation", "measured", "H(Z[:,k]) - allocation", n, wf, dev,
                           NULL);
  return st;
}

static int write_hist(qrd_results *res, const setup *s, size_t r, const qrd_matq_columns *c,
                      double *pred)
{
  double x[MAX_BINS], measured[MAX_BINS], predicted[MAX_BINS];
  qrd_matq_columns_hist h = {x, measured, predicted, 0.0, 0.0};
  char panel[48], title[QRD_COV_PATH_LEN + 512], label[64];
  const char *rot = qrd_rotate_name(s->rot[r]);
  qrd_matq_columns_histogram(c, s->hist_bins, pred, &h);
  snprintf(panel, sizeof panel, "hist-%s", rot);
  snprintf(title, sizeof title, "%s, n = %zu, rotation %s: column entropies",
           s->hist_family.spec, c->n, rot);
  int st = qrd_results_panel(res, panel, title, "H(Z[:,i]) (bits, plug-in + Miller-Madow)",
                             "columns per bin");
  if (!st)
    st = qrd_results_curve(res, panel, "measured", "measured H(Z[:,i])", s->hist_bins, x,
                           measured, NULL);
  if (!st)
    st = qrd_results_curve(res, panel, "high-rate", "R + 1/2 log2(d_i/GM(d))", s->hist_bins,
                           x, predicted, NULL);
  double mx[2] = {h.mean, h.mean}, my[2] = {0.0, h.top};
  snprintf(label, sizeof label, "mean %.4f", h.mean);
  if (!st)
    st = qrd_results_curve(res, panel, "mean", label, 2, mx, my, NULL);
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  char how[64], rots[96] = "";
  qrd_rate_describe(&QRD_MATQ_COLUMNS_RATE, how, sizeof how);
  for (size_t r = 0; r < s->n_rot; r++) {
    size_t l = strlen(rots);
    snprintf(rots + l, sizeof rots - l, "%s%s", r ? " " : "", qrd_rotate_name(s->rot[r]));
  }
  int st = qrd_results_attr_string(res, "rate_kind", how);
  if (!st)
    st = qrd_results_attr_string(res, "hist_rotations", rots);
  if (!st)
    st = qrd_results_attr_double(res, "target_rate", s->rate);
  if (!st)
    st = qrd_results_attr_string(res, "method", s->method.spec);
  if (!st)
    st = qrd_results_attr_string(res, "weights", "iid N(0, 1)");
  if (!st)
    st = qrd_results_attr_double(res, "column_rows", (double)s->column_rows);
  if (!st)
    st = qrd_results_attr_string(res, "hist_family", s->hist_family.spec);
  if (!st)
    st = qrd_results_attr_double(res, "hist_n", (double)s->hist_n);
  if (!st)
    st = qrd_results_attr_double(res, "hist_rows", (double)s->hist_rows);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return st;
}

/* ---- main ---- */

typedef struct {
  const setup *s;
  unsigned long seed;
  qrd_matq_columns c[1 + MAX_ROTATIONS]; /* the diagonal, then each rotation */
} state;

/* Item 0 is the diagonal Sigma, item 1 + r rotation r: the histograms,
 * the costly items, are last and so run first. */
static int columns_item(void *ctx, size_t j, char *what, size_t len)
{
  state *t = ctx;
  const setup *s = t->s;
  if (j == 0) {
    snprintf(what, len, "diagonal Sigma");
    return qrd_matq_columns_diagonal(&s->method, s->column_rows, s->column_ratio, t->seed,
                                     s->rate, &t->c[0]);
  }
  snprintf(what, len, "%s", qrd_rotate_name(s->rot[j - 1]));
  return qrd_matq_columns_rotated(&s->method, s->hist_rows, &s->hist_family, s->rot[j - 1],
                                  t->seed, s->rate, &t->c[j]);
}

/* What item j writes: c[j]'s entropies, variances and mean rate. */
static size_t item_slots(const void *ctx, size_t j, qrd_driver_slot *r)
{
  const state *t = ctx;
  qrd_matq_columns *c = (qrd_matq_columns *)&t->c[j];
  r[0] = (qrd_driver_slot){c->h, 0, c->n * sizeof *c->h};
  r[1] = (qrd_driver_slot){c->d, 0, c->n * sizeof *c->d};
  r[2] = (qrd_driver_slot){&c->rate, 0, sizeof c->rate};
  return 3;
}

static int write_results(qrd_results *res, const void *t_ptr)
{
  const state *t = t_ptr;
  const setup *s = t->s;
  double *pred = malloc(s->hist_n * sizeof *pred);
  int st = pred ? write_attrs(res, s) : qrd_error_set(QRD_ENOMEM, "predictions");
  if (!st)
    st = write_columns(res, s, &t->c[0]);
  for (size_t r = 0; !st && r < s->n_rot; r++)
    st = write_hist(res, s, r, &t->c[1 + r], pred);
  free(pred);
  return st;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  size_t n_items = 1 + s->n_rot;
  state t = {.s = s, .seed = drv->seed};
  int st = QRD_OK;
  for (size_t i = 0; !st && i < n_items; i++)
    st = qrd_matq_columns_alloc(i == 0 ? s->column_n : s->hist_n, &t.c[i]);
  if (!st) {
    qrd_driver_progress_begin(drv, n_items);
    st = qrd_driver_run_items(drv, n_items, columns_item, &t,
                              &(qrd_driver_slots){.at = item_slots, .ctx = &t});
  }
  if (!st)
    st = qrd_driver_write_results(drv, write_results, &t);
  for (size_t i = 0; i < n_items; i++)
    qrd_matq_columns_free(&t.c[i]);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-24", doc, read_setup, run, &s);
}
