#include "mat/rates.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mc/entropy.h"

/* Code ranges up to this many symbols (or up to the sample size) are
 * counted in an offset histogram; wider ones, from tiny steps or outliers,
 * by sorting, so memory stays O(N). */
#define HIST_MAX ((size_t)1 << 22)

/* Rows of E and E Sigma held at once by qrd_wmse. */
#define WMSE_CHUNK 256

static const char *const KIND_NAME[] = {
  [QRD_RATE_FIXED] = "fixed",
  [QRD_RATE_ENTROPY_COL] = "entropy_col",
  [QRD_RATE_ENTROPY_POOLED] = "entropy_pooled",
  [QRD_RATE_HUFFMAN] = "huffman",
};
#define N_KINDS (sizeof KIND_NAME / sizeof KIND_NAME[0])

const char *qrd_rate_kind_name(qrd_rate_kind k)
{
  return (size_t)k < N_KINDS ? KIND_NAME[k] : "?";
}

int qrd_rate_kind_parse(const char *name, qrd_rate_kind *k)
{
  for (size_t i = 0; i < N_KINDS; i++)
    if (strcmp(name, KIND_NAME[i]) == 0) {
      *k = (qrd_rate_kind)i;
      return QRD_OK;
    }
  return qrd_error_set(QRD_EINVAL,
                       "rate kind '%s' unknown (allowed: fixed, entropy_col, "
                       "entropy_pooled, huffman)", name);
}

void qrd_rate_describe(const qrd_rate_opts *how, char *buf, size_t len)
{
  snprintf(buf, len, "%s%s%s", qrd_rate_kind_name(how->kind),
           how->miller_madow ? "+mm" : "", how->side_info ? "+side" : "");
}

/* ---- counting symbols ---- */

typedef struct {
  size_t *count; /* occupied symbols' counts, compacted */
  size_t count_cap;
  uint32_t *hist; /* an offset histogram: 32-bit counts, half the cache */
  size_t hist_cap;
  int32_t *sorted;
  size_t sorted_cap;
} tally;

static void tally_free(tally *t)
{
  free(t->count);
  free(t->hist);
  free(t->sorted);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
  if (need <= *cap)
    return QRD_OK;
  void *q = realloc(*p, need * size);
  if (!q)
    return qrd_error_set(QRD_ENOMEM, "rate: %zu symbols", need);
  *p = q;
  *cap = need;
  return QRD_OK;
}

static int cmp_i32(const void *a, const void *b)
{
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

static void code_range(const int32_t *x, size_t N, size_t stride, int32_t *lo, int32_t *hi)
{
  *lo = *hi = x[0];
  for (size_t i = 1; i < N; i++) {
    int32_t v = x[i * stride];
    *lo = v < *lo ? v : *lo;
    *hi = v > *hi ? v : *hi;
  }
}

/* t->count[0..K) <- the non-zero counts of hist[0..range) in symbol
 * order; returns K. */
static size_t compact_counts(tally *t, const uint32_t *hist, size_t range, int *st)
{
  size_t k = 0;
  if ((*st = grow((void **)&t->count, &t->count_cap, range, sizeof *t->count)))
    return 0;
  for (size_t s = 0; s < range; s++)
    if (hist[s])
      t->count[k++] = hist[s];
  return k;
}

/* t->count[0..*K) <- the counts of the distinct values among x[i * stride],
 * i < N (N >= 1). */
static int tally_counts(tally *t, const int32_t *x, size_t N, size_t stride, size_t *K)
{
  int32_t lo, hi;
  code_range(x, N, stride, &lo, &hi);
  size_t range = (size_t)((int64_t)hi - lo) + 1, k = 0;
  int st;
  if (N <= UINT32_MAX && (range <= HIST_MAX || range <= N)) {
    if ((st = grow((void **)&t->hist, &t->hist_cap, range, sizeof *t->hist)))
      return st;
    memset(t->hist, 0, range * sizeof *t->hist);
    for (size_t i = 0; i < N; i++)
      t->hist[x[i * stride] - lo]++;
    k = compact_counts(t, t->hist, range, &st);
    if (st)
      return st;
  } else {
    if ((st = grow((void **)&t->sorted, &t->sorted_cap, N, sizeof *t->sorted)) ||
        (st = grow((void **)&t->count, &t->count_cap, N, sizeof *t->count)))
      return st;
    for (size_t i = 0; i < N; i++)
      t->sorted[i] = x[i * stride];
    qsort(t->sorted, N, sizeof *t->sorted, cmp_i32);
    for (size_t i = 0; i < N; i++) {
      if (i == 0 || t->sorted[i] != t->sorted[i - 1])
        t->count[k++] = 0;
      t->count[k - 1]++;
    }
  }
  *K = k;
  return QRD_OK;
}

/* Plug-in entropy of the tallied counts, plus the Miller-Madow term. */
static double tally_entropy(const tally *t, size_t K, size_t N, int mm)
{
  double h = qrd_entropy_of_counts(t->count, K);
  return mm ? h + (double)(K - 1) / (2.0 * (double)N * M_LN2) : h;
}

/* Columns are read COL_TILE at a time into a contiguous buffer: walking
 * the row-major codes with stride n was nearly half of a figure's time. */
#define COL_TILE 16

static void load_tile(const int32_t *Z, size_t rows, size_t n, size_t j0, size_t w,
                      int32_t *buf)
{
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < w; c++)
      buf[c * rows + r] = Z[r * n + j0 + c];
}

/* Any code ranges: each column tallied on its own (histogram or sort). */
static int column_entropies_tiled(tally *t, const int32_t *Z, size_t rows, size_t n, int mm,
                                  double *h, double *ksum)
{
  int32_t *buf = malloc(COL_TILE * rows * sizeof *buf);
  int st = buf ? QRD_OK : qrd_error_set(QRD_ENOMEM, "rate: column buffer");
  for (size_t j0 = 0; !st && j0 < n; j0 += COL_TILE) {
    size_t w = n - j0 < COL_TILE ? n - j0 : COL_TILE;
    load_tile(Z, rows, n, j0, w, buf);
    for (size_t c = 0; !st && c < w; c++) {
      size_t K;
      st = tally_counts(t, buf + c * rows, rows, 1, &K);
      h[j0 + c] = st ? NAN : tally_entropy(t, K, rows, mm);
      *ksum += st ? 0.0 : (double)K;
    }
  }
  free(buf);
  return st;
}

/* lo[j], hi[j] <- the least and greatest of column j: a min and a max
 * across each row, on vectors (SSE2 has no 32-bit integer min/max, AVX2
 * does). */
__attribute__((target_clones("avx2", "default"))) static void
column_extremes(const int32_t *restrict Z, size_t rows, size_t n, int32_t *restrict lo,
                int32_t *restrict hi)
{
  memcpy(lo, Z, n * sizeof *lo);
  memcpy(hi, Z, n * sizeof *hi);
  for (size_t r = 1; r < rows; r++) {
    const int32_t *restrict row = Z + r * n;
    _Pragma("omp simd") for (size_t j = 0; j < n; j++)
    {
      lo[j] = row[j] < lo[j] ? row[j] : lo[j];
      hi[j] = row[j] > hi[j] ? row[j] : hi[j];
    }
  }
}

/* Per-column ranges [lo[j], hi[j]] and histogram offsets off[0..n]; 0 when
 * the histograms together would outgrow O(rows n + HIST_MAX) counts. */
static int column_ranges(const int32_t *Z, size_t rows, size_t n, int32_t *lo, int32_t *hi,
                         size_t *off)
{
  column_extremes(Z, rows, n, lo, hi);
  off[0] = 0;
  for (size_t j = 0; j < n; j++) {
    off[j + 1] = off[j] + (size_t)((int64_t)hi[j] - lo[j]) + 1;
    if (off[j + 1] > rows * n + HIST_MAX)
      return 0;
  }
  return 1;
}

/* Narrow code ranges (the usual case): every column's histogram filled in
 * one row-major pass, whose consecutive increments go to different
 * columns; the counts, in symbol order, are those tally_counts gives. */
static int column_entropies_rows(tally *t, const int32_t *Z, size_t rows, size_t n, int mm,
                                 double *h, double *ksum, int *done)
{
  int32_t *lo = malloc(n * sizeof *lo), *hi = malloc(n * sizeof *hi);
  size_t *off = malloc((n + 1) * sizeof *off);
  int64_t *base = malloc(n * sizeof *base);
  uint32_t *count = NULL; /* 32-bit, as the tally's histogram */
  int st = lo && hi && off && base ? QRD_OK
                                   : qrd_error_set(QRD_ENOMEM, "rate: %zu column ranges", n);
  *done = !st && rows <= UINT32_MAX && column_ranges(Z, rows, n, lo, hi, off);
  if (*done && !(count = calloc(off[n], sizeof *count)))
    st = qrd_error_set(QRD_ENOMEM, "rate: %zu histogram bins", off[n]);
  for (size_t j = 0; count && j < n; j++) /* column j's bin of code z is base[j] + z */
    base[j] = (int64_t)off[j] - lo[j];
  for (size_t r = 0; count && r < rows; r++) {
    const int32_t *row = Z + r * n;
    for (size_t j = 0; j < n; j++)
      count[base[j] + row[j]]++;
  }
  for (size_t j = 0; count && !st && j < n; j++) {
    size_t K = compact_counts(t, count + off[j], off[j + 1] - off[j], &st);
    if (st)
      break;
    h[j] = tally_entropy(t, K, rows, mm);
    *ksum += (double)K;
  }
  free(lo);
  free(hi);
  free(off);
  free(base);
  free(count);
  return st;
}

static int column_entropies(tally *t, const int32_t *Z, size_t rows, size_t n, int mm,
                            double *h, double *mean_k)
{
  double ksum = 0.0;
  int done, st = column_entropies_rows(t, Z, rows, n, mm, h, &ksum, &done);
  if (!st && !done)
    st = column_entropies_tiled(t, Z, rows, n, mm, h, &ksum);
  if (st)
    return st;
  *mean_k = ksum / (double)n;
  return QRD_OK;
}

int qrd_rate_column_entropies(const int32_t *Z, size_t rows, size_t n, int mm, double *h)
{
  if (rows == 0 || n == 0)
    return qrd_error_set(QRD_EINVAL, "rate: empty %zu x %zu code matrix", rows, n);
  tally t = {0};
  double mean_k;
  int st = column_entropies(&t, Z, rows, n, mm, h, &mean_k);
  tally_free(&t);
  return st;
}

static int huffman_bits(const tally *t, size_t K, size_t N, double *bits)
{
  qrd_huffman *hf = qrd_huffman_alloc(K);
  unsigned *len = malloc(K * sizeof *len);
  int st = hf && len ? QRD_OK : qrd_error_set(QRD_ENOMEM, "rate: huffman of %zu symbols", K);
  if (!st)
    st = qrd_huffman_lengths_counts(hf, t->count, K, len);
  if (!st)
    *bits = qrd_code_bits(t->count, len, K) / (double)N;
  free(len);
  qrd_huffman_free(hf);
  return st;
}

static int measure(tally *t, const qrd_rate_opts *how, const int32_t *Z, size_t rows,
                   size_t n, qrd_rate *out)
{
  size_t N = rows * n, K;
  int st;
  switch (how->kind) {
  case QRD_RATE_FIXED: {
    int32_t lo, hi;
    code_range(Z, N, 1, &lo, &hi);
    out->symbols = (double)((int64_t)hi - lo + 1);
    out->bits = log2(out->symbols);
    return QRD_OK;
  }
  case QRD_RATE_ENTROPY_COL: {
    double *h = malloc(n * sizeof *h), sum = 0.0;
    if (!h)
      return qrd_error_set(QRD_ENOMEM, "rate: %zu column entropies", n);
    if (!(st = column_entropies(t, Z, rows, n, how->miller_madow, h, &out->symbols)))
      for (size_t j = 0; j < n; j++)
        sum += h[j];
    free(h);
    out->bits = sum / (double)n;
    return st;
  }
  case QRD_RATE_ENTROPY_POOLED:
    if ((st = tally_counts(t, Z, N, 1, &K)))
      return st;
    out->symbols = (double)K;
    out->bits = tally_entropy(t, K, N, how->miller_madow);
    return QRD_OK;
  case QRD_RATE_HUFFMAN:
    if ((st = tally_counts(t, Z, N, 1, &K)))
      return st;
    out->symbols = (double)K;
    return huffman_bits(t, K, N, &out->bits);
  }
  return qrd_error_set(QRD_EINVAL, "rate: unknown kind %d", (int)how->kind);
}

int qrd_rate_measure(const qrd_rate_opts *how, const int32_t *Z, size_t rows,
                     size_t n, double side_bits, qrd_rate *out)
{
  if (rows == 0 || n == 0)
    return qrd_error_set(QRD_EINVAL, "rate: empty %zu x %zu code matrix", rows, n);
  int entropy = how->kind == QRD_RATE_ENTROPY_COL || how->kind == QRD_RATE_ENTROPY_POOLED;
  if (how->miller_madow && !entropy)
    return qrd_error_set(QRD_EINVAL,
                         "rate: Miller-Madow applies to entropy_col and entropy_pooled, "
                         "not %s", qrd_rate_kind_name(how->kind));
  if (how->side_info && !(side_bits >= 0.0 && isfinite(side_bits)))
    return qrd_error_set(QRD_EINVAL, "rate: side information %g bits", side_bits);
  tally t = {0};
  memset(out, 0, sizeof *out);
  out->how = *how;
  int st = measure(&t, how, Z, rows, n, out);
  tally_free(&t);
  if (!st && how->side_info) {
    out->side_bits = side_bits;
    out->bits += side_bits;
  }
  return st;
}

/* ---- weighted MSE ---- */

int qrd_wmse(size_t rows, size_t n, const double *W, const double *What,
             const double *Sigma, double *D)
{
  if (rows == 0 || n == 0)
    return qrd_error_set(QRD_EINVAL, "wmse: empty %zu x %zu matrix", rows, n);
  size_t chunk = rows < WMSE_CHUNK ? rows : WMSE_CHUNK;
  double *E = malloc(2 * chunk * n * sizeof *E);
  if (!E)
    return qrd_error_set(QRD_ENOMEM, "wmse: %zu x %zu workspace", chunk, n);
  double *ES = E + chunk * n, sum = 0.0;
  for (size_t r0 = 0; r0 < rows; r0 += chunk) {
    size_t c = rows - r0 < chunk ? rows - r0 : chunk, len = c * n;
    const double *w = W + r0 * n;
    for (size_t i = 0; i < len; i++)
      E[i] = What ? w[i] - What[r0 * n + i] : w[i];
    cblas_dsymm(CblasRowMajor, CblasRight, CblasUpper, (int)c, (int)n, 1.0, Sigma,
                (int)n, E, (int)n, 0.0, ES, (int)n);
    sum += cblas_ddot((int)len, E, 1, ES, 1);
  }
  free(E);
  *D = sum / ((double)rows * (double)n);
  return QRD_OK;
}
