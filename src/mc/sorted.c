#include "mc/sorted.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>
#include <omp.h>

#include "core/bigalloc.h"
#include "core/error.h"

/* ---- sorting: MSD radix sort of order-preserving integer keys ----
 *
 * A comparison sort of 2^24 doubles through qsort takes seconds; radix
 * passes over digits of up to 11 bits take a fraction of that and carry
 * the weights along without an index array.  Most significant digit
 * first: one pass over the whole array (split over the threads by
 * contiguous slices, thread t's elements going after thread t-1's in every
 * bucket, so it is stable), then each bucket on its own, in parallel,
 * recursively until a bucket fits in cache, where a least-significant-digit
 * sort finishes its remaining bits: two or three passes through memory
 * instead of six (2^24 values 0.20 -> 0.14 s on 2 threads; a sample's
 * 2^18-value batches, already in cache, take the LSD sort directly).
 * Every step is stable, so the output is the unique stable order whatever
 * the thread count or schedule. */

#define DIGIT_BITS 11
#define BUCKETS ((size_t)1 << DIGIT_BITS)
#define MIN_DIGIT_BITS 4
/* Up to SMALL_RUN values an insertion sort; up to LEAF_RUN (2 MiB of
 * keys: in this share of the caches) the least-significant-digit sort. */
#define SMALL_RUN 32
#define LEAF_RUN ((size_t)1 << 18)
/* Leading bits beyond log2 n that the LSD passes sort (see lsd_sort). */
#define TIE_BITS 14
/* Sign and exponent: the top bits of a key. */
#define HEAD_BITS 12
#define MANT_MASK ((UINT64_C(1) << (64 - HEAD_BITS)) - 1)
/* The LSD sort's widest digit: 2^18 weighted keys took 8% less time in
 * four passes of 9 bits than in three of 11 (a pass writes into 2^width
 * buckets of keys and as many of weights: 1024 streams at 9 bits, 4096 at
 * 11). */
#define LSD_DIGIT_BITS 9
/* Below this many values per thread, a pass's barriers cost more than the
 * second thread saves (and callers sort many small batches in parallel). */
#define SORT_MIN_SLICE ((size_t)1 << 20)

/* Flips negative doubles entirely and sets the sign bit of the others, so
 * unsigned key order is numeric order (-0 sorts just before +0, which
 * compare equal anyway). */
static uint64_t key_of(double v)
{
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double value_of(uint64_t k)
{
  uint64_t u = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
  double v;
  memcpy(&v, &u, sizeof v);
  return v;
}

/* A sample's keys take a few dozen of the 4096 values of their head (the
 * weights of a normalised tensor span a few binades), so above LEAF_RUN
 * keys the head is replaced by its rank among those present: an
 * order-preserving map, and the keys' order, and so the stable sort, is
 * unchanged.  The ranked head takes r bits instead of 12, and the first
 * MSD digit splits the sample over mantissa bits as well as binades, where
 * on the raw head it left buckets of whole binades, too large for the
 * leaves, for a second pass through memory (2^24 normalised t5 values,
 * counts only, 2 threads: 242-268 -> 200-231 ms).  A run the LSD sort
 * takes whole keeps its raw head: the pass over it has few buckets and
 * costs little, and three passes over the ranked head plus the scan that
 * ranks it took as long as four. */
typedef struct {
  int ranked;                    /* 0: the head as it is (the arrays unset) */
  uint16_t rank[1 << HEAD_BITS]; /* the rank of each head present */
  uint16_t head[1 << HEAD_BITS]; /* the head of each rank */
} key_map;

static void map_build(const double *x, size_t n, key_map *m)
{
  /* bytes, stored without reading them back: no chain through memory */
  unsigned char seen[1 << HEAD_BITS] = {0};
#pragma omp parallel for schedule(static) reduction(max : seen[:1 << HEAD_BITS]) \
  if (n >= SORT_MIN_SLICE)
  for (size_t i = 0; i < n; i++)
    seen[key_of(x[i]) >> (64 - HEAD_BITS)] = 1;
  unsigned r = 0;
  for (unsigned h = 0; h < (1u << HEAD_BITS); h++)
    if (seen[h]) {
      m->rank[h] = (uint16_t)r;
      m->head[r++] = (uint16_t)h;
    }
  m->ranked = 1;
}

static uint64_t map_key(const key_map *m, uint64_t k)
{
  if (!m->ranked)
    return k;
  return (uint64_t)m->rank[k >> (64 - HEAD_BITS)] << (64 - HEAD_BITS) | (k & MANT_MASK);
}

static double value_of_mapped(const key_map *m, uint64_t k)
{
  if (m->ranked)
    k = (uint64_t)m->head[k >> (64 - HEAD_BITS)] << (64 - HEAD_BITS) | (k & MANT_MASK);
  return value_of(k);
}

/* Keys with their weights (w NULL when unweighted). */
typedef struct {
  uint64_t *key;
  double *w;
} run;

static run run_at(run r, size_t i) { return (run){r.key + i, r.w ? r.w + i : NULL}; }

static void run_copy(run to, run from, size_t n)
{
  memcpy(to.key, from.key, n * sizeof *to.key);
  if (from.w)
    memcpy(to.w, from.w, n * sizeof *to.w);
}

static void insertion_sort(run r, size_t n)
{
  for (size_t i = 1; i < n; i++) {
    uint64_t k = r.key[i];
    double w = r.w ? r.w[i] : 0.0;
    size_t j = i;
    for (; j > 0 && r.key[j - 1] > k; j--) {
      r.key[j] = r.key[j - 1];
      if (r.w)
        r.w[j] = r.w[j - 1];
    }
    r.key[j] = k;
    if (r.w)
      r.w[j] = w;
  }
}

static inline size_t digit_at(uint64_t k, int shift, int bits)
{
  return (size_t)(k >> shift) & (((size_t)1 << bits) - 1);
}

static int bit_length(size_t n) { return n ? 64 - __builtin_clzll(n) : 0; }

/* a clamped to [MIN_DIGIT_BITS, DIGIT_BITS], and to the bits left. */
static int digit_width(int a, int bits)
{
  a = a < MIN_DIGIT_BITS ? MIN_DIGIT_BITS : a > DIGIT_BITS ? DIGIT_BITS : a;
  return a < bits ? a : bits;
}

/* Stable scatter of cur[lo, hi) to tmp by the digit, bucket b's next slot
 * at pos[b]. */
static void scatter(run cur, run tmp, size_t lo, size_t hi, int shift, int bits, size_t *pos)
{
  for (size_t i = lo; i < hi; i++) {
    size_t at = pos[digit_at(cur.key[i], shift, bits)]++;
    tmp.key[at] = cur.key[i];
    if (cur.w)
      tmp.w[at] = cur.w[i];
  }
}

/* Exclusive prefix sums of count[0 .. nb) in place; returns 0 when every
 * key falls in bucket `first` (the pass would only copy). */
static int offsets(size_t *count, size_t nb, size_t n, size_t first)
{
  if (count[first] == n)
    return 0;
  for (size_t b = 0, pos = 0; b < nb; b++) {
    size_t c = count[b];
    count[b] = pos;
    pos += c;
  }
  return 1;
}

static void lsd_sort(run cur, run tmp, size_t n, int bits, int to_tmp);

/* cur[0, n) is in order by the bits above its low `low` ones: each run of
 * keys equal there is put in order by the rest, stably (a long run by the
 * LSD sort, with tmp's matching slice as scratch).  msd_sort makes the
 * same choice, but through a call per run, and most runs are pairs: 64
 * sorts of 2^18 weighted keys took about 5% longer that way. */
static void settle_ties(run cur, run tmp, size_t n, int low)
{
  for (size_t a = 0, b; a < n; a = b) {
    uint64_t top = cur.key[a] >> low;
    for (b = a + 1; b < n && cur.key[b] >> low == top; b++)
      ;
    if (b - a > SMALL_RUN)
      lsd_sort(run_at(cur, a), run_at(tmp, a), b - a, low, 0);
    else if (b - a > 1)
      insertion_sort(run_at(cur, a), b - a);
  }
}

/* A run in cache, by its low `bits` bits from the least significant
 * digit (a digit shared by every key skips its scatter); a digit's
 * histogram has at most about n / 8 buckets, so that clearing and scanning
 * it costs less than the pass.  Only the top log2 n + TIE_BITS of those
 * bits go through the passes: n keys of a sample rarely agree in that
 * many leading bits (the sign and exponent take at most 12 of them), so
 * one scan for equal neighbours then orders the few ties by the rest
 * (settle_ties), where passes over the low bits moved every key again
 * (2^18 keys: 33 bits in four passes, where 64 took six).  The result is
 * the same stable order.  It ends in tmp when to_tmp, else in cur. */
static void lsd_sort(run cur, run tmp, size_t n, int bits, int to_tmp)
{
  size_t c[BUCKETS];
  int low = bits - bit_length(n) - TIE_BITS;
  low = low > 0 ? low : 0;
  int top = bits - low, width = digit_width(bit_length(n) - 3, top);
  width = width < LSD_DIGIT_BITS ? width : LSD_DIGIT_BITS;
  int passes = (top + width - 1) / width;
  width = (top + passes - 1) / passes;
  size_t nb = (size_t)1 << width;
  for (int p = 0; p < passes; p++) {
    int shift = low + p * width;
    memset(c, 0, nb * sizeof *c);
    for (size_t i = 0; i < n; i++)
      c[digit_at(cur.key[i], shift, width)]++;
    if (!offsets(c, nb, n, digit_at(cur.key[0], shift, width)))
      continue;
    scatter(cur, tmp, 0, n, shift, width, c);
    run t = cur;
    cur = tmp;
    tmp = t;
    to_tmp = !to_tmp;
  }
  if (low)
    settle_ties(cur, tmp, n, low);
  if (to_tmp)
    run_copy(tmp, cur, n);
}

/* Sorts the n entries of cur by their low `bits` bits (the bits above are
 * equal), with tmp as scratch of the same size; the result ends in tmp
 * when to_tmp, else in cur. */
static void msd_sort(run cur, run tmp, size_t n, int bits, int to_tmp)
{
  size_t count[BUCKETS];
  while (n > LEAF_RUN && bits > 0) {
    /* about LEAF_RUN / 2 keys a bucket where the digit is uniform */
    int db = digit_width(bit_length(n / LEAF_RUN) + 1, bits), shift = bits - db;
    size_t nb = (size_t)1 << db;
    memset(count, 0, nb * sizeof *count);
    for (size_t i = 0; i < n; i++)
      count[digit_at(cur.key[i], shift, db)]++;
    bits = shift;
    if (!offsets(count, nb, n, digit_at(cur.key[0], shift, db)))
      continue;
    scatter(cur, tmp, 0, n, shift, db, count);
    /* count[b] is now bucket b's end; its keys are in tmp */
    for (size_t b = 0, from = 0; b < nb; from = count[b++])
      if (count[b] > from)
        msd_sort(run_at(tmp, from), run_at(cur, from), count[b] - from, bits, !to_tmp);
    return;
  }
  if (bits > 0 && n > SMALL_RUN) {
    lsd_sort(cur, tmp, n, bits, to_tmp);
    return;
  }
  if (bits > 0)
    insertion_sort(cur, n);
  if (to_tmp)
    run_copy(tmp, cur, n);
}

typedef struct {
  size_t from, n;
} bucket;

static int larger_first(const void *a, const void *b)
{
  size_t x = ((const bucket *)a)->n, y = ((const bucket *)b)->n;
  return (x < y) - (x > y);
}

/* Sorts the n entries of cur in place, tmp as scratch, by their low
 * `bits` bits (those above are the same in every key): above
 * SORT_MIN_SLICE values a thread, the top digit in one parallel pass, then
 * the buckets in parallel, the largest first. */
static int radix_sort(run cur, run tmp, size_t n, int bits)
{
  int nt = omp_get_max_threads();
  if ((size_t)nt > n / SORT_MIN_SLICE + 1)
    nt = (int)(n / SORT_MIN_SLICE + 1);
  if (bits == 0)
    return QRD_OK;
  if (nt == 1) {
    msd_sort(cur, tmp, n, bits, 0);
    return QRD_OK;
  }
  int db = digit_width(DIGIT_BITS, bits), shift = bits - db;
  size_t nb = (size_t)1 << db;
  size_t(*h)[BUCKETS] = malloc((size_t)nt * sizeof *h);
  bucket *bk = malloc(nb * sizeof *bk);
  if (!h || !bk) {
    free(h);
    free(bk);
    return qrd_error_set(QRD_ENOMEM, "sorted: radix histograms");
  }
  size_t n_bk = 0;
#pragma omp parallel num_threads(nt)
  {
    /* The team may be smaller than asked; slices follow the real size. */
    int t = omp_get_thread_num(), team = omp_get_num_threads();
    size_t lo = n * (size_t)t / (size_t)team, hi = n * (size_t)(t + 1) / (size_t)team;
    memset(h[t], 0, nb * sizeof *h[t]);
    for (size_t i = lo; i < hi; i++)
      h[t][digit_at(cur.key[i], shift, db)]++;
#pragma omp barrier
#pragma omp single
    {
      for (size_t k = 0, pos = 0; k < nb; k++) {
        size_t from = pos;
        for (int u = 0; u < team; u++) {
          size_t c = h[u][k];
          h[u][k] = pos;
          pos += c;
        }
        if (pos > from)
          bk[n_bk++] = (bucket){from, pos - from};
      }
      qsort(bk, n_bk, sizeof *bk, larger_first);
    }
    scatter(cur, tmp, lo, hi, shift, db, h[t]);
#pragma omp barrier
#pragma omp for schedule(dynamic, 1)
    for (size_t k = 0; k < n_bk; k++)
      msd_sort(run_at(tmp, bk[k].from), run_at(cur, bk[k].from), bk[k].n, shift, 1);
  }
  free(h);
  free(bk);
  return QRD_OK;
}

/* ---- prefix sums ----
 *
 * p[k] holds the sums over the first k blocks of QRD_SORTED_STRIDE values.
 * Each block is summed on its own and the block sums are accumulated with
 * Neumaier's compensation, so every stored p[k] is the sum of its block
 * sums rounded once; a query adds a fresh in-block tail.  A cell's sums are then
 * (p[kb] - p[ka]) + (tail_b - tail_a): the large prefixes cancel first and
 * carry one rounding each, not one per element before them. */

/* One element's contribution, in long double. */
static inline void accumulate(long double a[3], double x, double w)
{
  long double wx = (long double)w * x;
  a[0] += w;
  a[1] += wx;
  a[2] += wx * x;
}

/* t <- sums over x[from .. to-1] with weights w (NULL: ones). */
static void range_sum(const double *x, const double *w, size_t from, size_t to,
                      long double t[3])
{
  t[0] = t[1] = t[2] = 0.0L;
  for (size_t j = from; j < to; j++)
    accumulate(t, x[j], w ? w[j] : 1.0);
}

/* t <- sums over x[i - i % STRIDE .. i-1], the part of a prefix that p
 * does not hold. */
static void tail(const qrd_sorted *s, size_t i, long double t[3])
{
  range_sum(s->x, s->w, i - i % QRD_SORTED_STRIDE, i, t);
}

/* a <- sums over x[0 .. i-1]. */
static void prefix(const qrd_sorted *s, size_t i, long double a[3])
{
  tail(s, i, a);
  for (int m = 0; m < 3; m++)
    a[m] += s->p[i / QRD_SORTED_STRIDE][m];
}

/* The block sums in p[1..] become prefixes in place: one compensated
 * scan. */
static void scan_prefix(qrd_sorted *s)
{
  size_t nblk = s->n / QRD_SORTED_STRIDE;
  long double run[3] = {0.0L, 0.0L, 0.0L}, comp[3] = {0.0L, 0.0L, 0.0L};
  for (size_t k = 0;; k++) {
    long double b[3];
    if (k < nblk)
      memcpy(b, s->p[k + 1], sizeof b);
    for (int m = 0; m < 3; m++)
      s->p[k][m] = run[m] + comp[m];
    if (k == nblk)
      break;
    for (int m = 0; m < 3; m++) {
      long double t = run[m] + b[m];
      comp[m] += fabsl(run[m]) >= fabsl(b[m]) ? (run[m] - t) + b[m] : (b[m] - t) + run[m];
      run[m] = t;
    }
  }
}

static size_t n_fences(size_t n) { return (n + QRD_SORTED_STRIDE - 1) / QRD_SORTED_STRIDE; }

/* ---- alloc ---- */

/* The first value that sort_keys found invalid, named in the error. */
static int name_bad_input(const double *x, const double *w, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i]))
      return qrd_error_set(QRD_EINVAL, "sorted: x[%zu] = %g is not finite", i, x[i]);
    if (w && !(isfinite(w[i]) && w[i] >= 0.0))
      return qrd_error_set(QRD_EINVAL, "sorted: weight w[%zu] = %g is not finite and >= 0",
                           i, w[i]);
  }
  return QRD_OK;
}

/* *out <- the keys of x[0 .. n) (n >= 1) under the map *m sorted, with
 * the weights w (NULL: none) in their order; the caller qrd_big_frees
 * both.  The pass that makes the keys also finds the bits in which they
 * differ and, in *bad, whether some x is not finite or some w not finite
 * and >= 0 (what is sorted then is the keys as they are). */
static int sort_keys(const double *x, const double *w, size_t n, key_map *m, run *out,
                     int *bad)
{
  run b = {qrd_big_alloc(n, sizeof *b.key), w ? qrd_big_alloc(n, sizeof *b.w) : NULL},
      tmp = {qrd_big_alloc(n, sizeof *tmp.key), w ? qrd_big_alloc(n, sizeof *tmp.w) : NULL};
  int st = QRD_OK, invalid = 0;
  if (!b.key || !tmp.key || (w && (!b.w || !tmp.w)))
    st = qrd_error_set(QRD_ENOMEM, "sort: %zu values", n);
  if (!st) {
    m->ranked = 0;
    if (n > LEAF_RUN)
      map_build(x, n, m);
    uint64_t first = map_key(m, key_of(x[0])), diff = 0;
#pragma omp parallel for schedule(static) reduction(| : diff, invalid) if (n >= SORT_MIN_SLICE)
    for (size_t i = 0; i < n; i++) {
      b.key[i] = map_key(m, key_of(x[i]));
      diff |= b.key[i] ^ first;
      invalid |= !isfinite(x[i]);
      if (w) {
        b.w[i] = w[i];
        invalid |= !(isfinite(w[i]) && w[i] >= 0.0);
      }
    }
    st = radix_sort(b, tmp, n, diff ? 64 - __builtin_clzll(diff) : 0);
  }
  qrd_big_free(tmp.key);
  qrd_big_free(tmp.w);
  if (st) {
    qrd_big_free(b.key);
    qrd_big_free(b.w);
    b = (run){NULL, NULL};
  }
  *out = b;
  *bad = invalid;
  return st;
}

/* The sorted keys' values, in place (the key buffer becomes the value
 * array: allocated storage takes the effective type of what is stored in
 * it), a stride at a time; on the way, when fence is not NULL, each
 * stride's first value goes to fence[k] and, when p is not NULL, a whole
 * stride's sums to p[k + 1] (the weights w in the keys' order). */
static double *decode(const key_map *m, uint64_t *key, const double *w, size_t n,
                      double *fence, long double (*p)[3])
{
  double *x = (double *)(void *)key;
#pragma omp parallel for schedule(static) if (n >= SORT_MIN_SLICE)
  for (size_t k = 0; k < n_fences(n); k++) {
    size_t from = k * QRD_SORTED_STRIDE;
    size_t to = n - from > QRD_SORTED_STRIDE ? from + QRD_SORTED_STRIDE : n;
    for (size_t i = from; i < to; i++) {
      double v = value_of_mapped(m, key[i]);
      x[i] = v;
    }
    if (fence)
      fence[k] = x[from];
    if (p && to - from == QRD_SORTED_STRIDE)
      range_sum(x, w, from, to, p[k + 1]);
  }
  return x;
}

int qrd_sort_pairs(const double *x, const double *w, size_t n, double **xs, double **ws)
{
  *xs = NULL;
  if (ws)
    *ws = NULL;
  if (n == 0)
    return QRD_OK;
  run b;
  key_map m;
  int bad, st = sort_keys(x, w, n, &m, &b, &bad);
  if (st)
    return st;
  *xs = decode(&m, b.key, NULL, n, NULL, NULL);
  if (ws)
    *ws = b.w;
  else
    qrd_big_free(b.w);
  return QRD_OK;
}

/* with_sums: the prefix sums too (every query), else only the fences (the
 * counting queries). */
static qrd_sorted *sorted_alloc(const double *x, const double *w, size_t n, int with_sums)
{
  if (n == 0) {
    qrd_error_set(QRD_EINVAL, "sorted: empty sample");
    return NULL;
  }
  qrd_sorted *s = calloc(1, sizeof *s);
  run b = {NULL, NULL};
  key_map m;
  int bad = 0, st = s ? sort_keys(x, w, n, &m, &b, &bad)
                      : qrd_error_set(QRD_ENOMEM, "sorted: sample of %zu values", n);
  if (!st && bad)
    st = name_bad_input(x, w, n);
  if (!st) {
    s->n = n;
    s->w = b.w;
    b.w = NULL;
    if (with_sums)
      s->p = malloc((n / QRD_SORTED_STRIDE + 1) * sizeof *s->p);
    s->fence = malloc(n_fences(n) * sizeof *s->fence);
    if ((with_sums && !s->p) || !s->fence) {
      st = qrd_error_set(QRD_ENOMEM, "sorted: prefix sums");
    } else {
      s->x = decode(&m, b.key, s->w, n, s->fence, s->p);
      b.key = NULL;
      if (with_sums)
        scan_prefix(s);
    }
  }
  qrd_big_free(b.key);
  qrd_big_free(b.w);
  if (st) {
    qrd_sorted_free(s);
    return NULL;
  }
  return s;
}

qrd_sorted *qrd_sorted_alloc(const double *x, const double *w, size_t n)
{
  return sorted_alloc(x, w, n, 1);
}

qrd_sorted *qrd_sorted_alloc_counts(const double *x, size_t n)
{
  return sorted_alloc(x, NULL, n, 0);
}

void qrd_sorted_free(qrd_sorted *s)
{
  if (!s)
    return;
  qrd_big_free(s->x);
  qrd_big_free(s->w);
  free(s->p);
  free(s->fence);
  free(s);
}

/* ---- queries ---- */

/* The stride [*from, *hi) of x holding the first index in [lo, n) whose
 * value exceeds v (n if none).  Callers walk a codebook's edges upwards
 * from the previous edge's answer, and most answers lie near it (an empty
 * cell, where x[lo] > v, answers lo at once), so the fences after lo's
 * stride are searched by galloping outwards from lo. */
static void locate(const qrd_sorted *s, double v, size_t lo, size_t *from, size_t *hi)
{
  if (lo >= s->n || s->x[lo] > v) {
    *from = *hi = lo;
    return;
  }
  /* fence[k - 1] <= x[lo] <= v: the first fence > v is in [k, kend] */
  size_t k = lo / QRD_SORTED_STRIDE + 1, kend = n_fences(s->n), probe = k;
  for (size_t step = 1; probe < kend && s->fence[probe] <= v; step *= 2) {
    k = probe + 1;
    probe = step < kend - probe ? probe + step : kend;
  }
  if (probe < kend)
    kend = probe; /* fence[probe] > v */
  while (k < kend) { /* first fence > v in [k, kend) */
    size_t mid = k + (kend - k) / 2;
    if (s->fence[mid] <= v)
      k = mid + 1;
    else
      kend = mid;
  }
  size_t a = (k - 1) * QRD_SORTED_STRIDE, b = k * QRD_SORTED_STRIDE;
  *from = a > lo ? a : lo;
  *hi = b < s->n ? b : s->n;
}

/* from + the number of values <= v in x[from, hi), the stride from
 * locate(): they are a prefix of it, and counting them asks for its lines
 * at once where bisection waited for one after another. */
static size_t count_to(const qrd_sorted *s, double v, size_t from, size_t hi)
{
  size_t below = 0;
  for (size_t i = from; i < hi; i++)
    below += s->x[i] <= v;
  return from + below;
}

/* First index in [lo, n) whose value exceeds v (n if none): the count of
 * samples <= v when lo lies below it. */
static size_t upper_bound(const qrd_sorted *s, double v, size_t lo)
{
  size_t from, hi;
  locate(s, v, lo, &from, &hi);
  return count_to(s, v, from, hi);
}

/* Samples whose edge searches run interleaved: their strides are mostly
 * not in cache, and a group's misses then overlap. */
#define COUNT_GROUP 8

void qrd_sorted_count_many(const qrd_sorted *const *s, size_t ns, const qrd_codebook *c,
                           size_t *counts)
{
  for (size_t g = 0; g < ns; g += COUNT_GROUP) {
    size_t m = ns - g < COUNT_GROUP ? ns - g : COUNT_GROUP;
    size_t lo[COUNT_GROUP] = {0}, from[COUNT_GROUP], hi[COUNT_GROUP];
    const qrd_sorted *const *t = s + g;
    for (size_t i = 0; i + 1 < c->n; i++) {
      double v = c->edge[i + 1];
      for (size_t k = 0; k < m; k++) {
        locate(t[k], v, lo[k], &from[k], &hi[k]);
        for (size_t j = from[k]; j < hi[k]; j += 64 / sizeof(double))
          __builtin_prefetch(t[k]->x + j);
        if (hi[k] > from[k])
          __builtin_prefetch(t[k]->x + hi[k] - 1);
      }
      for (size_t k = 0; k < m; k++) {
        size_t end = count_to(t[k], v, from[k], hi[k]);
        counts[i] += end - lo[k];
        lo[k] = end;
      }
    }
    for (size_t k = 0; k < m; k++)
      counts[c->n - 1] += t[k]->n - lo[k];
  }
}

void qrd_sorted_count(const qrd_sorted *s, const qrd_codebook *c, size_t *counts)
{
  qrd_sorted_count_many(&s, 1, c, counts);
}

size_t qrd_sorted_rank(const qrd_sorted *s, double v)
{
  return upper_bound(s, v, 0);
}

static int check_codebook(const qrd_codebook *c)
{
  if (c->n == 0)
    return qrd_error_set(QRD_EINVAL, "sorted_eval: codebook without levels");
  for (size_t i = 0; i <= c->n; i++) {
    if (isnan(c->edge[i]))
      return qrd_error_set(QRD_EINVAL, "sorted_eval: edge[%zu] is NaN", i);
    if (i > 0 && c->edge[i] < c->edge[i - 1])
      return qrd_error_set(QRD_EINVAL, "sorted_eval: edges decrease at %zu (%g < %g)", i,
                           c->edge[i], c->edge[i - 1]);
  }
  return QRD_OK;
}

int qrd_sorted_eval(const qrd_sorted *s, const qrd_codebook *c,
                    qrd_sorted_stats *out, size_t *counts)
{
  if (!s->p)
    return qrd_error_set(QRD_EINVAL, "sorted: a sample kept for counting has no error sums");
  int st = check_codebook(c);
  if (st)
    return st;
  long double ta[3] = {0.0L, 0.0L, 0.0L}, tb[3], sse = 0.0L;
  size_t lo = 0;
  for (size_t i = 0; i < c->n; i++) {
    /* Cell i ends after the last sample <= edge[i+1]; the last cell takes
     * everything (outer edges clip). */
    size_t hi = i + 1 < c->n ? upper_bound(s, c->edge[i + 1], lo) : s->n;
    if (counts)
      counts[i] = hi - lo;
    if (hi == lo)
      continue;
    tail(s, hi, tb);
    const long double *pa = s->p[lo / QRD_SORTED_STRIDE], *pb = s->p[hi / QRD_SORTED_STRIDE];
    long double m[3];
    for (int k = 0; k < 3; k++)
      m[k] = (pb[k] - pa[k]) + (tb[k] - ta[k]);
    long double q = c->level[i], e = m[2] - 2.0L * q * m[1] + q * q * m[0];
    /* The cell's error is >= 0; anything below is cancellation. */
    if (e > 0.0L)
      sse += e;
    memcpy(ta, tb, sizeof tb);
    lo = hi;
  }
  long double cur[3];
  prefix(s, s->n, cur);
  out->sse = (double)sse;
  out->sum_w = (double)cur[0];
  out->sum_wx2 = (double)cur[2];
  out->n = s->n;
  out->mse = out->sum_w > 0.0 ? out->sse / out->sum_w : 0.0;
  out->rel_rmse = out->sum_wx2 > 0.0 ? sqrt(out->sse / out->sum_wx2)
                                     : (out->sse > 0.0 ? INFINITY : 0.0);
  return QRD_OK;
}

double qrd_sorted_quantile(const qrd_sorted *s, double p)
{
  return gsl_stats_quantile_from_sorted_data(s->x, 1, s->n, p);
}

double qrd_sorted_min(const qrd_sorted *s) { return s->x[0]; }

double qrd_sorted_max(const qrd_sorted *s) { return s->x[s->n - 1]; }

double qrd_sorted_absmax(const qrd_sorted *s)
{
  return fmax(fabs(s->x[0]), fabs(s->x[s->n - 1]));
}

double qrd_sorted_sum_w(const qrd_sorted *s)
{
  long double a[3];
  prefix(s, s->n, a);
  return (double)a[0];
}

double qrd_sorted_sum_wx2(const qrd_sorted *s)
{
  long double a[3];
  prefix(s, s->n, a);
  return (double)a[2];
}
