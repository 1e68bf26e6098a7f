/* fig-11 (Orr et al. F-S10, `analysis_other_formats`): efficiency R 2^b
 * of 4-bit element formats against the block size B, bf16 absmax vs
 * signmax block scales.
 *
 * Elements (4 bits each, so b = 4 + 16/B; E2M1's 15 values count as 4
 * bits, Orr et al.): the 4-bit block CRD (alpha = 1/3) of the
 * panel's family at that B (symmetric under absmax, asymmetric under
 * signmax), NF4, SF4[nu=5], INT4 (-8..7: absmax divides by 7,
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
#include "harness/curve.h"
#include "harness/driver.h"
#include "harness/driver_sweep.h"

#define NAME_LEN QRD_DRIVER_NAME_LEN

static const char doc[] =
  "R 2^b of 4-bit element formats vs block size, absmax vs signmax bf16\n"
  "  scales (Orr et al. F-S10).  Config keys: seed, samples (a multiple of\n"
  "  every block size), dists (gaussian, laplace, student-t: one panel\n"
  "  each), blocks (block sizes), scale (the block scales' format; signed,\n"
  "  for signmax).";

typedef struct {
  qrd_driver_block_sweep sweep; /* crd: block and scaling set per point */
  char scale[NAME_LEN];
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
  int st = qrd_driver_read_block_sweep(cfg, &s->sweep);
  /* signmax scales carry the block's sign */
  return st ? st : qrd_driver_read_scale(cfg, "scale", 1, s->scale, sizeof s->scale);
}

/* ---- the sweep ---- */

/* Element k of source d at block size B under scaling g. */
static int make_element(const setup *s, size_t d, unsigned long block, int g, int k,
                        qrd_element **e)
{
  qrd_crd_params p = s->sweep.src[d].crd;
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

/* The formats of block size B, format (scaling g, element k) at
 * [g * N_ELEMENTS + k]. */
static int point_formats(const void *ctx, size_t d, unsigned long block, qrd_block_direct *f)
{
  const setup *s = ctx;
  int st = QRD_OK;
  for (int g = 0; !st && g < N_SCALINGS; g++)
    for (int k = 0; !st && k < N_ELEMENTS; k++) {
      char text[32];
      qrd_scaling sc;
      qrd_element *e = NULL;
      snprintf(text, sizeof text, "%s:%lu", SCALING_NAME[g], block);
      st = qrd_scaling_parse(text, s->scale, &sc);
      if (!st)
        st = make_element(s, d, block, g, k, &e);
      if (!st)
        st = qrd_block_direct_init(&f[g * N_ELEMENTS + k], &sc, e);
      qrd_element_free(e);
    }
  return st;
}

/* ---- results ---- */

static void element_label(const setup *s, size_t d, int g, int k, char *buf, size_t len)
{
  static const char *const fixed[N_ELEMENTS] = {NULL, "NF4", "SF4[nu=5]", "INT4 (E0M3)",
                                                "E2M1", "E3M0"};
  if (k == CRD)
    snprintf(buf, len, "∛p %s (%s), %s", s->sweep.src[d].label, g == ABSMAX ? "sym" : "asym",
             SCALING_NAME[g]);
  else
    snprintf(buf, len, "%s, %s", fixed[k], SCALING_NAME[g]);
}

/* Source d's panel; r holds its results. */
static int write_panel(qrd_results *res, const setup *s, const qrd_block_result *r, size_t d)
{
  const qrd_driver_source *src = &s->sweep.src[d];
  char title[192];
  qrd_scale_format sf;
  qrd_scale_parse(s->scale, &sf); /* checked by read_setup */
  snprintf(title, sizeof title, "%s (%s): 4-bit elements, %s block scales, b = 4 + %g/B",
           src->label, src->dist.spec, s->scale, qrd_scale_bits(&sf));
  int st = qrd_results_panel(res, src->slug, title, "block size B", "R 2^b");
  if (!st)
    st = qrd_curve_params(res, "source=%s; element_bits=4; scale_format=%s", src->dist.spec,
                          s->scale);
  for (int f = 0; !st && f < N_FORMATS; f++) {
    double x[QRD_DRIVER_MAX_BLOCKS], y[QRD_DRIVER_MAX_BLOCKS], e[QRD_DRIVER_MAX_BLOCKS];
    for (size_t j = 0; j < s->sweep.n_block; j++) {
      const qrd_block_result *p = &r[j * N_FORMATS + (size_t)f];
      x[j] = (double)s->sweep.block[j];
      qrd_block_efficiency(p, &y[j], &e[j]);
    }
    char name[64], label[160];
    snprintf(name, sizeof name, "%s-%s", ELEMENT_NAME[f % N_ELEMENTS],
             SCALING_NAME[f / N_ELEMENTS]);
    element_label(s, d, f / N_ELEMENTS, f % N_ELEMENTS, label, sizeof label);
    st = qrd_results_curve(res, src->slug, name, label, s->sweep.n_block, x, y, e);
  }
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_driver_block_sweep_attrs(res, &s->sweep);
  if (!st)
    st = qrd_results_attr_string(res, "scale_format", s->scale);
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
  int st = write_attrs(res, o->s);
  for (size_t d = 0; !st && d < o->s->sweep.n_dist; d++)
    st = write_panel(res, o->s, o->r + d * o->s->sweep.n_block * N_FORMATS, d);
  return st;
}

/* ---- main ---- */

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = QRD_Y_ERR_R;
  const setup *s = setup_ptr;
  qrd_block_result *r = NULL;
  int st = qrd_driver_run_block_sweep(drv, &s->sweep, N_FORMATS, point_formats, s, &r);
  if (!st)
    st = qrd_driver_write_results(drv, write_results, &(output){s, r});
  free(r);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-11", doc, read_setup, run, &s);
}
