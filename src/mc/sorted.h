/* A fixed sample sorted once, so that a scalar format needs no pass over the
 * data per sweep point.
 *
 * For a codebook with L cells, the samples of cell i form one run of the
 * sorted array; its count, sum w, sum w x and sum w x^2 follow from prefix
 * sums at the run's ends, and the cell's squared error about its level q is
 * sum w x^2 - 2 q sum w x + q^2 sum w.  Evaluation costs O(L log N) instead
 * of O(N log L).
 *
 * Prefix sums are kept in long double (the cell sums are differences of
 * large totals, and the error expansion cancels further), and only at
 * every QRD_SORTED_STRIDE-th position: a query adds the few values after
 * its block start, which cuts the memory 32-fold (N = 2^24: 25 MB, not
 * 800 MB) and keeps the prefixes exact to one rounding (see sorted.c).
 * Against a direct long double pass the squared error agrees to ~1e-15
 * relative, even with 256 levels where it is 5e-5 of sum x^2.
 *
 * Weights w (per element, e.g. squared block scales so that errors come out
 * in the weight domain) may be NULL, meaning all ones. */
#ifndef QRD_MC_SORTED_H
#define QRD_MC_SORTED_H

#include <stddef.h>

#include "quant/codebook.h"

#define QRD_SORTED_STRIDE 32

typedef struct {
  size_t n;
  double *x;       /* n values, ascending */
  double *w;       /* n weights in the order of x, or NULL (all ones) */
  /* p[k][0..2] = sums of w, w x, w x^2 over x[0 .. k*STRIDE - 1]
   * (NULL in a sample kept for counting, qrd_sorted_alloc_counts) */
  long double (*p)[3];
  /* fence[k] = x[k*STRIDE], k < ceil(n / STRIDE): a search runs on this
   * 1/32 of the data (in cache) and then on one stride of x, instead of
   * missing the cache at every step of a search over x */
  double *fence;
} qrd_sorted;

typedef struct {
  double sse;      /* sum w (x - Q(x))^2 */
  double sum_wx2;  /* sum w x^2 */
  double sum_w;    /* sum w (= n when unweighted) */
  size_t n;        /* sample count */
  double mse;      /* sse / sum_w */
  double rel_rmse; /* sqrt(sse / sum_wx2): Orr et al.'s R */
} qrd_sorted_stats;

/* *xs <- a sorted copy of x[0..n-1] and, if w and ws are not NULL, *ws <-
 * w in the same order: a stable radix sort (equal values keep their
 * order; -0 goes before +0), parallel above 2^20 values, whose result does
 * not depend on the thread count.  The caller frees *xs and *ws with
 * qrd_big_free.  QRD_ENOMEM with both NULL. */
int qrd_sort_pairs(const double *x, const double *w, size_t n, double **xs, double **ws);

/* Sorts copies of the (x, w) pairs by x and builds the prefix sums.  x must
 * be finite, w finite and >= 0.  NULL on failure, with the error detail set
 * (QRD_EINVAL for bad values, QRD_ENOMEM). */
qrd_sorted *qrd_sorted_alloc(const double *x, const double *w, size_t n);
/* The same sorted sample without its prefix sums (p is NULL), for
 * counting alone: qrd_sorted_count, qrd_sorted_rank and qrd_sorted_absmax
 * answer as on the full one; qrd_sorted_eval refuses it (QRD_EINVAL). */
qrd_sorted *qrd_sorted_alloc_counts(const double *x, size_t n);
void qrd_sorted_free(qrd_sorted *s);

/* Evaluates codebook c on the sample.  Cell i is (edge[i], edge[i+1]]; a
 * sample exactly on an edge belongs to the lower cell.  The outer edges are
 * taken as -inf and +inf: samples beyond them clip to the end levels.
 * counts, if not NULL, receives the c->n plain per-cell counts.  Edges must
 * be non-decreasing and not NaN (QRD_EINVAL).  s is only read, so
 * evaluations may run concurrently. */
int qrd_sorted_eval(const qrd_sorted *s, const qrd_codebook *c,
                    qrd_sorted_stats *out, size_t *counts);

/* counts[i] += the number of samples in cell i of c (the cells of
 * qrd_sorted_eval), without the error sums: a galloping search from the
 * previous cell's end makes each empty or small cell O(1), so coding a
 * sample on a grid of thousands of mostly empty cells stays cheap.  Edges
 * must be non-decreasing (unchecked). */
void qrd_sorted_count(const qrd_sorted *s, const qrd_codebook *c, size_t *counts);
/* qrd_sorted_count of each of s[0 .. ns), summed into counts: the same
 * counts, the samples' searches interleaved so that their cache misses
 * overlap (a block sample's batches). */
void qrd_sorted_count_many(const qrd_sorted *const *s, size_t ns, const qrd_codebook *c,
                           size_t *counts);

/* Number of samples <= v (the lower-index tie rule's split point). */
size_t qrd_sorted_rank(const qrd_sorted *s, double v);

/* Unweighted sample quantile, p in [0, 1]: GSL's linear interpolation
 * between order statistics at position p (n - 1). */
double qrd_sorted_quantile(const qrd_sorted *s, double p);

double qrd_sorted_min(const qrd_sorted *s);
double qrd_sorted_max(const qrd_sorted *s);
double qrd_sorted_absmax(const qrd_sorted *s);

/* Sums over the whole sample: sum w and sum w x^2 (the denominator of R). */
double qrd_sorted_sum_w(const qrd_sorted *s);
double qrd_sorted_sum_wx2(const qrd_sorted *s);

#endif
