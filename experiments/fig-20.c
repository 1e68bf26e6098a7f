/* fig-20 (watersic.md §9 E1): high-rate constants.  Sigma = I (n = 64),
 * a = 10^4 rows of iid Gaussian and Laplace weights, target rates R0 = 2..6
 * (per-column entropy + Miller-Madow); WaterSIC with and without LMMSE and
 * GPTQ-EC, each tuned to R0.
 *
 * Panels:
 *   gap       1/2 log2(D / D_SLB(R)) vs R: the gap to the Shannon lower
 *             bound, -> 1/2 log2(2 pi e/12) = 0.2546 bit (§5, §12.1);
 *   constant  D 2^{2R} vs R, -> 2^{2h}/12 det^{1/n} (2 pi e/12 = 1.4233 for
 *             unit-variance Gaussian weights).
 * Curves: <dist>-watersic, <dist>-watersic-no-lmmse, <dist>-gptq-ec per
 * law of W; in gap also ecsq (0.2546) and accept-lower/-upper (0.2546 -+
 * 0.02 over R >= 3, the acceptance band of §9), in constant <dist>-limit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/driver.h"
#include "mat/cov.h"
#include "mat/limits.h"
#include "mat/point.h"
#include "mc/sample.h"

#define MAX_DISTS 4
#define MAX_RATES 32
#define GAP_ECSQ 0.25461433480 /* 1/2 log2(2 pi e / 12), §12.1 */
#define ACCEPT_TOL 0.02        /* §9 E1 */
#define ACCEPT_MIN_RATE 3.0

static const char doc[] =
  "E1: gap to the Shannon lower bound and D 2^{2R} vs rate (watersic.md §9).\n"
  "Config keys: seed, family (Sigma, e.g. identity), n, rows, dists (laws of\n"
  "W's entries: gaussian laplace ...), rates (targets R0, bits of per-column\n"
  "entropy + Miller-Madow), tune (1: tune each run to R0; 0: nominal step),\n"
  "watersic, watersic_no_lmmse (watersic specs, the second with lmmse=0),\n"
  "gptq_ec (a gptq spec).";

enum { M_WATERSIC, M_WATERSIC_PLAIN, M_GPTQ, N_METHODS };
static const char *const METHOD_KEY[N_METHODS] = {"watersic", "watersic_no_lmmse",
                                                  "gptq_ec"};
static const char *const METHOD_TYPE[N_METHODS] = {"watersic", "watersic", "gptq"};
static const char *const METHOD_CURVE[N_METHODS] = {"watersic", "watersic-no-lmmse",
                                                    "gptq-ec"};
static const char *const METHOD_LABEL[N_METHODS] = {"WaterSIC, LMMSE",
                                                    "WaterSIC, no LMMSE", "GPTQ-EC"};

typedef struct {
  qrd_cov family;
  size_t n, rows;
  qrd_dist dist[MAX_DISTS];
  size_t n_dist;
  double rate[MAX_RATES];
  size_t n_rate;
  qrd_matq method[N_METHODS];
  int tune;
} setup;

/* ---- configuration ---- */

static int invalid_detail(qrd_config *cfg, const char *key)
{
  char why[512];
  snprintf(why, sizeof why, "%s", qrd_error_detail());
  return qrd_config_invalid(cfg, key, why);
}

static int read_family(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  size_t n;
  int st = qrd_config_list(cfg, "family", words, &n);
  if (st)
    return st;
  if (n != 1)
    return qrd_config_invalid(cfg, "family", "want one covariance family");
  if (qrd_cov_parse(words[0], &s->family) || qrd_cov_dim(&s->family, s->n, &s->n))
    return invalid_detail(cfg, "family");
  return QRD_OK;
}

static int read_dists(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "dists", words, &s->n_dist);
  if (st)
    return st;
  if (s->n_dist == 0 || s->n_dist > MAX_DISTS)
    return qrd_config_invalid(cfg, "dists", "want 1 to 4 distributions");
  for (size_t i = 0; i < s->n_dist; i++)
    if (qrd_dist_parse(words[i], &s->dist[i]))
      return invalid_detail(cfg, "dists");
  return QRD_OK;
}

/* The value of m's parameter `name`. */
static double param_value(const qrd_matq *m, const char *name)
{
  for (size_t i = 0; i < m->type->n_params; i++)
    if (strcmp(m->type->params[i].name, name) == 0)
      return m->params[i];
  return NAN;
}

static int read_methods(qrd_config *cfg, setup *s)
{
  for (int k = 0; k < N_METHODS; k++) {
    int st = qrd_matq_point_config_method(cfg, METHOD_KEY[k], METHOD_TYPE[k], &s->method[k]);
    if (st)
      return st;
  }
  if (param_value(&s->method[M_WATERSIC], "lmmse") == 0.0)
    return qrd_config_invalid(cfg, "watersic", "want LMMSE on (lmmse=1 or 2)");
  if (param_value(&s->method[M_WATERSIC_PLAIN], "lmmse") != 0.0)
    return qrd_config_invalid(cfg, "watersic_no_lmmse", "want lmmse=0");
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  if ((st = qrd_matq_point_config_problem(cfg, &s->n, &s->rows, &s->tune)) ||
      (st = read_family(cfg, s)) || (st = read_dists(cfg, s)) ||
      (st = qrd_config_numbers(cfg, "rates", 0.05, 20.0, s->rate, MAX_RATES,
                               &s->n_rate)))
    return st;
  return read_methods(cfg, s);
}

/* ---- running ---- */

typedef struct {
  qrd_driver *drv;
  const setup *s;
  const qrd_matq_point_job *jobs;
} progress_ctx;

/* Jobs are planned by (dist, method, rate). */
static void job_coords(const setup *s, size_t i, size_t *d, size_t *m, size_t *r)
{
  *r = i % s->n_rate;
  *m = i / s->n_rate % N_METHODS;
  *d = i / s->n_rate / N_METHODS;
}

static void progress(void *ctx_ptr, const qrd_matq_point_job *job)
{
  progress_ctx *ctx = ctx_ptr;
  size_t d, m, r;
  job_coords(ctx->s, (size_t)(job - ctx->jobs), &d, &m, &r);
  char what[256];
  snprintf(what, sizeof what, "%s %s R0=%g", ctx->s->dist[d].spec, METHOD_CURVE[m],
           ctx->s->rate[r]);
  qrd_driver_progress_step(ctx->drv, what);
}

static void plan(const setup *s, qrd_matq_point_limits *const *lim,
                 const qrd_matq_problem *prob, qrd_matq_point_job *jobs)
{
  size_t total = s->n_dist * N_METHODS * s->n_rate;
  for (size_t i = 0; i < total; i++) {
    size_t d, m, r;
    job_coords(s, i, &d, &m, &r);
    qrd_matq_point_job *j = &jobs[i];
    memset(j, 0, sizeof *j);
    qrd_matq_point_opts_default(&j->opts);
    j->opts.method = &s->method[m];
    j->opts.target = s->rate[r];
    j->opts.nominal = !s->tune;
    j->lim = lim[d];
    j->problem = &prob[d];
  }
}

/* ---- results ---- */

static int write_line(qrd_results *res, const char *panel, const char *curve,
                      const char *label, double x0, double x1, double y)
{
  double x[2] = {x0, x1}, v[2] = {y, y};
  return qrd_results_curve(res, panel, curve, label, 2, x, v, NULL);
}

static int write_panels(qrd_results *res, const setup *s,
                        qrd_matq_point_limits *const *lim, const qrd_matq_point_job *jobs)
{
  int st = qrd_results_panel(res, "gap", "Gap to the Shannon lower bound",
                             "R (bits/weight, per-column entropy + Miller-Madow)",
                             "gap 1/2 log2(D / D_SLB(R)) (bits)");
  if (!st)
    st = qrd_results_panel(res, "constant", "D 2^{2R} -> 2^{2h}/12 det(Sigma)^{1/n}",
                           "R (bits/weight, per-column entropy + Miller-Madow)",
                           "D 2^{2R}");
  double lo = INFINITY, hi = -INFINITY;
  for (size_t c = 0; !st && c < s->n_dist * N_METHODS; c++) {
    size_t d = c / N_METHODS, m = c % N_METHODS;
    double x[MAX_RATES], gap[MAX_RATES], k[MAX_RATES];
    for (size_t r = 0; r < s->n_rate; r++) {
      const qrd_matq_point *p = &jobs[c * s->n_rate + r].out;
      x[r] = p->col.bits;
      gap[r] = qrd_gap_bits(p->D, p->at_col.d_slb);
      k[r] = p->D * exp2(2.0 * x[r]);
      lo = fmin(lo, x[r]);
      hi = fmax(hi, x[r]);
    }
    char curve[96], slug[64], label[160];
    qrd_driver_slug(slug, sizeof slug, s->dist[d].spec);
    snprintf(curve, sizeof curve, "%s-%s", slug, METHOD_CURVE[m]);
    snprintf(label, sizeof label, "%s, %s", METHOD_LABEL[m], s->dist[d].spec);
    st = qrd_results_curve(res, "gap", curve, label, s->n_rate, x, gap, NULL);
    if (!st)
      st = qrd_results_curve(res, "constant", curve, label, s->n_rate, x, k, NULL);
  }
  char label[160];
  snprintf(label, sizeof label, "1/2 log2(2 pi e/12) = %.4f", GAP_ECSQ);
  if (!st)
    st = write_line(res, "gap", "ecsq", label, lo, hi, GAP_ECSQ);
  if (!st && hi >= ACCEPT_MIN_RATE) {
    st = write_line(res, "gap", "accept-lower", "acceptance band (R >= 3)",
                    fmax(lo, ACCEPT_MIN_RATE), hi, GAP_ECSQ - ACCEPT_TOL);
    if (!st)
      st = write_line(res, "gap", "accept-upper", "acceptance band (R >= 3)",
                      fmax(lo, ACCEPT_MIN_RATE), hi, GAP_ECSQ + ACCEPT_TOL);
  }
  for (size_t d = 0; !st && d < s->n_dist; d++) {
    double y = exp2(2.0 * lim[d]->h_bits) / 12.0 * lim[d]->det_root;
    char curve[96], slug[64];
    qrd_driver_slug(slug, sizeof slug, s->dist[d].spec);
    snprintf(curve, sizeof curve, "%s-limit", slug);
    snprintf(label, sizeof label, "2^(2h)/12 = %.4f (%s)", y, s->dist[d].spec);
    st = write_line(res, "constant", curve, label, lo, hi, y);
  }
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_results_attr_string(res, "family", s->family.spec);
  if (!st)
    st = qrd_results_attr_double(res, "n", (double)s->n);
  if (!st)
    st = qrd_results_attr_double(res, "rows", (double)s->rows);
  if (!st)
    st = qrd_results_attr_string(res, "rate_kind", "entropy_col+mm (no side information)");
  if (!st)
    st = qrd_results_attr_string(res, "rate_target", s->tune ? "tuned" : "nominal step");
  for (int k = 0; !st && k < N_METHODS; k++)
    st = qrd_results_attr_string(res, METHOD_KEY[k], s->method[k].spec);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return st;
}

/* ---- main ---- */

typedef struct {
  double *S, *W[MAX_DISTS];
  qrd_matq_point_limits *lim[MAX_DISTS];
  qrd_matq_problem prob[MAX_DISTS];
  qrd_matq_point_job *jobs;
} state;

static int prepare(const qrd_driver *drv, const setup *s, state *t)
{
  size_t n = s->n, rows = s->rows;
  t->S = malloc(n * n * sizeof *t->S);
  t->jobs = malloc(s->n_dist * N_METHODS * s->n_rate * sizeof *t->jobs);
  if (!t->S || !t->jobs)
    return qrd_error_set(QRD_ENOMEM, "fig-20: Sigma and jobs");
  int st = qrd_cov_build(&s->family, n, drv->seed, t->S);
  for (size_t d = 0; !st && d < s->n_dist; d++) {
    t->W[d] = malloc(rows * n * sizeof *t->W[d]);
    st = t->W[d] ? qrd_matq_point_draw_w(&s->dist[d], rows, n, drv->seed, t->W[d])
                 : qrd_error_set(QRD_ENOMEM, "fig-20: W of %zu x %zu", rows, n);
    if (!st)
      st = qrd_matq_point_limits_alloc(&s->dist[d], n, t->S, &t->lim[d]);
    t->prob[d] = (qrd_matq_problem){.rows = rows, .n = n, .W = t->W[d], .Sigma = t->S};
  }
  return st;
}

static void release(const setup *s, state *t)
{
  for (size_t d = 0; d < s->n_dist; d++) {
    free(t->W[d]);
    qrd_matq_point_limits_free(t->lim[d]);
  }
  free(t->S);
  free(t->jobs);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  state t = {0};
  qrd_results *res = NULL;
  size_t total = s->n_dist * N_METHODS * s->n_rate;
  int st = qrd_driver_results(drv, &res);
  if (!st)
    st = prepare(drv, s, &t);
  if (!st) {
    plan(s, t.lim, t.prob, t.jobs);
    qrd_driver_progress_begin(drv, total);
    progress_ctx ctx = {.drv = drv, .s = s, .jobs = t.jobs};
    size_t bad;
    if ((st = qrd_matq_point_batch(t.jobs, total, progress, &ctx, &bad))) {
      size_t d, m, r;
      job_coords(s, bad, &d, &m, &r);
      st = qrd_error_set(st, "%s, %s at R0 = %g: %s", s->dist[d].spec,
                         s->method[m].spec, s->rate[r], t.jobs[bad].error);
    }
  }
  if (!st)
    st = write_attrs(res, s);
  if (!st)
    st = write_panels(res, s, t.lim, t.jobs);
  release(s, &t);
  return res ? qrd_driver_close_results(res, st) : st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-20", doc, read_setup, run, &s);
}
