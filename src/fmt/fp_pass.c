#include "fmt/fp_pass.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fmt/bits.h"
#include "fmt/round_impl.h"
#include "mc/stats.h"
#include "quant/sampling_sd.h"

/* Values handled per pass of block_sse's inner loops. */
#define CHUNK 256

/* E, M's range: emin = 1 - 2^{E-1}, max = 2^{2^{E-1} - 1} (2 - 2^-M). */
static qrd_fp_range range_of(int e, int m)
{
  int bias = 1 << (e - 1);
  return (qrd_fp_range){.emin = 1 - bias,
                        .max = ldexp(2.0 - ldexp(1.0, -m), (1 << e) - 1 - bias)};
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

/* a >= 0 rounded on the spacing 2^{k-m} of binade k with m mantissa bits
 * (k at or below a's binade: the subnormal spacing when k is the lowest
 * normal binade), nearest with ties toward zero.  Scaling by powers of two
 * is exact and t < 2^{m+1}. */
static inline double round_on_binade(double a, int k, int m)
{
  double t = a * pow2i(m - k);
  double r = qrd_round_even(t);
  r -= r - t == 0.5; /* a tie went up: ties go toward zero */
  return r * pow2i(k - m);
}

/* Batch k holds blocks [first, last): the batches of a one-pass
 * evaluation (qrd_block_pass_range). */
static void batch_range(const qrd_fp_sample *s, size_t k, size_t *first, size_t *last)
{
  qrd_block_pass p = {.block = s->block, .n_batches = QRD_BLOCK_BATCHES};
  qrd_block_pass_range(&p, s->n, k, first, last);
}

int qrd_fp_sample_init(qrd_fp_sample *s, const double *x, size_t n, size_t block,
                       const qrd_scale_format *scale)
{
  s->x = x;
  s->source = NULL;
  s->n = n;
  s->block = block;
  s->n_blocks = n / block;
  if (!block || n % block || s->n_blocks < QRD_BLOCK_BATCHES)
    return qrd_error_set(QRD_EINVAL, "%zu values in blocks of %zu: want a whole number of at "
                         "least %d blocks", n, block, QRD_BLOCK_BATCHES);
  s->absmax = malloc(s->n_blocks * sizeof *s->absmax);
  if (!s->absmax)
    return qrd_error_set(QRD_ENOMEM, "block extremes");
#pragma omp parallel for schedule(static)
  for (size_t k = 0; k < QRD_BLOCK_BATCHES; k++) {
    size_t first, last;
    batch_range(s, k, &first, &last);
    double x2 = 0.0;
    for (size_t b = first; b < last; b++) {
      for (size_t i = b * block; i < (b + 1) * block; i++)
        x2 += x[i] * x[i];
      s->absmax[b] = qrd_max_abs(x + b * block, block);
    }
    s->x2[k] = x2;
  }
  /* summed in index order like qrd_block_sample_alloc */
  double sum2 = 0.0;
  for (size_t i = 0; i < n; i++)
    sum2 += x[i] * x[i];
  s->rms_scale = qrd_scale_quantise(scale, fmax((float)sqrt(sum2 / (double)n), FLT_MIN));
  return QRD_OK;
}

void qrd_fp_sample_free(qrd_fp_sample *s)
{
  free(s->absmax);
  s->absmax = NULL;
}

void qrd_fp_pass_init(qrd_fp_pass *p, int absmax, int m)
{
  memset(p, 0, sizeof *p);
  p->absmax = absmax;
  p->m = m;
}

void qrd_fp_pass_add(qrd_fp_pass *p, int e)
{
  qrd_fp_range r = range_of(e, p->m);
  if (p->absmax) {
    int shift = (1 << (e - 1)) - 1; /* K: max = 2^K (2 - 2^-m) */
    r.emin -= shift;
    r.max = ldexp(r.max, -shift);
  }
  p->exponent[p->n_fmt] = e;
  p->range[p->n_fmt++] = r;
}

/* The squared weight-domain error of magnitude xa (normalised a = xa / sc,
 * binade k) on format r with m mantissa bits. */
static inline double sq_error(const qrd_fp_range *r, int m, double sc, double xa, double a,
                              int k)
{
  double q = round_on_binade(a, k < r->emin ? r->emin : k, m);
  q = q < r->max ? q : r->max; /* beyond max, the rounding is >= max */
  double d = xa - sc * q;      /* sc * q is exact */
  return d * d;
}

typedef double v4d __attribute__((vector_size(4 * sizeof(double))));
typedef int64_t v4i __attribute__((vector_size(4 * sizeof(int64_t))));

/* d2[i] <- sq_error of value i (magnitude xa[i], normalised a[i], binade
 * k[i]) on format r, four values per step on GCC/clang vectors (AVX2 where
 * the machine has it): each lane does the scalar operations in the scalar
 * order (the power of two from its bits, qrd_round_even's addition and
 * subtraction, the tie test, the clip), so the squares are the scalar
 * path's bit for bit.  Comparisons give all-ones lanes, and selects are
 * masks. */
__attribute__((target_clones("avx2", "default"))) static void
chunk_errors(const qrd_fp_range *r, int m, double sc, const double *xa, const double *a,
             const int64_t *k, size_t n, double *d2)
{
  const v4i emin = {r->emin, r->emin, r->emin, r->emin}, bias = {1023, 1023, 1023, 1023},
            mm = {m, m, m, m};
  const v4d shift = {QRD_ROUND_SHIFT, QRD_ROUND_SHIFT, QRD_ROUND_SHIFT, QRD_ROUND_SHIFT},
            half = {0.5, 0.5, 0.5, 0.5},
            one = {1.0, 1.0, 1.0, 1.0}, max = {r->max, r->max, r->max, r->max},
            scv = {sc, sc, sc, sc};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v4d av, xv;
    memcpy(&av, a + i, sizeof av);
    memcpy(&xv, xa + i, sizeof xv);
    v4i kv;
    memcpy(&kv, k + i, sizeof kv);
    kv = ((kv < emin) & emin) | (~(kv < emin) & kv);
    v4d up = (v4d)((mm - kv + bias) << 52), down = (v4d)((kv - mm + bias) << 52);
    v4d t = av * up;
    v4d rr = (t + shift) - shift;
    rr -= (v4d)((v4i)one & (rr - t == half));
    v4d q = rr * down;
    q = (v4d)(((v4i)q & (q < max)) | ((v4i)max & ~(q < max)));
    v4d d = xv - scv * q;
    d = d * d;
    memcpy(d2 + i, &d, sizeof d);
  }
  for (; i < n; i++)
    d2[i] = sq_error(r, m, sc, xa[i], a[i], (int)k[i]);
}

/* xa[i] <- |x[i]|, a[i] <- xa[i] inv and k[i] <- the binade of a[i], four
 * values per step (the sign bit cleared, the exponent field shifted down:
 * binade's operations). */
__attribute__((target_clones("avx2", "default"))) static void
chunk_binades(const double *x, double inv, size_t n, double *xa, double *a, int64_t *k)
{
  const v4i magnitude = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX},
            bias = {1023, 1023, 1023, 1023};
  const v4d invv = {inv, inv, inv, inv};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v4d xv;
    memcpy(&xv, x + i, sizeof xv);
    xv = (v4d)((v4i)xv & magnitude);
    v4d av = xv * invv;
    v4i kv = ((v4i)av >> 52) - bias; /* av >= 0: the shift brings in zeros */
    memcpy(xa + i, &xv, sizeof xv);
    memcpy(a + i, &av, sizeof av);
    memcpy(k + i, &kv, sizeof kv);
  }
  for (; i < n; i++) {
    xa[i] = fabs(x[i]);
    a[i] = xa[i] * inv;
    k[i] = binade(a[i]);
  }
}

/* e[j0 .. j0 + 4) += the sums of rows[0 .. 4)[0 .. n), each as the scalar
 * code's two sums (even and odd places, added at the end).  Four values
 * of four rows are transposed so that lane j of e0 and e1 holds row j's
 * sums: the four rows' chains of additions then run side by side, in the
 * scalar order lane by lane, instead of one row's chain after another
 * (which waited an addition's latency per value). */
__attribute__((target_clones("avx2", "default"))) static void
add_rows4(const double *const rows[4], size_t n, double *e)
{
  const v4i lo = {0, 4, 2, 6}, hi = {1, 5, 3, 7}, first = {0, 1, 4, 5}, second = {2, 3, 6, 7};
  v4d e0 = {0.0, 0.0, 0.0, 0.0}, e1 = e0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v4d r0, r1, r2, r3;
    memcpy(&r0, rows[0] + i, sizeof r0);
    memcpy(&r1, rows[1] + i, sizeof r1);
    memcpy(&r2, rows[2] + i, sizeof r2);
    memcpy(&r3, rows[3] + i, sizeof r3);
    v4d l01 = __builtin_shuffle(r0, r1, lo), h01 = __builtin_shuffle(r0, r1, hi);
    v4d l23 = __builtin_shuffle(r2, r3, lo), h23 = __builtin_shuffle(r2, r3, hi);
    e0 += __builtin_shuffle(l01, l23, first);  /* place i */
    e1 += __builtin_shuffle(h01, h23, first);  /* i + 1 */
    e0 += __builtin_shuffle(l01, l23, second); /* i + 2 */
    e1 += __builtin_shuffle(h01, h23, second); /* i + 3 */
  }
  for (size_t j = 0; j < 4; j++) {
    double s0 = e0[j], s1 = e1[j];
    size_t t = i;
    for (; t + 1 < n; t += 2) {
      s0 += rows[j][t];
      s1 += rows[j][t + 1];
    }
    if (t < n)
      s0 += rows[j][t];
    e[j] += s0 + s1;
  }
}

/* e[j] += the sum of d2[j][0 .. n) for the nf formats, four at a time
 * (rows past nf read zeros and add to a scratch sum). */
static void add_chunk(size_t nf, double (*d2)[CHUNK], size_t n, double *e)
{
  static const double zeros[CHUNK];
  for (size_t j0 = 0; j0 < nf; j0 += 4) {
    const double *rows[4];
    double out[4] = {0.0};
    for (size_t j = 0; j < 4; j++)
      rows[j] = j0 + j < nf ? d2[j0 + j] : zeros;
    add_rows4(rows, n, out);
    for (size_t j = 0; j < 4 && j0 + j < nf; j++)
      e[j0 + j] += out[j];
  }
}

/* Adds one block's squared errors under scale sc to e[0..n_fmt-1] (sc = 0:
 * an all-zero block, exact).  Signs do not matter (the grids are
 * symmetric), so magnitudes are rounded; the binade of each value is found
 * once and every format then rounds on its own spacing, branch-free. */
static void block_sse(const qrd_fp_pass *p, const double *x, size_t len, double sc, double *e)
{
  if (sc == 0.0)
    return;
  double inv = 1.0 / sc, xa[CHUNK], a[CHUNK], d2[QRD_FP_PASS_MAX][CHUNK];
  int64_t k[CHUNK];
  for (size_t c = 0; c < len; c += CHUNK) {
    size_t n = len - c < CHUNK ? len - c : CHUNK;
    chunk_binades(x + c, inv, n, xa, a, k);
    for (size_t j = 0; j < p->n_fmt; j++)
      chunk_errors(&p->range[j], p->m, sc, xa, a, k, n, d2[j]);
    add_chunk(p->n_fmt, d2, n, e);
  }
}

void qrd_fp_pass_run(qrd_fp_pass *p, const qrd_fp_sample *s, const qrd_scale_format *scale)
{
  double unit = 2.0 - ldexp(1.0, -p->m);
  for (size_t k = 0; k < QRD_BLOCK_BATCHES; k++) {
    size_t first, last;
    batch_range(s, k, &first, &last);
    double e[QRD_FP_PASS_MAX] = {0.0};
    for (size_t b = first; b < last; b++) {
      double sc = p->absmax ? qrd_scale_quantise(scale, s->absmax[b] / unit) : s->rms_scale;
      block_sse(p, s->x + b * s->block, s->block, sc, e);
    }
    for (size_t j = 0; j < p->n_fmt; j++)
      p->sse[j][k] = e[j];
  }
}

int qrd_fp_pass_result(const qrd_fp_pass *p, size_t j, const qrd_fp_sample *s,
                       const qrd_scale_format *scale, qrd_block_result *r)
{
  qrd_bit_count bc = {.numel = s->n, .element_bits = 1 + p->exponent[j] + p->m,
                      .scale_bits = qrd_scale_bits(scale),
                      .n_blocks = p->absmax ? s->n_blocks : 1};
  qrd_block_jackknife(p->sse[j], 1, s->x2, QRD_BLOCK_BATCHES, r);
  r->bits = qrd_bits_per_param(&bc);
  if (p->absmax || !s->source)
    return QRD_OK;
  qrd_element *e = NULL;
  int st = qrd_element_fp(p->exponent[j], p->m, QRD_FP_NEAREST, &e);
  double pop;
  if (!st)
    st = qrd_rel_rmse_sd(s->source, e->cb, s->rms_scale, (double)s->n, &pop, &r->rel_rmse_se);
  if (st == QRD_EDOM) {
    r->rel_rmse_se = INFINITY;
    st = QRD_OK;
  }
  if (e)
    qrd_element_free(e);
  return st;
}
