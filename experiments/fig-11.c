/* fig-11 (Orr et al. F-S10, `analysis_other_formats`): efficiency R 2^b
 * of 4-bit element formats against the block size B, bf16 absmax vs
 * signmax block scales.
 *
 * Elements (4 bits each, so b = 4 + 16/B; E2M1's 15 values count as 4
 * bits, orr-formats §2.3): the 4-bit block CRD (alpha = 1/3) of the
 * panel's family at that B (symmetric under absmax, asymmetric under
 * signmax, §2.4), NF4, SF4[nu=5], INT4 (-8..7: absmax divides by 7,
 * signmax maps the block's extreme to -8), E2M1 and E3M0 (nearest, ties
 * toward zero).
 *
 * Panels, one per source: normal, laplace, t-nu-5.  Curves
 * <element>-<scaling>, element = crd, nf4, sf4, int4, e2m1, e3m0 and
 * scaling = absmax, signmax (all absmax curves first): x = B, y = R 2^b
 * with b the achieved bits per parameter, y_err = the jackknife SE of R
 * times 2^b. */
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
#define NAME_LEN QRD_DRIVER_NAME_LEN

static const char doc[] =
  "R 2^b of 4-bit element formats vs block size, absmax vs signmax bf16\n"
  "  scales (Orr et al. F-S10).  Config keys: seed, samples (a multiple of\n"
  "  every block size), dists (gaussian, laplace, student-t: one panel\n"
  "  each), blocks (block sizes), scale (the block scales' format; signed,\n"
  "  for signmax).";

typedef struct {
  qrd_driver_source src[MAX_DISTS]; /* crd: block and scaling set per point */
  size_t n_dist;
  unsigned long block[MAX_BLOCKS];
  size_t n_block;
  char scale[NAME_LEN];
  unsigned long samples;
} setup;

enum { CRD, NF4, SF4, INT4, E2M1, E3M0, N_ELEMENTS };
enum { ABSMAX, SIGNMAX, N_SCALINGS };
#define N_FORMATS (N_ELEMENTS * N_SCALINGS)

static const char *const ELEMENT_NAME[N_ELEMENTS] = {"crd", "nf4", "sf4", "int4", "e2m1",
                                                     "e3m0"};
static const char *const SCALING_NAME[N_SCALINGS] = {"absmax", "signmax"};

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  /* the block CRDs model the block maximum through ln(B / pi): B >= 4 */
  if ((st = qrd_config_wholes(cfg, "blocks", 4, 1 << 20, s->block, MAX_BLOCKS, &s->n_block)) ||
      (st = qrd_driver_read_samples(cfg, "samples", s->block, s->n_block, &s->samples)) ||
      (st = qrd_driver_read_sources(cfg, "dists", s->src, MAX_DISTS, &s->n_dist)))
    return st;
  /* signmax scales carry the block's sign */
  return qrd_driver_read_scale(cfg, "scale", 1, s->scale, sizeof s->scale);
}

/* ---- the sweep ---- */

/* Results of one (source, block size) point: format (scaling, element) at
 * [scaling * N_ELEMENTS + element]. */
typedef struct {
  qrd_block_result r[N_FORMATS];
} point;

/* Element k of source d at block size B under scaling g. */
static int make_element(const setup *s, size_t d, size_t block, int g, int k,
                        qrd_element **e)
{
  qrd_crd_params p = s->src[d].crd;
  switch (k) {
  case CRD:
    p.scaling = g == ABSMAX ? QRD_CRD_ABSMAX : QRD_CRD_SIGNMAX;
    p.symmetric = g == ABSMAX;
    p.block = (double)block;
    return qrd_element_crd(&p, 4.0, e);
  case NF4:
    return qrd_element_nf4(e);
  case SF4:
    return qrd_element_sf4(e);
  case INT4:
    return qrd_element_int(4.0, 0, e);
  case E2M1:
    return qrd_element_fp(2, 1, QRD_FP_NEAREST, e);
  default:
    return qrd_element_fp(3, 0, QRD_FP_NEAREST, e);
  }
}

static int point_formats(const setup *s, size_t d, size_t block, qrd_block_direct *f)
{
  int st = QRD_OK;
  for (int g = 0; !st && g < N_SCALINGS; g++)
    for (int k = 0; !st && k < N_ELEMENTS; k++) {
      char text[32];
      qrd_scaling sc;
      qrd_element *e = NULL;
      snprintf(text, sizeof text, "%s:%zu", SCALING_NAME[g], block);
      st = qrd_scaling_parse(text, s->scale, &sc);
      if (!st)
        st = make_element(s, d, block, g, k, &e);
      if (!st)
        st = qrd_block_direct_init(&f[g * N_ELEMENTS + k], &sc, e);
      qrd_element_free(e);
    }
  return st;
}

static int run_point(const setup *s, size_t d, size_t j, const double *x, point *pt)
{
  qrd_block_direct *f = calloc(N_FORMATS, sizeof *f);
  int st = f ? point_formats(s, d, s->block[j], f) : qrd_error_set(QRD_ENOMEM, "formats");
  if (!st)
    st = qrd_block_eval_direct(x, s->samples, s->block[j], f, N_FORMATS, pt->r);
  for (size_t i = 0; f && i < N_FORMATS; i++)
    qrd_block_direct_free(&f[i]);
  free(f);
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

static void element_label(const setup *s, size_t d, int g, int k, char *buf, size_t len)
{
  static const char *const fixed[N_ELEMENTS] = {NULL, "NF4", "SF4[nu=5]", "INT4 (E0M3)",
                                                "E2M1", "E3M0"};
  if (k == CRD)
    snprintf(buf, len, "∛p %s (%s), %s", s->src[d].label, g == ABSMAX ? "sym" : "asym",
             SCALING_NAME[g]);
  else
    snprintf(buf, len, "%s, %s", fixed[k], SCALING_NAME[g]);
}

static int write_panel(qrd_results *res, const setup *s, const point *pts, size_t d)
{
  char title[192];
  qrd_scale_format sf;
  qrd_scale_parse(s->scale, &sf); /* checked by read_setup */
  snprintf(title, sizeof title, "%s (%s): 4-bit elements, %s block scales, b = 4 + %g/B",
           s->src[d].label, s->src[d].dist.spec, s->scale, qrd_scale_bits(&sf));
  int st = qrd_results_panel(res, s->src[d].slug, title, "block size B", "R 2^b");
  for (int f = 0; !st && f < N_FORMATS; f++) {
    double x[MAX_BLOCKS], y[MAX_BLOCKS], e[MAX_BLOCKS];
    for (size_t j = 0; j < s->n_block; j++) {
      const qrd_block_result *r = &pts[j].r[f];
      x[j] = (double)s->block[j];
      y[j] = r->rel_rmse * exp2(r->bits);
      e[j] = r->rel_rmse_se * exp2(r->bits);
    }
    char name[64], label[160];
    snprintf(name, sizeof name, "%s-%s", ELEMENT_NAME[f % N_ELEMENTS],
             SCALING_NAME[f / N_ELEMENTS]);
    element_label(s, d, f / N_ELEMENTS, f % N_ELEMENTS, label, sizeof label);
    st = qrd_results_curve(res, s->src[d].slug, name, label, s->n_block, x, y, e);
  }
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_results_attr_double(res, "samples", (double)s->samples);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  if (!st)
    st = qrd_results_attr_string(res, "scale_format", s->scale);
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
  for (size_t d = 0; !st && d < s->n_dist; d++)
    st = write_panel(res, s, pts + d * s->n_block, d);
  free(pts);
  return qrd_driver_close_results(res, st);
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-11", doc, read_setup, run, &s);
}
