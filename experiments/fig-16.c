/* fig-16 (Yoshida, README F-P1 "Distribution for block size = B";
 * the NF4/AF4 study's figure A): the law of absmax-normalised N(0,1) values
 * X = W / max_i |W_i| over blocks of B, exact against Monte Carlo
 * histograms, for several B.
 *
 * Panels:
 *   b<B>     one per block size; x = bin centre, y = density (fraction
 *            of values in the bin / bin width).  Curves:
 *              histogram  the sample (y_err: standard error over
 *                         QRD_BLOCK_BATCHES batches of whole blocks, which
 *                         keeps the dependence within a block: the shared
 *                         maximum and its +-1 atom)
 *              exact      the bin's mass under the exact law (atoms of
 *                         1/(2B) at -1 and +1 in the end bins) / width
 *   density  the continuous part f_B(x) (mass 1 - 1/B, atoms left out),
 *            one curve b<B> per block size.
 * Every block size cuts the same sample into blocks.  Root attributes
 * max_z_b<B> and mean_z2_b<B>: the largest |histogram - exact| / SE over
 * the bins and the mean squared z (about 1 when the SE is right). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "harness/curve.h"
#include "law/blockmax_hist.h"
#include "law/normalised_hist.h"
#include "mc/sample.h"

#define MAX_BLOCKS 16
#define MAX_BINS 1000
#define MAX_POINTS 10001
#define BATCHES QRD_BLOCK_BATCHES

static const char doc[] =
  "Law of absmax-normalised N(0,1) values: exact f_B over Monte Carlo\n"
  "  histograms (Yoshida F-P1).  Config keys: seed, samples (a multiple of 64 B\n"
  "  for every B), blocks (block sizes B, whole numbers >= 2), bins (on\n"
  "  [-1, 1]), points (of the density curves).";

typedef struct {
  unsigned long samples, block[MAX_BLOCKS];
  size_t n_block, bins, points;
} setup;

/* One block size's histogram against the exact law. */
typedef struct {
  unsigned long *count; /* QRD_BLOCK_BATCHES rows of bins */
  double hist[MAX_BINS], se[MAX_BINS], exact[MAX_BINS]; /* contiguous: one slot */
  double *pdf;          /* f_B at the density grid */
  qrd_blockmax_hist h;  /* over the arrays above */
} result;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long bins, points;
  int st;
  if ((st = qrd_config_wholes(cfg, "blocks", 2, 1 << 20, s->block, MAX_BLOCKS, &s->n_block)) ||
      (st = qrd_config_whole(cfg, "samples", QRD_DRIVER_SAMPLES_MIN, QRD_DRIVER_SAMPLES_MAX,
                             &s->samples)) ||
      (st = qrd_config_whole(cfg, "bins", 2, MAX_BINS, &bins)) ||
      (st = qrd_config_whole(cfg, "points", 3, MAX_POINTS, &points)))
    return st;
  for (size_t j = 0; j < s->n_block; j++)
    if (s->samples % (BATCHES * s->block[j]) != 0)
      return qrd_config_invalid(cfg, "samples", "must be a whole number of batches: a "
                                                "multiple of 64 B for every B of blocks");
  s->bins = (size_t)bins;
  s->points = (size_t)points;
  return QRD_OK;
}

/* ---- output ---- */

static int write_block(qrd_results *res, const setup *s, unsigned long block, const result *r)
{
  double x[MAX_BINS];
  char panel[32], title[96], attr[64];
  for (size_t k = 0; k < s->bins; k++)
    x[k] = qrd_normalised_bin_centre(s->bins, k);
  snprintf(panel, sizeof panel, "b%lu", block);
  snprintf(title, sizeof title, "B = %lu", block);
  int st = qrd_results_panel(res, panel, title, "x = w / max|w|", "density");
  if (!st)
    st = qrd_results_curve(res, panel, "histogram", "Monte Carlo", s->bins, x, r->hist, r->se);
  if (!st)
    st = qrd_results_curve(res, panel, "exact", "exact (atoms in end bins)", s->bins, x,
                           r->exact, NULL);
  snprintf(attr, sizeof attr, "max_z_b%lu", block);
  if (!st)
    st = qrd_results_attr_double(res, attr, r->h.max_z);
  snprintf(attr, sizeof attr, "mean_z2_b%lu", block);
  if (!st)
    st = qrd_results_attr_double(res, attr, r->h.mean_z2);
  return st;
}

static int write_density(qrd_results *res, const setup *s, const result *r)
{
  double *x = malloc(s->points * sizeof *x);
  int st = x ? qrd_results_panel(res, "density", "continuous part f_B (atoms at +-1 left out)",
                                 "x = w / max|w|", "f_B(x)")
             : qrd_error_set(QRD_ENOMEM, "density grid");
  for (size_t i = 0; !st && i < s->points; i++)
    x[i] = qrd_blockmax_grid_point(s->points, i);
  for (size_t j = 0; !st && j < s->n_block; j++) {
    char curve[32], label[32];
    snprintf(curve, sizeof curve, "b%lu", s->block[j]);
    snprintf(label, sizeof label, "B = %lu", s->block[j]);
    st = qrd_results_curve(res, "density", curve, label, s->points, x, r[j].pdf, NULL);
  }
  free(x);
  return st;
}

static int write_results(qrd_driver *drv, const setup *s, const result *r)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  for (size_t j = 0; !st && j < s->n_block; j++)
    st = write_block(res, s, s->block[j], &r[j]);
  if (!st)
    st = write_density(res, s, r);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  if (!st)
    st = qrd_results_attr_string(res, "sample_seeding", QRD_SAMPLE_SEEDING);
  return qrd_driver_close_results(res, st);
}

/* ---- run ---- */

static void results_free(const setup *s, result *r)
{
  for (size_t j = 0; r && j < s->n_block; j++) {
    free(r[j].count);
    free(r[j].pdf);
  }
  free(r);
}

/* NULL when out of memory. */
static result *results_alloc(const setup *s)
{
  result *r = calloc(s->n_block, sizeof *r);
  int ok = r != NULL;
  for (size_t j = 0; ok && j < s->n_block; j++) {
    r[j].count = calloc(BATCHES * s->bins, sizeof *r[j].count);
    r[j].pdf = malloc(s->points * sizeof *r[j].pdf);
    r[j].h = (qrd_blockmax_hist){.bins = s->bins, .hist = r[j].hist, .se = r[j].se,
                                 .exact = r[j].exact};
    ok = r[j].count && r[j].pdf;
  }
  if (!ok) {
    results_free(s, r);
    return NULL;
  }
  return r;
}

typedef struct {
  const setup *s;
  result *r;
} state;

/* Item j: block size j's exact law, the histogram's densities and their
 * agreement. */
static int evaluate(void *ctx, size_t j, char *what, size_t len)
{
  const state *t = ctx;
  const setup *s = t->s;
  result *r = &t->r[j];
  snprintf(what, len, "B = %lu", s->block[j]);
  int st = qrd_blockmax_hist_eval(r->count, s->samples / BATCHES, (double)s->block[j],
                                  s->points, r->pdf, &r->h);
  if (!st)
    snprintf(what, len, "B = %lu: exact law, max z %.2f", s->block[j], r->h.max_z);
  return st;
}

/* What item j writes: the three bin arrays, the density grid and the two
 * agreement statistics (h's pointers stay this process's). */
#define H_STATS offsetof(qrd_blockmax_hist, max_z)
static size_t item_slots(const void *ctx, size_t j, qrd_driver_slot *out)
{
  const state *t = ctx;
  result *r = &t->r[j];
  out[0] = (qrd_driver_slot){r->hist, 0, sizeof r->hist + sizeof r->se + sizeof r->exact};
  out[1] = (qrd_driver_slot){(char *)&r->h + H_STATS, 0, sizeof r->h - H_STATS};
  out[2] = (qrd_driver_slot){r->pdf, 0, t->s->points * sizeof *r->pdf};
  return 3;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = "standard error of each bin's density: jackknife over 64 batches of whole blocks";
  const setup *s = setup_ptr;
  qrd_dist d;
  int st = qrd_dist_parse("gaussian", &d);
  result *r = results_alloc(s);
  double *x = st || !r ? NULL : qrd_sample_alloc(&d, drv->seed, s->samples);
  unsigned long *count[MAX_BLOCKS];
  if (!st && !x)
    st = qrd_error_set(QRD_ENOMEM, "sample of %lu values and its histograms", s->samples);
  qrd_driver_progress_begin(drv, s->n_block + 1);
  if (!st) {
    for (size_t j = 0; j < s->n_block; j++)
      count[j] = r[j].count;
    qrd_blockmax_count(x, s->samples, s->block, s->n_block, s->bins, count);
    qrd_driver_progress_step(drv, "histograms");
    state t = {s, r};
    st = qrd_driver_run_items(drv, s->n_block, evaluate, &t,
                              &(qrd_driver_slots){.at = item_slots, .ctx = &t});
  }
  qrd_big_free(x);
  if (!st)
    st = write_results(drv, s, r);
  results_free(s, r);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-16", doc, read_setup, run, &s);
}
