/* fig-8 (Orr et al. F-S7, `analysis_moment_matching_vs_search`): does a
 * moment-matched CRD need a scale search?  Data: Student-t (nu = 5, scale
 * 1), normalised by its tensor RMS (fp32 scale); 5-bit symmetric RMS CRDs
 * whose codepoints are multiplied by n'.  With one tensor scale, R on the
 * normalised data equals R in the weight domain.
 *
 * Panels:
 *   multiplier  R vs n' for the RMS CRD of each shape (Normal, Laplace, t5):
 *               curves <shape> (y_err = jackknife SE over batches),
 *               <shape>-min (the best n', one point), moment-matching (the
 *               n' = 1 points: what a moment-matched CRD gets without search)
 *   nu          R of CRD-t(nu) vs the shape's nu: search (best over the n'
 *               grid), moments (n' = 1), search-min (the best nu)
 *   nu-multiplier  the best n' of each nu (not plotted) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fmt/block.h"
#include "harness/driver.h"
#include "mc/sample.h"

#define MAX_SHAPES 8
#define MAX_POINTS 64

static const char doc[] =
  "Moment matching vs scale search for RMS CRDs (Orr et al. F-S7).  Config\n"
  "  keys: seed, samples, bits, dist (the data), shapes (CRD shapes, named\n"
  "  by distribution), multiplier_log2_min, multiplier_log2_max,\n"
  "  multiplier_points (n' = 2^linspace), nu_min, nu_max, nu_points (the\n"
  "  CRD-t nu grid, geometric).";

typedef struct {
  qrd_dist dist;
  qrd_driver_source shape[MAX_SHAPES]; /* CRD shapes, named by distribution */
  size_t n_shape;
  double mult[MAX_POINTS], nu[MAX_POINTS];
  size_t n_mult, n_nu, one; /* one: the index of n' = 1 in mult */
  double bits;
  unsigned long samples;
} setup;

/* ---- config ---- */

/* x[i] = 2^linspace(lo, hi, n) (log2 bounds). */
static void geometric(double lo, double hi, size_t n, double *x)
{
  for (size_t i = 0; i < n; i++)
    x[i] = exp2(n > 1 ? lo + (hi - lo) * (double)i / (double)(n - 1) : lo);
}

static int read_grids(qrd_config *cfg, setup *s)
{
  double lo, hi, nlo, nhi;
  unsigned long n, nn;
  int st;
  if ((st = qrd_config_double(cfg, "multiplier_log2_min", -8, 0, &lo)) ||
      (st = qrd_config_double(cfg, "multiplier_log2_max", 0, 8, &hi)) ||
      (st = qrd_config_whole(cfg, "multiplier_points", 3, MAX_POINTS, &n)) ||
      (st = qrd_config_double(cfg, "nu_min", 2.001, 1e6, &nlo)) ||
      (st = qrd_config_double(cfg, "nu_max", nlo, 1e6, &nhi)) ||
      (st = qrd_config_whole(cfg, "nu_points", 1, MAX_POINTS, &nn)))
    return st;
  s->n_mult = (size_t)n;
  s->n_nu = (size_t)nn;
  geometric(lo, hi, s->n_mult, s->mult);
  geometric(log2(nlo), log2(nhi), s->n_nu, s->nu);
  /* n' = 1 must be a grid point: it is the moment-matched format */
  s->one = s->n_mult;
  for (size_t i = 0; i < s->n_mult; i++)
    if (fabs(log2(s->mult[i])) < 1e-9) {
      s->mult[i] = 1.0;
      s->one = i;
    }
  if (s->one == s->n_mult)
    return qrd_config_invalid(cfg, "multiplier_points", "need n' = 1 among the points");
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  size_t n;
  int st;
  memset(s, 0, sizeof *s);
  if ((st = qrd_config_whole(cfg, "samples", QRD_DRIVER_SAMPLES_MIN, QRD_DRIVER_SAMPLES_MAX,
                             &s->samples)) ||
      (st = qrd_config_double(cfg, "bits", 1, 12, &s->bits)) ||
      (st = qrd_driver_read_dists(cfg, "dist", &s->dist, 1, &n)) ||
      (st = qrd_driver_read_sources(cfg, "shapes", s->shape, MAX_SHAPES, &s->n_shape)) ||
      (st = read_grids(cfg, s)))
    return st;
  /* the block sample cuts the values into batches */
  if (s->samples % QRD_BLOCK_BATCHES != 0) {
    char why[64];
    snprintf(why, sizeof why, "must be a whole number of %d batches", QRD_BLOCK_BATCHES);
    return qrd_config_invalid(cfg, "samples", why);
  }
  return QRD_OK;
}

/* ---- evaluation ---- */

/* R of the CRD p with every codepoint multiplied by m. */
static int eval_scaled(const qrd_block_sample *data, const qrd_crd_params *p, double bits,
                       double m, qrd_block_result *r)
{
  qrd_element *e;
  int st = qrd_element_crd(p, bits, &e);
  if (st)
    return st;
  qrd_codebook *cb = qrd_codebook_alloc(e->cb->n);
  if (!cb)
    st = qrd_error_set(QRD_ENOMEM, "codebook");
  if (!st) {
    for (size_t i = 0; i < cb->n; i++)
      cb->level[i] = m * e->cb->level[i];
    qrd_codebook_set_midpoints(cb); /* a CRD's cells are its midpoints */
    st = qrd_block_eval(data, cb, e->bits, r);
  }
  qrd_codebook_free(cb);
  qrd_element_free(e);
  return st;
}

/* One sweep point: a shape over the multiplier grid (shape < n_shape), or
 * CRD-t(nu[k]) over the multiplier grid. */
typedef struct {
  size_t shape, k;
  qrd_block_result r[MAX_POINTS];
  int status;
  char error[256];
} item;

static qrd_crd_params item_params(const setup *s, const item *it)
{
  if (it->shape < s->n_shape)
    return s->shape[it->shape].crd;
  qrd_crd_params p;
  qrd_crd_params_default(&p);
  p.family = QRD_CRD_STUDENT_T;
  p.nu = s->nu[it->k];
  return p;
}

static void run_items(qrd_driver *drv, const setup *s, const qrd_block_sample *data,
                      item *items, size_t n)
{
  /* each item writes only its own slot: results do not depend on threads */
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t j = 0; j < n; j++) {
    item *it = &items[j];
    qrd_crd_params p = item_params(s, it);
    for (size_t i = 0; !it->status && i < s->n_mult; i++)
      it->status = eval_scaled(data, &p, s->bits, s->mult[i], &it->r[i]);
    if (it->status)
      snprintf(it->error, sizeof it->error, "%s", qrd_error_detail());
    char what[128];
    if (it->shape < s->n_shape)
      snprintf(what, sizeof what, "%s shape, %zu multipliers", s->shape[it->shape].slug,
               s->n_mult);
    else
      snprintf(what, sizeof what, "CRD-t nu=%.4g, %zu multipliers", p.nu, s->n_mult);
#pragma omp critical(progress)
    qrd_driver_progress_step(drv, what);
  }
}

/* ---- results ---- */

static size_t argmin(const double *y, size_t n)
{
  size_t k = 0;
  for (size_t i = 1; i < n; i++)
    if (y[i] < y[k])
      k = i;
  return k;
}

static void unpack(const qrd_block_result *r, size_t n, double *y, double *err)
{
  for (size_t i = 0; i < n; i++) {
    y[i] = r[i].rel_rmse;
    err[i] = r[i].rel_rmse_se;
  }
}

/* Curves in the order the plot expects: the shapes, their minima, then
 * the moment-matched points. */
static int write_multiplier(qrd_results *res, const setup *s, const item *items)
{
  double y[MAX_SHAPES][MAX_POINTS], err[MAX_SHAPES][MAX_POINTS], mx[MAX_SHAPES],
         my[MAX_SHAPES], me[MAX_SHAPES];
  char title[320], curve[64], label[160];
  snprintf(title, sizeof title, "%s data, tensor RMS, %g-bit RMS CRDs: R vs codepoint "
           "multiplier", s->dist.spec, s->bits);
  int st = qrd_results_panel(res, "multiplier", title, "multiplier n'", "R");
  for (size_t sh = 0; !st && sh < s->n_shape; sh++) {
    unpack(items[sh].r, s->n_mult, y[sh], err[sh]);
    snprintf(label, sizeof label, "CRD %s", s->shape[sh].label);
    st = qrd_results_curve(res, "multiplier", s->shape[sh].slug, label, s->n_mult, s->mult,
                           y[sh], err[sh]);
  }
  for (size_t sh = 0; !st && sh < s->n_shape; sh++) {
    size_t k = argmin(y[sh], s->n_mult);
    snprintf(curve, sizeof curve, "%s-min", s->shape[sh].slug);
    snprintf(label, sizeof label, "CRD %s best: n' = %.3g, R = %.4f (n' = 1: %.4f)",
             s->shape[sh].label, s->mult[k], y[sh][k], y[sh][s->one]);
    st = qrd_results_curve(res, "multiplier", curve, label, 1, &s->mult[k], &y[sh][k],
                           &err[sh][k]);
    mx[sh] = 1.0;
    my[sh] = y[sh][s->one];
    me[sh] = err[sh][s->one];
  }
  return st ? st : qrd_results_curve(res, "multiplier", "moment-matching",
                                     "Moment matching (n' = 1)", s->n_shape, mx, my, me);
}

static int write_nu(qrd_results *res, const setup *s, const item *items)
{
  double best[MAX_POINTS], best_err[MAX_POINTS], best_m[MAX_POINTS], mom[MAX_POINTS],
         mom_err[MAX_POINTS], y[MAX_POINTS], err[MAX_POINTS];
  for (size_t k = 0; k < s->n_nu; k++) {
    const item *it = &items[s->n_shape + k];
    unpack(it->r, s->n_mult, y, err);
    size_t b = argmin(y, s->n_mult);
    best[k] = y[b];
    best_err[k] = err[b];
    best_m[k] = s->mult[b];
    mom[k] = y[s->one];
    mom_err[k] = err[s->one];
  }
  char title[320], label[160];
  snprintf(title, sizeof title, "%s data: %g-bit CRD-t(nu) vs the shape's nu", s->dist.spec,
           s->bits);
  int st = qrd_results_panel(res, "nu", title, "CRD shape nu", "R");
  if (!st)
    st = qrd_results_curve(res, "nu", "search", "best multiplier (search)", s->n_nu, s->nu,
                           best, best_err);
  if (!st)
    st = qrd_results_curve(res, "nu", "moments", "n' = 1 (moment matching)", s->n_nu, s->nu,
                           mom, mom_err);
  size_t k = argmin(best, s->n_nu);
  snprintf(label, sizeof label, "best nu = %.3g, R = %.4f", s->nu[k], best[k]);
  if (!st)
    st = qrd_results_curve(res, "nu", "search-min", label, 1, &s->nu[k], &best[k],
                           &best_err[k]);
  if (!st)
    st = qrd_results_panel(res, "nu-multiplier", "best multiplier of each CRD-t(nu)",
                           "CRD shape nu", "best multiplier n'");
  return st ? st : qrd_results_curve(res, "nu-multiplier", "best", "best n'", s->n_nu, s->nu,
                                     best_m, NULL);
}

static int write_results(qrd_driver *drv, const setup *s, const item *items)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  if ((st = write_multiplier(res, s, items)) || (st = write_nu(res, s, items))) {
    qrd_results_abort(res);
    return st;
  }
  return qrd_results_commit(res);
}

static int run(qrd_driver *drv, const setup *s, item *items)
{
  size_t n = s->n_shape + s->n_nu;
  for (size_t j = 0; j < n; j++)
    items[j] = (item){.shape = j, .k = j < s->n_shape ? 0 : j - s->n_shape};
  qrd_driver_progress_begin(drv, n + 1);
  /* one sample, normalised and sorted once; every format is then a
   * lookup into it (sampling and sorting use every thread themselves) */
  qrd_scaling sc;
  qrd_block_sample *data = NULL;
  double *x = qrd_sample_alloc(&s->dist, drv->seed, s->samples);
  int st = x ? qrd_scaling_parse("rms", "fp32", &sc) : QRD_ENOMEM;
  if (!st)
    st = qrd_block_sample_alloc(x, s->samples, &sc, -1.0, 1.0, 0.0, &data);
  free(x);
  qrd_driver_progress_step(drv, "sample normalised and sorted");
  if (!st) {
    run_items(drv, s, data, items, n);
    for (size_t j = 0; !st && j < n; j++)
      if (items[j].status)
        st = qrd_error_set(items[j].status, "%s", items[j].error);
  }
  if (!st)
    st = write_results(drv, s, items);
  qrd_block_sample_free(data);
  return st;
}

/* run() with its buffer. */
static int run_sweep(qrd_driver *drv, void *setup_ptr)
{
  item *items = calloc(MAX_SHAPES + MAX_POINTS, sizeof *items);
  int st = items ? run(drv, setup_ptr, items) : qrd_error_set(QRD_ENOMEM, "sweep");
  free(items);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-8", doc, read_setup, run_sweep, &s);
}
