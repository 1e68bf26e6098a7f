/* fig-2 (Orr et al. F-S1, `eg_normal_crd_4bit`): the N(0,1) density and its
 * cube root, and the 4-bit codepoints of three quantisers: density ∝ p
 * (alpha = 1, probabilities i/17), density ∝ p^{1/3} (the CRD) and
 * Lloyd-Max trained on an independent sample; R of each on the evaluation
 * sample (the paper's legend: 0.206, 0.097, 0.097).
 *
 * Panels:
 *   density     pdf and cube-root (∝ p^{1/3}, i.e. N(0, 3)) on [-4, 4]
 *   codepoints  Q_i vs i for crd-alpha-1, crd-alpha-1-3, lloyd-max
 *   r           R of the three (x = 0, 1, 2), y_err the jackknife SE, and
 *               the exact R by integration (curve r-exact) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/element_eval.h"
#include "harness/curve.h"
#include "mc/sample.h"

static const char doc[] =
  "Codepoints of 4-bit quantisers for N(0,1) (Orr et al. F-S1).  Config keys:\n"
  "  seed (evaluation sample), train_seed (Lloyd-Max sample), samples, bits.";

#define N_QUANT 3
#define MAX_LEVELS 256 /* 2^bits, bits <= 8 */
#define DENSITY_POINTS 161

typedef struct {
  unsigned long train_seed, samples;
  double bits;
} setup;

/* Quantiser q's point: what its curves are written from (the slot a shard
 * keeps, so the codepoints are copied out of the codebook). */
typedef struct {
  size_t n;
  double level[MAX_LEVELS];
  qrd_block_result r; /* R on the evaluation sample */
  double exact;       /* R of the same codebook by integration */
} code;

typedef struct {
  const setup *s;
  qrd_dist d;
  qrd_scaling raw; /* the raw values, as the reference evaluates them */
  qrd_block_sample *eval; /* the evaluation sample sorted, shared by the points */
  qrd_element *lloyd_max; /* trained before the points (see lloyd_max) */
  code c[N_QUANT];
} run_state;

static const char *const curve_names[N_QUANT] = {"crd-alpha-1", "crd-alpha-1-3", "lloyd-max"};
static const char *const labels[N_QUANT] = {"density ∝ p", "density ∝ ∛p", "Lloyd-Max"};

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  if ((st = qrd_config_ulong(cfg, "train_seed", &s->train_seed)) ||
      (st = qrd_config_whole(cfg, "samples", QRD_DRIVER_SAMPLES_MIN, QRD_DRIVER_SAMPLES_MAX,
                             &s->samples)))
    return st;
  return qrd_config_double(cfg, "bits", 1, 8, &s->bits);
}

/* Design q < 2: CRD alpha = 1 or 1/3 (no time to design; q = 2 is
 * Lloyd-Max, trained before the points). */
static int design(const run_state *w, size_t q, qrd_element **e)
{
  qrd_crd_params p;
  int st = qrd_crd_params_for_dist(&w->d, &p, NULL, NULL, 0);
  p.alpha = q == 0 ? 1.0 : 1.0 / 3.0;
  return st ? st : qrd_element_crd(&p, w->s->bits, e);
}

/* Lloyd-Max on the raw training sample (init mean +- 3 sd): nearly all of
 * the figure's work, so it runs before the points, outside their parallel
 * loop, where drawing the sample and the sorts inside the training use
 * every thread (as one of the points it had one thread while the others
 * had nothing left to do). */
static int lloyd_max(run_state *w)
{
  const setup *s = w->s;
  qrd_lm_params lp;
  qrd_lm_params_default(&lp);
  double *t = qrd_sample_alloc(&w->d, s->train_seed, s->samples);
  int st = t ? qrd_element_lloyd_max_normalised(t, s->samples, &w->raw, s->bits, &lp,
                                                &w->lloyd_max)
             : qrd_error_set(QRD_ENOMEM, "training sample of %lu values", s->samples);
  qrd_big_free(t);
  return st;
}

/* Point q: the design, R by Monte Carlo with its SE and the exact R of
 * the same codebook by integration: the legend numbers, checkable two
 * ways.  Lloyd-Max, the costliest, is the last point. */
static int eval_point(void *ctx, size_t q, char *what, size_t len)
{
  run_state *w = ctx;
  code *c = &w->c[q];
  qrd_element *own = NULL;
  qrd_codebook_stats cs = {0};
  snprintf(what, len, "%s", curve_names[q]);
  int st = q == 2 ? QRD_OK : design(w, q, &own);
  const qrd_element *e = q == 2 ? w->lloyd_max : own;
  if (!st && e->cb->n > MAX_LEVELS)
    st = qrd_error_set(QRD_EINVAL, "%zu levels, more than %d", e->cb->n, MAX_LEVELS);
  if (!st)
    st = qrd_block_eval(w->eval, e->cb, e->bits, &c->r);
  if (!st)
    st = qrd_codebook_eval(e->cb, &w->d, &cs);
  if (!st) {
    c->n = e->cb->n;
    memcpy(c->level, e->cb->level, c->n * sizeof *c->level);
    c->exact = cs.rel_rmse;
    snprintf(what, len, "%s: R = %.3f", curve_names[q], c->r.rel_rmse);
  }
  qrd_element_free(own);
  return st;
}

static int write_density(qrd_results *res, const qrd_dist *d)
{
  double x[DENSITY_POINTS], pdf[DENSITY_POINTS], cube[DENSITY_POINTS];
  for (int i = 0; i < DENSITY_POINTS; i++) {
    x[i] = -4.0 + 8.0 * i / (DENSITY_POINTS - 1);
    pdf[i] = qrd_dist_pdf(d, x[i]);
    cube[i] = exp(-x[i] * x[i] / 6.0) / sqrt(6.0 * M_PI); /* p^{1/3} normalised */
  }
  int st = qrd_results_panel(res, "density", "N(0,1) and its cube root", "x", "density");
  if (!st)
    st = qrd_results_curve(res, "density", "pdf", "p = N(0, 1)", DENSITY_POINTS, x, pdf, NULL);
  return st ? st : qrd_results_curve(res, "density", "cube-root",
                                     "p^(1/3) normalised = N(0, 3)", DENSITY_POINTS, x, cube,
                                     NULL);
}

/* The codepoints, then R by Monte Carlo and exactly. */
static int write_codes(qrd_results *res, const run_state *w)
{
  double y[N_QUANT], se[N_QUANT], exact[N_QUANT];
  int st = qrd_results_panel(res, "codepoints", "4-bit codepoints", "index i", "Q_i");
  for (int q = 0; !st && q < N_QUANT; q++) {
    const code *c = &w->c[q];
    char label[96];
    snprintf(label, sizeof label, "%s (R = %.3f)", labels[q], c->r.rel_rmse);
    st = qrd_curve_indexed(res, "codepoints", curve_names[q], label, c->n, c->level, NULL);
    y[q] = c->r.rel_rmse;
    se[q] = c->r.rel_rmse_se;
    exact[q] = c->exact;
  }
  if (!st)
    st = qrd_results_panel(res, "r", "R: density ∝ p, ∝ ∛p, Lloyd-Max", "quantiser", "R");
  if (!st)
    st = qrd_curve_indexed(res, "r", "r", "Monte Carlo", N_QUANT, y, se);
  return st ? st : qrd_curve_indexed(res, "r", "r-exact", "exact (integral)", N_QUANT, exact,
                                     NULL);
}

static int write_all(qrd_results *res, const void *ctx)
{
  const run_state *w = ctx;
  int st = write_density(res, &w->d);
  return st ? st : write_codes(res, w);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = QRD_Y_ERR_R;
  run_state *w = calloc(1, sizeof *w);
  if (!w)
    return qrd_error_set(QRD_ENOMEM, "results");
  w->s = setup_ptr;
  double *x = NULL;
  int st = qrd_dist_parse("gaussian", &w->d);
  if (!st)
    st = qrd_scaling_parse("none", "fp32", &w->raw);
  if (!st && !(x = qrd_sample_alloc(&w->d, drv->seed, w->s->samples)))
    st = qrd_error_set(QRD_ENOMEM, "evaluation sample of %lu values", w->s->samples);
  /* one sort for the three points: unscaled, the sorted sample is the same
   * whatever a format's range (the range given here is not used) */
  if (!st)
    st = qrd_block_sample_alloc(x, w->s->samples, &w->raw, -1.0, 1.0, 0.0, &w->eval);
  qrd_big_free(x);
  if (!st)
    qrd_block_sample_set_source(w->eval, &w->d, 0.0);
  qrd_driver_progress_begin(drv, N_QUANT + 1);
  if (!st && !(st = lloyd_max(w)))
    qrd_driver_progress_step(drv, "lloyd-max trained");
  if (!st)
    st = qrd_driver_run_items(drv, N_QUANT, eval_point, w, QRD_DRIVER_SLOTS(w->c));
  qrd_block_sample_free(w->eval);
  qrd_element_free(w->lloyd_max);
  if (!st)
    st = qrd_driver_write_results(drv, write_all, w);
  free(w);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-2", doc, read_setup, run, &s);
}
