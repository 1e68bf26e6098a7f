/* fig-14 (Orr et al. F-S13, `analysis_practical_compression`): efficiency
 * R 2^b against the achieved bits per parameter b when the indices of a
 * uniform grid are coded by the ideal code length, by a Huffman code or by
 * bzip2, next to fixed-length block absmax.
 *
 * Panels, one per source (scale 1): normal, laplace,
 * t-nu-5.  Curves:
 *   optimal            tensor RMS (bf16 scale) + n evenly spaced levels on
 *                      [-a, a], a = max |training sample|, indices
 *                      costed at their ideal code length under the
 *                      +1-smoothed model of an independent training sample
 *                      normalised with an exact fp32 scale
 *   huffman            the same grid family, Huffman code lengths of that
 *                      model
 *   bzip2              the same grid family, the indices in their original
 *                      order as little-endian uint32 compressed as one bzip2
 *                      stream at level 9 (mc/bzip.h), as the reference does
 *   absmax-bB-fixed    the family's block CRD, absmax per block of B, bf16
 *                      scales, b_elem bits per element (+16/B)
 * As in the reference, each coded curve tunes its grid with ITS OWN coder's
 * bit count so that the coded element bits are as close as possible to
 * b_elem; x is the achieved b (the 16 scale bits included), y R 2^b, y_err
 * the jackknife standard error of R times 2^b. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/bits.h"
#include "fmt/block.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "harness/driver_sweep.h"
#include "mc/bzip.h"
#include "mc/rate_tune.h"
#include "mc/sample.h"

#define MAX_LEVELS ((size_t)1 << 24) /* far above any b_elem <= 12 */

static const char doc[] =
  "Ideal code length vs Huffman vs bzip2 (Orr et al. F-S13).  Config keys:\n"
  "  seed (evaluation sample), train_seed (entropy-model sample), samples\n"
  "  (a multiple of block), dists (gaussian, laplace, student-t: one panel\n"
  "  each), element_bits_min, element_bits_max, element_bits_step, block\n"
  "  (of the fixed-length absmax baseline), scale (format of the evaluated\n"
  "  scales), train_scale (of the training sample's scale).";

typedef qrd_driver_coded_sweep setup; /* crd: the family's block CRD, for the baseline */

enum { OPTIMAL, HUFFMAN, BZIP2, FIXED, N_CURVES };
static const char *const CURVE_NAME[N_CURVES] = {"optimal", "huffman", "bzip2", NULL};
static const char *const CURVE_LABEL[N_CURVES] = {"Optimal (ideal code length)", "Huffman",
                                                  "bzip2", NULL};

/* One source: its samples, normalised once. */
typedef struct {
  qrd_block_sample *eval;   /* tensor RMS, figure's scale format */
  qrd_block_sample *train;  /* tensor RMS, exact scale: the entropy model */
  qrd_block_sample *absmax; /* the fixed-length baseline's blocks */
  double *y;                /* eval's values in original order (bzip2) */
  double grid_max;          /* a */
} panel;

/* One sweep point: panel (source) d, a curve, a bit count. */
typedef struct {
  size_t d, curve, bit;
  qrd_block_result r;
} item;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st = qrd_driver_read_coded_sweep(cfg, s);
  for (size_t d = 0; !st && d < s->n_dist; d++) {
    s->src[d].crd.scaling = QRD_CRD_ABSMAX;
    s->src[d].crd.block = (double)s->block;
  }
  return st;
}

/* ---- one panel's samples ---- */

static void panel_free(panel *p)
{
  qrd_block_sample_free(p->eval);
  qrd_block_sample_free(p->train);
  qrd_block_sample_free(p->absmax);
  free(p->y);
  *p = (panel){0};
}

enum { JOB_EVAL, JOB_TRAIN, JOB_ABSMAX, JOB_ORDER, N_JOBS };
static const char *const JOB_NAME[N_JOBS] = {"evaluation sample", "training sample",
                                             "absmax blocks", "index order"};

/* The evaluation sample normalised as `eval` is, but kept in its original
 * order: bzip2 codes the index sequence, not just its counts. */
static int normalise_in_order(const double *x, size_t n, const qrd_scaling *f, double **y)
{
  double *w = malloc(n * sizeof *w);
  *y = malloc(n * sizeof **y);
  int st = w && *y ? qrd_block_normalise(x, n, f, -1.0, 1.0, *y, w)
                   : qrd_error_set(QRD_ENOMEM, "normalised sample of %zu", n);
  free(w);
  return st;
}

/* Job j: a normalisation of the evaluation sample x or the training sample
 * xt (each parallel over its batches).  The uniform grid ignores the
 * element range under RMS; [-1, 1] is the block CRD's. */
static int panel_job(panel *p, const setup *s, int job, const double *x, const double *xt)
{
  char absmax[32];
  snprintf(absmax, sizeof absmax, "absmax:%lu", s->block);
  qrd_scaling f;
  int st = qrd_scaling_parse(job == JOB_ABSMAX ? absmax : "rms",
                             job == JOB_TRAIN ? s->train_scale : s->scale, &f);
  if (st)
    return st;
  if (job == JOB_ORDER)
    return normalise_in_order(x, s->samples, &f, &p->y);
  /* the training sample gives the entropy model's counts and the grid's
   * span, nothing weighted */
  if (job == JOB_TRAIN)
    return qrd_block_sample_alloc_counts(xt, s->samples, &f, -1.0, 1.0, &p->train);
  return qrd_block_sample_alloc(x, s->samples, &f, -1.0, 1.0, 0.0,
                                job == JOB_EVAL ? &p->eval : &p->absmax);
}

static int panel_build(qrd_driver *drv, panel *p, const setup *s, size_t d)
{
  double *x, *xt;
  int st = qrd_driver_coded_samples(drv, s, d, &x, &xt);
  for (int j = 0; !st && j < N_JOBS; j++) {
    st = panel_job(p, s, j, x, xt);
    char what[256];
    snprintf(what, sizeof what, "%s: %s", s->src[d].dist.spec, JOB_NAME[j]);
    qrd_driver_progress_step(drv, what);
  }
  if (!st)
    qrd_block_sample_set_source(p->eval, &s->src[d].dist, 0.0);
  /* the grid spans the training sample: larger test values clip */
  if (!st)
    p->grid_max = qrd_block_absmax(p->train);
  qrd_big_free(x);
  qrd_big_free(xt);
  return st;
}

/* ---- coded curves ---- */

/* A coder of one panel's indices. */
typedef struct {
  const panel *p;
  size_t curve;
  unsigned char *stream; /* bzip2: the serialised indices */
} coder;

/* Total coded bits of the evaluation sample's indices on the n-level grid
 * (no scales).  The ideal and Huffman lengths need only cell counts; bzip2
 * needs the indices themselves, in order. */
static int coded_bits(double n, void *ctx, double *bits)
{
  const coder *k = ctx;
  qrd_codebook *c = qrd_codebook_uniform((size_t)n, k->p->grid_max);
  int st = c ? QRD_OK : QRD_ENOMEM;
  size_t numel = k->p->eval->numel;
  if (!st && k->curve == BZIP2) {
    st = qrd_index_stream(k->p->y, numel, c, k->stream);
    if (!st)
      st = qrd_bzip2_bits(k->stream, QRD_INDEX_BYTES * numel, bits);
  } else if (!st) {
    st = qrd_block_coded_bits(k->p->eval, k->p->train, c, k->curve == HUFFMAN, bits);
  }
  qrd_codebook_free(c);
  return st;
}

/* bzip2 reaches a rate with 0.71-0.80 of the level count the ideal code
 * needs for it on these panels: its search starts there. */
#define BZIP2_LEVELS_PER_IDEAL 0.75

/* Where the bzip2 search starts: a fraction of the ideal code's count for
 * the same rate, found first (cell counts only: cheap next to one bzip2
 * run).  The search ends at the same pair of counts around the target
 * from any start where the rate grows with the count (the default start,
 * 2^(b+1), was a probe or two further off). */
static int bzip2_start(const panel *p, double elem_bits, size_t *start)
{
  coder ideal = {.p = p, .curve = OPTIMAL, .stream = NULL};
  qrd_rate_fit fit;
  int st = qrd_rate_tune(QRD_RATE_LEVELS, coded_bits, &ideal, p->eval->numel, elem_bits,
                         MAX_LEVELS, &fit);
  *start = st ? 0 : (size_t)round(BZIP2_LEVELS_PER_IDEAL * fit.t);
  return st;
}

/* Each coder tunes the level count with its own bit count, so every coder
 * is judged at its closest level count. */
static int run_coded(const panel *p, size_t curve, double elem_bits, qrd_block_result *r)
{
  const qrd_block_sample *bs = p->eval;
  coder k = {.p = p, .curve = curve, .stream = NULL};
  size_t start = 0;
  int st = curve == BZIP2 ? bzip2_start(p, elem_bits, &start) : QRD_OK;
  if (!st && curve == BZIP2 && !(k.stream = malloc(QRD_INDEX_BYTES * bs->numel)))
    st = qrd_error_set(QRD_ENOMEM, "index stream of %zu values", bs->numel);
  if (st)
    return st;
  qrd_rate_fit fit;
  qrd_codebook *c = NULL;
  st = qrd_rate_tune_from(QRD_RATE_LEVELS, coded_bits, &k, bs->numel, elem_bits, MAX_LEVELS,
                          start, &fit);
  if (!st && !(c = qrd_codebook_uniform((size_t)fit.t, p->grid_max)))
    st = QRD_ENOMEM;
  if (!st)
    st = qrd_block_eval(bs, c, 0.0, r);
  if (!st) {
    qrd_bit_count bc = {.numel = bs->numel, .scale_bits = bs->scale_bits,
                        .n_blocks = bs->n_blocks, .coded_bits = fit.bits};
    r->bits = qrd_bits_per_param(&bc);
  }
  qrd_codebook_free(c);
  free(k.stream);
  return st;
}

static int run_fixed(const setup *s, size_t d, const panel *p, double elem_bits,
                     qrd_block_result *r)
{
  qrd_element *e;
  int st = qrd_element_crd(&s->src[d].crd, elem_bits, &e);
  if (st)
    return st;
  st = qrd_block_eval(p->absmax, e->cb, e->bits, r);
  qrd_element_free(e);
  return st;
}

static void curve_name(const setup *s, size_t curve, char *name, size_t len)
{
  if (curve == FIXED)
    snprintf(name, len, "absmax-b%lu-fixed", s->block);
  else
    snprintf(name, len, "%s", CURVE_NAME[curve]);
}

/* Every panel's points in one sweep, bzip2's last: each compresses the
 * whole index stream several times while it tunes, so they are the
 * costliest and run first (items start from the last), and the cheap ones
 * fill the threads' tails. */
static size_t plan(const setup *s, item *items)
{
  size_t n = 0;
  for (int costly = 0; costly <= 1; costly++)
    for (size_t d = 0; d < s->n_dist; d++)
      for (size_t c = 0; c < N_CURVES; c++)
        for (size_t j = 0; (c == BZIP2) == costly && j < s->n_bits; j++)
          items[n++] = (item){.d = d, .curve = c, .bit = j};
  return n;
}

/* The sweep: item j of the plan at items[j], on panel p[items[j].d]. */
typedef struct {
  const setup *s;
  const panel *p;
  item *items;
} sweep;

static int run_item(void *ctx, size_t j, char *what, size_t len)
{
  const sweep *w = ctx;
  item *it = &w->items[j];
  double eb = w->s->elem_bits[it->bit];
  char name[64];
  curve_name(w->s, it->curve, name, sizeof name);
  snprintf(what, len, "%s %s b_elem=%g", w->s->src[it->d].dist.spec, name, eb);
  return it->curve == FIXED ? run_fixed(w->s, it->d, &w->p[it->d], eb, &it->r)
                            : run_coded(&w->p[it->d], it->curve, eb, &it->r);
}

/* ---- results ---- */

static int write_panel(qrd_results *res, const setup *s, size_t d, const item *items, size_t n)
{
  char title[160];
  snprintf(title, sizeof title, "%s (%s), tensor RMS", s->src[d].label, s->src[d].dist.spec);
  int st = qrd_results_panel(res, s->src[d].slug, title, "bits per parameter b", "R 2^b");
  if (!st)
    st = qrd_curve_params(res, "source=%s; samples=%lu; scale_format=%s", s->src[d].dist.spec,
                          s->samples, s->scale);
  for (size_t c = 0; !st && c < N_CURVES; c++) {
    double x[QRD_DRIVER_MAX_BITS], y[QRD_DRIVER_MAX_BITS], e[QRD_DRIVER_MAX_BITS];
    for (size_t i = 0; i < n; i++) {
      const item *it = &items[i];
      if (it->d == d && it->curve == c) {
        x[it->bit] = it->r.bits;
        qrd_block_efficiency(&it->r, &y[it->bit], &e[it->bit]);
      }
    }
    char name[64], label[96];
    curve_name(s, c, name, sizeof name);
    if (c == FIXED)
      snprintf(label, sizeof label, "Absmax B=%lu (fixed length)", s->block);
    else
      snprintf(label, sizeof label, "%s", CURVE_LABEL[c]);
    st = qrd_results_curve(res, s->src[d].slug, name, label, s->n_bits, x, y, e);
  }
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_driver_coded_sweep_attrs(res, s);
  if (!st)
    st = qrd_results_attr_string(res, "bzip2_version", BZ2_bzlibVersion());
  if (!st)
    st = qrd_results_attr_string(res, "bzip2_stream",
                                 "indices as little-endian uint32, one stream, level 9");
  return st;
}

/* ---- main ---- */

typedef struct {
  const setup *s;
  const item *items;
  size_t n;
} figure;

static int write_all(qrd_results *res, const void *ctx)
{
  const figure *f = ctx;
  int st = write_attrs(res, f->s);
  for (size_t d = 0; !st && d < f->s->n_dist; d++)
    st = write_panel(res, f->s, d, f->items, f->n);
  return st;
}

/* Every panel's samples (each build in parallel inside), then all their
 * points in one sweep, so no panel's last point runs alone; then the
 * results file (a shard computes its points and writes none; the merge
 * restores them all). */
static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = QRD_Y_ERR_R;
  const setup *s = setup_ptr;
  panel p[QRD_DRIVER_MAX_DISTS] = {{0}};
  item items[QRD_DRIVER_MAX_DISTS * N_CURVES * QRD_DRIVER_MAX_BITS];
  size_t n = plan(s, items);
  qrd_driver_progress_begin(drv, s->n_dist * (N_JOBS + N_CURVES * s->n_bits));
  int st = QRD_OK;
  for (size_t d = 0; !st && d < s->n_dist; d++)
    st = panel_build(drv, &p[d], s, d);
  if (!st)
    st = qrd_driver_run_items(drv, n, run_item, &(sweep){s, p, items},
                              QRD_DRIVER_SLOTS(items));
  for (size_t d = 0; d < s->n_dist; d++)
    panel_free(&p[d]);
  return st ? st : qrd_driver_write_results(drv, write_all, &(figure){s, items, n});
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-14", doc, read_setup, run, &s);
}
