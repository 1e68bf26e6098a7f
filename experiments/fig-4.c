/* fig-4 (Orr et al. F-S3, `eg_dist_absmax`): the mean block absmax E[max|X|]
 * over blocks of B iid values vs B, with the models of Orr et al. that
 * the block CRD formats are built on, and the exact value by integration.
 *
 * Panels:
 *   light  Normal N(0,1) and Laplace (scale 1): curves <d> (Monte Carlo,
 *          y_err = standard error over blocks), <d>-model, <d>-exact
 *   t      Student-t (scale 1) for each nu: the same three curves
 * Model: the family's closed form (qrd_dist_block_absmax_model; none, so
 * no model curve, for a family without one).
 * Exact: E max = int_0^inf 1 - (1 - 2 sf(m))^B dm. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "harness/curve.h"
#include "mc/sample.h"
#include "mc/stats.h"

#define MAX_DISTS 16
#define MAX_BLOCKS 32

static const char doc[] =
  "Mean block absmax vs block size (Orr et al. F-S3).  Config keys: seed,\n"
  "  samples, block_min, block_max (powers of two), light (Normal/Laplace\n"
  "  panel), heavy (Student-t panel).";

typedef struct {
  qrd_dist dist[MAX_DISTS];
  int panel[MAX_DISTS]; /* 0: light, 1: heavy */
  size_t n_dist, n_block;
  size_t block[MAX_BLOCKS];
  unsigned long samples;
} setup;

/* One distribution's point: its curves over the block sizes. */
typedef struct {
  double mc[MAX_BLOCKS], se[MAX_BLOCKS], model[MAX_BLOCKS], exact[MAX_BLOCKS];
} result;

typedef struct {
  const setup *s;
  unsigned long seed;
  result *r;
} run_state;

/* The sources of one panel (0: light, 1: heavy) after those read so far. */
static int read_panel(qrd_config *cfg, const char *key, int panel, setup *s)
{
  size_t n;
  int st = qrd_driver_read_dists(cfg, key, s->dist + s->n_dist, MAX_DISTS - s->n_dist, &n);
  for (size_t i = 0; !st && i < n; i++)
    s->panel[s->n_dist++] = panel;
  return st;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long lo, hi;
  int st;
  s->n_dist = 0;
  if ((st = qrd_config_power_of_two(cfg, "samples", 1024, 1 << 28, &s->samples)) ||
      (st = qrd_config_power_of_two(cfg, "block_min", 2, 1 << 20, &lo)) ||
      (st = qrd_config_power_of_two(cfg, "block_max", (double)lo, (double)s->samples, &hi)) ||
      (st = read_panel(cfg, "light", 0, s)) || (st = read_panel(cfg, "heavy", 1, s)))
    return st;
  s->n_block = 0;
  for (unsigned long b = lo; b <= hi && s->n_block < MAX_BLOCKS; b *= 2)
    s->block[s->n_block++] = (size_t)b;
  return QRD_OK;
}

/* Point d: the mean and standard error over blocks of max |x| of one
 * sample per distribution, seeded by (seed, distribution index) so adding
 * a distribution to the list does not change the others; the model and
 * the exact value. */
static int run_dist(void *ctx, size_t d, char *what, size_t len)
{
  const run_state *w = ctx;
  const setup *s = w->s;
  result *r = &w->r[d];
  snprintf(what, len, "%s", s->dist[d].spec);
  double *x = qrd_sample_alloc(&s->dist[d], w->seed + 1000003ul * d, s->samples);
  int st = x ? QRD_OK : qrd_error_set(QRD_ENOMEM, "sample of %lu values", s->samples);
  for (size_t j = 0; !st && j < s->n_block; j++) {
    qrd_mc_block_absmax_stats(x, s->samples, s->block[j], &r->mc[j], &r->se[j]);
    r->model[j] = qrd_dist_block_absmax_model(&s->dist[d], (double)s->block[j]);
    st = qrd_dist_block_absmax_mean(&s->dist[d], (double)s->block[j], &r->exact[j]);
  }
  qrd_big_free(x);
  return st;
}

static int write_dist(qrd_results *res, const setup *s, size_t d, const result *r)
{
  const char *panel = s->panel[d] ? "heavy" : "light";
  double x[MAX_BLOCKS];
  char slug[96], curve[128], label[192];
  for (size_t j = 0; j < s->n_block; j++)
    x[j] = (double)s->block[j];
  qrd_driver_slug(slug, sizeof slug, s->dist[d].spec);
  int st = qrd_results_curve(res, panel, slug, s->dist[d].spec, s->n_block, x, r->mc, r->se);
  snprintf(curve, sizeof curve, "%s-exact", slug);
  snprintf(label, sizeof label, "%s exact", s->dist[d].spec);
  if (!st)
    st = qrd_results_curve(res, panel, curve, label, s->n_block, x, r->exact, NULL);
  snprintf(curve, sizeof curve, "%s-model", slug);
  snprintf(label, sizeof label, "%s model", s->dist[d].spec);
  if (!st && isfinite(r->model[0]))
    st = qrd_results_curve(res, panel, curve, label, s->n_block, x, r->model, NULL);
  return st;
}

static int write_results(qrd_driver *drv, const setup *s, const result *r)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  st = qrd_results_panel(res, "light", "Normal and Laplace", "block size B",
                         "mean block absmax");
  if (!st)
    st = qrd_results_panel(res, "heavy", "Student-t", "block size B", "mean block absmax");
  for (size_t d = 0; !st && d < s->n_dist; d++)
    st = write_dist(res, s, d, &r[d]);
  return qrd_driver_close_results(res, st);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = "standard error of the mean block maximum: standard deviation of the block maxima / sqrt(number of blocks)";
  const setup *s = setup_ptr;
  result *r = calloc(s->n_dist, sizeof *r);
  if (!r)
    return qrd_error_set(QRD_ENOMEM, "results");
  qrd_driver_progress_begin(drv, s->n_dist);
  run_state w = {s, drv->seed, r};
  int st = qrd_driver_run_items(drv, s->n_dist, run_dist, &w, QRD_DRIVER_SLOTS(r));
  if (!st)
    st = write_results(drv, s, r);
  free(r);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-4", doc, read_setup, run, &s);
}
