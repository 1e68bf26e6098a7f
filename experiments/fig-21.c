/* fig-21 (experiment E2 of the WaterSIC study): GPTQ's unbounded gap.  Two-level diagonal
 * Sigma (first n/2 eigenvalues eps, the rest 1), n = 64, a = 10^4 Gaussian
 * rows, eps in {1e-1, 1e-2, 1e-3, 1e-6}, R0 = 2..8; WaterSIC and GPTQ-EC
 * tuned to R0 (per-column entropy + Miller-Madow).
 *
 * At high rate WaterSIC sits 1/2 log2(2 pi e/12) = 0.2546 bit above
 * reverse waterfilling, GPTQ a further excess 1/2 log2(AM/GM) =
 * 1/2 log2((1 + eps)/(2 sqrt eps)) (0.399234, 1.168142, 1.992167, 4.482893
 * bits; mat/excess.h).  "High rate" for this comparison means
 * R >= 1/4 log2(1/eps) + 1: below it the eps columns get few
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

#include "core/error.h"
#include "harness/grid_curve.h"
#include "mat/excess.h"
#include "mat/point_grid.h"
#include "mc/sample.h"

#define MAX_EPS 8
#define MAX_RATES 32
#define DENSE_STEP 0.1 /* log10(1/eps) step of the closed-form curve */
#define DENSE_MAX 6.5

static const char doc[] =
  "E2: GPTQ's unbounded gap on two-level spectra vs WaterSIC.\n"
  "Config keys: seed, n, rows, tune (1: tune each run to R0; 0: nominal step),\n"
  "dist (law of W's entries), eps (list: the small eigenvalue), rates (targets\n"
  "R0, per-column entropy + Miller-Madow), watersic (a method spec such as watersic:lmmse=0), gptq_ec\n"
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

/* The lowest rate where the high-rate prediction is compared: below it
 * the eps columns get few bits or none. */
static double compare_min_rate(double eps) { return 0.25 * log2(1.0 / eps) + 1.0; }

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  size_t one;
  int st;
  if ((st = qrd_matq_point_config_problem(cfg, &s->n, &s->rows, &s->tune)) ||
      (st = qrd_driver_read_dists(cfg, "dist", &s->dist, 1, &one)) ||
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

/* ---- results ---- */

typedef struct {
  qrd_driver_grid_run run; /* first: the callbacks' ctx */
  const setup *s;
} state;

static int write_eps_panel(qrd_results *res, const state *t, size_t e)
{
  const setup *s = t->s;
  char raw[64], panel[64], title[160], label[160];
  double excess = qrd_excess_two_level(s->eps[e]), r_min = compare_min_rate(s->eps[e]);
  snprintf(raw, sizeof raw, "eps-%g", s->eps[e]);
  qrd_driver_slug(panel, sizeof panel, raw);
  snprintf(title, sizeof title, "two-level eps = %g: closed-form excess %.6f bit", s->eps[e],
           excess);
  int st = qrd_results_panel(res, panel, title,
                             "R (bits/weight, per-column entropy + Miller-Madow)",
                             "gap 1/2 log2(D / D_IT(R)) (bits)");
  double lo = INFINITY, hi = -INFINITY;
  for (size_t m = 0; !st && m < N_METHODS; m++)
    st = qrd_driver_grid_gap_curve(res, panel, METHOD_CURVE[m], METHOD_LABEL[m], &t->run, e,
                                   m, &lo, &hi);
  if (!st)
    st = qrd_curve_flat(res, panel, "watersic-limit", "0.2546 (WaterSIC)", lo, hi,
                        QRD_MATQ_GAP_ECSQ);
  snprintf(label, sizeof label, "0.2546 + excess %.4f (R >= %.2f)", excess, r_min);
  if (!st && hi >= r_min)
    st = qrd_curve_flat(res, panel, "gptq-ec-limit", label, fmax(lo, r_min), hi,
                        QRD_MATQ_GAP_ECSQ + excess);
  return st;
}

static int write_excess_panel(qrd_results *res, const state *t)
{
  const setup *s = t->s;
  int st = qrd_results_panel(res, "excess",
                             "GPTQ's excess over WaterSIC vs log10(1/eps), high rate",
                             "log10(1/eps)", "excess (bits)");
  size_t n_dense = (size_t)(DENSE_MAX / DENSE_STEP) + 1;
  double xd[128], yd[128];
  for (size_t i = 0; i < n_dense; i++) {
    xd[i] = DENSE_STEP * (double)i;
    yd[i] = qrd_excess_two_level(pow(10.0, -xd[i]));
  }
  if (!st)
    st = qrd_results_curve(res, "excess", "closed-form",
                           "closed form 1/2 log2((1+eps)/(2 sqrt eps))", n_dense, xd, yd,
                           NULL);
  /* m2 = N_METHODS: against the constant 0.2546 alone */
  static const struct {
    const char *curve, *label;
    size_t m, m2;
    double offset;
  } measured[] = {
    {"gptq-ec-measured", "GPTQ-EC: gap - 0.2546", M_GPTQ, N_METHODS, QRD_MATQ_GAP_ECSQ},
    {"gptq-ec-minus-watersic", "GPTQ-EC gap - WaterSIC gap", M_GPTQ, M_WATERSIC, 0.0},
    {"watersic-measured", "WaterSIC: gap - 0.2546", M_WATERSIC, N_METHODS, QRD_MATQ_GAP_ECSQ},
  };
  for (size_t c = 0; !st && c < sizeof measured / sizeof measured[0]; c++) {
    double x[MAX_EPS], y[MAX_EPS], err[MAX_EPS];
    size_t k = 0, count;
    for (size_t e = 0; e < s->n_eps; e++) {
      qrd_matq_point_grid_gap_stats(&t->run.g, t->run.jobs, e, measured[c].m, measured[c].m2,
                                    measured[c].offset, compare_min_rate(s->eps[e]), &y[k],
                                    &err[k], &count);
      x[k] = log10(1.0 / s->eps[e]);
      k += count > 0;
    }
    if (k > 0) /* no eps reached its comparison range: no curve */
      st = qrd_results_curve(res, "excess", measured[c].curve, measured[c].label, k, x, y,
                             err);
  }
  return st;
}

static int write_results(qrd_results *res, const void *t_ptr)
{
  const state *t = t_ptr;
  const setup *s = t->s;
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
  for (size_t e = 0; !st && e < s->n_eps; e++)
    st = write_eps_panel(res, t, e);
  return st ? st : write_excess_panel(res, t);
}

/* ---- main ---- */

static void job_name(const void *t_ptr, size_t i, char *buf, size_t len)
{
  const state *t = t_ptr;
  size_t e, m, r;
  qrd_matq_point_grid_coords(&t->run.g, i, &e, &m, &r);
  snprintf(buf, len, "eps=%g %s R0=%g", t->s->eps[e], METHOD_CURVE[m], t->s->rate[r]);
}

/* Panel e: the two-level Sigma of eps e and W, the same for every eps:
 * the curves differ by Sigma alone. */
static int make_panel(const qrd_driver *drv, const setup *s, size_t e, qrd_matq_point_panel *pn)
{
  char spec[64];
  qrd_cov cov;
  snprintf(spec, sizeof spec, "two-level:eps=%.17g", s->eps[e]);
  int st = qrd_cov_parse(spec, &cov);
  return st ? st : qrd_matq_point_panel_build(
                       &s->dist, s->rows, s->n, &cov, drv->seed,
                       qrd_sample_stream(drv->seed, QRD_MATQ_POINT_STREAM_W), pn);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  drv->y_err = "sample standard deviation of the excess over the rates of the comparison range (a spread, not a standard error)";
  const setup *s = setup_ptr;
  qrd_matq_point_panel pn[MAX_EPS] = {0};
  int st = QRD_OK;
  for (size_t e = 0; !st && e < s->n_eps; e++)
    st = make_panel(drv, s, e, &pn[e]);
  state t = {{{.panel = pn, .n_panel = s->n_eps, .method = s->method, .n_method = N_METHODS,
              .rate = s->rate, .n_rate = s->n_rate, .nominal = !s->tune}, NULL}, s};
  if (!st)
    st = qrd_driver_run_grid(drv, &t.run, job_name, write_results);
  for (size_t e = 0; e < s->n_eps; e++)
    qrd_matq_point_panel_free(&pn[e]);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-21", doc, read_setup, run, &s);
}
