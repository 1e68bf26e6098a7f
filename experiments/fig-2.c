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

#include "core/error.h"
#include "fmt/element_eval.h"
#include "harness/curve.h"
#include "mc/sample.h"

static const char doc[] =
  "Codepoints of 4-bit quantisers for N(0,1) (Orr et al. F-S1).  Config keys:\n"
  "  seed (evaluation sample), train_seed (Lloyd-Max sample), samples, bits.";

#define N_QUANT 3
#define DENSITY_POINTS 161

typedef struct {
  unsigned long train_seed, samples;
  double bits;
} setup;

/* What the results are written from. */
typedef struct {
  qrd_dist d;
  qrd_element *e[N_QUANT];
  qrd_block_result r[N_QUANT];
} run_state;

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

/* The three designs: CRD alpha = 1, CRD alpha = 1/3, Lloyd-Max on the
 * raw training sample (init mean +- 3 sd). */
static int design(const setup *s, const qrd_scaling *raw, run_state *w)
{
  qrd_crd_params p;
  qrd_lm_params lp;
  qrd_lm_params_default(&lp);
  int st = qrd_crd_params_for_dist(&w->d, &p, NULL, NULL, 0);
  p.alpha = 1.0;
  if (!st)
    st = qrd_element_crd(&p, s->bits, &w->e[0]);
  p.alpha = 1.0 / 3.0;
  if (!st)
    st = qrd_element_crd(&p, s->bits, &w->e[1]);
  double *t = st ? NULL : qrd_sample_alloc(&w->d, s->train_seed, s->samples);
  if (!st)
    st = t ? qrd_element_lloyd_max_normalised(t, s->samples, raw, s->bits, &lp, &w->e[2])
           : QRD_ENOMEM;
  free(t);
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

static const char *const curve_names[N_QUANT] = {"crd-alpha-1", "crd-alpha-1-3", "lloyd-max"};
static const char *const labels[N_QUANT] = {"density ∝ p", "density ∝ ∛p", "Lloyd-Max"};

/* The codepoints, then R by Monte Carlo with its SE and the exact R of the
 * same codebooks by integration: the legend numbers, checkable two ways. */
static int write_codes(qrd_results *res, const run_state *w)
{
  double y[N_QUANT], se[N_QUANT], exact[N_QUANT];
  int st = qrd_results_panel(res, "codepoints", "4-bit codepoints", "index i", "Q_i");
  for (int q = 0; !st && q < N_QUANT; q++) {
    char label[96];
    qrd_codebook_stats cs = {0};
    snprintf(label, sizeof label, "%s (R = %.3f)", labels[q], w->r[q].rel_rmse);
    st = qrd_curve_indexed(res, "codepoints", curve_names[q], label, w->e[q]->cb->n,
                           w->e[q]->cb->level, NULL);
    if (!st)
      st = qrd_codebook_eval(w->e[q]->cb, &w->d, &cs);
    y[q] = w->r[q].rel_rmse;
    se[q] = w->r[q].rel_rmse_se;
    exact[q] = cs.rel_rmse;
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
  const setup *s = setup_ptr;
  run_state w = {.e = {NULL}};
  qrd_scaling raw;
  double *x = NULL;
  int st = qrd_dist_parse("gaussian", &w.d);
  /* the raw values, as the reference evaluates them */
  if (!st)
    st = qrd_scaling_parse("none", "fp32", &raw);
  qrd_driver_progress_begin(drv, 2);
  if (!st)
    st = design(s, &raw, &w);
  qrd_driver_progress_step(drv, "designs (Lloyd-Max on the training sample)");
  if (!st && !(x = qrd_sample_alloc(&w.d, drv->seed, s->samples)))
    st = QRD_ENOMEM;
  if (!st)
    st = qrd_element_eval_all(x, s->samples, &w.d, &raw, w.e, N_QUANT, w.r);
  qrd_driver_progress_step(drv, "evaluation");
  if (!st)
    st = qrd_driver_write_results(drv, write_all, &w);
  free(x);
  for (int q = 0; q < N_QUANT; q++)
    qrd_element_free(w.e[q]);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-2", doc, read_setup, run, &s);
}
