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

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/element_eval.h"
#include "harness/curve.h"
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

/* Per shape, then per nu: R and its SE over the multiplier grid. */
typedef struct {
  const setup *s;
  const qrd_block_sample *data;
  double y[MAX_SHAPES + MAX_POINTS][MAX_POINTS], err[MAX_SHAPES + MAX_POINTS][MAX_POINTS];
} sweep;

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

/* Item j: shape j over the multiplier grid, or CRD-t(nu[j - n_shape]). */
static int eval_item(void *ctx, size_t j, char *what, size_t len)
{
  sweep *w = ctx;
  const setup *s = w->s;
  qrd_crd_params p;
  qrd_block_result r[MAX_POINTS];
  int st = QRD_OK;
  if (j < s->n_shape) {
    p = s->shape[j].crd;
    snprintf(what, len, "%s shape, %zu multipliers", s->shape[j].slug, s->n_mult);
  } else {
    char spec[64];
    snprintf(spec, sizeof spec, "student-t:nu=%.17g", s->nu[j - s->n_shape]);
    snprintf(what, len, "CRD-t nu=%.4g, %zu multipliers", s->nu[j - s->n_shape], s->n_mult);
    st = qrd_crd_params_for_spec(spec, &p);
  }
  if (!st)
    st = qrd_crd_eval_scaled(w->data, &p, s->bits, s->mult, s->n_mult, r);
  for (size_t i = 0; !st && i < s->n_mult; i++) {
    w->y[j][i] = r[i].rel_rmse;
    w->err[j][i] = r[i].rel_rmse_se;
  }
  return st;
}

/* Curves in the order the plot expects: the shapes, their minima, then
 * the moment-matched points. */
static int write_multiplier(qrd_results *res, const sweep *w)
{
  const setup *s = w->s;
  double my[MAX_SHAPES], me[MAX_SHAPES], mx[MAX_SHAPES];
  char title[320], curve[64], label[160];
  snprintf(title, sizeof title, "%s data, tensor RMS, %g-bit RMS CRDs: R vs codepoint "
           "multiplier", s->dist.spec, s->bits);
  int st = qrd_results_panel(res, "multiplier", title, "multiplier n'", "R");
  if (!st)
    st = qrd_curve_params(res, "source=%s; scaling=rms; scale_format=fp32; element_bits=%g",
                          s->dist.spec, s->bits);
  for (size_t sh = 0; !st && sh < s->n_shape; sh++) {
    snprintf(label, sizeof label, "CRD %s", s->shape[sh].label);
    st = qrd_results_curve(res, "multiplier", s->shape[sh].slug, label, s->n_mult, s->mult,
                           w->y[sh], w->err[sh]);
  }
  for (size_t sh = 0; !st && sh < s->n_shape; sh++) {
    size_t k = qrd_curve_argmin(w->y[sh], s->n_mult);
    snprintf(curve, sizeof curve, "%s-min", s->shape[sh].slug);
    snprintf(label, sizeof label, "CRD %s best: n' = %.3g, R = %.4f (n' = 1: %.4f)",
             s->shape[sh].label, s->mult[k], w->y[sh][k], w->y[sh][s->one]);
    st = qrd_curve_point(res, "multiplier", curve, label, s->mult, w->y[sh], w->err[sh], k);
    mx[sh] = 1.0;
    my[sh] = w->y[sh][s->one];
    me[sh] = w->err[sh][s->one];
  }
  return st ? st : qrd_results_curve(res, "multiplier", "moment-matching",
                                     "Moment matching (n' = 1)", s->n_shape, mx, my, me);
}

static int write_nu(qrd_results *res, const sweep *w)
{
  const setup *s = w->s;
  double best[MAX_POINTS], best_err[MAX_POINTS], best_m[MAX_POINTS], mom[MAX_POINTS],
         mom_err[MAX_POINTS];
  for (size_t k = 0; k < s->n_nu; k++) {
    const double *y = w->y[s->n_shape + k], *err = w->err[s->n_shape + k];
    size_t b = qrd_curve_argmin(y, s->n_mult);
    best[k] = y[b];
    best_err[k] = err[b];
    best_m[k] = s->mult[b];
    mom[k] = y[s->one];
    mom_err[k] = err[s->one];
  }
  char title[320], label[160];
  snprintf(title, sizeof title, "%s data: %g-bit CRD-t(nu) vs the shape's nu", s->dist.spec,
           s->bits);
  size_t k = qrd_curve_argmin(best, s->n_nu);
  snprintf(label, sizeof label, "best nu = %.3g, R = %.4f", s->nu[k], best[k]);
  int st;
  if ((st = qrd_results_panel(res, "nu", title, "CRD shape nu", "R")) ||
      (st = qrd_results_curve(res, "nu", "search", "best multiplier (search)", s->n_nu, s->nu,
                              best, best_err)) ||
      (st = qrd_results_curve(res, "nu", "moments", "n' = 1 (moment matching)", s->n_nu,
                              s->nu, mom, mom_err)) ||
      (st = qrd_curve_point(res, "nu", "search-min", label, s->nu, best, best_err, k)) ||
      (st = qrd_results_panel(res, "nu-multiplier", "best multiplier of each CRD-t(nu)",
                              "CRD shape nu", "best multiplier n'")))
    return st;
  return qrd_results_curve(res, "nu-multiplier", "best", "best n'", s->n_nu, s->nu, best_m,
                           NULL);
}

static int write_all(qrd_results *res, const void *ctx)
{
  int st = write_multiplier(res, ctx);
  return st ? st : write_nu(res, ctx);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = QRD_Y_ERR_R;
  const setup *s = setup_ptr;
  size_t n = s->n_shape + s->n_nu;
  qrd_driver_progress_begin(drv, n + 1);
  /* one sample, normalised and sorted once; every format is then a
   * lookup into it (sampling and sorting use every thread themselves) */
  qrd_scaling sc;
  qrd_block_sample *data = NULL;
  sweep *w = malloc(sizeof *w);
  double *x = w ? qrd_sample_alloc(&s->dist, drv->seed, s->samples) : NULL;
  int st = x ? qrd_scaling_parse("rms", "fp32", &sc) : qrd_error_set(QRD_ENOMEM, "sample");
  if (!st)
    st = qrd_block_sample_alloc(x, s->samples, &sc, -1.0, 1.0, 0.0, &data);
  if (!st)
    qrd_block_sample_set_source(data, &s->dist, 0.0);
  qrd_big_free(x);
  qrd_driver_progress_step(drv, "sample normalised and sorted");
  if (!st) {
    *w = (sweep){.s = s, .data = data};
    /* point j: its row of y and of err */
    qrd_driver_slots out = {{{w->y, sizeof w->y[0], sizeof w->y[0]},
                             {w->err, sizeof w->err[0], sizeof w->err[0]}}, 2, NULL, NULL, NULL};
    st = qrd_driver_run_items(drv, n, eval_item, w, &out);
  }
  if (!st)
    st = qrd_driver_write_results(drv, write_all, w);
  qrd_block_sample_free(data);
  free(w);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-8", doc, read_setup, run, &s);
}
