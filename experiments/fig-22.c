/* fig-22 (watersic.md §9 E3): rate-distortion curves per covariance family.
 * n = 128, a = 10^4 Gaussian rows, target rates R0 = 0.25..6; families
 * AR(1) 0.9, power law beta = 2, Haar-rotated power law beta = 1,
 * two-level 1e-3 and 1 % outliers (the config's list).
 *
 * Panels per family (<f> = the family spec as a name, e.g. ar1-rho-0-9):
 *   <f>-rd   10 log10 D (dB) vs R;
 *   <f>-gap  1/2 log2(D / D_IT(R)) vs R.
 * Curves:
 *   waterfilling          reverse waterfilling D_IT(R) (rd only);
 *   waterfilling-shifted  D_IT(R - 0.2546): the high-rate WaterSIC
 *                         prediction (in gap: its gap to D_IT(R));
 *   watersic-col          WaterSIC at its per-column entropy + MM;
 *   watersic-pooled       the same runs at their pooled entropy + MM;
 *   gptq-ec               GPTQ-EC, natural order;
 *   gptq-ec-act-order     GPTQ-EC on the act-order permutation;
 *   gptq-ec-haar          GPTQ-EC on a Haar rotation (W Q, Q^T Sigma Q).
 * GPTQ-EC curves are at per-column entropy + MM.  Every run is tuned to
 * its R0 in per-column entropy + MM (tune = 1) or runs at the nominal
 * step for R0 (tune = 0). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/driver.h"
#include "mat/cov.h"
#include "mat/point.h"
#include "mc/sample.h"

#define MAX_FAMILIES 8
#define MAX_RATES 48
#define GAP_ECSQ 0.25461433480 /* 1/2 log2(2 pi e / 12), §12.1 */
#define DENSE_STEP 0.05        /* rate step of the waterfilling curves */
#define DENSE_MAX 256

static const char doc[] =
  "E3: rate-distortion curves per covariance family (watersic.md §9).\n"
  "Config keys: seed, n, rows, tune (1: tune each run to R0; 0: nominal step),\n"
  "dist (law of W's entries), families (list of covariance specs), rates\n"
  "(targets R0, per-column entropy + Miller-Madow), watersic (a watersic\n"
  "spec), gptq_ec (a gptq spec; run natural, act-order and Haar-rotated).";

enum { C_WATERSIC, C_GPTQ, C_GPTQ_ACT, C_GPTQ_HAAR, N_RUNS };
static const qrd_rotate_kind RUN_ROTATE[N_RUNS] = {QRD_ROTATE_NONE, QRD_ROTATE_NONE,
                                                   QRD_ROTATE_ACT_ORDER, QRD_ROTATE_HAAR};
static const char *const RUN_NAME[N_RUNS] = {"watersic", "gptq-ec", "gptq-ec-act-order",
                                             "gptq-ec-haar"};
static const char *const RUN_LABEL[N_RUNS] = {"WaterSIC", "GPTQ-EC natural",
                                              "GPTQ-EC act-order", "GPTQ-EC Haar"};

typedef struct {
  size_t n, rows;
  int tune;
  qrd_dist dist;
  qrd_cov family[MAX_FAMILIES];
  size_t n_family;
  double rate[MAX_RATES];
  size_t n_rate;
  qrd_matq watersic, gptq;
} setup;

/* ---- configuration ---- */

static int invalid_detail(qrd_config *cfg, const char *key)
{
  char why[512];
  snprintf(why, sizeof why, "%s", qrd_error_detail());
  return qrd_config_invalid(cfg, key, why);
}

static int read_dist(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  size_t n;
  int st = qrd_config_list(cfg, "dist", words, &n);
  if (st)
    return st;
  if (n != 1)
    return qrd_config_invalid(cfg, "dist", "want one distribution");
  return qrd_dist_parse(words[0], &s->dist) ? invalid_detail(cfg, "dist") : QRD_OK;
}

static int read_families(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "families", words, &s->n_family);
  if (st)
    return st;
  if (s->n_family == 0 || s->n_family > MAX_FAMILIES)
    return qrd_config_invalid(cfg, "families", "want 1 to 8 covariance families");
  for (size_t f = 0; f < s->n_family; f++) {
    size_t n = 0;
    if (qrd_cov_parse(words[f], &s->family[f]) || qrd_cov_dim(&s->family[f], s->n, &n))
      return invalid_detail(cfg, "families");
  }
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  if ((st = qrd_matq_point_config_problem(cfg, &s->n, &s->rows, &s->tune)) ||
      (st = read_dist(cfg, s)) || (st = read_families(cfg, s)) ||
      (st = qrd_config_numbers(cfg, "rates", 0.05, 20.0, s->rate, MAX_RATES,
                               &s->n_rate)) ||
      (st = qrd_matq_point_config_method(cfg, "watersic", "watersic", &s->watersic)))
    return st;
  return qrd_matq_point_config_method(cfg, "gptq_ec", "gptq", &s->gptq);
}

/* ---- running ---- */

/* Jobs are planned by (family, run, rate). */
static size_t job_index(const setup *s, size_t f, size_t c, size_t r)
{
  return (f * N_RUNS + c) * s->n_rate + r;
}

static void job_coords(const setup *s, size_t i, size_t *f, size_t *c, size_t *r)
{
  *r = i % s->n_rate;
  *c = i / s->n_rate % N_RUNS;
  *f = i / s->n_rate / N_RUNS;
}

typedef struct {
  qrd_driver *drv;
  const setup *s;
  const qrd_matq_point_job *jobs;
} progress_ctx;

static void progress(void *ctx_ptr, const qrd_matq_point_job *job)
{
  progress_ctx *ctx = ctx_ptr;
  size_t f, c, r;
  job_coords(ctx->s, (size_t)(job - ctx->jobs), &f, &c, &r);
  char what[256];
  snprintf(what, sizeof what, "%s %s R0=%g", ctx->s->family[f].spec, RUN_NAME[c],
           ctx->s->rate[r]);
  qrd_driver_progress_step(ctx->drv, what);
}

typedef struct {
  double *W, *S[MAX_FAMILIES];
  qrd_matq_point_limits *lim[MAX_FAMILIES];
  qrd_matq_problem prob[MAX_FAMILIES];
  qrd_matq_point_job *jobs;
} state;

static void plan(const qrd_driver *drv, const setup *s, state *t)
{
  for (size_t i = 0; i < s->n_family * N_RUNS * s->n_rate; i++) {
    size_t f, c, r;
    job_coords(s, i, &f, &c, &r);
    qrd_matq_point_job *j = &t->jobs[i];
    qrd_matq_point_opts_default(&j->opts);
    j->opts.method = c == C_WATERSIC ? &s->watersic : &s->gptq;
    j->opts.rotate = RUN_ROTATE[c];
    j->opts.rotate_seed = qrd_matq_point_rotate_seed(drv->seed);
    j->opts.target = s->rate[r];
    j->opts.nominal = !s->tune;
    j->lim = t->lim[f];
    j->problem = &t->prob[f];
  }
}

static int prepare(const qrd_driver *drv, const setup *s, state *t)
{
  size_t n = s->n, rows = s->rows;
  t->W = malloc(rows * n * sizeof *t->W);
  t->jobs = calloc(s->n_family * N_RUNS * s->n_rate, sizeof *t->jobs);
  if (!t->W || !t->jobs)
    return qrd_error_set(QRD_ENOMEM, "fig-22: W of %zu x %zu and jobs", rows, n);
  /* one W for every family: the curves differ by Sigma alone */
  int st = qrd_matq_point_draw_w(&s->dist, rows, n, drv->seed, t->W);
  for (size_t f = 0; !st && f < s->n_family; f++) {
    t->S[f] = malloc(n * n * sizeof *t->S[f]);
    st = t->S[f] ? qrd_cov_build(&s->family[f], n, drv->seed, t->S[f])
                 : qrd_error_set(QRD_ENOMEM, "fig-22: Sigma");
    if (!st)
      st = qrd_matq_point_limits_alloc(&s->dist, n, t->S[f], &t->lim[f]);
    t->prob[f] = (qrd_matq_problem){.rows = rows, .n = n, .W = t->W, .Sigma = t->S[f]};
  }
  if (!st)
    plan(drv, s, t);
  return st;
}

static void release(const setup *s, state *t)
{
  for (size_t f = 0; f < s->n_family; f++) {
    free(t->S[f]);
    qrd_matq_point_limits_free(t->lim[f]);
  }
  free(t->W);
  free(t->jobs);
}

/* ---- results ---- */

/* The waterfilling curves on a dense rate grid up to r_max: D_IT(R) and
 * D_IT(R - 0.2546) in dB, and the latter's gap to D_IT(R). */
static int write_waterfilling(qrd_results *res, const char *rd, const char *gap,
                              const qrd_matq_point_limits *lim, double r_max)
{
  double x[DENSE_MAX], y[DENSE_MAX], xs[DENSE_MAX], ys[DENSE_MAX], gs[DENSE_MAX];
  size_t n = 0, ns = 0;
  int st = QRD_OK;
  for (size_t i = 0; !st && i < DENSE_MAX && DENSE_STEP * (double)i <= r_max; i++) {
    qrd_matq_point_ref at, shifted;
    x[n] = DENSE_STEP * (double)i;
    st = qrd_matq_point_reference(lim, 1.0, x[n], &at);
    y[n++] = 10.0 * log10(at.d_it);
    if (st || x[n - 1] < GAP_ECSQ)
      continue;
    st = qrd_matq_point_reference(lim, 1.0, x[n - 1] - GAP_ECSQ, &shifted);
    xs[ns] = x[n - 1];
    ys[ns] = 10.0 * log10(shifted.d_it);
    gs[ns++] = 0.5 * log2(shifted.d_it / at.d_it);
  }
  if (!st)
    st = qrd_results_curve(res, rd, "waterfilling", "reverse waterfilling D_IT(R)", n, x, y,
                           NULL);
  if (!st)
    st = qrd_results_curve(res, rd, "waterfilling-shifted", "D_IT(R - 0.2546)", ns, xs, ys,
                           NULL);
  if (!st)
    st = qrd_results_curve(res, gap, "waterfilling-shifted", "D_IT(R - 0.2546)", ns, xs, gs,
                           NULL);
  return st;
}

/* One measured curve in both panels; pooled: WaterSIC's pooled rate. */
static int write_runs(qrd_results *res, const char *rd, const char *gap, const setup *s,
                      const qrd_matq_point_job *jobs, size_t f, size_t c, int pooled)
{
  double x[MAX_RATES], y[MAX_RATES], g[MAX_RATES];
  for (size_t r = 0; r < s->n_rate; r++) {
    const qrd_matq_point *p = &jobs[job_index(s, f, c, r)].out;
    const qrd_matq_point_ref *at = pooled ? &p->at_pool : &p->at_col;
    x[r] = at->rate;
    y[r] = 10.0 * log10(p->D);
    g[r] = at->gap;
  }
  char curve[64], label[96];
  snprintf(curve, sizeof curve, "%s%s", RUN_NAME[c],
           c != C_WATERSIC ? "" : pooled ? "-pooled" : "-col");
  snprintf(label, sizeof label, "%s%s", RUN_LABEL[c],
           c != C_WATERSIC ? "" : pooled ? " (pooled R)" : " (per-column R)");
  int st = qrd_results_curve(res, rd, curve, label, s->n_rate, x, y, NULL);
  return st ? st : qrd_results_curve(res, gap, curve, label, s->n_rate, x, g, NULL);
}

static int write_family(qrd_results *res, const setup *s, const state *t, size_t f)
{
  char slug[96], rd[112], gap[112], title[256];
  qrd_driver_slug(slug, sizeof slug, s->family[f].spec);
  snprintf(rd, sizeof rd, "%s-rd", slug);
  snprintf(gap, sizeof gap, "%s-gap", slug);
  snprintf(title, sizeof title, "%s, n = %zu: D vs R", s->family[f].spec, s->n);
  const char *x_label = "R (bits/weight; per-column entropy + MM unless pooled)";
  int st = qrd_results_panel(res, rd, title, x_label, "D (dB)");
  snprintf(title, sizeof title, "%s, n = %zu: gap to reverse waterfilling",
           s->family[f].spec, s->n);
  if (!st)
    st = qrd_results_panel(res, gap, title, x_label, "gap 1/2 log2(D / D_IT(R)) (bits)");
  double r_max = 0.0;
  for (size_t i = 0; i < N_RUNS * s->n_rate; i++)
    r_max = fmax(r_max, t->jobs[job_index(s, f, 0, 0) + i].out.pool.bits);
  if (!st)
    st = write_waterfilling(res, rd, gap, t->lim[f], r_max + DENSE_STEP);
  for (size_t c = 0; !st && c < N_RUNS; c++) {
    st = write_runs(res, rd, gap, s, t->jobs, f, c, 0);
    if (!st && c == C_WATERSIC)
      st = write_runs(res, rd, gap, s, t->jobs, f, c, 1);
  }
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_results_attr_double(res, "n", (double)s->n);
  if (!st)
    st = qrd_results_attr_double(res, "rows", (double)s->rows);
  if (!st)
    st = qrd_results_attr_string(res, "dist", s->dist.spec);
  if (!st)
    st = qrd_results_attr_string(res, "rate_kind",
                                 "entropy_col+mm, watersic-pooled: entropy_pooled+mm "
                                 "(no side information)");
  if (!st)
    st = qrd_results_attr_string(res, "rate_target",
                                 s->tune ? "tuned (entropy_col+mm)" : "nominal step");
  if (!st)
    st = qrd_results_attr_string(res, "watersic", s->watersic.spec);
  if (!st)
    st = qrd_results_attr_string(res, "gptq_ec", s->gptq.spec);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return st;
}

/* ---- main ---- */

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  state t = {0};
  qrd_results *res = NULL;
  size_t total = s->n_family * N_RUNS * s->n_rate;
  int st = qrd_driver_results(drv, &res);
  if (!st)
    st = prepare(drv, s, &t);
  if (!st) {
    qrd_driver_progress_begin(drv, total);
    progress_ctx ctx = {.drv = drv, .s = s, .jobs = t.jobs};
    size_t bad;
    if ((st = qrd_matq_point_batch(t.jobs, total, progress, &ctx, &bad))) {
      size_t f, c, r;
      job_coords(s, bad, &f, &c, &r);
      st = qrd_error_set(st, "%s, %s at R0 = %g: %s", s->family[f].spec, RUN_NAME[c],
                         s->rate[r], t.jobs[bad].error);
    }
  }
  if (!st)
    st = write_attrs(res, s);
  for (size_t f = 0; !st && f < s->n_family; f++)
    st = write_family(res, s, &t, f);
  release(s, &t);
  return res ? qrd_driver_close_results(res, st) : st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-22", doc, read_setup, run, &s);
}
