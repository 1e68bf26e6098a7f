/* fig-18 (the NF4/AF4 study, fig-C): expected quantisation error of 4-bit codes
 * against the block size B, N(0,1) weights, each code designed for its own
 * B and used with its own scaling (absmax; signmax for BOF4-S).
 *
 * Panels:
 *   l1      E|X - Q(X)|, X the normalised values (Yoshida's criterion)
 *   r       R = sqrt(E(W - W^)^2) / sigma, the weight-domain RMS error
 *           (BOF4's MSE criterion, as a relative RMS error)
 *   l1-rel  l1 of each code / l1 of the first code listed (the reference)
 *   r-rel   the same for r
 * Curves per code of law/lineup.h named in `codes`: <code> the exact
 * value under the block law (law/blockmax.h), x = B; in l1 and r also
 * <code>-mc, the mean over a Monte Carlo sample cut into blocks of B
 * (y_err: standard error over QRD_BLOCK_BATCHES batches of whole blocks;
 * for R by the delta method).  Every B cuts the same sample.  Root
 * attribute mc_max_z: the largest |Monte Carlo - exact| / SE. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/block.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "law/lineup_errors.h"
#include "mc/sample.h"

#define BATCHES QRD_BLOCK_BATCHES
#define MAX_BLOCKS QRD_LINEUP_MAX_BLOCKS

static const char doc[] =
  "Expected error vs block size of 4-bit codes, L1 of normalised values and\n"
  "  weight-domain R (NF4/AF4 fig-C).  Config keys: seed, samples (Monte\n"
  "  Carlo values, a multiple of 64 block_max; 0: exact values only),\n"
  "  block_min, block_max (powers of two), codes (of nf4, af4-pub, af4-exact,\n"
  "  af4-approx, bof4, bof4-mae, bof4s, int4, uniform; the first is the\n"
  "  reference of the relative panels).";

typedef struct {
  qrd_lineup lineup;
  unsigned long samples;
} setup;

enum { L1, L2W, N_METRICS };

/* Code c at block size j: its design, exact errors and Monte Carlo
 * estimates. */
typedef struct {
  double exact[N_METRICS];
  double mc[N_METRICS], se[N_METRICS];
} item;

typedef struct {
  const setup *s;
  double *x; /* the Monte Carlo sample (NULL: none) */
  item *items;
} sweep;

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  if ((st = qrd_lineup_read(cfg, &s->lineup)) ||
      (st = qrd_config_whole(cfg, "samples", 0, QRD_DRIVER_SAMPLES_MAX, &s->samples)))
    return st;
  double unit = BATCHES * s->lineup.block[s->lineup.n_block - 1];
  if (fmod((double)s->samples, unit) != 0)
    return qrd_config_invalid(cfg, "samples", "must be a whole number of batches: a "
                                              "multiple of 64 block_max (or 0)");
  return QRD_OK;
}

/* ---- exact ---- */

static item *item_at(const setup *s, item *items, size_t c, size_t j)
{
  return &items[c * s->lineup.n_block + j];
}

static int code_mc(const setup *s, const double *x, size_t c, size_t j,
                   const qrd_codebook *cb, item *it);

/* Item k is code k % n_code at block size k / n_code: the largest B (the
 * costliest designs) last, so they start first.  Its design, exact errors
 * and Monte Carlo errors. */
static int design_item(void *ctx, size_t k, char *what, size_t len)
{
  static const qrd_law_metric METRIC[N_METRICS] = {[L1] = QRD_LAW_L1N, [L2W] = QRD_LAW_L2W};
  const sweep *w = ctx;
  size_t c = k % w->s->lineup.n_code, j = k / w->s->lineup.n_code;
  item *it = item_at(w->s, w->items, c, j);
  snprintf(what, len, "%s B = %g: design, exact errors%s", w->s->lineup.code[c]->name,
           w->s->lineup.block[j], w->x ? ", Monte Carlo" : "");
  qrd_dist d;
  qrd_codebook *cb = NULL;
  int st = qrd_dist_parse("gaussian", &d);
  if (!st)
    st = qrd_lineup_errors(w->s->lineup.code[c], &d, w->s->lineup.block[j], METRIC, N_METRICS,
                           &cb, it->exact);
  if (!st && w->x)
    st = code_mc(w->s, w->x, c, j, cb, it);
  qrd_codebook_free(cb);
  return st;
}

static size_t item_slot(const void *ctx, size_t k, qrd_driver_slot *r)
{
  const sweep *w = ctx;
  size_t c = k % w->s->lineup.n_code, j = k / w->s->lineup.n_code;
  r[0] = (qrd_driver_slot){item_at(w->s, w->items, c, j), 0, sizeof(item)};
  return 1;
}

/* ---- Monte Carlo ---- */

/* The per-value mean of each metric over the batches of code c at block
 * size j, and its standard error. */
static int code_mc(const setup *s, const double *x, size_t c, size_t j,
                   const qrd_codebook *cb, item *it)
{
  static const int SUM[N_METRICS] = {[L1] = QRD_CODE_L1, [L2W] = QRD_CODE_MSE};
  qrd_scaling_kind kind = s->lineup.code[c]->scaling == QRD_LAW_SIGNMAX ? QRD_SCALING_SIGNMAX
                                                                        : QRD_SCALING_ABSMAX;
  double *sums = malloc(BATCHES * (QRD_CODE_SUMS + cb->n) * sizeof *sums);
  int st = sums ? qrd_block_code_sums(x, s->samples, (size_t)s->lineup.block[j], BATCHES, kind,
                                      INFINITY, cb, sums)
                : qrd_error_set(QRD_ENOMEM, "Monte Carlo sums");
  for (int m = 0; !st && m < N_METRICS; m++)
    qrd_block_code_batch_mean(sums, BATCHES, cb->n, SUM[m], &it->mc[m], &it->se[m]);
  free(sums);
  return st;
}

/* One sample for every B and code (NULL, status QRD_OK: none asked). */
static int mc_sample(const qrd_driver *drv, const setup *s, double **x)
{
  qrd_dist d;
  *x = NULL;
  int st = s->samples ? qrd_dist_parse("gaussian", &d) : QRD_OK;
  if (!st && s->samples && !(*x = qrd_sample_alloc(&d, drv->seed, s->samples)))
    st = qrd_error_set(QRD_ENOMEM, "sample of %lu values", s->samples);
  return st;
}

/* The largest |Monte Carlo - exact| / SE over codes, block sizes and
 * metrics. */
static double max_z(const setup *s, const item *items)
{
  double z = 0.0;
  for (size_t k = 0; k < s->lineup.n_code * s->lineup.n_block; k++)
    for (int m = 0; m < N_METRICS; m++)
      if (items[k].se[m] > 0)
        z = fmax(z, fabs(items[k].mc[m] - items[k].exact[m]) / items[k].se[m]);
  return z;
}

/* ---- output ---- */

typedef struct {
  const char *name, *title, *y_label;
  int metric, relative;
} panel;

static const panel PANELS[] = {
  {"l1", "L1 of normalised values E|X - Q(X)|", "E|X - Q(X)|", L1, 0},
  {"r", "weight-domain R = sqrt(E(W - W^)^2) / sigma", "R", L2W, 0},
  {"l1-rel", "E|X - Q(X)| relative to the reference", "E|X - Q(X)| / reference", L1, 1},
  {"r-rel", "R relative to the reference", "R / reference", L2W, 1},
};

/* The panel's exact value of an item (R: the root of the L2W error). */
static double panel_value(const panel *p, const item *it)
{
  return p->metric == L2W ? sqrt(it->exact[L2W]) : it->exact[L1];
}

static int write_curves(qrd_results *res, const setup *s, const panel *p, size_t c,
                        const item *items)
{
  const qrd_lineup_code *code = s->lineup.code[c];
  size_t nb = s->lineup.n_block;
  double y[MAX_BLOCKS], mc[MAX_BLOCKS], se[MAX_BLOCKS];
  for (size_t j = 0; j < nb; j++) {
    const item *it = &items[c * nb + j], *reference = &items[j]; /* code 0 */
    y[j] = panel_value(p, it);
    if (p->relative)
      y[j] /= panel_value(p, reference);
    mc[j] = p->metric == L2W ? sqrt(it->mc[L2W]) : it->mc[L1];
    se[j] = p->metric == L2W ? it->se[L2W] / (2.0 * mc[j]) : it->se[L1];
  }
  int st = qrd_results_curve(res, p->name, code->name, code->label, nb, s->lineup.block, y,
                             NULL);
  if (st || p->relative || s->samples == 0)
    return st;
  char curve[64], label[96];
  snprintf(curve, sizeof curve, "%s-mc", code->name);
  snprintf(label, sizeof label, "%s Monte Carlo", code->label);
  return qrd_results_curve(res, p->name, curve, label, nb, s->lineup.block, mc, se);
}

static int write_results(qrd_driver *drv, const setup *s, const item *items)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  for (size_t p = 0; !st && p < sizeof PANELS / sizeof PANELS[0]; p++) {
    char title[160];
    snprintf(title, sizeof title, "%s%s%s", PANELS[p].title,
             PANELS[p].relative ? " " : "", PANELS[p].relative ? s->lineup.code[0]->label : "");
    st = qrd_results_panel(res, PANELS[p].name, title, "block size B", PANELS[p].y_label);
    for (size_t c = 0; !st && c < s->lineup.n_code; c++)
      st = write_curves(res, s, &PANELS[p], c, items);
  }
  if (!st && s->samples > 0)
    st = qrd_results_attr_double(res, "mc_max_z", max_z(s, items));
  if (!st)
    st = qrd_results_attr_double(res, "mc_samples", (double)s->samples);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  if (!st)
    st = qrd_results_attr_string(res, "sample_seeding", QRD_SAMPLE_SEEDING);
  return qrd_driver_close_results(res, st);
}

/* ---- run ---- */

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = "standard error of the Monte Carlo estimate: jackknife over 64 batches of whole blocks (R by the delta method)";
  const setup *s = setup_ptr;
  size_t n = s->lineup.n_code * s->lineup.n_block;
  item *items = calloc(n, sizeof *items);
  if (!items)
    return qrd_error_set(QRD_ENOMEM, "designs");
  qrd_driver_progress_begin(drv, n);
  sweep w = {s, NULL, items};
  int st = mc_sample(drv, s, &w.x);
  if (!st)
    st = qrd_driver_run_items(drv, n, design_item, &w,
                              &(qrd_driver_slots){.at = item_slot, .ctx = &w});
  if (!st)
    st = write_results(drv, s, items);
  qrd_big_free(w.x);
  free(items);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-18", doc, read_setup, run, &s);
}
