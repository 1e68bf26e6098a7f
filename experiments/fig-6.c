/* fig-6 (Orr et al. F-S5, `eg_block_scaled_distribution`): the law of
 * block-normalised N(0,1) values X = W / max_B(W), as a histogram of a
 * Monte-Carlo sample, against the model of Orr et al. that the block
 * CRD formats are designed from, and against the exact law
 * (law/normalised_hist.h).
 *
 * Panels "absmax" (divide by max |W|) and "signmax" (divide by the signed
 * extreme, so the block maximum lands at +1); x = bin centre, y = the
 * fraction of values in the bin (histogram weights 1/N).  Curves, in this
 * order:
 *   histogram  the sample (y_err = binomial standard error sqrt(p(1-p)/N))
 *   exact      the bin's mass under the exact law plus the block maximum's
 *              atoms
 *   model      the truncated-normal model's mass; only for B > pi, where
 *              its variance is positive.
 * The non-maximum elements have the same law under both scalings (dividing
 * by -m instead of m mirrors a symmetric law), so only the atoms differ. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "harness/curve.h"
#include "law/normalised_hist.h"
#include "mc/sample.h"

#define MAX_BINS 1000
#define MAX_SCALINGS 2

static const char doc[] =
  "Histograms of block-normalised N(0,1) values vs model and exact law (Orr et\n"
  "  al. F-S5).  Config keys: seed, samples (a multiple of block), block (B),\n"
  "  bins (on [-1, 1]), scale (scale format, e.g. fp32), scalings (absmax,\n"
  "  signmax: one panel each).";

typedef struct {
  unsigned long samples, block;
  size_t bins;
  char scale[32];
  const char *scaling[MAX_SCALINGS]; /* "absmax" or "signmax" */
  size_t n_scaling;
} setup;

/* One panel's values per bin: its point's slot. */
typedef struct {
  double hist[MAX_BINS], se[MAX_BINS], model[MAX_BINS], exact[MAX_BINS];
  int has_model;
} panel;

typedef struct {
  const setup *s;
  const double *x; /* the sample, shared by the panels */
  panel p[MAX_SCALINGS];
} run_state;

static int read_scalings(qrd_config *cfg, setup *s)
{
  static const char *const allowed[MAX_SCALINGS] = {"absmax", "signmax"};
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "scalings", words, &s->n_scaling);
  if (st)
    return st;
  if (s->n_scaling == 0 || s->n_scaling > MAX_SCALINGS)
    return qrd_config_invalid(cfg, "scalings", "need one or two scalings");
  for (size_t i = 0; i < s->n_scaling; i++) {
    s->scaling[i] = NULL;
    for (size_t k = 0; k < MAX_SCALINGS; k++)
      if (strcmp(words[i], allowed[k]) == 0)
        s->scaling[i] = allowed[k];
    if (!s->scaling[i])
      return qrd_config_invalid(cfg, "scalings", "allowed: absmax, signmax");
  }
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long bins;
  int st;
  if ((st = qrd_config_whole(cfg, "block", 2, 1 << 16, &s->block)) ||
      (st = qrd_driver_read_samples(cfg, "samples", &s->block, 1, &s->samples)) ||
      (st = qrd_config_whole(cfg, "bins", 2, MAX_BINS, &bins)) ||
      (st = qrd_driver_read_scale(cfg, "scale", 1, s->scale, sizeof s->scale)) ||
      (st = read_scalings(cfg, s)))
    return st;
  s->bins = bins;
  return QRD_OK;
}

static int write_panel(qrd_results *res, const setup *s, size_t i, const panel *p)
{
  const char *name = s->scaling[i];
  double x[MAX_BINS];
  char title[160], attr[64];
  for (size_t k = 0; k < s->bins; k++)
    x[k] = qrd_normalised_bin_centre(s->bins, k);
  snprintf(title, sizeof title, "N(0,1) / %s over blocks of %lu (%s scales)", name,
           s->block, s->scale);
  snprintf(attr, sizeof attr, "%s_histogram_max_z", name);
  int st = qrd_results_panel(res, name, title, "normalised value", "fraction per bin");
  if (!st)
    st = qrd_results_curve(res, name, "histogram", "Monte Carlo", s->bins, x, p->hist,
                           p->se);
  if (!st)
    st = qrd_results_curve(res, name, "exact", "exact law", s->bins, x, p->exact, NULL);
  /* last, as the one curve that may be missing */
  if (!st && p->has_model)
    st = qrd_results_curve(res, name, "model", "Model (2.5)", s->bins, x, p->model, NULL);
  return st ? st : qrd_results_attr_double(res, attr,
                                           qrd_normalised_max_z(p->hist, p->se, p->exact,
                                                                s->bins));
}

static int write_all(qrd_results *res, const void *ctx)
{
  const run_state *w = ctx;
  int st = QRD_OK;
  for (size_t i = 0; !st && i < w->s->n_scaling; i++)
    st = write_panel(res, w->s, i, &w->p[i]);
  return st ? st : qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
}

/* Point i: panel i's histogram of the sample, model and exact law. */
static int run_panel(void *ctx, size_t i, char *what, size_t len)
{
  run_state *w = ctx;
  const setup *s = w->s;
  panel *p = &w->p[i];
  char text[64];
  qrd_scaling sc;
  qrd_law_scaling g = strcmp(s->scaling[i], "signmax") ? QRD_LAW_ABSMAX : QRD_LAW_SIGNMAX;
  snprintf(what, len, "%s", s->scaling[i]);
  snprintf(text, sizeof text, "%s:%lu", s->scaling[i], s->block);
  int st = qrd_scaling_parse(text, s->scale, &sc);
  if (!st)
    st = qrd_normalised_histogram(w->x, s->samples, &sc, s->bins, p->hist, p->se);
  if (!st)
    st = qrd_normalised_exact((double)s->block, g, s->bins, p->exact);
  p->has_model = qrd_normalised_model((double)s->block, g, s->bins, p->model);
  return st;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = "binomial standard error sqrt(p (1 - p) / N) of each bin, in density units";
  const setup *s = setup_ptr;
  qrd_dist d;
  int st = qrd_dist_parse("gaussian", &d);
  run_state *w = calloc(1, sizeof *w);
  /* one sample for both panels: the same weights normalised two ways */
  double *x = st ? NULL : qrd_sample_alloc(&d, drv->seed, s->samples);
  if (!st && (!w || !x))
    st = qrd_error_set(QRD_ENOMEM, "sample of %lu values", s->samples);
  qrd_driver_progress_begin(drv, s->n_scaling);
  if (!st) {
    w->s = s;
    w->x = x;
    st = qrd_driver_run_items(drv, s->n_scaling, run_panel, w, QRD_DRIVER_SLOTS(w->p));
  }
  qrd_big_free(x);
  if (!st)
    st = qrd_driver_write_results(drv, write_all, w);
  free(w);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-6", doc, read_setup, run, &s);
}
