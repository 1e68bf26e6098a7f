/* Codes of block-normalised values on Monte Carlo blocks (fmt/block.h).
 * The scale is the exact extreme and the values are divided by it, as
 * the block law defines X = W / M: the one-pass evaluator's scale format
 * and multiplication by 1/s would make these estimates of another law. */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "fmt/block.h"

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

static void code_block(const double *x, size_t n, double scale, double tau,
                       const qrd_codebook *c, double *sum)
{
  double m = fabs(scale), *count = sum + QRD_CODE_SUMS;
  for (size_t i = 0; i < n; i++) {
    sum[QRD_CODE_ELEMENTS] += 1.0;
    sum[QRD_CODE_W2] += x[i] * x[i];
    if (!(fabs(x[i]) <= tau) || scale == 0.0)
      continue;
    double y = x[i] / scale;
    size_t k = qrd_codebook_cell(c, y);
    double e = fabs(y - c->level[k]), dw = x[i] - scale * c->level[k];
    sum[QRD_CODE_L1] += e;
    sum[QRD_CODE_L2] += e * e;
    sum[QRD_CODE_MAE] += m * e;
    sum[QRD_CODE_MSE] += dw * dw;
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
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t k = 0; k < nb; k++) {
    size_t first, last;
    qrd_block_pass_range(&p, n, k, &first, &last);
    for (size_t b = first * block; b < last * block; b += block)
      code_block(x + b, block, code_scale(x + b, block, kind, tau), tau, c, sums + k * width);
  }
  return QRD_OK;
}
