/* fig-26 (experiment E8 of the WaterSIC study): fixed rate
 * (log-cardinality) against entropy-coded baselines, and why the papers' rate axes mix the two.
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
#include "harness/curve.h"
#include "harness/jobs.h"
#include "harness/point_attrs.h"
#include "mat/point.h"
#include "mc/sample.h"

#define MAX_SIGMAS 4
#define MAX_METHODS 4
#define MAX_BITS 16

static const char doc[] =
  "Fixed-rate absmax INT vs entropy-coded baselines.\n"
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
  unsigned long bits[MAX_BITS];
  size_t n_bits, n, rows;
  qrd_rate_opts entropy; /* entropy_kind, + Miller-Madow + side information */
} setup;

/* The fixed rates: log-cardinality + side information. */
static const qrd_rate_opts FIXED = {.kind = QRD_RATE_FIXED, .miller_madow = 0,
                                    .side_info = 1};

/* ---- configuration ---- */

/* spec with bits=b added: "gptq" -> "gptq:bits=4", "gptq:percdamp=0.1" ->
 * "gptq:percdamp=0.1,bits=4". */
static int with_bits(const char *spec, unsigned long b, qrd_matq *m)
{
  char text[192];
  snprintf(text, sizeof text, "%s%sbits=%lu", spec, strchr(spec, ':') ? "," : ":", b);
  return qrd_matq_parse(text, m);
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
        return qrd_config_invalid_error(cfg, "absmax_methods");
  }
  return qrd_matq_point_config_methods(cfg, "coded_methods", s->coded, MAX_METHODS,
                                       &s->n_coded);
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  const char *words[QRD_CONFIG_MAX_LIST];
  unsigned long n, rows;
  size_t n_kind;
  int st;
  if ((st = qrd_config_whole(cfg, "n", 2, 4096, &n)) ||
      (st = qrd_config_whole(cfg, "rows", 100, 1e7, &rows)) ||
      (st = qrd_matq_point_config_covs(cfg, "sigmas", n, s->sigma, MAX_SIGMAS,
                                       &s->n_sigma)) ||
      (st = qrd_config_wholes(cfg, "bits", 1, 16, s->bits, MAX_BITS, &s->n_bits)) ||
      (st = read_methods(cfg, s)) || (st = qrd_config_list(cfg, "entropy_kind", words, &n_kind)))
    return st;
  s->n = n;
  s->rows = rows;
  s->entropy = (qrd_rate_opts){.miller_madow = 1, .side_info = 1};
  if (n_kind != 1 || qrd_rate_kind_parse(words[0], &s->entropy.kind) ||
      (s->entropy.kind != QRD_RATE_ENTROPY_COL && s->entropy.kind != QRD_RATE_ENTROPY_POOLED))
    return qrd_config_invalid(cfg, "entropy_kind", "want entropy_pooled or entropy_col");
  return QRD_OK;
}

/* ---- the points ---- */

/* One evaluated point: an absmax grid yields the fixed and the entropy
 * rate of one set of codes; a coded method its tuned entropy rate. */
typedef struct {
  size_t sigma, bit;
  const qrd_matq *m;
  const char *name; /* the method without bits=: the curve's */
  int absmax;
  double R[2], gap[2]; /* [0]: entropy, [1]: fixed (absmax only) */
} point;

/* pt's rates and their gaps to reverse waterfilling. */
static int rate_point(const setup *s, const qrd_matq_point_limits *lim,
                      const qrd_matq_point *out, point *pt)
{
  int st = QRD_OK;
  for (int k = 0; !st && k < 1 + pt->absmax; k++)
    st = qrd_matq_point_gap_of(lim, out, k ? &FIXED : &s->entropy, &pt->R[k], &pt->gap[k]);
  return st;
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

static int write_panel(qrd_results *res, const setup *s, size_t i,
                       const qrd_matq_point_panel *pn, const point *pts)
{
  char name[160], title[QRD_COV_PATH_LEN + 512];
  qrd_driver_slug(name, sizeof name, s->sigma[i].spec);
  snprintf(title, sizeof title, "fixed vs entropy-coded rates, Sigma = %s, n = %zu, a = %zu",
           s->sigma[i].spec, s->n, s->rows);
  int st = qrd_curve_params(res, "family=%s; n=%zu; rows=%zu", s->sigma[i].spec, s->n, s->rows);
  if (!st)
    st = qrd_results_panel(res, name, title,
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
    st = qrd_curve_flat(res, name, "it", "Gaussian limit (reverse waterfilling)", range[0],
                        range[1], 0.0);
  if (!st)
    st = qrd_curve_flat(res, name, "it-0-2546", "limit + 1/2 log2(2 pi e/12) = 0.2546",
                        range[0], range[1], 0.5 * log2(2.0 * M_PI * M_E / 12.0));
  if (!st && qrd_matq_point_scaled_identity(s->n, pn->Sigma))
    st = qrd_curve_flat(res, name, "it-0-7220",
                        "limit + 1/2 log2(sqrt(3) pi/2) = 0.7220 (Panter-Dite)", range[0],
                        range[1], 0.5 * log2(sqrt(3.0) * M_PI / 2.0));
  return st;
}

static int write_attrs(qrd_results *res, const setup *s)
{
  char e[64], f[64];
  qrd_rate_describe(&s->entropy, e, sizeof e);
  qrd_rate_describe(&FIXED, f, sizeof f);
  int st = qrd_results_attr_string(res, "rate_kind_entropy", e);
  if (!st)
    st = qrd_results_attr_string(res, "rate_kind_fixed", f);
  return st ? st : qrd_matq_point_write_attrs(res, s->sigma, s->n_sigma, s->n, s->rows);
}

/* ---- main ---- */

typedef struct {
  const setup *s;
  const point *pts;
} naming;

static void job_name(const void *ctx, size_t j, char *buf, size_t len)
{
  const naming *nm = ctx;
  const point *pt = &nm->pts[j];
  int n = snprintf(buf, len, "%s, %s", nm->s->sigma[pt->sigma].spec, pt->m->spec);
  if (!pt->absmax && n > 0 && (size_t)n < len)
    snprintf(buf + n, len - (size_t)n, " at R = %lu", nm->s->bits[pt->bit]);
}

/* Every point: the absmax grids run once, the coded methods tuned to
 * their bits in s->entropy. */
static int run_points(qrd_driver *drv, const setup *s, const qrd_matq_point_panel *pn,
                      point *pts, qrd_matq_point_job *jobs, size_t n_pts)
{
  for (size_t j = 0; j < n_pts; j++) {
    qrd_matq_point_opts_default(&jobs[j].opts);
    jobs[j].opts.method = pts[j].m;
    jobs[j].opts.target = pts[j].absmax ? NAN : (double)s->bits[pts[j].bit];
    jobs[j].opts.tune_how = s->entropy;
    jobs[j].lim = pn[pts[j].sigma].lim;
    jobs[j].problem = &pn[pts[j].sigma].p;
  }
  naming nm = {s, pts};
  int st = qrd_driver_run_points(drv, jobs, n_pts, job_name, &nm);
  for (size_t j = 0; !st && j < n_pts; j++)
    st = rate_point(s, jobs[j].lim, &jobs[j].out, &pts[j]);
  return st;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  size_t max_pts = s->n_sigma * (s->n_absmax + s->n_coded) * s->n_bits;
  qrd_matq_point_panel pn[MAX_SIGMAS] = {0};
  point *pts = calloc(max_pts, sizeof *pts);
  qrd_matq_point_job *jobs = calloc(max_pts, sizeof *jobs);
  qrd_dist g;
  int st = pts && jobs ? qrd_dist_parse("gaussian", &g) : qrd_error_set(QRD_ENOMEM, "points");
  for (size_t i = 0; !st && i < s->n_sigma; i++)
    st = qrd_matq_point_panel_cov(&g, s->rows, s->n, &s->sigma[i], drv->seed, &pn[i]);
  if (!st)
    st = run_points(drv, s, pn, pts, jobs, plan(s, pts));
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
    qrd_matq_point_panel_free(&pn[i]);
  free(pts);
  free(jobs);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-26", doc, read_setup, run, &s);
}
