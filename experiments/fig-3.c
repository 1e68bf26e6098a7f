/* fig-3 (Orr et al. F-S2, `eg_crd_curves_4bit`): the steps Q_{i+1} - Q_i
 * between consecutive codepoints of the 4-bit cube-root-density (CRD)
 * formats and of Lloyd-Max trained on a sample, for unit-variance Normal,
 * Laplace and Student-t sources, under RMS and block-absmax scaling.
 *
 * Panels:
 *   rms         RMS CRD (symmetric) of each family on the raw data, and
 *               Lloyd-Max trained on the raw training sample (init mean
 *               +- 3 std): curves <d>-crd, <d>-lm, x = i, y = Q_{i+1} - Q_i
 *   absmax-b64  block CRD of each family for absmax blocks of B (bf16
 *               scales), and Lloyd-Max trained on the absmax-normalised
 *               training sample (exact fp32 scales, init [min, max]),
 *               evaluated with bf16 scales: the same curves
 *   legend      R on the evaluation sample with its jackknife SE:
 *               curves crd-rms, lm-rms, crd-absmax, lm-absmax, x = index of
 *               the distribution in the config's list
 * Curve labels carry R too ("normal CRD R=0.097"), as the paper's legend.
 * Seeds: evaluation sample `seed` (1), training sample `train_seed` (2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/element_eval.h"
#include "harness/curve.h"
#include "mc/sample.h"

#define MAX_DISTS 8
#define MAX_LEVELS 256
#define N_SCALINGS 2 /* 0: RMS, 1: absmax */
#define N_FORMATS 2  /* 0: CRD, 1: Lloyd-Max */

static const char doc[] =
  "Codepoint steps of 4-bit CRD and Lloyd-Max formats (Orr et al. F-S2).\n"
  "  Config keys: seed (evaluation sample), train_seed (Lloyd-Max training\n"
  "  sample), samples (power of two), bits, block (absmax block size),\n"
  "  scale (absmax scale format), dists (unit variance; gaussian, laplace\n"
  "  or student-t:nu=V).";

static const char *const format_name[N_FORMATS] = {"crd", "lm"};
static const char *const format_label[N_FORMATS] = {"CRD", "LM"};

typedef struct {
  qrd_driver_source src[MAX_DISTS]; /* crd: the RMS CRD of each source's family */
  size_t n_dist;
  unsigned long samples, train_seed;
  double bits;
  unsigned long block;
  char scale[32];
} setup;

/* Item j = d N_SCALINGS + k: source d under scaling k, both formats. */
typedef struct {
  size_t levels;
  double step[N_FORMATS][MAX_LEVELS]; /* Q_{i+1} - Q_i */
  qrd_block_result r[N_FORMATS];
} item;

typedef struct {
  const setup *s;
  unsigned long seed;
  item it[MAX_DISTS * N_SCALINGS];
  double *x[MAX_DISTS], *t[MAX_DISTS]; /* each source's evaluation and training samples */
} sweep;

/* The RMS CRDs assume unit variance: an explicit scale= would break them. */
static int check_unit_variance(qrd_config *cfg, const setup *s)
{
  for (size_t d = 0; d < s->n_dist; d++) {
    double v = qrd_dist_variance(&s->src[d].dist);
    if (!(fabs(v - 1.0) < 1e-9)) {
      char why[256];
      snprintf(why, sizeof why, "'%s' has variance %g: F-S2 needs unit variance (leave out "
               "scale=)", s->src[d].dist.spec, v);
      return qrd_config_invalid(cfg, "dists", why);
    }
  }
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  if ((st = qrd_config_power_of_two(cfg, "samples", 1 << 20, 1 << 26, &s->samples)) ||
      (st = qrd_config_ulong(cfg, "train_seed", &s->train_seed)) ||
      (st = qrd_config_double(cfg, "bits", 1, 8, &s->bits)) ||
      (st = qrd_config_power_of_two(cfg, "block", 4, 4096, &s->block)) ||
      (st = qrd_driver_read_scale(cfg, "scale", 0, s->scale, sizeof s->scale)))
    return st;
  if (round(exp2(s->bits)) > MAX_LEVELS)
    return qrd_config_invalid(cfg, "bits", "too many levels");
  if ((st = qrd_driver_read_sources(cfg, "dists", s->src, MAX_DISTS, &s->n_dist)))
    return st;
  return check_unit_variance(cfg, s);
}

/* Scaling k in scale format `scale`: the raw data (RMS) or absmax blocks. */
static int scaling(const setup *s, size_t k, const char *scale, qrd_scaling *sc)
{
  char text[32];
  snprintf(text, sizeof text, k == 0 ? "none" : "absmax:%lu", s->block);
  return qrd_scaling_parse(text, scale, sc);
}

/* The CRD of the source's family for scaling k, and Lloyd-Max trained on
 * the training sample t (absmax: normalised with exact fp32 scales, init
 * [min, max]). */
static int formats(const setup *s, size_t d, size_t k, const double *t, qrd_element **e)
{
  qrd_crd_params p = s->src[d].crd;
  qrd_lm_params lp;
  qrd_scaling train;
  qrd_lm_params_default(&lp);
  if (k == 1) {
    p.scaling = QRD_CRD_ABSMAX;
    p.block = (double)s->block;
    lp.init = QRD_LM_INIT_RANGE;
  }
  int st = qrd_element_crd(&p, s->bits, &e[0]);
  if (!st)
    st = scaling(s, k, "fp32", &train);
  return st ? st : qrd_element_lloyd_max_normalised(t, s->samples, &train, s->bits, &lp, &e[1]);
}

/* Both items of a source read its two samples; each writes only its own
 * results. */
static int eval_item(void *ctx, size_t j, char *what, size_t len)
{
  sweep *w = ctx;
  const setup *s = w->s;
  size_t d = j / N_SCALINGS, k = j % N_SCALINGS;
  item *it = &w->it[j];
  qrd_element *e[N_FORMATS] = {NULL, NULL};
  qrd_scaling sc;
  snprintf(what, len, "%s %s", s->src[d].dist.spec, k ? "absmax" : "rms");
  int st = formats(s, d, k, w->t[d], e);
  if (!st)
    st = scaling(s, k, s->scale, &sc);
  if (!st)
    st = qrd_element_eval_all(w->x[d], s->samples, &s->src[d].dist, &sc, e, N_FORMATS, it->r);
  for (size_t f = 0; !st && f < N_FORMATS; f++)
    it->levels = qrd_element_steps(e[f], it->step[f]) + 1;
  for (size_t f = 0; f < N_FORMATS; f++)
    qrd_element_free(e[f]);
  return st;
}

/* Every source's samples, drawn once for both its scalings (before the
 * items, so with every thread; each item drew both for itself before). */
static int draw_samples(sweep *w)
{
  const setup *s = w->s;
  for (size_t d = 0; d < s->n_dist; d++)
    if (!(w->x[d] = qrd_sample_alloc(&s->src[d].dist, w->seed, s->samples)) ||
        !(w->t[d] = qrd_sample_alloc(&s->src[d].dist, s->train_seed, s->samples)))
      return qrd_error_set(QRD_ENOMEM, "samples of %s", s->src[d].dist.spec);
  return QRD_OK;
}

/* ---- results ---- */

static int write_steps(qrd_results *res, const char *panel, const setup *s, size_t d,
                       const item *it)
{
  char slug[96], curve[128], label[128];
  qrd_driver_slug(slug, sizeof slug, s->src[d].dist.spec);
  int st = QRD_OK;
  for (size_t f = 0; !st && f < N_FORMATS; f++) {
    snprintf(curve, sizeof curve, "%s-%s", slug, format_name[f]);
    snprintf(label, sizeof label, "%s %s R=%.3f", s->src[d].label, format_label[f],
             it->r[f].rel_rmse);
    st = qrd_curve_indexed(res, panel, curve, label, it->levels - 1, it->step[f], NULL);
  }
  return st;
}

/* R of format f under scaling k for every distribution. */
static int write_legend_curve(qrd_results *res, const sweep *w, size_t f, size_t k)
{
  static const char *const scaling_name[N_SCALINGS] = {"rms", "absmax"};
  double y[MAX_DISTS], e[MAX_DISTS];
  char curve[64], label[64];
  for (size_t d = 0; d < w->s->n_dist; d++) {
    y[d] = w->it[d * N_SCALINGS + k].r[f].rel_rmse;
    e[d] = w->it[d * N_SCALINGS + k].r[f].rel_rmse_se;
  }
  snprintf(curve, sizeof curve, "%s-%s", format_name[f], scaling_name[k]);
  snprintf(label, sizeof label, "%s %s", format_label[f], k ? "absmax" : "RMS");
  return qrd_curve_indexed(res, "legend", curve, label, w->s->n_dist, y, e);
}

static int write_all(qrd_results *res, const void *ctx)
{
  const sweep *w = ctx;
  const setup *s = w->s;
  char title[256], panel[32], families[256] = "";
  snprintf(panel, sizeof panel, "absmax-b%lu", s->block);
  for (size_t d = 0; d < s->n_dist; d++)
    snprintf(families + strlen(families), sizeof families - strlen(families), "%s%zu %s",
             d ? ", " : "", d, s->src[d].label);
  int st = qrd_results_panel(res, "rms", "RMS (raw unit-variance data)", "codepoint index i",
                             "Q_{i+1} - Q_i");
  snprintf(title, sizeof title, "Absmax B = %lu (%s scales)", s->block, s->scale);
  if (!st)
    st = qrd_results_panel(res, panel, title, "codepoint index i", "Q_{i+1} - Q_i");
  snprintf(title, sizeof title, "R on the evaluation sample (x: %s)", families);
  if (!st)
    st = qrd_results_panel(res, "legend", title, "distribution index", "R");
  for (size_t j = 0; !st && j < s->n_dist * N_SCALINGS; j++)
    st = write_steps(res, j % N_SCALINGS ? panel : "rms", s, j / N_SCALINGS, &w->it[j]);
  for (size_t k = 0; !st && k < N_SCALINGS; k++)
    for (size_t f = 0; !st && f < N_FORMATS; f++)
      st = write_legend_curve(res, w, f, k);
  qrd_attr a[] = {{"train_seed", (double)s->train_seed}, {"samples", (double)s->samples}};
  if (!st)
    st = qrd_results_attr_string(res, "families", families);
  return st ? st : qrd_driver_attrs(res, a, 2);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = QRD_Y_ERR_R;
  const setup *s = setup_ptr;
  size_t n = s->n_dist * N_SCALINGS;
  sweep *w = malloc(sizeof *w);
  if (!w)
    return qrd_error_set(QRD_ENOMEM, "sweep items");
  *w = (sweep){.s = s, .seed = drv->seed};
  qrd_driver_progress_begin(drv, n);
  int st = draw_samples(w);
  if (!st)
    st = qrd_driver_run_items(drv, n, eval_item, w, QRD_DRIVER_SLOTS(w->it));
  for (size_t d = 0; d < s->n_dist; d++) {
    qrd_big_free(w->x[d]);
    qrd_big_free(w->t[d]);
  }
  if (!st)
    st = qrd_driver_write_results(drv, write_all, w);
  free(w);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-3", doc, read_setup, run, &s);
}
