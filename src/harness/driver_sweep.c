#include "harness/driver_sweep.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
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

static int eval_source(qrd_driver *drv, const qrd_driver_block_sweep *sw, const formats *fm,
                       size_t d, qrd_block_result *r)
{
  const qrd_dist *dist = &sw->src[d].dist;
  double *x = qrd_sample_alloc(dist, drv->seed, sw->samples);
  int st = x ? QRD_OK : QRD_ENOMEM;
  for (size_t j = 0; !st && j < sw->n_block; j++) {
    st = eval_point(sw, fm, d, sw->block[j], x, r + j * fm->n);
    char what[sizeof dist->spec + 32];
    snprintf(what, sizeof what, "%s B=%lu", dist->spec, sw->block[j]);
    qrd_driver_progress_step(drv, what);
  }
  free(x);
  if (st) {
    char why[512]; /* the detail buffer is about to be rewritten */
    snprintf(why, sizeof why, "%s", qrd_error_detail());
    return qrd_error_set(st, "%s: %s", dist->spec, why);
  }
  return QRD_OK;
}

int qrd_driver_run_block_sweep(qrd_driver *drv, const qrd_driver_block_sweep *sw,
                               size_t n_formats, qrd_driver_formats_fn make, const void *ctx,
                               qrd_block_result **out)
{
  const formats fm = {.n = n_formats, .make = make, .ctx = ctx};
  size_t per_source = sw->n_block * n_formats;
  qrd_block_result *r = malloc(sw->n_dist * per_source * sizeof *r);
  *out = r;
  if (!r)
    return qrd_error_set(QRD_ENOMEM, "results of %zu sources", sw->n_dist);
  qrd_driver_progress_begin(drv, sw->n_dist * sw->n_block);
  int st = QRD_OK;
  for (size_t d = 0; !st && d < sw->n_dist; d++)
    st = eval_source(drv, sw, &fm, d, r + d * per_source);
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
