/* fig-12 (Orr et al. F-S11, `analysis_element_exponent_bits`): efficiency
 * R 2^b of FP ExMy elements against the achieved bits per parameter, for
 * E = 2..5 exponent bits and M = b - E - 1 >= 0 mantissa bits, element
 * widths 3..16 bits, under tensor RMS and block absmax scaling.
 *
 * Panels, one per source (scale 1): normal, laplace,
 * t-nu-5.  Curves, in this order:
 *   rms-e<E>          tensor RMS scale (fp32 RMS, then the scale format)
 *   absmax-b<B>-e<E>  absmax per block of B: s = q(max|x| / max_E,M)
 * Scales are signed E8M7 rounded up (16 bits); elements round to
 * nearest with ties toward zero, with subnormals and no special codes.
 * Every x is the achieved b (scale bits included); y_err is the jackknife
 * standard error of R over QRD_BLOCK_BATCHES batches of whole blocks,
 * times 2^b.
 *
 * The formats of one mantissa width share one closed-form pass over the
 * sample (fmt/fp_pass.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/block.h"
#include "fmt/fp_pass.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "mc/sample.h"

#define MAX_DISTS 8
#define MAX_EXPONENTS QRD_FP_PASS_MAX
#define MAX_WIDTHS 32 /* element widths bits_min..bits_max */

static const char doc[] =
  "FP element exponent bits: R 2^b vs bits (Orr et al. F-S11).  Config keys:\n"
  "  seed, samples (a multiple of block, at least 64 blocks), dists\n"
  "  (gaussian, laplace, student-t: one panel each), exponent_bits (list,\n"
  "  1..8), element_bits_min, element_bits_max (whole widths sign + E + M,\n"
  "  2..21), block (absmax block size), scale (the scale format).";

typedef struct {
  qrd_driver_source src[MAX_DISTS]; /* one panel each */
  size_t n_dist;
  unsigned long exponent[MAX_EXPONENTS];
  size_t n_exp;
  int width_min, width_max;
  unsigned long samples, block;
  char scale_name[QRD_DRIVER_NAME_LEN];
  qrd_scale_format scale;
} setup;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long lo, hi;
  int st;
  if ((st = qrd_config_whole(cfg, "block", 1, 1 << 20, &s->block)) ||
      (st = qrd_driver_read_samples(cfg, "samples", &s->block, 1, &s->samples)) ||
      (st = qrd_driver_read_sources(cfg, "dists", s->src, MAX_DISTS, &s->n_dist)) ||
      (st = qrd_config_ascending_wholes(cfg, "exponent_bits", 1, 8, s->exponent, MAX_EXPONENTS,
                                        &s->n_exp)) ||
      (st = qrd_config_whole(cfg, "element_bits_min", 2, 21, &lo)) ||
      (st = qrd_config_whole(cfg, "element_bits_max", (double)lo,
                             fmin(21, (double)lo + MAX_WIDTHS - 1), &hi)) ||
      (st = qrd_driver_read_scale(cfg, "scale", 0, s->scale_name, sizeof s->scale_name)))
    return st;
  if (s->samples / s->block < QRD_BLOCK_BATCHES) {
    char why[64];
    snprintf(why, sizeof why, "want at least %d blocks, one batch each", QRD_BLOCK_BATCHES);
    return qrd_config_invalid(cfg, "samples", why);
  }
  s->width_min = (int)lo;
  s->width_max = (int)hi;
  return qrd_scale_parse(s->scale_name, &s->scale); /* read_scale has checked it */
}

/* ---- the sweep ---- */

enum { RMS, ABSMAX, N_SCALINGS };
static const char *const SCALING_NAME[N_SCALINGS] = {"rms", "absmax"};

/* One pass per scaling and mantissa width m, holding every configured
 * exponent whose element width is in range. */
static size_t plan(const setup *s, qrd_fp_pass *items)
{
  size_t n = 0;
  for (int sc = 0; sc < N_SCALINGS; sc++)
    for (int m = 0; m + 2 <= s->width_max; m++) {
      qrd_fp_pass *it = &items[n];
      qrd_fp_pass_init(it, sc == ABSMAX, m);
      for (size_t j = 0; j < s->n_exp; j++) {
        int width = 1 + (int)s->exponent[j] + m;
        if (width >= s->width_min && width <= s->width_max)
          qrd_fp_pass_add(it, (int)s->exponent[j]);
      }
      n += it->n_fmt > 0;
    }
  return n;
}

typedef struct {
  const setup *s;
  size_t d;
  const qrd_fp_sample *x;
  qrd_fp_pass *items;
} sweep;

/* Each pass writes only its own sums. */
static int run_item(void *ctx, size_t j, char *what, size_t len)
{
  const sweep *w = ctx;
  qrd_fp_pass *it = &w->items[j];
  snprintf(what, len, "%s %s E%d..%dM%d", w->s->src[w->d].dist.spec,
           SCALING_NAME[it->absmax], it->exponent[0], it->exponent[it->n_fmt - 1], it->m);
  qrd_fp_pass_run(it, w->x, &w->s->scale);
  return QRD_OK;
}

/* ---- results ---- */

/* The pass holding format (scaling, e, m), and the format's index in it;
 * NULL when it was not planned. */
static const qrd_fp_pass *find(const qrd_fp_pass *items, size_t n, int scaling, int e, int m,
                               size_t *j)
{
  for (size_t i = 0; i < n; i++) {
    if (items[i].absmax != (scaling == ABSMAX) || items[i].m != m)
      continue;
    for (*j = 0; *j < items[i].n_fmt; (*j)++)
      if (items[i].exponent[*j] == e)
        return &items[i];
  }
  return NULL;
}

/* One curve: exponent e under a scaling, over the configured widths. */
static int write_curve(qrd_results *res, const char *panel, const setup *s,
                       const qrd_fp_sample *x, const qrd_fp_pass *items, size_t n, int scaling,
                       int e)
{
  double bits[MAX_WIDTHS], y[MAX_WIDTHS], err[MAX_WIDTHS];
  size_t c = 0;
  for (int w = s->width_min; w <= s->width_max; w++) {
    size_t j;
    const qrd_fp_pass *it = find(items, n, scaling, e, w - 1 - e, &j);
    if (!it)
      continue; /* M < 0 */
    qrd_block_result r;
    int st = qrd_fp_pass_result(it, j, x, &s->scale, &r);
    if (st)
      return st;
    bits[c] = r.bits;
    qrd_block_efficiency(&r, &y[c], &err[c]);
    c++;
  }
  char curve[64], label[64];
  if (scaling == RMS) {
    snprintf(curve, sizeof curve, "rms-e%d", e);
    snprintf(label, sizeof label, "E%dM* RMS", e);
  } else {
    snprintf(curve, sizeof curve, "absmax-b%lu-e%d", s->block, e);
    snprintf(label, sizeof label, "E%dM* Absmax B=%lu", e, s->block);
  }
  return c ? qrd_results_curve(res, panel, curve, label, c, bits, y, err) : QRD_OK;
}

static int write_panel(qrd_results *res, const setup *s, size_t d, const qrd_fp_sample *x,
                       const qrd_fp_pass *items, size_t n)
{
  char title[192];
  snprintf(title, sizeof title, "%s (%s)", s->src[d].label, s->src[d].dist.spec);
  int st = qrd_results_panel(res, s->src[d].slug, title, "bits per parameter b", "R 2^b");
  if (!st)
    st = qrd_curve_params(res, "source=%s; element=fp; scale_format=%s; block=%lu",
                          s->src[d].dist.spec, s->scale_name, s->block);
  for (int sc = 0; !st && sc < N_SCALINGS; sc++)
    for (size_t j = 0; !st && j < s->n_exp; j++)
      st = write_curve(res, s->src[d].slug, s, x, items, n, sc, (int)s->exponent[j]);
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_results_attr_double(res, "samples", (double)s->samples);
  if (!st)
    st = qrd_results_attr_double(res, "block_size", (double)s->block);
  if (!st)
    st = qrd_results_attr_string(res, "scale_format", s->scale_name);
  if (!st)
    st = qrd_results_attr_string(res, "element_rounding", "nearest, ties toward zero");
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return st;
}

/* ---- main ---- */

/* Panel d's passes; *kept <- what writing them needs of the sample (its
 * size, scale and batches' sums of squares: not the values). */
static int run_panel(qrd_driver *drv, const setup *s, size_t d, qrd_fp_pass *items, size_t n,
                     qrd_fp_sample *kept)
{
  /* the same seed in every panel, as the reference draws each source */
  double *x = qrd_sample_alloc(&s->src[d].dist, drv->seed, s->samples);
  if (!x)
    return QRD_ENOMEM;
  qrd_fp_sample fs = {0};
  int st = qrd_fp_sample_init(&fs, x, s->samples, s->block, &s->scale);
  fs.source = &s->src[d].dist;
  if (!st)
    st = qrd_driver_run_items(drv, n, run_item, &(sweep){s, d, &fs, items},
                              QRD_DRIVER_SLOTS(items));
  qrd_fp_sample_free(&fs);
  qrd_big_free(x);
  fs.x = NULL;
  *kept = fs;
  return st;
}

/* Room for one panel's passes. */
#define PANEL_PASSES (N_SCALINGS * MAX_WIDTHS)

typedef struct {
  const setup *s;
  const qrd_fp_pass *items; /* panel d's n at items + d * PANEL_PASSES */
  size_t n;
  const qrd_fp_sample *kept; /* per panel */
} figure;

static int write_all(qrd_results *res, const void *ctx)
{
  const figure *f = ctx;
  int st = write_attrs(res, f->s);
  for (size_t d = 0; !st && d < f->s->n_dist; d++)
    st = write_panel(res, f->s, d, &f->kept[d], f->items + d * PANEL_PASSES, f->n);
  return st;
}

/* Every panel's passes, then the results file (a shard computes its
 * points and writes none; the merge restores them all). */
static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = QRD_Y_ERR_R;
  const setup *s = setup_ptr;
  qrd_fp_pass *items = malloc(s->n_dist * PANEL_PASSES * sizeof *items);
  qrd_fp_sample *kept = calloc(s->n_dist, sizeof *kept);
  if (!items || !kept) {
    free(items);
    free(kept);
    return qrd_error_set(QRD_ENOMEM, "%zu panels' passes", s->n_dist);
  }
  size_t n = 0;
  for (size_t d = 0; d < s->n_dist; d++)
    n = plan(s, items + d * PANEL_PASSES); /* the same in every panel */
  qrd_driver_progress_begin(drv, s->n_dist * n);
  int st = QRD_OK;
  for (size_t d = 0; !st && d < s->n_dist; d++)
    st = run_panel(drv, s, d, items + d * PANEL_PASSES, n, &kept[d]);
  if (!st)
    st = qrd_driver_write_results(drv, write_all, &(figure){s, items, n, kept});
  free(items);
  free(kept);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-12", doc, read_setup, run, &s);
}
