/* fig-26 (watersic.md §9 E8): fixed rate (log-cardinality) against
 * entropy-coded baselines, and why the papers' rate axes mix the two.
 *
 * W is iid N(0, 1) (rows x n, one sample shared by every point); D =
 * tr(E Sigma E^T)/(rows n) with the undamped Sigma; the gap is
 * 1/2 log2(D / D(R)) to reverse waterfilling on eig(Sigma) (sigma = 1) at
 * the point's own rate R, side information included in R.
 *
 * Panels, one per covariance (its slug).  Curves:
 *   <m>-fixed        absmax INT grid `<m>:bits=b` (b in `bits`) at its
 *                    fixed rate log2(levels) + side information (b + 16/n)
 *   <m>-entropy      the same codes at their entropy (`entropy_kind`,
 *                    pooled by default as the authors' Huffman-GPTQ, +
 *                    Miller-Madow) + side information
 *   <m>-coded        unbounded grid (GPTQ-EC, WaterSIC), step tuned to
 *                    that entropy + side information = b
 *   it, it-0-2546    the limit and 1/2 log2(2 pi e/12) above it
 *   it-0-7220        Panter-Dite, 1/2 log2(sqrt(3) pi/2) above the limit:
 *                    the best fixed-rate scalar quantiser of iid Gaussian
 *                    weights, drawn when Sigma is a multiple of I
 * where <m> is the method's slug. */
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
#define MAX_METHODS 4
#define MAX_BITS 16

static const char doc[] =
  "Fixed-rate absmax INT vs entropy-coded baselines (watersic.md E8).\n"
  "Config keys: seed, sigmas (covariance specs, one panel each), n, rows,\n"
  "bits (absmax grid bits, and the target entropies of the coded methods),\n"
  "absmax_methods (rtn, gptq specs run with bits=b), coded_methods (matq\n"
  "specs on unbounded grids, tuned), entropy_kind (entropy_pooled or\n"
  "entropy_col).";

typedef struct {
  qrd_cov sigma[MAX_SIGMAS];
  size_t n_sigma;
  qrd_matq absmax[MAX_METHODS][MAX_BITS]; /* method m with bits=b */
  char absmax_spec[MAX_METHODS][128];     /* method m as configured */
  qrd_matq coded[MAX_METHODS];
  size_t n_absmax, n_coded;
  double bits[MAX_BITS];
  size_t n_bits, n, rows;
  qrd_rate_opts entropy; /* entropy_kind, + Miller-Madow + side information */
} setup;

/* The fixed rates: log-cardinality + side information. */
static const qrd_rate_opts FIXED = {.kind = QRD_RATE_FIXED, .miller_madow = 0,
                                    .side_info = 1};

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

static int read_bits(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "bits", words, &s->n_bits);
  if (st)
    return st;
  if (s->n_bits == 0 || s->n_bits > MAX_BITS)
    return qrd_config_invalid(cfg, "bits", "want 1 to 16 bit counts");
  for (size_t i = 0; i < s->n_bits; i++) {
    char *end;
    s->bits[i] = strtod(words[i], &end);
    if (*end || end == words[i] || s->bits[i] != floor(s->bits[i]) || s->bits[i] < 1.0 ||
        s->bits[i] > 16.0)
      return qrd_config_invalid(cfg, "bits", "bit counts are whole numbers in [1, 16]");
  }
  return QRD_OK;
}

/* spec with bits=b added: "gptq" -> "gptq:bits=4", "gptq:percdamp=0.1" ->
 * "gptq:percdamp=0.1,bits=4". */
static int with_bits(const char *spec, double b, qrd_matq *m)
{
  char text[192];
  snprintf(text, sizeof text, "%s%sbits=%g", spec, strchr(spec, ':') ? "," : ":", b);
  return qrd_matq_parse(text, m);
}

static int is_fixed_grid(const qrd_matq *m)
{
  return m->type->fixed_grid && m->type->fixed_grid(m->params);
}

static int read_methods(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "absmax_methods", words, &s->n_absmax);
  if (st)
    return st;
  if (s->n_absmax > MAX_METHODS)
    return qrd_config_invalid(cfg, "absmax_methods", "want at most 4 methods");
  for (size_t m = 0; m < s->n_absmax; m++) {
    if (strlen(words[m]) >= sizeof s->absmax_spec[m])
      return qrd_config_invalid(cfg, "absmax_methods", "method spec too long");
    strcpy(s->absmax_spec[m], words[m]);
    for (size_t i = 0; i < s->n_bits; i++)
      if (with_bits(words[m], s->bits[i], &s->absmax[m][i]))
        return invalid_spec(cfg, "absmax_methods");
  }
  if ((st = qrd_config_list(cfg, "coded_methods", words, &s->n_coded)))
    return st;
  if (s->n_coded > MAX_METHODS)
    return qrd_config_invalid(cfg, "coded_methods", "want at most 4 methods");
  for (size_t m = 0; m < s->n_coded; m++) {
    if (qrd_matq_parse(words[m], &s->coded[m]))
      return invalid_spec(cfg, "coded_methods");
    if (is_fixed_grid(&s->coded[m]))
      return qrd_config_invalid(cfg, "coded_methods", "name unbounded grids (no bits=)");
  }
  if (s->n_absmax + s->n_coded == 0)
    return qrd_config_invalid(cfg, "coded_methods", "no method at all");
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  const char *words[QRD_CONFIG_MAX_LIST];
  size_t n_kind;
  int st;
  if ((st = qrd_config_list(cfg, "sigmas", words, &s->n_sigma)))
    return st;
  if (s->n_sigma == 0 || s->n_sigma > MAX_SIGMAS)
    return qrd_config_invalid(cfg, "sigmas", "want 1 to 4 covariance families");
  for (size_t i = 0; i < s->n_sigma; i++)
    if (qrd_cov_parse(words[i], &s->sigma[i]))
      return invalid_spec(cfg, "sigmas");
  if ((st = read_count(cfg, "n", 2, 4096, &s->n)) ||
      (st = read_count(cfg, "rows", 100, 1e7, &s->rows)) || (st = read_bits(cfg, s)) ||
      (st = read_methods(cfg, s)) || (st = qrd_config_list(cfg, "entropy_kind", words, &n_kind)))
    return st;
  s->entropy = (qrd_rate_opts){.miller_madow = 1, .side_info = 1};
  if (n_kind != 1 || qrd_rate_kind_parse(words[0], &s->entropy.kind) ||
      (s->entropy.kind != QRD_RATE_ENTROPY_COL && s->entropy.kind != QRD_RATE_ENTROPY_POOLED))
    return qrd_config_invalid(cfg, "entropy_kind", "want entropy_pooled or entropy_col");
  for (size_t i = 0; i < s->n_sigma; i++) {
    size_t n;
    if (qrd_cov_dim(&s->sigma[i], s->n, &n))
      return invalid_spec(cfg, "sigmas");
  }
  return QRD_OK;
}

/* ---- one point ---- */

typedef struct {
  qrd_matq_problem p;
  double *W, *S, *lambda;
} panel;

/* One evaluated point: an absmax grid yields the fixed and the entropy
 * rate of one set of codes; a coded method its tuned entropy rate. */
typedef struct {
  size_t sigma, bit;
  const qrd_matq *m;
  const char *name; /* the method without bits=: the curve's */
  int absmax;
  double R[2], gap[2]; /* [0]: entropy, [1]: fixed (absmax only) */
  int status;
  char error[256];
} point;

static int run_point(const panel *pn, const qrd_rate_opts *entropy, double target, point *pt)
{
  size_t rows = pn->p.rows, n = pn->p.n;
  qrd_matq_work *w = qrd_matq_work_alloc(n, rows);
  qrd_matq_result *res = qrd_matq_result_alloc(n, rows);
  qrd_matq_tune_info info;
  qrd_rate r[2];
  double D, theta, D_ref;
  int st = w && res ? QRD_OK : qrd_error_set(QRD_ENOMEM, "%s on %zu x %zu", pt->m->spec, rows, n);
  if (!st && pt->absmax) {
    st = qrd_matq_run(pt->m, w, &pn->p, NAN, res);
    if (!st)
      st = qrd_rate_measure(entropy, res->Z, rows, n, res->side_bits, &r[0]);
    if (!st)
      st = qrd_rate_measure(&FIXED, res->Z, rows, n, res->side_bits, &r[1]);
  } else if (!st) {
    st = qrd_matq_tune(pt->m, w, &pn->p, entropy, target, res, &info);
    r[0] = info.rate;
  }
  if (!st)
    st = qrd_wmse(rows, n, pn->p.W, res->What, pn->p.Sigma, &D);
  for (int k = 0; !st && k < 1 + pt->absmax; k++) {
    st = qrd_rwf_solve(n, pn->lambda, r[k].bits, &theta, &D_ref);
    pt->R[k] = r[k].bits;
    pt->gap[k] = qrd_gap_bits(D, D_ref);
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

/* Points in curve order: per panel, each absmax method's bits, then each
 * coded method's targets. */
static size_t plan(const setup *s, point *pts)
{
  size_t k = 0;
  for (size_t i = 0; i < s->n_sigma; i++) {
    for (size_t m = 0; m < s->n_absmax; m++)
      for (size_t b = 0; b < s->n_bits; b++)
        pts[k++] = (point){.sigma = i, .bit = b, .m = &s->absmax[m][b],
                           .name = s->absmax_spec[m], .absmax = 1};
    for (size_t m = 0; m < s->n_coded; m++)
      for (size_t b = 0; b < s->n_bits; b++)
        pts[k++] = (point){.sigma = i, .bit = b, .m = &s->coded[m], .name = s->coded[m].spec};
  }
  return k;
}

/* ---- results ---- */

/* Is Sigma c I?  Panter-Dite's line then applies to every column alike. */
static int is_scaled_identity(size_t n, const double *S)
{
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < n; i++)
      if (S[j * n + i] != (i == j ? S[0] : 0.0))
        return 0;
  return 1;
}

static int write_curve(qrd_results *res, const char *panel, const setup *s, const point *pts,
                       int k, const char *suffix, const char *what)
{
  char kind[64];
  qrd_rate_describe(k ? &FIXED : &s->entropy, kind, sizeof kind);
  double x[MAX_BITS], y[MAX_BITS];
  char curve[160], label[256];
  for (size_t b = 0; b < s->n_bits; b++) {
    x[b] = pts[b].R[k];
    y[b] = pts[b].gap[k];
  }
  qrd_driver_slug(curve, sizeof curve, pts[0].name);
  snprintf(curve + strlen(curve), sizeof curve - strlen(curve), "-%s", suffix);
  snprintf(label, sizeof label, "%s%s, %s (%s)", pts[0].name, pts[0].absmax ? " absmax INT" : "",
           what, kind);
  return qrd_results_curve(res, panel, curve, label, s->n_bits, x, y, NULL);
}

static int write_line(qrd_results *res, const char *panel, const char *curve,
                      const char *label, const double range[2], double gap)
{
  double y[2] = {gap, gap};
  return qrd_results_curve(res, panel, curve, label, 2, range, y, NULL);
}

static int write_panel(qrd_results *res, const setup *s, size_t i, const panel *pn,
                       const point *pts)
{
  char name[160], title[QRD_COV_PATH_LEN + 512];
  qrd_driver_slug(name, sizeof name, s->sigma[i].spec);
  snprintf(title, sizeof title, "fixed vs entropy-coded rates, Sigma = %s, n = %zu, a = %zu",
           s->sigma[i].spec, s->n, s->rows);
  int st = qrd_results_panel(res, name, title,
                             "rate R (bits per weight, side information included)",
                             "gap 1/2 log2(D/D(R)) to the Gaussian limit (bits)");
  size_t per = (s->n_absmax + s->n_coded) * s->n_bits;
  const point *q = pts + i * per;
  double range[2] = {INFINITY, -INFINITY};
  for (size_t j = 0; j < per; j++)
    for (int k = 0; k < 1 + q[j].absmax; k++) {
      range[0] = fmin(range[0], q[j].R[k]);
      range[1] = fmax(range[1], q[j].R[k]);
    }
  for (size_t m = 0; !st && m < s->n_absmax; m++, q += s->n_bits) {
    st = write_curve(res, name, s, q, 1, "fixed", "at log2 levels");
    if (!st)
      st = write_curve(res, name, s, q, 0, "entropy", "at its entropy");
  }
  for (size_t m = 0; !st && m < s->n_coded; m++, q += s->n_bits)
    st = write_curve(res, name, s, q, 0, "coded", "step tuned to the entropy");
  if (!st)
    st = write_line(res, name, "it", "Gaussian limit (reverse waterfilling)", range, 0.0);
  if (!st)
    st = write_line(res, name, "it-0-2546", "limit + 1/2 log2(2 pi e/12) = 0.2546", range,
                    0.5 * log2(2.0 * M_PI * M_E / 12.0));
  if (!st && is_scaled_identity(s->n, pn->S))
    st = write_line(res, name, "it-0-7220", "limit + 1/2 log2(sqrt(3) pi/2) = 0.7220 "
                    "(Panter-Dite)", range, 0.5 * log2(sqrt(3.0) * M_PI / 2.0));
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  char e[64], f[64], sigmas[QRD_CONFIG_MAX_LIST * 64] = "";
  qrd_rate_describe(&s->entropy, e, sizeof e);
  qrd_rate_describe(&FIXED, f, sizeof f);
  for (size_t i = 0; i < s->n_sigma; i++) {
    size_t l = strlen(sigmas);
    snprintf(sigmas + l, sizeof sigmas - l, "%s%s", i ? " " : "", s->sigma[i].spec);
  }
  int st = qrd_results_attr_string(res, "rate_kind_entropy", e);
  if (!st)
    st = qrd_results_attr_string(res, "rate_kind_fixed", f);
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
  size_t max_pts = s->n_sigma * (s->n_absmax + s->n_coded) * s->n_bits;
  panel pn[MAX_SIGMAS];
  memset(pn, 0, sizeof pn);
  point *pts = calloc(max_pts, sizeof *pts);
  int st = pts ? QRD_OK : qrd_error_set(QRD_ENOMEM, "points");
  for (size_t i = 0; !st && i < s->n_sigma; i++)
    st = panel_build(s, i, drv->seed, &pn[i]);
  if (!st) {
    size_t n_pts = plan(s, pts);
    qrd_driver_progress_begin(drv, n_pts);
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t j = 0; j < n_pts; j++) {
      point *pt = &pts[j];
      pt->status = run_point(&pn[pt->sigma], &s->entropy, s->bits[pt->bit], pt);
      if (pt->status)
        snprintf(pt->error, sizeof pt->error, "%s", qrd_error_detail());
      char what[320];
      int len = snprintf(what, sizeof what, "%s, %s", s->sigma[pt->sigma].spec, pt->m->spec);
      if (!pt->absmax && len > 0 && (size_t)len < sizeof what)
        snprintf(what + len, sizeof what - (size_t)len, " at R = %g", s->bits[pt->bit]);
#pragma omp critical(progress)
      qrd_driver_progress_step(drv, what);
    }
    for (size_t j = 0; !st && j < n_pts; j++)
      if (pts[j].status)
        st = qrd_error_set(pts[j].status, "%s, %s: %s", s->sigma[pts[j].sigma].spec,
                           pts[j].m->spec, pts[j].error);
  }
  qrd_results *res = NULL;
  if (!st)
    st = qrd_driver_results(drv, &res);
  if (!st) {
    st = write_attrs(res, s);
    for (size_t i = 0; !st && i < s->n_sigma; i++)
      st = write_panel(res, s, i, &pn[i], pts);
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
  return qrd_driver_main(argc, argv, "fig-26", doc, read_setup, run, &s);
}
