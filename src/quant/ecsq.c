#include "quant/ecsq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "core/error.h"
#include "core/solve.h"
#include "quant/designs.h"
#include "quant/quantiser.h"

#define MAX_ITER 5000
/* Newton's arrays: pdf at the edges, right-hand side, three diagonals, and
 * the edges, levels and probabilities a rejected step restores. */
#define NEWTON_ARRAYS 8
/* Edges next to a cell lighter than this stay where they are in a Newton
 * step: such a cell's centroid comes from a difference of tail moments
 * that keeps only a few digits, too few for the Jacobian. */
#define NEWTON_MIN_PROB 1e-16
/* relative change of D + lambda H between iterations */
#define TOL 1e-10
/* Newton takes over once an alternating iteration changes the cost by at
 * most NEWTON_FROM: at low rate the alternation from uniform cells settles
 * into one local optimum of several, and Newton from the start can find a
 * poorer one (or a saddle: the edge conditions hold there too).  It stops
 * when its step moves no edge by more than NEWTON_TOL of a neighbouring
 * cell's width, or when a full step shrinks the squared gradient by less
 * than NEWTON_STALL (the floor the rounding of the cell moments sets).
 * When no step shrinks it at all, the design is settled if the gradient is
 * already NEWTON_REDUCED of where Newton began; otherwise the alternation
 * takes over again. */
#define NEWTON_FROM 1e-3
#define NEWTON_TOL 1e-8
#define NEWTON_STALL 10.0
#define NEWTON_REDUCED 1e-8
/* relative rounding of D + lambda H: a sum of cell terms m2 - 2 c m1 + c^2 m0
 * that cancel to about (width / |c|)^2 of their size */
#define COST_ROUNDING 1e-10

qrd_ecsq *qrd_ecsq_alloc(const qrd_codebook *init)
{
  qrd_ecsq *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->cb = qrd_codebook_alloc(init->n);
  w->prob = malloc(init->n * sizeof *w->prob);
  w->tail = malloc((init->n + 1) * sizeof *w->tail);
  w->tail_at = malloc((init->n + 1) * sizeof *w->tail_at);
  w->tail_pdf = malloc((init->n + 1) * sizeof *w->tail_pdf);
  w->moment = malloc(init->n * sizeof *w->moment);
  w->nw = malloc(NEWTON_ARRAYS * (init->n + 1) * sizeof *w->nw);
  if (!w->cb || !w->prob || !w->tail || !w->tail_at || !w->tail_pdf || !w->moment || !w->nw) {
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
  free(w->tail_at);
  free(w->tail_pdf);
  free(w->moment);
  free(w->nw);
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
  w->moved = INFINITY;
  w->gain = 0.0;
  w->grad0 = w->grad = INFINITY;
  w->grad_known = 0;
  w->cb->n = init->n;
  for (size_t i = 0; i <= init->n; i++)
    w->tail_at[i] = NAN;
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
  /* a Newton step leaves the frozen tail edges, most of them, in place */
  int st = qrd_dist_cell_moments_reuse(w->d, c->edge, c->n, w->tail, w->tail_at, w->tail_pdf,
                                       m);
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
  w->grad_known = 0;
  set_edges(w);
  int st = set_centroids(w, &cost);
  if (!st)
    st = drop_empty(w);
  w->change = fabs(w->cost - cost) / cost;
  w->cost = cost;
  w->iter++;
  return st;
}

/* The edge conditions over the inner edges t_1 .. t_{n-1} (cell k =
 * (t_k, t_{k+1}], c_k its centroid, p_k its probability, f_k = pdf(t_k)):
 *   G_i = (c_i - c_{i-1}) (2 t_i - c_{i-1} - c_i) - lambda log2(p_{i-1} / p_i).
 * The gradient of D + lambda H is f_i G_i, so a root of G is a stationary
 * design.  Edges next to a cell lighter than NEWTON_MIN_PROB are frozen. */
static int edge_active(const double *p, size_t i)
{
  return p[i - 1] > NEWTON_MIN_PROB && p[i] > NEWTON_MIN_PROB;
}

static double edge_condition(const qrd_ecsq *w, size_t i)
{
  const double *t = w->cb->edge, *c = w->cb->level, *p = w->prob;
  return (c[i] - c[i - 1]) * ((t[i] - c[i - 1]) + (t[i] - c[i])) -
         w->lambda / M_LN2 * log(p[i - 1] / p[i]);
}

/* The pdf at edge i: the one the cell moments evaluated there on the way
 * to its tail (the same bits) if the tail is of this edge and they did,
 * else computed (it was a tenth of fig-1's time, twice per moved edge). */
static double edge_pdf(const qrd_ecsq *w, size_t i)
{
  double e = w->cb->edge[i];
  if (memcmp(&w->tail_at[i], &e, sizeof e) == 0 && !isnan(w->tail_pdf[i]))
    return w->tail_pdf[i];
  return qrd_dist_pdf(w->d, e);
}

/* f <- pdf at the inner edges; returns the squared norm of the gradient
 * f_i G_i over the active edges: the merit of a Newton step (the cost
 * itself changes by the square of the step near the optimum, below its
 * own rounding long before the edges settle). */
static double gradient_norm2(const qrd_ecsq *w, double *f)
{
  const double *p = w->prob;
  double r = 0.0;
  for (size_t i = 1; i < w->cb->n; i++) {
    /* wanted at the active edges and their neighbours */
    f[i] = p[i - 1] > NEWTON_MIN_PROB || p[i] > NEWTON_MIN_PROB ? edge_pdf(w, i) : 0.0;
    if (edge_active(p, i)) {
      double g = f[i] * edge_condition(w, i);
      r += g * g;
    }
  }
  return r;
}

/* The tridiagonal Jacobian of G (f from gradient_norm2) with
 * dc_k/dt_k = f_k (c_k - t_k) / p_k, dc_k/dt_{k+1} = f_{k+1} (t_{k+1} - c_k) / p_k,
 * and rhs = -G; rows of frozen edges are the identity. */
static void newton_system(const qrd_ecsq *w, const double *f, double *dl, double *dd,
                          double *du, double *rhs)
{
  const double *t = w->cb->edge, *c = w->cb->level, *p = w->prob;
  double lam = w->lambda / M_LN2;
  size_t m = w->cb->n - 1;
  for (size_t k = 0; k < m; k++) {
    size_t i = k + 1;
    if (k > 0)
      dl[k - 1] = 0.0;
    if (k + 1 < m)
      du[k] = 0.0;
    if (!edge_active(p, i)) {
      dd[k] = 1.0;
      rhs[k] = 0.0;
      continue;
    }
    double a = t[i] - c[i - 1], b = t[i] - c[i];
    rhs[k] = -edge_condition(w, i);
    dd[k] = 2.0 * (c[i] - c[i - 1]) -
            f[i] * ((2.0 * a * a + lam) / p[i - 1] + (2.0 * b * b + lam) / p[i]);
    if (k > 0)
      dl[k - 1] = f[i - 1] / p[i - 1] * (lam - 2.0 * a * (c[i - 1] - t[i - 1]));
    if (k + 1 < m)
      du[k] = f[i + 1] / p[i] * (lam + 2.0 * b * (t[i + 1] - c[i]));
  }
}

/* The largest |step_i| in widths of the narrower cell next to edge i. */
static double largest_move(const double *t, const double *step, size_t n)
{
  double moved = 0.0;
  for (size_t i = 1; i < n; i++)
    moved = fmax(moved, fabs(step[i - 1]) / fmin(t[i] - t[i - 1], t[i + 1] - t[i]));
  return moved;
}

int qrd_ecsq_newton(qrd_ecsq *w)
{
  qrd_codebook *cb = w->cb;
  size_t n = cb->n, m = n - 1, stride = n + 1;
  if (n < 2)
    return QRD_CONTINUE;
  double *f = w->nw, *rhs = f + stride, *dl = rhs + stride, *dd = dl + stride,
         *du = dd + stride, *t0 = du + stride, *c0 = t0 + stride, *p0 = c0 + stride;
  /* the last accepted step left the merit and the pdf at these edges */
  double r0 = w->grad_known ? w->grad_now : gradient_norm2(w, f);
  w->grad_known = 0;
  if (w->grad0 == INFINITY)
    w->grad0 = r0;
  w->grad = r0;
  newton_system(w, f, dl, dd, du, rhs);
  if (LAPACKE_dgtsv(LAPACK_COL_MAJOR, (lapack_int)m, 1, dl, dd, du, rhs, (lapack_int)m) != 0)
    return QRD_CONTINUE;
  memcpy(t0, cb->edge, (n + 1) * sizeof *t0);
  memcpy(c0, cb->level, n * sizeof *c0);
  memcpy(p0, w->prob, n * sizeof *p0);
  double moved = largest_move(t0, rhs, n);
  for (double alpha = 1.0; alpha > 1e-3; alpha *= 0.5) {
    for (size_t i = 1; i < n; i++)
      cb->edge[i] = t0[i] + alpha * rhs[i - 1];
    if (!qrd_strictly_increasing(cb->edge + 1, n - 1)) /* the inner edges */
      continue;
    double cost;
    int st = set_centroids(w, &cost);
    if (st)
      return st;
    /* a step below the tolerance is taken as it is (the merit cannot see
     * it), any other one when it shrinks the gradient; neither may raise
     * the cost beyond its rounding: the edge conditions hold at saddles too */
    int tiny = moved <= NEWTON_TOL;
    double r = tiny ? 0.0 : gradient_norm2(w, f);
    if ((tiny || r < r0) && cost <= w->cost * (1.0 + COST_ROUNDING)) {
      w->moved = alpha * moved;
      w->gain = alpha == 1.0 ? r0 / r : 0.0;
      w->change = fabs(w->cost - cost) / cost;
      w->cost = cost;
      w->iter++;
      size_t cells = cb->n;
      st = drop_empty(w);
      /* still the cells the merit was computed on: the next step's start */
      w->grad_known = !st && !tiny && cb->n == cells;
      w->grad_now = r;
      return st;
    }
  }
  memcpy(cb->edge, t0, (n + 1) * sizeof *t0);
  memcpy(cb->level, c0, n * sizeof *c0);
  memcpy(w->prob, p0, n * sizeof *p0);
  return QRD_CONTINUE;
}

int qrd_ecsq_test(const qrd_ecsq *w, double tol)
{
  return w->change <= tol ? QRD_OK : QRD_CONTINUE;
}

/* Newton has converged when its step is negligible, or when a full step
 * no longer shrinks the gradient by much: in the quadratic phase each one
 * shrinks its square by orders of magnitude, at the floor the rounding of
 * the cell moments sets it by a small factor at most (the cost, stationary,
 * is then within the square of that floor of its optimum). */
int qrd_ecsq_newton_test(const qrd_ecsq *w)
{
  return w->moved <= NEWTON_TOL || (w->gain > 0.0 && w->gain < NEWTON_STALL) ? QRD_OK
                                                                           : QRD_CONTINUE;
}

/* *work counts the cell updates of every run of one design, so that a
 * design whose cells or iterations run away stops with an error. */
static int run(qrd_ecsq *w, double tol, size_t *work)
{
  int newton = 1;
  while (w->iter < MAX_ITER) {
    *work += w->cb->n;
    if (*work > QRD_ECSQ_MAX_WORK)
      return qrd_error_set(QRD_EDOM, "ecsq: the design on %s needs more than %g cell updates "
                           "(%zu cells at lambda=%g; allowed: %g): lower the rate, or use "
                           "uniform-ec", w->d->spec, (double)QRD_ECSQ_MAX_WORK, w->cb->n,
                           w->lambda, (double)QRD_ECSQ_MAX_WORK);
    int st = newton && w->change <= NEWTON_FROM ? qrd_ecsq_newton(w) : qrd_ecsq_iterate(w);
    if (st == QRD_CONTINUE) {
      /* no step lowers the gradient: at the floor the rounding of the cell
       * moments sets, if the last step was a full one or the gradient is
       * already far below where Newton began; otherwise Newton is lost and
       * the descent takes over */
      if (w->gain > 0.0 || w->grad <= NEWTON_REDUCED * w->grad0)
        return QRD_OK;
      newton = 0;
      continue;
    }
    if (st)
      return st;
    if ((newton ? qrd_ecsq_newton_test(w) : qrd_ecsq_test(w, tol)) == QRD_OK)
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
  char detail[512]; /* the first failed design's error, which the root
                       search's own would otherwise replace */
  size_t work; /* cell updates so far */
  size_t memo_n;
  converged memo[MEMO_MAX];
};

static double step_for_lambda(double lambda) { return sqrt(6.0 * lambda / M_LN2); }

static int converge(struct rate_params *p, double lambda)
{
  qrd_codebook *start = NULL;
  /* the levels are the iteration's first output (qrd_ecsq_init sets every
   * one of a cell with mass to its centroid and drops the others), so the
   * start needs only the grid's edges */
  int st = qrd_uniform_grid(p->d, step_for_lambda(lambda), &start);
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
    if (!p->status) {
      p->status = st;
      snprintf(p->detail, sizeof p->detail, "%s", qrd_error_detail());
    }
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
  if (p.status)
    st = qrd_error_set(p.status, "%s", p.detail);
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
