/* fig-13 (Orr et al. F-S12, `analysis_scale_mantissa_bits_t`): how many
 * mantissa bits a block scale should have when the total is fixed.
 *
 * Source: Student-t nu = 5 at scale 1.  Block absmax scaling with a signed
 * scale of E exponent bits (7) and m = 0..23 mantissa bits rounded up
 * ("E8M[m]": 1 + 7 + m bits, §2.3), element bits b - (8 + m) / B realised
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
 * a sorted copy would serve one point only.  Instead each block's scale
 * is computed once per point and its values are looked up in a table of
 * cells: one O(N) pass per (B, m) for all elements. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fmt/bits.h"
#include "fmt/block.h"
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

/* ---- elements as cell tables ---- */

/* Cell lookup for values in [lo, hi] in O(1): bin j of a uniform grid
 * holds the cell of the point half a bin below its left end (so a value
 * rounded into the next bin is still above it), and a walk over the edges
 * finishes.  With 128 bins per level the walk rarely takes a step, so its
 * branch is predicted and the level load need not wait for the edge
 * comparison (fewer bins, or a branch-free step, measured slower).  Cells
 * are those of qrd_codebook: (edge[i], edge[i+1]], ties to the lower
 * index. */
#define BINS_PER_LEVEL 128
#define TABLE_MAX_BINS ((size_t)1 << 22) /* beyond: longer walks, same cells */

typedef struct {
  const qrd_codebook *cb;
  double lo, bins_per_unit;
  size_t n_bins;
  uint32_t *start;
} cell_table;

static int table_init(cell_table *t, const qrd_codebook *cb, double lo, double hi)
{
  t->cb = cb;
  t->lo = lo;
  t->n_bins = cb->n < TABLE_MAX_BINS / BINS_PER_LEVEL ? BINS_PER_LEVEL * cb->n : TABLE_MAX_BINS;
  t->bins_per_unit = (double)t->n_bins / (hi - lo);
  t->start = malloc(t->n_bins * sizeof *t->start);
  if (!t->start)
    return qrd_error_set(QRD_ENOMEM, "cell table");
  size_t i = 0;
  for (size_t j = 0; j < t->n_bins; j++) {
    double v = lo + ((double)j - 0.5) / t->bins_per_unit;
    while (v > cb->edge[i + 1])
      i++;
    t->start[j] = (uint32_t)i;
  }
  return QRD_OK;
}

static inline size_t cell_of(const cell_table *t, double y)
{
  double p = (y - t->lo) * t->bins_per_unit;
  size_t i = p > 0.0 ? t->start[p < (double)t->n_bins ? (size_t)p : t->n_bins - 1] : 0;
  while (y > t->cb->edge[i + 1]) /* the last edge is +inf */
    i++;
  return i;
}

/* One element of a sweep point: its format, cells, the absmax divisor
 * min(-lo, hi) (§2.6) and the achieved bits. */
typedef struct {
  qrd_element *e;
  cell_table table;
  double range, bits;
} element;

static void element_free(element *el)
{
  qrd_element_free(el->e);
  free(el->table.start);
  el->e = NULL;
  el->table.start = NULL;
}

static int element_init(element *el, const setup *s, int kind, double total, unsigned long block,
                        const qrd_scale_format *scale)
{
  double sb = qrd_scale_bits(scale), eb = qrd_bits_fixed_total_element(total, sb, (double)block);
  qrd_crd_params p = s->src.crd;
  p.block = (double)block;
  int st = kind == CRD ? qrd_element_crd(&p, eb, &el->e) : qrd_element_int(eb, 0, &el->e);
  if (st)
    return st;
  el->range = fmin(-el->e->lo, el->e->hi);
  qrd_bit_count bc = {.numel = s->samples, .element_bits = el->e->bits, .scale_bits = sb,
                      .n_blocks = s->samples / block};
  el->bits = qrd_bits_per_param(&bc);
  return table_init(&el->table, el->e->cb, el->e->lo, el->e->hi);
}

/* ---- one block size ---- */

/* The source at one block size: block extremes and, per batch, the sum of
 * (x f)^2 under the batch's rescaling f. */
typedef struct {
  const double *x;
  size_t block, n_blocks, n_batches;
  double *absmax;
  double x2[MAX_BATCHES];
} block_data;

/* Batch k holds blocks [first, last): near-equal runs of whole blocks;
 * rescaling j owns batches j * 6 .. j * 6 + 5, i.e. blocks
 * [j n_blocks / n_f, (j + 1) n_blocks / n_f). */
static void batch_range(const block_data *bd, size_t k, size_t *first, size_t *last)
{
  *first = k * bd->n_blocks / bd->n_batches;
  *last = (k + 1) * bd->n_blocks / bd->n_batches;
}

static double rescaling(const setup *s, size_t batch)
{
  return 1.0 + (double)(batch / BATCHES_PER_RESCALING) / (double)(s->n_f - 1);
}

static int block_data_init(block_data *bd, const setup *s, const double *x, unsigned long block)
{
  bd->x = x;
  bd->block = block;
  bd->n_blocks = s->samples / block;
  bd->n_batches = s->n_f * BATCHES_PER_RESCALING;
  bd->absmax = malloc(bd->n_blocks * sizeof *bd->absmax);
  if (!bd->absmax)
    return qrd_error_set(QRD_ENOMEM, "block extremes");
#pragma omp parallel for schedule(static)
  for (size_t k = 0; k < bd->n_batches; k++) {
    size_t first, last;
    batch_range(bd, k, &first, &last);
    double f = rescaling(s, k), x2 = 0.0;
    for (size_t b = first; b < last; b++) {
      double a = 0.0;
      for (size_t i = b * block; i < (b + 1) * block; i++) {
        double v = x[i] * f;
        a = fmax(a, fabs(x[i]));
        x2 += v * v;
      }
      bd->absmax[b] = a;
    }
    bd->x2[k] = x2;
  }
  return QRD_OK;
}

/* One sweep point: a block size and a scale mantissa width, with every
 * (total bits, kind) element; sse[c][k] is element c's weight-domain
 * squared error in batch k. */
typedef struct {
  size_t bi;
  int m;
  qrd_scale_format scale;
  element el[MAX_CONFIGS];
  size_t n_el;
  double bits[MAX_CONFIGS];
  double sse[MAX_CONFIGS][MAX_BATCHES];
  int status;
  char error[256];
} item;

/* Configs are ordered (total, kind). */
static size_t config_of(size_t t, int kind) { return t * N_KINDS + (size_t)kind; }

/* The squared rounding error of y on element el. */
static inline double sq_error(const element *el, double y)
{
  double d = y - el->table.cb->level[cell_of(&el->table, y)];
  return d * d;
}

/* Squared error (normalised units) of one block's rescaled values under
 * scale sc, for one element; y = x f / sc up to the last bit.  Two sums
 * halve the chain of dependent additions. */
static double block_sse(const element *el, const double *x, size_t len, double f, double sc)
{
  double g = f / sc, e0 = 0.0, e1 = 0.0;
  size_t i = 0;
  for (; i + 1 < len; i += 2) {
    e0 += sq_error(el, x[i] * g);
    e1 += sq_error(el, x[i + 1] * g);
  }
  if (i < len)
    e0 += sq_error(el, x[i] * g);
  return e0 + e1;
}

static int item_elements(item *it, const setup *s)
{
  char name[32];
  snprintf(name, sizeof name, "e%dm%d", s->scale_e, it->m);
  int st = qrd_scale_parse(name, &it->scale);
  for (size_t t = 0; !st && t < s->n_total; t++)
    for (int kind = 0; !st && kind < N_KINDS; kind++) {
      st = element_init(&it->el[it->n_el], s, kind, s->total[t], s->block[it->bi], &it->scale);
      it->n_el += !st || it->el[it->n_el].e; /* keep a half-made one for freeing */
    }
  return st;
}

static void run_item(const setup *s, const block_data *bd, item *it)
{
  it->status = item_elements(it, s);
  for (size_t k = 0; !it->status && k < bd->n_batches; k++) {
    size_t first, last;
    batch_range(bd, k, &first, &last);
    double f = rescaling(s, k), e[MAX_CONFIGS] = {0.0}, sc[MAX_CONFIGS];
    for (size_t b = first; b < last; b++)
      for (size_t c = 0; c < it->n_el; c++) {
        /* max |x f| = f max |x| exactly: rounding is monotone; elements
         * of the same range (the CRDs: 1) share the scale */
        size_t same = 0;
        while (it->el[same].range != it->el[c].range)
          same++;
        sc[c] = same < c ? sc[same]
                         : qrd_scale_quantise(&it->scale, bd->absmax[b] * f / it->el[c].range);
        if (sc[c] != 0.0) /* 0: an all-zero block, exact */
          e[c] += sc[c] * sc[c] * block_sse(&it->el[c], bd->x + b * bd->block, bd->block, f, sc[c]);
      }
    for (size_t c = 0; c < it->n_el; c++)
      it->sse[c][k] = e[c];
  }
  if (it->status)
    snprintf(it->error, sizeof it->error, "%s", qrd_error_detail());
  for (size_t c = 0; c < it->n_el; c++) {
    it->bits[c] = it->el[c].bits;
    element_free(&it->el[c]);
  }
}

/* The sweep over m at block size bi: items[m - m_min], and the batches'
 * sums of (x f)^2 into x2. */
static int run_block(qrd_driver *drv, const setup *s, const double *x, size_t bi, item *items,
                     double *x2)
{
  block_data bd;
  int st = block_data_init(&bd, s, x, s->block[bi]);
  if (st)
    return st;
  memcpy(x2, bd.x2, bd.n_batches * sizeof *x2);
  size_t n = (size_t)(s->m_max - s->m_min + 1);
  /* each item writes only its own slots, so the results do not depend on
   * the thread count */
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t i = 0; i < n; i++) {
    item *it = &items[i];
    *it = (item){.bi = bi, .m = s->m_min + (int)i};
    run_item(s, &bd, it);
    char what[192];
    snprintf(what, sizeof what, "%s B=%lu scale E%dM%d", s->src.dist.spec, s->block[bi],
             s->scale_e, it->m);
#pragma omp critical(progress)
    qrd_driver_progress_step(drv, what);
  }
  free(bd.absmax);
  for (size_t i = 0; !st && i < n; i++)
    if (items[i].status)
      st = qrd_error_set(items[i].status, "B = %lu, m = %d: %s", s->block[bi], items[i].m,
                         items[i].error);
  return st;
}

/* ---- results ---- */

/* The mean over rescalings of R = sqrt(sse / sum (x f)^2), leaving out
 * batch `skip` (SIZE_MAX: none). */
static double mean_r(const setup *s, const double *sse, const double *x2, size_t skip)
{
  double mean = 0.0;
  for (size_t j = 0; j < s->n_f; j++) {
    double e = 0.0, t = 0.0;
    for (size_t k = j * BATCHES_PER_RESCALING; k < (j + 1) * BATCHES_PER_RESCALING; k++)
      if (k != skip) {
        e += sse[k];
        t += x2[k];
      }
    mean += sqrt(e / t) / (double)s->n_f;
  }
  return mean;
}

/* value = mean_r(sse) / mean_r(ref) (ref NULL: 1) and its delete-one-batch
 * jackknife standard error. */
static void jackknife(const setup *s, const double *sse, const double *ref, const double *x2,
                      double *value, double *se)
{
  size_t nb = s->n_f * BATCHES_PER_RESCALING;
  double loo[MAX_BATCHES], mean = 0.0, var = 0.0;
  *value = mean_r(s, sse, x2, SIZE_MAX) / (ref ? mean_r(s, ref, x2, SIZE_MAX) : 1.0);
  for (size_t k = 0; k < nb; k++) {
    loo[k] = mean_r(s, sse, x2, k) / (ref ? mean_r(s, ref, x2, k) : 1.0);
    mean += loo[k] / (double)nb;
  }
  for (size_t k = 0; k < nb; k++)
    var += (loo[k] - mean) * (loo[k] - mean);
  *se = sqrt(var * (double)(nb - 1) / (double)nb);
}

/* Everything a results curve needs of one (total, kind, block): per
 * mantissa width the ratio to the first, the mean R, the bits. */
typedef struct {
  double m[MAX_MANTISSAS], ratio[MAX_MANTISSAS], ratio_se[MAX_MANTISSAS];
  double r[MAX_MANTISSAS], r_se[MAX_MANTISSAS], bits[MAX_MANTISSAS];
  size_t n, best;
} series;

static void series_of(const setup *s, const item *items, const double *x2, size_t c,
                      series *out)
{
  out->n = (size_t)(s->m_max - s->m_min + 1);
  out->best = 0;
  for (size_t i = 0; i < out->n; i++) {
    out->m[i] = items[i].m;
    out->bits[i] = items[i].bits[c];
    jackknife(s, items[i].sse[c], items[0].sse[c], x2, &out->ratio[i], &out->ratio_se[i]);
    jackknife(s, items[i].sse[c], NULL, x2, &out->r[i], &out->r_se[i]);
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

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  size_t n_m = (size_t)(s->m_max - s->m_min + 1);
  static item items[MAX_BLOCKS][MAX_MANTISSAS];
  static double x2[MAX_BLOCKS][MAX_BATCHES];
  static series sr[MAX_BLOCKS][MAX_CONFIGS];
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  qrd_driver_progress_begin(drv, s->n_block * n_m);
  double *x = qrd_sample_alloc(&s->src.dist, drv->seed, s->samples);
  st = x ? write_attrs(res, s) : QRD_ENOMEM;
  for (size_t bi = 0; !st && bi < s->n_block; bi++)
    st = run_block(drv, s, x, bi, items[bi], x2[bi]);
  free(x);
  if (!st)
    st = write_panels(res, s);
  for (int minima = 0; minima < 2; minima++)
    for (size_t t = 0; !st && t < s->n_total; t++)
      for (int kind = 0; !st && kind < N_KINDS; kind++)
        for (size_t bi = 0; !st && bi < s->n_block; bi++) {
          if (!minima)
            series_of(s, items[bi], x2[bi], config_of(t, kind), &sr[bi][config_of(t, kind)]);
          st = write_series(res, s, t, kind, bi, &sr[bi][config_of(t, kind)], minima);
        }
  return qrd_driver_close_results(res, st);
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-13", doc, read_setup, run, &s);
}
