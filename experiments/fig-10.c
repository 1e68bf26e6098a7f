/* fig-10 (Orr et al. F-S9, `analysis_block_size`): relative RMS error R
 * against the block size B at a fixed total of b bits per parameter, for
 * bf16 and E8M0 block scales.
 *
 * Element: the symmetric block CRD (alpha = 1/3) of the source's family at
 * that B, with b - scale_bits / B element bits realised as
 * round(2^{b - scale_bits/B}) levels (Orr et al.: the level count is rounded, not the bits), so the
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
#include "harness/curve.h"
#include "harness/driver.h"
#include "harness/driver_sweep.h"

#define MAX_TOTALS 4
#define MAX_SCALES 4
#define NAME_LEN QRD_DRIVER_NAME_LEN
/* How far the achieved bits may sit from the target: the rounding of the
 * level count moves them by at most this at every B in use. */
#define MAX_BITS_MISS 0.125

static const char doc[] =
  "R vs block size at a fixed total of bits per parameter, bf16 vs E8M0\n"
  "  scales (Orr et al. F-S9).  Config keys: seed, samples (a multiple of\n"
  "  every block size), dists (gaussian, laplace, student-t), blocks (block\n"
  "  sizes), total_bits (targets b, one panel each), scales (absmax scale\n"
  "  formats, e.g. bf16 e8m0).";

typedef struct {
  qrd_driver_block_sweep sweep; /* crd: block and scaling set per point */
  double total[MAX_TOTALS];
  size_t n_total;
  char scale[MAX_SCALES][NAME_LEN];
  size_t n_scale;
} setup;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  if ((st = qrd_driver_read_block_sweep(cfg, &s->sweep)) ||
      (st = qrd_config_numbers(cfg, "total_bits", 2, 16, s->total, MAX_TOTALS, &s->n_total)))
    return st;
  return qrd_driver_read_scales(cfg, "scales", 0, s->scale, MAX_SCALES, &s->n_scale);
}

/* ---- the sweep ---- */

/* Formats per (source, block size): one per scale format and target. */
static size_t n_formats(const setup *s) { return s->n_scale * s->n_total; }

/* The formats of block size B: the family's symmetric block CRD at
 * b - scale_bits / B element bits, format (scale c, target t) at
 * [c * n_total + t]. */
static int point_formats(const void *ctx, size_t d, unsigned long block, qrd_block_direct *f)
{
  const setup *s = ctx;
  qrd_crd_params p = s->sweep.src[d].crd;
  p.scaling = QRD_CRD_ABSMAX;
  p.symmetric = 1;
  p.block = (double)block;
  int st = QRD_OK;
  for (size_t c = 0; !st && c < s->n_scale; c++)
    for (size_t t = 0; !st && t < s->n_total; t++) {
      char text[32];
      qrd_scaling sc;
      qrd_element *e = NULL;
      snprintf(text, sizeof text, "absmax:%lu", block);
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

/* The achieved bits of every point within MAX_BITS_MISS of the target. */
static int check_bits(const setup *s, const qrd_block_result *r)
{
  const qrd_driver_block_sweep *sw = &s->sweep;
  size_t k = n_formats(s);
  for (size_t d = 0; d < sw->n_dist; d++)
    for (size_t j = 0; j < sw->n_block; j++)
      for (size_t i = 0; i < k; i++) {
        double bits = r[(d * sw->n_block + j) * k + i].bits, total = s->total[i % s->n_total];
        if (fabs(bits - total) > MAX_BITS_MISS)
          return qrd_error_set(QRD_EINVAL, "%s, B = %lu: %.4f bits for a target of %g",
                               sw->src[d].dist.spec, sw->block[j], bits, total);
      }
  return QRD_OK;
}

/* ---- results ---- */

/* The curve of (source d, scale c, target t) in both panels of t; r holds
 * source d's results. */
static int write_curve(qrd_results *res, const setup *s, const qrd_block_result *r, size_t d,
                       size_t c, size_t t, const char *panel, const char *bits_panel)
{
  const qrd_driver_block_sweep *sw = &s->sweep;
  const qrd_driver_source *src = &sw->src[d];
  double x[QRD_DRIVER_MAX_BLOCKS], y[QRD_DRIVER_MAX_BLOCKS], e[QRD_DRIVER_MAX_BLOCKS];
  double b[QRD_DRIVER_MAX_BLOCKS];
  size_t k = c * s->n_total + t, best = 0;
  for (size_t j = 0; j < sw->n_block; j++) {
    const qrd_block_result *p = &r[j * n_formats(s) + k];
    x[j] = (double)sw->block[j];
    y[j] = p->rel_rmse;
    e[j] = p->rel_rmse_se;
    b[j] = p->bits;
    if (y[j] < y[best])
      best = j;
  }
  char name[2 * NAME_LEN], label[160], scale[NAME_LEN];
  for (size_t i = 0; i < NAME_LEN; i++) /* "E8M0", as the paper writes it */
    scale[i] = (char)toupper((unsigned char)s->scale[c][i]);
  snprintf(name, sizeof name, "%s-%s", src->slug, s->scale[c]);
  snprintf(label, sizeof label, "%s, %s scales", src->label, scale);
  int st = qrd_results_curve(res, panel, name, label, sw->n_block, x, y, e);
  if (!st)
    st = qrd_results_curve(res, bits_panel, name, label, sw->n_block, x, b, NULL);
  if (st)
    return st;
  snprintf(name, sizeof name, "%s-%s-min", src->slug, s->scale[c]);
  snprintf(label, sizeof label, "%s, %s: least R %.4g at B = %lu", src->label, scale, y[best],
           sw->block[best]);
  return qrd_results_curve(res, panel, name, label, 1, &x[best], &y[best], &e[best]);
}

static int write_panels(qrd_results *res, const setup *s, const qrd_block_result *r, size_t t)
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
  size_t per_source = s->sweep.n_block * n_formats(s);
  for (size_t d = 0; !st && d < s->sweep.n_dist; d++)
    for (size_t c = 0; !st && c < s->n_scale; c++)
      st = write_curve(res, s, r + d * per_source, d, c, t, panel, bits_panel);
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_driver_block_sweep_attrs(res, &s->sweep);
  if (!st)
    st = qrd_results_attr_string(res, "element", "symmetric block CRD (alpha = 1/3) of the "
                                 "source's family, round(2^(b - scale_bits/B)) levels");
  return st;
}

/* The setup and its sweep's results. */
typedef struct {
  const setup *s;
  const qrd_block_result *r;
} output;

static int write_results(qrd_results *res, const void *out_ptr)
{
  const output *o = out_ptr;
  int st = check_bits(o->s, o->r);
  if (!st)
    st = write_attrs(res, o->s);
  for (size_t t = 0; !st && t < o->s->n_total; t++)
    st = write_panels(res, o->s, o->r, t);
  return st;
}

/* ---- main ---- */

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = QRD_Y_ERR_R;
  const setup *s = setup_ptr;
  qrd_block_result *r = NULL;
  int st = qrd_driver_run_block_sweep(drv, &s->sweep, n_formats(s), point_formats, s, &r);
  if (!st)
    st = qrd_driver_write_results(drv, write_results, &(output){s, r});
  free(r);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-10", doc, read_setup, run, &s);
}
