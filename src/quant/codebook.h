/* A scalar quantiser as a codebook: n reconstruction levels and the n + 1
 * cell edges between them, evaluated exactly against a distribution. */
#ifndef QRD_CODEBOOK_H
#define QRD_CODEBOOK_H

#include <stddef.h>

#include "dist/dist.h"

typedef struct {
  size_t n;
  double *level; /* n values, ascending */
  double *edge;  /* n + 1 values; cell i is (edge[i], edge[i+1]] */
} qrd_codebook;

qrd_codebook *qrd_codebook_alloc(size_t n);
void qrd_codebook_free(qrd_codebook *c);

/* The index of the cell (edge[i], edge[i+1]] holding x, by bisection of
 * the inner edges (the outer ones are not read, so they may be +-inf or
 * finite clamps): a value on an edge goes to the lower cell, and NaN,
 * which compares false with every edge, to the top cell. */
size_t qrd_codebook_cell(const qrd_codebook *c, double x);

/* The fast path of qrd_codebook_cell for hot loops: a table of equal
 * buckets over the inner edges, fine enough that no bucket holds two of
 * them, so a cell is the bucket's count of edges below it plus one
 * comparison.  The bucket map x -> clamp((x - t0) inv_width) is monotone
 * in floating point, so an edge in an earlier bucket is below x and one
 * in a later bucket above it: the cell is qrd_codebook_cell's exactly,
 * NaN and +-inf included (NaN clamps to the last bucket, which holds the
 * top inner edge). */
typedef struct {
  double t0, inv_width, last;
  size_t *below;   /* per bucket: inner edges in earlier buckets */
  double *edge_in; /* per bucket: its inner edge, or +inf */
} qrd_codebook_table;

/* The table of c: n >= 2, inner edges strictly ascending and far enough
 * apart that 2^20 equal buckets over their span separate them;
 * QRD_EINVAL otherwise, when the caller should use qrd_codebook_cell.
 * The table does not refer to c. */
int qrd_codebook_table_init(qrd_codebook_table *t, const qrd_codebook *c);
void qrd_codebook_table_free(qrd_codebook_table *t);

static inline size_t qrd_codebook_table_bucket(const qrd_codebook_table *t, double x)
{
  double v = (x - t->t0) * t->inv_width;
  return (size_t)(v < 0.0 ? 0.0 : v <= t->last ? v : t->last);
}

static inline size_t qrd_codebook_table_cell(const qrd_codebook_table *t, double x)
{
  size_t u = qrd_codebook_table_bucket(t, x);
  return t->below[u] + !(x <= t->edge_in[u]);
}

/* qrd_codebook_cell's cells, by the table where c's edges allow one (not,
 * e.g., e5m2's 2^-16 .. 57344, or fewer than two levels), else by
 * bisection: the finder hot loops use.  It refers to c. */
typedef struct {
  const qrd_codebook *cb;
  qrd_codebook_table tab;
  int fast; /* tab is set */
} qrd_codebook_cells;

void qrd_codebook_cells_init(qrd_codebook_cells *f, const qrd_codebook *c);
void qrd_codebook_cells_free(qrd_codebook_cells *f);

static inline size_t qrd_codebook_cells_find(const qrd_codebook_cells *f, double x)
{
  return f->fast ? qrd_codebook_table_cell(&f->tab, x) : qrd_codebook_cell(f->cb, x);
}

/* Nearest-neighbour cells: interior edges at the midpoints of the levels,
 * outer edges at -inf and +inf. */
void qrd_codebook_set_midpoints(qrd_codebook *c);

/* n >= 2 evenly spaced levels on [-a, a] with nearest-neighbour cells
 * (the grids of entropy-coded formats); NULL with the detail set when out
 * of memory. */
qrd_codebook *qrd_codebook_uniform(size_t n, double a);

/* Moves each level to its cell's centroid (cells of zero probability keep
 * their level); prob[i], if not NULL, receives the cell probabilities. */
int qrd_codebook_set_centroids(qrd_codebook *c, const qrd_dist *d, double *prob);

/* Whether v[0..n-1] is strictly increasing (NaN anywhere: no). */
int qrd_strictly_increasing(const double *v, size_t n);

/* Index entropy in bits of the cell probabilities prob[0..n-1]. */
double qrd_entropy_bits(const double *prob, size_t n);

/* Index entropy in bits of c's cells under d. */
int qrd_codebook_entropy(const qrd_codebook *c, const qrd_dist *d, double *h);

typedef struct {
  size_t levels;
  double rate_fixed; /* log2 levels */
  double entropy;    /* bits per sample of the index */
  double mse;        /* E (X - Q(X))^2 */
  double nmse;       /* mse / Var X */
  double l1;         /* E |X - Q(X)| */
  double rel_rmse;   /* sqrt(mse / E X^2), Orr et al.'s R */
} qrd_codebook_stats;

/* Exact evaluation by the distribution's partial moments. */
int qrd_codebook_eval(const qrd_codebook *c, const qrd_dist *d,
                      qrd_codebook_stats *s);

#endif
