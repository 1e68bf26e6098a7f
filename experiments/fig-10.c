/* fig-10 (Orr et al. F-S9, `analysis_block_size`): relative RMS error R
 * against the block size B at a fixed total of b bits per parameter, for
 * bf16 and E8M0 block scales.
 *
 * Element: the symmetric block CRD (alpha = 1/3) of the source's family at
 * that B, with b - scale_bits / B element bits realised as
 * round(2^{b - scale_bits/B}) levels (orr-formats §2.6, pitfall 1), so the
 * achieved b wiggles around the target (|achieved - b| <= 0.125, checked).
 *
 * Panels (one per target b):
 *   bits-<b>            R vs B; curves <dist>-<scale> (y_err: jackknife
 *                       SE), then <dist>-<scale>-min (one point, the
 *                       plot's star at the least R)
 *   bits-<b>-achieved   the achieved bits per parameter vs B, same names
 * with <dist> = normal, laplace, t-nu-5 and <scale> = bf16, e8m0. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fmt/bits.h"
#include "fmt/block.h"
#include "io/driver.h"
#include "mc/sample.h"

#define MAX_DISTS 8
#define MAX_BLOCKS 16
#define MAX_TOTALS 4
#define MAX_SCALES 4
#define MAX_FORMATS (MAX_TOTALS * MAX_SCALES)
#define NAME_LEN QRD_DRIVER_NAME_LEN
/* The spec's bound on the achieved bits' distance from the target (§3.1). */
#define MAX_BITS_MISS 0.125

static const char doc[] =
  "R vs block size at a fixed total of bits per parameter, bf16 vs E8M0\n"
  "  scales (Orr et al. F-S9).  Config keys: seed, samples (a multiple of\n"
  "  every block size), dists (gaussian, laplace, student-t), blocks (block\n"
  "  sizes), total_bits (targets b, one panel each), scales (absmax scale\n"
  "  formats, e.g. bf16 e8m0).";

typedef struct {
  qrd_driver_source src[MAX_DISTS]; /* crd: block and scaling set per point */
  size_t n_dist;
  unsigned long block[MAX_BLOCKS];
  size_t n_block;
  double total[MAX_TOTALS];
  size_t n_total;
  char scale[MAX_SCALES][NAME_LEN];
  size_t n_scale;
  unsigned long samples;
} setup;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  /* the block CRDs model the block maximum through ln(B / pi): B >= 4 */
  if ((st = qrd_config_wholes(cfg, "blocks", 4, 1 << 20, s->block, MAX_BLOCKS, &s->n_block)) ||
      (st = qrd_driver_read_samples(cfg, "samples", s->block, s->n_block, &s->samples)) ||
      (st = qrd_driver_read_sources(cfg, "dists", s->src, MAX_DISTS, &s->n_dist)) ||
      (st = qrd_config_numbers(cfg, "total_bits", 2, 16, s->total, MAX_TOTALS, &s->n_total)))
    return st;
  return qrd_driver_read_scales(cfg, "scales", 0, s->scale, MAX_SCALES, &s->n_scale);
}

/* ---- the sweep ---- */

/* Results of one (source, block size) point: format (scale, total) at
 * [scale * n_total + total]. */
typedef struct {
  qrd_block_result r[MAX_FORMATS];
} point;

/* The formats of block size B: the family's symmetric block CRD at
 * b - scale_bits / B element bits, per scale format and target. */
static int point_formats(const setup *s, size_t d, size_t block, qrd_block_direct *f)
{
  qrd_crd_params p = s->src[d].crd;
  p.scaling = QRD_CRD_ABSMAX;
  p.symmetric = 1;
  p.block = (double)block;
  int st = QRD_OK;
  for (size_t c = 0; !st && c < s->n_scale; c++)
    for (size_t t = 0; !st && t < s->n_total; t++) {
      char text[32];
      qrd_scaling sc;
      qrd_element *e = NULL;
      snprintf(text, sizeof text, "absmax:%zu", block);
      st = qrd_scaling_parse(text, s->scale[c], &sc);
      double eb = qrd_bits_fixed_total_element(s->total[t], qrd_scale_bits(&sc.scale),
                                                (double)block);
      if (!st)
        st = qrd_element_crd(&p, eb, &e);
      if (!st)
        st = qrd_block_direct_init(&f[c * s->n_total + t], &sc, e);
      qrd_element_free(e);
    }
  return st;
}

static int run_point(const setup *s, size_t d, size_t j, const double *x, point *pt)
{
  size_t k = s->n_scale * s->n_total;
  qrd_block_direct *f = calloc(k, sizeof *f);
  int st = f ? point_formats(s, d, s->block[j], f) : qrd_error_set(QRD_ENOMEM, "formats");
  if (!st)
    st = qrd_block_eval_direct(x, s->samples, s->block[j], f, k, pt->r);
  for (size_t i = 0; f && i < k; i++)
    qrd_block_direct_free(&f[i]);
  free(f);
  for (size_t i = 0; !st && i < k; i++)
    if (fabs(pt->r[i].bits - s->total[i % s->n_total]) > MAX_BITS_MISS)
      st = qrd_error_set(QRD_EINVAL, "%s, B = %lu: %.4f bits for a target of %g",
                         s->src[d].dist.spec, s->block[j], pt->r[i].bits,
                         s->total[i % s->n_total]);
  return st;
}

/* One sample per source (seed 1 in every panel, as the reference draws
 * each source), all block sizes on it. */
static int run_dist(qrd_driver *drv, const setup *s, size_t d, point *pts)
{
  double *x = qrd_sample_alloc(&s->src[d].dist, drv->seed, s->samples);
  int st = x ? QRD_OK : QRD_ENOMEM;
  for (size_t j = 0; !st && j < s->n_block; j++) {
    st = run_point(s, d, j, x, &pts[j]);
    char what[128];
    snprintf(what, sizeof what, "%s B=%lu", s->src[d].dist.spec, s->block[j]);
    qrd_driver_progress_step(drv, what);
  }
  free(x);
  if (st)
    return qrd_error_set(st, "%s: %s", s->src[d].dist.spec, qrd_error_detail());
  return st;
}

/* ---- results ---- */

/* The curve of (source d, scale c, target t) in both panels of t. */
static int write_curve(qrd_results *res, const setup *s, const point *pts, size_t d, size_t c,
                       size_t t, const char *panel, const char *bits_panel)
{
  double x[MAX_BLOCKS], y[MAX_BLOCKS], e[MAX_BLOCKS], b[MAX_BLOCKS];
  size_t k = c * s->n_total + t, best = 0;
  for (size_t j = 0; j < s->n_block; j++) {
    x[j] = (double)s->block[j];
    y[j] = pts[j].r[k].rel_rmse;
    e[j] = pts[j].r[k].rel_rmse_se;
    b[j] = pts[j].r[k].bits;
    if (y[j] < y[best])
      best = j;
  }
  char name[2 * NAME_LEN], label[160], scale[NAME_LEN];
  for (size_t i = 0; i < NAME_LEN; i++) /* "E8M0", as the paper writes it */
    scale[i] = (char)toupper((unsigned char)s->scale[c][i]);
  snprintf(name, sizeof name, "%s-%s", s->src[d].slug, s->scale[c]);
  snprintf(label, sizeof label, "%s, %s scales", s->src[d].label, scale);
  int st = qrd_results_curve(res, panel, name, label, s->n_block, x, y, e);
  if (!st)
    st = qrd_results_curve(res, bits_panel, name, label, s->n_block, x, b, NULL);
  if (st)
    return st;
  snprintf(name, sizeof name, "%s-%s-min", s->src[d].slug, s->scale[c]);
  snprintf(label, sizeof label, "%s, %s: least R %.4g at B = %lu", s->src[d].label, scale, y[best],
           s->block[best]);
  return qrd_results_curve(res, panel, name, label, 1, &x[best], &y[best], &e[best]);
}

static int write_panels(qrd_results *res, const setup *s, const point *pts, size_t t)
{
  char raw[32], panel[32], bits_panel[48], title[160];
  snprintf(raw, sizeof raw, "bits-%g", s->total[t]);
  qrd_driver_slug(panel, sizeof panel, raw);
  snprintf(bits_panel, sizeof bits_panel, "%s-achieved", panel);
  snprintf(title, sizeof title, "b = %g bits per parameter: symmetric block CRD, absmax "
           "scaling, element bits b - scale bits / B", s->total[t]);
  int st = qrd_results_panel(res, panel, title, "block size B", "R");
  if (!st)
    st = qrd_results_panel(res, bits_panel, title, "block size B",
                           "achieved bits per parameter");
  /* curves and their minima interleave per source and scale */
  for (size_t d = 0; !st && d < s->n_dist; d++)
    for (size_t c = 0; !st && c < s->n_scale; c++)
      st = write_curve(res, s, pts + d * s->n_block, d, c, t, panel, bits_panel);
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_results_attr_double(res, "samples", (double)s->samples);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  if (!st)
    st = qrd_results_attr_string(res, "element", "symmetric block CRD (alpha = 1/3) of the "
                                 "source's family, round(2^(b - scale_bits/B)) levels");
  return st;
}

/* ---- main ---- */

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  point *pts = malloc(s->n_dist * s->n_block * sizeof *pts);
  qrd_results *res = NULL;
  int st = pts ? qrd_driver_results(drv, &res) : qrd_error_set(QRD_ENOMEM, "results");
  if (st) {
    free(pts);
    return st;
  }
  qrd_driver_progress_begin(drv, s->n_dist * s->n_block);
  st = write_attrs(res, s);
  for (size_t d = 0; !st && d < s->n_dist; d++)
    st = run_dist(drv, s, d, pts + d * s->n_block);
  for (size_t t = 0; !st && t < s->n_total; t++)
    st = write_panels(res, s, pts, t);
  free(pts);
  return qrd_driver_close_results(res, st);
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-10", doc, read_setup, run, &s);
}
