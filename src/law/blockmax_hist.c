#include "law/blockmax_hist.h"

#include <math.h>

#include "core/error.h"
#include "mc/stats.h"

#define BATCHES QRD_BLOCK_BATCHES

static size_t bin_of(double y, size_t bins)
{
  /* the block maximum lands exactly on +1: it belongs to the last bin */
  double k = floor((y + 1.0) * 0.5 * (double)bins);
  return k < 0 ? 0 : k >= (double)bins ? bins - 1 : (size_t)k;
}

static double bin_edge(size_t bins, size_t k) { return -1.0 + 2.0 * (double)k / (double)bins; }

double qrd_blockmax_grid_point(size_t points, size_t i)
{
  return -1.0 + 2.0 * (double)i / (double)(points - 1);
}

/* Adds the bin counts of x[0 .. n) normalised by the absmax of each block
 * of b. */
static void count_batch(const double *x, size_t n, size_t b, size_t bins, unsigned long *count)
{
  for (size_t from = 0; from < n; from += b) {
    double m = qrd_max_abs(x + from, b);
    for (size_t i = from; i < from + b; i++)
      count[bin_of(x[i] / m, bins)]++;
  }
}

void qrd_blockmax_count(const double *x, size_t n, const unsigned long *block, size_t n_block,
                        size_t bins, unsigned long *const *count)
{
  size_t per = n / BATCHES, items = n_block * BATCHES;
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t it = 0; it < items; it++) {
    size_t j = it / BATCHES, k = it % BATCHES;
    count_batch(x + k * per, per, block[j], bins, count[j] + k * bins);
  }
}

void qrd_blockmax_hist_density(const unsigned long *count, size_t per, qrd_blockmax_hist *h)
{
  double n = (double)per, width = 2.0 / (double)h->bins;
  for (size_t k = 0; k < h->bins; k++) {
    double sum = 0.0, sum2 = 0.0;
    for (size_t b = 0; b < BATCHES; b++) {
      double f = (double)count[b * h->bins + k] / n;
      sum += f;
      sum2 += f * f;
    }
    double mean = sum / BATCHES, var = (sum2 - sum * mean) / (BATCHES - 1);
    h->hist[k] = mean / width;
    h->se[k] = sqrt(fmax(var, 0.0) / BATCHES) / width;
  }
}

void qrd_blockmax_hist_exact(const qrd_law *law, qrd_blockmax_hist *h)
{
  double width = 2.0 / (double)h->bins, below = 0.0;
  for (size_t k = 0; k < h->bins; k++) {
    double upto = k + 1 == h->bins ? 1.0 : qrd_law_cdf(law, bin_edge(h->bins, k + 1));
    h->exact[k] = (upto - below) / width;
    below = upto;
  }
}

void qrd_blockmax_hist_agreement(qrd_blockmax_hist *h)
{
  h->max_z = h->mean_z2 = 0.0;
  for (size_t k = 0; k < h->bins; k++) {
    double z = h->se[k] > 0 ? (h->hist[k] - h->exact[k]) / h->se[k] : 0.0;
    h->max_z = fmax(h->max_z, fabs(z));
    h->mean_z2 += z * z / (double)h->bins;
  }
}

int qrd_blockmax_hist_eval(const unsigned long *count, size_t per, double block, size_t points,
                           double *pdf, qrd_blockmax_hist *h)
{
  qrd_dist d;
  qrd_law *law;
  int st = qrd_dist_parse("gaussian", &d);
  if (!st)
    st = qrd_law_alloc(&d, block, QRD_LAW_ABSMAX, INFINITY, &law);
  if (st)
    return st;
  qrd_blockmax_hist_exact(law, h);
  for (size_t i = 0; i < points; i++)
    pdf[i] = qrd_law_pdf(law, qrd_blockmax_grid_point(points, i));
  qrd_law_free(law);
  qrd_blockmax_hist_density(count, per, h);
  qrd_blockmax_hist_agreement(h);
  return QRD_OK;
}
