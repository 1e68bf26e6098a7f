#include "mc/entropy.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

#include "core/error.h"

/* ---- entropy and ideal code length ---- */

double qrd_entropy_of_counts(const size_t *counts, size_t n)
{
  double total = 0.0, s = 0.0;
  for (size_t k = 0; k < n; k++)
    total += (double)counts[k];
  if (total == 0.0)
    return 0.0;
  /* H = log2 N - (1/N) sum c log2 c: one log per symbol, no division per
   * term. */
  for (size_t k = 0; k < n; k++)
    if (counts[k] > 0)
      s += (double)counts[k] * log2((double)counts[k]);
  return fmax(log2(total) - s / total, 0.0);
}

int qrd_entropy_ideal_bits(const size_t *train, const size_t *counts, size_t n,
                           double *bits)
{
  if (n == 0)
    return qrd_error_set(QRD_EINVAL, "ideal code length: no symbols");
  double n_train = 0.0;
  for (size_t k = 0; k < n; k++)
    n_train += (double)train[k];
  double log_total = log2(n_train + (double)n), s = 0.0;
  for (size_t k = 0; k < n; k++)
    if (counts[k] > 0)
      s += (double)counts[k] * (log_total - log2((double)train[k] + 1.0));
  *bits = s;
  return QRD_OK;
}

/* ---- Huffman: the two-queue construction ----
 *
 * Leaves sorted by weight form one queue; merged nodes are created in
 * non-decreasing weight order and form the other, so the two smallest
 * nodes are always at the queue fronts: O(n log n) for the sort, O(n) for
 * the tree, and no heap whose tie order would be an accident of layout. */

typedef struct {
  double w;
  size_t sym;
} leaf;

struct qrd_huffman {
  size_t nmax;
  leaf *leaf;       /* nmax, sorted by (w, sym) */
  double *merged;   /* nmax - 1 merged-node weights, creation order */
  size_t *parent;   /* 2 nmax - 1 node parents: leaves 0..n-1, merged n.. */
  unsigned *depth;  /* 2 nmax - 1 */
  double *w;        /* nmax, for integer weights */
};

qrd_huffman *qrd_huffman_alloc(size_t nmax)
{
  if (nmax == 0) {
    qrd_error_set(QRD_EINVAL, "huffman: no symbols");
    return NULL;
  }
  qrd_huffman *h = calloc(1, sizeof *h);
  if (!h)
    goto fail;
  h->nmax = nmax;
  h->leaf = malloc(nmax * sizeof *h->leaf);
  h->merged = malloc(nmax * sizeof *h->merged);
  h->parent = malloc((2 * nmax - 1) * sizeof *h->parent);
  h->depth = malloc((2 * nmax - 1) * sizeof *h->depth);
  h->w = malloc(nmax * sizeof *h->w);
  if (h->leaf && h->merged && h->parent && h->depth && h->w)
    return h;
fail:
  qrd_huffman_free(h);
  qrd_error_set(QRD_ENOMEM, "huffman workspace for %zu symbols", nmax);
  return NULL;
}

void qrd_huffman_free(qrd_huffman *h)
{
  if (!h)
    return;
  free(h->leaf);
  free(h->merged);
  free(h->parent);
  free(h->depth);
  free(h->w);
  free(h);
}

static int leaf_cmp(const void *a, const void *b)
{
  const leaf *x = a, *y = b;
  if (x->w != y->w)
    return x->w < y->w ? -1 : 1;
  return (x->sym > y->sym) - (x->sym < y->sym);
}

/* Node id of the smaller queue front; a leaf wins ties. */
static size_t take(const qrd_huffman *h, size_t n, size_t *next_leaf, size_t *next_merged,
                   size_t n_merged, double *w)
{
  if (*next_leaf < n &&
      (*next_merged == n_merged || h->leaf[*next_leaf].w <= h->merged[*next_merged])) {
    *w = h->leaf[*next_leaf].w;
    return (*next_leaf)++;
  }
  *w = h->merged[*next_merged];
  return n + (*next_merged)++;
}

int qrd_huffman_lengths(qrd_huffman *h, const double *w, size_t n, unsigned *len)
{
  if (n == 0 || n > h->nmax)
    return qrd_error_set(QRD_EINVAL, "huffman: %zu symbols for a workspace of %zu", n,
                         h->nmax);
  for (size_t k = 0; k < n; k++) {
    if (!(isfinite(w[k]) && w[k] >= 0.0))
      return qrd_error_set(QRD_EINVAL, "huffman: weight %zu = %g is not finite and >= 0",
                           k, w[k]);
    h->leaf[k] = (leaf){.w = w[k], .sym = k};
  }
  if (n == 1) {
    len[0] = 1;
    return QRD_OK;
  }
  qsort(h->leaf, n, sizeof *h->leaf, leaf_cmp);

  size_t next_leaf = 0, next_merged = 0;
  for (size_t j = 0; j + 1 < n; j++) {
    double wa, wb;
    size_t a = take(h, n, &next_leaf, &next_merged, j, &wa);
    size_t b = take(h, n, &next_leaf, &next_merged, j, &wb);
    h->merged[j] = wa + wb;
    h->parent[a] = h->parent[b] = n + j;
  }
  /* Parents are created after their children, so one downward sweep from
   * the root (the last node) sets every depth. */
  size_t root = 2 * n - 2;
  h->depth[root] = 0;
  for (size_t id = root; id-- > 0;)
    h->depth[id] = h->depth[h->parent[id]] + 1;
  for (size_t k = 0; k < n; k++)
    len[h->leaf[k].sym] = h->depth[k];
  return QRD_OK;
}

int qrd_huffman_lengths_counts(qrd_huffman *h, const size_t *counts, size_t n,
                               unsigned *len)
{
  if (n > h->nmax)
    return qrd_error_set(QRD_EINVAL, "huffman: %zu symbols for a workspace of %zu", n,
                         h->nmax);
  for (size_t k = 0; k < n; k++)
    h->w[k] = (double)counts[k];
  return qrd_huffman_lengths(h, h->w, n, len);
}

double qrd_code_bits(const size_t *counts, const unsigned *len, size_t n)
{
  double bits = 0.0;
  for (size_t k = 0; k < n; k++)
    bits += (double)counts[k] * len[k];
  return bits;
}

/* ---- grid tuning ---- */

#define TUNE_SCAN 63       /* interior scan points, step 1/8 bit */
#define TUNE_WIDTH 8.0     /* b0 in (b, b + 8) */
#define TUNE_XTOL 1e-6     /* final bracket width in b0 */
#define TUNE_MAX_ITER 200
#define TUNE_HALVINGS 20   /* toward b when the first scan point is best */
#define TUNE_OVERSHOOT 1.0 /* the scan stops once the rate is this far above b */

typedef struct {
  qrd_bits_fn bits;
  void *params;
  double n, b;
  int status; /* first failure of bits() */
  int evals;
  double best_b0, best_f, best_bits;
  double last_rate; /* bits / n of the latest evaluation */
} tune_ctx;

/* (bits(b0)/n - b)^2, remembering the best point: Brent on a step function
 * can end on a plateau next to the best one it has already seen. */
static double tune_objective(double b0, void *p)
{
  tune_ctx *t = p;
  if (t->status)
    return DBL_MAX; /* finite, so GSL does not flag the function */
  double bits;
  t->evals++;
  if ((t->status = t->bits(b0, t->params, &bits)))
    return DBL_MAX;
  t->last_rate = bits / t->n;
  double r = t->last_rate - t->b, f = r * r;
  if (f < t->best_f) {
    t->best_f = f;
    t->best_b0 = b0;
    t->best_bits = bits;
  }
  return f;
}

static int tune_finish(const tune_ctx *t, qrd_grid_tune_result *out, int st)
{
  out->b0 = t->best_b0;
  out->bits = t->best_bits;
  out->rate = t->best_bits / t->n;
  out->evals = t->evals;
  return t->status ? t->status : st;
}

/* Brent from the bracket lo < mid < hi, f(mid) below both ends. */
static int tune_brent(tune_ctx *t, double lo, double flo, double mid, double fmid,
                      double hi, double fhi)
{
  gsl_function fn = {.function = tune_objective, .params = t};
  gsl_min_fminimizer *s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
  if (!s)
    return qrd_error_set(QRD_ENOMEM, "grid tuning: minimiser");
  int st = gsl_min_fminimizer_set_with_values(s, &fn, mid, fmid, lo, flo, hi, fhi);
  for (int iter = 0; st == GSL_SUCCESS && iter < TUNE_MAX_ITER; iter++) {
    if ((st = gsl_min_fminimizer_iterate(s)) != GSL_SUCCESS || t->status)
      break;
    if (t->best_f == 0.0 ||
        gsl_min_test_interval(gsl_min_fminimizer_x_lower(s), gsl_min_fminimizer_x_upper(s),
                              TUNE_XTOL, 0.0) == GSL_SUCCESS) {
      gsl_min_fminimizer_free(s);
      return QRD_OK;
    }
  }
  gsl_min_fminimizer_free(s);
  if (t->status)
    return t->status;
  return qrd_error_set(QRD_EMAXITER, "grid tuning to b = %g did not converge (%s)", t->b,
                       st == GSL_SUCCESS ? "iteration limit" : gsl_strerror(st));
}

/* The first scan point is the best: the minimum may lie between b and
 * it.  Halves the gap toward b until a point beats b; that point and the
 * one before it (or the right bracket end) then bracket the minimum with
 * b.  0 when none does within TUNE_HALVINGS: the best is b itself. */
static int tune_left_bracket(tune_ctx *t, double b, double *f_b, double *mid, double *f_mid,
                             double *hi, double *f_hi)
{
  *f_b = tune_objective(b, t);
  for (int i = 0; !t->status && i <= TUNE_HALVINGS; i++) {
    if (*f_mid < *f_b)
      return 1;
    *hi = *mid;
    *f_hi = *f_mid;
    *mid = b + 0.5 * (*mid - b);
    *f_mid = tune_objective(*mid, t);
  }
  return 0;
}

int qrd_grid_tune(qrd_bits_fn bits, void *params, size_t n, double b,
                  qrd_grid_tune_result *out)
{
  if (n == 0 || !isfinite(b))
    return qrd_error_set(QRD_EINVAL, "grid tuning: n = %zu, b = %g", n, b);
  tune_ctx t = {.bits = bits, .params = params, .n = (double)n, .b = b,
                .best_b0 = NAN, .best_f = INFINITY, .best_bits = NAN};
  /* The rate grows with b0 (more grid points), so once it is well past b
   * and above the best point so far, the rest of the scan (the costliest
   * grids) cannot hold the minimum. */
  double x[TUNE_SCAN], f[TUNE_SCAN];
  size_t k = 0, n_scan = 0;
  while (n_scan < TUNE_SCAN) {
    size_t i = n_scan++;
    x[i] = b + TUNE_WIDTH * (double)(i + 1) / (TUNE_SCAN + 1);
    f[i] = tune_objective(x[i], &t);
    if (t.status)
      return tune_finish(&t, out, t.status);
    if (f[i] < f[k])
      k = i;
    if (t.last_rate > b + TUNE_OVERSHOOT && f[i] > f[k])
      break;
  }
  if (f[k] == 0.0)
    return tune_finish(&t, out, QRD_OK);
  /* k is the first minimum, so its left neighbour is higher; on the right,
   * step over a plateau of equal values to reach a higher one. */
  size_t m = k + 1;
  while (m < n_scan && f[m] == f[k])
    m++;
  double lo = k > 0 ? x[k - 1] : b, f_lo = k > 0 ? f[k - 1] : NAN, mid = x[k], f_mid = f[k];
  double hi = x[m < n_scan ? m : k], f_hi = f[m < n_scan ? m : k];
  int bracketed = m < n_scan &&
                  (k > 0 || tune_left_bracket(&t, b, &f_lo, &mid, &f_mid, &hi, &f_hi));
  if (t.status)
    return tune_finish(&t, out, t.status);
  /* b0 = b itself is a grid of the family (the fixed-length level count),
   * so a best point there is an answer; b + 8 is only the search's cap. */
  if (!bracketed && m < n_scan)
    return tune_finish(&t, out, QRD_OK);
  if (!bracketed)
    return tune_finish(&t, out,
                       qrd_error_set(QRD_EMAXITER,
                                     "grid tuning: rate %g not bracketed in [%g, %g); "
                                     "best b0 = %g gives %g",
                                     b, b, b + TUNE_WIDTH, t.best_b0, t.best_bits / t.n));
  int st = tune_brent(&t, lo, f_lo, mid, f_mid, hi, f_hi);
  return tune_finish(&t, out, st);
}
