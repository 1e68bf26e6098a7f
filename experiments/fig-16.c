/* fig-16 (Yoshida, README F-P1 "Distribution for block size = B";
 * the NF4/AF4 study's figure A): the law of absmax-normalised N(0,1) values
 * X = W / max_i |W_i| over blocks of B, exact (§3) against Monte Carlo
 * histograms, for several B.
 *
 * Panels:
 *   b<B>     one per block size; x = bin centre, y = density (fraction
 *            of values in the bin / bin width).  Curves:
 *              histogram  the sample (y_err: standard error over
 *                         QRD_BLOCK_BATCHES batches of whole blocks, which
 *                         keeps the dependence within a block: the shared
 *                         maximum and its +-1 atom)
 *              exact      the bin's mass under the exact law (atoms of
 *                         1/(2B) at -1 and +1 in the end bins) / width
 *   density  the continuous part f_B(x) (mass 1 - 1/B, atoms left out),
 *            one curve b<B> per block size.
 * Every block size cuts the same sample into blocks.  Root attributes
 * max_z_b<B> and mean_z2_b<B>: the largest |histogram - exact| / SE over
 * the bins and the mean squared z (about 1 when the SE is right). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "fmt/block.h"
#include "harness/driver.h"
#include "law/blockmax.h"
#include "mc/sample.h"

#define MAX_BLOCKS 16
#define MAX_BINS 1000
#define MAX_POINTS 10001
#define BATCHES QRD_BLOCK_BATCHES

static const char doc[] =
  "Law of absmax-normalised N(0,1) values: exact f_B over Monte Carlo\n"
  "  histograms (Yoshida F-P1).  Config keys: seed, samples (a multiple of 64 B\n"
  "  for every B), blocks (block sizes B, whole numbers >= 2), bins (on\n"
  "  [-1, 1]), points (of the density curves).";

typedef struct {
  unsigned long samples, block[MAX_BLOCKS];
  size_t n_block, bins, points;
} setup;

/* One block size's histogram and exact bin densities. */
typedef struct {
  unsigned long (*count)[MAX_BINS]; /* per batch */
  double hist[MAX_BINS], se[MAX_BINS], exact[MAX_BINS];
  double *pdf;                      /* f_B at the density grid */
  double max_z, mean_z2;
  int status;
  char error[256];
} result;

/* ---- configuration ---- */

static int read_setup(qrd_config *cfg, void *setup_ptr)
{
  setup *s = setup_ptr;
  unsigned long bins, points;
  int st;
  if ((st = qrd_config_wholes(cfg, "blocks", 2, 1 << 20, s->block, MAX_BLOCKS, &s->n_block)) ||
      (st = qrd_config_whole(cfg, "samples", QRD_DRIVER_SAMPLES_MIN, QRD_DRIVER_SAMPLES_MAX,
                             &s->samples)) ||
      (st = qrd_config_whole(cfg, "bins", 2, MAX_BINS, &bins)) ||
      (st = qrd_config_whole(cfg, "points", 3, MAX_POINTS, &points)))
    return st;
  for (size_t j = 0; j < s->n_block; j++)
    if (s->samples % (BATCHES * s->block[j]) != 0)
      return qrd_config_invalid(cfg, "samples", "must be a whole number of batches: a "
                                                "multiple of 64 B for every B of blocks");
  s->bins = (size_t)bins;
  s->points = (size_t)points;
  return QRD_OK;
}

/* ---- the sample ---- */

static size_t bin_of(double y, size_t bins)
{
  /* the block maximum lands exactly on +1: it belongs to the last bin */
  double k = floor((y + 1.0) * 0.5 * (double)bins);
  return k < 0 ? 0 : k >= (double)bins ? bins - 1 : (size_t)k;
}

/* Bin counts of x[0..n-1] normalised by the absmax of each block of b. */
static void count_batch(const double *x, size_t n, size_t b, size_t bins, unsigned long *count)
{
  for (size_t from = 0; from < n; from += b) {
    double m = 0.0;
    for (size_t i = from; i < from + b; i++)
      m = fmax(m, fabs(x[i]));
    for (size_t i = from; i < from + b; i++)
      count[bin_of(x[i] / m, bins)]++;
  }
}

/* Histogram of every block size, one work item per (block size, batch),
 * each counting into its own row: integer counts, so any thread count
 * gives the same result. */
static void count_all(const setup *s, const double *x, result *r)
{
  size_t per = s->samples / BATCHES, items = s->n_block * BATCHES;
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t it = 0; it < items; it++) {
    size_t j = it / BATCHES, k = it % BATCHES;
    count_batch(x + k * per, per, s->block[j], s->bins, r[j].count[k]);
  }
}

/* Density per bin and its standard error from the batch fractions. */
static void histogram(const setup *s, result *r)
{
  double per = (double)(s->samples / BATCHES), width = 2.0 / (double)s->bins;
  for (size_t k = 0; k < s->bins; k++) {
    double sum = 0.0, sum2 = 0.0;
    for (size_t b = 0; b < BATCHES; b++) {
      double f = (double)r->count[b][k] / per;
      sum += f;
      sum2 += f * f;
    }
    double mean = sum / BATCHES, var = (sum2 - sum * mean) / (BATCHES - 1);
    r->hist[k] = mean / width;
    r->se[k] = sqrt(fmax(var, 0.0) / BATCHES) / width;
  }
}

/* ---- exact law ---- */

static double bin_edge(const setup *s, size_t k) { return -1.0 + 2.0 * (double)k / (double)s->bins; }

static double grid_point(const setup *s, size_t i)
{
  return -1.0 + 2.0 * (double)i / (double)(s->points - 1);
}

/* Bin masses from the cdf with its atoms (the -1 atom in the first bin,
 * the +1 atom in the last), as densities; f_B on the grid. */
static int exact(const setup *s, size_t block, result *r)
{
  qrd_dist d;
  qrd_law *law;
  int st = qrd_dist_parse("gaussian", &d);
  if (!st)
    st = qrd_law_alloc(&d, (double)block, QRD_LAW_ABSMAX, INFINITY, &law);
  if (st)
    return st;
  double width = 2.0 / (double)s->bins, below = 0.0;
  for (size_t k = 0; k < s->bins; k++) {
    double upto = k + 1 == s->bins ? 1.0 : qrd_law_cdf(law, bin_edge(s, k + 1));
    r->exact[k] = (upto - below) / width;
    below = upto;
  }
  for (size_t i = 0; i < s->points; i++)
    r->pdf[i] = qrd_law_pdf(law, grid_point(s, i));
  qrd_law_free(law);
  return QRD_OK;
}

static void agreement(const setup *s, result *r)
{
  r->max_z = r->mean_z2 = 0.0;
  for (size_t k = 0; k < s->bins; k++) {
    double z = r->se[k] > 0 ? (r->hist[k] - r->exact[k]) / r->se[k] : 0.0;
    r->max_z = fmax(r->max_z, fabs(z));
    r->mean_z2 += z * z / (double)s->bins;
  }
}

/* ---- output ---- */

static int write_block(qrd_results *res, const setup *s, unsigned long block, const result *r)
{
  double x[MAX_BINS];
  char panel[32], title[96], attr[64];
  for (size_t k = 0; k < s->bins; k++)
    x[k] = 0.5 * (bin_edge(s, k) + bin_edge(s, k + 1));
  snprintf(panel, sizeof panel, "b%lu", block);
  snprintf(title, sizeof title, "B = %lu", block);
  int st = qrd_results_panel(res, panel, title, "x = w / max|w|", "density");
  if (!st)
    st = qrd_results_curve(res, panel, "histogram", "Monte Carlo", s->bins, x, r->hist, r->se);
  if (!st)
    st = qrd_results_curve(res, panel, "exact", "exact (atoms in end bins)", s->bins, x,
                           r->exact, NULL);
  snprintf(attr, sizeof attr, "max_z_b%lu", block);
  if (!st)
    st = qrd_results_attr_double(res, attr, r->max_z);
  snprintf(attr, sizeof attr, "mean_z2_b%lu", block);
  if (!st)
    st = qrd_results_attr_double(res, attr, r->mean_z2);
  return st;
}

static int write_density(qrd_results *res, const setup *s, const result *r)
{
  double *x = malloc(s->points * sizeof *x);
  int st = x ? qrd_results_panel(res, "density", "continuous part f_B (atoms at +-1 left out)",
                                 "x = w / max|w|", "f_B(x)")
             : qrd_error_set(QRD_ENOMEM, "density grid");
  for (size_t i = 0; !st && i < s->points; i++)
    x[i] = grid_point(s, i);
  for (size_t j = 0; !st && j < s->n_block; j++) {
    char curve[32], label[32];
    snprintf(curve, sizeof curve, "b%lu", s->block[j]);
    snprintf(label, sizeof label, "B = %lu", s->block[j]);
    st = qrd_results_curve(res, "density", curve, label, s->points, x, r[j].pdf, NULL);
  }
  free(x);
  return st;
}

static int write_results(qrd_driver *drv, const setup *s, const result *r)
{
  qrd_results *res;
  int st = qrd_driver_results(drv, &res);
  if (st)
    return st;
  for (size_t j = 0; !st && j < s->n_block; j++)
    st = write_block(res, s, s->block[j], &r[j]);
  if (!st)
    st = write_density(res, s, r);
  if (!st)
    st = qrd_results_attr_string(res, "sample_generator", QRD_SAMPLE_GENERATOR);
  if (!st)
    st = qrd_results_attr_string(res, "sample_seeding", QRD_SAMPLE_SEEDING);
  return qrd_driver_close_results(res, st);
}

/* ---- run ---- */

static void results_free(const setup *s, result *r)
{
  for (size_t j = 0; r && j < s->n_block; j++) {
    free(r[j].count);
    free(r[j].pdf);
  }
  free(r);
}

/* NULL when out of memory. */
static result *results_alloc(const setup *s)
{
  result *r = calloc(s->n_block, sizeof *r);
  int ok = r != NULL;
  for (size_t j = 0; ok && j < s->n_block; j++) {
    r[j].count = calloc(BATCHES, sizeof *r[j].count);
    r[j].pdf = malloc(s->points * sizeof *r[j].pdf);
    ok = r[j].count && r[j].pdf;
  }
  if (!ok) {
    results_free(s, r);
    return NULL;
  }
  return r;
}

/* Per block size, in parallel (one law per item): the exact law, the
 * histogram's densities and their agreement. */
static int evaluate_all(qrd_driver *drv, const setup *s, result *r)
{
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t j = 0; j < s->n_block; j++) {
    r[j].status = exact(s, s->block[j], &r[j]);
    if (r[j].status)
      snprintf(r[j].error, sizeof r[j].error, "B = %lu: %s", s->block[j], qrd_error_detail());
    histogram(s, &r[j]);
    agreement(s, &r[j]);
    char what[64];
    snprintf(what, sizeof what, "B = %lu: exact law, max z %.2f", s->block[j], r[j].max_z);
#pragma omp critical(progress)
    qrd_driver_progress_step(drv, what);
  }
  for (size_t j = 0; j < s->n_block; j++)
    if (r[j].status)
      return qrd_error_set(r[j].status, "%s", r[j].error);
  return QRD_OK;
}

static int run(qrd_driver *drv, void *setup_ptr)
{
  const setup *s = setup_ptr;
  qrd_dist d;
  int st = qrd_dist_parse("gaussian", &d);
  result *r = results_alloc(s);
  double *x = st || !r ? NULL : qrd_sample_alloc(&d, drv->seed, s->samples);
  if (!st && !x)
    st = qrd_error_set(QRD_ENOMEM, "sample of %lu values and its histograms", s->samples);
  qrd_driver_progress_begin(drv, s->n_block + 1);
  if (!st) {
    count_all(s, x, r);
    qrd_driver_progress_step(drv, "histograms");
    st = evaluate_all(drv, s, r);
  }
  free(x);
  if (!st)
    st = write_results(drv, s, r);
  results_free(s, r);
  return st;
}

int main(int argc, char **argv)
{
  setup s;
  return qrd_driver_main(argc, argv, "fig-16", doc, read_setup, run, &s);
}
