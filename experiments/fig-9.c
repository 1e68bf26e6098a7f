/* fig-9 (Orr et al. F-S8, `analysis_error_vs_bits`): efficiency R 2^b
 * against the achieved bits per parameter b, fixed-length vs
 * variable-length elements under three scalings.
 *
 * Panels, one per source (scale 1): normal, laplace,
 * student-t-<nu>.  Curves (B = `block`, bf16 scales):
 *   rms-fixed            tensor RMS + the family's RMS CRD (alpha = 1/3)
 *   rms-bB-fixed         RMS per block of B + the same RMS CRD
 *   absmax-bB-fixed      absmax per block of B + the family's block CRD
 *   <scaling>-compressed uniform grid + ideal code (+1-smoothed model of an
 *                        independent training sample normalised with exact
 *                        fp32 scales), grid tuned so the coded element bits
 *                        are about the fixed-length curve's b_elem
 *   fixed-limit          Panter-Dite sqrt((int p^{1/3})^3 / 12)
 *   compressed-limit     sqrt(2^{2h} / 12)
 * Fixed-length curves use n = round(2^b_elem) levels at log2 n bits
 * (pitfall 1); every x is the achieved b, scale bits included; y_err is the
 * jackknife standard error of R, times 2^b. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/block.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "harness/driver_sweep.h"
#include "law/registry.h"
#include "mc/rate_tune.h"
#include "mc/sample.h"
#include "quant/quantiser.h"

#define N_SCHEMES 3

static const char doc[] =
  "Efficiency R 2^b vs bits per parameter (Orr et al. F-S8).  Config keys:\n"
  "  seed (evaluation sample), train_seed (entropy-model sample), samples\n"
  "  (a multiple of block), dists (gaussian, laplace, student-t: one panel\n"
  "  each), element_bits_min, element_bits_max, element_bits_step, block,\n"
  "  scale (format of the evaluated scales), train_scale (of the training\n"
  "  sample's scales).";

typedef qrd_driver_coded_sweep setup; /* crd of each source: its family */

/* One scaling of the figure, normalising both samples once. */
typedef struct {
  const char *name;             /* curve-name stem: "rms", "rms-b128", ... */
  const char *label;
  qrd_crd_params crd;           /* the fixed-length element */
  int floor_levels;             /* compressed grid: floor(2^b0) points on
                                   [-a, a] (RMS) or round(2^b0) on [-1, 1] */
  double grid_max;              /* a */
  qrd_block_sample *eval;       /* batched, weighted: R and its SE */
  qrd_block_sample *train;      /* the entropy model's sample */
} scheme;

enum { FIXED, COMPRESSED, N_MODES };

/* One sweep point of a panel. */
typedef struct {
  size_t scheme, mode, bit;
  qrd_block_result r;
} item;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  return qrd_driver_read_coded_sweep(cfg, setup_ptr);
}

/* ---- one panel: samples, normalisations, sweep ---- */

static void scheme_free(scheme *sc)
{
  qrd_block_sample_free(sc->eval);
  qrd_block_sample_free(sc->train);
  sc->eval = sc->train = NULL;
}

enum { JOB_EVAL, JOB_TRAIN, N_JOBS };
static const char *const JOB_NAME[N_JOBS] = {"evaluation sample", "training sample"};

/* Job j of scheme sc: the evaluation sample x normalised with the figure's
 * scale format, or the training sample xt normalised with exact (fp32)
 * scales.  Both absmax elements (block CRD, uniform grid) span [-1, 1], so
 * one normalisation serves both modes; RMS normalisation ignores the
 * range. */
static int scheme_job(scheme *sc, const setup *s, const char *scaling, int job,
                      const double *x, const double *xt)
{
  qrd_scaling f;
  int st = qrd_scaling_parse(scaling, job == JOB_TRAIN ? s->train_scale : s->scale, &f);
  if (st)
    return st;
  /* the training sample gives the entropy model's counts and the grid's
   * span, nothing weighted */
  if (job == JOB_TRAIN)
    return qrd_block_sample_alloc_counts(xt, s->samples, &f, -1.0, 1.0, &sc->train);
  return qrd_block_sample_alloc(x, s->samples, &f, -1.0, 1.0, 0.0, &sc->eval);
}

/* The three schemes of the figure for source d, in curve order. */
static void scheme_init(scheme *sc, const setup *s, size_t d, char (*names)[32],
                        char (*labels)[64])
{
  for (size_t k = 0; k < N_SCHEMES; k++) {
    sc[k].crd = s->src[d].crd;
    sc[k].crd.block = (double)s->block;
    sc[k].crd.scaling = k == 2 ? QRD_CRD_ABSMAX : QRD_CRD_RMS;
    sc[k].floor_levels = k != 2;
    sc[k].eval = sc[k].train = NULL;
    sc[k].name = names[k];
    sc[k].label = labels[k];
  }
  snprintf(names[0], 32, "rms");
  snprintf(names[1], 32, "rms-b%lu", s->block);
  snprintf(names[2], 32, "absmax-b%lu", s->block);
  snprintf(labels[0], 64, "RMS");
  snprintf(labels[1], 64, "RMS B=%lu", s->block);
  snprintf(labels[2], 64, "Absmax B=%lu", s->block);
}

/* Scheme k's two normalisations of the panel's samples x (evaluation)
 * and xt (training): progress steps, since they are most of the run time
 * (each is parallel over its batches). */
static int scheme_build(qrd_driver *drv, scheme *sc, size_t k, const setup *s, size_t d,
                        const double *x, const double *xt)
{
  char scaling[32];
  if (k == 0)
    snprintf(scaling, sizeof scaling, "rms");
  else
    snprintf(scaling, sizeof scaling, "%s:%lu", k == 1 ? "rms" : "absmax", s->block);
  int st = QRD_OK;
  for (int j = 0; !st && j < N_JOBS; j++) {
    st = scheme_job(&sc[k], s, scaling, j, x, xt);
    char what[256];
    snprintf(what, sizeof what, "%s %s: %s", s->src[d].dist.spec, sc[k].name, JOB_NAME[j]);
    qrd_driver_progress_step(drv, what);
  }
  if (!st)
    qrd_block_sample_set_source(sc[k].eval, &s->src[d].dist, 0.0);
  /* the RMS grid spans the training sample: larger test values clip */
  if (!st)
    sc[k].grid_max = sc[k].floor_levels ? qrd_block_absmax(sc[k].train) : 1.0;
  return st;
}

/* The compressed format's grid for parameter b0. */
static int compressed_grid(const scheme *sc, double b0, qrd_codebook **out)
{
  *out = qrd_coded_grid(b0, sc->floor_levels, sc->grid_max);
  return *out ? QRD_OK : QRD_ENOMEM;
}

typedef struct {
  const scheme *sc;
  qrd_coded_memo *memo;
} tune_ctx;

/* Total bits of the evaluation sample (scales + coded indices) with the
 * grid of parameter b0: what qrd_rate_tune tunes. */
static int compressed_bits(double b0, void *params, double *bits)
{
  tune_ctx *tc = params;
  const qrd_block_sample *bs = tc->sc->eval;
  qrd_codebook *c = NULL;
  double coded = 0.0;
  int st = compressed_grid(tc->sc, b0, &c);
  if (!st)
    st = qrd_coded_memo_bits(tc->memo, c, &coded);
  qrd_codebook_free(c);
  *bits = coded + bs->scale_bits * (double)bs->n_blocks;
  return st;
}

/* Tunes the grid so the coded element bits are about elem_bits, then
 * evaluates it: R and its SE from the batched sample, b = the tuner's
 * achieved rate at that grid (scales + code). */
static int run_compressed(const scheme *sc, double elem_bits, qrd_block_result *r)
{
  const qrd_block_sample *bs = sc->eval;
  double overhead = bs->scale_bits * (double)bs->n_blocks / (double)bs->numel;
  qrd_rate_fit t;
  tune_ctx tc = {sc, qrd_coded_memo_alloc(bs, sc->train, 0)};
  int st = tc.memo ? qrd_rate_tune(QRD_RATE_GRID, compressed_bits, &tc, bs->numel,
                                   elem_bits + overhead, 0, &t)
                   : QRD_ENOMEM;
  qrd_coded_memo_free(tc.memo);
  /* the rate is a step function of b0: a near miss is still a valid point
   * (the figure plots the achieved b), a far one is not */
  if (st == QRD_EMAXITER && fabs(t.rate - elem_bits - overhead) < 0.05)
    st = QRD_OK;
  qrd_codebook *c = NULL;
  if (!st)
    st = compressed_grid(sc, t.t, &c);
  if (!st)
    st = qrd_block_eval(bs, c, 0.0, r);
  qrd_codebook_free(c);
  if (!st)
    r->bits = t.rate;
  return st;
}

static int run_fixed(const scheme *sc, double elem_bits, qrd_block_result *r)
{
  qrd_element *e;
  int st = qrd_element_crd(&sc->crd, elem_bits, &e);
  if (st)
    return st;
  st = qrd_block_eval(sc->eval, e->cb, e->bits, r);
  qrd_element_free(e);
  return st;
}

static const char *const MODE_NAME[N_MODES] = {"fixed", "compressed"};

/* Scheme by scheme, each scheme's items contiguous (they run while only
 * its samples exist), each curve (mode) a run of n_bits items. */
static size_t plan(const setup *s, item *items)
{
  size_t n = 0;
  for (size_t k = 0; k < N_SCHEMES; k++)
    for (size_t m = 0; m < N_MODES; m++)
      for (size_t j = 0; j < s->n_bits; j++)
        items[n++] = (item){.scheme = k, .mode = m, .bit = j};
  return n;
}

/* The sweep of one panel: item j of the plan at items[j]. */
typedef struct {
  const setup *s;
  size_t d;
  const scheme *sc;
  item *items;
} sweep;

/* Each item writes only its own slot; the compressed points (rate tuning)
 * are planned last, so they start first, which balances the threads. */
static int run_item(void *ctx, size_t j, char *what, size_t len)
{
  const sweep *w = ctx;
  item *it = &w->items[j];
  const scheme *k = &w->sc[it->scheme];
  double eb = w->s->elem_bits[it->bit];
  snprintf(what, len, "%s %s-%s b_elem=%g", w->s->src[w->d].dist.spec, k->name,
           MODE_NAME[it->mode], eb);
  return it->mode == FIXED ? run_fixed(k, eb, &it->r) : run_compressed(k, eb, &it->r);
}

/* ---- results ---- */

/* Panel name and title of source d: "normal", "laplace", "student-t-5". */
static void panel_name(const setup *s, size_t d, char *name, size_t len, char *title,
                       size_t tlen)
{
  char raw[64];
  if (strcmp(s->src[d].dist.type->name, "student-t") != 0) {
    snprintf(name, len, "%s", s->src[d].slug);
    snprintf(title, tlen, "%s (%s)", s->src[d].label, s->src[d].dist.spec);
    return;
  }
  snprintf(raw, sizeof raw, "student-t-%g", s->src[d].dist.shape[0]);
  qrd_driver_slug(name, len, raw);
  snprintf(title, tlen, "Student-t nu=%g (%s)", s->src[d].dist.shape[0], s->src[d].dist.spec);
}

/* sqrt of quantiser q's high-rate constant of D 2^{2R} at unit variance:
 * the limit of R 2^b (R is scale-free). */
static int high_rate_limit(const char *q, const qrd_dist *d, double *out)
{
  qrd_quantiser quant;
  qrd_dist unit = *d;
  unit.scale /= sqrt(qrd_dist_variance(d));
  double k;
  int st = qrd_quantiser_parse(q, &quant);
  if (!st)
    st = qrd_quantiser_high_rate_constant(&quant, &unit, &k);
  *out = sqrt(k);
  return st;
}

/* A flat line at the limit across the panel's b range. */
static int write_limit(qrd_results *res, const char *panel, const char *curve,
                       const char *what, const char *q, const qrd_dist *d,
                       const double range[2])
{
  double y;
  int st = high_rate_limit(q, d, &y);
  if (st)
    return st;
  char label[128];
  double ly[2] = {y, y};
  snprintf(label, sizeof label, "%s %.5f", what, y);
  return qrd_results_curve(res, panel, curve, label, 2, range, ly, NULL);
}

static int write_panel(qrd_results *res, const setup *s, size_t d, const scheme *sc,
                       const item *items)
{
  char panel[64], title[192];
  panel_name(s, d, panel, sizeof panel, title, sizeof title);
  int st = qrd_results_panel(res, panel, title, "bits per parameter b", "R 2^b");
  if (!st)
    st = qrd_curve_params(res, "source=%s; scale_format=%s; block=%lu", s->src[d].dist.spec,
                          s->scale, s->block);
  double range[2] = {INFINITY, -INFINITY};
  /* items are planned by (scheme, mode, bit): each curve is one run; the
   * fixed-length curves are written first */
  for (size_t c = 0; !st && c < N_MODES * N_SCHEMES; c++) {
    size_t i = ((c % N_SCHEMES) * N_MODES + c / N_SCHEMES) * s->n_bits;
    double x[QRD_DRIVER_MAX_BITS], y[QRD_DRIVER_MAX_BITS], e[QRD_DRIVER_MAX_BITS];
    for (size_t j = 0; j < s->n_bits; j++) {
      const qrd_block_result *r = &items[i + j].r;
      x[j] = r->bits;
      qrd_block_efficiency(r, &y[j], &e[j]);
      range[0] = fmin(range[0], r->bits);
      range[1] = fmax(range[1], r->bits);
    }
    const scheme *k = &sc[items[i].scheme];
    char curve[64], label[96];
    int mode = (int)items[i].mode;
    snprintf(curve, sizeof curve, "%s-%s", k->name, MODE_NAME[mode]);
    snprintf(label, sizeof label, "%s%s", k->label, mode == FIXED ? "" : " + compression");
    st = qrd_results_curve(res, panel, curve, label, s->n_bits, x, y, e);
  }
  if (!st)
    st = write_limit(res, panel, "fixed-limit", "fixed-length limit (Panter-Dite)",
                     "lloyd-max", &s->src[d].dist, range);
  if (!st)
    st = write_limit(res, panel, "compressed-limit", "compressed limit (uniform + ideal code)",
                     "uniform-ec", &s->src[d].dist, range);
  return st;
}

/* ---- main ---- */

/* The panel's samples, then one scheme at a time: its normalisations, its
 * items, its normalised copies given back for the next scheme's (one
 * scheme's copies are 0.4 GB, and every fresh page costs the kernel's
 * zeroing). */
static int run_panel(qrd_driver *drv, const setup *s, size_t d, item *items)
{
  scheme sc[N_SCHEMES];
  char names[N_SCHEMES][32], labels[N_SCHEMES][64];
  scheme_init(sc, s, d, names, labels);
  size_t per = plan(s, items) / N_SCHEMES;
  double *x, *xt;
  int st = qrd_driver_coded_samples(drv, s, d, &x, &xt);
  for (size_t k = 0; !st && k < N_SCHEMES; k++) {
    item *mine = items + k * per;
    if (!(st = scheme_build(drv, sc, k, s, d, x, xt)))
      st = qrd_driver_run_items(drv, per, run_item, &(sweep){s, d, sc, mine},
                                QRD_DRIVER_SLOTS(mine));
    scheme_free(&sc[k]);
  }
  qrd_big_free(x);
  qrd_big_free(xt);
  return st;
}

typedef struct {
  const setup *s;
  const item *items; /* panel d's at items + d * per */
  size_t per;
} figure;

static int write_all(qrd_results *res, const void *ctx)
{
  const figure *f = ctx;
  int st = qrd_driver_coded_sweep_attrs(res, f->s);
  for (size_t d = 0; !st && d < f->s->n_dist; d++) {
    scheme sc[N_SCHEMES];
    char names[N_SCHEMES][32], labels[N_SCHEMES][64];
    scheme_init(sc, f->s, d, names, labels);
    st = write_panel(res, f->s, d, sc, f->items + d * f->per);
  }
  return st;
}

/* Every panel's points, then the results file (a shard computes its
 * points and writes none; the merge restores them all). */
static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = QRD_Y_ERR_R;
  const setup *s = setup_ptr;
  size_t per = N_MODES * N_SCHEMES * s->n_bits;
  item *items = malloc(s->n_dist * per * sizeof *items);
  if (!items)
    return qrd_error_set(QRD_ENOMEM, "%zu points", s->n_dist * per);
  qrd_driver_progress_begin(drv, s->n_dist * N_SCHEMES * (N_JOBS + N_MODES * s->n_bits));
  int st = QRD_OK;
  /* one panel at a time: its samples and a scheme's normalised copies */
  for (size_t d = 0; !st && d < s->n_dist; d++)
    st = run_panel(drv, s, d, items + d * per);
  if (!st)
    st = qrd_driver_write_results(drv, write_all, &(figure){s, items, per});
  free(items);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-9", doc, read_setup, run, &s);
}
