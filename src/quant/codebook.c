#include "quant/codebook.h"

#include <math.h>
#include <stdlib.h>

#include "core/error.h"

qrd_codebook *qrd_codebook_alloc(size_t n)
{
  qrd_codebook *c = malloc(sizeof *c);
  if (!c)
    return NULL;
  c->n = n;
  c->level = malloc(n * sizeof *c->level);
  c->edge = malloc((n + 1) * sizeof *c->edge);
  if (!c->level || !c->edge) {
    qrd_codebook_free(c);
    return NULL;
  }
  return c;
}

void qrd_codebook_free(qrd_codebook *c)
{
  if (!c)
    return;
  free(c->level);
  free(c->edge);
  free(c);
}

size_t qrd_codebook_cell(const qrd_codebook *c, double x)
{
  size_t lo = 0, hi = c->n - 1;
  while (lo < hi) { /* the smallest i with x <= edge[i + 1] */
    size_t mid = lo + (hi - lo) / 2;
    if (x <= c->edge[mid + 1])
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

#define TABLE_MAX_BUCKETS ((size_t)1 << 20)

void qrd_codebook_table_free(qrd_codebook_table *t)
{
  free(t->below);
  free(t->edge_in);
  t->below = NULL;
  t->edge_in = NULL;
}

/* Sets the bucket map for n_b buckets over c's inner edges; 0 if some
 * bucket gets two of them. */
static int table_map(qrd_codebook_table *t, const qrd_codebook *c, size_t n_b)
{
  double lo = c->edge[1], hi = c->edge[c->n - 1];
  t->t0 = lo;
  t->inv_width = hi > lo ? (double)n_b / (hi - lo) : 0.0;
  t->last = (double)(n_b - 1);
  for (size_t k = 2; k < c->n; k++)
    if (!(c->edge[k] > c->edge[k - 1]) ||
        qrd_codebook_table_bucket(t, c->edge[k]) == qrd_codebook_table_bucket(t, c->edge[k - 1]))
      return 0;
  return 1;
}

int qrd_codebook_table_init(qrd_codebook_table *t, const qrd_codebook *c)
{
  *t = (qrd_codebook_table){0};
  if (c->n < 2)
    return qrd_error_set(QRD_EINVAL, "cell table: %zu levels (need 2 or more)", c->n);
  /* one inner edge: one bucket, which NaN and +-inf reach too */
  size_t n_b = c->n > 2 ? 16 : 1;
  while (n_b < TABLE_MAX_BUCKETS && !table_map(t, c, n_b))
    n_b *= 2;
  if (!table_map(t, c, n_b))
    return qrd_error_set(QRD_EINVAL, "cell table: inner edges not ascending or too close");
  t->below = malloc(n_b * sizeof *t->below);
  t->edge_in = malloc(n_b * sizeof *t->edge_in);
  if (!t->below || !t->edge_in) {
    qrd_codebook_table_free(t);
    return qrd_error_set(QRD_ENOMEM, "cell table of %zu buckets", n_b);
  }
  for (size_t u = 0, k = 1; u < n_b; u++) {
    t->below[u] = k - 1;
    t->edge_in[u] =
      k < c->n && qrd_codebook_table_bucket(t, c->edge[k]) == u ? c->edge[k++] : INFINITY;
  }
  return QRD_OK;
}

void qrd_codebook_cells_init(qrd_codebook_cells *f, const qrd_codebook *c)
{
  f->cb = c;
  f->fast = qrd_codebook_table_init(&f->tab, c) == QRD_OK;
}

void qrd_codebook_cells_free(qrd_codebook_cells *f)
{
  if (f->fast)
    qrd_codebook_table_free(&f->tab);
}

void qrd_codebook_set_midpoints(qrd_codebook *c)
{
  c->edge[0] = -INFINITY;
  for (size_t i = 1; i < c->n; i++)
    c->edge[i] = 0.5 * (c->level[i - 1] + c->level[i]);
  c->edge[c->n] = INFINITY;
}

qrd_codebook *qrd_codebook_uniform(size_t n, double a)
{
  qrd_codebook *c = qrd_codebook_alloc(n);
  if (!c) {
    qrd_error_set(QRD_ENOMEM, "uniform grid of %zu levels", n);
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    c->level[i] = a * (2.0 * (double)i / (double)(n - 1) - 1.0);
  qrd_codebook_set_midpoints(c);
  return c;
}

int qrd_codebook_set_centroids(qrd_codebook *c, const qrd_dist *d, double *prob)
{
  double (*tail)[3] = malloc((c->n + 1) * sizeof *tail);
  double (*m)[3] = malloc(c->n * sizeof *m);
  int st = tail && m ? qrd_dist_cell_moments(d, c->edge, c->n, tail, m)
                     : qrd_error_set(QRD_ENOMEM, "cell moments");
  for (size_t i = 0; !st && i < c->n; i++) {
    if (m[i][0] > 0.0)
      c->level[i] = m[i][1] / m[i][0];
    if (prob)
      prob[i] = m[i][0];
  }
  free(tail);
  free(m);
  return st;
}

int qrd_strictly_increasing(const double *v, size_t n)
{
  for (size_t i = 1; i < n; i++)
    if (!(v[i] > v[i - 1]))
      return 0;
  return 1;
}

double qrd_entropy_bits(const double *prob, size_t n)
{
  double h = 0.0;
  for (size_t i = 0; i < n; i++)
    if (prob[i] > 0.0)
      h -= prob[i] * log2(prob[i]);
  return h;
}

int qrd_codebook_entropy(const qrd_codebook *c, const qrd_dist *d, double *h)
{
  *h = 0.0;
  double *tail = malloc((c->n + 1) * sizeof *tail), *p = malloc(c->n * sizeof *p);
  int st = tail && p ? QRD_OK : qrd_error_set(QRD_ENOMEM, "entropy of %zu cells", c->n);
  if (!st) {
    qrd_dist_cell_probs(d, c->edge, c->n, tail, p);
    for (size_t i = 0; i < c->n; i++)
      if (p[i] > 0.0)
        *h -= p[i] * log2(p[i]);
  }
  free(tail);
  free(p);
  return st;
}

/* Adds cell [a, b] with level q: its probability, squared and absolute
 * error.  The cell is split at q so |x - q| is a polynomial on each part. */
static int add_cell(const qrd_dist *d, double a, double b, double q,
                    double *p, double *mse, double *l1)
{
  double s = fmin(fmax(q, a), b), lo[3], hi[3];
  int st = qrd_dist_partial_moments(d, a, s, lo);
  if (st || (st = qrd_dist_partial_moments(d, s, b, hi)))
    return st;
  *p = lo[0] + hi[0];
  *mse += (lo[2] + hi[2]) - 2.0 * q * (lo[1] + hi[1]) + q * q * *p;
  *l1 += (q * lo[0] - lo[1]) + (hi[1] - q * hi[0]);
  return QRD_OK;
}

int qrd_codebook_eval(const qrd_codebook *c, const qrd_dist *d,
                      qrd_codebook_stats *s)
{
  double lo, hi, all[3];
  qrd_dist_support(d, &lo, &hi);
  int st = qrd_dist_partial_moments(d, lo, hi, all);
  if (st)
    return st;
  double mse = 0.0, l1 = 0.0, h = 0.0;
  for (size_t i = 0; i < c->n; i++) {
    double p;
    if ((st = add_cell(d, c->edge[i], c->edge[i + 1], c->level[i], &p, &mse, &l1)))
      return st;
    if (p > 0.0)
      h -= p * log2(p);
  }
  s->levels = c->n;
  s->rate_fixed = log2((double)c->n);
  s->entropy = h;
  s->mse = fmax(mse, 0.0);
  s->nmse = s->mse / qrd_dist_variance(d);
  s->l1 = l1;
  s->rel_rmse = sqrt(s->mse / all[2]);
  return QRD_OK;
}
