/* The generic layer of the matrix quantisers: registry, parsing,
 * workspaces, problem checks, layout changes and rate tuning. */
#include "mat/matq.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "mat/matq_impl.h"

/* ---- registry ----
 * Adding a method: write src/mat/NAME.c defining `const qrd_matq_type
 * qrd_matq_NAME`, then list it here. */

extern const qrd_matq_type qrd_matq_rtn;
extern const qrd_matq_type qrd_matq_gptq;
extern const qrd_matq_type qrd_matq_sic;
extern const qrd_matq_type qrd_matq_watersic;

static const qrd_matq_type *const registry[] = {
  &qrd_matq_rtn,
  &qrd_matq_gptq,
  &qrd_matq_sic,
  &qrd_matq_watersic,
};

size_t qrd_matq_count(void) { return sizeof registry / sizeof registry[0]; }

const qrd_matq_type *qrd_matq_type_at(size_t i)
{
  return i < qrd_matq_count() ? registry[i] : NULL;
}

static const char *name_at(size_t i) { return registry[i]->name; }

static int check_integers(const qrd_matq_type *t, const double *theta)
{
  for (size_t i = 0; i < t->n_params; i++)
    if ((t->integer_params >> i & 1u) && !isnan(theta[i]) && theta[i] != floor(theta[i]))
      return qrd_error_set(QRD_EINVAL,
                           "matrix quantiser '%s': %s=%g must be a whole number", t->name,
                           t->params[i].name, theta[i]);
  return QRD_OK;
}

int qrd_matq_parse(const char *text, qrd_matq *m)
{
  qrd_spec s;
  int st = qrd_spec_parse(text, &s);
  if (st)
    return st;
  const qrd_matq_type *t = NULL;
  for (size_t i = 0; i < qrd_matq_count(); i++)
    if (strcmp(registry[i]->name, s.name) == 0)
      t = registry[i];
  if (!t)
    return qrd_spec_unknown("matrix quantiser", s.name, qrd_matq_count(), name_at);
  unsigned given;
  memset(m, 0, sizeof *m);
  m->type = t;
  if ((st = qrd_spec_bind(&s, "matrix quantiser", t->params, t->n_params, m->params,
                          &given)) ||
      (st = check_integers(t, m->params)))
    return st;
  qrd_spec_format(m->spec, sizeof m->spec, t->name, t->params, t->n_params, m->params,
                  given);
  return QRD_OK;
}

/* ---- workspaces and results ---- */

qrd_matq_work *qrd_matq_work_alloc(size_t n, size_t rows)
{
  if (n == 0 || rows == 0) {
    qrd_error_set(QRD_EINVAL, "matrix quantiser workspace: n = %zu, rows = %zu", n, rows);
    return NULL;
  }
  qrd_matq_work *w = calloc(1, sizeof *w);
  if (!w)
    goto fail;
  w->n_max = n;
  w->rows_max = rows;
  w->W = qrd_big_alloc(rows * n, sizeof *w->W);
  w->W0 = qrd_big_alloc(rows * n, sizeof *w->W0);
  w->Wh = qrd_big_alloc(rows * n, sizeof *w->Wh);
  w->F = qrd_big_alloc(n * n, sizeof *w->F);
  w->scratch = malloc(3 * n * sizeof *w->scratch);
  w->order = malloc(n * sizeof *w->order);
  w->dead = malloc(n);
  w->row_scale = malloc(rows * sizeof *w->row_scale);
  w->row_zero = malloc(rows * sizeof *w->row_zero);
  if (w->W && w->W0 && w->Wh && w->F && w->scratch && w->order && w->dead && w->row_scale &&
      w->row_zero)
    return w;
fail:
  qrd_matq_work_free(w);
  qrd_error_set(QRD_ENOMEM, "matrix quantiser workspace for %zu x %zu", rows, n);
  return NULL;
}

void qrd_matq_work_free(qrd_matq_work *w)
{
  if (!w)
    return;
  qrd_big_free(w->W);
  qrd_big_free(w->W0);
  qrd_big_free(w->Wh);
  qrd_big_free(w->F);
  free(w->scratch);
  free(w->order);
  free(w->dead);
  free(w->row_scale);
  free(w->row_zero);
  free(w);
}

qrd_matq_result *qrd_matq_result_alloc(size_t n, size_t rows)
{
  qrd_matq_result *r = calloc(1, sizeof *r);
  if (!r || n == 0 || rows == 0)
    goto fail;
  r->rows = rows;
  r->n = n;
  r->Z = qrd_big_alloc(rows * n, sizeof *r->Z);
  r->What = qrd_big_alloc(rows * n, sizeof *r->What);
  r->alpha = malloc(n * sizeof *r->alpha);
  r->gamma = malloc(n * sizeof *r->gamma);
  r->d = malloc(n * sizeof *r->d);
  r->row_scale = malloc(rows * sizeof *r->row_scale);
  r->order = malloc(n * sizeof *r->order);
  if (r->Z && r->What && r->alpha && r->gamma && r->d && r->row_scale && r->order)
    return r;
fail:
  qrd_matq_result_free(r);
  qrd_error_set(n && rows ? QRD_ENOMEM : QRD_EINVAL,
                "matrix quantiser result for %zu x %zu", rows, n);
  return NULL;
}

void qrd_matq_result_free(qrd_matq_result *r)
{
  if (!r)
    return;
  qrd_big_free(r->Z);
  qrd_big_free(r->What);
  free(r->alpha);
  free(r->gamma);
  free(r->d);
  free(r->row_scale);
  free(r->order);
  free(r);
}

/* ---- running ---- */

static int all_finite(const double *x, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!isfinite(x[i]))
      return 0;
  return 1;
}

static int check_problem(const qrd_matq_work *w, const qrd_matq_problem *p, const char *name)
{
  if (p->rows == 0 || p->n == 0 || p->rows > w->rows_max || p->n > w->n_max)
    return qrd_error_set(QRD_EINVAL,
                         "%s: %zu x %zu problem for a workspace of at most %zu x %zu", name,
                         p->rows, p->n, w->rows_max, w->n_max);
  if (!all_finite(p->W, p->rows * p->n))
    return qrd_error_set(QRD_EINVAL, "%s: W has a non-finite entry", name);
  if (!all_finite(p->Sigma, p->n * p->n))
    return qrd_error_set(QRD_EINVAL, "%s: Sigma has a non-finite entry", name);
  return QRD_OK;
}

int qrd_matq_prepare(const qrd_matq *m, qrd_matq_work *w, const qrd_matq_problem *p)
{
  w->prepared = 0;
  w->W0_ready = 0;
  int st = check_problem(w, p, m->spec);
  if (st)
    return st;
  w->m = *m;
  w->p = p;
  w->n_active = p->n;
  w->back_to_front = 0;
  if ((st = m->type->prepare(w)))
    return st;
  w->prepared = 1;
  return QRD_OK;
}

int qrd_matq_quantise(qrd_matq_work *w, double scale, qrd_matq_result *out)
{
  if (!w->prepared)
    return qrd_error_set(QRD_EINVAL, "matrix quantiser: workspace not prepared");
  if (out->rows < w->p->rows || out->n < w->p->n)
    return qrd_error_set(QRD_EINVAL, "%s: result of %zu x %zu for a %zu x %zu problem",
                         w->m.spec, out->rows, out->n, w->p->rows, w->p->n);
  w->what_pending = 0;
  return w->m.type->quantise(w, scale, out);
}

int qrd_matq_run(const qrd_matq *m, qrd_matq_work *w, const qrd_matq_problem *p,
                 double scale, qrd_matq_result *out)
{
  int st = qrd_matq_prepare(m, w, p);
  return st ? st : qrd_matq_quantise(w, scale, out);
}

double qrd_matq_nominal_step(double sigma, double rate)
{
  return sqrt(2.0 * M_PI * M_E) * sigma * exp2(-rate);
}

int qrd_matq_nominal_scale(const qrd_matq_work *w, double sigma, double rate, double *scale)
{
  if (!w->prepared)
    return qrd_error_set(QRD_EINVAL, "matrix quantiser: workspace not prepared");
  const qrd_matq_type *t = w->m.type;
  if (t->fixed_grid && t->fixed_grid(w->m.params))
    return qrd_error_set(QRD_EINVAL, "%s: a fixed grid has no step", w->m.spec);
  if (!(sigma > 0.0 && isfinite(sigma) && isfinite(rate)))
    return qrd_error_set(QRD_EINVAL, "%s: nominal step for sigma = %g, rate = %g",
                         w->m.spec, sigma, rate);
  *scale = t->nominal_scale ? t->nominal_scale(w, sigma, rate)
                            : qrd_matq_nominal_step(sigma, rate);
  return QRD_OK;
}

/* ---- rate tuning ---- */

#define TUNE_FIRST_STEP 0.5 /* ln units: the nominal step is within a bit */
#define TUNE_MAX_WIDEN 40
#define TUNE_MAX_ITER 100
#define TUNE_XTOL 1e-12     /* ln units: the rate jumps here */

typedef struct {
  qrd_matq_work *w;
  const qrd_rate_opts *how;
  double target;
  qrd_matq_result *out;
  double last_x; /* ln step of the result now in *out */
  int evals;
} tuner;

/* f(x) = rate(e^x) - target, non-increasing in x. */
static int tune_eval(tuner *t, double x, double *f, qrd_rate *rate)
{
  int st = qrd_matq_quantise(t->w, exp(x), t->out);
  t->evals++;
  t->last_x = x;
  if (!st)
    st = qrd_rate_measure(t->how, t->out->Z, t->w->p->rows, t->w->p->n, t->out->side_bits,
                          rate);
  *f = st ? NAN : rate->bits - t->target;
  return st;
}

/* Walks from x0 in doubling steps until f changes sign: a has f > 0, b
 * has f <= 0. */
static int tune_bracket(tuner *t, double x0, double f0, double *a, double *fa, double *b,
                        double *fb)
{
  double step = f0 > 0.0 ? TUNE_FIRST_STEP : -TUNE_FIRST_STEP, x = x0, f = f0;
  qrd_rate rate;
  for (int k = 0; k < TUNE_MAX_WIDEN; k++, step *= 2.0) {
    double xn = x + step, fn;
    int st = tune_eval(t, xn, &fn, &rate);
    if (st)
      return st;
    if ((f > 0.0) != (fn > 0.0)) {
      *a = f > 0.0 ? x : xn;
      *fa = f > 0.0 ? f : fn;
      *b = f > 0.0 ? xn : x;
      *fb = f > 0.0 ? fn : f;
      return QRD_OK;
    }
    x = xn;
    f = fn;
  }
  return qrd_error_set(QRD_EMAXITER, "%s: rate %g not bracketed (step up to %g gives %g)",
                       t->w->m.spec, t->target, exp(x), f + t->target);
}

/* Illinois regula falsi on [a, b] (f(a) > 0 >= f(b)): the stale end's
 * value is halved so both ends move; the rate is close to linear in
 * ln(step) at high rate.  Leaves the best point's result in t->out. */
static int tune_illinois(tuner *t, double a, double fa, double b, double fb, double *x,
                         qrd_rate *rate)
{
  double ga = fa, gb = fb, f = fa;
  int side = 0, st = QRD_OK, iter;
  for (iter = 0; iter < TUNE_MAX_ITER; iter++) {
    *x = (a * gb - b * ga) / (gb - ga);
    if (!(*x > a && *x < b))
      *x = 0.5 * (a + b);
    if ((st = tune_eval(t, *x, &f, rate)) || fabs(f) <= QRD_MATQ_TUNE_TOL)
      return st;
    if (b - a <= TUNE_XTOL * fmax(1.0, fabs(*x)))
      break;
    if (f > 0.0) {
      a = *x, fa = ga = f;
      gb *= side == 1 ? 0.5 : 1.0;
      side = 1;
    } else {
      b = *x, fb = gb = f;
      ga *= side == -1 ? 0.5 : 1.0;
      side = -1;
    }
  }
  if (iter == TUNE_MAX_ITER)
    return qrd_error_set(QRD_EMAXITER, "%s: rate %g not reached in %d steps (last %g)",
                         t->w->m.spec, t->target, TUNE_MAX_ITER, f + t->target);
  /* The rate jumps over the target between a and b: take the nearer. */
  double best = fabs(fa) <= fabs(fb) ? a : b;
  *x = best;
  return best == t->last_x ? QRD_OK : tune_eval(t, best, &f, rate);
}

static int tune_search(const qrd_matq *m, qrd_matq_work *w, const qrd_matq_problem *p,
                       const qrd_rate_opts *how, double target, qrd_matq_result *out,
                       qrd_matq_tune_info *info)
{
  if (!(target > 0.0 && target < 30.0))
    return qrd_error_set(QRD_EINVAL, "%s: target rate %g (allowed: 0 < rate < 30 bits)",
                         m->spec, target);
  int st = qrd_matq_prepare(m, w, p);
  double ms = 0.0, s0;
  for (size_t i = 0; i < p->rows * p->n; i++)
    ms += p->W[i] * p->W[i];
  if (st || (st = qrd_matq_nominal_scale(w, sqrt(ms / (double)(p->rows * p->n)), target, &s0)))
    return st;
  if (!(s0 > 0.0))
    return qrd_error_set(QRD_EDOM, "%s: W is zero, no step has a rate", m->spec);

  tuner t = {.w = w, .how = how, .target = target, .out = out};
  double x = log(s0), f, a = 0.0, fa = 0.0, b = 0.0, fb = 0.0;
  qrd_rate rate;
  if ((st = tune_eval(&t, x, &f, &rate)))
    return st;
  if (fabs(f) > QRD_MATQ_TUNE_TOL &&
      ((st = tune_bracket(&t, x, f, &a, &fa, &b, &fb)) ||
       (st = tune_illinois(&t, a, fa, b, fb, &x, &rate))))
    return st;
  info->scale = exp(x);
  info->rate = rate;
  info->evals = t.evals;
  return QRD_OK;
}

int qrd_matq_tune(const qrd_matq *m, qrd_matq_work *w, const qrd_matq_problem *p,
                  const qrd_rate_opts *how, double target, qrd_matq_result *out,
                  qrd_matq_tune_info *info)
{
  w->defer_what = 1;
  int st = tune_search(m, w, p, how, target, out, info);
  w->defer_what = 0;
  /* the last run is the one kept (tune_illinois runs it again if not) */
  if (w->what_pending)
    qrd_matq_scatter(p->rows, p->n, w->Wh, w->order, w->n_active, out->What);
  w->what_pending = 0;
  return st;
}

/* ---- helpers shared by the methods ---- */

int qrd_matq_fixed_grid(const double *theta) { return !isnan(theta[QRD_MATQ_GRID_BITS]); }

void qrd_matq_absmax_rows(qrd_matq_work *w, double bits, int sym)
{
  const qrd_matq_problem *p = w->p;
  double maxq = exp2(bits) - 1.0;
  for (size_t r = 0; r < p->rows; r++) {
    const double *x = p->W + r * p->n;
    double lo = 0.0, hi = 0.0;
    for (size_t j = 0; j < p->n; j++) {
      lo = fmin(lo, x[j]);
      hi = fmax(hi, x[j]);
    }
    /* As the reference's find_params: a symmetric row with no negative
     * entry keeps xmin = 0 (its grid then clips the upper half), and an
     * all-zero row gets [-1, 1]. */
    if (sym) {
      hi = fmax(-lo, hi);
      if (lo < 0.0)
        lo = -hi;
    }
    if (lo == 0.0 && hi == 0.0)
      lo = -1.0, hi = 1.0;
    w->row_scale[r] = (hi - lo) / maxq;
    w->row_zero[r] = sym ? (maxq + 1.0) / 2.0 : nearbyint(-lo / w->row_scale[r]);
  }
}

int qrd_matq_grid_setup(const qrd_matq_work *w, const double *theta, double scale,
                        qrd_matq_grid *g)
{
  *g = (qrd_matq_grid){.step = scale};
  if (qrd_matq_fixed_grid(theta)) {
    if (!isnan(scale))
      return qrd_error_set(QRD_EINVAL, "%s: bits=%g is a fixed grid; the step must be NAN",
                           w->m.spec, theta[QRD_MATQ_GRID_BITS]);
    g->absmax = 1;
    g->maxq = exp2(theta[QRD_MATQ_GRID_BITS]) - 1.0;
    g->scale = w->row_scale;
    g->zero = w->row_zero;
    return QRD_OK;
  }
  if (!(scale > 0.0 && isfinite(scale)))
    return qrd_error_set(QRD_EINVAL, "%s: step %g (allowed: finite, > 0)", w->m.spec, scale);
  return QRD_OK;
}

double qrd_matq_grid_side_bits(const qrd_matq_work *w, const double *theta)
{
  const qrd_matq_problem *p = w->p;
  if (!qrd_matq_fixed_grid(theta))
    return 16.0 / ((double)p->rows * (double)p->n);
  return (theta[QRD_MATQ_GRID_SYM] != 0.0 ? 16.0 : 32.0) / (double)p->n;
}

/* Tiles of TILE x TILE keep both the rows read and the columns written in
 * cache. */
#define TILE 32

void qrd_matq_gather(size_t rows, size_t n, const double *src, const size_t *order,
                     size_t k, double *dst)
{
  for (size_t r0 = 0; r0 < rows; r0 += TILE)
    for (size_t c0 = 0; c0 < k; c0 += TILE)
      for (size_t c = c0; c < k && c < c0 + TILE; c++)
        for (size_t r = r0; r < rows && r < r0 + TILE; r++)
          dst[c * rows + r] = src[r * n + order[c]];
}

void qrd_matq_scatter(size_t rows, size_t n, const double *src, const size_t *order,
                      size_t k, double *dst)
{
  for (size_t r0 = 0; r0 < rows; r0 += TILE)
    for (size_t c0 = 0; c0 < k; c0 += TILE)
      for (size_t c = c0; c < k && c < c0 + TILE; c++)
        for (size_t r = r0; r < rows && r < r0 + TILE; r++)
          dst[r * n + order[c]] = src[c * rows + r];
}

void qrd_matq_working_copy(qrd_matq_work *w)
{
  const qrd_matq_problem *p = w->p;
  size_t rows = p->rows, na = w->n_active;
  if (!w->W0_ready) {
    qrd_matq_gather(rows, p->n, p->W, w->order, na, w->W0);
    for (size_t k = 0; k < na; k++)
      if (w->dead[k])
        for (size_t r = 0; r < rows; r++)
          w->W0[k * rows + r] = 0.0;
    if (w->back_to_front)
      cblas_dtrmm(CblasColMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit,
                  (int)rows, (int)na, 1.0, w->F, (int)na, w->W0, (int)rows);
    w->W0_ready = 1;
  }
  memcpy(w->W, w->W0, rows * na * sizeof *w->W);
}

void qrd_matq_finish(qrd_matq_work *w, double scale, qrd_matq_result *out)
{
  const qrd_matq_problem *p = w->p;
  size_t n = p->n, rows = p->rows, na = w->n_active;
  const double *alpha = w->scratch, *gamma = w->scratch + n, *d = w->scratch + 2 * n;
  const qrd_matq_type *t = w->m.type;
  int absmax = t->fixed_grid && t->fixed_grid(w->m.params);
  for (size_t k = 0; k < n; k++) {
    size_t j = w->order[k];
    out->order[k] = k < na && w->back_to_front ? w->order[na - 1 - k] : j;
    out->alpha[j] = k < na ? alpha[k] : 0.0;
    out->gamma[j] = k < na ? gamma[k] : 0.0;
    out->d[j] = k < na ? d[k] : 0.0;
  }
  for (size_t r = 0; r < rows; r++)
    out->row_scale[r] = absmax ? w->row_scale[r] : 1.0;
  if (w->defer_what)
    w->what_pending = 1;
  else
    qrd_matq_scatter(rows, n, w->Wh, w->order, na, out->What);
  for (size_t k = na; k < n; k++)
    for (size_t r = 0; r < rows; r++) {
      out->What[r * n + w->order[k]] = 0.0;
      out->Z[r * n + w->order[k]] = 0;
    }
  out->n_active = na;
  out->scale = scale;
  out->levels = absmax ? exp2(w->m.params[QRD_MATQ_GRID_BITS]) : 0.0;
}

void qrd_matq_permuted_sigma(const qrd_matq_problem *p, const size_t *order, size_t k,
                             double *F)
{
  for (size_t b = 0; b < k; b++)
    for (size_t a = 0; a < k; a++)
      F[a + b * k] = p->Sigma[order[a] * p->n + order[b]];
}

int qrd_matq_chol_status(int info, const char *method, const char *what)
{
  if (info > 0)
    return qrd_error_set(QRD_EDOM,
                         "%s: %s is not positive definite (leading minor %d); raise the "
                         "damping", method, what, info);
  if (info < 0)
    return qrd_error_set(QRD_EINVAL, "%s: LAPACK argument %d invalid for %s", method, -info,
                         what);
  return QRD_OK;
}
