/* fig-21 (watersic.md §9 E2): GPTQ's unbounded gap.  Two-level diagonal
 * Sigma (first n/2 eigenvalues eps, the rest 1), n = 64, a = 10^4 Gaussian
 * rows, eps in {1e-1, 1e-2, 1e-3, 1e-6}, R0 = 2..8; WaterSIC and GPTQ-EC
 * tuned to R0 (per-column entropy + Miller-Madow).
 *
 * At high rate WaterSIC sits 1/2 log2(2 pi e/12) = 0.2546 bit above
 * reverse waterfilling, GPTQ a further excess 1/2 log2(AM/GM) =
 * 1/2 log2((1 + eps)/(2 sqrt eps)) (0.399234, 1.168142, 1.992167, 4.482893
 * bits, §12.1).  "High rate" for this comparison means
 * R >= 1/4 log2(1/eps) + 1 (§9 E2): below it the eps columns get few
 * bits or none (WaterSIC's automatic water level).
 *
 * Panels:
 *   eps-<eps>  gap 1/2 log2(D/D_IT(R)) vs R.  Curves watersic, gptq-ec,
 *              watersic-limit (0.2546) and gptq-ec-limit (0.2546 + excess,
 *              drawn over the comparison range only);
 *   excess     excess vs log10(1/eps): closed-form (dense), and from the
 *              runs over the comparison range (mean, y_err = sd over its
 *              rates): gptq-ec-measured = gap_GPTQ - 0.2546,
 *              gptq-ec-minus-watersic = gap_GPTQ - gap_WaterSIC (same R0),
 *              watersic-measured = gap_WaterSIC - 0.2546. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/driver.h"
#include "mat/cov.h"
#include "mat/point.h"
#include "mc/sample.h"

#define MAX_EPS 8
#define MAX_RATES 32
#define GAP_ECSQ 0.25461433480 /* 1/2 log2(2 pi e / 12), §12.1 */
#define DENSE_STEP 0.1         /* log10(1/eps) step of the closed-form curve */
#define DENSE_MAX 6.5

static const char doc[] =
  "E2: GPTQ's unbounded gap on two-level spectra vs WaterSIC (watersic.md §9).\n"
  "Config keys: seed, n, rows, tune (1: tune each run to R0; 0: nominal step),\n"
  "dist (law of W's entries), eps (list: the small eigenvalue), rates (targets\n"
  "R0, per-column entropy + Miller-Madow), watersic (a watersic spec), gptq_ec\n"
  "(a gptq spec).";

enum { M_WATERSIC, M_GPTQ, N_METHODS };
static const char *const METHOD_KEY[N_METHODS] = {"watersic", "gptq_ec"};
static const char *const METHOD_TYPE[N_METHODS] = {"watersic", "gptq"};
static const char *const METHOD_CURVE[N_METHODS] = {"watersic", "gptq-ec"};
static const char *const METHOD_LABEL[N_METHODS] = {"WaterSIC", "GPTQ-EC"};

typedef struct {
  size_t n, rows;
  int tune;
  qrd_dist dist;
  double eps[MAX_EPS];
  size_t n_eps;
  double rate[MAX_RATES];
  size_t n_rate;
  qrd_matq method[N_METHODS];
} setup;

/* GPTQ's high-rate excess over WaterSIC for the two-level spectrum (§5). */
static double closed_form_excess(double eps)
{
  return 0.5 * log2((1.0 + eps) / (2.0 * sqrt(eps)));
}

/* The lowest rate where the high-rate prediction is compared (§9 E2). */
static double compare_min_rate(double eps) { return 0.25 * log2(1.0 / eps) + 1.0; }

/* ---- configuration ---- */

static int read_dist(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  size_t n;
  int st = qrd_config_list(cfg, "dist", words, &n);
  if (st)
    return st;
  if (n != 1)
    return qrd_config_invalid(cfg, "dist", "want one distribution");
  if (qrd_dist_parse(words[0], &s->dist)) {
    char why[512];
    snprintf(why, sizeof why, "%s", qrd_error_detail());
    return qrd_config_invalid(cfg, "dist", why);
  }
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  if ((st = qrd_matq_point_config_problem(cfg, &s->n, &s->rows, &s->tune)) ||
      (st = read_dist(cfg, s)) ||
      (st = qrd_config_numbers(cfg, "eps", 1e-12, 1.0, s->eps, MAX_EPS,
                               &s->n_eps)) ||
      (st = qrd_config_numbers(cfg, "rates", 0.05, 20.0, s->rate, MAX_RATES,
                               &s->n_rate)))
    return st;
  if (s->n < 2 || s->n % 2)
    return qrd_config_invalid(cfg, "n", "must be even (two halves of the spectrum)");
  for (int k = 0; k < N_METHODS; k++)
    if ((st = qrd_matq_point_config_method(cfg, METHOD_KEY[k], METHOD_TYPE[k],
                                           &s->method[k])))
      return st;
  return QRD_OK;
}

/* ---- running ---- */

/* Jobs are planned by (eps, method, rate). */
static size_t job_index(const setup *s, size_t e, size_t m, size_t r)
{
  return (e * N_METHODS + m) * s->n_rate + r;
}

static void job_coords(const setup *s, size_t i, size_t *e, size_t *m, size_t *r)
{
  *r = i % s->n_rate;
  *m = i / s->n_rate % N_METHODS;
  *e = i / s->n_rate / N_METHODS;
}

typedef struct {
  qrd_driver *drv;
  const setup *s;
  const qrd_matq_point_job *jobs;
} progress_ctx;

static void progress(void *ctx_ptr, const qrd_matq_point_job *job)
{
  progress_ctx *ctx = ctx_ptr;
  size_t e, m, r;
  job_coords(ctx->s, (size_t)(job - ctx->jobs), &e, &m, &r);
  char what[256];
  snprintf(what, sizeof what, "eps=%g %s R0=%g", ctx->s->eps[e], METHOD_CURVE[m],
           ctx->s->rate[r]);
  qrd_driver_progress_step(ctx->drv, what);
}

typedef struct {
  double *W, *S[MAX_EPS];
  qrd_matq_point_limits *lim[MAX_EPS];
  qrd_matq_problem prob[MAX_EPS];
  qrd_matq_point_job *jobs;
} state;

static int prepare(const qrd_driver *drv, const setup *s, state *t)
{
  size_t n = s->n, rows = s->rows, total = s->n_eps * N_METHODS * s->n_rate;
  t->W = malloc(rows * n * sizeof *t->W);
  t->jobs = calloc(total, sizeof *t->jobs);
  if (!t->W || !t->jobs)
    return qrd_error_set(QRD_ENOMEM, "fig-21: W of %zu x %zu and jobs", rows, n);
  /* one W for every spectrum: the curves differ by Sigma alone */
  int st = qrd_matq_point_draw_w(&s->dist, rows, n, drv->seed, t->W);
  for (size_t e = 0; !st && e < s->n_eps; e++) {
    char spec[64];
    qrd_cov cov;
    snprintf(spec, sizeof spec, "two-level:eps=%.17g", s->eps[e]);
    t->S[e] = malloc(n * n * sizeof *t->S[e]);
    st = t->S[e] ? qrd_cov_parse(spec, &cov) : qrd_error_set(QRD_ENOMEM, "fig-21: Sigma");
    if (!st)
      st = qrd_cov_build(&cov, n, drv->seed, t->S[e]);
    if (!st)
      st = qrd_matq_point_limits_alloc(&s->dist, n, t->S[e], &t->lim[e]);
    t->prob[e] = (qrd_matq_problem){.rows = rows, .n = n, .W = t->W, .Sigma = t->S[e]};
  }
  for (size_t i = 0; !st && i < total; i++) {
    size_t e, m, r;
    job_coords(s, i, &e, &m, &r);
    qrd_matq_point_job *j = &t->jobs[i];
    qrd_matq_point_opts_default(&j->opts);
    j->opts.method = &s->method[m];
    j->opts.target = s->rate[r];
    j->opts.nominal = !s->tune;
    j->lim = t->lim[e];
    j->problem = &t->prob[e];
  }
  return st;
}

static void release(const setup *s, state *t)
{
  for (size_t e = 0; e < s->n_eps; e++) {
    free(t->S[e]);
    qrd_matq_point_limits_free(t->lim[e]);
  }
  free(t->W);
  free(t->jobs);
}

/* ---- results ---- */

static int write_line(qrd_results *res, const char *panel, const char *curve,
                      const char *label, double x0, double x1, double y)
{
  double x[2] = {x0, x1}, v[2] = {y, y};
  return qrd_results_curve(res, panel, curve, label, 2, x, v, NULL);
}

static void eps_panel_name(double eps, char *name, size_t len)
{
  char raw[64];
  snprintf(raw, sizeof raw, "eps-%g", eps);
  qrd_driver_slug(name, len, raw);
}

static int write_eps_panel(qrd_results *res, const setup *s, const qrd_matq_point_job *jobs,
                           size_t e)
{
  char panel[64], title[160], label[160];
  double excess = closed_form_excess(s->eps[e]), r_min = compare_min_rate(s->eps[e]);
  eps_panel_name(s->eps[e], panel, sizeof panel);
  snprintf(title, sizeof title, "two-level eps = %g: closed-form excess %.6f bit", s->eps[e],
           excess);
  int st = qrd_results_panel(res, panel, title,
                             "R (bits/weight, per-column entropy + Miller-Madow)",
                             "gap 1/2 log2(D / D_IT(R)) (bits)");
  double lo = INFINITY, hi = -INFINITY;
  for (size_t m = 0; !st && m < N_METHODS; m++) {
    double x[MAX_RATES], y[MAX_RATES];
    for (size_t r = 0; r < s->n_rate; r++) {
      const qrd_matq_point *p = &jobs[job_index(s, e, m, r)].out;
      x[r] = p->col.bits;
      y[r] = p->at_col.gap;
      lo = fmin(lo, x[r]);
      hi = fmax(hi, x[r]);
    }
    st = qrd_results_curve(res, panel, METHOD_CURVE[m], METHOD_LABEL[m], s->n_rate, x, y,
                           NULL);
  }
  snprintf(label, sizeof label, "0.2546 (WaterSIC)");
  if (!st)
    st = write_line(res, panel, "watersic-limit", label, lo, hi, GAP_ECSQ);
  snprintf(label, sizeof label, "0.2546 + excess %.4f (R >= %.2f)", excess, r_min);
  if (!st && hi >= r_min)
    st = write_line(res, panel, "gptq-ec-limit", label, fmax(lo, r_min), hi,
                    GAP_ECSQ + excess);
  return st;
}

/* Mean and sd over the comparison range of eps e of gap(m) - gap(m2)
 * (m2 < 0: minus 0.2546); *count = number of rates. */
static void compare(const setup *s, const qrd_matq_point_job *jobs, size_t e, size_t m,
                    int m2, double *mean, double *sd, size_t *count)
{
  double sum = 0.0, sum2 = 0.0;
  size_t k = 0;
  for (size_t r = 0; r < s->n_rate; r++) {
    const qrd_matq_point *p = &jobs[job_index(s, e, m, r)].out;
    if (p->col.bits < compare_min_rate(s->eps[e]))
      continue;
    double ref = m2 < 0 ? GAP_ECSQ : jobs[job_index(s, e, (size_t)m2, r)].out.at_col.gap;
    double v = p->at_col.gap - ref;
    sum += v;
    sum2 += v * v;
    k++;
  }
  *count = k;
  *mean = k ? sum / (double)k : NAN;
  *sd = k > 1 ? sqrt(fmax(0.0, (sum2 - sum * sum / (double)k) / (double)(k - 1))) : 0.0;
}

static int write_excess_panel(qrd_results *res, const setup *s, const qrd_matq_point_job *jobs)
{
  int st = qrd_results_panel(res, "excess",
                             "GPTQ's excess over WaterSIC vs log10(1/eps), high rate",
                             "log10(1/eps)", "excess (bits)");
  size_t n_dense = (size_t)(DENSE_MAX / DENSE_STEP) + 1;
  double xd[128], yd[128];
  for (size_t i = 0; i < n_dense; i++) {
    xd[i] = DENSE_STEP * (double)i;
    yd[i] = closed_form_excess(pow(10.0, -xd[i]));
  }
  if (!st)
    st = qrd_results_curve(res, "excess", "closed-form",
                           "closed form 1/2 log2((1+eps)/(2 sqrt eps))", n_dense, xd, yd,
                           NULL);
  static const struct {
    const char *curve, *label;
    size_t m;
    int m2;
  } measured[] = {
    {"gptq-ec-measured", "GPTQ-EC: gap - 0.2546", M_GPTQ, -1},
    {"gptq-ec-minus-watersic", "GPTQ-EC gap - WaterSIC gap", M_GPTQ, M_WATERSIC},
    {"watersic-measured", "WaterSIC: gap - 0.2546", M_WATERSIC, -1},
  };
  for (size_t c = 0; !st && c < sizeof measured / sizeof measured[0]; c++) {
    double x[MAX_EPS], y[MAX_EPS], err[MAX_EPS];
    size_t k = 0, count;
    for (size_t e = 0; e < s->n_eps; e++) {
      compare(s, jobs, e, measured[c].m, measured[c].m2, &y[k], &err[k], &count);
      x[k] = log10(1.0 / s->eps[e]);
      k += count > 0;
    }
    if (k > 0) /* no eps reached its comparison range: no curve */
      st = qrd_results_curve(res, "excess", measured[c].curve, measured[c].label, k, x, y,
                             err);
  }
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  int st = qrd_results_attr_string(res, "family", "two-level (first n/2 eigenvalues eps)");
  if (!st)
    st = qrd_results_attr_double(res, "n", (double)s->n);
  if (!st)
    st = qrd_results_attr_double(res, "rows", (double)s->rows);
  if (!st)
    st = qrd_results_attr_string(res, "dist", s->dist.spec);
  if (!st)
    st = qrd_results_attr_string(res, "rate_kind", "entropy_col+mm (no side information)");
  if (!st)
    st = qrd_results_attr_string(res, "rate_target", s->tune ? "tuned" : "nominal step");
  if (!st)
    st = qrd_results_attr_string(res, "compare_rule", "R >= 1/4 log2(1/eps) + 1");
  for (int k = 0; !st && k < N_METHODS; k++)
    st = qrd_results_attr_string(res, METHOD_KEY[k], s->method[k].spec);
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
  size_t total = s->n_eps * N_METHODS * s->n_rate;
  int st = qrd_driver_results(drv, &res);
  if (!st)
    st = prepare(drv, s, &t);
  if (!st) {
    qrd_driver_progress_begin(drv, total);
    progress_ctx ctx = {.drv = drv, .s = s, .jobs = t.jobs};
    size_t bad;
    if ((st = qrd_matq_point_batch(t.jobs, total, progress, &ctx, &bad))) {
      size_t e, m, r;
      job_coords(s, bad, &e, &m, &r);
      st = qrd_error_set(st, "eps = %g, %s at R0 = %g: %s", s->eps[e], s->method[m].spec,
                         s->rate[r], t.jobs[bad].error);
    }
  }
  if (!st)
    st = write_attrs(res, s);
  for (size_t e = 0; !st && e < s->n_eps; e++)
    st = write_eps_panel(res, s, t.jobs, e);
  if (!st)
    st = write_excess_panel(res, s, t.jobs);
  release(s, &t);
  return res ? qrd_driver_close_results(res, st) : st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-21", doc, read_setup, run, &s);
}
