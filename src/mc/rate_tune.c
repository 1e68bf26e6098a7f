#include "mc/rate_tune.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

#include "core/error.h"

/* QRD_RATE_GRID */
#define GRID_SCAN 63       /* interior scan points, step 1/8 bit */
#define GRID_WIDTH 8.0     /* b0 in (b, b + 8) */
#define GRID_XTOL 1e-6     /* final bracket width in b0 */
#define GRID_MAX_ITER 200  /* Brent steps */
#define GRID_HALVINGS 20   /* toward b when the first scan point is best */
#define GRID_OVERSHOOT 1.0 /* the scan stops once the rate is this far above b */
/* QRD_RATE_LEVELS */
#define LEVELS_MAX_PROBES 48

enum { GRID_SCAN_PHASE, GRID_LEFT, GRID_BRENT, LEVELS_PROBE, DONE };

/* The level counts probed so far that bracket the target rate: lo codes
 * below it, hi at or above it (0: none yet). */
typedef struct {
  size_t lo, hi;
  double r_lo, r_hi;
  int last_side; /* which end moved last: -1 lo, +1 hi */
  double slope;  /* rate per doubling of n, from the last two probes */
} bracket;

struct qrd_rate_tuner {
  qrd_rate_strategy strategy;
  qrd_rate_fn bits;
  void *ctx;
  double n, b; /* numel, target */
  size_t max_levels;
  int phase, outcome, evals;
  /* QRD_RATE_GRID: the best point seen (Brent on a step function can end
   * on a plateau next to it), the scan, the bracket of the minimum */
  int status; /* first failure of bits() inside the objective */
  double best_b0, best_f, best_bits, last_rate;
  double x[GRID_SCAN], f[GRID_SCAN];
  size_t n_scan, k;
  double lo, f_lo, mid, f_mid, hi, f_hi;
  int halvings, brent_iter;
  gsl_min_fminimizer *brent;
  gsl_function objective; /* the minimiser keeps a pointer to it */
  /* QRD_RATE_LEVELS */
  bracket br;
  size_t next_n, prev_n;
  double prev_r;
  int prev_side, same_side; /* same_side: moves of the same end in a row, less one */
};

qrd_rate_tuner *qrd_rate_tuner_alloc(void)
{
  qrd_rate_tuner *t = calloc(1, sizeof *t);
  if (t && !(t->brent = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent))) {
    free(t);
    t = NULL;
  }
  if (!t)
    qrd_error_set(QRD_ENOMEM, "rate tuner");
  return t;
}

void qrd_rate_tuner_free(qrd_rate_tuner *t)
{
  if (!t)
    return;
  gsl_min_fminimizer_free(t->brent);
  free(t);
}

/* Ends the search with `st`, which it returns. */
static int finish(qrd_rate_tuner *t, int st)
{
  t->phase = DONE;
  t->outcome = st;
  return st;
}

/* ---- QRD_RATE_GRID ---- */

/* (bits(b0)/n - b)^2, remembering the best point. */
static double grid_objective(double b0, void *p)
{
  qrd_rate_tuner *t = p;
  if (t->status)
    return DBL_MAX; /* finite, so GSL does not flag the function */
  double bits;
  t->evals++;
  if ((t->status = t->bits(b0, t->ctx, &bits)))
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

static int grid_start_brent(qrd_rate_tuner *t)
{
  t->objective = (gsl_function){.function = grid_objective, .params = t};
  int st = gsl_min_fminimizer_set_with_values(t->brent, &t->objective, t->mid, t->f_mid, t->lo,
                                              t->f_lo, t->hi, t->f_hi);
  if (st != GSL_SUCCESS)
    return finish(t, qrd_error_set(QRD_EMAXITER, "rate tuning to b = %g did not converge (%s)",
                                   t->b, gsl_strerror(st)));
  t->phase = GRID_BRENT;
  return QRD_OK;
}

/* After the scan: the minimum bracketed by the best scan point k and its
 * neighbours, or (k the first point) a search toward b, or an answer. */
static int grid_bracket(qrd_rate_tuner *t)
{
  size_t k = t->k, m = k + 1;
  if (t->f[k] == 0.0)
    return finish(t, QRD_OK);
  /* k is the first minimum, so its left neighbour is higher; on the right,
   * step over a plateau of equal values to reach a higher one. */
  while (m < t->n_scan && t->f[m] == t->f[k])
    m++;
  if (m == t->n_scan)
    return finish(t, qrd_error_set(QRD_EMAXITER,
                                   "rate tuning: rate %g not bracketed in [%g, %g); best b0 = "
                                   "%g gives %g", t->b, t->b, t->b + GRID_WIDTH, t->best_b0,
                                   t->best_bits / t->n));
  t->lo = k > 0 ? t->x[k - 1] : t->b;
  t->f_lo = k > 0 ? t->f[k - 1] : NAN;
  t->mid = t->x[k];
  t->f_mid = t->f[k];
  t->hi = t->x[m];
  t->f_hi = t->f[m];
  if (k > 0)
    return grid_start_brent(t);
  t->phase = GRID_LEFT;
  t->halvings = -1; /* b itself not probed yet */
  return QRD_OK;
}

/* One scan point; the rate grows with b0, so once it is well past b and
 * above the best point so far, the rest of the scan (the costliest grids)
 * cannot hold the minimum. */
static int grid_scan_step(qrd_rate_tuner *t)
{
  size_t i = t->n_scan++;
  t->x[i] = t->b + GRID_WIDTH * (double)(i + 1) / (GRID_SCAN + 1);
  t->f[i] = grid_objective(t->x[i], t);
  if (t->status)
    return finish(t, t->status);
  if (t->f[i] < t->f[t->k])
    t->k = i;
  if ((t->last_rate > t->b + GRID_OVERSHOOT && t->f[i] > t->f[t->k]) || t->n_scan == GRID_SCAN)
    return grid_bracket(t);
  return QRD_OK;
}

/* The first scan point is the best: the minimum may lie between b and it.
 * Probes b, then halves the gap toward b until a point beats b; that point
 * and the one before it bracket the minimum with b.  When none does
 * within GRID_HALVINGS, the best point is b itself (a grid of the family;
 * b + 8 is only the search's cap). */
static int grid_left_step(qrd_rate_tuner *t)
{
  if (t->halvings < 0) {
    t->f_lo = grid_objective(t->b, t);
  } else {
    t->hi = t->mid;
    t->f_hi = t->f_mid;
    t->mid = t->b + 0.5 * (t->mid - t->b);
    t->f_mid = grid_objective(t->mid, t);
  }
  t->halvings++;
  if (t->status)
    return finish(t, t->status);
  if (t->halvings > GRID_HALVINGS) /* the last halving is not compared */
    return finish(t, QRD_OK);
  return t->f_mid < t->f_lo ? grid_start_brent(t) : QRD_OK;
}

static int grid_brent_step(qrd_rate_tuner *t)
{
  int st = gsl_min_fminimizer_iterate(t->brent);
  t->brent_iter++;
  if (t->status)
    return finish(t, t->status);
  if (st == GSL_SUCCESS &&
      (t->best_f == 0.0 ||
       gsl_min_test_interval(gsl_min_fminimizer_x_lower(t->brent),
                             gsl_min_fminimizer_x_upper(t->brent), GRID_XTOL,
                             0.0) == GSL_SUCCESS))
    return finish(t, QRD_OK);
  if (st != GSL_SUCCESS || t->brent_iter == GRID_MAX_ITER)
    return finish(t, qrd_error_set(QRD_EMAXITER, "rate tuning to b = %g did not converge (%s)",
                                   t->b, st == GSL_SUCCESS ? "iteration limit"
                                                           : gsl_strerror(st)));
  return QRD_OK;
}

/* ---- QRD_RATE_LEVELS ---- */

static void bracket_add(bracket *br, size_t n, double r, double target, size_t prev_n,
                        double prev_r)
{
  if (prev_n && prev_n != n)
    br->slope = fmin(fmax((r - prev_r) / log2((double)n / (double)prev_n), 0.25), 2.0);
  if (r < target) {
    br->lo = n;
    br->r_lo = r;
    br->last_side = -1;
  } else {
    br->hi = n;
    br->r_hi = r;
    br->last_side = 1;
  }
}

static size_t round_levels(double log2n, size_t max_levels)
{
  double n = round(exp2(fmin(log2n, 40.0)));
  return n < 2.0 ? 2 : n > (double)max_levels ? max_levels + 1 : (size_t)n;
}

/* The next count to probe, strictly inside the bracket: a secant step in
 * log2 n, or the geometric midpoint when the same end moved three times in
 * a row (regula falsi would creep from one side; after two, the secant's
 * steps of a count or two near the target are usually the last ones, where
 * a midpoint toward a far first probe cost one more). */
static size_t next_levels(const bracket *br, double target, int creeping, size_t max_levels)
{
  if (!br->hi) {
    size_t n = round_levels(log2((double)br->lo) + (target - br->r_lo) / br->slope, max_levels);
    return n > br->lo ? n : br->lo + 1;
  }
  if (!br->lo) {
    size_t n = round_levels(log2((double)br->hi) - (br->r_hi - target) / br->slope, max_levels);
    return n < br->hi ? n : br->hi - 1;
  }
  double a = log2((double)br->lo), b = log2((double)br->hi), m;
  if (creeping || br->r_hi <= br->r_lo)
    m = 0.5 * (a + b);
  else
    m = a + (target - br->r_lo) * (b - a) / (br->r_hi - br->r_lo);
  size_t n = round_levels(m, max_levels);
  return n <= br->lo ? br->lo + 1 : n >= br->hi ? br->hi - 1 : n;
}

/* Adjacent counts (or crossed ones, where the rate is not monotone), or
 * the coarsest grid already at or above the target. */
static int bracket_done(const bracket *br)
{
  return (br->lo && br->hi && br->hi <= br->lo + 1) || (!br->lo && br->hi == 2);
}

static int levels_step(qrd_rate_tuner *t)
{
  size_t n = t->next_n;
  if (n > t->max_levels)
    return finish(t, qrd_error_set(QRD_EMAXITER, "rate %g b out of reach below %zu levels",
                                   t->b, t->max_levels));
  double bits;
  t->evals++;
  int st = t->bits((double)n, t->ctx, &bits);
  if (st)
    return finish(t, st);
  bracket_add(&t->br, n, bits / t->n, t->b, t->prev_n, t->prev_r);
  t->prev_n = n;
  t->prev_r = bits / t->n;
  if (bracket_done(&t->br))
    return finish(t, QRD_OK);
  if (t->evals == LEVELS_MAX_PROBES)
    return finish(t, qrd_error_set(QRD_EMAXITER, "rate %g b: no level count bracketed in %d "
                                   "probes", t->b, LEVELS_MAX_PROBES));
  t->same_side = t->prev_side == t->br.last_side ? t->same_side + 1 : 0;
  t->next_n = next_levels(&t->br, t->b, t->same_side >= 2, t->max_levels);
  t->prev_side = t->br.last_side;
  return QRD_OK;
}

/* The bracket end whose rate is closer to the target. */
static void levels_fit(const qrd_rate_tuner *t, qrd_rate_fit *out)
{
  const bracket *br = &t->br;
  int take_hi = !br->lo || (br->hi && br->r_hi - t->b < t->b - br->r_lo);
  size_t n = take_hi ? br->hi : br->lo;
  out->rate = n ? (take_hi ? br->r_hi : br->r_lo) : NAN;
  out->t = n ? (double)n : NAN;
  out->bits = out->rate * t->n;
}

/* ---- the tuner ---- */

int qrd_rate_tuner_init(qrd_rate_tuner *t, qrd_rate_strategy strategy, qrd_rate_fn bits,
                        void *ctx, size_t numel, double target, size_t max_levels)
{
  gsl_min_fminimizer *brent = t->brent;
  *t = (qrd_rate_tuner){.strategy = strategy, .bits = bits, .ctx = ctx, .n = (double)numel,
                        .b = target, .max_levels = max_levels, .brent = brent,
                        .outcome = QRD_CONTINUE, .best_b0 = NAN, .best_f = INFINITY,
                        .best_bits = NAN, .br = {.slope = 1.0}};
  if (numel == 0 || !isfinite(target))
    return finish(t, qrd_error_set(QRD_EINVAL, "rate tuning: n = %zu, b = %g", numel, target));
  /* a grid over the whole range needs more than 2^target levels */
  t->next_n = round_levels(target + 1.0, max_levels);
  t->phase = strategy == QRD_RATE_GRID ? GRID_SCAN_PHASE : LEVELS_PROBE;
  return QRD_OK;
}

int qrd_rate_tuner_iterate(qrd_rate_tuner *t)
{
  switch (t->phase) {
  case GRID_SCAN_PHASE:
    return grid_scan_step(t);
  case GRID_LEFT:
    return grid_left_step(t);
  case GRID_BRENT:
    return grid_brent_step(t);
  case LEVELS_PROBE:
    return levels_step(t);
  }
  return t->outcome;
}

int qrd_rate_tuner_test(const qrd_rate_tuner *t) { return t->outcome; }

void qrd_rate_tuner_fit(const qrd_rate_tuner *t, qrd_rate_fit *out)
{
  if (t->strategy == QRD_RATE_LEVELS) {
    levels_fit(t, out);
  } else {
    out->t = t->best_b0;
    out->bits = t->best_bits;
    out->rate = t->best_bits / t->n;
  }
  out->evals = t->evals;
}

void qrd_rate_tuner_start(qrd_rate_tuner *t, size_t n)
{
  t->next_n = n < 2 ? 2 : n > t->max_levels ? t->max_levels : n;
}

int qrd_rate_tune(qrd_rate_strategy strategy, qrd_rate_fn bits, void *ctx, size_t numel,
                  double target, size_t max_levels, qrd_rate_fit *out)
{
  return qrd_rate_tune_from(strategy, bits, ctx, numel, target, max_levels, 0, out);
}

int qrd_rate_tune_from(qrd_rate_strategy strategy, qrd_rate_fn bits, void *ctx, size_t numel,
                       double target, size_t max_levels, size_t start, qrd_rate_fit *out)
{
  qrd_rate_tuner *t = qrd_rate_tuner_alloc();
  if (!t)
    return QRD_ENOMEM;
  int st = qrd_rate_tuner_init(t, strategy, bits, ctx, numel, target, max_levels);
  if (!st && start > 0) /* only the level search reads it */
    qrd_rate_tuner_start(t, start);
  while (!st && qrd_rate_tuner_test(t) == QRD_CONTINUE)
    st = qrd_rate_tuner_iterate(t);
  qrd_rate_tuner_fit(t, out);
  qrd_rate_tuner_free(t);
  return st;
}
