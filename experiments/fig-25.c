/* fig-25 (experiment E6 of the WaterSIC study): low rate and the LMMSE
 * gain.  WaterSIC with the gain off, unclamped (the authors') and clamped to [0, 1], tuned to
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
#include "harness/grid_curve.h"
#include "harness/point_attrs.h"
#include "mat/point_grid.h"
#include "mc/sample.h"

#define MAX_SIGMAS 4
#define MAX_METHODS 6
#define MAX_RATES 32

static const char doc[] =
  "Low rate and the LMMSE gain of WaterSIC.  Config keys: seed,\n"
  "sigmas (covariance specs, one panel each), n, rows, rates (target\n"
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

typedef struct {
  qrd_driver_grid_run run; /* first: the callbacks' ctx */
  const setup *s;
} state;

static int write_panel(qrd_results *res, const state *t, size_t i)
{
  const setup *s = t->s;
  char name[160], title[QRD_COV_PATH_LEN + 512], rk[64];
  qrd_rate_describe(&RATE_HOW, rk, sizeof rk);
  qrd_driver_slug(name, sizeof name, s->sigma[i].spec);
  snprintf(title, sizeof title, "WaterSIC LMMSE variants, Sigma = %s, n = %zu, a = %zu",
           s->sigma[i].spec, s->n, s->rows);
  char xlabel[96];
  snprintf(xlabel, sizeof xlabel, "rate R (bits per weight, %s)", rk);
  int st = qrd_results_panel(res, name, title, xlabel, "gap to the Gaussian limit (bits)");
  if (!st)
    st = qrd_curve_params(res, "family=%s; n=%zu; rows=%zu", s->sigma[i].spec, s->n, s->rows);
  double lo = INFINITY, hi = -INFINITY;
  for (size_t m = 0; !st && m < s->n_method; m++) {
    char curve[128], label[192];
    qrd_driver_slug(curve, sizeof curve, s->method[m].spec);
    method_label(&s->method[m], label, sizeof label);
    st = qrd_driver_grid_gap_curve(res, name, curve, label, &t->run, i, m, &lo, &hi);
  }
  if (!st)
    st = qrd_curve_flat(res, name, "high-rate", "1/2 log2(2 pi e/12) = 0.2546", lo, hi,
                        0.5 * log2(2.0 * M_PI * M_E / 12.0));
  return st;
}

static int write_results(qrd_results *res, const void *t_ptr)
{
  const state *t = t_ptr;
  const setup *s = t->s;
  char how[64];
  qrd_rate_describe(&RATE_HOW, how, sizeof how);
  int st = qrd_results_attr_string(res, "rate_kind", how);
  if (!st)
    st = qrd_matq_point_write_attrs(res, s->sigma, s->n_sigma, s->n, s->rows);
  for (size_t i = 0; !st && i < s->n_sigma; i++)
    st = write_panel(res, t, i);
  return st;
}

/* ---- main ---- */

static void job_name(const void *t_ptr, size_t j, char *buf, size_t len)
{
  const state *t = t_ptr;
  size_t i, m, r;
  qrd_matq_point_grid_coords(&t->run.g, j, &i, &m, &r);
  snprintf(buf, len, "%s, %s, R = %g", t->s->sigma[i].spec, t->s->method[m].spec,
           t->s->rate[r]);
}

/* Every point, each tuned to its target in RATE_HOW (point.h's default). */
static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  qrd_matq_point_panel pn[MAX_SIGMAS] = {0};
  qrd_dist g;
  int st = qrd_dist_parse("gaussian", &g);
  for (size_t i = 0; !st && i < s->n_sigma; i++)
    st = qrd_matq_point_panel_cov(&g, s->rows, s->n, &s->sigma[i], drv->seed, &pn[i]);
  state t = {{{.panel = pn, .n_panel = s->n_sigma, .method = s->method,
              .n_method = s->n_method, .rate = s->rate, .n_rate = s->n_rate}, NULL}, s};
  if (!st)
    st = qrd_driver_run_grid(drv, &t.run, job_name, write_results);
  for (size_t i = 0; i < s->n_sigma; i++)
    qrd_matq_point_panel_free(&pn[i]);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-25", doc, read_setup, run, &s);
}
