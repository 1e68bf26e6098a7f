/* fig-13 (Orr et al. F-S12, `analysis_scale_mantissa_bits_t`): how many
 * mantissa bits a block scale should have when the total is fixed.
 *
 * Source: Student-t nu = 5 at scale 1.  Block absmax scaling with a signed
 * scale of E exponent bits (7) and m = 0..23 mantissa bits rounded up
 * ("E8M[m]": 1 + 7 + m bits), element bits b - (8 + m) / B realised
 * as round(2^{b - (8+m)/B}) levels (pitfall 1), total b = 4 and 8.
 * Elements: the symmetric block CRD of the source's family at that B
 * (solid in the paper) and asymmetric INT (dashed).
 *
 * R is averaged over the input rescalings X f, f in linspace(1, 2, 11):
 * where the block extremes fall between scale grid points decides how
 * much a rounded-up scale wastes, and a fixed sample would pin that.  The
 * reference evaluates every f on the whole sample; here rescaling j is
 * evaluated on the j-th of 11 equal runs of whole blocks of the 2^24
 * values, so the average rests on every value once, and its Monte Carlo
 * error is that of one evaluation of the whole sample (11 full passes per
 * point would not fit the time budget).
 *
 * Panels (one per total b):
 *   bits-<b>        R / R(first m), curves <kind>-b<B> (kind crd, int) and
 *                   one-point <kind>-b<B>-min at the least R (the stars);
 *   r-bits-<b>      the averaged R itself;
 *   achieved-bits   bits per parameter of every point, curves
 *                   bits-<b>-<kind>-b<B>.
 * y_err: jackknife standard error over batches (6 per rescaling).
 *
 * Why no qrd_block_sample: the normalisation depends on (B, m, f) and,
 * for INT, on the level count (absmax divides by the largest integer), so
 * a sorted copy would serve one point only.  Each point is instead one
 * pass of the library's one-pass evaluator (qrd_block_pass_run) over all
 * its elements, with one gain f per batch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/bits.h"
#include "fmt/block.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "mc/sample.h"

#define MAX_TOTALS 4
#define MAX_BLOCKS 8
#define MAX_MANTISSAS (QRD_SCALE_MAX_MANTISSA + 1)
#define MAX_RESCALINGS 16
#define BATCHES_PER_RESCALING 6
#define MAX_BATCHES (MAX_RESCALINGS * BATCHES_PER_RESCALING)

enum { CRD, INT, N_KINDS };
static const char *const KIND_NAME[N_KINDS] = {"crd", "int"};
#define MAX_CONFIGS (MAX_TOTALS * N_KINDS)

static const char doc[] =
  "Scale mantissa bits at a fixed total (Orr et al. F-S12).  Config keys:\n"
  "  seed, samples (a multiple of every block size, at least 6 blocks per\n"
  "  rescaling of the largest), dist (gaussian, laplace or student-t),\n"
  "  total_bits (whole numbers), blocks (block sizes), scale_exponent_bits,\n"
  "  scale_mantissa_min, scale_mantissa_max, rescalings (count of f in\n"
  "  linspace(1, 2, count)).";

typedef struct {
  qrd_driver_source src; /* crd: absmax, B set per block */
  unsigned long total[MAX_TOTALS];
  size_t n_total;
  unsigned long block[MAX_BLOCKS];
  size_t n_block;
  int scale_e, m_min, m_max;
  size_t n_f;
  unsigned long samples;
} setup;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long e, m_lo, m_hi, n_f;
  size_t n;
  int st;
  if ((st = qrd_driver_read_sources(cfg, "dist", &s->src, 1, &n)) ||
      (st = qrd_config_ascending_wholes(cfg, "total_bits", 2, 16, s->total, MAX_TOTALS,
                                        &s->n_total)) ||
      (st = qrd_config_ascending_wholes(cfg, "blocks", 2, 1 << 16, s->block, MAX_BLOCKS,
                                        &s->n_block)) ||
      (st = qrd_config_whole(cfg, "scale_exponent_bits", 1, QRD_SCALE_MAX_EXPONENT, &e)) ||
      (st = qrd_config_whole(cfg, "scale_mantissa_min", 0, QRD_SCALE_MAX_MANTISSA, &m_lo)) ||
      (st = qrd_config_whole(cfg, "scale_mantissa_max", (double)m_lo, QRD_SCALE_MAX_MANTISSA,
                             &m_hi)) ||
      (st = qrd_config_whole(cfg, "rescalings", 2, MAX_RESCALINGS, &n_f)) ||
      (st = qrd_driver_read_samples(cfg, "samples", s->block, s->n_block, &s->samples)))
    return st;
  s->src.crd.scaling = QRD_CRD_ABSMAX;
  s->scale_e = (int)e;
  s->m_min = (int)m_lo;
  s->m_max = (int)m_hi;
  s->n_f = (size_t)n_f;
  /* the blocks ascend: the largest has the fewest */
  if (s->samples / s->block[s->n_block - 1] < s->n_f * BATCHES_PER_RESCALING) {
    char why[96];
    snprintf(why, sizeof why, "want at least %d blocks of %lu per rescaling",
             BATCHES_PER_RESCALING, s->block[s->n_block - 1]);
    return qrd_config_invalid(cfg, "samples", why);
  }
  return QRD_OK;
}

/* ---- one sweep point ---- */

/* A block size and a scale mantissa width, with every (total bits, kind)
 * element, ordered (total, kind); sse[k * MAX_CONFIGS + c] is element c's
 * weight-domain squared error in batch k. */
typedef struct {
  size_t bi;
  int m;
  double bits[MAX_CONFIGS];
  double sse[MAX_BATCHES * MAX_CONFIGS];
} item;

static size_t config_of(size_t t, int kind) { return t * N_KINDS + (size_t)kind; }

/* Element (kind, total) at block size `block` under scaling sc as a
 * one-pass format. */
static int format_init(qrd_block_direct *f, const setup *s, int kind, double total,
                       const qrd_scaling *sc)
{
  double eb = qrd_bits_fixed_total_element(total, qrd_scale_bits(&sc->scale), (double)sc->block);
  qrd_crd_params p = s->src.crd;
  p.block = (double)sc->block;
  qrd_element *e = NULL;
  int st = kind == CRD ? qrd_element_crd(&p, eb, &e) : qrd_element_int(eb, 0, &e);
  if (!st)
    st = qrd_block_direct_init(f, sc, e);
  qrd_element_free(e);
  return st;
}

typedef struct {
  const setup *s;
  const double *x;
  const qrd_block_pass *pass;
  item *items;
} sweep;

static int run_item(void *ctx, size_t i, char *what, size_t len)
{
  const sweep *w = ctx;
  const setup *s = w->s;
  item *it = &w->items[i];
  snprintf(what, len, "%s B=%lu scale E%dM%d", s->src.dist.spec, s->block[it->bi], s->scale_e,
           it->m);
  char name[32];
  snprintf(name, sizeof name, "e%dm%d", s->scale_e, it->m);
  qrd_scaling sc = {.kind = QRD_SCALING_ABSMAX, .block = w->pass->block};
  qrd_block_direct f[MAX_CONFIGS] = {{0}};
  size_t n_el = s->n_total * N_KINDS;
  int st = qrd_scale_parse(name, &sc.scale);
  for (size_t t = 0; !st && t < s->n_total; t++)
    for (int kind = 0; !st && kind < N_KINDS; kind++)
      st = format_init(&f[config_of(t, kind)], s, kind, (double)s->total[t], &sc);
  double x2[MAX_BATCHES], sse[MAX_BATCHES * MAX_CONFIGS];
  if (!st)
    st = qrd_block_pass_run(w->x, s->samples, w->pass, f, n_el, sse, x2);
  for (size_t c = 0; c < n_el; c++) {
    it->bits[c] = qrd_block_direct_bits(&f[c], s->samples, sc.block);
    for (size_t k = 0; !st && k < w->pass->n_batches; k++)
      it->sse[k * MAX_CONFIGS + c] = sse[k * n_el + c];
    qrd_block_direct_free(&f[c]);
  }
  return st;
}

/* The sweep over m at block size bi, items[m - m_min], and the batches'
 * sums of (x f)^2 into x2. */
static int run_block(qrd_driver *drv, const setup *s, const double *x, size_t bi, item *items,
                     double *x2)
{
  double gain[MAX_BATCHES];
  qrd_block_pass pass = {.block = s->block[bi], .n_batches = s->n_f * BATCHES_PER_RESCALING,
                         .gain = gain, .split_sum = 1};
  /* rescaling j owns batches j * 6 .. j * 6 + 5 */
  for (size_t k = 0; k < pass.n_batches; k++)
    gain[k] = 1.0 + (double)(k / BATCHES_PER_RESCALING) / (double)(s->n_f - 1);
  size_t n = (size_t)(s->m_max - s->m_min + 1);
  for (size_t i = 0; i < n; i++)
    items[i] = (item){.bi = bi, .m = s->m_min + (int)i};
  double sse[MAX_BATCHES]; /* the x2 of a pass with no formats */
  int st = qrd_block_pass_run(x, s->samples, &pass, NULL, 0, sse, x2);
  return st ? st : qrd_driver_run_items(drv, n, run_item, &(sweep){s, x, &pass, items},
                                           QRD_DRIVER_SLOTS(items));
}

/* ---- results ---- */

/* Everything a results curve needs of one (total, kind, block): per
 * mantissa width the ratio to the first, the mean R, the bits. */
typedef struct {
  double m[MAX_MANTISSAS], ratio[MAX_MANTISSAS], ratio_se[MAX_MANTISSAS];
  double r[MAX_MANTISSAS], r_se[MAX_MANTISSAS], bits[MAX_MANTISSAS];
  size_t n, best;
} series;

/* Element c's sse per batch, contiguous. */
static void sse_of(const setup *s, const item *it, size_t c, double *out)
{
  for (size_t k = 0; k < s->n_f * BATCHES_PER_RESCALING; k++)
    out[k] = it->sse[k * MAX_CONFIGS + c];
}

static void series_of(const setup *s, const item *items, const double *x2, size_t c,
                      series *out)
{
  size_t nb = s->n_f * BATCHES_PER_RESCALING;
  double ref[MAX_BATCHES], sse[MAX_BATCHES];
  sse_of(s, &items[0], c, ref);
  out->n = (size_t)(s->m_max - s->m_min + 1);
  out->best = 0;
  for (size_t i = 0; i < out->n; i++) {
    out->m[i] = items[i].m;
    out->bits[i] = items[i].bits[c];
    sse_of(s, &items[i], c, sse);
    qrd_block_jackknife_groups(sse, ref, x2, nb, BATCHES_PER_RESCALING, &out->ratio[i],
                               &out->ratio_se[i]);
    qrd_block_jackknife_groups(sse, NULL, x2, nb, BATCHES_PER_RESCALING, &out->r[i],
                               &out->r_se[i]);
    if (out->r[i] < out->r[out->best])
      out->best = i;
  }
}

static void panel_of(const setup *s, size_t t, const char *prefix, char *buf, size_t len)
{
  snprintf(buf, len, "%sbits-%lu", prefix, s->total[t]);
}

static int write_panels(qrd_results *res, const setup *s)
{
  char panel[32], title[160], x_label[96];
  snprintf(x_label, sizeof x_label, "scale mantissa bits m (signed E%dMm, rounded up, %d + m bits)",
           s->scale_e, s->scale_e + 1);
  int st = QRD_OK;
  for (size_t t = 0; !st && t < s->n_total; t++) {
    panel_of(s, t, "", panel, sizeof panel);
    snprintf(title, sizeof title, "b = %lu, %s: R / R(m = %d), mean over %zu rescalings",
             s->total[t], s->src.label, s->m_min, s->n_f);
    st = qrd_results_panel(res, panel, title, x_label, "R / R(first m)");
    panel_of(s, t, "r-", panel, sizeof panel);
    snprintf(title, sizeof title, "b = %lu, %s: R, mean over %zu rescalings", s->total[t],
             s->src.label, s->n_f);
    if (!st)
      st = qrd_results_panel(res, panel, title, x_label, "R");
  }
  if (!st)
    st = qrd_results_panel(res, "achieved-bits", "achieved bits per parameter", x_label,
                           "bits per parameter b");
  return st;
}

/* The curves of one (total, kind, block) into the three panels; the
 * one-point minima follow all the lines of their panel (write order). */
static int write_series(qrd_results *res, const setup *s, size_t t, int kind, size_t bi,
                        const series *sr, int minima)
{
  char panel[32], curve[64], label[96];
  int st;
  panel_of(s, t, "", panel, sizeof panel);
  snprintf(curve, sizeof curve, "%s-b%lu%s", KIND_NAME[kind], s->block[bi], minima ? "-min" : "");
  if (minima) {
    size_t b = sr->best;
    return qrd_results_curve(res, panel, curve, "minimum", 1, &sr->m[b], &sr->ratio[b],
                             &sr->ratio_se[b]);
  }
  snprintf(label, sizeof label, "%s B=%lu", kind == CRD ? "CRD" : "INT", s->block[bi]);
  st = qrd_results_curve(res, panel, curve, label, sr->n, sr->m, sr->ratio, sr->ratio_se);
  panel_of(s, t, "r-", panel, sizeof panel);
  if (!st)
    st = qrd_results_curve(res, panel, curve, label, sr->n, sr->m, sr->r, sr->r_se);
  snprintf(curve, sizeof curve, "bits-%lu-%s-b%lu", s->total[t], KIND_NAME[kind], s->block[bi]);
  if (!st)
    st = qrd_results_curve(res, "achieved-bits", curve, label, sr->n, sr->m, sr->bits, NULL);
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_results_attr_double(res, "samples", (double)s->samples);
  if (!st)
    st = qrd_results_attr_string(res, "dist", s->src.dist.spec);
  if (!st)
    st = qrd_results_attr_double(res, "rescalings", (double)s->n_f);
  if (!st)
    st = qrd_results_attr_string(res, "rescaling_scheme",
                                 "f_j = 1 + j/(n-1) on the j-th of n equal runs of blocks");
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return st;
}

/* ---- main ---- */

typedef struct {
  const setup *s;
  item (*items)[MAX_MANTISSAS]; /* per block size */
  double (*x2)[MAX_BATCHES];    /* per block size */
  series (*sr)[MAX_CONFIGS];    /* room for the curves' series */
} figure;

static int write_all(qrd_results *res, const void *ctx)
{
  const figure *f = ctx;
  const setup *s = f->s;
  int st = write_attrs(res, s);
  if (!st)
    st = write_panels(res, s);
  for (int minima = 0; minima < 2; minima++)
    for (size_t t = 0; !st && t < s->n_total; t++)
      for (int kind = 0; !st && kind < N_KINDS; kind++)
        for (size_t bi = 0; !st && bi < s->n_block; bi++) {
          series *sr = &f->sr[bi][config_of(t, kind)];
          if (!minima)
            series_of(s, f->items[bi], f->x2[bi], config_of(t, kind), sr);
          st = write_series(res, s, t, kind, bi, sr, minima);
        }
  return st;
}

/* Every block size's passes, then the results file (a shard computes its
 * points and writes none; the merge restores them all). */
static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = "standard error of the averaged R, and of the ratio to m = 0: jackknife over batches of whole blocks, 6 batches per rescaling";
  const setup *s = setup_ptr;
  size_t n_m = (size_t)(s->m_max - s->m_min + 1);
  static item items[MAX_BLOCKS][MAX_MANTISSAS];
  static double x2[MAX_BLOCKS][MAX_BATCHES];
  static series sr[MAX_BLOCKS][MAX_CONFIGS];
  qrd_driver_progress_begin(drv, s->n_block * n_m);
  double *x = qrd_sample_alloc(&s->src.dist, drv->seed, s->samples);
  int st = x ? QRD_OK : QRD_ENOMEM;
  for (size_t bi = 0; !st && bi < s->n_block; bi++)
    st = run_block(drv, s, x, bi, items[bi], x2[bi]);
  qrd_big_free(x);
  return st ? st : qrd_driver_write_results(drv, write_all, &(figure){s, items, x2, sr});
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-13", doc, read_setup, run, &s);
}
