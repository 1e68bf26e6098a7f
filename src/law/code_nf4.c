/* NF4 as a quantiser (Yoshida (NF4 vs AF4)).  16 levels: QLoRA's float32 table
 * (fmt/element.c holds the one copy), which is NF4's definition.  Other
 * even level counts n: the same recipe with n/2 positive and n/2 - 1
 * negative quantile levels and the same offset, as the k-bit NormalFloat
 * ports (e.g. LoftQ's NFQuantizer) build it.  The code is for values
 * normalised to [-1, 1] and does not depend on the distribution or B. */
#include <math.h>

#include "core/error.h"
#include "fmt/element.h"
#include "law/nf4.h"
#include "quant/quantiser.h"

/* Phi^{-1}(o - j (o - 1/2) / k) for j = 0..k-1: k levels from Phi^{-1}(o)
 * down to the last before 1/2 (numpy's linspace(o, 0.5, k + 1)[:-1]). */
static void half_levels(double offset, size_t k, double sign, double *out)
{
  for (size_t j = 0; j < k; j++)
    out[j] = sign * gsl_cdf_ugaussian_Pinv(offset - (double)j * (offset - 0.5) / (double)k);
}

int qrd_nf_recipe(size_t n, double offset, double *level)
{
  if (n < 4 || n % 2)
    return qrd_error_set(QRD_EINVAL, "NormalFloat: %zu levels invalid (allowed: an even "
                         "number >= 4)", n);
  if (!(offset > 0.5 && offset < 1.0))
    return qrd_error_set(QRD_EINVAL, "NormalFloat: offset %g outside (0.5, 1)", offset);
  size_t pos = n / 2, neg = n / 2 - 1;
  double top = gsl_cdf_ugaussian_Pinv(offset);
  /* ascending: negatives from the most negative up, 0, positives upwards */
  half_levels(offset, neg, -1.0, level);
  level[neg] = 0.0;
  half_levels(offset, pos, 1.0, level + neg + 1);
  for (size_t i = 0; i < pos / 2; i++) {
    double t = level[neg + 1 + i];
    level[neg + 1 + i] = level[n - 1 - i];
    level[n - 1 - i] = t;
  }
  for (size_t i = 0; i < n; i++)
    level[i] /= top;
  return QRD_OK;
}

static int design(const qrd_dist *d, const double *th, double levels, qrd_codebook **out)
{
  (void)d;
  (void)th;
  if (levels != 16.0) {
    qrd_codebook *c = qrd_codebook_alloc((size_t)levels);
    if (!c)
      return qrd_error_set(QRD_ENOMEM, "nf codebook");
    int st = qrd_nf_recipe(c->n, QRD_NF4_OFFSET, c->level);
    if (st) {
      qrd_codebook_free(c);
      return st;
    }
    qrd_codebook_set_midpoints(c);
    *out = c;
    return QRD_OK;
  }
  qrd_element *e;
  int st = qrd_element_nf4(&e);
  if (st)
    return st;
  *out = e->cb; /* midpoint cells, outer edges +-inf */
  e->cb = NULL;
  qrd_element_free(e);
  return QRD_OK;
}

const qrd_quantiser_type qrd_quantiser_nf4 = {
  .name = "nf4",
  .doc = "NormalFloat: QLoRA's NF4 table at 16 levels (bitsandbytes float32 values), the "
         "same quantile recipe at other even level counts",
  .target = QRD_TARGET_LEVELS,
  .design = design,
  .design_law = "gaussian",
};
