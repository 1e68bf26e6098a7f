/* fig-22 (experiment E3 of the WaterSIC study): rate-distortion curves per
 * covariance family.
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

#include "core/error.h"
#include "harness/jobs.h"
#include "mat/point_grid.h"
#include "mc/sample.h"

#define MAX_FAMILIES 8
#define MAX_RATES 48
#define DENSE_STEP 0.05 /* rate step of the waterfilling curves */
#define DENSE_MAX 256

static const char doc[] =
  "E3: rate-distortion curves per covariance family.\n"
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
  qrd_matq run[N_RUNS]; /* WaterSIC, then GPTQ-EC once per rotation */
} setup;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  size_t one;
  int st;
  if ((st = qrd_matq_point_config_problem(cfg, &s->n, &s->rows, &s->tune)) ||
      (st = qrd_driver_read_dists(cfg, "dist", &s->dist, 1, &one)) ||
      (st = qrd_matq_point_config_covs(cfg, "families", s->n, s->family, MAX_FAMILIES,
                                       &s->n_family)) ||
      (st = qrd_config_numbers(cfg, "rates", 0.05, 20.0, s->rate, MAX_RATES,
                               &s->n_rate)) ||
      (st = qrd_matq_point_config_method(cfg, "watersic", "watersic", &s->run[C_WATERSIC])) ||
      (st = qrd_matq_point_config_method(cfg, "gptq_ec", "gptq", &s->run[C_GPTQ])))
    return st;
  s->run[C_GPTQ_ACT] = s->run[C_GPTQ_HAAR] = s->run[C_GPTQ];
  return QRD_OK;
}

/* ---- results ---- */

/* The waterfilling curves on a dense rate grid up to r_max: D_IT(R) and
 * D_IT(R - 0.2546) in dB, and the latter's gap to D_IT(R). */
static int write_waterfilling(qrd_results *res, const char *rd, const char *gap,
                              const qrd_matq_point_limits *lim, double r_max)
{
  double x[DENSE_MAX], y[DENSE_MAX], xs[DENSE_MAX], ys[DENSE_MAX], gs[DENSE_MAX];
  size_t n, ns;
  int st = qrd_matq_point_waterfilling(lim, DENSE_STEP, r_max, QRD_MATQ_GAP_ECSQ, DENSE_MAX,
                                       x, y, &n, xs, ys, gs, &ns);
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

typedef struct {
  qrd_driver_grid_run run; /* first: the callbacks' ctx */
  const setup *s;
} state;

/* One measured curve in both panels; pooled: WaterSIC's pooled rate. */
static int write_runs(qrd_results *res, const char *rd, const char *gap, const state *t,
                      size_t f, size_t c, int pooled)
{
  double x[MAX_RATES], y[MAX_RATES], g[MAX_RATES];
  for (size_t r = 0; r < t->s->n_rate; r++) {
    const qrd_matq_point *p = qrd_matq_point_grid_at(&t->run.g, t->run.jobs, f, c, r);
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
  int st = qrd_results_curve(res, rd, curve, label, t->s->n_rate, x, y, NULL);
  return st ? st : qrd_results_curve(res, gap, curve, label, t->s->n_rate, x, g, NULL);
}

static int write_family(qrd_results *res, const state *t, size_t f)
{
  const setup *s = t->s;
  char slug[96], rd[112], gap[112], title[256];
  qrd_driver_slug(slug, sizeof slug, s->family[f].spec);
  snprintf(rd, sizeof rd, "%s-rd", slug);
  snprintf(gap, sizeof gap, "%s-gap", slug);
  snprintf(title, sizeof title, "%s, n = %zu: D vs R", s->family[f].spec, s->n);
  const char *x_label = "R (bits/weight; per-column entropy + MM unless pooled)";
  int st = qrd_results_panel(res, rd, title, x_label, "D (dB)");
  if (!st)
    st = qrd_curve_params(res, "family=%s; n=%zu", s->family[f].spec, s->n);
  snprintf(title, sizeof title, "%s, n = %zu: gap to reverse waterfilling",
           s->family[f].spec, s->n);
  if (!st)
    st = qrd_results_panel(res, gap, title, x_label, "gap 1/2 log2(D / D_IT(R)) (bits)");
  double r_max = 0.0;
  for (size_t c = 0; c < N_RUNS; c++)
    for (size_t r = 0; r < s->n_rate; r++)
      r_max = fmax(r_max, qrd_matq_point_grid_at(&t->run.g, t->run.jobs, f, c, r)->pool.bits);
  if (!st)
    st = write_waterfilling(res, rd, gap, t->run.g.panel[f].lim, r_max + DENSE_STEP);
  for (size_t c = 0; !st && c < N_RUNS; c++) {
    st = write_runs(res, rd, gap, t, f, c, 0);
    if (!st && c == C_WATERSIC)
      st = write_runs(res, rd, gap, t, f, c, 1);
  }
  return st;
}

static int write_results(qrd_results *res, const void *t_ptr)
{
  const state *t = t_ptr;
  const setup *s = t->s;
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
    st = qrd_results_attr_string(res, "watersic", s->run[C_WATERSIC].spec);
  if (!st)
    st = qrd_results_attr_string(res, "gptq_ec", s->run[C_GPTQ].spec);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  for (size_t f = 0; !st && f < s->n_family; f++)
    st = write_family(res, t, f);
  return st;
}

/* ---- main ---- */

static void job_name(const void *t_ptr, size_t i, char *buf, size_t len)
{
  const state *t = t_ptr;
  size_t f, c, r;
  qrd_matq_point_grid_coords(&t->run.g, i, &f, &c, &r);
  snprintf(buf, len, "%s %s R0=%g", t->s->family[f].spec, RUN_NAME[c], t->s->rate[r]);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  qrd_matq_point_panel pn[MAX_FAMILIES] = {0};
  /* one W for every family: the curves differ by Sigma alone */
  unsigned long w_seed = qrd_sample_stream(drv->seed, QRD_MATQ_POINT_STREAM_W);
  int st = QRD_OK;
  for (size_t f = 0; !st && f < s->n_family; f++)
    st = qrd_matq_point_panel_build(&s->dist, s->rows, s->n, &s->family[f], drv->seed, w_seed,
                                    &pn[f]);
  state t = {{{.panel = pn, .n_panel = s->n_family, .method = s->run, .rotate = RUN_ROTATE,
              .rotate_seed = qrd_matq_point_rotate_seed(drv->seed), .n_method = N_RUNS,
              .rate = s->rate, .n_rate = s->n_rate, .nominal = !s->tune}, NULL}, s};
  if (!st)
    st = qrd_driver_run_grid(drv, &t.run, job_name, write_results);
  for (size_t f = 0; f < s->n_family; f++)
    qrd_matq_point_panel_free(&pn[f]);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-22", doc, read_setup, run, &s);
}
