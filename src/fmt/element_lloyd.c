/* Lloyd-Max (1-D weighted k-means) on a sample, after Orr et al. and
 * the reference's lut_lloyd_max, on a sorted copy of the sample.
 *
 * With the active samples sorted, every nearest-level cell is one run of
 * the array: its run ends are the ranks of the cell edges (binary search),
 * its sums of w and w x are differences of prefix sums, and the samples
 * whose cell changed between two iterations are exactly those lying
 * between an old and a new edge rank where the two edge counts differ.  An
 * iteration therefore costs O(levels log N) rather than a pass over the
 * data, and the result is the same as the elementwise iteration's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "mc/sorted.h"
#include "fmt/bits.h"
#include "fmt/element.h"
#include "fmt/element_impl.h"

/* Prefix sums are stored at every STRIDE-th rank only; a query adds the few
 * remaining terms (1/32 of the memory of a full long double array). */
#define STRIDE 32

void qrd_lm_params_default(qrd_lm_params *p)
{
  *p = (qrd_lm_params){.init = QRD_LM_INIT_MOMENTS, .width = 3.0, .threshold = 1e-4,
                       .start = (size_t)1 << 20, .max_iter = 100000};
}

/* ---- the sorted active prefix of the sample ---- */

typedef struct {
  size_t n;               /* active samples */
  size_t stride;          /* doubles per entry: 1 (x) or 2 (x, w) */
  double *v;              /* n entries ascending in x; room for all N */
  long double (*cum)[2];  /* cum[k] = sums of w, w x over entries [0, k STRIDE) */
} sorted_sample;

static double key(const sorted_sample *s, size_t j) { return s->v[j * s->stride]; }
static double weight(const sorted_sample *s, size_t j)
{
  return s->stride == 2 ? s->v[2 * j + 1] : 1.0;
}

/* Number of active samples <= t: the first rank of the cell above an edge
 * at t (a sample on the edge belongs to the lower cell). */
static size_t rank_of(const sorted_sample *s, double t)
{
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (key(s, mid) <= t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* sum[0..1] = sums of w and w x over entries [0, j). */
static void prefix(const sorted_sample *s, size_t j, long double sum[2])
{
  size_t k = j / STRIDE;
  sum[0] = s->cum[k][0];
  sum[1] = s->cum[k][1];
  for (size_t i = k * STRIDE; i < j; i++) {
    long double w = weight(s, i);
    sum[0] += w;
    sum[1] += w * key(s, i);
  }
}

static void build_cum(sorted_sample *s)
{
  long double acc[2] = {0.0L, 0.0L};
  for (size_t i = 0; i < s->n; i++) {
    if (i % STRIDE == 0) {
      s->cum[i / STRIDE][0] = acc[0];
      s->cum[i / STRIDE][1] = acc[1];
    }
    long double w = weight(s, i);
    acc[0] += w;
    acc[1] += w * key(s, i);
  }
  if (s->n % STRIDE == 0) {
    s->cum[s->n / STRIDE][0] = acc[0];
    s->cum[s->n / STRIDE][1] = acc[1];
  }
}

/* One step of a merge from the back (unweighted): the larger of
 * old[*a - 1] and new[*b - 1] (the new one on a tie, so that the old
 * entries come first among equal keys) to out[*a + *b - 1], without a
 * branch on the data. */
static inline void back_step(const double *old, const double *new, size_t *a, size_t *b,
                             double *out)
{
  double va = old[*a - 1], vb = new[*b - 1];
  size_t take_a = va > vb;
  out[*a + *b - 1] = take_a ? va : vb;
  *a -= take_a;
  *b -= 1 - take_a;
}

/* Below this many entries one chain merges alone. */
#define MERGE_SPLIT_MIN ((size_t)1 << 16)

/* The number i of old entries among the first h of the merge of old[0,
 * na) and new[0, nb) (old first among equal keys): the smallest i such
 * that new[h - i - 1] < old[i] wherever both exist. */
static size_t merge_split(const double *old, size_t na, const double *new, size_t nb, size_t h)
{
  size_t lo = h > nb ? h - nb : 0, hi = h < na ? h : na;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (new[h - mid - 1] >= old[mid])
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The unweighted merge as two chains of choices in one loop: each step
 * waits for the last one's loads, so two independent chains take about
 * the time of one.  The merge is cut at h, half way: the entries above
 * go in place from the back as in merge_back, those below to T[0, h)
 * (the lower chain would overwrite old entries the upper one has yet to
 * read), copied back at the end.  The same output, the merge being
 * unique under its tie rule.  QRD_ENOMEM when T cannot be had. */
static int merge_two_chains(double *v, size_t n1, const double *xs, size_t m)
{
  size_t h = (n1 + m) / 2, i = merge_split(v, n1, xs, m, h), j = h - i;
  double *T = qrd_big_alloc(h, sizeof *T);
  if (!T)
    return QRD_ENOMEM;
  size_t a1 = n1, b1 = m, a2 = i, b2 = j;
  while (a1 > i && b1 > j && a2 > 0 && b2 > 0) {
    back_step(v, xs, &a1, &b1, v);
    back_step(v, xs, &a2, &b2, T);
  }
  while (a1 > i && b1 > j)
    back_step(v, xs, &a1, &b1, v);
  while (a2 > 0 && b2 > 0)
    back_step(v, xs, &a2, &b2, T);
  /* what is left of either run goes below its chain's last write */
  memmove(v + h, v + i, (a1 - i) * sizeof *v);
  memcpy(v + h + (a1 - i), xs + j, (b1 - j) * sizeof *v);
  memcpy(T, v, a2 * sizeof *v);
  memcpy(T + a2, xs, b2 * sizeof *v);
  memcpy(v, T, h * sizeof *v);
  qrd_big_free(T);
  return QRD_OK;
}

/* v[0 .. n1 + m) <- the merge of v[0 .. n1) and the sorted new entries
 * (xs, with weights ws when weighted), both ascending, the old entries
 * first among equal keys.  From the back, in place: while new entries
 * remain (b >= 1), the write at k = a + b - 1 >= a stays clear of the old
 * entries still to be read, v[0, a), so the new run needs no copy into v
 * nor the old one a buffer of its own. */
static void merge_back(sorted_sample *s, size_t n1, const double *xs, const double *ws,
                       size_t m)
{
  size_t st = s->stride, a = n1, b = m;
  double *v = s->v;
  if (st == 1) { /* the same choices without a branch on the data */
    if (n1 + m >= MERGE_SPLIT_MIN && merge_two_chains(v, n1, xs, m) == QRD_OK)
      return;
    while (a > 0 && b > 0)
      back_step(v, xs, &a, &b, v);
    memcpy(v, xs, b * sizeof *v); /* a = 0: the new entries left go first */
    return;
  }
  while (b > 0) {
    size_t k = a + b - 1;
    if (a > 0 && v[(a - 1) * st] > xs[b - 1]) {
      a--;
      v[k * st] = v[a * st];
      if (st == 2)
        v[k * st + 1] = v[a * st + 1];
    } else {
      b--;
      v[k * st] = xs[b];
      if (st == 2)
        v[k * st + 1] = ws[b];
    }
  }
}

/* Activates samples [s->n, n2): sorts them (stably, so equal keys keep
 * the sample's order) and merges them into the sorted prefix (the old
 * entries first among equal keys, so the order is deterministic). */
static int grow(sorted_sample *s, const double *x, const double *w, size_t n2)
{
  size_t n1 = s->n;
  int weighted = s->stride == 2;
  double *xs, *ws = NULL;
  if (qrd_sort_pairs(x + n1, weighted ? w + n1 : NULL, n2 - n1, &xs, weighted ? &ws : NULL))
    return QRD_ENOMEM;
  merge_back(s, n1, xs, ws, n2 - n1);
  qrd_big_free(xs);
  qrd_big_free(ws);
  s->n = n2;
  build_cum(s);
  return QRD_OK;
}

static void sorted_free(sorted_sample *s)
{
  qrd_big_free(s->v);
  free(s->cum);
}

static int sorted_init(sorted_sample *s, size_t n_all, int weighted)
{
  *s = (sorted_sample){.stride = weighted ? 2 : 1};
  s->v = qrd_big_alloc(n_all, s->stride * sizeof *s->v);
  s->cum = malloc((n_all / STRIDE + 1) * sizeof *s->cum);
  if (!s->v || !s->cum) {
    sorted_free(s);
    return qrd_error_set(QRD_ENOMEM, "Lloyd-Max: sorted copy of %zu samples", n_all);
  }
  return QRD_OK;
}

/* ---- the iteration ---- */

/* Samples whose cell differs between two edge-rank lists (L - 1 ascending
 * ranks each).  A sample at sorted position j is in cell #{edges with rank
 * <= j}; sweeping the merged ranks, the difference of the two counts is
 * constant between breakpoints and the runs where it is non-zero changed. */
static size_t count_changed(const size_t *old, const size_t *cur, size_t m)
{
  size_t a = 0, b = 0, prev = 0, changed = 0;
  long diff = 0;
  while (a < m || b < m) {
    size_t pos = b >= m || (a < m && old[a] <= cur[b]) ? old[a] : cur[b];
    if (diff != 0)
      changed += pos - prev;
    for (; a < m && old[a] == pos; a++)
      diff--;
    for (; b < m && cur[b] == pos; b++)
      diff++;
    prev = pos;
  }
  return changed; /* diff is 0 again after the last breakpoint */
}

/* Midpoint edge ranks of the current levels. */
static void edge_ranks(const sorted_sample *s, const double *level, size_t L, size_t *rank)
{
  for (size_t i = 0; i + 1 < L; i++)
    rank[i] = rank_of(s, 0.5 * (level[i] + level[i + 1]));
}

/* Each level to its cell's weighted mean (cells without weight keep their
 * level), then the running maximum keeps them ascending. */
static void update_levels(const sorted_sample *s, const size_t *rank, double *level, size_t L)
{
  long double lo[2] = {0.0L, 0.0L}, hi[2];
  for (size_t i = 0; i < L; i++) {
    prefix(s, i + 1 < L ? rank[i] : s->n, hi);
    long double sw = hi[0] - lo[0];
    if (sw > 0.0L)
      level[i] = (double)((hi[1] - lo[1]) / sw);
    if (i > 0 && level[i] < level[i - 1])
      level[i] = level[i - 1];
    lo[0] = hi[0];
    lo[1] = hi[1];
  }
}

/* ---- set-up ---- */

static int check_sample(const double *x, const double *w, size_t n)
{
  long double sw = 0.0L;
  if (n == 0)
    return qrd_error_set(QRD_EINVAL, "Lloyd-Max: empty sample");
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i]))
      return qrd_error_set(QRD_EINVAL, "Lloyd-Max: x[%zu] = %g is not finite", i, x[i]);
    if (w && !(w[i] >= 0.0 && isfinite(w[i])))
      return qrd_error_set(QRD_EINVAL, "Lloyd-Max: weight w[%zu] = %g must be finite and >= 0",
                           i, w[i]);
    if (w)
      sw += w[i];
  }
  if (w && !(sw > 0.0L))
    return qrd_error_set(QRD_EINVAL, "Lloyd-Max: the weights sum to 0");
  return QRD_OK;
}

static int check_params(const qrd_lm_params *p)
{
  if (p->init != QRD_LM_INIT_MOMENTS && p->init != QRD_LM_INIT_RANGE)
    return qrd_error_set(QRD_EINVAL, "Lloyd-Max: unknown init %d", (int)p->init);
  if (!(p->width > 0.0 && isfinite(p->width)))
    return qrd_error_set(QRD_EINVAL, "Lloyd-Max: init width %g must be > 0", p->width);
  if (!(p->threshold >= 0.0 && p->threshold < 1.0))
    return qrd_error_set(QRD_EINVAL, "Lloyd-Max: threshold %g must be in [0, 1)",
                         p->threshold);
  if (p->start == 0 || p->max_iter == 0)
    return qrd_error_set(QRD_EINVAL, "Lloyd-Max: start and max_iter must be >= 1");
  return QRD_OK;
}

/* Evenly spaced levels on mean +- width * std (unbiased std, unweighted, as
 * the reference) or on [min, max], over the whole sample. */
static void init_levels(const double *x, size_t n, const qrd_lm_params *p, double *level,
                        size_t L)
{
  double lo = x[0], hi = x[0];
  if (p->init == QRD_LM_INIT_RANGE) {
    for (size_t i = 1; i < n; i++) {
      lo = fmin(lo, x[i]);
      hi = fmax(hi, x[i]);
    }
  } else {
    long double s = 0.0L, ss = 0.0L;
    for (size_t i = 0; i < n; i++)
      s += x[i];
    long double mean = s / n;
    for (size_t i = 0; i < n; i++)
      ss += (x[i] - mean) * (x[i] - mean);
    double sd = n > 1 ? (double)sqrtl(ss / (n - 1)) : 0.0;
    lo = (double)mean - p->width * sd;
    hi = (double)mean + p->width * sd;
  }
  for (size_t i = 0; i < L; i++)
    level[i] = i + 1 < L ? lo + (hi - lo) * (double)i / (double)(L - 1) : hi;
}

/* Iterates on s, growing it to all n samples, until the change fraction
 * at full size is <= threshold. */
static int iterate(sorted_sample *s, const double *x, const double *w, size_t n,
                   const qrd_lm_params *p, double *level, size_t L, qrd_lm_info *info)
{
  size_t *rank = malloc(2 * L * sizeof *rank), *old = rank + L;
  if (!rank)
    return qrd_error_set(QRD_ENOMEM, "Lloyd-Max: %zu levels", L);
  int st = grow(s, x, w, p->start < n ? p->start : n), have_old = 0;
  while (!st) {
    edge_ranks(s, level, L, rank);
    /* Samples added since the last iteration had no cell: not converged. */
    info->change = have_old ? (double)count_changed(old, rank, L - 1) / (double)s->n : 1.0;
    update_levels(s, rank, level, L);
    info->iter++;
    info->n_used = s->n;
    memcpy(old, rank, (L - 1) * sizeof *rank);
    have_old = 1;
    if (info->change <= p->threshold) {
      if (s->n == n)
        break;
      st = grow(s, x, w, s->n < n / 2 ? 2 * s->n : n);
      have_old = 0;
    } else if (info->iter >= p->max_iter) {
      st = qrd_error_set(QRD_EMAXITER, "Lloyd-Max: change fraction %g > %g after %zu"
                         " iterations (%zu samples)", info->change, p->threshold,
                         info->iter, s->n);
    }
  }
  free(rank);
  return st;
}

int qrd_element_lloyd_max(const double *x, const double *w, size_t n, double b,
                          const qrd_lm_params *p, qrd_element **out, qrd_lm_info *info)
{
  size_t L;
  char name[QRD_ELEMENT_NAME_LEN];
  qrd_lm_info local = {0};
  sorted_sample s;
  *out = NULL;
  int st = qrd_element_levels_for(b, "Lloyd-Max", &L);
  if (st || (st = check_params(p)) || (st = check_sample(x, w, n)))
    return st;
  snprintf(name, sizeof name, "lloyd-max[n=%zu]", L);
  if ((st = qrd_element_alloc_levels(L, qrd_bits_of_levels(L), name, out)))
    return st;
  if ((st = sorted_init(&s, n, w != NULL))) {
    qrd_element_free(*out);
    *out = NULL;
    return st;
  }
  init_levels(x, n, p, (*out)->cb->level, L);
  st = iterate(&s, x, w, n, p, (*out)->cb->level, L, &local);
  sorted_free(&s);
  if (info)
    *info = local;
  if (st) {
    qrd_element_free(*out);
    *out = NULL;
    return st;
  }
  qrd_codebook_set_midpoints((*out)->cb);
  qrd_element_finish(*out);
  return QRD_OK;
}
