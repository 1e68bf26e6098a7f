/* fig-2 (Orr et al. F-S1, `eg_normal_crd_4bit`): the N(0,1) density and its
 * cube root, and the 4-bit codepoints of three quantisers: density ∝ p
 * (alpha = 1, probabilities i/17), density ∝ p^{1/3} (the CRD) and
 * Lloyd-Max trained on an independent sample; R of each on the evaluation
 * sample (orr-formats §4.1 legend: 0.206, 0.097, 0.097).
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
#include "fmt/block.h"
#include "harness/driver.h"
#include "mc/sample.h"
#include "quant/codebook.h"

static const char doc[] =
  "Codepoints of 4-bit quantisers for N(0,1) (Orr et al. F-S1).  Config keys:\n"
  "  seed (evaluation sample), train_seed (Lloyd-Max sample), samples, bits.";

#define N_QUANT 3
#define DENSITY_POINTS 161

typedef struct {
  unsigned long train_seed, samples;
  double bits;
} setup;

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
 * training sample (init mean +- 3 sd). */
static int design(const setup *s, const qrd_dist *d, qrd_element **e)
{
  qrd_crd_params p;
  qrd_crd_params_default(&p);
  p.alpha = 1.0;
  int st = qrd_element_crd(&p, s->bits, &e[0]);
  p.alpha = 1.0 / 3.0;
  if (!st)
    st = qrd_element_crd(&p, s->bits, &e[1]);
  double *t = st ? NULL : qrd_sample_alloc(d, s->train_seed, s->samples);
  if (!st && !t)
    st = QRD_ENOMEM;
  qrd_lm_params lp;
  qrd_lm_params_default(&lp);
  if (!st)
    st = qrd_element_lloyd_max(t, NULL, s->samples, s->bits, &lp, &e[2], NULL);
  free(t);
  return st;
}

static int write_density(qrd_results *res)
{
  double x[DENSITY_POINTS], pdf[DENSITY_POINTS], cube[DENSITY_POINTS];
  for (int i = 0; i < DENSITY_POINTS; i++) {
    x[i] = -4.0 + 8.0 * i / (DENSITY_POINTS - 1);
    pdf[i] = exp(-0.5 * x[i] * x[i]) / sqrt(2.0 * M_PI);
    cube[i] = exp(-x[i] * x[i] / 6.0) / sqrt(6.0 * M_PI); /* p^{1/3} normalised */
  }
  int st = qrd_results_panel(res, "density", "N(0,1) and its cube root", "x", "density");
  if (!st)
    st = qrd_results_curve(res, "density", "pdf", "p = N(0, 1)", DENSITY_POINTS, x, pdf, NULL);
  if (!st)
    st = qrd_results_curve(res, "density", "cube-root", "p^(1/3) normalised = N(0, 3)",
                           DENSITY_POINTS, x, cube, NULL);
  return st;
}

static const char *const curve_names[N_QUANT] = {"crd-alpha-1", "crd-alpha-1-3", "lloyd-max"};
static const char *const labels[N_QUANT] = {"density ∝ p", "density ∝ ∛p", "Lloyd-Max"};

static int write_codepoints(qrd_results *res, qrd_element **e, const qrd_block_result *r)
{
  int st = qrd_results_panel(res, "codepoints", "4-bit codepoints", "index i", "Q_i");
  for (int q = 0; !st && q < N_QUANT; q++) {
    size_t n = e[q]->cb->n;
    double *idx = malloc(n * sizeof *idx);
    if (!idx)
      return qrd_error_set(QRD_ENOMEM, "codepoints");
    for (size_t i = 0; i < n; i++)
      idx[i] = (double)i;
    char label[96];
    snprintf(label, sizeof label, "%s (R = %.3f)", labels[q], r[q].rel_rmse);
    st = qrd_results_curve(res, "codepoints", curve_names[q], label, n, idx, e[q]->cb->level, NULL);
    free(idx);
  }
  return st;
}

/* R by Monte Carlo with its SE, and the exact R of the same codebooks by
 * integration over N(0, 1): the legend numbers, checkable two ways. */
static int write_r(qrd_results *res, const qrd_dist *d, qrd_element **e, const qrd_block_result *r)
{
  double x[N_QUANT], y[N_QUANT], se[N_QUANT], exact[N_QUANT];
  for (int q = 0; q < N_QUANT; q++) {
    qrd_codebook_stats cs;
    int st = qrd_codebook_eval(e[q]->cb, d, &cs);
    if (st)
      return st;
    x[q] = q;
    y[q] = r[q].rel_rmse;
    se[q] = r[q].rel_rmse_se;
    exact[q] = cs.rel_rmse;
  }
  int st = qrd_results_panel(res, "r", "R: density ∝ p, ∝ ∛p, Lloyd-Max", "quantiser", "R");
  if (!st)
    st = qrd_results_curve(res, "r", "r", "Monte Carlo", N_QUANT, x, y, se);
  if (!st)
    st = qrd_results_curve(res, "r", "r-exact", "exact (integral)", N_QUANT, x, exact, NULL);
  return st;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  qrd_dist d;
  qrd_element *e[N_QUANT] = {NULL};
  qrd_block_sample *bs = NULL;
  qrd_block_result r[N_QUANT];
  qrd_scaling sc;
  int st = qrd_dist_parse("gaussian", &d);
  qrd_driver_progress_begin(drv, 2);
  if (!st)
    st = design(s, &d, e);
  qrd_driver_progress_step(drv, "designs (Lloyd-Max on the training sample)");
  double *x = st ? NULL : qrd_sample_alloc(&d, drv->seed, s->samples);
  if (!st && !x)
    st = QRD_ENOMEM;
  /* the raw values, as the reference evaluates them */
  if (!st)
    st = qrd_scaling_parse("none", "fp32", &sc);
  if (!st)
    st = qrd_block_sample_alloc(x, s->samples, &sc, -1.0, 1.0, 0.0, &bs);
  for (int q = 0; !st && q < N_QUANT; q++)
    st = qrd_block_eval(bs, e[q]->cb, e[q]->bits, &r[q]);
  qrd_driver_progress_step(drv, "evaluation");
  qrd_results *res = NULL;
  if (!st)
    st = qrd_driver_results(drv, &res);
  if (!st && !(st = write_density(res)) && !(st = write_codepoints(res, e, r)))
    st = write_r(res, &d, e, r);
  if (res)
    st = qrd_driver_close_results(res, st);
  qrd_block_sample_free(bs);
  free(x);
  for (int q = 0; q < N_QUANT; q++)
    qrd_element_free(e[q]);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-2", doc, read_setup, run, &s);
}
