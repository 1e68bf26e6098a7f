/* fig-30: the formats hardware and practitioners ship, against the optimum
 * qrd can compute: R 2^b against bits per parameter at about 4-4.5 bits
 * (and MXFP6/MXFP8 at theirs) on Normal, Laplace and Student-t (nu = 5)
 * sources, each format plain and after a 32-point randomised block
 * Hadamard rotation.
 *
 * Formats (fmt/mx.h, fmt/block.h): mxfp4 (OCP rule), mxfp4-ceil,
 * mxfp4-mse, nvfp4, mxfp6 (e2m3), mxfp8 (e4m3), affine-int4-g32,
 * affine-int4-g128, nf4 (absmax:64, bf16), nf4-dq, int4 (absmax:64, bf16),
 * int4-clip (searched clipping).  References: the source's block CRD
 * (absmax:64, 4 bits, bf16) and the entropy-coded constant of R 2^b
 * (uniform grid + ideal code, exact: sqrt(2^(2h) / 12) for a unit-variance
 * law), drawn as a flat line.
 *
 * Panels: one per source; curve <format> is one point (x = bits, y = R
 * 2^b, y_err its SE 2^b), <format>-rot the rotated one; crd the block CRD;
 * limit the constant.  Panel bits: bits per format (x = format index).
 * With real_weights = 1, panel real: per weight matrix of the checkpoint
 * (x = its index, as fig-27/28), each format's R 2^b (plain; NF4-DQ on the
 * largest multiple of 16384 values). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/block.h"
#include "fmt/element.h"
#include "fmt/mx.h"
#include "harness/checkpoint.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "harness/driver_config.h"
#include "mat/rotate.h"
#include "mc/sample.h"

#define MAX_DISTS 4
#define N_FORMATS 12
#define ROT_BLOCK 32

static const char doc[] =
  "Shipped formats (OCP MX, NVFP4, affine INT, NF4 +- double quantisation,\n"
  "  INT4 +- searched clipping), plain and block-Hadamard rotated, against the\n"
  "  block CRD and the entropy-coded limit.  Config keys: seed, samples (a\n"
  "  multiple of 16384), dists, real_weights (0 or 1; 1: also checkpoint,\n"
  "  min_count, out_in as fig-27).";

static const char *const FORMATS[N_FORMATS] = {
  "mxfp4", "mxfp4-ceil", "mxfp4-mse", "nvfp4", "mxfp6", "mxfp8",
  "affine-int4-g32", "affine-int4-g128", "nf4", "nf4-dq", "int4", "int4-clip"};

typedef struct {
  qrd_driver_source src[MAX_DISTS];
  size_t n_dist;
  unsigned long samples, real;
  qrd_checkpoint ck; /* real = 1: the checkpoint's weight matrices too */
} setup;

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st = qrd_config_whole(cfg, "samples", 16384, 1 << 26, &s->samples);
  if (!st && s->samples % 16384)
    st = qrd_config_invalid(cfg, "samples", "must be a multiple of 16384 (NF4-DQ's groups)");
  if (!st)
    st = qrd_driver_read_sources(cfg, "dists", s->src, MAX_DISTS, &s->n_dist);
  if (!st)
    st = qrd_config_whole(cfg, "real_weights", 0, 1, &s->real);
  return st || !s->real ? st : qrd_checkpoint_read(cfg, &s->ck);
}

typedef struct {
  qrd_block_result plain[N_FORMATS], rot[N_FORMATS], crd;
} item;

typedef struct {
  qrd_block_result r[N_FORMATS];
} real_item;

/* Block-scaled element spec under absmax:64 with bf16 scales, plain or
 * with searched clipping. */
static int element_eval(const char *spec, const qrd_dist *d, int clip, const double *x,
                        size_t n, qrd_block_result *r)
{
  qrd_element_request req = {.bits = 4.0, .dist = d, .crd_scaling = QRD_CRD_ABSMAX,
                             .block = 64.0};
  qrd_element *e = NULL;
  qrd_scaling sc;
  qrd_block_sample *bs = NULL;
  int st = qrd_element_from_spec(spec, &req, &e);
  if (!st)
    st = qrd_scaling_parse("absmax:64", "bf16", &sc);
  if (!st && clip)
    st = qrd_clip_eval(e, &sc, 33, x, n, r);
  else if (!st && !(st = qrd_block_sample_alloc(x, n, &sc, e->lo, e->hi, 0.0, &bs)))
    st = qrd_block_eval(bs, e->cb, e->bits, r);
  qrd_block_sample_free(bs);
  qrd_element_free(e);
  return st;
}

static int mx_eval(const char *spec, const double *x, size_t n, qrd_block_result *r)
{
  qrd_mx_format f;
  int st = qrd_mx_format_parse(spec, &f);
  return st ? st : qrd_mx_eval(&f, x, n, r);
}

static int format_eval(size_t k, const qrd_dist *d, const double *x, size_t n,
                       qrd_block_result *r)
{
  static const char *const mx[] = {"mxfp4", "mxfp4:rule=ceil", "mxfp4:rule=mse", "nvfp4",
                                   "mxfp6-e2m3", "mxfp8-e4m3"};
  if (k < 6)
    return mx_eval(mx[k], x, n, r);
  if (k < 8)
    return qrd_affine_eval(4.0, k == 6 ? 32 : 128, x, n, r);
  if (k == 9) {
    qrd_element_request req = {.bits = 4.0};
    qrd_element *e;
    int st = qrd_element_from_spec("nf4", &req, &e);
    if (!st)
      st = qrd_dq_eval(e, x, n, r);
    qrd_element_free(e);
    return st;
  }
  return element_eval(k == 8 ? "nf4" : "int", d, k == 11, x, n, r);
}

typedef struct {
  const setup *s;
  unsigned long seed;
  item *items;
  real_item *real;
} sweep;

/* Item j past the synthetic ones: weight matrix k = j - 2 n_dist. */
static int run_real(const sweep *w, size_t k, char *what, size_t len)
{
  qrd_checkpoint_short_name(&w->s->ck, k, what, len);
  double *x;
  size_t rows, cols;
  int st = qrd_checkpoint_matrix(&w->s->ck, k, &x, &rows, &cols);
  if (st)
    return st;
  size_t n = rows * cols;
  qrd_dist gauss; /* no format here is designed for the source's law */
  st = qrd_dist_parse("gaussian", &gauss);
  for (size_t f = 0; !st && f < N_FORMATS; f++)
    st = format_eval(f, &gauss, x, f == 9 ? n / 16384 * 16384 : n, &w->real[k].r[f]);
  free(x);
  return st;
}

/* Item j: source j / 2, plain (even) or rotated (odd). */
/* What point j writes: source j / 2's plain formats and CRD (j even) or
 * rotated formats (odd), then the checkpoint's matrices. */
static size_t point_slots(const void *ctx, size_t j, qrd_driver_slot *r)
{
  const sweep *w = ctx;
  if (j >= 2 * w->s->n_dist) {
    r[0] = (qrd_driver_slot){&w->real[j - 2 * w->s->n_dist], 0, sizeof *w->real};
    return 1;
  }
  item *it = &w->items[j / 2];
  if (j % 2) {
    r[0] = (qrd_driver_slot){it->rot, 0, sizeof it->rot};
    return 1;
  }
  r[0] = (qrd_driver_slot){it->plain, 0, sizeof it->plain};
  r[1] = (qrd_driver_slot){&it->crd, 0, sizeof it->crd};
  return 2;
}

static int run_item(void *ctx, size_t j, char *what, size_t len)
{
  const sweep *w = ctx;
  if (j >= 2 * w->s->n_dist)
    return run_real(w, j - 2 * w->s->n_dist, what, len);
  const qrd_dist *d = &w->s->src[j / 2].dist;
  int rotated = (int)(j % 2);
  snprintf(what, len, "%s%s", d->spec, rotated ? " rotated" : "");
  size_t n = w->s->samples;
  double *x = qrd_sample_alloc(d, qrd_sample_stream(w->seed, j / 2), n);
  double *work = malloc(ROT_BLOCK * sizeof *work);
  int st = x && work ? QRD_OK : qrd_error_set(QRD_ENOMEM, "sample");
  if (!st && rotated) {
    qrd_rotation *rot;
    st = qrd_rotation_alloc(QRD_ROTATE_HADAMARD, ROT_BLOCK, w->seed, NULL, &rot);
    if (!st) {
      st = qrd_rotation_blocks(rot, x, n, 0, work);
      qrd_rotation_free(rot);
    }
  }
  item *it = &w->items[j / 2];
  for (size_t k = 0; !st && k < N_FORMATS; k++)
    st = format_eval(k, d, x, n, rotated ? &it->rot[k] : &it->plain[k]);
  if (!st && !rotated)
    st = element_eval("crd-block", d, 0, x, n, &it->crd);
  qrd_big_free(x);
  free(work);
  return st;
}

/* ---- results ---- */

typedef struct {
  const setup *s;
  const item *items;
  const real_item *real;
} output;

static int write_real(qrd_results *res, const output *o)
{
  size_t n = o->s->ck.n;
  int st = qrd_results_panel(res, "real", "the checkpoint's weight matrices (plain formats)",
                             "matrix index", "R 2^b");
  for (size_t f = 0; !st && f < N_FORMATS; f++) {
    double x[QRD_CHECKPOINT_MAX], y[QRD_CHECKPOINT_MAX], e[QRD_CHECKPOINT_MAX];
    for (size_t k = 0; k < n; k++) {
      x[k] = (double)k;
      qrd_block_efficiency(&o->real[k].r[f], &y[k], &e[k]);
    }
    st = qrd_curve_params(res, "source=checkpoint; format=%s", FORMATS[f]);
    if (!st)
      st = qrd_results_curve(res, "real", FORMATS[f], FORMATS[f], n, x, y, e);
  }
  return st;
}

static int write_point(qrd_results *res, const char *panel, const char *curve,
                       const char *label, const qrd_block_result *r)
{
  double x = r->bits, y, e;
  qrd_block_efficiency(r, &y, &e);
  return qrd_results_curve(res, panel, curve, label, 1, &x, &y, &e);
}

static int write_source(qrd_results *res, const setup *s, size_t d, const item *it)
{
  const char *panel = s->src[d].slug;
  char title[160];
  snprintf(title, sizeof title, "%s (%s), %lu samples", s->src[d].label, s->src[d].dist.spec,
           s->samples);
  int st = qrd_results_panel(res, panel, title, "bits per parameter b", "R 2^b");
  for (size_t k = 0; !st && k < N_FORMATS; k++) {
    char curve[48], label[64];
    st = qrd_curve_params(res, "source=%s; format=%s; rotation=none", s->src[d].dist.spec,
                          FORMATS[k]);
    if (!st)
      st = write_point(res, panel, FORMATS[k], FORMATS[k], &it->plain[k]);
    snprintf(curve, sizeof curve, "%s-rot", FORMATS[k]);
    snprintf(label, sizeof label, "%s, Hadamard %d", FORMATS[k], ROT_BLOCK);
    if (!st)
      st = qrd_curve_params(res, "source=%s; format=%s; rotation=hadamard:%d",
                            s->src[d].dist.spec, FORMATS[k], ROT_BLOCK);
    if (!st)
      st = write_point(res, panel, curve, label, &it->rot[k]);
  }
  if (!st)
    st = qrd_curve_params(res, "source=%s; format=crd-block; scaling=absmax:64",
                          s->src[d].dist.spec);
  if (!st)
    st = write_point(res, panel, "crd", "block CRD (absmax:64, bf16)", &it->crd);
  /* the entropy-coded limit of R 2^b: sqrt(2^(2h) / 12), h in bits, unit variance */
  double h = qrd_dist_entropy_bits(&s->src[d].dist);
  double limit = sqrt(exp2(2.0 * h) / 12.0 / qrd_dist_variance(&s->src[d].dist));
  if (!st)
    st = qrd_results_describe(res, "", NULL);
  if (!st)
    st = qrd_curve_flat(res, panel, "limit", "uniform + ideal code (high-rate limit)", 3.5, 8.5,
                        limit);
  return st;
}

static int write_all(qrd_results *res, const void *ctx)
{
  const output *o = ctx;
  int st = qrd_results_panel(res, "bits", "bits per parameter of each format", "format index",
                             "bits");
  double x[N_FORMATS], y[N_FORMATS];
  for (size_t k = 0; k < N_FORMATS; k++) {
    x[k] = (double)k;
    y[k] = o->items[0].plain[k].bits;
  }
  if (!st)
    st = qrd_results_curve(res, "bits", "bits", "bits per parameter", N_FORMATS, x, y, NULL);
  char names[N_FORMATS * 24] = "";
  for (size_t k = 0; k < N_FORMATS; k++)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? " " : "",
             FORMATS[k]);
  if (!st)
    st = qrd_results_attr_string(res, "formats", names);
  for (size_t d = 0; !st && d < o->s->n_dist; d++)
    st = write_source(res, o->s, d, &o->items[d]);
  return st || !o->s->real ? st : write_real(res, o);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  setup *s = setup_ptr;
  drv->y_err = "standard error of R times 2^b: the jackknife over batches of whole blocks";
  size_t n_real = s->real ? s->ck.n : 0, n_items = 2 * s->n_dist + n_real;
  item *items = calloc(s->n_dist, sizeof *items);
  real_item *real = calloc(n_real + 1, sizeof *real);
  int st = items && real ? QRD_OK : qrd_error_set(QRD_ENOMEM, "items");
  sweep w = {s, drv->seed, items, real};
  qrd_driver_progress_begin(drv, n_items);
  if (!st)
    st = qrd_driver_run_items(drv, n_items, run_item, &w,
                              &(qrd_driver_slots){.at = point_slots, .ctx = &w});
  if (!st)
    st = qrd_driver_write_results(drv, write_all, &(output){s, items, real});
  free(items);
  free(real);
  if (s->real)
    qrd_checkpoint_free(&s->ck);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  memset(&s, 0, sizeof s);
  return qrd_driver_main(argc, argv, "fig-30", doc, read_setup, run, &s);
}
