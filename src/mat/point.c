/* One evaluation point: rotation, the method at a target rate, every rate
 * kind, D and the references (docs/methods-watersic.md). */
#include "mat/point.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "mat/cov.h"
#include "mat/limits.h"
#include "mat/matq_impl.h"
#include "mc/sample.h"

/* ---- limits ---- */

int qrd_matq_point_limits_alloc(const qrd_dist *law, size_t n, const double *Sigma,
                                qrd_matq_point_limits **out)
{
  *out = NULL;
  double sigma2 = qrd_dist_variance(law);
  if (!(isfinite(sigma2) && sigma2 > 0.0))
    return qrd_error_set(QRD_EDOM, "law of W %s: variance %g (need finite, > 0)", law->spec,
                         sigma2);
  if (n == 0)
    return qrd_error_set(QRD_EINVAL, "limits of an empty Sigma");
  qrd_matq_point_limits *lim = calloc(1, sizeof *lim);
  double *work = malloc(n * n * sizeof *work);
  if (lim)
    lim->mu = malloc(n * sizeof *lim->mu);
  int st = lim && work && lim->mu
               ? qrd_cov_eigenvalues(n, Sigma, work, lim->mu)
               : qrd_error_set(QRD_ENOMEM, "limits of a %zu x %zu Sigma", n, n);
  free(work);
  if (st) {
    qrd_matq_point_limits_free(lim);
    return st;
  }
  double gm, am;
  qrd_means(n, lim->mu, &am, &gm, NULL);
  lim->n = n;
  lim->sigma2 = sigma2;
  lim->h_bits = qrd_dist_entropy_bits(law);
  lim->gaussian = strcmp(law->type->name, "gaussian") == 0;
  lim->det_root = gm;
  lim->am_lambda = am;
  lim->highrate_min_rate = lim->mu[0] > 0.0 ? qrd_rwf_highrate_min_rate(gm, lim->mu[0])
                                            : INFINITY;
  for (size_t i = 0; i < n; i++)
    lim->mu[i] *= sigma2;
  *out = lim;
  return QRD_OK;
}

void qrd_matq_point_limits_free(qrd_matq_point_limits *lim)
{
  if (!lim)
    return;
  free(lim->mu);
  free(lim);
}

int qrd_matq_point_reference(const qrd_matq_point_limits *lim, double D, double rate,
                             qrd_matq_point_ref *ref)
{
  double theta;
  int st = qrd_rwf_solve(lim->n, lim->mu, rate, &theta, &ref->d_it);
  if (st)
    return st;
  ref->rate = rate;
  ref->d_slb = qrd_slb(lim->h_bits, lim->det_root, rate);
  ref->d_ref = lim->gaussian ? ref->d_it : ref->d_slb;
  ref->gap = qrd_gap_bits(D, ref->d_ref);
  ref->high_rate = rate >= lim->highrate_min_rate;
  return QRD_OK;
}

/* ---- work ---- */

struct qrd_matq_point_work {
  size_t n_max, rows_max;
  double *S;      /* n x n: the rotated Sigma */
  double *S_work; /* n x n */
  double *W;      /* rows x n row-major: the rotated W */
  double *T, *T_work; /* rows x n column-major: W on its way through W Q */
  size_t *ident;  /* n: 0..n-1, the column order of a plain transpose */
  qrd_matq_work *mw;
  qrd_matq_result *res;
};

qrd_matq_point_work *qrd_matq_point_work_alloc(size_t n, size_t rows)
{
  qrd_matq_point_work *w = calloc(1, sizeof *w);
  if (!w || n == 0 || rows == 0)
    goto fail;
  w->n_max = n;
  w->rows_max = rows;
  w->S = qrd_big_alloc(n * n, sizeof *w->S);
  w->S_work = qrd_big_alloc(n * n, sizeof *w->S_work);
  w->W = qrd_big_alloc(rows * n, sizeof *w->W);
  w->T = qrd_big_alloc(rows * n, sizeof *w->T);
  w->T_work = qrd_big_alloc(rows * n, sizeof *w->T_work);
  w->ident = malloc(n * sizeof *w->ident);
  w->mw = qrd_matq_work_alloc(n, rows);
  w->res = qrd_matq_result_alloc(n, rows);
  if (!(w->S && w->S_work && w->W && w->T && w->T_work && w->ident && w->mw && w->res))
    goto fail;
  for (size_t j = 0; j < n; j++)
    w->ident[j] = j;
  return w;
fail:
  qrd_matq_point_work_free(w);
  qrd_error_set(n && rows ? QRD_ENOMEM : QRD_EINVAL, "point workspace for %zu x %zu", rows,
                n);
  return NULL;
}

void qrd_matq_point_work_free(qrd_matq_point_work *w)
{
  if (!w)
    return;
  qrd_big_free(w->S);
  qrd_big_free(w->S_work);
  qrd_big_free(w->W);
  qrd_big_free(w->T);
  qrd_big_free(w->T_work);
  free(w->ident);
  qrd_matq_work_free(w->mw);
  qrd_matq_result_free(w->res);
  free(w);
}

const qrd_matq_result *qrd_matq_point_result(const qrd_matq_point_work *w)
{
  return w->res;
}

void qrd_matq_point_opts_default(qrd_matq_point_opts *o)
{
  *o = (qrd_matq_point_opts){
    .rotate = QRD_ROTATE_NONE,
    .target = NAN,
    .tune_how = {.kind = QRD_RATE_ENTROPY_COL, .miller_madow = 1, .side_info = 0},
  };
}

/* ---- evaluation ---- */

/* S, W <- p's Sigma and W in the basis of rotation `kind` drawn with
 * seed (S_work, T, T_work of w as scratch). */
static int rotate_into(qrd_rotate_kind kind, unsigned long seed, const qrd_matq_problem *p,
                       qrd_matq_point_work *w, double *S, double *W)
{
  qrd_rotation *r;
  int st = qrd_rotation_alloc(kind, p->n, seed, p->Sigma, &r);
  if (st)
    return st;
  memcpy(S, p->Sigma, p->n * p->n * sizeof *S);
  qrd_rotation_apply_sigma(r, S, w->S_work);
  /* apply_w wants W column-major */
  qrd_matq_gather(p->rows, p->n, p->W, w->ident, p->n, w->T);
  qrd_rotation_apply_w(r, p->rows, w->T, w->T_work);
  qrd_matq_scatter(p->rows, p->n, w->T, w->ident, p->n, W);
  qrd_rotation_free(r);
  return QRD_OK;
}

/* *q <- p in the basis of o's rotation (copies in w), or p itself. */
static int rotate_problem(const qrd_matq_point_opts *o, const qrd_matq_problem *p,
                          qrd_matq_point_work *w, qrd_matq_problem *q)
{
  *q = *p;
  if (o->rotate == QRD_ROTATE_NONE)
    return QRD_OK;
  q->W = w->W;
  q->Sigma = w->S;
  return rotate_into(o->rotate, o->rotate_seed, p, w, w->S, w->W);
}

static int fixed_grid(const qrd_matq *m)
{
  return m->type->fixed_grid && m->type->fixed_grid(m->params);
}

/* Runs the method: at its grid, at the nominal step for the law's sigma,
 * or tuned to the target. */
static int run_method(const qrd_matq_point_opts *o, const qrd_matq_point_limits *lim,
                      const qrd_matq_problem *q, qrd_matq_point_work *w,
                      qrd_matq_point *out)
{
  const qrd_matq *m = o->method;
  out->evals = 1;
  if (fixed_grid(m)) {
    if (!isnan(o->target))
      return qrd_error_set(QRD_EINVAL, "%s has a fixed grid: no target rate (got %g)",
                           m->spec, o->target);
    out->scale = NAN;
    return qrd_matq_run(m, w->mw, q, NAN, w->res);
  }
  if (!(o->target > 0.0 && isfinite(o->target)))
    return qrd_error_set(QRD_EINVAL, "%s: target rate %g (allowed: finite, > 0)", m->spec,
                         o->target);
  if (!o->nominal) {
    qrd_matq_tune_info info;
    int st = qrd_matq_tune(m, w->mw, q, &o->tune_how, o->target, w->res, &info);
    out->scale = st ? NAN : info.scale;
    out->evals = st ? 0 : info.evals;
    return st;
  }
  int st = qrd_matq_prepare(m, w->mw, q);
  if (!st)
    st = qrd_matq_nominal_scale(w->mw, sqrt(lim->sigma2), o->target, &out->scale);
  return st ? st : qrd_matq_quantise(w->mw, out->scale, w->res);
}

static int measure(qrd_rate_kind kind, int mm, const qrd_matq_problem *q,
                   const qrd_matq_result *res, qrd_rate *rate)
{
  qrd_rate_opts how = {.kind = kind, .miller_madow = mm, .side_info = 0};
  return qrd_rate_measure(&how, res->Z, q->rows, q->n, res->side_bits, rate);
}

/* AM(d alpha^2)/GM(alpha^2) over the columns (NAN when one is dropped). */
static double predicted_mean_d(const qrd_matq_result *res, size_t n, int fixed)
{
  if (fixed || res->n_active < n)
    return NAN;
  double sum = 0.0, lsum = 0.0;
  for (size_t j = 0; j < n; j++) {
    double a2 = res->alpha[j] * res->alpha[j];
    sum += res->d[j] * a2;
    lsum += log(a2);
  }
  return sum / (double)n / exp(lsum / (double)n);
}

/* The point on q, already in the basis of o's rotation; *signal is q's
 * tr(W Sigma W^T)/(rows n) when the caller has it (NULL: computed here). */
static int eval_in_basis(const qrd_matq_point_opts *o, const qrd_matq_point_limits *lim,
                         const qrd_matq_problem *q, const double *signal,
                         qrd_matq_point_work *w, qrd_matq_point *out)
{
  int st = run_method(o, lim, q, w, out);
  const qrd_matq_result *res = w->res;
  if (st || (st = measure(QRD_RATE_ENTROPY_COL, 1, q, res, &out->col)) ||
      (st = measure(QRD_RATE_ENTROPY_POOLED, 1, q, res, &out->pool)) ||
      (st = measure(QRD_RATE_FIXED, 0, q, res, &out->fixed)) ||
      (st = qrd_wmse(q->rows, q->n, q->W, res->What, q->Sigma, &out->D)))
    return st;
  if (signal)
    out->signal = *signal;
  else if ((st = qrd_wmse(q->rows, q->n, q->W, NULL, q->Sigma, &out->signal)))
    return st;
  out->side_bits = res->side_bits;
  out->mean_d = predicted_mean_d(res, q->n, fixed_grid(o->method));
  out->excess_pred = 0.5 * log2(out->mean_d / lim->det_root);
  if ((st = qrd_matq_point_reference(lim, out->D, out->col.bits, &out->at_col)))
    return st;
  return qrd_matq_point_reference(lim, out->D, out->pool.bits, &out->at_pool);
}

static int check_point(const qrd_matq_point_opts *o, const qrd_matq_point_limits *lim,
                       const qrd_matq_problem *p, const qrd_matq_point_work *w)
{
  if (!o->method)
    return qrd_error_set(QRD_EINVAL, "matq point: no method");
  if (p->n != lim->n || p->n > w->n_max || p->rows > w->rows_max || p->rows == 0)
    return qrd_error_set(QRD_EINVAL,
                         "matq point: %zu x %zu problem, limits of order %zu, workspace "
                         "%zu x %zu", p->rows, p->n, lim->n, w->rows_max, w->n_max);
  return QRD_OK;
}

int qrd_matq_point_eval(const qrd_matq_point_opts *o, const qrd_matq_point_limits *lim,
                        const qrd_matq_problem *p, qrd_matq_point_work *w,
                        qrd_matq_point *out)
{
  qrd_matq_problem q;
  int st = check_point(o, lim, p, w);
  if (!st)
    st = rotate_problem(o, p, w, &q);
  return st ? st : eval_in_basis(o, lim, &q, NULL, w, out);
}

/* ---- many points ---- */

static void batch_sizes(const qrd_matq_point_job *jobs, size_t n_jobs, size_t *n, size_t *rows)
{
  *n = *rows = 1;
  for (size_t i = 0; i < n_jobs; i++) {
    *n = jobs[i].problem->n > *n ? jobs[i].problem->n : *n;
    *rows = jobs[i].problem->rows > *rows ? jobs[i].problem->rows : *rows;
  }
}

/* A problem in a basis that several jobs of a batch share (the same
 * problem, rotation kind and seed: each method and rate of a panel), made
 * by the first of them to run, under its lock, and freed after the last.
 * A rotation is O(n^3) (Haar: a QR and two products of n x n matrices)
 * where a tuned method is O(rows n^2) a pass: fig-29's n = 1536 layers
 * were rotated alike for each of their six rotated points.  The signal
 * tr(W Sigma W^T), the same for every job in the basis, is computed once
 * here too: a rows x n by n x n product (9.5 ms at fig-22's 10000 x 128),
 * once per point it was a tenth of fig-22's CPU time. */
typedef struct {
  const qrd_matq_problem *p;
  qrd_rotate_kind kind;
  unsigned long seed; /* 0 for QRD_ROTATE_NONE, which draws nothing */
  size_t users; /* jobs yet to finish with it */
  size_t last;  /* the last job planned to run in it (a batch's n_jobs: none) */
  omp_lock_t lock;
  int made, status;
  char error[256];
  double *S, *W; /* the rotated Sigma and W (NULL: p's own, unrotated) */
  double signal; /* tr(W Sigma W^T)/(rows n) in this basis */
} shared_basis;

/* Bases up to this many bytes in all are made before the jobs, side by
 * side (a job that finds its basis being made waits for it: one panel's
 * rotated jobs did, one after another); more are made as jobs need them,
 * and freed after their last job, so that a batch over many large panels
 * does not hold all of them. */
#define BASES_AHEAD_BYTES ((size_t)1 << 30)

static size_t bases_bytes(const shared_basis *b, size_t count)
{
  size_t bytes = 0;
  for (size_t k = 0; k < count; k++)
    if (b[k].kind != QRD_ROTATE_NONE)
      bytes += (b[k].p->n + b[k].p->rows) * b[k].p->n * sizeof(double);
  return bytes;
}

/* The rotation a job's basis really is: act-order on a Sigma whose
 * diagonal is already in decreasing order is none (its copy would have
 * the problem's own bits). */
static qrd_rotate_kind basis_kind(const qrd_matq_point_job *job)
{
  const qrd_matq_problem *p = job->problem;
  qrd_rotation *r;
  if (job->opts.rotate != QRD_ROTATE_ACT_ORDER ||
      qrd_rotation_alloc(QRD_ROTATE_ACT_ORDER, p->n, 0, p->Sigma, &r))
    return job->opts.rotate; /* a failed check only forgoes the saving */
  size_t j = 0;
  while (j < p->n && r->perm[j] == j)
    j++;
  qrd_rotation_free(r);
  return j == p->n ? QRD_ROTATE_NONE : QRD_ROTATE_ACT_ORDER;
}

/* Whether jobs a and b, in the same basis, are one computation. */
static int same_computation(const qrd_matq_point_job *a, const qrd_matq_point_job *b)
{
  const qrd_matq_point_opts *x = &a->opts, *y = &b->opts;
  return x->method && y->method && a->lim == b->lim && x->method->type == y->method->type &&
         memcmp(x->method->params, y->method->params, sizeof x->method->params) == 0 &&
         memcmp(&x->target, &y->target, sizeof x->target) == 0 && x->nominal == y->nominal &&
         x->tune_how.kind == y->tune_how.kind &&
         x->tune_how.miller_madow == y->tune_how.miller_madow &&
         x->tune_how.side_info == y->tune_how.side_info;
}

/* which[i] <- the shared basis of job i and twin[i] <- an earlier running
 * job that is the same computation (n_jobs if none), both left alone when
 * job i does not run; *out, *count <- the bases, whose users are the jobs
 * that run and are nobody's twin.  A twin is looked for among the jobs
 * planned to run in the same basis only, chained through prev. */
static int plan_bases(const qrd_matq_point_job *jobs, size_t n_jobs, size_t *which,
                      size_t *twin, size_t *prev, shared_basis **out, size_t *count)
{
  shared_basis *b = calloc(n_jobs ? n_jobs : 1, sizeof *b);
  size_t m = 0;
  *out = b;
  if (!b)
    return qrd_error_set(QRD_ENOMEM, "bases of %zu points", n_jobs);
  for (size_t i = 0; i < n_jobs; i++) {
    const qrd_matq_point_opts *o = &jobs[i].opts;
    if (jobs[i].skip)
      continue;
    qrd_rotate_kind kind = o->method ? basis_kind(&jobs[i]) : o->rotate;
    unsigned long seed = kind == QRD_ROTATE_NONE ? 0 : o->rotate_seed;
    size_t k = 0;
    while (k < m && !(b[k].p == jobs[i].problem && b[k].kind == kind && b[k].seed == seed))
      k++;
    if (k == m) {
      b[m++] = (shared_basis){.p = jobs[i].problem, .kind = kind, .seed = seed, .last = n_jobs};
      omp_init_lock(&b[k].lock);
    }
    which[i] = k;
    size_t j = b[k].last;
    while (j != n_jobs && !same_computation(&jobs[j], &jobs[i]))
      j = prev[j];
    twin[i] = j;
    if (j == n_jobs) {
      prev[i] = b[k].last;
      b[k].last = i;
      b[k].users++;
    }
  }
  *count = m;
  return QRD_OK;
}

/* The problem as b's jobs see it. */
static qrd_matq_problem basis_view(const shared_basis *b)
{
  if (b->kind == QRD_ROTATE_NONE)
    return *b->p;
  return (qrd_matq_problem){.rows = b->p->rows, .n = b->p->n, .W = b->W, .Sigma = b->S};
}

static int make_rotated(shared_basis *b, qrd_matq_point_work *w)
{
  const qrd_matq_problem *p = b->p;
  b->S = qrd_big_alloc(p->n * p->n, sizeof *b->S);
  b->W = qrd_big_alloc(p->rows * p->n, sizeof *b->W);
  return b->S && b->W ? rotate_into(b->kind, b->seed, p, w, b->S, b->W)
                      : qrd_error_set(QRD_ENOMEM, "rotated %zu x %zu problem", p->rows, p->n);
}

/* The shared basis b and its signal, made by w's thread if no job has made
 * them yet. */
static int take_basis(shared_basis *b, qrd_matq_point_work *w)
{
  omp_set_lock(&b->lock);
  if (!b->made) {
    b->status = b->kind == QRD_ROTATE_NONE ? QRD_OK : make_rotated(b, w);
    if (!b->status) {
      qrd_matq_problem q = basis_view(b);
      b->status = qrd_wmse(q.rows, q.n, q.W, NULL, q.Sigma, &b->signal);
    }
    if (b->status)
      snprintf(b->error, sizeof b->error, "%s", qrd_error_detail());
    b->made = 1;
  }
  omp_unset_lock(&b->lock);
  return b->status ? qrd_error_set(b->status, "%s", b->error) : QRD_OK;
}

static void drop_basis(shared_basis *b)
{
  int last;
#pragma omp critical(qrd_matq_point_basis)
  last = --b->users == 0;
  if (last) {
    qrd_big_free(b->S);
    qrd_big_free(b->W);
    b->S = b->W = NULL;
  }
}

static int run_job(qrd_matq_point_job *job, shared_basis *b, qrd_matq_point_work *w)
{
  int st = w ? check_point(&job->opts, job->lim, job->problem, w) : QRD_ENOMEM;
  if (!st)
    st = take_basis(b, w);
  if (!st) {
    qrd_matq_problem q = basis_view(b);
    st = eval_in_basis(&job->opts, job->lim, &q, &b->signal, w, &job->out);
  }
  drop_basis(b);
  return st;
}

/* Job i <- the result of its twin, which has run. */
static void copy_twin(qrd_matq_point_job *jobs, size_t i, size_t j)
{
  jobs[i].out = jobs[j].out;
  jobs[i].status = jobs[j].status;
  memcpy(jobs[i].error, jobs[j].error, sizeof jobs[i].error);
}

int qrd_matq_point_batch(qrd_matq_point_job *jobs, size_t n_jobs,
                         qrd_matq_point_progress_fn progress, void *ctx, size_t *failed)
{
  size_t slots = n_jobs ? n_jobs : 1, n, rows, n_bases = 0,
         *which = malloc(3 * slots * sizeof *which), *twin = NULL, *prev = NULL;
  if (which)
    twin = which + slots, prev = twin + slots;
  shared_basis *bases = NULL;
  int st = which ? plan_bases(jobs, n_jobs, which, twin, prev, &bases, &n_bases)
                 : qrd_error_set(QRD_ENOMEM, "bases of %zu points", n_jobs);
  if (st) {
    free(which);
    free(bases);
    return st;
  }
  batch_sizes(jobs, n_jobs, &n, &rows);
  int ahead = bases_bytes(bases, n_bases) <= BASES_AHEAD_BYTES;
#pragma omp parallel
  {
    qrd_matq_point_work *w = qrd_matq_point_work_alloc(n, rows);
#pragma omp for schedule(dynamic, 1)
    for (size_t k = 0; k < (ahead ? n_bases : 0); k++)
      if (w)
        take_basis(&bases[k], w); /* a failure is the jobs' to report */
#pragma omp for schedule(dynamic, 1)
    for (size_t i = 0; i < n_jobs; i++) {
      qrd_matq_point_job *job = &jobs[i];
      if (job->skip || twin[i] != n_jobs)
        continue;
      job->status = run_job(job, &bases[which[i]], w);
      job->error[0] = '\0';
      if (job->status)
        snprintf(job->error, sizeof job->error, "%s", qrd_error_detail());
      if (progress) {
#pragma omp critical(qrd_matq_point_progress)
        progress(ctx, job);
      }
    }
    qrd_matq_point_work_free(w);
  }
  for (size_t i = 0; i < n_jobs; i++)
    if (!jobs[i].skip && twin[i] != n_jobs) {
      copy_twin(jobs, i, twin[i]);
      if (progress)
        progress(ctx, &jobs[i]);
    }
  for (size_t k = 0; k < n_bases; k++)
    omp_destroy_lock(&bases[k].lock);
  free(bases);
  free(which);
  for (size_t i = 0; i < n_jobs; i++)
    if (!jobs[i].skip && jobs[i].status) {
      if (failed)
        *failed = i;
      return qrd_error_set(jobs[i].status, "%s", jobs[i].error);
    }
  return QRD_OK;
}

/* ---- seeds and samples ---- */

unsigned long qrd_matq_point_rotate_seed(unsigned long seed)
{
  return qrd_sample_stream(seed, QRD_MATQ_POINT_STREAM_ROTATE);
}

int qrd_matq_point_file_w_law(const double *w_file, size_t file_rows, size_t rows, size_t n,
                              const char *what, qrd_dist *law)
{
  double ss = 0.0;
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < n; c++)
      ss += w_file[c * file_rows + r] * w_file[c * file_rows + r];
  double rms = sqrt(ss / ((double)rows * (double)n));
  char spec[64];
  snprintf(spec, sizeof spec, "gaussian:scale=%.17g", rms);
  if (!(rms > 0.0 && rms <= DBL_MAX) || qrd_dist_parse(spec, law))
    return qrd_error_set(QRD_EDOM, "%s: the first %zu rows of W have RMS %g (allowed: a finite "
                         "RMS > 0)", what, rows, rms);
  return QRD_OK;
}

int qrd_matq_point_draw_w(const qrd_dist *law, size_t rows, size_t n, unsigned long seed,
                          double *W)
{
  return qrd_sample_fill(law, qrd_sample_stream(seed, QRD_MATQ_POINT_STREAM_W), W, rows * n);
}

/* ---- panels ---- */

/* W and the limits of pn->Sigma, which is in place. */
static int panel_fill(const qrd_dist *law, size_t rows, size_t n, unsigned long w_seed,
                      qrd_matq_point_panel *pn)
{
  pn->p = (qrd_matq_problem){.rows = rows, .n = n, .W = pn->W, .Sigma = pn->Sigma};
  int st = qrd_sample_fill(law, w_seed, pn->W, rows * n);
  return st ? st : qrd_matq_point_limits_alloc(law, n, pn->Sigma, &pn->lim);
}

static int panel_buffers(size_t rows, size_t n, qrd_matq_point_panel *pn)
{
  *pn = (qrd_matq_point_panel){0};
  pn->W = qrd_big_alloc(rows * n, sizeof *pn->W);
  pn->Sigma = qrd_big_alloc(n * n, sizeof *pn->Sigma);
  return pn->W && pn->Sigma ? QRD_OK
                            : qrd_error_set(QRD_ENOMEM, "panel of %zu x %zu", rows, n);
}

int qrd_matq_point_panel_alloc(const qrd_dist *law, size_t rows, size_t n,
                               const double *Sigma, unsigned long w_seed,
                               qrd_matq_point_panel *pn)
{
  int st = panel_buffers(rows, n, pn);
  if (!st) {
    memcpy(pn->Sigma, Sigma, n * n * sizeof *pn->Sigma);
    st = panel_fill(law, rows, n, w_seed, pn);
  }
  if (st)
    qrd_matq_point_panel_free(pn);
  return st;
}

int qrd_matq_point_panel_build(const qrd_dist *law, size_t rows, size_t n, const qrd_cov *cov,
                               unsigned long seed, unsigned long w_seed,
                               qrd_matq_point_panel *pn)
{
  int st = panel_buffers(rows, n, pn);
  if (!st)
    st = qrd_cov_build(cov, n, seed, pn->Sigma);
  if (!st)
    st = panel_fill(law, rows, n, w_seed, pn);
  if (st)
    qrd_matq_point_panel_free(pn);
  return st;
}

int qrd_matq_point_panel_cov(const qrd_dist *law, size_t rows, size_t n, const qrd_cov *cov,
                             unsigned long seed, qrd_matq_point_panel *pn)
{
  return qrd_matq_point_panel_build(law, rows, n, cov, seed, seed, pn);
}

void qrd_matq_point_panel_free(qrd_matq_point_panel *pn)
{
  qrd_big_free(pn->W);
  qrd_big_free(pn->Sigma);
  qrd_matq_point_limits_free(pn->lim);
  *pn = (qrd_matq_point_panel){0};
}

/* ---- figure configs ---- */

/* A whole number in [min, max]. */
static int config_whole(qrd_config *cfg, const char *key, double min, double max,
                        double *x)
{
  int st = qrd_config_double(cfg, key, min, max, x);
  if (!st && *x != floor(*x))
    return qrd_config_invalid(cfg, key, "must be a whole number");
  return st;
}

int qrd_matq_point_config_problem(qrd_config *cfg, size_t *n, size_t *rows, int *tune)
{
  double nn, r, t;
  int st;
  if ((st = config_whole(cfg, "n", 1, (double)QRD_MATQ_POINT_MAX_N, &nn)) ||
      (st = config_whole(cfg, "rows", 1, (double)QRD_MATQ_POINT_MAX_ENTRIES, &r)) ||
      (st = config_whole(cfg, "tune", 0, 1, &t)))
    return st;
  if (r * nn > (double)QRD_MATQ_POINT_MAX_ENTRIES) {
    char why[128];
    snprintf(why, sizeof why, "rows x n = %g exceeds %zu", r * nn, QRD_MATQ_POINT_MAX_ENTRIES);
    return qrd_config_invalid(cfg, "rows", why);
  }
  *n = (size_t)nn;
  *rows = (size_t)r;
  *tune = (int)t;
  return QRD_OK;
}

int qrd_matq_point_config_method(qrd_config *cfg, const char *key, const char *type,
                                 qrd_matq *m)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  size_t n;
  int st = qrd_config_list(cfg, key, words, &n);
  if (st)
    return st;
  char why[512];
  if (n != 1)
    return qrd_config_invalid(cfg, key, "want one method spec, e.g. watersic:damp=0");
  if (qrd_matq_parse(words[0], m)) {
    snprintf(why, sizeof why, "%s", qrd_error_detail());
    return qrd_config_invalid(cfg, key, why);
  }
  if (strcmp(m->type->name, type) != 0 || fixed_grid(m)) {
    snprintf(why, sizeof why, "want a %s spec on an unbounded grid (no bits=)", type);
    return qrd_config_invalid(cfg, key, why);
  }
  return QRD_OK;
}

/* The words of list `key`, 1 to max of them. */
static int config_words(qrd_config *cfg, const char *key, const char **words, size_t max,
                        size_t *n)
{
  int st = qrd_config_list(cfg, key, words, n);
  if (st || (*n >= 1 && *n <= max))
    return st;
  char why[64];
  snprintf(why, sizeof why, "want 1 to %zu names", max);
  return qrd_config_invalid(cfg, key, why);
}

int qrd_matq_point_config_methods(qrd_config *cfg, const char *key, qrd_matq *m, size_t max,
                                  size_t *n)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = config_words(cfg, key, words, max, n);
  for (size_t i = 0; !st && i < *n; i++) {
    if (qrd_matq_parse(words[i], &m[i]))
      return qrd_config_invalid_error(cfg, key);
    if (fixed_grid(&m[i]))
      return qrd_config_invalid(cfg, key, "a fixed (bits=) grid has no step to tune");
  }
  return st;
}

int qrd_matq_point_config_covs(qrd_config *cfg, const char *key, size_t n, qrd_cov *c,
                               size_t max, size_t *count)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = config_words(cfg, key, words, max, count);
  for (size_t i = 0; !st && i < *count; i++) {
    size_t order;
    if (qrd_cov_parse(words[i], &c[i]) || (n > 0 && qrd_cov_dim(&c[i], n, &order)))
      return qrd_config_invalid_error(cfg, key);
    if (n == 0 && !c[i].type)
      return qrd_config_invalid(cfg, key, "a file: Sigma has its own n; name a family");
  }
  return st;
}

int qrd_matq_point_config_rotations(qrd_config *cfg, const char *key, qrd_rotate_kind *r,
                                    size_t max, size_t *n)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = config_words(cfg, key, words, max, n);
  for (size_t i = 0; !st && i < *n; i++)
    if (qrd_rotate_parse(words[i], &r[i]))
      return qrd_config_invalid_error(cfg, key);
  return st;
}

double qrd_matq_point_rate_of(const qrd_matq_point *pt, const qrd_rate_opts *how)
{
  const qrd_rate *r = how->kind == QRD_RATE_FIXED ? &pt->fixed
                      : how->kind == QRD_RATE_ENTROPY_COL ? &pt->col : &pt->pool;
  return how->side_info ? r->bits + pt->side_bits : r->bits;
}

int qrd_matq_point_gap_of(const qrd_matq_point_limits *lim, const qrd_matq_point *pt,
                          const qrd_rate_opts *how, double *rate, double *gap)
{
  qrd_matq_point_ref ref;
  *rate = qrd_matq_point_rate_of(pt, how);
  int st = qrd_matq_point_reference(lim, pt->D, *rate, &ref);
  *gap = ref.gap;
  return st;
}

int qrd_matq_point_scaled_identity(size_t n, const double *S)
{
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++)
      if (S[j * n + i] != (i == j ? S[0] : 0.0))
        return 0;
  return 1;
}
