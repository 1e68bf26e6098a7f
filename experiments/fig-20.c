/* fig-20 (experiment E1 of the WaterSIC study): high-rate constants.  Sigma = I (n = 64),
 * a = 10^4 rows of iid Gaussian and Laplace weights, target rates R0 = 2..6
 * (per-column entropy + Miller-Madow); WaterSIC with and without LMMSE and
 * GPTQ-EC, each tuned to R0.
 *
 * Panels:
 *   gap       1/2 log2(D / D_SLB(R)) vs R: the gap to the Shannon lower
 *             bound, -> 1/2 log2(2 pi e/12) = 0.2546 bit;
 *   constant  D 2^{2R} vs R, -> 2^{2h}/12 det^{1/n} (2 pi e/12 = 1.4233 for
 *             unit-variance Gaussian weights).
 * Curves: <dist>-watersic, <dist>-watersic-no-lmmse, <dist>-gptq-ec per
 * law of W; in gap also ecsq (0.2546) and accept-lower/-upper (0.2546 -+
 * 0.02 over R >= 3, the acceptance band of E1), in constant <dist>-limit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/jobs.h"
#include "mat/limits.h"
#include "mat/point_grid.h"
#include "mc/sample.h"

#define MAX_DISTS 4
#define MAX_RATES 32
#define ACCEPT_TOL 0.02 /* the acceptance band of E1 */
#define ACCEPT_MIN_RATE 3.0

static const char doc[] =
  "E1: gap to the Shannon lower bound and D 2^{2R} vs rate.\n"
  "Config keys: seed, family (Sigma, e.g. identity), n, rows, dists (laws of\n"
  "W's entries: gaussian laplace ...), rates (targets R0, bits of per-column\n"
  "entropy + Miller-Madow), tune (1: tune each run to R0; 0: nominal step),\n"
  "watersic, watersic_no_lmmse (method specs, the second with lmmse=0),\n"
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
  size_t one;
  int st;
  if ((st = qrd_matq_point_config_problem(cfg, &s->n, &s->rows, &s->tune)) ||
      (st = qrd_matq_point_config_covs(cfg, "family", s->n, &s->family, 1, &one)) ||
      (st = qrd_driver_read_dists(cfg, "dists", s->dist, MAX_DISTS, &s->n_dist)) ||
      (st = qrd_config_numbers(cfg, "rates", 0.05, 20.0, s->rate, MAX_RATES,
                               &s->n_rate)))
    return st;
  return read_methods(cfg, s);
}

/* ---- results ---- */

typedef struct {
  qrd_driver_grid_run run; /* first: the callbacks' ctx */
  const setup *s;
} state;

/* Dist d's curves of method m in both panels; [lo, hi] grows to their
 * rates. */
static int write_method(qrd_results *res, const state *t, size_t d, size_t m, double *lo,
                        double *hi)
{
  const setup *s = t->s;
  double x[MAX_RATES], gap[MAX_RATES], k[MAX_RATES];
  for (size_t r = 0; r < s->n_rate; r++) {
    const qrd_matq_point *p = qrd_matq_point_grid_at(&t->run.g, t->run.jobs, d, m, r);
    x[r] = p->col.bits;
    gap[r] = qrd_gap_bits(p->D, p->at_col.d_slb);
    k[r] = p->D * exp2(2.0 * x[r]);
    *lo = fmin(*lo, x[r]);
    *hi = fmax(*hi, x[r]);
  }
  char curve[96], slug[64], label[160];
  qrd_driver_slug(slug, sizeof slug, s->dist[d].spec);
  snprintf(curve, sizeof curve, "%s-%s", slug, METHOD_CURVE[m]);
  snprintf(label, sizeof label, "%s, %s", METHOD_LABEL[m], s->dist[d].spec);
  int st = qrd_results_curve(res, "gap", curve, label, s->n_rate, x, gap, NULL);
  return st ? st : qrd_results_curve(res, "constant", curve, label, s->n_rate, x, k, NULL);
}

static int write_panels(qrd_results *res, const state *t)
{
  const setup *s = t->s;
  int st = qrd_results_panel(res, "gap", "Gap to the Shannon lower bound",
                             "R (bits/weight, per-column entropy + Miller-Madow)",
                             "gap 1/2 log2(D / D_SLB(R)) (bits)");
  if (!st)
    st = qrd_results_panel(res, "constant", "D 2^{2R} -> 2^{2h}/12 det(Sigma)^{1/n}",
                           "R (bits/weight, per-column entropy + Miller-Madow)",
                           "D 2^{2R}");
  double lo = INFINITY, hi = -INFINITY;
  for (size_t c = 0; !st && c < s->n_dist * N_METHODS; c++)
    st = write_method(res, t, c / N_METHODS, c % N_METHODS, &lo, &hi);
  char label[160];
  snprintf(label, sizeof label, "1/2 log2(2 pi e/12) = %.4f", QRD_MATQ_GAP_ECSQ);
  if (!st)
    st = qrd_curve_flat(res, "gap", "ecsq", label, lo, hi, QRD_MATQ_GAP_ECSQ);
  if (!st && hi >= ACCEPT_MIN_RATE) {
    st = qrd_curve_flat(res, "gap", "accept-lower", "acceptance band (R >= 3)",
                        fmax(lo, ACCEPT_MIN_RATE), hi, QRD_MATQ_GAP_ECSQ - ACCEPT_TOL);
    if (!st)
      st = qrd_curve_flat(res, "gap", "accept-upper", "acceptance band (R >= 3)",
                          fmax(lo, ACCEPT_MIN_RATE), hi, QRD_MATQ_GAP_ECSQ + ACCEPT_TOL);
  }
  for (size_t d = 0; !st && d < s->n_dist; d++) {
    const qrd_matq_point_limits *lim = t->run.g.panel[d].lim;
    double y = exp2(2.0 * lim->h_bits) / 12.0 * lim->det_root;
    char curve[96], slug[64];
    qrd_driver_slug(slug, sizeof slug, s->dist[d].spec);
    snprintf(curve, sizeof curve, "%s-limit", slug);
    snprintf(label, sizeof label, "2^(2h)/12 = %.4f (%s)", y, s->dist[d].spec);
    st = qrd_curve_flat(res, "constant", curve, label, lo, hi, y);
  }
  return st;
}

static int write_results(qrd_results *res, const void *t_ptr)
{
  const state *t = t_ptr;
  const setup *s = t->s;
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
  return st ? st : write_panels(res, t);
}

/* ---- main ---- */

static void job_name(const void *t_ptr, size_t i, char *buf, size_t len)
{
  const state *t = t_ptr;
  size_t d, m, r;
  qrd_matq_point_grid_coords(&t->run.g, i, &d, &m, &r);
  snprintf(buf, len, "%s %s R0=%g", t->s->dist[d].spec, METHOD_CURVE[m], t->s->rate[r]);
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  qrd_matq_point_panel pn[MAX_DISTS] = {0};
  unsigned long w_seed = qrd_sample_stream(drv->seed, QRD_MATQ_POINT_STREAM_W);
  int st = QRD_OK;
  for (size_t d = 0; !st && d < s->n_dist; d++)
    st = qrd_matq_point_panel_build(&s->dist[d], s->rows, s->n, &s->family, drv->seed, w_seed,
                                    &pn[d]);
  state t = {{{.panel = pn, .n_panel = s->n_dist, .method = s->method, .n_method = N_METHODS,
              .rate = s->rate, .n_rate = s->n_rate, .nominal = !s->tune}, NULL}, s};
  if (!st)
    st = qrd_driver_run_grid(drv, &t.run, job_name, write_results);
  for (size_t d = 0; d < s->n_dist; d++)
    qrd_matq_point_panel_free(&pn[d]);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-20", doc, read_setup, run, &s);
}
