/* Codes of block-normalised values on Monte Carlo blocks (fmt/block.h).
 * The scale is the exact extreme and the values are divided by it, as
 * the block law defines X = W / M: the one-pass evaluator's scale format
 * and multiplication by 1/s would make these estimates of another law. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fmt/block.h"
#include "mc/stats.h"
#include "quant/codebook.h"

/* The block's largest inlier |x| (absmax) or that x itself (signmax); 0
 * when every value is an outlier. */
static double code_scale(const double *x, size_t n, qrd_scaling_kind kind, double tau)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    if (fabs(x[i]) <= tau && fabs(x[i]) > fabs(s))
      s = x[i];
  return kind == QRD_SCALING_ABSMAX ? fabs(s) : s;
}

/* A block's terms added to the running sums acc (a local array of the
 * batch: through the batch's row of sums, which may alias x, every
 * addition waited for a store and its reload) and to the level counts. */
static void code_block(const double *x, size_t n, double scale, double tau,
                       const qrd_codebook_cells *f, double acc[QRD_CODE_SUMS],
                       double *count)
{
  double m = fabs(scale);
  for (size_t i = 0; i < n; i++) {
    acc[QRD_CODE_ELEMENTS] += 1.0;
    acc[QRD_CODE_W2] += x[i] * x[i];
    if (!(fabs(x[i]) <= tau) || scale == 0.0)
      continue;
    double y = x[i] / scale;
    const qrd_codebook *c = f->cb;
    size_t k = qrd_codebook_cells_find(f, y);
    double e = fabs(y - c->level[k]), dw = x[i] - scale * c->level[k];
    acc[QRD_CODE_L1] += e;
    acc[QRD_CODE_L2] += e * e;
    acc[QRD_CODE_MAE] += m * e;
    acc[QRD_CODE_MSE] += dw * dw;
    count[k] += 1.0;
  }
}

int qrd_block_code_sums(const double *x, size_t n, size_t block, size_t n_batches,
                        qrd_scaling_kind kind, double tau, const qrd_codebook *c,
                        double *sums)
{
  if (kind != QRD_SCALING_ABSMAX && kind != QRD_SCALING_SIGNMAX)
    return qrd_error_set(QRD_EINVAL, "a code of block-normalised values needs absmax or "
                         "signmax scaling");
  if (block == 0 || n == 0 || n % block != 0)
    return qrd_error_set(QRD_EINVAL, "sample of %zu values is not a whole number of "
                         "blocks of %zu", n, block);
  qrd_block_pass p = {.block = block, .n_batches = n_batches};
  size_t nb = qrd_block_pass_batches(&p, n), width = QRD_CODE_SUMS + c->n;
  memset(sums, 0, nb * width * sizeof *sums);
  qrd_codebook_cells f;
  qrd_codebook_cells_init(&f, c);
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < nb; k++) {
    size_t first, last;
    double acc[QRD_CODE_SUMS] = {0.0}, *sum = sums + k * width;
    qrd_block_pass_range(&p, n, k, &first, &last);
    for (size_t b = first * block; b < last * block; b += block)
      code_block(x + b, block, code_scale(x + b, block, kind, tau), tau, &f, acc,
                 sum + QRD_CODE_SUMS);
    memcpy(sum, acc, sizeof acc);
  }
  qrd_codebook_cells_free(&f);
  return QRD_OK;
}

/* The estimates from one vector of sums; prob is scratch for the
 * levels' probabilities. */
static void code_estimates(const double *sum, size_t levels, double *prob, double *v)
{
  double elements = sum[QRD_CODE_ELEMENTS], coded = 0.0;
  for (size_t k = 0; k < levels; k++)
    coded += sum[QRD_CODE_SUMS + k];
  for (size_t k = 0; k < levels; k++)
    prob[k] = sum[QRD_CODE_SUMS + k] / coded;
  v[QRD_CODE_EST_ENTROPY] = qrd_entropy_bits(prob, levels);
  v[QRD_CODE_EST_L1] = sum[QRD_CODE_L1] / elements;
  v[QRD_CODE_EST_L2] = sum[QRD_CODE_L2] / elements;
  v[QRD_CODE_EST_MAE] = sum[QRD_CODE_MAE] / elements;
  v[QRD_CODE_EST_MSE] = sum[QRD_CODE_MSE] / elements;
  v[QRD_CODE_EST_R] = sqrt(sum[QRD_CODE_MSE] / sum[QRD_CODE_W2]);
}

/* Batch sums, their totals and scratch for one delete-one estimate. */
typedef struct {
  const double *batch;
  size_t nb, width, levels;
  double *total, *loo, *prob;
} code_totals;

static void code_stat(void *ctx, size_t skip, double *v)
{
  const code_totals *c = ctx;
  for (size_t j = 0; skip < c->nb && j < c->width; j++)
    c->loo[j] = c->total[j] - c->batch[skip * c->width + j];
  code_estimates(skip < c->nb ? c->loo : c->total, c->levels, c->prob, v);
}

int qrd_block_code_estimate(const double *sums, size_t nb, size_t levels, double *value,
                            double *se)
{
  size_t width = QRD_CODE_SUMS + levels;
  code_totals c = {.batch = sums, .nb = nb, .width = width, .levels = levels};
  c.total = calloc(2 * width + levels, sizeof *c.total);
  double *loo = malloc(nb * QRD_CODE_ESTIMATES * sizeof *loo);
  if (!c.total || !loo) {
    free(c.total);
    free(loo);
    return qrd_error_set(QRD_ENOMEM, "jackknife of %zu batches", nb);
  }
  c.loo = c.total + width;
  c.prob = c.loo + width;
  for (size_t b = 0; b < nb; b++)
    for (size_t j = 0; j < width; j++)
      c.total[j] += sums[b * width + j];
  qrd_jackknife(code_stat, &c, nb, QRD_CODE_ESTIMATES, loo, value, se);
  free(c.total);
  free(loo);
  return QRD_OK;
}

void qrd_block_code_batch_mean(const double *sums, size_t nb, size_t levels, int which,
                               double *mean, double *se)
{
  size_t width = QRD_CODE_SUMS + levels;
  qrd_moments m = {0};
  for (size_t k = 0; k < nb; k++)
    qrd_moments_add(&m, sums[k * width + which] / sums[k * width + QRD_CODE_ELEMENTS]);
  qrd_moments_mean_se(&m, mean, se);
}
