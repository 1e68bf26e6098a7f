/* fig-24 (Ordentlich & Polyanskiy's experiment E5, the analogue of the
 * WaterSIC appendix histogram): WaterSIC's per-column rates against the waterfilling
 * allocation R_i = R + 1/2 log2(d_i / GM(d)).
 *
 * W is iid N(0, 1) (rows x n); WaterSIC's step c is tuned so that the mean
 * per-column entropy (plug-in + Miller-Madow, no side information) is
 * `rate`; every rate here is that per-column entropy.  d are the
 * conditional variances WaterSIC factorised (its result's d).
 *
 * Panels:
 *   columns     Sigma = diag(ratio^k), k = 0..column_n-1: curves measured
 *               (H(Z[:,k])), high-rate (R + 1/2 log2(d_k/GM(d))) and
 *               waterfilling (reverse waterfilling on d at rate R: the
 *               high-rate form with negative allocations set to 0)
 *   deviation   measured - waterfilling against the waterfilling rate
 *   hist-<rot>  one per hist_rotations entry, hist_family at hist_n with
 *               Sigma -> Q^T Sigma Q (W's law is rotation invariant):
 *               hist_bins-bin histograms (common edges) of the measured
 *               column entropies and of their high-rate predictions, and
 *               the vertical line `mean` at the mean measured entropy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/driver.h"
#include "mat/limits.h"
#include "mat/point.h"
#include "mc/sample.h"

#define MAX_ROTATIONS 5
#define MAX_BINS 1000

static const char doc[] =
  "Per-column rates of WaterSIC vs the waterfilling allocation.  Config keys:\n"
  "seed, method (a watersic spec), rate (mean per-column entropy),\n"
  "column_n, column_ratio (Sigma = diag(ratio^k)), column_rows,\n"
  "hist_family, hist_n, hist_rows, hist_rotations, hist_bins.";

typedef struct {
  qrd_matq method;
  double rate, column_ratio;
  size_t column_n, column_rows;
  qrd_cov hist_family;
  size_t hist_n, hist_rows, hist_bins;
  qrd_rotate_kind rot[MAX_ROTATIONS];
  size_t n_rot;
} setup;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long column_n, column_rows, hist_n, hist_rows, hist_bins;
  size_t one;
  int st;
  if ((st = qrd_matq_point_config_method(cfg, "method", "watersic", &s->method)) ||
      (st = qrd_config_double(cfg, "rate", 0.05, 16.0, &s->rate)) ||
      (st = qrd_config_whole(cfg, "column_n", 2, 64, &column_n)) ||
      (st = qrd_config_double(cfg, "column_ratio", 1e-3, 1.0, &s->column_ratio)) ||
      (st = qrd_config_whole(cfg, "column_rows", 100, 1e7, &column_rows)) ||
      (st = qrd_matq_point_config_covs(cfg, "hist_family", 0, &s->hist_family, 1, &one)) ||
      (st = qrd_config_whole(cfg, "hist_n", 2, 4096, &hist_n)) ||
      (st = qrd_config_whole(cfg, "hist_rows", 100, 1e7, &hist_rows)) ||
      (st = qrd_matq_point_config_rotations(cfg, "hist_rotations", s->rot, MAX_ROTATIONS,
                                            &s->n_rot)) ||
      (st = qrd_config_whole(cfg, "hist_bins", 2, MAX_BINS, &hist_bins)))
    return st;
  s->column_n = column_n;
  s->column_rows = column_rows;
  s->hist_n = hist_n;
  s->hist_rows = hist_rows;
  s->hist_bins = hist_bins;
  return QRD_OK;
}

/* ---- one point: WaterSIC at a per-column entropy ---- */

static const qrd_rate_opts RATE_HOW = {.kind = QRD_RATE_ENTROPY_COL, .miller_madow = 1,
                                       .side_info = 0};

typedef struct {
  size_t n;
  double *h, *d;   /* n: measured column entropies, WaterSIC's d */
  double rate;     /* mean per-column entropy reached */
  int status;
  char error[256];
} columns;

/* Tunes `method` on (Sigma, W = iid N(0,1) from seed) to RATE_HOW = rate;
 * c->h and c->d get the
 * per-column entropies and d. */
static int column_rates(const qrd_matq *method, size_t rows, size_t n, const double *Sigma,
                        unsigned long seed, double rate, columns *c)
{
  qrd_dist g;
  qrd_matq_point_panel pn = {0};
  qrd_matq_point_work *w = qrd_matq_point_work_alloc(n, rows);
  qrd_matq_point_opts o;
  qrd_matq_point pt;
  qrd_matq_point_opts_default(&o);
  o.method = method;
  o.target = rate;
  o.tune_how = RATE_HOW;
  int st = w ? qrd_dist_parse("gaussian", &g) : QRD_ENOMEM;
  if (!st)
    st = qrd_matq_point_panel_alloc(&g, rows, n, Sigma, seed, &pn);
  if (!st)
    st = qrd_matq_point_eval(&o, pn.lim, &pn.p, w, &pt);
  if (!st) {
    const qrd_matq_result *res = qrd_matq_point_result(w);
    st = qrd_rate_column_entropies(res->Z, rows, n, RATE_HOW.miller_madow, c->h);
    memcpy(c->d, res->d, n * sizeof *c->d);
    c->rate = pt.col.bits;
  }
  qrd_matq_point_panel_free(&pn);
  qrd_matq_point_work_free(w);
  return st;
}

/* ---- the two experiments ---- */

static int run_diagonal(const setup *s, unsigned long seed, columns *c)
{
  size_t n = s->column_n;
  double *S = calloc(n * n, sizeof *S);
  if (!S)
    return qrd_error_set(QRD_ENOMEM, "Sigma of order %zu", n);
  for (size_t k = 0; k < n; k++)
    S[k * n + k] = pow(s->column_ratio, (double)k);
  int st = column_rates(&s->method, s->column_rows, n, S, seed, s->rate, c);
  free(S);
  return st;
}

static int run_rotated(const setup *s, size_t r, unsigned long seed, columns *c)
{
  size_t n = s->hist_n;
  double *S = malloc(n * n * sizeof *S), *work = malloc(n * n * sizeof *work);
  qrd_rotation *q = NULL;
  int st = S && work ? qrd_cov_build(&s->hist_family, n, seed, S)
                     : qrd_error_set(QRD_ENOMEM, "Sigma of order %zu", n);
  if (!st)
    st = qrd_rotation_alloc(s->rot[r], n, seed, S, &q);
  if (!st) {
    qrd_rotation_apply_sigma(q, S, work);
    st = column_rates(&s->method, s->hist_rows, n, S, seed, s->rate, c);
  }
  qrd_rotation_free(q);
  free(S);
  free(work);
  return st;
}

/* ---- predictions ---- */

static double log2_gm(size_t n, const double *d)
{
  double gm;
  qrd_means(n, d, NULL, &gm, NULL);
  return log2(gm);
}

/* pred[i] = rate + 1/2 log2(d_i / GM(d)). */
static void high_rate_allocation(size_t n, const double *d, double rate, double *pred)
{
  double lg = log2_gm(n, d);
  for (size_t i = 0; i < n; i++)
    pred[i] = rate + 0.5 * (log2(d[i]) - lg);
}

/* Reverse waterfilling on d (sigma = 1) at `rate`: max(0, 1/2 log2(d_i/theta)). */
static int waterfilling_allocation(size_t n, const double *d, double rate, double *alloc)
{
  double theta, D;
  int st = qrd_rwf_solve(n, d, rate, &theta, &D);
  for (size_t i = 0; !st && i < n; i++)
    alloc[i] = fmax(0.0, 0.5 * log2(d[i] / theta));
  return st;
}

/* ---- results ---- */

static int write_columns(qrd_results *res, const setup *s, const columns *c)
{
  size_t n = c->n;
  double x[64], hr[64], wf[64], dev[64];
  char xlabel[96];
  high_rate_allocation(n, c->d, c->rate, hr);
  int st = waterfilling_allocation(n, c->d, c->rate, wf);
  for (size_t k = 0; k < n; k++) {
    x[k] = (double)k;
    dev[k] = c->h[k] - wf[k];
  }
  snprintf(xlabel, sizeof xlabel, "column k (lambda_k = %g^k)", s->column_ratio);
  if (!st)
    st = qrd_results_panel(res, "columns", "WaterSIC per-column entropy, diagonal Sigma",
                           xlabel, "H(Z[:,k]) (bits, plug-in + Miller-Madow)");
  if (!st)
    st = qrd_results_curve(res, "columns", "measured", "measured H(Z[:,k])", n, x, c->h, NULL);
  if (!st)
    st = qrd_results_curve(res, "columns", "high-rate", "R + 1/2 log2(d_k/GM(d))", n, x, hr,
                           NULL);
  if (!st)
    st = qrd_results_curve(res, "columns", "waterfilling", "reverse waterfilling on d", n, x,
                           wf, NULL);
  if (!st)
    st = qrd_results_panel(res, "deviation", "measured minus waterfilling allocation",
                           "waterfilling allocation (bits)", "measured - allocation (bits)");
  if (!st)
    st = qrd_results_curve(res, "deviation", "measured", "H(Z[:,k]) - allocation", n, wf, dev,
                           NULL);
  return st;
}

/* Counts of x[0..n) in `bins` equal bins over [lo, hi]; x = bin centres. */
static void histogram(size_t n, const double *v, double lo, double hi, size_t bins,
                      double *x, double *count)
{
  double w = (hi - lo) / (double)bins;
  for (size_t b = 0; b < bins; b++) {
    x[b] = lo + ((double)b + 0.5) * w;
    count[b] = 0.0;
  }
  for (size_t i = 0; i < n; i++) {
    double t = floor((v[i] - lo) / w);
    size_t b = t < 0.0 ? 0 : t >= (double)bins ? bins - 1 : (size_t)t;
    count[b] += 1.0;
  }
}

/* Each panel bins over its own range (measured and predicted): the Haar
 * entropies crowd into a fraction of the natural order's range. */
static int write_hist(qrd_results *res, const setup *s, size_t r, const columns *c,
                      double *pred)
{
  size_t bins = s->hist_bins, n = c->n;
  double x[MAX_BINS], y[MAX_BINS], mean = 0.0, top = 0.0, lo = INFINITY, hi = -INFINITY;
  char panel[48], title[QRD_COV_PATH_LEN + 512], label[64];
  const char *rot = qrd_rotate_name(s->rot[r]);
  high_rate_allocation(n, c->d, c->rate, pred);
  for (size_t i = 0; i < n; i++) {
    lo = fmin(lo, fmin(c->h[i], pred[i]));
    hi = fmax(hi, fmax(c->h[i], pred[i]));
    mean += c->h[i] / (double)n;
  }
  snprintf(panel, sizeof panel, "hist-%s", rot);
  snprintf(title, sizeof title, "%s, n = %zu, rotation %s: column entropies",
           s->hist_family.spec, n, rot);
  int st = qrd_results_panel(res, panel, title, "H(Z[:,i]) (bits, plug-in + Miller-Madow)",
                             "columns per bin");
  histogram(n, c->h, lo, hi, bins, x, y);
  for (size_t b = 0; b < bins; b++)
    top = fmax(top, y[b]);
  if (!st)
    st = qrd_results_curve(res, panel, "measured", "measured H(Z[:,i])", bins, x, y, NULL);
  histogram(n, pred, lo, hi, bins, x, y);
  if (!st)
    st = qrd_results_curve(res, panel, "high-rate", "R + 1/2 log2(d_i/GM(d))", bins, x, y,
                           NULL);
  double mx[2] = {mean, mean}, my[2] = {0.0, top};
  snprintf(label, sizeof label, "mean %.4f", mean);
  if (!st)
    st = qrd_results_curve(res, panel, "mean", label, 2, mx, my, NULL);
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  char how[64], rots[96] = "";
  qrd_rate_describe(&RATE_HOW, how, sizeof how);
  for (size_t r = 0; r < s->n_rot; r++) {
    size_t l = strlen(rots);
    snprintf(rots + l, sizeof rots - l, "%s%s", r ? " " : "", qrd_rotate_name(s->rot[r]));
  }
  int st = qrd_results_attr_string(res, "rate_kind", how);
  if (!st)
    st = qrd_results_attr_string(res, "hist_rotations", rots);
  if (!st)
    st = qrd_results_attr_double(res, "target_rate", s->rate);
  if (!st)
    st = qrd_results_attr_string(res, "method", s->method.spec);
  if (!st)
    st = qrd_results_attr_string(res, "weights", "iid N(0, 1)");
  if (!st)
    st = qrd_results_attr_double(res, "column_rows", (double)s->column_rows);
  if (!st)
    st = qrd_results_attr_string(res, "hist_family", s->hist_family.spec);
  if (!st)
    st = qrd_results_attr_double(res, "hist_n", (double)s->hist_n);
  if (!st)
    st = qrd_results_attr_double(res, "hist_rows", (double)s->hist_rows);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return st;
}

/* ---- main ---- */

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  size_t n_items = 1 + s->n_rot;
  columns c[1 + MAX_ROTATIONS];
  int st = QRD_OK;
  for (size_t i = 0; i < n_items; i++) {
    c[i].n = i == 0 ? s->column_n : s->hist_n;
    c[i].h = malloc(c[i].n * sizeof *c[i].h);
    c[i].d = malloc(c[i].n * sizeof *c[i].d);
    if (!c[i].h || !c[i].d)
      st = qrd_error_set(QRD_ENOMEM, "column buffers");
  }
  qrd_driver_progress_begin(drv, n_items);
  if (!st) {
    /* the histograms first: they are the costly items */
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t j = 0; j < n_items; j++) {
      size_t i = (j + 1) % n_items;
      c[i].status = i == 0 ? run_diagonal(s, drv->seed, &c[i])
                           : run_rotated(s, i - 1, drv->seed, &c[i]);
      if (c[i].status)
        snprintf(c[i].error, sizeof c[i].error, "%s", qrd_error_detail());
      char what[128];
      snprintf(what, sizeof what, "%s", i == 0 ? "diagonal 2^-k" : qrd_rotate_name(s->rot[i - 1]));
#pragma omp critical(progress)
      qrd_driver_progress_step(drv, what);
    }
    for (size_t i = 0; !st && i < n_items; i++)
      if (c[i].status)
        st = qrd_error_set(c[i].status, "%s: %s",
                           i == 0 ? "diagonal Sigma" : qrd_rotate_name(s->rot[i - 1]),
                           c[i].error);
  }
  qrd_results *res = NULL;
  if (!st)
    st = qrd_driver_results(drv, &res);
  if (!st) {
    st = write_attrs(res, s);
    if (!st)
      st = write_columns(res, s, &c[0]);
    double *pred = malloc(s->hist_n * sizeof *pred);
    if (!st && !pred)
      st = qrd_error_set(QRD_ENOMEM, "predictions");
    for (size_t r = 0; !st && r < s->n_rot; r++)
      st = write_hist(res, s, r, &c[1 + r], pred);
    free(pred);
    st = qrd_driver_close_results(res, st);
  }
  for (size_t i = 0; i < n_items; i++) {
    free(c[i].h);
    free(c[i].d);
  }
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-24", doc, read_setup, run, &s);
}
