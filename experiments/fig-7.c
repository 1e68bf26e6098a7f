/* fig-7 (Orr et al. F-S6, `analysis_power_sweep`): R of 4-bit quantisers
 * whose codepoint density is p^alpha, against alpha, for fixed-length and
 * for entropy-coded ("+ Compression") codes.
 *
 * Rows are scalings (tensor RMS; block absmax, B = 64), columns the source
 * (Normal, Laplace, t nu=7, all at scale 1).  The data is normalised once
 * with exact fp32 scales and R is measured on the normalised values y:
 * R = sqrt(sum (y - Q(y))^2 / sum y^2), unweighted, as the reference does
 *.  Under tensor RMS that is also the weight-domain R
 * (one scale); under block absmax it is not (the weight domain weights each
 * block by its scale squared), which is why this driver builds its own
 * unweighted block samples instead of qrd_block_sample_alloc's weighted
 * ones.  Scale bits are not counted: b is element bits on normalised data.
 *
 * Panels <row>-<column> (rms-normal, absmax-laplace, rms-t-nu-7, ...):
 *   <shape>           fixed-length p^alpha CRD of each column's family shape
 *                     (every shape in every panel), y_err = jackknife SE
 *   compressed        p^alpha grid of the compression shape (t nu=7 for
 *                     alpha > 0, as the reference) + ideal code tuned to
 *                     `bits`; at alpha = 0 a uniform grid: round(2^b0)
 *                     points on [-1, 1] (absmax), floor(2^b0) points on
 *                     [-a, a], a = the training sample's largest |y| (RMS)
 *   lloyd-max         Lloyd-Max trained on the normalised training sample
 *                     (flat line over the alpha range)
 *   <shape>-min, compressed-min   the minimum of each curve (one point)
 * Panel compressed-bits: achieved bits of each panel's compressed curve. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bigalloc.h"
#include "core/error.h"
#include "fmt/block.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "mc/rate_tune.h"
#include "mc/sample.h"

#define MAX_DISTS 4
#define MAX_ALPHAS 16
#define N_ROWS 2

static const char doc[] =
  "R vs codepoint density power alpha, fixed-length and compressed (Orr et al.\n"
  "  F-S6).  Config keys: seed (evaluation sample), train_seed, samples, bits,\n"
  "  block (absmax row), dists (columns; their families are the CRD shapes),\n"
  "  alphas (fractions such as 1/3 allowed), rms_alphas and absmax_alphas\n"
  "  (extra points of one row), compress_shape (p^alpha shape of the\n"
  "  compressed curve for alpha > 0).";

enum { ROW_RMS, ROW_ABSMAX };
static const char *const row_name[N_ROWS] = {"rms", "absmax"};

typedef struct {
  qrd_driver_source src[MAX_DISTS];  /* columns; crd: their CRD shape */
  qrd_crd_params compress;           /* shape of the compressed grids */
  size_t n_dist;
  double alpha[N_ROWS][MAX_ALPHAS];  /* per row, ascending */
  size_t n_alpha[N_ROWS];
  double bits;
  unsigned long block;
  unsigned long samples, train_seed;
} setup;

/* ---- config ---- */

/* "0.25" or "1/6". */
static int parse_number(const char *w, double *v)
{
  char *end;
  *v = strtod(w, &end);
  if (*end == '/') {
    double den = strtod(end + 1, &end);
    *v = den != 0.0 ? *v / den : NAN;
  }
  return *end == '\0' && end != w && isfinite(*v) ? QRD_OK : QRD_EINVAL;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Appends the numbers of list `key` (each >= 0) to a[*n]. */
static int read_alphas(qrd_config *cfg, const char *key, double *a, size_t *n)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  size_t m;
  int st = qrd_config_list(cfg, key, words, &m);
  for (size_t i = 0; !st && i < m; i++) {
    if (*n == MAX_ALPHAS)
      return qrd_config_invalid(cfg, key, "too many alphas");
    if (parse_number(words[i], &a[*n]) || a[*n] < 0.0 || a[*n] > 10.0)
      return qrd_config_invalid(cfg, key, "each alpha must be a number (or a/b) in [0, 10]");
    (*n)++;
  }
  return st;
}

static int read_sources(qrd_config *cfg, setup *s)
{
  qrd_driver_source compress;
  size_t n;
  int st = qrd_driver_read_sources(cfg, "dists", s->src, MAX_DISTS, &s->n_dist);
  if (!st)
    st = qrd_driver_read_sources(cfg, "compress_shape", &compress, 1, &n);
  if (!st)
    s->compress = compress.crd;
  return st;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st;
  memset(s, 0, sizeof *s);
  if ((st = qrd_config_ulong(cfg, "train_seed", &s->train_seed)) ||
      (st = qrd_config_whole(cfg, "samples", QRD_DRIVER_SAMPLES_MIN, QRD_DRIVER_SAMPLES_MAX,
                             &s->samples)) ||
      (st = qrd_config_double(cfg, "bits", 1, 8, &s->bits)) ||
      (st = qrd_config_whole(cfg, "block", 4, 4096, &s->block)) || (st = read_sources(cfg, s)))
    return st;
  for (int r = 0; r < N_ROWS; r++)
    if ((st = read_alphas(cfg, "alphas", s->alpha[r], &s->n_alpha[r])))
      return st;
  if ((st = read_alphas(cfg, "rms_alphas", s->alpha[ROW_RMS], &s->n_alpha[ROW_RMS])) ||
      (st = read_alphas(cfg, "absmax_alphas", s->alpha[ROW_ABSMAX], &s->n_alpha[ROW_ABSMAX])))
    return st;
  for (int r = 0; r < N_ROWS; r++)
    qsort(s->alpha[r], s->n_alpha[r], sizeof(double), cmp_double);
  /* the block samples cut the values into batches of whole blocks */
  if (s->samples % (s->block * QRD_BLOCK_BATCHES) != 0) {
    char why[96];
    snprintf(why, sizeof why, "must be a whole number of %d batches of whole blocks",
             QRD_BLOCK_BATCHES);
    return qrd_config_invalid(cfg, "samples", why);
  }
  return QRD_OK;
}

/* ---- the normalised samples ---- */

/* Everything one panel is measured on. */
typedef struct {
  qrd_block_sample *eval, *train; /* unweighted normalised values */
  double *train_y;                /* the training values in sample order */
} panel_data;

static void panel_data_free(panel_data *p)
{
  qrd_block_sample_free(p->eval);
  qrd_block_sample_free(p->train);
  qrd_big_free(p->train_y);
}

static int row_scaling(const setup *s, int row, qrd_scaling *sc)
{
  char text[32];
  snprintf(text, sizeof text, row == ROW_RMS ? "rms" : "absmax:%lu", s->block);
  return qrd_scaling_parse(text, "fp32", sc);
}

/* y <- x (drawn from d) normalised for `row`; *sample <- y as an
 * unweighted sample. */
static int normalise(const setup *s, int row, const qrd_dist *d, const double *x, double *y,
                     double *w, qrd_block_sample **sample)
{
  qrd_scaling sc;
  int st = row_scaling(s, row, &sc);
  if (!st)
    st = qrd_block_normalise(x, s->samples, &sc, -1.0, 1.0, y, w);
  /* R on the normalised values themselves; the figure counts element bits only */
  if (!st)
    st = qrd_block_sample_from_normalised(y, NULL, s->samples,
                                          row == ROW_RMS ? s->samples : s->block, 0.0, sample);
  if (!st && row == ROW_RMS) /* one scale, w = s^2 */
    qrd_block_sample_set_source(*sample, d, sqrt(w[0]));
  return st;
}

/* Both rows of column d: the normalised evaluation and training samples.
 * Runs outside any parallel region, so the sampling and sorting inside use
 * every thread. */
static int prepare_column(qrd_driver *drv, const setup *s, size_t d, panel_data *p)
{
  double *x = qrd_sample_alloc(&s->src[d].dist, drv->seed, s->samples);
  double *xt = qrd_sample_alloc(&s->src[d].dist, s->train_seed, s->samples);
  double *w = qrd_big_alloc(s->samples, sizeof *w);
  int st = x && xt && w ? QRD_OK : qrd_error_set(QRD_ENOMEM, "samples");
  for (int row = 0; !st && row < N_ROWS; row++) {
    panel_data *pd = &p[row * s->n_dist + d];
    /* the evaluation values are only needed sorted: y is scratch */
    if (!(pd->train_y = qrd_big_alloc(s->samples, sizeof *pd->train_y)))
      st = qrd_error_set(QRD_ENOMEM, "samples");
    if (!st)
      st = normalise(s, row, &s->src[d].dist, x, pd->train_y, w, &pd->eval);
    if (!st)
      st = normalise(s, row, &s->src[d].dist, xt, pd->train_y, w, &pd->train);
    char what[192];
    snprintf(what, sizeof what, "%s %s: normalised", s->src[d].dist.spec, row_name[row]);
    qrd_driver_progress_step(drv, what);
  }
  qrd_big_free(x);
  qrd_big_free(xt);
  qrd_big_free(w);
  return st;
}

/* ---- sweep points ---- */

/* item.shape: an index into setup.shape, or one of these. */
#define COMPRESSED ((size_t)-1)
#define LLOYD_MAX ((size_t)-2)

typedef struct {
  size_t panel;  /* row * n_dist + column */
  size_t shape;
  double alpha;
  qrd_block_result r;
} item;

static qrd_crd_params item_params(const setup *s, const item *it)
{
  qrd_crd_params p = it->shape == COMPRESSED ? s->compress : s->src[it->shape].crd;
  p.scaling = it->panel / s->n_dist == ROW_RMS ? QRD_CRD_RMS : QRD_CRD_ABSMAX;
  p.block = (double)s->block;
  p.alpha = it->alpha;
  return p;
}

/* Whether the item is a quantiser: p^alpha must be integrable, so alpha = 0
 * is absmax's uniform grid only, and a t shape needs alpha (nu + 1) > 1
 * (the RMS row's alpha = 0.001 has Normal and Laplace points only, and no
 * compressed point, whose shape is a t); a compressed point at alpha = 0
 * is a uniform grid in either row (coded_grid). */
static int defined(const qrd_crd_params *p, const item *it)
{
  return (it->shape == COMPRESSED && it->alpha == 0.0) || qrd_crd_defined(p);
}

/* Column d's items: the compressed points, the fixed-length ones, then
 * Lloyd-Max's (each trains on a whole sample on one thread: the costliest
 * items, which run first); each curve is collected from the plan in this
 * order. */
static size_t plan_column(const setup *s, size_t d, item *items)
{
  size_t n = 0;
  for (int compressed = 1; compressed >= 0; compressed--)
    for (int row = 0; row < N_ROWS; row++) {
      size_t pnl = (size_t)row * s->n_dist + d;
      for (size_t a = 0; a < s->n_alpha[row]; a++)
        for (size_t sh = 0; sh < (compressed ? 1 : s->n_dist); sh++) {
          item it = {.panel = pnl, .shape = compressed ? COMPRESSED : sh,
                     .alpha = s->alpha[row][a]};
          qrd_crd_params p = item_params(s, &it);
          if (defined(&p, &it))
            items[n++] = it;
        }
    }
  for (int row = 0; row < N_ROWS; row++)
    items[n++] = (item){.panel = (size_t)row * s->n_dist + d, .shape = LLOYD_MAX};
  return n;
}

typedef struct {
  const qrd_block_sample *eval, *train;
  qrd_crd_params p;
  double grid_max; /* > 0: the RMS row's uniform grid on [-a, a] */
  qrd_coded_memo *memo;
} coded_ctx;

/* The compressed grid at trial bits b0: the p^alpha CRD with round(2^b0)
 * points (alpha = 0 under absmax: the uniform grid on [-1, 1]), or under
 * RMS at alpha = 0 floor(2^b0) points spanning the training sample. */
static int coded_grid(const coded_ctx *c, double b0, qrd_codebook **cb)
{
  if (c->grid_max > 0.0) {
    *cb = qrd_coded_grid(b0, 1, c->grid_max);
    return *cb ? QRD_OK : QRD_ENOMEM;
  }
  qrd_element *e;
  int st = qrd_element_crd(&c->p, b0, &e);
  if (st)
    return st;
  *cb = e->cb; /* the element is freed, its codebook kept */
  e->cb = NULL;
  qrd_element_free(e);
  return QRD_OK;
}

/* Total ideal code length of the evaluation sample's indices on the grid
 * of b0, the model trained on the training sample: what
 * qrd_block_eval_coded counts, without the error sums. */
static int coded_bits(double b0, void *params, double *bits)
{
  coded_ctx *c = params;
  qrd_codebook *cb;
  int st = coded_grid(c, b0, &cb);
  if (st)
    return st;
  st = qrd_coded_memo_bits(c->memo, cb, bits);
  qrd_codebook_free(cb);
  return st;
}

/* The grid where the coded rate comes closest to `bits`, evaluated in
 * full. */
static int run_compressed(const setup *s, const panel_data *pd, item *it)
{
  coded_ctx c = {.eval = pd->eval, .train = pd->train, .p = item_params(s, it)};
  if (it->alpha == 0.0 && it->panel / s->n_dist == ROW_RMS)
    c.grid_max = qrd_block_absmax(pd->train);
  qrd_rate_fit t;
  c.memo = qrd_coded_memo_alloc(c.eval, c.train, 0);
  int st = c.memo ? qrd_rate_tune(QRD_RATE_GRID, coded_bits, &c, pd->eval->numel, s->bits, 0, &t)
                  : QRD_ENOMEM;
  qrd_coded_memo_free(c.memo);
  qrd_codebook *cb;
  if (st || (st = coded_grid(&c, t.t, &cb)))
    return st;
  st = qrd_block_eval_coded(pd->eval, pd->train, cb, 0, &it->r);
  qrd_codebook_free(cb);
  if (!st && it->r.bits * (double)pd->eval->numel != t.bits)
    st = qrd_error_set(QRD_EINVAL, "cell counts disagree with qrd_block_eval_coded");
  return st;
}

static int run_fixed(const setup *s, const panel_data *pd, item *it)
{
  qrd_crd_params p = item_params(s, it);
  qrd_element *e;
  int st = qrd_element_crd(&p, s->bits, &e);
  if (st)
    return st;
  st = qrd_block_eval(pd->eval, e->cb, e->bits, &it->r);
  qrd_element_free(e);
  return st;
}

/* Lloyd-Max trained on the normalised training sample (init
 * mean +- 3 std for RMS data, [min, max] for absmax-normalised data). */
static int run_lloyd_max(const setup *s, const panel_data *pd, item *it)
{
  qrd_lm_params lp;
  qrd_element *e;
  qrd_lm_params_default(&lp);
  lp.init = it->panel / s->n_dist == ROW_RMS ? QRD_LM_INIT_MOMENTS : QRD_LM_INIT_RANGE;
  int st = qrd_element_lloyd_max(pd->train_y, NULL, s->samples, s->bits, &lp, &e, NULL);
  if (st)
    return st;
  st = qrd_block_eval(pd->eval, e->cb, e->bits, &it->r);
  qrd_element_free(e);
  return st;
}

static const char *item_name(const setup *s, const item *it)
{
  return it->shape == COMPRESSED ? "compressed"
       : it->shape == LLOYD_MAX  ? "lloyd-max"
                                 : s->src[it->shape].slug;
}

/* The sweep: item j of the plan at items[j]. */
typedef struct {
  const setup *s;
  const panel_data *pd;
  item *items;
} sweep;

/* Each item reads the shared samples and writes only its own slot. */
static int run_item(void *ctx, size_t j, char *what, size_t len)
{
  const sweep *w = ctx;
  const setup *s = w->s;
  item *it = &w->items[j];
  const panel_data *p = &w->pd[it->panel];
  char alpha[32] = "";
  if (it->shape != LLOYD_MAX)
    snprintf(alpha, sizeof alpha, " alpha=%.4g", it->alpha);
  snprintf(what, len, "%s %s %s%s", row_name[it->panel / s->n_dist],
           s->src[it->panel % s->n_dist].dist.spec, item_name(s, it), alpha);
  return it->shape == COMPRESSED ? run_compressed(s, p, it)
       : it->shape == LLOYD_MAX  ? run_lloyd_max(s, p, it)
                                 : run_fixed(s, p, it);
}

/* ---- results ---- */

typedef struct {
  double x[MAX_ALPHAS], y[MAX_ALPHAS], err[MAX_ALPHAS], bits[MAX_ALPHAS];
  size_t n;
} series;

static void collect(const item *items, size_t n, size_t panel, size_t shape, series *c)
{
  c->n = 0;
  for (size_t i = 0; i < n; i++)
    if (items[i].panel == panel && items[i].shape == shape) {
      c->x[c->n] = items[i].alpha;
      c->y[c->n] = items[i].r.rel_rmse;
      c->err[c->n] = items[i].r.rel_rmse_se;
      c->bits[c->n++] = items[i].r.bits;
    }
}

/* The series' lowest point as a one-point curve (the plot's star). */
static int write_min(qrd_results *res, const char *panel, const char *name,
                     const char *label, const series *c)
{
  size_t k = qrd_curve_argmin(c->y, c->n);
  char curve[64], text[160];
  snprintf(curve, sizeof curve, "%s-min", name);
  snprintf(text, sizeof text, "%s minimum: alpha = %.3g, R = %.4f", label, c->x[k], c->y[k]);
  return qrd_curve_point(res, panel, curve, text, c->x, c->y, c->err, k);
}

static int write_panel(qrd_results *res, const setup *s, const item *items, size_t n,
                       size_t pnl, series *comp)
{
  int row = (int)(pnl / s->n_dist);
  size_t col = pnl % s->n_dist;
  char panel[64], title[192], label[160];
  snprintf(panel, sizeof panel, "%s-%s", row_name[row], s->src[col].slug);
  snprintf(title, sizeof title, "%s data, %s scaling (fp32 scales), %g bits",
           s->src[col].dist.spec, row == ROW_RMS ? "tensor RMS" : "block absmax", s->bits);
  int st = qrd_results_panel(res, panel, title, "density power alpha",
                             "R on normalised data");
  if (!st)
    st = qrd_curve_params(res, "source=%s; scaling=%s; scale_format=fp32; element_bits=%g",
                          s->src[col].dist.spec, row == ROW_RMS ? "rms" : "absmax", s->bits);
  series c[MAX_DISTS];
  for (size_t sh = 0; !st && sh < s->n_dist; sh++) {
    collect(items, n, pnl, sh, &c[sh]);
    snprintf(label, sizeof label, "p^alpha %s%s", s->src[sh].label,
             sh == col ? " (own family)" : "");
    st = qrd_results_curve(res, panel, s->src[sh].slug, label, c[sh].n, c[sh].x, c[sh].y,
                           c[sh].err);
  }
  collect(items, n, pnl, COMPRESSED, comp);
  if (!st)
    st = qrd_results_curve(res, panel, "compressed", "+ Compression (ideal code)", comp->n,
                           comp->x, comp->y, comp->err);
  /* Lloyd-Max does not depend on alpha: a flat line over the range */
  series lm;
  collect(items, n, pnl, LLOYD_MAX, &lm);
  double lx[2] = {s->alpha[row][0], s->alpha[row][s->n_alpha[row] - 1]},
         ly[2] = {lm.y[0], lm.y[0]}, le[2] = {lm.err[0], lm.err[0]};
  snprintf(label, sizeof label, "Lloyd-Max %g-bit (R = %.4f)", s->bits, lm.y[0]);
  if (!st)
    st = qrd_results_curve(res, panel, "lloyd-max", label, 2, lx, ly, le);
  for (size_t sh = 0; !st && sh < s->n_dist; sh++)
    st = write_min(res, panel, s->src[sh].slug, s->src[sh].label, &c[sh]);
  return st ? st : write_min(res, panel, "compressed", "+ Compression", comp);
}

static int write_all(qrd_results *res, const setup *s, const item *items, size_t n)
{
  series comp[N_ROWS * MAX_DISTS];
  int st = qrd_results_attr_string(res, "r_domain",
                                   "normalised: sqrt(sum (y - Q(y))^2 / sum y^2), y = x / fp32 "
                                   "scale, unweighted");
  if (!st)
    st = qrd_results_attr_double(res, "train_seed", (double)s->train_seed);
  for (size_t p = 0; !st && p < N_ROWS * s->n_dist; p++)
    st = write_panel(res, s, items, n, p, &comp[p]);
  if (!st)
    st = qrd_results_panel(res, "compressed-bits", "achieved bits of the compressed curves",
                           "density power alpha", "bits per element");
  for (size_t p = 0; !st && p < N_ROWS * s->n_dist; p++) {
    char curve[64];
    snprintf(curve, sizeof curve, "%s-%s", row_name[p / s->n_dist],
             s->src[p % s->n_dist].slug);
    st = qrd_results_curve(res, "compressed-bits", curve, curve, comp[p].n, comp[p].x,
                           comp[p].bits, NULL);
  }
  return st;
}

static int write_results(qrd_driver *drv, const setup *s, const item *items, size_t n)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  return st ? st : qrd_driver_close_results(res, write_all(res, s, items, n));
}

/* Column by column: its samples, its items, then its samples go back to
 * the pool for the next column (a third of the memory, and the next
 * column's arrays are pages already mapped, not fresh ones the kernel
 * must zero). */
static int run(qrd_driver *drv, const setup *s, panel_data *pd, item *items)
{
  drv->y_err = QRD_Y_ERR_R;
  size_t start[MAX_DISTS + 1] = {0};
  for (size_t d = 0; d < s->n_dist; d++)
    start[d + 1] = start[d] + plan_column(s, d, items + start[d]);
  qrd_driver_progress_begin(drv, N_ROWS * s->n_dist + start[s->n_dist]);
  int st = QRD_OK;
  for (size_t d = 0; !st && d < s->n_dist; d++) {
    item *col = items + start[d];
    if (!(st = prepare_column(drv, s, d, pd)))
      st = qrd_driver_run_items(drv, start[d + 1] - start[d], run_item,
                                &(sweep){s, pd, col}, QRD_DRIVER_SLOTS(col));
    for (int row = 0; row < N_ROWS; row++)
      panel_data_free(&pd[(size_t)row * s->n_dist + d]);
  }
  return st ? st : write_results(drv, s, items, start[s->n_dist]);
}

/* run() with its buffers. */
static int run_sweep(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  panel_data *pd = calloc(N_ROWS * s->n_dist, sizeof *pd);
  item *items = malloc(N_ROWS * MAX_DISTS * (MAX_ALPHAS * (MAX_DISTS + 1) + 1) * sizeof *items);
  int st = pd && items ? run(drv, s, pd, items) : qrd_error_set(QRD_ENOMEM, "sweep");
  free(pd); /* run() gives each column's samples back after its items */
  free(items);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-7", doc, read_setup, run_sweep, &s);
}
