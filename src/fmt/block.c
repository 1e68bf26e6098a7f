#include "fmt/block.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/bits.h"
#include "mc/entropy.h"
#include "mc/stats.h"
#include "quant/sampling_sd.h"

int qrd_scaling_parse(const char *text, const char *scale, qrd_scaling *out)
{
  static const struct { const char *name; qrd_scaling_kind kind; } kinds[] = {
    {"rms", QRD_SCALING_BLOCK_RMS}, {"absmax", QRD_SCALING_ABSMAX},
    {"signmax", QRD_SCALING_SIGNMAX},
  };
  memset(out, 0, sizeof *out);
  int st = qrd_scale_parse(scale, &out->scale);
  if (st)
    return st;
  if (strcmp(text, "rms") == 0 || strcmp(text, "none") == 0) {
    out->kind = text[0] == 'r' ? QRD_SCALING_TENSOR_RMS : QRD_SCALING_NONE;
    return QRD_OK;
  }
  const char *colon = strchr(text, ':');
  size_t len = colon ? (size_t)(colon - text) : strlen(text);
  for (size_t i = 0; colon && i < sizeof kinds / sizeof kinds[0]; i++) {
    if (strlen(kinds[i].name) != len || strncmp(text, kinds[i].name, len) != 0)
      continue;
    char *end;
    unsigned long b = strtoul(colon + 1, &end, 10);
    if (*end || b < 1 || colon[1] == '-')
      break;
    out->kind = kinds[i].kind;
    out->block = b;
    if (out->kind == QRD_SCALING_SIGNMAX && !qrd_scale_is_signed(&out->scale))
      return qrd_error_set(QRD_EINVAL, "scaling '%s' needs a signed scale format, not '%s'",
                           text, scale);
    return QRD_OK;
  }
  return qrd_error_set(QRD_EINVAL,
                       "scaling '%s' invalid (allowed: none, rms, rms:B, absmax:B, signmax:B "
                       "with a whole block size B >= 1)", text);
}

/* ---- outliers ---- */

/* The k-th largest of v[0..n-1] (k >= 1), partially reordering v. */
static double kth_largest(double *v, size_t n, size_t k)
{
  size_t lo = 0, hi = n - 1, want = k - 1;
  while (lo < hi) {
    double pivot = v[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] > pivot)
        i++;
      while (v[j] < pivot)
        j--;
      if (i <= j) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        if (j == 0)
          break;
        j--;
      }
    }
    if (want <= j)
      hi = j;
    else if (want >= i)
      lo = i;
    else
      break;
  }
  return v[want];
}

/* mark[i] = 1 for the k largest |x| (ties taken in index order). */
static int mark_outliers(const double *x, size_t n, size_t k, unsigned char *mark)
{
  memset(mark, 0, n);
  if (k == 0)
    return QRD_OK;
  double *a = qrd_big_alloc(n, sizeof *a);
  if (!a)
    return qrd_error_set(QRD_ENOMEM, "outlier selection");
  for (size_t i = 0; i < n; i++)
    a[i] = fabs(x[i]);
  double t = kth_largest(a, n, k);
  qrd_big_free(a);
  size_t above = 0;
  for (size_t i = 0; i < n; i++)
    above += fabs(x[i]) > t;
  size_t ties = k - above;
  for (size_t i = 0; i < n; i++) {
    double m = fabs(x[i]);
    mark[i] = m > t || (m == t && ties > 0 && ties--);
  }
  return QRD_OK;
}

/* ---- scales ---- */

/* Each scaling reads only what it needs: the sum of squares is one chain
 * of additions in index order (its bits depend on the order), while the
 * largest |x| is the same in any order and so vectorises. */
static double sum_squares(const double *x, const unsigned char *out, size_t n)
{
  double sum2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    double v = out[i] ? 0.0 : x[i];
    sum2 += v * v;
  }
  return sum2;
}

static double largest_abs(const double *x, const unsigned char *out, size_t n)
{
  double m = 0.0;
#pragma omp simd reduction(max : m)
  for (size_t i = 0; i < n; i++) {
    double a = out[i] ? 0.0 : fabs(x[i]);
    m = a > m ? a : m;
  }
  return m;
}

/* The first value of largest |x| (its sign is the scale's). */
static double first_extreme(const double *x, const unsigned char *out, size_t n)
{
  double extreme = 0.0;
  for (size_t i = 0; i < n; i++) {
    double v = out[i] ? 0.0 : x[i];
    if (fabs(v) > fabs(extreme))
      extreme = v;
  }
  return extreme;
}

static double raw_scale(const qrd_scaling *sc, const double *x, const unsigned char *out,
                        size_t n, double lo, double hi)
{
  switch (sc->kind) {
  case QRD_SCALING_NONE:
    return 1.0;
  case QRD_SCALING_TENSOR_RMS:
  case QRD_SCALING_BLOCK_RMS:
    /* fp32, clamped to the smallest normal */
    return fmax((float)sqrt(sum_squares(x, out, n) / (double)n), FLT_MIN);
  case QRD_SCALING_ABSMAX:
    return largest_abs(x, out, n) / qrd_scaling_divisor(sc->kind, lo, hi);
  case QRD_SCALING_SIGNMAX:
    return first_extreme(x, out, n) / qrd_scaling_divisor(sc->kind, lo, hi);
  }
  return NAN;
}

double qrd_scaling_divisor(qrd_scaling_kind kind, double lo, double hi)
{
  return kind == QRD_SCALING_SIGNMAX ? (fabs(lo) > hi ? lo : hi) : fmin(-lo, hi);
}

static int whole_tensor(const qrd_scaling *sc)
{
  return sc->kind == QRD_SCALING_NONE || sc->kind == QRD_SCALING_TENSOR_RMS;
}

/* The one scale of a whole-tensor scaling (1, exactly, for none). */
static double tensor_scale(const qrd_scaling *sc, const double *x, const unsigned char *out,
                           size_t n, double lo, double hi)
{
  double s = raw_scale(sc, x, out, n, lo, hi);
  return sc->kind == QRD_SCALING_NONE ? s : qrd_scale_quantise(&sc->scale, s);
}

/* Values per parallel step of qrd_block_normalise under one scale. */
#define NORMALISE_STRETCH ((size_t)1 << 16)

typedef struct {
  const double *x;
  const unsigned char *out; /* outliers, n_out of them */
  size_t n_out;
  const qrd_scaling *sc;
  double lo, hi, tensor_scale;
  size_t block;
} normaliser;

/* y[0 .. n) <- x / s; an all-zero block has scale 0: its elements are
 * exact zeros. */
static void divide(const double *x, size_t n, double s, double *y)
{
  if (s != 0.0)
    for (size_t i = 0; i < n; i++)
      y[i] = x[i] / s;
  else
    memset(y, 0, n * sizeof *y);
}

/* y, w of elements [from, to) (whole blocks, or under a whole-tensor
 * scaling any stretch), skipping outliers (w NULL: no weights); returns
 * the count written. */
static size_t normalise_range(const normaliser *nz, size_t from, size_t to, double *y,
                              double *w)
{
  size_t m = 0;
  for (size_t b = from; b < to; b += nz->block) {
    double s = nz->tensor_scale;
    if (!whole_tensor(nz->sc))
      s = qrd_scale_quantise(&nz->sc->scale,
                             raw_scale(nz->sc, nz->x + b, nz->out + b, nz->block, nz->lo, nz->hi));
    size_t end = b + nz->block < to ? b + nz->block : to, m0 = m;
    if (nz->n_out == 0) { /* every element, in order: a loop that vectorises */
      divide(nz->x + b, end - b, s, y + m);
      m += end - b;
    } else {
      for (size_t i = b; i < end; i++)
        if (!nz->out[i])
          divide(nz->x + i, 1, s, y + m++);
    }
    for (size_t i = m0; w && i < m; i++)
      w[i] = s * s;
  }
  return m;
}

static void batch_sums(const double *x, const unsigned char *out, size_t from, size_t to,
                       const qrd_scale_format *bf16, double *x2, double *outlier_sse)
{
  /* in locals: through the pointers, which may alias x, every addition
   * waited for a store and its reload */
  double sx2 = 0.0, sse = 0.0;
  for (size_t i = from; i < to; i++) {
    sx2 += x[i] * x[i];
    if (out[i]) {
      double e = x[i] - qrd_scale_quantise(bf16, x[i]);
      sse += e * e;
    }
  }
  *x2 = sx2;
  *outlier_sse = sse;
}

void qrd_block_sample_free(qrd_block_sample *s)
{
  if (!s)
    return;
  for (size_t k = 0; k < s->n_batches; k++)
    qrd_sorted_free(s->batch[k]);
  free(s);
}

/* Batch k: normalises blocks [first, last) of the sample into y, w and
 * sorts them. */
static int fill_batch(qrd_block_sample *s, const normaliser *nz, size_t k, size_t first,
                      size_t last, double *y, double *w)
{
  qrd_scale_format bf16;
  qrd_scale_parse("bf16", &bf16);
  size_t from = first * nz->block, to = last * nz->block;
  size_t m = normalise_range(nz, from, to, y, w);
  batch_sums(nz->x, nz->out, from, to, &bf16, &s->batch_x2[k], &s->batch_outlier_sse[k]);
  return (s->batch[k] = qrd_sorted_alloc(y, s->counts_only ? NULL : w, m)) ? QRD_OK
                                                                          : QRD_ENOMEM;
}

/* The batches are independent: one per thread at a time (each sort then
 * runs on its thread alone), each writing only its own slot, so the
 * sample is the same for any thread count. */
static int fill_batches(qrd_block_sample *s, const normaliser *nz, size_t n)
{
  size_t blocks = n / nz->block, per = (blocks + QRD_BLOCK_BATCHES - 1) / QRD_BLOCK_BATCHES;
  s->n_batches = (blocks + per - 1) / per;
  int status[QRD_BLOCK_BATCHES] = {0};
  char error[QRD_BLOCK_BATCHES][256];
#pragma omp parallel
  {
    double *y = qrd_big_alloc(per * nz->block, sizeof *y),
           *w = qrd_big_alloc(per * nz->block, sizeof *w);
#pragma omp for schedule(dynamic, 1)
    for (size_t k = 0; k < s->n_batches; k++) {
      size_t first = k * per, last = first + per < blocks ? first + per : blocks;
      status[k] = y && w ? fill_batch(s, nz, k, first, last, y, w)
                         : qrd_error_set(QRD_ENOMEM, "block sample");
      if (status[k]) /* the detail is per thread: keep it with the batch */
        snprintf(error[k], sizeof error[k], "%s", qrd_error_detail());
    }
    qrd_big_free(y);
    qrd_big_free(w);
  }
  for (size_t k = 0; k < s->n_batches; k++)
    if (status[k])
      return qrd_error_set(status[k], "%s", error[k]);
  return QRD_OK;
}

/* y, w of elements [0, n) when there are no outliers (element i goes to
 * y[i]): the blocks (or, under one scale, stretches of NORMALISE_STRETCH
 * values) are independent, so they go in parallel, and so do the first
 * writes to y and w (page faults that zero fresh memory). */
static void normalise_all(const normaliser *nz, size_t n, double *y, double *w)
{
  size_t unit = nz->block < n ? nz->block : NORMALISE_STRETCH;
#pragma omp parallel for schedule(static)
  for (size_t from = 0; from < n; from += unit) {
    size_t to = from + unit < n ? from + unit : n;
    normalise_range(nz, from, to, y + from, w ? w + from : NULL);
  }
}

/* A counts-only sample (no outliers) is one sorted batch of every value,
 * without prefix sums: its counts and extreme do not depend on the
 * batching, and a count then takes one search per edge, not one per
 * batch. */
static int fill_counts(qrd_block_sample *s, const normaliser *nz, size_t n)
{
  double *y = qrd_big_alloc(n, sizeof *y);
  int st = y ? QRD_OK : qrd_error_set(QRD_ENOMEM, "block sample of %zu values", n);
  if (!st) {
    normalise_all(nz, n, y, NULL); /* no weights: only counts are kept */
    s->n_batches = 1;
    if (!(s->batch[0] = qrd_sorted_alloc_counts(y, n)))
      st = QRD_ENOMEM;
  }
  qrd_big_free(y);
  return st;
}

static int sample_alloc(const double *x, size_t n, const qrd_scaling *sc, double lo, double hi,
                        double outlier_ratio, int counts_only, qrd_block_sample **out)
{
  *out = NULL;
  size_t block = whole_tensor(sc) ? n : sc->block;
  if (n == 0 || block == 0 || n % block != 0)
    return qrd_error_set(QRD_EINVAL, "sample of %zu values is not a whole number of "
                         "blocks of %zu", n, block);
  if (!(lo < 0.0 && hi > 0.0))
    return qrd_error_set(QRD_EINVAL, "element range [%g, %g] must contain 0 inside", lo, hi);
  qrd_block_sample *s = calloc(1, sizeof *s);
  unsigned char *mark = malloc(n);
  int st = s && mark ? QRD_OK : qrd_error_set(QRD_ENOMEM, "block sample");
  if (!st) {
    s->numel = n;
    s->counts_only = counts_only;
    s->n_outliers = qrd_bits_outliers(outlier_ratio, n);
    s->scale_bits = qrd_scale_bits(&sc->scale);
    s->n_blocks = sc->kind == QRD_SCALING_NONE ? 0 : n / block;
    st = mark_outliers(x, n, s->n_outliers, mark);
  }
  if (!st) {
    normaliser nz = {.x = x, .out = mark, .n_out = s->n_outliers, .sc = sc, .lo = lo, .hi = hi,
                     .block = block};
    nz.tensor_scale = tensor_scale(sc, x, mark, n, lo, hi);
    s->tensor_scale = whole_tensor(sc) ? nz.tensor_scale : 0.0;
    if (counts_only)
      st = fill_counts(s, &nz, n);
    else {
      /* a whole-tensor scaling still gets batches: cut it into pieces */
      if (whole_tensor(sc) && n % QRD_BLOCK_BATCHES == 0)
        nz.block = n / QRD_BLOCK_BATCHES;
      st = fill_batches(s, &nz, n);
    }
  }
  free(mark);
  if (st) {
    qrd_block_sample_free(s);
    return st;
  }
  *out = s;
  return QRD_OK;
}

int qrd_block_sample_alloc(const double *x, size_t n, const qrd_scaling *sc, double lo,
                           double hi, double outlier_ratio, qrd_block_sample **out)
{
  return sample_alloc(x, n, sc, lo, hi, outlier_ratio, 0, out);
}

int qrd_block_sample_alloc_counts(const double *x, size_t n, const qrd_scaling *sc, double lo,
                                  double hi, qrd_block_sample **out)
{
  return sample_alloc(x, n, sc, lo, hi, 0.0, 1, out);
}

int qrd_block_normalise(const double *x, size_t n, const qrd_scaling *sc, double lo,
                        double hi, double *y, double *w)
{
  size_t block = whole_tensor(sc) ? n : sc->block;
  if (n == 0 || block == 0 || n % block != 0)
    return qrd_error_set(QRD_EINVAL, "sample of %zu values is not a whole number of "
                         "blocks of %zu", n, block);
  unsigned char *none = calloc(n, 1);
  if (!none)
    return qrd_error_set(QRD_ENOMEM, "normalise");
  normaliser nz = {.x = x, .out = none, .sc = sc, .lo = lo, .hi = hi, .block = block};
  nz.tensor_scale = tensor_scale(sc, x, none, n, lo, hi);
  normalise_all(&nz, n, y, w);
  free(none);
  return QRD_OK;
}

int qrd_block_sample_from_normalised(const double *y, const double *w, size_t n, size_t block,
                                     double scale_bits, qrd_block_sample **out)
{
  *out = NULL;
  if (n == 0 || block == 0 || n % block != 0)
    return qrd_error_set(QRD_EINVAL, "sample of %zu values is not a whole number of "
                         "blocks of %zu", n, block);
  qrd_block_sample *s = calloc(1, sizeof *s);
  if (!s)
    return qrd_error_set(QRD_ENOMEM, "normalised sample");
  *s = (qrd_block_sample){.numel = n, .n_blocks = n / block, .scale_bits = scale_bits};
  /* one scale for the whole tensor still gets batches, as in alloc */
  if (block == n && n % QRD_BLOCK_BATCHES == 0)
    block = n / QRD_BLOCK_BATCHES;
  size_t blocks = n / block, per = (blocks + QRD_BLOCK_BATCHES - 1) / QRD_BLOCK_BATCHES;
  s->n_batches = (blocks + per - 1) / per;
  int st = QRD_OK;
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < s->n_batches; k++) {
    size_t from = k * per * block, to = from + per * block < n ? from + per * block : n;
    double x2 = 0.0;
    for (size_t i = from; i < to; i++)
      x2 += (w ? w[i] : 1.0) * y[i] * y[i];
    s->batch_x2[k] = x2;
    s->batch[k] = qrd_sorted_alloc(y + from, w ? w + from : NULL, to - from);
  }
  for (size_t k = 0; k < s->n_batches; k++)
    if (!s->batch[k])
      st = qrd_error_set(QRD_EINVAL, "normalised sample: batch %zu not sorted (values "
                         "must be finite, weights >= 0; or out of memory)", k);
  if (st) {
    qrd_block_sample_free(s);
    return st;
  }
  *out = s;
  return QRD_OK;
}

/* Per-batch squared errors (at a stride) and sums of x^2, with totals. */
typedef struct {
  const double *sse, *x2;
  size_t stride, nb;
  double e, t; /* the totals */
} ratio_sums;

/* R with batch `skip` taken out of the totals (nb: none). */
static void ratio_stat(void *ctx, size_t skip, double *r)
{
  const ratio_sums *c = ctx;
  *r = skip == c->nb ? sqrt(c->e / c->t)
                     : sqrt((c->e - c->sse[skip * c->stride]) / (c->t - c->x2[skip]));
}

void qrd_block_jackknife(const double *sse, size_t stride, const double *x2, size_t nb,
                         qrd_block_result *r)
{
  ratio_sums c = {.sse = sse, .x2 = x2, .stride = stride, .nb = nb};
  for (size_t b = 0; b < nb; b++) {
    c.e += sse[b * stride];
    c.t += x2[b];
  }
  double loo[QRD_BLOCK_MAX_PASS_BATCHES];
  qrd_jackknife(ratio_stat, &c, nb, 1, loo, &r->rel_rmse, &r->rel_rmse_se);
  r->sse = c.e;
}

/* Per-batch sums of an evaluation cut into groups, and of a reference. */
typedef struct {
  const double *sse, *ref, *x2;
  size_t nb, group;
} group_sums;

/* The mean over groups of R, leaving out batch `skip` (nb: none).  The
 * sums skip it rather than subtract it: each group is small. */
static double group_mean_r(const double *sse, const double *x2, size_t nb, size_t group,
                           size_t skip)
{
  size_t n_groups = nb / group;
  double mean = 0.0;
  for (size_t j = 0; j < n_groups; j++) {
    double e = 0.0, t = 0.0;
    for (size_t k = j * group; k < (j + 1) * group; k++)
      if (k != skip) {
        e += sse[k];
        t += x2[k];
      }
    mean += sqrt(e / t) / (double)n_groups;
  }
  return mean;
}

/* The group mean of R divided by the reference's (if any). */
static void group_stat(void *ctx, size_t skip, double *v)
{
  const group_sums *g = ctx;
  *v = group_mean_r(g->sse, g->x2, g->nb, g->group, skip);
  *v /= g->ref ? group_mean_r(g->ref, g->x2, g->nb, g->group, skip) : 1.0;
}

void qrd_block_jackknife_groups(const double *sse, const double *ref, const double *x2,
                                size_t nb, size_t group, double *value, double *se)
{
  double loo[QRD_BLOCK_MAX_PASS_BATCHES];
  group_sums g = {.sse = sse, .ref = ref, .x2 = x2, .nb = nb, .group = group};
  qrd_jackknife(group_stat, &g, nb, 1, loo, value, se);
}

void qrd_block_efficiency(const qrd_block_result *r, double *eff, double *eff_se)
{
  double two_b = exp2(r->bits);
  *eff = r->rel_rmse * two_b;
  *eff_se = r->rel_rmse_se * two_b;
}

/* Per-batch sse of c on s. */
static int eval_batches(const qrd_block_sample *s, const qrd_codebook *c, double *sse)
{
  if (s->counts_only)
    return qrd_error_set(QRD_EINVAL, "block sample of counts only (no weights): no error "
                         "to measure on it");
  for (size_t k = 0; k < s->n_batches; k++) {
    qrd_sorted_stats ss;
    int st = qrd_sorted_eval(s->batch[k], c, &ss, NULL);
    if (st)
      return st;
    sse[k] = ss.sse + s->batch_outlier_sse[k];
  }
  return QRD_OK;
}

void qrd_block_sample_set_source(qrd_block_sample *s, const qrd_dist *d, double scale)
{
  s->source = d;
  if (scale > 0.0)
    s->tensor_scale = scale;
}

/* R and its standard error from the batch sums, or the source law's. */
static int estimate(const qrd_block_sample *s, const qrd_codebook *c, const double *sse,
                    qrd_block_result *r)
{
  qrd_block_jackknife(sse, 1, s->batch_x2, s->n_batches, r);
  if (!s->source || !(s->tensor_scale > 0.0) || s->n_outliers)
    return QRD_OK;
  double pop;
  int st = qrd_rel_rmse_sd(s->source, c, s->tensor_scale, (double)s->numel, &pop,
                           &r->rel_rmse_se);
  if (st == QRD_EDOM)
    r->rel_rmse_se = INFINITY;
  return st == QRD_EDOM ? QRD_OK : st;
}

static double bits_per_param(const qrd_block_sample *s, double element_bits, double coded)
{
  qrd_bit_count bc = {.numel = s->numel, .element_bits = element_bits,
                      .scale_bits = s->scale_bits, .n_blocks = s->n_blocks,
                      .n_outliers = s->n_outliers, .coded_bits = coded};
  return qrd_bits_per_param(&bc);
}

int qrd_block_eval(const qrd_block_sample *s, const qrd_codebook *c, double element_bits,
                   qrd_block_result *r)
{
  double sse[QRD_BLOCK_BATCHES];
  int st = eval_batches(s, c, sse);
  if (!st)
    st = estimate(s, c, sse, r);
  if (st)
    return st;
  r->bits = bits_per_param(s, element_bits, 0.0);
  return QRD_OK;
}

static int coded_bits(const size_t *train, const size_t *counts, size_t n, int huffman,
                      double *bits)
{
  if (!huffman)
    return qrd_entropy_ideal_bits(train, counts, n, bits);
  /* Huffman on the same +1-smoothed model as the ideal code */
  double *w = malloc(n * sizeof *w);
  unsigned *len = malloc(n * sizeof *len);
  qrd_huffman *h = qrd_huffman_alloc(n);
  int st = w && len && h ? QRD_OK : qrd_error_set(QRD_ENOMEM, "huffman");
  for (size_t i = 0; !st && i < n; i++)
    w[i] = (double)train[i] + 1.0;
  if (!st)
    st = qrd_huffman_lengths(h, w, n, len);
  if (!st)
    *bits = qrd_code_bits(counts, len, n);
  free(w);
  free(len);
  qrd_huffman_free(h);
  return st;
}

double qrd_block_absmax(const qrd_block_sample *s)
{
  double m = 0.0;
  for (size_t k = 0; k < s->n_batches; k++)
    m = fmax(m, qrd_sorted_absmax(s->batch[k]));
  return m;
}

void qrd_block_counts(const qrd_block_sample *s, const qrd_codebook *c, size_t *counts)
{
  memset(counts, 0, c->n * sizeof *counts);
  qrd_sorted_count_many((const qrd_sorted *const *)s->batch, s->n_batches, c, counts);
}

int qrd_block_coded_bits(const qrd_block_sample *s, const qrd_block_sample *train,
                         const qrd_codebook *c, int huffman, double *bits)
{
  size_t *counts = malloc(c->n * sizeof *counts), *tcounts = malloc(c->n * sizeof *tcounts);
  int st = counts && tcounts ? QRD_OK : qrd_error_set(QRD_ENOMEM, "cell counts");
  if (!st) {
    qrd_block_counts(s, c, counts);
    qrd_block_counts(train, c, tcounts);
    st = coded_bits(tcounts, counts, c->n, huffman, bits);
  }
  free(counts);
  free(tcounts);
  return st;
}

/* ---- coded bits, remembered per codebook ---- */

#define MEMO_SLOTS 128 /* more than one tuning's probes */

typedef struct {
  size_t n;     /* levels; 0: empty */
  double *edge; /* n + 1 */
  double bits;
} memo_slot;

struct qrd_coded_memo {
  const qrd_block_sample *s, *train;
  int huffman;
  size_t next; /* the slot to fill next, round robin */
  memo_slot slot[MEMO_SLOTS];
};

qrd_coded_memo *qrd_coded_memo_alloc(const qrd_block_sample *s, const qrd_block_sample *train,
                                     int huffman)
{
  qrd_coded_memo *m = calloc(1, sizeof *m);
  if (!m) {
    qrd_error_set(QRD_ENOMEM, "coded-bits memo");
    return NULL;
  }
  *m = (qrd_coded_memo){.s = s, .train = train, .huffman = huffman};
  return m;
}

void qrd_coded_memo_free(qrd_coded_memo *m)
{
  if (!m)
    return;
  for (size_t i = 0; i < MEMO_SLOTS; i++)
    free(m->slot[i].edge);
  free(m);
}

int qrd_coded_memo_bits(qrd_coded_memo *m, const qrd_codebook *c, double *bits)
{
  size_t bytes = (c->n + 1) * sizeof *c->edge;
  for (size_t i = 0; i < MEMO_SLOTS; i++)
    if (m->slot[i].n == c->n && c->n && memcmp(m->slot[i].edge, c->edge, bytes) == 0) {
      *bits = m->slot[i].bits;
      return QRD_OK;
    }
  int st = qrd_block_coded_bits(m->s, m->train, c, m->huffman, bits);
  memo_slot *sl = &m->slot[m->next];
  double *edge = st ? NULL : realloc(sl->edge, bytes);
  if (edge) { /* a memo that cannot grow only forgets */
    memcpy(edge, c->edge, bytes);
    *sl = (memo_slot){.n = c->n, .edge = edge, .bits = *bits};
    m->next = (m->next + 1) % MEMO_SLOTS;
  }
  return st;
}

int qrd_block_eval_coded(const qrd_block_sample *s, const qrd_block_sample *train,
                         const qrd_codebook *c, int huffman, qrd_block_result *r)
{
  double sse[QRD_BLOCK_BATCHES], bits = 0.0;
  int st = eval_batches(s, c, sse);
  if (!st)
    st = qrd_block_coded_bits(s, train, c, huffman, &bits);
  if (!st)
    st = estimate(s, c, sse, r);
  if (st)
    return st;
  r->bits = bits_per_param(s, 0.0, bits);
  return QRD_OK;
}
