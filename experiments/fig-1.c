/* fig-1: rate-distortion curves of fixed- and variable-length scalar
 * quantisers for each source, exactly (numerical integration, no Monte
 * Carlo), with the Shannon bound / Shannon lower bound and the high-rate
 * theory gaps.
 *
 * Panels, per distribution <d> (e.g. gaussian, student-t-nu-5):
 *   <d>-nmse  MSE / variance vs rate (bits), log y; curve "bound" is D(R)
 *   <d>-gap   rate - R_bound(D) in bits vs rate; "<q>-theory" curves are the
 *             high-rate limits (0.2546 entropy-coded, Panter-Dite, ...)
 * Fixed-length designs use round(2^R) levels (rate = log2 levels);
 * entropy-coded designs are tuned to index entropy R. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/curve.h"
#include "law/registry.h"
#include "quant/rd_sweep.h"

#define MAX_DISTS 8
#define MAX_QUANTS 8
#define MAX_RATES 256

static const char doc[] =
  "Rate-distortion of scalar quantisers (fig-1).  Config keys:\n"
  "  seed, dists, quantisers (fixed-length and entropy-coded designs),\n"
  "  rate_min, rate_max, rate_step (bits), ecsq_rate_max (bits).";

typedef struct {
  qrd_dist dist[MAX_DISTS];
  qrd_quantiser quant[MAX_QUANTS];
  size_t n_dist, n_quant;
  double rate[MAX_RATES];
  size_t n_rate;
  double rate_max[MAX_QUANTS]; /* ecsq_rate_max for ECSQ, the grid's end otherwise */
} setup;

typedef struct {
  const setup *s;
  qrd_rd_sweep_point p[MAX_DISTS * MAX_QUANTS * MAX_RATES];
  size_t n;
} sweep;

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  const char *words[QRD_CONFIG_MAX_LIST];
  double ecsq_max;
  int st;
  if ((st = qrd_driver_read_dists(cfg, "dists", s->dist, MAX_DISTS, &s->n_dist)) ||
      (st = qrd_config_list(cfg, "quantisers", words, &s->n_quant)))
    return st;
  if (s->n_quant > MAX_QUANTS)
    return qrd_config_invalid(cfg, "quantisers", "want at most 8 quantisers");
  for (size_t i = 0; i < s->n_quant; i++)
    if (qrd_quantiser_parse(words[i], &s->quant[i]))
      return qrd_config_invalid_error(cfg, "quantisers");
  if ((st = qrd_config_range(cfg, "rate", 0.01, 16, s->rate, MAX_RATES, &s->n_rate)) ||
      (st = qrd_config_double(cfg, "ecsq_rate_max", 0, 16, &ecsq_max)))
    return st;
  for (size_t i = 0; i < s->n_quant; i++)
    s->rate_max[i] = strcmp(s->quant[i].type->name, "ecsq") == 0 ? ecsq_max : INFINITY;
  return QRD_OK;
}

static int eval_point(void *ctx, size_t j, char *what, size_t len)
{
  sweep *w = ctx;
  qrd_rd_sweep_point *p = &w->p[j];
  snprintf(what, len, "%s %s target=%g", w->s->dist[p->d].spec, w->s->quant[p->q].spec,
           p->target);
  return qrd_rd_sweep_eval(w->s->quant, w->s->dist, p);
}

static int write_curve(qrd_results *res, const char *panel, const char *curve,
                       const char *label, size_t n, const double *x, const double *y)
{
  return n ? qrd_results_curve(res, panel, curve, label, n, x, y, NULL) : QRD_OK;
}

/* The high-rate gap of quant as a flat line over the rate range. */
static int write_theory(qrd_results *res, const char *panel, const setup *s,
                        const qrd_quantiser *quant, const qrd_dist *dist)
{
  double theory = qrd_theory_gap(quant, dist);
  if (!isfinite(theory))
    return QRD_OK;
  char label[160], curve[128];
  snprintf(label, sizeof label, "%s high-rate limit %.4f", quant->spec, theory);
  qrd_driver_slug(curve, sizeof curve - 8, quant->spec);
  strcat(curve, "-theory");
  return qrd_curve_flat(res, panel, curve, label, s->rate[0], s->rate[s->n_rate - 1], theory);
}

static int write_dist(qrd_results *res, const sweep *w, size_t d)
{
  const setup *s = w->s;
  const qrd_dist *dist = &s->dist[d];
  char slug[96], p_nmse[128], p_gap[128], title[256], curve[128];
  qrd_driver_slug(slug, sizeof slug, dist->spec);
  snprintf(p_nmse, sizeof p_nmse, "%s-nmse", slug);
  snprintf(p_gap, sizeof p_gap, "%s-gap", slug);
  snprintf(title, sizeof title, "%s: distortion vs rate", dist->spec);
  int st = qrd_results_panel(res, p_nmse, title, "rate (bits)", "MSE / variance");
  snprintf(title, sizeof title, "%s: rate gap to the %s bound", dist->spec,
           qrd_bound_name(dist));
  if (!st)
    st = qrd_results_panel(res, p_gap, title, "rate (bits)", "gap (bits)");
  double x[MAX_RATES], y[MAX_RATES], g[MAX_RATES];
  qrd_rd_bound_nmse(dist, s->rate, s->n_rate, y);
  if (!st)
    st = write_curve(res, p_nmse, "bound", qrd_bound_label(dist), s->n_rate, s->rate, y);
  for (size_t q = 0; !st && q < s->n_quant; q++) {
    size_t k = qrd_rd_sweep_collect(w->p, w->n, d, q, x, y, g);
    qrd_driver_slug(curve, sizeof curve, s->quant[q].spec);
    st = write_curve(res, p_nmse, curve, s->quant[q].spec, k, x, y);
    if (!st)
      st = write_curve(res, p_gap, curve, s->quant[q].spec, k, x, g);
  }
  /* theory after the measured curves, so plots can style them apart */
  for (size_t q = 0; !st && q < s->n_quant; q++)
    st = write_theory(res, p_gap, s, &s->quant[q], dist);
  return st;
}

static int write_all(qrd_results *res, const void *ctx)
{
  const sweep *w = ctx;
  int st = QRD_OK;
  for (size_t d = 0; !st && d < w->s->n_dist; d++)
    st = write_dist(res, w, d);
  return st;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  sweep *w = malloc(sizeof *w);
  if (!w)
    return qrd_error_set(QRD_ENOMEM, "sweep points");
  w->s = s;
  w->n = qrd_rd_sweep_plan(s->quant, s->n_quant, s->n_dist, s->rate, s->n_rate, s->rate_max,
                           w->p);
  qrd_driver_progress_begin(drv, w->n);
  int st = qrd_driver_run_items(drv, w->n, eval_point, w, QRD_DRIVER_SLOTS(w->p));
  if (!st)
    st = qrd_driver_write_results(drv, write_all, w);
  free(w);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-1", doc, read_setup, run, &s);
}
