/* fig-25 (watersic.md §9 E6): low rate and the LMMSE gain.  WaterSIC with
 * the gain off, unclamped (the authors') and clamped to [0, 1], tuned to
 * each target rate; the gap 1/2 log2(D / D(R)) to the Gaussian limit
 * (reverse waterfilling on the eigenvalues of Sigma, sigma = 1) at the
 * rate reached.
 *
 * W is iid N(0, 1) (rows x n, one sample shared by every point), D =
 * tr(E Sigma E^T)/(rows n) with the undamped Sigma, and every rate is the
 * mean per-column entropy (plug-in + Miller-Madow, no side information).
 *
 * Panels, one per covariance (its slug): one curve per method (name: the
 * method's slug, label: its spec), x = rate reached, y = gap (bits); and
 * the line high-rate at 1/2 log2(2 pi e / 12). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/driver.h"
#include "harness/point_attrs.h"
#include "mat/point.h"
#include "mc/sample.h"

#define MAX_SIGMAS 4
#define MAX_METHODS 6
#define MAX_RATES 32

static const char doc[] =
  "Low rate and the LMMSE gain of WaterSIC (watersic.md E6).  Config keys:\n"
  "seed, sigmas (covariance specs, one panel each), n, rows, rates (target\n"
  "per-column entropies), methods (matq specs, one curve each).";

typedef struct {
  qrd_cov sigma[MAX_SIGMAS];
  size_t n_sigma;
  qrd_matq method[MAX_METHODS];
  size_t n_method;
  double rate[MAX_RATES];
  size_t n_rate, n, rows;
} setup;

static const qrd_rate_opts RATE_HOW = {.kind = QRD_RATE_ENTROPY_COL, .miller_madow = 1,
                                       .side_info = 0};

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long n, rows;
  int st;
  if ((st = qrd_config_whole(cfg, "n", 2, 4096, &n)) ||
      (st = qrd_config_whole(cfg, "rows", 100, 1e7, &rows)) ||
      (st = qrd_matq_point_config_covs(cfg, "sigmas", n, s->sigma, MAX_SIGMAS,
                                       &s->n_sigma)) ||
      (st = qrd_matq_point_config_methods(cfg, "methods", s->method, MAX_METHODS,
                                          &s->n_method)) ||
      (st = qrd_config_numbers(cfg, "rates", 0.01, 16.0, s->rate, MAX_RATES, &s->n_rate)))
    return st;
  s->n = n;
  s->rows = rows;
  return QRD_OK;
}

/* ---- the points ---- */

/* Job j: Sigma j / (methods rates), method j / rates % methods, rate j % rates. */
static void job_index(const setup *s, size_t j, size_t *sigma, size_t *method, size_t *rate)
{
  *sigma = j / (s->n_method * s->n_rate);
  *method = j / s->n_rate % s->n_method;
  *rate = j % s->n_rate;
}

static void describe_job(const setup *s, size_t j, char *buf, size_t len)
{
  size_t i, m, r;
  job_index(s, j, &i, &m, &r);
  snprintf(buf, len, "%s, %s, R = %g", s->sigma[i].spec, s->method[m].spec, s->rate[r]);
}

typedef struct {
  qrd_driver *drv;
  const setup *s;
  const qrd_matq_point_job *jobs;
} progress_ctx;

static void progress(void *ctx_ptr, const qrd_matq_point_job *job)
{
  const progress_ctx *ctx = ctx_ptr;
  char what[256];
  describe_job(ctx->s, (size_t)(job - ctx->jobs), what, sizeof what);
  qrd_driver_progress_step(ctx->drv, what);
}

/* Every point, each tuned to its target in RATE_HOW (point.h's default). */
static int run_points(qrd_driver *drv, const setup *s, const qrd_matq_point_panel *pn,
                      qrd_matq_point_job *jobs, size_t n_jobs)
{
  for (size_t j = 0; j < n_jobs; j++) {
    size_t i, m, r;
    job_index(s, j, &i, &m, &r);
    qrd_matq_point_opts_default(&jobs[j].opts);
    jobs[j].opts.method = &s->method[m];
    jobs[j].opts.target = s->rate[r];
    jobs[j].lim = pn[i].lim;
    jobs[j].problem = &pn[i].p;
  }
  progress_ctx ctx = {drv, s, jobs};
  size_t failed;
  qrd_driver_progress_begin(drv, n_jobs);
  int st = qrd_matq_point_batch(jobs, n_jobs, progress, &ctx, &failed);
  if (st) {
    char what[256];
    describe_job(s, failed, what, sizeof what);
    st = qrd_error_set(st, "%s: %s", what, jobs[failed].error);
  }
  return st;
}

/* ---- results ---- */

/* "LMMSE off (watersic:lmmse=0)" for a method with an lmmse parameter. */
static void method_label(const qrd_matq *m, char *buf, size_t len)
{
  static const char *const gain[] = {"LMMSE off", "LMMSE unclamped", "LMMSE clamped to [0,1]"};
  for (size_t i = 0; i < m->type->n_params; i++)
    if (strcmp(m->type->params[i].name, "lmmse") == 0 && m->params[i] >= 0.0 &&
        m->params[i] <= 2.0) {
      snprintf(buf, len, "%s (%s)", gain[(int)m->params[i]], m->spec);
      return;
    }
  snprintf(buf, len, "%s", m->spec);
}

static int write_panel(qrd_results *res, const setup *s, size_t i,
                       const qrd_matq_point_job *jobs)
{
  char name[160], title[QRD_COV_PATH_LEN + 512], rk[64];
  qrd_rate_describe(&RATE_HOW, rk, sizeof rk);
  qrd_driver_slug(name, sizeof name, s->sigma[i].spec);
  snprintf(title, sizeof title, "WaterSIC LMMSE variants, Sigma = %s, n = %zu, a = %zu",
           s->sigma[i].spec, s->n, s->rows);
  char xlabel[96];
  snprintf(xlabel, sizeof xlabel, "rate R (bits per weight, %s)", rk);
  int st = qrd_results_panel(res, name, title, xlabel, "gap to the Gaussian limit (bits)");
  double lo = INFINITY, hi = -INFINITY;
  for (size_t m = 0; !st && m < s->n_method; m++) {
    double x[MAX_RATES], y[MAX_RATES];
    for (size_t r = 0; r < s->n_rate; r++) {
      const qrd_matq_point *pt = &jobs[(i * s->n_method + m) * s->n_rate + r].out;
      x[r] = pt->col.bits;
      y[r] = pt->at_col.gap;
      lo = fmin(lo, x[r]);
      hi = fmax(hi, x[r]);
    }
    char curve[128], label[192];
    qrd_driver_slug(curve, sizeof curve, s->method[m].spec);
    method_label(&s->method[m], label, sizeof label);
    st = qrd_results_curve(res, name, curve, label, s->n_rate, x, y, NULL);
  }
  double lx[2] = {lo, hi}, g = 0.5 * log2(2.0 * M_PI * M_E / 12.0), ly[2] = {g, g};
  if (!st)
    st = qrd_results_curve(res, name, "high-rate", "1/2 log2(2 pi e/12) = 0.2546", 2, lx, ly,
                           NULL);
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  char how[64];
  qrd_rate_describe(&RATE_HOW, how, sizeof how);
  int st = qrd_results_attr_string(res, "rate_kind", how);
  return st ? st : qrd_matq_point_write_attrs(res, s->sigma, s->n_sigma, s->n, s->rows);
}

/* ---- main ---- */

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  size_t n_jobs = s->n_sigma * s->n_method * s->n_rate;
  qrd_matq_point_panel pn[MAX_SIGMAS] = {0};
  qrd_matq_point_job *jobs = calloc(n_jobs, sizeof *jobs);
  qrd_dist g;
  int st = jobs ? qrd_dist_parse("gaussian", &g) : qrd_error_set(QRD_ENOMEM, "points");
  for (size_t i = 0; !st && i < s->n_sigma; i++)
    st = qrd_matq_point_panel_cov(&g, s->rows, s->n, &s->sigma[i], drv->seed, &pn[i]);
  if (!st)
    st = run_points(drv, s, pn, jobs, n_jobs);
  qrd_results *res = NULL;
  if (!st)
    st = qrd_driver_results(drv, &res);
  if (!st) {
    st = write_attrs(res, s);
    for (size_t i = 0; !st && i < s->n_sigma; i++)
      st = write_panel(res, s, i, jobs);
    st = qrd_driver_close_results(res, st);
  }
  for (size_t i = 0; i < s->n_sigma; i++)
    qrd_matq_point_panel_free(&pn[i]);
  free(jobs);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-25", doc, read_setup, run, &s);
}
