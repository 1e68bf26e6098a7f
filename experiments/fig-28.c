/* fig-28: do the synthetic conclusions transfer to real weights?  Per
 * weight matrix of a real checkpoint, R 2^b at about 4 bits of the formats
 * practitioners and the papers compare, beside the value the family
 * fitted to that matrix (mc/fit.h, maximum likelihood) predicts: the same
 * evaluation on a synthetic sample of the fitted law, of the same size.
 *
 * Formats (bf16 block scales; blocks of B consecutive input-dimension
 * values of one output row):
 *   int4-b64, int4-b128   INT4 (-8..7), absmax, B = 64 / 128
 *   nf4                   NF4 table, absmax, B = 64
 *   af4                   the published AF4 levels for B = 64 (Gaussian design)
 *   bof4                  BOF4 (MSE) designed for the fitted family, B = 64
 *   e2m1                  FP4 E2M1 elements (the paper's convention), B = 64
 *   crd-absmax            block CRD of the fitted family, absmax, B = 64
 *   crd-signmax           block CRD of the fitted family, signmax, B = 64
 *   crd-outliers          crd-absmax with the 2^-10 largest |w| kept aside
 *                         (bf16 + 32-bit index each)
 *   uniform-ec            tensor-RMS uniform grid spanning the tensor, indices
 *                         entropy-coded (ideal code length of its own
 *                         counts), grid tuned to 4 bits
 * Panels: real (x = tensor index, one curve per format, y = R 2^b, y_err
 * its SE 2^b), predicted (the fitted law's sample), bits (achieved bits
 * per parameter on the real matrix).  Root attributes: tensors, fits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/block.h"
#include "fmt/element.h"
#include "harness/checkpoint.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "law/registry.h"
#include "mc/fit.h"
#include "mc/rate_tune.h"
#include "mc/sample.h"
#include "quant/quantiser.h"

#define MAX_FAMILIES 8
#define N_FORMATS 10
#define OUTLIERS 0.0009765625 /* 2^-10 */

static const char doc[] =
  "Real weights vs the fitted family's prediction, R 2^b at about 4 bits per\n"
  "  format.  Config keys: seed (the fitted laws' samples), checkpoint,\n"
  "  min_count, out_in (as fig-27).";

static const struct {
  const char *name, *label;
} FORMATS[N_FORMATS] = {
  {"int4-b64", "INT4 absmax B=64"},    {"int4-b128", "INT4 absmax B=128"},
  {"nf4", "NF4 B=64"},                  {"af4", "AF4 (published, B=64)"},
  {"bof4", "BOF4 (fitted law) B=64"},   {"e2m1", "E2M1 B=64"},
  {"crd-absmax", "CRD absmax B=64"},    {"crd-signmax", "CRD signmax B=64"},
  {"crd-outliers", "CRD absmax B=64 + 2^-10 outliers"},
  {"uniform-ec", "tensor RMS uniform + ideal code"}};

typedef struct {
  qrd_checkpoint ck;
} setup;

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  return qrd_checkpoint_read(cfg, &s->ck);
}

typedef struct {
  qrd_dist fitted;
  qrd_block_result real[N_FORMATS], pred[N_FORMATS];
} item;

/* A code of block-normalised values as an element format. */
static int code_element(const char *spec, const qrd_dist *d, const char *name, qrd_element **out)
{
  qrd_quantiser q;
  qrd_codebook *cb = NULL;
  int st = qrd_quantiser_parse(spec, &q);
  if (!st)
    st = qrd_quantiser_design(&q, d, 16.0, &cb);
  qrd_element *e = st ? NULL : calloc(1, sizeof *e);
  if (!st && !e)
    st = qrd_error_set(QRD_ENOMEM, "element %s", name);
  if (st) {
    qrd_codebook_free(cb);
    return st;
  }
  e->cb = cb;
  e->bits = 4.0;
  e->lo = cb->level[0];
  e->hi = cb->level[cb->n - 1];
  snprintf(e->name, sizeof e->name, "%s", name);
  *out = e;
  return QRD_OK;
}

/* Format f's element and scaling for data of law d. */
static int format(size_t f, const qrd_dist *d, qrd_element **e, qrd_scaling *sc, double *outl)
{
  static const char *const scaling[N_FORMATS] = {"absmax:64", "absmax:128", "absmax:64",
                                                 "absmax:64", "absmax:64", "absmax:64",
                                                 "absmax:64", "signmax:64", "absmax:64", "rms"};
  *outl = f == 8 ? OUTLIERS : 0.0;
  int st = qrd_scaling_parse(scaling[f], "bf16", sc);
  qrd_element_request r = {.bits = 4.0, .dist = d, .block = 64.0,
                           .crd_scaling = f == 7 ? QRD_CRD_SIGNMAX : QRD_CRD_ABSMAX};
  if (st)
    return st;
  switch (f) {
  case 0: case 1: return qrd_element_from_spec("int", &r, e);
  case 2: return qrd_element_from_spec("nf4", &r, e);
  case 3: return code_element("af4-pub:B=64", d, "af4", e);
  case 4: return code_element("bof4:B=64", d, "bof4", e);
  case 5: return qrd_element_from_spec("fp:e=2,m=1", &r, e);
  default: return qrd_element_from_spec("crd-block", &r, e);
  }
}

typedef struct {
  const qrd_block_sample *s;
  double a;
  qrd_coded_memo *memo;
} coded_ctx;

/* Coded bits of the grid of b0 on the sample, its model its own counts. */
static int coded_bits(double b0, void *params, double *bits)
{
  const coded_ctx *c = params;
  qrd_codebook *cb = qrd_coded_grid(b0, 1, c->a);
  if (!cb)
    return qrd_error_set(QRD_ENOMEM, "grid");
  int st = qrd_coded_memo_bits(c->memo, cb, bits);
  qrd_codebook_free(cb);
  return st;
}

static int uniform_ec(const double *x, size_t n, qrd_block_result *r)
{
  qrd_scaling sc;
  qrd_block_sample *s = NULL;
  int st = qrd_scaling_parse("rms", "bf16", &sc);
  if (!st)
    st = qrd_block_sample_alloc(x, n, &sc, -1.0, 1.0, 0.0, &s);
  qrd_rate_fit fit;
  coded_ctx c = {s, s ? qrd_block_absmax(s) : 0.0, s ? qrd_coded_memo_alloc(s, s, 0) : NULL};
  if (!st && !c.memo)
    st = QRD_ENOMEM;
  if (!st)
    st = qrd_rate_tune(QRD_RATE_GRID, coded_bits, &c, n, 4.0, 0, &fit);
  qrd_coded_memo_free(c.memo);
  qrd_codebook *cb = st ? NULL : qrd_coded_grid(fit.t, 1, c.a);
  if (!st && !cb)
    st = qrd_error_set(QRD_ENOMEM, "grid");
  if (!st)
    st = qrd_block_eval_coded(s, s, cb, 0, r);
  qrd_codebook_free(cb);
  qrd_block_sample_free(s);
  return st;
}

/* Every format on x (n values in rows of `cols`), formats for law d. */
static int evaluate(const double *x, size_t n, const qrd_dist *d, qrd_block_result *r)
{
  int st = QRD_OK;
  for (size_t f = 0; !st && f + 1 < N_FORMATS; f++) {
    qrd_element *e = NULL;
    qrd_scaling sc;
    qrd_block_sample *s = NULL;
    double outl;
    st = format(f, d, &e, &sc, &outl);
    if (!st)
      st = qrd_block_sample_alloc(x, n, &sc, e->lo, e->hi, outl, &s);
    if (!st)
      st = qrd_block_eval(s, e->cb, e->bits, &r[f]);
    if (st)
      qrd_error_set(st, "%s: %s", FORMATS[f].name, qrd_error_detail());
    qrd_block_sample_free(s);
    qrd_element_free(e);
  }
  return st ? st : uniform_ec(x, n, &r[N_FORMATS - 1]);
}

typedef struct {
  const setup *s;
  unsigned long seed;
  item *items;
} sweep;

static int run_item(void *ctx, size_t k, char *what, size_t len)
{
  const sweep *w = ctx;
  item *it = &w->items[k];
  qrd_checkpoint_short_name(&w->s->ck, k, what, len);
  double *x, *y = NULL;
  size_t rows, cols;
  int st = qrd_checkpoint_matrix(&w->s->ck, k, &x, &rows, &cols);
  if (st)
    return st;
  size_t n = rows * cols, n_fits, best;
  qrd_fit fits[MAX_FAMILIES];
  st = qrd_fit_all(x, n, fits, MAX_FAMILIES, &n_fits, &best);
  if (!st) {
    it->fitted = fits[best].dist;
    st = evaluate(x, n, &it->fitted, it->real);
  }
  if (!st && !(y = qrd_sample_alloc(&it->fitted, qrd_sample_stream(w->seed, k), n)))
    st = qrd_error_set(QRD_ENOMEM, "fitted sample");
  if (!st)
    st = evaluate(y, n, &it->fitted, it->pred);
  qrd_big_free(x);
  qrd_big_free(y);
  return st;
}

/* ---- results ---- */

typedef struct {
  const setup *s;
  const item *items;
} output;

static int write_panel(qrd_results *res, const output *o, const char *panel, const char *title,
                       int which)
{
  size_t n = o->s->ck.n;
  int st = qrd_results_panel(res, panel, title, "tensor index",
                             which == 2 ? "bits per parameter" : "R 2^b");
  for (size_t f = 0; !st && f < N_FORMATS; f++) {
    double x[QRD_CHECKPOINT_MAX], y[QRD_CHECKPOINT_MAX], e[QRD_CHECKPOINT_MAX];
    for (size_t k = 0; k < n; k++) {
      const qrd_block_result *r = which == 1 ? &o->items[k].pred[f] : &o->items[k].real[f];
      x[k] = (double)k;
      if (which == 2) {
        y[k] = r->bits;
        e[k] = 0.0;
      } else {
        qrd_block_efficiency(r, &y[k], &e[k]);
      }
    }
    st = qrd_curve_params(res, "format=%s; bits=4; source=%s", FORMATS[f].name,
                          which == 1 ? "fitted family" : "checkpoint");
    if (!st)
      st = qrd_results_curve(res, panel, FORMATS[f].name, FORMATS[f].label, n, x, y,
                             which == 2 ? NULL : e);
  }
  return st;
}

static int write_all(qrd_results *res, const void *ctx)
{
  const output *o = ctx;
  char fits[QRD_CHECKPOINT_MAX * 96] = "";
  for (size_t k = 0; k < o->s->ck.n; k++)
    snprintf(fits + strlen(fits), sizeof fits - strlen(fits), "%s%s", k ? " " : "",
             o->items[k].fitted.spec);
  int st = qrd_checkpoint_write_names(res, &o->s->ck);
  if (!st)
    st = qrd_results_attr_string(res, "fits", fits);
  if (!st)
    st = write_panel(res, o, "real", "real weights: R 2^b at about 4 bits", 0);
  if (!st)
    st = write_panel(res, o, "predicted",
                     "the fitted family's prediction (a sample of the same size)", 1);
  if (!st)
    st = write_panel(res, o, "bits", "achieved bits per parameter (real weights)", 2);
  return st;
}

/* A restored item's fitted law, linked to this process's registry. */
static int relink(const void *ctx, size_t k)
{
  const sweep *w = ctx;
  return qrd_dist_relink(&w->items[k].fitted);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  setup *s = setup_ptr;
  drv->y_err = "standard error of R times 2^b: the jackknife over 64 batches of whole blocks (a real matrix has no law to take it from; the fitted law's sample is treated alike)";
  item *items = calloc(s->ck.n, sizeof *items);
  int st = items ? QRD_OK : qrd_error_set(QRD_ENOMEM, "items");
  sweep w = {s, drv->seed, items};
  qrd_driver_progress_begin(drv, s->ck.n);
  if (!st)
    st = qrd_driver_run_items(drv, s->ck.n, run_item, &w,
                              &(qrd_driver_slots){{{items, sizeof *items, sizeof *items}}, 1,
                                                  .ctx = &w, .restored = relink});
  if (!st)
    st = qrd_driver_write_results(drv, write_all, &(output){s, items});
  free(items);
  qrd_checkpoint_free(&s->ck);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  memset(&s, 0, sizeof s);
  return qrd_driver_main(argc, argv, "fig-28", doc, read_setup, run, &s);
}
