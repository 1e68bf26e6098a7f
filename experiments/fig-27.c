/* fig-27: the weight statistics of a real checkpoint (Orr et al.'s
 * weight-statistics figure, on a real model): each weight matrix's
 * histogram with the Gaussian, Laplace and Student-t densities fitted to
 * it by maximum likelihood (mc/fit.h), and the fitted nu per tensor.
 *
 * Panels:
 *   w<k>       tensor k (title: its name and shape): histogram of w / RMS
 *              over [-range, range] in `bins` bins as a density, y_err the
 *              binomial standard error; one curve per registered family,
 *              its fitted density in the same units (params: the fit)
 *   nu         fitted Student-t nu per tensor (x = tensor index)
 *   kurtosis   excess kurtosis per tensor
 * Root attribute tensors: the tensor names, in index order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "harness/checkpoint.h"
#include "harness/curve.h"
#include "harness/driver.h"
#include "mc/fit.h"

#define MAX_BINS 1001
#define MAX_FAMILIES 8

static const char doc[] =
  "Weight statistics of a real checkpoint: histograms with fitted families\n"
  "  (Orr et al.'s weight-statistics figure).  Config keys: seed (unused),\n"
  "  checkpoint (a tensor file), min_count (matrices: 2+ dims, at least this\n"
  "  many values), out_in (optional name fragments stored [out, in]), bins,\n"
  "  range (histogram over [-range, range] RMS).";

typedef struct {
  qrd_checkpoint ck;
  unsigned long bins;
  double range;
} setup;

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  int st = qrd_config_whole(cfg, "bins", 3, MAX_BINS, &s->bins);
  if (!st)
    st = qrd_config_double(cfg, "range", 1, 100, &s->range);
  return st ? st : qrd_checkpoint_read(cfg, &s->ck);
}

typedef struct {
  qrd_fit_summary sum;
  qrd_fit fits[MAX_FAMILIES];
  size_t n_fits, best;
  double density[MAX_BINS], err[MAX_BINS];
} item;

typedef struct {
  const setup *s;
  item *items;
} sweep;

/* Histogram of x / rms as a density per unit, and its binomial SE. */
static void histogram(const setup *s, const double *x, size_t n, double rms, item *it)
{
  double width = 2.0 * s->range / (double)s->bins;
  size_t count[MAX_BINS] = {0};
  for (size_t i = 0; i < n; i++) {
    double z = (x[i] / rms + s->range) / width;
    if (z >= 0.0 && z < (double)s->bins)
      count[(size_t)z]++;
  }
  for (size_t b = 0; b < s->bins; b++) {
    double p = (double)count[b] / (double)n;
    it->density[b] = p / width;
    it->err[b] = sqrt(p * (1.0 - p) / (double)n) / width;
  }
}

static int run_item(void *ctx, size_t k, char *what, size_t len)
{
  const sweep *w = ctx;
  item *it = &w->items[k];
  qrd_checkpoint_short_name(&w->s->ck, k, what, len);
  double *x;
  size_t rows, cols;
  int st = qrd_checkpoint_matrix(&w->s->ck, k, &x, &rows, &cols);
  if (st)
    return st;
  size_t n = rows * cols;
  qrd_fit_summarise(x, n, &it->sum);
  st = it->sum.non_finite ? qrd_error_set(QRD_EINVAL, "%zu non-finite values",
                                          it->sum.non_finite)
                          : qrd_fit_all(x, n, it->fits, MAX_FAMILIES, &it->n_fits, &it->best);
  if (!st)
    histogram(w->s, x, n, it->sum.rms, it);
  free(x);
  return st;
}

/* ---- results ---- */

static int write_tensor(qrd_results *res, const setup *s, size_t k, const item *it)
{
  const qrd_tensor_info *t = qrd_checkpoint_info(&s->ck, k);
  char panel[32], title[QRD_TENSOR_NAME_LEN + 96], shape[64] = "";
  for (size_t d = 0; d < t->ndim; d++)
    snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%llu", d ? "x" : "",
             (unsigned long long)t->shape[d]);
  snprintf(panel, sizeof panel, "w%zu", k);
  snprintf(title, sizeof title, "%s [%s], RMS %.4g, excess kurtosis %.3g", t->name, shape,
           it->sum.rms, it->sum.excess_kurtosis);
  int st = qrd_results_panel(res, panel, title, "w / RMS", "density");
  if (!st)
    st = qrd_curve_params(res, "tensor=%s; count=%llu; rms=%.6g", t->name,
                          (unsigned long long)t->count, it->sum.rms);
  double x[MAX_BINS], y[MAX_BINS];
  double width = 2.0 * s->range / (double)s->bins;
  for (size_t b = 0; b < s->bins; b++)
    x[b] = -s->range + ((double)b + 0.5) * width;
  if (!st)
    st = qrd_results_curve(res, panel, "histogram", "weights", s->bins, x, it->density, it->err);
  for (size_t f = 0; !st && f < it->n_fits; f++) {
    const qrd_fit *fit = &it->fits[f];
    for (size_t b = 0; b < s->bins; b++)
      y[b] = qrd_dist_pdf(&fit->dist, x[b] * it->sum.rms) * it->sum.rms;
    char label[192];
    snprintf(label, sizeof label, "%s (mean log-likelihood %.4f%s)", fit->dist.spec,
             fit->loglik, f == it->best ? ", best" : "");
    st = qrd_curve_params(res, "tensor=%s; fit=%s; loglik=%.10g; fit_points=%zu", t->name,
                          fit->dist.spec, fit->loglik, fit->fit_points);
    if (!st)
      st = qrd_results_curve(res, panel, fit->dist.type->name, label, s->bins, x, y, NULL);
  }
  return st;
}

static int write_summary(qrd_results *res, const setup *s, const item *items)
{
  double x[QRD_CHECKPOINT_MAX], nu[QRD_CHECKPOINT_MAX], kurt[QRD_CHECKPOINT_MAX];
  const qrd_dist_type *t = qrd_dist_type_find("student-t");
  size_t m = 0;
  for (size_t k = 0; k < s->ck.n; k++) {
    kurt[k] = items[k].sum.excess_kurtosis;
    x[k] = (double)k;
    for (size_t f = 0; f < items[k].n_fits; f++)
      if (items[k].fits[f].dist.type == t)
        nu[m++] = items[k].fits[f].dist.shape[0];
  }
  int st = qrd_results_describe(res, "", NULL);
  if (!st)
    st = qrd_results_panel(res, "nu", "fitted Student-t nu per tensor", "tensor index", "nu");
  if (!st && m == s->ck.n)
    st = qrd_results_curve(res, "nu", "nu", "maximum-likelihood nu", m, x, nu, NULL);
  if (!st)
    st = qrd_results_panel(res, "kurtosis", "excess kurtosis per tensor", "tensor index",
                           "excess kurtosis");
  if (!st)
    st = qrd_results_curve(res, "kurtosis", "kurtosis", "excess kurtosis", s->ck.n, x, kurt,
                           NULL);
  return st;
}

typedef struct {
  const setup *s;
  const item *items;
} output;

static int write_all(qrd_results *res, const void *ctx)
{
  const output *o = ctx;
  int st = qrd_checkpoint_write_names(res, &o->s->ck);
  for (size_t k = 0; !st && k < o->s->ck.n; k++)
    st = write_tensor(res, o->s, k, &o->items[k]);
  return st ? st : write_summary(res, o->s, o->items);
}

/* A restored item's fitted laws, linked to this process's registry. */
static int relink(const void *ctx, size_t k)
{
  const sweep *w = ctx;
  int st = QRD_OK;
  for (size_t f = 0; !st && f < w->items[k].n_fits; f++)
    st = qrd_dist_relink(&w->items[k].fits[f].dist);
  return st;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  setup *s = setup_ptr;
  drv->y_err = "binomial standard error sqrt(p (1 - p) / N) of each bin, in density units";
  item *items = calloc(s->ck.n, sizeof *items);
  int st = items ? QRD_OK : qrd_error_set(QRD_ENOMEM, "items");
  sweep w = {s, items};
  qrd_driver_progress_begin(drv, s->ck.n);
  if (!st)
    st = qrd_driver_run_items(drv, s->ck.n, run_item, &w,
                              &(qrd_driver_slots){{{items, sizeof *items, sizeof *items}}, 1,
                                                  .ctx = &w, .restored = relink});
  if (!st)
    st = qrd_driver_write_results(drv, write_all, &(output){s, items});
  free(items);
  qrd_checkpoint_free(&s->ck);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  memset(&s, 0, sizeof s);
  return qrd_driver_main(argc, argv, "fig-27", doc, read_setup, run, &s);
}
