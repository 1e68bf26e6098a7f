#include "harness/driver_sweep.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "harness/curve.h"
#include "mc/sample.h"

/* ---- block sizes ---- */

int qrd_driver_read_block_sweep(qrd_config *cfg, qrd_driver_block_sweep *sw)
{
  int st;
  if ((st = qrd_config_wholes(cfg, "blocks", 4, 1 << 20, sw->block, QRD_DRIVER_MAX_BLOCKS,
                              &sw->n_block)) ||
      (st = qrd_driver_read_samples(cfg, "samples", sw->block, sw->n_block, &sw->samples)))
    return st;
  return qrd_driver_read_sources(cfg, "dists", sw->src, QRD_DRIVER_MAX_DISTS, &sw->n_dist);
}

int qrd_driver_block_sweep_attrs(qrd_results *res, const qrd_driver_block_sweep *sw)
{
  int st = qrd_results_attr_double(res, "samples", (double)sw->samples);
  return st ? st : qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
}

/* The formats of one sweep point. */
typedef struct {
  size_t n;
  qrd_driver_formats_fn make;
  const void *ctx;
} formats;

/* Every format of source d at one block size, on its sample x. */
static int eval_point(const qrd_driver_block_sweep *sw, const formats *fm, size_t d,
                      unsigned long block, const double *x, qrd_block_result *r)
{
  /* zeroed: a format that was never made frees as well as a made one */
  qrd_block_direct *f = calloc(fm->n, sizeof *f);
  int st = f ? fm->make(fm->ctx, d, block, f) : qrd_error_set(QRD_ENOMEM, "formats");
  if (!st)
    st = qrd_block_eval_direct(x, sw->samples, block, f, fm->n, r);
  for (size_t k = 0; f && k < fm->n; k++)
    qrd_block_direct_free(&f[k]);
  free(f);
  return st;
}

/* The sweep's points: point p = d n_block + j is source d at block size
 * j, and writes only its n results at r + p n.  Source d's sample is drawn
 * when the first of its points runs, by that point and every other one of
 * d that starts meanwhile (qrd_sample_share), so a merge (which runs none)
 * draws nothing and a shard only the samples of its points' sources.  It
 * is freed when left[d], its points not yet finished, reaches 0: in a
 * whole run, where the points go from the last source back, only the
 * sources the threads are at hold a sample; in a shard (some points
 * another shard's or done before) the sample lives to the sweep's end. */
typedef struct {
  const qrd_driver_block_sweep *sw;
  formats fm;
  unsigned long seed;
  qrd_block_result *r;
  double *x[QRD_DRIVER_MAX_DISTS];
  qrd_sample_share share[QRD_DRIVER_MAX_DISTS];
  size_t left[QRD_DRIVER_MAX_DISTS];
} block_run;

/* Source d's sample (NULL, its detail set, when it cannot be drawn). */
static const double *take_sample(block_run *b, size_t d)
{
  double *x;
  size_t n = b->sw->samples;
#pragma omp critical(qrd_driver_block_sample)
  {
    if (!b->x[d] && (b->x[d] = qrd_big_alloc(n, sizeof *b->x[d])))
      qrd_sample_share_init(&b->share[d], &b->sw->src[d].dist, b->seed, b->x[d], n);
    x = b->x[d];
  }
  if (!x)
    qrd_error_set(QRD_ENOMEM, "sample of %zu values", n);
  return x && !qrd_sample_share_help(&b->share[d]) ? x : NULL;
}

static void release_sample(block_run *b, size_t d)
{
#pragma omp critical(qrd_driver_block_sample)
  if (--b->left[d] == 0) {
    qrd_big_free(b->x[d]);
    b->x[d] = NULL;
  }
}

static int block_point(void *ctx, size_t p, char *what, size_t len)
{
  block_run *b = ctx;
  const qrd_driver_block_sweep *sw = b->sw;
  size_t d = p / sw->n_block, j = p % sw->n_block;
  snprintf(what, len, "%s B=%lu", sw->src[d].dist.spec, sw->block[j]);
  const double *x = take_sample(b, d);
  int st = x ? eval_point(sw, &b->fm, d, sw->block[j], x, b->r + p * b->fm.n) : QRD_ENOMEM;
  release_sample(b, d);
  return st;
}

int qrd_driver_run_block_sweep(qrd_driver *drv, const qrd_driver_block_sweep *sw,
                               size_t n_formats, qrd_driver_formats_fn make, const void *ctx,
                               qrd_block_result **out)
{
  size_t n = sw->n_dist * sw->n_block;
  block_run b = {.sw = sw, .fm = {.n = n_formats, .make = make, .ctx = ctx},
                 .seed = drv->seed, .r = calloc(n * n_formats, sizeof(qrd_block_result))};
  *out = b.r;
  if (!b.r)
    return qrd_error_set(QRD_ENOMEM, "results of %zu sources", sw->n_dist);
  for (size_t d = 0; d < sw->n_dist; d++)
    b.left[d] = sw->n_block;
  qrd_driver_progress_begin(drv, n);
  qrd_driver_slot slot = {b.r, n_formats * sizeof *b.r, n_formats * sizeof *b.r};
  int st = qrd_driver_run_items(drv, n, block_point, &b,
                                &(qrd_driver_slots){{slot}, 1, NULL, NULL, NULL});
  for (size_t d = 0; d < sw->n_dist; d++)
    qrd_big_free(b.x[d]);
  return st;
}

/* ---- element bits, coded with a trained model ---- */

int qrd_driver_read_coded_sweep(qrd_config *cfg, qrd_driver_coded_sweep *s)
{
  int st;
  if ((st = qrd_config_ulong(cfg, "train_seed", &s->train_seed)) ||
      (st = qrd_config_whole(cfg, "block", 1, 1 << 20, &s->block)) ||
      (st = qrd_driver_read_samples(cfg, "samples", &s->block, 1, &s->samples)) ||
      (st = qrd_driver_read_sources(cfg, "dists", s->src, QRD_DRIVER_MAX_DISTS, &s->n_dist)) ||
      (st = qrd_config_range(cfg, "element_bits", 1, 12, s->elem_bits, QRD_DRIVER_MAX_BITS,
                             &s->n_bits)) ||
      (st = qrd_driver_read_scale(cfg, "scale", 0, s->scale, sizeof s->scale)))
    return st;
  return qrd_driver_read_scale(cfg, "train_scale", 0, s->train_scale, sizeof s->train_scale);
}

int qrd_driver_coded_sweep_attrs(qrd_results *res, const qrd_driver_coded_sweep *s)
{
  int st = qrd_results_attr_double(res, "train_seed", (double)s->train_seed);
  if (!st)
    st = qrd_results_attr_double(res, "samples", (double)s->samples);
  if (!st)
    st = qrd_results_attr_double(res, "block_size", (double)s->block);
  if (!st)
    st = qrd_results_attr_string(res, "scale_format", s->scale);
  if (!st)
    st = qrd_results_attr_string(res, "train_scale_format", s->train_scale);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return st;
}

int qrd_driver_coded_samples(const qrd_driver *drv, const qrd_driver_coded_sweep *s, size_t d,
                             double **x, double **xt)
{
  *x = qrd_sample_alloc(&s->src[d].dist, drv->seed, s->samples);
  *xt = *x ? qrd_sample_alloc(&s->src[d].dist, s->train_seed, s->samples) : NULL;
  return *x && *xt ? QRD_OK : QRD_ENOMEM;
}
