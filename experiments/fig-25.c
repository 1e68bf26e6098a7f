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
#include "io/driver.h"
#include "mat/cov.h"
#include "mat/limits.h"
#include "mat/matq.h"
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

static int invalid_spec(qrd_config *cfg, const char *key)
{
  char why[512];
  snprintf(why, sizeof why, "%s", qrd_error_detail());
  return qrd_config_invalid(cfg, key, why);
}

static int read_count(qrd_config *cfg, const char *key, double lo, double hi, size_t *out)
{
  double v;
  int st = qrd_config_double(cfg, key, lo, hi, &v);
  if (!st && v != floor(v))
    return qrd_config_invalid(cfg, key, "must be a whole number");
  *out = (size_t)v;
  return st;
}

static int read_rates(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "rates", words, &s->n_rate);
  if (st)
    return st;
  if (s->n_rate == 0 || s->n_rate > MAX_RATES)
    return qrd_config_invalid(cfg, "rates", "want 1 to 32 rates");
  for (size_t i = 0; i < s->n_rate; i++) {
    char *end;
    s->rate[i] = strtod(words[i], &end);
    if (*end || end == words[i] || !(s->rate[i] > 0.0 && s->rate[i] < 16.0))
      return qrd_config_invalid(cfg, "rates", "rates are numbers in (0, 16) bits");
  }
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  const char *words[QRD_CONFIG_MAX_LIST];
  int st;
  if ((st = qrd_config_list(cfg, "sigmas", words, &s->n_sigma)))
    return st;
  if (s->n_sigma == 0 || s->n_sigma > MAX_SIGMAS)
    return qrd_config_invalid(cfg, "sigmas", "want 1 to 4 covariance families");
  for (size_t i = 0; i < s->n_sigma; i++)
    if (qrd_cov_parse(words[i], &s->sigma[i]))
      return invalid_spec(cfg, "sigmas");
  if ((st = qrd_config_list(cfg, "methods", words, &s->n_method)))
    return st;
  if (s->n_method == 0 || s->n_method > MAX_METHODS)
    return qrd_config_invalid(cfg, "methods", "want 1 to 6 matrix quantisers");
  for (size_t i = 0; i < s->n_method; i++) {
    if (qrd_matq_parse(words[i], &s->method[i]))
      return invalid_spec(cfg, "methods");
    const qrd_matq_type *t = s->method[i].type;
    if (t->fixed_grid && t->fixed_grid(s->method[i].params))
      return qrd_config_invalid(cfg, "methods", "a fixed (bits=) grid has no tunable rate");
  }
  if ((st = read_count(cfg, "n", 2, 4096, &s->n)) ||
      (st = read_count(cfg, "rows", 100, 1e7, &s->rows)) || (st = read_rates(cfg, s)))
    return st;
  for (size_t i = 0; i < s->n_sigma; i++) {
    size_t n;
    if (qrd_cov_dim(&s->sigma[i], s->n, &n))
      return invalid_spec(cfg, "sigmas");
  }
  return QRD_OK;
}

/* ---- one point ---- */

typedef struct {
  size_t sigma, method, rate;
  double R, D, gap;
  int status;
  char error[256];
} point;

/* The problem every point of a panel shares: W, Sigma and the eigenvalues
 * of Sigma (the limit's mu, sigma = 1). */
typedef struct {
  qrd_matq_problem p;
  double *W, *S, *lambda;
} panel;

/* Tunes m on the panel's problem to `target`; the rate reached, D and the
 * gap to reverse waterfilling at that rate. */
static int run_point(const qrd_matq *m, const panel *pn, double target, point *pt)
{
  size_t rows = pn->p.rows, n = pn->p.n;
  qrd_matq_work *w = qrd_matq_work_alloc(n, rows);
  qrd_matq_result *res = qrd_matq_result_alloc(n, rows);
  qrd_matq_tune_info info;
  double theta, D_ref;
  int st = w && res ? qrd_matq_tune(m, w, &pn->p, &RATE_HOW, target, res, &info)
                    : qrd_error_set(QRD_ENOMEM, "%s on %zu x %zu", m->spec, rows, n);
  if (!st)
    st = qrd_wmse(rows, n, pn->p.W, res->What, pn->p.Sigma, &pt->D);
  if (!st)
    st = qrd_rwf_solve(n, pn->lambda, info.rate.bits, &theta, &D_ref);
  if (!st) {
    pt->R = info.rate.bits;
    pt->gap = qrd_gap_bits(pt->D, D_ref);
  }
  qrd_matq_result_free(res);
  qrd_matq_work_free(w);
  return st;
}

static int panel_build(const setup *s, size_t i, unsigned long seed, panel *pn)
{
  size_t n = s->n, rows = s->rows;
  qrd_dist g;
  pn->W = malloc(rows * n * sizeof *pn->W);
  pn->S = malloc(n * n * sizeof *pn->S);
  pn->lambda = malloc(n * sizeof *pn->lambda);
  double *work = malloc(n * n * sizeof *work);
  int st = pn->W && pn->S && pn->lambda && work
               ? qrd_dist_parse("gaussian", &g)
               : qrd_error_set(QRD_ENOMEM, "problem of %zu x %zu", rows, n);
  if (!st)
    st = qrd_sample_fill(&g, seed, pn->W, rows * n);
  if (!st)
    st = qrd_cov_build(&s->sigma[i], n, seed, pn->S);
  if (!st)
    st = qrd_cov_eigenvalues(n, pn->S, work, pn->lambda);
  free(work);
  pn->p = (qrd_matq_problem){.rows = rows, .n = n, .W = pn->W, .Sigma = pn->S};
  return st;
}

static void panel_free(panel *pn)
{
  free(pn->W);
  free(pn->S);
  free(pn->lambda);
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

static int write_panel(qrd_results *res, const setup *s, size_t i, const point *pts)
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
      const point *pt = &pts[(i * s->n_method + m) * s->n_rate + r];
      x[r] = pt->R;
      y[r] = pt->gap;
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
  char how[64], sigmas[QRD_CONFIG_MAX_LIST * 64] = "";
  qrd_rate_describe(&RATE_HOW, how, sizeof how);
  for (size_t i = 0; i < s->n_sigma; i++) {
    size_t l = strlen(sigmas);
    snprintf(sigmas + l, sizeof sigmas - l, "%s%s", i ? " " : "", s->sigma[i].spec);
  }
  int st = qrd_results_attr_string(res, "rate_kind", how);
  if (!st)
    st = qrd_results_attr_string(res, "sigmas", sigmas);
  if (!st)
    st = qrd_results_attr_string(res, "weights", "iid N(0, 1)");
  if (!st)
    st = qrd_results_attr_string(res, "reference", "reverse waterfilling on eig(Sigma)");
  if (!st)
    st = qrd_results_attr_double(res, "n", (double)s->n);
  if (!st)
    st = qrd_results_attr_double(res, "rows", (double)s->rows);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return st;
}

/* ---- main ---- */

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  size_t n_pts = s->n_sigma * s->n_method * s->n_rate;
  panel pn[MAX_SIGMAS];
  memset(pn, 0, sizeof pn);
  point *pts = calloc(n_pts, sizeof *pts);
  int st = pts ? QRD_OK : qrd_error_set(QRD_ENOMEM, "points");
  for (size_t i = 0; !st && i < s->n_sigma; i++)
    st = panel_build(s, i, drv->seed, &pn[i]);
  if (!st) {
    qrd_driver_progress_begin(drv, n_pts);
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t j = 0; j < n_pts; j++) {
      point *pt = &pts[j];
      pt->sigma = j / (s->n_method * s->n_rate);
      pt->method = j / s->n_rate % s->n_method;
      pt->rate = j % s->n_rate;
      pt->status = run_point(&s->method[pt->method], &pn[pt->sigma], s->rate[pt->rate], pt);
      if (pt->status)
        snprintf(pt->error, sizeof pt->error, "%s", qrd_error_detail());
      char what[256];
      snprintf(what, sizeof what, "%s, %s, R = %g", s->sigma[pt->sigma].spec,
               s->method[pt->method].spec, s->rate[pt->rate]);
#pragma omp critical(progress)
      qrd_driver_progress_step(drv, what);
    }
    for (size_t j = 0; !st && j < n_pts; j++)
      if (pts[j].status)
        st = qrd_error_set(pts[j].status, "%s, %s, R = %g: %s", s->sigma[pts[j].sigma].spec,
                           s->method[pts[j].method].spec, s->rate[pts[j].rate], pts[j].error);
  }
  qrd_results *res = NULL;
  if (!st)
    st = qrd_driver_results(drv, &res);
  if (!st) {
    st = write_attrs(res, s);
    for (size_t i = 0; !st && i < s->n_sigma; i++)
      st = write_panel(res, s, i, pts);
    st = qrd_driver_close_results(res, st);
  }
  for (size_t i = 0; i < s->n_sigma; i++)
    panel_free(&pn[i]);
  free(pts);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-25", doc, read_setup, run, &s);
}
