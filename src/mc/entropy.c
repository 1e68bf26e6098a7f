#include "mc/entropy.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

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
