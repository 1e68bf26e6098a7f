#include "law/normalised_hist.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "core/error.h"
#include "core/integrate.h"

/* values normalised per work item of the histogram pass (at least one
 * block): the buffers stay small whatever B is */
#define CHUNK_VALUES ((size_t)1 << 16)

static size_t bin_of(double y, size_t bins)
{
  /* The block maximum sits at +-1 up to the rounding of its scale, which
   * can put it a hair outside [-1, 1]: it belongs to the end bin. */
  double k = floor((y + 1.0) * 0.5 * (double)bins);
  return k < 0 ? 0 : k >= (double)bins ? bins - 1 : (size_t)k;
}

static double bin_edge(size_t bins, size_t k) { return -1.0 + 2.0 * (double)k / (double)bins; }

double qrd_normalised_bin_centre(size_t bins, size_t k)
{
  return 0.5 * (bin_edge(bins, k) + bin_edge(bins, k + 1));
}

/* Adds the bin counts of x[0 .. n) normalised by sc to count. */
static int count_chunk(const double *x, size_t n, const qrd_scaling *sc, size_t bins,
                       double *y, double *w, unsigned long *count)
{
  int st = qrd_block_normalise(x, n, sc, -1.0, 1.0, y, w);
  for (size_t i = 0; !st && i < n; i++)
    count[bin_of(y[i], bins)]++;
  return st;
}

int qrd_normalised_histogram(const double *x, size_t n, const qrd_scaling *sc, size_t bins,
                             double *frac, double *se)
{
  size_t block = sc->block, blocks = n / block;
  size_t per = CHUNK_VALUES > block ? CHUNK_VALUES / block : 1;
  unsigned long *total = calloc(bins, sizeof *total);
  int failed = !total;
#pragma omp parallel reduction(|| : failed)
  {
    size_t len = per * block;
    unsigned long *count = calloc(bins, sizeof *count);
    double *y = malloc(len * sizeof *y), *w = malloc(len * sizeof *w);
    failed = !y || !w || !count || !total;
#pragma omp for schedule(static)
    for (size_t b = 0; b < blocks; b += per)
      if (!failed)
        failed = count_chunk(x + b * block, (b + per <= blocks ? per : blocks - b) * block, sc,
                             bins, y, w, count) != QRD_OK;
#pragma omp critical(normalised_counts)
    for (size_t k = 0; total && count && k < bins; k++)
      total[k] += count[k];
    free(count);
    free(y);
    free(w);
  }
  for (size_t k = 0; !failed && k < bins; k++) {
    frac[k] = (double)total[k] / (double)n;
    se[k] = sqrt(frac[k] * (1.0 - frac[k]) / (double)n);
  }
  free(total);
  return failed ? qrd_error_set(QRD_ENOMEM, "histogram buffers") : QRD_OK;
}

static void add_atoms(double block, qrd_law_scaling g, size_t bins, double *mass)
{
  if (g == QRD_LAW_SIGNMAX) {
    mass[bins - 1] += 1.0 / block;
  } else {
    mass[0] += 0.5 / block;
    mass[bins - 1] += 0.5 / block;
  }
}

int qrd_normalised_model(double block, qrd_law_scaling g, size_t bins, double *mass)
{
  double v = 2.0 * log(block / M_PI);
  if (!(v > 0))
    return 0;
  double sigma = 1.0 / sqrt(v), width = 2.0 / (double)bins;
  double norm = 1.0 - 2.0 * gsl_cdf_ugaussian_Q(1.0 / sigma);
  for (size_t k = 0; k < bins; k++) {
    mass[k] = gsl_ran_gaussian_pdf(qrd_normalised_bin_centre(bins, k), sigma) / norm * width * (block - 1.0) / block;
  }
  add_atoms(block, g, bins, mass);
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

int qrd_normalised_exact(double block, qrd_law_scaling g, size_t bins, double *mass)
{
  for (size_t k = 0; k < bins; k++) {
    bin_law l = {block, bin_edge(bins, k), bin_edge(bins, k + 1)};
    double v, err;
    int st = qrd_integrate(bin_integrand, &l, 0.0, INFINITY, &v, &err);
    if (st)
      return st;
    mass[k] = (block - 1.0) * v;
  }
  add_atoms(block, g, bins, mass);
  return QRD_OK;
}

double qrd_normalised_max_z(const double *frac, const double *se, const double *mass,
                            size_t bins)
{
  double z = 0.0;
  for (size_t k = 0; k < bins; k++)
    if (se[k] > 0)
      z = fmax(z, fabs(frac[k] - mass[k]) / se[k]);
  return z;
}
