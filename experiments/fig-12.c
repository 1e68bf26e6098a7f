/* fig-12 (Orr et al. F-S11, `analysis_element_exponent_bits`): efficiency
 * R 2^b of FP ExMy elements against the achieved bits per parameter, for
 * E = 2..5 exponent bits and M = b - E - 1 >= 0 mantissa bits, element
 * widths 3..16 bits, under tensor RMS and block absmax scaling.
 *
 * Panels, one per source (scale 1, orr-formats §3.0): normal, laplace,
 * t-nu-5.  Curves, in this order:
 *   rms-e<E>          tensor RMS scale (fp32 RMS, then the scale format)
 *   absmax-b<B>-e<E>  absmax per block of B: s = q(max|x| / max_E,M)
 * Scales are signed E8M7 rounded up (16 bits, §2.3); elements round to
 * nearest with ties toward zero, with subnormals and no special codes.
 * Every x is the achieved b (scale bits included); y_err is the jackknife
 * standard error of R over QRD_BLOCK_BATCHES batches of whole blocks,
 * times 2^b.
 *
 * Why no qrd_block_sample here: under absmax every (E, M) divides by its
 * own largest value, so each format would need its own normalised and
 * sorted copy of the 2^24 values, and the wide formats have up to 2^16
 * levels, where a sorted evaluation costs more than one pass.  FP rounding
 * has a closed form, so the formats of one mantissa width share one O(N)
 * pass instead: the values and ties are those of qrd_element_fp's
 * codebooks (tests/test_fig_12_13.c checks the results against
 * qrd_block_eval with those codebooks). */
#include <float.h>
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

#define MAX_DISTS 8
#define MAX_EXPONENTS 8
#define MAX_WIDTHS 32 /* element widths bits_min..bits_max */
#define N_BATCHES QRD_BLOCK_BATCHES

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

/* ---- FP ExMy in closed form ----
 *
 * An FP element (sign + E + M bits, bias 2^{E-1}, subnormals, no inf/NaN;
 * orr-formats §2.3) clips to +-max and rounds to nearest with ties toward
 * zero: the codebook of qrd_element_fp(E, M, QRD_FP_NEAREST), without its
 * search over up to 2^16 levels: a value's binade gives the spacing of its
 * grid (the lowest normal binade's below it: subnormals), and rounding on
 * that spacing is exact arithmetic. */

typedef struct {
  int emin;   /* exponent of the lowest normal binade */
  double max; /* largest value */
} fp_range;

/* E, M's range: emin = 1 - 2^{E-1}, max = 2^{2^{E-1} - 1} (2 - 2^-M). */
static fp_range fp_range_of(int e, int m)
{
  int bias = 1 << (e - 1);
  return (fp_range){.emin = 1 - bias, .max = ldexp(2.0 - ldexp(1.0, -m), (1 << e) - 1 - bias)};
}

/* 2^k, k a normal double exponent, from its bits (no libm call in the
 * inner loop). */
static inline double pow2i(int k)
{
  uint64_t u = (uint64_t)(k + 1023) << 52;
  double v;
  memcpy(&v, &u, sizeof v);
  return v;
}

/* The binade exponent k of a > 0, a in [2^k, 2^{k+1}) (-1023 for 0). */
static inline int binade(double a)
{
  uint64_t u;
  memcpy(&u, &a, sizeof u);
  return (int)(u >> 52) - 1023;
}

/* Adding and subtracting 2^52 rounds |t| < 2^51 to an integer, ties to
 * even, in the default rounding mode (x86-64 SSE arithmetic: no excess
 * precision, no contraction under -std=c11). */
#define RNE_SHIFT 0x1p52

/* a >= 0 rounded on the spacing 2^{k-m} of binade k with m mantissa bits
 * (k at or below a's binade: the subnormal spacing when k is the lowest
 * normal binade), nearest with ties toward zero.  Scaling by powers of two
 * is exact and t < 2^{m+1}. */
static inline double round_on_binade(double a, int k, int m)
{
  double t = a * pow2i(m - k);
  double r = (t + RNE_SHIFT) - RNE_SHIFT;
  r -= r - t == 0.5; /* a tie went up: ties go toward zero */
  return r * pow2i(k - m);
}

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
  if (s->samples / s->block < N_BATCHES) {
    char why[64];
    snprintf(why, sizeof why, "want at least %d blocks, one batch each", N_BATCHES);
    return qrd_config_invalid(cfg, "samples", why);
  }
  s->width_min = (int)lo;
  s->width_max = (int)hi;
  return qrd_scale_parse(s->scale_name, &s->scale); /* read_scale has checked it */
}

/* ---- one panel ---- */

enum { RMS, ABSMAX, N_SCALINGS };

/* The source sample and what every format shares: block extremes, the
 * tensor RMS scale, per-batch sums of x^2 (the denominator of R). */
typedef struct {
  const double *x;
  size_t n, block, n_blocks;
  double *absmax;          /* per block */
  double rms_scale;        /* quantised */
  double x2[N_BATCHES];
} panel_data;

/* Batch k holds blocks [first, last): near-equal runs of whole blocks. */
static void batch_range(const panel_data *pd, size_t k, size_t *first, size_t *last)
{
  *first = k * pd->n_blocks / N_BATCHES;
  *last = (k + 1) * pd->n_blocks / N_BATCHES;
}

static int panel_prepare(panel_data *pd, const setup *s, const double *x)
{
  pd->x = x;
  pd->n = s->samples;
  pd->block = s->block;
  pd->n_blocks = s->samples / s->block;
  pd->absmax = malloc(pd->n_blocks * sizeof *pd->absmax);
  if (!pd->absmax)
    return qrd_error_set(QRD_ENOMEM, "block extremes");
#pragma omp parallel for schedule(static)
  for (size_t k = 0; k < N_BATCHES; k++) {
    size_t first, last;
    batch_range(pd, k, &first, &last);
    double x2 = 0.0;
    for (size_t b = first; b < last; b++) {
      double a = 0.0;
      for (size_t i = b * pd->block; i < (b + 1) * pd->block; i++) {
        a = fmax(a, fabs(x[i]));
        x2 += x[i] * x[i];
      }
      pd->absmax[b] = a;
    }
    pd->x2[k] = x2;
  }
  /* §2.6: the RMS in fp32, clamped to the smallest normal, then the scale
   * format; summed in index order like qrd_block_sample_alloc */
  double sum2 = 0.0;
  for (size_t i = 0; i < pd->n; i++)
    sum2 += x[i] * x[i];
  pd->rms_scale = qrd_scale_quantise(&s->scale, fmax((float)sqrt(sum2 / (double)pd->n), FLT_MIN));
  return QRD_OK;
}

/* One sweep point: a scaling and a mantissa width m, with every configured
 * exponent whose element width is in range; they share the pass over the
 * sample.  The values y = x / s are in common units: under RMS the tensor
 * scale, under absmax s = q(max|x| / (2 - 2^-m)), since every format's
 * largest value is 2 - 2^-m times a power of two 2^K and q (a float
 * format) commutes with powers of two: s_E = 2^-K s and y_E = 2^K y
 * exactly, so the formats' ranges are scaled by 2^-K instead.
 * sse[j][k]: squared error of exponent j's format in batch k. */
typedef struct {
  int scaling, m;
  int exponent[MAX_EXPONENTS];
  fp_range range[MAX_EXPONENTS]; /* in the common units */
  size_t n_fmt;
  double sse[MAX_EXPONENTS][N_BATCHES];
} item;

static void item_add(item *it, int e)
{
  fp_range r = fp_range_of(e, it->m);
  if (it->scaling == ABSMAX) {
    int shift = (1 << (e - 1)) - 1; /* K: max = 2^K (2 - 2^-m) */
    r.emin -= shift;
    r.max = ldexp(r.max, -shift);
  }
  it->exponent[it->n_fmt] = e;
  it->range[it->n_fmt++] = r;
}

static size_t plan(const setup *s, item *items)
{
  size_t n = 0;
  for (int sc = 0; sc < N_SCALINGS; sc++)
    for (int m = 0; m + 2 <= s->width_max; m++) {
      item *it = &items[n];
      *it = (item){.scaling = sc, .m = m};
      for (size_t j = 0; j < s->n_exp; j++) {
        int width = 1 + (int)s->exponent[j] + m;
        if (width >= s->width_min && width <= s->width_max)
          item_add(it, (int)s->exponent[j]);
      }
      n += it->n_fmt > 0;
    }
  return n;
}

/* Values handled per pass of block_sse's inner loops. */
#define CHUNK 256

/* The squared weight-domain error of magnitude xa (normalised a = xa / sc,
 * binade k) on format r with m mantissa bits. */
static inline double sq_error(const fp_range *r, int m, double sc, double xa, double a, int k)
{
  double q = round_on_binade(a, k < r->emin ? r->emin : k, m);
  q = q < r->max ? q : r->max; /* beyond max, the rounding is >= max */
  double d = xa - sc * q;      /* sc * q is exact */
  return d * d;
}

/* Adds one block's squared errors under scale sc to e[0..n_fmt-1] (sc = 0:
 * an all-zero block, exact).  Signs do not matter (the grids are
 * symmetric), so magnitudes are rounded; the binade of each value is found
 * once and every format then rounds on its own spacing, branch-free.  Two
 * sums halve the chain of dependent additions. */
static void block_sse(const item *it, const double *x, size_t len, double sc, double *e)
{
  if (sc == 0.0)
    return;
  double inv = 1.0 / sc, xa[CHUNK], a[CHUNK];
  int k[CHUNK];
  for (size_t c = 0; c < len; c += CHUNK) {
    size_t n = len - c < CHUNK ? len - c : CHUNK, i;
    for (i = 0; i < n; i++) {
      xa[i] = fabs(x[c + i]);
      a[i] = xa[i] * inv;
      k[i] = binade(a[i]);
    }
    for (size_t j = 0; j < it->n_fmt; j++) {
      const fp_range *r = &it->range[j];
      double e0 = 0.0, e1 = 0.0;
      for (i = 0; i + 1 < n; i += 2) {
        e0 += sq_error(r, it->m, sc, xa[i], a[i], k[i]);
        e1 += sq_error(r, it->m, sc, xa[i + 1], a[i + 1], k[i + 1]);
      }
      if (i < n)
        e0 += sq_error(r, it->m, sc, xa[i], a[i], k[i]);
      e[j] += e0 + e1;
    }
  }
}

static void run_item(const panel_data *pd, const setup *s, item *it)
{
  double unit = 2.0 - ldexp(1.0, -it->m);
  for (size_t k = 0; k < N_BATCHES; k++) {
    size_t first, last;
    batch_range(pd, k, &first, &last);
    double e[MAX_EXPONENTS] = {0.0};
    for (size_t b = first; b < last; b++) {
      double sc = it->scaling == RMS ? pd->rms_scale
                                     : qrd_scale_quantise(&s->scale, pd->absmax[b] / unit);
      block_sse(it, pd->x + b * pd->block, pd->block, sc, e);
    }
    for (size_t j = 0; j < it->n_fmt; j++)
      it->sse[j][k] = e[j];
  }
}

static const char *const SCALING_NAME[N_SCALINGS] = {"rms", "absmax"};

static void run_items(qrd_driver *drv, const panel_data *pd, const setup *s, size_t d,
                      item *items, size_t n)
{
  /* each item writes only its own slots, so the results do not depend on
   * the thread count */
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t i = 0; i < n; i++) {
    run_item(pd, s, &items[i]);
    char what[160];
    snprintf(what, sizeof what, "%s %s E%d..%dM%d", s->src[d].dist.spec,
             SCALING_NAME[items[i].scaling], items[i].exponent[0],
             items[i].exponent[items[i].n_fmt - 1], items[i].m);
#pragma omp critical(progress)
    qrd_driver_progress_step(drv, what);
  }
}

/* ---- results ---- */

/* The item holding format (scaling, e, m), and the format's index in it;
 * NULL when it was not planned. */
static const item *find(const item *items, size_t n, int scaling, int e, int m, size_t *j)
{
  for (size_t i = 0; i < n; i++) {
    if (items[i].scaling != scaling || items[i].m != m)
      continue;
    for (*j = 0; *j < items[i].n_fmt; (*j)++)
      if (items[i].exponent[*j] == e)
        return &items[i];
  }
  return NULL;
}

/* One curve: exponent e under a scaling, over the configured widths. */
static int write_curve(qrd_results *res, const char *panel, const setup *s,
                       const panel_data *pd, const item *items, size_t n, int scaling, int e)
{
  double x[MAX_WIDTHS], y[MAX_WIDTHS], err[MAX_WIDTHS];
  size_t c = 0;
  for (int w = s->width_min; w <= s->width_max; w++) {
    size_t j;
    const item *it = find(items, n, scaling, e, w - 1 - e, &j);
    if (!it)
      continue; /* M < 0 */
    qrd_bit_count bc = {.numel = pd->n, .element_bits = w, .scale_bits = qrd_scale_bits(&s->scale),
                        .n_blocks = scaling == RMS ? 1 : pd->n_blocks};
    qrd_block_result r; /* the jackknife deletes one batch at a time */
    qrd_block_jackknife(it->sse[j], 1, pd->x2, N_BATCHES, &r);
    r.bits = x[c] = qrd_bits_per_param(&bc);
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
  return c ? qrd_results_curve(res, panel, curve, label, c, x, y, err) : QRD_OK;
}

static int write_panel(qrd_results *res, const setup *s, size_t d, const panel_data *pd,
                       const item *items, size_t n)
{
  char title[192];
  snprintf(title, sizeof title, "%s (%s)", s->src[d].label, s->src[d].dist.spec);
  int st = qrd_results_panel(res, s->src[d].slug, title, "bits per parameter b", "R 2^b");
  for (int sc = 0; !st && sc < N_SCALINGS; sc++)
    for (size_t j = 0; !st && j < s->n_exp; j++)
      st = write_curve(res, s->src[d].slug, s, pd, items, n, sc, (int)s->exponent[j]);
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

static int run_panel(qrd_driver *drv, const setup *s, size_t d, item *items, size_t n,
                     qrd_results *res)
{
  /* the same seed in every panel, as the reference draws each source */
  double *x = qrd_sample_alloc(&s->src[d].dist, drv->seed, s->samples);
  if (!x)
    return QRD_ENOMEM;
  panel_data pd;
  int st = panel_prepare(&pd, s, x);
  if (!st) {
    run_items(drv, &pd, s, d, items, n);
    st = write_panel(res, s, d, &pd, items, n);
  }
  free(pd.absmax);
  free(x);
  return st;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  static item items[N_SCALINGS * MAX_WIDTHS];
  size_t n = plan(s, items);
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  qrd_driver_progress_begin(drv, s->n_dist * n);
  st = write_attrs(res, s);
  for (size_t d = 0; !st && d < s->n_dist; d++)
    st = run_panel(drv, s, d, items, n, res);
  return qrd_driver_close_results(res, st);
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-12", doc, read_setup, run, &s);
}
