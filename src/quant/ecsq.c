#include "quant/ecsq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/solve.h"
#include "quant/designs.h"
#include "quant/quantiser.h"

#define MAX_ITER 5000
/* relative change of D + lambda H between iterations */
#define TOL 1e-10

qrd_ecsq *qrd_ecsq_alloc(const qrd_codebook *init)
{
  qrd_ecsq *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->cb = qrd_codebook_alloc(init->n);
  w->prob = malloc(init->n * sizeof *w->prob);
  w->tail = malloc((init->n + 1) * sizeof *w->tail);
  w->moment = malloc(init->n * sizeof *w->moment);
  if (!w->cb || !w->prob || !w->tail || !w->moment) {
    qrd_ecsq_free(w);
    return NULL;
  }
  return w;
}

void qrd_ecsq_free(qrd_ecsq *w)
{
  if (!w)
    return;
  qrd_codebook_free(w->cb);
  free(w->prob);
  free(w->tail);
  free(w->moment);
  free(w);
}

/* Removes the cells of zero (or, by cancellation, negative) probability,
 * giving each one's interval to its left neighbour (to the right one for
 * the first cell), so the cells stay a partition with levels inside. */
static int drop_empty(qrd_ecsq *w)
{
  qrd_codebook *c = w->cb;
  size_t k = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (!(w->prob[i] > 0.0)) {
      if (k == 0) /* the next kept cell starts where this one did */
        c->edge[i + 1] = c->edge[i];
      continue;
    }
    c->level[k] = c->level[i];
    w->prob[k] = w->prob[i];
    c->edge[k] = c->edge[i];
    k++;
  }
  c->edge[0] = -INFINITY;
  c->edge[k] = INFINITY;
  if (k == 0)
    return qrd_error_set(QRD_EDOM, "ecsq: every cell has zero probability");
  c->n = k;
  return QRD_OK;
}

static int set_centroids(qrd_ecsq *w, double *cost);

int qrd_ecsq_init(qrd_ecsq *w, const qrd_dist *d, const qrd_codebook *init,
                  double lambda)
{
  w->d = d;
  w->lambda = lambda;
  w->iter = 0;
  w->change = INFINITY;
  w->cb->n = init->n;
  memcpy(w->cb->level, init->level, init->n * sizeof *init->level);
  memcpy(w->cb->edge, init->edge, (init->n + 1) * sizeof *init->edge);
  int st = set_centroids(w, &w->cost);
  return st ? st : drop_empty(w);
}

/* Edge between cells i-1 and i under the Lagrangian cost. */
static double lagrangian_edge(const qrd_ecsq *w, size_t i)
{
  const double *c = w->cb->level;
  double dl = log2(w->prob[i - 1]) - log2(w->prob[i]);
  double gap = c[i] - c[i - 1];
  /* two levels clamped onto their shared edge: that edge stays */
  if (!(gap > 0.0))
    return w->cb->edge[i];
  return 0.5 * (c[i - 1] + c[i]) + w->lambda * dl / (2.0 * gap);
}

/* Recomputes the edges, removing cells the cost squeezes shut (each removal
 * changes its neighbours' edges, hence the loop). */
static void set_edges(qrd_ecsq *w)
{
  qrd_codebook *c = w->cb;
  for (;;) {
    size_t closed = c->n;
    for (size_t i = 1; i < c->n; i++) {
      c->edge[i] = lagrangian_edge(w, i);
      if (closed == c->n && i >= 2 && c->edge[i] <= c->edge[i - 1])
        closed = i - 1;
    }
    if (closed == c->n || c->n <= 2)
      break;
    memmove(c->level + closed, c->level + closed + 1, (c->n - closed - 1) * sizeof *c->level);
    memmove(w->prob + closed, w->prob + closed + 1, (c->n - closed - 1) * sizeof *w->prob);
    c->n--;
  }
  c->edge[c->n] = INFINITY;
}

/* Levels to their centroids; returns the Lagrangian cost D + lambda H. */
static int set_centroids(qrd_ecsq *w, double *cost)
{
  qrd_codebook *c = w->cb;
  double mse = 0.0, (*m)[3] = w->moment;
  int st = qrd_dist_cell_moments(w->d, c->edge, c->n, w->tail, m);
  if (st)
    return st;
  for (size_t i = 0; i < c->n; i++) {
    w->prob[i] = m[i][0];
    if (m[i][0] > 0.0) {
      /* far-tail cells of mass ~1e-20 lose their centroid to cancellation
       * between tail moments: keep the level inside its cell */
      c->level[i] = fmin(fmax(m[i][1] / m[i][0], c->edge[i]), c->edge[i + 1]);
      mse += m[i][2] - 2.0 * c->level[i] * m[i][1] + c->level[i] * c->level[i] * m[i][0];
    }
  }
  *cost = mse + w->lambda * qrd_entropy_bits(w->prob, c->n);
  return QRD_OK;
}

int qrd_ecsq_iterate(qrd_ecsq *w)
{
  double cost;
  set_edges(w);
  int st = set_centroids(w, &cost);
  if (!st)
    st = drop_empty(w);
  w->change = fabs(w->cost - cost) / cost;
  w->cost = cost;
  w->iter++;
  return st;
}

int qrd_ecsq_test(const qrd_ecsq *w, double tol)
{
  return w->change <= tol ? QRD_OK : QRD_CONTINUE;
}

/* *work counts the cell updates of every run of one design, so that a
 * design whose cells or iterations run away stops with an error. */
static int run(qrd_ecsq *w, double tol, size_t *work)
{
  while (w->iter < MAX_ITER) {
    *work += w->cb->n;
    if (*work > QRD_ECSQ_MAX_WORK)
      return qrd_error_set(QRD_EDOM, "ecsq: the design on %s needs more than %g cell updates "
                           "(%zu cells at lambda=%g; allowed: %g): lower the rate, or use "
                           "uniform-ec", w->d->spec, (double)QRD_ECSQ_MAX_WORK, w->cb->n,
                           w->lambda, (double)QRD_ECSQ_MAX_WORK);
    int st = qrd_ecsq_iterate(w);
    if (st)
      return st;
    if (qrd_ecsq_test(w, tol) == QRD_OK)
      return QRD_OK;
  }
  return qrd_error_set(QRD_EMAXITER,
                       "ecsq: lambda=%g on %s did not converge in %d iterations "
                       "(last relative cost change %g)", w->lambda, w->d->spec, MAX_ITER,
                       w->change);
}

/* The rate search: H(lambda) - target for the quantiser converged from
 * uniform cells of the step whose high-rate slope is lambda
 * (-dD/dH = 2 ln2 step^2/12).  Starting elsewhere costs O(cells^2)
 * iterations: an edge update only corrects each cell locally, so a change
 * of scale spreads one cell per iteration.  H is a deterministic function
 * of lambda. */
/* The root search asks for some multipliers twice (the bracket's ends
 * again, the root once more for its codebook): each converged design is
 * kept, and a repeated multiplier costs nothing.  Bit-identical to
 * converging again, which starts from the same uniform cells. */
#define MEMO_MAX 64

typedef struct {
  double log_lambda, excess;
  qrd_codebook *cb;
} converged;

struct rate_params {
  const qrd_dist *d;
  qrd_ecsq *w;
  double rate;
  int status;
  size_t work; /* cell updates so far */
  size_t memo_n;
  converged memo[MEMO_MAX];
};

static double step_for_lambda(double lambda) { return sqrt(6.0 * lambda / M_LN2); }

static int converge(struct rate_params *p, double lambda)
{
  qrd_codebook *start = NULL;
  int st = qrd_uniform_cells(p->d, step_for_lambda(lambda), &start);
  qrd_ecsq_free(p->w);
  p->w = NULL;
  if (!st && !(p->w = qrd_ecsq_alloc(start)))
    st = qrd_error_set(QRD_ENOMEM, "ecsq workspace");
  if (!st)
    st = qrd_ecsq_init(p->w, p->d, start, lambda);
  if (!st)
    st = run(p->w, TOL, &p->work);
  qrd_codebook_free(start);
  return st;
}

static qrd_codebook *copy_result(const qrd_ecsq *w)
{
  qrd_codebook *c = qrd_codebook_alloc(w->cb->n);
  if (c) {
    memcpy(c->level, w->cb->level, c->n * sizeof *c->level);
    memcpy(c->edge, w->cb->edge, (c->n + 1) * sizeof *c->edge);
  }
  return c;
}

static size_t memo_find(const struct rate_params *p, double log_lambda)
{
  size_t i = 0;
  while (i < p->memo_n && p->memo[i].log_lambda != log_lambda)
    i++;
  return i;
}

static double entropy_excess(double log_lambda, void *params)
{
  struct rate_params *p = params;
  size_t i = memo_find(p, log_lambda);
  if (i < p->memo_n)
    return p->memo[i].excess;
  int st = converge(p, exp(log_lambda));
  if (st) {
    if (!p->status)
      p->status = st;
    return NAN;
  }
  double excess = qrd_entropy_bits(p->w->prob, p->w->cb->n) - p->rate;
  if (p->memo_n < MEMO_MAX) {
    qrd_codebook *cb = copy_result(p->w);
    if (cb)
      p->memo[p->memo_n++] = (converged){log_lambda, excess, cb};
  }
  return excess;
}

static int design(const qrd_dist *d, const double *th, double rate,
                  qrd_codebook **out)
{
  (void)th;
  struct rate_params p = {.d = d, .rate = rate};
  /* high-rate guess: H = h - log2(step) */
  double step = exp2(qrd_dist_entropy_bits(d) - rate), log_lambda;
  double guess = log(M_LN2 * step * step / 6.0), lo = guess - 1.0, hi = guess + 1.0;
  int st = qrd_bracket_root(entropy_excess, &p, &lo, &hi);
  if (!st && !p.status)
    st = qrd_root(entropy_excess, &p, lo, hi, 1e-14, 1e-12, &log_lambda);
  if (!st && !p.status)
    entropy_excess(log_lambda, &p);
  if (!st)
    st = p.status;
  size_t i = st ? p.memo_n : memo_find(&p, log_lambda);
  if (i < p.memo_n) {
    *out = p.memo[i].cb;
    p.memo[i].cb = NULL;
  } else if (!st && !(*out = copy_result(p.w))) {
    st = qrd_error_set(QRD_ENOMEM, "ecsq codebook");
  }
  for (size_t k = 0; k < p.memo_n; k++)
    qrd_codebook_free(p.memo[k].cb);
  qrd_ecsq_free(p.w);
  return st;
}

const qrd_quantiser_type qrd_quantiser_ecsq = {
  .name = "ecsq",
  .doc = "entropy-coded, entropy-constrained optimum (Chou-Lookabaugh-Gray) at --rate",
  .target = QRD_TARGET_RATE,
  .high_rate_constant = qrd_entropy_coded_constant,
  .design = design,
};
