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

#include "core/error.h"
#include "fmt/block.h"
#include "fmt/element.h"
#include "harness/driver.h"
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

/* One sweep point: distribution d under scaling k. */
typedef struct {
  size_t d, k;
  size_t levels;
  double step[N_FORMATS][MAX_LEVELS]; /* Q_{i+1} - Q_i */
  double r[N_FORMATS], se[N_FORMATS];
  int status;
  char error[256];
} item;

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

/* ---- evaluation samples ---- */

/* The evaluation sample of scaling k for an element spanning [lo, hi]
 * (RMS: the raw data; absmax: blocks scaled so that each block's absmax
 * lands on min(-lo, hi), with the configured scale format, §2.6). */
static int eval_sample(const setup *s, size_t k, const double *x, double lo, double hi,
                       qrd_block_sample **out)
{
  char text[32];
  qrd_scaling sc;
  snprintf(text, sizeof text, k == 0 ? "none" : "absmax:%lu", s->block);
  int st = qrd_scaling_parse(text, s->scale, &sc);
  return st ? st : qrd_block_sample_alloc(x, s->samples, &sc, lo, hi, 0.0, out);
}

/* ---- the two formats ---- */

static int crd_element(const setup *s, const item *it, qrd_element **out)
{
  qrd_crd_params p = s->src[it->d].crd;
  if (it->k == 1) {
    p.scaling = QRD_CRD_ABSMAX;
    p.block = (double)s->block;
  }
  return qrd_element_crd(&p, s->bits, out);
}

/* Lloyd-Max on the training sample t: raw with init mean +- 3 std (RMS),
 * or absmax-normalised with exact fp32 scales and init [min, max]; the
 * normalised values are unweighted, as the reference trains on them. */
static int lm_element(const setup *s, const item *it, const double *t, qrd_element **out)
{
  qrd_lm_params lp;
  qrd_lm_params_default(&lp);
  if (it->k == 0)
    return qrd_element_lloyd_max(t, NULL, s->samples, s->bits, &lp, out, NULL);
  lp.init = QRD_LM_INIT_RANGE;
  char text[32];
  qrd_scaling sc;
  snprintf(text, sizeof text, "absmax:%lu", s->block);
  int st = qrd_scaling_parse(text, "fp32", &sc);
  double *y = malloc(s->samples * sizeof *y), *w = malloc(s->samples * sizeof *w);
  if (!st && (!y || !w))
    st = qrd_error_set(QRD_ENOMEM, "normalised training sample");
  if (!st)
    st = qrd_block_normalise(t, s->samples, &sc, -1.0, 1.0, y, w);
  free(w);
  if (!st)
    st = qrd_element_lloyd_max(y, NULL, s->samples, s->bits, &lp, out, NULL);
  free(y);
  return st;
}

/* Steps and R of element e (format f) on the evaluation sample. */
static int measure(const qrd_block_sample *bs, const qrd_element *e, size_t f, item *it)
{
  qrd_block_result r;
  int st = qrd_block_eval(bs, e->cb, e->bits, &r);
  if (st)
    return st;
  it->levels = e->cb->n;
  for (size_t i = 0; i + 1 < e->cb->n; i++)
    it->step[f][i] = e->cb->level[i + 1] - e->cb->level[i];
  it->r[f] = r.rel_rmse;
  it->se[f] = r.rel_rmse_se;
  return QRD_OK;
}

/* Measures both formats on the evaluation sample x.  Under absmax each
 * format gets the normalisation of its own range: Lloyd-Max's outer levels
 * sit inside +-1 (cell means), and like any LUT (the reference's
 * LUTFormat range defaults to its min and max value) the block absmax is
 * mapped onto them; the raw RMS sample is shared. */
static int measure_all(const setup *s, const double *x, qrd_element *const e[N_FORMATS],
                       item *it)
{
  qrd_block_sample *bs = NULL;
  int st = QRD_OK;
  for (size_t f = 0; !st && f < N_FORMATS; f++) {
    if (!bs || (it->k == 1 && (e[f]->lo != e[f - 1]->lo || e[f]->hi != e[f - 1]->hi))) {
      qrd_block_sample_free(bs);
      bs = NULL;
      st = eval_sample(s, it->k, x, e[f]->lo, e[f]->hi, &bs);
    }
    if (!st)
      st = measure(bs, e[f], f, it);
  }
  qrd_block_sample_free(bs);
  return st;
}

/* Both samples are drawn afresh per item (cheap next to sorting them), so
 * items share nothing and may run in any order on any thread. */
static void run_item(const setup *s, unsigned long seed, item *it)
{
  qrd_element *e[N_FORMATS] = {NULL, NULL};
  double *x = qrd_sample_alloc(&s->src[it->d].dist, seed, s->samples);
  double *t = x ? qrd_sample_alloc(&s->src[it->d].dist, s->train_seed, s->samples) : NULL;
  int st = x && t ? QRD_OK : QRD_ENOMEM;
  if (!st)
    st = crd_element(s, it, &e[0]);
  if (!st)
    st = lm_element(s, it, t, &e[1]);
  free(t);
  if (!st)
    st = measure_all(s, x, e, it);
  if (st)
    snprintf(it->error, sizeof it->error, "%s: %s", s->src[it->d].dist.spec, qrd_error_detail());
  it->status = st;
  free(x);
  for (size_t f = 0; f < N_FORMATS; f++)
    qrd_element_free(e[f]);
}

static void run_items(qrd_driver *drv, const setup *s, item *items, size_t n)
{
  qrd_driver_progress_begin(drv, n);
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t j = 0; j < n; j++) {
    run_item(s, drv->seed, &items[j]);
    char what[256];
    snprintf(what, sizeof what, "%s %s", s->src[items[j].d].dist.spec,
             items[j].k ? "absmax" : "rms");
#pragma omp critical(progress)
    qrd_driver_progress_step(drv, what);
  }
}

/* ---- results ---- */

static int write_steps(qrd_results *res, const char *panel, const setup *s, const item *it)
{
  double x[MAX_LEVELS];
  char slug[96], curve[128], label[128];
  qrd_driver_slug(slug, sizeof slug, s->src[it->d].dist.spec);
  for (size_t i = 0; i < it->levels; i++)
    x[i] = (double)i;
  int st = QRD_OK;
  for (size_t f = 0; !st && f < N_FORMATS; f++) {
    snprintf(curve, sizeof curve, "%s-%s", slug, format_name[f]);
    snprintf(label, sizeof label, "%s %s R=%.3f", s->src[it->d].label, format_label[f], it->r[f]);
    st = qrd_results_curve(res, panel, curve, label, it->levels - 1, x, it->step[f], NULL);
  }
  return st;
}

/* R of format f under scaling k for every distribution. */
static int write_legend_curve(qrd_results *res, const setup *s, const item *items, size_t f,
                              size_t k)
{
  static const char *const scaling[N_SCALINGS] = {"rms", "absmax"};
  double x[MAX_DISTS], y[MAX_DISTS], e[MAX_DISTS];
  char curve[64], label[64];
  for (size_t d = 0; d < s->n_dist; d++) {
    const item *it = &items[d * N_SCALINGS + k];
    x[d] = (double)d;
    y[d] = it->r[f];
    e[d] = it->se[f];
  }
  snprintf(curve, sizeof curve, "%s-%s", format_name[f], scaling[k]);
  snprintf(label, sizeof label, "%s %s", format_label[f], k ? "absmax" : "RMS");
  return qrd_results_curve(res, "legend", curve, label, s->n_dist, x, y, e);
}

static int write_panels(qrd_results *res, const setup *s, const item *items)
{
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
    st = write_steps(res, items[j].k ? panel : "rms", s, &items[j]);
  for (size_t k = 0; !st && k < N_SCALINGS; k++)
    for (size_t f = 0; !st && f < N_FORMATS; f++)
      st = write_legend_curve(res, s, items, f, k);
  if (!st)
    st = qrd_results_attr_string(res, "families", families);
  if (!st)
    st = qrd_results_attr_double(res, "train_seed", (double)s->train_seed);
  if (!st)
    st = qrd_results_attr_double(res, "samples", (double)s->samples);
  return st;
}

static int write_results(qrd_driver *drv, const setup *s, const item *items)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  return st ? st : qrd_driver_close_results(res, write_panels(res, s, items));
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  size_t n = s->n_dist * N_SCALINGS;
  item *items = calloc(n, sizeof *items);
  if (!items)
    return qrd_error_set(QRD_ENOMEM, "sweep items");
  for (size_t j = 0; j < n; j++) {
    items[j].d = j / N_SCALINGS;
    items[j].k = j % N_SCALINGS;
  }
  run_items(drv, s, items, n);
  int st = QRD_OK;
  for (size_t j = 0; !st && j < n; j++)
    if (items[j].status)
      st = qrd_error_set(items[j].status, "%s", items[j].error);
  if (!st)
    st = write_results(drv, s, items);
  free(items);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-3", doc, read_setup, run, &s);
}
