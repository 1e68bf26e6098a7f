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
#include "harness/driver.h"
#include "law/registry.h"
#include "quant/rd.h"

#define MAX_DISTS 8
#define MAX_QUANTS 8
#define MAX_RATES 256

static const char doc[] =
  "Rate-distortion of scalar quantisers (figures.md fig-1).  Config keys:\n"
  "  seed, dists, quantisers (fixed-length and entropy-coded designs),\n"
  "  rate_min, rate_max, rate_step (bits), ecsq_rate_max (bits).";

typedef struct {
  qrd_dist dist[MAX_DISTS];
  qrd_quantiser quant[MAX_QUANTS];
  size_t n_dist, n_quant;
  double rate[MAX_RATES];
  size_t n_rate;
  double ecsq_rate_max;
} setup;

/* One sweep point: quantiser q at rate index r for distribution d. */
typedef struct {
  size_t d, q;
  double target;
  qrd_rd_point p;
  int status;
  char error[256];
} item;

static int read_quantisers(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "quantisers", words, &s->n_quant);
  if (!st && s->n_quant > MAX_QUANTS)
    return qrd_config_invalid(cfg, "quantisers", "want at most 8 quantisers");
  for (size_t i = 0; !st && i < s->n_quant; i++)
    if (qrd_quantiser_parse(words[i], &s->quant[i]))
      return qrd_config_invalid_error(cfg, "quantisers");
  return st;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  if ((st = qrd_driver_read_dists(cfg, "dists", s->dist, MAX_DISTS, &s->n_dist)) ||
      (st = read_quantisers(cfg, s)) ||
      (st = qrd_config_range(cfg, "rate", 0.01, 16, s->rate, MAX_RATES, &s->n_rate)))
    return st;
  return qrd_config_double(cfg, "ecsq_rate_max", 0, 16, &s->ecsq_rate_max);
}

/* Sweep points in a fixed order; fixed-length designs skip rates that give
 * a level count already used (round(2^R) repeats at low R). */
static size_t plan(const setup *s, item *items)
{
  size_t n = 0;
  for (size_t d = 0; d < s->n_dist; d++)
    for (size_t q = 0; q < s->n_quant; q++) {
      double last = -1.0;
      int ecsq = strcmp(s->quant[q].type->name, "ecsq") == 0;
      for (size_t r = 0; r < s->n_rate; r++) {
        double target = qrd_target_for_rate(&s->quant[q], s->rate[r]);
        if (target == last || (ecsq && s->rate[r] > s->ecsq_rate_max + 1e-9))
          continue;
        items[n++] = (item){.d = d, .q = q, .target = target};
        last = target;
      }
    }
  return n;
}

static void run_items(qrd_driver *drv, const setup *s, item *items, size_t n)
{
  qrd_driver_progress_begin(drv, n);
  /* each item is independent and writes only its own slot: the results do
   * not depend on the thread count or schedule.  Run back to front: the
   * costliest points (entropy-coded, heavy tails, high rate) are planned
   * last, and starting them first balances the threads. */
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t j = 0; j < n; j++) {
    item *it = &items[n - 1 - j];
    it->status = qrd_rd_evaluate(&s->quant[it->q], &s->dist[it->d], it->target, &it->p);
    if (it->status)
      snprintf(it->error, sizeof it->error, "%s", qrd_error_detail());
    char what[256];
    snprintf(what, sizeof what, "%s %s target=%g", s->dist[it->d].spec,
             s->quant[it->q].spec, it->target);
#pragma omp critical(progress)
    qrd_driver_progress_step(drv, what);
  }
}

static int first_failure(const setup *s, const item *items, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (items[i].status)
      return qrd_error_set(items[i].status, "%s with %s at target %g: %s",
                           s->quant[items[i].q].spec, s->dist[items[i].d].spec,
                           items[i].target, items[i].error);
  return QRD_OK;
}

static int write_curve(qrd_results *res, const char *panel, const char *curve,
                       const char *label, size_t n, const double *x, const double *y)
{
  return n ? qrd_results_curve(res, panel, curve, label, n, x, y, NULL) : QRD_OK;
}

/* The points of quantiser q on distribution d, as (rate, nmse) and
 * (rate, gap). */
static size_t collect(const item *items, size_t n, size_t d, size_t q, double *x,
                      double *nmse, double *gap)
{
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (items[i].d == d && items[i].q == q) {
      x[k] = items[i].p.rate;
      nmse[k] = items[i].p.s.nmse;
      gap[k] = items[i].p.gap;
      k++;
    }
  return k;
}

/* The high-rate gap of quant as a flat line over the rate range. */
static int write_theory(qrd_results *res, const char *panel, const setup *s,
                        const qrd_quantiser *quant, const qrd_dist *dist)
{
  double theory = qrd_theory_gap(quant, dist);
  if (!isfinite(theory))
    return QRD_OK;
  double tx[2] = {s->rate[0], s->rate[s->n_rate - 1]}, ty[2] = {theory, theory};
  char label[160], curve[128];
  snprintf(label, sizeof label, "%s high-rate limit %.4f", quant->spec, theory);
  qrd_driver_slug(curve, sizeof curve - 8, quant->spec);
  strcat(curve, "-theory");
  return write_curve(res, panel, curve, label, 2, tx, ty);
}

static int write_dist(qrd_results *res, const setup *s, const item *items, size_t n,
                      size_t d)
{
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
  for (size_t r = 0; r < s->n_rate; r++) {
    x[r] = s->rate[r];
    y[r] = qrd_bound_mse(dist, x[r]) / qrd_dist_variance(dist);
  }
  if (!st)
    st = write_curve(res, p_nmse, "bound",
                     strcmp(qrd_bound_name(dist), "shannon") ? "Shannon lower bound"
                                                             : "Shannon D(R)",
                     s->n_rate, x, y);
  for (size_t q = 0; !st && q < s->n_quant; q++) {
    size_t k = collect(items, n, d, q, x, y, g);
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

static int write_results(qrd_driver *drv, const setup *s, const item *items, size_t n)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  for (size_t d = 0; !st && d < s->n_dist; d++)
    st = write_dist(res, s, items, n, d);
  return qrd_driver_close_results(res, st);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  item *items = malloc(MAX_DISTS * MAX_QUANTS * MAX_RATES * sizeof *items);
  if (!items)
    return qrd_error_set(QRD_ENOMEM, "sweep items");
  size_t n = plan(s, items);
  run_items(drv, s, items, n);
  int st = first_failure(s, items, n);
  if (!st)
    st = write_results(drv, s, items, n);
  free(items);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-1", doc, read_setup, run, &s);
}
