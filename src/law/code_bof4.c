/* BOF4-style codes as quantisers (Yoshida (NF4 vs AF4), a qrd reading of the
 * BOF4 abstract, not yet checked against the paper):
 *   bof4   weight-domain MSE (metric=mse, M^2-weighted centroids) or MAE
 *          (metric=mae, M-weighted medians) under absmax scaling, -1, 0, +1
 *          pinned;
 *   bof4s  the same under signmax scaling, 0 and +1 pinned;
 *   opq    bof4s for the inliers |W| <= tau (tau in the distribution's
 *          units, 4 by default), the outliers stored aside in 16 bits
 *          (the paper's outlier rule is not known). */
#include <math.h>

#include "core/error.h"
#include "law/code.h"
#include "law/pinned.h"
#include "quant/quantiser.h"

/* The metric's value is its error power. */
#define PARAM_METRIC                                                            \
  {.name = "metric", .def = 2.0, .min = 1.0, .max = 2.0, .words = "mae=1 mse=2",  \
   .doc = "mse: weight-domain MSE, mae: weight-domain MAE"}

static const qrd_param_def params[] = {QRD_CODE_PARAM_BLOCK, PARAM_METRIC};
static const qrd_param_def opq_params[] = {
  QRD_CODE_PARAM_BLOCK,
  PARAM_METRIC,
  {.name = "tau", .def = 4.0, .min = 0.0, .max = 1e6, .min_open = 1,
   .doc = "outlier threshold on |w| (4: 4 sigma for unit-variance sources)"},
};

static int design(const char *name, const qrd_dist *d, double block, double metric,
                  qrd_law_scaling scaling, double tau, double levels, qrd_codebook **out)
{
  if (metric != 1.0 && metric != 2.0)
    return qrd_error_set(QRD_EINVAL, "quantiser '%s': metric=%g invalid (allowed: mse or 2, "
                         "mae or 1)", name, metric);
  qrd_law *law;
  int st = qrd_law_alloc(d, block, scaling, tau, &law);
  if (st)
    return st;
  qrd_pin_layout pins = scaling == QRD_LAW_SIGNMAX ? QRD_PINS_SIGNED : QRD_PINS_SYMMETRIC;
  st = qrd_pinned_code(law, metric == 2.0 ? QRD_LAW_L2W : QRD_LAW_L1W, pins,
                       (size_t)levels, out);
  qrd_law_free(law);
  return st;
}

static int design_bof4(const qrd_dist *d, const double *th, double levels,
                       qrd_codebook **out)
{
  return design("bof4", d, th[0], th[1], QRD_LAW_ABSMAX, INFINITY, levels, out);
}

static int design_bof4s(const qrd_dist *d, const double *th, double levels,
                        qrd_codebook **out)
{
  return design("bof4s", d, th[0], th[1], QRD_LAW_SIGNMAX, INFINITY, levels, out);
}

static int design_opq(const qrd_dist *d, const double *th, double levels,
                      qrd_codebook **out)
{
  return design("opq", d, th[0], th[1], QRD_LAW_SIGNMAX, th[2], levels, out);
}

const qrd_quantiser_type qrd_quantiser_bof4 = {
  .name = "bof4",
  .doc = "BOF4-style: weight-domain MSE (metric=mse) or MAE (metric=mae) optimum of absmax "
         "blocks, -1, 0, +1 pinned",
  .n_params = 2, .params = params,
  .target = QRD_TARGET_LEVELS,
  .design = design_bof4,
};

const qrd_quantiser_type qrd_quantiser_bof4s = {
  .name = "bof4s",
  .doc = "BOF4-S-style: the same for signmax blocks, 0 and +1 pinned",
  .n_params = 2, .params = params,
  .target = QRD_TARGET_LEVELS,
  .design = design_bof4s,
};

const qrd_quantiser_type qrd_quantiser_opq = {
  .name = "opq",
  .doc = "OPQ-style: bof4s of the inliers |w| <= tau, outliers kept in 16 bits",
  .n_params = 3, .params = opq_params,
  .target = QRD_TARGET_LEVELS,
  .design = design_opq,
};
