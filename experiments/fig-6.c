/* fig-6 (Orr et al. F-S5, `eg_block_scaled_distribution`): the law of
 * block-normalised N(0,1) values X = W / max_B(W), as a histogram of a
 * Monte-Carlo sample, against the model of orr-formats §2.5 that the block
 * CRD formats are designed from, and against the exact law
 * (nf4-af4.md §3).
 *
 * Panels "absmax" (divide by max |W|) and "signmax" (divide by the signed
 * extreme, so the block maximum lands at +1); x = bin centre, y = the
 * fraction of values in the bin (histogram weights 1/N).  Curves, in this
 * order:
 *   histogram  the sample (y_err = binomial standard error sqrt(p(1-p)/N))
 *   exact      the bin's mass under the exact law plus the block maximum's
 *              atoms (1/(2B) at each end for absmax, 1/B at +1 for
 *              signmax): for the bin (a, b),
 *              (B-1) int_0^inf 2 phi(m) G(m)^{B-2} [Phi(m b) - Phi(m a)] dm,
 *              G(m) = 2 Phi(m) - 1
 *   model      pdf_trunc(centre) * width * (B-1)/B + the same atoms,
 *              pdf_trunc = N(0, 1/(2 ln(B/pi))) truncated to [-1, 1]; only
 *              for B > pi, where that variance is positive.
 * The non-maximum elements have the same law under both scalings (dividing
 * by -m instead of m mirrors a symmetric law), so only the atoms differ. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "core/error.h"
#include "core/integrate.h"
#include "fmt/block.h"
#include "harness/driver.h"
#include "mc/sample.h"

#define MAX_BINS 1000
#define MAX_SCALINGS 2
/* values normalised per work item of the histogram pass (at least one
 * block): the buffers stay small whatever B is */
#define CHUNK_VALUES ((size_t)1 << 16)

static const char doc[] =
  "Histograms of block-normalised N(0,1) values vs model and exact law (Orr et\n"
  "  al. F-S5).  Config keys: seed, samples (a multiple of block), block (B),\n"
  "  bins (on [-1, 1]), scale (scale format, e.g. fp32), scalings (absmax,\n"
  "  signmax: one panel each).";

typedef struct {
  unsigned long samples, block;
  size_t bins;
  char scale[32];
  const char *scaling[MAX_SCALINGS]; /* "absmax" or "signmax" */
  size_t n_scaling;
} setup;

/* One panel's values per bin. */
typedef struct {
  double hist[MAX_BINS], se[MAX_BINS], model[MAX_BINS], exact[MAX_BINS];
} panel;

static int read_scalings(qrd_config *cfg, setup *s)
{
  const char *words[QRD_CONFIG_MAX_LIST];
  int st = qrd_config_list(cfg, "scalings", words, &s->n_scaling);
  if (st)
    return st;
  if (s->n_scaling == 0 || s->n_scaling > MAX_SCALINGS)
    return qrd_config_invalid(cfg, "scalings", "need one or two scalings");
  for (size_t i = 0; i < s->n_scaling; i++) {
    if (strcmp(words[i], "absmax") == 0)
      s->scaling[i] = "absmax";
    else if (strcmp(words[i], "signmax") == 0)
      s->scaling[i] = "signmax";
    else
      return qrd_config_invalid(cfg, "scalings", "allowed: absmax, signmax");
  }
  return QRD_OK;
}

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long bins;
  int st;
  if ((st = qrd_config_whole(cfg, "block", 2, 1 << 16, &s->block)) ||
      (st = qrd_driver_read_samples(cfg, "samples", &s->block, 1, &s->samples)) ||
      (st = qrd_config_whole(cfg, "bins", 2, MAX_BINS, &bins)) ||
      (st = qrd_driver_read_scale(cfg, "scale", 1, s->scale, sizeof s->scale)) ||
      (st = read_scalings(cfg, s)))
    return st;
  s->bins = bins;
  return QRD_OK;
}

/* ---- the sample ---- */

static size_t bin_of(double y, size_t bins)
{
  /* The block maximum sits at +-1 up to the rounding of its scale, which
   * can put it a hair outside [-1, 1]: it belongs to the end bin. */
  double k = floor((y + 1.0) * 0.5 * (double)bins);
  return k < 0 ? 0 : k >= (double)bins ? bins - 1 : (size_t)k;
}

/* Adds the bin counts of blocks [first, first + n_blocks) to count. */
static int count_chunk(const double *x, const setup *s, const qrd_scaling *sc, size_t first,
                       size_t n_blocks, double *y, double *w, unsigned long *count)
{
  size_t from = first * s->block, n = n_blocks * s->block;
  int st = qrd_block_normalise(x + from, n, sc, -1.0, 1.0, y, w);
  for (size_t i = 0; !st && i < n; i++)
    count[bin_of(y[i], s->bins)]++;
  return st;
}

/* Histogram (fraction per bin) of x normalised by scaling sc.  Counts are
 * integers, so the sum over threads is the same in any order. */
static int histogram(const double *x, const setup *s, const qrd_scaling *sc, panel *p)
{
  size_t blocks = s->samples / s->block;
  size_t per = CHUNK_VALUES > s->block ? CHUNK_VALUES / s->block : 1;
  unsigned long total[MAX_BINS] = {0};
  int failed = 0;
#pragma omp parallel reduction(|| : failed)
  {
    unsigned long count[MAX_BINS] = {0};
    size_t len = per * s->block;
    double *y = malloc(len * sizeof *y), *w = malloc(len * sizeof *w);
    failed = !y || !w;
#pragma omp for schedule(static)
    for (size_t b = 0; b < blocks; b += per)
      if (!failed)
        failed = count_chunk(x, s, sc, b, b + per <= blocks ? per : blocks - b, y, w,
                             count) != QRD_OK;
#pragma omp critical(fig6_counts)
    for (size_t k = 0; k < s->bins; k++)
      total[k] += count[k];
    free(y);
    free(w);
  }
  if (failed)
    return qrd_error_set(QRD_ENOMEM, "histogram buffers");
  double n = (double)s->samples;
  for (size_t k = 0; k < s->bins; k++) {
    p->hist[k] = (double)total[k] / n;
    p->se[k] = sqrt(p->hist[k] * (1.0 - p->hist[k]) / n);
  }
  return QRD_OK;
}

/* ---- model and exact law ---- */

/* The block maximum's atoms: 1/(2B) at each end (absmax) or 1/B at +1
 * (signmax). */
static void add_atoms(const setup *s, int signmax, double *mass)
{
  double b = (double)s->block;
  if (signmax) {
    mass[s->bins - 1] += 1.0 / b;
  } else {
    mass[0] += 0.5 / b;
    mass[s->bins - 1] += 0.5 / b;
  }
}

static double bin_edge(const setup *s, size_t k) { return -1.0 + 2.0 * (double)k / (double)s->bins; }

/* §2.5's model; 0 when B <= pi, where it has no positive variance. */
static int model(const setup *s, int signmax, double *mass)
{
  double b = (double)s->block, v = 2.0 * log(b / M_PI);
  if (!(v > 0))
    return 0;
  double sigma = 1.0 / sqrt(v), width = 2.0 / (double)s->bins;
  double norm = 1.0 - 2.0 * gsl_cdf_ugaussian_Q(1.0 / sigma);
  for (size_t k = 0; k < s->bins; k++) {
    double mid = 0.5 * (bin_edge(s, k) + bin_edge(s, k + 1));
    mass[k] = gsl_ran_gaussian_pdf(mid, sigma) / norm * width * (b - 1.0) / b;
  }
  add_atoms(s, signmax, mass);
  return 1;
}

typedef struct {
  double block, a, b;
} bin_law;

/* 2 phi(m) G(m)^{B-2} P(m a < W <= m b): the density of the block maximum
 * M = m of the other B - 1 elements, times the chance that one of them
 * lands in the bin.  Upper tails on the positive side keep small
 * differences of the cdf accurate. */
static double bin_integrand(double m, void *params)
{
  const bin_law *l = params;
  double g = 1.0 - 2.0 * gsl_cdf_ugaussian_Q(m);
  double in = l->a >= 0 ? gsl_cdf_ugaussian_Q(m * l->a) - gsl_cdf_ugaussian_Q(m * l->b)
                        : gsl_cdf_ugaussian_P(m * l->b) - gsl_cdf_ugaussian_P(m * l->a);
  return 2.0 * gsl_ran_ugaussian_pdf(m) * pow(g, l->block - 2.0) * in;
}

static int exact(const setup *s, int signmax, double *mass)
{
  for (size_t k = 0; k < s->bins; k++) {
    bin_law l = {(double)s->block, bin_edge(s, k), bin_edge(s, k + 1)};
    double v, err;
    int st = qrd_integrate(bin_integrand, &l, 0.0, INFINITY, &v, &err);
    if (st)
      return st;
    mass[k] = (l.block - 1.0) * v;
  }
  add_atoms(s, signmax, mass);
  return QRD_OK;
}

/* The largest |histogram - exact| in standard errors, a check of both. */
static double max_z(const setup *s, const panel *p)
{
  double z = 0.0;
  for (size_t k = 0; k < s->bins; k++)
    if (p->se[k] > 0)
      z = fmax(z, fabs(p->hist[k] - p->exact[k]) / p->se[k]);
  return z;
}

/* ---- output ---- */

static int write_panel(qrd_results *res, const setup *s, size_t i, const panel *p,
                       int has_model)
{
  const char *name = s->scaling[i];
  double x[MAX_BINS];
  char title[160], attr[64];
  for (size_t k = 0; k < s->bins; k++)
    x[k] = 0.5 * (bin_edge(s, k) + bin_edge(s, k + 1));
  snprintf(title, sizeof title, "N(0,1) / %s over blocks of %lu (%s scales)", name,
           s->block, s->scale);
  snprintf(attr, sizeof attr, "%s_histogram_max_z", name);
  int st = qrd_results_panel(res, name, title, "normalised value", "fraction per bin");
  if (!st)
    st = qrd_results_curve(res, name, "histogram", "Monte Carlo", s->bins, x, p->hist,
                           p->se);
  if (!st)
    st = qrd_results_curve(res, name, "exact", "exact law", s->bins, x, p->exact, NULL);
  /* last, as the one curve that may be missing */
  if (!st && has_model)
    st = qrd_results_curve(res, name, "model", "Model (2.5)", s->bins, x, p->model, NULL);
  if (!st)
    st = qrd_results_attr_double(res, attr, max_z(s, p));
  return st;
}

static int write_results(qrd_driver *drv, const setup *s, const panel *p, int has_model)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  for (size_t i = 0; !st && i < s->n_scaling; i++)
    st = write_panel(res, s, i, &p[i], has_model);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  return qrd_driver_close_results(res, st);
}

/* One panel: histogram of the sample, model and exact law. */
static int run_panel(const setup *s, const double *x, size_t i, panel *p, int *has_model)
{
  char text[64];
  qrd_scaling sc;
  int signmax = strcmp(s->scaling[i], "signmax") == 0;
  snprintf(text, sizeof text, "%s:%lu", s->scaling[i], s->block);
  int st = qrd_scaling_parse(text, s->scale, &sc);
  if (!st)
    st = histogram(x, s, &sc, p);
  if (!st)
    st = exact(s, signmax, p->exact);
  *has_model = model(s, signmax, p->model);
  return st;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  qrd_dist d;
  int st = qrd_dist_parse("gaussian", &d), has_model = 0;
  panel *p = calloc(s->n_scaling, sizeof *p);
  /* one sample for both panels: the same weights normalised two ways */
  double *x = st ? NULL : qrd_sample_alloc(&d, drv->seed, s->samples);
  if (!st && (!p || !x))
    st = qrd_error_set(QRD_ENOMEM, "sample of %lu values", s->samples);
  qrd_driver_progress_begin(drv, s->n_scaling);
  for (size_t i = 0; !st && i < s->n_scaling; i++) {
    st = run_panel(s, x, i, &p[i], &has_model);
    qrd_driver_progress_step(drv, s->scaling[i]);
  }
  free(x);
  if (!st)
    st = write_results(drv, s, p, has_model);
  free(p);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-6", doc, read_setup, run, &s);
}
